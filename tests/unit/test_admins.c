/* Guard's administration: who the admins are (the settings' admins, else
 * its approvers; never a rule's approvers), who may end a freeze, and a
 * watch that re-arms once its lockout has ended. */
#include <criterion/criterion.h>
#include <errno.h>

#include "approvers.h"
#define STORE_SUITE_OPEN
#include "store_suite.h"

static char *g_appr[] = {"guard-approvers"}, *g_admin[] = {"admins"}, *g_none[] = {"users"};
static struct guard_identity carol = {
    .name = "carol", .uid_known = true, .uid = 1003, .groups = g_appr, .n_groups = 1};
static struct guard_identity bob = {
    .name = "bob", .uid_known = true, .uid = 1002, .groups = g_admin, .n_groups = 1};
static struct guard_identity dave = {
    .name = "dave", .uid_known = true, .uid = 1004, .groups = g_none, .n_groups = 1};

#define APPROVE_RULE                                                                               \
	"rule \"r\" {\n actions = { \"user.delete\" }\n decision = approve\n"                      \
	" approvers = { \"%admins\" }\n}\n"

Test(admins, default_is_the_settings_approvers_not_a_rules)
{
	struct guard_policy *pol =
	    test_policy("settings {\n approvers = { \"%guard-approvers\" }\n}\n" APPROVE_RULE);

	cr_assert_not(pol->settings.admins.present);
	cr_assert(guard_is_admin(pol, &carol), "the settings' approvers");
	cr_assert_not(guard_is_admin(pol, &bob), "a rule's approver administers nothing");
	cr_assert(guard_is_any_approver(pol, &bob), "though he approves that rule's requests");
	cr_assert_not(guard_is_admin(pol, &dave));
	guard_policy_free(pol);
}

Test(admins, the_admins_list_replaces_the_default)
{
	struct guard_policy *pol = test_policy("settings {\n approvers = { \"%guard-approvers\" }\n"
					       " admins = { \"%admins\", \"!mallory\" }\n}\n");

	cr_assert(pol->settings.admins.present);
	cr_assert_eq(pol->settings.admins.n, 2);
	cr_assert_eq(pol->settings.admins.items[0].kind, GUARD_ITEM_GROUP);
	cr_assert_str_eq(pol->settings.admins.items[0].name, "admins");
	cr_assert(pol->settings.admins.items[1].negated);
	cr_assert(guard_is_admin(pol, &bob));
	cr_assert_not(guard_is_admin(pol, &carol),
		      "an approver is not an admin when admins is set");
	guard_policy_free(pol);
}

Test(admins, root_alone_and_no_approvers)
{
	struct guard_policy *pol = test_policy("settings {\n approvers = { \"%guard-approvers\" }\n"
					       " admins = { \"root\" }\n}\n");
	struct guard_policy *none = test_policy("# no settings\n");

	cr_assert_not(guard_is_admin(pol, &carol));
	cr_assert_not(guard_is_admin(pol, &bob));
	cr_assert_not(guard_is_admin(none, &carol), "no approvers, no admins: root alone");
	cr_assert_not(guard_is_admin(NULL, &carol));
	guard_policy_free(none);
	guard_policy_free(pol);
}

Test(admins, errors_name_their_line)
{
	test_policy_error("settings {\n admins = { \"!mallory\" }\n}\n", 1, "only excludes");
	test_policy_error("settings {\n admins = { \"!mallory\", \"!eve\" }\n}\n", 1,
			  "everyone else an admin");
	test_policy_error("settings {\n admins = { \"%\" }\n}\n", 2, "group name");
	test_policy_error("settings {\n admins = { \"@protected\" }\n}\n", 2, "\"@\"");
	test_policy_error("settings {\n admins = \"%admins\"\n admins = { \"bob\" }\n}\n", 3,
			  "set twice");
}

Test(admins, who_ends_a_freeze)
{
	cr_assert(guard_may_end_freeze(0, "root", "root"), "root ends root's");
	cr_assert(guard_may_end_freeze(0, "carol", "root"), "root ends an admin's");
	cr_assert(guard_may_end_freeze(0, NULL, NULL), "root, whatever is known");
	cr_assert_not(guard_may_end_freeze(1003, "root", "root"), "an admin, not root's");
	cr_assert(guard_may_end_freeze(1003, "carol", "root"), "an admin, his own");
	cr_assert(guard_may_end_freeze(1003, "bob", "root"), "an admin, another admin's");
	cr_assert(guard_may_end_freeze(1003, "root", "toor"),
		  "root's name is what uid 0 resolves to here");
	cr_assert_not(guard_may_end_freeze(1003, "bob", NULL), "root's name unknown: no");
	cr_assert_not(guard_may_end_freeze(1003, "bob", ""), "root's name unknown: no");
	cr_assert_not(guard_may_end_freeze(1003, NULL, "root"), "the freezer unknown: no");
}

/* ---- watches through the store (TEST_POLICY: denial-burst, 3/10m, 30m
 * lockout) ---- */

TestSuite(rearm, .init = store_suite_init, .fini = store_suite_fini);

/* One denial of alice's at t: how many alerts it raised. */
static size_t deny_at(int64_t t)
{
	struct sreq d;
	struct guard_decision_result res;
	struct guard_error err = {0};
	size_t n;

	sreq_init(&d, "alice", 1001, "helpdesk", GUARD_USER_LOCK, "bob");
	cr_assert_eq(store_decide(s, p, &d, 0, t, &res, &err), 0, "%s", err.message);
	cr_assert_eq(res.outcome, GUARD_OUTCOME_DENIED);
	n = res.n_alerts;
	guard_verdict_clear(&res.verdict);
	return n;
}

static void unlock_at(int64_t t)
{
	struct guard_error err = {0};
	int64_t now;

	cr_assert_eq(guard_store_begin(s, t, &now, &err), 0, "%s", err.message);
	cr_assert_eq(guard_store_unlock(s, 1001, "carol", now, &err), 0, "%s", err.message);
	cr_assert_eq(guard_store_commit(s, &err), 0, "%s", err.message);
}

static int64_t lockouts(void)
{
	return store_int(s, "SELECT count(*) FROM lockouts WHERE actor_uid = 1001");
}

Test(rearm, after_an_unlock_only_later_denials_count)
{
	cr_assert_eq(deny_at(T0) + deny_at(T0 + 10) + deny_at(T0 + 20), 1);
	cr_assert_eq(lockouts(), 1);
	/* Denied while locked out, in the unlock's second before it: not
	 * counted afterwards. */
	cr_assert_eq(deny_at(T0 + 30) + deny_at(T0 + 40), 0);
	unlock_at(T0 + 40);
	cr_assert_eq(deny_at(T0 + 50), 0);
	cr_assert_eq(deny_at(T0 + 60), 0, "two denials since the unlock: below 3");
	cr_assert_eq(deny_at(T0 + 70), 1, "the third since the unlock fires again");
	cr_assert_eq(lockouts(), 2);
	cr_assert_eq(store_int(s, "SELECT until FROM lockouts WHERE lifted_at IS NULL"),
		     T0 + 70 + 1800);
	cr_assert_eq(deny_at(T0 + 80), 0, "once per window still");
}

Test(rearm, after_a_lockout_runs_out)
{
	struct guard_policy *shortp = p;

	p = test_policy("settings {\n timezone = \"UTC\"\n audit = off\n}\n"
			"rule \"no-lock\" {\n actions = { \"user.lock\" }\n decision = deny\n}\n"
			"watch \"w\" {\n decisions = { \"deny\" }\n threshold = \"3/1h\"\n"
			" lockout = 5m\n}\n");
	cr_assert_eq(deny_at(T0) + deny_at(T0 + 1) + deny_at(T0 + 2), 1);
	/* Within the hour's window, but the lockout ended at T0 + 302. */
	cr_assert_eq(deny_at(T0 + 400) + deny_at(T0 + 500), 0);
	cr_assert_eq(deny_at(T0 + 600), 1, "a lockout that ran out re-arms the watch");
	cr_assert_eq(lockouts(), 2);
	guard_policy_free(p);
	p = shortp;
}

Test(rearm, without_an_unlock_once_per_window)
{
	cr_assert_eq(deny_at(T0) + deny_at(T0 + 10) + deny_at(T0 + 20), 1);
	for (int i = 1; i <= 5; i++)
		cr_assert_eq(deny_at(T0 + 20 + 60 * i), 0, "locked out: no second alert");
	cr_assert_eq(lockouts(), 1);
}
