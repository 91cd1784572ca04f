/* The audit sink. libaudit's own helpers open the sockets and ask the
 * audit status; the records go out through audit_netlink.c; the text is
 * audit_log_user_message's (guard_audit_user_text), built here so that
 * exe= can name guardctl's front, whose process guardctl's own program
 * continues, and so that hostname and terminal are printed only when
 * plain and no host name is ever resolved. Two cautions:
 * - with no CAP_AUDIT_WRITE it returns 0 as if auditing were off: the
 *   capability is checked first so that the error is named.
 * - with no daemon the kernel accepts and acknowledges user messages and
 *   only prints them: AUDIT_GET must show a registered daemon. */
#include "audit_netlink.h"
#include "monotonic.h"
#include "events_sinks.h"

#include <errno.h>
#include <libaudit.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define STATUS_WAIT_MS 1000
#define ACK_WAIT_MS    2000

__attribute__((format(printf, 3, 4))) static void say(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!why || !size)
		return;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
}

int guard_audit_sink_open(struct guard_audit_sink *a, char *why, size_t size)
{
	int r;

	a->fd = a->status_fd = -1;
	/* libaudit's diagnostics would otherwise go to syslog (a blocking
	 * socket to journald) or stderr: library code prints nothing. */
	set_aumessage_mode(MSG_QUIET, DBG_NO);
	a->fd = audit_open();
	if (a->fd >= 0)
		a->status_fd = audit_open();
	if (a->fd < 0 || a->status_fd < 0) {
		r = -errno;
		guard_audit_sink_close(a);
		if (r == -EPROTONOSUPPORT || r == -EAFNOSUPPORT || r == -EINVAL)
			say(why, size, "kernel without audit support (%s)", strerror(-r));
		else
			say(why, size, "cannot open the audit socket: %s", strerror(-r));
		return r < 0 ? r : -EIO;
	}
	if (!audit_can_write()) {
		guard_audit_sink_close(a);
		say(why, size, "%s", "missing CAP_AUDIT_WRITE: cannot write audit records");
		return -EPERM;
	}
	return 0;
}

void guard_audit_sink_close(struct guard_audit_sink *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		audit_close(a->fd);
	if (a->status_fd >= 0)
		audit_close(a->status_fd);
	a->fd = a->status_fd = -1;
}

int guard_audit_sink_ready(struct guard_audit_sink *a, char *why, size_t size)
{
	struct audit_reply rep;
	int64_t deadline;
	int r;

	if (a->status_fd < 0) {
		say(why, size, "%s", "the audit socket is not open");
		return -EBADF;
	}
	/* Replies and acks left over from an earlier query. */
	while (audit_get_reply(a->status_fd, &rep, GET_REPLY_NONBLOCKING, 0) > 0)
		;
	r = audit_request_status(a->status_fd);
	if (r < 0) {
		if (r == -EPERM)
			say(why, size, "%s",
			    "cannot query the audit status: missing CAP_AUDIT_CONTROL");
		else
			say(why, size, "cannot query the audit status: %s", strerror(-r));
		return r;
	}
	deadline = guard_monotonic_ms() + STATUS_WAIT_MS;
	for (;;) {
		struct pollfd p = {.fd = a->status_fd, .events = POLLIN};
		int64_t left = deadline - guard_monotonic_ms();

		if (left <= 0) {
			say(why, size, "%s", "no answer from the kernel's audit status");
			return -ETIMEDOUT;
		}
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		r = audit_get_reply(a->status_fd, &rep, GET_REPLY_NONBLOCKING, 0);
		if (r == -EAGAIN || r == 0)
			continue;
		if (r < 0) {
			say(why, size, "cannot read the audit status: %s", strerror(-r));
			return r;
		}
		if (rep.type == NLMSG_ERROR && rep.error->error) {
			r = rep.error->error;
			say(why, size, "cannot query the audit status: %s", strerror(-r));
			return r;
		}
		if (rep.type == AUDIT_GET)
			break;
	}
	if (!rep.status->enabled) {
		say(why, size, "%s", "auditing is disabled in the kernel (auditctl -e 0)");
		return -ENODATA;
	}
	if (!rep.status->pid) {
		say(why, size, "%s",
		    "no audit daemon is running: the kernel would only print the record");
		return -ENOTCONN;
	}
	return 0;
}

int guard_audit_sink_send(struct guard_audit_sink *a, int type, const char *message, char *why,
			  size_t size)
{
	int r;

	if (a->fd < 0) {
		say(why, size, "%s", "the audit socket is not open");
		return -EBADF;
	}
	r = guard_audit_netlink_send(a->fd, type, message, ACK_WAIT_MS);
	if (r == 0)
		return 0;
	if (r == -EPERM)
		say(why, size, "%s",
		    "the kernel refused the audit record: missing CAP_AUDIT_WRITE");
	else if (r == -ECONNREFUSED)
		say(why, size, "%s", "the kernel does not accept audit records");
	else
		say(why, size, "the audit record was not acknowledged: %s", strerror(-r));
	return r;
}
