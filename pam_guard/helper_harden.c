/* The process state a decision runs in, whoever started the process: the
 * caller of su or sudo chose the limits, umask and directory the host runs
 * with, and a process holding the store must not dump core or be traced. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"

static void set_limit(int resource, rlim_t value)
{
	struct rlimit rl = {value, value};

	(void)setrlimit(resource, &rl);
}

int guard_helper_harden(void)
{
	(void)prctl(PR_SET_DUMPABLE, 0);
	/* The decision gets its own limits (root may raise them). */
	set_limit(RLIMIT_CORE, 0);
	set_limit(RLIMIT_FSIZE, RLIM_INFINITY);
	set_limit(RLIMIT_DATA, RLIM_INFINITY);
	set_limit(RLIMIT_AS, RLIM_INFINITY);
	set_limit(RLIMIT_CPU, RLIM_INFINITY);
	set_limit(RLIMIT_NOFILE, 1024);
	set_limit(RLIMIT_STACK, 8u << 20);
	umask(077);
	return chdir("/");
}
