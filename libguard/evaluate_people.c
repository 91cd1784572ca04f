/* Who approves or administers, and which condition a rule failed, as a
 * person reads them: the words refusals (evaluate_refusal.c) and near
 * misses (evaluate_near_miss.c) share. */
#include <string.h>

#include "evaluate_internal.h"
#include "match.h"
#include "text.h"

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
void eval_approvers_text(const struct eval *e, const struct guard_rule *rule,
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
void eval_admins_text(const struct eval *e, struct guard_text *out)
{
	const struct guard_settings *st = &e->policy->settings;

	if (st->admins.present && st->admins.n > 0)
		eval_who_list(&st->admins, false, out);
	else
		eval_approvers_text(e, NULL, out);
}

void eval_ask_approver(const struct eval *e, const struct guard_rule *rule, struct guard_text *out)
{
	guard_text_add(out, "ask an approver (");
	eval_approvers_text(e, rule, out);
	guard_text_add(out, ")");
}
