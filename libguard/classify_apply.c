/* What a tool's parsed options raise: the actions an option's table row
 * names, its grants, the groups it joins. Shared by every tool's table
 * (classify_shadow_user.c, classify_adduser.c, classify_batch.c). */
#include <stdio.h>
#include <string.h>

#include "classify_internal.h"
#include "numparse.h"

struct membership {
	const struct guard_identity *user;
	bool primary;
	bool grant_only; /* a tool's setting: no group.member.add */
};

static int add_membership(struct cl_ctx *ctx, const char *group, const void *data)
{
	const struct membership *m = data;
	struct cl_group g = {0};
	int r = cl_resolve_group(ctx, group, &g);

	if (r == 0 && !m->grant_only)
		r = cl_add(ctx, GUARD_GROUP_MEMBER_ADD, m->user, &g, NULL);
	if (r == 0 && g.privileged && m->primary && g.gid_known && g.gid == 0)
		r = cl_add(ctx, GUARD_ROLE_ESCALATE, m->user, &g, "primary group 0");
	else if (r == 0)
		r = cl_add_join_grant(ctx, m->user, &g, "group ");
	cl_group_clear(&g);
	return r;
}

int cl_add_memberships(struct cl_ctx *ctx, const struct guard_identity *user, const char *groups,
		       bool primary)
{
	struct membership m = {user, primary, false};

	return cl_each_item(ctx, "groups", groups, add_membership, &m);
}

int cl_add_setting_groups(struct cl_ctx *ctx, const struct guard_identity *user, const char *groups,
			  bool primary)
{
	struct membership m = {user, primary, true};

	return cl_each_item(ctx, "groups", groups, add_membership, &m);
}

static int apply_one(struct cl_ctx *ctx, const struct cl_parsed_opt *o,
		     const struct guard_identity *user, bool *ret_protected)
{
	const struct cl_opt *opt = o->opt;
	char grant[128];
	uint32_t uid;
	int r = 0;

	if (opt->arg == CL_GROUP || opt->arg == CL_GROUPS) {
		if (opt->action == GUARD_GROUP_MEMBER_ADD)
			r = cl_add_memberships(ctx, user, o->value, opt->arg == CL_GROUP);
	} else if (opt->action == CL_EXPIRY) {
		bool unlock = !*o->value || strcmp(o->value, "-1") == 0;
		r = cl_add(ctx, unlock ? GUARD_USER_UNLOCK : GUARD_USER_LOCK, user, NULL, NULL);
	} else if (opt->action >= 0) {
		r = cl_add(ctx, (enum guard_action)opt->action, user, NULL, NULL);
	}
	if (r == 0 && opt->arg == CL_SECRET)
		r = cl_password_value(ctx, user, o->value, cl_opt_label(opt, grant, sizeof(grant)));
	if (r == 0 && opt->grant) {
		r = cl_add(ctx, GUARD_ROLE_ESCALATE, user, NULL, opt->grant);
		if (opt->protects)
			*ret_protected = true;
	}
	if (r == 0 && opt->arg == CL_UID && guard_parse_id(o->value, &uid) == 0)
		r = cl_add_uid_grant(ctx, user, uid, ret_protected);
	if (r == 0 && opt->arg == CL_SEUSER) {
		snprintf(grant, sizeof(grant), "SELinux user %s", o->value);
		r = cl_add(ctx, GUARD_ROLE_ESCALATE, user, NULL, grant);
	}
	return r;
}

int cl_apply_options(struct cl_ctx *ctx, const struct cl_parsed *p,
		     const struct guard_identity *user, bool *ret_protected)
{
	for (size_t i = 0; i < p->n_opts; i++) {
		int r = apply_one(ctx, &p->opts[i], user, ret_protected);
		if (r < 0)
			return r;
	}
	return 0;
}
