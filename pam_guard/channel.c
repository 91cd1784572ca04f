/* One request and one answer over a stream socket, each bounded by a
 * deadline on CLOCK_MONOTONIC: what pam_guard.so and sudo_guard.so say to
 * the helper they start (child.c) or to the decision service (ask.c).
 * Never raises SIGPIPE; never blocks past the deadline. */
#include "channel.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "wire.h"

int64_t guard_channel_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int guard_channel_remaining(int64_t deadline)
{
	int64_t left = deadline - guard_channel_now_ms();

	return left <= 0 ? 0 : (int)left;
}

/* Waits until fd is ready for events or the deadline passes. Returns 0,
 * -ETIMEDOUT or -errno. */
int guard_channel_wait(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int left = guard_channel_remaining(deadline), n;

		if (left == 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

int guard_channel_send(int fd, const uint8_t *buf, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -EPROTO; /* the helper is gone */
		int r = guard_channel_wait(fd, POLLOUT, deadline);

		if (r < 0)
			return r;
	}
	return 0;
}

/* Reads exactly len bytes into buf. -EPROTO at an early end of file. */
static int recv_exact(int fd, uint8_t *buf, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return -EPROTO;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -EPROTO;
		int r = guard_channel_wait(fd, POLLIN, deadline);

		if (r < 0)
			return r;
	}
	return 0;
}

/* Reads one whole answer message. */
int guard_channel_recv_answer(int fd, size_t max_answer, int64_t deadline, uint8_t **ret,
			      size_t *ret_len)
{
	uint8_t hdr[GUARD_WIRE_HEADER_SIZE], *buf;
	enum guard_wire_kind kind;
	size_t body;
	int r;

	r = recv_exact(fd, hdr, sizeof(hdr), deadline);
	if (r < 0)
		return r;
	if (guard_wire_header(hdr, max_answer, &kind, &body) < 0)
		return -EMSGSIZE;
	buf = malloc(sizeof(hdr) + body);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, hdr, sizeof(hdr));
	r = recv_exact(fd, buf + sizeof(hdr), body, deadline);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = sizeof(hdr) + body;
	return 0;
}
