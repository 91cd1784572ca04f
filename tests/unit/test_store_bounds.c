/* The store's bounds (MUST 16, 17 of libguard/store.c): how long a
 * transaction may hold the lock, and how much a decision may add to the
 * ledger; the retention setting. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_suite.h"

TestSuite(bounds, .init = store_suite_init, .fini = store_suite_fini, .timeout = 120);

static struct guard_store *open_limited(int txn_limit_ms)
{
	struct guard_store_options o = {
	    .dir = dir, .busy_timeout_ms = 1000, .owner = geteuid(), .txn_limit_ms = txn_limit_ms};
	struct guard_store *s = NULL;
	struct guard_error err = {0};

	cr_assert_eq(guard_store_open(&o, &s, &err), 0, "%s", err.message);
	return s;
}

/* Waits up to 5 s for pid to end (its wait status); then kills it, and the
 * test fails. */
static int reap(pid_t pid)
{
	double t0 = seconds();
	int st = 0;

	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (seconds() - t0 > 5) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			cr_assert_fail("the holder still held the lock after 5 s");
		}
		usleep(20 * 1000);
	}
	return st;
}

/* ---- MUST 16 ---- */

/* Forks a process that begins a transaction on a store bounded at 300 ms
 * and then blocks: asleep, or stopped when stop is set; returns its pid
 * once it holds the lock. */
static pid_t fork_holder(bool stop)
{
	struct guard_error err = {0};
	int ready[2];
	int64_t t;
	pid_t pid;
	char c;

	guard_store_close(store_open(dir));
	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct guard_store *h = open_limited(300);

		close(ready[0]);
		if (guard_store_begin(h, T0, &t, &err) < 0 || write(ready[1], "x", 1) != 1)
			_exit(1);
		if (stop)
			(void)raise(SIGSTOP);
		else
			sleep(30);
		_exit(2);
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

Test(bounds, must_16_txn_open_says_when)
{
	struct guard_store *s = store_open(dir);
	struct guard_error err = {0};
	int64_t t;

	cr_assert_not(guard_store_txn_open());
	cr_assert_eq(guard_store_begin(s, T0, &t, &err), 0);
	cr_assert(guard_store_txn_open());
	guard_store_rollback(s);
	cr_assert_not(guard_store_txn_open());
	cr_assert_eq(guard_store_begin(s, T0, &t, &err), 0);
	cr_assert_eq(guard_store_commit(s, &err), 0);
	cr_assert_not(guard_store_txn_open());
	guard_store_close(s);
}

Test(bounds, must_16_commit_past_the_bound_rolls_back)
{
	struct guard_store *s = open_limited(200);
	struct guard_error err = {0};
	int64_t t;
	int r;

	cr_assert_eq(guard_store_begin(s, T0, &t, &err), 0);
	cr_assert_eq(
	    sqlite3_exec(s->db, "INSERT INTO meta(key, value) VALUES ('x', 1)", NULL, NULL, NULL),
	    SQLITE_OK);
	usleep(300 * 1000);
	r = guard_store_commit(s, &err);
	cr_assert_eq(r, -ETIMEDOUT, "commit past the bound gave %d: %s", r, err.message);
	cr_assert(strstr(err.message, "longer than 200 ms"), "%s", err.message);
	cr_assert_not(guard_store_txn_open());
	cr_assert_eq(store_int(s, "SELECT count(*) FROM meta WHERE key = 'x'"), 0);
	guard_store_close(s);
}

Test(bounds, must_16_statement_past_the_bound_interrupted)
{
	struct guard_store *s = open_limited(200);
	struct guard_error err = {0};
	int64_t t;
	int rc;

	cr_assert_eq(guard_store_begin(s, T0, &t, &err), 0);
	rc = sqlite3_exec(s->db,
			  "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c"
			  " WHERE n < 100000000) SELECT count(*) FROM c",
			  NULL, NULL, NULL);
	cr_assert_eq(rc & 0xff, SQLITE_INTERRUPT, "a long statement gave %d", rc);
	guard_store_rollback(s);
	guard_store_close(s);
}

/* A process that holds the lock and blocks (a full pipe, a stop) is killed
 * at twice the bound, and the lock is free again. */
Test(bounds, must_16_blocked_holder_is_killed)
{
	struct guard_store *s;
	struct guard_error err = {0};
	int st;
	double t0;
	int64_t t;
	pid_t pid;

	pid = fork_holder(false);
	t0 = seconds();
	st = reap(pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the holder ended with %d", st);
	cr_assert_lt(seconds() - t0, 2.0, "the holder was killed after %.2fs", seconds() - t0);
	s = store_open(dir);
	cr_assert_eq(guard_store_begin(s, T0, &t, &err), 0, "%s", err.message);
	guard_store_rollback(s);
	guard_store_close(s);
}

/* A stopped holder too: SIGSTOP cannot hold the lock for longer. */
Test(bounds, must_16_stopped_holder_is_killed)
{
	int st;
	pid_t pid;

	pid = fork_holder(true);
	st = reap(pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the holder ended with %d", st);
}

/* ---- MUST 17 ---- */

/* A batch of n actions, all refused (no-lock: deny). */
static int64_t decide_batch(struct guard_store *s, size_t n, int64_t now)
{
	struct guard_target *t = calloc(n, sizeof(*t));
	char(*names)[24] = calloc(n, sizeof(*names));
	struct guard_decision_result res;
	struct guard_error err = {0};
	struct sreq q;
	int r;

	cr_assert(t && names);
	sreq_init(&q, "dave", 1004, NULL, GUARD_USER_LOCK, "x");
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "u%zu", i);
		t[i].action = GUARD_USER_LOCK;
		t[i].user.name = names[i];
	}
	q.r.targets = t;
	q.r.n_targets = n;
	r = store_decide(s, p, &q, 0, now, &res, &err);
	cr_assert_eq(r, 0, "%s", err.message);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_DENIED);
	guard_verdict_clear(&res.verdict);
	free(t);
	free(names);
	return res.decision_id;
}

Test(bounds, must_17_a_batch_is_one_row_and_a_summary)
{
	struct guard_store *s = store_open(dir);
	struct guard_history_row *rows = NULL;
	struct guard_error err = {0};
	size_t n = 0;

	decide_batch(s, 10000, T0);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions"), 1);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decision_actions"),
		     GUARD_LEDGER_MAX_ACTIONS);
	cr_assert_eq(guard_store_history(s, 0, true, 0, 100, &rows, &n, &err), 0);
	cr_assert_eq(n, GUARD_LEDGER_MAX_ACTIONS);
	cr_assert_str_eq(rows[0].target, "u0");
	cr_assert_str_eq(rows[n - 1].action, "more");
	cr_assert_str_eq(rows[n - 1].decision, "deny");
	cr_assert_str_eq(rows[n - 1].why, "and 9993 more actions (0 allow, 0 approve, 9993 deny)");
	guard_history_rows_free(rows, n);
	/* Up to the bound: every action its own row. */
	decide_batch(s, GUARD_LEDGER_MAX_ACTIONS, T0 + 1);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decision_actions WHERE action = 'more'"),
		     1);
	guard_store_close(s);
}

/* A watch counts decisions, not actions: a batch of 5 refusals is one. */
Test(bounds, must_17_a_watch_counts_a_batch_once)
{
	struct guard_store *s = store_open(dir);

	decide_batch(s, 5, T0);
	decide_batch(s, 5, T0 + 1);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM lockouts"), 0);
	decide_batch(s, 5, T0 + 2);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM lockouts"), 1);
	guard_store_close(s);
}

Test(bounds, must_17_refusals_while_locked_out_counted_on_one_row)
{
	struct guard_store *s = store_open(dir);
	struct guard_history_row *rows = NULL;
	struct guard_error err = {0};
	struct sreq q;
	size_t n = 0;

	sreq_init(&q, "dave", 1004, NULL, GUARD_USER_LOCK, "bob");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(store_outcome(s, p, &q, 0, T0 + i, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM lockouts"), 1);
	/* Locked out: even what the rules would allow is refused. */
	sreq_init(&q, "dave", 1004, NULL, GUARD_USER_CREATE, "carl");
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 10 + i, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions"), 4);
	cr_assert_eq(store_int(s, "SELECT sum(repeats) FROM decisions"), 999);
	cr_assert_eq(store_int(s, "SELECT max(last_at) FROM decisions"), T0 + 1009);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM watch_alerts"), 1);
	cr_assert_eq(guard_store_history(s, T0 + 1000, false, 1004, 100, &rows, &n, &err), 0);
	cr_assert_eq(n, 1, "history since the last repeat: %zu rows", n);
	cr_assert_eq(rows[0].repeats, 999);
	guard_history_rows_free(rows, n);
	/* Another lockout period is another row. */
	sreq_init(&q, "dave", 1004, NULL, GUARD_USER_LOCK, "bob");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 3600 + i, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 3700, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 3701, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions"), 8);
	cr_assert_eq(store_int(s, "SELECT sum(repeats) FROM decisions"), 1000);
	guard_store_close(s);
}

/* Limits count the requests that went ahead, once each, as before. */
Test(bounds, must_17_limits_count_requests)
{
	struct guard_store *s = store_open(dir);
	struct sreq q;

	sreq_init(&q, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "bob");
	for (int i = 0; i < 10; i++)
		cr_assert_eq(store_outcome(s, p, &q, 0, T0 + i, NULL), GUARD_OUTCOME_GO);
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 10, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM limit_uses"), 10);
	guard_store_close(s);
}

/* alice's uses of the rule in the snapshot at now: *ret_entries entries
 * counting *ret_uses uses. */
static void snapshot_uses(struct guard_store *s, const struct guard_policy *pol, int64_t now,
			  size_t *ret_entries, int64_t *ret_uses)
{
	struct guard_store_snapshot snap = {0};
	struct guard_error err = {0};
	int64_t t;

	cr_assert_eq(guard_store_begin(s, now, &t, &err), 0, "%s", err.message);
	cr_assert_eq(guard_store_snapshot(s, pol, 1001, t, &snap, &err), 0, "%s", err.message);
	*ret_entries = snap.n_uses;
	*ret_uses = 0;
	for (size_t i = 0; i < snap.n_uses; i++) {
		cr_assert_str_eq(snap.uses[i].rule, "many");
		cr_assert_gt(snap.uses[i].count, 0);
		*ret_uses += snap.uses[i].count;
	}
	guard_store_snapshot_clear(&snap);
	guard_store_rollback(s);
}

/* At now the snapshot holds uses in entries, and a request a second
 * later is refused by the limit until retry. */
static void expect_limit_reached(struct guard_store *s, const struct guard_policy *pol,
				 struct sreq *q, int64_t now, int64_t uses, size_t entries,
				 int64_t retry)
{
	struct guard_decision_result res;
	struct guard_error err = {0};
	int64_t got_uses;
	size_t got_entries;

	snapshot_uses(s, pol, now, &got_entries, &got_uses);
	cr_assert_eq(got_uses, uses);
	cr_assert_eq(got_entries, entries);
	cr_assert_eq(store_decide(s, pol, q, 0, now + 1, &res, &err), 0, "%s", err.message);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_DENIED);
	cr_assert_eq(res.verdict.actions[0].retry_at, retry);
	guard_verdict_clear(&res.verdict);
}

/* A limit's uses are read as a count and the oldest few, however many
 * there are: 2999 uses of a 3000/1h limit are one entry; at the limit, the
 * oldest frees the next slot; past it (break-glass), the k-th oldest. */
Test(bounds, must_17_limit_uses_are_counted_not_listed)
{
	struct guard_policy *many =
	    test_policy("settings {\n  timezone = \"UTC\"\n  audit = off\n}\n"
			"rule \"many\" {\n  actions = { \"user.create\" }\n"
			"  actors = { \"%helpdesk\" }\n  limit = \"3000/1h\"\n"
			"  decision = allow\n}\n");
	struct guard_store *s = store_open(dir);
	char sql[1024];
	int64_t uses;
	size_t entries;
	struct sreq q;

	/* alice's 2999 in the hour, T0 - 3500 the oldest; older ones and
	 * another actor's do not count. */
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 2998)"
		 " INSERT INTO limit_uses(actor_uid, rule, at, decision_id)"
		 " SELECT 1001, 'many', %lld + i, 0 FROM n;"
		 "INSERT INTO limit_uses(actor_uid, rule, at, decision_id) VALUES"
		 " (1001, 'many', %lld, 0), (1002, 'many', %lld, 0), (1001, 'other', %lld, 0);",
		 (long long)(T0 - 3500), (long long)(T0 - 3600), (long long)T0, (long long)T0);
	cr_assert_eq(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK);
	snapshot_uses(s, many, T0, &entries, &uses);
	cr_assert_eq(uses, 2999);
	cr_assert_eq(entries, 1);

	sreq_init(&q, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "bob");
	cr_assert_eq(store_outcome(s, many, &q, 0, T0, NULL), GUARD_OUTCOME_GO);
	expect_limit_reached(s, many, &q, T0, 3000, 2, T0 - 3500 + 3600);

	/* Two more under break-glass: the third oldest frees the next slot. */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO limit_uses(actor_uid, rule, at, decision_id) VALUES"
		 " (1001, 'many', %lld, 0), (1001, 'many', %lld, 0);",
		 (long long)(T0 + 1), (long long)(T0 + 2));
	cr_assert_eq(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK);
	expect_limit_reached(s, many, &q, T0 + 2, 3002, 4, T0 - 3498 + 3600);
	guard_store_close(s);
	guard_policy_free(many);
}

static void old_decision(struct guard_store *s, int64_t at)
{
	char sql[512];

	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO decisions(at, actor, actor_uid, service, decision, mode)"
	    " VALUES (%lld, 'erin', 1005, 'guardctl', 'deny', 'enforce');"
	    "INSERT INTO decision_actions(decision_id, action, decision)"
	    " VALUES (last_insert_rowid(), 'user.lock', 'deny');"
	    "INSERT INTO limit_uses(actor_uid, rule, at, decision_id) VALUES (1005, 'x', %lld, 0);",
	    (long long)at, (long long)at);
	cr_assert_eq(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

Test(bounds, must_17_retention_prunes_in_bounded_batches)
{
	struct guard_store *s = store_open(dir);
	int64_t old = T0 - GUARD_RETENTION_DEFAULT_S - 1;
	struct sreq q;

	cr_assert_eq(p->settings.retention_s, GUARD_RETENTION_DEFAULT_S);
	for (int i = 0; i < 300; i++)
		old_decision(s, old - i);
	old_decision(s, T0 - GUARD_RETENTION_DEFAULT_S + 60); /* kept */
	sreq_init(&q, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "bob");
	cr_assert_eq(store_outcome(s, p, &q, 0, T0, NULL), GUARD_OUTCOME_GO);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions"),
		     300 - GUARD_LEDGER_PRUNE_BATCH + 2);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM limit_uses"),
		     300 - GUARD_LEDGER_PRUNE_BATCH + 2);
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 1, NULL), GUARD_OUTCOME_GO);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions"), 3);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decision_actions WHERE decision_id NOT IN"
				  " (SELECT id FROM decisions)"),
		     0);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions WHERE actor = 'erin'"), 1);
	guard_store_close(s);
}

/* SQLite's count of the rows a statement walked in a whole-table scan,
 * summed over every statement the connection finishes. */
static int count_full_scans(unsigned type, void *ctx, void *stmt, void *x)
{
	(void)x;
	if (type == SQLITE_TRACE_PROFILE)
		*(int64_t *)ctx += sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
	return 0;
}

/* The retention's pruning, run by every ledger write, walks indexes: with
 * a year of decisions and approvals in the ledger, a decision walks no
 * table whole (ordered by id alone, each prune walked the table). */
Test(bounds, must_17_a_decision_walks_no_table_as_the_ledger_grows)
{
	struct guard_store *s = store_open(dir);
	int64_t scanned = 0;
	char sql[1024];
	struct sreq q;

	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
		 " INSERT INTO decisions(at, actor, actor_uid, service, decision, mode)"
		 " SELECT %lld - i, 'erin', 1005, 'guardctl', 'allow', 'enforce' FROM n;"
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
		 " INSERT INTO approvals(requester, requester_uid, host, service, hash, rules,"
		 " needed, status, created, expires)"
		 " SELECT 'erin', 1005, 'h', 'guardctl', 'x', 'r', 1, 'denied', %lld - i,"
		 " %lld + i FROM n;",
		 (long long)T0, (long long)T0, (long long)T0);
	cr_assert_eq(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_trace_v2(s->db, SQLITE_TRACE_PROFILE, count_full_scans, &scanned),
		     SQLITE_OK);
	sreq_init(&q, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "bob");
	cr_assert_eq(store_outcome(s, p, &q, 0, T0, NULL), GUARD_OUTCOME_GO);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions"), 20001);
	cr_assert_lt(scanned, 100, "a decision walked %lld rows of whole tables",
		     (long long)scanned);
	guard_store_close(s);
}

Test(bounds, must_17_refusal_before_any_rule_is_a_row_watches_count)
{
	struct guard_store *s = store_open(dir);
	struct guard_identity dave = {.name = "dave", .uid_known = true, .uid = 1004};
	struct guard_store_alert alerts[GUARD_STORE_MAX_ALERTS];
	struct guard_error err = {0};
	size_t n = 0;
	struct guard_store_refusal_in in = {.policy = p,
					    .actor = &dave,
					    .service = "guardctl",
					    .host = "testhost",
					    .argv0 = "useradd",
					    .why = "useradd: option -R is not supported"};

	for (int i = 0; i < 3; i++) {
		in.wall_now = T0 + i;
		cr_assert_eq(guard_store_record_refusal(s, &in, alerts, &n, &err), 0, "%s",
			     err.message);
	}
	cr_assert_eq(n, 1);
	cr_assert_eq(alerts[0].kind, GUARD_ALERT_WATCH);
	cr_assert_gt(alerts[0].lockout_until, T0);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decision_actions WHERE rule = '(request)'"
				  " AND action = 'request' AND decision = 'deny'"),
		     3);
	for (int i = 0; i < 50; i++) {
		in.wall_now = T0 + 10 + i;
		cr_assert_eq(guard_store_record_refusal(s, &in, alerts, &n, &err), 0);
	}
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions"), 4);
	guard_store_close(s);
}

/* ---- The retention setting ---- */

Test(bounds, retention_parses_and_covers_the_windows)
{
	struct guard_policy *q;
	int64_t v;

	cr_assert_eq(guard_parse_retention("400d", &v), 0);
	cr_assert_eq(v, 400LL * 86400);
	cr_assert_eq(guard_parse_retention("3660d", &v), 0);
	cr_assert_eq(guard_parse_retention("12h", &v), 0);
	cr_assert_eq(v, 12 * 3600);
	cr_assert_lt(guard_parse_retention("3661d", &v), 0);
	cr_assert_lt(guard_parse_retention("0d", &v), 0);
	cr_assert_lt(guard_parse_retention("0400d", &v), 0);
	cr_assert_lt(guard_parse_retention("400", &v), 0);
	cr_assert_lt(guard_parse_retention("", &v), 0);
	test_policy_error("settings {\n  retention = \"forever\"\n}\n", 2, "retention");

	q = test_policy("settings {\n  retention = 1d\n}\n"
			"rule \"weekly\" {\n  actions = { \"user.create\" }\n"
			"  limit = \"2/7d\"\n  decision = allow\n}\n");
	cr_assert_eq(q->settings.retention_s, 7 * 86400);
	cr_assert_eq(q->n_warnings, 1);
	cr_assert(strstr(q->warnings[0].where.message, "retention"), "%s",
		  q->warnings[0].where.message);
	cr_assert_eq(q->warnings[0].where.line, 4);
	guard_policy_free(q);

	q = test_policy("settings {\n  retention = 30d\n}\n");
	cr_assert_eq(q->settings.retention_s, 30 * 86400);
	cr_assert_eq(q->n_warnings, 0);
	guard_policy_free(q);
}

/* MUST 15: a version 1 store (the ledger before MUST 17) is migrated in
 * place, its rows kept. */
Test(bounds, must_15_version_1_migrated_rows_kept)
{
	struct guard_store *s = store_open(dir);
	char path[128];
	sqlite3 *h = NULL;
	struct sreq q;

	guard_store_close(s);
	snprintf(path, sizeof(path), "%s/" GUARD_STORE_FILE, dir);
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(
	    sqlite3_exec(
		h,
		"DROP INDEX limit_uses_at; DROP INDEX watch_alerts_at;"
		"DROP INDEX lockouts_until; DROP INDEX break_glass_until;"
		"DROP INDEX approvals_expires;"
		"ALTER TABLE decisions DROP COLUMN repeats;"
		"ALTER TABLE decisions DROP COLUMN last_at;"
		"ALTER TABLE lockouts DROP COLUMN decision_id;"
		"ALTER TABLE approvals DROP COLUMN idents;"
		"ALTER TABLE approvals DROP COLUMN idents_n;"
		"ALTER TABLE approvals DROP COLUMN idents_digest;"
		"ALTER TABLE approvals DROP COLUMN actions;"
		"ALTER TABLE approvals DROP COLUMN actions_n;"
		"ALTER TABLE approvals DROP COLUMN rule_terms;"
		"INSERT INTO decisions(at, actor, actor_uid, service, decision, mode)"
		" VALUES (1772445000, 'erin', 1005, 'guardctl', 'deny', 'enforce');" V4_DOWN
		"PRAGMA user_version = 1;",
		NULL, NULL, NULL),
	    SQLITE_OK, "%s", sqlite3_errmsg(h));
	sqlite3_close(h);
	s = store_open(dir);
	cr_assert_eq(store_int(s, "PRAGMA user_version"), GUARD_STORE_SCHEMA_VERSION);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions WHERE actor = 'erin'"
				  " AND repeats = 0 AND last_at IS NULL"),
		     1);
	sreq_init(&q, "dave", 1004, NULL, GUARD_USER_LOCK, "bob");
	for (int i = 0; i < 5; i++)
		cr_assert_eq(store_outcome(s, p, &q, 0, T0 + i, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_int(s, "SELECT sum(repeats) FROM decisions"), 1);
	guard_store_close(s);
}
