/* The matchers of a rule against one action of a request, and the words
 * that say why one matched or failed. */
#include "match.h"

#include <string.h>

#include "address.h"
#include "timewin.h"

static const char *const day_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

/* Matchers from the cheapest to the dearest: a rule usually fails early. */
static const enum guard_condition match_order[] = {
    GUARD_COND_SERVICES, GUARD_COND_ACTORS, GUARD_COND_TARGETS,
    GUARD_COND_GROUPS,	 GUARD_COND_FROM,   GUARD_COND_TIME,
};

/* The order reasons name them in: what was acted on first, then who, where
 * and when. */
static const enum guard_condition describe_order[] = {
    GUARD_COND_TARGETS, GUARD_COND_GROUPS, GUARD_COND_ACTORS,
    GUARD_COND_FROM,	GUARD_COND_TIME,   GUARD_COND_SERVICES,
};

#define N_MATCHERS (sizeof(match_order) / sizeof(match_order[0]))

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

/* Why the target is @protected (docs/design.md, "The privilege model"). */
enum protected_why {
	PROTECTED_NO,
	PROTECTED_GRANT,  /* the request makes it protected (-r, -u 500) */
	PROTECTED_LISTED, /* protected_users names it */
	PROTECTED_UID0,	  /* uid 0, under any name */
	PROTECTED_MEMBER, /* an existing member of a @privileged group */
};

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

/* *ret_group (when not NULL) is the @privileged group of a MEMBER. */
static enum protected_why protected_why(const struct guard_match_ctx *c, const char **ret_group)
{
	const struct guard_identity *u = &c->target->user;

	if (c->target->protected_grant)
		return PROTECTED_GRANT;
	if (listed_protected(&c->policy->protected_users, u))
		return PROTECTED_LISTED;
	if (u->uid_known && u->uid == 0)
		return PROTECTED_UID0;
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
	return protected_why(c, NULL) != PROTECTED_NO;
}

/* Appends why a target that is not listed is @protected: " (bob is in
 * %admins, a Guard role: ...)", " (bob is in sudo, a privileged group)",
 * " (toor has uid 0)". A listed one needs no words: the policy says it. */
static void protected_reason(const struct guard_match_ctx *c, struct guard_text *out)
{
	const struct guard_identity *u = &c->target->user;
	const struct guard_role_group *role = NULL;
	const char *group = NULL;
	enum protected_why why = protected_why(c, &group);

	if (why != PROTECTED_UID0 && why != PROTECTED_MEMBER)
		return;
	guard_text_add(out, " (");
	guard_text_escaped(out, u->name ? u->name : "the account");
	if (why == PROTECTED_UID0) {
		guard_text_add(out, " has uid 0)");
		return;
	}
	guard_text_add(out, " is in ");
	switch (guard_policy_group_privilege(c->policy, group, false, 0, &role)) {
	case GUARD_PRIVILEGE_ROLE:
		guard_text_add(out, "%%");
		guard_text_escaped(out, group);
		guard_text_add(out, ", a Guard role: ");
		guard_text_escaped(out, role ? role->role : "");
		break;
	case GUARD_PRIVILEGE_UTMP:
		guard_text_escaped(out, group);
		guard_text_add(out, ", which can write the utmp file");
		break;
	default:
		guard_text_escaped(out, group);
		guard_text_add(out, ", a privileged group");
		break;
	}
	guard_text_add(out, ")");
}

/* Does the field have a value in this request at all? Without one, no
 * item matches, positive or negated. */
static bool field_has_value(const struct guard_match_ctx *c, enum guard_condition field)
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

static enum guard_match item_match(const struct guard_match_ctx *c, enum guard_condition field,
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
	has_value = field_has_value(c, field);
	for (size_t i = 0; i < list->n; i++) {
		const struct guard_item *it = &list->items[i];
		enum guard_match m;

		if (!it->negated)
			positive = true;
		if (!has_value)
			continue;
		m = item_match(c, field, it);
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
	for (size_t i = 0; i < N_MATCHERS; i++) {
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
	for (size_t i = 0; i < N_MATCHERS && n < 2; i++) {
		enum guard_condition f = describe_order[i];

		if (guard_match_list(c, f, guard_rule_matcher(rule, f)) == GUARD_MATCH_YES)
			continue;
		if (n++ == 0)
			*ret_first = f;
	}
	return n;
}

static bool list_has_kind(const struct guard_list *l, enum guard_item_kind kind)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->items[i].kind == kind)
			return true;
	return false;
}

static bool list_has_negated(const struct guard_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].negated)
			return true;
	return false;
}

static void identity_value(const char *role, const struct guard_identity *id, bool with_uid,
			   struct guard_text *out)
{
	if (id->name) {
		guard_text_add(out, "%s ", role);
		guard_text_escaped(out, id->name);
		if (with_uid && id->uid_known)
			guard_text_add(out, " (uid %u)", (unsigned)id->uid);
	} else if (id->uid_known) {
		guard_text_add(out, "%s uid %u", role, (unsigned)id->uid);
	} else {
		guard_text_add(out, "an unknown %s", role);
	}
}

static void value(const struct guard_match_ctx *c, enum guard_condition field,
		  const struct guard_list *list, struct guard_text *out)
{
	const struct guard_request *r = c->request;
	const struct guard_target *t = c->target;
	char addr[64];

	switch (field) {
	case GUARD_COND_ACTORS:
		identity_value("actor", &r->actor, list_has_kind(list, GUARD_ITEM_ID_RANGE), out);
		return;
	case GUARD_COND_TARGETS:
		if (!t->user.name && !t->user.uid_known)
			guard_text_add(out, t->protected_grant ? "a new protected target"
							       : "no target user");
		else
			identity_value("target", &t->user, true, out);
		return;
	case GUARD_COND_GROUPS:
		if (t->group) {
			guard_text_add(out, "group ");
			guard_text_escaped(out, t->group);
			if (t->gid_known && list_has_kind(list, GUARD_ITEM_ID_RANGE))
				guard_text_add(out, " (gid %u)", (unsigned)t->gid);
		} else if (t->gid_known) {
			guard_text_add(out, "group gid %u", (unsigned)t->gid);
		} else {
			guard_text_add(out, "no target group");
		}
		return;
	case GUARD_COND_TIME:
		if (!c->local || (unsigned)c->local->wday > 6) {
			guard_text_add(out, "the local time is unknown");
			return;
		}
		guard_text_add(out, "it is %s %02d:%02d ", day_names[c->local->wday],
			       c->local->hour, c->local->min);
		guard_text_escaped(out, guard_tz_name(c->policy->tz));
		return;
	case GUARD_COND_FROM:
		if (r->location == GUARD_LOCATION_LOCAL) {
			guard_text_add(out, "from the local host");
		} else if (r->location == GUARD_LOCATION_REMOTE && r->addr_known) {
			guard_addr_format(&r->addr, addr, sizeof(addr));
			guard_text_add(out, "from %s", addr);
		} else if (r->location == GUARD_LOCATION_REMOTE && r->rhost) {
			guard_text_add(out, "from host ");
			guard_text_escaped(out, r->rhost);
		} else if (r->location == GUARD_LOCATION_REMOTE) {
			guard_text_add(out, "from a remote host");
		} else {
			guard_text_add(out, "from an unknown location");
		}
		if (list_has_kind(list, GUARD_ITEM_TTY)) {
			if (r->tty) {
				guard_text_add(out, " on ");
				guard_text_escaped(out, r->tty);
			} else {
				guard_text_add(out, " without a terminal");
			}
		}
		return;
	case GUARD_COND_SERVICES:
		if (r->service) {
			guard_text_add(out, "service ");
			guard_text_escaped(out, r->service);
		} else {
			guard_text_add(out, "no service");
		}
		return;
	default:
		guard_text_add(out, "an unknown condition");
		return;
	}
}

void guard_match_value(const struct guard_match_ctx *c, enum guard_condition field,
		       struct guard_text *out)
{
	value(c, field, NULL, out);
}

/* How an item reads after "is" / "is not": "in %helpdesk", "@protected". */
static void item_phrase(const struct guard_item *it, struct guard_text *out)
{
	switch (it->kind) {
	case GUARD_ITEM_GROUP:
	case GUARD_ITEM_ID_RANGE:
		guard_text_add(out, "in ");
		break;
	default:
		break;
	}
	guard_text_escaped(out, it->text);
}

/* item_phrase, and for @protected why the target is. */
static void item_phrase_why(const struct guard_match_ctx *c, enum guard_condition field,
			    const struct guard_item *it, struct guard_text *out)
{
	const struct guard_target *t = c->target;
	const struct guard_role_group *role = NULL;

	item_phrase(it, out);
	if (field == GUARD_COND_TARGETS && it->kind == GUARD_ITEM_PROTECTED)
		protected_reason(c, out);
	if (field != GUARD_COND_GROUPS || it->kind != GUARD_ITEM_PRIVILEGED)
		return;
	/* A listed group needs no words; a computed one does. */
	switch (guard_policy_group_privilege(c->policy, t->group, t->gid_known, t->gid, &role)) {
	case GUARD_PRIVILEGE_ROLE:
		guard_text_add(out, " (a Guard role: ");
		guard_text_escaped(out, role->role);
		guard_text_add(out, ")");
		break;
	case GUARD_PRIVILEGE_UTMP:
		guard_text_add(out, " (it can write the utmp file)");
		break;
	default:
		break;
	}
}

void guard_match_from_phrase(const struct guard_item *it, struct guard_text *out)
{
	switch (it->kind) {
	case GUARD_ITEM_LOCAL:
		guard_text_add(out, "the local host");
		break;
	case GUARD_ITEM_REMOTE:
		guard_text_add(out, "a remote host");
		break;
	case GUARD_ITEM_TTY:
		guard_text_add(out, "terminal ");
		guard_text_escaped(out, it->name);
		break;
	case GUARD_ITEM_ANY:
		guard_text_add(out, "anywhere");
		break;
	default:
		guard_text_escaped(out, it->text);
		break;
	}
}

size_t guard_match_items_count(const struct guard_list *list, bool positive_only)
{
	size_t total = 0;

	for (size_t i = 0; list && i < list->n; i++)
		total += !(positive_only && list->items[i].negated);
	return total;
}

void guard_match_items(const struct guard_list *list, bool positive_only, const char *sep,
		       const char *last_sep, struct guard_text *out)
{
	size_t total = guard_match_items_count(list, positive_only), done = 0;
	for (size_t i = 0; list && i < list->n; i++) {
		const struct guard_item *it = &list->items[i];

		if (positive_only && it->negated)
			continue;
		if (done > 0)
			guard_text_add(out, "%s", done + 1 == total ? last_sep : sep);
		guard_text_add(out, "%s", it->negated ? "!" : "");
		guard_text_escaped(out, it->text);
		done++;
	}
}

/* The first item of the list that matches, negated or positive as asked. */
static const struct guard_item *first_hit(const struct guard_match_ctx *c,
					  enum guard_condition field, const struct guard_list *l,
					  bool negated)
{
	if (!field_has_value(c, field))
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].negated == negated &&
		    item_match(c, field, &l->items[i]) == GUARD_MATCH_YES)
			return &l->items[i];
	return NULL;
}

static bool is_who_field(enum guard_condition f)
{
	return f == GUARD_COND_ACTORS || f == GUARD_COND_TARGETS || f == GUARD_COND_GROUPS ||
	       f == GUARD_COND_SERVICES;
}

void guard_match_why_failed(const struct guard_match_ctx *c, const struct guard_rule *rule,
			    enum guard_condition field, struct guard_text *out)
{
	const struct guard_list *l = guard_rule_matcher(rule, field);
	const struct guard_item *neg;
	size_t shown = 0;

	if (!l) {
		guard_text_add(out, "%s",
			       field == GUARD_COND_ACTION ? "another action" : "unknown");
		return;
	}
	value(c, field, l, out);
	if (guard_match_list(c, field, l) == GUARD_MATCH_UNKNOWN) {
		if (field != GUARD_COND_TIME || c->local)
			guard_text_add(out, " cannot be matched");
		return;
	}
	neg = first_hit(c, field, l, true);
	if (neg && is_who_field(field) && neg->kind != GUARD_ITEM_NAME &&
	    neg->kind != GUARD_ITEM_SERVICE && neg->kind != GUARD_ITEM_ANY) {
		guard_text_add(out, " is ");
		item_phrase_why(c, field, neg, out);
	} else if (neg) {
		guard_text_add(out, " (excluded by !");
		guard_text_escaped(out, neg->text);
		guard_text_add(out, ")");
	} else if (field == GUARD_COND_FROM && field_has_value(c, field)) {
		guard_text_add(out, ", not ");
		for (size_t i = 0; i < l->n; i++) {
			if (l->items[i].negated)
				continue;
			if (shown++ > 0)
				guard_text_add(out, " or ");
			guard_match_from_phrase(&l->items[i], out);
		}
	} else if (is_who_field(field) && field_has_value(c, field)) {
		guard_text_add(out, " is not ");
		for (size_t i = 0; i < l->n; i++) {
			if (l->items[i].negated)
				continue;
			if (shown++ > 0)
				guard_text_add(out, " or ");
			item_phrase(&l->items[i], out);
		}
	}
}

enum guard_condition guard_match_why_applied(const struct guard_match_ctx *c,
					     const struct guard_rule *rule, struct guard_text *out)
{
	/* First a matcher that matched through a positive item: it says most. */
	for (size_t i = 0; i < N_MATCHERS; i++) {
		enum guard_condition f = describe_order[i];
		const struct guard_list *l = guard_rule_matcher(rule, f);
		const struct guard_item *hit;

		if (!l || !l->present || !(hit = first_hit(c, f, l, false)) ||
		    hit->kind == GUARD_ITEM_ANY)
			continue;
		if (f == GUARD_COND_TARGETS && hit->kind == GUARD_ITEM_PROTECTED &&
		    c->target->protected_grant) {
			/* Protected by what the request grants, not by who it is. */
			guard_text_add(out, "the request makes ");
			value(c, f, l, out);
			guard_text_add(out, " @protected");
			if (c->target->grant) {
				guard_text_add(out, " (");
				guard_text_escaped(out, c->target->grant);
				guard_text_add(out, ")");
			}
			return f;
		}
		value(c, f, l, out);
		if (is_who_field(f) &&
		    (hit->kind == GUARD_ITEM_NAME || hit->kind == GUARD_ITEM_SERVICE)) {
			guard_text_add(out, " is named in the rule");
		} else if (is_who_field(f)) {
			guard_text_add(out, " is ");
			item_phrase_why(c, f, hit, out);
		} else if (!is_who_field(f) && hit->kind != GUARD_ITEM_LOCAL &&
			   hit->kind != GUARD_ITEM_REMOTE) {
			guard_text_add(out, " (in ");
			guard_text_escaped(out, hit->text);
			guard_text_add(out, ")");
		}
		return f;
	}
	/* Then one that matched because nothing it excludes did. */
	for (size_t i = 0; i < N_MATCHERS; i++) {
		enum guard_condition f = describe_order[i];
		const struct guard_list *l = guard_rule_matcher(rule, f);

		size_t shown = 0;

		if (!l || !l->present || !list_has_negated(l))
			continue;
		value(c, f, l, out);
		if (!field_has_value(c, f))
			return f;
		guard_text_add(out, " is not ");
		for (size_t j = 0; j < l->n; j++) {
			if (!l->items[j].negated)
				continue;
			if (shown++ > 0)
				guard_text_add(out, " or ");
			item_phrase(&l->items[j], out);
		}
		return f;
	}
	guard_text_add(out, "the rule covers every %s",
		       guard_action_name(c->target->action) ? guard_action_name(c->target->action)
							    : "action");
	return GUARD_COND_ACTION;
}
