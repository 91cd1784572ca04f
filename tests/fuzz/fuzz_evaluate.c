/* The evaluation, from a structured input: the bytes choose rules (actions,
 * matchers from a small vocabulary, decision) and a request (actor, target,
 * group, location, time). Properties: the decision is deterministic; it is
 * the strictest of the actions'; a deny rule put in front for one of the
 * request's actions makes the request denied (adding a deny never turns a
 * deny into an allow); every refusal says why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct input *in, unsigned mod)
{
	unsigned v;

	if (in->n == 0)
		return 0;
	v = *in->p++;
	in->n--;
	return v % mod;
}

static const char *const actor_items[] = {"alice", "%helpdesk", "uid:1000-1999",
					  "*",	   "!bob",	"%admins"};
static const char *const target_items[] = {"@protected", "!@protected", "uid:1000-59999",
					   "root",	 "!carol",	"*"};
static const char *const group_items[] = {"@privileged", "!@privileged", "gid:0-999", "sudo", "*"};
static const char *const time_items[] = {"Mon-Fri 08:00-18:00", "22:00-06:00", "Sat,Sun", "*",
					 "!Fri 12:00-13:00"};
static const char *const from_items[] = {"local",	  "remote",    "10.0.0.0/8",
					 "2001:db8::/32", "tty:pts/*", "!192.0.2.0/24"};
static const char *const decisions[] = {"allow", "deny", "approve"};

#define PICK(in, list) (list)[take(in, sizeof(list) / sizeof((list)[0]))]

static size_t add_list(char *buf, size_t cap, size_t len, struct input *in, const char *name,
		       const char *const *items, unsigned n_items)
{
	unsigned n = take(in, 3);

	if (n == 0)
		return len;
	len += (size_t)snprintf(buf + len, cap - len, "  %s = {", name);
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s\"%s\"", i ? ", " : " ",
					items[take(in, n_items)]);
	return len + (size_t)snprintf(buf + len, cap - len, " }\n");
}

static struct guard_policy *build(const char *text)
{
	struct guard_policy *p = NULL;
	struct guard_error err = {0};

	if (guard_policy_new(&p) < 0)
		abort();
	if (guard_policy_parse_text(p, "fuzz.conf", text, strlen(text), &err) < 0 ||
	    guard_policy_finish(p, NULL, &err) < 0) {
		fprintf(stderr, "%s:%u: %s\n%s", err.file, err.line, err.message, text);
		abort(); /* the generator only writes valid policies */
	}
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	char text[16384], front[17000];
	size_t len = 0;
	unsigned n_rules = take(&in, 8);
	char *actor_groups[] = {"helpdesk", "users"};
	struct guard_target t = {0};
	struct guard_request req = {0};
	struct guard_verdict v1 = {0}, v2 = {0}, v3 = {0};
	struct guard_policy *p, *pf;
	int64_t now;

	len += (size_t)snprintf(text + len, sizeof(text) - len,
				"settings {\n  approvers = { \"%%guard-approvers\" }\n"
				"  timezone = \"UTC\"\n  default = %s\n}\n"
				"privileged_groups = { \"root\", \"sudo\" }\n"
				"protected_users = { \"root\", \"uid:0-999\" }\n",
				take(&in, 2) ? "deny" : "allow");
	for (unsigned i = 0; i < n_rules; i++) {
		unsigned actions = take(&in, 255) + 1;

		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"rule \"r%u\" {\n  actions = {", i);
		for (unsigned a = 0, first = 1; a < 8; a++)
			if (actions & (1u << a)) {
				len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\"%s\"",
							first ? " " : ", ",
							guard_action_name((enum guard_action)a));
				first = 0;
			}
		len += (size_t)snprintf(text + len, sizeof(text) - len, " }\n");
		len = add_list(text, sizeof(text), len, &in, "actors", actor_items, 6);
		len = add_list(text, sizeof(text), len, &in, "targets", target_items, 6);
		len = add_list(text, sizeof(text), len, &in, "groups", group_items, 5);
		len = add_list(text, sizeof(text), len, &in, "time", time_items, 5);
		len = add_list(text, sizeof(text), len, &in, "from", from_items, 6);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "  decision = %s\n}\n",
					PICK(&in, decisions));
	}

	/* The request. */
	t.action = (enum guard_action)take(&in, 8);
	if (take(&in, 4)) {
		t.user.name = (char *)(take(&in, 2) ? "carol" : "root");
		t.user.exists = true;
		t.user.uid_known = take(&in, 2);
		t.user.uid = strcmp(t.user.name, "root") == 0 ? 0 : 1003;
	}
	if (take(&in, 2)) {
		t.group = (char *)(take(&in, 2) ? "sudo" : "users");
		t.gid_known = true;
		t.gid = strcmp(t.group, "sudo") == 0 ? 27 : 100;
	}
	req.actor.name = (char *)(take(&in, 2) ? "alice" : "bob");
	req.actor.uid_known = true;
	req.actor.uid = 1001;
	req.actor.groups = actor_groups;
	req.actor.n_groups = take(&in, 3);
	req.service = "guardctl";
	req.location = (enum guard_location_kind)take(&in, 3);
	if (req.location == GUARD_LOCATION_REMOTE && take(&in, 2)) {
		req.addr_known = true;
		(void)guard_addr_parse(take(&in, 2) ? "10.1.2.3" : "2001:db8::1", &req.addr);
	}
	req.tty = take(&in, 2) ? "pts/1" : NULL;
	req.targets = &t;
	req.n_targets = 1;
	now = 1700000000 + (int64_t)take(&in, 255) * 3600;

	p = build(text);
	if (guard_evaluate(p, &req, NULL, NULL, now, &v1) < 0 ||
	    guard_evaluate(p, &req, NULL, NULL, now, &v2) < 0)
		abort();
	if (v1.decision != v2.decision || v1.n_actions != 1 ||
	    v1.actions[0].decision != v1.decision || v1.actions[0].rule != v2.actions[0].rule)
		abort();
	if (v1.decision != GUARD_DECISION_ALLOW && v1.actions[0].reason[0] == '\0')
		abort();

	/* A deny rule in front for the request's action. */
	snprintf(front, sizeof(front),
		 "rule \"front\" {\n  actions = { \"%s\" }\n  decision = deny\n}\n%s",
		 guard_action_name(t.action), text);
	/* settings must stay first for readability only; libconfuse does not care */
	pf = build(front);
	if (guard_evaluate(pf, &req, NULL, NULL, now, &v3) < 0 ||
	    v3.decision != GUARD_DECISION_DENY)
		abort();

	guard_verdict_clear(&v1);
	guard_verdict_clear(&v2);
	guard_verdict_clear(&v3);
	guard_policy_free(p);
	guard_policy_free(pf);
	return 0;
}
