/* pty_drive [-t SECONDS] STEP... -- PROGRAM [ARGS...]: runs PROGRAM as the
 * session leader of a new pseudo-terminal, as sshd runs a login shell, and
 * plays the STEPs at its terminal in order:
 *
 *   wait=TEXT      until TEXT appears in the output (since the last wait)
 *   send=TEXT      types TEXT (\r, \n, \\ and \xHH escapes)
 *   repeat=N,TEXT  types TEXT N times, one write(2) per chunk
 *   eof            types the terminal's end-of-file character (^D)
 *   hangup         closes the terminal: PROGRAM's session gets SIGHUP
 *   sleep=MS       waits
 *
 * Then it copies the output until PROGRAM exits. Everything PROGRAM wrote
 * goes to stdout. Exits with PROGRAM's status (128 + N when killed by
 * signal N); with 124 when the whole run took longer than SECONDS (default
 * 20): PROGRAM's session is then killed. Writes to the terminal never block
 * the reading of its output, so a PROGRAM that writes while it should read
 * cannot deadlock the driver. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define EXIT_TIMEOUT 124
#define EXIT_DRIVER  125

static char outbuf[1 << 20]; /* the output since the last wait= */
static size_t outlen;
static int master = -1;
static pid_t child = -1;
static struct timespec deadline;

static void die(const char *what)
{
	fprintf(stderr, "pty_drive: %s: %s\n", what, strerror(errno));
	exit(EXIT_DRIVER);
}

/* Milliseconds until the deadline, at least 0. */
static int remaining_ms(void)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline.tv_sec - now.tv_sec) * 1000 +
	     (deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
}

static bool expired(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline.tv_sec ||
	       (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

static void timed_out(const char *step)
{
	fprintf(stderr, "pty_drive: timed out in step %s\n", step);
	if (child > 0) {
		kill(-child, SIGKILL);
		kill(child, SIGKILL);
	}
	fflush(stdout);
	_exit(EXIT_TIMEOUT);
}

/* Reads what is there: 0, or -1 once the terminal has no writer left. */
static int drain(void)
{
	char buf[4096];
	ssize_t n = read(master, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1; /* EIO: every slave fd closed */
	fwrite(buf, 1, (size_t)n, stdout);
	if (outlen + (size_t)n > sizeof(outbuf)) {
		/* Keep the newer half: a wait= looks for recent text. */
		memmove(outbuf, outbuf + outlen / 2, outlen - outlen / 2);
		outlen -= outlen / 2;
	}
	if ((size_t)n <= sizeof(outbuf) - outlen) {
		memcpy(outbuf + outlen, buf, (size_t)n);
		outlen += (size_t)n;
	}
	return 0;
}

/* Writes len bytes of data, reading the output meanwhile. */
static void type_bytes(const char *data, size_t len, const char *step)
{
	size_t off = 0;

	while (off < len) {
		struct pollfd p = {.fd = master, .events = POLLIN | POLLOUT};

		if (expired())
			timed_out(step);
		if (poll(&p, 1, remaining_ms()) < 0 && errno != EINTR)
			die("poll");
		if (p.revents & POLLIN)
			(void)drain();
		if (p.revents & POLLOUT) {
			ssize_t n = write(master, data + off, len - off);

			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr,
					"pty_drive: step %s: the terminal took %zu of %zu "
					"bytes: %s\n",
					step, off, len, strerror(errno));
				return;
			}
			if (n > 0)
				off += (size_t)n;
		}
		if ((p.revents & (POLLHUP | POLLERR)) && !(p.revents & POLLOUT)) {
			fprintf(stderr,
				"pty_drive: step %s: the terminal hung up after %zu of %zu "
				"bytes\n",
				step, off, len);
			return;
		}
	}
}

/* Where TEXT ends in the output (case aside), or 0 when it is not there. */
static size_t find_text(const char *text)
{
	size_t n = strlen(text);

	for (size_t i = 0; n && i + n <= outlen; i++)
		if (strncasecmp(outbuf + i, text, n) == 0)
			return i + n;
	return 0;
}

static void wait_for(const char *text, const char *step)
{
	size_t end;

	while (!(end = find_text(text))) {
		struct pollfd p = {.fd = master, .events = POLLIN};

		if (expired())
			timed_out(step);
		if (poll(&p, 1, remaining_ms()) < 0 && errno != EINTR)
			die("poll");
		if (p.revents && drain() < 0) {
			fprintf(stderr, "pty_drive: step %s: the program ended first\n", step);
			return;
		}
	}
	/* What came after TEXT is for the next wait=. */
	memmove(outbuf, outbuf + end, outlen - end);
	outlen -= end;
}

/* TEXT with its escapes resolved, into buf; returns the length. */
static size_t unescape(const char *text, char *buf, size_t size)
{
	size_t n = 0;

	for (const char *c = text; *c && n < size; c++) {
		if (*c != '\\' || !c[1]) {
			buf[n++] = *c;
			continue;
		}
		c++;
		if (*c == 'r')
			buf[n++] = '\r';
		else if (*c == 'n')
			buf[n++] = '\n';
		else if (*c == 'x' && isxdigit((unsigned char)c[1]) &&
			 isxdigit((unsigned char)c[2])) {
			char hex[3] = {c[1], c[2], '\0'};

			buf[n++] = (char)strtol(hex, NULL, 16);
			c += 2;
		} else
			buf[n++] = *c;
	}
	return n;
}

static void play(const char *step)
{
	static char text[4096];
	size_t n;

	if (strncmp(step, "wait=", 5) == 0) {
		wait_for(step + 5, step);
	} else if (strncmp(step, "send=", 5) == 0) {
		n = unescape(step + 5, text, sizeof(text));
		type_bytes(text, n, step);
	} else if (strncmp(step, "repeat=", 7) == 0) {
		char *end;
		unsigned long count = strtoul(step + 7, &end, 10);
		size_t chunk;
		char *many;

		if (*end != ',' || !(n = unescape(end + 1, text, sizeof(text)))) {
			fprintf(stderr, "pty_drive: bad step %s\n", step);
			exit(EXIT_DRIVER);
		}
		/* Large writes: a terminal takes what it can, the rest waits. */
		chunk = 65536 / n;
		if (!(many = malloc(chunk * n)))
			die("malloc");
		for (size_t i = 0; i < chunk; i++)
			memcpy(many + i * n, text, n);
		for (unsigned long done = 0; done < count; done += chunk)
			type_bytes(many, (count - done < chunk ? count - done : chunk) * n, step);
		free(many);
	} else if (strcmp(step, "eof") == 0) {
		struct termios tio;
		char c = 4;

		/* The terminal's own VEOF, which the program may have changed. */
		if (tcgetattr(master, &tio) == 0 && tio.c_cc[VEOF])
			c = (char)tio.c_cc[VEOF];
		type_bytes(&c, 1, step);
	} else if (strcmp(step, "hangup") == 0) {
		close(master);
		master = -1;
	} else if (strncmp(step, "sleep=", 6) == 0) {
		struct timespec ts = {0};
		long ms = strtol(step + 6, NULL, 10);

		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000;
		nanosleep(&ts, NULL);
	} else {
		fprintf(stderr, "pty_drive: unknown step %s\n", step);
		exit(EXIT_DRIVER);
	}
}

static void start(char **argv)
{
	char name[128];
	int slave;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, name, sizeof(name)) != 0)
		die("cannot open a pseudo-terminal");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (setsid() < 0 || (slave = open(name, O_RDWR)) < 0 ||
		    ioctl(slave, TIOCSCTTY, 0) < 0)
			die("cannot make the terminal the controlling one");
		for (int fd = 0; fd <= 2; fd++)
			if (dup2(slave, fd) < 0)
				die("dup2");
		if (slave > 2)
			close(slave);
		execvp(argv[0], argv);
		die(argv[0]);
	}
	if (fcntl(master, F_SETFL, O_NONBLOCK) < 0)
		die("fcntl");
}

/* Copies the output until the program has exited; its status. */
static int finish(void)
{
	int status;

	for (;;) {
		pid_t r = waitpid(child, &status, WNOHANG);

		if (r == child)
			break;
		if (r < 0 && errno != EINTR)
			die("waitpid");
		if (expired())
			timed_out("(the program's exit)");
		if (master >= 0) {
			struct pollfd p = {.fd = master, .events = POLLIN};

			if (poll(&p, 1, 50) > 0 && drain() < 0) {
				close(master);
				master = -1;
			}
		} else {
			struct timespec ts = {0, 20 * 1000000};

			nanosleep(&ts, NULL);
		}
	}
	while (master >= 0 && drain() == 0 && remaining_ms() > 0) {
		struct pollfd p = {.fd = master, .events = POLLIN};

		if (poll(&p, 1, 0) <= 0)
			break;
	}
	fflush(stdout);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	int seconds = 20, first = 1, sep;

	if (argc > 2 && strcmp(argv[1], "-t") == 0) {
		seconds = atoi(argv[2]);
		first = 3;
	}
	for (sep = first; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	if (sep + 1 >= argc || seconds <= 0) {
		fputs("usage: pty_drive [-t SECONDS] STEP... -- PROGRAM [ARGS...]\n", stderr);
		return EXIT_DRIVER;
	}
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += seconds;
	start(argv + sep + 1);
	for (int i = first; i < sep; i++)
		play(argv[i]);
	return finish();
}
