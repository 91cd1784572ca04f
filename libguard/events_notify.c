/* Notify programs (see events_notify.h). They never delay or change a
 * decision: the caller forks once and reaps that child at once; the
 * grandchild, detached, runs the programs one after the other, each as
 * notify_user, each bounded, and logs failures. Nothing here runs in a
 * PAM host process: pam_guard's events are reported by the helper or the
 * decision service. */
#include "events_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

bool guard_notify_wanted(const struct guard_event *e)
{
	switch (e->kind) {
	case GUARD_EVENT_APPROVAL_NEEDED:
	case GUARD_EVENT_APPROVAL:
	case GUARD_EVENT_ALERT:
	case GUARD_EVENT_BREAK_GLASS:
	case GUARD_EVENT_FREEZE:
	case GUARD_EVENT_THAW:
	case GUARD_EVENT_LOCKOUT:
		return true;
	default:
		return false;
	}
}

static void json_string(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

char *guard_notify_json(const struct guard_event *e)
{
	struct guard_journal_entry en = {0};
	char *buf = NULL;
	size_t len = 0;
	bool first = true;
	FILE *f;

	if (guard_event_journal_entry(e, &en) < 0)
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f) {
		guard_journal_entry_clear(&en);
		return NULL;
	}
	fputc('{', f);
	for (size_t i = 0; i < en.n; i++) {
		const char *item = en.iov[i].iov_base, *eq;
		size_t n = en.iov[i].iov_len;
		bool message;

		eq = memchr(item, '=', n);
		if (!eq)
			continue;
		message = (size_t)(eq - item) == 7 && strncmp(item, "MESSAGE", 7) == 0;
		if (!message && strncmp(item, "GUARD_", 6) != 0)
			continue;
		fputs(first ? "" : ",", f);
		first = false;
		fputc('"', f);
		for (const char *k = message ? item : item + 6; k < eq; k++)
			fputc(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k, f);
		fputs("\":", f);
		json_string(f, eq + 1, n - (size_t)(eq + 1 - item));
	}
	if (e->token) {
		fputs(first ? "\"token\":" : ",\"token\":", f);
		json_string(f, e->token, strlen(e->token));
	}
	fputs("}\n", f);
	guard_journal_entry_clear(&en);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A failure, to journald's native socket (and syslog where there is no
 * journald): SYSLOG_IDENTIFIER=guard-notify, PRIORITY=3. */
static void say_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say_failure(const char *fmt, ...)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char msg[600], dgram[800];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	n = snprintf(dgram, sizeof(dgram),
		     "MESSAGE=%s\nPRIORITY=3\nSYSLOG_IDENTIFIER=guard-notify\nSYSLOG_FACILITY=10\n",
		     msg);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", "/run/systemd/journal/socket");
	if (fd < 0 || n <= 0 ||
	    sendto(fd, dgram, (size_t)n < sizeof(dgram) ? (size_t)n : sizeof(dgram) - 1, 0,
		   (const struct sockaddr *)&sa, sizeof(sa)) < 0)
		syslog(LOG_ERR, "%s", msg); /* no journald */
	if (fd >= 0)
		close(fd);
}

/* In the program's process: its user, environment and fds. */
static void program(const char *path, const struct passwd *pw, int in)
{
	char *const argv[] = {(char *)path, NULL};
	char *const envp[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", (char *)"LANG=C.UTF-8",
			      NULL};
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0 || dup2(in, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(127);
	(void)signal(SIGPIPE, SIG_DFL); /* ignored only in the notifier */
	for (int fd = 3; fd < 1024; fd++)
		(void)close(fd);
	if (setgroups(0, NULL) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0 || chdir("/") < 0)
		_exit(127);
	execve(path, argv, envp);
	_exit(127);
}

/* Runs one program and waits for it, at most GUARD_NOTIFY_TIMEOUT_S. */
static void run_one(const char *path, const struct passwd *pw, const char *json)
{
	int p[2], status = 0;
	pid_t pid;
	size_t len = strlen(json), off = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid == 0)
		program(path, pw, p[0]);
	close(p[0]);
	/* Written without blocking, inside the program's time: one that never
	 * reads its stdin is killed like one that hangs. */
	(void)fcntl(p[1], F_SETFL, O_NONBLOCK);
	if (pid < 0) {
		close(p[1]);
		say_failure("notify: cannot run %s: %s", path, strerror(errno));
		return;
	}
	for (int t = 0; t < GUARD_NOTIFY_TIMEOUT_S * 20; t++) {
		const struct timespec tick = {0, 50 * 1000 * 1000};

		while (p[1] >= 0 && off < len) {
			ssize_t n = write(p[1], json + off, len - off);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
		if (p[1] >= 0 && (off == len || (errno != EAGAIN && errno != EINTR))) {
			close(p[1]); /* all of it, or the program stopped reading */
			p[1] = -1;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (p[1] >= 0)
				close(p[1]);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				say_failure("notify: %s failed (%s %d)", path,
					    WIFEXITED(status) ? "exit" : "signal",
					    WIFEXITED(status) ? WEXITSTATUS(status)
							      : WTERMSIG(status));
			return;
		}
		nanosleep(&tick, NULL);
	}
	if (p[1] >= 0)
		close(p[1]);
	kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
	say_failure("notify: %s took longer than %d s and was killed", path,
		    GUARD_NOTIFY_TIMEOUT_S);
}

void guard_notify_run(char *const *programs, size_t n, const char *user, const char *json)
{
	pid_t pid;
	int status;

	if (n == 0 || !json)
		return;
	pid = fork();
	if (pid < 0) {
		syslog(LOG_ERR, "notify: cannot fork: %s", strerror(errno));
		return;
	}
	if (pid > 0) {
		/* The child forks again and exits: reaped here at once. */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return;
	}
	if (fork() != 0)
		_exit(0);
	/* Detached: its own session, default signals, no terminal, none of
	 * the caller's fds (the store, a service's socket). */
	(void)setsid();
	if (syscall(SYS_close_range, 3u, ~0u, 0u) < 0)
		for (int fd = 3; fd < 65536; fd++)
			(void)close(fd);
	/* guardctl's caller is its real uid: once all ids are root's, the
	 * caller can no longer stop or kill the notifier. */
	if (geteuid() == 0 && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		_exit(1);
	for (int sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	{
		sigset_t none;

		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		(void)signal(SIGPIPE, SIG_IGN); /* a program that stops reading */
	}
	openlog("guard-notify", LOG_PID, LOG_AUTHPRIV);
	{
		char buf[4096];
		struct passwd pwd, *pw = NULL;

		if (getpwnam_r(user ? user : "nobody", &pwd, buf, sizeof(buf), &pw) != 0 || !pw) {
			say_failure("notify: no user %s: no notify program is run",
				    user ? user : "nobody");
			_exit(1);
		}
		if (pw->pw_uid == 0) {
			say_failure("notify: notify_user is root's: refused");
			_exit(1);
		}
		for (size_t i = 0; i < n; i++)
			run_one(programs[i], pw, json);
	}
	_exit(0);
}
