/* The words that say why a rule's matcher matched or failed, with the
 * actual values: reasons, near misses and `guardctl explain`. The verdict
 * is match.c's; these only describe it, asking the same functions so that
 * the words cannot disagree with the decision. */
#include "match.h"

#include "address.h"
#include "match_internal.h"
#include "sudoers.h"

/* Appends ": FILE:LINE", where sudoers or doas.conf grants it. */
static void sudoers_where(const struct guard_sudoers_grant *g, struct guard_text *out)
{
	if (!g)
		return;
	guard_text_add(out, ": ");
	guard_text_escaped(out, g->file);
	guard_text_add(out, ":%u", g->line);
}

/* Appends why a target that is not listed is @protected: " (bob is in
 * %admins, a Guard role: ...)", " (bob is in sudo, a privileged group)",
 * " (toor has uid 0)". A listed one needs no words: the policy says it. */
static void protected_reason(const struct guard_match_ctx *c, struct guard_text *out)
{
	const struct guard_identity *u = &c->target->user;
	const struct guard_role_group *role = NULL;
	const char *group = NULL;
	enum protected_why why = guard_match_protected_why(c, &group);

	if (why != PROTECTED_UID0 && why != PROTECTED_MEMBER && why != PROTECTED_ROLE &&
	    why != PROTECTED_SUDOERS)
		return;
	guard_text_add(out, " (");
	guard_text_escaped(out, u->name ? u->name : "the account");
	if (why == PROTECTED_ROLE) {
		guard_text_add(out, " is named in a Guard role)");
		return;
	}
	if (why == PROTECTED_SUDOERS) {
		const struct guard_sudoers_grant *g =
		    guard_sudoers_user(c->policy, u->name, u->uid_known, u->uid);

		guard_text_add(out, " is granted by %s: ", guard_grant_source(g));
		guard_text_escaped(out, g ? g->file : "");
		guard_text_add(out, ":%u)", g ? g->line : 0);
		return;
	}
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
	case GUARD_PRIVILEGE_SUDOERS: {
		const struct guard_sudoers_grant *g =
		    guard_sudoers_group(c->policy, group, false, 0);

		guard_text_escaped(out, group);
		guard_text_add(out, ", which %s grants", guard_grant_source(g));
		sudoers_where(g, out);
		break;
	}
	default:
		guard_text_escaped(out, group);
		guard_text_add(out, ", a privileged group");
		break;
	}
	guard_text_add(out, ")");
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
		guard_text_add(out, "it is %s %02d:%02d ", guard_day_name(c->local->wday),
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
	case GUARD_PRIVILEGE_SUDOERS: {
		const struct guard_sudoers_grant *g =
		    guard_sudoers_group(c->policy, t->group, t->gid_known, t->gid);

		guard_text_add(out, " (%s grants it", guard_grant_source(g));
		sudoers_where(g, out);
		guard_text_add(out, ")");
		break;
	}
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
	if (!guard_match_field_has_value(c, field))
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].negated == negated &&
		    guard_match_item(c, field, &l->items[i]) == GUARD_MATCH_YES)
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
	} else if (field == GUARD_COND_FROM && guard_match_field_has_value(c, field)) {
		guard_text_add(out, ", not ");
		for (size_t i = 0; i < l->n; i++) {
			if (l->items[i].negated)
				continue;
			if (shown++ > 0)
				guard_text_add(out, " or ");
			guard_match_from_phrase(&l->items[i], out);
		}
	} else if (is_who_field(field) && guard_match_field_has_value(c, field)) {
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
	for (size_t i = 0; i < MATCH_FIELDS; i++) {
		enum guard_condition f = guard_match_describe_order[i];
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
	for (size_t i = 0; i < MATCH_FIELDS; i++) {
		enum guard_condition f = guard_match_describe_order[i];
		const struct guard_list *l = guard_rule_matcher(rule, f);

		size_t shown = 0;

		if (!l || !l->present || !list_has_negated(l))
			continue;
		value(c, f, l, out);
		if (!guard_match_field_has_value(c, f))
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
