/* guardctl and the store: opening it as root in every id (so that no
 * process the caller can signal holds its lock), the decision transaction
 * of a guarded command, and what the state subcommands share. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "approvers.h"
#include "guardctl.h"
#include "guidance.h"

void guardctl_store_error(const struct guard_error *err, int r)
{
	if (err && err->file[0])
		guardctl_error("%s: %s", err->file, err->message[0] ? err->message : strerror(-r));
	else if (err && err->message[0])
		guardctl_error("%s", err->message);
	else
		guardctl_error("state store: %s", strerror(-r));
}

int guardctl_store_open(struct guardctl *ctx, struct guard_store **ret)
{
	struct guard_error err = {0};
	int r;

	*ret = NULL;
	if (ctx->store) {
		*ret = ctx->store;
		return 0;
	}
	/* The store is root's; and a caller may SIGSTOP its own guardctl: with
	 * every uid 0 it can no longer signal us while we hold the lock. */
	if (geteuid() != 0) {
		guardctl_error("cannot use the state store: guardctl is not installed setuid root "
			       "(effective uid %u)",
			       (unsigned)geteuid());
		return EXIT_USAGE;
	}
	/* Files the store creates (-wal, -shm) are root's group too. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		guardctl_error("cannot become root in every id: %s", strerror(errno));
		return EXIT_USAGE;
	}
	/* The signals a terminal sends whatever our ids (^Z, a background
	 * read or write) would stop us holding the lock: out of the caller's
	 * job control while the store is open. */
	guardctl_job_control(true);
	r = guard_store_open(NULL, ret, &err);
	if (r < 0) {
		guardctl_store_error(&err, r);
		return EXIT_USAGE;
	}
	return 0;
}

void guardctl_store_close(struct guardctl *ctx, struct guard_store *store)
{
	if (store && store != ctx->store)
		guard_store_close(store);
}

int guardctl_hostname(char *buf, size_t size)
{
	if (size == 0)
		return -EINVAL;
	if (gethostname(buf, size) < 0)
		return -errno;
	buf[size - 1] = '\0';
	return 0;
}

void guardctl_binding(const struct guardctl_request *rq, int argc, char **argv, const char *host,
		      struct guard_approval_binding *ret)
{
	*ret = (struct guard_approval_binding){
	    .requester_uid = rq->req.actor.uid,
	    .requester = rq->req.actor.name,
	    .host = host,
	    .service = rq->req.service,
	    .argc = argc,
	    .argv = argv,
	    .batch = rq->batch,
	    .batch_len = rq->batch_len,
	};
	/* No command: a PAM decision filed in advance (request --service),
	 * bound as pam_guard binds it: service, action and target. */
	if (argc == 0 && rq->req.n_targets == 1) {
		ret->argv = NULL;
		ret->action = rq->req.targets[0].action;
		ret->target = rq->req.targets[0].user.name;
		return;
	}
	/* A command that reads a batch binds its hash even when empty. */
	if (rq->batch == NULL && argc > 0 && guard_classify_reads_batch(argv[0]))
		ret->batch = (const uint8_t *)"";
}

void guardctl_time(const struct guard_policy *policy, int64_t now, int64_t when, char *buf,
		   size_t size)
{
	struct guard_text t;

	guard_text_init(&t, buf, size);
	guard_text_time(&t, policy ? policy->tz : NULL, now, when, false, false);
}

void guardctl_time_end(const struct guard_policy *policy, int64_t now, int64_t when, char *buf,
		       size_t size)
{
	struct guard_text t;

	guard_text_init(&t, buf, size);
	guard_text_time(&t, policy ? policy->tz : NULL, now, when, true, false);
}

int guardctl_decide_in_store(struct guardctl *ctx, const struct guard_policy *policy,
			     struct guardctl_request *rq, int argc, char **argv,
			     const struct guardctl_decide_opts *o, struct guard_store **ret_store,
			     struct guard_decision_result *ret)
{
	struct guard_approval_binding b;
	struct guard_error err = {0};
	char host[256];
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->outcome = GUARD_OUTCOME_DENIED;
	if (guardctl_hostname(host, sizeof(host)) < 0) {
		guardctl_error("refused: cannot read the host name");
		return EXIT_DENIED;
	}
	r = guardctl_store_open(ctx, ret_store);
	if (r != 0)
		return r;
	guardctl_binding(rq, argc, argv, host, &b);
	struct guard_decide_in in = {
	    .policy = policy,
	    .request = &rq->req,
	    .binding = &b,
	    .shown_argc = rq->cls.shown_argc,
	    .shown_argv = rq->cls.shown_argv,
	    .reason = ctx->reason,
	    .approval_id = o ? o->approval_id : 0,
	    .wall_now = (int64_t)time(NULL),
	    .request_only = o && o->request_only,
	};
	r = guard_store_decide(*ret_store, &in, ret, &err);
	guardctl_output_flush();
	if (r < 0) {
		ctx->store_failed = true;
		if (r == -EPERM || r == -ENOENT || r == -ESTALE)
			guardctl_error("refused: %s", err.message);
		else
			guardctl_store_error(&err, r);
		return EXIT_DENIED;
	}
	return 0;
}

void guardctl_say_pending(const struct guard_policy *policy,
			  const struct guard_decision_result *res)
{
	struct guard_text t;
	char who[300];

	(void)policy;
	if (res->not_spent[0]) {
		char q[sizeof(res->not_spent) + 64];

		fprintf(guardctl_err(), "guardctl: %s\n",
			guard_escape_controls(res->not_spent, q, sizeof(q)));
	}
	guard_text_init(&t, who, sizeof(who));
	for (size_t i = 0; i < res->verdict.n_actions; i++)
		if (res->verdict.actions[i].decision == GUARD_DECISION_APPROVE) {
			const char *p = strstr(res->verdict.actions[i].reason, " by ");

			guard_text_add(&t, "%s", p ? p + 4 : "an approver");
			break;
		}
	fprintf(guardctl_err(),
		"guardctl: request %lld %s: needs %u approval%s by %s.\n"
		"  An approver runs: guardctl approve %lld\n"
		"  Then run it again, or: guardctl run %lld\n",
		(long long)res->approval_id, res->approval_created ? "filed" : "is pending",
		res->approvals_needed, res->approvals_needed == 1 ? "" : "s",
		who[0] ? who : "an approver", (long long)res->approval_id,
		(long long)res->approval_id);
}
