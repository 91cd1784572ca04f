/* Shared by the classifier's files (classify*.c): the option
 * tables, the parsed command line and the helpers that turn values into
 * targets. Not installed; nothing outside the classifier includes it. */
#ifndef GUARD_CLASSIFY_INTERNAL_H
#define GUARD_CLASSIFY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"

#define CL_MAX_ARGC	   4096
#define CL_MAX_ARG_BYTES   (128u * 1024u)
#define CL_MAX_BATCH_BYTES (1024u * 1024u)
#define CL_MAX_BATCH_LINES 10000u

/* A caller's argument in a refusal: escaped and bounded, in a buffer of
 * its own for each use (several in one message). */
#define QUOTED(arg) guard_escape((arg), (char[160]){0}, 160)

/* What an option's value is, and so how it is checked. */
enum cl_arg {
	CL_NONE,       /* a flag */
	CL_USER,       /* one user name */
	CL_USERS,      /* comma-separated user names */
	CL_GROUP,      /* a group name or gid */
	CL_GROUPS,     /* comma-separated group names or gids */
	CL_NEWNAME,    /* a new user or group name */
	CL_UID,	       /* a uid */
	CL_GID,	       /* a gid */
	CL_GECOS,      /* the whole GECOS field: commas separate its parts */
	CL_GECOS_PART, /* one part of it (chfn): no comma, no '=' */
	CL_HOME,       /* a home directory: under home_roots */
	CL_BASEDIR,    /* a base directory for homes: home_roots or under */
	CL_SHELL,      /* a login shell: listed in /etc/shells */
	CL_DATE,       /* an expiry date: "", -1, days since 1970, YYYY-MM-DD */
	CL_DAYS,       /* a day count: -1 or a decimal */
	CL_NUMBER,     /* a decimal */
	CL_SECRET,     /* a password hash: never copied, shown as ******** */
	CL_SUBIDS,     /* FIRST-LAST */
	CL_SEUSER,     /* an SELinux user */
	CL_CRYPT,      /* a crypt method */
	CL_WORD,       /* a short lowercase token ([a-z0-9.]) */
};

#define CL_NOACT  (-1) /* the option raises nothing by itself */
#define CL_EXPIRY (-2) /* an expiry date: user.lock, or user.unlock for "" and -1 */

/* One option of a tool, as its source declares it. */
struct cl_opt {
	int key;	       /* the short name, or a code above 255 for a long-only option */
	char short_name;       /* 0: long only */
	const char *long_name; /* NULL: short only */
	enum cl_arg arg;
	int action;	    /* what it raises on the operand, or CL_NOACT (CL_GROUP and
			       CL_GROUPS: raised per group, with role.escalate for a
			       privileged one) */
	const char *grant;  /* it grants privilege by itself: role.escalate's text */
	bool protects;	    /* ... and makes the account protected (-r) */
	const char *refuse; /* it is refused, for this reason */
};

/* Table rows: a flag, an option with a value, one that grants privilege,
 * one that is refused. */
#define CL_FLAG(s, l, act)                                                                         \
	{                                                                                          \
		.key = (s), .short_name = (s), .long_name = (l), .action = (act)                   \
	}
#define CL_VAL(s, l, kind, act)                                                                    \
	{                                                                                          \
		.key = (s), .short_name = (s), .long_name = (l), .arg = (kind), .action = (act)    \
	}
#define CL_GRANT(s, l, kind, act, gr)                                                              \
	{                                                                                          \
		.key = (s), .short_name = (s), .long_name = (l), .arg = (kind), .action = (act),   \
		.grant = (gr)                                                                      \
	}
#define CL_REFUSE(s, l, kind, why)                                                                 \
	{                                                                                          \
		.key = (s), .short_name = (s), .long_name = (l), .arg = (kind),                    \
		.action = CL_NOACT, .refuse = (why)                                                \
	}
#define CL_LONG(k, l, kind, act)                                                                   \
	{                                                                                          \
		.key = (k), .long_name = (l), .arg = (kind), .action = (act)                       \
	}
/* A long-only flag that raises nothing by itself. */
#define CL_LONG_FLAG(k, l) CL_LONG(k, l, CL_NONE, CL_NOACT)
/* One that grants privilege and makes the account protected (-r, a
 * system account). */
#define CL_PROTECT(s, l, gr)                                                                       \
	{                                                                                          \
		.key = (s), .short_name = (s), .long_name = (l), .action = CL_NOACT,               \
		.grant = (gr), .protects = true                                                    \
	}

#define CL_WHY_ROOT    "it makes the tool act on another root directory's files"
#define CL_WHY_PREFIX  "it makes the tool act on files under another prefix"
#define CL_WHY_KEY     "it overrides login.defs settings"
#define CL_WHY_HELP    "run it without guardctl: it needs no privilege"
#define CL_WHY_BADNAME "names are checked with the shadow tools' strict rules"

/* The refusals the tools share: --help, --root DIR (chroot), --prefix DIR,
 * --key KEY=VALUE. */
#define CL_HELP(s)   CL_REFUSE(s, "help", CL_NONE, CL_WHY_HELP)
#define CL_ROOT(s)   CL_REFUSE(s, "root", CL_HOME, CL_WHY_ROOT)
#define CL_PREFIX(s) CL_REFUSE(s, "prefix", CL_HOME, CL_WHY_PREFIX)
#define CL_KEY(s)    CL_REFUSE(s, "key", CL_WORD, CL_WHY_KEY)

enum cl_syntax {
	CL_GETOPT,  /* glibc getopt_long: bundles, attached values, permutation */
	CL_PERLOPT, /* Perl Getopt::Long as adduser uses it: long options only */
};

struct cl_parsed_opt {
	const struct cl_opt *opt;
	const char *value; /* NULL for a flag */
	int value_argi;	   /* where the value is in argv, for redaction */
	size_t value_off;
};

struct cl_parsed {
	struct cl_parsed_opt *opts;
	size_t n_opts;
	const char **operands;
	size_t n_operands;
};

struct cl_ctx;

/* One built-in tool. */
struct cl_tool {
	const char *name;
	const char *path;
	enum cl_syntax syntax;
	const struct cl_opt *opts;
	size_t n_opts;
	int (*classify)(struct cl_ctx *ctx, const struct cl_parsed *p);
	bool reads_batch;
};

/* The classification in progress. */
struct cl_ctx {
	const struct guard_policy *policy;
	const struct guard_resolver *resolver;
	struct guard_error *err;
	const struct cl_tool *tool;
	const uint8_t *batch;
	size_t batch_len;
	struct guard_target *targets;
	size_t n_targets, cap_targets;
	struct guard_home *homes;
	size_t n_homes, cap_homes;
};

/* classify_options.c: splits argv into options and operands with the tool's table.
 * Returns 0, -EINVAL (err says which argument and why) or -ENOMEM. */
int cl_parse(const struct cl_tool *tool, int argc, char *const argv[], struct cl_parsed *ret,
	     struct guard_error *err);
void cl_parsed_clear(struct cl_parsed *p);

/* classify_values.c */
int cl_check_value(struct cl_ctx *ctx, const struct cl_opt *opt, const char *value);
int cl_check_name(struct cl_ctx *ctx, const char *what, const char *name);
int cl_check_gecos(struct cl_ctx *ctx, const char *what, const char *s, bool part);
int cl_check_home(struct cl_ctx *ctx, const char *what, const char *path, bool base);
int cl_check_shell(struct cl_ctx *ctx, const char *what, const char *shell);
bool cl_uid_is_protected(const struct guard_policy *policy, uint32_t uid);
/* A role.escalate when sudoers grants the account name (a new account, or
 * a rename onto it): it would run what sudoers lets that name run. */
int cl_add_name_grant(struct cl_ctx *ctx, const struct guard_identity *user, const char *name);
const char *cl_opt_label(const struct cl_opt *opt, char *buf, size_t size);

/* A group as a caller named it: by name, by gid, or both once resolved. */
struct cl_group {
	char *name; /* NULL: a gid with no group */
	bool gid_known;
	uint32_t gid;
	bool privileged;
};

/* A role.escalate when the tool will choose the new account's uid (group's
 * gid, gid) and sudoers or doas.conf grants one by number that nothing
 * holds yet: the choice may be it. Naming the id (-u, -g) avoids it. */
int cl_add_tool_id_grant(struct cl_ctx *ctx, const struct guard_identity *user,
			 const struct cl_group *group, bool gid);
int cl_resolve_group(struct cl_ctx *ctx, const char *text, struct cl_group *ret);
void cl_group_clear(struct cl_group *g);

/* Looks the user up; -ENOENT is no error (exists = false). */
int cl_resolve_user(struct cl_ctx *ctx, const char *name, struct guard_identity *ret);

/* Appends a target; user and group are copied. Returns 0 or -ENOMEM. */
int cl_add(struct cl_ctx *ctx, enum guard_action action, const struct guard_identity *user,
	   const struct cl_group *group, const char *grant);
/* Appends action for user (NULL: none) on the group that text names (a
 * name or a gid), looked up. */
int cl_add_on_group(struct cl_ctx *ctx, enum guard_action action, const struct guard_identity *user,
		    const char *group);
/* role.escalate whose privilege is group `by`'s, not group's own (groupmod
 * -g onto a role's gid, -n onto a role's name). */
int cl_add_granted_by(struct cl_ctx *ctx, const struct guard_identity *user,
		      const struct cl_group *group, const char *grant, const char *by);
/* The role.escalate putting user (NULL: none named) in group g grants
 * when g is privileged: "WHAT NAME" ("group sudo", "password on group
 * sudo"), or "gid N" for a gid no group holds. Returns 0 or -ENOMEM. */
/* Joining an existing group: cl_add_group_grant, and role.escalate for a
 * system group (below GID_MIN) other than the tools' default group. */
int cl_add_join_grant(struct cl_ctx *ctx, const struct guard_identity *user,
		      const struct cl_group *g, const char *what);
/* role.escalate when g is a system group: system (-r, --system), or a
 * gid below login.defs' GID_MIN. */
int cl_add_system_group_grant(struct cl_ctx *ctx, const struct cl_group *g, bool system);
int cl_add_group_grant(struct cl_ctx *ctx, const struct guard_identity *user,
		       const struct cl_group *g, const char *what);
/* The role.escalate a uid grants (0 or protected), if any; and a refusal
 * when no account has the uid but a process runs with it (cl_uid_idle). */
int cl_add_uid_grant(struct cl_ctx *ctx, const struct guard_identity *user, uint32_t uid,
		     bool *ret_protected);
/* A process that runs with a uid outlives the account: an account given
 * that uid later owns the process, which can then prepare whatever the
 * tools make for the account (adduser copies the skeleton into the new
 * home by path). So an account is deleted, or its uid changed, only when
 * no process runs with its uid. Refuses (naming what) otherwise. */
int cl_account_idle(struct cl_ctx *ctx, const char *what, const struct guard_identity *user);
/* userdel -f also deletes the account's primary group when it is named
 * like the account and lists no members, even one that is another
 * account's primary group (without -f userdel keeps that one): an account
 * "users" put in group users took the shared group with it. So -f raises
 * group.delete for a group named like the account. */
int cl_add_named_group_delete(struct cl_ctx *ctx, const struct guard_identity *user);
/* Records a home the tool will create (op CREATE) or move away or remove
 * (op OWN; path NULL: the account's current one). Returns 0 or -ENOMEM. */
int cl_add_home(struct cl_ctx *ctx, enum guard_home_op op, const char *path, const char *user);
/* user.create for an account the tool makes: a name no account holds yet
 * takes the uid the command gives (uid, NULL: none). *ret_defaults: the
 * tool's settings, which decide what else it makes; unknown, they refuse.
 * Returns 0, -EINVAL or -ENOMEM. */
int cl_add_new_user(struct cl_ctx *ctx, struct guard_identity *user, const char *uid,
		    const struct guard_tool_defaults **ret_defaults);
/* A group the tool makes for user (name, or gid when gid_known):
 * group.create, group.member.add of user (NULL: none) and role.escalate
 * when its name or gid is privileged, or it is a system group (system:
 * asked for; else by its gid). */
int cl_add_new_group(struct cl_ctx *ctx, const struct guard_identity *user, const char *name,
		     bool gid_known, uint32_t gid, bool system);
/* Whether a group of that name exists: 1, 0, or -errno (a failed look-up,
 * with the error set). */
int cl_group_named(struct cl_ctx *ctx, const char *name);
/* The user-private group the tool makes for user, named like it. A group
 * of that name makes the tool refuse, and so Guard: the message ends with
 * advice ("name it with -g") and the name. */
int cl_add_private_group(struct cl_ctx *ctx, const struct guard_identity *user, const char *advice);
/* What a password value does beyond setting one: "" empties it
 * (user.unlock), a hash that starts with '!' or '*' locks it (user.lock).
 * how names the option or field for the reason ("-p", "line 3"). */
int cl_password_value(struct cl_ctx *ctx, const struct guard_identity *user, const char *value,
		      const char *how);

/* Marks every target of that user as a protected grant. */
void cl_mark_protected(struct cl_ctx *ctx, const char *user);

/* Is an option of that key present; its last value. */
bool cl_has(const struct cl_parsed *p, int key);
const char *cl_last(const struct cl_parsed *p, int key);

/* Raises what the table says each option raises, on user: the actions, the
 * grants, uids, SELinux users, groups (member.add + role.escalate for a
 * privileged one) and expiry dates. *ret_protected is set when the request
 * makes the account protected. */
int cl_apply_options(struct cl_ctx *ctx, const struct cl_parsed *p,
		     const struct guard_identity *user, bool *ret_protected);
/* Raises group.member.add for user in each group of a list (or one group),
 * with role.escalate for a privileged one. primary: the user's primary group. */
int cl_add_memberships(struct cl_ctx *ctx, const struct guard_identity *user, const char *groups,
		       bool primary);
/* The groups a tool's own settings (root's files) put a new account in:
 * role.escalate for a privileged one, as cl_add_memberships, but no
 * group.member.add: making an account as root configured the tool is
 * user.create's business. */
int cl_add_setting_groups(struct cl_ctx *ctx, const struct guard_identity *user, const char *groups,
			  bool primary);

/* The one operand a tool requires: refused when there is none or more. */
int cl_one_operand(struct cl_ctx *ctx, const struct cl_parsed *p, const char *what,
		   const char **ret);
int cl_oom(struct cl_ctx *ctx);
int cl_refuse(struct cl_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Calls fn for each item of a comma list (a NUL-terminated copy), data
 * passed on, until one fails. The whole list is split first: an empty item
 * refuses it before fn sees any. Returns 0 or what refused. */
int cl_each_item(struct cl_ctx *ctx, const char *what, const char *list,
		 int (*fn)(struct cl_ctx *ctx, const char *item, const void *data),
		 const void *data);

/* Defines cl_tool_NAME: the directory the tool is in, how it reads its options
 * (enum cl_syntax), its table, what classifies its command lines and
 * whether it reads a batch on stdin. */
#define CL_TOOL(n, dir, syn, table, fn, batch)                                                     \
	const struct cl_tool cl_tool_##n = {                                                       \
	    .name = #n,                                                                            \
	    .path = dir "/" #n,                                                                    \
	    .syntax = (syn),                                                                       \
	    .opts = (table),                                                                       \
	    .n_opts = sizeof(table) / sizeof((table)[0]),                                          \
	    .classify = (fn),                                                                      \
	    .reads_batch = (batch),                                                                \
	}

/* The built-in tools, one table each (classify_shadow_user.c,
 * classify_shadow_group.c, classify_adduser.c, classify_batch.c). */
extern const struct cl_tool cl_tool_useradd, cl_tool_usermod, cl_tool_userdel, cl_tool_groupadd,
    cl_tool_groupmod, cl_tool_groupdel, cl_tool_gpasswd, cl_tool_passwd, cl_tool_chage,
    cl_tool_chsh, cl_tool_chfn, cl_tool_adduser, cl_tool_addgroup, cl_tool_deluser,
    cl_tool_delgroup, cl_tool_chpasswd, cl_tool_newusers;

#endif
