/* The ledger: what a decision writes in its transaction (one row per
 * action, the limit uses it spends, a lockout's repeated refusals, watch
 * alerts and lockouts), a request refused before any rule, and the exit
 * status of what it ran. What it reads first is store_snapshot.c's;
 * `guardctl history` reads it back through store_history.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "store_internal.h"

static int insert_decision(struct guard_store *s, const struct guard_store_record_in *in,
			   int64_t *ret_id, struct guard_error *err)
{
	const struct guard_request *rq = in->request;
	const struct guard_verdict *v = in->verdict;
	char argv[4096];
	struct guard_text t;
	int r;

	argv[0] = '\0';
	if (rq->argv && rq->argc > 0) {
		guard_text_init(&t, argv, sizeof(argv));
		guard_text_command(&t, rq->argc, rq->argv);
	}
	r = guard_store_run(
	    s,
	    "INSERT INTO decisions(at, actor, actor_uid, service, decision, mode, host, tty, argv,"
	    " reason, break_glass, approval_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	    " ?11, ?12)",
	    GUARD_SQL_ARGS(
		guard_sql_int(in->now), guard_sql_text(rq->actor.name ? rq->actor.name : "?"),
		guard_sql_int(rq->actor.uid), guard_sql_text(rq->service ? rq->service : "?"),
		guard_sql_text(guard_decision_name(v->decision)),
		guard_sql_text(v->mode == GUARD_MODE_MONITOR ? "monitor" : "enforce"),
		guard_sql_text(in->host), guard_sql_text(rq->tty),
		guard_sql_text(argv[0] ? argv : NULL), guard_sql_text(in->reason),
		guard_sql_int(v->break_glass_used),
		in->approval_id > 0 ? guard_sql_int(in->approval_id) : guard_sql_null()),
	    "recording the decision", err);
	if (r < 0)
		return r;
	*ret_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* The summary row of what is past GUARD_LEDGER_MAX_ACTIONS - 1: how many,
 * by decision, and the strictest (MUST 17). */
static void summarise(const struct guard_verdict *v, size_t from, enum guard_decision *ret,
		      char *why, size_t size)
{
	size_t n[GUARD_DECISION_DENY + 1] = {0};
	enum guard_decision d = GUARD_DECISION_ALLOW;

	for (size_t i = from; i < v->n_actions; i++) {
		n[v->actions[i].decision]++;
		d = guard_decision_stricter(d, v->actions[i].decision);
	}
	snprintf(why, size, "and %zu more actions (%zu allow, %zu approve, %zu deny)",
		 v->n_actions - from, n[GUARD_DECISION_ALLOW], n[GUARD_DECISION_APPROVE],
		 n[GUARD_DECISION_DENY]);
	*ret = d;
}

static int insert_action(struct guard_store *s, sqlite3_stmt *st, int64_t id, const char *action,
			 const char *target, const char *group, enum guard_decision decision,
			 const char *rule, const char *why, bool break_glass,
			 struct guard_error *err)
{
	return guard_store_query_stmt(
	    s, st,
	    GUARD_SQL_ARGS(guard_sql_int(id), guard_sql_text(action), guard_sql_text(target),
			   guard_sql_text(group), guard_sql_text(guard_decision_name(decision)),
			   guard_sql_text(rule), guard_sql_text(why), guard_sql_int(break_glass)),
	    NULL, NULL, "recording the decision", err);
}

/* At most GUARD_LEDGER_MAX_ACTIONS rows, whatever the batch's size; a
 * request refused before any rule is one row of its own. */
static int insert_actions(struct guard_store *s, const struct guard_store_record_in *in, int64_t id,
			  struct guard_error *err)
{
	const struct guard_verdict *v = in->verdict;
	size_t shown = v->n_actions;
	sqlite3_stmt *st = NULL;
	int r;

	if (shown > GUARD_LEDGER_MAX_ACTIONS)
		shown = GUARD_LEDGER_MAX_ACTIONS - 1;
	r = guard_store_prepare(s,
				"INSERT INTO decision_actions(decision_id, action, target, grp,"
				" decision, rule, why, break_glass) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
				" ?7, ?8)",
				&st, err);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < shown; i++) {
		const struct guard_action_verdict *a = &v->actions[i];
		const char *name = guard_action_name(a->target->action);

		r = insert_action(s, st, id, name ? name : "unknown", a->target->user.name,
				  a->target->group, a->decision, a->rule ? a->rule->name : NULL,
				  a->reason, a->break_glass, err);
	}
	if (r == 0 && shown < v->n_actions) {
		enum guard_decision d;
		char why[128];

		summarise(v, shown, &d, why, sizeof(why));
		r = insert_action(s, st, id, "more", NULL, NULL, d, NULL, why, false, err);
	}
	if (r == 0 && v->n_actions == 0 && in->refusal)
		r = insert_action(s, st, id, "request", NULL, NULL, v->decision, "(request)",
				  in->refusal, false, err);
	guard_store_release(s, st);
	return r;
}

/* MUST 17: a refusal while locked out, after the lockout's first, adds 1
 * to that first one's row. *ret_id is the row counted on (0: none, write a
 * row of its own, which then becomes the lockout's first). */
static int count_repeat(struct guard_store *s, const struct guard_store_record_in *in,
			int64_t *ret_lockout, int64_t *ret_id, struct guard_error *err)
{
	struct guard_store_lockout lockout;
	int r;

	*ret_id = 0;
	s->spends++; /* MUST 19: a refusal while locked out */
	r = guard_store_lockout_active(s, in->request->actor.uid, in->now, &lockout, err);
	free(lockout.watch);
	*ret_lockout = lockout.id;
	if (r <= 0 || lockout.first_refusal == 0)
		return r < 0 ? r : 0;
	r = guard_store_run(
	    s, "UPDATE decisions SET repeats = repeats + 1, last_at = ?2 WHERE id = ?1",
	    GUARD_SQL_ARGS(guard_sql_int(lockout.first_refusal), guard_sql_int(in->now)),
	    "counting a refusal during a lockout", err);
	if (r == 0 && sqlite3_changes(s->db) == 1)
		*ret_id = lockout.first_refusal;
	return r;
}

/* MUST 14: one use of each limit rule, in the deciding transaction. */
static int insert_uses(struct guard_store *s, const struct guard_store_record_in *in, int64_t id,
		       struct guard_error *err)
{
	const struct guard_verdict *v = in->verdict;
	sqlite3_stmt *st = NULL;
	int r;

	if (!in->goes_ahead || v->n_limit_rules == 0)
		return 0;
	s->spends++; /* MUST 19 */
	r = guard_store_prepare(s,
				"INSERT INTO limit_uses(actor_uid, rule, at, decision_id)"
				" VALUES (?1, ?2, ?3, ?4)",
				&st, err);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < v->n_limit_rules; i++) {
		r = guard_store_query_stmt(s, st,
					   GUARD_SQL_ARGS(guard_sql_int(in->request->actor.uid),
							  guard_sql_text(v->limit_rules[i]->name),
							  guard_sql_int(in->now),
							  guard_sql_int(id)),
					   NULL, NULL, "recording a limit use", err);
	}
	guard_store_release(s, st);
	return r;
}

static int count_query(struct guard_store *s, const char *sql, uint32_t uid, int64_t from,
		       const char *text, int64_t *ret, struct guard_error *err)
{
	return guard_store_query_row(
	    s, sql, GUARD_SQL_ARGS(guard_sql_int(uid), guard_sql_int(from), guard_sql_text(text)),
	    guard_store_row_int, ret, "counting decisions for a watch", err);
}

static void add_alert(struct guard_store_alert *alerts, size_t *n, enum guard_alert_kind kind,
		      const char *name, uint32_t count, int64_t until)
{
	if (!alerts || *n >= GUARD_STORE_MAX_ALERTS)
		return;
	alerts[*n] = (struct guard_store_alert){kind, name, count, until};
	(*n)++;
}

/* One watch: past its threshold in its window, an alert once per window
 * and, with a lockout, the actor's lockout. A lockout by this watch that
 * has ended (lifted, or run out) re-arms it: only the decisions after the
 * second it ended count, and the alert that locked the actor out no
 * longer silences the window. (The store's clock has whole seconds: what
 * happened in the second of an unlock may have come before it, while the
 * actor was still locked out, and is not counted.) */
static int check_watch(struct guard_store *s, const struct guard_store_record_in *in,
		       const struct guard_watch *w, struct guard_store_alert *alerts, size_t *n,
		       struct guard_error *err)
{
	uint32_t uid = in->request->actor.uid;
	int64_t from = in->now - w->threshold.period_s, count = 0, fired = 0, ended = 0;
	char set[64] = ",";
	int r;

	if (!(w->decisions & (1u << in->verdict->decision)))
		return 0;
	s->spends++; /* MUST 19: the decision counts towards the watch */
	for (unsigned d = GUARD_DECISION_ALLOW; d <= GUARD_DECISION_DENY; d++)
		if (w->decisions & (1u << d)) {
			strcat(set, guard_decision_name((enum guard_decision)d));
			strcat(set, ",");
		}
	r = count_query(s,
			"SELECT coalesce(max(coalesce(lifted_at, until)), 0) FROM lockouts WHERE "
			"actor_uid = ?1 AND watch = ?3 AND coalesce(lifted_at, until) <= ?2",
			uid, in->now, w->name, &ended, err);
	if (r < 0)
		return r;
	if (ended > from)
		from = ended;
	r = count_query(s,
			"SELECT count(*) FROM decisions WHERE actor_uid = ?1 AND at > ?2 AND "
			"instr(?3, ',' || decision || ',') > 0",
			uid, from, set, &count, err);
	if (r < 0 || count < (int64_t)w->threshold.count)
		return r;
	r = count_query(s,
			"SELECT count(*) FROM watch_alerts WHERE actor_uid = ?1 AND at > ?2 AND "
			"watch = ?3",
			uid, from, w->name, &fired, err);
	if (r < 0 || fired > 0)
		return r;

	r = guard_store_run(s,
			    "INSERT INTO watch_alerts(actor_uid, watch, at, count)"
			    " VALUES (?1, ?2, ?3, ?4)",
			    GUARD_SQL_ARGS(guard_sql_int(uid), guard_sql_text(w->name),
					   guard_sql_int(in->now), guard_sql_int(count)),
			    "recording a watch alert", err);
	if (r == 0 && w->lockout_s > 0)
		r = guard_store_run(
		    s,
		    "INSERT INTO lockouts(actor_uid, actor, watch, since, until)"
		    " VALUES (?1, ?2, ?3, ?4, ?5)",
		    GUARD_SQL_ARGS(
			guard_sql_int(uid),
			guard_sql_text(in->request->actor.name ? in->request->actor.name : "?"),
			guard_sql_text(w->name), guard_sql_int(in->now),
			guard_sql_int(in->now + w->lockout_s)),
		    "recording a lockout", err);
	if (r < 0)
		return r;
	add_alert(alerts, n, GUARD_ALERT_WATCH, w->name,
		  count > UINT32_MAX ? UINT32_MAX : (uint32_t)count,
		  w->lockout_s > 0 ? in->now + w->lockout_s : 0);
	return 0;
}

int guard_store_record(struct guard_store *s, const struct guard_store_record_in *in,
		       int64_t *ret_decision_id, struct guard_store_alert *ret_alerts,
		       size_t *ret_n_alerts, struct guard_error *err)
{
	const struct guard_verdict *v;
	size_t n_alerts = 0;
	int64_t id = 0, lockout = 0;
	int r;

	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	if (!in || !in->policy || !in->request || !in->verdict || !in->request->actor.uid_known) {
		guard_error_set(err, s->path, 0, "internal error: incomplete decision record");
		return -EINVAL;
	}
	v = in->verdict;
	if (in->locked_out && !in->goes_ahead) {
		r = count_repeat(s, in, &lockout, &id, err);
		if (r < 0)
			return r;
		if (id > 0)
			goto prune; /* counted: no row, nothing new for a watch */
	}
	r = insert_decision(s, in, &id, err);
	if (r == 0)
		r = insert_actions(s, in, id, err);
	if (r == 0)
		r = insert_uses(s, in, id, err);
	if (r == 0 && lockout > 0)
		r = guard_store_run(s, "UPDATE lockouts SET decision_id = ?2 WHERE id = ?1",
				    GUARD_SQL_ARGS(guard_sql_int(lockout), guard_sql_int(id)),
				    "recording a lockout's first refusal", err);
	if (r < 0)
		return r;

	if (v->break_glass_used)
		add_alert(ret_alerts, &n_alerts, GUARD_ALERT_BREAK_GLASS, NULL, 0, 0);
	for (size_t i = 0; i < v->n_actions; i++) {
		const struct guard_rule *rule = v->actions[i].rule;
		bool seen = false;

		if (!rule || !rule->alert)
			continue;
		for (size_t k = 0; k < i; k++)
			seen = seen || v->actions[k].rule == rule;
		if (!seen)
			add_alert(ret_alerts, &n_alerts, GUARD_ALERT_RULE, rule->name, 0, 0);
	}
	for (size_t i = 0; r == 0 && i < in->policy->n_watches; i++)
		r = check_watch(s, in, &in->policy->watches[i], ret_alerts, &n_alerts, err);
prune:
	if (n_alerts > 0)
		s->spends++; /* MUST 19: an alert is reported once, from this row */
	if (r == 0)
		r = guard_store_prune(s, in->now - in->policy->settings.retention_s, err);
	if (r < 0)
		return r;
	if (ret_decision_id)
		*ret_decision_id = id;
	if (ret_n_alerts)
		*ret_n_alerts = n_alerts;
	return 0;
}

/* A request refused before any rule: one row, which watches count. */
int guard_store_record_refusal(struct guard_store *s, const struct guard_store_refusal_in *in,
			       struct guard_store_alert *ret_alerts, size_t *ret_n_alerts,
			       struct guard_error *err)
{
	struct guard_store_snapshot snap = {0};
	struct guard_verdict v = {.decision = GUARD_DECISION_DENY};
	struct guard_store_record_in rec = {0};
	struct guard_request req = {0};
	char *argv[2] = {NULL, NULL};
	int64_t now;
	int r;

	if (ret_n_alerts)
		*ret_n_alerts = 0;
	if (!in || !in->policy || !in->actor || !in->actor->uid_known || !in->why) {
		guard_error_set(err, "", 0, "internal error: incomplete refusal record");
		return -EINVAL;
	}
	argv[0] = (char *)in->argv0;
	v.mode = in->policy->settings.mode;
	req.actor = *in->actor;
	req.service = in->service;
	req.tty = in->tty;
	req.argc = in->argv0 ? 1 : 0;
	req.argv = in->argv0 ? argv : NULL;
	r = guard_store_begin(s, in->wall_now, &now, err);
	if (r < 0)
		return r;
	/* Locked out: counted on the lockout's row like any refusal. */
	r = guard_store_snapshot(s, in->policy, in->actor->uid, now, &snap, err);
	if (r < 0)
		goto fail;
	rec.policy = in->policy;
	rec.request = &req;
	rec.verdict = &v;
	rec.reason = in->reason;
	rec.host = in->host;
	rec.locked_out = snap.state.locked_out;
	rec.refusal = in->why;
	rec.now = now;
	guard_store_snapshot_clear(&snap);
	r = guard_store_record(s, &rec, NULL, ret_alerts, ret_n_alerts, err);
	if (r < 0)
		goto fail;
	return guard_store_commit(s, err);
fail:
	guard_store_rollback(s);
	if (ret_n_alerts)
		*ret_n_alerts = 0;
	return r;
}

int guard_store_exec_result(struct guard_store *s, int64_t decision_id, int wait_status,
			    struct guard_error *err)
{
	int64_t now;
	int r;

	r = guard_store_begin_light(s, 0, &now, err); /* MUST 19: spends nothing */
	if (r < 0)
		return r;
	r = guard_store_run(s, "UPDATE decisions SET exit_status = ?1 WHERE id = ?2",
			    GUARD_SQL_ARGS(guard_sql_int(wait_status), guard_sql_int(decision_id)),
			    "recording the exit status", err);
	if (r == 0 && sqlite3_changes(s->db) != 1) {
		guard_error_set(err, s->path, 0, "no decision %lld to record an exit status for",
				(long long)decision_id);
		r = -ENOENT;
	}
	if (r < 0) {
		guard_store_rollback(s);
		return r;
	}
	return guard_store_commit(s, err);
}
