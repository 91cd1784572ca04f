#include "request.h"

#include <stdlib.h>

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

void guard_target_clear(struct guard_target *t)
{
	if (!t)
		return;
	guard_identity_clear(&t->user);
	free(t->group);
	free(t->grant);
	*t = (struct guard_target){0};
}
