/* Every decision, executed command, approval step, alert, lockout,
 * freeze/thaw, break-glass and policy error is one event, reported to the
 * Linux audit subsystem (libaudit) and to journald (its native protocol), where
 * the SOC already looks. Used by both entry points. */
#ifndef GUARD_EVENTS_H
#define GUARD_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "account_state.h"
#include "error.h"
#include "evaluate.h"
#include "policy.h"
#include "request.h"

enum guard_event_source {
	GUARD_SOURCE_GUARDCTL, /* SYSLOG_IDENTIFIER=guardctl */
	GUARD_SOURCE_PAM,      /* SYSLOG_IDENTIFIER=pam_guard */
	GUARD_SOURCE_SUDO,     /* SYSLOG_IDENTIFIER=sudo_guard */
};

struct guard_events;

/* Opens the event sinks the settings ask for (audit: required, best-effort
 * or off; journal: yes or no). With audit = required, auditing must be
 * enabled and an audit daemon registered (AUDIT_GET: enabled != 0 and
 * pid != 0), else -errno with err saying why (a kernel without audit is
 * named as such). settings NULL: audit required, journal on (a policy that
 * could not be loaded). Returns 0 or -errno. */
int guard_events_open(const struct guard_settings *settings, enum guard_event_source source,
		      struct guard_events **ret, struct guard_error *err);

struct guard_events_relay;
/* As guard_events_open, but the handle's audit records and journal entries
 * are appended to relay (events_relay.h) for another process to send, not
 * sent: only the check that audit can be written is made here (an
 * AUDIT_GET within the last second, in this process, serves). relay must
 * outlive the handle; NULL: guard_events_open. */
int guard_events_open_relay(const struct guard_settings *settings, enum guard_event_source source,
			    struct guard_events_relay *relay, struct guard_events **ret,
			    struct guard_error *err);

/* A relaying handle's records go to relay from now on (the end of a
 * guarded command formatted ahead, to a buffer of its own). Nothing for a
 * handle that sends its records itself, or a NULL relay. */
void guard_events_relay_switch(struct guard_events *ev, struct guard_events_relay *relay);

/* As guard_events_open, for reports that gate nothing (a refusal already
 * made, a request filed): audit = required counts as best effort, so
 * that an audit daemon that is down never stops them reaching the
 * journal and the notify programs. */
int guard_events_open_best_effort(const struct guard_settings *settings,
				  enum guard_event_source source, struct guard_events **ret,
				  struct guard_error *err);

/* The zone in which messages write times (the policy's; NULL: UTC). tz
 * must outlive ev. Accepts NULL ev. */
void guard_events_set_zone(struct guard_events *ev, const struct guard_tz *tz);

/* Accepts NULL. */
void guard_events_close(struct guard_events *ev);

/* The pending request the next decision filed or found: its approval-needed
 * events name it (request= in audit, GUARD_REQUEST in the journal), and the
 * notify programs also get its token (what an approver elsewhere signs; too
 * long for a log line). token may be NULL. Returns 0 or -ENOMEM (then the
 * events go without them). Accepts NULL ev. */
int guard_events_set_request(struct guard_events *ev, int64_t id, const char *token);

/* Reports a verdict: one USER_ACCT record and one journal entry per action,
 * plus an ANOM_* alert for an alerting rule or a break-glass use. reason is
 * the caller's --reason (may be NULL). Returns 0, or -errno when audit is
 * required and a record was not acknowledged: the caller refuses. */
int guard_events_decision(struct guard_events *ev, const struct guard_request *request,
			  const struct guard_verdict *verdict, const char *reason);

/* The rule name of a refusal that came before any rule was tried: a request
 * the classifier refused, or a caller whose account could not be looked up.
 * Policy rule names cannot contain parentheses. */
#define GUARD_RULE_REQUEST "(request)"

/* Reports a request refused before evaluation (why: the refusal, one
 * line): one USER_ACCT record op=guard-request res=failed with
 * rule=(request) decision=deny, and one journal entry. request holds what
 * is known: the actor (a uid without a name when the look-up failed), the
 * location, and argv as the caller may see it (the command name alone when
 * secrets could not be told apart). Returns 0 or -errno as below. */
int guard_events_refused_request(struct guard_events *ev, const struct guard_request *request,
				 const char *why, const char *reason);

/* Reports a command Guard ran and how it ended (a wait(2) status):
 * USER_CMD with exit= (or the signal). Returns 0 or -errno as above. */
int guard_events_exec(struct guard_events *ev, const struct guard_request *request,
		      int wait_status);

/* The program the audit records name as exe=, for every handle opened
 * after: guardctl's own program names its setuid front, whose process it
 * continues. NULL (the default): /proc/self/exe. path must outlive the
 * handles. */
void guard_events_set_exe(const char *path);

/* Reports a policy that could not be loaded (USYS_CONFIG). */
int guard_events_policy_error(struct guard_events *ev, const struct guard_error *error);

/* Every function below returns 0, or -errno when audit is required and a
 * record was not acknowledged (the journal then says why). */

/* A watch reached its threshold for actor: ANOM_LOGIN_FAILURES, and when
 * until > 0 (a lockout, epoch seconds) RESP_ACCT_LOCK_TIMED. */
int guard_events_lockout(struct guard_events *ev, const struct guard_identity *actor,
			 const char *watch, int64_t until);

/* A freeze (until 0: until thawed) or a thaw by `by`: USYS_CONFIG. */
int guard_events_freeze(struct guard_events *ev, const struct guard_identity *by, bool frozen,
			const char *reason, int64_t until);

/* A break-glass taken by actor until `until`: an alert (ANOM_ROOT_TRANS). */
int guard_events_break_glass(struct guard_events *ev, const struct guard_identity *actor,
			     const char *reason, int64_t until);

/* An approver's approve (approved) or deny of a pending request:
 * USER_ACCT op=guard-approve or op=guard-deny-request. */
int guard_events_approval(struct guard_events *ev, const struct guard_identity *approver,
			  const char *request_id, const char *requester, bool approved,
			  const char *comment);

/* A signed approval refused (guardctl approve --signature): an alert,
 * USER_ACCT op=guard-approve-signature res=failed, naming the signer when
 * known (NULL: the key is no approver's), the request and why. */
int guard_events_signature_refused(struct guard_events *ev, const char *request_id,
				   const char *requester, const char *signer, const char *why);

/* An account change no decision explains, found by verify: an alert
 * (ANOM_ADD_ACCT, ANOM_DEL_ACCT or ANOM_MOD_ACCT) naming the account (the
 * member, for a membership), the group and what changed. */
int guard_events_account_change(struct guard_events *ev, const struct guard_account_change *c);

#endif
