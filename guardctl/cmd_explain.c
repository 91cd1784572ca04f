/* guardctl explain: what the policy decides for a command, with the full
 * guidance, without running anything. Exit 0 when it would be allowed, 1
 * when refused or approval is needed, 2 on usage or policy errors. */
#include <errno.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "datetime.h"
#include "evaluate.h"
#include "guardctl.h"
#include "guidance.h"

struct explain_opts {
	const char *as, *at, *from, *service, *target, *tty;
	bool json;
};

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* A time as ISO 8601 with the policy zone's offset. */
static json_object *time_json(const struct guard_policy *p, int64_t t)
{
	struct guard_localtime lt;
	char buf[64];

	if (t == 0 || guard_tz_localtime(p->tz, t, &lt) < 0)
		return NULL;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", lt.year, lt.mon,
		 lt.mday, lt.hour, lt.min, lt.sec, lt.utoff < 0 ? '-' : '+', abs(lt.utoff) / 3600,
		 abs(lt.utoff) % 3600 / 60);
	return json_object_new_string(buf);
}

static json_object *request_json(const struct guard_policy *p, const struct guard_request *r,
				 int64_t now)
{
	json_object *o = json_object_new_object(), *argv = json_object_new_array();
	char addr[64];

	for (int i = 0; i < r->argc; i++)
		json_object_array_add(argv, json_object_new_string(r->argv[i]));
	json_object_object_add(o, "argv", argv);
	json_object_object_add(o, "actor", str_or_null(r->actor.name));
	json_object_object_add(o, "actor_uid", json_object_new_int64(r->actor.uid));
	json_object_object_add(o, "service", str_or_null(r->service));
	if (r->location == GUARD_LOCATION_LOCAL) {
		json_object_object_add(o, "from", json_object_new_string("local"));
	} else if (r->location == GUARD_LOCATION_REMOTE && r->addr_known) {
		guard_addr_format(&r->addr, addr, sizeof(addr));
		json_object_object_add(o, "from", json_object_new_string(addr));
	} else if (r->location == GUARD_LOCATION_REMOTE) {
		json_object_object_add(o, "from", json_object_new_string("remote"));
	} else {
		json_object_object_add(o, "from", NULL);
	}
	json_object_object_add(o, "tty", str_or_null(r->tty));
	json_object_object_add(o, "time", time_json(p, now));
	json_object_object_add(o, "timezone", json_object_new_string(guard_tz_name(p->tz)));
	return o;
}

static json_object *verdict_json(const struct guard_policy *p, const struct guard_request *r,
				 const struct guard_verdict *v, int64_t now)
{
	json_object *root = json_object_new_object(), *actions = json_object_new_array();

	json_object_object_add(root, "request", request_json(p, r, now));

	json_object_object_add(root, "decision",
			       json_object_new_string(guard_decision_name(v->decision)));
	json_object_object_add(
	    root, "mode",
	    json_object_new_string(v->mode == GUARD_MODE_MONITOR ? "monitor" : "enforce"));
	for (size_t i = 0; i < v->n_actions; i++) {
		const struct guard_action_verdict *a = &v->actions[i];
		json_object *o = json_object_new_object(), *nm = json_object_new_array();

		json_object_object_add(
		    o, "action", json_object_new_string(guard_action_name(a->target->action)));
		json_object_object_add(o, "target", str_or_null(a->target->user.name));
		json_object_object_add(o, "group", str_or_null(a->target->group));
		if (a->target->grant)
			json_object_object_add(o, "grant",
					       json_object_new_string(a->target->grant));
		json_object_object_add(o, "decision",
				       json_object_new_string(guard_decision_name(a->decision)));
		json_object_object_add(o, "rule", str_or_null(a->rule ? a->rule->name : NULL));
		json_object_object_add(o, "condition",
				       json_object_new_string(guard_condition_name(a->condition)));
		json_object_object_add(o, "reason", json_object_new_string(a->reason));
		json_object_object_add(o, "message",
				       str_or_null(a->rule ? a->rule->message : NULL));
		for (size_t k = 0; k < a->n_near_misses; k++) {
			json_object *m = json_object_new_object();

			json_object_object_add(
			    m, "rule", json_object_new_string(a->near_misses[k].rule->name));
			json_object_object_add(m, "condition",
					       json_object_new_string(guard_condition_name(
						   a->near_misses[k].condition)));
			json_object_object_add(m, "why",
					       json_object_new_string(a->near_misses[k].why));
			json_object_array_add(nm, m);
		}
		json_object_object_add(o, "near_misses", nm);
		json_object_object_add(o, "safe_path", json_object_new_string(a->safe_path));
		json_object_object_add(o, "next_open", time_json(p, a->next_open));
		json_object_object_add(o, "retry_at", time_json(p, a->retry_at));
		json_object_array_add(actions, o);
	}
	json_object_object_add(root, "actions", actions);
	return root;
}

static int parse_from(const char *from, struct guard_location *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (strcmp(from, "local") == 0) {
		ret->kind = GUARD_LOCATION_LOCAL;
		return 0;
	}
	if (guard_addr_parse(from, &ret->addr) < 0)
		return -EINVAL;
	ret->kind = GUARD_LOCATION_REMOTE;
	ret->addr_known = true;
	snprintf(ret->rhost, sizeof(ret->rhost), "%s", from);
	return 0;
}

/* "pts/3", "tty1", "/dev/pts/3": what PAM_TTY and utmp hold. */
static bool tty_name_ok(const char *tty)
{
	size_t n = strlen(tty);

	if (n == 0 || n >= 64 || strstr(tty, ".."))
		return false;
	for (const char *c = tty; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:._-",
			    *c))
			return false;
	return true;
}

/* pam_guard would not decide: exit 0, nothing to refuse. */
static void print_not_decided(const char *service, const char *why, bool json)
{
	char q[128];

	if (json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "decision", json_object_new_string("none"));
		json_object_object_add(j, "service", json_object_new_string(service));
		json_object_object_add(j, "why", json_object_new_string(why));
		json_object_object_add(j, "actions", json_object_new_array());
		puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
		return;
	}
	printf("service %s: no decision: %s\n", guard_escape(service, q, sizeof(q)), why);
}

int cmd_explain(struct guardctl *ctx, int argc, char **argv)
{
	struct explain_opts o = {0};
	struct guard_location from;
	struct guardctl_request rq;
	struct guard_verdict v = {0};
	struct guard_policy *policy = NULL;
	char *text = NULL, q[256];
	int64_t now = (int64_t)time(NULL);
	int i, rc = EXIT_USAGE;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char **slot = NULL;

		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--json") == 0) {
			o.json = true;
			continue;
		} else if (strcmp(argv[i], "--as") == 0) {
			slot = &o.as;
		} else if (strcmp(argv[i], "--at") == 0) {
			slot = &o.at;
		} else if (strcmp(argv[i], "--from") == 0) {
			slot = &o.from;
		} else if (strcmp(argv[i], "--service") == 0) {
			slot = &o.service;
		} else if (strcmp(argv[i], "--target") == 0) {
			slot = &o.target;
		} else if (strcmp(argv[i], "--tty") == 0) {
			slot = &o.tty;
		} else {
			guardctl_error("explain: unknown option \"%s\"",
				       guard_escape(argv[i], q, sizeof(q)));
			guardctl_command_help(ctx->cmd, stdout);
			return EXIT_USAGE;
		}
		if (i + 1 >= argc) {
			guardctl_error("explain: %s needs a value", argv[i]);
			return EXIT_USAGE;
		}
		*slot = argv[++i];
	}
	if (i >= argc && !o.service) {
		guardctl_error("explain: which command? (guardctl explain COMMAND [ARGS...], or "
			       "--service NAME [--target USER] for a PAM decision)");
		return EXIT_USAGE;
	}
	if (o.target && (i < argc || !o.service)) {
		guardctl_error("explain: --target goes with --service and no command");
		return EXIT_USAGE;
	}
	if (o.tty && !tty_name_ok(o.tty)) {
		guardctl_error("explain: --tty \"%s\" is not a terminal name (pts/3, tty1)",
			       guard_escape(o.tty, q, sizeof(q)));
		return EXIT_USAGE;
	}
	/* Another user's view of the policy is root's to ask for. */
	if (o.as && ctx->uid != 0 && strcmp(o.as, ctx->user) != 0) {
		guardctl_error("explain: --as another user is for root only");
		return EXIT_USAGE;
	}
	if (o.from && parse_from(o.from, &from) < 0) {
		guardctl_error("explain: --from \"%s\" is not an address or \"local\"",
			       guard_escape(o.from, q, sizeof(q)));
		return EXIT_USAGE;
	}
	if (!o.from)
		guard_locate_process(getpid(), &from);
	if (o.tty)
		snprintf(from.tty, sizeof(from.tty), "%s",
			 strncmp(o.tty, "/dev/", 5) == 0 ? o.tty + 5 : o.tty);
	if (o.service && (strlen(o.service) == 0 || strlen(o.service) > 64)) {
		guardctl_error("explain: --service needs a service name");
		return EXIT_USAGE;
	}

	policy = guardctl_load_policy(ctx, NULL, true);
	if (!policy)
		return EXIT_USAGE;
	if (o.at && guard_parse_datetime(o.at, policy->tz, &now) < 0) {
		guardctl_error("explain: --at \"%s\" is not \"YYYY-MM-DD HH:MM[:SS]\" or ISO 8601",
			       guard_escape(o.at, q, sizeof(q)));
		goto out_policy;
	}
	if (i >= argc) {
		const char *not_decided = NULL;

		rc = guardctl_service_request_build(ctx, policy, o.as, o.service,
						    o.target ? o.target : "root", &from, &rq,
						    &not_decided);
		if (rc == 0 && not_decided) {
			print_not_decided(o.service, not_decided, o.json);
			guardctl_request_clear(&rq);
			goto out_policy;
		}
	} else {
		rc = guardctl_request_build(ctx, policy, o.as, o.service, &from, argc - i, argv + i,
					    o.json, &rq);
	}
	if (rc == EXIT_DENIED && o.json) {
		/* Scripts get an answer they can parse for a refusal too. */
		json_object *j = json_object_new_object();

		json_object_object_add(j, "decision", json_object_new_string("deny"));
		json_object_object_add(j, "refused", json_object_new_string(rq.refusal));
		json_object_object_add(j, "actions", json_object_new_array());
		puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
		guardctl_request_clear(&rq);
		goto out_policy;
	}
	if (rc != 0)
		goto out_policy;

	if (guard_evaluate(policy, &rq.req, NULL, NULL, now, &v) < 0) {
		guardctl_error("out of memory");
		rc = EXIT_USAGE;
		goto out;
	}
	if (o.json) {
		json_object *j = verdict_json(policy, &rq.req, &v, now);

		puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else {
		if (guard_guidance_explain(policy, &rq.req, &v, now, &text) < 0) {
			guardctl_error("out of memory");
			rc = EXIT_USAGE;
			goto out;
		}
		fputs(text, stdout);
		free(text);
	}
	rc = v.decision == GUARD_DECISION_ALLOW ? 0 : EXIT_DENIED;
out:
	guard_verdict_clear(&v);
	guardctl_request_clear(&rq);
out_policy:
	guard_policy_free(policy);
	return rc;
}
