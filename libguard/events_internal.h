/* The events handle, shared by the pipeline that sends what is reported
 * (events.c) and the functions that describe each kind of event
 * (events_kinds.c). Internal to libguard. */
#ifndef GUARD_EVENTS_INTERNAL_H
#define GUARD_EVENTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "events_format.h"
#include "events_relay.h"
#include "events_sinks.h"

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
	char *exe;			  /* exe= of its audit records */
	struct guard_events_relay *relay; /* records go there, not to the sinks */
};

/* Gives each of the n events an id, then audits, journals and notifies
 * them (events.c). Returns 0, or -errno when audit = required and a record
 * was not written. */
int guard_events_report(struct guard_events *ev, const struct guard_event *given, size_t n,
			const struct guard_request *request);

#endif
