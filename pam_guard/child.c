/* The decision's child process, from inside another program (see child.h).
 *
 * Two processes, so that the host never hears of them:
 *
 *   host --clone(no exit signal)--> reaper --vfork+exec--> guard-pam-helper
 *
 * Any process that execs sends SIGCHLD to its parent when it ends (exec
 * resets the exit signal), and su, sudo or sshd may have a SIGCHLD handler
 * that reaps whatever it finds. The reaper is the host's direct child: it
 * never execs, and was created without an exit signal, so its end raises
 * no SIGCHLD in the host and a waitpid(-1) there cannot collect it (only
 * __WALL does). The helper is the reaper's child. No signal disposition of
 * the host is changed; its signal mask is blocked across clone() only, so
 * that no host handler runs in the copy, and then restored.
 *
 * The reaper takes all ids 0 and a session of its own first: the caller of
 * su cannot signal it or the helper, and the terminal's ^C or ^Z does not
 * reach them. The host holds the reaper by a pidfd: waited on with a bound,
 * killed (the helper follows by PR_SET_PDEATHSIG) and reaped without the
 * risk of a reused pid. A host that ignores SIGCHLD has the kernel reap the
 * reaper: then the answer, read in full, is enough.
 *
 * The channel is a socketpair, not pipes: send(MSG_NOSIGNAL) to a helper
 * that died raises no SIGPIPE in the host. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "wire.h"

#define STACK_SIZE	(64u * 1024u) /* each of the reaper and the helper's start */
#define STACK_MAP_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK)

/* The reaper's exit status says what became of the helper. */
#define REAPER_SIGNALED	  126 /* the helper was killed by a signal */
#define REAPER_SETUP	  127 /* the reaper could not prepare */
#define REAPER_EXEC_ERRNO 128 /* + errno (< 100): the helper could not be started */
#define HELPER_STATUS_MAX 125 /* the helper's own status, when below */

struct spawn {
	const char *path;
	int sock;    /* the helper's fds 0 and 1 */
	int null_fd; /* its fd 2 */
	void *helper_stack_top;
	volatile int exec_errno; /* written by the helper's start (shared memory) */
};

/* The helper's start, in the reaper's memory until execve (CLONE_VM). */
static int helper_start(void *arg)
{
	struct spawn *s = arg;
	char *const argv[] = {(char *)"guard-pam-helper", NULL};
	char *const envp[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	sigset_t none;

	/* Dies with the reaper, which the host kills on a timeout. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	execve(s->path, argv, envp);
	s->exec_errno = errno ? errno : EIO;
	_exit(REAPER_SETUP);
}

/* The reaper: a copy of the host that only makes system calls (no
 * allocation, no locks, no stdio: the host may have other threads). */
static int reaper_main(void *arg)
{
	struct spawn *s = arg;
	struct sigaction dfl;
	siginfo_t info;
	pid_t pid;

	/* Host handlers must not run here, and a signal the host ignores
	 * would stay ignored across exec. All signals stay blocked in the
	 * reaper itself. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &dfl, NULL);
	/* All ids 0: nothing the caller can signal holds the policy or the
	 * store. Raw system calls: glibc's wrappers would try to change the
	 * ids of threads the copy does not have. */
	if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, 0, 0, 0) < 0 ||
	    syscall(SYS_setresuid, 0, 0, 0) < 0)
		_exit(REAPER_EXEC_ERRNO + (errno > 0 && errno < 100 ? errno : EIO));
	(void)setsid();
	if (dup2(s->sock, 0) < 0 || dup2(s->sock, 1) < 0 || dup2(s->null_fd, 2) < 0)
		_exit(REAPER_SETUP);
	/* The host's fds (sshd's sockets, sudo's pty) stay with the host. */
	if (syscall(SYS_close_range, 3u, ~0u, 0u) < 0) {
		struct rlimit rl;
		int max = 65536;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)max)
			max = (int)rl.rlim_cur;
		for (int fd = 3; fd < max; fd++)
			(void)close(fd);
	}
	pid = clone(helper_start, s->helper_stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, s);
	if (pid < 0)
		_exit(REAPER_SETUP);
	/* The socket is the helper's now: its end is the host's end of file. */
	(void)close(0);
	(void)close(1);
	(void)close(2);
	if (s->exec_errno) {
		while (waitid(P_PID, (id_t)pid, &info, WEXITED) < 0 && errno == EINTR)
			;
		_exit(REAPER_EXEC_ERRNO + (s->exec_errno < 100 ? s->exec_errno : EIO));
	}
	while (waitid(P_PID, (id_t)pid, &info, WEXITED) < 0)
		if (errno != EINTR)
			_exit(REAPER_SETUP);
	if (info.si_code != CLD_EXITED)
		_exit(REAPER_SIGNALED);
	_exit(info.si_status <= HELPER_STATUS_MAX ? info.si_status : HELPER_STATUS_MAX);
}

/* Reaps the child before the deadline, else kills it and reaps it. Returns
 * 0 with the wait status, -ENOENT when the kernel reaped it already (the
 * host ignores SIGCHLD: no status), -ETIMEDOUT when it had to be killed. */
static int reap(pid_t pid, int pidfd, int64_t deadline, int *ret_status)
{
	siginfo_t info;
	int r = -ETIMEDOUT;

	if (pidfd >= 0) {
		if (guard_channel_wait(pidfd, POLLIN, deadline) == 0)
			r = 0;
		else
			(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	} else {
		/* No pidfd (a kernel before 5.3): poll the exact pid. */
		int delay_ms = 1;

		for (;;) {
			memset(&info, 0, sizeof(info));
			if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT | __WALL) ==
				0 &&
			    info.si_pid == pid) {
				r = 0;
				break;
			}
			if (errno == ECHILD || guard_channel_remaining(deadline) == 0)
				break;
			(void)poll(NULL, 0, delay_ms);
			if (delay_ms < 50)
				delay_ms *= 2;
		}
		if (r < 0 && errno != ECHILD)
			(void)kill(pid, SIGKILL);
	}
	for (;;) {
		memset(&info, 0, sizeof(info));
		if (pidfd >= 0 ? waitid(P_PIDFD, (id_t)pidfd, &info, WEXITED | __WALL) == 0
			       : waitid(P_PID, (id_t)pid, &info, WEXITED | __WALL) == 0)
			break;
		if (errno == EINTR)
			continue;
		return r < 0 ? r : -ENOENT;
	}
	if (r < 0)
		return r;
	if (info.si_code == CLD_EXITED)
		*ret_status = W_EXITCODE(info.si_status, 0);
	else
		*ret_status = info.si_status & 0x7f; /* killed: WIFSIGNALED */
	return 0;
}

/* fds 0-2 closed by the host: move ours above them, so that the child's
 * dup2 onto 0-2 cannot clobber one of them. */
static int above_stdio(int fd)
{
	int nfd;

	if (fd < 0 || fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	(void)close(fd);
	return nfd;
}

/* Why the reaper's status is not a helper's clean exit; "" when it is. */
static void status_error(const char *path, int status, char *err, size_t err_size)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

	if (code == 0)
		err[0] = '\0';
	else if (code > REAPER_EXEC_ERRNO && code < REAPER_EXEC_ERRNO + 100)
		snprintf(err, err_size, "cannot run %s: %s", path,
			 strerror(code - REAPER_EXEC_ERRNO));
	else if (code == REAPER_SIGNALED)
		snprintf(err, err_size, "%s was killed by a signal", path);
	else if (code == REAPER_SETUP || code < 0)
		snprintf(err, err_size, "cannot start %s", path);
	else
		snprintf(err, err_size, "%s exited with status %d", path, code);
}

int guard_child_run(const char *path, const uint8_t *request, size_t request_len, size_t max_answer,
		    int timeout_ms, uint8_t **ret, size_t *ret_len, char *err, size_t err_size)
{
	struct spawn s = {.path = path, .sock = -1, .null_fd = -1};
	int64_t deadline = guard_channel_now_ms() + timeout_ms;
	int sv[2] = {-1, -1}, pidfd = -1, status = 0, r, w, saved_errno = errno;
	void *stack = MAP_FAILED;
	sigset_t all, old;
	pid_t pid = -1;

	*ret = NULL;
	*ret_len = 0;
	err[0] = '\0';
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		r = -errno;
		snprintf(err, err_size, "cannot create a socket pair: %s", strerror(-r));
		goto out;
	}
	sv[0] = above_stdio(sv[0]);
	sv[1] = above_stdio(sv[1]);
	s.null_fd = above_stdio(open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY));
	s.sock = sv[1];
	/* Two stacks in one mapping: the reaper's on top, the helper's start
	 * below (in the reaper's copy of it). */
	/* cppcheck-suppress invalidFunctionArg ; an anonymous mapping takes fd -1 */
	stack = mmap(NULL, 2 * STACK_SIZE, PROT_READ | PROT_WRITE, STACK_MAP_FLAGS, -1, 0);
	if (sv[0] < 0 || sv[1] < 0 || s.null_fd < 0 || stack == MAP_FAILED) {
		r = -errno;
		snprintf(err, err_size, "cannot prepare the helper: %s", strerror(-r));
		goto out;
	}
	s.helper_stack_top = (char *)stack + STACK_SIZE;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* No CLONE_VM: the reaper is a copy; no exit signal: see above. */
	pid = clone(reaper_main, (char *)stack + 2 * STACK_SIZE, CLONE_PIDFD, &s, &pidfd);
	if (pid < 0 && errno == EINVAL) {
		pidfd = -1;
		pid = clone(reaper_main, (char *)stack + 2 * STACK_SIZE, 0, &s);
	}
	r = pid < 0 ? -errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		snprintf(err, err_size, "cannot start the helper: %s", strerror(-r));
		goto out;
	}
	(void)close(sv[1]);
	sv[1] = -1;

	r = guard_channel_send(sv[0], request, request_len, deadline);
	if (r == 0) {
		(void)shutdown(sv[0], SHUT_WR);
		r = guard_channel_recv_answer(sv[0], max_answer, deadline, ret, ret_len);
	}
	if (r == -ETIMEDOUT)
		snprintf(err, err_size, "%s did not answer within %d ms", path, timeout_ms);
	else if (r == -EMSGSIZE)
		snprintf(err, err_size, "%s sent a malformed or oversized answer", path);
	else if (r < 0 && r != -EPROTO)
		snprintf(err, err_size, "talking to %s: %s", path, strerror(-r));

	/* An early end of file: the status says why. */
	w = reap(pid, pidfd, r == 0 || r == -EPROTO ? deadline : 0, &status);
	if (w == 0 && (r == 0 || r == -EPROTO)) {
		status_error(path, status, err, err_size);
		if (err[0])
			r = -EPROTO;
		else if (r == -EPROTO)
			snprintf(err, err_size, "%s ended without an answer", path);
	} else if (w == -ENOENT && r == -EPROTO) {
		snprintf(err, err_size, "%s ended without an answer", path);
	} else if (w == -ETIMEDOUT && r == 0) {
		r = -ETIMEDOUT;
		snprintf(err, err_size, "%s did not exit within %d ms", path, timeout_ms);
	}
	/* w == -ENOENT with an answer: reaped by the kernel for the host. */
out:
	if (r < 0) {
		free(*ret);
		*ret = NULL;
		*ret_len = 0;
		if (r == -EPROTO && strncmp(err, "cannot run", 10) == 0)
			r = -ENOEXEC;
	}
	if (pidfd >= 0)
		(void)close(pidfd);
	if (sv[0] >= 0)
		(void)close(sv[0]);
	if (sv[1] >= 0)
		(void)close(sv[1]);
	if (s.null_fd >= 0)
		(void)close(s.null_fd);
	if (stack != MAP_FAILED)
		(void)munmap(stack, 2 * STACK_SIZE);
	errno = saved_errno;
	return r;
}
