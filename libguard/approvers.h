/* Who may do what to the state: approve a request, freeze and thaw, lift a
 * lockout, use break-glass, see everyone's history. Decided from the
 * policy's lists against the kernel's view of the caller; root is the
 * caller's to treat as always allowed. Approving is not administering:
 * a rule's approvers approve that rule's requests and nothing more. */
#ifndef GUARD_APPROVERS_H
#define GUARD_APPROVERS_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "request.h"

/* May who approve a request that the named rules ("\n"-separated, as the
 * store keeps them) asked approval for? Each rule's approvers, else the
 * settings'; a rule the policy no longer has and an empty list count as
 * the settings'. An empty or absent list approves nobody. */
bool guard_is_approver_for(const struct guard_policy *policy, const char *rules,
			   const struct guard_identity *who);

/* Is who in the settings' approvers or in any rule's approvers? */
bool guard_is_any_approver(const struct guard_policy *policy, const struct guard_identity *who);

/* Is who one of the settings' admins (when the policy names none, the
 * settings' approvers)? Guard's administration (freeze, thaw, unlock,
 * everyone's history, status and requests) is root's and theirs. */
bool guard_is_admin(const struct guard_policy *policy, const struct guard_identity *who);

/* May the caller end, or replace, the freeze that frozen_by (its name as
 * the store keeps it) made? Root ends any; anyone else, given the admin
 * right, only one not made by root (root_name: the name of uid 0 as the
 * caller's own name was resolved). An unknown freezer or root name: no. */
bool guard_may_end_freeze(uint32_t caller_uid, const char *frozen_by, const char *root_name);

/* Is who a member of the settings' break_glass? */
bool guard_may_break_glass(const struct guard_policy *policy, const struct guard_identity *who);

#endif
