/* What a decision reads from the store before it is made, in the deciding
 * transaction: the actor's uses of each limit rule within its period, and
 * the host's state (freeze, the actor's lockout and
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

/* The uses of one limit rule the evaluation needs, in ctx. */
struct uses {
	const struct guard_rule *rule;
	struct guard_store_rows rows;
	int64_t n, newest;
};

static int add_use(struct uses *u, int64_t when, int64_t count)
{
	struct guard_history_use *use = guard_store_rows_add(&u->rows, sizeof(*use), 4);

	if (!use)
		return -ENOMEM;
	use->rule = u->rule->name;
	use->when = when;
	use->count = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
	return 0;
}

static int count_row(sqlite3_stmt *st, void *ctx)
{
	struct uses *u = ctx;

	u->n = sqlite3_column_int64(st, 0);
	u->newest = sqlite3_column_int64(st, 1);
	return 0;
}

static int oldest_row(sqlite3_stmt *st, void *ctx)
{
	return add_use(ctx, sqlite3_column_int64(st, 0), 1);
}

#define USES_WHERE " FROM limit_uses WHERE actor_uid = ?1 AND rule = ?2 AND at > ?3 AND at <= ?4"

/* One rule's uses within its period, read from the index in two steps
 * whatever their number: how many and the newest; past the limit (uses
 * under break-glass), also the n - count + 1 oldest one by one, the k-th
 * of which frees the first slot (evaluate_limits.c). The rest are one
 * entry at the newest time. Reading every use made each decision cost time
 * in proportion to the limit's count. */
static int read_rule_uses(struct guard_store *s, struct uses *u, uint32_t uid, int64_t now,
			  struct guard_error *err)
{
	const struct guard_rule *rule = u->rule;
	int64_t listed = 0, first = now - rule->limit.period_s;
	size_t before = u->rows.n;
	int r;

	r = guard_store_query(s, "SELECT count(*), coalesce(max(at), 0)" USES_WHERE,
			      GUARD_SQL_ARGS(guard_sql_int(uid), guard_sql_text(rule->name),
					     guard_sql_int(first), guard_sql_int(now)),
			      count_row, u, "reading the limit history", err);
	if (r < 0 || u->n == 0)
		return r;
	if (u->n >= (int64_t)rule->limit.count) {
		r = guard_store_query(s, "SELECT at" USES_WHERE " ORDER BY at LIMIT ?5",
				      GUARD_SQL_ARGS(guard_sql_int(uid), guard_sql_text(rule->name),
						     guard_sql_int(first), guard_sql_int(now),
						     guard_sql_int(u->n - rule->limit.count + 1)),
				      oldest_row, u, "reading the limit history", err);
		if (r < 0)
			return r;
		listed = (int64_t)(u->rows.n - before);
	}
	return u->n > listed ? add_use(u, u->newest, u->n - listed) : 0;
}

static int read_uses(struct guard_store *s, const struct guard_policy *policy, uint32_t uid,
		     int64_t now, struct guard_store_snapshot *ret, struct guard_error *err)
{
	struct uses u = {0};
	int r = 0;

	for (size_t i = 0; r == 0 && i < policy->n_rules; i++)
		if (policy->rules[i].has_limit) {
			u.rule = &policy->rules[i];
			r = read_rule_uses(s, &u, uid, now, err);
		}
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
