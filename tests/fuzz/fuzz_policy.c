/* The policy parser: any text in, a policy or a file:line error out.
 * Properties: an accepted policy is whole (every rule named, with actions
 * and a valid decision, approvals where it approves), parsing is
 * deterministic, and an error always names its file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int load(const uint8_t *data, size_t size, struct guard_policy **ret,
		struct guard_error *err)
{
	struct guard_policy *p = NULL;
	int r = guard_policy_new(&p);

	if (r == 0)
		r = guard_policy_parse_text(p, "fuzz.conf", (const char *)data, size, err);
	if (r == 0)
		r = guard_policy_finish(p, NULL, err);
	if (r < 0) {
		guard_policy_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guard_policy *a = NULL, *b = NULL;
	struct guard_error ea = {0}, eb = {0};
	int ra = load(data, size, &a, &ea), rb = load(data, size, &b, &eb);

	if ((ra == 0) != (rb == 0) || ea.line != eb.line || strcmp(ea.message, eb.message) != 0)
		abort(); /* not deterministic */
	if (ra < 0) {
		if (strcmp(ea.file, "fuzz.conf") != 0 && ea.message[0] == '\0')
			abort(); /* an error that says nothing */
		return 0;
	}
	if (a->n_rules != b->n_rules)
		abort();
	for (size_t i = 0; i < a->n_rules; i++) {
		const struct guard_rule *r = &a->rules[i];

		if (!r->name || !r->name[0] || r->actions == 0 || r->line == 0)
			abort();
		if (r->decision != GUARD_DECISION_ALLOW && r->decision != GUARD_DECISION_APPROVE &&
		    r->decision != GUARD_DECISION_DENY)
			abort();
		if (r->decision == GUARD_DECISION_APPROVE && r->approvals == 0)
			abort();
		if (r->has_limit && (r->limit.count == 0 || r->limit.period_s <= 0))
			abort();
	}
	for (size_t i = 0; i < a->n_commands; i++)
		if (a->commands[i].path[0] != '/')
			abort();
	guard_policy_free(a);
	guard_policy_free(b);
	return 0;
}
