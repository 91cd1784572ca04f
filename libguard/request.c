#include "request.h"

#include <stdlib.h>
#include <string.h>

void guard_identity_clear(struct guard_identity *id)
{
	if (!id)
		return;
	free(id->name);
	if (id->groups)
		for (size_t i = 0; i < id->n_groups; i++)
			free(id->groups[i]);
	free(id->groups);
	*id = (struct guard_identity){0};
}

static bool has_group(const struct guard_identity *id, const char *name)
{
	if (!id->groups)
		return false;
	for (size_t i = 0; i < id->n_groups; i++)
		if (id->groups[i] && strcmp(id->groups[i], name) == 0)
			return true;
	return false;
}

/* Every group of a is one of b's. */
static bool groups_within(const struct guard_identity *a, const struct guard_identity *b)
{
	if (!a->groups)
		return a->n_groups == 0;
	for (size_t i = 0; i < a->n_groups; i++)
		if (!a->groups[i] || !has_group(b, a->groups[i]))
			return false;
	return true;
}

bool guard_identity_same_account(const struct guard_identity *a, const struct guard_identity *b)
{
	if (!a || !b || !a->uid_known || !b->uid_known || a->uid != b->uid)
		return false;
	if (!a->name || !b->name || strcmp(a->name, b->name) != 0)
		return false;
	return groups_within(a, b) && groups_within(b, a);
}

void guard_target_clear(struct guard_target *t)
{
	if (!t)
		return;
	guard_identity_clear(&t->user);
	free(t->group);
	free(t->grant);
	*t = (struct guard_target){0};
}
