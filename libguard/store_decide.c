/* One decision from start to end, as both entry points make it: in one
 * BEGIN IMMEDIATE transaction read the snapshot, evaluate (pure), spend an
 * approval or make a pending request, write the ledger, commit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "store_internal.h"

/* The system's account database, for voters. */
static int system_voter(void *ctx, uint32_t uid, struct guard_identity *ret)
{
	return guard_accounts_user_by_uid(ctx, (uid_t)uid, ret);
}

/* May approval id be spent for this decision (MUST 18 of store.c)? 0, or
 * -EPERM with why; another -errno when it cannot be read. */
static int spendable(struct guard_store *s, const struct guard_decide_in *in,
		     const struct guard_verdict *v, const struct guard_approval_terms *terms,
		     int64_t id, int64_t now, char *why, size_t size, struct guard_error *err)
{
	const struct guard_identity *actor = &in->request->actor;
	struct guard_approval a;
	struct guard_approval_votes votes = {0};
	uint32_t *uids = NULL;
	const char **names = NULL;
	char q[300];
	int r;

	r = guard_store_approval_get(s, id, now, &a, err);
	if (r < 0)
		return r;
	if (!actor->name || strcmp(a.requester, actor->name) != 0) {
		char q2[300];

		snprintf(why, size, "requester %s (uid %u) is now named %s",
			 guard_escape(a.requester, q, sizeof(q)), (unsigned)a.requester_uid,
			 guard_escape(actor->name ? actor->name : "", q2, sizeof(q2)));
		r = -EPERM;
		goto out;
	}
	r = guard_approval_idents_check(a.idents, a.idents_digest, terms, why, size);
	if (r < 0)
		goto out;
	uids = calloc(a.n_votes + 1, sizeof(*uids));
	names = calloc(a.n_votes + 1, sizeof(*names));
	if (!uids || !names) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < a.n_votes; k++) {
		uids[k] = a.votes[k].approver_uid;
		names[k] = a.votes[k].approver;
	}
	votes = (struct guard_approval_votes){
	    .rules = a.rules, .n = a.n_votes, .uids = uids, .names = names};
	if (in->voter_lookup)
		r = guard_approval_rules_check(in->policy, v, &votes, in->voter_lookup,
					       in->voter_lookup_ctx, why, size);
	else
		r = guard_approval_rules_check(in->policy, v, &votes, system_voter,
					       (void *)in->policy, why, size);
out:
	free(uids);
	free(names);
	guard_approval_clear(&a);
	return r;
}

#define MAX_CANDIDATES 16

/* Finds the approval this decision may spend: run ID's, else the newest
 * spendable one of this binding. 0 with *ret_id (0: none, then
 * ret->not_spent says why an approved one was not taken); -EPERM, -ENOENT,
 * -ESTALE for run ID with err saying why; another -errno. */
static int find_spendable(struct guard_store *s, const struct guard_decide_in *in,
			  const struct guard_verdict *v, const struct guard_approval_terms *terms,
			  int64_t now, int64_t *ret_id, struct guard_decision_result *ret,
			  struct guard_error *err)
{
	int64_t ids[MAX_CANDIDATES];
	char why[400];
	size_t n = 0;
	int r;

	*ret_id = 0;
	if (in->approval_id > 0) {
		r = guard_store_approval_find(s, in->binding, in->approval_id, now, &ids[0], err);
		if (r < 0)
			return r;
		r = spendable(s, in, v, terms, ids[0], now, why, sizeof(why), err);
		if (r == -EPERM)
			guard_error_set(err, "", 0,
					"request %lld is not run: %s. Run the command itself "
					"(without guardctl run) to file a new request",
					(long long)in->approval_id, why);
		if (r == 0)
			*ret_id = ids[0];
		return r;
	}
	r = guard_store_approval_candidates(s, in->binding, now, ids, MAX_CANDIDATES, &n, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = spendable(s, in, v, terms, ids[i], now, why, sizeof(why), err);
		if (r == 0) {
			*ret_id = ids[i];
			return 0;
		}
		if (r == -EPERM) {
			if (!ret->not_spent[0])
				snprintf(ret->not_spent, sizeof(ret->not_spent),
					 "request %lld is not spent: %s", (long long)ids[i], why);
			r = 0;
		}
	}
	return r;
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

/* light: begun synchronous=NORMAL (MUST 19 of store.c); a decision that
 * turns out to spend, to be refused or to wait for approval is made
 * durable at its commit (guard_store_commit_durable). */
static int decide(struct guard_store *s, const struct guard_decide_in *in, bool light,
		  struct guard_decision_result *ret, struct guard_error *err)
{
	struct guard_store_snapshot snap = {0};
	struct guard_store_record_in rec = {0};
	struct guard_verdict *v = &ret->verdict;
	struct guard_approval_terms terms = {0};
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

	r = light ? guard_store_begin_light(s, in->wall_now, &ret->now, err)
		  : guard_store_begin(s, in->wall_now, &ret->now, err);
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

	/* Monitor mode over PAM or sudo files nothing (the program decides);
	 * guardctl in monitor mode asks for approval as it always does. */
	if (v->decision == GUARD_DECISION_APPROVE && (in->request_only || !v->logged_only)) {
		r = guard_approval_terms_build(in->policy, in->request, v, &terms);
		if (r == 0)
			r = find_spendable(s, in, v, &terms, ret->now, &approval, ret, err);
		if (r < 0)
			goto fail; /* run ID: not this caller's, not this request, not approved */
		pending = approval == 0;
	}
	if (in->request_only) {
		if (!pending && v->decision != GUARD_DECISION_DENY) {
			/* Nothing to file: nothing written. */
			guard_store_rollback(s);
			guard_store_snapshot_clear(&snap);
			guard_approval_terms_clear(&terms);
			ret->approval_id = approval;
			ret->outcome = GUARD_OUTCOME_GO;
			return 0;
		}
	} else if (v->logged_only) {
		goes = true; /* monitor mode over PAM or sudo: logged, the program decides */
		pending = false;
	} else if (v->decision == GUARD_DECISION_ALLOW) {
		goes = true;
	} else if (v->decision == GUARD_DECISION_APPROVE && !pending) {
		goes = true;
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
		int64_t ttl = in->policy->settings.approval_ttl_s;

		ret->approvals_needed = terms.needed;
		r = guard_store_approval_request(s, in->binding, in->shown_argc, in->shown_argv,
						 in->reason, &terms, ttl > 0 ? ttl : 1800, ret->now,
						 &approval, &ret->approval_created, err);
		if (r < 0)
			goto fail;
	}
	/* Only a decision that goes ahead and spends nothing stays light. */
	r = !goes || approval > 0 || pending || s->spends > 0 ? guard_store_commit_durable(s, err)
							      : guard_store_commit(s, err);
	if (r < 0)
		goto out;
	ret->approval_id = approval;
	if (goes && approval > 0 && !v->logged_only)
		mark_approved(v, approval);
	ret->outcome = goes	 ? GUARD_OUTCOME_GO
		       : pending ? GUARD_OUTCOME_PENDING
				 : GUARD_OUTCOME_DENIED;
	guard_store_snapshot_clear(&snap);
	guard_approval_terms_clear(&terms);
	return 0;
fail:
	guard_store_rollback(s);
out:
	guard_store_snapshot_clear(&snap);
	guard_approval_terms_clear(&terms);
	ret->outcome = GUARD_OUTCOME_DENIED;
	ret->decision_id = 0;
	ret->n_alerts = 0;
	return r;
}

int guard_store_decide(struct guard_store *s, const struct guard_decide_in *in,
		       struct guard_decision_result *ret, struct guard_error *err)
{
	/* Light where it can be: a run ID spends an approval, and a request
	 * files one. */
	return decide(s, in, in && !in->request_only && in->approval_id == 0, ret, err);
}
