/* LD_PRELOAD shim: audit that is not there, or not taking records.
 *
 * By default every NETLINK_AUDIT socket fails with EPROTONOSUPPORT, as on
 * a kernel built without CONFIG_AUDIT; every other socket is the real one.
 * With NOAUDIT_RECORDS=1 the audit socket is real (status queries work)
 * but every user record sent on it fails with ECONNREFUSED, as when the
 * kernel turns records away: libaudit then returns 0, not an error. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

#define MAX_FDS 1024

static bool audit_fd[MAX_FDS];

static bool records_refused(void)
{
	const char *v = getenv("NOAUDIT_RECORDS");

	return v && v[0] == '1';
}

int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);
	int fd;

	if (domain == AF_NETLINK && protocol == NETLINK_AUDIT && !records_refused()) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	if (!real)
		real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	fd = real(domain, type, protocol);
	if (fd >= 0 && fd < MAX_FDS)
		audit_fd[fd] = domain == AF_NETLINK && protocol == NETLINK_AUDIT;
	return fd;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
	       socklen_t addr_len)
{
	static ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	const struct nlmsghdr *h = buf;

	if (fd >= 0 && fd < MAX_FDS && audit_fd[fd] && len >= sizeof(*h) &&
	    ((h->nlmsg_type >= AUDIT_FIRST_USER_MSG && h->nlmsg_type <= AUDIT_LAST_USER_MSG) ||
	     (h->nlmsg_type >= AUDIT_FIRST_USER_MSG2 && h->nlmsg_type <= AUDIT_LAST_USER_MSG2))) {
		errno = ECONNREFUSED;
		return -1;
	}
	if (!real)
		real = (ssize_t(*)(int, const void *, size_t, int, const struct sockaddr *,
				   socklen_t))dlsym(RTLD_NEXT, "sendto");
	return real(fd, buf, len, flags, addr, addr_len);
}
