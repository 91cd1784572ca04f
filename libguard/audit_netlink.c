/* Sending a user message to the kernel's audit: see audit_netlink.h. */
#include "audit_netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "monotonic.h"

int guard_audit_netlink_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT), one = 1;

	if (fd < 0)
		return -errno;
	/* An error's acknowledgement without a copy of the record (Linux >=
	 * 4.3): it fits the reply buffer whatever the record's length. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

/* Reads what the kernel sent until the acknowledgement of seq. */
static int await_ack(int fd, uint32_t seq, int ack_ms)
{
	int64_t deadline = guard_monotonic_ms() + ack_ms;
	union {
		struct nlmsghdr h; /* aligns the buffer */
		char bytes[8192];
	} in;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct sockaddr_nl from;
		socklen_t from_len = sizeof(from);
		int64_t left = deadline - guard_monotonic_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		n = recvfrom(fd, &in, sizeof(in), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &from_len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -errno;
		if (from_len != sizeof(from) || from.nl_pid != 0)
			continue; /* only the kernel acknowledges */
		/* Each message whole inside what was read, or the walk ends. */
		for (size_t off = 0, len = (size_t)n; len - off >= sizeof(struct nlmsghdr);) {
			const struct nlmsghdr *h = (const struct nlmsghdr *)(in.bytes + off);
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - off)
				break;
			if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq == seq &&
			    h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)))
				return e->error;
			if (NLMSG_ALIGN(h->nlmsg_len) >= len - off)
				break;
			off += NLMSG_ALIGN(h->nlmsg_len);
		}
	}
}

int guard_audit_netlink_send(int fd, int type, const char *text, int ack_ms)
{
	static uint32_t sequence;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	union {
		struct nlmsghdr h;
		/* cppcheck-suppress unusedStructMember ; it sizes the buffer */
		char bytes[NLMSG_SPACE(GUARD_AUDIT_MESSAGE_MAX + 1)];
	} out;
	size_t n = strnlen(text, GUARD_AUDIT_MESSAGE_MAX + 1);
	ssize_t sent;

	if (n > GUARD_AUDIT_MESSAGE_MAX)
		return -E2BIG; /* cut, it would lose res=: never written in part */
	memset(&out, 0, sizeof(out));
	out.h.nlmsg_len = NLMSG_SPACE(n + 1);
	out.h.nlmsg_type = (uint16_t)type;
	out.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	out.h.nlmsg_seq = ++sequence;
	memcpy(NLMSG_DATA(&out.h), text, n);
	do
		sent = sendto(fd, &out, out.h.nlmsg_len, 0, (struct sockaddr *)&kernel,
			      sizeof(kernel));
	while (sent < 0 && errno == EINTR);
	if (sent < 0)
		return -errno;
	if ((size_t)sent != out.h.nlmsg_len)
		return -EIO;
	return await_ack(fd, out.h.nlmsg_seq, ack_ms);
}
