/* guard-pam-helper: the decision pam_guard.so asks for, made in a process
 * of its own with all ids 0. */
#ifndef GUARD_PAM_HELPER_H
#define GUARD_PAM_HELPER_H

#include "wire.h"

/* Decides req and fills ans (result, guidance for the user, a line for the
 * system log): loads the policy, maps the service to an action, resolves
 * actor and target, evaluates, reports the decision. Every failure is
 * GUARD_RESULT_ERROR with the reason in ans->log. ans must be zeroed. */
void guard_helper_decide(const struct guard_wire_request *req, struct guard_wire_answer *ans);

#endif
