/* One function per kind of event (decision, exec, lockout, freeze,
 * approval, ...): which fields it carries and which audit record type it
 * is. They only describe; events.c sends what they describe, so that a new
 * kind is added here without touching the order audit and journal are
 * written in, or what a failure of audit refuses. */
#include "events.h"

#include <errno.h>
#include <libaudit.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "events_internal.h"
#include "text.h"

/* "until 15:05 Europe/Berlin": an end, rounded up to the minute as every
 * end Guard prints is, so that no two outputs of one time disagree. */
static void until_text(const struct guard_events *ev, int64_t until, char *buf, size_t size)
{
	struct guard_text t;

	guard_text_init(&t, buf, size);
	if (until <= 0) {
		guard_text_add(&t, "until thawed");
		return;
	}
	guard_text_add(&t, "until ");
	guard_text_time(&t, ev->tz, (int64_t)time(NULL), until, true, true);
}

/* The fields every event about a request shares. */
static void request_fields(const struct guard_events *ev, const struct guard_request *rq,
			   struct guard_event *e)
{
	e->source = ev->source;
	e->actor = rq->actor.name;
	e->actor_uid_known = rq->actor.uid_known;
	e->actor_uid = rq->actor.uid;
	e->service = rq->service;
	e->tty = rq->tty;
	e->rhost = rq->rhost;
	e->argc = rq->argc;
	e->argv = rq->argv;
}

static enum guard_event_kind decision_kind(const struct guard_verdict *v,
					   const struct guard_action_verdict *av)
{
	if (v->logged_only && av->decision != GUARD_DECISION_ALLOW)
		return GUARD_EVENT_MONITOR;
	switch (av->decision) {
	case GUARD_DECISION_ALLOW:
		return GUARD_EVENT_ALLOWED;
	case GUARD_DECISION_APPROVE:
		return GUARD_EVENT_APPROVAL_NEEDED;
	case GUARD_DECISION_DENY:
	case GUARD_DECISION_NONE:
	default:
		return GUARD_EVENT_REFUSED;
	}
}

int guard_events_decision(struct guard_events *ev, const struct guard_request *request,
			  const struct guard_verdict *verdict, const char *reason)
{
	struct guard_event *events;
	char(*ops)[48];
	size_t n = 0;
	int r;

	if (!ev || !request || !verdict)
		return -EINVAL;
	events = calloc(verdict->n_actions * 2 + 1, sizeof(*events));
	ops = calloc(verdict->n_actions + 1, sizeof(*ops));
	if (!events || !ops) {
		free(events);
		free(ops);
		return -ENOMEM;
	}
	for (size_t i = 0; i < verdict->n_actions; i++) {
		const struct guard_action_verdict *av = &verdict->actions[i];
		const struct guard_rule *rule = av->rule;
		const char *action = guard_action_name(av->target->action);
		struct guard_event *e = &events[n++];

		snprintf(ops[i], sizeof(ops[i]), "guard-%s", action ? action : "unknown");
		request_fields(ev, request, e);
		e->kind = decision_kind(verdict, av);
		e->audit_type = AUDIT_USER_ACCT;
		e->success = av->decision == GUARD_DECISION_ALLOW || e->kind == GUARD_EVENT_MONITOR;
		e->op = ops[i];
		e->decision = guard_decision_name(av->decision);
		e->action = action;
		e->mode = verdict->mode == GUARD_MODE_MONITOR ? "monitor" : "enforce";
		e->target = av->target->user.name;
		e->group = av->target->group;
		e->grant = av->target->grant;
		e->rule = rule ? rule->name : NULL;
		e->reason = reason;
		e->why = av->reason[0] ? av->reason : NULL;
		e->break_glass = av->break_glass;
		if (e->kind == GUARD_EVENT_APPROVAL_NEEDED && ev->request_id[0]) {
			e->request = ev->request_id;
			e->token = ev->request_token;
		}

		if ((rule && rule->alert) || av->break_glass) {
			struct guard_event *a = &events[n++];

			*a = *e;
			a->kind = GUARD_EVENT_ALERT;
			a->audit_type = guard_alert_audit_type(rule && rule->time.present,
							       rule && rule->from.present,
							       av->target->action, &a->alert);
			if (av->break_glass)
				a->alert = "break-glass";
		}
	}
	r = guard_events_report(ev, events, n, request);
	free(events);
	free(ops);
	return r;
}

int guard_events_refused_request(struct guard_events *ev, const struct guard_request *request,
				 const char *why, const char *reason)
{
	struct guard_event e = {0};

	if (!ev || !request || !why)
		return -EINVAL;
	request_fields(ev, request, &e);
	e.kind = GUARD_EVENT_REQUEST_REFUSED;
	e.audit_type = AUDIT_USER_ACCT;
	e.op = "guard-request";
	e.success = false;
	e.decision = guard_decision_name(GUARD_DECISION_DENY);
	e.rule = GUARD_RULE_REQUEST;
	e.reason = reason;
	e.why = why;
	return guard_events_report(ev, &e, 1, request);
}

int guard_events_exec(struct guard_events *ev, const struct guard_request *request, int wait_status)
{
	struct guard_event e = {0};

	if (!ev || !request)
		return -EINVAL;
	request_fields(ev, request, &e);
	e.kind = GUARD_EVENT_EXEC;
	e.audit_type = AUDIT_USER_CMD;
	e.op = "guard-exec";
	e.has_exit = true;
	e.wait_status = wait_status;
	e.success = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
	for (size_t i = 0; i < request->n_targets; i++) {
		if (!e.target)
			e.target = request->targets[i].user.name;
		if (!e.group)
			e.group = request->targets[i].group;
	}
	if (request->n_targets > 0)
		e.action = guard_action_name(request->targets[0].action);
	return guard_events_report(ev, &e, 1, request);
}

int guard_events_policy_error(struct guard_events *ev, const struct guard_error *error)
{
	struct guard_event e = {0};

	if (!ev || !error)
		return -EINVAL;
	e.kind = GUARD_EVENT_POLICY_ERROR;
	e.source = ev->source;
	e.audit_type = AUDIT_USYS_CONFIG;
	e.op = "guard-policy-error";
	e.success = false;
	e.file = error->file[0] ? error->file : NULL;
	e.line = error->line;
	e.why = error->message;
	return guard_events_report(ev, &e, 1, NULL);
}

int guard_events_lockout(struct guard_events *ev, const struct guard_identity *actor,
			 const char *watch, int64_t until)
{
	struct guard_event e[2] = {{0}};
	char why[64];
	size_t n = 1;

	if (!ev || !actor || !watch)
		return -EINVAL;
	until_text(ev, until, why, sizeof(why));
	e[0].kind = GUARD_EVENT_ALERT;
	e[0].source = ev->source;
	e[0].audit_type = AUDIT_ANOM_LOGIN_FAILURES;
	e[0].alert = "watch";
	e[0].op = "guard-watch";
	e[0].actor = actor->name;
	e[0].actor_uid_known = actor->uid_known;
	e[0].actor_uid = actor->uid;
	e[0].target = actor->name;
	e[0].rule = watch;
	e[0].success = false;
	if (until > 0) {
		e[1] = e[0];
		e[1].kind = GUARD_EVENT_LOCKOUT;
		e[1].audit_type = AUDIT_RESP_ACCT_LOCK_TIMED;
		e[1].alert = NULL;
		e[1].op = "guard-lockout";
		e[1].why = why;
		n = 2;
	}
	return guard_events_report(ev, e, n, NULL);
}

int guard_events_freeze(struct guard_events *ev, const struct guard_identity *by, bool frozen,
			const char *reason, int64_t until)
{
	struct guard_event e = {0};
	char why[64];

	if (!ev || !by)
		return -EINVAL;
	until_text(ev, until, why, sizeof(why));
	e.kind = frozen ? GUARD_EVENT_FREEZE : GUARD_EVENT_THAW;
	e.source = ev->source;
	e.audit_type = AUDIT_USYS_CONFIG;
	e.op = frozen ? "guard-freeze" : "guard-thaw";
	e.actor = by->name;
	e.actor_uid_known = by->uid_known;
	e.actor_uid = by->uid;
	e.reason = reason;
	e.why = frozen ? why : NULL;
	e.success = true;
	return guard_events_report(ev, &e, 1, NULL);
}

int guard_events_break_glass(struct guard_events *ev, const struct guard_identity *actor,
			     const char *reason, int64_t until)
{
	struct guard_event e = {0};
	char why[64];

	if (!ev || !actor)
		return -EINVAL;
	until_text(ev, until, why, sizeof(why));
	e.kind = GUARD_EVENT_BREAK_GLASS;
	e.source = ev->source;
	e.audit_type = AUDIT_ANOM_ROOT_TRANS;
	e.alert = "break-glass";
	e.op = "guard-break-glass";
	e.actor = actor->name;
	e.actor_uid_known = actor->uid_known;
	e.actor_uid = actor->uid;
	e.target = actor->name;
	e.reason = reason;
	e.why = why;
	e.success = true;
	return guard_events_report(ev, &e, 1, NULL);
}

int guard_events_approval(struct guard_events *ev, const struct guard_identity *approver,
			  const char *request_id, const char *requester, bool approved,
			  const char *comment)
{
	struct guard_event e = {0};

	if (!ev || !approver || !request_id)
		return -EINVAL;
	e.kind = GUARD_EVENT_APPROVAL;
	e.source = ev->source;
	e.audit_type = AUDIT_USER_ACCT;
	e.op = approved ? "guard-approve" : "guard-deny-request";
	e.decision = approved ? "allow" : "deny";
	e.actor = approver->name;
	e.actor_uid_known = approver->uid_known;
	e.actor_uid = approver->uid;
	e.target = requester;
	e.request = request_id;
	e.reason = comment;
	e.success = approved;
	return guard_events_report(ev, &e, 1, NULL);
}

int guard_events_account_change(struct guard_events *ev, const struct guard_account_change *c)
{
	struct guard_event e = {0};
	bool group = c && c->kind == GUARD_ACCOUNT_GROUP;
	char why[512];

	if (!ev || !c)
		return -EINVAL;
	guard_account_change_text(c, why, sizeof(why));
	e.kind = GUARD_EVENT_ALERT;
	e.source = ev->source;
	e.audit_type = c->type == GUARD_CHANGE_ADDED	 ? AUDIT_ANOM_ADD_ACCT
		       : c->type == GUARD_CHANGE_REMOVED ? AUDIT_ANOM_DEL_ACCT
							 : AUDIT_ANOM_MOD_ACCT;
	e.alert = "account-change";
	e.op = "guard-account-change";
	e.target = c->member ? c->member : group ? NULL : c->name;
	e.group = group ? c->name : NULL;
	e.why = why;
	e.success = true;
	return guard_events_report(ev, &e, 1, NULL);
}

int guard_events_signature_refused(struct guard_events *ev, const char *request_id,
				   const char *requester, const char *signer, const char *why)
{
	struct guard_event e = {0};

	if (!ev || !request_id || !why)
		return -EINVAL;
	/* Recorded, not notified: anyone may present a signature, and a
	 * refusal must not become a way to flood the notify programs. */
	e.kind = GUARD_EVENT_REQUEST_REFUSED;
	e.source = ev->source;
	e.audit_type = AUDIT_USER_ACCT;
	e.op = "guard-approve-signature";
	e.alert = "approval-signature";
	e.decision = "deny";
	e.actor = signer;
	e.target = requester;
	e.request = request_id;
	e.why = why;
	e.success = false;
	return guard_events_report(ev, &e, 1, NULL);
}
