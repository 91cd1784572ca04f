/* The classifier's targets: accounts and groups looked up through the
 * resolver, and the targets built from them. A look-up error other than
 * "no such entry" is returned as is: the caller refuses (a zeroed identity
 * never means root). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_internal.h"
#include "numparse.h"
#include "sudoers.h"

static bool in_ranges(const struct guard_list *l, uint32_t uid)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].kind == GUARD_ITEM_ID_RANGE && !l->items[i].negated &&
		    uid >= l->items[i].lo && uid <= l->items[i].hi)
			return true;
	return false;
}

/* uid 0, protected_users' ranges, and the ranges a role list names. */
bool cl_uid_is_protected(const struct guard_policy *policy, uint32_t uid)
{
	return uid == 0 || in_ranges(&policy->protected_users, uid) ||
	       guard_policy_role_user(policy, NULL, true, uid) ||
	       guard_sudoers_user(policy, NULL, true, uid);
}

int cl_add_name_grant(struct cl_ctx *ctx, const struct guard_identity *user, const char *name)
{
	const struct guard_sudoers_grant *g = guard_sudoers_user(ctx->policy, name, false, 0);
	char grant[640];

	if (!g || g->kind != GUARD_SUDOERS_USER)
		return 0;
	snprintf(grant, sizeof(grant), "the name %s, which %s grants (%s:%u)", name,
		 guard_grant_source(g), g->file, g->line);
	return cl_add(ctx, GUARD_ROLE_ESCALATE, user, NULL, grant);
}

void cl_group_clear(struct cl_group *g)
{
	if (!g)
		return;
	free(g->name);
	*g = (struct cl_group){0};
}

int cl_resolve_group(struct cl_ctx *ctx, const char *text, struct cl_group *ret)
{
	const struct guard_resolver *res = ctx->resolver;
	struct cl_group g = {0};
	int r;

	if (text[0] >= '0' && text[0] <= '9') {
		if (guard_parse_id(text, &g.gid) < 0)
			return cl_refuse(ctx, "'%s' is not a valid gid", QUOTED(text));
		g.gid_known = true;
		r = res->group_by_gid(res->ctx, g.gid, &g.name);
		if (r < 0 && r != -ENOENT) {
			guard_error_set(ctx->err, NULL, 0, "cannot look up gid %u", g.gid);
			return r;
		}
		if (r < 0)
			g.name = NULL;
	} else {
		r = cl_check_name(ctx, "group", text);
		if (r < 0)
			return r;
		g.name = strdup(text);
		if (!g.name)
			return cl_oom(ctx);
		r = res->group_by_name(res->ctx, text, &g.gid);
		if (r < 0 && r != -ENOENT) {
			guard_error_set(ctx->err, NULL, 0, "cannot look up group '%s'",
					QUOTED(text));
			free(g.name);
			return r;
		}
		g.gid_known = r == 0;
	}
	g.privileged = guard_policy_group_is_privileged(ctx->policy, g.name, g.gid_known, g.gid);
	*ret = g;
	return 0;
}

int cl_resolve_user(struct cl_ctx *ctx, const char *name, struct guard_identity *ret)
{
	struct guard_identity id = {0};
	int r = cl_check_name(ctx, "user", name);

	if (r < 0)
		return r;
	r = ctx->resolver->user_by_name(ctx->resolver->ctx, name, &id);
	if (r == -ENOENT) {
		guard_identity_clear(&id);
		id = (struct guard_identity){.exists = false};
	} else if (r < 0) {
		guard_identity_clear(&id);
		guard_error_set(ctx->err, NULL, 0, "cannot look up user '%s'", QUOTED(name));
		return r;
	} else {
		id.exists = true;
	}
	if (!id.name) {
		id.name = strdup(name);
		if (!id.name) {
			guard_identity_clear(&id);
			return cl_oom(ctx);
		}
	}
	*ret = id;
	return 0;
}

static int identity_copy(const struct guard_identity *src, struct guard_identity *dst)
{
	*dst = (struct guard_identity){
	    .exists = src->exists, .uid_known = src->uid_known, .uid = src->uid};
	if (src->name && !(dst->name = strdup(src->name)))
		return -ENOMEM;
	if (src->n_groups) {
		dst->groups = calloc(src->n_groups, sizeof(char *));
		if (!dst->groups)
			return -ENOMEM;
		for (size_t i = 0; i < src->n_groups; i++, dst->n_groups++)
			if (!(dst->groups[i] = strdup(src->groups[i])))
				return -ENOMEM;
	}
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* A grant that a computed privilege makes: the reason names it ("group
 * oncall (a Guard role: %oncall may break the glass)"). A listed group
 * reads as before: the policy says it. */
static const char *grant_note(const struct cl_ctx *ctx, const char *grant, const char *by,
			      char *buf, size_t size)
{
	const struct guard_role_group *role = NULL;

	if (!grant || !by)
		return grant;
	switch (guard_policy_group_privilege(ctx->policy, by, false, 0, &role)) {
	case GUARD_PRIVILEGE_ROLE:
		snprintf(buf, size, "%s (a Guard role: %s)", grant, role->role);
		return buf;
	case GUARD_PRIVILEGE_UTMP:
		snprintf(buf, size, "%s (it can write the utmp file)", grant);
		return buf;
	case GUARD_PRIVILEGE_SUDOERS: {
		const struct guard_sudoers_grant *g =
		    guard_sudoers_group(ctx->policy, by, false, 0);

		snprintf(buf, size, "%s (%s grants it: %s:%u)", grant, guard_grant_source(g),
			 g ? g->file : "", g ? g->line : 0);
		return buf;
	}
	default:
		return grant;
	}
}

static int add_target(struct cl_ctx *ctx, enum guard_action action,
		      const struct guard_identity *user, const struct cl_group *group,
		      const char *grant);

/* An array of n items of size bytes with room for one more: itself while
 * n < *cap, else grown to twice *cap (first: its first size). NULL when
 * out of memory, the array then unchanged. */
static void *room_for_one(void *items, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t grown_cap;
	void *grown;

	if (n < *cap)
		return items;
	grown_cap = *cap ? 2 * *cap : first;
	grown = realloc(items, grown_cap * size);
	if (grown)
		*cap = grown_cap;
	return grown;
}

int cl_add(struct cl_ctx *ctx, enum guard_action action, const struct guard_identity *user,
	   const struct cl_group *group, const char *grant)
{
	char buf[512];

	if (action == GUARD_ROLE_ESCALATE && group)
		grant = grant_note(ctx, grant, group->name, buf, sizeof(buf));
	return add_target(ctx, action, user, group, grant);
}

int cl_add_on_group(struct cl_ctx *ctx, enum guard_action action, const struct guard_identity *user,
		    const char *group)
{
	struct cl_group g = {0};
	int r = cl_resolve_group(ctx, group, &g);

	if (r == 0)
		r = cl_add(ctx, action, user, &g, NULL);
	cl_group_clear(&g);
	return r;
}

int cl_add_granted_by(struct cl_ctx *ctx, const struct guard_identity *user,
		      const struct cl_group *group, const char *grant, const char *by)
{
	char buf[512];

	return add_target(ctx, GUARD_ROLE_ESCALATE, user, group,
			  grant_note(ctx, grant, by, buf, sizeof(buf)));
}

static int add_target(struct cl_ctx *ctx, enum guard_action action,
		      const struct guard_identity *user, const struct cl_group *group,
		      const char *grant)
{
	struct guard_target t = {.action = action}, *targets;

	/* Once per (action, user, group, grant): "-G sudo -G sudo" is one. */
	for (size_t i = 0; i < ctx->n_targets; i++) {
		const struct guard_target *o = &ctx->targets[i];
		if (o->action == action && str_eq(o->user.name, user ? user->name : NULL) &&
		    str_eq(o->group, group ? group->name : NULL) &&
		    o->gid_known == (group && group->gid_known) &&
		    (!o->gid_known || o->gid == group->gid) && str_eq(o->grant, grant))
			return 0;
	}
	targets =
	    room_for_one(ctx->targets, ctx->n_targets, &ctx->cap_targets, sizeof(*targets), 8);
	if (!targets)
		return cl_oom(ctx);
	ctx->targets = targets;
	if ((user && identity_copy(user, &t.user) < 0) ||
	    (group && group->name && !(t.group = strdup(group->name))) ||
	    (grant && !(t.grant = strdup(grant)))) {
		guard_target_clear(&t);
		return cl_oom(ctx);
	}
	if (group) {
		t.gid_known = group->gid_known;
		t.gid = group->gid;
	}
	ctx->targets[ctx->n_targets++] = t;
	return 0;
}

int cl_add_group_grant(struct cl_ctx *ctx, const struct guard_identity *user,
		       const struct cl_group *g, const char *what)
{
	char grant[160];

	if (!g->privileged)
		return 0;
	if (g->name)
		snprintf(grant, sizeof(grant), "%s%s", what, g->name);
	else
		snprintf(grant, sizeof(grant), "gid %u", g->gid);
	return cl_add(ctx, GUARD_ROLE_ESCALATE, user, g, grant);
}

/* The tools' settings, or a refusal naming the tool when they are unknown. */
static int tool_defaults(struct cl_ctx *ctx, const struct guard_tool_defaults **ret)
{
	if (!ctx->resolver->defaults)
		return cl_refuse(ctx,
				 "%s: its settings (login.defs, adduser.conf) could not be read, "
				 "so what it would create is unknown",
				 ctx->tool->name);
	*ret = ctx->resolver->defaults;
	return 0;
}

/* A system group: one made with -r (--system), or with a gid below
 * login.defs' GID_MIN. A package that finds a system group of its name
 * takes it for its own and gives it powers (wireshark's capture
 * capabilities to dumpcap, kvm's /dev/kvm), with the members it has: made,
 * or moved into that range, only as role.escalate. */
int cl_add_system_group_grant(struct cl_ctx *ctx, const struct cl_group *g, bool system)
{
	const struct guard_tool_defaults *d = NULL;
	int r;

	if (!system && !g->gid_known)
		return 0;
	r = tool_defaults(ctx, &d);
	if (r < 0)
		return r;
	if (!system && d && g->gid >= d->gid_min)
		return 0;
	return cl_add(ctx, GUARD_ROLE_ESCALATE, NULL, g, "system group");
}

/* The group every account may be given by the tools' settings alone
 * (useradd's GROUP, adduser's USERS_GROUP and USERS_GID: users, gid 100,
 * on Debian). */
static bool tools_default_group(const struct guard_tool_defaults *d, const struct cl_group *g)
{
	const char *const v[] = {d->useradd_group, d->adduser_users_group, d->adduser_users_gid};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint32_t id;

		if (!v[i][0])
			continue;
		if (guard_parse_id(v[i], &id) == 0) {
			if (g->gid_known && g->gid == id)
				return true;
		} else if (g->name && strcmp(g->name, v[i]) == 0) {
			return true;
		}
	}
	/* adduser's own default when adduser.conf names none. */
	return !d->adduser_users_gid[0] && !d->adduser_users_group[0] && g->name &&
	       strcmp(g->name, "users") == 0;
}

/* Joining an existing group: role.escalate when it is privileged, and when
 * it is a system group (a gid below GID_MIN) other than the tools' default
 * group. The policy's list names the groups known to lead to root; the
 * system range holds the others that open what is not the member's: mail
 * reads and replaces every spool, dialout the serial consoles, tty and
 * video the consoles' screens, a daemon's group its data. */
int cl_add_join_grant(struct cl_ctx *ctx, const struct guard_identity *user,
		      const struct cl_group *g, const char *what)
{
	const struct guard_tool_defaults *d = NULL;
	char grant[160];
	int r;

	if (g->privileged || !g->gid_known)
		return cl_add_group_grant(ctx, user, g, what);
	r = tool_defaults(ctx, &d);
	if (r < 0)
		return r;
	if (d && (g->gid >= d->gid_min || tools_default_group(d, g)))
		return 0;
	if (g->name)
		snprintf(grant, sizeof(grant), "system group %s", g->name);
	else
		snprintf(grant, sizeof(grant), "system gid %u", g->gid);
	return cl_add(ctx, GUARD_ROLE_ESCALATE, user, g, grant);
}

/* 0 when no process runs with uid; a refusal (what says for what) when
 * one does or it cannot be told. */
static int uid_idle(struct cl_ctx *ctx, const char *what, uint32_t uid, const char *advice)
{
	const struct guard_resolver *res = ctx->resolver;
	int pid = 0, r;

	if (!res->uid_running)
		return cl_refuse(ctx, "%s: cannot tell whether uid %u runs processes", what, uid);
	r = res->uid_running(res->ctx, uid, &pid);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		guard_error_set(ctx->err, NULL, 0, "cannot tell whether uid %u runs processes",
				uid);
		return r;
	}
	return cl_refuse(ctx, "%s: process %d runs with uid %u: %s", what, pid, uid, advice);
}

int cl_account_idle(struct cl_ctx *ctx, const char *what, const struct guard_identity *user)
{
	char w[160];

	/* uid 0 is root's whatever becomes of this name (and always runs). */
	if (!user->exists || !user->uid_known || user->uid == 0)
		return 0;
	snprintf(w, sizeof(w), "%s %s", what, QUOTED(user->name));
	return uid_idle(ctx, w, user->uid,
			"an account given that uid later would own it; end the account's "
			"processes first");
}

int cl_add_named_group_delete(struct cl_ctx *ctx, const struct guard_identity *user)
{
	struct cl_group g = {0};
	int r;

	if (!user->exists || !user->name || !user->uid_known)
		return 0;
	r = cl_resolve_group(ctx, user->name, &g);
	if (r == 0 && g.gid_known)
		r = cl_add(ctx, GUARD_GROUP_DELETE, NULL, &g, NULL);
	cl_group_clear(&g);
	return r;
}

/* A uid no account has but a process runs with: an account deleted while
 * it ran (outside Guard). */
static int orphan_uid(struct cl_ctx *ctx, uint32_t uid)
{
	const struct guard_resolver *res = ctx->resolver;
	char *owner = NULL;
	int r;

	if (!res->name_of_uid)
		return cl_refuse(ctx, "uid %u: cannot tell whose it is", uid);
	r = res->name_of_uid(res->ctx, uid, &owner);
	free(owner);
	if (r == 0)
		return 0; /* an account's: a duplicate, raised where it is asked for */
	if (r != -ENOENT) {
		guard_error_set(ctx->err, NULL, 0, "cannot look up uid %u", uid);
		return r;
	}
	return uid_idle(ctx, ctx->tool->name, uid,
			"no account has it (one deleted while it ran?), and the new account "
			"would own that process; end it first");
}

int cl_add_uid_grant(struct cl_ctx *ctx, const struct guard_identity *user, uint32_t uid,
		     bool *ret_protected)
{
	char grant[64];
	int r = orphan_uid(ctx, uid);

	if (r < 0)
		return r;
	if (uid == 0)
		snprintf(grant, sizeof(grant), "uid 0");
	else if (cl_uid_is_protected(ctx->policy, uid))
		snprintf(grant, sizeof(grant), "protected uid %u", uid);
	else
		return 0;
	*ret_protected = true;
	return cl_add(ctx, GUARD_ROLE_ESCALATE, user, NULL, grant);
}

void cl_mark_protected(struct cl_ctx *ctx, const char *user)
{
	for (size_t i = 0; i < ctx->n_targets; i++)
		if (ctx->targets[i].user.name && user &&
		    strcmp(ctx->targets[i].user.name, user) == 0)
			ctx->targets[i].protected_grant = true;
}

static bool never_exists(const char *p)
{
	return strncmp(p, "/nonexistent", 12) == 0 && (p[12] == '/' || !p[12]);
}

bool guard_homes_overlap(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b || a[0] != '/' || b[0] != '/' || !a[1] || !b[1] || never_exists(a) ||
	    never_exists(b))
		return false;
	la = strlen(a);
	lb = strlen(b);
	if (la > lb)
		return guard_homes_overlap(b, a);
	return strncmp(a, b, la) == 0 && (b[la] == '\0' || b[la] == '/');
}

int cl_add_home(struct cl_ctx *ctx, enum guard_home_op op, const char *path, const char *user)
{
	struct guard_home h = {.op = op}, *homes;

	/* Two accounts of one request (a newusers batch) with one home, or one
	 * inside the other's: the filesystem check sees neither yet, and the
	 * tool gives the second what the first made. */
	for (size_t i = 0; path && op != GUARD_HOME_OWN && i < ctx->n_homes; i++) {
		const struct guard_home *o = &ctx->homes[i];

		if (o->op != GUARD_HOME_OWN && o->path && user && o->user &&
		    strcmp(user, o->user) != 0 && guard_homes_overlap(path, o->path))
			return cl_refuse(ctx,
					 "%s: '%s' and '%s' would share a home ('%s', '%s'): give "
					 "each account a home of its own",
					 ctx->tool->name, QUOTED(o->user), QUOTED(user),
					 QUOTED(o->path), QUOTED(path));
	}

	homes = room_for_one(ctx->homes, ctx->n_homes, &ctx->cap_homes, sizeof(*homes), 4);
	if (!homes)
		return cl_oom(ctx);
	ctx->homes = homes;
	if ((path && !(h.path = strdup(path))) || (user && !(h.user = strdup(user)))) {
		free(h.path);
		free(h.user);
		return cl_oom(ctx);
	}
	ctx->homes[ctx->n_homes++] = h;
	return 0;
}

int cl_add_tool_id_grant(struct cl_ctx *ctx, const struct guard_identity *user,
			 const struct cl_group *group, bool gid)
{
	const struct guard_sudoers_grant *g = guard_sudoers_unheld(ctx->policy, gid);
	char grant[640];

	if (!g)
		return 0;
	snprintf(grant, sizeof(grant),
		 "a %s the tool chooses (%s grants %s %u, which no %s holds: %s:%u; name one "
		 "with %s)",
		 gid ? "gid" : "uid", guard_grant_source(g), gid ? "gid" : "uid", g->id,
		 gid ? "group" : "account", g->file, g->line, gid ? "-g" : "-u");
	return cl_add(ctx, GUARD_ROLE_ESCALATE, user, group, grant);
}

int cl_add_new_user(struct cl_ctx *ctx, struct guard_identity *user, const char *uid,
		    const struct guard_tool_defaults **ret_defaults)
{
	int r = tool_defaults(ctx, ret_defaults);

	if (r < 0)
		return r;
	if (!user->exists && uid && guard_parse_id(uid, &user->uid) == 0)
		user->uid_known = true;
	r = cl_add(ctx, GUARD_USER_CREATE, user, NULL, NULL);
	if (r == 0 && !user->uid_known)
		r = cl_add_tool_id_grant(ctx, user, NULL, false);
	return r ?: cl_add_name_grant(ctx, user, user->name);
}

int cl_add_new_group(struct cl_ctx *ctx, const struct guard_identity *user, const char *name,
		     bool gid_known, uint32_t gid, bool system)
{
	struct cl_group g = {.gid_known = gid_known, .gid = gid};
	int r = 0;

	if (name && !(g.name = strdup(name)))
		return cl_oom(ctx);
	/* A group made under a privileged name or gid grants what that name
	 * or gid grants (a %sudo rule, a role, a gid some file trusts). */
	g.privileged = guard_policy_group_is_privileged(ctx->policy, g.name, g.gid_known, g.gid);
	r = cl_add(ctx, GUARD_GROUP_CREATE, NULL, &g, NULL);
	if (r == 0 && !g.gid_known)
		r = cl_add_tool_id_grant(ctx, user, &g, true);
	if (r == 0 && user)
		r = cl_add(ctx, GUARD_GROUP_MEMBER_ADD, user, &g, NULL);
	if (r == 0)
		r = cl_add_group_grant(ctx, user, &g, "group ");
	if (r == 0)
		r = cl_add_system_group_grant(ctx, &g, system);
	cl_group_clear(&g);
	return r;
}

int cl_group_named(struct cl_ctx *ctx, const char *name)
{
	uint32_t gid;
	int r = ctx->resolver->group_by_name(ctx->resolver->ctx, name, &gid);

	if (r == 0)
		return 1;
	if (r == -ENOENT)
		return 0;
	guard_error_set(ctx->err, NULL, 0, "cannot look up group '%s'", QUOTED(name));
	return r;
}

int cl_add_private_group(struct cl_ctx *ctx, const struct guard_identity *user, const char *advice)
{
	int r = cl_group_named(ctx, user->name);

	if (r < 0)
		return r;
	if (r > 0)
		return cl_refuse(ctx,
				 "%s: a group named '%s' exists, and %s would refuse to make the "
				 "user-private group: to put the account in it, %s %s",
				 ctx->tool->name, QUOTED(user->name), ctx->tool->name, advice,
				 QUOTED(user->name));
	return cl_add_new_group(ctx, user, user->name, false, 0, false);
}

/* A value crypt(3) can have made: "$id$...", traditional DES (13
 * characters of its alphabet), or BSDi's extended DES ("_" and 19). */
static bool crypt_form(const char *v)
{
	static const char alphabet[] =
	    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t n = strlen(v);

	if (v[0] == '$') {
		const char *end = strchr(v + 1, '$');

		return end && end > v + 1 && end[1];
	}
	if (v[0] == '_')
		return n == 20 && strspn(v + 1, alphabet) == 19;
	return n == 13 && strspn(v, alphabet) == 13;
}

int cl_password_value(struct cl_ctx *ctx, const struct guard_identity *user, const char *value,
		      const char *how)
{
	char why[96];

	/* An empty field lets anyone log in without a password: more than an
	 * unlock, and said so. */
	if (!*value) {
		snprintf(why, sizeof(why), "%s, which empties the password", how);
		return cl_add(ctx, GUARD_USER_UNLOCK, user, NULL, why);
	}
	/* No crypt method starts with '!' or '*': the field locks the
	 * password (usermod -L writes '!'; '*' is "no password"). */
	if (value[0] == '!' || value[0] == '*') {
		snprintf(why, sizeof(why), "%s, which locks the password", how);
		return cl_add(ctx, GUARD_USER_LOCK, user, NULL, why);
	}
	/* Nor does any other value no crypt method makes ("x", "NP", "LK"):
	 * it matches no password, a lock under another name. */
	if (!crypt_form(value)) {
		snprintf(why, sizeof(why), "%s, which is no crypt hash and locks the password",
			 how);
		return cl_add(ctx, GUARD_USER_LOCK, user, NULL, why);
	}
	return 0;
}
