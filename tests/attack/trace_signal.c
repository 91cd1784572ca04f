/* trace_signal SIGNAL PROGRAM [ARGS...]: starts PROGRAM with stdin on a
 * pipe that stays open and empty, waits until it sleeps (blocked reading
 * stdin), then as the calling user: reads its core limit and the owner of
 * /proc/PID/status, tries PTRACE_ATTACH, sends SIGNAL and reports how it ended:
 *
 *   core_limit=0 proc_owner=0 ptrace=EPERM signal=11 core=0
 *
 * core=1 means the kernel dumped core (WCOREDUMP). Exit 0 when PROGRAM
 * could be observed, 3 when it ended or never blocked. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may hold anything, even ") " */
	return p && p[1] == ' ' ? p[2] : '?';
}

static void read_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (f) {
		if (!fgets(buf, (int)size, f))
			buf[0] = '\0';
		fclose(f);
	}
}

static const char *core_limit(pid_t pid)
{
	static char val[64];
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	snprintf(val, sizeof(val), "unreadable");
	f = fopen(path, "r");
	if (!f)
		return val;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Max core file size", 18) == 0 &&
		    sscanf(line + 18, "%63s", val) == 1)
			break;
	fclose(f);
	return val;
}

int main(int argc, char **argv)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	char self_comm[64], comm[64], path[64];
	int fds[2], sig, status, ptrace_errno = 0, sleeping = 0;
	struct stat st;
	pid_t pid;

	if (argc < 3) {
		fputs("usage: trace_signal SIGNAL PROGRAM [ARGS...]\n", stderr);
		return 2;
	}
	sig = atoi(argv[1]);
	if (pipe(fds) < 0)
		return 2;
	read_comm(getpid(), self_comm, sizeof(self_comm));
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execv(argv[2], argv + 2);
		_exit(126);
	}
	close(fds[0]);
	/* Up to 10 s for the exec and the policy load, then a settled sleep. */
	for (int i = 0; i < 1000 && sleeping < 5; i++) {
		nanosleep(&tick, NULL);
		if (waitpid(pid, &status, WNOHANG) == pid) {
			printf("ended early: status %d\n", status);
			return 3;
		}
		read_comm(pid, comm, sizeof(comm));
		if (strcmp(comm, self_comm) != 0 && proc_state(pid) == 'S')
			sleeping++;
		else
			sleeping = 0;
	}
	if (sleeping < 5) {
		printf("never blocked\n");
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 3;
	}
	printf("core_limit=%s", core_limit(pid));
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (stat(path, &st) == 0)
		printf(" proc_owner=%u", (unsigned)st.st_uid);
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0) {
		printf(" ptrace=ok");
		waitpid(pid, &status, __WALL);
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	} else {
		ptrace_errno = errno;
		printf(" ptrace=%s", ptrace_errno == EPERM ? "EPERM" : strerror(ptrace_errno));
	}
	if (kill(pid, sig) < 0) {
		printf(" kill=%s\n", strerror(errno));
		return 3;
	}
	if (waitpid(pid, &status, 0) != pid)
		return 3;
	if (WIFSIGNALED(status))
		printf(" signal=%d core=%d\n", WTERMSIG(status), WCOREDUMP(status) ? 1 : 0);
	else
		printf(" exit=%d core=0\n", WEXITSTATUS(status));
	close(fds[1]);
	return 0;
}
