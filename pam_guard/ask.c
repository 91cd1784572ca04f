/* Asking the decision service, else the helper (see ask.h). Runs inside
 * another program's process: one socket, closed before returning; no
 * signal, no fork, no change to the host's state. */
#include "ask.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "channel.h"
#include "child.h"

int guard_ask_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ucred peer;
	socklen_t peer_len = sizeof(peer);
	struct stat st;
	int fd;

	/* Only root can make this directory in /run; one that someone else
	 * owns or may write is no root service's. */
	if (lstat(GUARD_DECIDE_DIR, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -ENOTCONN;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -ENOTCONN;
	memcpy(sa.sun_path, GUARD_DECIDE_SOCKET, sizeof(GUARD_DECIDE_SOCKET));
	/* A unix socket connects at once or not at all: no listener
	 * (ECONNREFUSED), none there (ENOENT), a full backlog (EAGAIN). */
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -ENOTCONN;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) < 0 || peer.uid != 0) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int guard_ask(const char *helper, const uint8_t *request, size_t request_len, size_t max_answer,
	      int timeout_ms, uint8_t **ret, size_t *ret_len, char *err, size_t err_size)
{
	int64_t deadline = guard_channel_now_ms() + timeout_ms;
	int fd, r;

	*ret = NULL;
	*ret_len = 0;
	err[0] = '\0';
	fd = guard_ask_connect();
	if (fd == -ENOTCONN)
		return guard_child_run(helper, request, request_len, max_answer, timeout_ms, ret,
				       ret_len, err, err_size);
	if (fd < 0) {
		snprintf(err, err_size, "%s is not answered by root; refused", GUARD_DECIDE_SOCKET);
		return -EPROTO;
	}
	r = guard_channel_send(fd, request, request_len, deadline);
	if (r == 0) {
		(void)shutdown(fd, SHUT_WR);
		r = guard_channel_recv_answer(fd, max_answer, deadline, ret, ret_len);
	}
	close(fd);
	if (r == -ETIMEDOUT)
		snprintf(err, err_size, "the decision service did not answer within %d ms",
			 timeout_ms);
	else if (r == -EMSGSIZE)
		snprintf(err, err_size,
			 "the decision service sent a malformed or oversized answer");
	else if (r == -EPROTO)
		snprintf(err, err_size, "the decision service ended without an answer");
	else if (r < 0)
		snprintf(err, err_size, "talking to the decision service: %s", strerror(-r));
	return r;
}
