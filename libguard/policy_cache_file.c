/* The compiled policy's file: read only when nobody but root could have
 * written it, replaced whole by a rename. */
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
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077) ||
	    st.st_size <= 0 || (unsigned long long)st.st_size > GUARD_POLICY_CACHE_LIMIT) {
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

void guard_policy_cache_write(const char *cache, const char *buf, size_t len)
{
	char tmp[NAME_MAX + 1];
	const char *name = base_name(cache);
	int dirfd, fd;
	bool ok = true;

	if (geteuid() != 0 ||
	    (size_t)snprintf(tmp, sizeof(tmp), ".%s.%ld", name, (long)getpid()) >= sizeof(tmp))
		return;
	dirfd = open_dir(cache);
	if (dirfd < 0)
		return;
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		close(dirfd);
		return;
	}
	for (size_t off = 0; ok && off < len;) {
		ssize_t n = write(fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		ok = n > 0;
		off += ok ? (size_t)n : 0;
	}
	/* Owned by root whatever the process's fsuid history; 0600. */
	ok = ok && fchown(fd, 0, 0) == 0 && fchmod(fd, 0600) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || renameat(dirfd, tmp, dirfd, name) < 0)
		(void)unlinkat(dirfd, tmp, 0);
	close(dirfd);
}
