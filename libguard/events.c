/* Events: each decision, command, alert and error goes to audit first
 * (it decides whether the action may go ahead), then to the journal.
 * With audit = required a record that is not written refuses the action,
 * and the journal says why; journald is never required, and never waited
 * for past a bound (events_journal.c). */
#include "events.h"

#include <arpa/inet.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <errno.h>
#include <libaudit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events_format.h"
#include "events_notify.h"
#include "events_sinks.h"
#include "text.h"

/* How long an AUDIT_GET that showed a daemon is trusted. */
#define AUDIT_RECHECK_MS 1000

struct guard_events {
	enum guard_event_source source;
	enum guard_audit_mode audit;
	bool journal;
	bool audit_open;
	int64_t audit_checked_ms; /* when AUDIT_GET last showed a daemon */
	struct guard_audit_sink audit_sink;
	struct guard_journal_sink journal_sink;
	const struct guard_tz *tz; /* the policy's zone, for times in messages */
	char **notify;		   /* the settings' notify programs (copies) */
	size_t n_notify;
	char *notify_user;
	char request_id[24]; /* guard_events_set_request: "" none */
	char *request_token;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *audit_mode_name(enum guard_audit_mode m)
{
	switch (m) {
	case GUARD_AUDIT_BEST_EFFORT:
		return "best-effort";
	case GUARD_AUDIT_OFF:
		return "off";
	case GUARD_AUDIT_REQUIRED:
	default:
		return "required";
	}
}

static void journal(struct guard_events *ev, const struct guard_event *e)
{
	struct guard_journal_entry entry;

	if (!ev->journal)
		return;
	if (guard_event_journal_entry(e, &entry) < 0)
		return;
	(void)guard_journal_sink_send(&ev->journal_sink, &entry);
	guard_journal_entry_clear(&entry);
}

/* Says in the journal that an audit record was not written and what
 * follows. e (may be NULL) is the event that was not recorded. */
static void journal_audit_failure(struct guard_events *ev, const struct guard_event *e,
				  const char *why)
{
	struct guard_event f = e ? *e : (struct guard_event){0};
	char line[600];

	snprintf(line, sizeof(line), "audit record not written: %s; %s (audit = %s)", why,
		 ev->audit == GUARD_AUDIT_REQUIRED ? "the action is refused" : "going on",
		 audit_mode_name(ev->audit));
	f.kind = GUARD_EVENT_AUDIT_FAILURE;
	f.source = ev->source;
	f.why = line;
	f.alert = NULL;
	journal(ev, &f);
}

int guard_events_open(const struct guard_settings *settings, enum guard_event_source source,
		      struct guard_events **ret, struct guard_error *err)
{
	struct guard_events *ev;
	char why[300] = "";
	int r;

	ev = calloc(1, sizeof(*ev));
	if (!ev) {
		guard_error_set(err, NULL, 0, "out of memory");
		return -ENOMEM;
	}
	ev->source = source;
	ev->audit = settings ? settings->audit : GUARD_AUDIT_REQUIRED;
	ev->journal = settings ? settings->journal : true;
	ev->audit_sink.fd = ev->audit_sink.status_fd = -1;
	ev->journal_sink.fd = -1;
	for (size_t i = 0; settings && i < settings->n_notify; i++) {
		char **v = realloc(ev->notify, (ev->n_notify + 1) * sizeof(*v));

		if (!v || !(v[ev->n_notify] = strdup(settings->notify[i]))) {
			if (v)
				ev->notify = v;
			guard_events_close(ev);
			guard_error_set(err, NULL, 0, "out of memory");
			return -ENOMEM;
		}
		ev->notify = v;
		ev->n_notify++;
	}
	if (settings && settings->notify_user &&
	    !(ev->notify_user = strdup(settings->notify_user))) {
		guard_events_close(ev);
		guard_error_set(err, NULL, 0, "out of memory");
		return -ENOMEM;
	}
	if (ev->journal) {
		/* journald absent: the sink retries at each send. */
		(void)guard_journal_sink_open(&ev->journal_sink, NULL);
	}
	if (ev->audit == GUARD_AUDIT_OFF) {
		*ret = ev;
		return 0;
	}
	r = guard_audit_sink_open(&ev->audit_sink, why, sizeof(why));
	if (r == 0) {
		ev->audit_open = true;
		r = guard_audit_sink_ready(&ev->audit_sink, why, sizeof(why));
		if (r == 0)
			ev->audit_checked_ms = now_ms();
	}
	if (r < 0) {
		journal_audit_failure(ev, NULL, why);
		if (ev->audit == GUARD_AUDIT_REQUIRED) {
			guard_error_set(err, NULL, 0, "audit = required, but %s", why);
			guard_events_close(ev);
			return r;
		}
	}
	*ret = ev;
	return 0;
}

int guard_events_set_request(struct guard_events *ev, int64_t id, const char *token)
{
	if (!ev)
		return 0;
	free(ev->request_token);
	ev->request_token = NULL;
	snprintf(ev->request_id, sizeof(ev->request_id), "%lld", (long long)id);
	if (token && !(ev->request_token = strdup(token)))
		return -ENOMEM;
	return 0;
}

void guard_events_set_zone(struct guard_events *ev, const struct guard_tz *tz)
{
	if (ev)
		ev->tz = tz;
}

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

void guard_events_close(struct guard_events *ev)
{
	if (!ev)
		return;
	guard_audit_sink_close(&ev->audit_sink);
	guard_journal_sink_close(&ev->journal_sink);
	for (size_t i = 0; i < ev->n_notify; i++)
		free(ev->notify[i]);
	free(ev->notify);
	free(ev->notify_user);
	free(ev->request_token);
	free(ev);
}

/* The audit records of one call: the daemon checked once, then each record
 * sent and acknowledged. Returns 0, or -errno with why. */
static int audit_records(struct guard_events *ev, const struct guard_event *events, size_t n,
			 const struct guard_request *request, char *why, size_t size)
{
	char addr[64] = "";
	int r;

	if (ev->audit == GUARD_AUDIT_OFF)
		return 0;
	if (!ev->audit_open) {
		snprintf(why, size, "the audit socket could not be opened");
		return -ENOTCONN;
	}
	/* AUDIT_GET costs the kernel a thread per reply (~0.3 ms): one
	 * check serves the records of the next AUDIT_RECHECK_MS. */
	if (now_ms() - ev->audit_checked_ms >= AUDIT_RECHECK_MS) {
		r = guard_audit_sink_ready(&ev->audit_sink, why, size);
		if (r < 0)
			return r;
		ev->audit_checked_ms = now_ms();
	}
	if (request && request->addr_known)
		guard_addr_format(&request->addr, addr, sizeof(addr));
	for (size_t i = 0; i < n; i++) {
		char *text = NULL;

		if (!events[i].audit_type)
			continue;
		r = guard_event_audit_text(&events[i], &text);
		if (r < 0) {
			snprintf(why, size, "cannot build the audit record: %s", strerror(-r));
			return r;
		}
		r = guard_audit_sink_send(
		    &ev->audit_sink, events[i].audit_type, text, request ? request->rhost : NULL,
		    addr, request ? request->tty : NULL, events[i].success, why, size);
		free(text);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Audit, then journal, a set of events. On an audit failure: required,
 * the journal gets one failure entry per event and -errno is returned;
 * best-effort, the events and the failure are journaled and 0 returned. */
static int report_sinks(struct guard_events *ev, const struct guard_event *events, size_t n,
			const struct guard_request *request, char *why, size_t why_size)
{
	int r;

	r = audit_records(ev, events, n, request, why, why_size);
	if (r < 0 && ev->audit == GUARD_AUDIT_REQUIRED) {
		for (size_t i = 0; i < n; i++)
			journal_audit_failure(ev, &events[i], why);
		return r;
	}
	for (size_t i = 0; i < n; i++)
		journal(ev, &events[i]);
	if (r < 0)
		journal_audit_failure(ev, n ? &events[0] : NULL, why);
	for (size_t i = 0; ev->n_notify && i < n; i++)
		if (guard_notify_wanted(&events[i])) {
			char *json = guard_notify_json(&events[i]);

			guard_notify_run(ev->notify, ev->n_notify, ev->notify_user, json);
			free(json);
		}
	return 0;
}

/* Each event's id: 128 random bits (a collector de-duplicates by it). */
static void event_id(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[16];

	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
		struct timespec ts;

		/* No entropy yet (early boot): unique enough for de-duplication. */
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(out, 33, "%016llx%08x%08x", (unsigned long long)ts.tv_sec,
			 (unsigned)ts.tv_nsec, (unsigned)getpid());
		return;
	}
	for (size_t i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[32] = '\0';
}

static int report(struct guard_events *ev, const struct guard_event *given, size_t n,
		  const struct guard_request *request)
{
	struct guard_event *events = calloc(n + 1, sizeof(*events));
	char(*ids)[33] = calloc(n + 1, sizeof(*ids));
	char why[300] = "";
	int r;

	if (!events || !ids) {
		free(events);
		free(ids);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		events[i] = given[i];
		event_id(ids[i]);
		events[i].id = ids[i];
	}
	r = report_sinks(ev, events, n, request, why, sizeof(why));
	free(events);
	free(ids);
	return r;
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
	r = report(ev, events, n, request);
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
	return report(ev, &e, 1, request);
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
	return report(ev, &e, 1, request);
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
	return report(ev, &e, 1, NULL);
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
	return report(ev, e, n, NULL);
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
	return report(ev, &e, 1, NULL);
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
	return report(ev, &e, 1, NULL);
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
	return report(ev, &e, 1, NULL);
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
	return report(ev, &e, 1, NULL);
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
	return report(ev, &e, 1, NULL);
}
