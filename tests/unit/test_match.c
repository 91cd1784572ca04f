/* The matchers, one form at a time: each test is a one-rule policy that
 * allows when its matcher matches, over a default deny. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "evaluate.h"
#include "helpers.h"
#include "match.h"

#include "eval_fixture.h"

/* Does a rule with this matcher line allow the request at the local time? */
static bool matches_at(const char *matcher, const char *when)
{
	char text[2048];
	struct guard_policy *p;
	enum guard_decision d;

	snprintf(
	    text, sizeof(text),
	    "privileged_groups = { \"sudo\", \"docker\" }\n"
	    "protected_users = { \"root\", \"uid:0-999\" }\n"
	    "rule \"r\" {\n  actions = { \"user.create\", \"user.modify\", \"group.member.add\" }\n"
	    "  %s\n  decision = allow\n}\n",
	    matcher);
	p = policy(text);
	d = decide_at(p, at(p, when), NULL, NULL);
	guard_verdict_clear(&verdict);
	guard_policy_free(p);
	return d == GUARD_DECISION_ALLOW;
}

static bool matches(const char *matcher)
{
	return matches_at(matcher, WEDNESDAY);
}

Test(match, missing_matcher_matches_anything)
{
	request(GUARD_USER_CREATE, "bob");
	cr_expect(matches(""));
	fx.r.location = GUARD_LOCATION_UNKNOWN;
	fx.r.service = NULL;
	cr_expect(matches(""));
}

Test(match, actors_name_group_uid_any)
{
	request(GUARD_USER_CREATE, "bob");
	cr_expect(matches("actors = { \"dave\" }"));
	cr_expect_not(matches("actors = { \"alice\" }"));
	cr_expect(matches("actors = { \"%helpdesk\" }"));
	cr_expect(matches("actors = { \"alice\", \"%staff\" }"));
	cr_expect_not(matches("actors = { \"%admins\" }"));
	cr_expect(matches("actors = { \"uid:1000-1999\" }"));
	cr_expect(matches("actors = { \"uid:1005\" }"));
	cr_expect_not(matches("actors = { \"uid:1006-1999\" }"));
	cr_expect(matches("actors = { \"*\" }"));
}

Test(match, actors_negation)
{
	request(GUARD_USER_CREATE, "bob");
	cr_expect_not(matches("actors = { \"!dave\" }"));
	cr_expect(matches("actors = { \"!alice\" }"));
	cr_expect_not(matches("actors = { \"%helpdesk\", \"!%staff\" }"));
	cr_expect_not(matches("actors = { \"*\", \"!uid:1000-1999\" }"));
	cr_expect(matches("actors = { \"*\", \"!%contractors\" }"));
}

Test(match, actor_without_uid_matches_no_uid_item)
{
	request(GUARD_USER_CREATE, "bob");
	fx.r.actor.uid_known = false;
	cr_expect_not(matches("actors = { \"uid:0-4294967293\" }"));
	cr_expect(matches("actors = { \"dave\", \"!uid:0-999\" }"));
}

Test(match, targets_forms)
{
	request(GUARD_USER_MODIFY, "bob");
	fx.t[0].user.uid_known = true;
	fx.t[0].user.uid = 1200;
	fx.target_groups[0] = "students";
	fx.t[0].user.groups = fx.target_groups;
	fx.t[0].user.n_groups = 1;
	cr_expect(matches("targets = { \"bob\" }"));
	cr_expect_not(matches("targets = { \"root\" }"));
	cr_expect(matches("targets = { \"%students\" }"));
	cr_expect_not(matches("targets = { \"%staff\" }"));
	cr_expect(matches("targets = { \"uid:1000-59999\" }"));
	cr_expect_not(matches("targets = { \"uid:60000-65000\" }"));
	cr_expect(matches("targets = { \"!@protected\" }"));
	cr_expect_not(matches("targets = { \"@protected\" }"));
	cr_expect(matches("targets = { \"*\", \"!%staff\" }"));
	cr_expect_not(matches("targets = { \"*\", \"!%students\" }"));
}

Test(match, protected_by_name_uid_or_grant)
{
	request(GUARD_USER_MODIFY, "root");
	cr_expect(matches("targets = { \"@protected\" }"));
	request(GUARD_USER_MODIFY, "daemon");
	fx.t[0].user.uid_known = true;
	fx.t[0].user.uid = 1;
	cr_expect(matches("targets = { \"@protected\" }"));
	request(GUARD_USER_CREATE, "svc");
	cr_expect_not(matches("targets = { \"@protected\" }"));
	fx.t[0].protected_grant = true; /* useradd -r svc */
	cr_expect(matches("targets = { \"@protected\" }"));
	cr_expect_not(matches("targets = { \"!@protected\" }"));
}

Test(match, target_uid_unknown_matches_no_uid_item)
{
	request(GUARD_USER_CREATE, "bob");
	cr_expect_not(matches("targets = { \"uid:1000-59999\" }"));
	cr_expect(matches("targets = { \"!uid:0-999\" }"));
}

Test(match, no_target_user_matches_no_item)
{
	request(GUARD_GROUP_MEMBER_ADD, NULL);
	fx.t[0].group = "staff";
	cr_expect_not(matches("targets = { \"*\" }"));
	cr_expect_not(matches("targets = { \"@protected\" }"));
	cr_expect(matches("targets = { \"!@protected\" }"));
	cr_expect(matches("targets = { \"!bob\" }"));
}

Test(match, groups_forms)
{
	request(GUARD_GROUP_MEMBER_ADD, "bob");
	fx.t[0].group = "sudo";
	fx.t[0].gid_known = true;
	fx.t[0].gid = 27;
	cr_expect(matches("groups = { \"sudo\" }"));
	cr_expect_not(matches("groups = { \"staff\" }"));
	cr_expect(matches("groups = { \"gid:0-999\" }"));
	cr_expect_not(matches("groups = { \"gid:1000-1999\" }"));
	cr_expect(matches("groups = { \"@privileged\" }"));
	cr_expect_not(matches("groups = { \"!@privileged\" }"));
	cr_expect(matches("groups = { \"*\" }"));
	cr_expect_not(matches("groups = { \"*\", \"!sudo\" }"));
	fx.t[0].group = "staff";
	fx.t[0].gid = 50;
	cr_expect(matches("groups = { \"!@privileged\" }"));
	fx.t[0].group = NULL; /* gid 0 is privileged whatever its name */
	fx.t[0].gid = 0;
	cr_expect(matches("groups = { \"@privileged\" }"));
}

Test(match, no_group_target_matches_no_item)
{
	request(GUARD_USER_CREATE, "bob"); /* useradd bob */
	cr_expect(matches("groups = { \"!@privileged\" }"));
	cr_expect_not(matches("groups = { \"@privileged\" }"));
	cr_expect_not(matches("groups = { \"*\" }"));
	cr_expect_not(matches("groups = { \"gid:0-65535\" }"));
}

Test(match, time_window_edges)
{
	request(GUARD_USER_CREATE, "bob");
	cr_expect(matches_at("time = { \"Mon-Fri 08:00-18:00\" }", "2026-03-25 08:00"));
	cr_expect_not(matches_at("time = { \"Mon-Fri 08:00-18:00\" }", "2026-03-25 07:59:59"));
	cr_expect(matches_at("time = { \"Mon-Fri 08:00-18:00\" }", "2026-03-25 17:59:59"));
	cr_expect_not(matches_at("time = { \"Mon-Fri 08:00-18:00\" }", "2026-03-25 18:00"));
	cr_expect_not(matches_at("time = { \"Mon-Fri 08:00-18:00\" }", "2026-03-28 10:02"));
	cr_expect(matches_at("time = { \"Mon-Fri 08:00-18:00\", \"Sat,Sun 10:00-14:00\" }",
			     "2026-03-28 10:02"));
	cr_expect(matches_at("time = { \"*\" }", "2026-03-28 03:00"));
	cr_expect_not(matches_at("time = { \"!Sat,Sun 00:00-24:00\" }", "2026-03-28 10:02"));
	cr_expect(matches_at("time = { \"!Sat,Sun 00:00-24:00\" }", "2026-03-27 23:59"));
}

Test(match, time_window_across_midnight)
{
	request(GUARD_USER_CREATE, "bob");
	/* Fri 22:00-06:00 covers Saturday 03:00, not Friday 03:00. */
	cr_expect(matches_at("time = { \"Fri 22:00-06:00\" }", "2026-03-28 03:00"));
	cr_expect(matches_at("time = { \"Fri 22:00-06:00\" }", "2026-03-27 22:00"));
	cr_expect_not(matches_at("time = { \"Fri 22:00-06:00\" }", "2026-03-27 03:00"));
	cr_expect_not(matches_at("time = { \"Fri 22:00-06:00\" }", "2026-03-28 06:00"));
	cr_expect(matches_at("time = { \"22:00-06:00\" }", "2026-03-25 05:59"));
}

Test(match, time_window_on_dst_change_day)
{
	request(GUARD_USER_CREATE, "bob");
	/* 2026-03-29: Berlin jumps from 02:00 CET to 03:00 CEST. 00:30 UTC
	 * is 01:30 CET; 01:30 UTC is 03:30 CEST. */
	cr_expect(matches_at("time = { \"Sun 01:00-02:00\" }", "2026-03-29 01:30"));
	{
		struct guard_policy *p = policy("rule \"r\" {\n  actions = { \"user.create\" }\n"
						"  time = { \"Sun 03:00-04:00\" }\n"
						"  decision = allow\n}\n");
		int64_t utc_0130 = 1774747800; /* 2026-03-29 01:30:00 UTC */

		cr_expect_eq(decide_at(p, utc_0130, NULL, NULL), GUARD_DECISION_ALLOW);
		cr_expect_eq(decide_at(p, utc_0130 - 3600, NULL, NULL), GUARD_DECISION_DENY);
		/* 2026-10-25: 02:30 happens twice; both are inside 02:00-03:00. */
		guard_verdict_clear(&verdict);
		guard_policy_free(p);
		p = policy("rule \"r\" {\n  actions = { \"user.create\" }\n"
			   "  time = { \"Sun 02:00-03:00\" }\n  decision = allow\n}\n");
		cr_expect_eq(decide_at(p, 1792888200, NULL, NULL), GUARD_DECISION_ALLOW);
		cr_expect_eq(decide_at(p, 1792891800, NULL, NULL), GUARD_DECISION_ALLOW);
		cr_expect_eq(decide_at(p, 1792895400, NULL, NULL), GUARD_DECISION_DENY);
		guard_verdict_clear(&verdict);
		guard_policy_free(p);
	}
}

Test(match, from_local_remote_unknown)
{
	request(GUARD_USER_CREATE, "bob");
	cr_expect(matches("from = { \"local\" }"));
	cr_expect_not(matches("from = { \"remote\" }"));
	cr_expect(matches("from = { \"!remote\" }"));
	from_addr("192.0.2.7");
	cr_expect(matches("from = { \"remote\" }"));
	cr_expect_not(matches("from = { \"local\" }"));
	fx.r.location = GUARD_LOCATION_UNKNOWN;
	cr_expect_not(matches("from = { \"local\" }"));
	cr_expect_not(matches("from = { \"remote\" }"));
	cr_expect_not(matches("from = { \"*\" }"));
	cr_expect_not(matches("from = { \"tty:pts/*\" }"));
	cr_expect(matches("from = { \"!192.0.2.0/24\" }"));
}

Test(match, from_cidr_v4_v6)
{
	request(GUARD_USER_CREATE, "bob");
	from_addr("10.20.3.4");
	cr_expect(matches("from = { \"local\", \"10.20.0.0/16\" }"));
	cr_expect_not(matches("from = { \"10.21.0.0/16\" }"));
	cr_expect(matches("from = { \"10.20.3.4\" }"));
	cr_expect_not(matches("from = { \"remote\", \"!10.0.0.0/8\" }"));
	from_addr("2001:db8::17");
	cr_expect(matches("from = { \"2001:db8::/32\" }"));
	cr_expect_not(matches("from = { \"2001:db9::/32\" }"));
	cr_expect_not(matches("from = { \"10.0.0.0/8\" }"));
	/* A remote host known only by name matches remote, no network. */
	fx.r.addr_known = false;
	fx.r.rhost = "build.example.org";
	cr_expect(matches("from = { \"remote\" }"));
	cr_expect_not(matches("from = { \"0.0.0.0/0\", \"::/0\" }"));
}

Test(match, from_tty)
{
	request(GUARD_USER_CREATE, "bob");
	cr_expect(matches("from = { \"tty:pts/*\" }"));
	cr_expect_not(matches("from = { \"tty:tty*\" }"));
	fx.r.tty = "/dev/tty1";
	cr_expect(matches("from = { \"tty:tty*\" }"));
	fx.r.tty = NULL;
	cr_expect_not(matches("from = { \"tty:*\" }"));
	cr_expect(matches("from = { \"local\", \"!tty:pts/*\" }"));
}

Test(match, services)
{
	request(GUARD_USER_CREATE, "bob");
	cr_expect(matches("services = { \"guardctl\" }"));
	cr_expect_not(matches("services = { \"sshd\" }"));
	cr_expect(matches("services = { \"!sshd\" }"));
	cr_expect_not(matches("services = { \"*\", \"!guardctl\" }"));
	fx.r.service = NULL;
	cr_expect_not(matches("services = { \"*\" }"));
	cr_expect(matches("services = { \"!sshd\" }"));
}

Test(match, every_matcher_must_match)
{
	request(GUARD_USER_CREATE, "bob");
	cr_expect(matches("actors = { \"%helpdesk\" }\n  from = { \"local\" }\n"
			  "  services = { \"guardctl\" }"));
	cr_expect_not(matches("actors = { \"%helpdesk\" }\n  from = { \"remote\" }\n"
			      "  services = { \"guardctl\" }"));
}

Test(match, action_must_be_listed)
{
	request(GUARD_USER_DELETE, "bob");
	cr_expect_not(matches(""));
}

/* @protected is computed (docs/design.md, "The privilege model"): every uid-0
 * account and every existing member of a @privileged group, role groups
 * included; the reason says which. */
static void protected_reason_is(const char *matcher, const char *words)
{
	char text[2048], buf[1024];
	struct guard_text out;
	struct guard_policy *p;

	snprintf(text, sizeof(text),
		 "privileged_groups = { \"sudo\" }\nprotected_users = { \"root\" }\n"
		 "rule \"r\" {\n  actions = { \"user.modify\" }\n  %s\n  decision = deny\n}\n",
		 matcher);
	p = policy(text);
	guard_text_init(&out, buf, sizeof(buf));
	guard_match_why_applied(
	    &(struct guard_match_ctx){.policy = p, .request = &fx.r, .target = &fx.t[0]},
	    &p->rules[0], &out);
	cr_expect(strstr(buf, words) != NULL, "'%s' does not say '%s'", buf, words);
	guard_policy_free(p);
}

static void target_in(const char *group)
{
	request(GUARD_USER_MODIFY, "vic");
	fx.t[0].user.exists = true;
	fx.t[0].user.uid_known = true;
	fx.t[0].user.uid = 1234;
	fx.target_groups[0] = "vic";
	fx.target_groups[1] = (char *)group;
	fx.t[0].user.groups = fx.target_groups;
	fx.t[0].user.n_groups = group ? 2 : 1;
}

Test(match, protected_members_of_privileged_groups)
{
	target_in(NULL);
	cr_expect_not(matches("targets = { \"@protected\" }"), "a plain account");
	target_in("users");
	cr_expect_not(matches("targets = { \"@protected\" }"), "in a plain group");
	target_in("sudo");
	cr_expect(matches("targets = { \"@protected\" }"), "a sudo member");
	cr_expect_not(matches("targets = { \"!@protected\" }"));
	target_in("oncall"); /* the fixture's break_glass */
	cr_expect(matches("targets = { \"@protected\" }"), "a break-glass member");
	target_in("guard-approvers"); /* the fixture's approvers */
	cr_expect(matches("targets = { \"@protected\" }"), "an approver");
	target_in("helpdesk");
	cr_expect_not(matches("targets = { \"@protected\" }"), "no rule gives helpdesk a role");
	cr_expect(matches("actors = { \"%helpdesk\" }\n  targets = { \"@protected\" }"),
		  "a member of a rule's actors");
	target_in("sudo");
	fx.t[0].user.exists = false; /* useradd -G sudo vic: not a member yet */
	cr_expect_not(matches("targets = { \"@protected\" }"), "an account still to be made");
}

Test(match, protected_uid0_under_any_name)
{
	target_in(NULL);
	fx.t[0].user.name = "toor";
	fx.t[0].user.uid = 0;
	cr_expect(matches("targets = { \"@protected\" }"));
	fx.t[0].user.uid_known = false;
	cr_expect_not(matches("targets = { \"@protected\" }"));
}

Test(match, protected_says_why)
{
	target_in("sudo");
	protected_reason_is(
	    "targets = { \"@protected\" }",
	    "target vic (uid 1234) is @protected (vic is in sudo, a privileged group)");
	target_in("oncall");
	protected_reason_is("targets = { \"@protected\" }",
			    "(vic is in %oncall, a Guard role: %oncall may break the glass)");
	target_in(NULL);
	fx.t[0].user.name = "toor";
	fx.t[0].user.uid = 0;
	protected_reason_is("targets = { \"@protected\" }", "is @protected (toor has uid 0)");
	request(GUARD_USER_MODIFY, "root");
	protected_reason_is("targets = { \"@protected\" }", "target root is @protected");
}

Test(match, privileged_role_group_says_why)
{
	request(GUARD_GROUP_MEMBER_ADD, "bob");
	fx.t[0].group = "oncall";
	cr_expect(matches("groups = { \"@privileged\" }"), "a role group is @privileged");
	cr_expect_not(matches("groups = { \"!@privileged\" }"));
	fx.t[0].group = "helpdesk";
	cr_expect_not(matches("groups = { \"@privileged\" }"));
	cr_expect(matches("actors = { \"%helpdesk\" }\n  groups = { \"@privileged\" }"),
		  "the actors of an allow rule are a role");
}

/* An account a role list names by name or uid range holds the role as a
 * role group's member does: @protected, and said so. */
Test(match, protected_role_by_name_or_uid)
{
	static const char *const roles[] = {
	    "rule \"role\" {\n  actions = { \"user.create\" }\n  actors = { \"%helpdesk\" }\n"
	    "  decision = approve\n  approvers = { \"vic\" }\n}\n",
	    "rule \"role\" {\n  actions = { \"user.create\" }\n  actors = { \"uid:1000-1300\" }\n"
	    "  decision = allow\n}\n",
	    "rule \"role\" {\n  actions = { \"user.create\" }\n  actors = { \"vic\" }\n"
	    "  decision = allow\n}\n",
	    "",
	};

	target_in("users");
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		char text[1024], buf[1024];
		struct guard_text out;
		struct guard_policy *p;
		enum guard_decision d;

		snprintf(text, sizeof(text),
			 "%srule \"r\" {\n  actions = { \"user.modify\" }\n"
			 "  targets = { \"@protected\" }\n  decision = allow\n}\n",
			 roles[i]);
		p = policy(text);
		d = decide_at(p, at(p, WEDNESDAY), NULL, NULL);
		guard_verdict_clear(&verdict);
		cr_expect_eq(d, roles[i][0] ? GUARD_DECISION_ALLOW : GUARD_DECISION_DENY, "%s",
			     roles[i]);
		guard_text_init(&out, buf, sizeof(buf));
		guard_match_why_applied(
		    &(struct guard_match_ctx){.policy = p, .request = &fx.r, .target = &fx.t[0]},
		    &p->rules[p->n_rules - 1], &out);
		if (roles[i][0])
			cr_expect(strstr(buf, "(vic is named in a Guard role)") != NULL, "%s", buf);
		guard_policy_free(p);
	}
}
