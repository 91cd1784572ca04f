/* ssh-keygen as signed approvals run it (signed_approval.c): as the signer
 * for --sign, as nobody for --signature's checks, with an empty environment
 * but PATH, the token on stdin, the signature on fd 3, and bounded by the
 * clock. Its own file: what the child may hold and how long it may take are
 * read here whole, apart from what its answer means to an approval. */
#include "monotonic.h"
#include "ssh_keygen.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEYGEN_MS 10000

/* ssh-keygen checks signatures as nobody (it needs an account) but in a
 * group no account and no other process has: ptrace and /proc/PID/fd need
 * uid and gid to match, so another process of nobody's can neither trace
 * it nor forge its answer; it can only kill it, which refuses. */
#define NOBODY_UID 65534u
#define VERIFY_GID 2147483646u

static void child(const struct keygen *k, int in, int out, int err)
{
	static char *const envp[] = {"PATH=/usr/bin:/bin", NULL};

	int sp[2];

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	for (int fd = 3; fd < 1024; fd++)
		(void)close(fd);
	if (k->as_nobody &&
	    (setgroups(0, NULL) < 0 || setresgid(VERIFY_GID, VERIFY_GID, VERIFY_GID) < 0 ||
	     setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID) < 0))
		_exit(127);
	/* The signature on fd 3: a pipe made by the user ssh-keygen runs as,
	 * so that it can open /dev/fd/3; small enough (MAX_SIG_BYTES) for
	 * the pipe's buffer, written whole before the exec. */
	if (k->sig) {
		size_t sl = strlen(k->sig);

		if (pipe(sp) < 0 || write(sp[1], k->sig, sl) != (ssize_t)sl || close(sp[1]) < 0 ||
		    (sp[0] != 3 && (dup2(sp[0], 3) < 0 || close(sp[0]) < 0)))
			_exit(127);
	}
	execve(SSH_KEYGEN, k->argv, envp);
	_exit(127);
}

/* Reads what fd (non-blocking) has into buf, cut at size - 1: the rest is
 * read and dropped, so that ssh-keygen never blocks on a full pipe.
 * Returns read(2)'s result. */
static ssize_t drain(int fd, char *buf, size_t size, size_t *len)
{
	char scratch[512];
	ssize_t n;

	if (*len + 1 < size)
		n = read(fd, buf + *len, size - 1 - *len);
	else
		n = read(fd, scratch, sizeof(scratch));
	if (n > 0 && *len + 1 < size)
		*len += (size_t)n;
	buf[*len] = '\0';
	return n;
}

/* Whether a pipe read from may still give more. */
static bool still_open(ssize_t n)
{
	return n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN));
}

/* Runs ssh-keygen. Returns 0 (k->status holds its wait status) or -errno. */
int keygen_run(struct keygen *k)
{
	int in[2], out[2], err[2], ws = 0;
	size_t olen = 0, elen = 0, ilen = strlen(k->input ? k->input : ""), ioff = 0;
	bool out_open = true, err_open = true;
	pid_t pid;

	if (k->sig && strlen(k->sig) > MAX_SIG_BYTES)
		return -EFBIG;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child(k, in[0], out[1], err[1]);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	(void)fcntl(out[0], F_SETFL, O_NONBLOCK);
	(void)fcntl(err[0], F_SETFL, O_NONBLOCK);
	(void)signal(SIGPIPE, SIG_IGN);
	while (ioff < ilen) {
		ssize_t n = write(in[1], k->input + ioff, ilen - ioff);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		ioff += (size_t)n;
	}
	close(in[1]);
	/* Bounded by the clock, not by turns: once ssh-keygen has closed its
	 * output, poll says so at once, and the turns would run out before
	 * the exited child can be reaped. */
	for (int64_t deadline = guard_monotonic_ms() + KEYGEN_MS, left;
	     (left = deadline - guard_monotonic_ms()) > 0;) {
		struct pollfd p[2] = {{.fd = out_open ? out[0] : -1, .events = POLLIN},
				      {.fd = err_open ? err[0] : -1, .events = POLLIN}};

		if (poll(p, 2, left < 10 ? (int)left : 10) > 0) {
			if (p[0].revents)
				out_open = still_open(drain(out[0], k->out, sizeof(k->out), &olen));
			if (p[1].revents)
				err_open = still_open(drain(err[0], k->err, sizeof(k->err), &elen));
		}
		if (waitpid(pid, &ws, WNOHANG) == pid) {
			/* What is left in the pipes; a process that kept them
			 * open gives EAGAIN, not a wait. */
			while (out_open && drain(out[0], k->out, sizeof(k->out), &olen) > 0)
				;
			while (err_open && drain(err[0], k->err, sizeof(k->err), &elen) > 0)
				;
			close(out[0]);
			close(err[0]);
			k->status = ws;
			return 0;
		}
	}
	kill(pid, SIGKILL);
	(void)waitpid(pid, &ws, 0);
	close(out[0]);
	close(err[0]);
	return -ETIMEDOUT;
}

bool keygen_ok(const struct keygen *k)
{
	return WIFEXITED(k->status) && WEXITSTATUS(k->status) == 0;
}
