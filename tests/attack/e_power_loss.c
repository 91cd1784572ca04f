/* e_power_loss DIR: docs/threat-model.md E36, a power loss right after a commit
 * returned, simulated in software (no dm-flakey, no VM needed).
 *
 * A "power-loss" VFS wraps SQLite's unix VFS and becomes the default one,
 * so the store opens through it unchanged. Every xSync of a file copies the
 * file's bytes as they are then to FILE.durable; nothing else is durable.
 * For each cut k, in a fresh store under DIR:
 *
 *   a child opens the store through the libguard API and makes the first k
 *   commits of a sequence (a request filed, approved, spent by a run, the
 *   run's exit status, a plain run, limited runs), then _exit()s without
 *   closing;
 *   the power goes: every file with a durable copy is put back to that
 *   copy, every file never synced is deleted (the -shm always is);
 *   another child opens the store with the plain unix VFS: the store opens,
 *   integrity_check is ok, and every commit that spent something is there:
 *   the approval spent stays spent (and cannot be spent again), the limit
 *   uses stay counted. The two light commits (store.c MUST 19: the exit
 *   status, a run that spends nothing) are lost when no FULL commit came
 *   after them, and only then: what a synchronous=NORMAL commit may lose.
 *
 * Two controls on a bare WAL database show that the simulation loses what
 * SQLite never synced: with synchronous=NORMAL a commit that returned is
 * gone after the cut (why the store needs FULL), with FULL it stays.
 *
 * Prints one line per check ("ok ..." or "FAIL ..."); exits 1 when any check
 * failed, 2 when the test itself could not run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy.h"
#include "store.h"

#define SHADOW_SUFFIX ".durable"

/* 2026-03-02 10:00:00 UTC; each commit of the sequence a minute later. */
#define T0 1772445600

static const char policy_text[] = "settings {\n"
				  "  timezone = \"UTC\"\n"
				  "  audit = off\n"
				  "  approvers = { \"%guard-approvers\" }\n"
				  "  approval_ttl = 30m\n"
				  "}\n"
				  "rule \"limited\" {\n"
				  "  actions = { \"user.create\" }\n"
				  "  actors = { \"%helpdesk\" }\n"
				  "  limit = \"3/1h\"\n"
				  "  decision = allow\n"
				  "}\n"
				  "rule \"plain\" {\n"
				  "  actions = { \"user.modify\" }\n"
				  "  actors = { \"%helpdesk\" }\n"
				  "  decision = allow\n"
				  "}\n"
				  "rule \"needs-approval\" {\n"
				  "  actions = { \"user.delete\" }\n"
				  "  decision = approve\n"
				  "}\n";

static int failures;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	fputs(ok ? "ok   " : "FAIL ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failures++;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("e_power_loss: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* ---- The power-loss VFS ---- */

/* The unix VFS's own file, with what this VFS adds after it. Its methods
 * are the unix ones (which differ: the database's lock, a -wal's do not) but
 * for xSync and xClose. */
struct pl_extra {
	const sqlite3_io_methods *real;
	char *shadow; /* NULL: a temporary file, nothing to keep */
};

#define MAX_METHODS 4

static sqlite3_vfs *unix_vfs;
static sqlite3_vfs pl_vfs;
static const sqlite3_io_methods *real_io[MAX_METHODS];
static sqlite3_io_methods pl_io[MAX_METHODS];
static int extra_offset;
static unsigned pl_opens, pl_syncs;

static struct pl_extra *extra(sqlite3_file *file)
{
	return (struct pl_extra *)((char *)file + extra_offset);
}

/* The file's bytes, read through SQLite's own file (never a second fd:
 * closing one would drop the POSIX locks SQLite holds), to its shadow. */
static int save_durable(sqlite3_file *file, const sqlite3_io_methods *io, const char *shadow)
{
	char buf[65536], tmp[4200];
	sqlite3_int64 size, off;
	int fd, rc;

	rc = io->xFileSize(file, &size);
	if (rc != SQLITE_OK)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp", shadow);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return SQLITE_IOERR_FSYNC;
	for (off = 0; off < size; off += (sqlite3_int64)sizeof(buf)) {
		int n =
		    size - off < (sqlite3_int64)sizeof(buf) ? (int)(size - off) : (int)sizeof(buf);

		rc = io->xRead(file, buf, n, off);
		if (rc != SQLITE_OK || write(fd, buf, (size_t)n) != n) {
			close(fd);
			unlink(tmp);
			return rc != SQLITE_OK ? rc : SQLITE_IOERR_FSYNC;
		}
	}
	if (close(fd) < 0 || rename(tmp, shadow) < 0)
		return SQLITE_IOERR_FSYNC;
	return SQLITE_OK;
}

/* Only xSync makes anything durable. (SQLITE_FCNTL_SYNC does not: it also
 * comes when synchronous=OFF skips the sync.) */
static int pl_sync(sqlite3_file *file, int flags)
{
	const struct pl_extra *x = extra(file);
	int rc = x->real->xSync(file, flags);

	pl_syncs++;
	if (rc == SQLITE_OK && x->shadow)
		rc = save_durable(file, x->real, x->shadow);
	return rc;
}

static int pl_close(sqlite3_file *file)
{
	struct pl_extra *x = extra(file);

	sqlite3_free(x->shadow);
	x->shadow = NULL;
	return x->real->xClose(file);
}

static int pl_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
		   int *out_flags)
{
	char *shadow = NULL;
	int rc, i;

	(void)vfs;
	if (name) {
		shadow = sqlite3_mprintf("%s" SHADOW_SUFFIX, name);
		if (!shadow)
			return SQLITE_NOMEM;
	}
	rc = unix_vfs->xOpen(unix_vfs, name, file, flags, out_flags);
	if (rc != SQLITE_OK || !file->pMethods) {
		sqlite3_free(shadow);
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	for (i = 0; i < MAX_METHODS && real_io[i] && real_io[i] != file->pMethods; i++)
		;
	if (i == MAX_METHODS) {
		file->pMethods->xClose(file);
		sqlite3_free(shadow);
		return SQLITE_CANTOPEN;
	}
	if (!real_io[i]) {
		real_io[i] = file->pMethods;
		pl_io[i] = *file->pMethods;
		pl_io[i].xSync = pl_sync;
		pl_io[i].xClose = pl_close;
	}
	if (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL))
		pl_opens++;
	extra(file)->real = real_io[i];
	extra(file)->shadow = shadow;
	file->pMethods = &pl_io[i];
	return SQLITE_OK;
}

/* An unlink is durable only with the directory synced after it; without,
 * the power loss brings the file back as it was last synced. */
static int pl_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	if (sync_dir) {
		char shadow[4200];

		snprintf(shadow, sizeof(shadow), "%s" SHADOW_SUFFIX, name);
		unlink(shadow);
	}
	return unix_vfs->xDelete(unix_vfs, name, sync_dir);
}

/* Makes the power-loss VFS the default: every sqlite3_open_v2 with no VFS
 * name (the store's) goes through it from now on. It is the unix VFS but
 * for xOpen and xDelete. */
static void install_power_loss_vfs(void)
{
	unix_vfs = sqlite3_vfs_find("unix");
	if (!unix_vfs)
		die("no unix VFS in this SQLite");
	pl_vfs = *unix_vfs;
	pl_vfs.pNext = NULL;
	pl_vfs.zName = "power-loss";
	extra_offset = (unix_vfs->szOsFile + 15) & ~15;
	pl_vfs.szOsFile = extra_offset + (int)sizeof(struct pl_extra);
	pl_vfs.xOpen = pl_open;
	pl_vfs.xDelete = pl_delete;
	if (sqlite3_vfs_register(&pl_vfs, 1) != SQLITE_OK)
		die("cannot register the power-loss VFS");
}

/* ---- The power cut, on the files of a directory ---- */

static bool is_shadow(const char *name)
{
	size_t n = strlen(name), s = strlen(SHADOW_SUFFIX);

	return n > s && strcmp(name + n - s, SHADOW_SUFFIX) == 0;
}

/* Calls fn(dir, name) for each file of dir but "." and "..". */
static void each_file(const char *dir, void (*fn)(const char *dir, const char *name, void *arg),
		      void *arg)
{
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	DIR *d = opendir(dir);

	if (!d)
		die("%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n] = strdup(e->d_name)))
			die("out of memory");
		n++;
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		fn(dir, names[i], arg);
		free(names[i]);
	}
	free(names);
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC), out;

	if (in < 0)
		die("%s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		die("%s: %s", to, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			die("%s: %s", to, strerror(errno));
	if (n < 0 || close(out) < 0)
		die("copying %s: %s", from, strerror(errno));
	close(in);
}

/* After a clean close everything is on disk: each file is its own durable
 * copy. */
static void make_durable(const char *dir, const char *name, void *arg)
{
	char path[4096], shadow[4200];

	(void)arg;
	if (is_shadow(name))
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(shadow, sizeof(shadow), "%s" SHADOW_SUFFIX, path);
	copy_file(path, shadow);
}

struct cut_report {
	char lost[512];	    /* files deleted: never synced */
	char reverted[512]; /* files put back to their last sync */
};

static void note(char *list, size_t size, const char *name)
{
	size_t len = strlen(list);

	snprintf(list + len, size - len, "%s%s", len ? " " : "", name);
}

/* The power goes, in two passes: a file never synced is gone; then each
 * durable copy becomes its file (one deleted since comes back). */
static void drop_unsynced(const char *dir, const char *name, void *arg)
{
	struct cut_report *rep = arg;
	char path[4096], shadow[4200];
	struct stat st;

	if (is_shadow(name))
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(shadow, sizeof(shadow), "%s" SHADOW_SUFFIX, path);
	if (lstat(shadow, &st) == 0)
		return;
	if (unlink(path) < 0)
		die("%s: %s", path, strerror(errno));
	note(rep->lost, sizeof(rep->lost), name);
}

static void restore_synced(const char *dir, const char *name, void *arg)
{
	struct cut_report *rep = arg;
	char path[4096], shadow[4200];

	if (!is_shadow(name))
		return;
	snprintf(shadow, sizeof(shadow), "%s/%s", dir, name);
	snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(strlen(name) - strlen(SHADOW_SUFFIX)),
		 name);
	if (rename(shadow, path) < 0)
		die("%s: %s", shadow, strerror(errno));
	note(rep->reverted, sizeof(rep->reverted), strrchr(path, '/') + 1);
}

static void lose_power(const char *dir, struct cut_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	each_file(dir, drop_unsynced, rep);
	each_file(dir, restore_synced, rep);
}

/* Runs fn(arg) in a child; returns its exit status (-1: killed). */
static int in_child(int (*fn)(const void *arg), const void *arg)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid: %s", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- The store's sequence ---- */

enum step {
	STEP_REQUEST,	  /* bob asks to delete leaver: pending request 1 */
	STEP_APPROVE,	  /* carol approves it */
	STEP_SPEND,	  /* bob runs it: the approval is spent */
	STEP_EXIT_STATUS, /* the run's exit status: light */
	STEP_PLAIN,	  /* alice's run that spends nothing: light */
	STEP_LIMIT_1,	  /* alice's limited runs, 3 per hour */
	STEP_LIMIT_2,
	STEP_LIMIT_3,
	STEP_COUNT,
};

static const char *const step_names[STEP_COUNT] = {
    [STEP_REQUEST] = "bob files request 1",
    [STEP_APPROVE] = "carol approves request 1",
    [STEP_SPEND] = "bob's run spends approval 1",
    [STEP_EXIT_STATUS] = "the exit status of bob's run",
    [STEP_PLAIN] = "alice's plain run",
    [STEP_LIMIT_1] = "alice's 1st limited run",
    [STEP_LIMIT_2] = "alice's 2nd limited run",
    [STEP_LIMIT_3] = "alice's 3rd limited run",
};

#define BOB_UID	  1002
#define CAROL_UID 1003
#define ALICE_UID 1001
#define APPROVAL  1

static struct guard_policy *policy;

/* One request by hand: an actor through guardctl, one action, one target,
 * with its approval binding. */
struct req {
	struct guard_request r;
	struct guard_target t;
	char *groups[1];
	char *argv[3];
	struct guard_approval_binding b;
};

static void req_init(struct req *q, const char *actor, uint32_t uid, const char *group,
		     enum guard_action action, const char *tool, const char *target)
{
	memset(q, 0, sizeof(*q));
	q->groups[0] = (char *)group;
	q->r.actor = (struct guard_identity){.name = (char *)actor,
					     .exists = true,
					     .uid_known = true,
					     .uid = uid,
					     .groups = q->groups,
					     .n_groups = 1};
	q->r.service = "guardctl";
	q->r.location = GUARD_LOCATION_LOCAL;
	q->t.action = action;
	q->t.user.name = (char *)target;
	q->r.targets = &q->t;
	q->r.n_targets = 1;
	q->argv[0] = (char *)tool;
	q->argv[1] = (char *)target;
	q->r.argc = 2;
	q->r.argv = q->argv;
	q->b = (struct guard_approval_binding){.requester_uid = uid,
					       .requester = actor,
					       .host = "testhost",
					       .service = "guardctl",
					       .argc = 2,
					       .argv = q->argv};
}

static void bob_request(struct req *q)
{
	req_init(q, "bob", BOB_UID, "admins", GUARD_USER_DELETE, "userdel", "leaver");
}

static void alice_request(struct req *q, int n)
{
	static char names[8][8];

	snprintf(names[n], sizeof(names[n]), "new%d", n);
	req_init(q, "alice", ALICE_UID, "helpdesk", GUARD_USER_CREATE, "useradd", names[n]);
}

/* The voter as this test knows it (an approval is spent only while its
 * voter is the same account and an approver): carol, whatever uid the
 * machine's own carol has. */
static int voter_lookup(void *ctx, uint32_t uid, struct guard_identity *ret)
{
	(void)ctx;
	memset(ret, 0, sizeof(*ret));
	if (uid != CAROL_UID)
		return -ENOENT;
	ret->name = strdup("carol");
	ret->groups = calloc(1, sizeof(char *));
	if (!ret->name || !ret->groups || !(ret->groups[0] = strdup("guard-approvers"))) {
		guard_identity_clear(ret);
		return -ENOMEM;
	}
	ret->n_groups = 1;
	ret->exists = ret->uid_known = true;
	ret->uid = uid;
	return 0;
}

static int decide(struct guard_store *s, struct req *q, int64_t approval, int64_t now,
		  struct guard_decision_result *res, struct guard_error *err)
{
	struct guard_decide_in in = {.policy = policy,
				     .request = &q->r,
				     .binding = &q->b,
				     .approval_id = approval,
				     .wall_now = now,
				     .voter_lookup = voter_lookup};
	int r = guard_store_decide(s, &in, res, err);

	guard_verdict_clear(&res->verdict);
	return r;
}

static int open_store(const char *dir, struct guard_store **ret, struct guard_error *err)
{
	struct guard_store_options o = {.dir = dir, .owner = geteuid()};

	return guard_store_open(&o, ret, err);
}

/* Makes one commit of the sequence; returns 0 when it committed as
 * expected. *decision keeps the id of bob's run across steps. */
static int run_step(struct guard_store *s, enum step i, int64_t *decision)
{
	struct guard_decision_result res;
	struct guard_error err = {0};
	enum guard_approval_status st;
	struct req q;
	int64_t now = T0 + 60 * (int64_t)i, t;
	int r;

	switch (i) {
	case STEP_REQUEST:
		bob_request(&q);
		r = decide(s, &q, 0, now, &res, &err);
		if (r == 0 && (res.outcome != GUARD_OUTCOME_PENDING || res.approval_id != APPROVAL))
			r = -EPROTO;
		break;
	case STEP_APPROVE:
		r = guard_store_begin(s, now, &t, &err);
		if (r < 0)
			break;
		r = guard_store_approval_approve(s, APPROVAL, CAROL_UID, "carol", 1800, t, &st,
						 &err);
		if (r == 0 && st != GUARD_APPROVAL_APPROVED)
			r = -EPROTO;
		if (r == 0)
			r = guard_store_commit(s, &err);
		else
			guard_store_rollback(s);
		break;
	case STEP_SPEND:
		bob_request(&q);
		r = decide(s, &q, APPROVAL, now, &res, &err);
		if (r == 0 && (res.outcome != GUARD_OUTCOME_GO || res.approval_id != APPROVAL))
			r = -EPROTO;
		*decision = res.decision_id;
		break;
	case STEP_EXIT_STATUS:
		r = guard_store_exec_result(s, *decision, 0, &err);
		break;
	case STEP_PLAIN:
		req_init(&q, "alice", ALICE_UID, "helpdesk", GUARD_USER_MODIFY, "usermod", "bob");
		r = decide(s, &q, 0, now, &res, &err);
		if (r == 0 && res.outcome != GUARD_OUTCOME_GO)
			r = -EPROTO;
		break;
	case STEP_LIMIT_1:
	case STEP_LIMIT_2:
	case STEP_LIMIT_3:
		alice_request(&q, (int)(i - STEP_LIMIT_1));
		r = decide(s, &q, 0, now, &res, &err);
		if (r == 0 && res.outcome != GUARD_OUTCOME_GO)
			r = -EPROTO;
		break;
	default:
		r = -EINVAL;
		break;
	}
	if (r < 0)
		fprintf(stderr, "e_power_loss: %s: %d %s\n", step_names[i], r, err.message);
	return r;
}

struct cut {
	const char *dir;
	int commits; /* 0..STEP_COUNT */
};

/* How the child whose power goes ended. */
enum cut_status {
	CUT_DONE,
	CUT_NO_OPEN = 3,
	CUT_COMMIT_FAILED,
	CUT_VFS_BYPASSED,
};

/* The child whose power goes: the first c->commits commits, each returned,
 * then gone without a close or a checkpoint. */
static int cut_child(const void *arg)
{
	const struct cut *c = arg;
	struct guard_store *s = NULL;
	struct guard_error err = {0};
	int64_t decision = 0;

	install_power_loss_vfs();
	if (open_store(c->dir, &s, &err) < 0) {
		fprintf(stderr, "e_power_loss: open %s: %s\n", c->dir, err.message);
		_exit(CUT_NO_OPEN);
	}
	for (int i = 0; i < c->commits; i++)
		if (run_step(s, (enum step)i, &decision) < 0)
			_exit(CUT_COMMIT_FAILED);
	/* Else the power cut would take nothing. */
	if (pl_opens < 2 || (c->commits > 0 && pl_syncs == 0)) {
		fprintf(stderr, "e_power_loss: %u opens, %u syncs through the test VFS\n", pl_opens,
			pl_syncs);
		_exit(CUT_VFS_BYPASSED);
	}
	_exit(CUT_DONE);
}

static int create_child(const void *arg)
{
	const struct cut *c = arg;
	struct guard_store *s = NULL;
	struct guard_error err = {0};

	if (open_store(c->dir, &s, &err) < 0) {
		fprintf(stderr, "e_power_loss: create %s: %s\n", c->dir, err.message);
		return 3;
	}
	guard_store_close(s);
	return 0;
}

static bool is_light(int step)
{
	return step == STEP_EXIT_STATUS || step == STEP_PLAIN;
}

/* Does step's commit survive a cut after the first commits? A FULL one
 * does; a light one when a FULL commit came after it (the WAL is synced
 * up to there). */
static bool survives(int commits, int step)
{
	if (step >= commits)
		return false;
	for (int j = step; j < commits; j++)
		if (!is_light(j))
			return true;
	return false;
}

static int count_steps(int commits, enum step from, enum step to)
{
	int n = 0;

	for (int i = from; i <= (int)to; i++)
		n += survives(commits, i);
	return n;
}

/* After the power came back: the store as the k commits left it. */
static int verify_child(const void *arg)
{
	const struct cut *c = arg;
	int k = c->commits;
	struct guard_store *s = NULL;
	struct guard_error err = {0};
	struct guard_approval a = {0};
	struct guard_history_row *rows = NULL;
	struct guard_store_snapshot snap = {0};
	struct guard_decision_result res;
	struct req q;
	size_t n_rows = 0, spent_rows = 0, limit_uses = 0;
	const struct guard_history_row *spent = NULL;
	int decisions = count_steps(k, STEP_REQUEST, STEP_REQUEST) +
			count_steps(k, STEP_SPEND, STEP_SPEND) +
			count_steps(k, STEP_PLAIN, STEP_LIMIT_3);
	int uses = count_steps(k, STEP_LIMIT_1, STEP_LIMIT_3);
	int64_t now = T0 + 600, t; /* nothing expired yet, the limit's hour not over */
	int r;

	r = open_store(c->dir, &s, &err);
	check(r == 0, "cut after %d: the store opens (%s)", k, r == 0 ? "ok" : err.message);
	if (r < 0)
		return 1;
	r = guard_store_check(s, &err);
	check(r == 0, "cut after %d: integrity_check is ok%s%s", k, r ? ": " : "",
	      r ? err.message : "");

	r = guard_store_history(s, 0, true, 0, 1000, &rows, &n_rows, &err);
	for (size_t i = 0; r == 0 && i < n_rows; i++)
		if (rows[i].approval_id == APPROVAL) {
			spent = &rows[i];
			spent_rows++;
		}
	check(r == 0 && n_rows == (size_t)decisions,
	      "cut after %d: %d decisions in the ledger (%zu)", k, decisions, n_rows);

	if (k > STEP_REQUEST) {
		static const enum guard_approval_status want[] = {
		    GUARD_APPROVAL_PENDING, GUARD_APPROVAL_APPROVED, GUARD_APPROVAL_USED};
		enum guard_approval_status w = want[k > STEP_SPEND ? 2 : k - 1];

		r = guard_store_approval_get(s, APPROVAL, now, &a, &err);
		check(r == 0 && a.status == w, "cut after %d: request 1 is %s (%s)", k,
		      guard_approval_status_name(w),
		      r == 0 ? guard_approval_status_name(a.status) : err.message);
	}
	if (k > STEP_SPEND)
		check(spent_rows == 1 && spent && a.decision_id == spent->decision_id,
		      "cut after %d: approval 1 spent by one decision in the ledger (%zu)", k,
		      spent_rows);
	else
		check(spent_rows == 0, "cut after %d: approval 1 not spent (%zu decisions)", k,
		      spent_rows);
	if (survives(k, STEP_EXIT_STATUS))
		check(spent && spent->has_exit && spent->exit_status == 0,
		      "cut after %d: the exit status of bob's run is recorded", k);
	else if (k > STEP_EXIT_STATUS)
		check(spent && !spent->has_exit,
		      "cut after %d: the exit status (light, no FULL commit after it) is lost, "
		      "the run it ended and its spent approval are not",
		      k);

	r = guard_store_begin(s, now, &t, &err);
	if (r == 0)
		r = guard_store_snapshot(s, policy, ALICE_UID, t, &snap, &err);
	if (r == 0)
		for (size_t i = 0; i < snap.n_uses; i++)
			if (strcmp(snap.uses[i].rule, "limited") == 0)
				limit_uses += snap.uses[i].count;
	guard_store_snapshot_clear(&snap);
	guard_store_rollback(s);
	check(r == 0 && limit_uses == (size_t)uses, "cut after %d: alice's limit uses: %d (%zu)", k,
	      uses, limit_uses);

	/* What the store does next: approval 1 runs only while approved and
	 * unspent; alice runs while the limit has room. */
	bob_request(&q);
	r = decide(s, &q, APPROVAL, now, &res, &err);
	if (k == STEP_SPEND)
		check(r == 0 && res.outcome == GUARD_OUTCOME_GO,
		      "cut after %d: approval 1 can be spent once more", k);
	else
		check(r < 0 || res.outcome != GUARD_OUTCOME_GO,
		      "cut after %d: approval 1 cannot be spent (%s)", k,
		      r < 0 ? err.message : "it was");
	alice_request(&q, 7);
	r = decide(s, &q, 0, now, &res, &err);
	check(r == 0 && (res.outcome == GUARD_OUTCOME_GO) == (uses < 3),
	      "cut after %d: alice's next run is %s", k, uses < 3 ? "allowed" : "refused");

	guard_approval_clear(&a);
	guard_history_rows_free(rows, n_rows);
	guard_store_close(s);
	return failures ? 1 : 0;
}

static void scratch(char *dir, size_t size, const char *base, const char *name)
{
	snprintf(dir, size, "%s/%s", base, name);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		die("%s: %s", dir, strerror(errno));
	if (chmod(dir, 0700) < 0)
		die("%s: %s", dir, strerror(errno));
}

static const char *cut_said(int st)
{
	switch (st) {
	case CUT_DONE:
		return "the commits returned before the power went";
	case CUT_VFS_BYPASSED:
		return "the store went around the default VFS: no power loss to simulate";
	default:
		return "the commits did not return";
	}
}

static void store_cut(const char *base, int commits)
{
	char dir[4096], name[32];
	struct cut c = {.dir = dir, .commits = commits};
	struct cut_report rep;
	int st;

	snprintf(name, sizeof(name), "store-%d", commits);
	scratch(dir, sizeof(dir), base, name);
	if (in_child(create_child, &c) != 0)
		die("cannot create the store in %s", dir);
	each_file(dir, make_durable, NULL);
	st = in_child(cut_child, &c);
	check(st == CUT_DONE, "cut after %d (%s): %s", commits, step_names[commits - 1],
	      cut_said(st));
	if (st != CUT_DONE)
		return;
	lose_power(dir, &rep);
	printf("     power lost: never synced: %s; back to their last sync: %s\n",
	       rep.lost[0] ? rep.lost : "none", rep.reverted[0] ? rep.reverted : "none");
	if (in_child(verify_child, &c) != 0)
		failures++;
}

/* ---- Controls: a bare WAL database, synchronous NORMAL or FULL ---- */

struct control {
	const char *path;
	const char *synchronous;
};

static int sql(sqlite3 *db, const char *text)
{
	int rc = sqlite3_exec(db, text, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		fprintf(stderr, "e_power_loss: %s: %s\n", text, sqlite3_errmsg(db));
	return rc;
}

static int control_create(const void *arg)
{
	const struct control *c = arg;
	sqlite3 *db = NULL;
	int rc = sqlite3_open(c->path, &db);

	if (rc == SQLITE_OK)
		rc = sql(db, "PRAGMA journal_mode = WAL; CREATE TABLE t(x)");
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : 3;
}

static int control_cut(const void *arg)
{
	const struct control *c = arg;
	sqlite3 *db = NULL;
	char pragma[64];
	int rc;

	install_power_loss_vfs();
	snprintf(pragma, sizeof(pragma), "PRAGMA synchronous = %s", c->synchronous);
	rc = sqlite3_open(c->path, &db);
	if (rc == SQLITE_OK)
		rc = sql(db, pragma);
	if (rc == SQLITE_OK)
		rc = sql(db, "INSERT INTO t VALUES (1)");
	_exit(rc == SQLITE_OK ? 0 : 3);
}

static int control_count(const void *arg)
{
	const struct control *c = arg;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int n = 100;

	if (sqlite3_open(c->path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void control(const char *base, const char *synchronous, int want)
{
	char dir[4096], path[4200];
	struct control c = {.path = path, .synchronous = synchronous};
	struct cut_report rep;
	int n;

	scratch(dir, sizeof(dir), base, synchronous);
	snprintf(path, sizeof(path), "%s/control.db", dir);
	if (in_child(control_create, &c) != 0)
		die("cannot create %s", path);
	each_file(dir, make_durable, NULL);
	if (in_child(control_cut, &c) != 0)
		die("the control's commit failed");
	lose_power(dir, &rep);
	n = in_child(control_count, &c);
	check(n == want,
	      "control: WAL, synchronous=%s: a commit that returned is %s after the cut "
	      "(%d rows)",
	      synchronous, want ? "kept" : "lost", n);
}

int main(int argc, char **argv)
{
	struct guard_error err = {0};

	if (argc != 2) {
		fprintf(stderr, "usage: e_power_loss DIR\n");
		return 2;
	}
	if (guard_policy_new(&policy) < 0 ||
	    guard_policy_parse_text(policy, "power-loss.conf", policy_text, strlen(policy_text),
				    &err) < 0 ||
	    guard_policy_finish(policy, NULL, &err) < 0)
		die("policy: %s:%u: %s", err.file, err.line, err.message);

	control(argv[1], "NORMAL", 0);
	control(argv[1], "FULL", 1);
	for (int k = 1; k <= STEP_COUNT; k++)
		store_cut(argv[1], k);
	guard_policy_free(policy);
	printf("%s: %d failed\n", failures ? "FAIL" : "ok", failures);
	return failures ? 1 : 0;
}
