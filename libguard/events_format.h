/* What an event says, as pure functions: the audit record's text (every
 * caller-controlled value encoded by audit_encode_nv_string), the journal
 * entry's fields (exact bytes, bounded), the one-line message, the priority
 * and the fixed MESSAGE_IDs (events_format.c: audit; events_format_journal.c:
 * the journal). No I/O here: events.c sends what these build. */
#ifndef GUARD_EVENTS_FORMAT_H
#define GUARD_EVENTS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "action.h"
#include "events.h"

enum guard_event_kind {
	GUARD_EVENT_ALLOWED,
	GUARD_EVENT_REFUSED,
	GUARD_EVENT_APPROVAL_NEEDED,
	GUARD_EVENT_MONITOR, /* monitor mode: would have been refused, went ahead */
	GUARD_EVENT_EXEC,
	GUARD_EVENT_ALERT,
	GUARD_EVENT_POLICY_ERROR,
	GUARD_EVENT_AUDIT_FAILURE,
	GUARD_EVENT_APPROVAL, /* an approver's approve or deny */
	GUARD_EVENT_LOCKOUT,
	GUARD_EVENT_FREEZE,
	GUARD_EVENT_THAW,
	GUARD_EVENT_BREAK_GLASS,
	GUARD_EVENT_REQUEST_REFUSED, /* refused before any rule: classifier, identity */
	GUARD_EVENT_KIND_COUNT
};

/* Bounds on what one event carries. Audit: the kernel keeps at most 8560
 * bytes of a user message, and libaudit appends exe=, hostname=, addr=,
 * terminal= and res= after ours: a value cut there would lose res=. */
#define GUARD_AUDIT_TEXT_MAX	  6144u /* our part of the record, encoded */
#define GUARD_AUDIT_VALUE_MAX	  256u	/* bytes of a name, rule, reason... */
#define GUARD_AUDIT_CMD_MAX	  2048u /* bytes of the command line */
#define GUARD_JOURNAL_VALUE_MAX	  16384u
#define GUARD_JOURNAL_ARGV_MAX	  65536u
#define GUARD_JOURNAL_MESSAGE_MAX 1024u

/* One event, as the edges describe it. Every pointer may be NULL (the
 * field is left out); strings are the caller's, untrusted, NUL-terminated. */
struct guard_event {
	enum guard_event_kind kind;
	enum guard_event_source source;
	int audit_type;	      /* AUDIT_USER_ACCT, ...; 0: no audit record */
	bool success;	      /* res=success or res=failed */
	const char *op;	      /* constant text: "guard-user.create" */
	const char *alert;    /* constant: "time", "escalation", ...; NULL: none */
	const char *decision; /* constant: "allow", "approve", "deny" */
	const char *action;   /* constant: "user.create" */
	const char *mode;     /* constant: "enforce", "monitor" */
	const char *actor;
	bool actor_uid_known;
	uint32_t actor_uid;
	const char *target;
	const char *group;
	const char *grant;
	const char *rule;
	const char *reason; /* the caller's --reason */
	const char *why;    /* the evaluator's one line, or an error */
	bool break_glass;   /* allowed only because of break-glass */
	const char *service;
	const char *tty;
	const char *rhost;
	const char *request; /* an approval request's id */
	const char *token;   /* its token: notify programs only (events_notify.c) */
	int argc;
	char *const *argv;
	bool has_exit; /* exec: a wait(2) status follows */
	int wait_status;
	const char *file; /* policy error: where */
	unsigned line;
	/* 32 hex digits, random, one per event: guard_id= in audit,
	 * GUARD_EVENT_ID in the journal, so that a collector can drop the
	 * copies a forwarder sends again (journal-upload resends the last
	 * entry when it resumes). Set by events.c; NULL: none. */
	const char *id;
};

/* The fixed 128-bit MESSAGE_ID of a kind, as 32 hex digits; "" out of range. */
const char *guard_event_message_id(enum guard_event_kind kind);

/* The journal PRIORITY of an event: allowed 6 (info), approval or monitor
 * 5 (notice), refused 4 (warning), alert and break-glass 1 (alert), policy
 * and audit errors 3 (err); a command that failed 5. */
int guard_event_priority(const struct guard_event *e);

/* The audit record's text: "op=... actor=... acct=... ..." with every
 * caller value through audit_encode_nv_string, each cut to its bound, the
 * whole never past GUARD_AUDIT_TEXT_MAX. Never carries res=, exe=,
 * hostname=, addr= or terminal= (libaudit adds them). Returns 0 and a
 * malloc'd string, or -ENOMEM. */
int guard_event_audit_text(const struct guard_event *e, char **ret);

/* The one-line MESSAGE: caller text quoted with guard_escape, so that it
 * holds no control bytes and no newline. Always NUL-terminated. */
void guard_event_message(const struct guard_event *e, char *buf, size_t size);

/* The journal entry: "NAME=value" items with explicit lengths (values are
 * the exact bytes, cut at their bound), MESSAGE_ID, MESSAGE, PRIORITY,
 * SYSLOG_IDENTIFIER and the GUARD_* fields. */
struct guard_journal_entry {
	struct iovec *iov;
	size_t n, cap;
};

int guard_event_journal_entry(const struct guard_event *e, struct guard_journal_entry *ret);
void guard_journal_entry_clear(struct guard_journal_entry *entry);

/* journald's native protocol: "NAME=value\n", or, for a value holding a
 * newline, "NAME\n" + 64-bit little-endian length + value + "\n". Returns
 * 0 and a malloc'd buffer, or -ENOMEM / -EINVAL (an item without "="). */
int guard_journal_serialize(const struct guard_journal_entry *entry, char **ret, size_t *ret_len);

/* The audit type of an alert for the rule's action: a rule with a time
 * matcher ANOM_LOGIN_TIME, with a from matcher ANOM_LOGIN_LOCATION; else
 * role.escalate ANOM_ROOT_TRANS, user.create ANOM_ADD_ACCT, user.delete
 * ANOM_DEL_ACCT, session.login ANOM_LOGIN_ACCT, any other ANOM_MOD_ACCT.
 * *ret_kind gets the kind's name ("time", "escalation", ...). */
int guard_alert_audit_type(bool rule_has_time, bool rule_has_from, enum guard_action action,
			   const char **ret_kind);

/* A terminal or host name passed to libaudit unencoded (it prints them as
 * they are) only when it is plain: [A-Za-z0-9._:/-], 1-64 bytes. */
bool guard_audit_plain(const char *s);

/* The text of a user message as libaudit's audit_log_user_message
 * writes it: "TEXT exe=EXE hostname=H addr=A terminal=T res=R". exe is
 * quoted, or hex-encoded when it holds a quote, a blank or a byte outside
 * printable ASCII; hostname and terminal are "?" unless guard_audit_plain,
 * addr "?" when NULL or empty. Returns 0 and a malloc'd string, or
 * -ENOMEM. */
int guard_audit_user_text(const char *text, const char *exe, const char *rhost, const char *addr,
			  const char *tty, bool success, char **ret);

/* A growing string, shared by the audit text and the journal's
 * serialization; failed: out of memory once, and every add since dropped. */
struct guard_event_text {
	char *s;
	size_t len, cap;
	bool failed;
};

void guard_event_text_add(struct guard_event_text *t, const char *s, size_t n);

/* The command line, its words joined by spaces, at most max bytes:
 * malloc'd, its length in *ret_len; NULL when out of memory. */
char *guard_event_join_argv(int argc, char *const *argv, size_t max, size_t *ret_len);

#endif
