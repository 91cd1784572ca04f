/* SQLite's results as -errno with the store's words, and the statement
 * helpers every store file uses (MUST 9 of store.c: every result checked). */
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

int guard_store_fail(struct guard_store *s, int rc, const char *what, struct guard_error *err)
{
	const char *path = s && s->path ? s->path : "state store";
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	int r;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		guard_error_set(err, path, 0,
				"%s: the store is locked by another process for more than %d ms; "
				"refused (retry later)",
				what, s ? s->busy_timeout_ms : 0);
		return -EBUSY;
	case SQLITE_FULL:
		r = -ENOSPC;
		break;
	case SQLITE_INTERRUPT:
		guard_error_set(err, path, 0,
				"%s: the transaction took longer than %d ms; rolled back and "
				"refused",
				what, s ? s->txn_limit_ms : 0);
		return -ETIMEDOUT;
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

int guard_store_step_done(struct guard_store *s, sqlite3_stmt *st, const char *what,
			  struct guard_error *err)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		return guard_store_fail(s, rc, what, err);
	return 0;
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

int guard_store_bind_text(sqlite3_stmt *st, int idx, const char *text)
{
	if (!text)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT);
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

/* Runs a pragma that returns one value and compares it (text) with want. */
int guard_store_pragma_expect(struct guard_store *s, const char *sql, const char *want,
			      struct guard_error *err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *v;
	int r, rc;

	r = guard_store_prepare(s, sql, &st, err);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		r = guard_store_fail(s, rc, "configuring the store", err);
		goto out;
	}
	v = sqlite3_column_text(st, 0);
	if (!v || strcmp((const char *)v, want) != 0) {
		guard_error_set(err, s->path, 0, "%s gave \"%s\", expected \"%s\"; refused", sql,
				v ? (const char *)v : "", want);
		r = -EIO;
	}
out:
	guard_store_release(s, st);
	return r;
}

int guard_store_pragma_int(struct guard_store *s, const char *sql, int64_t *ret,
			   struct guard_error *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	r = guard_store_prepare(s, sql, &st, err);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(st, 0);
	else
		r = guard_store_fail(s, rc, "reading the store's header", err);
	guard_store_release(s, st);
	return r;
}
