/* The journal sink: journald's native protocol on our own datagram socket.
 * sd_journal_sendv() sends on a blocking socket that libsystemd keeps for
 * the whole process: when journald is stopped and its queue is full,
 * sendmsg() blocks until it runs again, and a login would hang with it.
 * Here the socket is non-blocking and connected (so that poll() sees the
 * peer's queue), each send waits at most what is left of the handle's
 * GUARD_JOURNAL_WAIT_MS, and after one timeout the handle stops trying. */
#include "monotonic.h"
#include "events_sinks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define SNDBUF_SIZE    (8 * 1024 * 1024)

static int connect_socket(struct guard_journal_sink *j)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, size = SNDBUF_SIZE;

	if (strlen(j->path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, j->path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Large entries fit in one datagram; root may pass the limit. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	j->fd = fd;
	return 0;
}

int guard_journal_sink_open(struct guard_journal_sink *j, const char *path)
{
	j->fd = -1;
	j->budget_ms = GUARD_JOURNAL_WAIT_MS;
	j->stalled = false;
	j->path = path ? path : JOURNAL_SOCKET;
	return connect_socket(j);
}

void guard_journal_sink_close(struct guard_journal_sink *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

/* Waits until the socket takes a datagram, within the handle's budget. */
static int wait_writable(struct guard_journal_sink *j)
{
	struct pollfd p = {.fd = j->fd, .events = POLLOUT};
	int64_t start = guard_monotonic_ms();
	int r;

	if (j->budget_ms <= 0) {
		j->stalled = true;
		return -ETIMEDOUT;
	}
	r = poll(&p, 1, j->budget_ms);
	j->budget_ms -= (int)(guard_monotonic_ms() - start);
	if (r < 0 && errno != EINTR)
		return -errno;
	if (r == 0) {
		j->stalled = true;
		j->budget_ms = 0;
		return -ETIMEDOUT;
	}
	return 0;
}

/* An entry too large for one datagram goes in a sealed memfd, whose
 * descriptor is the only thing sent (journald reads it). */
static int send_memfd(struct guard_journal_sink *j, const char *buf, size_t len)
{
	union {
		struct cmsghdr h;
		/* cppcheck-suppress unusedStructMember ; it sizes the buffer */
		char space[CMSG_SPACE(sizeof(int))];
	} control = {0};
	struct msghdr mh = {.msg_control = &control, .msg_controllen = sizeof(control)};
	struct cmsghdr *c;
	size_t off = 0;
	int fd, r = 0;

	fd = memfd_create("guard-event", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = w < 0 ? -errno : -EIO;
			goto out;
		}
		off += (size_t)w;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		r = -errno;
		goto out;
	}
	c = CMSG_FIRSTHDR(&mh);
	if (!c) {
		r = -EINVAL;
		goto out;
	}
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	for (;;) {
		if (sendmsg(j->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
			break;
		r = -errno;
		if (r != -EAGAIN && r != -EINTR)
			goto out;
		r = wait_writable(j);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	close(fd);
	return r;
}

int guard_journal_sink_send(struct guard_journal_sink *j, const char *buf, size_t len)
{
	bool reconnected = false;
	int r;

	if (j->stalled)
		return -ETIMEDOUT;
	if (j->fd < 0) {
		r = connect_socket(j);
		if (r < 0)
			return r;
	}
	for (;;) {
		if (send(j->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) {
			r = 0;
			break;
		}
		r = -errno;
		if (r == -EINTR)
			continue;
		if (r == -EAGAIN) {
			r = wait_writable(j);
			if (r < 0)
				break;
			continue;
		}
		if (r == -EMSGSIZE || r == -ENOBUFS) {
			r = send_memfd(j, buf, len);
			break;
		}
		/* journald restarted: its socket is a new one. */
		if ((r == -ECONNREFUSED || r == -ENOTCONN) && !reconnected) {
			reconnected = true;
			close(j->fd);
			j->fd = -1;
			r = connect_socket(j);
			if (r < 0)
				break;
			continue;
		}
		break;
	}
	return r;
}
