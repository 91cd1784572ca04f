/* NSS look-ups for the edges. Buffers grow on ERANGE up to a bound; every
 * error but a clean "not found" is reported as an error. */
#include "accounts.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_NSS_BUFFER (1u << 20)
#define MAX_GROUPS     4096

/* One look-up in the user or group database, by name or by id. */
struct nss_query {
	bool group;
	const char *name; /* NULL: by id */
	uint32_t id;
	struct passwd pw, *pw_res;
	struct group gr, *gr_res;
};

/* Runs q with a buffer that grows on ERANGE up to MAX_NSS_BUFFER. Returns 0
 * with the entry in q and *ret_buf (which backs it, the caller's to free),
 * -ENOENT for a clean miss, or another -errno. */
static int nss_lookup(struct nss_query *q, size_t size, char **ret_buf)
{
	char *buf = NULL;
	int r;

	for (;;) {
		char *nb = realloc(buf, size);

		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		q->pw_res = NULL;
		q->gr_res = NULL;
		if (q->group)
			r = q->name ? getgrnam_r(q->name, &q->gr, buf, size, &q->gr_res)
				    : getgrgid_r((gid_t)q->id, &q->gr, buf, size, &q->gr_res);
		else
			r = q->name ? getpwnam_r(q->name, &q->pw, buf, size, &q->pw_res)
				    : getpwuid_r((uid_t)q->id, &q->pw, buf, size, &q->pw_res);
		if (r != ERANGE || size >= MAX_NSS_BUFFER)
			break;
		size *= 2;
	}
	if (r == 0 && !q->pw_res && !q->gr_res)
		r = ENOENT;
	if (r != 0) {
		free(buf);
		return -r;
	}
	*ret_buf = buf;
	return 0;
}

static int lookup_passwd(const char *name, uid_t uid, struct guard_identity *ret)
{
	struct nss_query q = {.name = name, .id = uid};
	struct passwd *res;
	char *buf = NULL;
	int r;

	r = nss_lookup(&q, 4096, &buf);
	if (r < 0)
		return r;
	res = q.pw_res;
	memset(ret, 0, sizeof(*ret));
	ret->name = strdup(res->pw_name);
	ret->exists = true;
	ret->uid_known = true;
	ret->uid = res->pw_uid;
	r = ret->name ? 0 : -ENOMEM;

	if (r == 0) {
		gid_t *gids = calloc(MAX_GROUPS, sizeof(gid_t));
		int n = MAX_GROUPS;

		if (!gids || getgrouplist(res->pw_name, res->pw_gid, gids, &n) < 0) {
			r = gids ? -E2BIG : -ENOMEM;
		} else {
			ret->groups = calloc((size_t)n + 1, sizeof(char *));
			if (!ret->groups)
				r = -ENOMEM;
			for (int i = 0; r == 0 && i < n; i++) {
				struct guard_resolver sys;
				char *gname = NULL;
				int g;

				guard_accounts_resolver(&sys);
				g = sys.group_by_gid(NULL, gids[i], &gname);
				if (g == -ENOENT)
					continue; /* a gid without a name matches no %group */
				if (g < 0)
					r = g;
				else
					ret->groups[ret->n_groups++] = gname;
			}
		}
		free(gids);
	}
	free(buf);
	if (r < 0)
		guard_identity_clear(ret);
	return r;
}

int guard_accounts_user_by_name(const char *name, struct guard_identity *ret)
{
	return lookup_passwd(name, 0, ret);
}

int guard_accounts_user_by_uid(uid_t uid, struct guard_identity *ret)
{
	return lookup_passwd(NULL, uid, ret);
}

static int user_by_name(void *ctx, const char *name, struct guard_identity *ret)
{
	(void)ctx;
	return lookup_passwd(name, 0, ret);
}

static int lookup_group(const char *name, gid_t gid, uint32_t *ret_gid, char **ret_name)
{
	struct nss_query q = {.group = true, .name = name, .id = gid};
	struct group *res;
	char *buf = NULL;
	int r;

	r = nss_lookup(&q, 16384, &buf);
	if (r < 0)
		return r;
	res = q.gr_res;
	if (ret_gid)
		*ret_gid = res->gr_gid;
	r = 0;
	if (ret_name) {
		*ret_name = strdup(res->gr_name);
		if (!*ret_name)
			r = -ENOMEM;
	}
	free(buf);
	return r;
}

static int group_by_name(void *ctx, const char *name, uint32_t *ret_gid)
{
	(void)ctx;
	return lookup_group(name, 0, ret_gid, NULL);
}

static int group_by_gid(void *ctx, uint32_t gid, char **ret_name)
{
	(void)ctx;
	return lookup_group(NULL, (gid_t)gid, NULL, ret_name);
}

/* /etc/shells, read directly: getusershell keeps global state. */
static int shell_allowed(void *ctx, const char *shell)
{
	char line[4096];
	FILE *f;
	int r = -ENOENT;

	(void)ctx;
	f = fopen("/etc/shells", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '/' && strcmp(line, shell) == 0) {
			r = 0;
			break;
		}
	}
	if (ferror(f))
		r = -EIO;
	(void)fclose(f); /* read only: nothing to lose */
	return r;
}

void guard_accounts_resolver(struct guard_resolver *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->user_by_name = user_by_name;
	ret->group_by_name = group_by_name;
	ret->group_by_gid = group_by_gid;
	ret->shell_allowed = shell_allowed;
}
