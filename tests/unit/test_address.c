/* Literal addresses, networks, mapped IPv4 and terminal globs. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "address.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct addr_case {
	const char *s;
	int r;
	int family;
	const char *canonical; /* guard_addr_format of the result */
};

static const struct addr_case addr_cases[] = {
    {"10.1.2.3", 0, AF_INET, "10.1.2.3"},
    {"0.0.0.0", 0, AF_INET, "0.0.0.0"},
    {"255.255.255.255", 0, AF_INET, "255.255.255.255"},
    {"192.0.2.7", 0, AF_INET, "192.0.2.7"},
    {"::", 0, AF_INET6, "::"},
    {"::1", 0, AF_INET6, "::1"},
    {"2001:db8::1", 0, AF_INET6, "2001:db8::1"},
    {"2001:DB8:0:0:0:0:0:1", 0, AF_INET6, "2001:db8::1"},
    {"fe80::1", 0, AF_INET6, "fe80::1"},
    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, AF_INET6,
     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
    {"::ffff:10.1.2.3", 0, AF_INET, "10.1.2.3"},
    {"::FFFF:10.1.2.3", 0, AF_INET, "10.1.2.3"},
    {"::ffff:a01:203", 0, AF_INET, "10.1.2.3"},
    {"0:0:0:0:0:ffff:10.1.2.3", 0, AF_INET, "10.1.2.3"},
    {"::ffff:0.0.0.0", 0, AF_INET, "0.0.0.0"},
    {"::10.1.2.3", 0, AF_INET6, "::10.1.2.3"}, /* IPv4-compatible: not mapped */
    {"::fffe:10.1.2.3", 0, AF_INET6, "::fffe:a01:203"},
    {"fe80::1%eth0", -EINVAL, 0, NULL},
    {"fe80::1%1", -EINVAL, 0, NULL},
    {"::ffff:10.1.2.3%lo", -EINVAL, 0, NULL},
    {"10.1.2.3%eth0", -EINVAL, 0, NULL},
    {"", -EINVAL, 0, NULL},
    {" 10.1.2.3", -EINVAL, 0, NULL},
    {"10.1.2.3 ", -EINVAL, 0, NULL},
    {"10.1.2", -EINVAL, 0, NULL},
    {"10.1", -EINVAL, 0, NULL},
    {"167838211", -EINVAL, 0, NULL},
    {"0x0a.1.2.3", -EINVAL, 0, NULL},
    {"010.1.2.3", -EINVAL, 0, NULL},
    {"256.1.2.3", -EINVAL, 0, NULL},
    {"10.1.2.3.4", -EINVAL, 0, NULL},
    {"10.1.2.3/32", -EINVAL, 0, NULL},
    {"localhost", -EINVAL, 0, NULL},
    {"[::1]", -EINVAL, 0, NULL},
    {"::1::", -EINVAL, 0, NULL},
    {"1:2:3:4:5:6:7:8:9", -EINVAL, 0, NULL},
    {"gggg::1", -EINVAL, 0, NULL},
    {"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255x", -EINVAL, 0, NULL},
    {"0000000000000000000000000000000000000000000000000000000000001.2.3.4", -EINVAL, 0, NULL},
};

Test(address, parse_and_format)
{
	for (size_t i = 0; i < ARRAY_SIZE(addr_cases); i++) {
		const struct addr_case *c = &addr_cases[i];
		struct guard_addr a = {.family = 12345};
		char buf[64];
		int r = guard_addr_parse(c->s, &a);

		cr_expect_eq(r, c->r, "addr_parse(\"%s\") = %d, expected %d", c->s, r, c->r);
		if (c->r != 0) {
			cr_expect_eq(a.family, 12345, "\"%s\": output touched", c->s);
			continue;
		}
		cr_expect_eq(a.family, c->family, "\"%s\": family %d", c->s, a.family);
		guard_addr_format(&a, buf, sizeof(buf));
		cr_expect_str_eq(buf, c->canonical, "format(\"%s\")", c->s);
	}
}

/* The canonical form parses back to the same address. */
Test(address, format_round_trip)
{
	for (size_t i = 0; i < ARRAY_SIZE(addr_cases); i++) {
		struct guard_addr a, b;
		char buf[INET6_ADDRSTRLEN];

		if (addr_cases[i].r != 0)
			continue;
		cr_assert_eq(guard_addr_parse(addr_cases[i].s, &a), 0);
		guard_addr_format(&a, buf, sizeof(buf));
		cr_assert_eq(guard_addr_parse(buf, &b), 0, "\"%s\" does not parse", buf);
		cr_expect(a.family == b.family && memcmp(a.bytes, b.bytes, 16) == 0,
			  "\"%s\" -> \"%s\" changed", addr_cases[i].s, buf);
	}
}

Test(address, format_edges)
{
	struct guard_addr a = {0};
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	guard_addr_format(&a, buf, sizeof(buf)); /* family 0 */
	cr_expect_str_eq(buf, "");
	cr_assert_eq(guard_addr_parse("192.168.100.200", &a), 0);
	guard_addr_format(&a, buf, sizeof(buf));
	cr_expect_eq(strlen(buf), sizeof(buf) - 1); /* truncated, terminated */
	guard_addr_format(NULL, buf, sizeof(buf));
	cr_expect_str_eq(buf, "");
	guard_addr_format(&a, NULL, 8);
	guard_addr_format(&a, buf, 0);
	cr_expect_eq(guard_addr_parse(NULL, &a), -EINVAL);
	cr_expect_eq(guard_addr_parse("::1", NULL), -EINVAL);
}

struct cidr_case {
	const char *s;
	int r;
	const char *addr; /* formatted network address */
	unsigned prefix;
};

static const struct cidr_case cidr_cases[] = {
    {"10.0.0.0/8", 0, "10.0.0.0", 8},
    {"10.20.0.0/16", 0, "10.20.0.0", 16},
    {"0.0.0.0/0", 0, "0.0.0.0", 0},
    {"10.1.2.3/32", 0, "10.1.2.3", 32},
    {"255.255.255.255/32", 0, "255.255.255.255", 32},
    {"255.255.255.254/31", 0, "255.255.255.254", 31},
    {"10.1.2.3", 0, "10.1.2.3", 32},
    {"::/0", 0, "::", 0},
    {"::", 0, "::", 128},
    {"::1", 0, "::1", 128},
    {"::1/128", 0, "::1", 128},
    {"2001:db8::/32", 0, "2001:db8::", 32},
    {"fe80::/10", 0, "fe80::", 10},
    {"::ffff:10.0.0.0/104", 0, "10.0.0.0", 8},
    {"::ffff:10.1.2.3/128", 0, "10.1.2.3", 32},
    {"::ffff:10.1.2.3", 0, "10.1.2.3", 32},
    {"::ffff:0.0.0.0/96", 0, "0.0.0.0", 0},
    {"::ffff:0:0/96", 0, "0.0.0.0", 0},
    {"::ffff:0.0.0.0/95", -EINVAL, NULL, 0}, /* host bits in ::ffff: */
    {"::ffff:10.0.0.0/103", 0, "10.0.0.0", 7},
    {"::ffff:10.0.0.0/102", -EINVAL, NULL, 0}, /* 10.0.0.0/6 */
    {"10.20.0.0/12", -EINVAL, NULL, 0},
    {"10.1.2.3/16", -EINVAL, NULL, 0},
    {"10.0.0.1/31", -EINVAL, NULL, 0},
    {"128.0.0.0/0", -EINVAL, NULL, 0},
    {"2001:db8::1/32", -EINVAL, NULL, 0},
    {"::1/127", -EINVAL, NULL, 0},
    {"10.0.0.0/33", -EINVAL, NULL, 0},
    {"::/129", -EINVAL, NULL, 0},
    {"10.0.0.0/4294967304", -EINVAL, NULL, 0},
    {"10.0.0.0/", -EINVAL, NULL, 0},
    {"10.0.0.0/08", -EINVAL, NULL, 0},
    {"10.0.0.0/+8", -EINVAL, NULL, 0},
    {"10.0.0.0/-8", -EINVAL, NULL, 0},
    {"10.0.0.0/ 8", -EINVAL, NULL, 0},
    {"10.0.0.0 /8", -EINVAL, NULL, 0},
    {"10.0.0.0/8 ", -EINVAL, NULL, 0},
    {"10.0.0.0/0x8", -EINVAL, NULL, 0},
    {"10.0.0.0/8/8", -EINVAL, NULL, 0},
    {"10.0.0.0/255.0.0.0", -EINVAL, NULL, 0},
    {"/8", -EINVAL, NULL, 0},
    {"/", -EINVAL, NULL, 0},
    {"", -EINVAL, NULL, 0},
    {"10/8", -EINVAL, NULL, 0},
    {"fe80::%eth0/64", -EINVAL, NULL, 0},
    {"fe80::/64%eth0", -EINVAL, NULL, 0},
    {"localhost/32", -EINVAL, NULL, 0},
};

Test(address, cidr_parse)
{
	for (size_t i = 0; i < ARRAY_SIZE(cidr_cases); i++) {
		const struct cidr_case *c = &cidr_cases[i];
		struct guard_cidr n = {.prefix = 999};
		char buf[INET6_ADDRSTRLEN];
		int r = guard_cidr_parse(c->s, &n);

		cr_expect_eq(r, c->r, "cidr_parse(\"%s\") = %d, expected %d", c->s, r, c->r);
		if (c->r != 0) {
			cr_expect_eq(n.prefix, 999u, "\"%s\": output touched", c->s);
			continue;
		}
		guard_addr_format(&n.addr, buf, sizeof(buf));
		cr_expect_str_eq(buf, c->addr, "cidr_parse(\"%s\") address", c->s);
		cr_expect_eq(n.prefix, c->prefix, "cidr_parse(\"%s\") prefix %u", c->s, n.prefix);
	}
}

struct contains_case {
	const char *net;
	const char *addr;
	bool in;
};

static const struct contains_case contains_cases[] = {
    {"10.0.0.0/8", "10.1.2.3", true},
    {"10.0.0.0/8", "10.255.255.255", true},
    {"10.0.0.0/8", "11.0.0.0", false},
    {"10.0.0.0/8", "9.255.255.255", false},
    {"10.0.0.0/8", "::ffff:10.1.2.3", true}, /* a mapped client matches a v4 rule */
    {"::ffff:10.0.0.0/104", "10.1.2.3", true},
    {"::ffff:10.0.0.0/104", "::ffff:10.1.2.3", true},
    {"::ffff:10.0.0.0/104", "11.1.2.3", false},
    {"10.20.0.0/16", "10.20.7.1", true},
    {"10.20.0.0/16", "10.21.0.1", false},
    {"10.16.0.0/12", "10.31.255.255", true},
    {"10.16.0.0/12", "10.32.0.0", false},
    {"0.0.0.0/0", "255.255.255.255", true},
    {"0.0.0.0/0", "::ffff:1.2.3.4", true},
    {"0.0.0.0/0", "::1", false},
    {"10.1.2.3", "10.1.2.3", true},
    {"10.1.2.3/32", "10.1.2.4", false},
    {"255.255.255.255/32", "255.255.255.255", true},
    {"::/0", "2001:db8::1", true},
    {"::/0", "::", true},
    {"::/0", "10.1.2.3", false},	/* never across families */
    {"::/0", "::ffff:10.1.2.3", false}, /* the client is v4 once folded */
    {"::", "::", true},
    {"::", "::1", false},
    {"::1/128", "::1", true},
    {"2001:db8::/32", "2001:db8:ffff::1", true},
    {"2001:db8::/32", "2001:db9::1", false},
    {"fe80::/10", "febf::1", true},
    {"fe80::/10", "fec0::1", false},
    {"::10.0.0.0/104", "10.1.2.3", false},
};

Test(address, cidr_contains)
{
	for (size_t i = 0; i < ARRAY_SIZE(contains_cases); i++) {
		const struct contains_case *c = &contains_cases[i];
		struct guard_cidr n;
		struct guard_addr a;

		cr_assert_eq(guard_cidr_parse(c->net, &n), 0, "net \"%s\"", c->net);
		cr_assert_eq(guard_addr_parse(c->addr, &a), 0, "addr \"%s\"", c->addr);
		cr_expect_eq(guard_cidr_contains(&n, &a), c->in, "\"%s\" contains \"%s\"", c->net,
			     c->addr);
	}
}

/* An address taken straight from a dual-stack socket, never parsed, is
 * still folded before it is compared. */
Test(address, cidr_contains_unfolded_mapped)
{
	struct guard_cidr n;
	struct guard_addr a = {.family = AF_INET6};

	cr_assert_eq(guard_cidr_parse("10.0.0.0/8", &n), 0);
	cr_assert_eq(inet_pton(AF_INET6, "::ffff:10.9.8.7", a.bytes), 1);
	cr_expect(guard_cidr_contains(&n, &a));
}

Test(address, cidr_contains_edges)
{
	struct guard_cidr n;
	struct guard_addr a;

	cr_assert_eq(guard_cidr_parse("10.0.0.0/8", &n), 0);
	cr_assert_eq(guard_addr_parse("10.0.0.1", &a), 0);
	cr_expect(!guard_cidr_contains(NULL, &a));
	cr_expect(!guard_cidr_contains(&n, NULL));
	n.prefix = 33; /* never built by the parser */
	cr_expect(!guard_cidr_contains(&n, &a));
	n.prefix = 8;
	n.addr.family = 0;
	a.family = 0;
	cr_expect(!guard_cidr_contains(&n, &a));
	cr_expect_eq(guard_cidr_parse(NULL, &n), -EINVAL);
	cr_expect_eq(guard_cidr_parse("10.0.0.0/8", NULL), -EINVAL);
}

struct tty_case {
	const char *glob;
	const char *tty;
	bool match;
};

static const struct tty_case tty_cases[] = {
    {"pts/*", "pts/3", true},
    {"pts/*", "/dev/pts/3", true},
    {"/dev/pts/*", "pts/3", true},
    {"/dev/pts/*", "/dev/pts/17", true},
    {"pts/[0-9]", "pts/3", true},
    {"pts/[0-9]", "pts/12", false},
    {"tty1", "tty1", true},
    {"tty1", "/dev/tty1", true},
    {"tty?", "tty1", true},
    {"tty?", "tty12", false},
    {"tty*", "tty12", true},
    {"tty*", "pts/3", false},
    {"*", "tty1", true},
    {"*", "pts/3", false}, /* FNM_PATHNAME: "*" is one component */
    {"*", "/dev/pts/3", false},
    {"pts/*", "pts/", true},
    {"pts/*", "pts", false},
    {"pts/*", "pts/3/x", false},
    {"pts/*", "ttypts/3", false},
    {"pts/*", "/dev/dev/pts/3", false}, /* only one "/dev/" is stripped */
    {"pts/*", "/devpts/3", false},
    {"pts/*", "dev/pts/3", false},
    {"pts/*", NULL, false},
    {"*", NULL, false},
    {"*", "", false}, /* no terminal */
    {"*", "/dev/", false},
    {"", "", false},
    {"", "tty1", false},
    {NULL, "tty1", false},
    {NULL, NULL, false},
    {"console", "console", true},
    {"console", "/dev/console", true},
};

Test(address, tty_match)
{
	for (size_t i = 0; i < ARRAY_SIZE(tty_cases); i++) {
		const struct tty_case *c = &tty_cases[i];

		cr_expect_eq(guard_tty_match(c->glob, c->tty), c->match,
			     "tty_match(\"%s\", \"%s\") expected %d", c->glob ? c->glob : "(null)",
			     c->tty ? c->tty : "(null)", c->match);
	}
}
