/* The host's state: freeze, break-glass, lockouts. Writes happen inside the
 * caller's transaction (guard_store_begin ... guard_store_commit). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static int write_state(struct guard_store *s, const char *sql, const struct guard_sql_arg *args,
		       const char *what, struct guard_error *err)
{
	int r = guard_store_need_txn(s, err);

	if (r == 0)
		r = guard_store_run(s, sql, args, what, err);
	return r;
}

int guard_store_freeze(struct guard_store *s, const char *by, const char *reason, int64_t until,
		       int64_t now, struct guard_error *err)
{
	int r;

	if (!by || !reason) {
		guard_error_set(err, "", 0, "a freeze needs who and why");
		return -EINVAL;
	}
	/* A new freeze replaces the one in force. */
	r = write_state(
	    s, "UPDATE freezes SET thawed_by = 'replaced', thawed_at = ?1 WHERE thawed_at IS NULL",
	    GUARD_SQL_ARGS(guard_sql_int(now)), "freezing", err);
	if (r == 0)
		r = write_state(
		    s, "INSERT INTO freezes(by, reason, since, until) VALUES (?1, ?2, ?3, ?4)",
		    GUARD_SQL_ARGS(guard_sql_text(by), guard_sql_text(reason), guard_sql_int(now),
				   guard_sql_int(until)),
		    "freezing", err);
	return r;
}

int guard_store_thaw(struct guard_store *s, const char *by, int64_t now, struct guard_error *err)
{
	int r;

	r = write_state(
	    s,
	    "UPDATE freezes SET thawed_by = ?1, thawed_at = ?2 WHERE thawed_at IS NULL AND "
	    "(until = 0 OR until > ?2)",
	    GUARD_SQL_ARGS(guard_sql_text(by ? by : "?"), guard_sql_int(now)), "thawing", err);
	if (r == 0 && sqlite3_changes(s->db) == 0) {
		guard_error_set(err, "", 0, "the host is not frozen");
		return -ENOENT;
	}
	return r;
}

int guard_store_break_glass(struct guard_store *s, uint32_t actor_uid, const char *actor,
			    const char *reason, int64_t until, int64_t now, struct guard_error *err)
{
	if (!actor || !reason || until <= now) {
		guard_error_set(err, "", 0, "break-glass needs who, why and an end after now");
		return -EINVAL;
	}
	return write_state(s,
			   "INSERT INTO break_glass(actor_uid, actor, reason, since, until) VALUES "
			   "(?1, ?2, ?3, ?4, ?5)",
			   GUARD_SQL_ARGS(guard_sql_int(actor_uid), guard_sql_text(actor),
					  guard_sql_text(reason), guard_sql_int(now),
					  guard_sql_int(until)),
			   "starting break-glass", err);
}

int guard_store_unlock(struct guard_store *s, uint32_t actor_uid, const char *by, int64_t now,
		       struct guard_error *err)
{
	int r;

	r = write_state(
	    s,
	    "UPDATE lockouts SET lifted_by = ?2, lifted_at = ?3 WHERE actor_uid = ?1 AND "
	    "lifted_at IS NULL AND until > ?3",
	    GUARD_SQL_ARGS(guard_sql_int(actor_uid), guard_sql_text(by ? by : "?"),
			   guard_sql_int(now)),
	    "lifting a lockout", err);
	if (r == 0 && sqlite3_changes(s->db) == 0) {
		guard_error_set(err, "", 0, "no active lockout for uid %u", (unsigned)actor_uid);
		return -ENOENT;
	}
	return r;
}

static void item_clear(struct guard_store_status_item *it)
{
	free(it->who);
	free(it->what);
	memset(it, 0, sizeof(*it));
}

void guard_store_status_clear(struct guard_store_status *st)
{
	if (!st)
		return;
	item_clear(&st->freeze);
	for (size_t i = 0; i < st->n_break_glass; i++)
		item_clear(&st->break_glass[i]);
	for (size_t i = 0; i < st->n_lockouts; i++)
		item_clear(&st->lockouts[i]);
	free(st->break_glass);
	free(st->lockouts);
	memset(st, 0, sizeof(*st));
}

/* A row of (who, uid, what, since, until). */
static int item_row(sqlite3_stmt *st, void *ctx)
{
	struct guard_store_status_item *it = guard_store_rows_add(ctx, sizeof(*it), 8);
	bool oom = false;

	if (!it)
		return -ENOMEM;
	it->who = guard_store_col_dup(st, 0, &oom);
	it->uid = (uint32_t)sqlite3_column_int64(st, 1);
	it->what = guard_store_col_dup(st, 2, &oom);
	it->since = sqlite3_column_int64(st, 3);
	it->until = sqlite3_column_int64(st, 4);
	return oom ? -ENOMEM : 0;
}

static int read_items(struct guard_store *s, const char *sql, int64_t now,
		      struct guard_store_status_item **ret, size_t *ret_n, struct guard_error *err)
{
	struct guard_store_rows c = {0};
	int r;

	r = guard_store_query(s, sql, GUARD_SQL_ARGS(guard_sql_int(now)), item_row, &c,
			      "reading the host state", err);
	*ret = c.v;
	*ret_n = c.n;
	return r;
}

int guard_store_status(struct guard_store *s, int64_t now, struct guard_store_status *ret,
		       struct guard_error *err)
{
	struct guard_store_status_item *fr = NULL;
	size_t n_fr = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = read_items(
	    s,
	    "SELECT by, 0, reason, since, until FROM freezes WHERE thawed_at IS NULL AND "
	    "(until = 0 OR until > ?1) ORDER BY id DESC LIMIT 1",
	    now, &fr, &n_fr, err);
	if (r == 0 && n_fr == 1) {
		ret->frozen = true;
		ret->freeze = fr[0];
	}
	free(fr);
	if (r == 0)
		r = read_items(s,
			       "SELECT actor, actor_uid, reason, min(since), max(until) FROM "
			       "break_glass WHERE until > ?1 GROUP BY actor_uid ORDER BY actor",
			       now, &ret->break_glass, &ret->n_break_glass, err);
	if (r == 0)
		r = read_items(s,
			       "SELECT actor, actor_uid, watch, since, max(until) FROM lockouts "
			       "WHERE lifted_at IS NULL AND until > ?1 GROUP BY actor_uid ORDER BY "
			       "actor",
			       now, &ret->lockouts, &ret->n_lockouts, err);
	if (r < 0)
		guard_store_status_clear(ret);
	return r;
}
