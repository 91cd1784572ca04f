/* The matchers of a rule against one action of a request, and the words
 * that say why one matched or failed. Internal to libguard: the evaluation
 * and the guidance use it. Pure, no allocation. */
#ifndef GUARD_MATCH_H
#define GUARD_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "evaluate.h"
#include "text.h"
#include "policy.h"
#include "request.h"
#include "tz.h"

/* What one evaluation matches against: computed once, shared by all rules. */
struct guard_match_ctx {
	const struct guard_policy *policy;
	const struct guard_request *request;
	const struct guard_target *target;
	const struct guard_localtime *local; /* the local time of now; NULL: unknown */
};

/* A match can be unknowable (no local time, an item kind the field does not
 * take): the caller then refuses, whichever way the item points. */
enum guard_match {
	GUARD_MATCH_UNKNOWN = -1,
	GUARD_MATCH_NO = 0,
	GUARD_MATCH_YES = 1,
};

/* The rule's matcher for ACTORS ... SERVICES; NULL for any other condition. */
const struct guard_list *guard_rule_matcher(const struct guard_rule *rule,
					    enum guard_condition field);

/* Does the list (of the given field) match? A list not present matches. */
enum guard_match guard_match_list(const struct guard_match_ctx *c, enum guard_condition field,
				  const struct guard_list *list);

/* Does the rule apply (action and every matcher)? On NO or UNKNOWN,
 * *ret_failed (when not NULL) names the first matcher that did not match. */
enum guard_match guard_match_rule(const struct guard_match_ctx *c, const struct guard_rule *rule,
				  enum guard_condition *ret_failed);

/* How many of the rule's matchers fail, counting at most 2 (the action is
 * not counted: the caller checks it). An unknowable matcher counts as failed.
 * *ret_first names the first failure. */
unsigned guard_match_failures(const struct guard_match_ctx *c, const struct guard_rule *rule,
			      enum guard_condition *ret_first);

/* Appends why the rule's matcher for field failed, with the actual value:
 * "actor dave is not in %helpdesk", "it is Sat 10:02 Europe/Berlin",
 * "from 192.0.2.7", "group sudo is @privileged". */
void guard_match_why_failed(const struct guard_match_ctx *c, const struct guard_rule *rule,
			    enum guard_condition field, struct guard_text *out);

/* Appends why a rule that applies applied, naming the first matcher that
 * matched through a positive item ("target root (uid 0) is @protected");
 * returns that matcher, or GUARD_COND_ACTION when only the action did. */
enum guard_condition guard_match_why_applied(const struct guard_match_ctx *c,
					     const struct guard_rule *rule, struct guard_text *out);

/* Appends the actual value of a field: "actor dave", "from 192.0.2.7",
 * "it is Sat 10:02 Europe/Berlin", "group sudo (gid 27)". */
void guard_match_value(const struct guard_match_ctx *c, enum guard_condition field,
		       struct guard_text *out);

/* Appends the list's items as written, "!" kept, joined with sep and the
 * last with last_sep ("local or 10.20.0.0/16"); positive_only skips the
 * negated ones. */
void guard_match_items(const struct guard_list *list, bool positive_only, const char *sep,
		       const char *last_sep, struct guard_text *out);

/* How many items the list has (only the positive ones when asked). */
size_t guard_match_items_count(const struct guard_list *list, bool positive_only);

/* A `from` item as a place: "the local host", "10.20.0.0/16". */
void guard_match_from_phrase(const struct guard_item *it, struct guard_text *out);

#endif
