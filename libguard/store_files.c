/* The store's files before SQLite opens them: the directory, the database,
 * its -wal and -shm (owner, mode, type, links, header) and the standard
 * streams (MUST 1-3, 6 of store.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_internal.h"

/* ---- File checks ---- */

int guard_store_fds_open(struct guard_error *err)
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

int guard_store_check_dir(int dirfd, const char *dir, uid_t owner, struct guard_error *err)
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

int guard_store_check_aux(int dirfd, const char *dir, const char *name, uid_t owner,
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

/* Opens the database file by name (creating it when missing and allowed)
 * and checks it on the same fd (MUST 2). Returns the open fd. */
int guard_store_open_file(int dirfd, const struct guard_store_options *o, const char *dir,
			  const char *path, int timeout_ms, struct stat *ret_st,
			  struct guard_error *err)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		int fd = openat(dirfd, GUARD_STORE_FILE,
				O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		int r;

		if (fd < 0 && errno == ENOENT && !o->no_create) {
			r = guard_store_create(dirfd, dir, o->owner, timeout_ms, err);
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

bool guard_store_current(const struct guard_store *s)
{
	struct stat st;
	bool ok;
	int dirfd;

	if (!s || !s->db || s->in_txn)
		return false;
	dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return false;
	ok = guard_store_check_dir(dirfd, s->dir, s->owner, NULL) == 0 &&
	     fstatat(dirfd, GUARD_STORE_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	     check_stat(&st, s->path, s->owner, NULL) == 0 && st.st_dev == s->dev &&
	     st.st_ino == s->ino &&
	     guard_store_check_aux(dirfd, s->dir, GUARD_STORE_FILE "-wal", s->owner, NULL) == 0 &&
	     guard_store_check_aux(dirfd, s->dir, GUARD_STORE_FILE "-shm", s->owner, NULL) == 0;
	close(dirfd);
	return ok;
}
