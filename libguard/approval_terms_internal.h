/* What building the terms of an approval (approval_terms.c) and checking
 * them when it is spent (approval_terms_check.c) share. Internal to
 * libguard. */
#ifndef GUARD_APPROVAL_TERMS_INTERNAL_H
#define GUARD_APPROVAL_TERMS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "evaluate.h"
#include "policy.h"

/* s quoted by guard_escape into buf; NULL reads as "". */
const char *guard_approval_escape(const char *s, char *buf, size_t size);

/* Is action i of v the first that asks approval under its rule? */
bool guard_approval_first_approve(const struct guard_verdict *v, size_t i);

/* The rule's name; "" for the default. */
const char *guard_approval_rule_name(const struct guard_rule *r);

#endif
