/* The child that runs a guarded command, from the clone to its exec: a new
 * session, its terminal or pipes on fds 0-2 (exec.c made them), root in
 * every id, umask 022, resource limits reset, every other fd closed.
 *
 * The child shares the parent's memory until it execs (clone with CLONE_VM
 * and CLONE_VFORK, on a stack of its own): a copy of guardctl's page tables
 * and the copy-on-write faults after it cost more than the tool's own
 * start. So the child only makes system calls on its own stack, with every
 * signal blocked until its handlers are the defaults (its table is its
 * own; glibc cannot block its own two, 32 and 33, for which guardctl
 * installs no handler), and never returns; ids change through raw system calls, as glibc's
 * wrappers would act for threads of the parent's. Its own file, because
 * those rules bind every line in it and no line of the parent's. */
#include "exec_child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guardctl.h"

#define CHILD_STACK (128u * 1024u) /* under the child's calls: ample */

/* The system's ceiling for open files: what root may raise NOFILE to. */
static rlim_t nofile_max(void)
{
	char buf[32] = "";
	unsigned long long v;
	char *end;
	int fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 1048576;
	buf[n] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v < 1024)
		return 1048576;
	return (rlim_t)v;
}

int guardctl_limits_reset(void)
{
	/* want: the soft limit a tool expects, with the system's maximum as
	 * the hard limit; floor: below it a write could fail halfway. */
	const struct {
		int resource;
		rlim_t want, max, floor;
	} limits[] = {
	    {RLIMIT_FSIZE, RLIM_INFINITY, RLIM_INFINITY, RLIM_INFINITY},
	    {RLIMIT_NOFILE, 1024, nofile_max(), 256},
	    {RLIMIT_NPROC, RLIM_INFINITY, RLIM_INFINITY, 64},
	    {RLIMIT_AS, RLIM_INFINITY, RLIM_INFINITY, RLIM_INFINITY},
	    {RLIMIT_DATA, RLIM_INFINITY, RLIM_INFINITY, RLIM_INFINITY},
	    {RLIMIT_STACK, 8u << 20, RLIM_INFINITY, 1u << 20},
	    {RLIMIT_CPU, RLIM_INFINITY, RLIM_INFINITY, RLIM_INFINITY},
	};
	struct rlimit rl;

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		rl = (struct rlimit){limits[i].want, limits[i].max};
		if (setrlimit(limits[i].resource, &rl) == 0)
			continue;
		/* Without CAP_SYS_RESOURCE (a container's bounding set) the hard
		 * limit cannot rise: the soft one rises to it, if that is enough. */
		if (getrlimit(limits[i].resource, &rl) < 0)
			return -errno;
		rl.rlim_cur = limits[i].want <= rl.rlim_max ? limits[i].want : rl.rlim_max;
		if (rl.rlim_cur < limits[i].floor)
			return -EPERM;
		if (setrlimit(limits[i].resource, &rl) < 0)
			return -errno;
	}
	rl = (struct rlimit){0, 0};
	return setrlimit(RLIMIT_CORE, &rl) < 0 ? -errno : 0;
}

/* The hex mask after key in /proc/self/status's text: 16 digits and the
 * end of the line, bit n-1 for signal n. */
static bool status_mask(const char *text, const char *key, uint64_t *ret)
{
	const char *p = strstr(text, key);
	uint64_t v = 0;
	int i;

	if (!p)
		return false;
	p += strlen(key);
	for (i = 0; i < 16; i++, p++) {
		int d = *p >= '0' && *p <= '9'	 ? *p - '0'
			: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
						 : -1;

		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (*p != '\n')
		return false;
	*ret = v;
	return true;
}

/* The kernel's struct for rt_sigaction (x86-64, arm64): glibc's own
 * sigaction() refuses the two signals it keeps for itself (32, 33). */
struct kernel_sigaction {
	void (*handler)(int);
	/* cppcheck-suppress unusedStructMember ; the kernel's layout */
	unsigned long flags;
	/* cppcheck-suppress unusedStructMember ; the kernel's layout */
	void (*restorer)(void);
	uint64_t mask;
};

/* A signal glibc keeps for itself, back to the default when the caller left
 * it ignored (a raw rt_sigaction can, and glibc's posix_spawn, system and
 * popen start every child so; an exec keeps it); its handler, when glibc
 * installed one, is glibc's and stays. */
static void default_if_ignored(int sig)
{
	struct kernel_sigaction old = {0}, dfl = {.handler = SIG_DFL};

	if (syscall(SYS_rt_sigaction, sig, NULL, &old, sizeof(old.mask)) == 0 &&
	    old.handler == SIG_IGN)
		(void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
}

void guardctl_default_signals(void)
{
	char buf[4096];
	size_t len = 0;
	uint64_t ign = 0, cgt = 0, set = ~(uint64_t)0;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC | O_NOCTTY);

	while (fd >= 0 && len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (fd >= 0) {
		close(fd);
		buf[len] = '\0';
		/* A long Groups line may push them past the buffer: then every
		 * signal, as when the file cannot be read. */
		if (status_mask(buf, "\nSigIgn:\t", &ign) && status_mask(buf, "\nSigCgt:\t", &cgt))
			set = ign | cgt;
	}
	for (int sig = 1; sig < NSIG && sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && (set >> (sig - 1) & 1) &&
		    signal(sig, SIG_DFL) == SIG_ERR)
			default_if_ignored(sig);
}

/* Closes every fd from 3 up, even without close_range(2). */
static void close_from_3(void)
{
	if (close_range(3, ~0U, 0) == 0)
		return;
	for (long fd = 3, max = sysconf(_SC_OPEN_MAX); fd < (max > 0 ? max : 65536); fd++)
		close((int)fd);
}

static void child_fail(const char *what, const char *path)
{
	char msg[512];
	int e = errno, n;

	n = snprintf(msg, sizeof(msg), "guardctl: %s %s: %s\n", what, path, strerror(e));
	if (n > 0)
		(void)!write(STDERR_FILENO, msg,
			     (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	_exit(e == ENOENT ? 127 : 126);
}

/* In the child, in the parent's memory: never returns. */
static int child(void *arg)
{
	const struct child_args *a = arg;
	const struct guardctl_exec *x = a->x;
	const char *pty_name = a->pty_name;
	int batch_rd = a->batch_rd;
	const int *out_wr = a->out_wr;
	sigset_t none;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	guardctl_default_signals();

	/* A new session: no controlling terminal, unless the new pty. */
	if (setsid() < 0)
		child_fail("cannot start a session for", x->path);
	if (pty_name) {
		int slave = open(pty_name, O_RDWR);

		if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
			child_fail("cannot open the terminal for", x->path);
		for (int fd = 0; fd <= 2; fd++)
			if (dup2(slave, fd) < 0)
				child_fail("cannot set up the terminal for", x->path);
	} else {
		if (batch_rd >= 0) {
			if (dup2(batch_rd, STDIN_FILENO) < 0)
				child_fail("cannot pass the batch to", x->path);
		} else if (isatty(STDIN_FILENO)) {
			int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

			if (null < 0 || dup2(null, STDIN_FILENO) < 0)
				child_fail("cannot open /dev/null for", x->path);
		}
		for (int i = 0; i < 2; i++)
			if (out_wr[i] >= 0 && dup2(out_wr[i], STDOUT_FILENO + i) < 0)
				child_fail("cannot set up the output of", x->path);
	}

	/* Root in every id, with root's groups only. */
	if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, 0, 0, 0) < 0 ||
	    syscall(SYS_setresuid, 0, 0, 0) < 0)
		child_fail("cannot become root for", x->path);
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 || ru || eu || su || rg ||
	    eg || sg)
		child_fail("cannot become root for", x->path);

	umask(022);
	if (guardctl_limits_reset() < 0)
		child_fail("cannot reset the resource limits for", x->path);
	close_from_3();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(x->path, x->argv, a->env);
	child_fail("cannot run", x->path);
	return 127;
}

/* The child on a stack of its own, the parent waiting until it has
 * exec'd or exited. A guard page below the stack. Returns its pid or
 * -errno. */
pid_t exec_child_spawn(struct child_args *a)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = CHILD_STACK + (size_t)(page > 0 ? page : 4096);
	const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK;
	char *stack;
	pid_t pid;

	/* cppcheck-suppress invalidFunctionArg ; an anonymous mapping takes fd -1 */
	stack = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (stack == MAP_FAILED)
		return -errno;
	if (mprotect(stack, size - CHILD_STACK, PROT_NONE) < 0) {
		pid = -errno;
		(void)munmap(stack, size);
		return pid;
	}
	pid = clone(child, stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD, a);
	if (pid < 0)
		pid = -errno;
	(void)munmap(stack, size);
	return pid;
}
