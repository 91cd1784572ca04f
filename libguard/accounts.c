/* NSS look-ups for the edges. Buffers grow on ERANGE up to a bound; every
 * error but a clean "not found" is reported as an error. */
#include "accounts.h"

#include <dirent.h>
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

static bool has_group(const struct guard_identity *id, const char *name)
{
	for (size_t i = 0; i < id->n_groups; i++)
		if (id->groups[i] && strcmp(id->groups[i], name) == 0)
			return true;
	return false;
}

/* The groups confirmed by name, each looked up once per process: a
 * decision looks up the actor and every target against the same groups
 * (the shipped policy names some 25), and NSS with nss_systemd walks the
 * userdb directories for each. One process makes one decision, against one
 * view of the groups; guard_accounts_forget() drops it. */
#define GROUP_CACHE_MAX 256

struct cached_group {
	char *name;
	int result;	/* 0, or -errno of the look-up (-ENOENT: no such group) */
	char **members; /* NULL-terminated */
};

static struct cached_group group_cache[GROUP_CACHE_MAX];
static size_t group_cache_n;

void guard_accounts_forget(void)
{
	for (size_t i = 0; i < group_cache_n; i++) {
		for (char **m = group_cache[i].members; m && *m; m++)
			free(*m);
		free(group_cache[i].members);
		free(group_cache[i].name);
	}
	group_cache_n = 0;
}

static bool lists(char *const *mem, const char *user)
{
	for (char *const *m = mem; m && *m; m++)
		if (strcmp(*m, user) == 0)
			return true;
	return false;
}

/* Keeps the outcome of a look-up of group name (members: its list, NULL
 * for a group that does not exist). Nothing kept when the cache is full
 * or memory short: the next question asks NSS again. */
static void remember(const char *name, int result, char *const *members)
{
	struct cached_group *c = &group_cache[group_cache_n];
	size_t n = 0;

	if (group_cache_n == GROUP_CACHE_MAX)
		return;
	while (members && members[n])
		n++;
	c->name = strdup(name);
	c->members = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; c->members && i < n; i++)
		if (!(c->members[i] = strdup(members[i]))) {
			for (size_t k = 0; k < i; k++)
				free(c->members[k]);
			free(c->members);
			c->members = NULL;
		}
	if (!c->name || !c->members) {
		free(c->name);
		free(c->members);
		return;
	}
	c->result = result;
	group_cache_n++;
}

/* Is user a member (by name, in the group's own list) of group name?
 * -ENOENT: no such group; another -errno: the look-up failed, which is
 * never kept. */
static int listed_in(const char *name, const char *user, bool *ret)
{
	struct nss_query q = {.group = true, .name = name};
	char *buf = NULL;
	int r;

	for (size_t i = 0; i < group_cache_n; i++)
		if (strcmp(group_cache[i].name, name) == 0) {
			*ret = lists(group_cache[i].members, user);
			return group_cache[i].result;
		}
	r = nss_lookup(&q, 16384, &buf);
	if (r < 0 && r != -ENOENT)
		return r;
	*ret = r == 0 && lists(q.gr_res->gr_mem, user);
	remember(name, r, r == 0 ? q.gr_res->gr_mem : NULL);
	free(buf);
	return r;
}

/* Looks group `name` up and adds it to id when it lists the user. */
static int confirm_group(struct guard_identity *id, const char *name)
{
	char **grown;
	bool member = false;
	int r;

	r = listed_in(name, id->name, &member);
	if (r == -ENOENT)
		return 0; /* no such group: matches no %group */
	if (r < 0)
		return r;
	if (!member)
		return 0;
	grown = realloc(id->groups, (id->n_groups + 2) * sizeof(char *));
	if (!grown)
		return -ENOMEM;
	id->groups = grown;
	id->groups[id->n_groups] = strdup(name);
	if (!id->groups[id->n_groups])
		return -ENOMEM;
	id->groups[++id->n_groups] = NULL;
	return 0;
}

static int confirm_list(struct guard_identity *id, const struct guard_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct guard_item *it = &l->items[i];
		int r;

		if (it->kind != GUARD_ITEM_GROUP || !it->name || has_group(id, it->name))
			continue;
		r = confirm_group(id, it->name);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Each %group of the policy's membership lists, confirmed by name. A
 * group the user is not in is looked up again for every rule naming it:
 * a few microseconds each from /etc/group. */
static int confirm_groups(const struct guard_policy *p, struct guard_identity *id, bool target)
{
	int r = 0;

	if (!p)
		return 0;
	/* The @privileged groups too, for a target: @protected counts their
	 * members. */
	for (size_t i = 0; target && r == 0 && i < p->n_privileged_groups; i++)
		if (!has_group(id, p->privileged_groups[i]))
			r = confirm_group(id, p->privileged_groups[i]);
	if (target && r == 0 && p->utmp_group && !has_group(id, p->utmp_group))
		r = confirm_group(id, p->utmp_group);
	r = r ?: confirm_list(id, &p->settings.approvers);
	r = r ?: confirm_list(id, &p->settings.admins);
	r = r ?: confirm_list(id, &p->settings.break_glass);
	for (size_t i = 0; r == 0 && i < p->n_rules; i++) {
		r = confirm_list(id, &p->rules[i].actors);
		r = r ?: confirm_list(id, &p->rules[i].targets);
		r = r ?: confirm_list(id, &p->rules[i].approvers);
	}
	return r;
}

static int lookup_passwd(const struct guard_policy *policy, const char *name, uid_t uid,
			 bool target, struct guard_identity *ret)
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

				guard_accounts_resolver(&sys, NULL);
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
	/* Root is @protected for its uid before any group counts (match.c):
	 * its privileged groups would be looked up for nothing, and sudo and
	 * su to root are most of the decisions. */
	if (r == 0)
		r = confirm_groups(policy, ret, target && ret->uid != 0);
	if (r < 0)
		guard_identity_clear(ret);
	return r;
}

int guard_accounts_user_by_name(const struct guard_policy *policy, const char *name,
				struct guard_identity *ret)
{
	return lookup_passwd(policy, name, 0, true, ret);
}

int guard_accounts_user_by_uid(const struct guard_policy *policy, uid_t uid,
			       struct guard_identity *ret)
{
	return lookup_passwd(policy, NULL, uid, true, ret);
}

int guard_accounts_actor_by_name(const struct guard_policy *policy, const char *name,
				 struct guard_identity *ret)
{
	return lookup_passwd(policy, name, 0, false, ret);
}

int guard_accounts_actor_by_uid(const struct guard_policy *policy, uid_t uid,
				struct guard_identity *ret)
{
	return lookup_passwd(policy, NULL, uid, false, ret);
}

int guard_accounts_target_by_name(const struct guard_policy *policy, const char *name,
				  struct guard_identity *ret)
{
	int r = guard_accounts_user_by_name(policy, name, ret);

	if (r != -ENOENT)
		return r;
	memset(ret, 0, sizeof(*ret));
	ret->name = strdup(name);
	return ret->name ? 0 : -ENOMEM;
}

static int user_by_name(void *ctx, const char *name, struct guard_identity *ret)
{
	return lookup_passwd(ctx, name, 0, true, ret);
}

/* The name alone: whose a uid is needs none of the account's groups. */
static int name_of_uid(void *ctx, uint32_t uid, char **ret_name)
{
	struct nss_query q = {.id = uid};
	char *buf = NULL;
	int r;

	(void)ctx;
	r = nss_lookup(&q, 4096, &buf);
	if (r < 0)
		return r;
	*ret_name = strdup(q.pw_res->pw_name);
	free(buf);
	return *ret_name ? 0 : -ENOMEM;
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

/* Does thread tid's status (dir: /proc/PID/task) show uid among its real,
 * effective, saved and filesystem uids? */
static bool task_has_uid(int dir, const char *tid, uint32_t uid)
{
	char path[300], line[256];
	bool found = false;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/status", tid);
	fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "re"))) {
		if (fd >= 0)
			close(fd);
		return false; /* ended since */
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line + 4;

		if (strncmp(line, "Uid:", 4) != 0)
			continue;
		/* Real, effective, saved, filesystem. */
		for (int i = 0; i < 4; i++) {
			char *end;
			unsigned long u = strtoul(s, &end, 10);

			if (end == s)
				break;
			found = found || u == uid;
			s = end;
		}
		break;
	}
	(void)fclose(f); /* read only */
	return found;
}

/* Every thread of every process /proc shows (credentials are per thread;
 * a process of another user namespace shows its uid as seen here). */
static int uid_running(void *ctx, uint32_t uid, int *ret_pid)
{
	DIR *procs = opendir("/proc");
	struct dirent *p;
	int r = -ENOENT;

	(void)ctx;
	if (!procs)
		return -errno;
	/* cppcheck-suppress readdirCalled ; the streams are this call's own,
	 * and glibc deprecates readdir_r */
	while (r == -ENOENT && (p = readdir(procs))) {
		char tasks[300];
		struct dirent *t;
		char *end;
		long pid = strtol(p->d_name, &end, 10);
		DIR *d;

		if (*end || pid <= 0)
			continue;
		snprintf(tasks, sizeof(tasks), "/proc/%ld/task", pid);
		if (!(d = opendir(tasks)))
			continue; /* ended since */
		/* cppcheck-suppress readdirCalled */
		while (r == -ENOENT && (t = readdir(d)))
			if (t->d_name[0] != '.' && task_has_uid(dirfd(d), t->d_name, uid)) {
				*ret_pid = (int)pid;
				r = 0;
			}
		closedir(d);
	}
	closedir(procs);
	return r;
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

int guard_accounts_check_role_groups(const struct guard_policy *p, struct guard_error *err)
{
	for (size_t i = 0; i < p->n_role_groups; i++) {
		const struct guard_role_group *g = &p->role_groups[i];
		int r = lookup_group(g->name, 0, NULL, NULL);

		if (r == -ENOENT) {
			guard_error_set(err, g->file, g->line,
					"role group %%%s does not exist: creating it would grant "
					"the role (%s)",
					g->name, g->role);
			return r;
		}
		if (r < 0) {
			guard_error_set(err, g->file, g->line, "cannot look up role group %%%s: %s",
					g->name, strerror(-r));
			return r;
		}
	}
	return 0;
}

void guard_accounts_resolver(struct guard_resolver *ret, const struct guard_policy *policy)
{
	memset(ret, 0, sizeof(*ret));
	/* Read only through user_by_name. */
	ret->ctx = (void *)(uintptr_t)policy;
	ret->user_by_name = user_by_name;
	ret->name_of_uid = name_of_uid;
	ret->group_by_name = group_by_name;
	ret->group_by_gid = group_by_gid;
	ret->shell_allowed = shell_allowed;
	ret->uid_running = uid_running;
}
