/* What keeps the ledger bounded (MUST 17 in store.c): rows older than the
 * policy's retention pruned a bounded batch at a time, and a request
 * refused before any rule recorded as one row that watches count. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

/* Each statement deletes at most ?2 rows older than ?1. The actions of a
 * decision go with it: the same subquery picks the same decisions before
 * and after their actions are gone. */
static const char *const prune_sql[] = {
    "DELETE FROM decision_actions WHERE decision_id IN (SELECT id FROM decisions"
    " WHERE at < ?1 ORDER BY id LIMIT ?2)",
    "DELETE FROM decisions WHERE id IN (SELECT id FROM decisions WHERE at < ?1"
    " ORDER BY id LIMIT ?2)",
    "DELETE FROM limit_uses WHERE id IN (SELECT id FROM limit_uses WHERE at < ?1 LIMIT ?2)",
    "DELETE FROM watch_alerts WHERE id IN (SELECT id FROM watch_alerts WHERE at < ?1"
    " LIMIT ?2)",
    "DELETE FROM lockouts WHERE id IN (SELECT id FROM lockouts WHERE until < ?1 LIMIT ?2)",
    "DELETE FROM break_glass WHERE id IN (SELECT id FROM break_glass WHERE until < ?1"
    " LIMIT ?2)",
    "DELETE FROM freezes WHERE id IN (SELECT id FROM freezes WHERE (until > 0 AND"
    " until < ?1) OR thawed_at < ?1 LIMIT ?2)",
    "DELETE FROM approval_votes WHERE approval_id IN (SELECT id FROM approvals"
    " WHERE expires < ?1 ORDER BY id LIMIT ?2)",
    "DELETE FROM approvals WHERE id IN (SELECT id FROM approvals WHERE expires < ?1"
    " ORDER BY id LIMIT ?2)",
};

int guard_store_prune(struct guard_store *s, int64_t cutoff, struct guard_error *err)
{
	int r = guard_store_need_txn(s, err);

	for (size_t i = 0; r == 0 && i < sizeof(prune_sql) / sizeof(prune_sql[0]); i++)
		r = guard_store_run(
		    s, prune_sql[i],
		    GUARD_SQL_ARGS(guard_sql_int(cutoff), guard_sql_int(GUARD_LEDGER_PRUNE_BATCH)),
		    "pruning the ledger", err);
	return r;
}

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
