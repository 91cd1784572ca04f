/* guardctl COMMAND [ARGS...]: the guarded-command path. Load the policy,
 * build the request (the real uid, utmp's location, the classified
 * command), decide, report the decision, then refuse with the guidance or
 * run the tool by its absolute path and report how it ended. Nothing is
 * run unless the decision was recorded wherever the policy requires. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evaluate.h"
#include "events.h"
#include "guardctl.h"
#include "guidance.h"

/* Should the tool run? Only an allow, or any decision in monitor mode
 * (decided and logged, never enforced). Anything else refuses. */
static bool goes_ahead(const struct guard_verdict *v)
{
	if (v->mode == GUARD_MODE_MONITOR)
		return true;
	switch (v->decision) {
	case GUARD_DECISION_ALLOW:
		return true;
	case GUARD_DECISION_NONE:
	case GUARD_DECISION_APPROVE:
	case GUARD_DECISION_DENY:
	default:
		return false;
	}
}

/* A policy that cannot be loaded refuses everything; it is reported as an
 * event where the built-in defaults (audit required) allow. */
static void report_policy_error(const struct guard_error *load_err)
{
	/* The action is refused whatever happens here: the policy error is
	 * reported wherever it can go, the audit log when auditd runs. */
	struct guard_settings sinks = {.audit = GUARD_AUDIT_BEST_EFFORT, .journal = true};
	struct guard_events *ev = NULL;
	struct guard_error err = {0};

	if (guard_events_open(&sinks, GUARD_SOURCE_GUARDCTL, &ev, &err) == 0)
		(void)guard_events_policy_error(ev, load_err);
	guard_events_close(ev);
}

static void say_approval_needed(const struct guardctl_request *rq)
{
	char buf[GUARD_GUIDANCE_LINE_MAX];
	struct guard_text t;

	guard_text_init(&t, buf, sizeof(buf));
	guard_text_command(&t, rq->cls.shown_argc, rq->cls.shown_argv);
	guardctl_error("not run: this command needs approval first; ask for it with: "
		       "guardctl request --reason TEXT %s",
		       buf);
}

int guardctl_run(struct guardctl *ctx, int argc, char **argv)
{
	struct guard_policy *policy = NULL;
	struct guard_events *ev = NULL;
	struct guardctl_request rq = {0};
	struct guard_verdict v = {0};
	struct guard_error err = {0};
	struct guardctl_exec x;
	char line[GUARD_GUIDANCE_LINE_MAX];
	int64_t now;
	int r, status = 0, rc = EXIT_USAGE;

	policy = guardctl_load_policy_err(ctx, NULL, true, &err);
	if (!policy) {
		report_policy_error(&err);
		return EXIT_USAGE;
	}
	/* What is asked first: an unknown command is a usage error whatever
	 * the state of the audit daemon. */
	rc = guardctl_request_build(ctx, policy, NULL, NULL, NULL, argc, argv, false, &rq);
	if (rc != 0)
		goto out;
	r = guard_events_open(&policy->settings, GUARD_SOURCE_GUARDCTL, &ev, &err);
	if (r < 0) {
		guardctl_error("refused: the decision cannot be recorded: %s",
			       err.message[0] ? err.message : strerror(-r));
		rc = EXIT_USAGE;
		goto out;
	}

	/* The clock is read once, here, and passed in. */
	now = (int64_t)time(NULL);
	if (guard_evaluate(policy, &rq.req, NULL, NULL, now, &v) < 0) {
		guardctl_error("out of memory");
		rc = EXIT_USAGE;
		goto out;
	}
	guard_guidance_line(&v, line, sizeof(line));
	if (line[0])
		fprintf(stderr, "%s\n", line);

	/* The decision is recorded before anything runs. */
	r = guard_events_decision(ev, &rq.req, &v, ctx->reason);
	if (r < 0) {
		guardctl_error("refused: the decision could not be recorded: %s", strerror(-r));
		rc = goes_ahead(&v) ? EXIT_USAGE : EXIT_DENIED;
		goto out;
	}
	if (!goes_ahead(&v)) {
		if (v.decision == GUARD_DECISION_APPROVE)
			say_approval_needed(&rq);
		rc = EXIT_DENIED;
		goto out;
	}

	if (!rq.cls.path || rq.cls.path[0] != '/') {
		guardctl_error("refused: no absolute path to run \"%s\"", rq.cls.exec_argv[0]);
		rc = EXIT_USAGE;
		goto out;
	}
	x = (struct guardctl_exec){
	    .path = rq.cls.path,
	    .argv = rq.cls.exec_argv,
	    .caller = ctx->user,
	    .term = ctx->saved_term,
	    .batch = rq.batch,
	    .batch_len = rq.batch_len,
	    .interactive = guardctl_is_interactive(&rq.cls),
	};
	r = guardctl_exec(&x, &status);
	if (r < 0) {
		guardctl_error("cannot run %s: %s", rq.cls.path, strerror(-r));
		rc = EXIT_USAGE;
		goto out;
	}
	rc = guardctl_exit_status(status);
	/* The tool has run: a failure to record its end changes nothing of
	 * what it did, and is said. */
	r = guard_events_exec(ev, &rq.req, status);
	if (r < 0)
		guardctl_error("warning: the end of %s (exit %d) could not be recorded: %s",
			       rq.cls.path, rc, strerror(-r));
out:
	guard_verdict_clear(&v);
	guardctl_request_clear(&rq);
	guard_events_close(ev);
	guard_policy_free(policy);
	return rc;
}
