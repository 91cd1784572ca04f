/* SQLite's results as -errno with the store's words, the kept statements,
 * and the query helper every store file runs its statements through:
 * prepare, bind, step, release, with every result checked (MUST 9 of
 * store.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_internal.h"

/* ---- Errors and statement helpers ---- */

/* A bound the store gave up at: the lock's wait or the transaction's. */
static int past_bound(const char *path, const char *what, const char *bound, int ms,
		      const char *outcome, int r, struct guard_error *err)
{
	guard_error_set(err, path, 0, "%s: %s %d ms; %s", what, bound, ms, outcome);
	return r;
}

int guard_store_fail(struct guard_store *s, int rc, const char *what, struct guard_error *err)
{
	const char *path = s && s->path ? s->path : "state store";
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	int r;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return past_bound(path, what,
				  "the store is locked by another process for more than",
				  s ? s->busy_timeout_ms : 0, "refused (retry later)", -EBUSY, err);
	case SQLITE_FULL:
		r = -ENOSPC;
		break;
	case SQLITE_INTERRUPT:
		return past_bound(path, what, "the transaction took longer than",
				  s ? s->txn_limit_ms : 0, "rolled back and refused", -ETIMEDOUT,
				  err);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		guard_error_set(err, path, 0,
				"%s: the store is corrupt (%s); refused. It is never recreated "
				"automatically: restore it from a backup or move it aside",
				what, msg);
		return -EBADMSG;
	case SQLITE_NOMEM:
		r = -ENOMEM;
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
	case SQLITE_CANTOPEN:
		r = -EACCES;
		break;
	case SQLITE_CONSTRAINT:
		r = -EEXIST;
		break;
	default:
		r = -EIO;
		break;
	}
	guard_error_set(err, path, 0, "%s: %s; refused", what, msg);
	return r;
}

int guard_store_prepare(struct guard_store *s, const char *sql, sqlite3_stmt **ret,
			struct guard_error *err)
{
	unsigned flags = 0;
	int rc;

	for (size_t i = 0; i < s->n_kept; i++)
		if (!s->kept[i].lent && strcmp(s->kept[i].sql, sql) == 0) {
			s->kept[i].lent = true;
			*ret = s->kept[i].st;
			return 0;
		}
	if (s->n_kept < GUARD_STORE_KEPT_STATEMENTS)
		flags = SQLITE_PREPARE_PERSISTENT;
	rc = sqlite3_prepare_v3(s->db, sql, -1, flags, ret, NULL);
	if (rc != SQLITE_OK) {
		*ret = NULL;
		return guard_store_fail(s, rc, "reading the store", err);
	}
	if (flags && *ret) {
		/* The text is the caller's: kept only when it is a literal,
		 * which sqlite3_sql gives back as a copy we own. */
		s->kept[s->n_kept].sql = sqlite3_sql(*ret);
		s->kept[s->n_kept].st = *ret;
		s->kept[s->n_kept].lent = true;
		s->n_kept++;
	}
	return 0;
}

void guard_store_release(struct guard_store *s, sqlite3_stmt *st)
{
	if (!st)
		return;
	for (size_t i = 0; s && i < s->n_kept; i++)
		if (s->kept[i].st == st) {
			/* The step's result was checked where it was stepped. */
			(void)sqlite3_reset(st);
			(void)sqlite3_clear_bindings(st);
			s->kept[i].lent = false;
			return;
		}
	sqlite3_finalize(st);
}

void guard_store_release_all(struct guard_store *s)
{
	for (size_t i = 0; i < s->n_kept; i++)
		sqlite3_finalize(s->kept[i].st);
	s->n_kept = 0;
}

/* ---- Queries ---- */

static int bind_args(struct guard_store *s, sqlite3_stmt *st, const struct guard_sql_arg *args,
		     const char *what, struct guard_error *err)
{
	int rc = SQLITE_OK;

	/* The last step's result was checked where it was stepped. */
	(void)sqlite3_reset(st);
	for (int i = 0; args && args[i].type != GUARD_SQL_END && rc == SQLITE_OK; i++) {
		const struct guard_sql_arg *a = &args[i];

		if (a->type == GUARD_SQL_INT)
			rc = sqlite3_bind_int64(st, i + 1, a->i);
		else if (a->type == GUARD_SQL_TEXT && a->p)
			rc = sqlite3_bind_text(st, i + 1, a->p, -1, SQLITE_TRANSIENT);
		else if (a->type == GUARD_SQL_BLOB && a->p)
			rc = sqlite3_bind_blob64(st, i + 1, a->p, a->len, SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_null(st, i + 1);
	}
	if (rc != SQLITE_OK)
		return guard_store_fail(s, rc, what, err);
	return 0;
}

/* need_row: the first row only, and none is a failure. */
static int step_rows(struct guard_store *s, sqlite3_stmt *st, guard_store_row_fn *row, void *ctx,
		     bool need_row, const char *what, struct guard_error *err)
{
	int rc, r;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW && row) {
		r = row(st, ctx);
		if (need_row)
			return r < 0 ? r : 0;
		if (r != 0)
			return r;
	}
	if (rc == SQLITE_DONE && !need_row)
		return 0;
	return guard_store_fail(s, rc, what, err);
}

int guard_store_query_stmt(struct guard_store *s, sqlite3_stmt *st,
			   const struct guard_sql_arg *args, guard_store_row_fn *row, void *ctx,
			   const char *what, struct guard_error *err)
{
	int r = bind_args(s, st, args, what, err);

	if (r == 0)
		r = step_rows(s, st, row, ctx, false, what, err);
	return r;
}

static int query(struct guard_store *s, const char *sql, const struct guard_sql_arg *args,
		 guard_store_row_fn *row, void *ctx, bool need_row, const char *what,
		 struct guard_error *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = guard_store_prepare(s, sql, &st, err);
	if (r < 0)
		return r;
	r = bind_args(s, st, args, what, err);
	if (r == 0)
		r = step_rows(s, st, row, ctx, need_row, what, err);
	guard_store_release(s, st);
	return r;
}

int guard_store_query(struct guard_store *s, const char *sql, const struct guard_sql_arg *args,
		      guard_store_row_fn *row, void *ctx, const char *what, struct guard_error *err)
{
	return query(s, sql, args, row, ctx, false, what, err);
}

int guard_store_run(struct guard_store *s, const char *sql, const struct guard_sql_arg *args,
		    const char *what, struct guard_error *err)
{
	return query(s, sql, args, NULL, NULL, false, what, err);
}

int guard_store_query_row(struct guard_store *s, const char *sql, const struct guard_sql_arg *args,
			  guard_store_row_fn *row, void *ctx, const char *what,
			  struct guard_error *err)
{
	return query(s, sql, args, row, ctx, true, what, err);
}

int guard_store_row_int(sqlite3_stmt *st, void *ctx)
{
	*(int64_t *)ctx = sqlite3_column_int64(st, 0);
	return 1;
}

char *guard_store_col_dup(sqlite3_stmt *st, int col, bool *oom)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	char *r;

	if (!t)
		return NULL;
	r = strdup((const char *)t);
	if (!r)
		*oom = true;
	return r;
}

void *guard_store_rows_add(struct guard_store_rows *rows, size_t size, size_t first)
{
	char *e;

	if (rows->n == rows->cap) {
		size_t ncap = rows->cap ? 2 * rows->cap : first;
		void *v = reallocarray(rows->v, ncap, size);

		if (!v)
			return NULL;
		rows->v = v;
		rows->cap = ncap;
	}
	e = (char *)rows->v + rows->n++ * size;
	memset(e, 0, size);
	return e;
}

int guard_store_need_txn(struct guard_store *s, struct guard_error *err)
{
	if (!s || !s->db || !s->in_txn) {
		guard_error_set(err, s && s->path ? s->path : "", 0,
				"internal error: the store is used outside a transaction");
		return -EINVAL;
	}
	return 0;
}

int guard_store_exec(struct guard_store *s, const char *sql, const char *what,
		     struct guard_error *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return guard_store_fail(s, rc, what, err);
	return 0;
}

int guard_store_exec_kept(struct guard_store *s, const char *sql, const char *what,
			  struct guard_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, r = guard_store_prepare(s, sql, &st, err);

	if (r < 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	r = rc == SQLITE_DONE ? 0 : guard_store_fail(s, rc, what, err);
	guard_store_release(s, st);
	return r;
}

struct expect {
	struct guard_store *s;
	const char *sql, *want;
	struct guard_error *err;
};

static int expect_row(sqlite3_stmt *st, void *ctx)
{
	const struct expect *e = ctx;
	const unsigned char *v = sqlite3_column_text(st, 0);

	if (v && strcmp((const char *)v, e->want) == 0)
		return 0;
	guard_error_set(e->err, e->s->path, 0, "%s gave \"%s\", expected \"%s\"; refused", e->sql,
			v ? (const char *)v : "", e->want);
	return -EIO;
}

/* Runs a pragma that returns one value and compares it (text) with want. */
int guard_store_pragma_expect(struct guard_store *s, const char *sql, const char *want,
			      struct guard_error *err)
{
	struct expect e = {s, sql, want, err};

	return guard_store_query_row(s, sql, NULL, expect_row, &e, "configuring the store", err);
}

int guard_store_pragma_int(struct guard_store *s, const char *sql, int64_t *ret,
			   struct guard_error *err)
{
	return guard_store_query_row(s, sql, NULL, guard_store_row_int, ret,
				     "reading the store's header", err);
}
