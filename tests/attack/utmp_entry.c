/* utmp_entry [-p PID] LINE HOST [ADDR]: writes a USER_PROCESS utmp record
 * for the terminal LINE (e.g. "pts/3") as sshd would: the remote HOST and,
 * when given, its IPv4 or IPv6 ADDR. HOST "" means a local login. The
 * record's pid is PID, by default the leader of the caller's session (sshd
 * records the login shell, which leads the session of its terminal).
 * Root only. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <utmpx.h>

int main(int argc, char **argv)
{
	struct utmpx ut;
	struct timeval tv;
	pid_t pid = getsid(0);

	if (argc > 2 && strcmp(argv[1], "-p") == 0) {
		pid = (pid_t)atoi(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || argc > 4 || pid <= 0) {
		fputs("usage: utmp_entry [-p PID] LINE HOST [ADDR]\n", stderr);
		return 2;
	}
	memset(&ut, 0, sizeof(ut));
	ut.ut_type = USER_PROCESS;
	ut.ut_pid = pid;
	strncpy(ut.ut_line, argv[1], sizeof(ut.ut_line));
	strncpy(ut.ut_id, argv[1] + (strlen(argv[1]) > 4 ? strlen(argv[1]) - 4 : 0),
		sizeof(ut.ut_id));
	strncpy(ut.ut_user, "alice", sizeof(ut.ut_user));
	strncpy(ut.ut_host, argv[2], sizeof(ut.ut_host));
	if (argc == 4 && inet_pton(AF_INET, argv[3], &ut.ut_addr_v6[0]) != 1 &&
	    inet_pton(AF_INET6, argv[3], ut.ut_addr_v6) != 1) {
		fputs("utmp_entry: bad address\n", stderr);
		return 2;
	}
	gettimeofday(&tv, NULL);
	ut.ut_tv.tv_sec = (int32_t)tv.tv_sec;
	setutxent();
	if (!pututxline(&ut)) {
		perror("utmp_entry: pututxline");
		return 1;
	}
	endutxent();
	return 0;
}
