/* Membership in the policy's approver, admin and break-glass lists. */
#include "approvers.h"

#include <string.h>

#include "match.h"

static bool in_list(const struct guard_policy *policy, const struct guard_list *list,
		    const struct guard_identity *who)
{
	static const struct guard_target none = {.action = GUARD_ACTION_COUNT};
	struct guard_request req;
	struct guard_match_ctx c;

	if (!list || !list->present || list->n == 0 || !who || !who->name || !who->uid_known)
		return false;
	req = (struct guard_request){.actor = *who, .service = "guardctl"};
	c = (struct guard_match_ctx){.policy = policy, .request = &req, .target = &none};
	return guard_match_list(&c, GUARD_COND_ACTORS, list) == GUARD_MATCH_YES;
}

static const struct guard_list *approvers_of(const struct guard_policy *policy, const char *name,
					     size_t len)
{
	for (size_t i = 0; i < policy->n_rules; i++) {
		const struct guard_rule *r = &policy->rules[i];

		if (strlen(r->name) == len && memcmp(r->name, name, len) == 0 &&
		    r->approvers.present && r->approvers.n > 0)
			return &r->approvers;
	}
	return &policy->settings.approvers;
}

bool guard_is_approver_for(const struct guard_policy *policy, const char *rules,
			   const struct guard_identity *who)
{
	const char *p = rules ? rules : "";

	if (!policy)
		return false;
	if (!*p)
		return in_list(policy, &policy->settings.approvers, who);
	while (*p) {
		size_t len = strcspn(p, "\n");

		if (!in_list(policy, approvers_of(policy, p, len), who))
			return false;
		p += len;
		if (*p == '\n')
			p++;
	}
	return true;
}

bool guard_is_any_approver(const struct guard_policy *policy, const struct guard_identity *who)
{
	if (!policy)
		return false;
	if (in_list(policy, &policy->settings.approvers, who))
		return true;
	for (size_t i = 0; i < policy->n_rules; i++)
		if (in_list(policy, &policy->rules[i].approvers, who))
			return true;
	return false;
}

bool guard_may_break_glass(const struct guard_policy *policy, const struct guard_identity *who)
{
	return policy && in_list(policy, &policy->settings.break_glass, who);
}

bool guard_is_admin(const struct guard_policy *policy, const struct guard_identity *who)
{
	if (!policy)
		return false;
	if (policy->settings.admins.present && policy->settings.admins.n > 0)
		return in_list(policy, &policy->settings.admins, who);
	return in_list(policy, &policy->settings.approvers, who);
}

bool guard_may_end_freeze(uint32_t caller_uid, const char *frozen_by, const char *root_name)
{
	if (caller_uid == 0)
		return true;
	if (!frozen_by || !root_name || !root_name[0])
		return false;
	return strcmp(frozen_by, root_name) != 0;
}
