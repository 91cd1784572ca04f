/* What a decision reuses from the one before it. The exec'd helper makes
 * one decision and keeps nothing; the decision service (decided.c) keeps
 * the loaded policy, the open store and NSS's answers between requests,
 * and takes them again only while a fresh load or open would give the
 * same: the policy while none of its inputs changed
 * (guard_policy_unchanged), the store while it is still the checked file
 * at its path (guard_store_current), the answers while the account files
 * are unchanged, for a second at most (guard_accounts_refresh).
 * Anything else is loaded or opened afresh, with every check of a first
 * load or open. */
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "helper.h"
#include "policy_cache.h"

static struct {
	bool on;
	struct guard_policy *policy;
	char *policy_path;    /* as asked for ("" for the default) */
	unsigned policy_refs; /* decisions using it: a guardctl run holds it till its end */
	struct guard_store *store;
	bool store_lent;
} keep;

void guard_helper_keep(bool on)
{
	keep.on = on;
}

int guard_helper_policy_get(const char *path, struct guard_policy **ret, struct guard_error *err)
{
	const struct guard_load_options opts = {
	    .path = path, .cache_path = path ? NULL : GUARD_POLICY_CACHE_PATH};
	const char *key = path ? path : "";
	struct guard_policy *p = NULL;
	int r;

	/* The account databases may have changed since the last request. */
	if (keep.on)
		guard_accounts_refresh();
	else
		guard_accounts_forget();
	if (keep.on && keep.policy && strcmp(keep.policy_path, key) == 0 &&
	    guard_policy_unchanged(keep.policy)) {
		keep.policy_refs++;
		*ret = keep.policy;
		return 0;
	}
	r = guard_policy_load(&opts, &p, err);
	if (r < 0)
		return r;
	if (keep.on && keep.policy_refs == 0) {
		char *k = strdup(key);

		if (k) {
			guard_policy_free(keep.policy);
			free(keep.policy_path);
			keep.policy = p;
			keep.policy_path = k;
			keep.policy_refs = 1;
		}
	}
	*ret = p;
	return 0;
}

void guard_helper_policy_put(struct guard_policy *p)
{
	if (p && p == keep.policy) {
		keep.policy_refs--;
		return;
	}
	guard_policy_free(p);
}

int guard_helper_store_get(struct guard_store **ret, struct guard_error *err)
{
	int r;

	if (keep.on && keep.store && !keep.store_lent) {
		if (guard_store_current(keep.store)) {
			keep.store_lent = true;
			*ret = keep.store;
			return 0;
		}
		guard_store_close(keep.store);
		keep.store = NULL;
	}
	r = guard_store_open(NULL, ret, err);
	if (r == 0 && keep.on && !keep.store_lent) {
		keep.store = *ret;
		keep.store_lent = true;
	}
	return r;
}

void guard_helper_store_put(struct guard_store *s, bool failed)
{
	if (s && s == keep.store) {
		keep.store_lent = false;
		if (!failed)
			return;
		keep.store = NULL;
	}
	guard_store_close(s);
}

void guard_helper_keep_drop(void)
{
	guard_policy_free(keep.policy);
	free(keep.policy_path);
	guard_store_close(keep.store);
	memset(&keep, 0, sizeof(keep));
}
