/* The words of a refusal: its reason and its safe path, for a rule or the
 * default, a limit, a freeze or a lockout; and who approves or
 * administers, as a person reads them. */
#include <string.h>

#include "evaluate_internal.h"
#include "match.h"
#include "text.h"

/* People as a person reads them: "alice or a member of %helpdesk",
 * "anyone but alice"; not verbose: "alice or %helpdesk". */
void eval_who_list(const struct guard_list *l, bool verbose, struct guard_text *out)
{
	size_t shown = 0, excluded = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct guard_item *it = &l->items[i];

		if (it->negated)
			continue;
		if (shown++ > 0)
			guard_text_add(out, " or ");
		if (it->kind == GUARD_ITEM_ANY) {
			guard_text_add(out, "anyone");
			continue;
		}
		if (verbose && it->kind == GUARD_ITEM_GROUP)
			guard_text_add(out, "a member of ");
		else if (verbose && it->kind == GUARD_ITEM_ID_RANGE)
			guard_text_add(out, "a user in ");
		guard_text_escaped(out, it->text);
	}
	if (shown == 0)
		guard_text_add(out, "anyone");
	for (size_t i = 0; i < l->n; i++) {
		if (!l->items[i].negated)
			continue;
		guard_text_add(out, excluded++ == 0 ? " but " : " or ");
		guard_text_escaped(out, l->items[i].text);
	}
}

/* Who approves for the rule: its own approvers, else the settings'. */
static void approvers_text(const struct eval *e, const struct guard_rule *rule,
			   struct guard_text *out)
{
	const struct guard_list *l = rule && rule->approvers.present && rule->approvers.n > 0
					 ? &rule->approvers
					 : &e->policy->settings.approvers;

	if (!l->present || l->n == 0) {
		guard_text_add(out, "root");
		return;
	}
	eval_who_list(l, false, out);
}

/* Who besides root administers Guard (thaws, unlocks): the settings'
 * admins, else its approvers. */
static void admins_text(const struct eval *e, struct guard_text *out)
{
	const struct guard_settings *st = &e->policy->settings;

	if (st->admins.present && st->admins.n > 0)
		eval_who_list(&st->admins, false, out);
	else
		approvers_text(e, NULL, out);
}

void eval_ask_approver(const struct eval *e, const struct guard_rule *rule, struct guard_text *out)
{
	guard_text_add(out, "ask an approver (");
	approvers_text(e, rule, out);
	guard_text_add(out, ")");
}

static void approve_path(const struct eval *e, const struct guard_rule *rule,
			 struct guard_text *out)
{
	const struct guard_request *r = e->request;

	if (r->argv && r->argc > 0 && r->service && strcmp(r->service, "guardctl") != 0) {
		/* A command through sudo: its request is filed with this refusal
		 * and bound to that command line, which guardctl cannot run. */
		guard_text_add(out, "the same command again once approved by ");
		approvers_text(e, rule, out);
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
	approvers_text(e, rule, out);
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
		approvers_text(e, rule, &reason);
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
	admins_text(e, &t);
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
	admins_text(e, &t);
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
