/* What the two halves of the sudo decision share: the request built from
 * sudo_guard.so's message (helper_sudo.c), and its decision in the store,
 * its events and the answer (helper_sudo_decide.c). */
#ifndef GUARD_HELPER_SUDO_H
#define GUARD_HELPER_SUDO_H

#include "classify.h"
#include "helper.h"
#include "request.h"
#include "wire.h"

/* The head of the bound argv: sudo -u #UID -g #GID --, then the file. */
#define SUDO_BOUND_HEAD 6

struct sudo_request {
	struct guard_identity actor;
	struct guard_identity runas;
	struct guard_classification cls; /* a guarded command: its classification */
	struct guard_target *targets;	 /* otherwise: the escalations */
	size_t n_targets;
	char **bound_argv; /* what the approval binds: sudo -u #U -g #G -- PATH ARGS */
	char **shown_argv; /* the same, secrets masked */
	int bound_argc;
	struct guard_helper_location where;
	struct guard_request req; /* points into the fields above */
};

/* Replaces *slot with the formatted text (NULL when out of memory). */
void guard_sudo_say(char **slot, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* GUARD_RESULT_ERROR: "guard: refused: GUIDANCE" for the user, WHY for
 * the log. */
void guard_sudo_fail(struct guard_wire_answer *ans, const char *guidance, const char *why);

/* A request refused before any rule (the classifier's refusal, the tool's
 * environment): reported like guardctl's such refusals; refused, or
 * allowed with "would refuse" in monitor mode. */
void guard_sudo_refused(const struct guard_policy *policy, struct sudo_request *s,
			const struct guard_wire_request *w, const char *why,
			struct guard_wire_answer *ans);

/* Limits, watches, freeze, break-glass and approvals in one store
 * transaction, the decision's events, the answer. */
void guard_sudo_decide_in_store(const struct guard_policy *policy, struct sudo_request *s,
				const struct guard_wire_request *w, struct guard_wire_answer *ans);

#endif
