/* Homes checked on the filesystem before a tool creates, moves or removes
 * one (docs/design.md, "The privilege model"). I/O: for the edges only. */
#ifndef GUARD_HOME_CHECK_H
#define GUARD_HOME_CHECK_H

#include <sys/types.h>

#include "classify.h"
#include "error.h"
#include "policy.h"

/* Checks h: every existing directory from "/" to the home's parent is a
 * real directory (no symlink), owned by trusted_uid (root; a test passes
 * its own) and writable by no one else; for GUARD_HOME_CREATE the home does
 * not exist yet; for GUARD_HOME_OWN (h->path NULL: the account's home as
 * passwd has it now) it is, if it exists, a real directory owned by the
 * account and under the policy's home_roots; for GUARD_HOME_ADOPT it is, if
 * it exists, a real directory of root's or of the account's (a new account
 * has no uid yet: root's). A path whose parent does not exist is fine: the
 * tool makes what is missing as root. A home made or given (CREATE, ADOPT)
 * is no other account's, holds none and lies in none, as the account
 * databases list them (guard_homes_overlap).
 * Returns 0; -EPERM when refused (err says which directory and why); or
 * another -errno when the check could not be made (err says so). */
int guard_home_check(const struct guard_policy *policy, const struct guard_home *h,
		     uid_t trusted_uid, struct guard_error *err);

#endif
