/* systemd-logind's record of a session, read the way libsystemd's
 * sd-login reads it, without linking libsystemd (and the compression and
 * crypto libraries it pulls into a setuid program): the session a process
 * is in is named by its cgroup, and logind keeps each session's facts in
 * /run/systemd/sessions/ID, root's file. Pure: the edge (session_facts.c)
 * reads the files. */
#ifndef GUARD_LOGIND_H
#define GUARD_LOGIND_H

#include <stdbool.h>
#include <stddef.h>

#define GUARD_LOGIND_SESSIONS "/run/systemd/sessions"

/* The session id in the text of /proc/PID/cgroup: the unit
 * "session-ID.scope" that follows the slices of the unified hierarchy's
 * path ("0::/user.slice/user-1000.slice/session-3.scope" is "3"), else of
 * the legacy "name=systemd" one. A process in a user's service manager,
 * in a system service or outside any cgroup path logind made is in none.
 * ID is letters and digits only, as logind makes them. Returns 0, -ENXIO
 * (in no session), -ENAMETOOLONG (size too small) or -EINVAL. */
int guard_cgroup_session(const char *buf, size_t len, char *id, size_t size);

struct guard_logind_session {
	bool known;	       /* the record has REMOTE= (as sd_session_is_remote needs) */
	bool remote;	       /* REMOTE=1 */
	char remote_host[257]; /* REMOTE_HOST=; "" when not set */
	char seat[64];	       /* SEAT=; "" when not set */
	char tty[64];	       /* TTY=; "" when not set */
};

/* Parses the text of /run/systemd/sessions/ID: KEY=VALUE lines, a value
 * plain or in single or double quotes (with backslash escapes in double
 * ones), comments and unknown keys skipped. A value too long for its field
 * is an error, not cut. Returns 0 or -EINVAL. */
int guard_logind_session_parse(const char *buf, size_t len, struct guard_logind_session *ret);

#endif
