/* The messages between the thin edges (pam_guard.so, sudo_guard.so,
 * guardctl's front) and guard-pam-helper or guard-decided: one request (the PAM items and the
 * stage, or the command sudo is about to run) down a pipe, one answer (the result, the text for the
 * user, the line for the system log) back up another. A message is a 12-byte header (magic, kind,
 * body length, all little-endian) and a body of fields (tag u16, length u32, bytes). Strings carry
 * no NUL; a field that is absent (a PAM item that is not set) differs from an empty one. Both ends
 * are built from one tree, so the decoder is strict: an unknown or repeated tag, a short or
 * oversized message is an error. Pure: no I/O, no libguard, safe inside another program's process.
 */
#ifndef GUARD_PAM_WIRE_H
#define GUARD_PAM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define GUARD_WIRE_MAGIC       0x31574750u /* "PGW1" */
#define GUARD_WIRE_HEADER_SIZE 12u
#define GUARD_WIRE_MAX_FIELD   (128u * 1024u)  /* a PAM item longer than this is refused */
#define GUARD_WIRE_MAX_BODY    (1024u * 1024u) /* a request of every item at the maximum fits */
#define GUARD_WIRE_MAX_ANSWER  (64u * 1024u)
#define GUARD_WIRE_MAX_EVENTS  (512u * 1024u) /* GUARD_RELAY_MAX */

enum guard_wire_kind {
	GUARD_WIRE_REQUEST = 1,
	GUARD_WIRE_ANSWER = 2,
};

/* The PAM stage that asks. */
enum guard_wire_stage {
	GUARD_STAGE_AUTH = 1,
	GUARD_STAGE_ACCOUNT = 2,
	GUARD_STAGE_SESSION = 3,
	GUARD_STAGE_PASSWORD = 4,
	GUARD_STAGE_SUDO = 5, /* sudo_guard.so's check(): the sudo fields below are set */
	/* guardctl's front (guard-decided only): a guarded command, argv and
	 * reason set; then, on the same connection once the tool has run,
	 * GUARDCTL_END with its wait status. */
	GUARD_STAGE_GUARDCTL = 6,
	GUARD_STAGE_GUARDCTL_END = 7,
};

/* Request flags: module arguments and PAM flags the helper needs. */
#define GUARD_WIRE_F_MONITOR 0x1u /* "monitor": decide and log, never refuse */
#define GUARD_WIRE_F_DEBUG   0x2u /* "debug": the answer's log line says more */
#define GUARD_WIRE_F_CHROOT  0x4u /* sudo runs the command in a chroot: never a guarded tool */
/* GUARDCTL_END: the tool exited 0 and the front sent the end's records the
 * answer gave it ahead (end_events); the service stores the status only. */
#define GUARD_WIRE_F_END_SENT 0x8u

struct guard_wire_request {
	uint32_t stage; /* enum guard_wire_stage */
	uint32_t flags;
	uint32_t ruid;	   /* the host process's real uid */
	uint32_t host_pid; /* the host process (su, sudo, sshd), waiting for the answer */
	char *service;	   /* PAM_SERVICE; NULL when not set */
	char *user;	   /* PAM_USER */
	char *ruser;	   /* PAM_RUSER */
	char *rhost;	   /* PAM_RHOST */
	char *tty;	   /* PAM_TTY */
	char *config;	   /* config=FILE, NULL: the default policy */
	char *action;	   /* action=ACTION, NULL: the policy's service map */
	/* GUARD_STAGE_SUDO only (absent in every other stage); ruid is then
	 * sudo's user_info uid=, tty its tty=. */
	uint32_t runas_uid, runas_gid; /* command_info runas_uid=, runas_gid= */
	char *runas_groups;	       /* command_info runas_groups= ("0,42"); NULL: none */
	char *command;		       /* command_info command=: the resolved path */
	char *cwd;		       /* command_info or user_info cwd=; NULL: unknown */
	char **argv;		       /* run_argv, argc entries, NULL-terminated */
	size_t argc;
	/* The name of the first run_envp entry a guarded tool may not run
	 * with (sudo -E, sudo VAR=value); NULL: none. The values never
	 * leave sudo. */
	char *env_unsafe;
	/* GUARD_STAGE_GUARDCTL: argv as typed (above) and guardctl's
	 * --reason (NULL: none). GUARD_STAGE_GUARDCTL_END: wait_status. */
	char *reason;
	uint32_t wait_status;
};

/* What the helper decided. Anything but ALLOW and IGNORE refuses. To
 * guardctl's front: ALLOW runs command with argv, DENY and ERROR refuse
 * (exit_code; ERROR when nothing was decided), IGNORE leaves the request
 * to guardctl's own program, which decides it as if no service ran. */
enum guard_wire_result {
	GUARD_RESULT_ERROR = 0, /* could not decide: fail closed */
	GUARD_RESULT_ALLOW = 1,
	GUARD_RESULT_DENY = 2,	 /* denied, or approval needed */
	GUARD_RESULT_IGNORE = 3, /* not Guard's business: unmapped service, no escalation */
};

struct guard_wire_answer {
	uint32_t result;       /* enum guard_wire_result */
	uint32_t log_priority; /* syslog priority of log */
	char *
	    guidance; /* for the user (PAM_ERROR_MSG, or PAM_TEXT_INFO when allowed); may be NULL */
	char *log;    /* for the system log; may be NULL */
	/* To guardctl's front only; guidance is then what it prints on
	 * stderr. */
	uint32_t exit_code;
	uint32_t run_flags; /* GUARD_WIRE_RUN_* */
	char *command;	    /* the tool's absolute path (ALLOW) */
	char **argv;	    /* its argv, argc entries, NULL-terminated (ALLOW) */
	size_t argc;
	/* The audit records and journal entries the front sends itself, so
	 * that they carry its process (events_relay.h); NULL: none. */
	uint8_t *events;
	size_t events_len;
	/* With a command to run: the records of its end should it exit 0, at
	 * most GUARD_WIRE_MAX_FIELD bytes, for the front to send while the
	 * service stores the status (GUARD_WIRE_F_END_SENT); NULL: none. */
	uint8_t *end_events;
	size_t end_events_len;
};

#define GUARD_WIRE_RUN_INTERACTIVE    0x1u /* the tool prompts on its terminal: a relayed pty */
#define GUARD_WIRE_RUN_AUDIT_REQUIRED 0x2u /* audit = required: an unsent record refuses */
#define GUARD_WIRE_RUN_EVENTS_LOST    0x4u /* records were lost before they reached events */

/* Encodes a message into a new buffer (*ret, *ret_len) for the caller to
 * free. Returns 0, -E2BIG when a string is longer than GUARD_WIRE_MAX_FIELD
 * (or the answer longer than GUARD_WIRE_MAX_ANSWER), or -ENOMEM. */
int guard_wire_encode_request(const struct guard_wire_request *req, uint8_t **ret, size_t *ret_len);
int guard_wire_encode_answer(const struct guard_wire_answer *ans, uint8_t **ret, size_t *ret_len);

/* From a header's GUARD_WIRE_HEADER_SIZE bytes: the kind and the length of
 * the body that follows. Returns 0, or -EBADMSG (bad magic, unknown kind, a
 * body over max_body). */
int guard_wire_header(const uint8_t *hdr, size_t max_body, enum guard_wire_kind *ret_kind,
		      size_t *ret_body_len);

/* Decodes a whole message (header and body). ret is zeroed first and, on
 * failure, cleared again. Returns 0, -EBADMSG or -ENOMEM. */
int guard_wire_decode_request(const uint8_t *buf, size_t len, struct guard_wire_request *ret);
int guard_wire_decode_answer(const uint8_t *buf, size_t len, struct guard_wire_answer *ret);

/* Free the strings; accept NULL and zeroed structs. */
void guard_wire_request_clear(struct guard_wire_request *req);
void guard_wire_answer_clear(struct guard_wire_answer *ans);

#endif
