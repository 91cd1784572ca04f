/* The child that runs a guarded command, and the parent that waits for it.
 *
 * The child is root (all ids 0, no supplementary groups) with nothing of the
 * caller's but the arguments Guard classified: a fixed environment built
 * from an allowlist, fds 0-2 only, default signal dispositions and an empty
 * mask, umask 022 (the shadow tools create homes and files others read),
 * resource limits reset, and a new session (exec_child.c).
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
 * The child itself, from its clone to its exec, is exec_child.c: it runs
 * in this process's memory, under rules of its own. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "exec_child.h"
#include "guardctl.h"

#define CHILD_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
#define ENV_MAX	   10

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

/* TERM is the one value from the caller's environment a child may see,
 * and only when it is a plain terminal name. */
char *guardctl_sane_term(const char *term)
{
	size_t n;

	if (!term)
		return NULL;
	n = strlen(term);
	if (n == 0 || n > 64)
		return NULL;
	for (const char *c = term; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("+-._", *c)))
			return NULL;
	return strdup(term);
}

void guardctl_job_control(bool hold)
{
	sigset_t stops;

	sigemptyset(&stops);
	sigaddset(&stops, SIGTSTP);
	sigaddset(&stops, SIGTTIN);
	sigaddset(&stops, SIGTTOU);
	(void)sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &stops, NULL);
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
	pid = exec_child_spawn(&args);
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
