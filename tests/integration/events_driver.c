/* events_driver: drives libguard's events API the way guardctl and
 * pam_guard do, for tests/integration/test_events.sh and
 * tests/attack/d_logging.sh. A policy file is parsed (no owner checks),
 * a request built from the options, evaluated at the current time, and
 * the decision (and optionally the command's end, or a policy error)
 * reported. Prints one line of results:
 *   open=RC decision=RC exec=RC us_per_decision=N error=TEXT
 * Values may hold any byte but NUL (bash $'...'). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "evaluate.h"
#include "events.h"
#include "policy.h"

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			char *p = realloc(buf, cap + 65536);

			if (!p)
				break;
			buf = p;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	*ret_len = len;
	return buf;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: events_driver --policy FILE [--audit MODE] [--journal yes|no]\n"
		"  [--source guardctl|pam] [--actor NAME] [--uid N] [--actor-group G]\n"
		"  [--action ACTION] [--target NAME] [--group G] [--grant TEXT]\n"
		"  [--service S] [--tty T] [--rhost ADDR] [--reason R]\n"
		"  [--exit N | --signal N] [--policy-error TEXT] [--repeat N] [-- ARGV...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct guard_policy *policy = NULL;
	struct guard_events *ev = NULL;
	struct guard_error err = {0};
	struct guard_request rq = {0};
	struct guard_target target = {0};
	struct guard_verdict v = {0};
	const char *policy_path = NULL, *audit = NULL, *journal = NULL, *policy_error = NULL;
	const char *reason = NULL;
	char *actor_groups[8];
	size_t n_actor_groups = 0;
	int exec_status = -1, repeat = 1, r_open, r_dec = 0, r_exec = 0, i;
	enum guard_event_source source = GUARD_SOURCE_GUARDCTL;
	struct timespec t0, t1, c0, c1;
	char *text;
	size_t len;

	rq.actor.name = "alice";
	rq.actor.uid_known = true;
	rq.actor.uid = 1000;
	rq.actor.exists = true;
	rq.service = "guardctl";
	rq.location = GUARD_LOCATION_LOCAL;
	target.action = GUARD_USER_CREATE;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--") == 0) {
			i++;
			break;
		}
		if (!a)
			return usage();
		i++;
		if (strcmp(o, "--policy") == 0)
			policy_path = a;
		else if (strcmp(o, "--audit") == 0)
			audit = a;
		else if (strcmp(o, "--journal") == 0)
			journal = a;
		else if (strcmp(o, "--source") == 0)
			source = strcmp(a, "pam") == 0 ? GUARD_SOURCE_PAM : GUARD_SOURCE_GUARDCTL;
		else if (strcmp(o, "--actor") == 0)
			rq.actor.name = (char *)a;
		else if (strcmp(o, "--uid") == 0)
			rq.actor.uid = (uint32_t)strtoul(a, NULL, 10);
		else if (strcmp(o, "--actor-group") == 0 && n_actor_groups < 8)
			actor_groups[n_actor_groups++] = (char *)a;
		else if (strcmp(o, "--action") == 0) {
			if (guard_action_parse(a, &target.action) < 0)
				return usage();
		} else if (strcmp(o, "--target") == 0)
			target.user.name = (char *)a;
		else if (strcmp(o, "--group") == 0)
			target.group = (char *)a;
		else if (strcmp(o, "--grant") == 0)
			target.grant = (char *)a;
		else if (strcmp(o, "--service") == 0)
			rq.service = a;
		else if (strcmp(o, "--tty") == 0)
			rq.tty = a;
		else if (strcmp(o, "--rhost") == 0) {
			rq.rhost = a;
			rq.location = GUARD_LOCATION_REMOTE;
			rq.addr_known = guard_addr_parse(a, &rq.addr) == 0;
		} else if (strcmp(o, "--reason") == 0)
			reason = a;
		else if (strcmp(o, "--exit") == 0)
			exec_status = (atoi(a) & 0xff) << 8;
		else if (strcmp(o, "--signal") == 0)
			exec_status = atoi(a) & 0x7f;
		else if (strcmp(o, "--policy-error") == 0)
			policy_error = a;
		else if (strcmp(o, "--repeat") == 0)
			repeat = atoi(a) > 0 ? atoi(a) : 1;
		else
			return usage();
	}
	rq.actor.groups = actor_groups;
	rq.actor.n_groups = n_actor_groups;
	rq.argc = argc - i;
	rq.argv = i < argc ? argv + i : NULL;
	rq.targets = &target;
	rq.n_targets = 1;

	if (!policy_path)
		return usage();
	text = slurp(policy_path, &len);
	if (!text || guard_policy_new(&policy) < 0 ||
	    guard_policy_parse_text(policy, policy_path, text, len, &err) < 0 ||
	    guard_policy_finish(policy, NULL, &err) < 0) {
		fprintf(stderr, "events_driver: policy: %s\n", err.message);
		return 2;
	}
	free(text);
	if (audit)
		policy->settings.audit = strcmp(audit, "off") == 0 ? GUARD_AUDIT_OFF
					 : strcmp(audit, "best-effort") == 0
					     ? GUARD_AUDIT_BEST_EFFORT
					     : GUARD_AUDIT_REQUIRED;
	if (journal)
		policy->settings.journal = strcmp(journal, "yes") == 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r_open = guard_events_open(policy_error ? NULL : &policy->settings, source, &ev, &err);
	if (r_open == 0 && policy_error) {
		struct guard_error pe = {0};

		guard_error_set(&pe, policy_path, 7, "%s", policy_error);
		r_dec = guard_events_policy_error(ev, &pe);
	} else if (r_open == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("us_open=%lld ", (long long)(((t1.tv_sec - t0.tv_sec) * 1000000000LL +
						     (t1.tv_nsec - t0.tv_nsec)) /
						    1000));
		if (guard_evaluate(policy, &rq, NULL, NULL, (int64_t)time(NULL), &v) < 0)
			return 2;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
		for (int k = 0; k < repeat && r_dec == 0; k++)
			r_dec = guard_events_decision(ev, &rq, &v, reason);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("cpu_us_per_decision=%lld ",
		       (long long)(((c1.tv_sec - c0.tv_sec) * 1000000000LL +
				    (c1.tv_nsec - c0.tv_nsec)) /
				   1000 / repeat));
		if (exec_status >= 0)
			r_exec = guard_events_exec(ev, &rq, exec_status);
		printf("us_per_decision=%lld ",
		       (long long)(((t1.tv_sec - t0.tv_sec) * 1000000000LL +
				    (t1.tv_nsec - t0.tv_nsec)) /
				   1000 / repeat));
	}
	printf("open=%d decision=%d exec=%d decided=%s error=%s\n", r_open, r_dec, r_exec,
	       guard_decision_name(v.decision), err.message);
	guard_verdict_clear(&v);
	guard_events_close(ev);
	guard_policy_free(policy);
	return 0;
}
