/* Events: each decision, command, alert and error goes to audit first
 * (it decides whether the action may go ahead), then to the journal.
 * With audit = required a record that is not written refuses the action,
 * and the journal says why; journald is never required, and never waited
 * for past a bound (events_journal.c). What each kind of event carries is
 * events_kinds.c's; here, the handle and the order of the sinks. */
#include "monotonic.h"
#include "events.h"

#include <arpa/inet.h>
#include <sys/random.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events_internal.h"
#include "events_notify.h"

/* How long an AUDIT_GET that showed a daemon is trusted. */
#define AUDIT_RECHECK_MS 1000

/* When one last did, for the whole process: the decision service opens a
 * handle per request, and the kernel answers each AUDIT_GET from a thread
 * of its own (~0.3 ms). -1: not within this process, or it failed since. */
static int64_t audit_ready_ms = -1;

/* The audit socket, opened when first needed: a relaying handle sends no
 * record itself, and needs one only to ask AUDIT_GET. */
static int audit_sink_needed(struct guard_events *ev, char *why, size_t size)
{
	int r;

	if (ev->audit_open)
		return 0;
	r = guard_audit_sink_open(&ev->audit_sink, why, size);
	if (r == 0)
		ev->audit_open = true;
	return r;
}

/* Has AUDIT_GET shown a daemon within AUDIT_RECHECK_MS? Else asks. */
static int audit_ready(struct guard_events *ev, char *why, size_t size)
{
	int64_t now = guard_monotonic_ms();
	int r;

	if (audit_ready_ms >= 0 && now - audit_ready_ms < AUDIT_RECHECK_MS) {
		ev->audit_checked_ms = audit_ready_ms;
		return 0;
	}
	r = audit_sink_needed(ev, why, size);
	if (r == 0)
		r = guard_audit_sink_ready(&ev->audit_sink, why, size);
	audit_ready_ms = r == 0 ? guard_monotonic_ms() : -1;
	ev->audit_checked_ms = audit_ready_ms;
	return r;
}

static const char *exe_override;

void guard_events_set_exe(const char *path)
{
	exe_override = path;
}

/* exe= for the handle's records. */
static char *own_exe(void)
{
	char path[PATH_MAX];
	ssize_t n;

	if (exe_override)
		return strdup(exe_override);
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return strdup("?");
	path[n] = '\0';
	return strdup(path);
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

	char *buf = NULL;
	size_t len = 0;

	if (!ev->journal)
		return;
	if (guard_event_journal_entry(e, &entry) < 0)
		return;
	if (guard_journal_serialize(&entry, &buf, &len) == 0) {
		if (ev->relay)
			guard_events_relay_add(ev->relay, GUARD_RELAY_JOURNAL, 0, buf, len);
		else
			(void)guard_journal_sink_send(&ev->journal_sink, buf, len);
	}
	free(buf);
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

/* The handle; relay: its records appended there (events_relay.h), for
 * another process to send. */
static int events_open(const struct guard_settings *settings, enum guard_event_source source,
		       struct guard_events_relay *relay, struct guard_events **ret,
		       struct guard_error *err)
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
	ev->relay = relay;
	if (relay && ev->audit == GUARD_AUDIT_REQUIRED)
		relay->audit_required = true;
	/* A relay's records name the program its sender runs. */
	ev->exe = relay ? strdup(relay->exe ? relay->exe : "?") : own_exe();
	if (!ev->exe) {
		guard_events_close(ev);
		guard_error_set(err, NULL, 0, "out of memory");
		return -ENOMEM;
	}
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
	if (ev->journal && !relay) {
		/* journald absent: the sink retries at each send. */
		(void)guard_journal_sink_open(&ev->journal_sink, NULL);
	}
	if (ev->audit == GUARD_AUDIT_OFF) {
		*ret = ev;
		return 0;
	}
	/* The check, here, before anything is decided; a relay's sender
	 * sends. */
	r = relay ? 0 : audit_sink_needed(ev, why, sizeof(why));
	if (r == 0)
		r = audit_ready(ev, why, sizeof(why));
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

int guard_events_open(const struct guard_settings *settings, enum guard_event_source source,
		      struct guard_events **ret, struct guard_error *err)
{
	return events_open(settings, source, NULL, ret, err);
}

int guard_events_open_relay(const struct guard_settings *settings, enum guard_event_source source,
			    struct guard_events_relay *relay, struct guard_events **ret,
			    struct guard_error *err)
{
	return events_open(settings, source, relay, ret, err);
}

void guard_events_relay_switch(struct guard_events *ev, struct guard_events_relay *relay)
{
	/* Only between relays: a handle opened to send has no relay, and
	 * one opened to relay has no sink to send with. */
	if (!ev || !ev->relay || !relay)
		return;
	ev->relay = relay;
	if (ev->audit == GUARD_AUDIT_REQUIRED)
		relay->audit_required = true;
}

int guard_events_open_best_effort(const struct guard_settings *settings,
				  enum guard_event_source source, struct guard_events **ret,
				  struct guard_error *err)
{
	struct guard_settings sinks;

	if (!settings)
		return guard_events_open(settings, source, ret, err);
	sinks = *settings;
	if (sinks.audit == GUARD_AUDIT_REQUIRED)
		sinks.audit = GUARD_AUDIT_BEST_EFFORT;
	return guard_events_open(&sinks, source, ret, err);
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
	free(ev->exe);
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
	if (!ev->audit_open && !ev->relay) {
		snprintf(why, size, "the audit socket could not be opened");
		return -ENOTCONN;
	}
	/* One check serves the records of the next AUDIT_RECHECK_MS. */
	if (ev->audit_checked_ms < 0 ||
	    guard_monotonic_ms() - ev->audit_checked_ms >= AUDIT_RECHECK_MS) {
		r = audit_ready(ev, why, size);
		if (r < 0)
			return r;
	}
	if (request && request->addr_known)
		guard_addr_format(&request->addr, addr, sizeof(addr));
	for (size_t i = 0; i < n; i++) {
		char *text = NULL, *message = NULL;

		if (!events[i].audit_type)
			continue;
		r = guard_event_audit_text(&events[i], &text);
		if (r >= 0)
			r = guard_audit_user_text(text, ev->exe, request ? request->rhost : NULL,
						  addr, request ? request->tty : NULL,
						  events[i].success, &message);
		free(text);
		if (r < 0) {
			snprintf(why, size, "cannot build the audit record: %s", strerror(-r));
			return r;
		}
		if (ev->relay)
			guard_events_relay_add(ev->relay, GUARD_RELAY_AUDIT,
					       (uint32_t)events[i].audit_type, message,
					       strlen(message));
		else
			r = guard_audit_sink_send(&ev->audit_sink, events[i].audit_type, message,
						  why, size);
		free(message);
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

int guard_events_report(struct guard_events *ev, const struct guard_event *given, size_t n,
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
