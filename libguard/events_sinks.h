/* The two places events go: the kernel's audit (libaudit) and journald
 * (its native datagram protocol, with a bounded wait). */
#ifndef GUARD_EVENTS_SINKS_H
#define GUARD_EVENTS_SINKS_H

#include <stdbool.h>
#include <stddef.h>

#include "events_format.h"

struct guard_audit_sink {
	int fd;	       /* user messages; -1 when closed */
	int status_fd; /* AUDIT_GET only: its replies never mix with the acks */
};

/* Opens both netlink sockets. Returns 0, or -errno with why filled: a
 * kernel without audit support, or a missing CAP_AUDIT_WRITE, named. */
int guard_audit_sink_open(struct guard_audit_sink *a, char *why, size_t size);
void guard_audit_sink_close(struct guard_audit_sink *a);

/* AUDIT_GET: returns 0 when auditing is enabled and a daemon registered,
 * else -errno (-ENOTCONN when no daemon, -ENODATA when disabled) with why. */
int guard_audit_sink_ready(struct guard_audit_sink *a, char *why, size_t size);

/* Sends one user message of the type (guard_audit_user_text's) and waits
 * for the kernel's acknowledgement. Returns 0 or -errno with why. */
int guard_audit_sink_send(struct guard_audit_sink *a, int type, const char *message, char *why,
			  size_t size);

/* How long, in total, one handle may wait for a full journald queue. */
#define GUARD_JOURNAL_WAIT_MS 250

struct guard_journal_sink {
	int fd;		  /* connected datagram socket; -1 when closed */
	int budget_ms;	  /* left of GUARD_JOURNAL_WAIT_MS */
	bool stalled;	  /* a send timed out: skip the rest, do not wait again */
	const char *path; /* the socket */
};

int guard_journal_sink_open(struct guard_journal_sink *j, const char *path);
void guard_journal_sink_close(struct guard_journal_sink *j);

/* Sends one entry (guard_journal_serialize's bytes) without blocking past
 * the handle's budget. Returns 0, -ETIMEDOUT (journald stalled), or
 * another -errno (journald absent...). Uses the C library alone: guardctl's
 * front sends what guard-decided formatted with it. */
int guard_journal_sink_send(struct guard_journal_sink *j, const char *buf, size_t len);

#endif
