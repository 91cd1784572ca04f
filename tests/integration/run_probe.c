/* run_probe MODE [ARGS...]: what a guarded command sees of its process,
 * printed for the run-path attack tests (tests/attack/a_run_path.sh).
 * Installed in the sandbox as the path of policy `command` blocks, it runs
 * as guardctl's child.
 *
 *   env          the environment, one variable a line
 *   fds          the open fds, from /proc/self/fd (without the one reading it)
 *   limits       "NAME SOFT HARD" for FSIZE NOFILE NPROC AS STACK CORE
 *   state        uid/gid triples, groups, umask, sid==pid, ctty, blocked
 *                and ignored signals (and all 64 as /proc/self/status has
 *                them: sigblk, sigign), cwd
 *   argv         each argument as hex, one a line
 *   tiocsti      pushes "id\n" into fds 0-2 and /dev/tty with TIOCSTI: one
 *                line per attempt, "ok" or the error
 *   kill SIG     kills itself with signal SIG
 *   exit N       exits with N
 *   sleep        prints "ready", then waits for a signal: "got N", exit 0
 *   cat          copies stdin to stdout
 *
 * run_probe exec0 PROGRAM: execve(PROGRAM) with an empty argv and a hostile
 * environment (pwnkit), as the caller. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static void print_limit(const char *name, int res)
{
	struct rlimit rl;

	if (getrlimit(res, &rl) < 0) {
		printf("%s error\n", name);
		return;
	}
	printf("%s ", name);
	if (rl.rlim_cur == RLIM_INFINITY)
		printf("unlimited ");
	else
		printf("%llu ", (unsigned long long)rl.rlim_cur);
	if (rl.rlim_max == RLIM_INFINITY)
		printf("unlimited\n");
	else
		printf("%llu\n", (unsigned long long)rl.rlim_max);
}

static int list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int self;

	if (!d)
		return 1;
	self = dirfd(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != self)
			printf("%s\n", e->d_name);
	closedir(d);
	return 0;
}

/* All 64 signals as the kernel keeps them, glibc's own two (32, 33)
 * included, which sigaction() cannot read: "sigblk HEX" and "sigign HEX". */
static void status_masks(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "SigBlk:\t", 8) == 0)
			printf("sigblk %s", line + 8);
		else if (strncmp(line, "SigIgn:\t", 8) == 0)
			printf("sigign %s", line + 8);
	}
	if (f)
		fclose(f);
}

static int state(void)
{
	uid_t r, e, s;
	gid_t rg, eg, sg, groups[64];
	sigset_t blocked;
	char cwd[4096];
	mode_t m = umask(0);
	int n = getgroups(64, groups), fd;

	umask(m);
	getresuid(&r, &e, &s);
	getresgid(&rg, &eg, &sg);
	printf("uid %u %u %u\n", r, e, s);
	printf("gid %u %u %u\n", rg, eg, sg);
	printf("groups");
	for (int i = 0; i < n; i++)
		printf(" %u", groups[i]);
	printf("\numask %03o\n", m);
	printf("session-leader %s\n", getsid(0) == getpid() ? "yes" : "no");
	fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	printf("ctty %s\n", fd >= 0 ? "yes" : "no");
	if (fd >= 0)
		close(fd);
	sigprocmask(SIG_BLOCK, NULL, &blocked);
	printf("blocked");
	for (int sig = 1; sig < 32; sig++)
		if (sigismember(&blocked, sig))
			printf(" %d", sig);
	printf("\nignored");
	for (int sig = 1; sig < 32; sig++) {
		struct sigaction sa;

		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			printf(" %d", sig);
	}
	printf("\n");
	status_masks();
	printf("cwd %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	printf("dumpable-env %s\n", getenv("LD_PRELOAD") ? "LD_PRELOAD" : "clean");
	return 0;
}

static void try_tiocsti(const char *what, int fd)
{
	const char *s = "id\n";
	int ok = 1;

	for (const char *c = s; *c; c++)
		if (ioctl(fd, TIOCSTI, c) < 0) {
			printf("%s %s\n", what, strerror(errno));
			ok = 0;
			break;
		}
	if (ok)
		printf("%s ok\n", what);
}

static int tiocsti(void)
{
	char name[16];
	int fd;

	for (int i = 0; i <= 2; i++) {
		snprintf(name, sizeof(name), "fd%d", i);
		try_tiocsti(name, i);
	}
	fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd < 0) {
		printf("tty %s\n", strerror(errno));
	} else {
		try_tiocsti("tty", fd);
		close(fd);
	}
	return 0;
}

static volatile sig_atomic_t got;

static void on_signal(int sig)
{
	got = sig;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "env") == 0) {
		for (char **e = environ; *e; e++)
			printf("%s\n", *e);
		return 0;
	}
	if (strcmp(mode, "fds") == 0)
		return list_fds();
	if (strcmp(mode, "limits") == 0) {
		print_limit("FSIZE", RLIMIT_FSIZE);
		print_limit("NOFILE", RLIMIT_NOFILE);
		print_limit("NPROC", RLIMIT_NPROC);
		print_limit("AS", RLIMIT_AS);
		print_limit("STACK", RLIMIT_STACK);
		print_limit("CORE", RLIMIT_CORE);
		return 0;
	}
	if (strcmp(mode, "state") == 0)
		return state();
	if (strcmp(mode, "argv") == 0) {
		for (int i = 0; i < argc; i++) {
			for (const unsigned char *c = (const unsigned char *)argv[i]; *c; c++)
				printf("%02x", *c);
			printf("\n");
		}
		return 0;
	}
	if (strcmp(mode, "tiocsti") == 0)
		return tiocsti();
	if (strcmp(mode, "kill") == 0 && argc > 2) {
		signal(atoi(argv[2]), SIG_DFL);
		kill(getpid(), atoi(argv[2]));
		pause();
		return 99;
	}
	if (strcmp(mode, "exit") == 0 && argc > 2)
		return atoi(argv[2]);
	if (strcmp(mode, "sleep") == 0) {
		struct sigaction sa = {.sa_handler = on_signal};

		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		printf("ready\n");
		for (int i = 0; i < 300 && !got; i++)
			usleep(100000);
		printf("got %d\n", (int)got);
		return got ? 0 : 1;
	}
	if (strcmp(mode, "cat") == 0) {
		char buf[4096];
		ssize_t n;

		while ((n = read(0, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		return 0;
	}
	if (strcmp(mode, "exec0") == 0 && argc > 2) {
		char *no_args[] = {NULL};
		char *env[] = {"GCONV_PATH=.", "CHARSET=PWNKIT", "LD_PRELOAD=/nonexistent.so",
			       NULL};

		execve(argv[2], no_args, env);
		perror("run_probe: execve");
		return 126;
	}
	fprintf(stderr, "run_probe: unknown mode '%s'\n", mode);
	return 125;
}
