/* Who may do what to the state: approve a request, freeze and thaw, lift a
 * lockout, use break-glass, see everyone's history. Decided from the
 * policy's lists against the kernel's view of the caller; root is the
 * caller's to treat as always allowed. */
#ifndef GUARD_APPROVERS_H
#define GUARD_APPROVERS_H

#include <stdbool.h>

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

/* Is who a member of the settings' break_glass? */
bool guard_may_break_glass(const struct guard_policy *policy, const struct guard_identity *who);

#endif
