/* guard-pam-helper: the decision pam_guard.so and sudo_guard.so ask for,
 * made in a process of its own with all ids 0. */
#ifndef GUARD_PAM_HELPER_H
#define GUARD_PAM_HELPER_H

#include <stdbool.h>

#include "policy.h"
#include "request.h"
#include "wire.h"

/* Decides req and fills ans (result, guidance for the user, a line for the
 * system log): loads the policy, maps the service to an action, resolves
 * actor and target, evaluates, reports the decision. Every failure is
 * GUARD_RESULT_ERROR with the reason in ans->log. ans must be zeroed. */
void guard_helper_decide(const struct guard_wire_request *req, struct guard_wire_answer *ans);

/* The same for sudo_guard.so's request (stage GUARD_STAGE_SUDO), under the
 * loaded policy: see helper_sudo.c. */
void guard_helper_decide_sudo(const struct guard_policy *policy,
			      const struct guard_wire_request *req, struct guard_wire_answer *ans);

/* The location's text, which req points into. */
struct guard_helper_location {
	char rhost[257];
	char tty[64];
};

/* Fills req's location (kind, address, rhost, tty). A host process a
 * user started (a real uid other than root's, or sudo's plugin): the
 * location of its session (logind, or its controlling terminal's utmp entry
 * when it belongs to the session), unknown when neither says. A host root
 * started (sshd, login): the remote host it names, else utmp's entry for
 * the terminal it names (remote when it records a host), else local. */
void guard_helper_locate(const struct guard_wire_request *w, struct guard_helper_location *l,
			 struct guard_request *req);

#endif
