/* Literal addresses, networks and terminal globs for `from` matchers.
 * inet_pton only: inet_aton and getaddrinfo accept "10.1", "0x0a.1.2.3",
 * "010.1.2.3" and names, none of which a policy should mean. */
#include "address.h"
#include "numparse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" is the longest literal. */
#define ADDR_TEXT_MAX INET6_ADDRSTRLEN

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

/* Parses the len bytes at s with inet_pton, without folding mapped
 * addresses, so that a caller can still see the mapped prefix. */
static int parse_raw(const char *s, size_t len, struct guard_addr *ret)
{
	char text[ADDR_TEXT_MAX];
	struct guard_addr a = {0};

	/* A zone names an interface, not an address: refused outright rather
	 * than left to the libc's inet_pton. */
	if (len == 0 || len >= sizeof(text) || memchr(s, '%', len))
		return -EINVAL;
	memcpy(text, s, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, text, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	*ret = a;
	return 0;
}

static bool is_v4mapped(const struct guard_addr *a)
{
	return a->family == AF_INET6 && memcmp(a->bytes, v4mapped_prefix, 12) == 0;
}

/* Rewrites ::ffff:a.b.c.d as a.b.c.d: the kernel hands a dual-stack
 * listener IPv4 clients in this form, and a v4 rule must match them. */
static void fold_v4mapped(struct guard_addr *a)
{
	uint8_t v4[4];

	memcpy(v4, a->bytes + 12, 4);
	memset(a->bytes, 0, sizeof(a->bytes));
	memcpy(a->bytes, v4, 4);
	a->family = AF_INET;
}

int guard_addr_parse(const char *s, struct guard_addr *ret)
{
	struct guard_addr a;
	int r;

	if (!s || !ret)
		return -EINVAL;
	r = parse_raw(s, strlen(s), &a);
	if (r < 0)
		return r;
	if (is_v4mapped(&a))
		fold_v4mapped(&a);
	*ret = a;
	return 0;
}

/* True when no bit of a at or past prefix is set. */
static bool host_bits_clear(const struct guard_addr *a, unsigned prefix)
{
	unsigned bits = family_bits(a->family);

	for (unsigned i = prefix; i < bits; i++)
		if (a->bytes[i / 8] & (0x80u >> (i % 8)))
			return false;
	return true;
}

int guard_cidr_parse(const char *s, struct guard_cidr *ret)
{
	struct guard_cidr c = {0};
	const char *slash;
	uint64_t prefix;
	int r;

	if (!s || !ret)
		return -EINVAL;
	slash = strchr(s, '/');
	r = parse_raw(s, slash ? (size_t)(slash - s) : strlen(s), &c.addr);
	if (r < 0)
		return r;
	if (slash) {
		/* Canonical decimal: "/08", "/+8" and "/ 8" are refused too. */
		if (guard_parse_uint(slash + 1, family_bits(c.addr.family), &prefix) < 0)
			return -EINVAL;
	} else {
		prefix = family_bits(c.addr.family);
	}
	c.prefix = (unsigned)prefix;
	if (!host_bits_clear(&c.addr, c.prefix))
		return -EINVAL;
	if (is_v4mapped(&c.addr)) {
		/* A mapped network below /96 would have host bits in the
		 * ::ffff: prefix, refused above; so this is a v4 network. */
		if (c.prefix < 96)
			return -EINVAL;
		fold_v4mapped(&c.addr);
		c.prefix -= 96;
	}
	*ret = c;
	return 0;
}

/* Returns true when addr lies in net. Both are compared as parsed, after
 * folding mapped addresses: a v4 network never holds a v6 address, and
 * "::/0" does not hold a v4 (or v4-mapped) client. */
bool guard_cidr_contains(const struct guard_cidr *net, const struct guard_addr *addr)
{
	struct guard_addr a;
	unsigned bits, full, rest;

	if (!net || !addr)
		return false;
	a = *addr;
	if (is_v4mapped(&a))
		fold_v4mapped(&a);
	bits = family_bits(net->addr.family);
	if (bits == 0 || a.family != net->addr.family || net->prefix > bits)
		return false;
	full = net->prefix / 8;
	rest = net->prefix % 8;
	if (memcmp(net->addr.bytes, a.bytes, full) != 0)
		return false;
	if (rest != 0) {
		uint8_t mask = (uint8_t)(0xff00u >> rest);

		if ((net->addr.bytes[full] & mask) != (a.bytes[full] & mask))
			return false;
	}
	return true;
}

void guard_addr_format(const struct guard_addr *addr, char *buf, unsigned size)
{
	char text[ADDR_TEXT_MAX];

	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	if (!addr || family_bits(addr->family) == 0 ||
	    !inet_ntop(addr->family, addr->bytes, text, sizeof(text)))
		return;
	snprintf(buf, size, "%s", text);
}

/* Strips one leading "/dev/": ttyname() gives "/dev/pts/3", utmp and
 * PAM_TTY often "pts/3". */
static const char *strip_dev(const char *s)
{
	return strncmp(s, "/dev/", 5) == 0 ? s + 5 : s;
}

/* Returns true when tty matches glob; FNM_PATHNAME keeps "*" inside one
 * path component, so "*" is not "pts/3". No terminal (NULL or "") never
 * matches: an unknown location matches no `from` item. */
bool guard_tty_match(const char *glob, const char *tty)
{
	const char *g, *t;

	if (!glob || !tty)
		return false;
	g = strip_dev(glob);
	t = strip_dev(tty);
	if (*g == '\0' || *t == '\0')
		return false;
	return fnmatch(g, t, FNM_PATHNAME) == 0;
}
