/* The matchers of a rule against one action of a request: what the
 * decision rests on. The words that say why one matched or failed are
 * match_explain.c's. */
#include "match.h"

#include <string.h>

#include "address.h"
#include "match_internal.h"
#include "sudoers.h"
#include "timewin.h"

/* Matchers from the cheapest to the dearest: a rule usually fails early. */
static const enum guard_condition match_order[MATCH_FIELDS] = {
    GUARD_COND_SERVICES, GUARD_COND_ACTORS, GUARD_COND_TARGETS,
    GUARD_COND_GROUPS,	 GUARD_COND_FROM,   GUARD_COND_TIME,
};

const enum guard_condition guard_match_describe_order[MATCH_FIELDS] = {
    GUARD_COND_TARGETS, GUARD_COND_GROUPS, GUARD_COND_ACTORS,
    GUARD_COND_FROM,	GUARD_COND_TIME,   GUARD_COND_SERVICES,
};

const struct guard_list *guard_rule_matcher(const struct guard_rule *rule,
					    enum guard_condition field)
{
	switch (field) {
	case GUARD_COND_ACTORS:
		return &rule->actors;
	case GUARD_COND_TARGETS:
		return &rule->targets;
	case GUARD_COND_GROUPS:
		return &rule->groups;
	case GUARD_COND_TIME:
		return &rule->time;
	case GUARD_COND_FROM:
		return &rule->from;
	case GUARD_COND_SERVICES:
		return &rule->services;
	default:
		return NULL;
	}
}

static bool strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool target_user_known(const struct guard_target *t)
{
	return t->user.name || t->user.uid_known || t->protected_grant;
}

static bool listed_protected(const struct guard_list *p, const struct guard_identity *u)
{
	bool hit = false;

	for (size_t i = 0; i < p->n; i++) {
		const struct guard_item *it = &p->items[i];
		bool m = false;

		if (it->kind == GUARD_ITEM_NAME)
			m = u->name && it->name && strcmp(u->name, it->name) == 0;
		else if (it->kind == GUARD_ITEM_ID_RANGE)
			m = u->uid_known && it->lo <= u->uid && u->uid <= it->hi;
		if (m && it->negated)
			return false;
		hit = hit || m;
	}
	return hit;
}

enum protected_why guard_match_protected_why(const struct guard_match_ctx *c,
					     const char **ret_group)
{
	const struct guard_identity *u = &c->target->user;

	if (c->target->protected_grant)
		return PROTECTED_GRANT;
	if (listed_protected(&c->policy->protected_users, u))
		return PROTECTED_LISTED;
	if (u->uid_known && u->uid == 0)
		return PROTECTED_UID0;
	/* Even when protected_users says "!name": a role is a role. */
	if (guard_policy_role_user(c->policy, u->name, u->uid_known, u->uid))
		return PROTECTED_ROLE;
	/* The account runs what sudoers lets it, or will under that name. */
	if (guard_sudoers_user(c->policy, u->name, u->uid_known, u->uid))
		return PROTECTED_SUDOERS;
	/* Setting the password of a member of sudo is root: the edges fill
	 * groups with every group of an existing account, primary included. */
	for (size_t i = 0; u->exists && i < u->n_groups; i++)
		if (u->groups[i] &&
		    guard_policy_group_is_privileged(c->policy, u->groups[i], false, 0)) {
			if (ret_group)
				*ret_group = u->groups[i];
			return PROTECTED_MEMBER;
		}
	return PROTECTED_NO;
}

static bool target_is_protected(const struct guard_match_ctx *c)
{
	return guard_match_protected_why(c, NULL) != PROTECTED_NO;
}

/* Does the field have a value in this request at all? Without one, no
 * item matches, positive or negated. */
bool guard_match_field_has_value(const struct guard_match_ctx *c, enum guard_condition field)
{
	switch (field) {
	case GUARD_COND_ACTORS:
		return c->request->actor.name || c->request->actor.uid_known;
	case GUARD_COND_TARGETS:
		return target_user_known(c->target);
	case GUARD_COND_GROUPS:
		return c->target->group || c->target->gid_known;
	case GUARD_COND_TIME:
		return true; /* an unknown local time is UNKNOWN, not absent */
	case GUARD_COND_FROM:
		return c->request->location == GUARD_LOCATION_LOCAL ||
		       c->request->location == GUARD_LOCATION_REMOTE;
	case GUARD_COND_SERVICES:
		return c->request->service != NULL;
	default:
		return false;
	}
}

static enum guard_match yes_no(bool b)
{
	return b ? GUARD_MATCH_YES : GUARD_MATCH_NO;
}

static enum guard_match user_item(const struct guard_match_ctx *c, const struct guard_item *it,
				  const struct guard_identity *id, bool is_target)
{
	switch (it->kind) {
	case GUARD_ITEM_ANY:
		return GUARD_MATCH_YES;
	case GUARD_ITEM_NAME:
		return yes_no(id->name && it->name && strcmp(id->name, it->name) == 0);
	case GUARD_ITEM_GROUP:
		return yes_no(it->name && strv_has(id->groups, id->n_groups, it->name));
	case GUARD_ITEM_ID_RANGE:
		return yes_no(id->uid_known && it->lo <= id->uid && id->uid <= it->hi);
	case GUARD_ITEM_PROTECTED:
		return is_target ? yes_no(target_is_protected(c)) : GUARD_MATCH_UNKNOWN;
	default:
		return GUARD_MATCH_UNKNOWN;
	}
}

static enum guard_match group_item(const struct guard_match_ctx *c, const struct guard_item *it)
{
	const struct guard_target *t = c->target;

	switch (it->kind) {
	case GUARD_ITEM_ANY:
		return GUARD_MATCH_YES;
	case GUARD_ITEM_NAME:
		return yes_no(t->group && it->name && strcmp(t->group, it->name) == 0);
	case GUARD_ITEM_ID_RANGE:
		return yes_no(t->gid_known && it->lo <= t->gid && t->gid <= it->hi);
	case GUARD_ITEM_PRIVILEGED:
		return yes_no(
		    guard_policy_group_is_privileged(c->policy, t->group, t->gid_known, t->gid));
	default:
		return GUARD_MATCH_UNKNOWN;
	}
}

static enum guard_match from_item(const struct guard_match_ctx *c, const struct guard_item *it)
{
	const struct guard_request *r = c->request;

	switch (it->kind) {
	case GUARD_ITEM_ANY:
		return GUARD_MATCH_YES;
	case GUARD_ITEM_LOCAL:
		return yes_no(r->location == GUARD_LOCATION_LOCAL);
	case GUARD_ITEM_REMOTE:
		return yes_no(r->location == GUARD_LOCATION_REMOTE);
	case GUARD_ITEM_CIDR:
		return yes_no(r->location == GUARD_LOCATION_REMOTE && r->addr_known &&
			      guard_cidr_contains(&it->cidr, &r->addr));
	case GUARD_ITEM_TTY:
		return yes_no(r->tty && it->name && guard_tty_match(it->name, r->tty));
	default:
		return GUARD_MATCH_UNKNOWN;
	}
}

enum guard_match guard_match_item(const struct guard_match_ctx *c, enum guard_condition field,
				  const struct guard_item *it)
{
	switch (field) {
	case GUARD_COND_ACTORS:
		return user_item(c, it, &c->request->actor, false);
	case GUARD_COND_TARGETS:
		return user_item(c, it, &c->target->user, true);
	case GUARD_COND_GROUPS:
		return group_item(c, it);
	case GUARD_COND_TIME:
		if (it->kind == GUARD_ITEM_ANY)
			return GUARD_MATCH_YES;
		if (it->kind != GUARD_ITEM_WINDOW || !c->local)
			return GUARD_MATCH_UNKNOWN;
		return yes_no(guard_window_contains(&it->window, c->local));
	case GUARD_COND_FROM:
		return from_item(c, it);
	case GUARD_COND_SERVICES:
		if (it->kind == GUARD_ITEM_ANY)
			return GUARD_MATCH_YES;
		if (it->kind != GUARD_ITEM_SERVICE || !it->name)
			return GUARD_MATCH_UNKNOWN;
		return yes_no(strcmp(c->request->service, it->name) == 0);
	default:
		return GUARD_MATCH_UNKNOWN;
	}
}

enum guard_match guard_match_list(const struct guard_match_ctx *c, enum guard_condition field,
				  const struct guard_list *list)
{
	bool has_value, positive = false, hit = false;

	if (!list || !list->present)
		return GUARD_MATCH_YES;
	has_value = guard_match_field_has_value(c, field);
	for (size_t i = 0; i < list->n; i++) {
		const struct guard_item *it = &list->items[i];
		enum guard_match m;

		if (!it->negated)
			positive = true;
		if (!has_value)
			continue;
		m = guard_match_item(c, field, it);
		if (m == GUARD_MATCH_UNKNOWN)
			return GUARD_MATCH_UNKNOWN;
		if (m == GUARD_MATCH_YES) {
			if (it->negated)
				return GUARD_MATCH_NO;
			hit = true;
		}
	}
	return yes_no(!positive || hit);
}

enum guard_match guard_match_rule(const struct guard_match_ctx *c, const struct guard_rule *rule,
				  enum guard_condition *ret_failed)
{
	unsigned a = (unsigned)c->target->action;

	if (a >= GUARD_ACTION_COUNT || !(rule->actions & (1u << a))) {
		if (ret_failed)
			*ret_failed = GUARD_COND_ACTION;
		return GUARD_MATCH_NO;
	}
	for (size_t i = 0; i < MATCH_FIELDS; i++) {
		enum guard_match m =
		    guard_match_list(c, match_order[i], guard_rule_matcher(rule, match_order[i]));

		if (m != GUARD_MATCH_YES) {
			if (ret_failed)
				*ret_failed = match_order[i];
			return m;
		}
	}
	return GUARD_MATCH_YES;
}

unsigned guard_match_failures(const struct guard_match_ctx *c, const struct guard_rule *rule,
			      enum guard_condition *ret_first)
{
	unsigned n = 0;

	*ret_first = GUARD_COND_NONE;
	for (size_t i = 0; i < MATCH_FIELDS && n < 2; i++) {
		enum guard_condition f = guard_match_describe_order[i];

		if (guard_match_list(c, f, guard_rule_matcher(rule, f)) == GUARD_MATCH_YES)
			continue;
		if (n++ == 0)
			*ret_first = f;
	}
	return n;
}
