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

/* Parses a canonical decimal in [0, max]. Returns 0, or -EINVAL (not a
 * canonical decimal) or -ERANGE (above max). *ret is untouched on failure. */
int guard_parse_uint(const char *s, uint64_t max, uint64_t *ret);

/* Parses a uid or gid: a canonical decimal in [0, GUARD_ID_MAX]. */
int guard_parse_id(const char *s, uint32_t *ret);

/* Parses "LO-HI" or "N" (ids, LO <= HI). Returns 0, -EINVAL or -ERANGE. */
int guard_parse_id_range(const char *s, uint32_t *ret_lo, uint32_t *ret_hi);

/* Parses a duration: a canonical decimal followed by one unit of s, m, h,
 * d or w ("30m", "2h", "1d"); 0 is refused, as is anything above
 * GUARD_DURATION_MAX. Returns 0 with the seconds, -EINVAL or -ERANGE. */
int guard_parse_duration(const char *s, int64_t *ret_seconds);

struct guard_limit {
	uint32_t count;   /* >= 1 */
	int64_t period_s; /* >= 1 */
};

/* Parses "N/PERIOD" ("10/1h"), N in [1, 1000000]. A missing period is
 * -EINVAL. */
int guard_parse_limit(const char *s, struct guard_limit *ret);

/* Writes a duration the way a policy would name it ("30m", "1h30m", "2d"). */
void guard_format_duration(int64_t seconds, char *buf, unsigned size);

#endif
