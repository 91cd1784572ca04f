/* Debian's adduser 3.134: adduser, addgroup, deluser, delgroup (Perl
 * scripts; addgroup and delgroup are links whose name picks the mode). The
 * tables follow their GetOptions() calls; "c", "h", "q", "v" are the
 * one-letter aliases the scripts declare. */
#include <stdio.h>
#include <string.h>

#include "classify_internal.h"
#include "numparse.h"

enum {
	K_EXTRA = 300,
	K_EXTRA_OLD,
	K_GECOS,
	K_COMMENT,
	K_DEBUG,
	K_DISABLED_LOGIN,
	K_DISABLED_PASSWORD,
	K_FIRSTGID,
	K_FIRSTUID,
	K_LASTGID,
	K_LASTUID,
	K_GID,
	K_GROUP,
	K_HOME,
	K_INGROUP,
	K_NO_CREATE_HOME,
	K_SHELL,
	K_SYSTEM,
	K_UID,
	K_VERBOSE,
	K_BADNAME,
	K_ONLY_IF_EMPTY,
	K_REMOVE_HOME,
	K_REMOVE_ALL,
	K_BACKUP,
	K_BACKUP_TO,
	K_BACKUP_SUFFIX,
	K_NO_PRESERVE_ROOT,
};

#define WHY_CONF "it reads another configuration file"
#define WHY_DELUSER_FILES                                                                          \
	"deluser removes and archives the files by path, and a process of the account can point "  \
	"them anywhere; use guardctl userdel -r, which checks and removes the home safely"

static const struct cl_opt adduser_opts[] = {
    CL_LONG_FLAG(K_EXTRA, "add-extra-groups"),
    CL_LONG_FLAG(K_EXTRA_OLD, "add_extra_groups"),
    {.key = K_BADNAME, .long_name = "allow-all-names", .refuse = CL_WHY_BADNAME},
    {.key = K_BADNAME, .long_name = "allow-badname", .refuse = CL_WHY_BADNAME},
    {.key = K_BADNAME, .long_name = "allow-bad-names", .refuse = CL_WHY_BADNAME},
    CL_LONG(K_COMMENT, "comment", CL_GECOS, CL_NOACT),
    CL_REFUSE('c', "conf", CL_HOME, WHY_CONF),
    CL_LONG_FLAG(K_DEBUG, "debug"),
    CL_LONG_FLAG(K_DISABLED_LOGIN, "disabled-login"),
    CL_LONG_FLAG(K_DISABLED_PASSWORD, "disabled-password"),
    CL_LONG(K_FIRSTGID, "firstgid", CL_GID, CL_NOACT),
    CL_LONG(K_FIRSTUID, "firstuid", CL_UID, CL_NOACT),
    {.key = K_BADNAME, .long_name = "force-badname", .refuse = CL_WHY_BADNAME},
    CL_LONG(K_GECOS, "gecos", CL_GECOS, CL_NOACT),
    CL_LONG(K_GID, "gid", CL_GID, CL_NOACT),
    CL_LONG_FLAG(K_GROUP, "group"),
    CL_HELP('h'),
    CL_LONG(K_HOME, "home", CL_HOME, CL_NOACT),
    CL_LONG(K_INGROUP, "ingroup", CL_GROUP, CL_NOACT),
    CL_LONG(K_LASTGID, "lastgid", CL_GID, CL_NOACT),
    CL_LONG(K_LASTUID, "lastuid", CL_UID, CL_NOACT),
    CL_LONG_FLAG(K_NO_CREATE_HOME, "no-create-home"),
    CL_FLAG('q', "quiet", CL_NOACT),
    CL_LONG(K_SHELL, "shell", CL_SHELL, CL_NOACT),
    CL_LONG_FLAG(K_SYSTEM, "system"),
    CL_LONG(K_UID, "uid", CL_UID, CL_NOACT),
    CL_LONG_FLAG(K_VERBOSE, "verbose"),
    CL_REFUSE('v', "version", CL_NONE, CL_WHY_HELP),
};

static const struct cl_opt deluser_opts[] = {
    CL_FLAG('q', "quiet", CL_NOACT),
    CL_LONG_FLAG(K_DEBUG, "debug"),
    CL_LONG_FLAG(K_VERBOSE, "verbose"),
    CL_REFUSE('v', "version", CL_NONE, CL_WHY_HELP),
    CL_HELP('h'),
    CL_LONG_FLAG(K_GROUP, "group"),
    CL_REFUSE('c', "conf", CL_HOME, WHY_CONF),
    CL_LONG_FLAG(K_SYSTEM, "system"),
    CL_LONG_FLAG(K_ONLY_IF_EMPTY, "only-if-empty"),
    /* deluser finds the files first (File::Find), then archives and
     * unlinks them by path: a process of the account swaps a directory
     * for a symlink in between and root removes, or copies into the
     * archive, any file. userdel -r's removal does not follow links. */
    {.key = K_REMOVE_HOME, .long_name = "remove-home", .refuse = WHY_DELUSER_FILES},
    {.key = K_REMOVE_ALL, .long_name = "remove-all-files", .refuse = WHY_DELUSER_FILES},
    {.key = K_BACKUP, .long_name = "backup", .refuse = WHY_DELUSER_FILES},
    {.key = K_BACKUP_TO,
     .long_name = "backup-to",
     .arg = CL_HOME,
     .refuse = "it writes the backup where the caller says"},
    CL_LONG(K_BACKUP_SUFFIX, "backup-suffix", CL_WORD, CL_NOACT),
    {.key = K_NO_PRESERVE_ROOT,
     .long_name = "no-preserve-root",
     .refuse = "it lets deluser remove files anywhere, / included"},
};

/* A primary group by name (--ingroup) or gid (--gid): member.add, and
 * role.escalate when privileged. */
static int primary_group(struct cl_ctx *ctx, const struct cl_parsed *p,
			 const struct guard_identity *user)
{
	const char *g = cl_last(p, K_INGROUP);

	if (!g)
		g = cl_last(p, K_GID);
	return g ? cl_add_memberships(ctx, user, g, true) : 0;
}

/* --firstgid and --lastgid bound the gid adduser picks for a new group:
 * either below GID_MIN may make it a system group (cl_add_system_group_grant). */
static int gid_range(struct cl_ctx *ctx, const struct cl_parsed *p, const char *name)
{
	static const int keys[] = {K_FIRSTGID, K_LASTGID};
	int r = 0;

	for (size_t i = 0; r == 0 && i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = cl_last(p, keys[i]);
		struct cl_group g = {.name = (char *)name, .gid_known = true};

		if (v && guard_parse_id(v, &g.gid) == 0)
			r = cl_add_system_group_grant(ctx, &g, false);
	}
	return r;
}

/* addgroup NAME, adduser --group NAME: a group with the gid --gid gives,
 * else one from --firstgid..--lastgid. */
static int new_group(struct cl_ctx *ctx, const struct cl_parsed *p, const char *name,
		     const char *gid, bool sys)
{
	uint32_t id = 0;
	bool gid_known = gid && guard_parse_id(gid, &id) == 0;
	int r = cl_check_name(ctx, "group", name);

	if (r == 0)
		r = cl_add_new_group(ctx, NULL, name, gid_known, id, sys);
	if (r == 0 && !gid)
		r = gid_range(ctx, p, name);
	return r;
}

/* The user-private group adduser makes under adduser.conf's USERGROUPS
 * unless --ingroup or --gid name another; one that exists already makes
 * adduser refuse ("The group ... already exists"): refused here. */
static int private_group(struct cl_ctx *ctx, const struct cl_parsed *p,
			 const struct guard_tool_defaults *d, const struct guard_identity *user)
{
	if (!d->adduser_usergroups || cl_has(p, K_INGROUP) || cl_has(p, K_GID))
		return 0;
	return cl_add_private_group(ctx, user, "use --ingroup");
}

/* The home adduser makes (with its parents), or with --no-create-home
 * gives as it is: --home, else DHOME/USER; a system account's only with
 * --home. A path under /nonexistent is never made. */
static int new_home(struct cl_ctx *ctx, const struct cl_parsed *p,
		    const struct guard_tool_defaults *d, const char *name, bool sys)
{
	const char *dir = cl_last(p, K_HOME);
	char path[512];
	int r;

	if (sys && !dir)
		return 0;
	if (!dir) {
		if (d->adduser_odd_homes)
			return cl_refuse(
			    ctx,
			    "%s: adduser.conf sets GROUPHOMES or LETTERHOMES: name the "
			    "home with --home",
			    ctx->tool->name);
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", d->adduser_home, name) >=
		    sizeof(path))
			return cl_refuse(ctx, "%s: the home's path is too long", ctx->tool->name);
		r = cl_check_home(ctx, "adduser: the home", path, false);
		if (r < 0)
			return r;
		dir = path;
	}
	if (strncmp(dir, "/nonexistent", 12) == 0 && (dir[12] == '/' || !dir[12]))
		return 0;
	return cl_add_home(ctx, cl_has(p, K_NO_CREATE_HOME) ? GUARD_HOME_ADOPT : GUARD_HOME_CREATE,
			   dir, name);
}

/* The groups adduser's settings (root's adduser.conf) add a new user to:
 * a privileged one listed there must not reach whoever may run adduser
 * (cl_add_setting_groups). EXTRA_GROUPS under
 * --add-extra-groups or ADD_EXTRA_GROUPS; the users group (USERS_GID, else
 * USERS_GROUP, else "users", as adduser picks it) as a supplementary group
 * when USERGROUPS is on but --ingroup or --gid names the primary one, and
 * as the primary group (else gid 100) when USERGROUPS is off and --ingroup
 * names none. */
static int settings_groups(struct cl_ctx *ctx, const struct cl_parsed *p,
			   const struct guard_tool_defaults *d, const struct guard_identity *user)
{
	const char *users = d->adduser_users_gid[0]	? d->adduser_users_gid
			    : d->adduser_users_group[0] ? d->adduser_users_group
							: NULL;
	bool asked = cl_has(p, K_EXTRA) || cl_has(p, K_EXTRA_OLD);
	int r = 0;

	/* Asked for with the option: memberships the caller wants. */
	if (asked && d->adduser_extra_groups[0])
		r = cl_add_memberships(ctx, user, d->adduser_extra_groups, false);
	else if (d->adduser_add_extra_groups && d->adduser_extra_groups[0])
		r = cl_add_setting_groups(ctx, user, d->adduser_extra_groups, false);
	if (r < 0 || (users && strcmp(users, "-1") == 0))
		return r;
	if (d->adduser_usergroups && (cl_has(p, K_INGROUP) || cl_has(p, K_GID)))
		return cl_add_setting_groups(ctx, user, users ? users : "users", false);
	if (!d->adduser_usergroups && !cl_has(p, K_INGROUP))
		return cl_add_setting_groups(ctx, user, users ? users : "100", true);
	return 0;
}

/* adduser USER, adduser --system USER [--group]. */
static int new_user(struct cl_ctx *ctx, const struct cl_parsed *p, const char *name, bool sys)
{
	struct guard_identity user = {0};
	const char *uid = cl_last(p, K_UID), *first = cl_last(p, K_FIRSTUID);
	const struct guard_tool_defaults *d = NULL;
	bool protect = false;
	uint32_t id;
	int r = cl_resolve_user(ctx, name, &user);

	if (r == 0)
		r = cl_add_new_user(ctx, &user, uid, &d);
	if (r == 0 && uid && guard_parse_id(uid, &id) == 0)
		r = cl_add_uid_grant(ctx, &user, id, &protect);
	/* The new uid is picked from --firstuid up. */
	if (r == 0 && first && guard_parse_id(first, &id) == 0)
		r = cl_add_uid_grant(ctx, &user, id, &protect);
	if (r == 0 && sys) {
		r = cl_add(ctx, GUARD_ROLE_ESCALATE, &user, NULL, "system account (--system)");
		protect = true;
	}
	if (r == 0)
		r = primary_group(ctx, p, &user);
	if (r == 0 && !sys)
		r = settings_groups(ctx, p, d, &user);
	if (r == 0 && sys && cl_has(p, K_GROUP))
		r = new_group(ctx, p, name, NULL, true);
	if (r == 0 && !sys)
		r = private_group(ctx, p, d, &user);
	/* The user-private group's gid, when not the uid's, comes from the
	 * gid range too. */
	if (r == 0 && !sys && d->adduser_usergroups && !cl_has(p, K_INGROUP) && !cl_has(p, K_GID))
		r = gid_range(ctx, p, name);
	if (r == 0)
		r = new_home(ctx, p, d, name, sys);
	if (r == 0 && protect)
		cl_mark_protected(ctx, user.name);
	guard_identity_clear(&user);
	return r;
}

/* adduser USER GROUP, deluser USER GROUP. */
static int membership(struct cl_ctx *ctx, const char *user_name, const char *group_name,
		      enum guard_action action)
{
	struct guard_identity user = {0};
	struct cl_group g = {0};
	int r = cl_resolve_user(ctx, user_name, &user);

	if (r == 0)
		r = cl_check_name(ctx, "group", group_name);
	if (r == 0)
		r = cl_resolve_group(ctx, group_name, &g);
	if (r == 0)
		r = cl_add(ctx, action, &user, &g, NULL);
	if (r == 0 && action == GUARD_GROUP_MEMBER_ADD)
		r = cl_add_join_grant(ctx, &user, &g, "group ");
	cl_group_clear(&g);
	guard_identity_clear(&user);
	return r;
}

static int names(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	if (p->n_operands == 0)
		return cl_refuse(ctx, "name the account: guardctl %s NAME", ctx->tool->name);
	if (p->n_operands > 2)
		return cl_refuse(ctx, "%s: one or two names only", ctx->tool->name);
	return 0;
}

/* The modes as adduser picks them: two names add USER to GROUP; --group or
 * addgroup make a group; --system a system account (protected). */
static int adduser(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	bool is_addgroup = strcmp(ctx->tool->name, "addgroup") == 0;
	bool sys = cl_has(p, K_SYSTEM), group = cl_has(p, K_GROUP);
	int r = names(ctx, p);

	if (r < 0)
		return r;
	if (p->n_operands == 2) {
		if (is_addgroup || sys || group)
			return cl_refuse(ctx, "%s: two names go without --system and --group",
					 ctx->tool->name);
		for (size_t i = 0; i < p->n_opts; i++) {
			int k = p->opts[i].opt->key;
			if (k != 'q' && k != K_DEBUG && k != K_VERBOSE)
				return cl_refuse(ctx,
						 "%s: --%s has no effect when adding a user "
						 "to a group",
						 ctx->tool->name, p->opts[i].opt->long_name);
		}
		return membership(ctx, p->operands[0], p->operands[1], GUARD_GROUP_MEMBER_ADD);
	}
	if (!is_addgroup && (group + cl_has(p, K_INGROUP) + cl_has(p, K_GID)) > 1)
		return cl_refuse(ctx, "%s: --group, --ingroup and --gid exclude each other",
				 ctx->tool->name);
	if (is_addgroup || (group && !sys))
		return new_group(ctx, p, p->operands[0], cl_last(p, K_GID), sys);
	return new_user(ctx, p, p->operands[0], sys);
}

CL_TOOL(adduser, "/usr/sbin", CL_PERLOPT, adduser_opts, adduser, false);
CL_TOOL(addgroup, "/usr/sbin", CL_PERLOPT, adduser_opts, adduser, false);

static int deluser(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	bool group = strcmp(ctx->tool->name, "delgroup") == 0 || cl_has(p, K_GROUP);
	struct guard_identity user = {0};
	int r = names(ctx, p);

	if (r < 0)
		return r;
	if (p->n_operands == 2)
		return membership(ctx, p->operands[0], p->operands[1], GUARD_GROUP_MEMBER_REMOVE);
	if (group) {
		r = cl_check_name(ctx, "group", p->operands[0]);
		return r < 0 ? r : cl_add_on_group(ctx, GUARD_GROUP_DELETE, NULL, p->operands[0]);
	}
	r = cl_resolve_user(ctx, p->operands[0], &user);
	if (r == 0)
		r = cl_add(ctx, GUARD_USER_DELETE, &user, NULL, NULL);
	if (r == 0)
		r = cl_account_idle(ctx, "deluser", &user);
	guard_identity_clear(&user);
	return r;
}

CL_TOOL(deluser, "/usr/sbin", CL_PERLOPT, deluser_opts, deluser, false);
CL_TOOL(delgroup, "/usr/sbin", CL_PERLOPT, deluser_opts, deluser, false);
