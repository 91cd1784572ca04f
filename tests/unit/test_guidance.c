/* The guidance a person reads: whole strings, they are the product's UI. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "guidance.h"
#include "helpers.h"

#include "eval_fixture.h"

static struct guard_policy *pol;
static char line[GUARD_GUIDANCE_LINE_MAX];

static void teardown(void)
{
	guard_verdict_clear(&verdict);
	guard_policy_free(pol);
	pol = NULL;
}

TestSuite(guidance, .fini = teardown);

static const char *const onboarding =
    "privileged_groups = { \"sudo\" }\n"
    "protected_users = { \"root\", \"uid:0-999\" }\n"
    "rule \"deny-protected\" {\n"
    "  actions = { \"user.delete\", \"user.modify\" }\n"
    "  targets = { \"@protected\" }\n"
    "  decision = deny\n"
    "  message = \"System accounts are managed by configuration management; open a change "
    "request.\"\n"
    "}\n"
    "rule \"helpdesk-onboarding\" {\n"
    "  actions = { \"user.create\", \"user.modify\", \"group.member.add\" }\n"
    "  actors = { \"%helpdesk\" }\n"
    "  groups = { \"!@privileged\" }\n"
    "  time = { \"Mon-Fri 08:00-18:00\" }\n"
    "  from = { \"local\", \"10.20.0.0/16\" }\n"
    "  limit = \"10/1h\"\n"
    "  decision = allow\n"
    "  message = \"Helpdesk onboards standard accounts in office hours.\"\n"
    "}\n"
    "rule \"escalation-two-person\" {\n"
    "  actions = { \"role.escalate\" }\n"
    "  actors = { \"%helpdesk\" }\n"
    "  decision = approve\n"
    "  message = \"Granting root needs a second admin's approval.\"\n"
    "}\n";

static const char *guide(int64_t now, const struct guard_history *h,
			 const struct guard_host_state *s)
{
	guard_verdict_clear(&verdict);
	cr_assert_eq(guard_evaluate(pol, &fx.r, h, s, now, &verdict), 0);
	guard_guidance_line(&verdict, line, sizeof(line));
	return line;
}

static void command(int argc, ...)
{
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		fx.argv[i] = va_arg(ap, char *);
	va_end(ap);
	fx.r.argv = fx.argv;
	fx.r.argc = argc;
}

Test(guidance, allowed_says_nothing)
{
	pol = policy(onboarding);
	request(GUARD_USER_CREATE, "bob");
	cr_expect_str_eq(guide(at(pol, "2026-03-25 10:00"), NULL, NULL), "");
}

Test(guidance, out_of_hours)
{
	pol = policy(onboarding);
	request(GUARD_USER_CREATE, "bob");
	cr_expect_str_eq(
	    guide(at(pol, "2026-03-28 10:02"), NULL, NULL),
	    "guard: denied: user.create of bob by default: it is Sat 10:02 Europe/Berlin (rule "
	    "\"helpdesk-onboarding\" allows Mon-Fri 08:00-18:00).\n"
	    "  Helpdesk onboards standard accounts in office hours. Next: allowed from "
	    "Mon 08:00 Europe/Berlin by rule \"helpdesk-onboarding\".");
}

Test(guidance, from_outside)
{
	pol = policy(onboarding);
	request(GUARD_USER_CREATE, "bob");
	from_addr("192.0.2.7");
	cr_expect_str_eq(
	    guide(at(pol, "2026-03-25 10:00"), NULL, NULL),
	    "guard: denied: user.create of bob by default: from 192.0.2.7, not the local host "
	    "or 10.20.0.0/16 (rule \"helpdesk-onboarding\").\n"
	    "  Helpdesk onboards standard accounts in office hours. Next: allowed from the "
	    "local host or 10.20.0.0/16 by rule \"helpdesk-onboarding\".");
}

Test(guidance, wrong_actor)
{
	pol = policy(onboarding);
	request(GUARD_USER_CREATE, "bob");
	fx.actor_groups[0] = "sales";
	cr_expect_str_eq(
	    guide(at(pol, "2026-03-25 10:00"), NULL, NULL),
	    "guard: denied: user.create of bob by default: actor dave is not in %helpdesk (rule "
	    "\"helpdesk-onboarding\" allows %helpdesk).\n"
	    "  Helpdesk onboards standard accounts in office hours. Next: ask a member "
	    "of %helpdesk.");
}

Test(guidance, deny_rule_with_message)
{
	pol = policy(onboarding);
	request(GUARD_USER_DELETE, "root");
	fx.t[0].user.uid_known = true;
	cr_expect_str_eq(
	    guide(at(pol, "2026-03-25 10:00"), NULL, NULL),
	    "guard: denied: user.delete of root by rule \"deny-protected\": target root "
	    "(uid 0) is @protected.\n"
	    "  System accounts are managed by configuration management; open a change "
	    "request.");
}

Test(guidance, limit_reached)
{
	struct guard_history_use u[10];
	struct guard_history h = {.uses = u, .n_uses = 10};
	int64_t now;

	pol = policy(onboarding);
	now = at(pol, "2026-03-25 11:00");
	for (int i = 0; i < 10; i++)
		u[i] = (struct guard_history_use){.rule = "helpdesk-onboarding",
						  .when = now - 1200 - 60 * i};
	request(GUARD_USER_CREATE, "bob");
	cr_expect_str_eq(guide(now, &h, NULL),
			 "guard: denied: user.create of bob by rule \"helpdesk-onboarding\": limit "
			 "10/1h reached, next at 11:31.\n"
			 "  Helpdesk onboards standard accounts in office hours. Next: retry from "
			 "11:31 Europe/Berlin.");
}

Test(guidance, approval_needed)
{
	pol = policy(onboarding);
	request(GUARD_USER_MODIFY, "bob");
	fx.t[0].group = "sudo";
	fx.t[0].action = GUARD_GROUP_MEMBER_ADD;
	also(GUARD_ROLE_ESCALATE)->grant = "group sudo";
	command(4, "usermod", "-aG", "sudo", "bob");
	cr_expect_str_eq(guide(at(pol, "2026-03-25 10:00"), NULL, NULL),
			 "guard: denied: group.member.add of bob, group sudo by default: group "
			 "sudo is @privileged (rule \"helpdesk-onboarding\").\n"
			 "  Helpdesk onboards standard accounts in office hours. Next: ask an "
			 "approver (%guard-approvers). Also refused: role.escalate (guardctl "
			 "explain).");
	request(GUARD_ROLE_ESCALATE, "bob");
	fx.t[0].grant = "group sudo";
	command(4, "usermod", "-aG", "sudo", "bob");
	cr_expect_str_eq(guide(at(pol, "2026-03-25 10:00"), NULL, NULL),
			 "guard: approval needed: role.escalate to bob via group sudo by rule "
			 "\"escalation-two-person\": needs approval by %guard-approvers.\n"
			 "  Granting root needs a second admin's approval. Next: guardctl request "
			 "usermod -aG sudo bob, approved by %guard-approvers.");
}

Test(guidance, frozen)
{
	int64_t now;
	struct guard_host_state s = {
	    .frozen = true, .frozen_by = "alice", .frozen_reason = "release\n\x1b[31mfreeze"};

	pol = policy(onboarding);
	now = at(pol, "2026-03-25 11:00");
	s.frozen_at = now - 3 * 86400;
	request(GUARD_USER_CREATE, "bob");
	cr_expect_str_eq(guide(now, NULL, &s),
			 "guard: denied: user.create of bob: the host is frozen by alice since Sun "
			 "11:00 until thawed: release\\x0a\\x1b[31mfreeze.\n"
			 "  Next: ask root or an admin (%guard-approvers) to thaw.");
}

Test(guidance, monitor_mode)
{
	pol = policy_s("mode = monitor", onboarding);
	request(GUARD_USER_CREATE, "bob");
	fx.actor_groups[0] = "sales";
	fx.actor_groups[1] = "sales";
	from_addr("192.0.2.7");
	fx.r.layered = true; /* through PAM */
	cr_expect_str_eq(guide(at(pol, "2026-03-25 10:00"), NULL, NULL),
			 "guard: would be denied (monitor mode): user.create of bob by default: no "
			 "rule allows it.\n  Next: ask an approver (%guard-approvers).");
	/* guardctl: denied, monitor mode or not. */
	fx.r.layered = false;
	cr_expect_str_eq(guide(at(pol, "2026-03-25 10:00"), NULL, NULL),
			 "guard: denied: user.create of bob by default: no rule allows it.\n"
			 "  Next: ask an approver (%guard-approvers).");
}

Test(guidance, break_glass)
{
	int64_t now;
	struct guard_host_state s = {.break_glass = true};

	pol = policy(onboarding);
	now = at(pol, "2026-03-28 03:00");
	s.break_glass_until = now + 1799;
	request(GUARD_USER_CREATE, "bob");
	fx.actor_groups[1] = "oncall";
	cr_expect_str_eq(guide(now, NULL, &s),
			 "guard: allowed by break-glass: user.create of bob: break-glass until "
			 "03:29; this use is alerted.");
}

Test(guidance, user_text_is_escaped)
{
	pol = policy("");
	request(GUARD_USER_CREATE, "bo\x1b]0;b");
	cr_expect_str_eq(
	    guide(at(pol, "2026-03-25 10:00"), NULL, NULL),
	    "guard: denied: user.create of bo\\x1b]0;b by default: no rule allows it.\n"
	    "  Next: ask an approver (%guard-approvers).");
}

Test(guidance, bounded)
{
	char small[40];

	pol = policy(onboarding);
	request(GUARD_USER_CREATE, "bob");
	guide(at(pol, "2026-03-28 10:02"), NULL, NULL);
	cr_expect_eq(guard_guidance_line(&verdict, small, sizeof(small)), sizeof(small) - 1);
	cr_expect_str_eq(small, "guard: denied: user.create of bob by...");
}

/* The command is quoted and escaped, and masked by nobody but the
 * classifier: "-c -p -aGsudo" shows -aGsudo (here -p is -c's value). */
Test(guidance, command_quoting_masks_nothing_more)
{
	char buf[256];
	struct guard_text t;
	char *argv[] = {"usermod", "-p", "********", "-c", "Bob O'Neil", "bob"};
	char *argv2[] = {"usermod", "-c", "-p", "-aGsudo", "bob"};
	char *argv3[] = {"useradd", "-mp********", "a\nb\x01;", "--password=********"};

	guard_text_init(&t, buf, sizeof(buf));
	guard_text_command(&t, 6, argv);
	cr_expect_str_eq(buf, "usermod -p '********' -c 'Bob O'\\''Neil' bob");
	guard_text_init(&t, buf, sizeof(buf));
	guard_text_command(&t, 5, argv2);
	cr_expect_str_eq(buf, "usermod -c -p -aGsudo bob");
	guard_text_init(&t, buf, sizeof(buf));
	guard_text_command(&t, 4, argv3);
	cr_expect_str_eq(buf, "useradd '-mp********' 'a\\x0ab\\x01;' '--password=********'");
}

Test(guidance, explain_lists_every_action)
{
	char *text = NULL;
	int64_t now;

	pol = policy(onboarding);
	now = at(pol, "2026-03-28 10:02");
	request(GUARD_USER_CREATE, "bob");
	also(GUARD_ROLE_ESCALATE);
	command(2, "useradd", "bob");
	guide(now, NULL, NULL);
	cr_assert_eq(guard_guidance_explain(pol, &fx.r, &verdict, now, &text), 0);
	cr_expect_str_eq(
	    text,
	    "request:  useradd bob\n"
	    "actor:    dave (uid 1005), groups %helpdesk, %staff\n"
	    "where:    from the local host, tty pts/3, service guardctl\n"
	    "time:     Sat 2026-03-28 10:02:00 CET +01:00 Europe/Berlin\n"
	    "decision: deny\n"
	    "\n"
	    "user.create of bob: deny\n"
	    "  rule:      none: the default decides\n"
	    "  reason:    it is Sat 10:02 Europe/Berlin\n"
	    "  near miss: \"helpdesk-onboarding\" (test.conf:15) but it is Sat 10:02 "
	    "Europe/Berlin\n"
	    "  next:      allowed from Mon 08:00 Europe/Berlin by rule \"helpdesk-onboarding\"\n"
	    "\n"
	    "role.escalate to bob: approve\n"
	    "  rule:      \"escalation-two-person\" (test.conf:25)\n"
	    "  reason:    needs approval by %guard-approvers\n"
	    "  message:   Granting root needs a second admin's approval.\n"
	    "  next:      an approval alone will not do: user.create is denied\n");
	free(text);
}
