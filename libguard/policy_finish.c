/* The checks that need the whole policy, after every file is read: names
 * unique across files, approvers for every approve, the time zone, and the
 * rules that can never decide because an earlier rule always does. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

static int unique_names(const struct guard_policy *p, struct guard_error *err)
{
	for (size_t i = 0; i < p->n_rules; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->rules[i].name, p->rules[j].name) == 0) {
				guard_error_set(err, p->rules[i].file, p->rules[i].line,
						"rule \"%s\" is already defined at %s:%u",
						p->rules[i].name, p->rules[j].file,
						p->rules[j].line);
				return -EINVAL;
			}
	for (size_t i = 0; i < p->n_watches; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->watches[i].name, p->watches[j].name) == 0) {
				guard_error_set(err, p->watches[i].file, p->watches[i].line,
						"watch \"%s\" is already defined at %s:%u",
						p->watches[i].name, p->watches[j].file,
						p->watches[j].line);
				return -EINVAL;
			}
	for (size_t i = 0; i < p->n_services; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->services[i].name, p->services[j].name) == 0) {
				guard_error_set(err, p->services[i].file, p->services[i].line,
						"service \"%s\" is already defined at %s:%u",
						p->services[i].name, p->services[j].file,
						p->services[j].line);
				return -EINVAL;
			}
	for (size_t i = 0; i < p->n_commands; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->commands[i].name, p->commands[j].name) == 0) {
				guard_error_set(err, p->commands[i].file, p->commands[i].line,
						"command \"%s\" is already defined at %s:%u",
						p->commands[i].name, p->commands[j].file,
						p->commands[j].line);
				return -EINVAL;
			}
	return 0;
}

static bool list_has_positive(const struct guard_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->items[i].negated)
			return true;
	return false;
}

static int approvers_everywhere(const struct guard_policy *p, struct guard_error *err)
{
	bool global = list_has_positive(&p->settings.approvers);

	for (size_t i = 0; i < p->n_rules; i++) {
		const struct guard_rule *r = &p->rules[i];

		if (r->decision == GUARD_DECISION_APPROVE && !global &&
		    !list_has_positive(&r->approvers)) {
			guard_error_set(err, r->file, r->line,
					"rule \"%s\": decision approve but nobody may approve: set "
					"approvers in the rule or in settings",
					r->name);
			return -EINVAL;
		}
	}
	if (p->settings.default_decision == GUARD_DECISION_APPROVE && !global) {
		guard_error_set(err, p->n_files ? p->files[0] : NULL, 0,
				"settings: default = approve but settings has no approvers");
		return -EINVAL;
	}
	return 0;
}

static bool lists_equal(const struct guard_list *a, const struct guard_list *b)
{
	if (a->present != b->present || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->items[i].negated != b->items[i].negated ||
		    strcmp(a->items[i].text, b->items[i].text) != 0)
			return false;
	return true;
}

/* Does every request that b matches also match a? Conservatively: each of
 * a's matchers is absent or written exactly as b's. */
static bool covers(const struct guard_rule *a, const struct guard_rule *b)
{
	const struct guard_list *la[] = {&a->actors, &a->targets, &a->groups,
					 &a->time,   &a->from,	  &a->services};
	const struct guard_list *lb[] = {&b->actors, &b->targets, &b->groups,
					 &b->time,   &b->from,	  &b->services};

	if ((a->actions & b->actions) != b->actions)
		return false;
	for (size_t i = 0; i < sizeof(la) / sizeof(la[0]); i++)
		if (la[i]->present && !lists_equal(la[i], lb[i]))
			return false;
	return true;
}

static void shadowed_rules(struct guard_policy *p)
{
	for (size_t i = 0; i < p->n_rules; i++)
		for (size_t j = 0; j < i; j++)
			if (covers(&p->rules[j], &p->rules[i])) {
				guard_policy_warn(
				    p, p->rules[i].file, p->rules[i].line,
				    "rule \"%s\" can never decide: rule \"%s\" (%s:%u) "
				    "matches every request it matches",
				    p->rules[i].name, p->rules[j].name, p->rules[j].file,
				    p->rules[j].line);
				break;
			}
}

int guard_policy_finish(struct guard_policy *p, const char *zoneinfo_dir, struct guard_error *err)
{
	struct guard_error tzerr = {0};
	int r;

	r = unique_names(p, err);
	if (r == 0)
		r = approvers_everywhere(p, err);
	if (r < 0)
		return r;
	guard_tz_free(p->tz);
	p->tz = NULL;
	r = guard_tz_load(p->settings.timezone, zoneinfo_dir, &p->tz, &tzerr);
	if (r < 0) {
		guard_error_set(err, tzerr.file, tzerr.line, "timezone \"%s\": %s",
				p->settings.timezone, tzerr.message);
		return r;
	}
	shadowed_rules(p);
	return 0;
}
