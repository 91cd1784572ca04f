/* Bounded, canonical parsing of the numbers a policy or a caller hands us.
 * Only canonical decimals are numbers: no sign, no spaces, no leading zero
 * (but "0" itself), no hex, no exponent. "-1", "4294967295" for ids,
 * "0x0", "+0", " 0", "1e3" and "10abc" are all refused (CVE-2019-14287). */
#ifndef GUARD_NUMPARSE_H
#define GUARD_NUMPARSE_H

#include <stdbool.h>
#include <stdint.h>

/* The largest id Guard accepts: (uid_t)-1 and (uid_t)-2 are never ids. */
#define GUARD_ID_MAX 4294967293U
/* The longest duration a policy may name: 366 days. */
#define GUARD_DURATION_MAX (366LL * 24 * 3600)
/* The largest count a limit may name. */
#define GUARD_LIMIT_COUNT_MAX 1000000U

/* Parses a canonical decimal in [0, max]. Returns 0, or -EINVAL (not a
 * canonical decimal) or -ERANGE (above max). *ret is untouched on failure. */
int guard_parse_uint(const char *s, uint64_t max, uint64_t *ret);

/* Parses a uid or gid: a canonical decimal in [0, GUARD_ID_MAX]. Returns 0,
 * -EINVAL or -ERANGE ("4294967295" and "4294967296" alike). */
int guard_parse_id(const char *s, uint32_t *ret);

/* Parses "LO-HI" or "N" (ids; "N" is N-N). Returns 0, -EINVAL (syntax, or
 * LO > HI) or -ERANGE (an id above GUARD_ID_MAX). */
int guard_parse_id_range(const char *s, uint32_t *ret_lo, uint32_t *ret_hi);

/* Parses a duration: a canonical decimal followed by one unit of s, m, h,
 * d or w ("30m", "90m", "2h", "1d"), or such parts with strictly decreasing
 * units, each after the first below the next larger unit ("1h30m", "1w2d",
 * as guard_format_duration writes them; not "1h90m", "1h0m" or "30m1h").
 * Returns 0 with the seconds, -EINVAL (syntax) or -ERANGE (0, or above
 * GUARD_DURATION_MAX). */
int guard_parse_duration(const char *s, int64_t *ret_seconds);

struct guard_limit {
	uint32_t count;	  /* >= 1 */
	int64_t period_s; /* >= 1 */
};

/* Parses "N/PERIOD" ("10/1h"), N in [1, GUARD_LIMIT_COUNT_MAX], PERIOD a
 * duration. Returns 0, -EINVAL ("10", "10/", "/1h") or -ERANGE ("0/1h",
 * "10/0m"); *ret is untouched on failure. */
int guard_parse_limit(const char *s, struct guard_limit *ret);

/* Writes a duration the way a policy would name it ("30m", "1h30m", "2d",
 * "1w"), largest unit first; guard_parse_duration reads it back to the same
 * seconds. Zero or less is written "0s". 32 bytes always suffice; a buf too
 * short gets "" rather than a wrong duration. */
void guard_format_duration(int64_t seconds, char *buf, unsigned size);

#endif
