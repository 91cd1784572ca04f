/* Transactions: the write lock taken before the first read (MUST 8), the
 * store's clock that never goes back (MUST 11), each transaction's bound
 * (MUST 16) and its durability (MUST 19 of store.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "monotonic.h"
#include "store_internal.h"

/* ---- Transactions open in this process (MUST 16) ---- */

static unsigned open_txns;

/* The last resort of MUST 16: a transaction still open at twice its bound
 * (blocked outside SQLite, stopped by a signal) ends with the process, by
 * a SIGKILL from a timer no handler or mask can stop; the kernel releases
 * the lock and the uncommitted transaction is gone (MUST 9). */
static void arm_killer(struct guard_store *s, bool on, int64_t limit_ms)
{
	struct itimerspec when = {0};
	int64_t ms = 2 * limit_ms;

	if (!s->has_killer)
		return;
	if (on) {
		when.it_value.tv_sec = (time_t)(ms / 1000);
		when.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	}
	(void)timer_settime(s->killer, 0, &when, NULL);
}

void guard_store_set_in_txn_for(struct guard_store *s, bool on, int64_t limit_ms)
{
	if (s->in_txn == on)
		return;
	s->in_txn = on;
	if (on) {
		open_txns++;
		s->txn_deadline_ms = guard_monotonic_ms() + limit_ms;
	} else {
		open_txns--;
		s->txn_deadline_ms = 0;
	}
	arm_killer(s, on, limit_ms);
}

void guard_store_set_in_txn(struct guard_store *s, bool on)
{
	guard_store_set_in_txn_for(s, on, s->txn_limit_ms);
}

bool guard_store_txn_open(void)
{
	return open_txns > 0;
}

/* Called by SQLite every few hundred instructions: past the transaction's
 * bound, the running statement is interrupted (SQLITE_INTERRUPT), which
 * fails the decision closed and rolls it back. */
int guard_store_past_deadline(void *arg)
{
	const struct guard_store *s = arg;

	return s->txn_deadline_ms > 0 && guard_monotonic_ms() > s->txn_deadline_ms;
}

/* ---- Transactions and the clock ---- */

/* MUST 19: the level of the transaction about to begin. SQLite takes it
 * only outside a transaction. */
static int set_light(struct guard_store *s, bool light, struct guard_error *err)
{
	int r;

	if (s->light == light)
		return 0;
	r = guard_store_exec_kept(
	    s, light ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL",
	    "configuring the store", err);
	if (r == 0)
		s->light = light;
	return r;
}

static int begin(struct guard_store *s, bool light, int64_t wall_now, int64_t *ret_now,
		 struct guard_error *err);

int guard_store_begin(struct guard_store *s, int64_t wall_now, int64_t *ret_now,
		      struct guard_error *err)
{
	return begin(s, false, wall_now, ret_now, err);
}

int guard_store_begin_light(struct guard_store *s, int64_t wall_now, int64_t *ret_now,
			    struct guard_error *err)
{
	return begin(s, true, wall_now, ret_now, err);
}

static int begin(struct guard_store *s, bool light, int64_t wall_now, int64_t *ret_now,
		 struct guard_error *err)
{
	int64_t clock = 0, now;
	int r;

	if (!s || !s->db || s->in_txn) {
		guard_error_set(err, s && s->path ? s->path : "", 0,
				"internal error: nested or invalid transaction");
		return -EINVAL;
	}
	r = set_light(s, light, err);
	if (r == 0)
		r = guard_store_exec_kept(s, "BEGIN IMMEDIATE", "locking the store", err);
	if (r < 0)
		return r;
	guard_store_set_in_txn(s, true);
	s->spends = 0;
	s->checkpoint_ioerr = false;

	/* MUST 11: the clock is the later of the wall clock and the store's. */
	r = guard_store_query(s, "SELECT value FROM meta WHERE key = 'clock'", NULL,
			      guard_store_row_int, &clock, "reading the store's clock", err);
	if (r < 0)
		goto fail;
	now = wall_now > clock ? wall_now : clock;
	if (now != clock) {
		r = guard_store_run(
		    s, "INSERT OR REPLACE INTO meta(key, value) VALUES ('clock', ?)",
		    GUARD_SQL_ARGS(guard_sql_int(now)), "writing the store's clock", err);
		if (r < 0)
			goto fail;
	}
	*ret_now = now;
	return 0;
fail:
	guard_store_rollback(s);
	return r;
}

/* COMMIT, at whatever level the transaction began. */
static int commit(struct guard_store *s, struct guard_error *err)
{
	int r;

	if (!s || !s->db || !s->in_txn) {
		guard_error_set(err, s && s->path ? s->path : "", 0,
				"internal error: commit without a transaction");
		return -EINVAL;
	}
	/* MUST 16: a transaction held past its bound is not committed. */
	r = guard_store_past_deadline(s)
		? guard_store_fail(s, SQLITE_INTERRUPT, "committing the decision", err)
		: guard_store_exec_kept(s, "COMMIT", "committing the decision", err);
	if (r < 0) {
		/* MUST 9: a failed commit (SQLITE_BUSY, disk full, I/O) leaves
		 * the transaction open; roll it back and refuse. */
		guard_store_rollback(s);
		return r;
	}
	guard_store_set_in_txn(s, false);
	return 0;
}

int guard_store_commit(struct guard_store *s, struct guard_error *err)
{
	/* MUST 19: never light when something was spent. */
	if (s && s->in_txn && s->light && s->spends > 0) {
		guard_error_set(err, s->path, 0, "internal error: a light commit that spends");
		guard_store_rollback(s);
		return -EINVAL;
	}
	return commit(s, err);
}

int guard_store_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct guard_store *s = arg;
	int rc;

	if (frames < s->checkpoint_frames)
		return SQLITE_OK;
	rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if ((rc & 0xff) == SQLITE_IOERR)
		s->checkpoint_ioerr = true;
	return SQLITE_OK; /* the commit is made: the caller decides */
}

/* MUST 19 for a light transaction that turned out to need FULL: its
 * commit, then the log synced through SQLite's own file for it (so through
 * its VFS), with the flags a FULL commit syncs it with: every frame up to
 * the commit is on disk once this returns, before anything it allowed
 * runs; frames a checkpoint has taken from the log since are in the
 * database file, which it synced first. A power cut between the two loses
 * the commit with nothing done on its strength. Not FULL for every
 * transaction this way: a FULL commit syncs before it is visible to any
 * other process and rolls back when the sync fails; here the light commit
 * is visible first, as it was with the FULL transaction that used to
 * follow it to make it durable. */
int guard_store_commit_durable(struct guard_store *s, struct guard_error *err)
{
	bool light = s && s->light;
	sqlite3_file *log = NULL;
	int r = commit(s, err), rc, e = 0;

	if (r < 0 || !light)
		return r;
	rc = sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log);
	if (rc == SQLITE_OK && (!log || !log->pMethods)) {
		guard_error_set(err, s->path, 0,
				"making the decision durable: no write-ahead log is open; refused");
		return -EIO;
	}
	/* The checkpoint in that commit met an error a sync now may not see. */
	if (rc == SQLITE_OK)
		rc = s->checkpoint_ioerr ? SQLITE_IOERR_FSYNC
					 : log->pMethods->xSync(log, SQLITE_SYNC_NORMAL);
	if (rc != SQLITE_OK) {
		if (log && log->pMethods)
			(void)log->pMethods->xFileControl(log, SQLITE_FCNTL_LAST_ERRNO, &e);
		guard_error_set(err, s->path, 0, "making the decision durable: %s%s%s; refused",
				sqlite3_errstr(rc), e ? ": " : "", e ? strerror(e) : "");
		return -EIO;
	}
	return 0;
}

void guard_store_rollback(struct guard_store *s)
{
	if (!s || !s->db)
		return;
	/* ROLLBACK is not interrupted by the deadline: the bound is off
	 * before it runs. */
	guard_store_set_in_txn(s, false);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}
