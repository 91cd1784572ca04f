/* Reading the policy files: the main file, then guard.d's *.conf files in
 * name order. Every file and every directory above it must be root's and
 * not writable by group or others (a sticky root directory such as /tmp is
 * allowed above: nobody else can replace what root made in it); symlinks
 * are refused outright. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <paths.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "policy_cache.h"
#include "sudoers.h"
#include "tz.h"

static int check_owner_mode(const char *path, const struct stat *st, bool dir,
			    struct guard_error *err)
{
	if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode)) {
		guard_error_set(err, path, 0, "not a %s", dir ? "directory" : "regular file");
		return -EINVAL;
	}
	if (st->st_uid != 0) {
		guard_error_set(err, path, 0, "owned by uid %u, not root: refusing the policy",
				(unsigned)st->st_uid);
		return -EPERM;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(dir && (st->st_mode & S_ISVTX))) {
		guard_error_set(err, path, 0,
				"writable by group or others (mode %04o): refusing the policy",
				(unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* Checks every directory from / down to the one holding path. */
static int check_parents(const char *path, struct guard_error *err)
{
	char dir[PATH_MAX];
	struct stat st;
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(dir) || path[0] != '/') {
		guard_error_set(err, path, 0, "not an absolute path");
		return -EINVAL;
	}
	memcpy(dir, path, n + 1);
	for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		int r;

		*slash = '\0';
		if (lstat(dir, &st) < 0) {
			r = -errno;
			guard_error_set(err, dir, 0, "cannot read: %s", strerror(errno));
			return r;
		}
		if (S_ISLNK(st.st_mode)) {
			guard_error_set(err, dir, 0, "is a symlink: refusing the policy");
			return -ELOOP;
		}
		r = check_owner_mode(dir, &st, true, err);
		if (r < 0)
			return r;
		*slash = '/';
	}
	if (lstat("/", &st) < 0 || check_owner_mode("/", &st, true, err) < 0)
		return -EPERM;
	return 0;
}

/* Reads a whole policy file opened relative to dirfd, refusing symlinks and
 * anything but a root-owned regular file of bounded size. */
static int read_policy_file(int dirfd, const char *name, const char *path, bool owner_checks,
			    char **ret_text, size_t *ret_len, struct guard_error *err)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int fd, r;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		if (errno == ELOOP)
			guard_error_set(err, path, 0, "is a symlink: refusing the policy");
		else
			guard_error_set(err, path, 0, "cannot open: %s", strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		guard_error_set(err, path, 0, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (owner_checks) {
		r = check_owner_mode(path, &st, false, err);
		if (r < 0)
			goto out;
	} else if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		guard_error_set(err, path, 0, "not a regular file");
		goto out;
	}
	if (st.st_size > (off_t)GUARD_POLICY_MAX_FILE_BYTES) {
		r = -EFBIG;
		guard_error_set(err, path, 0, "file is larger than %u bytes",
				GUARD_POLICY_MAX_FILE_BYTES);
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		r = -ENOMEM;
		guard_error_set(err, path, 0, "out of memory");
		goto out;
	}
	/* The size may change under us; read at most what we allowed for. */
	for (;;) {
		ssize_t got = read(fd, text + len, (size_t)st.st_size + 1 - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			guard_error_set(err, path, 0, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > (size_t)st.st_size) {
			r = -EAGAIN;
			guard_error_set(err, path, 0, "changed while being read");
			goto out;
		}
	}
	*ret_text = text;
	*ret_len = len;
	text = NULL;
	r = 0;
out:
	free(text);
	close(fd);
	return r;
}

static int parse_file(struct guard_policy *p, int dirfd, const char *name, const char *path,
		      bool owner_checks, struct guard_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	r = guard_policy_note_input(p, path, false);
	if (r < 0)
		guard_error_set(err, path, 0, "out of memory");
	if (r == 0)
		r = read_policy_file(dirfd, name, path, owner_checks, &text, &len, err);
	if (r == 0)
		r = guard_policy_parse_text(p, path, text, len, err);
	free(text);
	return r;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_conf_name(const char *n)
{
	size_t len = strlen(n);

	return n[0] != '.' && len > 5 && strcmp(n + len - 5, ".conf") == 0;
}

static int parse_dropins(struct guard_policy *p, const char *dir, bool owner_checks,
			 struct guard_error *err)
{
	char **names = NULL, path[PATH_MAX];
	size_t n = 0;
	struct stat st;
	struct dirent *de;
	DIR *d = NULL;
	int fd, r = 0;

	r = guard_policy_note_input(p, dir, false);
	if (r < 0) {
		guard_error_set(err, dir, 0, "out of memory");
		return r;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		guard_error_set(err, dir, 0, "%s",
				errno == ELOOP || errno == ENOTDIR
				    ? "is a symlink or not a directory: refusing the policy"
				    : strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		guard_error_set(err, dir, 0, "cannot stat: %s", strerror(errno));
		close(fd);
		return r;
	}
	if (owner_checks) {
		r = check_owner_mode(dir, &st, true, err);
		if (r < 0) {
			close(fd);
			return r;
		}
	}
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	/* cppcheck-suppress readdirCalled ; the stream is this call's own, and
	 * glibc deprecates readdir_r */
	while ((de = readdir(d))) {
		char **nn;

		if (!is_conf_name(de->d_name))
			continue;
		if (n >= GUARD_POLICY_MAX_FILES) {
			guard_error_set(err, dir, 0, "more than %u policy files",
					GUARD_POLICY_MAX_FILES);
			r = -E2BIG;
			goto out;
		}
		nn = realloc(names, (n + 1) * sizeof(char *));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			if (nn)
				names = nn;
			r = -ENOMEM;
			goto out;
		}
		names = nn;
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof(char *), compare_names);
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path)) {
			guard_error_set(err, dir, 0, "path too long");
			r = -ENAMETOOLONG;
			break;
		}
		r = parse_file(p, dirfd(d), names[i], path, owner_checks, err);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return r;
}

/* Which group can write the utmp file (group-writable: its group). Its
 * members could write any location into utmp, so that group is privileged;
 * this is host state, read here once so that the core only compares. A
 * missing file grants nobody anything; a failed name look-up leaves the
 * gid, which still compares. */
static int utmp_writer(struct guard_policy *p, const char *path)
{
	struct group gr, *res = NULL;
	char buf[16384];
	struct stat st;

	if (!path)
		path = _PATH_UTMP;
	if (!path[0] || stat(path, &st) < 0 || !(st.st_mode & S_IWGRP))
		return 0;
	p->utmp_gid_known = true;
	p->utmp_gid = (uint32_t)st.st_gid;
	if (getgrgid_r(st.st_gid, &gr, buf, sizeof(buf), &res) == 0 && res) {
		p->utmp_group = strdup(res->gr_name);
		if (!p->utmp_group)
			return -ENOMEM;
	}
	return 0;
}

/* Every directory from / down to path's, path itself excepted. */
static int note_parents(struct guard_policy *p, const char *path)
{
	char dir[PATH_MAX];
	size_t n = strlen(path);
	int r = guard_policy_note_input(p, "/", false);

	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n + 1);
	for (char *slash = strchr(dir + 1, '/'); r == 0 && slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		r = guard_policy_note_input(p, dir, false);
		*slash = '/';
	}
	return r;
}

/* What the host state read after the files depends on: the zone file the
 * settings name, the utmp file and the group database that names its
 * group. */
static int note_host_inputs(struct guard_policy *p, const struct guard_load_options *opts)
{
	const char *zone = p->settings.timezone, *utmp = opts ? opts->utmp_path : NULL;
	const char *zdir = opts && opts->zoneinfo_dir ? opts->zoneinfo_dir : GUARD_TZ_ZONEINFO_DIR;
	char path[PATH_MAX];
	int r = 0;

	if (zone && strcmp(zone, "system") == 0) {
		r = guard_policy_note_input(p, GUARD_TZ_SYSTEM_FILE, false);
		if (r == 0)
			r = guard_policy_note_input(p, GUARD_TZ_SYSTEM_FILE, true);
	} else if (zone && strcmp(zone, "UTC") != 0 &&
		   (size_t)snprintf(path, sizeof(path), "%s/%s", zdir, zone) < sizeof(path)) {
		r = guard_policy_note_input(p, path, true);
	}
	if (!utmp)
		utmp = _PATH_UTMP;
	if (r == 0 && utmp[0])
		r = guard_policy_note_input(p, utmp, true);
	if (r == 0)
		r = guard_policy_note_input(p, "/etc/group", true);
	return r;
}

int guard_policy_load(const struct guard_load_options *opts, struct guard_policy **ret,
		      struct guard_error *err)
{
	const char *path = opts && opts->path ? opts->path : GUARD_DEFAULT_CONFIG;
	bool owner_checks = !(opts && opts->skip_owner_checks);
	const char *cache = owner_checks && opts ? opts->cache_path : NULL;
	struct guard_policy *p = NULL;
	char dir[PATH_MAX], dropins[PATH_MAX], *compiled = NULL;
	size_t compiled_len = 0;
	const char *slash;
	int r = 0, n;

	slash = strrchr(path, '/');
	if (path[0] != '/' || !slash || strlen(path) >= sizeof(dir)) {
		guard_error_set(err, path, 0, "the policy path must be absolute");
		return -EINVAL;
	}
	if (opts && opts->dropin_dir) {
		n = snprintf(dropins, sizeof(dropins), "%s", opts->dropin_dir);
	} else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		n = snprintf(dropins, sizeof(dropins), "%s/guard.d", dir);
	}
	if (n < 0 || n >= (int)sizeof(dropins)) {
		guard_error_set(err, path, 0, "path too long");
		return -ENAMETOOLONG;
	}
	if (cache && guard_policy_cache_read(cache, path, dropins, &p) == 0) {
		r = guard_sudoers_load(p, opts->sudoers_path, opts->doas_path, false, err);
		goto finish;
	}
	r = guard_policy_new(&p);
	if (r == 0)
		r = note_parents(p, path);
	if (r < 0) {
		guard_error_set(err, path, 0, "out of memory");
		guard_policy_free(p);
		return r;
	}
	if (owner_checks) {
		r = check_parents(path, err);
		if (r < 0) {
			guard_policy_free(p);
			return r;
		}
	}
	r = parse_file(p, AT_FDCWD, path, path, owner_checks, err);
	if (r == 0)
		r = parse_dropins(p, dropins, owner_checks, err);
	if (r == 0) {
		r = note_host_inputs(p, opts);
		if (r < 0)
			guard_error_set(err, path, 0, "out of memory");
	}
	/* Host state like the utmp writer, but its files are inputs: a
	 * changed sudoers or doas.conf is a changed policy. */
	if (r == 0)
		r = guard_sudoers_load(p, opts ? opts->sudoers_path : NULL,
				       opts ? opts->doas_path : NULL, true, err);
	/* What the parse made, before finish adds the zone and the roles:
	 * kept once finish accepts it. */
	if (r == 0 && cache &&
	    guard_policy_cache_encode(p, path, dropins, &compiled, &compiled_len) < 0)
		compiled = NULL;
finish:
	if (r == 0)
		r = guard_policy_finish(p, opts ? opts->zoneinfo_dir : NULL, err);
	if (r == 0) {
		r = utmp_writer(p, opts ? opts->utmp_path : NULL);
		if (r < 0)
			guard_error_set(err, path, 0, "out of memory");
	}
	if (r == 0 && compiled)
		guard_policy_cache_write(cache, compiled, compiled_len);
	free(compiled);
	if (r < 0) {
		guard_policy_free(p);
		return r;
	}
	*ret = p;
	return 0;
}
