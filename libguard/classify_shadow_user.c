/* shadow 4.13's account tools as Debian 12 builds them: useradd, usermod,
 * userdel, passwd, chage, chsh, chfn. One table per tool, in the order of
 * its long_options[] and with its optstring's letters (checked against the
 * installed binaries); then what each command raises. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "classify_internal.h"

#define USER_MODIFY GUARD_USER_MODIFY
#define MEMBER_ADD  GUARD_GROUP_MEMBER_ADD

/* "b:c:d:De:f:g:G:hk:O:K:lmMNop:rR:P:s:u:UZ:F" */
static const struct cl_opt useradd_opts[] = {
    CL_VAL('b', "base-dir", CL_BASEDIR, CL_NOACT),
    CL_LONG_FLAG(256, "btrfs-subvolume-home"),
    {.key = 257, .long_name = "badname", .action = CL_NOACT, .refuse = CL_WHY_BADNAME},
    CL_VAL('c', "comment", CL_GECOS, CL_NOACT),
    CL_VAL('d', "home-dir", CL_HOME, CL_NOACT),
    CL_REFUSE('D', "defaults", CL_NONE, "it changes useradd's defaults for every account"),
    CL_VAL('e', "expiredate", CL_DATE, CL_NOACT),
    CL_VAL('f', "inactive", CL_DAYS, CL_NOACT),
    CL_GRANT('F', "add-subids-for-system", CL_NONE, CL_NOACT, "subordinate ids"),
    CL_VAL('g', "gid", CL_GROUP, MEMBER_ADD),
    CL_VAL('G', "groups", CL_GROUPS, MEMBER_ADD),
    CL_HELP('h'),
    CL_REFUSE('k', "skel", CL_HOME, "it copies another skeleton directory into the home"),
    CL_KEY('K'),
    CL_REFUSE('O', NULL, CL_WORD, CL_WHY_KEY), /* -K's old spelling */
    CL_FLAG('l', "no-log-init", CL_NOACT),
    CL_FLAG('m', "create-home", CL_NOACT),
    CL_FLAG('M', "no-create-home", CL_NOACT),
    CL_FLAG('N', "no-user-group", CL_NOACT),
    CL_GRANT('o', "non-unique", CL_NONE, CL_NOACT, "duplicate uid (-o)"),
    CL_VAL('p', "password", CL_SECRET, GUARD_USER_PASSWORD),
    CL_PROTECT('r', "system", "system account (-r)"),
    CL_ROOT('R'),
    CL_PREFIX('P'),
    CL_VAL('s', "shell", CL_SHELL, CL_NOACT),
    CL_VAL('u', "uid", CL_UID, CL_NOACT),
    CL_FLAG('U', "user-group", CL_NOACT),
    CL_VAL('Z', "selinux-user", CL_SEUSER, CL_NOACT),
};

/* "abc:d:e:f:g:G:hl:Lmop:rR:s:u:UP:v:w:V:W:Z:" */
static const struct cl_opt usermod_opts[] = {
    CL_FLAG('a', "append", CL_NOACT),
    CL_REFUSE('b', "badnames", CL_NONE, CL_WHY_BADNAME),
    CL_VAL('c', "comment", CL_GECOS, USER_MODIFY),
    CL_VAL('d', "home", CL_HOME, USER_MODIFY),
    CL_VAL('e', "expiredate", CL_DATE, CL_EXPIRY),
    CL_VAL('f', "inactive", CL_DAYS, USER_MODIFY),
    CL_VAL('g', "gid", CL_GROUP, MEMBER_ADD),
    CL_VAL('G', "groups", CL_GROUPS, CL_NOACT), /* -a and -r decide: see usermod() */
    CL_HELP('h'),
    CL_VAL('l', "login", CL_NEWNAME, USER_MODIFY),
    CL_FLAG('L', "lock", GUARD_USER_LOCK),
    CL_FLAG('m', "move-home", USER_MODIFY),
    CL_GRANT('o', "non-unique", CL_NONE, CL_NOACT, "duplicate uid (-o)"),
    CL_VAL('p', "password", CL_SECRET, GUARD_USER_PASSWORD),
    CL_FLAG('r', "remove", CL_NOACT),
    CL_ROOT('R'),
    CL_PREFIX('P'),
    CL_VAL('s', "shell", CL_SHELL, USER_MODIFY),
    CL_VAL('u', "uid", CL_UID, USER_MODIFY),
    CL_FLAG('U', "unlock", GUARD_USER_UNLOCK),
    CL_GRANT('v', "add-subuids", CL_SUBIDS, USER_MODIFY, "subordinate ids"),
    CL_GRANT('V', "del-subuids", CL_SUBIDS, USER_MODIFY, "subordinate ids"),
    CL_GRANT('w', "add-subgids", CL_SUBIDS, USER_MODIFY, "subordinate ids"),
    CL_GRANT('W', "del-subgids", CL_SUBIDS, USER_MODIFY, "subordinate ids"),
    CL_VAL('Z', "selinux-user", CL_SEUSER, USER_MODIFY),
};

/* "fhrR:P:Z" */
static const struct cl_opt userdel_opts[] = {
    CL_FLAG('f', "force", CL_NOACT),
    CL_HELP('h'),
    CL_FLAG('r', "remove", CL_NOACT),
    CL_ROOT('R'),
    CL_PREFIX('P'),
    CL_FLAG('Z', "selinux-user", CL_NOACT), /* removes the user's mapping */
};

/* "adehi:kln:qr:R:Suw:x:". -e and the aging values are account fields
 * (user.modify, as chage); -d leaves the account without a password
 * (user.password); -S only reads, but no action reads: it is guarded as
 * strictly as a change of the same account. */
static const struct cl_opt passwd_opts[] = {
    CL_REFUSE('a', "all", CL_NONE, "it reports every account: name one account with -S"),
    CL_FLAG('d', "delete", GUARD_USER_PASSWORD),
    CL_FLAG('e', "expire", USER_MODIFY),
    CL_HELP('h'),
    CL_VAL('i', "inactive", CL_DAYS, USER_MODIFY),
    CL_FLAG('k', "keep-tokens", GUARD_USER_PASSWORD),
    CL_FLAG('l', "lock", GUARD_USER_LOCK),
    CL_VAL('n', "mindays", CL_DAYS, USER_MODIFY),
    CL_FLAG('q', "quiet", CL_NOACT),
    CL_REFUSE('r', "repository", CL_WORD, "it changes which account database passwd writes"),
    CL_ROOT('R'),
    CL_FLAG('S', "status", USER_MODIFY),
    CL_FLAG('u', "unlock", GUARD_USER_UNLOCK),
    CL_VAL('w', "warndays", CL_DAYS, USER_MODIFY),
    CL_VAL('x', "maxdays", CL_DAYS, USER_MODIFY),
};

/* "d:E:hiI:lm:M:R:W:". -E is the account's expiry: as usermod -e. */
static const struct cl_opt chage_opts[] = {
    CL_VAL('d', "lastday", CL_DATE, USER_MODIFY),
    CL_VAL('E', "expiredate", CL_DATE, CL_EXPIRY),
    CL_HELP('h'),
    CL_VAL('I', "inactive", CL_DAYS, USER_MODIFY),
    CL_FLAG('l', "list", USER_MODIFY),
    CL_VAL('m', "mindays", CL_DAYS, USER_MODIFY),
    CL_VAL('M', "maxdays", CL_DAYS, USER_MODIFY),
    CL_ROOT('R'),
    CL_VAL('W', "warndays", CL_DAYS, USER_MODIFY),
    CL_FLAG('i', "iso8601", CL_NOACT),
};

/* "hR:s:" */
static const struct cl_opt chsh_opts[] = {
    CL_HELP('h'),
    CL_ROOT('R'),
    CL_VAL('s', "shell", CL_SHELL, USER_MODIFY),
};

/* "f:h:o:r:R:uw:" (-h is the home phone, -u the help) */
static const struct cl_opt chfn_opts[] = {
    CL_VAL('f', "full-name", CL_GECOS_PART, USER_MODIFY),
    CL_VAL('h', "home-phone", CL_GECOS_PART, USER_MODIFY),
    CL_VAL('o', "other", CL_GECOS_PART, USER_MODIFY),
    CL_VAL('r', "room", CL_GECOS_PART, USER_MODIFY),
    CL_ROOT('R'),
    CL_HELP('u'),
    CL_VAL('w', "work-phone", CL_GECOS_PART, USER_MODIFY),
};

/* The one account a tool acts on, looked up. Under guardctl the tool runs
 * as root: without an operand passwd, chsh and chfn would change root. */
static int the_account(struct cl_ctx *ctx, const struct cl_parsed *p, struct guard_identity *ret)
{
	const char *name;

	if (p->n_operands == 0)
		return cl_refuse(ctx, "name the account: guardctl %s USER", ctx->tool->name);
	if (cl_one_operand(ctx, p, "account", &name) < 0)
		return -EINVAL;
	return cl_resolve_user(ctx, name, ret);
}

/* useradd's user-private group: made under USERGROUPS_ENAB unless -N or
 * -g say otherwise, or by -U. A group of that name that exists already
 * makes useradd refuse ("group exists - if you want to add this user to
 * that group, use -g"): refused here with the same advice. Without a
 * private group or -g, the primary group is /etc/default/useradd's GROUP:
 * root's setting, but a privileged group there must not reach whoever may
 * run useradd (cl_add_setting_groups). */
static int useradd_group(struct cl_ctx *ctx, const struct cl_parsed *p,
			 const struct guard_tool_defaults *d, const struct guard_identity *user)
{
	bool upg = cl_has(p, 'U') || (d->useradd_usergroups && !cl_has(p, 'N') && !cl_has(p, 'g'));

	if (cl_has(p, 'U') && (cl_has(p, 'N') || cl_has(p, 'g')))
		return cl_refuse(ctx, "useradd: -U conflicts with -N and -g");
	if (!upg)
		return cl_has(p, 'g') ? 0
				      : cl_add_setting_groups(ctx, user, d->useradd_group, true);
	return cl_add_private_group(ctx, user, "name it with -g");
}

/* The home useradd makes: with -m, or CREATE_HOME unless -M; -d, else the
 * base (-b or /etc/default/useradd's HOME) and the name. */
static int useradd_home(struct cl_ctx *ctx, const struct cl_parsed *p,
			const struct guard_tool_defaults *d, const char *name)
{
	const char *dir = cl_last(p, 'd'), *base = cl_last(p, 'b');
	/* shadow ignores CREATE_HOME for a system account (-r). */
	bool create =
	    cl_has(p, 'm') || (d->useradd_create_home && !cl_has(p, 'M') && !cl_has(p, 'r'));
	char path[512];
	int r;

	if (!dir) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", base ? base : d->useradd_home,
				     name) >= sizeof(path))
			return cl_refuse(ctx, "useradd: the home's path is too long");
		r = cl_check_home(ctx, "useradd: the home", path, false);
		if (r < 0)
			return r;
		dir = path;
	}
	/* Not made, the path is the account's home all the same. */
	return cl_add_home(ctx, create ? GUARD_HOME_CREATE : GUARD_HOME_ADOPT, dir, name);
}

static int useradd(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	const struct guard_tool_defaults *d = NULL;
	struct guard_identity user = {0};
	bool protect = false;
	const char *uid = cl_last(p, 'u');
	int r = the_account(ctx, p, &user);

	if (r == 0)
		r = cl_add_new_user(ctx, &user, uid, &d);
	if (r == 0)
		r = cl_apply_options(ctx, p, &user, &protect);
	if (r == 0)
		r = useradd_group(ctx, p, d, &user);
	if (r == 0)
		r = useradd_home(ctx, p, d, user.name);
	if (r == 0 && protect)
		cl_mark_protected(ctx, user.name);
	guard_identity_clear(&user);
	return r;
}

static bool in_lists(const struct cl_parsed *p, int key, const char *group)
{
	for (size_t i = 0; i < p->n_opts; i++) {
		const char *v = p->opts[i].value;
		size_t len = strlen(group);

		if (p->opts[i].opt->key != key)
			continue;
		for (const char *c = v; c; c = strchr(c, ',') ? strchr(c, ',') + 1 : NULL)
			if (strncmp(c, group, len) == 0 && (c[len] == ',' || c[len] == '\0'))
				return true;
	}
	return false;
}

/* group.member.remove of user (a struct guard_identity) from group. */
static int leave_group(struct cl_ctx *ctx, const char *group, const void *user)
{
	return cl_add_on_group(ctx, GUARD_GROUP_MEMBER_REMOVE, user, group);
}

/* -G: -a adds to the listed groups; -r removes from them; alone, it sets
 * the list: added to those, removed from the others the user is in. The
 * user's own-name group is taken for the primary group, which -G leaves. */
static int usermod_groups(struct cl_ctx *ctx, const struct cl_parsed *p,
			  const struct guard_identity *user)
{
	bool append = cl_has(p, 'a'), remove = cl_has(p, 'r');
	int r = 0;

	if (append && remove)
		return cl_refuse(ctx, "usermod: -a and -r exclude each other");
	for (size_t i = 0; r == 0 && i < p->n_opts; i++) {
		if (p->opts[i].opt->key != 'G')
			continue;
		if (remove)
			r = cl_each_item(ctx, "-G", p->opts[i].value, leave_group, user);
		else
			r = cl_add_memberships(ctx, user, p->opts[i].value, false);
	}
	if (append || remove || !cl_has(p, 'G'))
		return r;
	for (size_t i = 0; r == 0 && i < user->n_groups; i++) {
		const char *name = user->groups[i];

		if (!in_lists(p, 'G', name) && !(user->name && strcmp(name, user->name) == 0))
			r = leave_group(ctx, name, user);
	}
	return r;
}

/* -aG/-G are memberships, -L/-U/-e lock and unlock, -p the password: none
 * of them is user.modify, which is for the other account fields. */
static int usermod(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	struct guard_identity user = {0};
	bool protect = false;
	int r;

	if (p->n_opts == 0)
		return cl_refuse(ctx, "usermod: no change asked");
	if ((cl_has(p, 'a') || cl_has(p, 'r')) && !cl_has(p, 'G'))
		return cl_refuse(ctx, "usermod: -a and -r go with -G");
	r = the_account(ctx, p, &user);
	/* -u leaves the old uid to the account's processes (cl_account_idle),
	 * and to its files outside the home, which usermod does not touch: a
	 * setuid copy left in /dev/shm or a directory of the caller's runs as
	 * whichever account is given the old uid next (adduser takes the
	 * lowest free one). Renumbering is an escalation. */
	if (r == 0 && cl_has(p, 'u'))
		r = cl_account_idle(ctx, "usermod -u", &user);
	if (r == 0 && cl_has(p, 'u') && user.exists)
		r = cl_add(ctx, GUARD_ROLE_ESCALATE, &user, NULL,
			   "uid change (-u): the old uid's files go to its next account");
	if (r == 0 && cl_has(p, 'l'))
		r = cl_add_name_grant(ctx, &user, cl_last(p, 'l'));
	if (r == 0)
		r = cl_apply_options(ctx, p, &user, &protect);
	if (r == 0)
		r = usermod_groups(ctx, p, &user);
	/* -d with -m moves the current home to the new one; without, the
	 * account is given the directory as it is. */
	if (r == 0 && cl_has(p, 'm') && cl_has(p, 'd'))
		r = cl_add_home(ctx, GUARD_HOME_OWN, NULL, user.name);
	if (r == 0 && cl_has(p, 'm') && cl_has(p, 'd'))
		r = cl_add_home(ctx, GUARD_HOME_CREATE, cl_last(p, 'd'), user.name);
	if (r == 0 && !cl_has(p, 'm') && cl_has(p, 'd'))
		r = cl_add_home(ctx, GUARD_HOME_ADOPT, cl_last(p, 'd'), user.name);
	if (r == 0 && protect)
		cl_mark_protected(ctx, user.name);
	guard_identity_clear(&user);
	return r;
}

/* A tool with one account operand whose options raise what the table says,
 * and `none` when no option raises anything. */
static int one_account(struct cl_ctx *ctx, const struct cl_parsed *p, int none)
{
	struct guard_identity user = {0};
	size_t before = ctx->n_targets;
	bool protect = false;
	int r = the_account(ctx, p, &user);

	if (r == 0)
		r = cl_apply_options(ctx, p, &user, &protect);
	if (r == 0 && ctx->n_targets == before && none >= 0)
		r = cl_add(ctx, (enum guard_action)none, &user, NULL, NULL);
	if (r == 0 && protect)
		cl_mark_protected(ctx, user.name);
	guard_identity_clear(&user);
	return r;
}

/* -r removes the account's home. The account must run no process, -f or
 * not (cl_account_idle): userdel's own check skips a process with another
 * root directory. */
static int userdel(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	struct guard_identity user = {0};
	int r = one_account(ctx, p, GUARD_USER_DELETE);

	if (r == 0)
		r = cl_resolve_user(ctx, p->operands[0], &user);
	if (r == 0)
		r = cl_account_idle(ctx, "userdel", &user);
	if (r == 0 && cl_has(p, 'f'))
		r = cl_add_named_group_delete(ctx, &user);
	if (r == 0 && cl_has(p, 'r'))
		r = cl_add_home(ctx, GUARD_HOME_OWN, NULL, p->operands[0]);
	guard_identity_clear(&user);
	return r;
}

/* passwd USER sets the password; the options say otherwise. -d empties
 * it: anyone may then log in, which unlocks more than -u does. */
static int passwd(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	struct guard_identity user = {0};
	int r = one_account(ctx, p, GUARD_USER_PASSWORD);

	if (r < 0 || !cl_has(p, 'd'))
		return r;
	r = cl_resolve_user(ctx, p->operands[0], &user);
	if (r == 0)
		r = cl_password_value(ctx, &user, "", "-d");
	guard_identity_clear(&user);
	return r;
}

/* chage USER alone prompts for every aging field, the expiry included:
 * user.modify and user.lock. */
static int chage(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	struct guard_identity user = {0};
	int r;

	if (p->n_opts > 0 && !(p->n_opts == 1 && cl_has(p, 'i')))
		return one_account(ctx, p, CL_NOACT);
	r = the_account(ctx, p, &user);
	if (r == 0)
		r = cl_add(ctx, USER_MODIFY, &user, NULL, NULL);
	if (r == 0)
		r = cl_add(ctx, GUARD_USER_LOCK, &user, NULL, NULL);
	guard_identity_clear(&user);
	return r;
}

/* Without -s chsh prompts, and root may then type any shell: refused. */
static int chsh(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	if (p->n_operands == 0)
		return cl_refuse(ctx, "name the account: guardctl chsh -s SHELL USER");
	if (!cl_has(p, 's'))
		return cl_refuse(ctx, "chsh: name the shell: guardctl chsh -s SHELL USER");
	return one_account(ctx, p, CL_NOACT);
}

/* Without a field option chfn prompts, unchecked by Guard: refused. */
static int chfn(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	if (p->n_operands == 0)
		return cl_refuse(ctx, "name the account: guardctl chfn -f NAME USER");
	if (p->n_opts == 0)
		return cl_refuse(ctx, "chfn: name the fields to change (-f, -r, -w, -h, -o)");
	return one_account(ctx, p, CL_NOACT);
}

CL_TOOL(useradd, "/usr/sbin", CL_GETOPT, useradd_opts, useradd, false);
CL_TOOL(usermod, "/usr/sbin", CL_GETOPT, usermod_opts, usermod, false);
CL_TOOL(userdel, "/usr/sbin", CL_GETOPT, userdel_opts, userdel, false);
CL_TOOL(passwd, "/usr/bin", CL_GETOPT, passwd_opts, passwd, false);
CL_TOOL(chage, "/usr/bin", CL_GETOPT, chage_opts, chage, false);
CL_TOOL(chsh, "/usr/bin", CL_GETOPT, chsh_opts, chsh, false);
CL_TOOL(chfn, "/usr/bin", CL_GETOPT, chfn_opts, chfn, false);
