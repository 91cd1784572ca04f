/* The evaluation: rule order, strictest across actions, the default,
 * monitor mode, limits, freeze, lockout, break-glass and near misses. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "evaluate.h"
#include "helpers.h"

#include "eval_fixture.h"

static void teardown(void)
{
	guard_verdict_clear(&verdict);
}

TestSuite(evaluate, .fini = teardown);

static const char *const onboarding =
    "privileged_groups = { \"sudo\" }\n"
    "protected_users = { \"root\", \"uid:0-999\" }\n"
    "rule \"deny-protected\" {\n"
    "  actions = { \"user.delete\", \"user.modify\" }\n"
    "  targets = { \"@protected\" }\n"
    "  decision = deny\n"
    "  message = \"System accounts are managed by configuration management.\"\n"
    "}\n"
    "rule \"helpdesk-onboarding\" {\n"
    "  actions = { \"user.create\", \"user.modify\", \"group.member.add\" }\n"
    "  actors = { \"%helpdesk\" }\n"
    "  groups = { \"!@privileged\" }\n"
    "  time = { \"Mon-Fri 08:00-18:00\" }\n"
    "  from = { \"local\", \"10.20.0.0/16\" }\n"
    "  limit = \"3/1h\"\n"
    "  decision = allow\n"
    "  message = \"Helpdesk onboards standard accounts in office hours.\"\n"
    "}\n"
    "rule \"escalation\" {\n"
    "  actions = { \"role.escalate\" }\n"
    "  actors = { \"%helpdesk\" }\n"
    "  approvers = { \"%admins\" }\n"
    "  decision = approve\n"
    "}\n";

Test(evaluate, first_rule_that_applies_decides)
{
	struct guard_policy *p = policy("rule \"a\" {\n  actions = { \"user.create\" }\n"
					"  actors = { \"alice\" }\n  decision = deny\n}\n"
					"rule \"b\" {\n  actions = { \"user.create\" }\n"
					"  decision = allow\n}\n"
					"rule \"c\" {\n  actions = { \"user.create\" }\n"
					"  decision = deny\n}\n");

	request(GUARD_USER_CREATE, "bob");
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_ALLOW);
	cr_expect_str_eq(verdict.actions[0].rule->name, "b");
	cr_expect_eq(verdict.actions[0].condition, GUARD_COND_NONE);
	cr_expect_str_eq(verdict.actions[0].reason, "");
	fx.r.actor.name = "alice";
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_str_eq(verdict.actions[0].rule->name, "a");
	cr_expect_eq(verdict.actions[0].condition, GUARD_COND_ACTORS);
	cr_expect_str_eq(verdict.actions[0].reason, "actor alice is named in the rule");
	guard_policy_free(p);
}

Test(evaluate, default_decision_when_no_rule_applies)
{
	struct guard_policy *p = policy("rule \"a\" {\n  actions = { \"user.delete\" }\n"
					"  decision = allow\n}\n");

	request(GUARD_USER_CREATE, "bob");
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_null(verdict.actions[0].rule);
	cr_expect_eq(verdict.actions[0].condition, GUARD_COND_DEFAULT);
	cr_expect_str_eq(verdict.actions[0].reason, "no rule allows it");
	cr_expect_str_eq(verdict.actions[0].safe_path, "ask an approver (%guard-approvers)");
	guard_policy_free(p);

	p = policy_s("default = allow", "");
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_ALLOW);
	cr_expect_null(verdict.actions[0].rule);
	guard_policy_free(p);

	p = policy_s("default = approve", "");
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_APPROVE);
	guard_policy_free(p);
}

Test(evaluate, strictest_action_wins)
{
	struct guard_policy *p = policy(onboarding);
	struct guard_target *g;

	request(GUARD_USER_CREATE, "bob");
	g = also(GUARD_GROUP_MEMBER_ADD);
	g->group = "staff";
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_ALLOW);
	cr_expect_eq(verdict.n_actions, 2);
	also(GUARD_ROLE_ESCALATE);
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_APPROVE);
	g->group = "sudo"; /* useradd -G sudo bob: not in onboarding, default deny */
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[0].decision, GUARD_DECISION_ALLOW);
	cr_expect_eq(verdict.actions[1].decision, GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[2].decision, GUARD_DECISION_APPROVE);
	guard_policy_free(p);
}

Test(evaluate, fails_closed)
{
	struct guard_policy *p = policy_s("default = allow", "");

	request(GUARD_USER_CREATE, "bob");
	fx.r.n_targets = 0;
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.n_actions, 0);
	request(GUARD_USER_CREATE, "bob");
	fx.t[0].action = GUARD_ACTION_COUNT;
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_str_eq(verdict.actions[0].reason, "unknown action");
	p->settings.default_decision = GUARD_DECISION_NONE;
	request(GUARD_USER_CREATE, "bob");
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	p->settings.default_decision = (enum guard_decision)7;
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	guard_verdict_clear(&verdict);
	cr_expect_neq(guard_evaluate(NULL, &fx.r, NULL, NULL, 0, &verdict), 0);
	cr_expect_eq(verdict.decision, GUARD_DECISION_DENY);
	guard_policy_free(p);
}

Test(evaluate, monitor_mode_keeps_the_decision)
{
	struct guard_policy *p = policy_s("mode = monitor", "");

	/* Through PAM (or sudo): logged only, the program decides. */
	request(GUARD_USER_CREATE, "bob");
	fx.r.service = "su";
	fx.r.layered = true;
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.mode, GUARD_MODE_MONITOR);
	cr_expect(verdict.logged_only);
	cr_expect(verdict.enforced_decision_differs);
	guard_policy_free(p);
	p = policy("");
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.mode, GUARD_MODE_ENFORCE);
	cr_expect_not(verdict.logged_only);
	cr_expect_not(verdict.enforced_decision_differs);
	guard_policy_free(p);
}

Test(evaluate, monitor_mode_never_spares_guardctl)
{
	struct guard_policy *p = policy_s("mode = monitor", "");

	/* guardctl is the only authorization of its tools: enforced, the
	 * policy's mode recorded as it is. */
	request(GUARD_USER_CREATE, "bob");
	cr_expect_not(fx.r.layered);
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.mode, GUARD_MODE_MONITOR);
	cr_expect_not(verdict.logged_only);
	cr_expect_not(verdict.enforced_decision_differs);
	guard_policy_free(p);
}

/* n uses of rule, the i-th at now - ages[i] seconds. */
static struct guard_history_use uses[16];
static struct guard_history history_of(const char *rule, int64_t now, const int64_t *ages, size_t n)
{
	for (size_t i = 0; i < n; i++)
		uses[i] = (struct guard_history_use){.rule = rule, .when = now - ages[i]};
	return (struct guard_history){.uses = uses, .n_uses = n};
}

Test(evaluate, limit_at_the_boundary)
{
	struct guard_policy *p = policy(onboarding);
	int64_t now = at(p, "2026-03-25 11:00");
	const int64_t two[] = {600, 1200};
	const int64_t three[] = {600, 1200, 3000};
	const int64_t old[] = {600, 1200, 3600};
	struct guard_history h;

	request(GUARD_USER_CREATE, "bob");
	h = history_of("helpdesk-onboarding", now, two, 2);
	cr_expect_eq(decide_at(p, now, &h, NULL), GUARD_DECISION_ALLOW);
	cr_expect_eq(verdict.n_limit_rules, 1);
	cr_expect_str_eq(verdict.limit_rules[0]->name, "helpdesk-onboarding");

	h = history_of("helpdesk-onboarding", now, three, 3);
	cr_expect_eq(decide_at(p, now, &h, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[0].condition, GUARD_COND_LIMIT);
	cr_expect_str_eq(verdict.actions[0].rule->name, "helpdesk-onboarding");
	/* The oldest use, 10:10, frees its slot an hour later. */
	cr_expect_str_eq(verdict.actions[0].reason, "limit 3/1h reached, next at 11:10");
	cr_expect_str_eq(verdict.actions[0].safe_path, "retry from 11:10 Europe/Berlin");
	cr_expect_eq(verdict.actions[0].retry_at, now - 3000 + 3600);
	cr_expect_eq(verdict.n_limit_rules, 0);

	/* A use exactly one period old no longer counts. */
	h = history_of("helpdesk-onboarding", now, old, 3);
	cr_expect_eq(decide_at(p, now, &h, NULL), GUARD_DECISION_ALLOW);
	/* Nor do other rules' uses. */
	h = history_of("other", now, three, 3);
	cr_expect_eq(decide_at(p, now, &h, NULL), GUARD_DECISION_ALLOW);
	guard_policy_free(p);
}

/* An entry of the store's may count several uses at one time (the newer
 * ones, folded): they count for the limit, and the k-th oldest use frees
 * the next slot wherever it falls. */
Test(evaluate, limit_counts_folded_uses)
{
	struct guard_policy *p = policy(onboarding);
	int64_t now = at(p, "2026-03-25 11:00");
	struct guard_history_use u[] = {
	    {.rule = "helpdesk-onboarding", .when = now - 600, .count = 3},
	    {.rule = "helpdesk-onboarding", .when = now - 3000, .count = 1},
	    {.rule = "helpdesk-onboarding", .when = now - 2400, .count = 1},
	};
	struct guard_history h = {.uses = u, .n_uses = 1};

	request(GUARD_USER_CREATE, "bob");
	/* 3 uses at 10:50 alone reach 3/1h; they free a slot at 11:50. */
	cr_expect_eq(decide_at(p, now, &h, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[0].retry_at, now - 600 + 3600);
	/* 5 uses (2 past the limit, under break-glass): the third oldest,
	 * the first of 10:50's, frees it. */
	h.n_uses = 3;
	cr_expect_eq(decide_at(p, now, &h, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[0].retry_at, now - 600 + 3600);
	/* 2 folded uses and the 10:10 one: at the limit, the oldest frees it. */
	u[0].count = 2;
	u[2].when = now - 4000; /* out of the hour */
	cr_expect_eq(decide_at(p, now, &h, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[0].retry_at, now - 3000 + 3600);
	guard_policy_free(p);
}

Test(evaluate, limit_next_at_rounds_up_and_names_the_day)
{
	struct guard_policy *p = policy("rule \"r\" {\n  actions = { \"user.create\" }\n"
					"  limit = \"1/1d\"\n  decision = allow\n}\n");
	int64_t now = at(p, "2026-03-25 11:00");
	const int64_t one[] = {3600 - 30};
	struct guard_history h = history_of("r", now, one, 1);

	request(GUARD_USER_CREATE, "bob");
	cr_expect_eq(decide_at(p, now, &h, NULL), GUARD_DECISION_DENY);
	cr_expect_str_eq(verdict.actions[0].reason, "limit 1/1d reached, next at Thu 10:01");
	guard_policy_free(p);
}

Test(evaluate, one_request_spends_a_rule_once)
{
	struct guard_policy *p = policy(onboarding);

	request(GUARD_USER_CREATE, "bob");
	also(GUARD_GROUP_MEMBER_ADD)->group = "staff";
	also(GUARD_GROUP_MEMBER_ADD)->group = "users";
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_ALLOW);
	cr_expect_eq(verdict.n_limit_rules, 1);
	guard_policy_free(p);
}

Test(evaluate, frozen_denies_with_who_and_why)
{
	struct guard_policy *p = policy_s("default = allow", "");
	int64_t now = at(p, "2026-03-25 11:00");
	struct guard_host_state s = {.frozen = true,
				     .frozen_by = "alice",
				     .frozen_reason = "migration",
				     .frozen_at = now - 1800,
				     .frozen_until = now + 3600};

	request(GUARD_USER_CREATE, "bob");
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[0].condition, GUARD_COND_FROZEN);
	cr_expect_str_eq(verdict.actions[0].reason,
			 "the host is frozen by alice since 10:30 until 12:00: migration");
	cr_expect_str_eq(verdict.actions[0].safe_path,
			 "retry from 12:00 Europe/Berlin, or ask root or an admin "
			 "(%guard-approvers) to thaw");
	s.frozen_until = 0;
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_DENY);
	cr_expect_str_eq(verdict.actions[0].reason,
			 "the host is frozen by alice since 10:30 until thawed: migration");
	s.frozen_until = now; /* over */
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_ALLOW);
	guard_policy_free(p);
}

Test(evaluate, lockout_denies_until)
{
	struct guard_policy *p = policy_s("default = allow", "");
	int64_t now = at(p, "2026-03-25 11:10");
	struct guard_host_state s = {
	    .locked_out = true, .lockout_watch = "denial-burst", .lockout_until = now + 1790};

	request(GUARD_USER_CREATE, "bob");
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[0].condition, GUARD_COND_LOCKOUT);
	cr_expect_str_eq(verdict.actions[0].reason, "locked out by watch denial-burst until 11:40");
	cr_expect_str_eq(verdict.actions[0].safe_path,
			 "retry from 11:40 Europe/Berlin, or ask an admin (%guard-approvers) "
			 "to run guardctl unlock dave");
	s.lockout_until = now - 1;
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_ALLOW);
	guard_policy_free(p);

	/* The admins lift lockouts, not the approvers. */
	p = policy_s("default = allow\n  admins = { \"%admins\" }", "");
	s.lockout_until = now + 1790;
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_DENY);
	cr_expect_str_eq(verdict.actions[0].safe_path,
			 "retry from 11:40 Europe/Berlin, or ask an admin (%admins) "
			 "to run guardctl unlock dave");
	guard_policy_free(p);
}

Test(evaluate, break_glass_passes_all_but_deny_rules)
{
	struct guard_policy *p = policy(onboarding);
	int64_t now = at(p, "2026-03-28 03:00"); /* Saturday night */
	struct guard_host_state s = {.break_glass = true, .break_glass_until = now + 900};

	fx.actor_groups[0] = "oncall";
	request(GUARD_USER_CREATE, "bob");
	fx.actor_groups[1] = "oncall";
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_ALLOW);
	cr_expect(verdict.break_glass_used);
	cr_expect(verdict.actions[0].break_glass);
	cr_expect_str_eq(verdict.actions[0].reason, "break-glass until 03:15");

	/* Freeze and lockout too. */
	s.frozen = true;
	s.locked_out = true;
	also(GUARD_ROLE_ESCALATE);
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_ALLOW);

	/* A deny rule still denies. */
	request(GUARD_USER_DELETE, "root");
	fx.actor_groups[1] = "oncall";
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_DENY);
	cr_expect_str_eq(verdict.actions[0].rule->name, "deny-protected");
	cr_expect_not(verdict.break_glass_used);

	/* Expired, or the actor is no longer in break_glass: nothing passes. */
	request(GUARD_USER_CREATE, "bob");
	fx.actor_groups[1] = "oncall";
	s.frozen = s.locked_out = false;
	s.break_glass_until = now;
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_DENY);
	s.break_glass_until = now + 900;
	fx.actor_groups[1] = "staff";
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_DENY);
	guard_policy_free(p);
}

Test(evaluate, break_glass_over_a_limit)
{
	struct guard_policy *p = policy(onboarding);
	int64_t now = at(p, WEDNESDAY);
	const int64_t three[] = {60, 120, 180};
	struct guard_history h = history_of("helpdesk-onboarding", now, three, 3);
	struct guard_host_state s = {.break_glass = true, .break_glass_until = now + 900};

	request(GUARD_USER_CREATE, "bob");
	fx.actor_groups[1] = "oncall";
	cr_expect_eq(decide_at(p, now, &h, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(decide_at(p, now, &h, &s), GUARD_DECISION_ALLOW);
	cr_expect(verdict.break_glass_used);
	/* Within its rights without break-glass: no alert. */
	cr_expect_eq(decide_at(p, now, NULL, &s), GUARD_DECISION_ALLOW);
	cr_expect_not(verdict.break_glass_used);
	guard_policy_free(p);
}

Test(evaluate, near_miss_needs_exactly_one_failed_matcher)
{
	struct guard_policy *p = policy(onboarding);
	const struct guard_action_verdict *av;

	request(GUARD_USER_CREATE, "bob");
	cr_expect_eq(decide_at(p, at(p, "2026-03-28 10:02"), NULL, NULL), GUARD_DECISION_DENY);
	av = &verdict.actions[0];
	cr_expect_null(av->rule);
	cr_expect_eq(av->condition, GUARD_COND_DEFAULT);
	cr_assert_eq(av->n_near_misses, 1);
	cr_expect_str_eq(av->near_misses[0].rule->name, "helpdesk-onboarding");
	cr_expect_eq(av->near_misses[0].condition, GUARD_COND_TIME);
	cr_expect_str_eq(av->near_misses[0].why, "it is Sat 10:02 Europe/Berlin");
	cr_expect_str_eq(av->reason, "it is Sat 10:02 Europe/Berlin");
	cr_expect_str_eq(av->safe_path,
			 "allowed from Mon 08:00 Europe/Berlin by rule \"helpdesk-onboarding\"");
	cr_expect_eq(av->next_open, at(p, "2026-03-30 08:00"));

	/* Saturday and from outside: two conditions, no near miss. */
	from_addr("192.0.2.7");
	cr_expect_eq(decide_at(p, at(p, "2026-03-28 10:02"), NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[0].n_near_misses, 0);
	cr_expect_str_eq(verdict.actions[0].reason, "no rule allows it");

	/* Only from outside. */
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	av = &verdict.actions[0];
	cr_assert_eq(av->n_near_misses, 1);
	cr_expect_eq(av->near_misses[0].condition, GUARD_COND_FROM);
	cr_expect_str_eq(av->near_misses[0].why,
			 "from 192.0.2.7, not the local host or 10.20.0.0/16");
	cr_expect_str_eq(
	    av->safe_path,
	    "allowed from the local host or 10.20.0.0/16 by rule \"helpdesk-onboarding\"");
	guard_policy_free(p);
}

Test(evaluate, near_miss_on_actor_and_group)
{
	struct guard_policy *p = policy(onboarding);
	const struct guard_action_verdict *av;

	request(GUARD_USER_CREATE, "bob");
	fx.actor_groups[0] = "sales";
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	av = &verdict.actions[0];
	cr_assert_eq(av->n_near_misses, 1);
	cr_expect_str_eq(av->near_misses[0].why, "actor dave is not in %helpdesk");
	cr_expect_str_eq(av->safe_path, "ask a member of %helpdesk");

	request(GUARD_GROUP_MEMBER_ADD, "bob");
	fx.t[0].group = "sudo";
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	av = &verdict.actions[0];
	cr_assert_eq(av->n_near_misses, 1);
	cr_expect_str_eq(av->near_misses[0].why, "group sudo is @privileged");
	cr_expect_str_eq(av->safe_path, "ask an approver (%guard-approvers)");
	guard_policy_free(p);
}

Test(evaluate, deny_rule_reason_and_message_as_advice)
{
	struct guard_policy *p = policy_s(
	    "default = allow", "protected_users = { \"root\", \"uid:0-999\" }\n"
			       "rule \"deny-protected\" {\n"
			       "  actions = { \"user.delete\" }\n  targets = { \"@protected\" }\n"
			       "  decision = deny\n  message = \"Open a change request.\"\n}\n"
			       "rule \"no-msg\" {\n  actions = { \"user.lock\" }\n"
			       "  decision = deny\n}\n");

	request(GUARD_USER_DELETE, "root");
	fx.t[0].user.uid_known = true;
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[0].condition, GUARD_COND_TARGETS);
	cr_expect_str_eq(verdict.actions[0].reason, "target root (uid 0) is @protected");
	cr_expect_str_eq(verdict.actions[0].safe_path, "");
	request(GUARD_USER_LOCK, "bob");
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[0].condition, GUARD_COND_ACTION);
	cr_expect_str_eq(verdict.actions[0].reason, "the rule covers every user.lock");
	cr_expect_str_eq(verdict.actions[0].safe_path, "ask an approver (%guard-approvers)");
	guard_policy_free(p);
}

Test(evaluate, approve_names_command_and_approvers)
{
	struct guard_policy *p = policy(onboarding);

	request(GUARD_ROLE_ESCALATE, "bob");
	fx.t[0].group = "sudo";
	fx.r.argv = fx.argv;
	fx.r.argc = 4;
	fx.argv[0] = "usermod";
	fx.argv[1] = "-aG";
	fx.argv[2] = "sudo";
	fx.argv[3] = "bob";
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_APPROVE);
	cr_expect_str_eq(verdict.actions[0].reason, "needs approval by %admins");
	cr_expect_str_eq(verdict.actions[0].safe_path,
			 "guardctl request usermod -aG sudo bob, approved by %admins");
	/* PAM: no command, the service and the target. */
	fx.r.argv = NULL;
	fx.r.argc = 0;
	fx.r.service = "su";
	cr_expect_eq(decide_at(p, at(p, WEDNESDAY), NULL, NULL), GUARD_DECISION_APPROVE);
	cr_expect_str_eq(verdict.actions[0].safe_path,
			 "guardctl request --service su --target bob, approved by %admins");
	guard_policy_free(p);
}

Test(evaluate, condition_names)
{
	cr_expect_str_eq(guard_condition_name(GUARD_COND_TIME), "time");
	cr_expect_str_eq(guard_condition_name(GUARD_COND_DEFAULT), "default");
	cr_expect_str_eq(guard_condition_name((enum guard_condition)99), "unknown");
}

Test(evaluate, unknown_local_time_refuses_a_time_rule)
{
	struct guard_tz *tz;
	struct guard_policy *p =
	    policy_s("default = allow", "rule \"night\" {\n  actions = { \"user.create\" }\n"
					"  time = { \"!22:00-06:00\" }\n  decision = deny\n}\n");
	tz = p->tz;
	p->tz = NULL; /* a zone that cannot convert now */
	request(GUARD_USER_CREATE, "bob");
	cr_expect_eq(decide_at(p, 0, NULL, NULL), GUARD_DECISION_DENY);
	cr_expect_eq(verdict.actions[0].condition, GUARD_COND_TIME);
	cr_expect_str_eq(verdict.actions[0].reason,
			 "rule cannot be evaluated: the local time is unknown");
	p->tz = tz;
	guard_policy_free(p);
}
