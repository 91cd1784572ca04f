/* What sudoers grants, as Guard reads it: the accounts and groups its user
 * specifications and User_Alias lines name (the left-hand side of "who may
 * run what"), from /etc/sudoers and every file it includes. A group
 * sudoers grants is @privileged and an account it grants is @protected,
 * whatever privileged_groups and protected_users list: otherwise a rights
 * holder who may add members to ordinary groups joins "%ops ALL=(ALL) ALL"
 * to root, or creates the departed "deploy" sudoers still names
 * (docs/design.md, "The privilege model").
 *
 * The reading errs towards granting: a name in any user list or alias
 * counts, whatever host, command or Runas the line restricts it to, and
 * whether or not an alias is used; negated names ("!bob") and the lines
 * that grant nothing (Defaults, Host_Alias, Runas_Alias, Cmnd_Alias) do
 * not. Directory sources (sudoers in LDAP or SSSD) are not read.
 * doas.conf's permit rules grant the same way (doas_scan.c).
 *
 * guard_sudoers_scan is pure; sudoers_load.c reads the files. */
#ifndef GUARD_SUDOERS_H
#define GUARD_SUDOERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define GUARD_SUDOERS_PATH	  "/etc/sudoers"
#define GUARD_DOAS_CONF_PATH	  "/etc/doas.conf"
#define GUARD_SUDOERS_MAX_GRANTS  10000u
#define GUARD_SUDOERS_MAX_INCLUDE 128u /* nesting depth of @include, as sudo's */

enum guard_sudoers_kind {
	GUARD_SUDOERS_USER,  /* "deploy" */
	GUARD_SUDOERS_UID,   /* "#1001" */
	GUARD_SUDOERS_GROUP, /* "%ops" */
	GUARD_SUDOERS_GID,   /* "%#1005" */
};

struct guard_sudoers_grant {
	enum guard_sudoers_kind kind;
	/* USER, GROUP: as written; UID, GID: the account's or group's name
	 * on this host, or NULL. */
	char *name;
	/* UID, GID: as written; USER, GROUP: the id on this host, when it
	 * has one (sudo matches by id as well as by name). */
	uint32_t id;
	bool id_known;
	char *file;
	unsigned line;
	bool doas; /* doas.conf's, not sudoers' */
};

/* An @include or @includedir line (or its older "#include" form): path as
 * written, made absolute against the including file's directory. */
struct guard_sudoers_include {
	char *path;
	bool dir;
	unsigned line;
};

struct guard_sudoers_scan {
	struct guard_sudoers_grant *grants;
	size_t n_grants;
	struct guard_sudoers_include *includes;
	size_t n_includes;
};

/* Reads one sudoers file's text (need not be NUL-terminated), appending
 * its grants and includes to scan. Returns 0, -ENOMEM, or -E2BIG past
 * GUARD_SUDOERS_MAX_GRANTS. Never fails on syntax: what it cannot read as
 * a grant it skips (sudo itself refuses a file it cannot parse). */
int guard_sudoers_scan(const char *file, const char *text, size_t len,
		       struct guard_sudoers_scan *scan);
void guard_sudoers_scan_clear(struct guard_sudoers_scan *scan);

/* The same for doas.conf (doas_scan.c): the identity of each permit rule
 * (":ops", ":1005", "deploy", "1001"); it includes nothing. */
int guard_doas_scan(const char *file, const char *text, size_t len,
		    struct guard_sudoers_scan *scan);

/* Appends one grant (name copied). Returns 0, -ENOMEM or -E2BIG. */
int guard_sudoers_add(struct guard_sudoers_scan *scan, const char *file, unsigned line,
		      enum guard_sudoers_kind kind, const char *name, uint32_t id);

/* Whose grant it is, for messages: "sudoers" or "doas.conf". */
static inline const char *guard_grant_source(const struct guard_sudoers_grant *g)
{
	return g && g->doas ? "doas.conf" : "sudoers";
}
void guard_sudoers_grants_free(struct guard_sudoers_grant *grants, size_t n);

/* The grant that makes the group privileged (by name, or by gid when
 * known), or NULL. */
const struct guard_sudoers_grant *guard_sudoers_group(const struct guard_policy *policy,
						      const char *group, bool gid_known,
						      uint32_t gid);

/* The grant that names the account (by name, or by uid when known), or
 * NULL. */
const struct guard_sudoers_grant *guard_sudoers_user(const struct guard_policy *policy,
						     const char *name, bool uid_known,
						     uint32_t uid);

/* The first uid (gid) granted by number that no account (group) on this
 * host holds, as the load found it, or NULL: the tools give new accounts
 * and groups ids of their own choosing, and may choose it. */
const struct guard_sudoers_grant *guard_sudoers_unheld(const struct guard_policy *policy, bool gid);

/* Reads sudoers (NULL: GUARD_SUDOERS_PATH; "": none) with what it
 * includes, then doas (NULL: GUARD_DOAS_CONF_PATH; "": none), into
 * policy's grants, replacing them; with note, records each file and
 * directory as an input of policy first (policy_inputs.c).
 * A missing file grants nothing; any other failure to read one returns
 * -errno with err naming it (the policy is then refused: a grant not seen
 * is a grant not guarded). */
int guard_sudoers_load(struct guard_policy *policy, const char *sudoers, const char *doas,
		       bool note, struct guard_error *err);

#endif
