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

/* The limit uses of the rules the policy has. */
struct uses {
	const struct guard_policy *policy;
	struct guard_store_rows rows;
};

static int use_row(sqlite3_stmt *st, void *ctx)
{
	struct uses *u = ctx;
	const struct guard_rule *rule =
	    rule_named(u->policy, (const char *)sqlite3_column_text(st, 0));
	struct guard_history_use *use;

	if (!rule)
		return 0; /* a rule the policy no longer has */
	use = guard_store_rows_add(&u->rows, sizeof(*use), 16);
	if (!use)
		return -ENOMEM;
	use->rule = rule->name;
	use->when = sqlite3_column_int64(st, 1);
	return 0;
}

static int read_uses(struct guard_store *s, const struct guard_policy *policy, uint32_t uid,
		     int64_t now, struct guard_store_snapshot *ret, struct guard_error *err)
{
	struct uses u = {policy, {0}};
	int64_t period = 0;
	int r;

	for (size_t i = 0; i < policy->n_rules; i++)
		if (policy->rules[i].has_limit && policy->rules[i].limit.period_s > period)
			period = policy->rules[i].limit.period_s;
	if (period == 0)
		return 0;
	r = guard_store_query(
	    s, "SELECT rule, at FROM limit_uses WHERE actor_uid = ?1 AND at > ?2 AND at <= ?3",
	    GUARD_SQL_ARGS(guard_sql_int(uid), guard_sql_int(now - period), guard_sql_int(now)),
	    use_row, &u, "reading the limit history", err);
	ret->uses = u.rows.v;
	ret->n_uses = u.rows.n;
	return r;
}

struct freeze_read {
	struct guard_store_snapshot *snap;
	bool oom;
};

static int freeze_row(sqlite3_stmt *st, void *ctx)
{
	struct freeze_read *c = ctx;
	struct guard_host_state *hs = &c->snap->state;

	hs->frozen = true;
	c->snap->frozen_by = guard_store_col_dup(st, 0, &c->oom);
	c->snap->frozen_reason = guard_store_col_dup(st, 1, &c->oom);
	hs->frozen_at = sqlite3_column_int64(st, 2);
	hs->frozen_until = sqlite3_column_int64(st, 3);
	return 1;
}

static int lockout_row(sqlite3_stmt *st, void *ctx)
{
	struct guard_store_lockout *l = ctx;
	bool oom = false;

	l->id = sqlite3_column_int64(st, 0);
	l->first_refusal = sqlite3_column_int64(st, 1);
	l->until = sqlite3_column_int64(st, 2);
	l->watch = guard_store_col_dup(st, 3, &oom);
	return oom ? -ENOMEM : 1;
}

int guard_store_lockout_active(struct guard_store *s, uint32_t uid, int64_t now,
			       struct guard_store_lockout *ret, struct guard_error *err)
{
	memset(ret, 0, sizeof(*ret));
	return guard_store_query(s,
				 "SELECT id, decision_id, until, watch FROM lockouts WHERE"
				 " actor_uid = ?1 AND lifted_at IS NULL AND until > ?2"
				 " ORDER BY until DESC LIMIT 1",
				 GUARD_SQL_ARGS(guard_sql_int(uid), guard_sql_int(now)),
				 lockout_row, ret, "reading the lockouts", err);
}

static int read_state(struct guard_store *s, uint32_t uid, int64_t now,
		      struct guard_store_snapshot *ret, struct guard_error *err)
{
	struct guard_host_state *hs = &ret->state;
	struct guard_store_lockout lockout;
	struct freeze_read c = {ret, false};
	int r;

	r = guard_store_query(s,
			      "SELECT by, reason, since, until FROM freezes WHERE thawed_at IS NULL"
			      " AND (until = 0 OR until > ?1) ORDER BY id DESC LIMIT 1",
			      GUARD_SQL_ARGS(guard_sql_int(now)), freeze_row, &c,
			      "reading the freeze", err);
	if (r >= 0)
		r = guard_store_lockout_active(s, uid, now, &lockout, err);
	if (r > 0) {
		hs->locked_out = true;
		ret->lockout_watch = lockout.watch;
		hs->lockout_until = lockout.until;
	}
	if (r >= 0)
		r = guard_store_query(
		    s,
		    "SELECT until FROM break_glass WHERE actor_uid = ?1 AND until > ?2"
		    " ORDER BY until DESC LIMIT 1",
		    GUARD_SQL_ARGS(guard_sql_int(uid), guard_sql_int(now)), guard_store_row_int,
		    &hs->break_glass_until, "reading break-glass", err);
	if (r > 0)
		hs->break_glass = true;
	if (r >= 0)
		r = c.oom ? -ENOMEM : 0;
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
