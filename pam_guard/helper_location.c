/* Where a request comes from, for the helper's decisions (PAM and sudo).
 * Who vouches decides whose word counts: a program root started (sshd,
 * login, a display manager, or root's own su) names the remote host and the
 * terminal it serves; a setuid program a user started (su, sudo, passwd)
 * names nothing the user cannot choose (PAM_TTY is whatever terminal she
 * holds as fd 0, and the session she started it from may be remote), so the
 * session of the host process decides, as for guardctl: libguard/
 * session_facts.c. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <utmpx.h>

#include "helper.h"
#include "session.h"

static bool addr_is_zero(const int32_t a[4])
{
	return a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0;
}

/* A root-started program with no remote host: the utmp entry of the
 * terminal it serves (written by sshd or login) says whether it is
 * remote. */
static void location_from_utmp(struct guard_helper_location *l, struct guard_request *req)
{
	struct utmpx key, *ut;

	memset(&key, 0, sizeof(key));
	if (!l->tty[0] || strlen(l->tty) >= sizeof(key.ut_line))
		return;
	memcpy(key.ut_line, l->tty, strlen(l->tty));
	setutxent();
	ut = getutxline(&key);
	if (ut && ut->ut_type == USER_PROCESS &&
	    (ut->ut_host[0] || !addr_is_zero(ut->ut_addr_v6))) {
		char host[sizeof(ut->ut_host) + 1], text[INET6_ADDRSTRLEN];
		bool v4 =
		    ut->ut_addr_v6[1] == 0 && ut->ut_addr_v6[2] == 0 && ut->ut_addr_v6[3] == 0;

		memcpy(host, ut->ut_host, sizeof(ut->ut_host));
		host[sizeof(ut->ut_host)] = '\0';
		req->location = GUARD_LOCATION_REMOTE;
		snprintf(l->rhost, sizeof(l->rhost), "%s", host);
		if (!addr_is_zero(ut->ut_addr_v6) &&
		    inet_ntop(v4 ? AF_INET : AF_INET6, ut->ut_addr_v6, text, sizeof(text)) &&
		    guard_addr_parse(text, &req->addr) == 0)
			req->addr_known = true;
		else if (guard_addr_parse(host, &req->addr) == 0)
			req->addr_known = true;
	}
	endutxent();
}

/* A user's setuid program: the location of the session it runs in. */
static void location_from_session(pid_t host, struct guard_helper_location *l,
				  struct guard_request *req)
{
	struct guard_location where;

	guard_locate_process(host, &where);
	req->location = where.kind;
	req->addr_known = where.addr_known;
	req->addr = where.addr;
	snprintf(l->rhost, sizeof(l->rhost), "%s", where.rhost);
	snprintf(l->tty, sizeof(l->tty), "%s", where.tty);
}

void guard_helper_locate(const struct guard_wire_request *w, struct guard_helper_location *l,
			 struct guard_request *req)
{
	const char *rhost = w->rhost, *tty = w->tty;

	memset(l, 0, sizeof(*l));
	req->location = GUARD_LOCATION_LOCAL;
	if (w->stage == GUARD_STAGE_SUDO || w->ruid != 0) {
		location_from_session((pid_t)w->host_pid, l, req);
	} else {
		if (tty && tty[0])
			snprintf(l->tty, sizeof(l->tty), "%s",
				 strncmp(tty, "/dev/", 5) == 0 ? tty + 5 : tty);
		if (rhost && rhost[0]) {
			req->location = GUARD_LOCATION_REMOTE;
			snprintf(l->rhost, sizeof(l->rhost), "%s", rhost);
			req->addr_known = guard_addr_parse(rhost, &req->addr) == 0;
		} else {
			location_from_utmp(l, req);
		}
	}
	req->rhost = l->rhost[0] ? l->rhost : NULL;
	req->tty = l->tty[0] ? l->tty : NULL;
}
