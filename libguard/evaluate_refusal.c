/* The words of a refusal: its reason and its safe path, for a rule or the
 * default, a limit, a freeze or a lockout (who approves or administers is
 * evaluate_people.c's). */
#include <string.h>

#include "evaluate_internal.h"
#include "match.h"
#include "text.h"

static void approve_path(const struct eval *e, const struct guard_rule *rule,
			 struct guard_text *out)
{
	const struct guard_request *r = e->request;

	if (r->argv && r->argc > 0 && r->service && strcmp(r->service, "guardctl") != 0) {
		/* A command through sudo: its request is filed with this refusal
		 * and bound to that command line, which guardctl cannot run. */
		guard_text_add(out, "the same command again once approved by ");
		eval_approvers_text(e, rule, out);
		return;
	}
	guard_text_add(out, "guardctl request ");
	if (r->argv && r->argc > 0) {
		guard_text_command(out, r->argc, r->argv);
	} else {
		/* A PAM request: bound to service, target and host, not a command. */
		guard_text_add(out, "--service ");
		guard_text_escaped(out, r->service);
		guard_text_add(out, " --target ");
		guard_text_escaped(out, e->m.target->user.name);
	}
	guard_text_add(out, ", approved by ");
	eval_approvers_text(e, rule, out);
}

/* Fills reason and safe path of a refusal decided by a rule or the default. */
void eval_refuse(struct eval *e, struct guard_action_verdict *av, const struct guard_rule *rule,
		 size_t index)
{
	struct guard_text reason, path;

	guard_text_init(&reason, av->reason, sizeof(av->reason));
	guard_text_init(&path, av->safe_path, sizeof(av->safe_path));
	eval_find_near_misses(e, av, rule ? index : e->policy->n_rules);
	if (!rule) {
		av->condition = GUARD_COND_DEFAULT;
		if (av->n_near_misses > 0)
			guard_text_add(&reason, "%s", av->near_misses[0].why);
		else if (av->decision == GUARD_DECISION_APPROVE)
			guard_text_add(&reason, "no rule decides it; the default needs approval");
		else
			guard_text_add(&reason, "no rule allows it");
	} else if (av->decision == GUARD_DECISION_APPROVE) {
		av->condition = GUARD_COND_NONE;
		if (rule->approvals > 1)
			guard_text_add(&reason, "needs %u approvals by ", rule->approvals);
		else
			guard_text_add(&reason, "needs approval by ");
		eval_approvers_text(e, rule, &reason);
	} else {
		av->condition = guard_match_why_applied(&e->m, rule, &reason);
	}

	if (av->decision == GUARD_DECISION_APPROVE)
		approve_path(e, rule, &path);
	else if (av->n_near_misses > 0)
		eval_near_miss_path(e, av, &av->near_misses[0], &path);
	else if (!rule || !rule->message)
		eval_ask_approver(e, NULL, &path);
	/* else: a deny rule's message is its own advice. */
}

void eval_refuse_limit(struct eval *e, struct guard_action_verdict *av,
		       const struct guard_rule *rule, int64_t next)
{
	struct guard_text t;
	char period[32];

	av->condition = GUARD_COND_LIMIT;
	av->retry_at = next;
	guard_format_duration(rule->limit.period_s, period, sizeof(period));
	guard_text_init(&t, av->reason, sizeof(av->reason));
	guard_text_add(&t, "limit %u/%s reached, next at ", rule->limit.count, period);
	guard_text_time(&t, e->policy->tz, e->now, next, true, false);
	guard_text_init(&t, av->safe_path, sizeof(av->safe_path));
	guard_text_add(&t, "retry from ");
	guard_text_time(&t, e->policy->tz, e->now, next, true, true);
}

void eval_refuse_frozen(struct eval *e, struct guard_action_verdict *av)
{
	const struct guard_host_state *s = e->state;
	struct guard_text t;

	av->condition = GUARD_COND_FROZEN;
	av->retry_at = s->frozen_until;
	guard_text_init(&t, av->reason, sizeof(av->reason));
	guard_text_add(&t, "the host is frozen by ");
	guard_text_escaped(&t, s->frozen_by ? s->frozen_by : "an unknown user");
	if (s->frozen_at > 0) {
		guard_text_add(&t, " since ");
		guard_text_time(&t, e->policy->tz, e->now, s->frozen_at, false, false);
	}
	if (s->frozen_until > 0) {
		guard_text_add(&t, " until ");
		guard_text_time(&t, e->policy->tz, e->now, s->frozen_until, true, false);
	} else {
		guard_text_add(&t, " until thawed");
	}
	if (s->frozen_reason) {
		guard_text_add(&t, ": ");
		guard_text_escaped(&t, s->frozen_reason);
	}
	guard_text_init(&t, av->safe_path, sizeof(av->safe_path));
	if (s->frozen_until > 0) {
		guard_text_add(&t, "retry from ");
		guard_text_time(&t, e->policy->tz, e->now, s->frozen_until, true, true);
		guard_text_add(&t, ", or ");
	}
	guard_text_add(&t, "ask root or an admin (");
	eval_admins_text(e, &t);
	guard_text_add(&t, ") to thaw");
}

void eval_refuse_lockout(struct eval *e, struct guard_action_verdict *av)
{
	const struct guard_host_state *s = e->state;
	struct guard_text t;

	av->condition = GUARD_COND_LOCKOUT;
	av->retry_at = s->lockout_until;
	guard_text_init(&t, av->reason, sizeof(av->reason));
	guard_text_add(&t, "locked out by watch ");
	guard_text_escaped(&t, s->lockout_watch ? s->lockout_watch : "(unknown)");
	if (s->lockout_until > 0) {
		guard_text_add(&t, " until ");
		guard_text_time(&t, e->policy->tz, e->now, s->lockout_until, true, false);
	}
	guard_text_init(&t, av->safe_path, sizeof(av->safe_path));
	if (s->lockout_until > 0) {
		guard_text_add(&t, "retry from ");
		guard_text_time(&t, e->policy->tz, e->now, s->lockout_until, true, true);
		guard_text_add(&t, ", or ");
	}
	guard_text_add(&t, "ask an admin (");
	eval_admins_text(e, &t);
	guard_text_add(&t, ") to run guardctl unlock ");
	guard_text_escaped(&t, e->request->actor.name);
}

/* When another action of the request is denied, an approval alone cannot
 * get it through: say so instead of sending the caller to request one. */
void eval_no_approval_path(struct guard_verdict *v)
{
	const struct guard_action_verdict *denied = NULL;

	for (size_t i = 0; i < v->n_actions && !denied; i++)
		if (v->actions[i].decision == GUARD_DECISION_DENY)
			denied = &v->actions[i];
	for (size_t i = 0; denied && i < v->n_actions; i++) {
		struct guard_action_verdict *av = &v->actions[i];
		const char *name = guard_action_name(denied->target->action);
		struct guard_text t;

		if (av->decision != GUARD_DECISION_APPROVE)
			continue;
		guard_text_init(&t, av->safe_path, sizeof(av->safe_path));
		guard_text_add(&t, "an approval alone will not do: %s is denied",
			       name ? name : "another action");
	}
}
