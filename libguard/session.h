/* Where the caller's session is. Parsing what the kernel says of a
 * process, naming a terminal device, and deciding the location from the
 * facts (session.c, pure); gathering the facts of a process from /proc,
 * utmp and systemd-logind (session_facts.c, the edges' I/O). */
#ifndef GUARD_SESSION_H
#define GUARD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "address.h"
#include "request.h"

struct guard_location {
	enum guard_location_kind kind;
	bool addr_known;
	struct guard_addr addr;
	char rhost[257];
	char tty[64]; /* "pts/3"; "" when none */
};

/* The fields of /proc/PID/stat the location needs. */
struct guard_proc_stat {
	pid_t ppid;
	pid_t sid;
	uint32_t tty_nr; /* the controlling terminal's device number; 0: none */
};

/* Parses the text of /proc/PID/stat (len bytes, no NUL needed). The comm
 * field is the process's to choose and may hold ')' and spaces: the fields
 * are read after the last ')'. Returns 0 or -EINVAL. */
int guard_proc_stat_parse(const char *buf, size_t len, struct guard_proc_stat *ret);

/* The name under /dev of the terminal device MAJOR:MINOR ("pts/3", "tty2",
 * "ttyS0"): a candidate only, which the edge confirms by comparing the
 * st_rdev of the file with the number. Returns 0, -ENODEV for a device
 * that is none of these, -ENAMETOOLONG when size is too small. */
int guard_tty_name(unsigned major, unsigned minor, char *buf, size_t size);

/* What the edge gathered about the calling process's session. */
struct guard_session_facts {
	/* systemd-logind's record of the session the process is in */
	bool logind;		 /* logind knows the session and answered */
	bool logind_remote;	 /* the record's REMOTE= */
	bool logind_seat;	 /* the session sits at a seat: a console or display */
	const char *logind_host; /* the record's REMOTE_HOST=; may be NULL */
	const char *logind_tty;	 /* the record's TTY=; may be NULL */
	/* The kernel's: the process's session and controlling terminal */
	pid_t sid;
	const char *ctty; /* "pts/3", its device number confirmed; NULL: none */
	/* utmp's USER_PROCESS entry for ctty */
	bool ut_found;
	pid_t ut_pid;
	pid_t ut_pid_sid;    /* the session of ut_pid; -1 when it is gone */
	pid_t leader_ppid;   /* the parent of the session leader; -1 unknown */
	const char *ut_host; /* the entry's host, NUL-terminated; may be NULL */
	int32_t ut_addr_v6[4];
};

/* Does the utmp entry belong to the session? Its pid is the session
 * leader (sshd records the login shell), a process of the session, or the
 * leader's parent (login records itself and starts the shell in a session
 * of its own). A terminal the caller merely opened, or made her own in a
 * session of her own, fails all three. */
bool guard_session_owns_entry(const struct guard_session_facts *f);

/* The location from the facts: where logind knows the session, remote
 * with its host, or local when it sits at a seat; otherwise the utmp entry
 * of the controlling terminal when it belongs to the session (a host:
 * remote; none: local); otherwise unknown. A session logind calls local
 * without a seat (su or sshd to localhost can make one) falls through to
 * utmp. ret->tty is the session's terminal whenever one is known. */
void guard_session_locate(const struct guard_session_facts *f, struct guard_location *ret);

/* The location of the session process pid is in, from the kernel, utmp
 * and systemd-logind (session_facts.c: the I/O half). pid <= 0, or a
 * process that is gone: unknown. */
void guard_locate_process(pid_t pid, struct guard_location *ret);

#endif
