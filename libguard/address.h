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

/* Parses a literal IPv4 or IPv6 address (IPv4-mapped IPv6 becomes IPv4; a
 * zone "%eth0" is refused). Returns 0 or -EINVAL. */
int guard_addr_parse(const char *s, struct guard_addr *ret);

/* Parses "ADDR/PREFIX" or a bare address (a host route). The prefix is a
 * canonical decimal in range, and no bit of ADDR may be set past it
 * ("10.1.2.3/16" is refused: it is always a typo). Returns 0 or -EINVAL. */
int guard_cidr_parse(const char *s, struct guard_cidr *ret);

bool guard_cidr_contains(const struct guard_cidr *net, const struct guard_addr *addr);

/* Writes addr in its canonical text form. */
void guard_addr_format(const struct guard_addr *addr, char *buf, unsigned size);

/* Matches a terminal ("pts/3", "/dev/pts/3", "tty1") against a glob from
 * a `tty:` item ("pts/*"); "/dev/" is stripped from both. */
bool guard_tty_match(const char *glob, const char *tty);

#endif
