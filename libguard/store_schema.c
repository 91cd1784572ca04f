/* The store's schema: the migrations from each version to the next, and a
 * new store built complete aside and moved into place (MUST 4, 5, 15 of
 * store.c). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_internal.h"

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
    /* 3 -> 4: the account databases as verify last saw them (passwords by
     * keyed hash only), the key, and when (0: never: verify --init). */
    "CREATE TABLE accounts_seen("
    " kind TEXT NOT NULL, name TEXT NOT NULL, id INTEGER NOT NULL, gid INTEGER,"
    " home TEXT, shell TEXT, members TEXT, password INTEGER NOT NULL, mac TEXT NOT NULL,"
    " PRIMARY KEY(kind, name));"
    "CREATE TABLE secrets(name TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "INSERT INTO meta(key, value) VALUES ('accounts_seen_at', 0);"
    /* The changes verify reported, for guardctl report. */
    "CREATE TABLE account_changes("
    " id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,"
    " change TEXT NOT NULL, member TEXT, text TEXT NOT NULL);"
    "CREATE INDEX account_changes_at ON account_changes(at);"
    /* What a signed approval names besides the request (guardctl approve
     * --signature); requests filed before have none and are approved
     * locally only. */
    "ALTER TABLE approvals ADD COLUMN nonce TEXT;",
};

static_assert(sizeof(migrations) / sizeof(migrations[0]) == GUARD_STORE_SCHEMA_VERSION,
	      "one migration per schema version");

/* A migration rewrites indexes once per upgrade: it gets this many bounds. */
#define MIGRATION_BOUNDS 12

/* Brings the schema to GUARD_STORE_SCHEMA_VERSION; refuses a newer one. */
int guard_store_migrate(struct guard_store *s, struct guard_error *err)
{
	int64_t version = -1, app = 0; /* refused unless read */
	int r;

	r = guard_store_pragma_int(s, "PRAGMA application_id", &app, err);
	if (r == 0)
		r = guard_store_pragma_int(s, "PRAGMA user_version", &version, err);
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

	r = guard_store_exec(s, "BEGIN IMMEDIATE", "migrating the store", err);
	if (r < 0)
		return r;
	guard_store_set_in_txn_for(s, true, (int64_t)MIGRATION_BOUNDS * s->txn_limit_ms);
	r = guard_store_pragma_int(s, "PRAGMA user_version", &version, err);
	for (; r == 0 && version < GUARD_STORE_SCHEMA_VERSION; version++) {
		char sql[64];

		r = guard_store_exec(s, migrations[version], "migrating the store", err);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)version + 1);
		if (r == 0)
			r = guard_store_exec(s, sql, "migrating the store", err);
	}
	if (r == 0)
		return guard_store_commit(s, err);
	guard_store_rollback(s);
	return r;
}

/* Builds a complete store in a temporary file next to the real one and
 * renames it into place unless one appeared meanwhile (MUST 4, 5). */
int guard_store_create(int dirfd, const char *dir, uid_t owner, int timeout_ms,
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
	r = guard_store_exec(&tmp, "PRAGMA synchronous = FULL; PRAGMA application_id = 1196573745;",
			     "creating the store", err);
	if (r == 0)
		r = guard_store_migrate(&tmp, err);
	if (r == 0)
		r = guard_store_pragma_expect(&tmp, "PRAGMA journal_mode = WAL", "wal", err);
	if (r < 0)
		goto out;
	guard_store_release_all(&tmp);
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
	if (tmp.db) {
		guard_store_release_all(&tmp);
		sqlite3_close(tmp.db);
	}
	unlink(path);
	snprintf(side, sizeof(side), "%s-journal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return r;
}
