/* The ledger read back for `guardctl history`: one row per recorded
 * action with its decision's fields, oldest first. Written by
 * store_ledger.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

void guard_history_rows_free(struct guard_history_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		struct guard_history_row *h = &rows[i];

		free(h->actor);
		free(h->service);
		free(h->host);
		free(h->tty);
		free(h->argv);
		free(h->reason);
		free(h->mode);
		free(h->action);
		free(h->target);
		free(h->group);
		free(h->decision);
		free(h->rule);
		free(h->why);
	}
	free(rows);
}

static int history_row(sqlite3_stmt *st, void *ctx)
{
	struct guard_history_row *h = guard_store_rows_add(ctx, sizeof(*h), 32);
	bool oom = false;

	if (!h)
		return -ENOMEM;
	h->decision_id = sqlite3_column_int64(st, 0);
	h->at = sqlite3_column_int64(st, 1);
	h->actor = guard_store_col_dup(st, 2, &oom);
	h->actor_uid = (uint32_t)sqlite3_column_int64(st, 3);
	h->service = guard_store_col_dup(st, 4, &oom);
	h->host = guard_store_col_dup(st, 5, &oom);
	h->tty = guard_store_col_dup(st, 6, &oom);
	h->argv = guard_store_col_dup(st, 7, &oom);
	h->reason = guard_store_col_dup(st, 8, &oom);
	h->mode = guard_store_col_dup(st, 9, &oom);
	h->action = guard_store_col_dup(st, 10, &oom);
	h->target = guard_store_col_dup(st, 11, &oom);
	h->group = guard_store_col_dup(st, 12, &oom);
	h->decision = guard_store_col_dup(st, 13, &oom);
	h->rule = guard_store_col_dup(st, 14, &oom);
	h->why = guard_store_col_dup(st, 15, &oom);
	h->break_glass = sqlite3_column_int(st, 16) != 0;
	h->approval_id = sqlite3_column_int64(st, 17);
	h->has_exit = sqlite3_column_type(st, 18) != SQLITE_NULL;
	h->exit_status = sqlite3_column_int(st, 18);
	h->repeats = (uint32_t)sqlite3_column_int64(st, 19);
	h->last_at = sqlite3_column_int64(st, 20);
	return oom ? -ENOMEM : 0;
}

int guard_store_history(struct guard_store *s, int64_t since, bool all_actors, uint32_t actor_uid,
			size_t max, struct guard_history_row **ret, size_t *ret_n,
			struct guard_error *err)
{
	struct guard_store_rows c = {0};
	struct guard_history_row *rows;
	size_t n;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = guard_store_query(
	    s,
	    "SELECT d.id, d.at, d.actor, d.actor_uid, d.service, d.host, d.tty, d.argv, d.reason,"
	    " d.mode, a.action, a.target, a.grp, a.decision, a.rule, a.why, a.break_glass,"
	    " d.approval_id, d.exit_status, d.repeats, d.last_at FROM decisions d"
	    " JOIN decision_actions a"
	    " ON a.decision_id = d.id WHERE max(d.at, coalesce(d.last_at, 0)) >= ?1"
	    " AND (?2 OR d.actor_uid = ?3)"
	    " ORDER BY d.id DESC, a.rowid DESC LIMIT ?4",
	    GUARD_SQL_ARGS(guard_sql_int(since), guard_sql_int(all_actors),
			   guard_sql_int(actor_uid),
			   guard_sql_int(max > INT64_MAX ? INT64_MAX : (int64_t)max)),
	    history_row, &c, "reading the history", err);
	if (r < 0) {
		guard_history_rows_free(c.v, c.n);
		return r;
	}
	rows = c.v;
	n = c.n;
	/* Oldest first. */
	for (size_t i = 0; i < n / 2; i++) {
		struct guard_history_row t = rows[i];

		rows[i] = rows[n - 1 - i];
		rows[n - 1 - i] = t;
	}
	*ret = rows;
	*ret_n = n;
	return 0;
}
