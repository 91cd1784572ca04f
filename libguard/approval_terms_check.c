/* The checks that spend an approval only for what it was given for: the
 * identities it bound, the rules it was given under, its voters as they
 * are now. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "approval_terms.h"
#include "approval_terms_internal.h"
#include "approvers.h"

/* ---- Identities ---- */

/* "user NAME ID" -> kind, name, id (pointers into line, which is cut). */
static bool ident_split(char *line, const char **kind, const char **name, const char **id)
{
	char *a = strchr(line, '\t'), *b2 = a ? strchr(a + 1, '\t') : NULL;

	if (!a || !b2)
		return false;
	*a = '\0';
	*b2 = '\0';
	*kind = line;
	*name = a + 1;
	*id = b2 + 1;
	return true;
}

static void id_text(const char *kind, const char *id, char *buf, size_t size)
{
	if (strcmp(id, "-") == 0)
		snprintf(buf, size, "%s", "no such account or group");
	else
		snprintf(buf, size, "%s %s", strcmp(kind, "user") == 0 ? "uid" : "gid", id);
}

/* Finds kind+name in lines (a copy is cut); id into buf. */
static bool ident_find(const char *lines, const char *kind, const char *name, char *id, size_t size)
{
	const char *p = lines ? lines : "";

	while (*p) {
		size_t len = strcspn(p, "\n");
		char line[700];
		const char *k, *nm, *i;

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (ident_split(line, &k, &nm, &i) && strcmp(k, kind) == 0 &&
			    strcmp(nm, name) == 0) {
				snprintf(id, size, "%s", i);
				return true;
			}
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	return false;
}

/* The first difference between two lists of lines, said. */
static bool ident_diff(const char *from, const char *to, bool stored_side, char *why, size_t size)
{
	const char *p = from ? from : "";

	while (*p) {
		size_t len = strcspn(p, "\n");
		char line[700], other[64], was[80], is[80];
		const char *k, *nm, *i;

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (ident_split(line, &k, &nm, &i)) {
				const char *what = strcmp(k, "user") == 0 ? "target" : "group";

				if (!ident_find(to, k, nm, other, sizeof(other))) {
					id_text(k, i, was, sizeof(was));
					snprintf(why, size,
						 stored_side ? "%s %s (%s when approved) is no "
							       "longer part of the request"
							     : "%s %s (%s) was not part of the "
							       "request when approved",
						 what, nm, was);
					return true;
				}
				if (stored_side && strcmp(other, i) != 0) {
					id_text(k, i, was, sizeof(was));
					id_text(k, other, is, sizeof(is));
					snprintf(why, size, "%s %s was %s when approved, is now %s",
						 what, nm, was, is);
					return true;
				}
			}
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	return false;
}

int guard_approval_idents_check(const char *stored, const char *stored_digest,
				const struct guard_approval_terms *now, char *why, size_t size)
{
	if (!stored || !stored_digest || !stored_digest[0]) {
		snprintf(why, size, "it was filed before approvals bound the accounts' identities");
		return -EPERM;
	}
	if (strcmp(stored_digest, now->idents_digest) == 0)
		return 0;
	if (!ident_diff(stored, now->idents, true, why, size) &&
	    !ident_diff(now->idents, stored, false, why, size))
		snprintf(why, size,
			 "an account or group of the request resolves to another id than when "
			 "approved");
	return -EPERM;
}

/* ---- Spending under the rule that decides now ---- */

static bool in_rules(const char *rules, const char *name)
{
	const char *p = rules ? rules : "";
	size_t n = strlen(name);

	if (!*p)
		return n == 0;
	while (*p) {
		size_t len = strcspn(p, "\n");

		if (len == n && memcmp(p, name, n) == 0)
			return true;
		p += len;
		if (*p == '\n')
			p++;
	}
	return false;
}

static int voters_check(const struct guard_policy *policy, const struct guard_rule *r,
			const struct guard_approval_votes *votes, guard_voter_lookup lookup,
			void *lookup_ctx, char *why, size_t size)
{
	char needs[400], q[300];

	guard_approval_rule_needs(policy, r, needs, sizeof(needs));
	for (size_t k = 0; k < votes->n; k++) {
		struct guard_identity id = {0};
		const char *was = votes->names[k] ? votes->names[k] : "?";
		int e = lookup(lookup_ctx, votes->uids[k], &id);
		bool ok;

		if (e < 0) {
			snprintf(why, size, "approver %s (uid %u) %s",
				 guard_approval_escape(was, q, sizeof(q)), (unsigned)votes->uids[k],
				 e == -ENOENT ? "no longer exists" : "cannot be looked up");
			guard_identity_clear(&id);
			return -EPERM;
		}
		if (!id.name || strcmp(id.name, was) != 0) {
			char q2[300];

			snprintf(why, size, "approver %s (uid %u) is now named %s",
				 guard_approval_escape(was, q, sizeof(q)), (unsigned)votes->uids[k],
				 guard_approval_escape(id.name, q2, sizeof(q2)));
			guard_identity_clear(&id);
			return -EPERM;
		}
		ok = guard_is_approver_for(policy, guard_approval_rule_name(r), &id);
		guard_identity_clear(&id);
		if (!ok) {
			snprintf(why, size,
				 "%s is no longer an approver for rule \"%s\" (it needs %s)",
				 guard_approval_escape(was, q, sizeof(q)),
				 guard_approval_rule_name(r), needs);
			return -EPERM;
		}
	}
	return 0;
}

int guard_approval_rules_check(const struct guard_policy *policy, const struct guard_verdict *v,
			       const struct guard_approval_votes *votes, guard_voter_lookup lookup,
			       void *lookup_ctx, char *why, size_t size)
{
	char needs[400];

	for (size_t i = 0; i < v->n_actions; i++) {
		const struct guard_rule *r = v->actions[i].rule;
		unsigned count = r && r->approvals ? r->approvals : 1;
		int e;

		if (!guard_approval_first_approve(v, i))
			continue;
		guard_approval_rule_needs(policy, r, needs, sizeof(needs));
		if (!in_rules(votes->rules, guard_approval_rule_name(r))) {
			char given[200], q[300];

			snprintf(given, sizeof(given), "%s", votes->rules ? votes->rules : "");
			for (char *c = given; *c; c++)
				if (*c == '\n')
					*c = ',';
			if (r)
				snprintf(why, size,
					 "it was approved under rule \"%s\"; rule \"%s\" decides "
					 "now and needs %s",
					 given[0] ? guard_approval_escape(given, q, sizeof(q))
						  : "(the default)",
					 r->name, needs);
			else
				snprintf(why, size,
					 "it was approved under rule \"%s\"; the default decides "
					 "now and needs %s",
					 given[0] ? guard_approval_escape(given, q, sizeof(q))
						  : "(the default)",
					 needs);
			return -EPERM;
		}
		if (votes->n < count) {
			snprintf(why, size, "it has %zu approval%s; rule \"%s\" now needs %s",
				 votes->n, votes->n == 1 ? "" : "s", guard_approval_rule_name(r),
				 needs);
			return -EPERM;
		}
		e = voters_check(policy, r, votes, lookup, lookup_ctx, why, size);
		if (e < 0)
			return e;
	}
	return 0;
}
