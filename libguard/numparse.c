/* Bounded, canonical number parsing. No strtoul: it skips spaces, takes a
 * sign ("-1" is ULONG_MAX), a "0x" prefix with base 0, and reports overflow
 * through errno; every digit here is checked by hand instead. */
#include "numparse.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define LIMIT_COUNT_MIN 1U

/* The duration units, largest first. A compound duration names them in this
 * order, each at most once. */
static const struct {
	char name;
	int64_t seconds;
} units[] = {
    {'w', 7 * 24 * 3600}, {'d', 24 * 3600}, {'h', 3600}, {'m', 60}, {'s', 1},
};
#define N_UNITS (sizeof(units) / sizeof(units[0]))

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parses the len bytes at s as a canonical decimal in [0, max]. Returns 0,
 * -EINVAL or -ERANGE; *ret is untouched on failure. */
static int parse_digits(const char *s, size_t len, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	bool over = false;

	if (len == 0 || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (!is_digit(s[i]))
			return -EINVAL;
		d = (unsigned)(s[i] - '0');
		/* Keep reading after an overflow: junk after a long number is
		 * still a syntax error, not a range error. */
		if (over || v > (UINT64_MAX - d) / 10)
			over = true;
		else
			v = v * 10 + d;
	}
	if (over || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int guard_parse_uint(const char *s, uint64_t max, uint64_t *ret)
{
	if (!s || !ret)
		return -EINVAL;
	return parse_digits(s, strlen(s), max, ret);
}

int guard_parse_id(const char *s, uint32_t *ret)
{
	uint64_t v;
	int r;

	if (!ret)
		return -EINVAL;
	r = guard_parse_uint(s, GUARD_ID_MAX, &v);
	if (r < 0)
		return r;
	*ret = (uint32_t)v;
	return 0;
}

int guard_parse_id_range(const char *s, uint32_t *ret_lo, uint32_t *ret_hi)
{
	const char *dash;
	uint64_t lo = 0, hi = 0; /* set on success; the analyzer cannot tell */
	int r;

	if (!s || !ret_lo || !ret_hi)
		return -EINVAL;
	dash = strchr(s, '-');
	if (!dash) {
		r = parse_digits(s, strlen(s), GUARD_ID_MAX, &lo);
		hi = lo;
	} else {
		/* "-1" leaves LO empty and "1-2-3" leaves a dash in HI: both
		 * fail as non-canonical numbers. */
		r = parse_digits(s, (size_t)(dash - s), GUARD_ID_MAX, &lo);
		if (r == 0)
			r = parse_digits(dash + 1, strlen(dash + 1), GUARD_ID_MAX, &hi);
	}
	if (r < 0)
		return r;
	if (lo > hi)
		return -EINVAL;
	*ret_lo = (uint32_t)lo;
	*ret_hi = (uint32_t)hi;
	return 0;
}

/* Index of unit c in units[], or -1. */
static int unit_index(char c)
{
	for (size_t i = 0; i < N_UNITS; i++)
		if (units[i].name == c)
			return (int)i;
	return -1;
}

/* Compound durations ("1h30m") are accepted because guard_format_duration
 * writes them. So that every duration has few spellings and a typo is not
 * silently read, the units must strictly decrease, and every part after the
 * first must be below the next larger unit, and no part may be zero ("1h90m",
 * "1h0m", "0h30m", "30m1h" and "1h1h" are refused; "90m" alone is fine). */
int guard_parse_duration(const char *s, int64_t *ret_seconds)
{
	int64_t total = 0;
	int prev = -1;
	const char *p;

	if (!s || !ret_seconds || *s == '\0')
		return -EINVAL;
	p = s;
	while (*p != '\0') {
		const char *start = p;
		uint64_t n;
		int u, r;

		while (is_digit(*p))
			p++;
		u = unit_index(*p);
		if (p == start || u < 0 || u <= prev)
			return -EINVAL;
		r = parse_digits(start, (size_t)(p - start), (uint64_t)GUARD_DURATION_MAX, &n);
		if (r < 0)
			return r;
		if (n == 0 && (prev >= 0 || p[1] != '\0'))
			return -EINVAL;
		if (prev >= 0 && (int64_t)n * units[u].seconds >= units[u - 1].seconds)
			return -EINVAL;
		if ((int64_t)n > (GUARD_DURATION_MAX - total) / units[u].seconds)
			return -ERANGE;
		total += (int64_t)n * units[u].seconds;
		prev = u;
		p++;
	}
	if (total < 1)
		return -ERANGE;
	*ret_seconds = total;
	return 0;
}

int guard_parse_limit(const char *s, struct guard_limit *ret)
{
	const char *slash;
	uint64_t count;
	int64_t period;
	int r;

	if (!s || !ret)
		return -EINVAL;
	slash = strchr(s, '/');
	if (!slash)
		return -EINVAL;
	r = parse_digits(s, (size_t)(slash - s), GUARD_LIMIT_COUNT_MAX, &count);
	if (r < 0)
		return r;
	if (count < LIMIT_COUNT_MIN)
		return -ERANGE;
	r = guard_parse_duration(slash + 1, &period);
	if (r < 0)
		return r;
	ret->count = (uint32_t)count;
	ret->period_s = period;
	return 0;
}

void guard_format_duration(int64_t seconds, char *buf, unsigned size)
{
	size_t used = 0;

	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	if (seconds <= 0) {
		snprintf(buf, size, "0s");
		return;
	}
	for (size_t i = 0; i < N_UNITS && seconds > 0; i++) {
		int64_t n = seconds / units[i].seconds;
		int w;

		if (n == 0)
			continue;
		seconds -= n * units[i].seconds;
		w = snprintf(buf + used, size - used, "%lld%c", (long long)n, units[i].name);
		if (w < 0 || (size_t)w >= size - used) {
			/* A cut duration ("1h" of "1h30m") would be wrong. */
			buf[0] = '\0';
			return;
		}
		used += (size_t)w;
	}
}
