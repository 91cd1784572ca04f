/* The terms of an approval as filed: identities, actions, rules. The
 * checks that spend one only for what it was given for are in
 * approval_terms_check.c. */
#include "approval_terms.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approvers.h"
#include "approval_terms_internal.h"
#include "error.h"

/* A growing string; oom sticks. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static char *sb_take(struct sbuf *b)
{
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	if (!b->p)
		return strdup("");
	return b->p;
}

const char *guard_approval_escape(const char *s, char *buf, size_t size)
{
	return guard_escape(s ? s : "", buf, size);
}

/* ---- Identities ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *ident_line(bool user, const char *name, bool known, uint32_t id)
{
	char q[300], *s = NULL;

	if (known)
		return asprintf(&s, "%s\t%s\t%u", user ? "user" : "group",
				guard_approval_escape(name, q, sizeof(q)), id) < 0
			   ? NULL
			   : s;
	return asprintf(&s, "%s\t%s\t-", user ? "user" : "group",
			guard_approval_escape(name, q, sizeof(q))) < 0
		   ? NULL
		   : s;
}

/* Every user and group the request names, as resolved now: sorted lines,
 * each once. */
static int idents_build(const struct guard_request *rq, struct guard_approval_terms *t)
{
	size_t cap = 2 * rq->n_targets, n = 0;
	char **v = calloc(cap ? cap : 1, sizeof(*v));
	struct guard_sha256 c;
	uint8_t d[GUARD_SHA256_LEN];
	struct sbuf b = {0};
	int r = -ENOMEM;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < rq->n_targets; i++) {
		const struct guard_target *tg = &rq->targets[i];
		char num[16];

		if (tg->user.name) {
			v[n] = ident_line(true, tg->user.name,
					  tg->user.exists && tg->user.uid_known, tg->user.uid);
			if (!v[n++])
				goto out;
		}
		if (tg->group || tg->gid_known) {
			snprintf(num, sizeof(num), "#%u", (unsigned)tg->gid);
			v[n] =
			    ident_line(false, tg->group ? tg->group : num, tg->gid_known, tg->gid);
			if (!v[n++])
				goto out;
		}
	}
	qsort(v, n, sizeof(*v), cmp_str);
	guard_sha256_init(&c);
	t->n_idents = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		/* Each line with its end: no two lists hash alike. */
		guard_sha256_update(&c, v[i], strlen(v[i]) + 1);
		if (t->n_idents++ < GUARD_APPROVAL_MAX_IDENTS)
			sb_add(&b, "%s%s", b.len ? "\n" : "", v[i]);
	}
	guard_sha256_final(&c, d);
	guard_sha256_hex(d, t->idents_digest);
	t->idents = sb_take(&b);
	r = t->idents ? 0 : -ENOMEM;
out:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return r;
}

/* ---- Actions ---- */

static void user_text(struct sbuf *b, const struct guard_identity *u)
{
	char q[300];

	sb_add(b, "%s", guard_approval_escape(u->name, q, sizeof(q)));
	if (u->exists && u->uid_known)
		sb_add(b, " (uid %u)", (unsigned)u->uid);
	else if (u->uid_known)
		sb_add(b, " (new, uid %u)", (unsigned)u->uid);
	else
		sb_add(b, " (new)");
}

static void action_line(struct sbuf *b, const struct guard_target *tg)
{
	const char *name = guard_action_name(tg->action);
	char q[300];

	sb_add(b, "%s", name ? name : "unknown action");
	if (tg->user.name) {
		sb_add(b, " %s ", tg->action == GUARD_ROLE_ESCALATE ? "to" : "of");
		user_text(b, &tg->user);
	} else if (tg->user.uid_known) {
		sb_add(b, " of uid %u", (unsigned)tg->user.uid);
	}
	if (tg->grant) {
		/* An escalation names what grants it, which says the group too. */
		sb_add(b, " via %s", guard_approval_escape(tg->grant, q, sizeof(q)));
		if (tg->group && tg->gid_known && strncmp(tg->grant, "group ", 6) == 0 &&
		    strcmp(tg->grant + 6, tg->group) == 0)
			sb_add(b, " (gid %u)", (unsigned)tg->gid);
		return;
	}
	if (tg->group || tg->gid_known) {
		sb_add(b, "%s", tg->user.name || tg->user.uid_known ? ", group " : " of group ");
		if (tg->group)
			sb_add(b, "%s", guard_approval_escape(tg->group, q, sizeof(q)));
		if (tg->gid_known)
			sb_add(b, tg->group ? " (gid %u)" : "gid %u", (unsigned)tg->gid);
		else
			sb_add(b, " (new)");
	}
}

static int actions_build(const struct guard_request *rq, struct guard_approval_terms *t)
{
	struct sbuf b = {0};

	t->n_actions = rq->n_targets;
	for (size_t i = 0; i < rq->n_targets && i < GUARD_APPROVAL_MAX_ACTIONS; i++) {
		if (i > 0)
			sb_add(&b, "\n");
		action_line(&b, &rq->targets[i]);
	}
	t->actions = sb_take(&b);
	return t->actions ? 0 : -ENOMEM;
}

/* ---- Rules ---- */

static void list_text(struct sbuf *b, const struct guard_list *l)
{
	char q[300];

	for (size_t i = 0; i < l->n; i++)
		sb_add(b, "%s%s%s", i ? ", " : "", l->items[i].negated ? "!" : "",
		       guard_approval_escape(l->items[i].text, q, sizeof(q)));
}

static bool own_approvers(const struct guard_rule *r)
{
	return r && r->approvers.present && r->approvers.n > 0;
}

static void needs_text(struct sbuf *b, const struct guard_policy *policy,
		       const struct guard_rule *r)
{
	unsigned n = r ? r->approvals : 1;

	sb_add(b, "%u approval%s by ", n ? n : 1, n > 1 ? "s" : "");
	if (own_approvers(r)) {
		list_text(b, &r->approvers);
	} else {
		list_text(b, &policy->settings.approvers);
		sb_add(b, " (the settings' approvers)");
	}
}

void guard_approval_rule_needs(const struct guard_policy *policy, const struct guard_rule *r,
			       char *buf, size_t size)
{
	struct sbuf b = {0};

	needs_text(&b, policy, r);
	snprintf(buf, size, "%s", b.oom || !b.p ? "approval" : b.p);
	free(b.p);
}

/* Is the rule the first approving one of its kind in v? */
bool guard_approval_first_approve(const struct guard_verdict *v, size_t i)
{
	if (v->actions[i].decision != GUARD_DECISION_APPROVE)
		return false;
	for (size_t k = 0; k < i; k++)
		if (v->actions[k].decision == GUARD_DECISION_APPROVE &&
		    v->actions[k].rule == v->actions[i].rule)
			return false;
	return true;
}

const char *guard_approval_rule_name(const struct guard_rule *r)
{
	return r ? r->name : "";
}

static int rules_build(const struct guard_policy *policy, const struct guard_verdict *v,
		       struct guard_approval_terms *t)
{
	struct sbuf names = {0}, terms = {0};

	t->needed = 1;
	for (size_t i = 0; i < v->n_actions; i++) {
		const struct guard_rule *r = v->actions[i].rule;

		if (!guard_approval_first_approve(v, i))
			continue;
		/* The default asks with the settings' approvers: no name. */
		if (r) {
			sb_add(&names, "%s%s", names.len ? "\n" : "", r->name);
			if (r->approvals > t->needed)
				t->needed = r->approvals;
		}
		sb_add(&terms, "%s%s\t%u\t", terms.len ? "\n" : "", guard_approval_rule_name(r),
		       r && r->approvals ? r->approvals : 1);
		if (own_approvers(r)) {
			list_text(&terms, &r->approvers);
		} else {
			sb_add(&terms, "settings: ");
			list_text(&terms, &policy->settings.approvers);
		}
	}
	t->rules = sb_take(&names);
	t->rule_terms = sb_take(&terms);
	return t->rules && t->rule_terms ? 0 : -ENOMEM;
}

int guard_approval_terms_build(const struct guard_policy *policy, const struct guard_request *rq,
			       const struct guard_verdict *v, struct guard_approval_terms *ret)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	r = idents_build(rq, ret);
	if (r == 0)
		r = actions_build(rq, ret);
	if (r == 0)
		r = rules_build(policy, v, ret);
	if (r < 0)
		guard_approval_terms_clear(ret);
	return r;
}

void guard_approval_terms_clear(struct guard_approval_terms *t)
{
	if (!t)
		return;
	free(t->idents);
	free(t->actions);
	free(t->rules);
	free(t->rule_terms);
	memset(t, 0, sizeof(*t));
}
