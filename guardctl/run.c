/* guardctl COMMAND [ARGS...]: the guarded-command path. Load the policy,
 * build the request (the real uid, utmp's location, the classified
 * command), decide, report the decision, then refuse with the guidance or
 * run the tool by its absolute path and report how it ended. The decision,
 * the approval it spends and the limit uses are one store transaction; the
 * tool runs only after it committed and the decision was reported wherever
 * the policy requires, and its exit status is recorded afterwards. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evaluate.h"
#include "events.h"
#include "accounts.h"
#include "guardctl.h"
#include "guidance.h"
#include "request_token.h"
#include "store.h"

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

void guardctl_report_refusal(const struct guardctl *ctx, const struct guard_settings *settings,
			     const struct guard_identity *actor, const char *command,
			     const char *why)
{
	/* Best effort: the request is refused whatever happens here, and the
	 * audit daemon's state must not turn a refusal into a usage error. */
	struct guard_settings sinks = {.audit = GUARD_AUDIT_BEST_EFFORT, .journal = true};
	struct guard_identity who = {.uid_known = true, .uid = ctx->uid};
	struct guard_location where;
	struct guard_events *ev = NULL;
	struct guard_error err = {0};
	char *shown[] = {(char *)command, NULL};
	struct guard_request req = {0};

	if (settings) {
		sinks.audit =
		    settings->audit == GUARD_AUDIT_OFF ? GUARD_AUDIT_OFF : GUARD_AUDIT_BEST_EFFORT;
		sinks.journal = settings->journal;
	}
	guard_locate_process(ctx->pid ? ctx->pid : getpid(), &where);
	req.actor = actor && actor->name ? *actor : who;
	req.service = "guardctl";
	req.location = where.kind;
	req.addr_known = where.addr_known;
	req.addr = where.addr;
	req.rhost = where.rhost[0] ? where.rhost : NULL;
	req.tty = where.tty[0] ? where.tty : NULL;
	/* The command's name only: the classifier could not tell its secret
	 * values (-p HASH) from the rest. */
	req.argc = command ? 1 : 0;
	req.argv = command ? shown : NULL;
	if (guard_events_open_relay(&sinks, GUARD_SOURCE_GUARDCTL, ctx->relay, &ev, &err) == 0)
		(void)guard_events_refused_request(ev, &req, why, ctx->reason);
	guard_events_close(ev);
}

/* The refusal is a ledger row too, so that a watch on denials sees the
 * probing (MUST 17 keeps it bounded). Best effort: the request is refused
 * whatever happens here. */
void guardctl_record_refusal(struct guardctl *ctx, const struct guard_policy *policy,
			     const struct guardctl_request *rq, const char *command)
{
	struct guard_identity who = {.uid_known = true, .uid = ctx->uid, .name = ctx->user};
	struct guard_store_alert alerts[GUARD_STORE_MAX_ALERTS];
	struct guard_location where;
	struct guard_store *store = NULL;
	struct guard_error err = {0};
	size_t n_alerts = 0;
	char host[256];
	int r;

	if (!policy || !rq->refusal[0] || guardctl_hostname(host, sizeof(host)) < 0)
		return;
	if (rq->actor.name)
		who = rq->actor; /* with its groups, for the watches' counts */
	who.uid_known = true;
	who.uid = ctx->uid;
	guard_locate_process(ctx->pid ? ctx->pid : getpid(), &where);
	if (guardctl_store_open(ctx, &store) != 0)
		return;
	struct guard_store_refusal_in in = {
	    .policy = policy,
	    .actor = &who,
	    .service = "guardctl",
	    .host = host,
	    .tty = where.tty[0] ? where.tty : NULL,
	    .argv0 = command,
	    .why = rq->refusal,
	    .reason = ctx->reason,
	    .wall_now = (int64_t)time(NULL),
	};
	r = guard_store_record_refusal(store, &in, alerts, &n_alerts, &err);
	if (r < 0)
		ctx->store_failed = true;
	guardctl_store_close(ctx, store);
	if (r < 0)
		guardctl_error("warning: the refusal could not be recorded: %s",
			       err.message[0] ? err.message : strerror(-r));
	for (size_t i = 0; i < n_alerts; i++)
		if (alerts[i].kind == GUARD_ALERT_WATCH && alerts[i].lockout_until > 0)
			fprintf(guardctl_err(),
				"guard: watch \"%s\" reached its threshold: your guarded actions "
				"are refused for a while (guardctl status)\n",
				alerts[i].name);
}

/* Reports the alerts the decision raised (watches that locked out). */
static void report_alerts(struct guard_events *ev, const struct guardctl_request *rq,
			  const struct guard_decision_result *res)
{
	for (size_t i = 0; i < res->n_alerts; i++) {
		const struct guard_store_alert *a = &res->alerts[i];

		if (a->kind != GUARD_ALERT_WATCH)
			continue;
		(void)guard_events_lockout(ev, &rq->req.actor, a->name, a->lockout_until);
		if (a->lockout_until > 0)
			fprintf(
			    guardctl_err(),
			    "guard: watch \"%s\" reached its threshold: your guarded actions are "
			    "refused for a while (guardctl status)\n",
			    a->name);
	}
}

int guardctl_run(struct guardctl *ctx, int argc, char **argv)
{
	return guardctl_run_approved(ctx, 0, argc, argv);
}

void guardctl_run_clear(struct guardctl *ctx, struct guardctl_run *run)
{
	guard_verdict_clear(&run->res.verdict);
	guardctl_store_close(ctx, run->store);
	guardctl_request_clear(&run->rq);
	guard_events_close(run->ev);
	memset(run, 0, sizeof(*run));
}

int guardctl_run_decide(struct guardctl *ctx, const struct guard_policy *policy,
			int64_t approval_id, int argc, char **argv, struct guardctl_run *run)
{
	const struct guardctl_decide_opts o = {.approval_id = approval_id};
	struct guardctl_request *rq = &run->rq;
	struct guard_decision_result *res = &run->res;
	struct guard_error err = {0};
	char line[GUARD_GUIDANCE_LINE_MAX];
	int r, rc;

	memset(run, 0, sizeof(*run));
	/* What is asked first: an unknown command is a usage error whatever
	 * the state of the audit daemon. */
	rc = guardctl_request_build(ctx, policy, NULL, NULL, NULL, argc, argv, false, rq);
	if (rc == EXIT_DENIED && rq->refusal[0]) {
		guardctl_report_refusal(ctx, &policy->settings, &rq->actor, argv[0], rq->refusal);
		guardctl_record_refusal(ctx, policy, rq, argv[0]);
	}
	if (rc != 0)
		goto refused;
	r = guard_events_open_relay(&policy->settings, GUARD_SOURCE_GUARDCTL, ctx->relay, &run->ev,
				    &err);
	guard_events_set_zone(run->ev, policy->tz);
	if (r < 0) {
		guardctl_error("refused: the decision cannot be recorded: %s",
			       err.message[0] ? err.message : strerror(-r));
		rc = EXIT_USAGE;
		goto refused;
	}

	/* Snapshot, decision, approval and ledger: one transaction. */
	rc = guardctl_decide_in_store(ctx, policy, rq, argc, argv, &o, &run->store, res);
	if (rc != 0)
		goto refused;
	guard_guidance_line(&res->verdict, line, sizeof(line));
	if (line[0])
		fprintf(guardctl_err(), "%s\n", line);
	guard_events_pending(run->ev, run->store, res);
	r = guard_events_decision(run->ev, &rq->req, &res->verdict, ctx->reason);
	report_alerts(run->ev, rq, res);
	if (res->outcome != GUARD_OUTCOME_GO) {
		if (res->outcome == GUARD_OUTCOME_PENDING)
			guardctl_say_pending(policy, res);
		rc = EXIT_DENIED;
		goto refused;
	}
	if (r < 0) {
		/* Spent, but not run: the ledger says so (no exit status). */
		guardctl_error("refused: the decision could not be recorded: %s", strerror(-r));
		rc = EXIT_USAGE;
		goto refused;
	}
	if (!rq->cls.path || rq->cls.path[0] != '/') {
		guardctl_error("refused: no absolute path to run \"%s\"", rq->cls.exec_argv[0]);
		rc = EXIT_USAGE;
		goto refused;
	}
	return 0;
refused:
	guardctl_run_clear(ctx, run);
	return rc;
}

void guardctl_run_end(struct guardctl *ctx, struct guardctl_run *run, int status)
{
	struct guard_error err = {0};
	int r;

	/* The tool has run: a failure to record its end changes nothing of
	 * what it did, and is said. */
	if (setresuid(0, 0, 0) < 0)
		r = -errno;
	else if (!run->store)
		r = -ENODEV; /* the decision service could not open it again */
	else
		r = guard_store_exec_result(run->store, run->res.decision_id, status, &err);
	if (r < 0) {
		ctx->store_failed = true;
		guardctl_error("warning: the exit status could not be stored: %s",
			       err.message[0] ? err.message : strerror(-r));
	}
	if (run->end_sent)
		return;
	if (guard_events_exec(run->ev, &run->rq.req, status) < 0)
		guardctl_error("warning: the end of %s (exit %d) could not be recorded",
			       run->rq.cls.path, guardctl_exit_status(status));
}

int guardctl_run_approved(struct guardctl *ctx, int64_t approval_id, int argc, char **argv)
{
	struct guard_policy *policy = NULL;
	struct guard_error err = {0};
	struct guardctl_run run;
	struct guardctl_exec x;
	int r, status = 0, rc;

	policy = guardctl_load_policy_err(ctx, NULL, true, &err);
	if (!policy) {
		report_policy_error(&err);
		return EXIT_USAGE;
	}
	rc = guardctl_run_decide(ctx, policy, approval_id, argc, argv, &run);
	if (rc != 0)
		goto out;
	/* The store's lock is released: the caller may signal us again
	 * (Ctrl-C, SIGTERM are forwarded to the tool) until its exit status
	 * is recorded, which happens with every id 0 again. */
	if (setresuid(ctx->uid, 0, 0) < 0) {
		guardctl_error("cannot restore the caller's real uid: %s", strerror(errno));
		rc = EXIT_USAGE;
		goto out;
	}
	guardctl_job_control(false);
	x = (struct guardctl_exec){
	    .path = run.rq.cls.path,
	    .argv = run.rq.cls.exec_argv,
	    .caller = ctx->user,
	    .term = ctx->saved_term,
	    .batch = run.rq.batch,
	    .batch_len = run.rq.batch_len,
	    .interactive = guardctl_is_interactive(&run.rq.cls),
	};
	r = guardctl_exec(&x, &status);
	guard_accounts_forget(); /* the tool may have changed them */
	if (r < 0) {
		guardctl_error("cannot run %s: %s", run.rq.cls.path, strerror(-r));
		rc = EXIT_USAGE;
		goto out;
	}
	rc = guardctl_exit_status(status);
	/* Stops blocked before every id is 0 again: a SIGSTOP the caller sent
	 * before is taken before the lock is. */
	guardctl_job_control(true);
	guardctl_run_end(ctx, &run, status);
out:
	guardctl_run_clear(ctx, &run);
	guard_policy_free(policy);
	return rc;
}
