/* Shared by the evaluation's tests: a request built by hand, policies in
 * Berlin's time zone, and decisions at a local time. */
#ifndef GUARD_TEST_EVAL_FIXTURE_H
#define GUARD_TEST_EVAL_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "evaluate.h"
#include "helpers.h"

/* Not every test file uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* A request built by hand: dave of %helpdesk, at the console, through
 * guardctl, asking for one action on bob. */
struct fixture {
	struct guard_request r;
	struct guard_target t[4];
	char *actor_groups[4];
	char *target_groups[4];
	char *argv[8];
};

static struct fixture fx;

static void request(enum guard_action action, const char *target)
{
	memset(&fx, 0, sizeof(fx));
	fx.actor_groups[0] = "helpdesk";
	fx.actor_groups[1] = "staff";
	fx.r.actor = (struct guard_identity){.name = "dave",
					     .exists = true,
					     .uid_known = true,
					     .uid = 1005,
					     .groups = fx.actor_groups,
					     .n_groups = 2};
	fx.r.service = "guardctl";
	fx.r.location = GUARD_LOCATION_LOCAL;
	fx.r.tty = "pts/3";
	fx.t[0].action = action;
	fx.t[0].user.name = (char *)target;
	fx.r.targets = fx.t;
	fx.r.n_targets = 1;
}

/* Adds another action on the same target. */
static struct guard_target *also(enum guard_action action)
{
	struct guard_target *t = &fx.t[fx.r.n_targets++];

	*t = fx.t[0];
	t->action = action;
	return t;
}

static void from_addr(const char *addr)
{
	fx.r.location = GUARD_LOCATION_REMOTE;
	fx.r.addr_known = true;
	fx.r.rhost = addr;
	cr_assert_eq(guard_addr_parse(addr, &fx.r.addr), 0);
}

/* UTC of a local time "YYYY-MM-DD HH:MM[:SS]" in the policy's zone. */
static int64_t at(const struct guard_policy *p, const char *s)
{
	struct guard_localtime lt = {0};
	int64_t t;

	cr_assert(sscanf(s, "%d-%d-%d %d:%d:%d", &lt.year, &lt.mon, &lt.mday, &lt.hour, &lt.min,
			 &lt.sec) >= 5,
		  "bad time %s", s);
	cr_assert_eq(guard_tz_mktime(p->tz, &lt, &t), 0);
	return t;
}

/* A policy: settings in Berlin with extra settings lines, then text. */
static struct guard_policy *policy_s(const char *settings, const char *text)
{
	static char buf[16384];

	snprintf(buf, sizeof(buf),
		 "settings {\n  timezone = \"Europe/Berlin\"\n"
		 "  approvers = { \"%%guard-approvers\" }\n  break_glass = { \"%%oncall\" }\n"
		 "  %s\n}\n%s",
		 settings, text);
	return test_policy(buf);
}

static struct guard_policy *policy(const char *text)
{
	return policy_s("", text);
}

static struct guard_verdict verdict;

static enum guard_decision decide_at(struct guard_policy *p, int64_t now,
				     const struct guard_history *h,
				     const struct guard_host_state *s)
{
	guard_verdict_clear(&verdict);
	cr_assert_eq(guard_evaluate(p, &fx.r, h, s, now, &verdict), 0);
	return verdict.decision;
}

/* A Wednesday in office hours. */
#define WEDNESDAY "2026-03-25 10:00"

#endif
