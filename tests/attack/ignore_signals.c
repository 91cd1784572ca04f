/* ignore_signals PROGRAM [ARGS...]: every signal the kernel lets a process
 * ignore (1-64 but SIGKILL and SIGSTOP) ignored and every one blocked,
 * through the kernel's own rt_sigaction and rt_sigprocmask, since glibc's
 * wrappers refuse the two signals it keeps for itself (32, 33); then
 * PROGRAM exec'd, which keeps all of it. Exit 2 when a call fails. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

int main(int argc, char **argv)
{
	struct kernel_sigaction ign = {.handler = SIG_IGN};
	uint64_t all = ~(uint64_t)0;

	if (argc < 2) {
		fprintf(stderr, "usage: ignore_signals PROGRAM [ARGS...]\n");
		return 2;
	}
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP &&
		    syscall(SYS_rt_sigaction, sig, &ign, NULL, sizeof(ign.mask)) != 0) {
			perror("rt_sigaction");
			return 2;
		}
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof(all)) != 0) {
		perror("rt_sigprocmask");
		return 2;
	}
	execv(argv[1], argv + 1);
	perror(argv[1]);
	return 2;
}
