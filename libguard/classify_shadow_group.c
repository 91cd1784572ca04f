/* shadow 4.13's group tools as Debian 12 builds them: groupadd, groupmod,
 * groupdel, gpasswd. One table per tool (long_options[] order, optstring
 * letters), then what each command raises. A group is privileged when the
 * policy says so (by name, or gid 0); granting it to anyone, by gid, name,
 * members, administrators or a password, raises role.escalate. */
#include <stdio.h>

#include "classify_internal.h"
#include "numparse.h"

/* Group options whose meaning depends on the group: handled below. */
enum {
	K_USERS = 'U',
	K_PASSWORD = 'p',
};

/* "fg:hK:op:rR:P:U:" */
static const struct cl_opt groupadd_opts[] = {
    CL_FLAG('f', "force", CL_NOACT),
    CL_VAL('g', "gid", CL_GID, CL_NOACT),
    CL_HELP('h'),
    CL_KEY('K'),
    CL_FLAG('o', "non-unique", CL_NOACT),
    CL_VAL('p', "password", CL_SECRET, CL_NOACT),
    CL_FLAG('r', "system", CL_NOACT),
    CL_ROOT('R'),
    CL_PREFIX('P'),
    CL_VAL('U', "users", CL_USERS, CL_NOACT),
};

/* "ag:hn:op:R:P:U:" */
static const struct cl_opt groupmod_opts[] = {
    CL_FLAG('a', "append", CL_NOACT),
    CL_VAL('g', "gid", CL_GID, CL_NOACT),
    CL_HELP('h'),
    CL_VAL('n', "new-name", CL_NEWNAME, CL_NOACT),
    CL_FLAG('o', "non-unique", CL_NOACT),
    CL_VAL('p', "password", CL_SECRET, CL_NOACT),
    CL_ROOT('R'),
    CL_PREFIX('P'),
    CL_VAL('U', "users", CL_USERS, CL_NOACT),
};

/* "hfR:P:" */
static const struct cl_opt groupdel_opts[] = {
    CL_HELP('h'),
    CL_ROOT('R'),
    CL_PREFIX('P'),
    CL_FLAG('f', "force", CL_NOACT),
};

/* "a:A:d:ghM:Q:rR" (-g is a no-op kept for a setgid wrapper; -Q is the
 * chroot option here, -R restricts the group) */
static const struct cl_opt gpasswd_opts[] = {
    CL_VAL('a', "add", CL_USER, CL_NOACT),
    CL_VAL('d', "delete", CL_USER, CL_NOACT),
    CL_HELP('h'),
    CL_ROOT('Q'),
    CL_FLAG('r', "remove-password", GUARD_GROUP_MODIFY),
    CL_FLAG('R', "restrict", GUARD_GROUP_MODIFY),
    CL_VAL('A', "administrators", CL_USERS, GUARD_GROUP_MODIFY),
    CL_VAL('M', "members", CL_USERS, CL_NOACT),
    CL_FLAG('g', NULL, CL_NOACT),
};

/* The group operand: a name (the tools take no gid there). */
static int group_operand(struct cl_ctx *ctx, const struct cl_parsed *p, const char **ret)
{
	int r = cl_one_operand(ctx, p, "group", ret);

	return r < 0 ? r : cl_check_name(ctx, "group", *ret);
}

/* The group operand, looked up. */
static int the_group(struct cl_ctx *ctx, const struct cl_parsed *p, struct cl_group *ret)
{
	const char *name;
	int r = group_operand(ctx, p, &name);

	return r < 0 ? r : cl_resolve_group(ctx, name, ret);
}

/* A group's administrators (gpasswd -A) change its members with gpasswd
 * itself, and its password lets whoever knows it in with newgrp: members
 * that no rule of Guard's decides or sees. So a role.escalate on any group,
 * privileged or not. */
static int beside_guard(struct cl_ctx *ctx, const struct guard_identity *user,
			const struct cl_group *g, const char *what)
{
	char grant[160];

	if (g->name)
		snprintf(grant, sizeof(grant), "%s%s", what, g->name);
	else
		snprintf(grant, sizeof(grant), "%sgid %u", what, g->gid);
	return cl_add(ctx, GUARD_ROLE_ESCALATE, user, g, grant);
}

/* What each user of a list gets: action on group (GUARD_ACTION_COUNT:
 * none), and role.escalate when it is privileged (grant NULL: never), or
 * on any group (any_group: beside_guard). */
struct per_user {
	const struct cl_group *group;
	enum guard_action action;
	const char *grant;
	bool any_group;
};

static int one_user(struct cl_ctx *ctx, const char *name, const void *data)
{
	const struct per_user *u = data;
	struct guard_identity user = {0};
	int r = cl_resolve_user(ctx, name, &user);

	if (r == 0 && u->action != GUARD_ACTION_COUNT)
		r = cl_add(ctx, u->action, &user, u->group, NULL);
	if (r == 0 && u->grant)
		r = u->any_group ? beside_guard(ctx, &user, u->group, u->grant)
				 : cl_add_join_grant(ctx, &user, u->group, u->grant);
	guard_identity_clear(&user);
	return r;
}

static int per_user(struct cl_ctx *ctx, const char *list, const struct cl_group *g,
		    enum guard_action action, const char *grant)
{
	struct per_user u = {g, action, grant, false};

	return cl_each_item(ctx, "users", list, one_user, &u);
}

static int group_admins(struct cl_ctx *ctx, const char *list, const struct cl_group *g)
{
	struct per_user u = {g, GUARD_ACTION_COUNT, "administrator of group ", true};

	return cl_each_item(ctx, "users", list, one_user, &u);
}

/* -g GID: gid 0, or the gid of a privileged group, shared by -o or taken
 * over by a new group, grants that group. */
static int gid_grant(struct cl_ctx *ctx, const struct cl_group *g, const char *gid_text)
{
	struct cl_group owner = {0};
	char grant[160];
	int r = cl_resolve_group(ctx, gid_text, &owner);

	if (r < 0)
		return r;
	if (owner.privileged) {
		if (owner.name)
			snprintf(grant, sizeof(grant), "gid %u of group %s", owner.gid, owner.name);
		else
			snprintf(grant, sizeof(grant), "gid %u", owner.gid);
		r = cl_add_granted_by(ctx, NULL, g, grant, owner.name);
	}
	cl_group_clear(&owner);
	return r;
}

/* -g into the system range: the group becomes a system group. */
static int system_gid(struct cl_ctx *ctx, const struct cl_group *g, const char *value)
{
	struct cl_group moved = *g;

	if (guard_parse_id(value, &moved.gid) < 0)
		return 0; /* refused by the value's check */
	moved.gid_known = true;
	return cl_add_system_group_grant(ctx, &moved, false);
}

/* Options both groupadd and groupmod take: -g, -o, -p, -U. */
static int group_common(struct cl_ctx *ctx, const struct cl_parsed *p, const struct cl_group *g,
			bool replaces_members)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < p->n_opts; i++) {
		const struct cl_parsed_opt *o = &p->opts[i];
		switch (o->opt->key) {
		case 'g':
			r = gid_grant(ctx, g, o->value);
			if (r == 0)
				r = system_gid(ctx, g, o->value);
			break;
		case 'o':
			r = cl_add(ctx, GUARD_ROLE_ESCALATE, NULL, g, "duplicate gid (-o)");
			break;
		case K_PASSWORD:
			r = beside_guard(ctx, NULL, g, "password on group ");
			break;
		case K_USERS:
			r = per_user(ctx, o->value, g, GUARD_GROUP_MEMBER_ADD, "group ");
			if (r == 0 && replaces_members)
				r = cl_add(ctx, GUARD_GROUP_MEMBER_REMOVE, NULL, g, NULL);
			break;
		}
	}
	return r;
}

static int groupadd(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	struct cl_group g = {0};
	const char *gid = cl_last(p, 'g');
	int r = the_group(ctx, p, &g);

	if (r < 0)
		return r;
	/* The new group's gid is -g's when given. */
	if (gid && guard_parse_id(gid, &g.gid) == 0)
		g.gid_known = true;
	g.privileged = guard_policy_group_is_privileged(ctx->policy, g.name, g.gid_known, g.gid);
	r = cl_add(ctx, GUARD_GROUP_CREATE, NULL, &g, NULL);
	if (r == 0 && !g.gid_known)
		r = cl_add_tool_id_grant(ctx, NULL, &g, true);
	if (r == 0)
		r = cl_add_group_grant(ctx, NULL, &g, "group ");
	if (r == 0 && cl_has(p, 'r'))
		r = cl_add_system_group_grant(ctx, &g, true);
	if (r == 0)
		r = group_common(ctx, p, &g, false);
	cl_group_clear(&g);
	return r;
}

/* groupmod: -n onto a privileged name, -g onto a privileged gid, -o, a
 * password or members on a privileged group grant it. -U without -a
 * replaces the members. */
static int groupmod(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	struct cl_group g = {0};
	const char *new_name = cl_last(p, 'n');
	int r;

	if (p->n_opts == 0)
		return cl_refuse(ctx, "groupmod: no change asked");
	r = the_group(ctx, p, &g);
	if (r < 0)
		return r;
	r = cl_add(ctx, GUARD_GROUP_MODIFY, NULL, &g, NULL);
	if (r == 0 && new_name &&
	    guard_policy_group_is_privileged(ctx->policy, new_name, false, 0)) {
		char grant[96];
		snprintf(grant, sizeof(grant), "group %s", new_name);
		r = cl_add_granted_by(ctx, NULL, &g, grant, new_name);
		/* What is granted after the rename is the new name's privilege. */
		g.privileged = true;
	}
	/* A system group under a new name is one a package of that name will
	 * adopt (-g moving it out of the range is group_common's). */
	if (r == 0 && new_name && !cl_has(p, 'g'))
		r = cl_add_system_group_grant(ctx, &g, false);
	if (r == 0)
		r = group_common(ctx, p, &g, !cl_has(p, 'a'));
	cl_group_clear(&g);
	return r;
}

static int groupdel(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	const char *name;
	int r = group_operand(ctx, p, &name);

	return r < 0 ? r : cl_add_on_group(ctx, GUARD_GROUP_DELETE, NULL, name);
}

/* gpasswd GROUP alone sets the group's password. -M sets the member list:
 * member.add for each listed user and member.remove for the others (whom
 * Guard does not list: the target has the group and no user). */
static int gpasswd(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	struct cl_group g = {0};
	int r = the_group(ctx, p, &g);

	if (r < 0)
		return r;
	if (p->n_opts == 0 || (p->n_opts == 1 && cl_has(p, 'g'))) {
		r = cl_add(ctx, GUARD_GROUP_MODIFY, NULL, &g, NULL);
		if (r == 0)
			r = beside_guard(ctx, NULL, &g, "password on group ");
	}
	for (size_t i = 0; r == 0 && i < p->n_opts; i++) {
		const struct cl_parsed_opt *o = &p->opts[i];
		switch (o->opt->key) {
		case 'a':
			r = per_user(ctx, o->value, &g, GUARD_GROUP_MEMBER_ADD, "group ");
			break;
		case 'd':
			r = per_user(ctx, o->value, &g, GUARD_GROUP_MEMBER_REMOVE, NULL);
			break;
		case 'M':
			r = per_user(ctx, o->value, &g, GUARD_GROUP_MEMBER_ADD, "group ");
			if (r == 0)
				r = cl_add(ctx, GUARD_GROUP_MEMBER_REMOVE, NULL, &g, NULL);
			break;
		case 'A':
			r = cl_add(ctx, GUARD_GROUP_MODIFY, NULL, &g, NULL);
			if (r == 0)
				r = group_admins(ctx, o->value, &g);
			break;
		case 'r':
		case 'R':
			r = cl_add(ctx, GUARD_GROUP_MODIFY, NULL, &g, NULL);
			break;
		}
	}
	cl_group_clear(&g);
	return r;
}

CL_TOOL(groupadd, "/usr/sbin", CL_GETOPT, groupadd_opts, groupadd, false);
CL_TOOL(groupmod, "/usr/sbin", CL_GETOPT, groupmod_opts, groupmod, false);
CL_TOOL(groupdel, "/usr/sbin", CL_GETOPT, groupdel_opts, groupdel, false);
CL_TOOL(gpasswd, "/usr/bin", CL_GETOPT, gpasswd_opts, gpasswd, false);
