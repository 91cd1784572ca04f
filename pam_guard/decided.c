/* guard-decided: the decision service. The decisions guard-pam-helper
 * makes, for pam_guard.so and sudo_guard.so, in one long-lived root
 * process that keeps the policy loaded and the store open between requests
 * (helper_keep.c), so that a decision costs no process start, library
 * load, policy parse or store open. The modules use it when it listens on
 * GUARD_DECIDE_SOCKET and start the helper when it does not (ask.c).
 *
 * The socket comes from systemd (guard-decided.socket: LISTEN_FDS) or is
 * made here: /run/guard root's, mode 0755; the socket 0600, so that only
 * root connects, and each peer's credentials are checked again (uid 0).
 * A request must name its sender as the host process: the host's session
 * and terminal are read by that pid while it waits for the answer.
 *
 * guardctl's front asks here too (GUARD_STAGE_GUARDCTL, decided_guardctl.h): its
 * connection stays open, without a deadline, while the tool it was
 * allowed runs, and ends with the tool's exit status. At most MAX_RUNS
 * wait so; past that guardctl decides on its own.
 *
 * One decision at a time, as the store serializes them anyway; reading
 * and writing are non-blocking, so a host that stops half-way (a caller
 * may SIGSTOP her own su) costs only its own connection, dropped after
 * REQUEST_MS. A decision stuck past GUARD_HELPER_ALARM_S ends the process
 * (SIGALRM): systemd starts it again, and meanwhile the modules refuse or
 * start the helper. No process a caller can signal holds the store. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ask.h"
#include "channel.h"
#include "helper.h"
#include "numparse.h"
#include "decided_guardctl.h"
#include "wire.h"

#define MAX_CONNS  32 /* asking */
#define MAX_RUNS   64 /* guardctl runs waiting for their tool's end */
#define MAX_SLOTS  (MAX_CONNS + MAX_RUNS)
#define REQUEST_MS 2000 /* to send a whole request, and read the answer */

struct conn {
	int fd;
	uint32_t pid; /* SO_PEERCRED, at connect */
	int64_t deadline;
	uint8_t *in;
	size_t in_len, in_need; /* in_need: header, then header + body */
	uint8_t *out;
	size_t out_len, out_off;
	struct guardctl_served *run; /* a guardctl run waiting for its end */
	bool ended;		     /* its end was answered */
};

static size_t n_runs;

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* stderr is the journal under systemd. */
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("guard-decided: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* The socket systemd passed (one unix stream socket, listening), or -1. */
static int passed_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	uint64_t p, n;
	int type = 0, listening = 0;
	socklen_t len = sizeof(int);

	if (!pid || !fds || guard_parse_uint(pid, INT32_MAX, &p) < 0 || p != (uint64_t)getpid() ||
	    guard_parse_uint(fds, 1, &n) < 0 || n != 1)
		return -1;
	if (getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM ||
	    getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening)
		return -1;
	(void)fcntl(3, F_SETFD, FD_CLOEXEC);
	return 3;
}

/* Makes GUARD_DECIDE_SOCKET: its directory root's and 0755, a stale
 * socket replaced, the new one 0600. Returns the socket or -1. */
static int own_socket(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int fd, r;

	if (mkdir(GUARD_DECIDE_DIR, 0755) < 0 && errno != EEXIST) {
		say("cannot make %s: %s", GUARD_DECIDE_DIR, strerror(errno));
		return -1;
	}
	if (lstat(GUARD_DECIDE_DIR, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		say("%s must be a directory of root's that only root may write", GUARD_DECIDE_DIR);
		return -1;
	}
	if (lstat(GUARD_DECIDE_SOCKET, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			say("%s exists and is no socket", GUARD_DECIDE_SOCKET);
			return -1;
		}
		(void)unlink(GUARD_DECIDE_SOCKET);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		say("socket: %s", strerror(errno));
		return -1;
	}
	memcpy(sa.sun_path, GUARD_DECIDE_SOCKET, sizeof(GUARD_DECIDE_SOCKET));
	old = umask(0177);
	r = bind(fd, (const struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, SOMAXCONN) < 0) {
		say("cannot listen on %s: %s", GUARD_DECIDE_SOCKET, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void conn_close(struct conn *c)
{
	if (c->run)
		n_runs--;
	guardctl_served_free(c->run);
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void conn_accept(int lfd, struct conn *c)
{
	struct ucred peer;
	socklen_t len = sizeof(peer);
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0 || peer.uid != 0 ||
	    peer.pid <= 0) {
		say("refused a connection from uid %u, pid %d: only root's may ask",
		    (unsigned)peer.uid, (int)peer.pid);
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->pid = (uint32_t)peer.pid;
	c->deadline = guard_channel_now_ms() + REQUEST_MS;
	c->in_need = GUARD_WIRE_HEADER_SIZE;
	c->in = malloc(c->in_need);
	if (!c->in)
		conn_close(c);
}

/* Whether the host has closed its end: it stopped waiting (its time-out
 * passed while this service was stopped or busy) and refused on its own. */
static bool conn_abandoned(const struct conn *c)
{
	struct pollfd p = {.fd = c->fd, .events = POLLOUT};

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}

/* A request of guardctl's front: its run, or the end of the run this
 * connection was allowed. Returns false for any other request (PAM's,
 * sudo's), which guard_helper_answer decides or refuses. */
static bool conn_guardctl(struct conn *c, int *ret)
{
	struct guard_wire_request req;
	struct guard_wire_answer ans = {0};

	*ret = 0;
	if (guard_wire_decode_request(c->in, c->in_len, &req) < 0)
		return false;
	if (req.stage != GUARD_STAGE_GUARDCTL && req.stage != GUARD_STAGE_GUARDCTL_END) {
		guard_wire_request_clear(&req);
		return false;
	}
	if (req.stage == GUARD_STAGE_GUARDCTL && !c->run) {
		c->run = guardctl_served_run(&req, c->pid, n_runs < MAX_RUNS, &ans);
		if (c->run)
			n_runs++;
	} else if (req.stage == GUARD_STAGE_GUARDCTL_END && c->run && !c->ended) {
		guardctl_served_end(c->run, &req, &ans);
		c->ended = true;
	} else {
		*ret = -EPROTO; /* out of order: the connection ends */
	}
	if (*ret == 0)
		*ret = guard_wire_encode_answer(&ans, &c->out, &c->out_len);
	guard_wire_answer_clear(&ans);
	guard_wire_request_clear(&req);
	return true;
}

/* The request is whole: decide it and start the answer. A request its
 * host gave up on is not decided: nobody would act on it, and it could
 * spend a limit's use. */
static void conn_decide(struct conn *c)
{
	int r;

	if (conn_abandoned(c)) {
		conn_close(c);
		return;
	}
	alarm(GUARD_HELPER_ALARM_S);
	if (!conn_guardctl(c, &r))
		r = guard_helper_answer(c->in, c->in_len, c->pid, NULL, &c->out, &c->out_len);
	alarm(0);
	if (r < 0)
		conn_close(c);
}

/* Reads what there is. Returns false when the connection is done with. */
static bool conn_read(struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->in_len, c->in_need - c->in_len, MSG_DONTWAIT);
		enum guard_wire_kind kind;
		size_t body;
		uint8_t *grown;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0)
			return false; /* ended before its request was whole */
		c->in_len += (size_t)n;
		if (c->in_len < c->in_need)
			continue;
		if (c->in_need > GUARD_WIRE_HEADER_SIZE) {
			conn_decide(c);
			return c->fd >= 0;
		}
		if (guard_wire_header(c->in, GUARD_WIRE_MAX_BODY, &kind, &body) < 0 ||
		    kind != GUARD_WIRE_REQUEST || body == 0)
			return false;
		grown = realloc(c->in, GUARD_WIRE_HEADER_SIZE + body);
		if (!grown)
			return false;
		c->in = grown;
		c->in_need = GUARD_WIRE_HEADER_SIZE + body;
	}
}

/* A guardctl run's connection, its answer sent: it waits, without a
 * deadline, for the end of the tool. Returns false when memory fails. */
static bool conn_await_end(struct conn *c)
{
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	free(c->in);
	c->in_len = 0;
	c->in_need = GUARD_WIRE_HEADER_SIZE;
	c->in = malloc(c->in_need);
	c->deadline = INT64_MAX;
	return c->in != NULL;
}

/* Writes what it can. Returns false when the connection is done with. */
static bool conn_write(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		c->out_off += (size_t)n;
	}
	return c->run && !c->ended && conn_await_end(c);
}

static void serve(int lfd)
{
	struct conn conns[MAX_SLOTS] = {0};
	struct pollfd pf[MAX_SLOTS + 1];

	for (size_t i = 0; i < MAX_SLOTS; i++)
		conns[i].fd = -1;
	while (!stopping) {
		int64_t now = guard_channel_now_ms(), next = now + 60000;
		nfds_t n = 0;
		size_t free_slot = MAX_SLOTS, asking = 0;
		int timeout;

		for (size_t i = 0; i < MAX_SLOTS; i++) {
			struct conn *c = &conns[i];

			if (c->fd >= 0 && now >= c->deadline)
				conn_close(c);
			if (c->fd < 0) {
				free_slot = i;
				continue;
			}
			asking += !c->run;
			if (c->deadline < next)
				next = c->deadline;
		}
		/* Full: the kernel's backlog holds the rest until a slot frees. */
		if (asking >= MAX_CONNS)
			free_slot = MAX_SLOTS;
		pf[n++] = (struct pollfd){.fd = free_slot < MAX_SLOTS ? lfd : -1, .events = POLLIN};
		for (size_t i = 0; i < MAX_SLOTS; i++)
			pf[n++] = (struct pollfd){
			    .fd = conns[i].fd,
			    .events = conns[i].out ? POLLOUT : POLLIN,
			};
		timeout = (int)(next - now);
		if (poll(pf, n, timeout < 0 ? 0 : timeout) < 0) {
			if (errno == EINTR)
				continue;
			say("poll: %s", strerror(errno));
			return;
		}
		if (pf[0].revents & POLLIN)
			conn_accept(lfd, &conns[free_slot]);
		for (size_t i = 0; i < MAX_SLOTS; i++) {
			struct conn *c = &conns[i];
			bool keep;

			if (c->fd < 0 || pf[i + 1].fd != c->fd || !pf[i + 1].revents)
				continue;
			keep = c->out ? conn_write(c) : conn_read(c);
			if (keep && c->out && !(pf[i + 1].events & POLLOUT))
				keep = conn_write(c);
			if (!keep)
				conn_close(c);
		}
	}
	for (size_t i = 0; i < MAX_SLOTS; i++)
		if (conns[i].fd >= 0)
			conn_close(&conns[i]);
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_stop};
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int lfd;

	/* 1. Started by systemd or by root, with no arguments. */
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: guard-decided (started by guard-decided.socket)\n");
		return 2;
	}
	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0 || ruid ||
	    euid || suid || rgid || egid || sgid) {
		say("runs as root only (all ids 0)");
		return 1;
	}

	/* 2. The socket, then an environment of PATH only and the helper's
	 *    process state. */
	lfd = passed_socket();
	if (lfd < 0)
		lfd = own_socket();
	if (lfd < 0)
		return 1;
	if (clearenv() != 0 || setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1) < 0 ||
	    guard_helper_harden() < 0) {
		say("cannot set up the process");
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);

	/* 3. Requests until told to stop. */
	guard_helper_keep(true);
	serve(lfd);
	guard_helper_keep_drop();
	close(lfd);
	return 0;
}
