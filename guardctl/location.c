/* Where the caller is: the host that the utmp entry of the caller's
 * controlling terminal records. sshd and login write that entry, the
 * caller cannot; SSH_* variables are the caller's and never consulted. The
 * terminal comes from the standard fds (ttyname), never from
 * /proc/self/stat, whose comm field the caller names. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utmpx.h>

#include "guardctl.h"

static bool addr_is_zero(const int32_t a[4])
{
	return a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0;
}

void guardctl_location(struct guardctl_location *ret)
{
	char tty[64] = "";
	struct utmpx key, *ut;

	memset(ret, 0, sizeof(*ret));
	ret->kind = GUARD_LOCATION_UNKNOWN;
	for (int fd = 0; fd <= 2 && !tty[0]; fd++) {
		if (ttyname_r(fd, tty, sizeof(tty)) != 0)
			tty[0] = '\0';
	}
	if (!tty[0] || strncmp(tty, "/dev/", 5) != 0)
		return;
	snprintf(ret->tty, sizeof(ret->tty), "%s", tty + 5);

	memset(&key, 0, sizeof(key));
	if (strlen(ret->tty) >= sizeof(key.ut_line))
		return; /* no utmp entry can name it */
	memcpy(key.ut_line, ret->tty, strlen(ret->tty));
	setutxent();
	ut = getutxline(&key);
	if (ut && ut->ut_type == USER_PROCESS) {
		char host[sizeof(ut->ut_host) + 1];

		memcpy(host, ut->ut_host, sizeof(ut->ut_host));
		host[sizeof(ut->ut_host)] = '\0';
		if (!host[0] && addr_is_zero(ut->ut_addr_v6)) {
			ret->kind = GUARD_LOCATION_LOCAL;
		} else {
			ret->kind = GUARD_LOCATION_REMOTE;
			snprintf(ret->rhost, sizeof(ret->rhost), "%s", host);
			if (!addr_is_zero(ut->ut_addr_v6)) {
				/* utmp keeps IPv4 in the first word, the rest zero. */
				char text[INET6_ADDRSTRLEN];
				bool v4 = ut->ut_addr_v6[1] == 0 && ut->ut_addr_v6[2] == 0 &&
					  ut->ut_addr_v6[3] == 0;

				if (inet_ntop(v4 ? AF_INET : AF_INET6, ut->ut_addr_v6, text,
					      sizeof(text)) &&
				    guard_addr_parse(text, &ret->addr) == 0)
					ret->addr_known = true;
			} else if (guard_addr_parse(host, &ret->addr) == 0) {
				ret->addr_known = true;
			}
		}
	}
	endutxent();
}
