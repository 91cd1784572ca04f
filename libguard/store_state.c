/* The host's state: freeze, break-glass, lockouts. Writes happen inside the
 * caller's transaction (guard_store_begin ... guard_store_commit). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static int run_write(struct guard_store *s, const char *sql, const char *what,
		     struct guard_error *err, int nargs, const char *const *texts,
		     const int64_t *ints)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	r = guard_store_prepare(s, sql, &st, err);
	if (r < 0)
		return r;
	/* Parameters ?1..?n: texts[i] when not NULL, else ints[i]. */
	for (int i = 0; i < nargs; i++) {
		if (texts && texts[i])
			guard_store_bind_text(st, i + 1, texts[i]);
		else
			sqlite3_bind_int64(st, i + 1, ints[i]);
	}
	r = guard_store_step_done(s, st, what, err);
	guard_store_release(s, st);
	return r;
}

int guard_store_freeze(struct guard_store *s, const char *by, const char *reason, int64_t until,
		       int64_t now, struct guard_error *err)
{
	const char *t1[] = {NULL};
	const int64_t i1[] = {now};
	const char *t2[] = {by, reason, NULL, NULL};
	const int64_t i2[] = {0, 0, now, until};
	int r;

	if (!by || !reason) {
		guard_error_set(err, "", 0, "a freeze needs who and why");
		return -EINVAL;
	}
	/* A new freeze replaces the one in force. */
	r = run_write(
	    s,
	    "UPDATE freezes SET thawed_by = 'replaced', thawed_at = ?1 WHERE thawed_at IS "
	    "NULL",
	    "freezing", err, 1, t1, i1);
	if (r == 0)
		r = run_write(
		    s, "INSERT INTO freezes(by, reason, since, until) VALUES (?1, ?2, ?3, ?4)",
		    "freezing", err, 4, t2, i2);
	return r;
}

int guard_store_thaw(struct guard_store *s, const char *by, int64_t now, struct guard_error *err)
{
	const char *t[] = {by ? by : "?", NULL};
	const int64_t i[] = {0, now};
	int r;

	r = run_write(
	    s,
	    "UPDATE freezes SET thawed_by = ?1, thawed_at = ?2 WHERE thawed_at IS NULL AND "
	    "(until = 0 OR until > ?2)",
	    "thawing", err, 2, t, i);
	if (r == 0 && sqlite3_changes(s->db) == 0) {
		guard_error_set(err, "", 0, "the host is not frozen");
		return -ENOENT;
	}
	return r;
}

int guard_store_break_glass(struct guard_store *s, uint32_t actor_uid, const char *actor,
			    const char *reason, int64_t until, int64_t now, struct guard_error *err)
{
	const char *t[] = {NULL, actor, reason, NULL, NULL};
	const int64_t i[] = {actor_uid, 0, 0, now, until};

	if (!actor || !reason || until <= now) {
		guard_error_set(err, "", 0, "break-glass needs who, why and an end after now");
		return -EINVAL;
	}
	return run_write(s,
			 "INSERT INTO break_glass(actor_uid, actor, reason, since, until) VALUES "
			 "(?1, ?2, ?3, ?4, ?5)",
			 "starting break-glass", err, 5, t, i);
}

int guard_store_unlock(struct guard_store *s, uint32_t actor_uid, const char *by, int64_t now,
		       struct guard_error *err)
{
	const char *t[] = {NULL, by ? by : "?", NULL};
	const int64_t i[] = {actor_uid, 0, now};
	int r;

	r = run_write(s,
		      "UPDATE lockouts SET lifted_by = ?2, lifted_at = ?3 WHERE actor_uid = ?1 AND "
		      "lifted_at IS NULL AND until > ?3",
		      "lifting a lockout", err, 3, t, i);
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

/* Reads rows of (who, uid, what, since, until) into a growing array. */
static int read_items(struct guard_store *s, const char *sql, int64_t now,
		      struct guard_store_status_item **ret, size_t *ret_n, struct guard_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	bool oom = false;
	int r, rc;

	r = guard_store_prepare(s, sql, &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct guard_store_status_item *it;

		if (*ret_n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			struct guard_store_status_item *n = reallocarray(*ret, ncap, sizeof(*n));

			if (!n) {
				oom = true;
				break;
			}
			*ret = n;
			cap = ncap;
		}
		it = &(*ret)[(*ret_n)++];
		it->who = guard_store_col_dup(st, 0, &oom);
		it->uid = (uint32_t)sqlite3_column_int64(st, 1);
		it->what = guard_store_col_dup(st, 2, &oom);
		it->since = sqlite3_column_int64(st, 3);
		it->until = sqlite3_column_int64(st, 4);
	}
	if (oom)
		r = -ENOMEM;
	else if (rc != SQLITE_DONE)
		r = guard_store_fail(s, rc, "reading the host state", err);
	guard_store_release(s, st);
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
