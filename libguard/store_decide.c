/* One decision from start to end, as both entry points make it: in one
 * BEGIN IMMEDIATE transaction read the snapshot, evaluate (pure), spend an
 * approval or make a pending request, write the ledger, commit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* The rules that ask for approval, "\n"-separated, and how many approvers
 * the strictest of them needs. */
static int approval_rules(const struct guard_verdict *v, char **ret, unsigned *ret_needed)
{
	size_t len = 1;
	char *p;

	*ret_needed = 1;
	for (size_t i = 0; i < v->n_actions; i++)
		if (v->actions[i].decision == GUARD_DECISION_APPROVE && v->actions[i].rule)
			len += strlen(v->actions[i].rule->name) + 1;
	p = calloc(1, len);
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < v->n_actions; i++) {
		const struct guard_rule *r = v->actions[i].rule;
		bool seen = false;

		if (v->actions[i].decision != GUARD_DECISION_APPROVE || !r)
			continue;
		for (size_t k = 0; k < i; k++)
			seen = seen || (v->actions[k].rule == r &&
					v->actions[k].decision == GUARD_DECISION_APPROVE);
		if (seen)
			continue;
		if (p[0])
			strcat(p, "\n");
		strcat(p, r->name);
		if (r->approvals > *ret_needed)
			*ret_needed = r->approvals;
	}
	*ret = p;
	return 0;
}

/* An approval was spent: what needed it is allowed now, and says by which
 * request, so that every report of this decision (guidance, audit,
 * journal) tells a run under approval from a refusal. */
static void mark_approved(struct guard_verdict *v, int64_t approval)
{
	for (size_t i = 0; i < v->n_actions; i++) {
		struct guard_action_verdict *av = &v->actions[i];

		if (av->decision != GUARD_DECISION_APPROVE)
			continue;
		av->decision = GUARD_DECISION_ALLOW;
		av->condition = GUARD_COND_NONE;
		snprintf(av->reason, sizeof(av->reason), "approved: request %lld",
			 (long long)approval);
		av->safe_path[0] = '\0';
		av->n_near_misses = 0;
	}
	v->decision = GUARD_DECISION_ALLOW;
	for (size_t i = 0; i < v->n_actions; i++)
		v->decision = guard_decision_stricter(v->decision, v->actions[i].decision);
}

int guard_store_decide(struct guard_store *s, const struct guard_decide_in *in,
		       struct guard_decision_result *ret, struct guard_error *err)
{
	struct guard_store_snapshot snap = {0};
	struct guard_store_record_in rec = {0};
	struct guard_verdict *v = &ret->verdict;
	char hash[2 * GUARD_SHA256_LEN + 1];
	int64_t approval = 0;
	bool goes = false, pending = false;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->outcome = GUARD_OUTCOME_DENIED;
	v->decision = GUARD_DECISION_DENY;
	if (!s || !in || !in->policy || !in->request || !in->binding ||
	    !in->request->actor.uid_known || in->binding->requester_uid != in->request->actor.uid) {
		guard_error_set(err, "", 0, "internal error: incomplete decision");
		return -EINVAL;
	}

	r = guard_store_begin(s, in->wall_now, &ret->now, err);
	if (r < 0)
		return r;
	r = guard_store_snapshot(s, in->policy, in->request->actor.uid, ret->now, &snap, err);
	if (r < 0)
		goto fail;
	r = guard_evaluate(in->policy, in->request, &snap.history, &snap.state, ret->now, v);
	if (r < 0) {
		guard_error_set(err, "", 0, "cannot evaluate the request: %s", strerror(-r));
		goto fail;
	}

	if (in->request_only) {
		if (v->decision == GUARD_DECISION_APPROVE) {
			r = guard_store_approval_find(s, in->binding, 0, ret->now, &approval, err);
			if (r < 0 && r != -ENOENT)
				goto fail;
			pending = r == -ENOENT;
		}
		if (!pending && v->decision != GUARD_DECISION_DENY) {
			/* Nothing to file: nothing written. */
			guard_store_rollback(s);
			guard_store_snapshot_clear(&snap);
			ret->approval_id = approval;
			ret->outcome = GUARD_OUTCOME_GO;
			return 0;
		}
	} else if (v->logged_only) {
		goes = true; /* monitor mode over PAM or sudo: logged, the program decides */
	} else if (v->decision == GUARD_DECISION_ALLOW) {
		goes = true;
	} else if (v->decision == GUARD_DECISION_APPROVE) {
		r = guard_store_approval_find(s, in->binding, in->approval_id, ret->now, &approval,
					      err);
		if (r == 0)
			goes = true;
		else if (r == -ENOENT && in->approval_id == 0)
			pending = true;
		else
			goto fail; /* run ID: not this caller's, not this request, not approved */
	}

	rec.policy = in->policy;
	rec.request = in->request;
	rec.verdict = v;
	rec.reason = in->reason;
	rec.host = in->binding->host;
	rec.approval_id = goes ? approval : 0;
	rec.goes_ahead = goes;
	rec.locked_out = snap.state.locked_out && !goes && !pending;
	rec.now = ret->now;
	r = guard_store_record(s, &rec, &ret->decision_id, ret->alerts, &ret->n_alerts, err);
	if (r < 0)
		goto fail;
	if (goes && approval > 0) {
		guard_approval_binding_hash(in->binding, hash);
		r = guard_store_approval_consume(s, approval, hash, ret->decision_id, ret->now,
						 err);
		if (r < 0)
			goto fail;
	}
	if (pending) {
		char *rules = NULL;
		int64_t ttl = in->policy->settings.approval_ttl_s;

		r = approval_rules(v, &rules, &ret->approvals_needed);
		if (r == 0)
			r = guard_store_approval_request(
			    s, in->binding, in->shown_argc, in->shown_argv, in->reason, rules,
			    ret->approvals_needed, ttl > 0 ? ttl : 1800, ret->now, &approval,
			    &ret->approval_created, err);
		free(rules);
		if (r < 0)
			goto fail;
	}
	r = guard_store_commit(s, err);
	if (r < 0)
		goto out;
	ret->approval_id = approval;
	if (goes && approval > 0 && !v->logged_only)
		mark_approved(v, approval);
	ret->outcome = goes	 ? GUARD_OUTCOME_GO
		       : pending ? GUARD_OUTCOME_PENDING
				 : GUARD_OUTCOME_DENIED;
	guard_store_snapshot_clear(&snap);
	return 0;
fail:
	guard_store_rollback(s);
out:
	guard_store_snapshot_clear(&snap);
	ret->outcome = GUARD_OUTCOME_DENIED;
	ret->decision_id = 0;
	ret->n_alerts = 0;
	return r;
}
