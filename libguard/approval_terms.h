/* What an approval is given for beyond its binding hash (docs/design.md
 * "Approvals, break-glass, freeze"): the identities the request's names
 * resolved to when it was filed (a rename after the approval must not
 * move it to another account), what the request does (for the approver
 * to read) and the rules that asked for it with what they needed. And the
 * checks that spend an approval only for what it was given for. Pure: the
 * one look-up (a voter, now) goes through the caller's function. */
#ifndef GUARD_APPROVAL_TERMS_H
#define GUARD_APPROVAL_TERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evaluate.h"
#include "policy.h"
#include "request.h"
#include "sha256.h"

/* Bounds of what is kept for display: a batch of 10,000 accounts keeps its
 * first lines and its count (the digest covers every identity). */
#define GUARD_APPROVAL_MAX_IDENTS  64
#define GUARD_APPROVAL_MAX_ACTIONS 20

struct guard_approval_terms {
	/* "user\tNAME\tUID" or "group\tNAME\tGID" lines (names escaped, "-"
	 * for an account or group that does not exist), sorted, distinct;
	 * the first GUARD_APPROVAL_MAX_IDENTS of n_idents. */
	char *idents;
	size_t n_idents;
	char idents_digest[2 * GUARD_SHA256_LEN + 1]; /* over every line */
	/* "role.escalate of bob (uid 1003) via group sudo (gid 27)" lines: the
	 * first GUARD_APPROVAL_MAX_ACTIONS of n_actions. */
	char *actions;
	size_t n_actions;
	/* The approve rules' names, "\n"-separated, and "NAME\tN\tAPPROVERS"
	 * lines (APPROVERS as written, "settings: ..." when the rule names
	 * none); needed is the largest N. */
	char *rules;
	char *rule_terms;
	unsigned needed;
};

/* Builds the terms of a request that the verdict asks approval for.
 * Returns 0 or -ENOMEM. */
int guard_approval_terms_build(const struct guard_policy *policy, const struct guard_request *rq,
			       const struct guard_verdict *v, struct guard_approval_terms *ret);
void guard_approval_terms_clear(struct guard_approval_terms *t);

/* Did the identities change? 0 when the stored digest is now's; else
 * -EPERM with why ("target goodguy was uid 1005 when approved, is now uid
 * 1007"). stored NULL (a request filed before identities were bound) is
 * -EPERM too: it fails closed. */
int guard_approval_idents_check(const char *stored, const char *stored_digest,
				const struct guard_approval_terms *now, char *why, size_t size);

/* A voter as the account database knows them now. */
typedef int (*guard_voter_lookup)(void *ctx, uint32_t uid, struct guard_identity *ret);

struct guard_approval_votes {
	const char *rules; /* as stored */
	size_t n;
	const uint32_t *uids;
	const char *const *names; /* as recorded with each vote */
};

/* May the approval given under votes->rules be spent for verdict v now?
 * Every rule that asks approval now must be one it was given under, its
 * approvals count (now) met, and every voter still the same account and
 * eligible under its approvers (now). 0, or -EPERM with why; a failed
 * look-up is -EPERM too (fails closed). */
int guard_approval_rules_check(const struct guard_policy *policy, const struct guard_verdict *v,
			       const struct guard_approval_votes *votes, guard_voter_lookup lookup,
			       void *lookup_ctx, char *why, size_t size);

/* "1 approval by %guard-approvers (the settings' approvers)": what a rule
 * needs, into buf. */
void guard_approval_rule_needs(const struct guard_policy *policy, const struct guard_rule *r,
			       char *buf, size_t size);

#endif
