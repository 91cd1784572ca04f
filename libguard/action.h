/* The actions Guard decides and the decisions it makes. The core speaks
 * enums; names exist only at the edges (policy text, messages, events). */
#ifndef GUARD_ACTION_H
#define GUARD_ACTION_H

#include <stdint.h>

enum guard_action {
	GUARD_USER_CREATE,
	GUARD_USER_DELETE,
	GUARD_USER_MODIFY,
	GUARD_USER_PASSWORD,
	GUARD_USER_LOCK,
	GUARD_USER_UNLOCK,
	GUARD_GROUP_CREATE,
	GUARD_GROUP_DELETE,
	GUARD_GROUP_MODIFY,
	GUARD_GROUP_MEMBER_ADD,
	GUARD_GROUP_MEMBER_REMOVE,
	GUARD_ROLE_ESCALATE,
	GUARD_SESSION_LOGIN,
	GUARD_ACTION_COUNT
};

typedef uint32_t guard_action_set; /* bit (1u << action) */

/* Ordered by strictness: the larger value wins. 0 is never a decision and
 * is treated as deny wherever it could appear. */
enum guard_decision {
	GUARD_DECISION_NONE = 0,
	GUARD_DECISION_ALLOW = 1,
	GUARD_DECISION_APPROVE = 2,
	GUARD_DECISION_DENY = 3,
};

/* "user.create" ... ; NULL for a value out of range. */
const char *guard_action_name(enum guard_action action);
/* Returns 0 and the action, or -EINVAL for an unknown name. */
int guard_action_parse(const char *name, enum guard_action *ret);

/* "allow", "approve", "deny"; "deny" for anything else (fail closed). */
const char *guard_decision_name(enum guard_decision decision);
int guard_decision_parse(const char *name, enum guard_decision *ret);

/* The stricter of two decisions; NONE counts as DENY. */
enum guard_decision guard_decision_stricter(enum guard_decision a, enum guard_decision b);

#endif
