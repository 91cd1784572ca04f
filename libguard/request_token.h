/* A stored request's token, and the request a decision left pending told
 * to the event sinks. Between the store, which holds the request, and the
 * events and guardctl, which show it. */
#ifndef GUARD_REQUEST_TOKEN_H
#define GUARD_REQUEST_TOKEN_H

#include <stdint.h>

#include "events.h"
#include "store.h"

/* The token of request id as the store has it now (approval_token.h):
 * 0 and *ret (free it), or -errno (-ENODATA: filed before signed
 * approvals; -E2BIG: too large to show whole) with *ret NULL. */
int guard_store_request_token(struct guard_store *s, int64_t id, char **ret);

/* A decision that left a request pending (res->outcome PENDING with an
 * approval id): its approval-needed events will name the request, and the
 * notify programs get its token. Anything else: nothing. A token that
 * cannot be read leaves the id alone: the approver still learns which
 * request waits. */
void guard_events_pending(struct guard_events *ev, struct guard_store *s,
			  const struct guard_decision_result *res);

#endif
