/* What the store's files share: the handle and the SQLite helpers. Internal
 * to libguard. */
#ifndef GUARD_STORE_INTERNAL_H
#define GUARD_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include "store.h"

/* "GRD1": PRAGMA application_id of a Guard store. */
#define GUARD_APPLICATION_ID 0x47524431

#define GUARD_STORE_KEPT_STATEMENTS 48

struct guard_store {
	sqlite3 *db;
	char *dir;
	char *path;
	bool in_txn;
	int busy_timeout_ms;
	int txn_limit_ms;	 /* MUST 16: how long a transaction may hold the lock */
	int64_t txn_deadline_ms; /* CLOCK_MONOTONIC; 0: no transaction */
	timer_t killer;		 /* SIGKILL at twice the bound (MUST 16) */
	bool has_killer;
	dev_t dev; /* the database file opened (guard_store_current) */
	ino_t ino;
	uid_t owner;
	/* Prepared statements kept for the connection's life, by SQL text:
	 * a process that keeps the store open (the decision service) parses
	 * each query once. */
	struct {
		const char *sql;
		sqlite3_stmt *st;
		bool lent;
	} kept[GUARD_STORE_KEPT_STATEMENTS];
	size_t n_kept;
	bool light;	 /* MUST 19: this transaction commits synchronous=NORMAL */
	unsigned spends; /* MUST 19: writes in this transaction that spend */
	/* SQLite's automatic checkpoint, run by a commit of this connection
	 * once the log holds that many frames (guard_store_wal_hook); an
	 * I/O error in it, since the transaction began. */
	int checkpoint_frames;
	bool checkpoint_ioerr;
};

/* guard_store_begin for a transaction that commits light (MUST 19,
 * synchronous=NORMAL) unless a write in it spends: then guard_store_commit
 * refuses it, and guard_store_commit_durable commits it and makes it
 * durable before returning. */
int guard_store_commit_durable(struct guard_store *s, struct guard_error *err);
int guard_store_begin_light(struct guard_store *s, int64_t wall_now, int64_t *ret_now,
			    struct guard_error *err);

/* sqlite3_wal_hook's callback: SQLite's automatic checkpoint (PASSIVE, at
 * s->checkpoint_frames), which keeps an I/O error it meets: SQLite's own
 * drops it, and a failed sync of the log is reported once per open file
 * (Linux), so the sync that makes a light commit durable would then
 * succeed on frames never written. */
int guard_store_wal_hook(void *arg, sqlite3 *db, const char *name, int frames);

/* Maps an SQLite result to -errno and fills err with the file, what was
 * being done and SQLite's words. */
int guard_store_fail(struct guard_store *s, int rc, const char *what, struct guard_error *err);

/* Prepares sql (a kept statement when it was prepared before on this
 * connection and is not in use); on failure fills err. Give it back with
 * guard_store_release, never sqlite3_finalize. */
int guard_store_prepare(struct guard_store *s, const char *sql, sqlite3_stmt **ret,
			struct guard_error *err);

/* Resets a statement from guard_store_prepare for its next use, or
 * finalizes it when it is not kept; accepts NULL. */
void guard_store_release(struct guard_store *s, sqlite3_stmt *st);

/* Finalizes every kept statement (before the connection closes). */
void guard_store_release_all(struct guard_store *s);

/* ---- Queries: one statement from its text to its end ---- */

enum guard_sql_type {
	GUARD_SQL_END = 0,
	GUARD_SQL_NULL,
	GUARD_SQL_INT,
	GUARD_SQL_TEXT,
	GUARD_SQL_BLOB
};

/* A statement's argument, bound to ?1, ?2, ... in the order given. */
struct guard_sql_arg {
	enum guard_sql_type type;
	int64_t i;
	const void *p; /* text or blob; NULL binds NULL */
	size_t len;    /* blob */
};

static inline struct guard_sql_arg guard_sql_int(int64_t v)
{
	return (struct guard_sql_arg){.type = GUARD_SQL_INT, .i = v};
}

static inline struct guard_sql_arg guard_sql_text(const char *text)
{
	return (struct guard_sql_arg){.type = GUARD_SQL_TEXT, .p = text};
}

static inline struct guard_sql_arg guard_sql_blob(const void *data, size_t len)
{
	return (struct guard_sql_arg){.type = GUARD_SQL_BLOB, .p = data, .len = len};
}

static inline struct guard_sql_arg guard_sql_null(void)
{
	return (struct guard_sql_arg){.type = GUARD_SQL_NULL};
}

/* The argument list of a query: GUARD_SQL_ARGS(guard_sql_int(uid),
 * guard_sql_text(name)). A query without arguments takes NULL. */
#define GUARD_SQL_ARGS(...) ((const struct guard_sql_arg[]){__VA_ARGS__, {.type = GUARD_SQL_END}})

/* What a query does with each row it returns: 0 asks for the next row, >0
 * stops there (the query returns it), <0 fails the query with that error
 * (err filled by the callback, or left as it was). */
typedef int guard_store_row_fn(sqlite3_stmt *st, void *ctx);

/* A row callback: the row's first column, an integer, into *(int64_t
 * *)ctx; returns 1 (stop). */
int guard_store_row_int(sqlite3_stmt *st, void *ctx);

/* Runs st (from guard_store_prepare) with args bound to ?1, ?2, ...:
 * row(st, ctx) for each row it returns; without row, a statement that
 * returns no rows. Returns 0 when the rows ran out, what row returned when
 * it stopped, or -errno; a bind or step that fails fails with what (MUST
 * 9). The statement is reset first: one prepared for a list runs again
 * with each element's arguments, and is released after the last. */
int guard_store_query_stmt(struct guard_store *s, sqlite3_stmt *st,
			   const struct guard_sql_arg *args, guard_store_row_fn *row, void *ctx,
			   const char *what, struct guard_error *err);

/* guard_store_prepare, guard_store_query_stmt, guard_store_release:
 * one statement from its text to its end, released whatever happened. */
int guard_store_query(struct guard_store *s, const char *sql, const struct guard_sql_arg *args,
		      guard_store_row_fn *row, void *ctx, const char *what,
		      struct guard_error *err);

/* guard_store_query for a statement that returns no rows: 0 or -errno. */
int guard_store_run(struct guard_store *s, const char *sql, const struct guard_sql_arg *args,
		    const char *what, struct guard_error *err);

/* guard_store_query for the first row of a statement that always returns
 * one (a count, a pragma): row reads it; no row fails with what, like a
 * failed step. 0 or -errno. */
int guard_store_query_row(struct guard_store *s, const char *sql, const struct guard_sql_arg *args,
			  guard_store_row_fn *row, void *ctx, const char *what,
			  struct guard_error *err);

/* A column's text, copied (NULL stays NULL); *oom set on allocation failure. */
char *guard_store_col_dup(sqlite3_stmt *st, int col, bool *oom);

/* Rows read into an array that grows: v holds n elements. */
struct guard_store_rows {
	void *v;
	size_t n, cap;
};

/* A new element of size bytes, zeroed, at the end of rows (whose capacity
 * doubles from first); NULL when out of memory (rows unchanged). */
void *guard_store_rows_add(struct guard_store_rows *rows, size_t size, size_t first);

/* Fails with -EINVAL unless a transaction is open: every write and every
 * read a decision depends on happens inside BEGIN IMMEDIATE. */
int guard_store_need_txn(struct guard_store *s, struct guard_error *err);

/* Deletes, in a bounded batch of each kind (GUARD_LEDGER_PRUNE_BATCH), the
 * ledger's rows older than cutoff and the lockouts, break-glass, freezes
 * and approvals that ended before it. Inside a transaction. */
int guard_store_prune(struct guard_store *s, int64_t cutoff, struct guard_error *err);

/* The lockout an actor is refused under: of those in force, the one that
 * ends last. */
struct guard_store_lockout {
	int64_t id;
	int64_t first_refusal; /* the ledger row of its first refusal; 0: none yet */
	int64_t until;
	char *watch; /* the watch that locked the actor out; the caller frees it */
};

/* Reads the actor's lockout in force at now: 1 with *ret filled, 0 when
 * there is none (*ret zeroed), or -errno. */
int guard_store_lockout_active(struct guard_store *s, uint32_t uid, int64_t now,
			       struct guard_store_lockout *ret, struct guard_error *err);

/* ---- Shared between the store's files (store_sql.c, store_txn.c,
 * store_files.c, store_schema.c) ---- */

/* Runs SQL that returns no rows; fills err with what was being done. */
int guard_store_exec(struct guard_store *s, const char *sql, const char *what,
		     struct guard_error *err);
/* The same for one statement run at every transaction (BEGIN, COMMIT, the
 * synchronous level): kept prepared, not parsed again each time. */
int guard_store_exec_kept(struct guard_store *s, const char *sql, const char *what,
			  struct guard_error *err);
/* Runs a pragma that returns one value and compares it (text) with want. */
int guard_store_pragma_expect(struct guard_store *s, const char *sql, const char *want,
			      struct guard_error *err);
int guard_store_pragma_int(struct guard_store *s, const char *sql, int64_t *ret,
			   struct guard_error *err);

/* MUST 16: marks s in or out of a transaction bound to limit_ms (arms or
 * disarms its deadline and its killer). */
void guard_store_set_in_txn_for(struct guard_store *s, bool on, int64_t limit_ms);
void guard_store_set_in_txn(struct guard_store *s, bool on);
/* SQLite's progress handler: non-zero past the transaction's bound. */
int guard_store_past_deadline(void *arg);

/* MUST 15: brings the schema to GUARD_STORE_SCHEMA_VERSION. */
int guard_store_migrate(struct guard_store *s, struct guard_error *err);
/* MUST 4, 5: a complete store built aside and renamed into place unless
 * one appeared meanwhile. */
int guard_store_create(int dirfd, const char *dir, uid_t owner, int timeout_ms,
		       struct guard_error *err);

/* MUST 6: fds 0-2 open. */
int guard_store_fds_open(struct guard_error *err);
/* MUST 1: the state directory, by its fd. */
int guard_store_check_dir(int dirfd, const char *dir, uid_t owner, struct guard_error *err);
/* MUST 3: -wal or -shm, when present. */
int guard_store_check_aux(int dirfd, const char *dir, const char *name, uid_t owner,
			  struct guard_error *err);
/* MUST 2, 4: the database file opened by name (created when missing and
 * allowed) and checked on the same fd, which is returned. */
int guard_store_open_file(int dirfd, const struct guard_store_options *o, const char *dir,
			  const char *path, int timeout_ms, struct stat *ret_st,
			  struct guard_error *err);

#endif
