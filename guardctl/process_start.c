/* What a setuid guardctl does first with the process the caller made:
 * guardctl's own program (main.c) and its front (front/front.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "guardctl.h"

/* fds 0-2 closed by the caller would otherwise be reused by the first file
 * we open, and a write meant for stderr would land in it. */
void guardctl_fix_standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);

		if (nfd != fd)
			_exit(127);
	}
}

/* Every signal back to its default and none blocked: a caller can start us
 * with SIGINT ignored or SIGTERM blocked, and both are inherited. */
void guardctl_reset_signals(void)
{
	sigset_t none;

	guardctl_default_signals();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int guardctl_process_start(int argc, char **argv)
{
	struct rlimit no_core = {0, 0};

	/* 1. No argv at all (pwnkit; Linux >= 5.18 hands us argv[0] == ""):
	 *    nothing to trust, not even argv[0]. */
	if (argc < 1 || !argv || !argv[0] || !argv[0][0])
		_exit(127);

	/* 2. Standard fds open; every other inherited fd closes at any exec,
	 *    so that no child sees it. */
	guardctl_fix_standard_fds();
	(void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

	/* 3. Core dumps and ptrace by the caller off: a setuid process's
	 *    memory holds the policy and soon secrets. */
	if (prctl(PR_SET_DUMPABLE, 0) < 0 || setrlimit(RLIMIT_CORE, &no_core) < 0) {
		guardctl_error("cannot disable core dumps: %s", strerror(errno));
		return -1;
	}

	/* 4. Signals as the kernel starts a process: default dispositions, an
	 *    empty mask; but a file size limit the caller set must not kill us
	 *    halfway: a write fails with EFBIG instead (the child gets them
	 *    all back to default). */
	guardctl_reset_signals();
	(void)signal(SIGXFSZ, SIG_IGN);
	return 0;
}
