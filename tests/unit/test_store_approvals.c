/* Approvals, watches and lockouts, freeze, break-glass and history through
 * the store (MUST 11-13 of libguard/store.c), in one process. */
#include <criterion/criterion.h>
#include <errno.h>

#include "approval_terms.h"
#include "approvers.h"
#define STORE_SUITE_OPEN
#include "store_suite.h"

TestSuite(approvals, .init = store_suite_init, .fini = store_suite_fini);

/* bob asks to delete dave: a pending request. */
static int64_t pending_delete(struct sreq *q, int64_t now)
{
	int64_t id = 0;

	sreq_init(q, "bob", 1002, "admins", GUARD_USER_DELETE, "dave");
	cr_assert_eq(store_outcome(s, p, q, 0, now, &id), GUARD_OUTCOME_PENDING);
	cr_assert_gt(id, 0);
	return id;
}

static struct guard_approval get(int64_t id, int64_t now)
{
	struct guard_approval a;
	struct guard_error err = {0};

	cr_assert_eq(guard_store_approval_get(s, id, now, &a, &err), 0, "%s", err.message);
	return a;
}

/* One field of a request, read and freed. */
#define FIELD(id, now, field)                                                                      \
	({                                                                                         \
		struct guard_approval a_ = get(id, now);                                           \
		__typeof__(a_.field) v_ = a_.field;                                                \
		guard_approval_clear(&a_);                                                         \
		v_;                                                                                \
	})

Test(approvals, pending_request_is_made_then_reused)
{
	struct sreq q;
	int64_t id = pending_delete(&q, T0), again = 0;
	struct guard_approval a = get(id, T0);

	cr_assert_eq(a.status, GUARD_APPROVAL_PENDING);
	cr_assert_str_eq(a.requester, "bob");
	cr_assert_str_eq(a.host, "testhost");
	cr_assert_eq(a.argc, 2);
	cr_assert_str_eq(a.argv[0], "userdel");
	cr_assert_str_eq(a.argv[1], "dave");
	cr_assert_str_eq(a.rules, "one-approval");
	cr_assert_eq(a.needed, 1);
	cr_assert_eq(a.expires, T0 + 1800,
		     "a pending request expires approval_ttl after it is made");
	guard_approval_clear(&a);

	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 60, &again), GUARD_OUTCOME_PENDING);
	cr_assert_eq(again, id, "the identical pending request is reused");
	q.argv[1] = "erin";
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 60, &again), GUARD_OUTCOME_PENDING);
	cr_assert_neq(again, id, "another command is another request");
}

Test(approvals, approved_request_runs_once)
{
	struct sreq q;
	int64_t id = pending_delete(&q, T0), spent = 0, next = 0;
	enum guard_approval_status st;
	struct guard_approval a;

	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 60, &st), 0);
	cr_assert_eq(st, GUARD_APPROVAL_APPROVED);
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 120, &spent), GUARD_OUTCOME_GO);
	cr_assert_eq(spent, id);
	a = get(id, T0 + 120);
	cr_assert_eq(a.status, GUARD_APPROVAL_USED);
	cr_assert_gt(a.decision_id, 0, "a used approval names the decision that spent it");
	guard_approval_clear(&a);
	cr_assert_eq(store_int(s, "SELECT approval_id FROM decisions ORDER BY id DESC LIMIT 1"),
		     id);

	/* Again: a new pending request, never a second run. */
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 180, &next), GUARD_OUTCOME_PENDING);
	cr_assert_neq(next, id);
	/* By id: spent. */
	cr_assert_lt(store_outcome(s, p, &q, id, T0 + 180, NULL), 0);
}

/* MUST 12 below the transaction: even inside one write lock, the UPDATE
 * spends an approval once (used = 0, checked with changes() == 1), and
 * never with another request's binding. */
Test(approvals, must_12_consume_spends_once)
{
	struct sreq q;
	int64_t id = pending_delete(&q, T0), now = 0;
	struct guard_error err = {0};
	struct guard_approval a;

	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 60, NULL), 0);
	a = get(id, T0 + 60);
	cr_assert_eq(guard_store_begin(s, T0 + 120, &now, &err), 0, "%s", err.message);
	cr_assert_eq(guard_store_approval_consume(s, id, "0000", 1, now, &err), -ESTALE,
		     "another binding's hash spends nothing");
	cr_assert_eq(guard_store_approval_consume(s, id, a.hash, 1, now, &err), 0, "%s",
		     err.message);
	cr_assert_eq(guard_store_approval_consume(s, id, a.hash, 2, now, &err), -ESTALE,
		     "a second spend in the same transaction");
	cr_assert_eq(guard_store_commit(s, &err), 0, "%s", err.message);
	guard_approval_clear(&a);
	cr_assert_eq(FIELD(id, T0 + 120, decision_id), 1, "the first spend is the one kept");
}

Test(approvals, must_13_requester_never_approves_own)
{
	struct sreq q;
	int64_t id = pending_delete(&q, T0);

	/* Even when the requester is an approver: the store refuses by uid. */
	cr_assert_eq(store_approve(s, id, 1002, "bob", T0 + 60, NULL), -EPERM);
	cr_assert_eq(FIELD(id, T0, n_votes), 0);
}

Test(approvals, must_13_approver_lists_from_the_policy)
{
	char *g_appr[] = {"guard-approvers"}, *g_admin[] = {"admins"};
	struct guard_identity carol = {
	    .name = "carol", .uid_known = true, .uid = 1003, .groups = g_appr, .n_groups = 1};
	struct guard_identity bob = {
	    .name = "bob", .uid_known = true, .uid = 1002, .groups = g_admin, .n_groups = 1};
	struct guard_policy *own =
	    test_policy("settings {\n approvers = { \"%guard-approvers\" }\n}\n"
			"rule \"r\" {\n actions = { \"user.delete\" }\n decision = approve\n"
			" approvers = { \"%admins\" }\n}\n");

	cr_assert(guard_is_approver_for(p, "one-approval", &carol));
	cr_assert_not(guard_is_approver_for(p, "one-approval", &bob));
	cr_assert(guard_is_approver_for(own, "r", &bob), "the rule's approvers");
	cr_assert_not(guard_is_approver_for(own, "r", &carol),
		      "not the settings' when the rule names its own");
	cr_assert(guard_is_approver_for(own, "gone", &carol),
		  "a rule no longer there: the settings'");
	cr_assert_not(guard_is_approver_for(own, "r\ngone", &bob), "every rule's approvers");
	cr_assert(guard_is_any_approver(own, &bob));
	cr_assert_not(guard_may_break_glass(p, &carol));
	guard_policy_free(own);
}

Test(approvals, must_13_two_approvals_need_two_distinct_people)
{
	struct sreq q;
	int64_t id = 0;
	enum guard_approval_status st;

	sreq_init(&q, "bob", 1002, "admins", GUARD_USER_PASSWORD, "dave");
	cr_assert_eq(store_outcome(s, p, &q, 0, T0, &id), GUARD_OUTCOME_PENDING);
	cr_assert_eq(FIELD(id, T0, needed), 2);
	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 10, &st), 0);
	cr_assert_eq(st, GUARD_APPROVAL_PENDING);
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 20, NULL), GUARD_OUTCOME_PENDING);
	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 30, &st), -EALREADY);
	cr_assert_eq(store_approve(s, id, 1006, "frank", T0 + 40, &st), 0);
	cr_assert_eq(st, GUARD_APPROVAL_APPROVED);
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 50, NULL), GUARD_OUTCOME_GO);
}

Test(approvals, must_13_binding_argv_host_requester_batch)
{
	struct sreq q, other;
	int64_t id = pending_delete(&q, T0), got = 0;
	uint8_t batch1[] = "dave:pw1\n", batch2[] = "dave:pw2\n";

	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 60, NULL), 0);
	other = q;
	other.r.targets = &other.t;
	other.r.argv = other.argv;
	other.b.argv = other.argv;

	other.argv[1] = "erin"; /* another argv */
	cr_assert_eq(store_outcome(s, p, &other, 0, T0 + 70, &got), GUARD_OUTCOME_PENDING);
	cr_assert_lt(store_outcome(s, p, &other, id, T0 + 70, NULL), 0, "run ID for another argv");
	other.argv[1] = "dave";
	other.b.host = "otherhost"; /* another host */
	cr_assert_eq(store_outcome(s, p, &other, 0, T0 + 70, NULL), GUARD_OUTCOME_PENDING);
	cr_assert_lt(store_outcome(s, p, &other, id, T0 + 70, NULL), 0, "run ID on another host");
	other.b.host = "testhost";
	other.b.batch = batch1; /* the same argv with a stdin batch */
	other.b.batch_len = sizeof(batch1) - 1;
	cr_assert_eq(store_outcome(s, p, &other, 0, T0 + 70, NULL), GUARD_OUTCOME_PENDING);
	{
		struct sreq eve;

		sreq_init(&eve, "eve", 1009, "admins", GUARD_USER_DELETE, "dave");
		cr_assert_lt(store_outcome(s, p, &eve, id, T0 + 70, NULL), 0, "another requester");
	}
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 80, &got), GUARD_OUTCOME_GO);
	cr_assert_eq(got, id);

	/* A batch approval binds the batch's hash. */
	{
		int64_t bid = 0;
		char h1[65], h2[65];

		other.b.batch = batch1;
		cr_assert_eq(store_outcome(s, p, &other, 0, T0 + 90, &bid), GUARD_OUTCOME_PENDING);
		cr_assert_eq(store_approve(s, bid, 1003, "carol", T0 + 95, NULL), 0);
		other.b.batch = batch2;
		guard_approval_binding_hash(&other.b, h2);
		other.b.batch = batch1;
		guard_approval_binding_hash(&other.b, h1);
		cr_assert_str_neq(h1, h2);
		other.b.batch = batch2;
		cr_assert_eq(store_outcome(s, p, &other, 0, T0 + 100, NULL), GUARD_OUTCOME_PENDING);
		other.b.batch = batch1;
		cr_assert_eq(store_outcome(s, p, &other, 0, T0 + 100, NULL), GUARD_OUTCOME_GO);
	}
}

Test(approvals, must_13_pam_binding_is_service_action_target)
{
	struct guard_approval_binding a = {.requester_uid = 1002,
					   .requester = "bob",
					   .host = "h",
					   .service = "su",
					   .action = GUARD_ROLE_ESCALATE,
					   .target = "root"};
	struct guard_approval_binding b = a;
	char ha[65], hb[65];

	guard_approval_binding_hash(&a, ha);
	b.target = "carol";
	guard_approval_binding_hash(&b, hb);
	cr_assert_str_neq(ha, hb);
	b = a;
	b.service = "sudo";
	guard_approval_binding_hash(&b, hb);
	cr_assert_str_neq(ha, hb);
	b = a;
	b.requester_uid = 1003;
	guard_approval_binding_hash(&b, hb);
	cr_assert_str_neq(ha, hb);
	b = a;
	b.requester = "someone-else"; /* names are for display only */
	guard_approval_binding_hash(&b, hb);
	cr_assert_str_eq(ha, hb);
}

Test(approvals, must_13_expiry_pending_and_from_the_grant)
{
	struct sreq q;
	int64_t id = pending_delete(&q, T0), id2;
	enum guard_approval_status st;

	/* Pending past approval_ttl: no longer approvable. */
	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 1800, &st), -ESTALE);
	cr_assert_eq(FIELD(id, T0 + 1800, status), GUARD_APPROVAL_EXPIRED);

	/* Granted at +25m: valid until +55m, not +30m. */
	id2 = pending_delete(&q, T0 + 1800);
	cr_assert_eq(store_approve(s, id2, 1003, "carol", T0 + 1800 + 1500, &st), 0);
	cr_assert_eq(FIELD(id2, T0 + 1800 + 1500, expires), T0 + 1800 + 1500 + 1800);
	cr_assert_eq(store_outcome(s, p, &q, id2, T0 + 1800 + 3299, NULL), GUARD_OUTCOME_GO);
}

Test(approvals, must_13_expired_approval_refused)
{
	struct sreq q;
	int64_t id = pending_delete(&q, T0), got = 0;

	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 10, NULL), 0);
	cr_assert_lt(store_outcome(s, p, &q, id, T0 + 10 + 1800, NULL), 0);
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 10 + 1800, &got), GUARD_OUTCOME_PENDING);
	cr_assert_neq(got, id);
}

Test(approvals, must_11_clock_set_back_revives_nothing)
{
	struct sreq q, a;
	int64_t id = pending_delete(&q, T0);

	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 10, NULL), 0);
	/* The clock jumps past the expiry, then back. */
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 4000, NULL), GUARD_OUTCOME_PENDING);
	cr_assert_lt(store_outcome(s, p, &q, id, T0 + 20, NULL), 0, "expired approval revived");

	/* A spent limit window stays spent when the clock goes back. */
	sreq_init(&a, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "zed");
	for (int i = 0; i < 10; i++)
		cr_assert_eq(store_outcome(s, p, &a, 0, T0 + 4000 + i, NULL), GUARD_OUTCOME_GO);
	cr_assert_eq(store_outcome(s, p, &a, 0, T0 + 4100, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_outcome(s, p, &a, 0, T0 - 7200, NULL), GUARD_OUTCOME_DENIED,
		     "a clock set back reopened the limit");
	cr_assert_eq(store_outcome(s, p, &a, 0, T0 + 4000 + 3600, NULL), GUARD_OUTCOME_GO);
}

Test(approvals, deny_and_list)
{
	struct sreq q, r2;
	int64_t id = pending_delete(&q, T0), id2 = 0;
	struct guard_approval *list = NULL;
	struct guard_error err = {0};
	size_t n = 0;
	int64_t t;

	sreq_init(&r2, "alice", 1001, "helpdesk", GUARD_USER_DELETE, "erin");
	cr_assert_eq(store_outcome(s, p, &r2, 0, T0 + 5, &id2), GUARD_OUTCOME_PENDING);

	cr_assert_eq(guard_store_begin(s, T0 + 10, &t, &err), 0);
	cr_assert_eq(guard_store_approval_deny(s, id, "carol", "not today", t, &err), 0);
	cr_assert_eq(guard_store_approval_deny(s, id, "carol", "again", t, &err), -ESTALE);
	cr_assert_eq(guard_store_commit(s, &err), 0);
	{
		struct guard_approval a = get(id, T0 + 10);

		cr_assert_eq(a.status, GUARD_APPROVAL_DENIED);
		cr_assert_str_eq(a.comment, "not today");
		cr_assert_str_eq(a.decided_by, "carol");
		guard_approval_clear(&a);
	}
	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 20, NULL), -ESTALE);
	cr_assert_eq(store_outcome(s, p, &q, id, T0 + 20, NULL) < 0, true);

	cr_assert_eq(guard_store_approval_list(s, false, 1002, false, T0 + 30, &list, &n, &err), 0);
	cr_assert_eq(n, 0, "bob's only request is denied");
	guard_approvals_free(list, n);
	cr_assert_eq(guard_store_approval_list(s, false, 1002, true, T0 + 30, &list, &n, &err), 0);
	cr_assert_eq(n, 1);
	guard_approvals_free(list, n);
	cr_assert_eq(guard_store_approval_list(s, true, 0, false, T0 + 30, &list, &n, &err), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(list[0].id, id2);
	cr_assert_str_eq(list[0].requester, "alice");
	guard_approvals_free(list, n);
}

Test(approvals, limit_reached_says_when)
{
	struct sreq a;
	struct guard_decision_result res;
	struct guard_error err = {0};

	sreq_init(&a, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "zed");
	for (int i = 0; i < 10; i++)
		cr_assert_eq(store_outcome(s, p, &a, 0, T0 + 60 * i, NULL), GUARD_OUTCOME_GO);
	cr_assert_eq(store_decide(s, p, &a, 0, T0 + 900, &res, &err), 0);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_DENIED);
	cr_assert_eq(res.verdict.actions[0].condition, GUARD_COND_LIMIT);
	cr_assert_eq(res.verdict.actions[0].retry_at, T0 + 3600);
	guard_verdict_clear(&res.verdict);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM limit_uses"), 10);
	cr_assert_eq(store_int(s, "SELECT count(*) FROM decisions"), 11);
}

Test(approvals, watch_lockout_and_unlock)
{
	struct sreq d, a;
	struct guard_decision_result res;
	struct guard_error err = {0};
	int64_t t;

	sreq_init(&d, "alice", 1001, "helpdesk", GUARD_USER_LOCK, "bob");
	sreq_init(&a, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "zed");
	cr_assert_eq(store_outcome(s, p, &d, 0, T0, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_outcome(s, p, &d, 0, T0 + 60, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_decide(s, p, &d, 0, T0 + 120, &res, &err), 0);
	cr_assert_eq(res.n_alerts, 1, "the third denial in 10m alerts");
	cr_assert_eq(res.alerts[0].kind, GUARD_ALERT_WATCH);
	cr_assert_str_eq(res.alerts[0].name, "denial-burst");
	cr_assert_eq(res.alerts[0].count, 3);
	cr_assert_eq(res.alerts[0].lockout_until, T0 + 120 + 1800);
	guard_verdict_clear(&res.verdict);

	/* Locked out: even an allowed action is refused, saying until when. */
	cr_assert_eq(store_decide(s, p, &a, 0, T0 + 180, &res, &err), 0);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_DENIED);
	cr_assert_eq(res.verdict.actions[0].condition, GUARD_COND_LOCKOUT);
	cr_assert_eq(res.verdict.actions[0].retry_at, T0 + 120 + 1800);
	cr_assert_eq(res.n_alerts, 0, "one alert per window");
	guard_verdict_clear(&res.verdict);

	cr_assert_eq(guard_store_begin(s, T0 + 200, &t, &err), 0);
	cr_assert_eq(guard_store_unlock(s, 1001, "carol", t, &err), 0);
	cr_assert_eq(guard_store_commit(s, &err), 0);
	cr_assert_eq(store_outcome(s, p, &a, 0, T0 + 240, NULL), GUARD_OUTCOME_GO);
	cr_assert_eq(guard_store_begin(s, T0 + 250, &t, &err), 0);
	cr_assert_eq(guard_store_unlock(s, 1001, "carol", t, &err), -ENOENT);
	guard_store_rollback(s);
	/* The lockout ends by itself too. */
	cr_assert_eq(store_int(s, "SELECT count(*) FROM lockouts WHERE lifted_by = 'carol'"), 1);
}

Test(approvals, freeze_break_glass_thaw)
{
	struct sreq a, e, deny;
	struct guard_decision_result res;
	struct guard_store_status st;
	struct guard_error err = {0};
	char *oncall[] = {"oncall"};
	int64_t t;

	cr_assert_eq(guard_store_begin(s, T0, &t, &err), 0);
	cr_assert_eq(guard_store_freeze(s, "carol", "incident 42", T0 + 7200, t, &err), 0);
	cr_assert_eq(guard_store_commit(s, &err), 0);

	sreq_init(&a, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "zed");
	cr_assert_eq(store_decide(s, p, &a, 0, T0 + 60, &res, &err), 0);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_DENIED);
	cr_assert_eq(res.verdict.actions[0].condition, GUARD_COND_FROZEN);
	cr_assert(strstr(res.verdict.actions[0].reason, "carol") != NULL, "%s",
		  res.verdict.actions[0].reason);
	cr_assert(strstr(res.verdict.actions[0].reason, "incident 42") != NULL);
	guard_verdict_clear(&res.verdict);

	/* erin (oncall) under break-glass passes the freeze, with an alert. */
	sreq_init(&e, "erin", 1005, "oncall", GUARD_USER_CREATE, "zed");
	e.groups[0] = oncall[0];
	cr_assert_eq(guard_store_begin(s, T0 + 100, &t, &err), 0);
	cr_assert_eq(guard_store_break_glass(s, 1005, "erin", "db down", t + 900, t, &err), 0);
	cr_assert_eq(guard_store_commit(s, &err), 0);
	cr_assert_eq(store_decide(s, p, &e, 0, T0 + 120, &res, &err), 0);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_GO);
	cr_assert(res.verdict.break_glass_used);
	cr_assert_eq(res.n_alerts, 1);
	cr_assert_eq(res.alerts[0].kind, GUARD_ALERT_BREAK_GLASS);
	guard_verdict_clear(&res.verdict);
	/* ... but not a deny rule. */
	sreq_init(&deny, "erin", 1005, "oncall", GUARD_USER_LOCK, "bob");
	cr_assert_eq(store_outcome(s, p, &deny, 0, T0 + 130, NULL), GUARD_OUTCOME_DENIED);
	/* Break-glass ends. */
	cr_assert_eq(store_outcome(s, p, &e, 0, T0 + 100 + 901, NULL), GUARD_OUTCOME_DENIED);

	cr_assert_eq(guard_store_status(s, T0 + 200, &st, &err), 0);
	cr_assert(st.frozen);
	cr_assert_str_eq(st.freeze.who, "carol");
	cr_assert_str_eq(st.freeze.what, "incident 42");
	cr_assert_eq(st.freeze.until, T0 + 7200);
	cr_assert_eq(st.n_break_glass, 1);
	cr_assert_str_eq(st.break_glass[0].who, "erin");
	guard_store_status_clear(&st);

	cr_assert_eq(guard_store_begin(s, T0 + 300, &t, &err), 0);
	cr_assert_eq(guard_store_thaw(s, "carol", t, &err), 0);
	cr_assert_eq(guard_store_commit(s, &err), 0);
	cr_assert_eq(store_outcome(s, p, &a, 0, T0 + 400, NULL), GUARD_OUTCOME_GO);
	cr_assert_eq(guard_store_begin(s, T0 + 500, &t, &err), 0);
	cr_assert_eq(guard_store_thaw(s, "carol", t, &err), -ENOENT);
	guard_store_rollback(s);

	/* A freeze with an end thaws by itself. */
	cr_assert_eq(guard_store_begin(s, T0 + 600, &t, &err), 0);
	cr_assert_eq(guard_store_freeze(s, "root", "maintenance", t + 60, t, &err), 0);
	cr_assert_eq(guard_store_commit(s, &err), 0);
	/* (The store's clock is past T0 + 1000 by now: it never goes back.) */
	cr_assert_eq(store_outcome(s, p, &a, 0, t + 30, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_decide(s, p, &a, 0, t + 61, &res, &err), 0);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_GO, "%s", res.verdict.actions[0].reason);
	guard_verdict_clear(&res.verdict);
}

Test(approvals, history_by_actor)
{
	struct sreq a, b;
	struct guard_history_row *rows = NULL;
	struct guard_error err = {0};
	size_t n = 0;

	sreq_init(&a, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "zed");
	sreq_init(&b, "bob", 1002, "admins", GUARD_USER_LOCK, "zed");
	cr_assert_eq(store_outcome(s, p, &a, 0, T0, NULL), GUARD_OUTCOME_GO);
	cr_assert_eq(store_outcome(s, p, &b, 0, T0 + 10, NULL), GUARD_OUTCOME_DENIED);
	cr_assert_eq(store_outcome(s, p, &a, 0, T0 + 20, NULL), GUARD_OUTCOME_GO);

	cr_assert_eq(guard_store_history(s, 0, true, 0, 100, &rows, &n, &err), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(rows[0].actor, "alice");
	cr_assert_str_eq(rows[1].actor, "bob");
	cr_assert_str_eq(rows[1].decision, "deny");
	cr_assert_str_eq(rows[1].rule, "no-lock");
	cr_assert_str_eq(rows[0].action, "user.create");
	cr_assert_str_eq(rows[0].argv, "useradd zed");
	guard_history_rows_free(rows, n);

	cr_assert_eq(guard_store_history(s, 0, false, 1001, 100, &rows, &n, &err), 0);
	cr_assert_eq(n, 2);
	guard_history_rows_free(rows, n);
	cr_assert_eq(guard_store_history(s, T0 + 15, true, 0, 100, &rows, &n, &err), 0);
	cr_assert_eq(n, 1);
	guard_history_rows_free(rows, n);
}

Test(approvals, exec_result_recorded)
{
	struct sreq a;
	struct guard_decision_result res;
	struct guard_error err = {0};

	sreq_init(&a, "alice", 1001, "helpdesk", GUARD_USER_CREATE, "zed");
	cr_assert_eq(store_decide(s, p, &a, 0, T0, &res, &err), 0);
	guard_verdict_clear(&res.verdict);
	cr_assert_eq(guard_store_exec_result(s, res.decision_id, 3 << 8, &err), 0);
	cr_assert_eq(store_int(s, "SELECT exit_status FROM decisions"), 3 << 8);
	cr_assert_eq(guard_store_exec_result(s, 9999, 0, &err), -ENOENT);
}

/* ---- MUST 18: identities and rules as they were when approved ---- */

/* Decides q once, returning the result (verdict cleared) and err. */
static int decide_why(const struct guard_policy *pol, struct sreq *q, int64_t id, int64_t now,
		      struct guard_decision_result *res, struct guard_error *err)
{
	int r = store_decide(s, pol, q, id, now, res, err);

	guard_verdict_clear(&res->verdict);
	return r;
}

/* bob asks to delete dave (uid 1004), carol approves. */
static int64_t approved_delete(struct sreq *q)
{
	int64_t id = pending_delete(q, T0);

	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 10, NULL), 0);
	return id;
}

static void existing_dave(struct sreq *q)
{
	sreq_init(q, "bob", 1002, "admins", GUARD_USER_DELETE, "dave");
	q->t.user.exists = q->t.user.uid_known = true;
	q->t.user.uid = 1004;
}

Test(approvals, must_18_target_uid_bound)
{
	struct sreq q;
	struct guard_decision_result res;
	struct guard_error err = {0};
	int64_t id = 0;
	struct guard_approval a;

	existing_dave(&q);
	cr_assert_eq(store_outcome(s, p, &q, 0, T0, &id), GUARD_OUTCOME_PENDING);
	a = get(id, T0);
	cr_assert_str_eq(a.idents, "user\tdave\t1004");
	cr_assert_eq(a.n_idents, 1);
	cr_assert_str_eq(a.actions, "user.delete of dave (uid 1004)");
	cr_assert_str_eq(a.rule_terms, "one-approval\t1\tsettings: %guard-approvers");
	guard_approval_clear(&a);
	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 10, NULL), 0);

	/* dave renamed, another account renamed to dave. */
	q.t.user.uid = 1010;
	cr_assert_eq(decide_why(p, &q, id, T0 + 20, &res, &err), -EPERM);
	cr_assert(strstr(err.message, "target dave was uid 1004 when approved, is now uid 1010"),
		  "%s", err.message);
	cr_assert_eq(decide_why(p, &q, 0, T0 + 20, &res, &err), 0);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_PENDING, "a new request, not the approved one");
	cr_assert_neq(res.approval_id, id);
	cr_assert(strstr(res.not_spent, "was uid 1004 when approved, is now uid 1010"), "%s",
		  res.not_spent);
	cr_assert_eq(FIELD(id, T0 + 20, status), GUARD_APPROVAL_APPROVED, "not spent");

	/* A target that no longer exists. */
	q.t.user.exists = q.t.user.uid_known = false;
	cr_assert_eq(decide_why(p, &q, id, T0 + 20, &res, &err), -EPERM);
	cr_assert(strstr(err.message, "target dave was uid 1004 when approved, is now no such"),
		  "%s", err.message);

	/* As it was: spent. */
	existing_dave(&q);
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 30, &id), GUARD_OUTCOME_GO);
}

Test(approvals, must_18_group_gid_bound)
{
	struct sreq q;
	struct guard_decision_result res;
	struct guard_error err = {0};
	int64_t id = 0;

	existing_dave(&q);
	q.t.group = "staff";
	q.t.gid_known = true;
	q.t.gid = 50;
	cr_assert_eq(store_outcome(s, p, &q, 0, T0, &id), GUARD_OUTCOME_PENDING);
	{
		struct guard_approval a = get(id, T0);

		cr_assert_str_eq(a.idents, "group\tstaff\t50\nuser\tdave\t1004");
		cr_assert_str_eq(a.actions, "user.delete of dave (uid 1004), group staff (gid 50)");
		guard_approval_clear(&a);
	}
	cr_assert_eq(store_approve(s, id, 1003, "carol", T0 + 10, NULL), 0);
	q.t.gid = 27; /* sudo renamed to staff */
	cr_assert_eq(decide_why(p, &q, id, T0 + 20, &res, &err), -EPERM);
	cr_assert(strstr(err.message, "group staff was gid 50 when approved, is now gid 27"), "%s",
		  err.message);
	q.t.gid = 50;
	cr_assert_eq(decide_why(p, &q, id, T0 + 20, &res, &err), 0, "%s", err.message);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_GO);
}

Test(approvals, must_18_requester_renamed)
{
	struct sreq q;
	struct guard_decision_result res;
	struct guard_error err = {0};
	int64_t id = approved_delete(&q);

	q.r.actor.name = "bobby";
	cr_assert_eq(decide_why(p, &q, id, T0 + 20, &res, &err), -EPERM);
	cr_assert(strstr(err.message, "requester bob (uid 1002) is now named bobby"), "%s",
		  err.message);
	q.r.actor.name = "bob";
	cr_assert_eq(decide_why(p, &q, id, T0 + 20, &res, &err), 0, "%s", err.message);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_GO);
}

Test(approvals, must_18_pending_reused_only_with_the_same_identities)
{
	struct sreq q;
	int64_t id = 0, again = 0;

	existing_dave(&q);
	cr_assert_eq(store_outcome(s, p, &q, 0, T0, &id), GUARD_OUTCOME_PENDING);
	q.t.user.uid = 1010;
	cr_assert_eq(store_outcome(s, p, &q, 0, T0 + 5, &again), GUARD_OUTCOME_PENDING);
	cr_assert_neq(again, id, "a request for another uid is another request");
	{
		struct guard_approval a = get(again, T0 + 5);

		cr_assert_str_eq(a.idents, "user\tdave\t1010");
		guard_approval_clear(&a);
	}
}

#define REBOUND_POLICY(extra, rules)                                                               \
	"settings {\n  timezone = \"UTC\"\n  audit = off\n"                                        \
	"  approvers = { \"%guard-approvers\" }\n  approval_ttl = 30m\n}\n" rules                  \
	"rule \"one-approval\" {\n  actions = { \"user.delete\" }\n  decision = approve\n" extra   \
	"}\n"

Test(approvals, must_18_bound_to_the_rule)
{
	struct guard_policy *stronger =
	    test_policy(REBOUND_POLICY("", "rule \"strict\" {\n  actions = { \"user.delete\" }\n"
					   "  decision = approve\n  approvals = 2\n"
					   "  approvers = { \"%security\" }\n}\n"));
	struct guard_policy *raised = test_policy(REBOUND_POLICY("  approvals = 2\n", ""));
	struct guard_policy *same = test_policy(REBOUND_POLICY("", ""));
	struct guard_decision_result res;
	struct guard_error err = {0};
	struct sreq q;
	int64_t id = approved_delete(&q);

	cr_assert_eq(decide_why(stronger, &q, id, T0 + 20, &res, &err), -EPERM);
	cr_assert(strstr(err.message,
			 "it was approved under rule \"one-approval\"; rule \"strict\" decides now "
			 "and needs 2 approvals by %security"),
		  "%s", err.message);
	cr_assert_eq(decide_why(raised, &q, id, T0 + 20, &res, &err), -EPERM);
	cr_assert(strstr(err.message, "it has 1 approval; rule \"one-approval\" now needs 2"), "%s",
		  err.message);

	/* carol left the approvers, then was renamed: her vote no longer counts. */
	fixture_voters[0].group = "users";
	cr_assert_eq(decide_why(same, &q, id, T0 + 20, &res, &err), -EPERM);
	cr_assert(strstr(err.message, "carol is no longer an approver for rule \"one-approval\""),
		  "%s", err.message);
	fixture_voters[0].group = "guard-approvers";
	fixture_voters[0].name = "carla";
	cr_assert_eq(decide_why(same, &q, id, T0 + 20, &res, &err), -EPERM);
	cr_assert(strstr(err.message, "approver carol (uid 1003) is now named carla"), "%s",
		  err.message);
	fixture_voters[0].uid = 4242; /* uid 1003 is no one now */
	cr_assert_eq(decide_why(same, &q, id, T0 + 20, &res, &err), -EPERM);
	cr_assert(strstr(err.message, "approver carol (uid 1003) no longer exists"), "%s",
		  err.message);
	fixture_voters[0] = (struct fixture_voter){1003, "carol", "guard-approvers"};

	/* Under the same rule, as it was: spent once. */
	cr_assert_eq(decide_why(same, &q, id, T0 + 20, &res, &err), 0, "%s", err.message);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_GO);
	cr_assert_eq(res.approval_id, id);
	guard_policy_free(stronger);
	guard_policy_free(raised);
	guard_policy_free(same);
}

/* A batch keeps every identity in its digest and the first lines. */
Test(approvals, terms_of_a_batch_are_bounded)
{
	struct guard_target t[100];
	char names[100][16];
	struct guard_request rq = {.targets = t, .n_targets = 100};
	struct guard_verdict v = {0};
	struct guard_approval_terms a, b;

	for (int i = 0; i < 100; i++) {
		snprintf(names[i], sizeof(names[i]), "u%03d", i);
		t[i] = (struct guard_target){.action = GUARD_USER_PASSWORD,
					     .user = {.name = names[i],
						      .exists = true,
						      .uid_known = true,
						      .uid = 2000 + (uint32_t)i}};
	}
	cr_assert_eq(guard_approval_terms_build(p, &rq, &v, &a), 0);
	cr_assert_eq(a.n_idents, 100);
	cr_assert_eq(a.n_actions, 100);
	{
		size_t lines = 1;

		for (const char *c = a.idents; *c; c++)
			lines += *c == '\n';
		cr_assert_eq(lines, GUARD_APPROVAL_MAX_IDENTS);
		lines = 1;
		for (const char *c = a.actions; *c; c++)
			lines += *c == '\n';
		cr_assert_eq(lines, GUARD_APPROVAL_MAX_ACTIONS);
	}
	/* The 100th account swapped: beyond what is kept, the digest sees it. */
	t[99].user.uid = 9999;
	cr_assert_eq(guard_approval_terms_build(p, &rq, &v, &b), 0);
	{
		char why[300];

		cr_assert_eq(
		    guard_approval_idents_check(a.idents, a.idents_digest, &b, why, sizeof(why)),
		    -EPERM);
		cr_assert(strstr(why, "resolves to another id"), "%s", why);
		cr_assert_eq(
		    guard_approval_idents_check(a.idents, a.idents_digest, &a, why, sizeof(why)),
		    0);
		cr_assert_eq(guard_approval_idents_check(NULL, NULL, &a, why, sizeof(why)), -EPERM,
			     "a request without identities is never spent");
	}
	guard_approval_terms_clear(&a);
	guard_approval_terms_clear(&b);
}

/* MUST 15 for schema 3: a version 1 store is migrated in place; its
 * approved requests stay listed and are never spent (no identities). */
Test(approvals, must_15_version_1_store_migrated)
{
	struct sreq q;
	struct guard_decision_result res;
	struct guard_error err = {0};
	int64_t id = approved_delete(&q);
	const char *down =
	    "ALTER TABLE approvals DROP COLUMN idents; ALTER TABLE approvals DROP COLUMN idents_n;"
	    "ALTER TABLE approvals DROP COLUMN idents_digest; ALTER TABLE approvals DROP COLUMN "
	    "actions; ALTER TABLE approvals DROP COLUMN actions_n; ALTER TABLE approvals DROP "
	    "COLUMN rule_terms; DROP INDEX limit_uses_at; DROP INDEX watch_alerts_at; DROP INDEX "
	    "lockouts_until; DROP INDEX break_glass_until; DROP INDEX approvals_expires; ALTER "
	    "TABLE decisions DROP COLUMN repeats; ALTER TABLE decisions DROP COLUMN last_at; "
	    "ALTER TABLE lockouts DROP COLUMN decision_id; " V4_DOWN "PRAGMA user_version = 1;";

	cr_assert_eq(sqlite3_exec(s->db, down, NULL, NULL, NULL), SQLITE_OK, "%s",
		     sqlite3_errmsg(s->db));
	guard_store_close(s);
	s = store_open(dir);
	cr_assert_eq(store_int(s, "PRAGMA user_version"), GUARD_STORE_SCHEMA_VERSION);
	{
		struct guard_approval a = get(id, T0 + 20);

		cr_assert_eq(a.status, GUARD_APPROVAL_APPROVED);
		cr_assert_null(a.idents);
		cr_assert_null(a.actions);
		guard_approval_clear(&a);
	}
	cr_assert_eq(decide_why(p, &q, id, T0 + 20, &res, &err), -EPERM);
	cr_assert(strstr(err.message, "filed before approvals bound"), "%s", err.message);
	cr_assert_eq(decide_why(p, &q, 0, T0 + 20, &res, &err), 0, "%s", err.message);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_PENDING, "a new request instead");
}
