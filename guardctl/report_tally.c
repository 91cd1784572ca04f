/* What the three report formats count and name alike: decisions tallied
 * by action, rule or actor, an approval's status, a decision's ECS
 * outcome (report.h). */
#include <stdlib.h>
#include <string.h>

#include "report.h"

const char *report_pick_action(const struct guard_history_row *h)
{
	return h->action;
}

const char *report_pick_rule(const struct guard_history_row *h)
{
	return h->rule;
}

const char *report_pick_actor(const struct guard_history_row *h)
{
	return h->actor;
}

static int compare_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	unsigned nx = x->allow + x->approve + x->deny, ny = y->allow + y->approve + y->deny;

	if (nx != ny)
		return nx > ny ? -1 : 1;
	return strcmp(x->name, y->name);
}

struct tally *report_tally(const struct report *r,
			   const char *(*pick)(const struct guard_history_row *), size_t *ret_n)
{
	struct tally *t = calloc(r->n_dec + 1, sizeof(*t));
	size_t n = 0;

	if (!t)
		return NULL;
	for (size_t i = 0; i < r->n_dec; i++) {
		const struct guard_history_row *h = &r->dec[i];
		const char *name = pick(h) ? pick(h) : "-", *d = h->decision ? h->decision : "";
		size_t k = 0;

		while (k < n && strcmp(t[k].name, name) != 0)
			k++;
		if (k == n)
			snprintf(t[n++].name, sizeof(t[0].name), "%s", name);
		if (strcmp(d, "allow") == 0)
			t[k].allow++;
		else if (strcmp(d, "approve") == 0)
			t[k].approve++;
		else
			t[k].deny++;
	}
	qsort(t, n, sizeof(*t), compare_tally);
	*ret_n = n;
	return t;
}

const char *report_approval_status(const struct report *r, const struct guard_report_row *row)
{
	const char *s = row->status ? row->status : "";

	if (strcmp(s, "pending") == 0 && row->extra > 0 && row->extra < r->now)
		return "expired";
	if (strcmp(s, "used") == 0) /* approved, then run */
		return "approved";
	return s;
}

const char *report_outcome(const char *decision)
{
	if (decision && strcmp(decision, "allow") == 0)
		return "success";
	if (decision && strcmp(decision, "deny") == 0)
		return "failure";
	return "unknown";
}
