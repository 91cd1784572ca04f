/* The state store: opening, creating, checking, transactions, the clock.
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
 *         temporary data in memory, and no checkpoint on close (the WAL is
 *         checkpointed every 256 pages and kept under 1 MiB, not by every
 *         short-lived guardctl).
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
 *         s->spends; store_decide.c retries FULL when one did).
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

/* "GRD1": PRAGMA application_id of a Guard store. */
#define GUARD_APPLICATION_ID 0x47524431

/* The schema, one migration per version: migrations[v] takes a store from
 * version v to v + 1. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO meta(key, value) VALUES ('clock', 0);"
    /* One row per decided request; its actions in decision_actions. */
    "CREATE TABLE decisions("
    " id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,"
    " actor_uid INTEGER NOT NULL, service TEXT NOT NULL, decision TEXT NOT NULL,"
    " mode TEXT NOT NULL, host TEXT, tty TEXT, argv TEXT, reason TEXT,"
    " break_glass INTEGER NOT NULL DEFAULT 0, approval_id INTEGER,"
    " exit_status INTEGER);"
    "CREATE INDEX decisions_actor_at ON decisions(actor_uid, at);"
    "CREATE INDEX decisions_at ON decisions(at);"
    "CREATE TABLE decision_actions("
    " decision_id INTEGER NOT NULL REFERENCES decisions(id), action TEXT NOT NULL,"
    " target TEXT, grp TEXT, decision TEXT NOT NULL, rule TEXT, why TEXT,"
    " break_glass INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX decision_actions_id ON decision_actions(decision_id);"
    "CREATE TABLE limit_uses("
    " id INTEGER PRIMARY KEY, actor_uid INTEGER NOT NULL, rule TEXT NOT NULL,"
    " at INTEGER NOT NULL, decision_id INTEGER NOT NULL);"
    "CREATE INDEX limit_uses_actor ON limit_uses(actor_uid, rule, at);"
    "CREATE TABLE watch_alerts("
    " id INTEGER PRIMARY KEY, actor_uid INTEGER NOT NULL, watch TEXT NOT NULL,"
    " at INTEGER NOT NULL, count INTEGER NOT NULL);"
    "CREATE INDEX watch_alerts_actor ON watch_alerts(actor_uid, watch, at);"
    "CREATE TABLE lockouts("
    " id INTEGER PRIMARY KEY, actor_uid INTEGER NOT NULL, actor TEXT NOT NULL,"
    " watch TEXT NOT NULL, since INTEGER NOT NULL, until INTEGER NOT NULL,"
    " lifted_by TEXT, lifted_at INTEGER);"
    "CREATE INDEX lockouts_actor ON lockouts(actor_uid, until);"
    "CREATE TABLE freezes("
    " id INTEGER PRIMARY KEY, by TEXT NOT NULL, reason TEXT NOT NULL,"
    " since INTEGER NOT NULL, until INTEGER NOT NULL, thawed_by TEXT, thawed_at INTEGER);"
    "CREATE TABLE break_glass("
    " id INTEGER PRIMARY KEY, actor_uid INTEGER NOT NULL, actor TEXT NOT NULL,"
    " reason TEXT NOT NULL, since INTEGER NOT NULL, until INTEGER NOT NULL);"
    "CREATE INDEX break_glass_actor ON break_glass(actor_uid, until);"
    "CREATE TABLE approvals("
    " id INTEGER PRIMARY KEY, requester TEXT NOT NULL, requester_uid INTEGER NOT NULL,"
    " host TEXT NOT NULL, service TEXT NOT NULL, argv TEXT, shown_argv TEXT,"
    " action TEXT, target TEXT, hash TEXT NOT NULL, reason TEXT, rules TEXT NOT NULL,"
    " needed INTEGER NOT NULL, status TEXT NOT NULL, created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL, decided_at INTEGER, decided_by TEXT, comment TEXT,"
    " used INTEGER NOT NULL DEFAULT 0, used_at INTEGER, decision_id INTEGER);"
    "CREATE INDEX approvals_requester ON approvals(requester_uid, hash, status);"
    "CREATE TABLE approval_votes("
    " approval_id INTEGER NOT NULL REFERENCES approvals(id), approver_uid INTEGER NOT NULL,"
    " approver TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(approval_id, approver_uid));",
    /* 1 -> 2: repeated refusals during a lockout counted on one row
     * (repeats, last_at; the lockout's first refusal in decision_id), and
     * what retention prunes by time indexed. */
    "ALTER TABLE decisions ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE decisions ADD COLUMN last_at INTEGER;"
    "ALTER TABLE lockouts ADD COLUMN decision_id INTEGER;"
    "CREATE INDEX limit_uses_at ON limit_uses(at);"
    "CREATE INDEX watch_alerts_at ON watch_alerts(at);"
    "CREATE INDEX lockouts_until ON lockouts(until);"
    "CREATE INDEX break_glass_until ON break_glass(until);"
    "CREATE INDEX approvals_expires ON approvals(expires);",
    /* 2 -> 3: what an approval was given for beyond its binding hash: the
     * identities its names resolved to, its actions, its rules' terms
     * (libguard/approval_terms.h). Requests filed before stay listed and
     * are never spent: their idents are NULL, which fails closed. */
    "ALTER TABLE approvals ADD COLUMN idents TEXT;"
    "ALTER TABLE approvals ADD COLUMN idents_n INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE approvals ADD COLUMN idents_digest TEXT;"
    "ALTER TABLE approvals ADD COLUMN actions TEXT;"
    "ALTER TABLE approvals ADD COLUMN actions_n INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE approvals ADD COLUMN rule_terms TEXT;",
};

static_assert(sizeof(migrations) / sizeof(migrations[0]) == GUARD_STORE_SCHEMA_VERSION,
	      "one migration per schema version");

/* ---- Transactions open in this process (MUST 16) ---- */

static unsigned open_txns;

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

/* A migration rewrites indexes once per upgrade: it gets this many bounds. */
#define MIGRATION_BOUNDS 12

static void set_in_txn_for(struct guard_store *s, bool on, int64_t limit_ms)
{
	if (s->in_txn == on)
		return;
	s->in_txn = on;
	if (on) {
		open_txns++;
		s->txn_deadline_ms = monotonic_ms() + limit_ms;
	} else {
		open_txns--;
		s->txn_deadline_ms = 0;
	}
	arm_killer(s, on, limit_ms);
}

static void set_in_txn(struct guard_store *s, bool on)
{
	set_in_txn_for(s, on, s->txn_limit_ms);
}

bool guard_store_txn_open(void)
{
	return open_txns > 0;
}

/* Called by SQLite every few hundred instructions: past the transaction's
 * bound, the running statement is interrupted (SQLITE_INTERRUPT), which
 * fails the decision closed and rolls it back. */
static int past_deadline(void *arg)
{
	const struct guard_store *s = arg;

	return s->txn_deadline_ms > 0 && monotonic_ms() > s->txn_deadline_ms;
}

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
	int rc = sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);

	if (rc != SQLITE_OK) {
		*ret = NULL;
		return guard_store_fail(s, rc, "reading the store", err);
	}
	return 0;
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

static int exec_sql(struct guard_store *s, const char *sql, const char *what,
		    struct guard_error *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return guard_store_fail(s, rc, what, err);
	return 0;
}

/* Runs a pragma that returns one value and compares it (text) with want. */
static int pragma_expect(struct guard_store *s, const char *sql, const char *want,
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
	sqlite3_finalize(st);
	return r;
}

static int pragma_int(struct guard_store *s, const char *sql, int64_t *ret, struct guard_error *err)
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
	sqlite3_finalize(st);
	return r;
}

/* ---- File checks ---- */

static int fds_0_to_2_open(struct guard_error *err)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			guard_error_set(err, "", 0,
					"file descriptor %d is closed: the state store is not "
					"opened (it could land on a standard stream)",
					fd);
			return -EBADF;
		}
	return 0;
}

static int check_dir(int dirfd, const char *dir, uid_t owner, struct guard_error *err)
{
	struct stat st;

	if (fstat(dirfd, &st) < 0) {
		int r = -errno;

		guard_error_set(err, dir, 0, "cannot stat the state directory: %s", strerror(-r));
		return r;
	}
	if (!S_ISDIR(st.st_mode)) {
		guard_error_set(err, dir, 0, "the state directory is not a directory; refused");
		return -EPERM;
	}
	if (st.st_uid != owner || (st.st_mode & 077) != 0) {
		guard_error_set(err, dir, 0,
				"the state directory must be owned by uid %u with mode 0700 "
				"(it is uid %u, mode %04o); refused",
				(unsigned)owner, (unsigned)st.st_uid,
				(unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* Type, links, owner and mode of a store file, on an open fd or by name
 * (without following a symlink). */
static int check_stat(const struct stat *st, const char *path, uid_t owner, struct guard_error *err)
{
	if (S_ISLNK(st->st_mode)) {
		guard_error_set(err, path, 0, "is a symlink; refused (never recreated)");
		return -EPERM;
	}
	if (!S_ISREG(st->st_mode)) {
		guard_error_set(err, path, 0, "is not a regular file; refused");
		return -EPERM;
	}
	if (st->st_nlink != 1) {
		guard_error_set(err, path, 0,
				"has %lu hard links (a store file has exactly one); refused",
				(unsigned long)st->st_nlink);
		return -EPERM;
	}
	if (st->st_uid != owner || (st->st_mode & 07777) != 0600) {
		guard_error_set(err, path, 0,
				"must be owned by uid %u with mode 0600 (it is uid %u, mode %04o); "
				"refused",
				(unsigned)owner, (unsigned)st->st_uid,
				(unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* The SQLite header: magic, and Guard's application id (offset 68). */
static int check_header(int fd, const char *path, struct guard_error *err)
{
	unsigned char h[100];
	ssize_t n;
	uint32_t app;

	do
		n = pread(fd, h, sizeof(h), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int r = -errno;

		guard_error_set(err, path, 0, "cannot read: %s; refused", strerror(-r));
		return r;
	}
	if ((size_t)n < sizeof(h) || memcmp(h, "SQLite format 3", 16) != 0) {
		guard_error_set(err, path, 0,
				"is not a SQLite database (%s); refused. It is never recreated "
				"automatically: restore it from a backup or move it aside",
				n == 0 ? "empty" : "bad header");
		return -EBADMSG;
	}
	app = (uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71];
	if (app != GUARD_APPLICATION_ID) {
		guard_error_set(err, path, 0,
				"is not a Guard store (application id %08x); refused. It is "
				"never recreated automatically",
				app);
		return -EBADMSG;
	}
	return 0;
}

static int check_aux(int dirfd, const char *dir, const char *name, uid_t owner,
		     struct guard_error *err)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		int r = -errno;

		guard_error_set(err, path, 0, "cannot stat: %s; refused", strerror(-r));
		return r;
	}
	/* No link left: another connection's last close is removing it right
	 * now (SQLite deletes the -wal then). As good as absent; a planted
	 * hard link has two. */
	if (st.st_nlink == 0)
		return 0;
	return check_stat(&st, path, owner, err);
}

/* ---- Connection setup and schema ---- */

static int configure(struct guard_store *s, struct guard_error *err)
{
	int rc, on = 0, r;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_progress_handler(s->db, 1000, past_deadline, s);
	rc = sqlite3_busy_timeout(s->db, s->busy_timeout_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
	if (rc == SQLITE_OK && on != 1)
		rc = SQLITE_ERROR;
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if (rc != SQLITE_OK)
		return guard_store_fail(s, rc, "configuring the store", err);
	/* The WAL outlives each process (no checkpoint on close): checkpointed
	 * every 256 pages and cut back to 1 MiB, so it stays small. */
	r = exec_sql(s,
		     "PRAGMA temp_store = MEMORY; PRAGMA cell_size_check = ON;"
		     " PRAGMA wal_autocheckpoint = 256; PRAGMA journal_size_limit = 1048576;",
		     "configuring the store", err);
	if (r == 0)
		r = pragma_expect(s, "PRAGMA journal_mode = WAL", "wal", err);
	if (r == 0)
		r = exec_sql(s, "PRAGMA synchronous = FULL", "configuring the store", err);
	if (r == 0)
		r = pragma_expect(s, "PRAGMA synchronous", "2", err);
	return r;
}

/* Brings the schema to GUARD_STORE_SCHEMA_VERSION; refuses a newer one. */
static int migrate(struct guard_store *s, struct guard_error *err)
{
	int64_t version = -1, app = 0; /* refused unless read */
	int r;

	r = pragma_int(s, "PRAGMA application_id", &app, err);
	if (r == 0)
		r = pragma_int(s, "PRAGMA user_version", &version, err);
	if (r < 0)
		return r;
	if (app != GUARD_APPLICATION_ID) {
		guard_error_set(err, s->path, 0, "is not a Guard store; refused");
		return -EBADMSG;
	}
	if (version > GUARD_STORE_SCHEMA_VERSION || version < 0) {
		guard_error_set(err, s->path, 0,
				"schema version %lld is newer than this Guard's (%d); refused",
				(long long)version, GUARD_STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	if (version == GUARD_STORE_SCHEMA_VERSION)
		return 0;

	r = exec_sql(s, "BEGIN IMMEDIATE", "migrating the store", err);
	if (r < 0)
		return r;
	set_in_txn_for(s, true, (int64_t)MIGRATION_BOUNDS * s->txn_limit_ms);
	r = pragma_int(s, "PRAGMA user_version", &version, err);
	for (; r == 0 && version < GUARD_STORE_SCHEMA_VERSION; version++) {
		char sql[64];

		r = exec_sql(s, migrations[version], "migrating the store", err);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)version + 1);
		if (r == 0)
			r = exec_sql(s, sql, "migrating the store", err);
	}
	if (r == 0)
		return guard_store_commit(s, err);
	guard_store_rollback(s);
	return r;
}

/* Builds a complete store in a temporary file next to the real one and
 * renames it into place unless one appeared meanwhile (MUST 4, 5). */
static int create_store(int dirfd, const char *dir, uid_t owner, int timeout_ms,
			struct guard_error *err)
{
	struct guard_store tmp = {.busy_timeout_ms = timeout_ms,
				  .txn_limit_ms = GUARD_STORE_TXN_LIMIT_MS};
	char path[4096], side[4200];
	int fd, r = 0, rc;

	snprintf(path, sizeof(path), "%s/." GUARD_STORE_FILE ".new-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		guard_error_set(err, dir, 0, "cannot create the state store: %s", strerror(-r));
		return r;
	}
	if (fchmod(fd, 0600) < 0 || fchown(fd, owner, owner == 0 ? 0 : (gid_t)-1) < 0) {
		r = -errno;
		guard_error_set(err, path, 0, "cannot set the store's owner and mode: %s",
				strerror(-r));
		close(fd);
		goto out;
	}
	close(fd);

	tmp.path = path;
	rc = sqlite3_open_v2(path, &tmp.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		r = guard_store_fail(&tmp, rc, "creating the store", err);
		goto out;
	}
	rc = sqlite3_db_config(tmp.db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (rc != SQLITE_OK) {
		r = guard_store_fail(&tmp, rc, "creating the store", err);
		goto out;
	}
	r = exec_sql(&tmp, "PRAGMA synchronous = FULL; PRAGMA application_id = 1196573745;",
		     "creating the store", err);
	if (r == 0)
		r = migrate(&tmp, err);
	if (r == 0)
		r = pragma_expect(&tmp, "PRAGMA journal_mode = WAL", "wal", err);
	if (r < 0)
		goto out;
	rc = sqlite3_close(tmp.db);
	tmp.db = NULL;
	if (rc != SQLITE_OK) {
		r = guard_store_fail(&tmp, rc, "creating the store", err);
		goto out;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		r = -errno;
		guard_error_set(err, path, 0, "cannot sync the new store: %s", strerror(-r));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	if (renameat2(AT_FDCWD, path, dirfd, GUARD_STORE_FILE, RENAME_NOREPLACE) < 0) {
		if (errno != EEXIST) {
			r = -errno;
			guard_error_set(err, dir, 0, "cannot move the new store into place: %s",
					strerror(-r));
		}
		goto out; /* another process created it first: use theirs */
	}
	if (fsync(dirfd) < 0) {
		r = -errno;
		guard_error_set(err, dir, 0, "cannot sync the state directory: %s", strerror(-r));
	}
	return r;
out:
	if (tmp.db)
		sqlite3_close(tmp.db);
	unlink(path);
	snprintf(side, sizeof(side), "%s-journal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return r;
}

/* Opens the database file by name (creating it when missing and allowed)
 * and checks it on the same fd (MUST 2). Returns the open fd. */
static int open_db_file(int dirfd, const struct guard_store_options *o, const char *dir,
			const char *path, int timeout_ms, struct stat *ret_st,
			struct guard_error *err)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		int fd = openat(dirfd, GUARD_STORE_FILE,
				O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		int r;

		if (fd < 0 && errno == ENOENT && !o->no_create) {
			r = create_store(dirfd, dir, o->owner, timeout_ms, err);
			if (r < 0)
				return r;
			continue;
		}
		if (fd < 0) {
			r = -errno;
			if (r == -ELOOP)
				guard_error_set(err, path, 0,
						"is a symlink; refused (never recreated)");
			else if (r == -ENOENT)
				guard_error_set(err, path, 0, "the state store does not exist");
			else
				guard_error_set(err, path, 0, "cannot open the state store: %s",
						strerror(-r));
			return r == -ELOOP ? -EPERM : r;
		}
		if (fstat(fd, ret_st) < 0) {
			r = -errno;
			guard_error_set(err, path, 0, "cannot stat: %s", strerror(-r));
			close(fd);
			return r;
		}
		r = check_stat(ret_st, path, o->owner, err);
		if (r == 0)
			r = check_header(fd, path, err);
		if (r < 0) {
			close(fd);
			return r;
		}
		return fd;
	}
	guard_error_set(err, path, 0, "the state store vanished while being created");
	return -EIO;
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
	r = fds_0_to_2_open(err);
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
	r = check_dir(dirfd, dir, o->owner, err);
	if (r < 0)
		goto fail;

	/* MUST 2, 4: the database file, created aside when missing. */
	fd = open_db_file(dirfd, o, dir, s->path, s->busy_timeout_ms, &fst, err);
	if (fd < 0) {
		r = fd;
		goto fail;
	}
	/* MUST 3: what SQLite will open next to it. */
	r = check_aux(dirfd, dir, GUARD_STORE_FILE "-wal", o->owner, err);
	if (r == 0)
		r = check_aux(dirfd, dir, GUARD_STORE_FILE "-shm", o->owner, err);
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
		r = migrate(s, err);
	if (r == 0) {
		/* Parses the schema: a damaged one fails here, not mid-decision. */
		r = exec_sql(s, "SELECT count(*) FROM sqlite_schema", "reading the store", err);
	}
	/* MUST 5: WAL files made by this connection are 0600 (SQLite gives
	 * them the database's mode); check that they are. */
	if (r == 0)
		r = check_aux(dirfd, dir, GUARD_STORE_FILE "-wal", o->owner, err);
	if (r == 0)
		r = check_aux(dirfd, dir, GUARD_STORE_FILE "-shm", o->owner, err);
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

int guard_store_check(struct guard_store *s, struct guard_error *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc;
	bool ok = false;

	r = guard_store_prepare(s, "PRAGMA integrity_check", &st, err);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);

		ok = v && strcmp((const char *)v, "ok") == 0;
		if (!ok)
			guard_error_set(err, s->path, 0, "integrity check failed: %s",
					v ? (const char *)v : "");
	} else {
		r = guard_store_fail(s, rc, "checking the store", err);
	}
	sqlite3_finalize(st);
	if (r < 0)
		return r;
	return ok ? 0 : -EBADMSG;
}

/* ---- Transactions and the clock ---- */

/* MUST 19: the level of the transaction about to begin. SQLite takes it
 * only outside a transaction. */
static int set_light(struct guard_store *s, bool light, struct guard_error *err)
{
	int r;

	if (s->light == light)
		return 0;
	r = exec_sql(s, light ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL",
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
	sqlite3_stmt *st = NULL;
	int64_t clock = 0, now;
	int r, rc;

	if (!s || !s->db || s->in_txn) {
		guard_error_set(err, s && s->path ? s->path : "", 0,
				"internal error: nested or invalid transaction");
		return -EINVAL;
	}
	r = set_light(s, light, err);
	if (r == 0)
		r = exec_sql(s, "BEGIN IMMEDIATE", "locking the store", err);
	if (r < 0)
		return r;
	set_in_txn(s, true);
	s->spends = 0;

	/* MUST 11: the clock is the later of the wall clock and the store's. */
	r = guard_store_prepare(s, "SELECT value FROM meta WHERE key = 'clock'", &st, err);
	if (r < 0)
		goto fail;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		clock = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		r = guard_store_fail(s, rc, "reading the store's clock", err);
	sqlite3_finalize(st);
	if (r < 0)
		goto fail;
	now = wall_now > clock ? wall_now : clock;
	if (now != clock) {
		r = guard_store_prepare(
		    s, "INSERT OR REPLACE INTO meta(key, value) VALUES ('clock', ?)", &st, err);
		if (r < 0)
			goto fail;
		sqlite3_bind_int64(st, 1, now);
		r = guard_store_step_done(s, st, "writing the store's clock", err);
		sqlite3_finalize(st);
		if (r < 0)
			goto fail;
	}
	*ret_now = now;
	return 0;
fail:
	guard_store_rollback(s);
	return r;
}

int guard_store_commit(struct guard_store *s, struct guard_error *err)
{
	int rc;

	if (!s || !s->db || !s->in_txn) {
		guard_error_set(err, s && s->path ? s->path : "", 0,
				"internal error: commit without a transaction");
		return -EINVAL;
	}
	/* MUST 19: never light when something was spent. */
	if (s->light && s->spends > 0) {
		guard_error_set(err, s->path, 0, "internal error: a light commit that spends");
		guard_store_rollback(s);
		return -EINVAL;
	}
	/* MUST 16: a transaction held past its bound is not committed. */
	rc = past_deadline(s) ? SQLITE_INTERRUPT : sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		/* MUST 9: a failed commit (SQLITE_BUSY, disk full, I/O) leaves
		 * the transaction open; roll it back and refuse. */
		int r = guard_store_fail(s, rc, "committing the decision", err);

		guard_store_rollback(s);
		return r;
	}
	set_in_txn(s, false);
	return 0;
}

void guard_store_rollback(struct guard_store *s)
{
	if (!s || !s->db)
		return;
	/* ROLLBACK is not interrupted by the deadline: the bound is off
	 * before it runs. */
	set_in_txn(s, false);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}
