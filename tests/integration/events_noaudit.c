/* LD_PRELOAD shim: a kernel without audit support. Every NETLINK_AUDIT
 * socket fails with EPROTONOSUPPORT, as on a kernel built without
 * CONFIG_AUDIT; every other socket is the real one. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>

int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);

	if (domain == AF_NETLINK && protocol == NETLINK_AUDIT) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	if (!real)
		real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	return real(domain, type, protocol);
}
