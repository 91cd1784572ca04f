/* Canonical numbers, ids, ranges, durations and limits. The id vectors are
 * those of sudo's strtoid_test.c and CVE-2019-14287, where Guard is
 * stricter: "-2" and "4294967294" are never ids here. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "numparse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct id_case {
	const char *s;
	int r;
	uint32_t id;
};

static const struct id_case id_cases[] = {
    {"0", 0, 0},
    {"10", 0, 10},
    {"1000", 0, 1000},
    {"4294967293", 0, GUARD_ID_MAX},
    {"4294967294", -ERANGE, 0}, /* (uid_t)-2 */
    {"4294967295", -ERANGE, 0}, /* (uid_t)-1 */
    {"4294967296", -ERANGE, 0},
    {"18446744073709551615", -ERANGE, 0},
    {"18446744073709551616", -ERANGE, 0},
    {"99999999999999999999999999999", -ERANGE, 0},
    {"-1", -EINVAL, 0},
    {"-2", -EINVAL, 0},
    {"-2147483649", -EINVAL, 0},
    {"-0", -EINVAL, 0},
    {"+0", -EINVAL, 0},
    {"+1", -EINVAL, 0},
    {" 0", -EINVAL, 0},
    {"0 ", -EINVAL, 0},
    {"\t1", -EINVAL, 0},
    {"1\n", -EINVAL, 0},
    {"0x0", -EINVAL, 0},
    {"0x10", -EINVAL, 0},
    {"010", -EINVAL, 0},
    {"00", -EINVAL, 0},
    {"1e3", -EINVAL, 0},
    {"1.0", -EINVAL, 0},
    {"10abc", -EINVAL, 0},
    {"0,1", -EINVAL, 0},
    {"", -EINVAL, 0},
    {"abc", -EINVAL, 0},
    {"\xd9\xa1", -EINVAL, 0}, /* ARABIC-INDIC DIGIT ONE */
    {"99999999999999999999999abc", -EINVAL, 0},
};

Test(numparse, id_vectors)
{
	for (size_t i = 0; i < ARRAY_SIZE(id_cases); i++) {
		const struct id_case *c = &id_cases[i];
		uint32_t id = 12345;
		int r = guard_parse_id(c->s, &id);

		cr_expect_eq(r, c->r, "parse_id(\"%s\") = %d, expected %d", c->s, r, c->r);
		cr_expect_eq(id, c->r == 0 ? c->id : 12345u, "parse_id(\"%s\") gave %u", c->s, id);
	}
}

Test(numparse, id_null)
{
	uint32_t id = 7;

	cr_expect_eq(guard_parse_id(NULL, &id), -EINVAL);
	cr_expect_eq(guard_parse_id("1", NULL), -EINVAL);
	cr_expect_eq(id, 7u);
}

Test(numparse, uint_bounds)
{
	uint64_t v = 42;

	cr_expect_eq(guard_parse_uint("18446744073709551615", UINT64_MAX, &v), 0);
	cr_expect_eq(v, UINT64_MAX);
	v = 42;
	cr_expect_eq(guard_parse_uint("18446744073709551616", UINT64_MAX, &v), -ERANGE);
	cr_expect_eq(guard_parse_uint("184467440737095516150", UINT64_MAX, &v), -ERANGE);
	cr_expect_eq(guard_parse_uint("10", 9, &v), -ERANGE);
	cr_expect_eq(v, 42u);
	cr_expect_eq(guard_parse_uint("9", 9, &v), 0);
	cr_expect_eq(v, 9u);
	cr_expect_eq(guard_parse_uint("0", 0, &v), 0);
	cr_expect_eq(v, 0u);
	cr_expect_eq(guard_parse_uint("1", 0, &v), -ERANGE);
}

struct range_case {
	const char *s;
	int r;
	uint32_t lo, hi;
};

static const struct range_case range_cases[] = {
    {"0", 0, 0, 0},
    {"1000", 0, 1000, 1000},
    {"0-999", 0, 0, 999},
    {"1000-59999", 0, 1000, 59999},
    {"5-5", 0, 5, 5},
    {"0-4294967293", 0, 0, GUARD_ID_MAX},
    {"0-4294967294", -ERANGE, 0, 0},
    {"4294967295-4294967295", -ERANGE, 0, 0},
    {"10-9", -EINVAL, 0, 0},
    {"-1", -EINVAL, 0, 0},
    {"1-", -EINVAL, 0, 0},
    {"-", -EINVAL, 0, 0},
    {"", -EINVAL, 0, 0},
    {"1--2", -EINVAL, 0, 0},
    {"1-2-3", -EINVAL, 0, 0},
    {"1 - 2", -EINVAL, 0, 0},
    {" 1-2", -EINVAL, 0, 0},
    {"01-2", -EINVAL, 0, 0},
    {"1-02", -EINVAL, 0, 0},
    {"+1-2", -EINVAL, 0, 0},
    {"1-+2", -EINVAL, 0, 0},
    {"0x1-2", -EINVAL, 0, 0},
    {"1,2", -EINVAL, 0, 0},
    {"1-2abc", -EINVAL, 0, 0},
};

Test(numparse, id_ranges)
{
	for (size_t i = 0; i < ARRAY_SIZE(range_cases); i++) {
		const struct range_case *c = &range_cases[i];
		uint32_t lo = 77, hi = 88;
		int r = guard_parse_id_range(c->s, &lo, &hi);

		cr_expect_eq(r, c->r, "parse_id_range(\"%s\") = %d, expected %d", c->s, r, c->r);
		if (c->r == 0) {
			cr_expect_eq(lo, c->lo, "\"%s\": lo %u", c->s, lo);
			cr_expect_eq(hi, c->hi, "\"%s\": hi %u", c->s, hi);
		} else {
			cr_expect(lo == 77 && hi == 88, "\"%s\": outputs touched", c->s);
		}
	}
}

struct duration_case {
	const char *s;
	int r;
	int64_t seconds;
};

static const struct duration_case duration_cases[] = {
    {"1s", 0, 1},
    {"30s", 0, 30},
    {"90s", 0, 90},
    {"30m", 0, 1800},
    {"90m", 0, 5400},
    {"2h", 0, 7200},
    {"1d", 0, 86400},
    {"2w", 0, 14 * 86400},
    {"1h30m", 0, 5400},
    {"1w2d3h4m5s", 0, 9 * 86400 + 3 * 3600 + 4 * 60 + 5},
    {"1d30m", 0, 86400 + 1800},
    {"1h59m59s", 0, 7199},
    {"366d", 0, GUARD_DURATION_MAX},
    {"52w2d", 0, GUARD_DURATION_MAX},
    {"8784h", 0, GUARD_DURATION_MAX},
    {"31622400s", 0, GUARD_DURATION_MAX},
    {"31622401s", -ERANGE, 0},
    {"367d", -ERANGE, 0},
    {"53w", -ERANGE, 0},
    {"52w2d1s", -ERANGE, 0},
    {"99999999999999999999w", -ERANGE, 0},
    {"0s", -ERANGE, 0},
    {"0m", -ERANGE, 0},
    {"0w", -ERANGE, 0},
    {"", -EINVAL, 0},
    {"30", -EINVAL, 0},
    {"m", -EINVAL, 0},
    {"30M", -EINVAL, 0},
    {"30 m", -EINVAL, 0},
    {" 30m", -EINVAL, 0},
    {"30m ", -EINVAL, 0},
    {"-30m", -EINVAL, 0},
    {"+30m", -EINVAL, 0},
    {"030m", -EINVAL, 0},
    {"0x1h", -EINVAL, 0},
    {"1e3s", -EINVAL, 0},
    {"1.5h", -EINVAL, 0},
    {"30min", -EINVAL, 0},
    {"1y", -EINVAL, 0},
    {"30mm", -EINVAL, 0},
    {"30m1h", -EINVAL, 0},
    {"1h1h", -EINVAL, 0},
    {"1h90m", -EINVAL, 0},
    {"1h60m", -EINVAL, 0},
    {"1d24h", -EINVAL, 0},
    {"1w7d", -EINVAL, 0},
    {"1m60s", -EINVAL, 0},
    {"1h0m", -EINVAL, 0},
    {"0h30m", -EINVAL, 0},
    {"1h 30m", -EINVAL, 0},
    {"1h-30m", -EINVAL, 0},
    {"1h30", -EINVAL, 0},
};

Test(numparse, durations)
{
	for (size_t i = 0; i < ARRAY_SIZE(duration_cases); i++) {
		const struct duration_case *c = &duration_cases[i];
		int64_t secs = -7;
		int r = guard_parse_duration(c->s, &secs);

		cr_expect_eq(r, c->r, "parse_duration(\"%s\") = %d, expected %d", c->s, r, c->r);
		cr_expect_eq(secs, c->r == 0 ? c->seconds : -7, "parse_duration(\"%s\") gave %lld",
			     c->s, (long long)secs);
	}
}

Test(numparse, duration_null)
{
	int64_t secs = 3;

	cr_expect_eq(guard_parse_duration(NULL, &secs), -EINVAL);
	cr_expect_eq(guard_parse_duration("1h", NULL), -EINVAL);
	cr_expect_eq(secs, 3);
}

struct format_case {
	int64_t seconds;
	const char *text;
};

static const struct format_case format_cases[] = {
    {1, "1s"},
    {59, "59s"},
    {60, "1m"},
    {1800, "30m"},
    {3600, "1h"},
    {5400, "1h30m"},
    {86400, "1d"},
    {2 * 86400, "2d"},
    {7 * 86400, "1w"},
    {86400 + 1, "1d1s"},
    {GUARD_DURATION_MAX, "52w2d"},
    {GUARD_DURATION_MAX + 1, "52w2d1s"},
    {0, "0s"},
    {-5, "0s"},
    {INT64_MAX, "15250284452471w3d15h30m7s"},
};

Test(numparse, format_duration)
{
	for (size_t i = 0; i < ARRAY_SIZE(format_cases); i++) {
		char buf[32];

		memset(buf, 'x', sizeof(buf));
		guard_format_duration(format_cases[i].seconds, buf, sizeof(buf));
		cr_expect_str_eq(buf, format_cases[i].text, "format(%lld)",
				 (long long)format_cases[i].seconds);
	}
}

Test(numparse, format_duration_small_buffers)
{
	char buf[4];

	memset(buf, 'x', sizeof(buf));
	guard_format_duration(5400, buf, sizeof(buf));
	cr_expect_str_eq(buf, ""); /* never "1h" for "1h30m" */
	memset(buf, 'x', sizeof(buf));
	guard_format_duration(60, buf, 3);
	cr_expect_str_eq(buf, "1m");
	guard_format_duration(600, buf, 3);
	cr_expect_str_eq(buf, "");
	memset(buf, 'x', sizeof(buf));
	guard_format_duration(5400, buf, 1);
	cr_expect_eq(buf[0], '\0');
	cr_expect_eq(buf[1], 'x');
	guard_format_duration(5400, buf, 0);
	guard_format_duration(5400, NULL, 8);
}

static void expect_round_trip(int64_t s)
{
	char buf[32];
	int64_t back = 0;
	int r;

	guard_format_duration(s, buf, sizeof(buf));
	r = guard_parse_duration(buf, &back);
	if (r != 0 || back != s)
		cr_assert_fail("%lld -> \"%s\" -> %d, %lld", (long long)s, buf, r, (long long)back);
}

/* Every duration formats to text that parses back to the same seconds:
 * every second of the first eight days and of the last day, and strides
 * across the whole range. */
Test(numparse, duration_round_trip)
{
	static const int64_t strides[] = {997, 3599, 86399, 999983};
	char buf[32];
	int64_t back = 0;

	for (int64_t s = 1; s <= 8 * 86400; s++)
		expect_round_trip(s);
	for (int64_t s = GUARD_DURATION_MAX - 86400; s <= GUARD_DURATION_MAX; s++)
		expect_round_trip(s);
	for (size_t k = 0; k < ARRAY_SIZE(strides); k++)
		for (int64_t s = 1; s <= GUARD_DURATION_MAX; s += strides[k])
			expect_round_trip(s);
	guard_format_duration(GUARD_DURATION_MAX + 1, buf, sizeof(buf));
	cr_expect_eq(guard_parse_duration(buf, &back), -ERANGE);
}

struct limit_case {
	const char *s;
	int r;
	uint32_t count;
	int64_t period;
};

static const struct limit_case limit_cases[] = {
    {"10/1h", 0, 10, 3600},
    {"3/10m", 0, 3, 600},
    {"1/1s", 0, 1, 1},
    {"1000000/1d", 0, GUARD_LIMIT_COUNT_MAX, 86400},
    {"5/1h30m", 0, 5, 5400},
    {"1/366d", 0, 1, GUARD_DURATION_MAX},
    {"1000001/1d", -ERANGE, 0, 0},
    {"4294967296/1d", -ERANGE, 0, 0},
    {"0/1h", -ERANGE, 0, 0},
    {"10/0m", -ERANGE, 0, 0},
    {"1/367d", -ERANGE, 0, 0},
    {"10", -EINVAL, 0, 0},
    {"10/", -EINVAL, 0, 0},
    {"/1h", -EINVAL, 0, 0},
    {"/", -EINVAL, 0, 0},
    {"", -EINVAL, 0, 0},
    {"-1/1h", -EINVAL, 0, 0},
    {"+1/1h", -EINVAL, 0, 0},
    {"010/1h", -EINVAL, 0, 0},
    {" 10/1h", -EINVAL, 0, 0},
    {"10 /1h", -EINVAL, 0, 0},
    {"10/ 1h", -EINVAL, 0, 0},
    {"10/1h ", -EINVAL, 0, 0},
    {"10/1", -EINVAL, 0, 0},
    {"10/1h/1h", -EINVAL, 0, 0},
    {"10//1h", -EINVAL, 0, 0},
    {"1e1/1h", -EINVAL, 0, 0},
    {"0x10/1h", -EINVAL, 0, 0},
};

Test(numparse, limits)
{
	for (size_t i = 0; i < ARRAY_SIZE(limit_cases); i++) {
		const struct limit_case *c = &limit_cases[i];
		struct guard_limit l = {.count = 99, .period_s = 99};
		int r = guard_parse_limit(c->s, &l);

		cr_expect_eq(r, c->r, "parse_limit(\"%s\") = %d, expected %d", c->s, r, c->r);
		cr_expect_eq(l.count, c->r == 0 ? c->count : 99u, "\"%s\": count %u", c->s,
			     l.count);
		cr_expect_eq(l.period_s, c->r == 0 ? c->period : 99, "\"%s\": period %lld", c->s,
			     (long long)l.period_s);
	}
}

Test(numparse, limit_null)
{
	struct guard_limit l = {.count = 1, .period_s = 1};

	cr_expect_eq(guard_parse_limit(NULL, &l), -EINVAL);
	cr_expect_eq(guard_parse_limit("10/1h", NULL), -EINVAL);
}
