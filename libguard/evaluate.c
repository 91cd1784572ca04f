/* The decision: a pure function of (policy, request, history, host state,
 * now). Each action of the request goes through the host state (freeze,
 * lockout), then the rules in order (the first that applies decides, a
 * limit may turn it into a deny), then the default; break-glass lets
 * everything but a deny rule through. Refusals get their words from
 * evaluate_refusal.c; allowed actions do no work beyond the match. */
#include "evaluate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate_internal.h"
#include "match.h"
#include "text.h"

void guard_verdict_clear(struct guard_verdict *v)
{
	if (!v)
		return;
	free(v->actions);
	free(v->limit_rules);
	memset(v, 0, sizeof(*v));
	v->decision = GUARD_DECISION_DENY;
}

static bool decision_valid(enum guard_decision d)
{
	return d == GUARD_DECISION_ALLOW || d == GUARD_DECISION_APPROVE || d == GUARD_DECISION_DENY;
}

static void set_reason_time(struct eval *e, struct guard_action_verdict *av, const char *what,
			    int64_t until, bool round_up)
{
	struct guard_text t;

	guard_text_init(&t, av->reason, sizeof(av->reason));
	guard_text_add(&t, "%s", what);
	guard_text_time(&t, e->policy->tz, e->now, until, round_up, false);
}

static bool frozen(const struct eval *e)
{
	const struct guard_host_state *s = e->state;

	return s && s->frozen && (s->frozen_until == 0 || s->frozen_until > e->now);
}

static bool locked_out(const struct eval *e)
{
	const struct guard_host_state *s = e->state;

	return s && s->locked_out && (s->lockout_until == 0 || s->lockout_until > e->now);
}

static void spend_limit(struct guard_verdict *v, const struct guard_rule *rule)
{
	for (size_t i = 0; i < v->n_limit_rules; i++)
		if (v->limit_rules[i] == rule)
			return;
	v->limit_rules[v->n_limit_rules++] = rule;
}

/* Decides one action. av starts as a deny of the target. */
static void decide(struct eval *e, struct guard_verdict *v, struct guard_action_verdict *av)
{
	const struct guard_policy *p = e->policy;
	const struct guard_rule *rule = NULL;
	enum guard_match m = GUARD_MATCH_NO;
	enum guard_condition failed = GUARD_COND_NONE;
	enum guard_decision d;
	bool held = false, over = false;
	int64_t next = 0;
	size_t i;
	struct guard_text t;

	e->m.target = av->target;
	guard_text_init(&t, av->reason, sizeof(av->reason));
	if ((unsigned)av->target->action >= GUARD_ACTION_COUNT) {
		av->condition = GUARD_COND_ACTION;
		guard_text_add(&t, "unknown action");
		return;
	}
	if (frozen(e) || locked_out(e)) {
		if (!e->break_glass) {
			if (frozen(e))
				eval_refuse_frozen(e, av);
			else
				eval_refuse_lockout(e, av);
			return;
		}
		held = true;
	}

	for (i = 0; i < p->n_rules; i++) {
		m = guard_match_rule(&e->m, &p->rules[i], &failed);
		if (m != GUARD_MATCH_NO)
			break;
	}
	if (m == GUARD_MATCH_UNKNOWN) {
		/* Which way the rule goes cannot be told: refuse, break-glass or not. */
		av->rule = &p->rules[i];
		av->condition = failed;
		guard_text_add(&t, "rule cannot be evaluated: ");
		guard_match_why_failed(&e->m, av->rule, failed, &t);
		return;
	}
	if (m == GUARD_MATCH_YES)
		rule = &p->rules[i];
	d = rule ? rule->decision : p->settings.default_decision;
	av->rule = rule;
	if (!decision_valid(d)) {
		guard_text_add(&t, "invalid decision");
		return;
	}
	if (rule && d != GUARD_DECISION_DENY && rule->has_limit) {
		over = eval_limit_uses(e, rule, &next) >= rule->limit.count;
		if (!over)
			spend_limit(v, rule);
	}
	/* Break-glass passes everything that refuses, but a deny rule. */
	if (e->break_glass && !(rule && d == GUARD_DECISION_DENY) &&
	    (held || over || d != GUARD_DECISION_ALLOW)) {
		av->decision = GUARD_DECISION_ALLOW;
		av->break_glass = true;
		set_reason_time(e, av, "break-glass until ", e->state->break_glass_until, false);
		return;
	}
	if (over) {
		eval_refuse_limit(e, av, rule, next);
		return;
	}
	av->decision = d;
	if (d != GUARD_DECISION_ALLOW)
		eval_refuse(e, av, rule, i);
}

static bool actor_holds_break_glass(struct eval *e)
{
	const struct guard_host_state *s = e->state;
	const struct guard_list *who = &e->policy->settings.break_glass;

	/* The state says it is active; the policy must still name the actor. */
	return s && s->break_glass && s->break_glass_until > e->now && who->present && who->n > 0 &&
	       guard_match_list(&e->m, GUARD_COND_ACTORS, who) == GUARD_MATCH_YES;
}

int guard_evaluate(const struct guard_policy *policy, const struct guard_request *request,
		   const struct guard_history *history, const struct guard_host_state *state,
		   int64_t now, struct guard_verdict *ret)
{
	static const struct guard_target no_target = {.action = GUARD_ACTION_COUNT};
	struct eval e = {
	    .policy = policy,
	    .request = request,
	    .history = history,
	    .state = state,
	    .now = now,
	};
	struct guard_verdict *v = ret;

	memset(v, 0, sizeof(*v));
	v->decision = GUARD_DECISION_DENY;
	if (!policy || !request)
		return -EINVAL;
	v->mode =
	    policy->settings.mode == GUARD_MODE_MONITOR ? GUARD_MODE_MONITOR : GUARD_MODE_ENFORCE;
	/* Monitor mode lets a program decide what it authorizes itself;
	 * guardctl's tools have no authorization but Guard's. */
	v->logged_only = v->mode == GUARD_MODE_MONITOR && request->layered;
	if (request->n_targets == 0)
		return 0; /* nothing classified: fail closed */

	v->actions = calloc(request->n_targets, sizeof(*v->actions));
	/* An array of pointers: the size of a pointer is meant.
	 * NOLINTNEXTLINE(bugprone-sizeof-expression) */
	v->limit_rules = calloc(request->n_targets, sizeof(*v->limit_rules));
	if (!v->actions || !v->limit_rules) {
		guard_verdict_clear(v);
		return -ENOMEM;
	}
	v->n_actions = request->n_targets;

	/* The local time once for every rule; unknown only when the zone
	 * cannot convert now, and then a time matcher refuses. */
	e.m.policy = policy;
	e.m.request = request;
	e.m.target = &no_target;
	if (policy->tz && guard_tz_localtime(policy->tz, now, &e.local) == 0)
		e.m.local = &e.local;
	e.break_glass = actor_holds_break_glass(&e);

	v->decision = GUARD_DECISION_ALLOW;
	for (size_t i = 0; i < request->n_targets; i++) {
		struct guard_action_verdict *av = &v->actions[i];

		av->target = &request->targets[i];
		av->decision = GUARD_DECISION_DENY;
		decide(&e, v, av);
		v->decision = guard_decision_stricter(v->decision, av->decision);
		v->break_glass_used = v->break_glass_used || av->break_glass;
	}
	if (v->decision == GUARD_DECISION_DENY)
		eval_no_approval_path(v);
	v->enforced_decision_differs = v->logged_only && v->decision != GUARD_DECISION_ALLOW;
	return 0;
}
