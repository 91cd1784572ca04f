/* Addresses and terminals for `from` matchers. Addresses only: no name
 * look-ups ever happen in a decision. */
#ifndef GUARD_ADDRESS_H
#define GUARD_ADDRESS_H

#include <stdbool.h>
#include <stdint.h>

struct guard_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
};

struct guard_cidr {
	struct guard_addr addr;
	unsigned prefix; /* 0-32 or 0-128 */
};

/* Parses a literal IPv4 or IPv6 address with inet_pton (IPv4-mapped IPv6
 * "::ffff:10.1.2.3" becomes IPv4 10.1.2.3; a zone "%eth0" is refused).
 * Returns 0 or -EINVAL; *ret is untouched on failure. */
int guard_addr_parse(const char *s, struct guard_addr *ret);

/* Parses "ADDR/PREFIX" or a bare address (a /32 or /128). The prefix is a
 * canonical decimal in range, and no bit of ADDR may be set past it
 * ("10.1.2.3/16" is refused: it is always a typo). A mapped network becomes
 * IPv4 ("::ffff:10.0.0.0/104" is 10.0.0.0/8), so that it matches the clients
 * guard_addr_parse folds. Returns 0 or -EINVAL; *ret untouched on failure. */
int guard_cidr_parse(const char *s, struct guard_cidr *ret);

/* Returns true when addr is in net; never across families ("::/0" does not
 * hold 10.1.2.3 nor ::ffff:10.1.2.3). NULL is never contained. */
bool guard_cidr_contains(const struct guard_cidr *net, const struct guard_addr *addr);

/* Writes addr in its canonical inet_ntop form ("10.1.2.3", "2001:db8::1"),
 * which guard_addr_parse reads back; "" for an invalid addr. A buf of
 * INET6_ADDRSTRLEN bytes always suffices; a shorter one is truncated. */
void guard_addr_format(const struct guard_addr *addr, char *buf, unsigned size);

/* Matches a terminal ("pts/3", "/dev/pts/3", "tty1") against a glob from
 * a `tty:` item ("pts/[0-9]*") with fnmatch(FNM_PATHNAME): "*" stays inside one
 * path component. A leading "/dev/" is stripped from both. A NULL or empty
 * tty (no terminal) never matches. */
bool guard_tty_match(const char *glob, const char *tty);

#endif
