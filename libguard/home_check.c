/* The filesystem check of a home a tool will create, move or remove. The
 * path is walked from "/" one component at a time with openat(O_NOFOLLOW |
 * O_DIRECTORY), each directory checked by fstat on the fd that was opened:
 * what is checked is what the walk went through, never a name looked up a
 * second time. Every directory above the home is root's and writable by
 * root alone, so the caller can change none of them after the check: no
 * symlink or directory can be swapped in between the check and the tool. */
#include "home_check.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QUOTED(arg)    guard_escape((arg), (char[160]){0}, 160)
#define MAX_COMPONENTS 256
#define PW_BUFFER      (64u * 1024u)

/* "alice" for uid 1002, else "uid N", into buf. */
static const char *owner_name(uid_t uid, char *buf, size_t size)
{
	char pwbuf[4096];
	struct passwd pw = {0}, *res = NULL;

	if (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res)
		snprintf(buf, size, "%s (uid %u)", res->pw_name, (unsigned)uid);
	else
		snprintf(buf, size, "uid %u", (unsigned)uid);
	return buf;
}

/* The account's uid and current home; -ENOENT when there is no account. */
static int account_home(const char *user, uid_t *ret_uid, char **ret_home)
{
	struct passwd pw = {0}, *res = NULL;
	char *buf = malloc(PW_BUFFER);
	int r;

	if (!buf)
		return -ENOMEM;
	r = getpwnam_r(user, &pw, buf, PW_BUFFER, &res);
	if (r == 0 && !res)
		r = ENOENT;
	if (r == 0) {
		*ret_uid = pw.pw_uid;
		*ret_home = strdup(pw.pw_dir);
		if (!*ret_home)
			r = ENOMEM;
	}
	free(buf);
	return -r;
}

/* Another account whose home is home, or holds it, or lies inside it: what
 * one account puts there runs as the other (a home set with usermod -d to a
 * path that does not exist yet, then made by useradd -m for an account of
 * the caller's). Every account the databases list, but user itself. */
static int shared_home(const char *home, const char *user, struct guard_error *err)
{
	struct passwd pw = {0}, *res = NULL;
	char *buf = malloc(PW_BUFFER), who[96];
	int r = 0;

	if (!buf)
		return -ENOMEM;
	setpwent();
	while (r == 0) {
		int e = getpwent_r(&pw, buf, PW_BUFFER, &res);

		if (e == ENOENT || (e == 0 && !res))
			break;
		if (e != 0) {
			r = -e;
			guard_error_set(err, NULL, 0, "cannot list the accounts: %s", strerror(e));
			break;
		}
		if ((user && strcmp(pw.pw_name, user) == 0) ||
		    !guard_homes_overlap(home, pw.pw_dir))
			continue;
		snprintf(who, sizeof(who), "%s (uid %u)", pw.pw_name, (unsigned)pw.pw_uid);
		if (strcmp(home, pw.pw_dir) == 0)
			guard_error_set(err, NULL, 0,
					"home '%s' is the home of %s already: give the account a "
					"home of its own",
					QUOTED(home), QUOTED(who));
		else
			guard_error_set(err, NULL, 0,
					"home '%s' and the home of %s ('%s') would hold one "
					"another: give the account a home of its own",
					QUOTED(home), QUOTED(who), QUOTED(pw.pw_dir));
		r = -EPERM;
	}
	endpwent();
	free(buf);
	return r;
}

/* Splits a clean absolute path into its components, in place. */
static int split(char *path, char **comp, size_t max, size_t *ret_n)
{
	size_t n = 0;

	if (path[0] != '/')
		return -EINVAL;
	for (char *s = path + 1; *s;) {
		char *slash = strchr(s, '/');

		if (slash)
			*slash = '\0';
		if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || n == max)
			return -EINVAL;
		comp[n++] = s;
		if (!slash)
			break;
		s = slash + 1;
	}
	*ret_n = n;
	return 0;
}

static bool under_home_roots(const struct guard_policy *policy, const char *path)
{
	static const char *const default_roots[] = {"/home"};
	const struct guard_settings *st = &policy->settings;
	const char *const *roots =
	    st->n_home_roots ? (const char *const *)st->home_roots : default_roots;
	size_t n_roots = st->n_home_roots ? st->n_home_roots : 1;

	for (size_t i = 0; i < n_roots; i++) {
		size_t len = strlen(roots[i]);

		while (len > 1 && roots[i][len - 1] == '/')
			len--;
		if (len == 1 && roots[i][0] == '/')
			return path[1] != '\0';
		if (strncmp(path, roots[i], len) == 0 && path[len] == '/' && path[len + 1])
			return true;
	}
	return false;
}

/* dir (the fd's path, for messages) must be trusted_uid's and writable by
 * it alone. */
static int check_dir(int fd, const char *dir, uid_t trusted_uid, const char *home,
		     struct guard_error *err)
{
	struct stat st;
	char who[96];

	if (fstat(fd, &st) < 0) {
		guard_error_set(err, NULL, 0, "home '%s': cannot stat '%s': %s", QUOTED(home),
				QUOTED(dir), strerror(errno));
		return -errno;
	}
	if (st.st_uid != trusted_uid) {
		guard_error_set(err, NULL, 0,
				"home '%s': '%s' is owned by %s: every directory above a home "
				"must be root's and writable by root alone",
				QUOTED(home), QUOTED(dir), owner_name(st.st_uid, who, sizeof(who)));
		return -EPERM;
	}
	/* Sticky or not (/tmp): another user could put a symlink there. A
	 * POSIX ACL that grants write shows in the group bits (its mask). */
	if (st.st_mode & 0022) {
		guard_error_set(err, NULL, 0,
				"home '%s': '%s' is writable by %s: every directory above a home "
				"must be writable by root alone",
				QUOTED(home), QUOTED(dir),
				(st.st_mode & 0002) ? "everyone" : "its group");
		return -EPERM;
	}
	return 0;
}

/* The home itself (name in the directory dirfd), once its parents passed. */
static int check_last(const struct guard_policy *policy, const struct guard_home *h, int dirfd,
		      const char *name, const char *home, uid_t owner, struct guard_error *err)
{
	struct stat st;
	char who[96];

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		guard_error_set(err, NULL, 0, "home '%s': cannot stat it: %s", QUOTED(home),
				strerror(errno));
		return -errno;
	}
	if (S_ISLNK(st.st_mode)) {
		guard_error_set(err, NULL, 0, "home '%s' is a symbolic link", QUOTED(home));
		return -EPERM;
	}
	if (h->op == GUARD_HOME_CREATE) {
		guard_error_set(err, NULL, 0,
				"home '%s' exists already (owned by %s): a new home must not "
				"exist yet; choose a path that does not, or ask an admin to "
				"remove or reuse that one",
				QUOTED(home), owner_name(st.st_uid, who, sizeof(who)));
		return -EPERM;
	}
	if (!S_ISDIR(st.st_mode)) {
		guard_error_set(err, NULL, 0, "home '%s' is not a directory", QUOTED(home));
		return -EPERM;
	}
	if (h->op == GUARD_HOME_ADOPT) {
		if (st.st_mode & (S_IWGRP | S_IWOTH)) {
			guard_error_set(
			    err, NULL, 0,
			    "home '%s' is writable by others than its owner: what they "
			    "put there would run as the account; let the tool make a new "
			    "home (-m) instead",
			    QUOTED(home));
			return -EPERM;
		}
		if (st.st_uid == 0 || st.st_uid == owner)
			return 0;
		guard_error_set(err, NULL, 0,
				"home '%s' is owned by %s: an account is given a home of its own "
				"or root's, never another's (whose files would run as it); let "
				"the tool make a new home (-m) instead",
				QUOTED(home), owner_name(st.st_uid, who, sizeof(who)));
		return -EPERM;
	}
	if (st.st_uid != owner) {
		guard_error_set(err, NULL, 0,
				"home '%s' is owned by %s, not by %s: only an account's own home "
				"is moved or removed; ask an admin to deal with this one",
				QUOTED(home), owner_name(st.st_uid, who, sizeof(who)),
				QUOTED(h->user ? h->user : "?"));
		return -EPERM;
	}
	if (!under_home_roots(policy, home)) {
		guard_error_set(err, NULL, 0,
				"home '%s' is outside the policy's home_roots: moved or removed "
				"only there; ask an admin to deal with this one",
				QUOTED(home));
		return -EPERM;
	}
	return 0;
}

int guard_home_check(const struct guard_policy *policy, const struct guard_home *h,
		     uid_t trusted_uid, struct guard_error *err)
{
	char *home = NULL, *walk = NULL, *comp[MAX_COMPONENTS];
	uid_t owner = (uid_t)-1;
	size_t n = 0, len;
	int fd = -1, r;

	/* A home given as it is may be the account's own (as passwd has its
	 * uid now), or no one's but root's: a new account has none yet. */
	if (h->op == GUARD_HOME_ADOPT && h->path) {
		r = h->user ? account_home(h->user, &owner, &home) : -ENOENT;
		if (r == -ENOENT)
			owner = 0;
		else if (r < 0) {
			guard_error_set(err, NULL, 0, "cannot look up the account '%s'",
					QUOTED(h->user ? h->user : "?"));
			return r;
		}
	}
	/* An account's own home is checked against its uid, as passwd has
	 * them now. */
	if (h->op == GUARD_HOME_OWN || !h->path) {
		r = h->user ? account_home(h->user, &owner, &home) : -EINVAL;
		if (r == -ENOENT)
			return 0; /* no account: the tool fails, and touches no home */
		if (r < 0) {
			guard_error_set(err, NULL, 0, "cannot look up the home of '%s'",
					QUOTED(h->user ? h->user : "?"));
			return r;
		}
	}
	if (h->path) {
		free(home);
		home = strdup(h->path);
		if (!home)
			return -ENOMEM;
	}
	if (!home)
		return -EINVAL; /* fail safe: account_home set it on success */
	walk = strdup(home);
	if (!walk) {
		r = -ENOMEM;
		goto out;
	}
	if (split(walk, comp, MAX_COMPONENTS, &n) < 0 || n == 0) {
		guard_error_set(err, NULL, 0, "home '%s' is not a clean absolute path",
				QUOTED(home));
		r = -EPERM;
		goto out;
	}
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		guard_error_set(err, NULL, 0, "cannot open /: %s", strerror(-r));
		goto out;
	}
	r = check_dir(fd, "/", trusted_uid, home, err);
	for (size_t i = 0; r == 0 && i + 1 < n; i++) {
		int next = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		char dir[4096];

		/* The directory's path so far, for messages: walk up to comp[i]. */
		len = (size_t)(comp[i] - walk) + strlen(comp[i]);
		snprintf(dir, sizeof(dir), "%.*s", (int)len, home);
		if (next < 0 && errno == ENOENT) {
			r = 0; /* the rest is made by the tool, as root */
			goto out;
		}
		if (next < 0 && (errno == ELOOP || errno == ENOTDIR)) {
			bool link = fstatat(fd, comp[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				    S_ISLNK(st.st_mode);
			guard_error_set(err, NULL, 0, "home '%s': '%s' is %s", QUOTED(home),
					QUOTED(dir), link ? "a symbolic link" : "not a directory");
			r = -EPERM;
			goto out;
		}
		if (next < 0) {
			r = -errno;
			guard_error_set(err, NULL, 0, "home '%s': cannot open '%s': %s",
					QUOTED(home), QUOTED(dir), strerror(-r));
			goto out;
		}
		close(fd);
		fd = next;
		r = check_dir(fd, dir, trusted_uid, home, err);
	}
	if (r == 0)
		r = check_last(policy, h, fd, comp[n - 1], home, owner, err);
out:
	/* Also when the walk stopped at a directory the tool will make. */
	if (r == 0 && h->path && h->op != GUARD_HOME_OWN)
		r = shared_home(home, h->user, err);
	if (fd >= 0)
		close(fd);
	free(walk);
	free(home);
	return r;
}
