/* The store under concurrency, crashes and faults (MUST 4, 9, 10, 12, 14 of
 * libguard/store.c): forked processes race for limits and approvals, hold
 * the write lock, die by SIGKILL mid-transaction, fill the disk. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_suite.h"

TestSuite(txn, .init = store_suite_init, .fini = store_suite_fini, .timeout = 600);

/* Forks n children that wait for a common start, each running fn(i) and
 * exiting with its result; counts[k] is how many exited with k. */
static void race(int n, int (*fn)(int), int counts[8])
{
	int gate[2];
	pid_t *pids = calloc((size_t)n, sizeof(*pids));

	cr_assert_not_null(pids);
	cr_assert_eq(pipe(gate), 0);
	memset(counts, 0, 8 * sizeof(int));
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		cr_assert_geq(pids[i], 0);
		if (pids[i] == 0) {
			char c;

			close(gate[1]);
			if (read(gate[0], &c, 1) != 0)
				_exit(7);
			_exit(fn(i));
		}
	}
	close(gate[0]);
	close(gate[1]); /* go */
	for (int i = 0; i < n; i++) {
		int st;

		cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
		cr_assert(WIFEXITED(st), "child %d died: %d", i, st);
		counts[WEXITSTATUS(st) & 7]++;
	}
	free(pids);
}

/* ---- MUST 14: 200 concurrent requests against a limit of 10 ---- */

/* A racing child's decision on q, on a connection of its own: 0 with the
 * outcome in *ret (as store_outcome() gives it), or -1 when the store
 * would not open. */
static int child_outcome(struct sreq *q, int64_t approval_id, int64_t now, int *ret)
{
	struct guard_store *s = NULL;
	struct guard_error err = {0};

	if (store_try_open(dir, 120000, &s, &err) < 0)
		return -1;
	*ret = store_outcome(s, p, q, approval_id, now, NULL);
	guard_store_close(s);
	return 0;
}

static int one_create(int i)
{
	struct sreq q;
	int o;

	sreq_init(&q, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "zed");
	if (child_outcome(&q, 0, T0 + i % 7, &o) < 0)
		return 6;
	return o == GUARD_OUTCOME_GO ? 1 : o == GUARD_OUTCOME_DENIED ? 0 : 5;
}

Test(txn, must_14_200_concurrent_requests_limit_10)
{
	struct guard_store *s = store_open(dir); /* created before the race */
	int counts[8];

	guard_store_close(s);
	race(200, one_create, counts);
	cr_assert_eq(counts[1], 10, "%d allowed, %d denied, %d errors", counts[1], counts[0],
		     counts[5] + counts[6]);
	cr_assert_eq(counts[0], 190);
	s = store_open(dir);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM limit_uses"), 10);
	/* Locked out after 3 refusals: the rest counted on one row (MUST 17). */
	cr_assert_eq(store_int(s, "SELECT count(*) + sum(repeats) FROM decisions"), 200);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions WHERE decision = 'allow'"), 10);
	cr_assert_eq(guard_store_check(s, NULL), 0);
	guard_store_close(s);
}

/* ---- MUST 12: 100 processes redeem one approval ---- */

static int64_t approved_id;

static int one_redeem(int i)
{
	struct sreq q;
	int o;

	sreq_init(&q, "bob", 1002, "admins", GUARD_USER_DELETE, "dave");
	/* Half by id (guardctl run ID), half by repeating the command. */
	if (child_outcome(&q, i % 2 ? approved_id : 0, T0 + 100, &o) < 0)
		return 6;
	return o == GUARD_OUTCOME_GO ? 1 : o == GUARD_OUTCOME_PENDING || o < 0 ? 0 : 5;
}

Test(txn, must_12_100_processes_redeem_one_approval)
{
	struct guard_store *s = store_open(dir);
	struct sreq q;
	int counts[8];

	sreq_init(&q, "bob", 1002, "admins", GUARD_USER_DELETE, "dave");
	cr_assert_eq(store_outcome(s, p, &q, 0, T0, &approved_id), GUARD_OUTCOME_PENDING);
	cr_assert_eq(store_approve(s, approved_id, 1003, "carol", T0 + 10, NULL), 0);
	guard_store_close(s);

	race(100, one_redeem, counts);
	cr_assert_eq(counts[1], 1, "%d processes ran the approved request", counts[1]);
	cr_assert_eq(counts[0], 99);
	s = store_open(dir);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions WHERE approval_id IS NOT NULL"),
		     1);
	cr_assert_eq(store_int(s, "SELECT used FROM approvals WHERE id = 1"), 1);
	guard_store_close(s);
}

/* ---- MUST 10: the busy timeout ---- */

/* A child takes the write lock, says so, holds it hold_ms, commits. */
static pid_t hold_lock(int hold_ms)
{
	int ready[2];
	pid_t pid;
	char c;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct guard_store *s = NULL;
		struct guard_error err = {0};
		int64_t t;

		close(ready[0]);
		if (store_try_open(dir, 1000, &s, &err) < 0 ||
		    guard_store_begin(s, T0, &t, &err) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		usleep((useconds_t)hold_ms * 1000);
		_exit(guard_store_commit(s, &err) == 0 ? 0 : 1);
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

static void busy_case(int hold_ms, int want)
{
	struct guard_store *s = NULL;
	struct guard_error err = {0};
	int64_t t;
	pid_t pid;
	double t0, dt;
	int r, st;

	guard_store_close(store_open(dir));
	cr_assert_eq(store_try_open(dir, 250, &s, &err), 0, "%s", err.message);
	pid = hold_lock(hold_ms);
	t0 = seconds();
	r = guard_store_begin(s, T0, &t, &err);
	dt = seconds() - t0;
	if (r == 0)
		guard_store_rollback(s);
	cr_assert_eq(r, want, "begin gave %d (%s) after %.3fs, lock held %d ms", r, err.message, dt,
		     hold_ms);
	if (want == -EBUSY) {
		cr_assert(strstr(err.message, "locked by another process") != NULL, "%s",
			  err.message);
		cr_assert_lt(dt, 0.25 + 0.5, "waited %.3fs past a 250 ms timeout", dt);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	guard_store_close(s);
}

Test(txn, must_10_lock_held_past_timeout_fails_closed)
{
	busy_case(1000, -EBUSY);
}

Test(txn, must_10_lock_held_briefly_is_waited_for)
{
	busy_case(60, 0);
}

/* ---- MUST 9, 12, 14: kill -9 at random points ---- */

/* Runs decisions until killed: approve bob's pending request as carol,
 * bob runs it (spending the approval), a fresh actor spends its limit.
 * After each commit the decision id goes down the pipe. */
static void worker(int out, unsigned run)
{
	struct guard_store *s = NULL;
	struct guard_error err = {0};
	struct sreq bob, a;

	if (store_try_open(dir, 30000, &s, &err) < 0)
		_exit(3);
	sreq_init(&bob, "bob", 1002, "admins", GUARD_USER_DELETE, "dave");
	sreq_init(&a, "alice", 5000 + run, "helpdesk", GUARD_USER_CREATE, "zed");
	for (;;) {
		struct guard_decision_result res;

		if (store_decide(s, p, &bob, 0, T0 + run, &res, &err) == 0) {
			if (write(out, &res.decision_id, sizeof(res.decision_id)) < 0)
				_exit(4);
			if (res.outcome == GUARD_OUTCOME_PENDING)
				(void)store_approve(s, res.approval_id, 1003, "carol", T0 + run,
						    NULL);
		}
		guard_verdict_clear(&res.verdict);
		if (store_decide(s, p, &a, 0, T0 + run, &res, &err) == 0 &&
		    write(out, &res.decision_id, sizeof(res.decision_id)) < 0)
			_exit(4);
		guard_verdict_clear(&res.verdict);
	}
}

static void check_invariants(struct guard_store *s, unsigned run)
{
	cr_assert_eq(guard_store_check(s, NULL), 0, "run %u: integrity_check", run);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM approvals WHERE used = 1 AND NOT EXISTS "
				  "(SELECT 1 FROM decisions d WHERE d.id = approvals.decision_id "
				  "AND d.approval_id = approvals.id)"),
		     0, "run %u: an approval used without its decision", run);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions d WHERE approval_id IS NOT NULL "
				  "AND NOT EXISTS (SELECT 1 FROM approvals a WHERE a.id = "
				  "d.approval_id AND a.used = 1 AND a.decision_id = d.id)"),
		     0, "run %u: a decision spent an approval that is not marked used", run);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM (SELECT approval_id FROM decisions WHERE "
				  "approval_id IS NOT NULL GROUP BY approval_id HAVING count(*) > "
				  "1)"),
		     0, "run %u: an approval spent twice", run);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions d WHERE NOT EXISTS (SELECT 1 "
				  "FROM decision_actions a WHERE a.decision_id = d.id)"),
		     0, "run %u: a decision without its actions", run);
	cr_assert_leq(store_int(s, "SELECT coalesce(max(c), 0) FROM (SELECT count(*) AS c FROM "
				   "limit_uses GROUP BY actor_uid)"),
		      10, "run %u: a limit overspent", run);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM limit_uses u WHERE NOT EXISTS (SELECT 1 "
				  "FROM decisions d WHERE d.id = u.decision_id)"),
		     0, "run %u: a limit use without its decision", run);
}

static void kill_runs(unsigned runs)
{
	unsigned seed = (unsigned)getpid();
	int64_t committed = 0;

	guard_store_close(store_open(dir));
	for (unsigned run = 0; run < runs; run++) {
		int fds[2], st;
		pid_t pid;
		int64_t id;
		struct guard_store *s;

		cr_assert_eq(pipe(fds), 0);
		pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			close(fds[0]);
			worker(fds[1], run);
		}
		close(fds[1]);
		usleep((useconds_t)(rand_r(&seed) % 50000));
		kill(pid, SIGKILL);
		cr_assert_eq(waitpid(pid, &st, 0), pid);
		cr_assert(WIFSIGNALED(st), "run %u: the worker ended by itself (%d)", run, st);

		s = store_open(dir);
		/* Every decision the worker saw committed is there. */
		while (read(fds[0], &id, sizeof(id)) == (ssize_t)sizeof(id)) {
			char sql[96];

			snprintf(sql, sizeof(sql), "SELECT count(*) FROM decisions WHERE id = %lld",
				 (long long)id);
			cr_assert_eq(store_int(s, sql), 1, "run %u: committed decision %lld lost",
				     run, (long long)id);
			committed++;
		}
		close(fds[0]);
		check_invariants(s, run);
		guard_store_close(s);
	}
	cr_log_info("kill -9: %u runs, %lld committed decisions checked", runs,
		    (long long)committed);
	fprintf(stderr, "kill -9: %u runs, %lld committed decisions checked\n", runs,
		(long long)committed);
}

Test(txn, must_9_kill_9_at_random_points)
{
	const char *env = getenv("GUARD_KILL_RUNS");
	unsigned runs = 200;

	if (env && *env)
		runs = (unsigned)strtoul(env, NULL, 10);
	kill_runs(runs);
}

/* ---- MUST 9: disk full ---- */

static int disk_full_child(void)
{
	struct guard_store *s = NULL;
	struct guard_error err = {0};
	char filler[160], reason[512];
	int64_t ok = 0, n;
	int fd, r = 0;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("guard-test", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=768k,mode=0700") < 0)
		return 77;
	if (store_try_open(dir, 5000, &s, &err) < 0)
		return 10;
	/* A filler to free later. */
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	fd = open(filler, O_CREAT | O_WRONLY, 0600);
	if (fd < 0)
		return 11;
	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	for (int i = 0; i < 256; i++)
		if (write(fd, reason, sizeof(reason)) < 0)
			break;
	close(fd);

	for (int i = 0; i < 100000; i++) {
		struct guard_decide_in in = {0};
		struct guard_decision_result res;
		struct sreq q;

		sreq_init(&q, "alice", 10000 + (uint32_t)i, "helpdesk", GUARD_USER_CREATE, "zed");
		in = (struct guard_decide_in){.policy = p,
					      .request = &q.r,
					      .binding = &q.b,
					      .reason = reason,
					      .wall_now = T0};
		r = guard_store_decide(s, &in, &res, &err);
		guard_verdict_clear(&res.verdict);
		if (r < 0)
			break;
		ok++;
	}
	if (r != -ENOSPC) {
		fprintf(stderr, "disk full gave %d: %s\n", r, err.message);
		return 12;
	}
	if (strstr(err.file, dir) == NULL)
		return 13;
	guard_store_close(s);

	/* Nothing half-written, nothing reset. */
	if (store_try_open(dir, 5000, &s, &err) < 0) {
		fprintf(stderr, "reopen on a full disk: %s\n", err.message);
		return 14;
	}
	n = store_int(s, "SELECT count(*) FROM decisions");
	if (n != ok || store_int(s, "SELECT count(*) FROM limit_uses") != ok)
		return 15;
	if (guard_store_check(s, &err) < 0)
		return 16;
	/* Space again: it works. */
	unlink(filler);
	{
		struct sreq q;

		struct guard_decision_result res;

		sreq_init(&q, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "zed");
		r = store_decide(s, p, &q, 0, T0, &res, &err);
		guard_verdict_clear(&res.verdict);
		if (r < 0 || res.outcome != GUARD_OUTCOME_GO) {
			fprintf(stderr, "after freeing space: %d %s\n", r, err.message);
			return 17;
		}
	}
	if (store_int(s, "SELECT count(*) FROM decisions") != ok + 1)
		return 18;
	guard_store_close(s);
	fprintf(stderr, "disk full after %lld decisions: refused, kept, recovered\n",
		(long long)ok);
	return 0;
}

Test(txn, must_9_disk_full_refuses_keeps_and_recovers)
{
	pid_t pid;
	int st;

	if (geteuid() != 0)
		cr_skip_test("needs root for a private tmpfs");
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(disk_full_child());
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "status %d", st);
	if (WEXITSTATUS(st) == 77)
		cr_skip_test("cannot mount a private tmpfs here");
	cr_assert_eq(WEXITSTATUS(st), 0, "disk-full step %d failed", WEXITSTATUS(st));
}

/* ---- MUST 19: a light commit made durable, when its checkpoint failed ---- */

/* A VFS over the unix one: the fail_at-th sync of a -wal file fails (0:
 * none), once, as Linux reports a failed writeback once per open file. */
static sqlite3_vfs *unix_vfs, failing_vfs;
static const sqlite3_io_methods *unix_log_io;
static sqlite3_io_methods failing_log_io;
static int fail_at, log_syncs;

static int failing_sync(sqlite3_file *f, int flags)
{
	if (++log_syncs == fail_at)
		return SQLITE_IOERR_FSYNC;
	return unix_log_io->xSync(f, flags);
}

static int failing_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
			int *out_flags)
{
	int rc = unix_vfs->xOpen(unix_vfs, name, f, flags, out_flags);

	(void)vfs;
	if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) && f->pMethods) {
		if (!unix_log_io) {
			unix_log_io = f->pMethods;
			failing_log_io = *unix_log_io;
			failing_log_io.xSync = failing_sync;
		}
		if (f->pMethods == unix_log_io)
			f->pMethods = &failing_log_io;
	}
	return rc;
}

/* A light transaction that spends, committed and made durable, its
 * checkpoint run at every commit; the fail-th sync of the log fails. */
static int durable_light_commit(int fail, struct guard_error *err)
{
	struct guard_store *s = store_open(dir);
	int64_t now = 0;
	int r;

	s->checkpoint_frames = 1;
	r = guard_store_begin_light(s, 1772445600, &now, err);
	cr_assert_eq(r, 0, "%s", err->message);
	r = guard_store_run(s, "INSERT OR REPLACE INTO meta(key, value) VALUES ('t', 1)", NULL,
			    "spending", err);
	cr_assert_eq(r, 0, "%s", err->message);
	s->spends++;
	fail_at = fail;
	log_syncs = 0;
	r = guard_store_commit_durable(s, err);
	guard_store_close(s);
	return r;
}

Test(txn, must_19_light_commit_refused_when_its_checkpoint_failed_to_sync)
{
	struct guard_error err = {0};
	int n;

	unix_vfs = sqlite3_vfs_find(NULL);
	cr_assert_not_null(unix_vfs);
	failing_vfs = *unix_vfs;
	failing_vfs.zName = "guard-failing-log";
	failing_vfs.xOpen = failing_open;
	cr_assert_eq(sqlite3_vfs_register(&failing_vfs, 1), SQLITE_OK);

	/* The control: the log is synced by the checkpoint in the commit (and
	 * first its new header, when the commit starts the log again), then
	 * by the commit's own sync, last; all succeed. */
	cr_assert_eq(durable_light_commit(0, &err), 0, "%s", err.message);
	n = log_syncs;
	cr_assert_geq(n, 2, "the log was synced %d times", n);
	/* The same, the checkpoint's sync failing: SQLite's commit carries
	 * on, and the sync after it would succeed on frames never written:
	 * refused all the same. */
	memset(&err, 0, sizeof(err));
	cr_assert_lt(durable_light_commit(n - 1, &err), 0, "a durable commit after a failed sync");
	cr_assert_eq(log_syncs, n, "the log was synced %d times, not %d", log_syncs, n);
	cr_assert(strstr(err.message, "making the decision durable"), "%s", err.message);
	sqlite3_vfs_unregister(&failing_vfs);
}
