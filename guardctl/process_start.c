/* What a setuid guardctl does first with the process the caller made:
 * guardctl's own program (main.c) and its front (front/front.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL); /* glibc's reserved ones fail: fine */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}
