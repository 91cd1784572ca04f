/* The decision: a pure function of (policy, request, history, host state,
 * now). Each action of the request goes through the host state (freeze,
 * lockout), then the rules in order (the first that applies decides, a
 * limit may turn it into a deny), then the default; break-glass lets
 * everything but a deny rule through. Refusals get their guidance here,
 * allowed actions do no work beyond the match. */
#include "evaluate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "match.h"
#include "timewin.h"

/* Time windows handed to guard_window_next_open for one near miss. */
#define MAX_WINDOWS 32

struct eval {
	const struct guard_policy *policy;
	const struct guard_request *request;
	const struct guard_history *history;
	const struct guard_host_state *state;
	int64_t now;
	struct guard_localtime local;
	bool break_glass; /* the actor holds an active break-glass */
	struct guard_match_ctx m;
};

static const char *const condition_names[GUARD_COND_COUNT] = {
    [GUARD_COND_NONE] = "none",	      [GUARD_COND_ACTION] = "action",
    [GUARD_COND_ACTORS] = "actors",   [GUARD_COND_TARGETS] = "targets",
    [GUARD_COND_GROUPS] = "groups",   [GUARD_COND_TIME] = "time",
    [GUARD_COND_FROM] = "from",	      [GUARD_COND_SERVICES] = "services",
    [GUARD_COND_LIMIT] = "limit",     [GUARD_COND_FROZEN] = "frozen",
    [GUARD_COND_LOCKOUT] = "lockout", [GUARD_COND_DEFAULT] = "default",
};

const char *guard_condition_name(enum guard_condition c)
{
	if ((unsigned)c >= GUARD_COND_COUNT)
		return "unknown";
	return condition_names[c];
}

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

static void who_list(const struct guard_list *l, bool verbose, struct guard_text *out);

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
	who_list(l, false, out);
}

/* Who besides root administers Guard (thaws, unlocks): the settings'
 * admins, else its approvers. */
static void admins_text(const struct eval *e, struct guard_text *out)
{
	const struct guard_settings *st = &e->policy->settings;

	if (st->admins.present && st->admins.n > 0)
		who_list(&st->admins, false, out);
	else
		approvers_text(e, NULL, out);
}

static void ask_approver(const struct eval *e, const struct guard_rule *rule,
			 struct guard_text *out)
{
	guard_text_add(out, "ask an approver (");
	approvers_text(e, rule, out);
	guard_text_add(out, ")");
}

static void set_reason_time(struct eval *e, struct guard_action_verdict *av, const char *what,
			    int64_t until, bool round_up)
{
	struct guard_text t;

	guard_text_init(&t, av->reason, sizeof(av->reason));
	guard_text_add(&t, "%s", what);
	guard_text_time(&t, e->policy->tz, e->now, until, round_up, false);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Counts the actor's uses of the rule in (now - period, now]. When the
 * count is at the limit or past it, *ret_next is when it drops below. */
static uint32_t limit_uses(const struct eval *e, const struct guard_rule *rule, int64_t *ret_next)
{
	const struct guard_history *h = e->history;
	int64_t from = e->now - rule->limit.period_s, oldest = INT64_MAX;
	uint64_t n = 0, k;
	int64_t *whens;

	for (size_t i = 0; h && i < h->n_uses; i++) {
		const struct guard_history_use *u = &h->uses[i];

		if (u->when > from && u->when <= e->now && u->rule &&
		    strcmp(u->rule, rule->name) == 0) {
			n++;
			if (u->when < oldest)
				oldest = u->when;
		}
	}
	*ret_next = 0;
	if (n < rule->limit.count)
		return (uint32_t)n;
	/* Past the limit (uses under break-glass), the k-th oldest frees the
	 * first slot; at it, the oldest. */
	*ret_next = oldest + rule->limit.period_s;
	k = n - rule->limit.count;
	if (k > 0 && (whens = calloc(n, sizeof(*whens)))) {
		size_t j = 0;

		for (size_t i = 0; i < h->n_uses && j < n; i++) {
			const struct guard_history_use *u = &h->uses[i];

			if (u->when > from && u->when <= e->now && u->rule &&
			    strcmp(u->rule, rule->name) == 0)
				whens[j++] = u->when;
		}
		qsort(whens, j, sizeof(*whens), cmp_i64);
		*ret_next = whens[k < j ? k : j - 1] + rule->limit.period_s;
		free(whens);
	}
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static bool limit_reached(const struct eval *e, const struct guard_rule *rule)
{
	int64_t next;

	return rule->has_limit && limit_uses(e, rule, &next) >= rule->limit.count;
}

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

/* People as a person reads them: "alice or a member of %helpdesk",
 * "anyone but alice"; not verbose: "alice or %helpdesk". */
static void who_list(const struct guard_list *l, bool verbose, struct guard_text *out)
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

/* Who could do it instead. */
static void path_actors(const struct guard_rule *rule, struct guard_text *out)
{
	guard_text_add(out, "ask ");
	who_list(&rule->actors, true, out);
}

/* The safe path a near miss opens. */
static void path_near_miss(struct eval *e, struct guard_action_verdict *av,
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
		ask_approver(e, NULL, out);
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
		if (guard_match_failures(&e->m, r, &failed) != 1 || limit_reached(e, r))
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
static void find_near_misses(struct eval *e, struct guard_action_verdict *av, size_t upto)
{
	if (!e->policy->rules) /* no rules at all (the analyzer cannot tell from n_rules) */
		return;
	for (unsigned rank = 0; rank <= 1; rank++)
		add_near_misses(e, av, upto, rank);
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
static void refuse(struct eval *e, struct guard_action_verdict *av, const struct guard_rule *rule,
		   size_t index)
{
	struct guard_text reason, path;

	guard_text_init(&reason, av->reason, sizeof(av->reason));
	guard_text_init(&path, av->safe_path, sizeof(av->safe_path));
	find_near_misses(e, av, rule ? index : e->policy->n_rules);
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
		path_near_miss(e, av, &av->near_misses[0], &path);
	else if (!rule || !rule->message)
		ask_approver(e, NULL, &path);
	/* else: a deny rule's message is its own advice. */
}

static void refuse_limit(struct eval *e, struct guard_action_verdict *av,
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

static void refuse_frozen(struct eval *e, struct guard_action_verdict *av)
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

static void refuse_lockout(struct eval *e, struct guard_action_verdict *av)
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
				refuse_frozen(e, av);
			else
				refuse_lockout(e, av);
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
		over = limit_uses(e, rule, &next) >= rule->limit.count;
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
		refuse_limit(e, av, rule, next);
		return;
	}
	av->decision = d;
	if (d != GUARD_DECISION_ALLOW)
		refuse(e, av, rule, i);
}

static bool actor_holds_break_glass(struct eval *e)
{
	const struct guard_host_state *s = e->state;
	const struct guard_list *who = &e->policy->settings.break_glass;

	/* The state says it is active; the policy must still name the actor. */
	return s && s->break_glass && s->break_glass_until > e->now && who->present && who->n > 0 &&
	       guard_match_list(&e->m, GUARD_COND_ACTORS, who) == GUARD_MATCH_YES;
}

/* When another action of the request is denied, an approval alone cannot
 * get it through: say so instead of sending the caller to request one. */
static void no_approval_path(struct guard_verdict *v)
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
		no_approval_path(v);
	v->enforced_decision_differs = v->logged_only && v->decision != GUARD_DECISION_ALLOW;
	return 0;
}
