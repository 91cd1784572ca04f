/* See request_token.h. */
#include "request_token.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "approval_token.h"

int guard_store_request_token(struct guard_store *s, int64_t id, char **ret)
{
	struct guard_approval a = {0};
	struct guard_error err = {0};
	int r;

	*ret = NULL;
	r = guard_store_approval_get(s, id, (int64_t)time(NULL), &a, &err);
	if (r == 0)
		r = guard_approval_token(&a, ret);
	guard_approval_clear(&a);
	return r;
}

void guard_events_pending(struct guard_events *ev, struct guard_store *s,
			  const struct guard_decision_result *res)
{
	char *token = NULL;

	if (!ev || !s || !res || res->outcome != GUARD_OUTCOME_PENDING || res->approval_id <= 0)
		return;
	(void)guard_store_request_token(s, res->approval_id, &token);
	(void)guard_events_set_request(ev, res->approval_id, token);
	free(token);
}
