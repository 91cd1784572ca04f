/* From pam_guard's request to a decision: who becomes whom per docs/design.md's
 * table, where from, and what the policy says. Every failure refuses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "evaluate.h"
#include "events.h"
#include "guidance.h"
#include "helper.h"
#include "policy.h"
#include "request_token.h"
#include "store.h"

struct pam_request {
	struct guard_identity actor;
	struct guard_target target;
	struct guard_helper_location where;
	struct guard_request req; /* points into the fields above */
};

static void say(char **slot, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(char **slot, const char *fmt, ...)
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

static void refuse(struct guard_wire_answer *ans, const char *guidance, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* GUARD_RESULT_ERROR with a line for the log and, when given, for the
 * user. */
static void refuse(struct guard_wire_answer *ans, const char *guidance, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(ans->log);
	ans->log = s;
	ans->result = GUARD_RESULT_ERROR;
	ans->log_priority = LOG_ERR;
	if (guidance)
		say(&ans->guidance, "%s", guidance);
}

static void locate(const struct guard_wire_request *w, struct pam_request *p)
{
	guard_helper_locate(w, &p->where, &p->req);
}

/* Who asks: PAM_RUSER when a root process vouches for it; for a login
 * without PAM_RUSER the account logged into; else the real uid's user.
 * Returns 0 or -errno (-ENOENT: no such user). */
static int find_actor(const struct guard_policy *policy, const struct guard_wire_request *w,
		      enum guard_action action, struct guard_identity *ret, const char **ret_how)
{
	bool ruser = w->ruser && w->ruser[0];

	if (w->ruid == 0 && ruser) {
		*ret_how = "PAM_RUSER";
		return guard_accounts_actor_by_name(policy, w->ruser, ret);
	}
	if (action == GUARD_SESSION_LOGIN && !ruser) {
		*ret_how = "PAM_USER";
		return guard_accounts_actor_by_name(policy, w->user, ret);
	}
	*ret_how = "the real uid";
	return guard_accounts_actor_by_uid(policy, (uid_t)w->ruid, ret);
}

static void pam_request_clear(struct pam_request *p)
{
	guard_identity_clear(&p->actor);
	guard_target_clear(&p->target);
}

/* Maps the store's outcome to the answer. Monitor mode never refuses. */
static void answer_verdict(const struct guard_decision_result *res, const struct pam_request *p,
			   struct guard_wire_answer *ans)
{
	const struct guard_verdict *v = &res->verdict;
	char line[GUARD_GUIDANCE_LINE_MAX], q1[128], q2[128];
	const char *action = guard_action_name(p->target.action);

	guard_guidance_line(v, line, sizeof(line));
	guard_escape(p->actor.name, q1, sizeof(q1));
	/* A name that is no account may be a password typed at a prompt. */
	if (p->target.user.exists)
		guard_escape(p->target.user.name, q2, sizeof(q2));
	else
		snprintf(q2, sizeof(q2), "an account that does not exist");
	if (res->outcome == GUARD_OUTCOME_GO) {
		ans->result = GUARD_RESULT_ALLOW;
		if (line[0])
			say(&ans->guidance, "%s", line);
		ans->log_priority = v->decision == GUARD_DECISION_ALLOW ? LOG_DEBUG : LOG_NOTICE;
		say(&ans->log, "%s %s of %s by %s%s",
		    v->decision == GUARD_DECISION_ALLOW ? "allowed" : "would deny (monitor mode)",
		    action, q2, q1, v->break_glass_used ? " by break-glass" : "");
		return;
	}
	ans->result = GUARD_RESULT_DENY;
	ans->log_priority = LOG_NOTICE;
	say(&ans->log, "%s %s of %s by %s", guard_decision_name(v->decision), action, q2, q1);
	if (res->outcome == GUARD_OUTCOME_PENDING)
		/* The approval binds (actor, action, target, service, host): the
		 * same su or sudo, repeated once approved, goes through once. */
		say(&ans->guidance,
		    "%s\n%s%s%sguard: approval request %lld %s: an approver runs \"guardctl "
		    "approve %lld\", then repeat this command.",
		    line, res->not_spent[0] ? "guard: " : "", res->not_spent,
		    res->not_spent[0] ? ".\n" : "", (long long)res->approval_id,
		    res->approval_created ? "filed" : "is pending", (long long)res->approval_id);
	else
		say(&ans->guidance, "%s", line);
}

/* Everything after the policy: the request, the decision, the event. */
static void decide_with(const struct guard_policy *policy, const struct guard_wire_request *w,
			enum guard_action action, struct guard_wire_answer *ans)
{
	struct pam_request p = {0};
	struct guard_decision_result res = {0};
	struct guard_store *store = NULL;
	bool store_failed = false;
	struct guard_events *ev = NULL;
	char host[256];
	struct guard_error err = {0};
	const char *how = "";
	char q[128];
	int r;

	if (!w->user || !w->user[0]) {
		refuse(ans, "guard: refused: no target account is named (PAM_USER is empty).",
		       "refused %s: PAM_USER is not set", guard_action_name(action));
		goto out;
	}
	r = find_actor(policy, w, action, &p.actor, &how);
	if (r < 0) {
		refuse(ans, "guard: refused: the calling user cannot be identified.",
		       "refused: cannot look up the actor (%s): %s", how,
		       r == -ENOENT ? "no such user" : strerror(-r));
		goto out;
	}
	p.target.action = action;
	r = guard_accounts_target_by_name(policy, w->user, &p.target.user);
	if (r < 0) {
		refuse(ans, "guard: refused: the target account cannot be looked up.",
		       "refused: cannot look up the target \"%s\": %s",
		       guard_escape(w->user, q, sizeof(q)), strerror(-r));
		goto out;
	}
	/* su or sudo into one's own account, passwd of one's own password:
	 * no escalation, not Guard's business. Into one's own account only: an
	 * alias sharing the uid under another name (useradd -o -u) brings its
	 * own groups. */
	if ((action == GUARD_ROLE_ESCALATE || action == GUARD_USER_PASSWORD) &&
	    guard_identity_same_account(&p.target.user, &p.actor)) {
		ans->result = GUARD_RESULT_IGNORE;
		ans->log_priority = LOG_DEBUG;
		say(&ans->log, "%s: the target is the actor", guard_action_name(action));
		goto out;
	}
	locate(w, &p);
	p.req.actor = p.actor;
	p.req.service = w->service;
	p.req.targets = &p.target;
	p.req.n_targets = 1;
	p.req.layered = true; /* the program authorizes too: monitor mode applies */

	r = guard_events_open(&policy->settings, GUARD_SOURCE_PAM, &ev, &err);
	guard_events_set_zone(ev, policy->tz);
	if (r < 0) {
		refuse(ans,
		       "guard: refused: the decision cannot be recorded (the system log says "
		       "why).",
		       "refused: the decision cannot be recorded: %s",
		       err.message[0] ? err.message : strerror(-r));
		goto out;
	}
	if (gethostname(host, sizeof(host)) < 0) {
		refuse(ans, NULL, "refused: cannot read the host name: %s", strerror(errno));
		goto out;
	}
	host[sizeof(host) - 1] = '\0';
	/* Limits, watches, freeze, break-glass and approvals: the snapshot,
	 * the decision and the ledger row in one store transaction. */
	r = guard_helper_store_get(&store, &err);
	if (r == 0) {
		const struct guard_approval_binding b = {
		    .requester_uid = p.actor.uid,
		    .requester = p.actor.name,
		    .host = host,
		    .service = w->service,
		    .action = action,
		    .target = w->user,
		};
		const struct guard_decide_in in = {
		    .policy = policy,
		    .request = &p.req,
		    .binding = &b,
		    .wall_now = (int64_t)time(NULL),
		};

		r = guard_store_decide(store, &in, &res, &err);
		store_failed = r < 0;
	}
	if (r < 0) {
		refuse(ans,
		       "guard: refused: the state store cannot be used (the system log says why).",
		       "refused: state store: %s", err.message[0] ? err.message : strerror(-r));
		goto out;
	}
	guard_events_pending(ev, store, &res);
	if (guard_events_decision(ev, &p.req, &res.verdict, NULL) < 0) {
		refuse(ans,
		       "guard: refused: the decision cannot be recorded (the system log says "
		       "why).",
		       "refused: the decision could not be recorded (audit = required)");
		goto out;
	}
	answer_verdict(&res, &p, ans);
out:
	guard_verdict_clear(&res.verdict);
	guard_helper_store_put(store, store_failed);
	guard_events_close(ev);
	pam_request_clear(&p);
}

static void report_policy_error(const struct guard_error *load_err)
{
	struct guard_events *ev = NULL;
	struct guard_error err = {0};

	if (guard_events_open(NULL, GUARD_SOURCE_PAM, &ev, &err) == 0)
		(void)guard_events_policy_error(ev, load_err);
	guard_events_close(ev);
}

void guard_helper_decide(const struct guard_wire_request *w, struct guard_wire_answer *ans)
{
	struct guard_policy *policy = NULL;
	struct guard_error err = {0};
	const struct guard_service *svc;
	enum guard_action action;
	char where[1024], q[128];
	enum guard_mode mode;

	ans->result = GUARD_RESULT_ERROR;
	if (w->config && w->config[0] != '/') {
		refuse(ans, NULL, "refused: config=%s is not an absolute path",
		       guard_escape(w->config, q, sizeof(q)));
		return;
	}
	if (guard_helper_policy_get(w->config, &policy, &err) < 0) {
		guard_error_format(&err, where, sizeof(where));
		refuse(ans,
		       "guard: refused: the Guard policy cannot be loaded (the system log "
		       "names the file and line).",
		       "refused: policy error: %s", where);
		report_policy_error(&err);
		return;
	}
	/* The module's monitor option, for this request only: a kept policy
	 * serves the next one too. */
	mode = policy->settings.mode;
	if (w->flags & GUARD_WIRE_F_MONITOR)
		policy->settings.mode = GUARD_MODE_MONITOR;
	if (w->stage == GUARD_STAGE_SUDO) {
		guard_helper_decide_sudo(policy, w, ans);
		goto out;
	}

	if (w->action) {
		if (guard_action_parse(w->action, &action) < 0) {
			refuse(ans, NULL, "refused: action=%s is not an action",
			       guard_escape(w->action, q, sizeof(q)));
			goto out;
		}
	} else {
		svc = w->service ? guard_policy_service(policy, w->service) : NULL;
		if (!svc) {
			ans->result = GUARD_RESULT_IGNORE;
			ans->log_priority = LOG_DEBUG;
			say(&ans->log, "service \"%s\" is not guarded by the policy",
			    guard_escape(w->service, q, sizeof(q)));
			goto out;
		}
		action = svc->action;
	}
	/* A role group that does not exist would grant its role to whoever
	 * creates it: every guarded decision refuses until it does. */
	if (guard_accounts_check_role_groups(policy, &err) < 0) {
		char shown[sizeof(err.message) + 32];

		guard_error_format(&err, where, sizeof(where));
		snprintf(shown, sizeof(shown), "guard: refused: %s.", err.message);
		refuse(ans, shown, "refused: %s", where);
		goto out;
	}
	decide_with(policy, w, action, ans);
out:
	policy->settings.mode = mode;
	guard_helper_policy_put(policy);
}
