/* The state store's contract, and its connection: opening, configuring,
 * checking. The files it is opened from are store_files.c's, the schema and
 * a new store store_schema.c's, transactions and the clock store_txn.c's,
 * the statement helpers store_sql.c's; what is stored, store_ledger.c,
 * store_approvals.c, store_state.c and store_decide.c.
 *
 * The store's invariants. Each is a MUST, and each has a test in
 * tests/unit/test_store*.c (named after the rule's number: must_N_...).
 *
 * MUST 1  The directory is a real directory (not a symlink) owned by the
 *         store's owner (root) with no group or other permission bits;
 *         otherwise nothing is opened or created.
 * MUST 2  An existing database is opened only when it is a regular file, not
 *         a symlink, with exactly one link, owned by root, mode 0600, with
 *         the SQLite header, Guard's application id and a schema version
 *         this Guard knows. Anything else (unreadable, empty, truncated,
 *         corrupt, a foreign database) fails closed, with the file named,
 *         and the file is left exactly as it was: never recreated, never
 *         "repaired", because that would reset limits and approvals.
 * MUST 3  The -wal and -shm files, when present, pass the same type, link,
 *         owner and mode checks.
 * MUST 4  A missing database is built aside (a temporary file, schema
 *         complete, WAL) and moved into place by a rename that never
 *         replaces: processes racing to create end with one store, and none
 *         ever opens a half-built one.
 * MUST 5  The database, -wal and -shm are 0600 whatever the umask.
 * MUST 6  fds 0-2 are open before the database is (else -EBADF), so that
 *         no database fd is ever 0, 1 or 2.
 * MUST 7  Every connection runs with WAL, synchronous=FULL (a committed
 *         decision survives a power loss) except as MUST 19 allows, a busy
 *         timeout, DEFENSIVE, no extension loading, untrusted schema,
 *         temporary data in memory. The last connection to close checkpoints
 *         (SQLite's default): a WAL left behind is read whole again by the
 *         next process to open the store, which costs more than the
 *         checkpoint (measured: pam_guard +16.7 ms against +12.6 ms).
 * MUST 8  Every read that a decision depends on and every write happens in a
 *         BEGIN IMMEDIATE transaction: the write lock is taken before the
 *         first read, so two deciders never spend the same limit or
 *         approval; writes outside a transaction are refused.
 * MUST 9  Every SQLite result is checked, COMMIT included; a failed step or
 *         commit rolls the transaction back and refuses (disk full: nothing
 *         half-written, the ledger kept, and the next decision works once
 *         there is space).
 * MUST 10 A write lock held longer than the busy timeout fails closed
 *         (-EBUSY), never hangs; a shorter one is waited for.
 * MUST 11 The store's clock never goes back: a wall clock set back neither
 *         reopens a spent limit window nor revives an expired approval.
 * MUST 12 An approval is spent at most once: UPDATE ... WHERE used = 0 checked
 *         with changes() == 1, in the transaction that writes the ledger row
 *         that spends it (so an approval is either unused, or used with that
 *         decision recorded).
 * MUST 13 An approval binds requester uid, host and the exact request (argv
 *         and the stdin batch's hash, or the PAM service, action and target);
 *         it is approved only by distinct approvers other than the
 *         requester, and expires approval_ttl after it was made (pending)
 *         or granted (approved).
 * MUST 14 Limit uses are written in the transaction that read the history
 *         they were decided on: N concurrent requests under "K/PERIOD"
 *         allow exactly min(N, K).
 * MUST 15 A schema older than this Guard's is migrated inside a
 *         transaction; a newer one fails closed (-EPROTO).
 * MUST 16 Every transaction has a bound: the lock is waited for at most
 *         the busy timeout, and once taken it is held at most
 *         GUARD_STORE_TXN_LIMIT_MS (a statement past it is interrupted, a
 *         commit past it rolls back and refuses; a schema migration, once
 *         per upgrade, gets twelve times that), so that no decision can
 *         keep the others waiting longer. Callers print nothing while a
 *         transaction is open (guard_store_txn_open says when).
 * MUST 17 The ledger grows by a bounded amount per decision: one row per
 *         decision with at most GUARD_LEDGER_MAX_ACTIONS action rows (the
 *         rest summarised), a locked-out actor's repeated refusals counted
 *         on one row per lockout, and rows older than the policy's
 *         retention pruned in bounded batches at each decision.
 * MUST 18 An approval also binds the identities its names resolved to when
 *         it was filed (requester, every target's uid, every group's gid)
 *         and the rules that asked for it; it is spent only while they are
 *         unchanged, every rule asking now is one it was given under, the
 *         votes meet that rule's count now and every voter is eligible now.
 *         A request filed before schema 3 has no identities: never spent.
 * MUST 19 Durable where it spends. A transaction that spends something (a
 *         limit use, an approval filed, voted or spent, a refusal a watch
 *         counts towards a lockout, an alert, a lockout, a freeze, a
 *         break-glass) or changes the state commits synchronous=FULL
 *         before the action runs. Only two commits are light
 *         (synchronous=NORMAL: never corrupt, at worst lost on a power cut,
 *         together with the light commits after the last FULL one): a
 *         decision that goes ahead and spends nothing, and the exit status.
 *         Both are in the audit log already. FULL is the default; a
 *         transaction is light only when its caller says so before BEGIN
 *         and nothing in it spent (a write that spends counts in
 *         s->spends): one that did is committed, then made durable by
 *         syncing the log as a FULL commit would, before anything it
 *         allowed runs (guard_store_commit_durable).
 */
#include "store.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_internal.h"

/* ---- Connection setup and schema ---- */

static int configure(struct guard_store *s, struct guard_error *err)
{
	int rc, on = 0, r;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_progress_handler(s->db, 1000, guard_store_past_deadline, s);
	rc = sqlite3_busy_timeout(s->db, s->busy_timeout_ms);
	if (!s->checkpoint_frames)
		s->checkpoint_frames = 1000; /* SQLite's default */
	sqlite3_wal_hook(s->db, guard_store_wal_hook, s);
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
	if (rc == SQLITE_OK && on != 1)
		rc = SQLITE_ERROR;
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	if (rc != SQLITE_OK)
		return guard_store_fail(s, rc, "configuring the store", err);
	r = guard_store_exec(s, "PRAGMA temp_store = MEMORY; PRAGMA cell_size_check = ON;",
			     "configuring the store", err);
	if (r == 0)
		r = guard_store_pragma_expect(s, "PRAGMA journal_mode = WAL", "wal", err);
	if (r == 0)
		r = guard_store_exec(s, "PRAGMA synchronous = FULL", "configuring the store", err);
	if (r == 0)
		r = guard_store_pragma_expect(s, "PRAGMA synchronous", "2", err);
	return r;
}

int guard_store_open(const struct guard_store_options *opts, struct guard_store **ret,
		     struct guard_error *err)
{
	static const struct guard_store_options defaults = {0};
	const struct guard_store_options *o = opts ? opts : &defaults;
	const char *dir = o->dir ? o->dir : GUARD_STORE_DIR;
	struct guard_store *s = NULL;
	struct stat fst = {0}, lst; /* fst: filled whenever open_db_file gives an fd */
	int dirfd = -1, fd = -1, r, rc;

	*ret = NULL;
	r = guard_store_fds_open(err);
	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->busy_timeout_ms =
	    o->busy_timeout_ms > 0 ? o->busy_timeout_ms : GUARD_STORE_BUSY_TIMEOUT_MS;
	s->txn_limit_ms = o->txn_limit_ms > 0 ? o->txn_limit_ms : GUARD_STORE_TXN_LIMIT_MS;
	s->dir = strdup(dir);
	if (!s->dir || asprintf(&s->path, "%s/%s", dir, GUARD_STORE_FILE) < 0) {
		s->path = NULL;
		r = -ENOMEM;
		goto fail;
	}

	/* MUST 1: the directory first, on an fd that later checks reuse. */
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		r = -errno;
		guard_error_set(err, dir, 0, "cannot open the state directory: %s%s", strerror(-r),
				r == -ELOOP || r == -ENOTDIR ? " (a symlink?)" : "");
		goto fail;
	}
	r = guard_store_check_dir(dirfd, dir, o->owner, err);
	if (r < 0)
		goto fail;

	/* MUST 2, 4: the database file, created aside when missing. */
	fd = guard_store_open_file(dirfd, o, dir, s->path, s->busy_timeout_ms, &fst, err);
	if (fd < 0) {
		r = fd;
		goto fail;
	}
	/* MUST 3: what SQLite will open next to it. */
	r = guard_store_check_aux(dirfd, dir, GUARD_STORE_FILE "-wal", o->owner, err);
	if (r == 0)
		r = guard_store_check_aux(dirfd, dir, GUARD_STORE_FILE "-shm", o->owner, err);
	if (r < 0)
		goto fail;

	rc = sqlite3_open_v2(s->path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		r = guard_store_fail(s, rc, "opening the store", err);
		goto fail;
	}
	/* What SQLite opened is the file checked above: only root can
	 * rename in a 0700 root directory, and root is us. */
	if (fstatat(dirfd, GUARD_STORE_FILE, &lst, AT_SYMLINK_NOFOLLOW) < 0 ||
	    lst.st_dev != fst.st_dev || lst.st_ino != fst.st_ino) {
		guard_error_set(err, s->path, 0, "was replaced while being opened; refused");
		r = -EPERM;
		goto fail;
	}
	close(fd);
	fd = -1;
	s->dev = fst.st_dev;
	s->ino = fst.st_ino;
	s->owner = o->owner;

	{
		struct sigevent kill_me = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGKILL};

		if (timer_create(CLOCK_MONOTONIC, &kill_me, &s->killer) < 0) {
			r = -errno;
			guard_error_set(err, s->path, 0, "cannot set the transaction's bound: %s",
					strerror(-r));
			goto fail;
		}
		s->has_killer = true;
	}
	r = configure(s, err);
	if (r == 0)
		r = guard_store_migrate(s, err);
	if (r == 0) {
		/* Parses the schema: a damaged one fails here, not mid-decision. */
		r = guard_store_exec(s, "SELECT count(*) FROM sqlite_schema", "reading the store",
				     err);
	}
	/* MUST 5: WAL files made by this connection are 0600 (SQLite gives
	 * them the database's mode); check that they are. */
	if (r == 0)
		r = guard_store_check_aux(dirfd, dir, GUARD_STORE_FILE "-wal", o->owner, err);
	if (r == 0)
		r = guard_store_check_aux(dirfd, dir, GUARD_STORE_FILE "-shm", o->owner, err);
	if (r < 0)
		goto fail;
	close(dirfd);
	*ret = s;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	guard_store_close(s);
	return r;
}

void guard_store_close(struct guard_store *s)
{
	if (!s)
		return;
	if (s->db) {
		guard_store_rollback(s);
		guard_store_release_all(s);
		sqlite3_close_v2(s->db);
	}
	if (s->has_killer)
		(void)timer_delete(s->killer);
	free(s->dir);
	free(s->path);
	free(s);
}

const char *guard_store_path(const struct guard_store *s)
{
	return s && s->path ? s->path : "";
}

struct integrity {
	struct guard_store *s;
	struct guard_error *err;
};

/* The check's first line: "ok", or the first problem found. */
static int integrity_row(sqlite3_stmt *st, void *ctx)
{
	const struct integrity *c = ctx;
	const unsigned char *v = sqlite3_column_text(st, 0);

	if (v && strcmp((const char *)v, "ok") == 0)
		return 0;
	guard_error_set(c->err, c->s->path, 0, "integrity check failed: %s",
			v ? (const char *)v : "");
	return -EBADMSG;
}

int guard_store_check(struct guard_store *s, struct guard_error *err)
{
	struct integrity c = {s, err};

	return guard_store_query_row(s, "PRAGMA integrity_check", NULL, integrity_row, &c,
				     "checking the store", err);
}
