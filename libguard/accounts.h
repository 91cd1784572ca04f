/* The system's account database (NSS), for the edges: who the caller is,
 * and the resolver the classifier uses. Only "no such entry" is -ENOENT;
 * every other failure is an error that refuses (a zeroed struct never
 * means root). */
#ifndef GUARD_ACCOUNTS_H
#define GUARD_ACCOUNTS_H

#include <stdint.h>
#include <sys/types.h>

#include "classify.h"
#include "request.h"

/* Fills ret with the user's name, uid and the names of all its groups.
 * glibc's getgrouplist() cannot say that a group source failed (it returns
 * what it found, the primary group at least): so every group the policy
 * names in a membership list (actors, targets, approvers, admins,
 * break_glass) is also looked up by name, where a failure is reported, and
 * counted when it lists the user; so are the @privileged groups and the
 * utmp group, for any account but one with uid 0 (@protected by its uid).
 * A failure refuses: a missing group could turn a deny into an allow,
 * through a skipped deny rule or a "!%group".
 * policy may be NULL (no group is confirmed). Every answer NSS gives is
 * kept (one decision, one view of the accounts; a failed look-up is never
 * kept) until guard_accounts_forget() or guard_accounts_refresh() drops
 * it. Returns 0, -ENOENT, or another -errno. */
int guard_accounts_user_by_name(const struct guard_policy *policy, const char *name,
				struct guard_identity *ret);
int guard_accounts_user_by_uid(const struct guard_policy *policy, uid_t uid,
			       struct guard_identity *ret);
/* Who asks (guardctl's caller, PAM's and sudo's actor): as above, but the
 * @privileged groups and the utmp group are not confirmed: @protected
 * counts their members among targets, and no rule matches an actor by
 * them (match.c); a target is resolved on its own, even the actor's own
 * account. Their look-ups are most of an actor's (nss_systemd walks the
 * userdb directories for each privileged group that does not exist). */
int guard_accounts_actor_by_name(const struct guard_policy *policy, const char *name,
				 struct guard_identity *ret);
int guard_accounts_actor_by_uid(const struct guard_policy *policy, uid_t uid,
				struct guard_identity *ret);
void guard_accounts_forget(void);
/* For a process that decides again and again (the decision service), at
 * the start of each request: keeps the answers of the requests before
 * while /etc/passwd, /etc/group, /etc/nsswitch.conf and nss_systemd's
 * drop-in directories are as they were (device, inode, size, mtime,
 * ctime) and for at most GUARD_ACCOUNTS_KEEP_MS, else drops them. Their
 * change is seen at the next request; a change in another source (a
 * drop-in record edited in place, a varlink service, a directory service)
 * within GUARD_ACCOUNTS_KEEP_MS. */
#define GUARD_ACCOUNTS_KEEP_MS 1000
void guard_accounts_refresh(void);
/* The account a PAM or sudo decision is about (su's, sudo's target): as
 * guard_accounts_user_by_name, but one that does not exist is a target
 * all the same (named, exists false: it matches no positive item).
 * Returns 0 or -errno (a look-up that failed). */
int guard_accounts_target_by_name(const struct guard_policy *policy, const char *name,
				  struct guard_identity *ret);

/* Does every role group of the policy exist? One that does not would grant
 * its role to whoever creates it, with members of their choosing: every
 * guarded decision refuses, and `check` reports it. Returns 0, -ENOENT
 * with err naming the file and line that name the group, or another -errno
 * (the look-up failed: a refusal too). */
int guard_accounts_check_role_groups(const struct guard_policy *policy, struct guard_error *err);

/* The resolver over the system's database and /etc/shells; users' groups
 * are confirmed against policy as above (may be NULL). */
void guard_accounts_resolver(struct guard_resolver *ret, const struct guard_policy *policy);

#endif
