/* The compiled policy's file: read only when nobody but root could have
 * written it. Rewritten in place under a write lock, read under a read lock
 * (both without waiting: a busy file is a miss, or is left as it is), so
 * that no reader sees two writers' bytes mixed and no temporary file is
 * ever left behind; a writer killed half-way leaves a short file, which
 * never decodes (the encoding is read whole, to its last count). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy_cache.h"

/* The directory of path (root's, no one else may write it), opened. */
static int open_dir(const char *path)
{
	char copy[PATH_MAX];
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(copy))
		return -ENAMETOOLONG;
	memcpy(copy, path, strlen(path) + 1);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static bool lock(int fd, short type)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET};

	return fcntl(fd, F_SETLK, &fl) == 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int guard_policy_cache_read(const char *cache, const char *config, const char *dropins,
			    struct guard_policy **ret)
{
	struct guard_policy *p = NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int dirfd, fd, r;

	*ret = NULL;
	dirfd = open_dir(cache);
	if (dirfd < 0)
		return dirfd;
	fd = openat(dirfd, base_name(cache), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		close(dirfd);
		return r;
	}
	close(dirfd);
	if (!lock(fd, F_RDLCK) || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 077) || st.st_size <= 0 ||
	    (unsigned long long)st.st_size > GUARD_POLICY_CACHE_LIMIT) {
		close(fd);
		return -EPERM;
	}
	buf = malloc((size_t)st.st_size);
	while (buf && len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	r = !buf ? -ENOMEM : len != (size_t)st.st_size ? -EIO : 0;
	if (r == 0)
		r = guard_policy_cache_decode(buf, len, config, dropins, &p);
	free(buf);
	if (r == 0 && !guard_policy_unchanged(p))
		r = -ESTALE;
	if (r < 0) {
		guard_policy_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

/* The cache file opened for writing, made a root 0600 regular file: a
 * symlink or anything but a regular file in its place is removed first. */
static int open_for_write(int dirfd, const char *name)
{
	struct stat st;

	for (int tries = 0; tries < 2; tries++) {
		int fd = openat(dirfd, name,
				O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    fchown(fd, 0, 0) == 0 && fchmod(fd, 0600) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return -1;
	}
	return -1;
}

void guard_policy_cache_write(const char *cache, const char *buf, size_t len)
{
	int dirfd, fd;
	bool ok;

	if (geteuid() != 0)
		return;
	dirfd = open_dir(cache);
	if (dirfd < 0)
		return;
	fd = open_for_write(dirfd, base_name(cache));
	close(dirfd);
	if (fd < 0)
		return;
	ok = lock(fd, F_WRLCK) && ftruncate(fd, 0) == 0;
	for (size_t off = 0; ok && off < len;) {
		ssize_t n = write(fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		ok = n > 0;
		off += ok ? (size_t)n : 0;
	}
	/* A short file never decodes: nothing to undo on a failure. */
	close(fd);
}
