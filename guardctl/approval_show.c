/* What `guardctl list` and `guardctl approve` show of a request: exactly
 * what will run (the stored argv, quoted and escaped, with only the
 * secrets the classifier found masked), what it does, to which accounts
 * and groups as they were resolved when it was filed, and the rules that
 * ask for it. The approver reads this before approving. */
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval_token.h"
#include "guardctl.h"
#include "guidance.h"

/* Calls fn for each "\n"-separated line of text. */
static void each_line(const char *text, void (*fn)(const char *line, size_t len, void *ctx),
		      void *ctx)
{
	const char *p = text ? text : "";

	while (*p) {
		size_t len = strcspn(p, "\n");

		fn(p, len, ctx);
		p += len;
		if (*p == '\n')
			p++;
	}
}

/* Stored lines are escaped when written; control bytes are escaped again
 * in case the store was edited. */
static void print_line(const char *line, size_t len, void *ctx)
{
	const char **lead = ctx;
	char raw[1024], buf[1100];

	snprintf(raw, sizeof(raw), "%.*s", (int)len, line);
	printf("%s%s\n", *lead, guard_escape_controls(raw, buf, sizeof(buf)));
	*lead = "                ";
}

/* "NAME\tN\tAPPROVERS" -> "rule "NAME" needs N approval(s) by APPROVERS" */
static void print_rule(const char *line, size_t len, void *ctx)
{
	const char **lead = ctx;
	char raw[1024], q1[1100], q2[1100], *n, *who;
	unsigned count;
	bool settings;

	snprintf(raw, sizeof(raw), "%.*s", (int)len, line);
	n = strchr(raw, '\t');
	who = n ? strchr(n + 1, '\t') : NULL;
	if (!n || !who) {
		print_line(line, len, ctx);
		return;
	}
	*n++ = '\0';
	*who++ = '\0';
	count = (unsigned)strtoul(n, NULL, 10);
	settings = strncmp(who, "settings: ", 10) == 0;
	guard_escape_controls(raw, q1, sizeof(q1));
	guard_escape_controls(settings ? who + 10 : who, q2, sizeof(q2));
	if (raw[0])
		printf("%srule \"%s\" needs", *lead, q1);
	else
		printf("%sthe default needs", *lead);
	printf(" %u approval%s by %s%s\n", count, count == 1 ? "" : "s", q2,
	       settings ? " (the settings' approvers)" : "");
	*lead = "                ";
}

void guardctl_approval_text(const struct guard_policy *policy, const struct guard_approval *a,
			    int64_t now)
{
	char buf[GUARD_GUIDANCE_LINE_MAX], created[64], expires[64];
	struct guard_text t;
	const char *lead;

	guard_text_init(&t, buf, sizeof(buf));
	guard_text_escaped(&t, a->requester);
	printf("%-5lld %-9s %s (uid %u)\n", (long long)a->id, guard_approval_status_name(a->status),
	       buf, (unsigned)a->requester_uid);
	guard_text_init(&t, buf, sizeof(buf));
	if (a->shown_argv) {
		guard_text_command(&t, a->shown_argc, a->shown_argv);
		printf("      runs:     %s\n", buf);
	} else {
		guard_text_add(&t, "%s: %s of ", a->service, a->action ? a->action : "?");
		guard_text_escaped(&t, a->target);
		printf("      asks:     %s\n", buf);
	}
	lead = "      actions:  ";
	if (a->actions) {
		each_line(a->actions, print_line, &lead);
		if (a->n_actions > GUARD_APPROVAL_MAX_ACTIONS)
			printf("                (and %zu more: %zu in all)\n",
			       a->n_actions - GUARD_APPROVAL_MAX_ACTIONS, a->n_actions);
	} else {
		printf("%snot recorded (filed by an older Guard: it will not be spent)\n", lead);
	}
	lead = "      rules:    ";
	if (a->rule_terms && a->rule_terms[0])
		each_line(a->rule_terms, print_rule, &lead);
	guardctl_time(policy, now, a->created, created, sizeof(created));
	guardctl_time_end(policy, now, a->expires, expires, sizeof(expires));
	printf("      on %s, made %s, expires %s, approvals %zu/%u", a->host, created, expires,
	       a->n_votes, a->needed);
	for (size_t k = 0; k < a->n_votes; k++)
		printf("%s%s (uid %u)", k ? ", " : " (", a->votes[k].approver,
		       (unsigned)a->votes[k].approver_uid);
	printf("%s\n", a->n_votes ? ")" : "");
	if (a->reason) {
		guard_text_init(&t, buf, sizeof(buf));
		guard_text_escaped(&t, a->reason);
		printf("      reason: %s\n", buf);
	}
}

static void json_line(const char *line, size_t len, void *ctx)
{
	json_object_array_add(ctx, json_object_new_string_len(line, (int)len));
}

/* "user\tNAME\tID" -> {"kind": "user", "name": NAME, "uid": ID|null} */
static void json_ident(const char *line, size_t len, void *ctx)
{
	char raw[1024], *a, *b;
	json_object *o;

	snprintf(raw, sizeof(raw), "%.*s", (int)len, line);
	a = strchr(raw, '\t');
	b = a ? strchr(a + 1, '\t') : NULL;
	if (!a || !b)
		return;
	*a++ = '\0';
	*b++ = '\0';
	o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_string(raw));
	json_object_object_add(o, "name", json_object_new_string(a));
	json_object_object_add(o, strcmp(raw, "user") == 0 ? "uid" : "gid",
			       strcmp(b, "-") == 0 ? NULL
						   : json_object_new_int64(strtoll(b, NULL, 10)));
	json_object_array_add(ctx, o);
}

static void json_rule(const char *line, size_t len, void *ctx)
{
	char raw[1024], *a, *b;
	json_object *o;

	snprintf(raw, sizeof(raw), "%.*s", (int)len, line);
	a = strchr(raw, '\t');
	b = a ? strchr(a + 1, '\t') : NULL;
	if (!a || !b)
		return;
	*a++ = '\0';
	*b++ = '\0';
	o = json_object_new_object();
	json_object_object_add(o, "rule", raw[0] ? json_object_new_string(raw) : NULL);
	json_object_object_add(o, "approvals", json_object_new_int((int)strtol(a, NULL, 10)));
	json_object_object_add(o, "approvers", json_object_new_string(b));
	json_object_array_add(ctx, o);
}

json_object *guardctl_approval_json(const struct guard_approval *a)
{
	json_object *o = json_object_new_object(), *req, *votes = json_object_new_array();
	char t[40], cmd[GUARD_GUIDANCE_LINE_MAX];
	struct guard_text tx;

	json_object_object_add(o, "id", json_object_new_int64(a->id));
	json_object_object_add(o, "requester", json_object_new_string(a->requester));
	json_object_object_add(o, "requester_uid", json_object_new_int64(a->requester_uid));
	json_object_object_add(o, "host", json_object_new_string(a->host));
	if (a->status == GUARD_APPROVAL_PENDING) {
		/* What an approver elsewhere signs (guardctl approve --sign). */
		char *token = NULL;

		if (guard_approval_token(a, &token) == 0)
			json_object_object_add(o, "token", json_object_new_string(token));
		free(token);
	}
	if (a->shown_argv) {
		req = json_object_new_array();
		for (int k = 0; k < a->shown_argc; k++)
			json_object_array_add(req, json_object_new_string(a->shown_argv[k]));
		guard_text_init(&tx, cmd, sizeof(cmd));
		guard_text_command(&tx, a->shown_argc, a->shown_argv);
		json_object_object_add(o, "command", json_object_new_string(cmd));
	} else {
		req = json_object_new_object();
		json_object_object_add(req, "service", json_object_new_string(a->service));
		json_object_object_add(req, "action",
				       json_object_new_string(a->action ? a->action : ""));
		json_object_object_add(req, "target",
				       json_object_new_string(a->target ? a->target : ""));
	}
	json_object_object_add(o, "request", req);
	if (a->actions) {
		json_object *arr = json_object_new_array(), *ids = json_object_new_array(),
			    *rules = json_object_new_array();

		each_line(a->actions, json_line, arr);
		json_object_object_add(o, "actions", arr);
		json_object_object_add(o, "actions_total",
				       json_object_new_int64((int64_t)a->n_actions));
		each_line(a->idents, json_ident, ids);
		json_object_object_add(o, "identities", ids);
		json_object_object_add(o, "identities_total",
				       json_object_new_int64((int64_t)a->n_idents));
		each_line(a->rule_terms, json_rule, rules);
		json_object_object_add(o, "rules", rules);
	}
	json_object_object_add(o, "reason", a->reason ? json_object_new_string(a->reason) : NULL);
	json_object_object_add(o, "status",
			       json_object_new_string(guard_approval_status_name(a->status)));
	guardctl_iso_time(a->created, t, sizeof(t));
	json_object_object_add(o, "created", json_object_new_string(t));
	guardctl_iso_time(a->expires, t, sizeof(t));
	json_object_object_add(o, "expires", json_object_new_string(t));
	json_object_object_add(o, "needed", json_object_new_int((int)a->needed));
	for (size_t k = 0; k < a->n_votes; k++) {
		json_object *v = json_object_new_object();

		json_object_object_add(v, "approver", json_object_new_string(a->votes[k].approver));
		json_object_object_add(v, "approver_uid",
				       json_object_new_int64(a->votes[k].approver_uid));
		guardctl_iso_time(a->votes[k].at, t, sizeof(t));
		json_object_object_add(v, "at", json_object_new_string(t));
		json_object_array_add(votes, v);
	}
	json_object_object_add(o, "approvals", votes);
	if (a->comment)
		json_object_object_add(o, "comment", json_object_new_string(a->comment));
	return o;
}
