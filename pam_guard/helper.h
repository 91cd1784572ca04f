/* guard-pam-helper: the decision pam_guard.so and sudo_guard.so ask for,
 * made in a process of its own with all ids 0. */
#ifndef GUARD_PAM_HELPER_H
#define GUARD_PAM_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "store.h"
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

/* The module stops waiting after 5 s; a decision never outlives that by
 * much, whatever it is stuck in (SIGALRM's default action ends it). */
#define GUARD_HELPER_ALARM_S 10

/* No core dumps, no ptrace, umask 077, cwd /, limits of its own. Returns 0
 * or -1 when / cannot be entered. */
int guard_helper_harden(void);

/* Decodes one request message, decides it and encodes the answer (*ret,
 * for the caller to free). peer_pid, when not 0, is the pid of the process
 * that sent it: a request naming another host process is refused. refused,
 * when not NULL, refuses without deciding, for that reason. Returns 0 or
 * -errno when no answer could be encoded. */
int guard_helper_answer(const uint8_t *msg, size_t len, uint32_t peer_pid, const char *refused,
			uint8_t **ret, size_t *ret_len);

/* What one decision may reuse from the last (helper_keep.c). Off, as in
 * the exec'd helper: each get loads or opens, each put frees or closes.
 * On, as in the decision service: a get returns the kept policy or store
 * while a fresh load or open would give the same, else a fresh one that is
 * kept in its place. */
void guard_helper_keep(bool on);
void guard_helper_keep_drop(void);

/* The policy at path (NULL: the default). Returns 0 or guard_policy_load's
 * error. Give it back with guard_helper_policy_put, unchanged. */
int guard_helper_policy_get(const char *path, struct guard_policy **ret, struct guard_error *err);
void guard_helper_policy_put(struct guard_policy *policy);

/* The store (guard_store_open's defaults). Give it back with
 * guard_helper_store_put, failed when a call on it failed: it is not kept
 * then. */
int guard_helper_store_get(struct guard_store **ret, struct guard_error *err);
void guard_helper_store_put(struct guard_store *store, bool failed);

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
