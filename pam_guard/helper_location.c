/* Where a request comes from, for the helper's decisions (PAM and sudo):
 * the remote host the program vouches for, else what utmp records for the
 * terminal. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <utmpx.h>

#include "helper.h"

static bool addr_is_zero(const int32_t a[4])
{
	return a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0;
}

/* No remote host: the utmp entry of the terminal (written by sshd or
 * login, not by the caller) says whether it is remote; su or sudo from an
 * ssh session is not local. */
static void location_from_utmp(struct guard_helper_location *l, struct guard_request *req,
			       bool need_entry)
{
	struct utmpx key, *ut;

	memset(&key, 0, sizeof(key));
	if (!l->tty[0] || strlen(l->tty) >= sizeof(key.ut_line)) {
		if (need_entry)
			req->location = GUARD_LOCATION_UNKNOWN;
		return;
	}
	memcpy(key.ut_line, l->tty, strlen(l->tty));
	setutxent();
	ut = getutxline(&key);
	if (need_entry && !(ut && ut->ut_type == USER_PROCESS))
		req->location = GUARD_LOCATION_UNKNOWN;
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

void guard_helper_locate(const char *rhost, const char *tty, bool need_entry,
			 struct guard_helper_location *l, struct guard_request *req)
{
	memset(l, 0, sizeof(*l));
	req->location = GUARD_LOCATION_LOCAL;
	if (tty && tty[0])
		snprintf(l->tty, sizeof(l->tty), "%s",
			 strncmp(tty, "/dev/", 5) == 0 ? tty + 5 : tty);
	if (rhost && rhost[0]) {
		req->location = GUARD_LOCATION_REMOTE;
		snprintf(l->rhost, sizeof(l->rhost), "%s", rhost);
		req->addr_known = guard_addr_parse(rhost, &req->addr) == 0;
	} else {
		location_from_utmp(l, req, need_entry);
	}
	req->rhost = l->rhost[0] ? l->rhost : NULL;
	req->tty = l->tty[0] ? l->tty : NULL;
}
