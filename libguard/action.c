#include "action.h"

#include <errno.h>
#include <string.h>

static const char *const action_names[GUARD_ACTION_COUNT] = {
    [GUARD_USER_CREATE] = "user.create",
    [GUARD_USER_DELETE] = "user.delete",
    [GUARD_USER_MODIFY] = "user.modify",
    [GUARD_USER_PASSWORD] = "user.password",
    [GUARD_USER_LOCK] = "user.lock",
    [GUARD_USER_UNLOCK] = "user.unlock",
    [GUARD_GROUP_CREATE] = "group.create",
    [GUARD_GROUP_DELETE] = "group.delete",
    [GUARD_GROUP_MODIFY] = "group.modify",
    [GUARD_GROUP_MEMBER_ADD] = "group.member.add",
    [GUARD_GROUP_MEMBER_REMOVE] = "group.member.remove",
    [GUARD_ROLE_ESCALATE] = "role.escalate",
    [GUARD_SESSION_LOGIN] = "session.login",
};

const char *guard_action_name(enum guard_action action)
{
	if ((unsigned)action >= GUARD_ACTION_COUNT)
		return NULL;
	return action_names[action];
}

int guard_action_parse(const char *name, enum guard_action *ret)
{
	for (unsigned i = 0; i < GUARD_ACTION_COUNT; i++)
		if (strcmp(name, action_names[i]) == 0) {
			*ret = (enum guard_action)i;
			return 0;
		}
	return -EINVAL;
}

const char *guard_decision_name(enum guard_decision decision)
{
	switch (decision) {
	case GUARD_DECISION_ALLOW:
		return "allow";
	case GUARD_DECISION_APPROVE:
		return "approve";
	case GUARD_DECISION_NONE:
	case GUARD_DECISION_DENY:
	default:
		return "deny";
	}
}

int guard_decision_parse(const char *name, enum guard_decision *ret)
{
	if (strcmp(name, "allow") == 0)
		*ret = GUARD_DECISION_ALLOW;
	else if (strcmp(name, "approve") == 0)
		*ret = GUARD_DECISION_APPROVE;
	else if (strcmp(name, "deny") == 0)
		*ret = GUARD_DECISION_DENY;
	else
		return -EINVAL;
	return 0;
}

enum guard_decision guard_decision_stricter(enum guard_decision a, enum guard_decision b)
{
	if (a == GUARD_DECISION_NONE || b == GUARD_DECISION_NONE)
		return GUARD_DECISION_DENY;
	return a > b ? a : b;
}
