/* Near misses: the rules that would have given a better decision but for
 * exactly one matcher, and the way forward each opens ("allowed from Mon
 * 08:00 by rule ...", "ask alice"). */
#include "evaluate_internal.h"
#include "match.h"
#include "text.h"
#include "timewin.h"

/* Time windows handed to guard_window_next_open for one near miss. */
#define MAX_WINDOWS 32

/* A near miss on time: when the rule's windows open next. */
static void path_time(struct eval *e, struct guard_action_verdict *av,
		      const struct guard_rule *rule, const char *verb, struct guard_text *out)
{
	struct guard_window w[MAX_WINDOWS];
	unsigned n = 0;
	int64_t next;

	for (size_t i = 0; i < rule->time.n && n < MAX_WINDOWS; i++)
		if (!rule->time.items[i].negated && rule->time.items[i].kind == GUARD_ITEM_WINDOW)
			w[n++] = rule->time.items[i].window;
	if (n > 0 && e->policy->tz &&
	    guard_window_next_open(w, n, e->policy->tz, e->now, &next) == 0) {
		av->next_open = next;
		guard_text_add(out, "%s from ", verb);
		guard_text_time(out, e->policy->tz, e->now, next, true, true);
	} else {
		guard_text_add(out, "%s at ", verb);
		guard_match_items(&rule->time, false, ", ", " or ", out);
	}
}

/* Who could do it instead. */
static void path_actors(const struct guard_rule *rule, struct guard_text *out)
{
	guard_text_add(out, "ask ");
	eval_who_list(&rule->actors, true, out);
}

/* The safe path a near miss opens. */
void eval_near_miss_path(struct eval *e, struct guard_action_verdict *av,
			 const struct guard_near_miss *nm, struct guard_text *out)
{
	const struct guard_rule *r = nm->rule;
	const char *verb = r->decision == GUARD_DECISION_APPROVE ? "approvable" : "allowed";
	const struct guard_list *l;

	switch (nm->condition) {
	case GUARD_COND_TIME:
		path_time(e, av, r, verb, out);
		break;
	case GUARD_COND_FROM:
		guard_text_add(out, "%s from ", verb);
		if (guard_match_items_count(&r->from, true) == 0)
			guard_text_add(out, "elsewhere");
		for (size_t i = 0, shown = 0; i < r->from.n; i++) {
			if (r->from.items[i].negated)
				continue;
			if (shown++ > 0)
				guard_text_add(out, " or ");
			guard_match_from_phrase(&r->from.items[i], out);
		}
		break;
	case GUARD_COND_ACTORS:
		path_actors(r, out);
		return;
	default:
		eval_ask_approver(e, NULL, out);
		l = guard_rule_matcher(r, nm->condition);
		if (l && guard_match_items_count(l, true) > 0) {
			guard_text_add(out, "; rule \"");
			guard_text_escaped(out, r->name);
			guard_text_add(out, "\" allows only %s ",
				       guard_condition_name(nm->condition));
			guard_match_items(l, true, ", ", " or ", out);
		}
		return;
	}
	guard_text_add(out, " by rule \"");
	guard_text_escaped(out, r->name);
	guard_text_add(out, "\"");
}

static bool list_has_positive_kind(const struct guard_list *l, enum guard_item_kind kind)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->items[i].negated && l->items[i].kind == kind)
			return true;
	return false;
}

/* How good a way forward a near miss is, best first: the rule is the
 * caller's (its actors match) and one other condition stands in the way
 * (0); the rule is someone else's, whom the caller can ask (1). */
static unsigned near_miss_rank(enum guard_condition failed)
{
	return failed == GUARD_COND_ACTORS ? 1 : 0;
}

/* Adds the near misses of one rank among rules [0, upto). */
static void add_near_misses(struct eval *e, struct guard_action_verdict *av, size_t upto,
			    unsigned rank)
{
	const struct guard_policy *p = e->policy;
	unsigned a = (unsigned)av->target->action;

	for (size_t i = 0; i < upto && av->n_near_misses < GUARD_MAX_NEAR_MISSES; i++) {
		const struct guard_rule *r = &p->rules[i];
		struct guard_near_miss *nm = &av->near_misses[av->n_near_misses];
		enum guard_condition failed;
		struct guard_text t;

		if (!(r->actions & (1u << a)) || !(r->decision == GUARD_DECISION_ALLOW ||
						   (r->decision == GUARD_DECISION_APPROVE &&
						    av->decision == GUARD_DECISION_DENY)))
			continue;
		if (guard_match_failures(&e->m, r, &failed) != 1 || eval_limit_reached(e, r))
			continue;
		if (near_miss_rank(failed) != rank)
			continue;
		/* A rule for privileged groups or protected targets is no way
		 * forward for a request that is neither. */
		if ((failed == GUARD_COND_GROUPS &&
		     list_has_positive_kind(&r->groups, GUARD_ITEM_PRIVILEGED)) ||
		    (failed == GUARD_COND_TARGETS &&
		     list_has_positive_kind(&r->targets, GUARD_ITEM_PROTECTED)))
			continue;
		nm->rule = r;
		nm->condition = failed;
		guard_text_init(&t, nm->why, sizeof(nm->why));
		guard_match_why_failed(&e->m, r, failed, &t);
		av->n_near_misses++;
	}
}

/* Rules before the one that decided (all of them for the default) that
 * would have given a better decision but for exactly one matcher: those
 * whose actors match first (near_miss_rank), then in policy order. A rule
 * written for the caller, stopped by the time, the place or what was
 * asked, says more than a rule for someone else. */
void eval_find_near_misses(struct eval *e, struct guard_action_verdict *av, size_t upto)
{
	if (!e->policy->rules) /* no rules at all (the analyzer cannot tell from n_rules) */
		return;
	for (unsigned rank = 0; rank <= 1; rank++)
		add_near_misses(e, av, upto, rank);
}
