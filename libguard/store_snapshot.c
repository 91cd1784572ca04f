/* What a decision reads from the store before it is made, in the deciding
 * transaction: the actor's limit uses within the longest period of the
 * policy's limits, and the host's state (freeze, the actor's lockout and
 * break-glass). What the decision then writes is store_ledger.c's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

void guard_store_snapshot_clear(struct guard_store_snapshot *snap)
{
	if (!snap)
		return;
	free(snap->uses);
	free(snap->frozen_by);
	free(snap->frozen_reason);
	free(snap->lockout_watch);
	memset(snap, 0, sizeof(*snap));
}

static const struct guard_rule *rule_named(const struct guard_policy *p, const char *name)
{
	for (size_t i = 0; name && i < p->n_rules; i++)
		if (p->rules[i].has_limit && strcmp(p->rules[i].name, name) == 0)
			return &p->rules[i];
	return NULL;
}

static int read_uses(struct guard_store *s, const struct guard_policy *policy, uint32_t uid,
		     int64_t now, struct guard_store_snapshot *ret, struct guard_error *err)
{
	sqlite3_stmt *st = NULL;
	int64_t period = 0;
	size_t cap = 0;
	int r, rc;

	for (size_t i = 0; i < policy->n_rules; i++)
		if (policy->rules[i].has_limit && policy->rules[i].limit.period_s > period)
			period = policy->rules[i].limit.period_s;
	if (period == 0)
		return 0;
	r = guard_store_prepare(s,
				"SELECT rule, at FROM limit_uses WHERE actor_uid = ?1 AND at > ?2 "
				"AND at <= ?3",
				&st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, uid);
	sqlite3_bind_int64(st, 2, now - period);
	sqlite3_bind_int64(st, 3, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct guard_rule *rule =
		    rule_named(policy, (const char *)sqlite3_column_text(st, 0));

		if (!rule)
			continue; /* a rule the policy no longer has */
		if (ret->n_uses == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct guard_history_use *n = reallocarray(ret->uses, ncap, sizeof(*n));

			if (!n) {
				r = -ENOMEM;
				break;
			}
			ret->uses = n;
			cap = ncap;
		}
		ret->uses[ret->n_uses].rule = rule->name;
		ret->uses[ret->n_uses].when = sqlite3_column_int64(st, 1);
		ret->n_uses++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = guard_store_fail(s, rc, "reading the limit history", err);
	guard_store_release(s, st);
	return r;
}

static int read_state(struct guard_store *s, uint32_t uid, int64_t now,
		      struct guard_store_snapshot *ret, struct guard_error *err)
{
	struct guard_host_state *hs = &ret->state;
	sqlite3_stmt *st = NULL;
	bool oom = false;
	int r, rc;

	r = guard_store_prepare(
	    s,
	    "SELECT by, reason, since, until FROM freezes WHERE thawed_at IS NULL "
	    "AND (until = 0 OR until > ?1) ORDER BY id DESC LIMIT 1",
	    &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		hs->frozen = true;
		ret->frozen_by = guard_store_col_dup(st, 0, &oom);
		ret->frozen_reason = guard_store_col_dup(st, 1, &oom);
		hs->frozen_at = sqlite3_column_int64(st, 2);
		hs->frozen_until = sqlite3_column_int64(st, 3);
	} else if (rc != SQLITE_DONE) {
		r = guard_store_fail(s, rc, "reading the freeze", err);
	}
	guard_store_release(s, st);
	if (r < 0)
		return r;

	r = guard_store_prepare(s,
				"SELECT watch, until FROM lockouts WHERE actor_uid = ?1 AND "
				"lifted_at IS NULL AND until > ?2 ORDER BY until DESC LIMIT 1",
				&st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, uid);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		hs->locked_out = true;
		ret->lockout_watch = guard_store_col_dup(st, 0, &oom);
		hs->lockout_until = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		r = guard_store_fail(s, rc, "reading the lockouts", err);
	}
	guard_store_release(s, st);
	if (r < 0)
		return r;

	r = guard_store_prepare(s,
				"SELECT until FROM break_glass WHERE actor_uid = ?1 AND until > ?2 "
				"ORDER BY until DESC LIMIT 1",
				&st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, uid);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		hs->break_glass = true;
		hs->break_glass_until = sqlite3_column_int64(st, 0);
	} else if (rc != SQLITE_DONE) {
		r = guard_store_fail(s, rc, "reading break-glass", err);
	}
	guard_store_release(s, st);
	if (r == 0 && oom)
		r = -ENOMEM;
	hs->frozen_by = ret->frozen_by;
	hs->frozen_reason = ret->frozen_reason;
	hs->lockout_watch = ret->lockout_watch;
	return r;
}

int guard_store_snapshot(struct guard_store *s, const struct guard_policy *policy,
			 uint32_t actor_uid, int64_t now, struct guard_store_snapshot *ret,
			 struct guard_error *err)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	r = guard_store_need_txn(s, err);
	if (r == 0 && !policy)
		r = -EINVAL;
	if (r == 0)
		r = read_uses(s, policy, actor_uid, now, ret, err);
	if (r == 0)
		r = read_state(s, actor_uid, now, ret, err);
	if (r < 0) {
		guard_store_snapshot_clear(ret);
		/* Freeze and lockout that cannot be read refuse everything. */
		return r;
	}
	ret->history.uses = ret->uses;
	ret->history.n_uses = ret->n_uses;
	return 0;
}
