/* What matching (match.c) and the words about it (match_explain.c) share:
 * the words must judge an item exactly as the decision did, so they ask
 * the same functions. Internal to libguard. */
#ifndef GUARD_MATCH_INTERNAL_H
#define GUARD_MATCH_INTERNAL_H

#include <stdbool.h>

#include "match.h"

#define MATCH_FIELDS 6

/* The order reasons name the matchers in: what was acted on first, then
 * who, where and when. */
extern const enum guard_condition guard_match_describe_order[MATCH_FIELDS];

/* Why the target is @protected (docs/design.md, "The privilege model"). */
enum protected_why {
	PROTECTED_NO,
	PROTECTED_GRANT,   /* the request makes it protected (-r, -u 500) */
	PROTECTED_ROLE,	   /* a role list names it (guard_policy.role_users) */
	PROTECTED_LISTED,  /* protected_users names it */
	PROTECTED_UID0,	   /* uid 0, under any name */
	PROTECTED_SUDOERS, /* sudoers grants it by name or uid */
	PROTECTED_MEMBER,  /* an existing member of a @privileged group */
};

/* *ret_group (when not NULL) is the @privileged group of a MEMBER. */
enum protected_why guard_match_protected_why(const struct guard_match_ctx *c,
					     const char **ret_group);

/* Does the field have a value in this request at all? Without one, no
 * item matches, positive or negated. */
bool guard_match_field_has_value(const struct guard_match_ctx *c, enum guard_condition field);

/* Does one item of the field's list match, read as if it were not negated? */
enum guard_match guard_match_item(const struct guard_match_ctx *c, enum guard_condition field,
				  const struct guard_item *it);

#endif
