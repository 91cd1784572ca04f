/* The child that runs a guarded command, and the parent that waits for it.
 *
 * The child is root (all ids 0, no supplementary groups) with nothing of the
 * caller's but the arguments Guard classified: a fixed environment built
 * from an allowlist, fds 0-2 only, default signal dispositions and an empty
 * mask, umask 022 (the shadow tools create homes and files others read),
 * resource limits reset, and a new session.
 *
 * The caller's terminal never reaches the child: a root process holding an
 * fd on it could push input into the caller's shell with TIOCSTI (the
 * CAP_SYS_ADMIN check does not stop root), or reprogram it. A terminal on
 * stdin becomes /dev/null, one on stdout or stderr a pipe that the parent
 * copies to the terminal. A tool that prompts on its terminal (passwd USER)
 * gets a new pty as its controlling terminal instead, which the parent
 * relays to and from the caller's terminal (in raw mode meanwhile): what
 * the tool injects there it reads back itself.
 *
 * The parent keeps the caller's real uid, so the caller may signal it:
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded to the child.
 *
 * The child shares the parent's memory until it execs (clone with CLONE_VM
 * and CLONE_VFORK, on a stack of its own): a copy of guardctl's page tables
 * and the copy-on-write faults after it cost more than the tool's own
 * start. So the child only makes system calls on its own stack, with every
 * signal blocked until its handlers are the defaults (its table is its
 * own), and never returns; ids change through raw system calls, as glibc's
 * wrappers would act for threads of the parent's. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "guardctl.h"

#define CHILD_PATH  "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
#define ENV_MAX	    10
#define CHILD_STACK (128u * 1024u) /* under the child's calls: ample */

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t winch_pending;

static void forward_signal(int sig)
{
	int saved = errno;

	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
	errno = saved;
}

static void note_winch(int sig)
{
	(void)sig;
	winch_pending = 1;
}

int guardctl_exit_status(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return EXIT_USAGE;
}

/* The tools and options that prompt on the terminal: passwd USER (new
 * password), gpasswd GROUP (group password), chage USER (every field). */
bool guardctl_is_interactive(const struct guard_classification *cls)
{
	static const struct {
		const char *tool;
		const char *quiet_opts; /* options that keep it prompting */
	} prompting[] = {
	    {"passwd", "kq"},
	    {"gpasswd", ""},
	    {"chage", "i"},
	};
	const char *name;

	if (!cls || !cls->exec_argv || !cls->exec_argv[0] ||
	    (cls->command && cls->command->actions))
		return false;
	name = cls->exec_argv[0];
	for (size_t t = 0; t < sizeof(prompting) / sizeof(prompting[0]); t++) {
		if (strcmp(name, prompting[t].tool) != 0)
			continue;
		for (int i = 1; i < cls->exec_argc && strcmp(cls->exec_argv[i], "--") != 0; i++) {
			const char *a = cls->exec_argv[i];

			if (a[0] != '-' || !a[1] || a[2] || !strchr(prompting[t].quiet_opts, a[1]))
				return false;
		}
		return true;
	}
	return false;
}

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

/* The child's whole environment. */
static int build_env(const struct guardctl_exec *x, char *env[ENV_MAX])
{
	static const char *const fixed[] = {
	    CHILD_PATH, "LANG=C.UTF-8", "HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/sh",
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!(env[n++] = strdup(fixed[i])))
			return -ENOMEM;
	if (x->term && asprintf(&env[n++], "TERM=%s", x->term) < 0)
		return -ENOMEM;
	if (asprintf(&env[n++], "GUARD_USER=%s", x->caller) < 0)
		return -ENOMEM;
	env[n] = NULL;
	return 0;
}

static void free_env(char *env[ENV_MAX])
{
	for (size_t i = 0; i < ENV_MAX; i++)
		free(env[i]);
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

struct child_args {
	const struct guardctl_exec *x;
	char *const *env;
	const char *pty_name;
	int batch_rd;
	int out_wr[2];
};

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

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);

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
static pid_t spawn_child(struct child_args *a)
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

/* One flow the parent copies: from an fd or a memory buffer, to an fd. */
struct flow {
	int in;	 /* -1: from mem */
	int out; /* -1: nobody reads any more: drained and dropped */
	const uint8_t *mem;
	size_t mem_len, mem_off;
	bool own_in, own_out; /* closed when the flow ends */
	bool ends_run;	      /* the run is over when this flow has ended */
	bool done;
};

static bool write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static void flow_end(struct flow *f)
{
	if (f->done)
		return;
	if (f->own_in && f->in >= 0)
		close(f->in);
	/* Closing the batch pipe is the tool's end of input. */
	if (f->own_out && f->out >= 0)
		close(f->out);
	f->done = true;
}

/* The caller's terminal has gone (EOF or EIO on it, in raw mode only by a
 * hangup): the tool's goes too. passwd ignores the SIGHUP forwarded to it
 * and would wait at its prompt for ever, with guardctl waiting for it. */
static void hang_up_tool(int pty_master)
{
	char name[128];
	int slave;

	if (ptsname_r(pty_master, name, sizeof(name)) != 0)
		return;
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (slave < 0)
		return;
	(void)ioctl(slave, TIOCVHANGUP);
	close(slave);
}

/* Copies the flows until every flow that ends the run has ended. */
static void relay(struct flow *flows, size_t n, int pty_master)
{
	uint8_t buf[4096];

	for (;;) {
		struct pollfd p[4];
		size_t map[4], np = 0;
		bool running = false;

		for (size_t i = 0; i < n; i++)
			running |= !flows[i].done && flows[i].ends_run;
		if (!running)
			return;
		if (winch_pending && pty_master >= 0) {
			struct winsize ws;

			winch_pending = 0;
			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				ioctl(pty_master, TIOCSWINSZ, &ws);
		}
		for (size_t i = 0; i < n && np < 4; i++) {
			if (flows[i].done)
				continue;
			p[np].fd = flows[i].in >= 0 ? flows[i].in : flows[i].out;
			p[np].events = flows[i].in >= 0 ? POLLIN : POLLOUT;
			p[np].revents = 0;
			map[np++] = i;
		}
		if (poll(p, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (size_t k = 0; k < np; k++) {
			struct flow *f = &flows[map[k]];
			ssize_t r;

			if (!p[k].revents)
				continue;
			if (f->in < 0) {
				/* The batch: as much as the pipe takes now. */
				r = write(f->out, f->mem + f->mem_off, f->mem_len - f->mem_off);
				if (r > 0)
					f->mem_off += (size_t)r;
				if ((r < 0 && errno != EINTR && errno != EAGAIN) ||
				    f->mem_off == f->mem_len)
					flow_end(f);
				continue;
			}
			r = read(f->in, buf, sizeof(buf));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			/* EOF, or EIO from a pty master whose tool has gone. */
			if (r <= 0) {
				flow_end(f);
				if (f->in == STDIN_FILENO && pty_master >= 0)
					hang_up_tool(pty_master);
				continue;
			}
			if (f->out >= 0 && !write_all(f->out, buf, (size_t)r))
				f->out = -1;
		}
	}
}

/* A pty for an interactive tool, sized like the caller's terminal. */
static int open_pty(char *name, size_t size)
{
	struct winsize ws;
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (m < 0)
		return -errno;
	if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, size) != 0) {
		int r = -errno;

		close(m);
		return r;
	}
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(m, TIOCSWINSZ, &ws);
	return m;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0) {
			close(p[i]);
			p[i] = -1;
		}
}

int guardctl_exec(const struct guardctl_exec *x, int *ret_status)
{
	char *env[ENV_MAX] = {0}, pty_name[128];
	int batch[2] = {-1, -1}, out[2][2] = {{-1, -1}, {-1, -1}};
	int master = -1, r = 0, status = 0;
	bool use_pty = x->interactive && !x->batch && isatty(STDIN_FILENO);
	struct termios saved_tio, raw;
	bool raw_mode = false;
	struct flow flows[4];
	size_t n_flows = 0;
	struct child_args args;
	sigset_t all, old;
	pid_t pid;

	if (!x->path || x->path[0] != '/' || !x->argv || !x->argv[0] || !x->caller)
		return -EINVAL;
	r = build_env(x, env);
	if (r < 0)
		goto out;

	if (use_pty) {
		master = open_pty(pty_name, sizeof(pty_name));
		if (master < 0) {
			r = master;
			goto out;
		}
	} else {
		if (x->batch && pipe2(batch, O_CLOEXEC) < 0) {
			r = -errno;
			goto out;
		}
		for (int i = 0; i < 2; i++)
			if (isatty(STDOUT_FILENO + i) && pipe2(out[i], O_CLOEXEC) < 0) {
				r = -errno;
				goto out;
			}
	}

	/* Signals wait until the child's pid is known and handlers are set. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	args = (struct child_args){.x = x,
				   .env = env,
				   .pty_name = use_pty ? pty_name : NULL,
				   .batch_rd = batch[0],
				   .out_wr = {out[0][1], out[1][1]}};
	pid = spawn_child(&args);
	if (pid < 0) {
		r = pid;
		sigprocmask(SIG_SETMASK, &old, NULL);
		goto out;
	}

	child_pid = pid;
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		struct sigaction sa = {.sa_handler = forward_signal};

		sigemptyset(&sa.sa_mask);
		sigaction(forwarded[i], &sa, NULL);
	}
	(void)signal(SIGPIPE, SIG_IGN); /* a tool that stops reading its batch */
	if (use_pty) {
		struct sigaction sa = {.sa_handler = note_winch};

		sigemptyset(&sa.sa_mask);
		sigaction(SIGWINCH, &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);

	if (use_pty) {
		if (tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
			raw = saved_tio;
			cfmakeraw(&raw);
			raw_mode = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
		}
		flows[n_flows++] =
		    (struct flow){.in = master, .out = STDOUT_FILENO, .ends_run = true};
		flows[n_flows++] = (struct flow){.in = STDIN_FILENO, .out = master};
	} else {
		if (batch[1] >= 0) {
			close(batch[0]);
			batch[0] = -1;
			fcntl(batch[1], F_SETFL, O_NONBLOCK);
			flows[n_flows++] = (struct flow){.in = -1,
							 .out = batch[1],
							 .mem = x->batch,
							 .mem_len = x->batch_len,
							 .own_out = true,
							 .ends_run = true};
			batch[1] = -1; /* closed by its flow */
			if (x->batch_len == 0)
				flow_end(&flows[n_flows - 1]);
		}
		for (int i = 0; i < 2; i++)
			if (out[i][0] >= 0) {
				close(out[i][1]);
				out[i][1] = -1;
				flows[n_flows++] = (struct flow){.in = out[i][0],
								 .out = STDOUT_FILENO + i,
								 .own_in = true,
								 .ends_run = true};
				out[i][0] = -1; /* closed by its flow */
			}
	}
	relay(flows, n_flows, master);
	for (size_t i = 0; i < n_flows; i++)
		flow_end(&flows[i]);

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			r = -errno;
			break;
		}
	}
	child_pid = 0;
	if (raw_mode)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	if (r == 0)
		*ret_status = status;
out:
	if (master >= 0)
		close(master);
	close_pair(batch);
	close_pair(out[0]);
	close_pair(out[1]);
	free_env(env);
	return r;
}
