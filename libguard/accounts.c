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
#include <sys/stat.h>
#include <unistd.h>

#include "accounts_internal.h"
#include "sudoers.h"

#define MAX_GROUPS 4096

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

/* The user (MEMO_USER) or group (MEMO_GROUP) by name, or by id when name
 * is NULL. Returns 0 with *ret, -ENOENT, or another -errno. *ret is valid
 * until the next question. */
static int ask(enum memo_kind kind, const char *name, uint32_t id, const struct nss_answer **ret)
{
	bool group = kind == MEMO_GROUP;
	const struct memo *found = guard_memo_find(kind, name, name ? 0 : id);
	struct nss_query q = {.group = group, .name = name, .id = id};
	struct memo *m;
	char *buf = NULL;
	int r;

	if (found) {
		*ret = &found->a;
		return found->a.result;
	}
	r = nss_lookup(&q, group ? 16384 : 4096, &buf);
	if (r < 0 && r != -ENOENT)
		return r;
	m = guard_memo_slot(kind, name, name ? 0 : id);
	if (m && r == 0 && group) {
		m->a.name = strdup(q.gr_res->gr_name);
		m->a.id = q.gr_res->gr_gid;
		/* Members are asked of a group by name only (listed_in). */
		m->a.members = name ? guard_strv_copy(q.gr_res->gr_mem) : calloc(1, sizeof(char *));
	} else if (m && r == 0) {
		m->a.name = strdup(q.pw_res->pw_name);
		m->a.id = q.pw_res->pw_uid;
		m->a.gid = q.pw_res->pw_gid;
	}
	free(buf);
	if (!m || (r == 0 && (!m->a.name || (group && !m->a.members)))) {
		if (m)
			guard_memo_clear(m);
		return -ENOMEM;
	}
	m->a.result = r;
	guard_memo_keep(m);
	*ret = &m->a;
	return r;
}

static int ask_user(const char *name, uint32_t uid, const struct nss_answer **ret)
{
	return ask(MEMO_USER, name, uid, ret);
}

static int ask_group(const char *name, uint32_t gid, const struct nss_answer **ret)
{
	return ask(MEMO_GROUP, name, gid, ret);
}

/* The gids of user's groups (getgrouplist, gid its primary group). */
static int ask_group_list(const char *user, uint32_t gid, const struct nss_answer **ret)
{
	const struct memo *found = guard_memo_find(MEMO_GROUP_LIST, user, gid);
	struct memo *m;
	gid_t *gids;
	int n = MAX_GROUPS;

	if (found) {
		*ret = &found->a;
		return 0;
	}
	gids = calloc(MAX_GROUPS, sizeof(gid_t));
	if (!gids)
		return -ENOMEM;
	if (getgrouplist(user, (gid_t)gid, gids, &n) < 0) {
		free(gids);
		return -E2BIG;
	}
	m = guard_memo_slot(MEMO_GROUP_LIST, user, gid);
	if (!m) {
		free(gids);
		return -ENOMEM;
	}
	m->a.gid = gid;
	m->a.gids = gids;
	m->a.n_gids = (size_t)n;
	guard_memo_keep(m);
	*ret = &m->a;
	return 0;
}

static bool lists(char *const *mem, const char *user)
{
	for (char *const *m = mem; m && *m; m++)
		if (strcmp(*m, user) == 0)
			return true;
	return false;
}

/* Is user a member (by name, in the group's own list) of group name?
 * -ENOENT: no such group; another -errno: the look-up failed. */
static int listed_in(const char *name, const char *user, bool *ret)
{
	const struct nss_answer *a;
	int r = ask_group(name, 0, &a);

	*ret = r == 0 && lists(a->members, user);
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
	guard_accounts_walk(p);
	/* The @privileged groups too, for a target: @protected counts their
	 * members. */
	for (size_t i = 0; target && r == 0 && i < p->n_privileged_groups; i++)
		if (!has_group(id, p->privileged_groups[i]))
			r = confirm_group(id, p->privileged_groups[i]);
	if (target && r == 0 && p->utmp_group && !has_group(id, p->utmp_group))
		r = confirm_group(id, p->utmp_group);
	for (size_t i = 0; target && r == 0 && i < p->n_sudoers; i++) {
		const char *g = p->sudoers[i].name;

		if ((p->sudoers[i].kind == GUARD_SUDOERS_GROUP ||
		     p->sudoers[i].kind == GUARD_SUDOERS_GID) &&
		    g && !has_group(id, g))
			r = confirm_group(id, g);
	}
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
	const struct nss_answer *a;
	uint32_t gid;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = ask_user(name, (uint32_t)uid, &a);
	if (r < 0)
		return r;
	ret->name = strdup(a->name);
	ret->exists = true;
	ret->uid_known = true;
	ret->uid = a->id;
	gid = a->gid;
	r = ret->name ? ask_group_list(ret->name, gid, &a) : -ENOMEM;
	if (r == 0) {
		/* Copied: each name below is another question. */
		size_t n = a->n_gids;
		gid_t *gids = malloc((n ? n : 1) * sizeof(gid_t));

		if (gids)
			memcpy(gids, a->gids, n * sizeof(gid_t));
		ret->groups = calloc(n + 1, sizeof(char *));
		if (!gids || !ret->groups)
			r = -ENOMEM;
		for (size_t i = 0; r == 0 && i < n; i++) {
			const struct nss_answer *g;
			int k = ask_group(NULL, gids[i], &g);

			if (k == -ENOENT)
				continue; /* a gid without a name matches no %group */
			if (k < 0)
				r = k;
			else if (!(ret->groups[ret->n_groups++] = strdup(g->name)))
				r = -ENOMEM;
		}
		free(gids);
	}
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
	const struct nss_answer *a;
	int r;

	(void)ctx;
	r = ask_user(NULL, uid, &a);
	if (r < 0)
		return r;
	*ret_name = strdup(a->name);
	return *ret_name ? 0 : -ENOMEM;
}

static int lookup_group(const char *name, gid_t gid, uint32_t *ret_gid, char **ret_name)
{
	const struct nss_answer *a;
	int r;

	r = ask_group(name, (uint32_t)gid, &a);
	if (r < 0)
		return r;
	if (ret_gid)
		*ret_gid = a->id;
	if (ret_name && !(*ret_name = strdup(a->name)))
		return -ENOMEM;
	return 0;
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
	guard_accounts_walk(p);
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
