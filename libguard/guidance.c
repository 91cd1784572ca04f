/* What a person reads when Guard refuses. The text is the product's
 * interface: guardctl and pam_guard print the same lines, scripts and
 * people read them, tests compare them whole. */
#include "guidance.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "match.h"
#include "policy.h"
#include "request.h"

/* "user.create of bob", "role.escalate to bob via group sudo",
 * "group.delete of group staff", "group.member.add of bob, group sudo". */
static void action_text(const struct guard_target *tg, struct guard_text *t)
{
	const char *name = guard_action_name(tg->action);
	bool to = tg->action == GUARD_ROLE_ESCALATE || tg->action == GUARD_SESSION_LOGIN;

	guard_text_add(t, "%s", name ? name : "unknown action");
	if (tg->user.name || tg->user.uid_known)
		guard_text_add(t, " %s ", to ? "to" : "of");
	if (tg->user.name)
		guard_text_escaped(t, tg->user.name);
	else if (tg->user.uid_known)
		guard_text_add(t, "uid %u", (unsigned)tg->user.uid);
	/* An escalation names what grants it, which says the group too. */
	if (tg->grant) {
		guard_text_add(t, " via ");
		guard_text_escaped(t, tg->grant);
		return;
	}
	if (tg->group || tg->gid_known)
		guard_text_add(t, "%s",
			       tg->user.name || tg->user.uid_known ? ", group " : " of group ");
	if (tg->group)
		guard_text_escaped(t, tg->group);
	else if (tg->gid_known)
		guard_text_add(t, "gid %u", (unsigned)tg->gid);
}

static void sentence(struct guard_text *t, const char *s)
{
	size_t n = strlen(s);

	guard_text_escaped(t, s);
	if (n > 0 && !strchr(".!?", s[n - 1]))
		guard_text_add(t, ".");
}

/* The near miss the line names when the default decided. */
static const struct guard_near_miss *default_near_miss(const struct guard_action_verdict *av)
{
	if (av->rule || av->condition != GUARD_COND_DEFAULT || av->n_near_misses == 0)
		return NULL;
	return &av->near_misses[0];
}

static void line_two(const struct guard_verdict *v, const struct guard_action_verdict *av,
		     struct guard_text *t)
{
	const struct guard_near_miss *nm = default_near_miss(av);
	const char *message = av->rule ? av->rule->message : nm ? nm->rule->message : NULL;
	size_t others = 0, start = t->len;

	guard_text_add(t, "\n ");
	if (message) {
		guard_text_add(t, " ");
		sentence(t, message);
	}
	if (av->safe_path[0])
		guard_text_add(t, " Next: %s.", av->safe_path);
	for (size_t i = 0; i < v->n_actions; i++) {
		const struct guard_action_verdict *o = &v->actions[i];
		const char *name = guard_action_name(o->target->action);

		if (o == av || o->decision == GUARD_DECISION_ALLOW)
			continue;
		/* An action that waits for approval is not refused: say which. */
		guard_text_add(t, "%s%s",
			       others++					? ", "
			       : av->decision == GUARD_DECISION_APPROVE ? " Also needs approval: "
									: " Also refused: ",
			       name ? name : "unknown action");
	}
	if (others)
		guard_text_add(t, " (guardctl explain).");
	if (t->len == start + 2 && !t->truncated) {
		t->len = start; /* nothing to say on a second line */
		t->buf[start] = '\0';
	}
}

size_t guard_guidance_line(const struct guard_verdict *v, char *buf, size_t size)
{
	const struct guard_action_verdict *av = NULL;
	const struct guard_near_miss *nm;
	bool monitor = v->logged_only;
	struct guard_text t;

	if (!buf || size < 4)
		return 0;
	guard_text_init(&t, buf, size);
	for (size_t i = 0; i < v->n_actions && !av; i++)
		if (v->actions[i].decision == v->decision &&
		    (v->decision != GUARD_DECISION_ALLOW || v->actions[i].break_glass))
			av = &v->actions[i];
	if (v->decision == GUARD_DECISION_ALLOW && !av)
		return 0;
	if (!av) {
		guard_text_add(&t, "guard: %s: the request raises no action Guard can decide.",
			       monitor ? "would be denied (monitor mode)" : "denied");
		return t.len;
	}
	if (v->decision == GUARD_DECISION_ALLOW)
		guard_text_add(&t, "guard: allowed by break-glass: ");
	else if (v->decision == GUARD_DECISION_APPROVE)
		guard_text_add(&t, "guard: %s: ",
			       monitor ? "would need approval (monitor mode)" : "approval needed");
	else
		guard_text_add(
		    &t, "guard: %s: ", monitor ? "would be denied (monitor mode)" : "denied");
	action_text(av->target, &t);
	if (av->rule) {
		guard_text_add(&t, " by rule \"");
		guard_text_escaped(&t, av->rule->name);
		guard_text_add(&t, "\"");
	} else if (av->condition == GUARD_COND_DEFAULT) {
		guard_text_add(&t, " by default");
	}
	guard_text_add(&t, ": %s", av->reason);
	if ((nm = default_near_miss(av))) {
		const struct guard_list *l = guard_rule_matcher(nm->rule, nm->condition);

		guard_text_add(&t, " (rule \"");
		guard_text_escaped(&t, nm->rule->name);
		guard_text_add(&t, "\"");
		/* The reason of a location says already what was wanted. */
		if (l && nm->condition != GUARD_COND_FROM && guard_match_items_count(l, true) > 0) {
			guard_text_add(&t, " allows ");
			guard_match_items(l, true, ", ", ", ", &t);
		}
		guard_text_add(&t, ")");
	}
	if (av->break_glass)
		guard_text_add(&t, "; this use is alerted");
	guard_text_add(&t, ".");
	line_two(v, av, &t);
	return t.len;
}

/* A growing string for the explanation; on allocation failure it stops
 * growing and says so at the end. */
struct dyn {
	char *p;
	size_t len, cap;
	bool failed;
};

static void dyn_add(struct dyn *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void dyn_add(struct dyn *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		d->failed = true;
		return;
	}
	if (d->len + (size_t)n + 1 > d->cap) {
		size_t cap = (d->len + (size_t)n + 1) * 2;
		char *q = realloc(d->p, cap);

		if (!q) {
			d->failed = true;
			return;
		}
		d->p = q;
		d->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(d->p + d->len, d->cap - d->len, fmt, ap);
	va_end(ap);
	d->len += (size_t)n;
}

static void explain_request(const struct guard_policy *policy, const struct guard_request *r,
			    int64_t now, struct dyn *d)
{
	char buf[1024];
	struct guard_text t;
	struct guard_localtime lt;
	const char *zone = guard_text_localtime(policy->tz, now, &lt);
	struct guard_match_ctx m = {.policy = policy, .request = r};
	struct guard_target none = {.action = GUARD_ACTION_COUNT};

	m.target = &none;
	guard_text_init(&t, buf, sizeof(buf));
	if (r->argv && r->argc > 0)
		guard_text_command(&t, r->argc, r->argv);
	else {
		/* A PAM decision: the service and the account it is about. */
		guard_text_add(&t, "PAM service ");
		guard_text_escaped(&t, r->service ? r->service : "?");
		if (r->n_targets > 0 && r->targets[0].user.name) {
			guard_text_add(&t, ", target ");
			guard_text_escaped(&t, r->targets[0].user.name);
		}
	}
	dyn_add(d, "request:  %s\n", buf);
	guard_text_init(&t, buf, sizeof(buf));
	guard_text_escaped(&t, r->actor.name);
	if (r->actor.uid_known)
		guard_text_add(&t, " (uid %u)", (unsigned)r->actor.uid);
	for (size_t i = 0; i < r->actor.n_groups; i++) {
		guard_text_add(&t, "%s", i ? ", %" : ", groups %");
		guard_text_escaped(&t, r->actor.groups[i]);
	}
	dyn_add(d, "actor:    %s\n", buf);
	guard_text_init(&t, buf, sizeof(buf));
	guard_match_value(&m, GUARD_COND_FROM, &t);
	if (r->tty) {
		guard_text_add(&t, ", tty ");
		guard_text_escaped(&t, r->tty);
	}
	guard_text_add(&t, ", ");
	guard_match_value(&m, GUARD_COND_SERVICES, &t);
	dyn_add(d, "where:    %s\n", buf);
	guard_text_init(&t, buf, sizeof(buf));
	guard_text_escaped(&t, zone);
	/* The abbreviation and offset tell apart the two 02:30s of a
	 * DST change. */
	dyn_add(d, "time:     %s %04d-%02d-%02d %02d:%02d:%02d %s %c%02d:%02d %s\n",
		guard_day_name(lt.wday), lt.year, lt.mon, lt.mday, lt.hour, lt.min, lt.sec, lt.abbr,
		lt.utoff < 0 ? '-' : '+', abs(lt.utoff) / 3600, abs(lt.utoff) % 3600 / 60, buf);
}

static void explain_rule(const char *label, const struct guard_rule *r, const char *extra,
			 struct dyn *d)
{
	char name[128], file[256];

	guard_escape(r->name, name, sizeof(name));
	guard_escape(r->file ? r->file : "?", file, sizeof(file));
	dyn_add(d, "  %-10s \"%s\" (%s:%u)%s\n", label, name, file, r->line, extra);
}

static void explain_action(const struct guard_action_verdict *av, struct dyn *d)
{
	char buf[1024];
	struct guard_text t;

	guard_text_init(&t, buf, sizeof(buf));
	action_text(av->target, &t);
	dyn_add(d, "\n%s: %s%s\n", buf, guard_decision_name(av->decision),
		av->break_glass ? " (break-glass: this use is alerted)" : "");
	if (av->rule)
		explain_rule("rule:", av->rule, "", d);
	else if (av->condition == GUARD_COND_FROZEN || av->condition == GUARD_COND_LOCKOUT)
		dyn_add(d, "  %-10s host state (%s)\n",
			"rule:", guard_condition_name(av->condition));
	else
		dyn_add(d, "  %-10s none: the default decides\n", "rule:");
	if (av->reason[0])
		dyn_add(d, "  %-10s %s\n", "reason:", av->reason);
	if (av->rule && av->rule->message && av->decision != GUARD_DECISION_ALLOW) {
		guard_escape(av->rule->message, buf, sizeof(buf));
		dyn_add(d, "  %-10s %s\n", "message:", buf);
	}
	for (size_t i = 0; i < av->n_near_misses && i < GUARD_MAX_NEAR_MISSES; i++) {
		const struct guard_near_miss *nm = &av->near_misses[i];

		snprintf(buf, sizeof(buf), " but %s", nm->why);
		explain_rule("near miss:", nm->rule, buf, d);
	}
	if (av->safe_path[0])
		dyn_add(d, "  %-10s %s\n", "next:", av->safe_path);
}

int guard_guidance_explain(const struct guard_policy *policy, const struct guard_request *request,
			   const struct guard_verdict *v, int64_t now, char **ret)
{
	struct dyn d = {0};
	char name[128];

	explain_request(policy, request, now, &d);
	dyn_add(&d, "decision: %s%s\n", guard_decision_name(v->decision),
		v->logged_only ? " (monitor mode: logged, not enforced)"
		: v->mode == GUARD_MODE_MONITOR
		    ? " (enforced: monitor mode applies to PAM and sudo, not to guardctl)"
		    : "");
	for (size_t i = 0; i < v->n_limit_rules; i++)
		dyn_add(&d, "%s\"%s\"%s", i ? ", " : "limits:   one use of ",
			guard_escape(v->limit_rules[i]->name, name, sizeof(name)),
			i + 1 == v->n_limit_rules ? " when it goes ahead\n" : "");
	if (v->n_actions == 0)
		dyn_add(&d, "\nno action: the request raises nothing Guard can decide\n");
	for (size_t i = 0; i < v->n_actions; i++)
		explain_action(&v->actions[i], &d);
	if (d.failed) {
		free(d.p);
		return -ENOMEM;
	}
	*ret = d.p;
	return 0;
}
