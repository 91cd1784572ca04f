/* Events formatted in one process and sent from another: guard-decided
 * decides guardctl's guarded commands, but the records must come from
 * guardctl's own process, so that the kernel stamps them with the caller's
 * pid, login uid and session, and journald with its _PID and _COMM. The
 * service's events handle appends each audit record (its type and whole
 * text) and each journal entry (its native-protocol bytes) here instead of
 * sending it; guardctl's front sends them in order. Pure, the C library
 * alone: the front links it. */
#ifndef GUARD_EVENTS_RELAY_H
#define GUARD_EVENTS_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUARD_RELAY_AUDIT   'A'
#define GUARD_RELAY_JOURNAL 'J'
#define GUARD_RELAY_MAX	    (512u * 1024u) /* past it records are dropped: failed */

struct guard_events_relay {
	uint8_t *buf;
	size_t len, cap;
	bool failed;	     /* a record was lost (memory, size): refuse when audit is required */
	bool audit_required; /* a handle relayed here has audit = required */
	const char *exe;     /* exe= of the audit records: the sending program */
};

/* Appends one record: kind, audit type (0 for the journal), bytes. */
void guard_events_relay_add(struct guard_events_relay *relay, uint8_t kind, uint32_t type,
			    const void *data, size_t len);
void guard_events_relay_clear(struct guard_events_relay *relay);

/* The record at *off in buf (len bytes): returns 1 and advances *off, 0 at
 * the end, -1 for a malformed buffer. *data points into buf. */
int guard_events_relay_next(const uint8_t *buf, size_t len, size_t *off, uint8_t *kind,
			    uint32_t *type, const uint8_t **data, size_t *data_len);

#endif
