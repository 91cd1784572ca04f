/* The limits of rules: how often the actor used a rule within its period,
 * and when the next use frees up. */
#include <stdlib.h>
#include <string.h>

#include "evaluate_internal.h"

static int cmp_when(const void *a, const void *b)
{
	int64_t x = ((const struct guard_history_use *)a)->when,
		y = ((const struct guard_history_use *)b)->when;

	return (x > y) - (x < y);
}

static bool in_window(const struct eval *e, const struct guard_rule *rule,
		      const struct guard_history_use *u)
{
	return u->when > e->now - rule->limit.period_s && u->when <= e->now && u->rule &&
	       strcmp(u->rule, rule->name) == 0;
}

/* Counts the actor's uses of the rule in (now - period, now]. When the
 * count is at the limit or past it, *ret_next is when it drops below. */
uint32_t eval_limit_uses(const struct eval *e, const struct guard_rule *rule, int64_t *ret_next)
{
	const struct guard_history *h = e->history;
	int64_t oldest = INT64_MAX;
	uint64_t n = 0, k, seen = 0;
	size_t m = 0;
	struct guard_history_use *mine;

	for (size_t i = 0; h && i < h->n_uses; i++)
		if (in_window(e, rule, &h->uses[i])) {
			n += h->uses[i].count ? h->uses[i].count : 1;
			m++;
			if (h->uses[i].when < oldest)
				oldest = h->uses[i].when;
		}
	*ret_next = 0;
	if (n < rule->limit.count)
		return (uint32_t)n;
	/* Past the limit (uses under break-glass), the k-th oldest frees the
	 * first slot; at it, the oldest. */
	*ret_next = oldest + rule->limit.period_s;
	k = n - rule->limit.count;
	if (k > 0 && (mine = calloc(m, sizeof(*mine)))) {
		size_t j = 0;

		for (size_t i = 0; i < h->n_uses && j < m; i++)
			if (in_window(e, rule, &h->uses[i]))
				mine[j++] = h->uses[i];
		qsort(mine, j, sizeof(*mine), cmp_when);
		for (size_t i = 0; i < j; i++) {
			seen += mine[i].count ? mine[i].count : 1;
			if (seen > k) {
				*ret_next = mine[i].when + rule->limit.period_s;
				break;
			}
		}
		free(mine);
	}
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

bool eval_limit_reached(const struct eval *e, const struct guard_rule *rule)
{
	int64_t next;

	return rule->has_limit && eval_limit_uses(e, rule, &next) >= rule->limit.count;
}
