/* One user message to the kernel's audit, on a NETLINK_AUDIT socket, and
 * the kernel's acknowledgement: what libaudit's audit_log_user_message
 * does after building its text, in the C library alone, so that
 * guardctl's front can send the records guard-decided built for it
 * (events_relay.h) and libguard its own. */
#ifndef GUARD_AUDIT_NETLINK_H
#define GUARD_AUDIT_NETLINK_H

/* The most of a user message the kernel keeps: a longer one is refused. */
#define GUARD_AUDIT_MESSAGE_MAX 8560u

/* A NETLINK_AUDIT socket (close-on-exec), or -errno. */
int guard_audit_netlink_open(void);

/* Sends text as a user message of type and waits at most ack_ms for the
 * acknowledgement. Returns 0, or -errno: the kernel's refusal (-EPERM
 * without CAP_AUDIT_WRITE, -ECONNREFUSED when it takes no records),
 * -E2BIG past GUARD_AUDIT_MESSAGE_MAX, or -ETIMEDOUT. */
int guard_audit_netlink_send(int fd, int type, const char *text, int ack_ms);

#endif
