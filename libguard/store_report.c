/* What guardctl report reads besides the ledger (guard_store_history):
 * approval requests, break-glass, freezes, lockouts and the changes
 * verify reported, in one time-ordered list; and the recording of those
 * changes. Reads need no transaction (one statement: one snapshot). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* Every table as the same columns: kind, at, end, actor, other, what,
 * status, target, grp, reason, id, extra. */
static const char report_sql[] =
    "SELECT 0, created, coalesce(decided_at, 0), requester, decided_by,"
    "  coalesce(action, argv), status, target, NULL, coalesce(comment, reason), id, expires"
    "  FROM approvals WHERE created BETWEEN ?1 AND ?2"
    " UNION ALL SELECT 1, since, until, actor, NULL, NULL, NULL, actor, NULL, reason, id, 0"
    "  FROM break_glass WHERE since BETWEEN ?1 AND ?2"
    " UNION ALL SELECT 2, since, until, by, thawed_by, NULL, NULL, NULL, NULL, reason, id,"
    "  coalesce(thawed_at, 0) FROM freezes WHERE since BETWEEN ?1 AND ?2"
    " UNION ALL SELECT 3, since, until, actor, lifted_by, watch, NULL, actor, NULL, NULL, id,"
    "  coalesce(lifted_at, 0) FROM lockouts WHERE since BETWEEN ?1 AND ?2"
    " UNION ALL SELECT 4, at, 0, NULL, NULL, text, change, CASE WHEN kind = 'group' THEN"
    "  member ELSE name END, CASE WHEN kind = 'group' THEN name END, kind, id, 0"
    "  FROM account_changes WHERE at BETWEEN ?1 AND ?2"
    " ORDER BY 2, 11";

static char *col(sqlite3_stmt *st, int i, bool *oom)
{
	return guard_store_col_dup(st, i, oom);
}

static int read_row(sqlite3_stmt *st, void *ctx)
{
	struct guard_report_row *r = guard_store_rows_add(ctx, sizeof(*r), 16);
	bool oom = false;

	if (!r)
		return -ENOMEM;
	r->kind = (enum guard_report_kind)sqlite3_column_int(st, 0);
	r->at = sqlite3_column_int64(st, 1);
	r->end = sqlite3_column_int64(st, 2);
	r->actor = col(st, 3, &oom);
	r->other = col(st, 4, &oom);
	r->what = col(st, 5, &oom);
	r->status = col(st, 6, &oom);
	r->target = col(st, 7, &oom);
	r->group = col(st, 8, &oom);
	r->reason = col(st, 9, &oom);
	r->id = sqlite3_column_int64(st, 10);
	r->extra = sqlite3_column_int64(st, 11);
	return oom ? -ENOMEM : 0;
}

void guard_report_rows_free(struct guard_report_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].actor);
		free(rows[i].other);
		free(rows[i].what);
		free(rows[i].status);
		free(rows[i].target);
		free(rows[i].group);
		free(rows[i].reason);
	}
	free(rows);
}

int guard_store_report_rows(struct guard_store *s, int64_t since, int64_t until,
			    struct guard_report_row **ret, size_t *ret_n, struct guard_error *err)
{
	struct guard_store_rows c = {0};
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = guard_store_query(s, report_sql,
			      GUARD_SQL_ARGS(guard_sql_int(since), guard_sql_int(until)), read_row,
			      &c, "reading the store for the report", err);
	if (r < 0) {
		if (r == -ENOMEM)
			guard_error_set(err, s->path, 0, "out of memory");
		guard_report_rows_free(c.v, c.n);
		return r;
	}
	*ret = c.v;
	*ret_n = c.n;
	return 0;
}

int guard_store_account_change_record(struct guard_store *s, const struct guard_account_change *c,
				      int64_t at, struct guard_error *err)
{
	char text[512];
	int r;

	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	guard_account_change_text(c, text, sizeof(text));
	return guard_store_run(
	    s,
	    "INSERT INTO account_changes(at, kind, name, change, member,"
	    " text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	    GUARD_SQL_ARGS(guard_sql_int(at),
			   guard_sql_text(c->kind == GUARD_ACCOUNT_GROUP ? "group" : "user"),
			   guard_sql_text(c->name),
			   guard_sql_text(guard_account_change_type_name(c->type)),
			   guard_sql_text(c->member), guard_sql_text(text)),
	    "recording an account change", err);
}
