/* The text an approver signs for a request elsewhere (approval_token.c). */
#ifndef GUARD_APPROVAL_TOKEN_H
#define GUARD_APPROVAL_TOKEN_H

#include "store.h"

#define GUARD_APPROVAL_TOKEN_HEAD "guard-approval-request v1"
/* The SSH signature namespace (ssh-keygen -Y ... -n). */
#define GUARD_APPROVAL_NAMESPACE "guard-approval"

/* Builds a's token (*ret, for the caller to free). Returns 0, -ENODATA for
 * a request filed without a nonce (before schema 4), -E2BIG for one too
 * large to show whole (more identities or actions than are kept, a value
 * past its bound: it is approved locally), or -ENOMEM. */
int guard_approval_token(const struct guard_approval *a, char **ret);

#endif
