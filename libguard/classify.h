/* From a command line to the actions it raises. Knows Debian 12's shadow
 * and adduser tools option by option; what it does not know it refuses,
 * never guesses. Pure: account look-ups go through the resolver the caller
 * passes (the edges pass the system's, unit tests a table). */
#ifndef GUARD_CLASSIFY_H
#define GUARD_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "policy.h"
#include "request.h"

/* The account tools' own settings, as the host's files set them: whether
 * they make a user-private group and where they put a home. Read at the
 * edges (guard_tool_defaults_read); the classifier only reads this. */
struct guard_tool_defaults {
	bool useradd_usergroups;  /* login.defs USERGROUPS_ENAB (missing: no) */
	bool useradd_create_home; /* login.defs CREATE_HOME: useradd -m by default */
	char useradd_home[256];	  /* /etc/default/useradd HOME (missing: /home) */
	char useradd_group[64];	  /* /etc/default/useradd GROUP: the primary group
				     without a private one or -g (missing: 100) */
	bool adduser_usergroups;  /* adduser.conf USERGROUPS (missing: yes) */
	char adduser_home[256];	  /* adduser.conf DHOME (missing: /home) */
	bool adduser_odd_homes;	  /* adduser.conf GROUPHOMES or LETTERHOMES: refused */
	/* The groups adduser adds a new user to from its settings alone, so
	 * that what they grant is seen as if named on the command line. */
	char adduser_extra_groups[512]; /* EXTRA_GROUPS, comma-separated (missing: users) */
	bool adduser_add_extra_groups;	/* ADD_EXTRA_GROUPS: added without the option */
	char adduser_users_group[64];	/* USERS_GROUP ("": not set) */
	char adduser_users_gid[16];	/* USERS_GID ("": not set; "-1": no group) */
	uint32_t gid_min; /* login.defs GID_MIN: below, system groups (missing: 1000) */
};

/* Look-ups return 0 when found, -ENOENT when there is no such entry, and any
 * other -errno when the database could not be read (which refuses). */
struct guard_resolver {
	int (*user_by_name)(void *ctx, const char *name, struct guard_identity *ret);
	/* The name of an account with uid (malloc'd): 0, -ENOENT, or another
	 * -errno. NULL: an explicit uid that may be another's is refused. */
	int (*name_of_uid)(void *ctx, uint32_t uid, char **ret_name);
	int (*group_by_name)(void *ctx, const char *name, uint32_t *ret_gid);
	int (*group_by_gid)(void *ctx, uint32_t gid, char **ret_name);
	/* Is shell listed in /etc/shells? 0 yes, -ENOENT no, other -errno:
	 * the list could not be read. NULL: every shell is refused. */
	int (*shell_allowed)(void *ctx, const char *shell);
	/* Does a process run with uid (real, effective, saved or filesystem
	 * uid, in any thread)? 0 yes (*ret_pid one of them), -ENOENT no, other
	 * -errno: cannot tell. NULL: deleting an account, changing its uid or
	 * giving a new one a uid no account has is refused. */
	int (*uid_running)(void *ctx, uint32_t uid, int *ret_pid);
	void *ctx;
	/* NULL: the tools' settings could not be read, and a command whose
	 * effect depends on them (useradd, adduser) is refused. */
	const struct guard_tool_defaults *defaults;
};

/* What a tool will do to a home directory, for the filesystem check that
 * runs at the edge before the tool (home_check.h). */
enum guard_home_op {
	GUARD_HOME_CREATE, /* made: it must not exist yet */
	GUARD_HOME_OWN,	   /* moved away or removed: the account's own, if it exists */
	GUARD_HOME_ADOPT,  /* given as is: root's or the account's own, if it exists */
};

struct guard_home {
	enum guard_home_op op;
	char *path; /* NULL: the account's current home, looked up at the edge */
	char *user; /* the account it is (or will be) the home of */
};

/* Is one of two clean absolute paths the other or inside it? "/" and
 * /nonexistent (Debian's home that must never exist) hold nothing: many
 * accounts share them, and no file of theirs is there to run. */
bool guard_homes_overlap(const char *a, const char *b);

struct guard_classification {
	const struct guard_command
	    *command;	  /* the policy's entry; NULL: a built-in it does not name */
	const char *path; /* what to exec: the policy's path, else the built-in's */
	struct guard_target *targets;
	size_t n_targets;
	/* What Guard execs: argv[0] the tool's name, the options as classified
	 * (each value its own token), "--", the operands; NULL-terminated. For a
	 * policy command with actions: argv unchanged. */
	char **exec_argv;
	int exec_argc;
	/* argv as typed, each secret value (-p HASH) replaced by "********":
	 * for messages and logs. */
	char **shown_argv;
	int shown_argc;
	/* Every home the tool will create, move or remove. */
	struct guard_home *homes;
	size_t n_homes;
};

/* Classifies argv (argv[0] is the command name as typed, without a path:
 * a "/" or any byte outside [a-z0-9._-] is refused).
 * batch/batch_len is stdin for chpasswd and newusers (NULL otherwise).
 * Returns 0, or -EINVAL (refused: err says which argument and why), -ENOENT
 * (not a command the policy knows) or another -errno (a look-up failed). */
int guard_classify(const struct guard_policy *policy, const struct guard_resolver *resolver,
		   int argc, char *const argv[], const uint8_t *batch, size_t batch_len,
		   struct guard_classification *ret, struct guard_error *err);

void guard_classification_clear(struct guard_classification *c);

/* Does the command read its batch from stdin (chpasswd, newusers)? */
bool guard_classify_reads_batch(const char *name);

/* The absolute path of a built-in tool on Debian 12 ("/usr/sbin/useradd"),
 * or NULL when name is not a built-in. */
const char *guard_builtin_path(const char *name);

#endif
