/* The policy in memory: what /etc/guard/guard.conf and the .conf files of guard.d say,
 * validated. Every string is owned by the policy; guard_policy_free frees
 * it all. Nothing in here depends on the caller. */
#ifndef GUARD_POLICY_H
#define GUARD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action.h"
#include "address.h"
#include "error.h"
#include "numparse.h"
#include "timewin.h"
#include "tz.h"

#define GUARD_DEFAULT_CONFIG	    "/etc/guard/guard.conf"
#define GUARD_DEFAULT_APPROVER_KEYS "/etc/guard/allowed_signers"

enum guard_item_kind {
	GUARD_ITEM_ANY,	       /* "*" */
	GUARD_ITEM_NAME,       /* a user name ("alice"), or a group name in `groups` */
	GUARD_ITEM_GROUP,      /* "%admins": a user who is a member of the group */
	GUARD_ITEM_ID_RANGE,   /* "uid:1000-1999", or "gid:0-999" in `groups` */
	GUARD_ITEM_PROTECTED,  /* "@protected" (targets) */
	GUARD_ITEM_PRIVILEGED, /* "@privileged" (groups) */
	GUARD_ITEM_LOCAL,      /* from: no remote host */
	GUARD_ITEM_REMOTE,     /* from: any remote host */
	GUARD_ITEM_CIDR,       /* from: "10.0.0.0/8", "2001:db8::/32" */
	GUARD_ITEM_TTY,	       /* from: "tty:pts/N" globs (text holds the glob) */
	GUARD_ITEM_WINDOW,     /* time: "Mon-Fri 08:00-18:00" */
	GUARD_ITEM_SERVICE,    /* services: "sshd", "guardctl" */
};

struct guard_item {
	enum guard_item_kind kind;
	bool negated;
	char *text; /* the item as written, without "!" (for messages) */
	char *name; /* NAME, GROUP (without "%"), TTY glob, SERVICE */
	uint32_t lo, hi;
	struct guard_cidr cidr;
	struct guard_window window;
};

/* A matcher. present == false: the policy did not name it, it matches
 * anything. */
struct guard_list {
	bool present;
	struct guard_item *items;
	size_t n;
};

struct guard_rule {
	char *name;
	char *file;
	unsigned line;
	guard_action_set actions;
	struct guard_list actors, targets, groups, time, from, services;
	bool has_limit;
	struct guard_limit limit;
	enum guard_decision decision;
	unsigned approvals;	     /* >= 1 when decision is approve */
	struct guard_list approvers; /* not present: the settings' approvers */
	char *message;		     /* may be NULL */
	bool alert;
};

/* The ledger's retention: default and bounds of `retention`. */
#define GUARD_RETENTION_DEFAULT_S (400LL * 24 * 3600)
#define GUARD_RETENTION_MAX_S	  (3660LL * 24 * 3600)

/* Parses a retention: a duration ("90d", "12h"), or whole days up to
 * GUARD_RETENTION_MAX_S ("400d"). */
int guard_parse_retention(const char *s, int64_t *ret_seconds);

struct guard_watch {
	char *name;
	char *file;
	unsigned line;
	uint32_t decisions; /* bit (1u << enum guard_decision) */
	struct guard_limit threshold;
	int64_t lockout_s; /* 0: no lockout */
};

struct guard_service {
	char *name;
	enum guard_action action;
	char *file;
	unsigned line;
};

struct guard_command {
	char *name;		  /* what the caller types: "useradd" */
	char *path;		  /* absolute */
	guard_action_set actions; /* 0: the built-in classifier of that name */
	char *file;
	unsigned line;
};

enum guard_mode { GUARD_MODE_ENFORCE, GUARD_MODE_MONITOR };
enum guard_audit_mode { GUARD_AUDIT_REQUIRED, GUARD_AUDIT_BEST_EFFORT, GUARD_AUDIT_OFF };

struct guard_settings {
	enum guard_mode mode;
	enum guard_decision default_decision;
	enum guard_audit_mode audit;
	bool journal;
	struct guard_list approvers;
	struct guard_list admins; /* not present: the approvers */
	int64_t approval_ttl_s;
	int64_t retention_s; /* ledger rows older than this are pruned */
	struct guard_list break_glass;
	/* Where approvers and break_glass were last set (the settings block):
	 * for messages about their role groups. */
	char *approvers_file, *admins_file, *break_glass_file;
	unsigned approvers_line, admins_line, break_glass_line;
	char *timezone; /* "system" or an IANA name */
	char **home_roots;
	size_t n_home_roots;
	/* Signed approvals: OpenSSH allowed_signers (principals are account
	 * names), and a KRL or key list of revoked keys (NULL: none). */
	char *approver_keys, *revoked_keys;
	/* Programs told of requests, approvals, alerts, break-glass, freezes
	 * and lockouts (events_notify.h), run as notify_user (NULL: nobody). */
	char **notify;
	size_t n_notify;
	char *notify_user;
};

/* A role group: a group whose members hold a Guard power because the
 * policy names it (as "%name") in settings approvers, admins or break_glass, or in
 * the actors or approvers of an allow or approve rule. Joining it grants the
 * role, so it is privileged. */
struct guard_role_group {
	char *name; /* without "%" */
	char *role; /* what it grants, for reasons: "%oncall may break the glass" */
	char *file; /* where the policy names it first */
	unsigned line;
};

/* Why a group is privileged. */
enum guard_privilege {
	GUARD_PRIVILEGE_NONE,
	GUARD_PRIVILEGE_GID0,	 /* gid 0: root's group, whatever the policy lists */
	GUARD_PRIVILEGE_ROLE,	 /* a role group */
	GUARD_PRIVILEGE_LISTED,	 /* named in privileged_groups */
	GUARD_PRIVILEGE_UTMP,	 /* can write the utmp file: could forge locations */
	GUARD_PRIVILEGE_SUDOERS, /* sudoers grants it (sudoers.h) */
};

/* The accounts the role lists name, for a binary search: every rule's
 * check of @protected asks, so a scan would make a decision quadratic in
 * the rules. The names are borrowed from the policy's lists, sorted, each
 * once; the uid ranges sorted and merged, so no two touch. */
struct guard_uid_range {
	uint32_t lo, hi;
};

struct guard_role_users {
	const char **names;
	size_t n_names;
	struct guard_uid_range *ranges;
	size_t n_ranges;
};

/* A warning found while loading or checking: file, line, message. */
struct guard_warning {
	struct guard_error where;
};

struct guard_policy_inputs;
struct guard_sudoers_grant;

struct guard_policy {
	struct guard_settings settings;
	char **privileged_groups;
	size_t n_privileged_groups;
	struct guard_list protected_users;    /* NAME and ID_RANGE items */
	struct guard_role_group *role_groups; /* computed by guard_policy_finish */
	size_t n_role_groups;
	/* The accounts the role lists name by name or uid range (computed by
	 * guard_policy_finish): @protected as a role group's members are. */
	struct guard_role_users role_users;
	/* The group that can write the utmp file, as guard_policy_load found
	 * it on this host (host state, read at load; the core only compares). */
	bool utmp_gid_known;
	uint32_t utmp_gid;
	char *utmp_group; /* its name; NULL when unknown */
	/* The accounts and groups sudoers and doas.conf grant, as
	 * guard_policy_load read them (host state, sudoers.h): their groups
	 * are @privileged, their accounts @protected. */
	struct guard_sudoers_grant *sudoers;
	size_t n_sudoers;
	struct guard_rule *rules;
	size_t n_rules;
	struct guard_watch *watches;
	size_t n_watches;
	struct guard_service *services;
	size_t n_services;
	struct guard_command *commands;
	size_t n_commands;
	struct guard_tz *tz; /* the settings' timezone, loaded */
	char **files;	     /* every file read, in order */
	size_t n_files;
	struct guard_warning *warnings;
	size_t n_warnings;
	/* The state of every file the load read or looked at (policy_inputs.c);
	 * NULL for a policy parsed from text. */
	struct guard_policy_inputs *inputs;
};

/* Limits on what a policy may be: past them the load fails closed. */
#define GUARD_POLICY_MAX_FILE_BYTES (4u << 20)
#define GUARD_POLICY_MAX_LINE_BYTES 4096u
#define GUARD_POLICY_MAX_DEPTH	    4u
#define GUARD_POLICY_MAX_FILES	    256u
#define GUARD_POLICY_MAX_RULES	    100000u

struct guard_load_options {
	const char *path;	  /* NULL: GUARD_DEFAULT_CONFIG */
	const char *dropin_dir;	  /* NULL: guard.d next to path */
	const char *zoneinfo_dir; /* NULL: /usr/share/zoneinfo */
	bool skip_owner_checks;	  /* unit tests and fuzzers only: never set in a program */
	const char *utmp_path;	  /* NULL: the system's utmp file; "": none */
	const char *sudoers_path; /* NULL: /etc/sudoers; "": none */
	const char *doas_path;	  /* NULL: /etc/doas.conf; "": none */
	/* The compiled policy (policy_cache.h) to take when it is current, and
	 * to write after a parse; NULL: always parse (guardctl check). Used
	 * only with the owner checks on. */
	const char *cache_path;
};

/* Reads the policy: the main file, then every "*.conf" in the drop-in
 * directory in name order. Each file and directory must be root-owned, not
 * group- or other-writable and not a symlink. Returns 0, or -errno with err
 * naming file and line. */
int guard_policy_load(const struct guard_load_options *opts, struct guard_policy **ret,
		      struct guard_error *err);

/* Creates an empty policy with the built-in defaults (default deny, audit
 * required, ...). Returns 0 or -ENOMEM. */
int guard_policy_new(struct guard_policy **ret);

/* Parses one file's text into policy (appending rules, overriding the
 * settings it names). text need not be NUL-terminated. No file system
 * access. Returns 0 or -errno with err filled. */
int guard_policy_parse_text(struct guard_policy *policy, const char *file, const char *text,
			    size_t len, struct guard_error *err);

/* The checks that need the whole policy (approve without approvers anywhere,
 * duplicate names across files, the time zone); loads the time zone and
 * computes the role groups.
 * Returns 0 or -errno with err filled. */
int guard_policy_finish(struct guard_policy *policy, const char *zoneinfo_dir,
			struct guard_error *err);

void guard_policy_free(struct guard_policy *policy);

/* Records path's state (stat when follow, else lstat; a missing file is a
 * state too) as an input of policy: call it before reading path. Returns
 * 0 or -ENOMEM. */
int guard_policy_note_input(struct guard_policy *policy, const char *path, bool follow);

/* True when every input of a loaded policy is as it was at its load and
 * none had changed just before it: a fresh guard_policy_load would read the
 * same files. False for a policy made otherwise. */
bool guard_policy_unchanged(const struct guard_policy *policy);

void guard_policy_inputs_free(struct guard_policy_inputs *inputs);

/* Records a warning (file, line, message); ignored on allocation failure. */
void guard_policy_warn(struct guard_policy *policy, const char *file, unsigned line,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Parses one matcher item for the given option ("actors", "targets",
 * "groups", "time", "from", "services", "approvers", "admins", "break_glass",
 * "protected_users"). Returns 0, or -EINVAL with a message in err. */
int guard_item_parse(const char *option, const char *text, struct guard_item *ret,
		     struct guard_error *err);
void guard_item_clear(struct guard_item *item);

const struct guard_command *guard_policy_command(const struct guard_policy *policy,
						 const char *name);
const struct guard_service *guard_policy_service(const struct guard_policy *policy,
						 const char *name);
/* Is the group (by name, or gid when known) @privileged: privileged_groups,
 * gid 0, a role group, or the group that can write the utmp file? */
bool guard_policy_group_is_privileged(const struct guard_policy *policy, const char *group,
				      bool gid_known, uint32_t gid);

/* Why the group is privileged (NONE: it is not); *ret_role, when not NULL,
 * is set to its role for GUARD_PRIVILEGE_ROLE (else NULL). */
enum guard_privilege guard_policy_group_privilege(const struct guard_policy *policy,
						  const char *group, bool gid_known, uint32_t gid,
						  const struct guard_role_group **ret_role);

/* Does a role list name the account, by name or (uid_known) by uid? */
bool guard_policy_role_user(const struct guard_policy *policy, const char *name, bool uid_known,
			    uint32_t uid);

/* The role group of that name, or NULL. */
const struct guard_role_group *guard_policy_role_group(const struct guard_policy *policy,
						       const char *group);

#endif
