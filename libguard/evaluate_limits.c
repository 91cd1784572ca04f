/* The limits of rules: how often the actor used a rule within its period,
 * and when the next use frees up. */
#include <stdlib.h>
#include <string.h>

#include "evaluate_internal.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Counts the actor's uses of the rule in (now - period, now]. When the
 * count is at the limit or past it, *ret_next is when it drops below. */
uint32_t eval_limit_uses(const struct eval *e, const struct guard_rule *rule, int64_t *ret_next)
{
	const struct guard_history *h = e->history;
	int64_t from = e->now - rule->limit.period_s, oldest = INT64_MAX;
	uint64_t n = 0, k;
	int64_t *whens;

	for (size_t i = 0; h && i < h->n_uses; i++) {
		const struct guard_history_use *u = &h->uses[i];

		if (u->when > from && u->when <= e->now && u->rule &&
		    strcmp(u->rule, rule->name) == 0) {
			n++;
			if (u->when < oldest)
				oldest = u->when;
		}
	}
	*ret_next = 0;
	if (n < rule->limit.count)
		return (uint32_t)n;
	/* Past the limit (uses under break-glass), the k-th oldest frees the
	 * first slot; at it, the oldest. */
	*ret_next = oldest + rule->limit.period_s;
	k = n - rule->limit.count;
	if (k > 0 && (whens = calloc(n, sizeof(*whens)))) {
		size_t j = 0;

		for (size_t i = 0; i < h->n_uses && j < n; i++) {
			const struct guard_history_use *u = &h->uses[i];

			if (u->when > from && u->when <= e->now && u->rule &&
			    strcmp(u->rule, rule->name) == 0)
				whens[j++] = u->when;
		}
		qsort(whens, j, sizeof(*whens), cmp_i64);
		*ret_next = whens[k < j ? k : j - 1] + rule->limit.period_s;
		free(whens);
	}
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

bool eval_limit_reached(const struct eval *e, const struct guard_rule *rule)
{
	int64_t next;

	return rule->has_limit && eval_limit_uses(e, rule, &next) >= rule->limit.count;
}
