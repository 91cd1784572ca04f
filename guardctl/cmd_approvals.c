/* guardctl request, list, approve, deny and run ID: approval requests. The
 * approver must be in the rule's approvers (else the settings'), never the
 * requester; `run ID` runs an approved request once. */
#include <errno.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "approvers.h"
#include "events.h"
#include "guardctl.h"
#include "guidance.h"
#include "numparse.h"
#include "request_token.h"

static int parse_id(const char *s, int64_t *ret)
{
	uint64_t v;

	if (guard_parse_uint(s, INT64_MAX, &v) < 0 || v == 0)
		return -EINVAL;
	*ret = (int64_t)v;
	return 0;
}

/* The request of `guardctl request --service NAME [--target USER]`: the
 * su, sudo or login pam_guard will decide, filed in advance. Returns 0,
 * EXIT_USAGE (printed), or 0 with *ret_not_decided when pam_guard would not
 * decide it at all. */
static int service_request(struct guardctl *ctx, const struct guard_policy *policy,
			   const char *service, const char *target, struct guardctl_request *rq,
			   const char **ret_not_decided)
{
	struct guard_location where;

	if (strlen(service) > 64 || (target && strlen(target) > 256)) {
		guardctl_error("request: --service and --target take a name");
		return EXIT_USAGE;
	}
	guard_locate_process(getpid(), &where);
	return guardctl_service_request_build(ctx, policy, NULL, service, target ? target : "root",
					      &where, rq, ret_not_decided);
}

/* guardctl request [--reason TEXT] COMMAND [ARGS...]
 * guardctl request [--reason TEXT] --service NAME [--target USER] */
/* The request's token, for an approver on another host, on stderr (stdout
 * is the id, for scripts). */
static void print_token(struct guard_store *store, int64_t id)
{
	char *token = NULL;

	if (guard_store_request_token(store, id, &token) == 0)
		fprintf(stderr,
			"  An approver elsewhere signs this token (guardctl approve --sign KEY "
			"TOKENFILE)\n  and anyone here runs: guardctl approve --signature SIGFILE "
			"%lld\n%s",
			(long long)id, token);
	free(token);
}

int cmd_request(struct guardctl *ctx, int argc, char **argv)
{
	struct guard_policy *policy = NULL;
	struct guard_store *store = NULL;
	struct guardctl_request rq = {0};
	struct guard_decision_result res = {0};
	struct guard_events *ev = NULL;
	struct guard_error err = {0};
	const struct guardctl_decide_opts request_only = {.request_only = true};
	const char *service = NULL, *target = NULL, *not_decided = NULL;
	char line[GUARD_GUIDANCE_LINE_MAX];
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc && argv[i + 1][0] &&
			   strlen(argv[i + 1]) <= 1024) {
			ctx->reason = argv[++i];
		} else if (strcmp(argv[i], "--service") == 0 && i + 1 < argc && argv[i + 1][0]) {
			service = argv[++i];
		} else if (strcmp(argv[i], "--target") == 0 && i + 1 < argc && argv[i + 1][0]) {
			target = argv[++i];
		} else {
			guardctl_error("request: unknown option or missing value \"%s\"", argv[i]);
			guardctl_command_help(ctx->cmd, stdout);
			return EXIT_USAGE;
		}
	}
	if ((service && i < argc) || (target && !service)) {
		guardctl_error(
		    "request: either COMMAND [ARGS...] or --service NAME [--target USER]");
		return EXIT_USAGE;
	}
	if (i >= argc && !service) {
		guardctl_error("request: which command? (guardctl request [--reason TEXT] "
			       "COMMAND [ARGS...], or --service NAME [--target USER])");
		return EXIT_USAGE;
	}
	policy = guardctl_load_policy(ctx, NULL, true);
	if (!policy)
		return EXIT_USAGE;
	if (service) {
		rc = service_request(ctx, policy, service, target, &rq, &not_decided);
		if (rc == 0 && not_decided) {
			printf("no approval needed: %s\n", not_decided);
			goto out;
		}
		if (rc != 0)
			goto out;
		argc = i; /* no command: the binding is the service's */
	} else {
		rc = guardctl_request_build(ctx, policy, NULL, NULL, NULL, argc - i, argv + i,
					    false, &rq);
		if (rc == EXIT_DENIED && rq.refusal[0])
			guardctl_record_refusal(ctx, policy, &rq,
						argv[i]); /* probing, for the watches */
		if (rc != 0)
			goto out;
	}
	/* Reported like any decision (the notify programs tell the approvers
	 * that a request waits). Filing changes nothing on the host, and the
	 * run that acts needs the audit daemon: here it is best effort, so
	 * that an approver can still be asked while auditd is down. */
	if (guard_events_open_best_effort(&policy->settings, GUARD_SOURCE_GUARDCTL, &ev, &err) <
	    0) {
		guardctl_error("refused: the request cannot be recorded: %s", err.message);
		rc = EXIT_USAGE;
		goto out;
	}
	guard_events_set_zone(ev, policy->tz);
	rc = guardctl_decide_in_store(ctx, policy, &rq, argc - i, argv + i, &request_only, &store,
				      &res);
	if (rc != 0)
		goto out;
	guard_events_pending(ev, store, &res);
	if (guard_events_decision(ev, &rq.req, &res.verdict, ctx->reason) < 0)
		guardctl_error("warning: the request could not be reported (the system log says "
			       "why)");
	switch (res.outcome) {
	case GUARD_OUTCOME_PENDING:
		guardctl_say_pending(policy, &res);
		print_token(store, res.approval_id);
		printf("%lld\n", (long long)res.approval_id);
		rc = 0;
		break;
	case GUARD_OUTCOME_GO:
		if (res.approval_id > 0)
			printf("request %lld is approved: run the command again, or guardctl run "
			       "%lld\n",
			       (long long)res.approval_id, (long long)res.approval_id);
		else
			printf("no approval needed: the policy allows it now\n");
		rc = 0;
		break;
	case GUARD_OUTCOME_DENIED:
	default:
		guard_guidance_line(&res.verdict, line, sizeof(line));
		fprintf(stderr, "%s\n", line[0] ? line : "guard: denied");
		rc = EXIT_DENIED;
		break;
	}
out:
	guard_verdict_clear(&res.verdict);
	guard_store_close(store);
	guard_events_close(ev);
	guardctl_request_clear(&rq);
	guard_policy_free(policy);
	return rc;
}

static int my_identity(const struct guardctl *ctx, const struct guard_policy *policy,
		       struct guard_identity *ret)
{
	int r = guard_accounts_user_by_uid(policy, ctx->uid, ret);

	if (r < 0)
		guardctl_error("refused: cannot look up your account: %s", strerror(-r));
	return r;
}

/* guardctl list [--all] [--json] */
int cmd_list(struct guardctl *ctx, int argc, char **argv)
{
	struct guard_policy *policy = NULL;
	struct guard_store *store = NULL;
	struct guard_identity me = {0};
	struct guard_approval *list = NULL;
	struct guard_error err = {0};
	bool all = false, json = false, everyone;
	size_t n = 0;
	int64_t now = (int64_t)time(NULL);
	int r, rc = EXIT_USAGE;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0)
			all = true;
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else {
			guardctl_error("list: unknown argument \"%s\"", argv[i]);
			return EXIT_USAGE;
		}
	}
	policy = guardctl_load_policy(ctx, NULL, true);
	if (!policy || my_identity(ctx, policy, &me) < 0)
		goto out;
	/* Pending requests: every approver's to see, to approve them. Every
	 * status (--all) is a record of who asked for what: root's and the
	 * admins', everyone else sees their own. */
	everyone = ctx->uid == 0 ||
		   (all ? guard_is_admin(policy, &me) : guard_is_any_approver(policy, &me));
	if (guardctl_store_open(ctx, &store) != 0)
		goto out;
	r = guard_store_approval_list(store, everyone, ctx->uid, all, now, &list, &n, &err);
	if (r < 0) {
		guardctl_store_error(&err, r);
		goto out;
	}
	if (json) {
		json_object *root = json_object_new_object(), *arr = json_object_new_array();

		for (size_t k = 0; k < n; k++)
			json_object_array_add(arr, guardctl_approval_json(&list[k]));
		json_object_object_add(root, "requests", arr);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else if (n == 0) {
		printf("no %srequests\n", all ? "" : "pending ");
	} else {
		for (size_t k = 0; k < n; k++)
			guardctl_approval_text(policy, &list[k], now);
	}
	rc = 0;
out:
	guard_approvals_free(list, n);
	guard_store_close(store);
	guard_identity_clear(&me);
	guard_policy_free(policy);
	return rc;
}

/* Reports an approval step; with audit required, a step that cannot be
 * recorded is refused (the caller rolls back). */
static int report_step(const struct guard_policy *policy, const struct guard_identity *me,
		       int64_t id, const char *requester, bool approved, const char *comment)
{
	struct guard_events *ev = NULL;
	struct guard_error err = {0};
	char ids[32];
	int r;

	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	r = guard_events_open(&policy->settings, GUARD_SOURCE_GUARDCTL, &ev, &err);
	if (r == 0)
		r = guard_events_approval(ev, me, ids, requester, approved, comment);
	guard_events_close(ev);
	if (r < 0)
		guardctl_error("refused: the %s cannot be recorded: %s",
			       approved ? "approval" : "denial",
			       err.message[0] ? err.message : strerror(-r));
	return r;
}

/* guardctl approve ID | guardctl deny ID [--comment TEXT] */
static int approve_or_deny(struct guardctl *ctx, int argc, char **argv, bool approve)
{
	const char *name = approve ? "approve" : "deny", *comment = NULL;
	struct guard_policy *policy = NULL;
	struct guard_store *store = NULL;
	struct guard_identity me = {0};
	struct guard_approval a = {0};
	struct guard_error err = {0};
	enum guard_approval_status st = GUARD_APPROVAL_PENDING;
	int64_t id = 0, now;
	int r, rc = EXIT_USAGE;

	for (int i = 1; i < argc; i++) {
		if (!approve && strcmp(argv[i], "--comment") == 0 && i + 1 < argc &&
		    strlen(argv[i + 1]) <= 1024)
			comment = argv[++i];
		else if (id == 0 && parse_id(argv[i], &id) == 0)
			continue;
		else {
			guardctl_error("%s: unexpected argument \"%s\"", name, argv[i]);
			guardctl_command_help(ctx->cmd, stdout);
			return EXIT_USAGE;
		}
	}
	if (id == 0) {
		guardctl_error("%s: which request? (guardctl %s ID)", name, name);
		return EXIT_USAGE;
	}
	policy = guardctl_load_policy(ctx, NULL, true);
	if (!policy || my_identity(ctx, policy, &me) < 0)
		goto out;
	if (guardctl_store_open(ctx, &store) != 0)
		goto out;
	r = guard_store_begin(store, (int64_t)time(NULL), &now, &err);
	if (r < 0) {
		guardctl_store_error(&err, r);
		goto out;
	}
	r = guard_store_approval_get(store, id, now, &a, &err);
	if (r < 0) {
		guardctl_error("%s: %s", name, err.message);
		rc = r == -ENOENT ? EXIT_USAGE : EXIT_DENIED;
		goto rollback;
	}
	/* Who may: the rule's approvers (else the settings'), or root; the
	 * requester may withdraw their own request. */
	if (!(ctx->uid == 0 || guard_is_approver_for(policy, a.rules, &me) ||
	      (!approve && ctx->uid == a.requester_uid))) {
		guardctl_error("refused: %s is not an approver for request %lld", ctx->user,
			       (long long)id);
		rc = EXIT_DENIED;
		goto rollback;
	}
	if (approve)
		r = guard_store_approval_approve(store, id, ctx->uid, ctx->user,
						 policy->settings.approval_ttl_s, now, &st, &err);
	else
		r = guard_store_approval_deny(store, id, ctx->user, comment, now, &err);
	if (r == -EPERM || r == -EALREADY || r == -ESTALE) {
		guardctl_error("refused: %s", err.message);
		rc = EXIT_DENIED;
		goto rollback;
	}
	if (r < 0) {
		guardctl_store_error(&err, r);
		goto rollback;
	}
	if (report_step(policy, &me, id, a.requester, approve, comment) < 0) {
		rc = EXIT_DENIED;
		goto rollback;
	}
	r = guard_store_commit(store, &err);
	if (r < 0) {
		guardctl_store_error(&err, r);
		goto out;
	}
	if (approve) {
		/* What was approved, as it stands now. */
		struct guard_approval now_a = {0};

		if (guard_store_approval_get(store, id, now, &now_a, &err) == 0)
			guardctl_approval_text(policy, &now_a, now);
		guard_approval_clear(&now_a);
	}
	if (!approve)
		printf("request %lld denied\n", (long long)id);
	else if (st == GUARD_APPROVAL_APPROVED)
		printf("request %lld approved: %s may run it once within the approval time\n",
		       (long long)id, a.requester);
	else
		printf("request %lld: approval recorded (%zu of %u)\n", (long long)id,
		       a.n_votes + 1, a.needed);
	rc = 0;
	goto out;
rollback:
	guard_store_rollback(store);
out:
	guard_approval_clear(&a);
	guard_store_close(store);
	guard_identity_clear(&me);
	guard_policy_free(policy);
	return rc;
}

int cmd_approve(struct guardctl *ctx, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--sign") == 0)
		return guardctl_approve_sign(ctx, argc, argv);
	if (argc > 1 && strcmp(argv[1], "--signature") == 0)
		return guardctl_approve_signature(ctx, argc, argv);
	return approve_or_deny(ctx, argc, argv, true);
}

int cmd_deny(struct guardctl *ctx, int argc, char **argv)
{
	return approve_or_deny(ctx, argc, argv, false);
}

/* guardctl run ID: the approved request's command, as the requester typed
 * it, through the guarded-command path with that approval. */
int cmd_run(struct guardctl *ctx, int argc, char **argv)
{
	struct guard_store *store = NULL;
	struct guard_approval a = {0};
	struct guard_error err = {0};
	int64_t id = 0;
	int r, rc = EXIT_USAGE;

	if (argc != 2 || parse_id(argv[1], &id) < 0) {
		guardctl_error("run: which request? (guardctl run ID)");
		return EXIT_USAGE;
	}
	/* As for any guarded command: limits the caller lowered are reset. */
	if (guardctl_limits_reset() < 0) {
		guardctl_error("refused: the resource limits cannot be reset to safe values (a "
			       "hard limit was lowered: run it from a fresh login)");
		return EXIT_USAGE;
	}
	if (guardctl_store_open(ctx, &store) != 0)
		return EXIT_USAGE;
	r = guard_store_approval_get(store, id, (int64_t)time(NULL), &a, &err);
	guard_store_close(store);
	if (r < 0) {
		guardctl_error("run: %s", err.message);
		return r == -ENOENT ? EXIT_USAGE : EXIT_DENIED;
	}
	if (a.requester_uid != ctx->uid || !a.argv || a.argc < 1) {
		guardctl_error("refused: request %lld is not a command you asked for",
			       (long long)id);
		rc = EXIT_DENIED;
	} else if (a.status != GUARD_APPROVAL_APPROVED) {
		guardctl_error("refused: request %lld is %s", (long long)id,
			       guard_approval_status_name(a.status));
		rc = EXIT_DENIED;
	} else {
		/* The decision transaction spends it once, or refuses. */
		rc = guardctl_run_approved(ctx, id, a.argc, a.argv);
	}
	guard_approval_clear(&a);
	return rc;
}
