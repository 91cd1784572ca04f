/* The store's file rules (MUST 1-8 and 15 of libguard/store.c): what it
 * opens, what it creates, what it refuses and never recreates. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_fixture.h"

static char dir[64];
static char db[128];

static void setup(void)
{
	store_dir(dir, sizeof(dir));
	snprintf(db, sizeof(db), "%s/guard.db", dir);
}

static void teardown(void)
{
	store_rm(dir);
}

TestSuite(store, .init = setup, .fini = teardown);

/* A store with some history in it, closed. */
/* The damage tests below want every page in the database file and no
 * WAL, as the last connection to close leaves it: made sure of, whatever
 * the store's close does. */
static void checkpointed(void)
{
	char path[160];
	sqlite3 *h = NULL;

	snprintf(path, sizeof(path), "%s/guard.db", dir);
	cr_assert_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_close(h), SQLITE_OK);
}

static void populated(void)
{
	struct guard_policy *p = test_policy(TEST_POLICY);
	struct guard_store *s = store_open(dir);
	struct sreq q;

	sreq_init(&q, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "bob");
	for (int i = 0; i < 50; i++)
		cr_assert_eq(store_outcome(s, p, &q, 0, T0 + i, NULL),
			     GUARD_OUTCOME_GO - (i >= 10));
	/* Alice is locked out after 3 of those refusals, and the rest are
	 * counted on one row: one refusal each of 40 more actors fills the
	 * pages that the bit flips below must hit. */
	for (uint32_t i = 0; i < 40; i++) {
		sreq_init(&q, "dave", 3000 + i, NULL, GUARD_USER_LOCK, "bob");
		cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 50, NULL), GUARD_OUTCOME_DENIED);
		sreq_init(&q, "dave", 4000 + i, NULL, GUARD_USER_DELETE, "bob");
		cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 50, NULL), GUARD_OUTCOME_PENDING);
	}
	guard_store_close(s);
	guard_policy_free(p);
	checkpointed();
}

static int try_open(struct guard_error *err)
{
	struct guard_store *s = NULL;
	int r = store_try_open(dir, 2000, &s, err);

	guard_store_close(s);
	return r;
}

static void assert_refused(int want, const char *words)
{
	struct guard_error err = {0};
	int r = try_open(&err);

	cr_assert_eq(r, want, "open gave %d (%s), expected %d", r, err.message, want);
	cr_assert(strstr(err.message, words) != NULL, "error \"%s\" does not say \"%s\"",
		  err.message, words);
	cr_assert(err.file[0] != '\0', "the error names no file");
}

static struct stat stat_of(const char *path)
{
	struct stat st;

	cr_assert_eq(lstat(path, &st), 0, "%s", path);
	return st;
}

Test(store, creates_a_new_store_0600)
{
	struct guard_store *s = store_open(dir);
	struct stat st = stat_of(db);

	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(st.st_uid, geteuid());
	cr_assert_eq(guard_store_check(s, NULL), 0);
	cr_assert_eq(store_int(s, "PRAGMA user_version"), GUARD_STORE_SCHEMA_VERSION);
	guard_store_close(s);
}

Test(store, must_1_directory_world_writable_refused)
{
	cr_assert_eq(chmod(dir, 0777), 0);
	assert_refused(-EPERM, "mode 0700");
	cr_assert_eq(access(db, F_OK), -1, "a store was created in a 0777 directory");
}

Test(store, must_1_directory_group_readable_refused)
{
	cr_assert_eq(chmod(dir, 0750), 0);
	assert_refused(-EPERM, "mode 0700");
}

Test(store, must_1_directory_wrong_owner_refused)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to chown");
	cr_assert_eq(chown(dir, 4242, 4242), 0);
	assert_refused(-EPERM, "owned by uid 0");
	cr_assert_eq(access(db, F_OK), -1);
}

Test(store, must_1_directory_symlink_refused)
{
	char link[160];
	struct guard_store *s = NULL;
	struct guard_error err = {0};

	snprintf(link, sizeof(link), "%s/link", dir);
	cr_assert_eq(mkdir(link, 0700), 0);
	snprintf(link, sizeof(link), "%s/lnk", dir);
	cr_assert_eq(symlink("link", link), 0);
	cr_assert_lt(store_try_open(link, 1000, &s, &err), 0);
	cr_assert_null(s);
}

Test(store, must_2_symlink_refused_target_untouched)
{
	char target[160];
	struct stat before, after;
	int fd;

	snprintf(target, sizeof(target), "%s/shadow", dir);
	fd = open(target, O_CREAT | O_WRONLY, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "root:x:0:\n", 10), 10);
	close(fd);
	cr_assert_eq(symlink(target, db), 0);
	before = stat_of(target);
	assert_refused(-EPERM, "symlink");
	after = stat_of(target);
	cr_assert_eq(after.st_size, before.st_size);
	cr_assert(S_ISLNK(stat_of(db).st_mode), "the symlink was replaced");
}

Test(store, must_2_symlink_to_a_valid_store_refused)
{
	char real[160];

	populated();
	snprintf(real, sizeof(real), "%s/real.db", dir);
	cr_assert_eq(rename(db, real), 0);
	cr_assert_eq(symlink(real, db), 0);
	assert_refused(-EPERM, "symlink");
}

Test(store, must_2_hard_link_refused)
{
	char other[160];

	populated();
	snprintf(other, sizeof(other), "%s/other", dir);
	cr_assert_eq(link(db, other), 0);
	assert_refused(-EPERM, "hard links");
}

Test(store, must_2_wrong_owner_refused)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to chown");
	populated();
	cr_assert_eq(chown(db, 4242, 4242), 0);
	assert_refused(-EPERM, "owned by uid 0");
	cr_assert_eq(stat_of(db).st_uid, 4242u, "the file was changed");
}

Test(store, must_2_wrong_mode_refused)
{
	static const mode_t modes[] = {0644, 0660, 0666, 0400, 0000, 0700, 04600};

	if (geteuid() != 0)
		cr_skip_test("needs root: a store not owned by root is refused before its mode");
	populated();
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		cr_assert_eq(chmod(db, modes[i]), 0);
		assert_refused(-EPERM, "mode 0600");
		cr_assert_eq(stat_of(db).st_mode & 07777, modes[i]);
	}
}

Test(store, must_2_zero_length_refused_never_recreated)
{
	int fd = open(db, O_CREAT | O_WRONLY | O_EXCL, 0600);

	cr_assert_geq(fd, 0);
	close(fd);
	assert_refused(-EBADMSG, "not a SQLite database");
	cr_assert_eq(stat_of(db).st_size, 0, "the empty store was recreated");
}

Test(store, must_2_not_a_database_refused)
{
	int fd = open(db, O_CREAT | O_WRONLY | O_EXCL, 0600);
	char junk[4096];

	memset(junk, 'x', sizeof(junk));
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	assert_refused(-EBADMSG, "not a SQLite database");
}

Test(store, must_2_foreign_database_refused)
{
	sqlite3 *h = NULL;

	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(
	    sqlite3_exec(h, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	cr_assert_eq(chmod(db, 0600), 0);
	assert_refused(-EBADMSG, "not a Guard store");
}

/* Decides once in a store that may be damaged: 0 when it worked. */
static int decide_once(struct guard_error *err)
{
	struct guard_policy *p = test_policy(TEST_POLICY);
	struct guard_store *s = NULL;
	struct guard_decision_result res;
	struct sreq q;
	int r;

	r = store_try_open(dir, 2000, &s, err);
	if (r == 0) {
		sreq_init(&q, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "carl");
		r = store_decide(s, p, &q, 0, T0 + 100, &res, err);
		guard_verdict_clear(&res.verdict);
	}
	if (r == 0)
		r = guard_store_check(s, err);
	guard_store_close(s);
	guard_policy_free(p);
	return r;
}

Test(store, must_2_truncated_refused_never_recreated)
{
	struct stat before;
	struct guard_error err = {0};
	int r;

	populated();
	before = stat_of(db);
	cr_assert_gt(before.st_size, 8192);
	cr_assert_eq(truncate(db, before.st_size / 2), 0);
	r = decide_once(&err);
	cr_assert_eq(r, -EBADMSG, "a truncated store gave %d: %s", r, err.message);
	cr_assert_eq(stat_of(db).st_ino, before.st_ino, "the store was replaced");
	cr_assert_eq(stat_of(db).st_size, before.st_size / 2, "the store was rewritten");
}

Test(store, must_2_bit_flips_fail_closed_never_recreated)
{
	struct stat before;
	unsigned seed = 1;

	populated();
	before = stat_of(db);
	/* Each round flips bytes in a copy of the populated store's pages
	 * (the header page and beyond): a decision or the integrity check
	 * must fail. */
	for (int round = 0; round < 20; round++) {
		char saved[400];
		struct guard_error err = {0};
		int fd, r;

		snprintf(saved, sizeof(saved), "cp -p '%s' '%s.orig'", db, db);
		if (round == 0)
			cr_assert_eq(system(saved), 0);
		snprintf(saved, sizeof(saved), "cp -p '%s.orig' '%s'", db, db);
		cr_assert_eq(system(saved), 0);
		fd = open(db, O_RDWR);
		cr_assert_geq(fd, 0);
		for (int k = 0; k < 64; k++) {
			off_t off = 100 + (off_t)(rand_r(&seed) % (unsigned)(before.st_size - 100));
			unsigned char c;

			cr_assert_eq(pread(fd, &c, 1, off), 1);
			c ^= (unsigned char)(1u << (rand_r(&seed) % 8));
			cr_assert_eq(pwrite(fd, &c, 1, off), 1);
		}
		close(fd);
		r = decide_once(&err);
		cr_assert_lt(r, 0, "round %d: a damaged store was used", round);
		cr_assert_eq(stat_of(db).st_size, before.st_size, "round %d: rewritten", round);
	}
}

Test(store, must_3_wal_symlink_refused)
{
	char wal[160];

	populated();
	snprintf(wal, sizeof(wal), "%s-wal", db);
	cr_assert_eq(symlink("/etc/passwd", wal), 0);
	assert_refused(-EPERM, "symlink");
}

Test(store, must_3_wal_wrong_owner_or_mode_refused)
{
	char wal[160];
	int fd;

	populated();
	snprintf(wal, sizeof(wal), "%s-wal", db);
	fd = open(wal, O_CREAT | O_WRONLY, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fchmod(fd, 0644), 0);
	close(fd);
	assert_refused(-EPERM, "mode 0600");
	if (geteuid() == 0) {
		cr_assert_eq(chmod(wal, 0600), 0);
		cr_assert_eq(chown(wal, 4242, 4242), 0);
		assert_refused(-EPERM, "owned by uid 0");
	}
}

/* Processes racing to create the store end with one, used by all. */
Test(store, must_4_concurrent_creation_one_store)
{
	enum { N = 24 };
	struct guard_policy *p = test_policy(TEST_POLICY);
	pid_t pids[N];
	struct guard_store *s;

	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		cr_assert_geq(pids[i], 0);
		if (pids[i] == 0) {
			struct guard_store *c = NULL;
			struct guard_error err = {0};
			struct sreq q;

			if (store_try_open(dir, 30000, &c, &err) < 0)
				_exit(3);
			sreq_init(&q, "dave", 1004, NULL, GUARD_USER_LOCK, "bob");
			_exit(store_outcome(c, p, &q, 0, T0, NULL) == GUARD_OUTCOME_DENIED ? 0 : 4);
		}
	}
	for (int i = 0; i < N; i++) {
		int st;

		cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d: status %d", i, st);
	}
	s = store_open(dir);
	/* dave is locked out after 3 refusals: the rest are counted on the
	 * lockout's first refused row (MUST 17). */
	cr_assert_eq(store_int(s, "SELECT count(*) + sum(repeats) FROM decisions"), N);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions"), 4);
	cr_assert_eq(guard_store_check(s, NULL), 0);
	guard_store_close(s);
	{
		/* This test's directory only: other tests run at the same time. */
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' | grep new-)\"", dir);
		cr_assert_eq(system(cmd), 0, "a temporary store was left behind");
	}
	guard_policy_free(p);
}

static void check_modes_under_umask(mode_t mask)
{
	struct guard_policy *p = test_policy(TEST_POLICY);
	struct guard_store *s;
	struct sreq q;
	char path[160];
	mode_t old = umask(mask);

	s = store_open(dir);
	sreq_init(&q, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "bob");
	cr_assert_eq(store_outcome(s, p, &q, 0, T0, NULL), GUARD_OUTCOME_GO);
	umask(old);
	cr_assert_eq(stat_of(db).st_mode & 07777, 0600);
	snprintf(path, sizeof(path), "%s-wal", db);
	cr_assert_eq(stat_of(path).st_mode & 07777, 0600, "-wal under umask %03o", mask);
	snprintf(path, sizeof(path), "%s-shm", db);
	cr_assert_eq(stat_of(path).st_mode & 07777, 0600, "-shm under umask %03o", mask);
	guard_store_close(s);
	guard_policy_free(p);
}

Test(store, must_5_umask_000)
{
	check_modes_under_umask(0);
}

Test(store, must_5_umask_777)
{
	check_modes_under_umask(0777);
}

Test(store, must_6_closed_standard_fds_refused)
{
	pid_t pid = fork();
	int st;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct guard_store *s = NULL;
		struct guard_error err = {0};
		int r;

		close(0);
		r = store_try_open(dir, 1000, &s, &err);
		_exit(r == -EBADF && !s && access(db, F_OK) < 0 ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "open with fd 0 closed did not refuse");
}

Test(store, must_7_connection_settings)
{
	struct guard_store *s = store_open(dir);
	int on = -1;

	cr_assert_eq(sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &on), SQLITE_OK);
	cr_assert_eq(on, 1, "DEFENSIVE is off");
	cr_assert_eq(sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, -1, &on), SQLITE_OK);
	cr_assert_eq(on, 0, "the schema is trusted");
	cr_assert_eq(store_int(s, "PRAGMA synchronous"), 2, "synchronous is not FULL");
	cr_assert_eq(store_int(s, "PRAGMA temp_store"), 2, "temp_store is not MEMORY");
	{
		sqlite3_stmt *st = NULL;

		cr_assert_eq(sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL),
			     SQLITE_OK);
		cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
		cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
	}
	/* DEFENSIVE: the schema cannot be written to directly. */
	cr_assert_neq(sqlite3_exec(s->db,
				   "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET "
				   "sql = '' WHERE name = 'decisions'",
				   NULL, NULL, NULL),
		      SQLITE_OK);
	guard_store_close(s);
}

Test(store, must_8_writes_outside_a_transaction_refused)
{
	struct guard_store *s = store_open(dir);
	struct guard_error err = {0};

	cr_assert_eq(guard_store_freeze(s, "root", "x", 0, T0, &err), -EINVAL);
	cr_assert_eq(guard_store_unlock(s, 1, "root", T0, &err), -EINVAL);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM freezes"), 0);
	guard_store_close(s);
}

Test(store, must_15_newer_schema_refused)
{
	struct guard_store *s = store_open(dir);

	cr_assert_eq(sqlite3_exec(s->db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	guard_store_close(s);
	assert_refused(-EPROTO, "newer");
}

Test(store, must_15_older_schema_migrated)
{
	sqlite3 *h = NULL;
	struct guard_store *s;

	/* A version 0 store: Guard's id, no tables yet. */
	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h,
				  "PRAGMA application_id = 1196573745; PRAGMA journal_mode = WAL;"
				  "CREATE TABLE placeholder(x); DROP TABLE placeholder;",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	sqlite3_close(h);
	cr_assert_eq(chmod(db, 0600), 0);
	s = store_open(dir);
	cr_assert_eq(store_int(s, "PRAGMA user_version"), GUARD_STORE_SCHEMA_VERSION);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM approvals"), 0);
	guard_store_close(s);
}

Test(store, missing_store_with_no_create_is_an_error)
{
	struct guard_store_options o = {.dir = dir, .no_create = true, .owner = geteuid()};
	struct guard_store *s = NULL;
	struct guard_error err = {0};

	cr_assert_eq(guard_store_open(&o, &s, &err), -ENOENT);
	cr_assert_eq(access(db, F_OK), -1);
}

Test(store, database_fd_is_above_2)
{
	struct guard_store *s = store_open(dir);
	char link[64], target[256];
	int found = 0;

	for (int fd = 3; fd < 256; fd++) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found += strcmp(target, db) == 0;
	}
	for (int fd = 0; fd <= 2; fd++) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			cr_assert_str_neq(target, db, "the store is on fd %d", fd);
		}
	}
	cr_assert_geq(found, 1);
	guard_store_close(s);
}
