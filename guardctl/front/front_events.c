/* The events guard-decided formatted for a guarded command, sent from the
 * front's own process (events_relay.h): the kernel stamps each audit
 * record with the caller's pid, login uid and session, journald each
 * entry with the front's _PID and _COMM, as when guardctl decided alone. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit_netlink.h"
#include "events_relay.h"
#include "events_sinks.h"
#include "front.h"

#define ACK_WAIT_MS 2000

int front_send_events(const uint8_t *buf, size_t len, char *why, size_t size)
{
	struct guard_journal_sink journal = {.fd = -1};
	char text[GUARD_AUDIT_MESSAGE_MAX + 1];
	int audit_fd = -1, failed = 0, r;
	size_t off = 0;
	const uint8_t *data;
	size_t n;
	uint32_t type;
	uint8_t kind;

	why[0] = '\0';
	while ((r = guard_events_relay_next(buf, len, &off, &kind, &type, &data, &n)) > 0) {
		if (kind == GUARD_RELAY_JOURNAL) {
			if (journal.fd < 0 && !journal.stalled)
				(void)guard_journal_sink_open(&journal, NULL);
			(void)guard_journal_sink_send(&journal, (const char *)data, n);
			continue;
		}
		if (failed)
			continue; /* the first failure refuses; the journal still says what was
				     decided */
		if (n > GUARD_AUDIT_MESSAGE_MAX || memchr(data, '\0', n)) {
			failed = -EINVAL;
			snprintf(why, size, "a malformed audit record from the decision service");
			continue;
		}
		memcpy(text, data, n);
		text[n] = '\0';
		if (audit_fd < 0)
			audit_fd = guard_audit_netlink_open();
		r = audit_fd < 0 ? audit_fd
				 : guard_audit_netlink_send(audit_fd, (int)type, text, ACK_WAIT_MS);
		if (r < 0) {
			failed = r;
			snprintf(why, size, "the audit record was not acknowledged: %s",
				 r == -ECONNREFUSED ? "the kernel does not accept audit records"
						    : strerror(-r));
		}
	}
	if (r < 0 && !failed) {
		failed = -EBADMSG;
		snprintf(why, size, "malformed events from the decision service");
	}
	if (audit_fd >= 0)
		close(audit_fd);
	guard_journal_sink_close(&journal);
	return failed;
}
