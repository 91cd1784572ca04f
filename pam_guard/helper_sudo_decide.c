/* The sudo decision's second half: the store transaction (limits,
 * watches, freeze, break-glass, approvals), the events with service "sudo"
 * and the answer sudo_guard.so prints. See helper_sudo.c for the request. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "guidance.h"
#include "helper_sudo.h"
#include "helper.h"
#include "request_token.h"
#include "store.h"

void guard_sudo_say(char **slot, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(*slot);
	*slot = s;
}

/* GUARD_RESULT_ERROR: the guidance for the user, the why for the log. */
void guard_sudo_fail(struct guard_wire_answer *ans, const char *guidance, const char *why)
{
	ans->result = GUARD_RESULT_ERROR;
	ans->log_priority = LOG_ERR;
	guard_sudo_say(&ans->guidance, "guard: refused: %s", guidance);
	guard_sudo_say(&ans->log, "sudo refused: %s", why);
}

/* The store's outcome, as an answer. Monitor mode never refuses. */
static void answer_verdict(const struct guard_decision_result *res, const struct sudo_request *s,
			   struct guard_wire_answer *ans)
{
	const struct guard_verdict *v = &res->verdict;
	char line[GUARD_GUIDANCE_LINE_MAX], q1[128], q2[300];

	guard_guidance_line(v, line, sizeof(line));
	guard_escape(s->actor.name, q1, sizeof(q1));
	guard_escape(s->bound_argv[SUDO_BOUND_HEAD], q2, sizeof(q2));
	if (res->outcome == GUARD_OUTCOME_GO) {
		ans->result = GUARD_RESULT_ALLOW;
		if (line[0])
			guard_sudo_say(&ans->guidance, "%s", line);
		ans->log_priority = v->decision == GUARD_DECISION_ALLOW ? LOG_DEBUG : LOG_NOTICE;
		guard_sudo_say(&ans->log, "sudo %s %s by %s as uid %u%s",
			       v->decision == GUARD_DECISION_ALLOW ? "allowed"
								   : "would deny (monitor mode)",
			       q2, q1, s->runas.uid, v->break_glass_used ? " by break-glass" : "");
		return;
	}
	ans->result = GUARD_RESULT_DENY;
	ans->log_priority = LOG_NOTICE;
	guard_sudo_say(&ans->log, "sudo %s %s by %s as uid %u", guard_decision_name(v->decision),
		       q2, q1, s->runas.uid);
	if (res->outcome == GUARD_OUTCOME_PENDING)
		/* The approval binds the caller, the host, the run-as ids and
		 * the command: the same sudo, repeated once approved, runs
		 * once. */
		guard_sudo_say(
		    &ans->guidance,
		    "%s\nguard: approval request %lld %s: an approver runs \"guardctl approve "
		    "%lld\", then repeat this sudo command.",
		    line, (long long)res->approval_id,
		    res->approval_created ? "filed" : "is pending", (long long)res->approval_id);
	else
		guard_sudo_say(&ans->guidance, "%s", line);
}

/* The classifier refused (an option it does not know, -R, a home outside
 * home_roots...): reported like guardctl's refusals, before any rule. */
void guard_sudo_refused(const struct guard_policy *policy, struct sudo_request *s,
			const struct guard_wire_request *w, const char *why,
			struct guard_wire_answer *ans)
{
	struct guard_events *ev = NULL;
	struct guard_error err = {0};
	char *shown[] = {w->command, NULL};
	char q[300];
	bool monitor = policy->settings.mode == GUARD_MODE_MONITOR;

	/* Best effort: refused whatever the audit daemon says. */
	s->req.argc = 1;
	s->req.argv = shown;
	if (guard_events_open_best_effort(&policy->settings, GUARD_SOURCE_SUDO, &ev, &err) == 0)
		(void)guard_events_refused_request(ev, &s->req, why, NULL);
	guard_events_close(ev);
	guard_escape(w->command, q, sizeof(q));
	ans->result = monitor ? GUARD_RESULT_ALLOW : GUARD_RESULT_DENY;
	ans->log_priority = LOG_NOTICE;
	guard_sudo_say(&ans->guidance, "guard: %s: %s",
		       monitor ? "would refuse (monitor mode)" : "refused", why);
	guard_sudo_say(&ans->log, "sudo %s %s by %s: %s",
		       monitor ? "would refuse (monitor mode)" : "refused", q, s->actor.name, why);
}

/* The decision in the store, its events, the answer. */
void guard_sudo_decide_in_store(const struct guard_policy *policy, struct sudo_request *s,
				const struct guard_wire_request *w, struct guard_wire_answer *ans)
{
	struct guard_decision_result res = {0};
	struct guard_store *store = NULL;
	bool store_failed = false;
	struct guard_events *ev = NULL;
	struct guard_error err = {0};
	char host[256];
	int r;

	r = guard_events_open(&policy->settings, GUARD_SOURCE_SUDO, &ev, &err);
	if (r < 0) {
		guard_sudo_fail(ans, "the decision cannot be recorded (the system log says why).",
				err.message[0] ? err.message : strerror(-r));
		goto out;
	}
	if (gethostname(host, sizeof(host)) < 0) {
		guard_sudo_fail(ans, "the host name cannot be read.", strerror(errno));
		goto out;
	}
	host[sizeof(host) - 1] = '\0';
	r = guard_helper_store_get(&store, &err);
	if (r == 0) {
		const struct guard_approval_binding b = {
		    .requester_uid = s->actor.uid,
		    .requester = s->actor.name,
		    .host = host,
		    .service = w->service,
		    .argc = s->bound_argc,
		    .argv = s->bound_argv,
		};
		const struct guard_decide_in in = {
		    .policy = policy,
		    .request = &s->req,
		    .binding = &b,
		    .shown_argc = s->bound_argc,
		    .shown_argv = s->shown_argv,
		    .wall_now = (int64_t)time(NULL),
		};

		r = guard_store_decide(store, &in, &res, &err);
		store_failed = r < 0;
	}
	if (r < 0) {
		guard_sudo_fail(ans, "the state store cannot be used (the system log says why).",
				err.message[0] ? err.message : strerror(-r));
		goto out;
	}
	guard_events_pending(ev, store, &res);
	if (guard_events_decision(ev, &s->req, &res.verdict, NULL) < 0) {
		guard_sudo_fail(ans, "the decision cannot be recorded (the system log says why).",
				"the decision could not be recorded (audit = required)");
		goto out;
	}
	for (size_t i = 0; i < res.n_alerts; i++)
		if (res.alerts[i].kind == GUARD_ALERT_WATCH)
			(void)guard_events_lockout(ev, &s->actor, res.alerts[i].name,
						   res.alerts[i].lockout_until);
	answer_verdict(&res, s, ans);
out:
	guard_verdict_clear(&res.verdict);
	guard_helper_store_put(store, store_failed);
	guard_events_close(ev);
}
