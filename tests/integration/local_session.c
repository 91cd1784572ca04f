/* local_session CMD [ARG...]: runs CMD as the leader of a new session
 * whose controlling terminal is a new pseudo-terminal with a local utmp
 * entry (no host: what login writes for a console login), the way a user
 * at the machine runs su or sudo. CMD's fds 0-2 stay the caller's, so a
 * test reads its stdout and stderr apart; what CMD writes to the terminal
 * itself (sudo's messages go to /dev/tty) is copied to stderr. Exits with CMD's status; the utmp
 * entry is removed again. Root only (utmp); CMD drops privileges itself
 * (setpriv). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utmpx.h>

static void utmp_write(short type, pid_t pid, const char *line)
{
	struct utmpx ut;
	struct timeval tv;

	memset(&ut, 0, sizeof(ut));
	ut.ut_type = type;
	ut.ut_pid = pid;
	strncpy(ut.ut_line, line, sizeof(ut.ut_line));
	strncpy(ut.ut_id, line + (strlen(line) > 4 ? strlen(line) - 4 : 0), sizeof(ut.ut_id));
	if (type == USER_PROCESS)
		strncpy(ut.ut_user, "local", sizeof(ut.ut_user));
	gettimeofday(&tv, NULL);
	ut.ut_tv.tv_sec = (int32_t)tv.tv_sec;
	setutxent();
	if (!pututxline(&ut)) {
		perror("local_session: pututxline");
		exit(125);
	}
	endutxent();
}

int main(int argc, char **argv)
{
	const char *slave;
	int master, status;
	pid_t pid;

	if (argc < 2) {
		fputs("usage: local_session CMD [ARG...]\n", stderr);
		return 125;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    !(slave = ptsname(master))) {
		perror("local_session: a new terminal");
		return 125;
	}
	if (open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC) < 0) {
		perror("local_session: the terminal");
		return 125;
	}
	pid = fork();
	if (pid < 0) {
		perror("local_session: fork");
		return 125;
	}
	if (pid == 0) {
		int fd;

		/* The session leader opening its first terminal gets it as the
		 * controlling terminal. */
		if (setsid() < 0 || (fd = open(slave, O_RDWR)) < 0) {
			perror("local_session: the session's terminal");
			_exit(125);
		}
		close(fd);
		utmp_write(USER_PROCESS, getpid(), slave + strlen("/dev/"));
		execvp(argv[1], argv + 1);
		fprintf(stderr, "local_session: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	/* The parent holds the terminal open too (a master read while no
	 * slave is open fails), so it copies until the child is gone and the
	 * terminal is drained. */
	for (;;) {
		struct pollfd p = {.fd = master, .events = POLLIN};
		char buf[4096];
		pid_t done = waitpid(pid, &status, WNOHANG);
		ssize_t n;

		if (done < 0 && errno != EINTR) {
			perror("local_session: waitpid");
			return 125;
		}
		if (poll(&p, 1, done == pid ? 0 : 50) > 0 &&
		    (n = read(master, buf, sizeof(buf))) > 0) {
			if (write(2, buf, (size_t)n) < 0)
				return 125;
			continue;
		}
		if (done == pid)
			break;
	}
	utmp_write(DEAD_PROCESS, pid, slave + strlen("/dev/"));
	close(master);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
