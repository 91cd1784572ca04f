/* What the decision (evaluate.c) shares with the limits it counts
 * (evaluate_limits.c), the near misses it searches (evaluate_near_miss.c)
 * and the words of its refusals (evaluate_refusal.c) and of the people
 * they name (evaluate_people.c). Internal to libguard; pure like the
 * decision. No file calls back into one that calls it. */
#ifndef GUARD_EVALUATE_INTERNAL_H
#define GUARD_EVALUATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evaluate.h"
#include "match.h"
#include "text.h"
#include "tz.h"

/* One evaluation: its inputs and what is worked out once for all actions. */
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

/* Counts the actor's uses of the rule in (now - period, now]. When the
 * count is at the limit or past it, *ret_next is when it drops below. */
uint32_t eval_limit_uses(const struct eval *e, const struct guard_rule *rule, int64_t *ret_next);

/* Does the rule have a limit the actor has reached? */
bool eval_limit_reached(const struct eval *e, const struct guard_rule *rule);

/* Fills av's near misses among rules [0, upto), best first. */
void eval_find_near_misses(struct eval *e, struct guard_action_verdict *av, size_t upto);

/* The safe path a near miss opens; a time near miss also sets
 * av->next_open. */
void eval_near_miss_path(struct eval *e, struct guard_action_verdict *av,
			 const struct guard_near_miss *nm, struct guard_text *out);

/* People as a person reads them: "alice or a member of %helpdesk",
 * "anyone but alice"; not verbose: "alice or %helpdesk". */
void eval_who_list(const struct guard_list *l, bool verbose, struct guard_text *out);

/* Who approves rule's requests (NULL: the settings' approvers), else
 * "root"; who besides root administers Guard (thaws, unlocks): the
 * settings' admins, else its approvers (evaluate_people.c). */
void eval_approvers_text(const struct eval *e, const struct guard_rule *rule,
			 struct guard_text *out);
void eval_admins_text(const struct eval *e, struct guard_text *out);

/* "ask an approver (...)", naming the rule's approvers, else the
 * settings'. */
void eval_ask_approver(const struct eval *e, const struct guard_rule *rule, struct guard_text *out);

/* Fills reason and safe path of a refusal decided by rule (at index) or,
 * rule NULL, by the default. */
void eval_refuse(struct eval *e, struct guard_action_verdict *av, const struct guard_rule *rule,
		 size_t index);

/* Refusals by the host state or a limit: condition, retry time, reason and
 * safe path. */
void eval_refuse_limit(struct eval *e, struct guard_action_verdict *av,
		       const struct guard_rule *rule, int64_t next);
void eval_refuse_frozen(struct eval *e, struct guard_action_verdict *av);
void eval_refuse_lockout(struct eval *e, struct guard_action_verdict *av);

/* When another action of the request is denied, an approval alone cannot
 * get it through: says so in the safe path of each action that asks one. */
void eval_no_approval_path(struct guard_verdict *v);

#endif
