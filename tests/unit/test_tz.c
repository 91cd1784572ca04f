/* The TZif reader against glibc, which is a fine oracle here: in a test
 * process changing TZ harms nobody. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "tz.h"

/* 00:00 UTC on 1 January of a year (no leap-second nonsense needed). */
static int64_t utc_year(int year)
{
	struct tm tm = {.tm_year = year - 1900, .tm_mday = 1};

	return (int64_t)timegm(&tm);
}

static struct guard_tz *load(const char *name)
{
	struct guard_tz *tz = NULL;
	struct guard_error err = {0};
	int r = guard_tz_load(name, TEST_ZONEINFO, &tz, &err);

	cr_assert_eq(r, 0, "loading %s: %d %s: %s", name, r, err.file, err.message);
	return tz;
}

static void set_tz(const char *value)
{
	cr_assert_eq(setenv("TZ", value, 1), 0);
	tzset();
}

/* Compares one instant with localtime_r; returns false after reporting. */
static bool same_as_glibc(const struct guard_tz *tz, const char *zone, int64_t t)
{
	struct guard_localtime g;
	struct tm tm;
	time_t tt = (time_t)t;

	cr_assert(localtime_r(&tt, &tm) != NULL);
	cr_assert_eq(guard_tz_localtime(tz, t, &g), 0, "%s at %lld", zone, (long long)t);
	if (g.year == tm.tm_year + 1900 && g.mon == tm.tm_mon + 1 && g.mday == tm.tm_mday &&
	    g.hour == tm.tm_hour && g.min == tm.tm_min && g.sec == tm.tm_sec &&
	    g.wday == tm.tm_wday && g.utoff == tm.tm_gmtoff && g.isdst == (tm.tm_isdst > 0) &&
	    strcmp(g.abbr, tm.tm_zone) == 0)
		return true;
	cr_assert_fail("%s at %lld: got %04d-%02d-%02d %02d:%02d:%02d wday %d %+d %s dst %d, "
		       "glibc %04d-%02d-%02d %02d:%02d:%02d wday %d %+ld %s dst %d",
		       zone, (long long)t, g.year, g.mon, g.mday, g.hour, g.min, g.sec, g.wday,
		       g.utoff, g.abbr, g.isdst, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		       tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_wday, tm.tm_gmtoff, tm.tm_zone,
		       tm.tm_isdst);
	return false;
}

/* Every step seconds over [from, to), and both sides of every change. */
static void sweep(const struct guard_tz *tz, const char *zone, int64_t from, int64_t to,
		  int64_t step)
{
	int64_t t, change;

	for (t = from; t < to; t += step)
		if (!same_as_glibc(tz, zone, t))
			return;
	for (t = from; guard_tz_next_change(tz, t, &change) == 0 && change < to; t = change)
		if (!same_as_glibc(tz, zone, change - 1) || !same_as_glibc(tz, zone, change))
			return;
}

static const char *const zones[] = {
    "Europe/Berlin",	 "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
    "America/Sao_Paulo", "Pacific/Apia",     "Africa/Casablanca",   "UTC",
};

static void oracle_zone(const char *zone)
{
	struct guard_tz *tz = load(zone);

	set_tz(zone);
	sweep(tz, zone, utc_year(2019), utc_year(2031), 1800);
	sweep(tz, zone, utc_year(2038), utc_year(2042), 3 * 3600);
	sweep(tz, zone, utc_year(2098), utc_year(2102), 3 * 3600);
	sweep(tz, zone, utc_year(1965), utc_year(1975), 3 * 3600);
	sweep(tz, zone, utc_year(1890), utc_year(1950), 6 * 3600);
	sweep(tz, zone, utc_year(2011), utc_year(2012), 600);
	guard_tz_free(tz);
}

Test(tz_oracle, europe_berlin)
{
	oracle_zone("Europe/Berlin");
}
Test(tz_oracle, america_new_york)
{
	oracle_zone("America/New_York");
}
Test(tz_oracle, australia_lord_howe)
{
	oracle_zone("Australia/Lord_Howe");
}
Test(tz_oracle, asia_kolkata)
{
	oracle_zone("Asia/Kolkata");
}
Test(tz_oracle, america_sao_paulo)
{
	oracle_zone("America/Sao_Paulo");
}
Test(tz_oracle, pacific_apia)
{
	oracle_zone("Pacific/Apia");
}
Test(tz_oracle, africa_casablanca)
{
	oracle_zone("Africa/Casablanca");
}
Test(tz_oracle, utc)
{
	oracle_zone("UTC");
}

/* mktime with tm_isdst = -1: the same answer for ordinary and skipped
 * times; for a repeated time ours is the earlier of the two. */
static void mktime_zone(const char *zone)
{
	struct guard_tz *tz = load(zone);
	int64_t t, from = utc_year(2019), to = utc_year(2031);

	set_tz(zone);
	for (t = from; t < to; t += 1800) {
		struct tm tm = {0}, back;
		struct guard_localtime l = {0}, got;
		int64_t ours;
		time_t g;

		gmtime_r(&(time_t){(time_t)t}, &tm);
		l.year = tm.tm_year + 1900;
		l.mon = tm.tm_mon + 1;
		l.mday = tm.tm_mday;
		l.hour = tm.tm_hour;
		l.min = tm.tm_min;
		tm.tm_isdst = -1;
		g = mktime(&tm);
		cr_assert_eq(guard_tz_mktime(tz, &l, &ours), 0);
		cr_assert_eq(guard_tz_localtime(tz, ours, &got), 0);
		localtime_r(&g, &back);
		if (got.hour != l.hour || got.min != l.min || got.mday != l.mday) {
			/* Skipped: as if the clock had not changed, that is at the
			 * offset of 30 hours earlier (long before the change, and
			 * after the one before it in these zones). glibc guesses
			 * from tm_isdst instead. */
			struct tm before;
			time_t early = (time_t)(t - 30 * 3600);

			localtime_r(&early, &before);
			if (ours != t - before.tm_gmtoff)
				cr_assert_fail(
				    "%s gap %04d-%02d-%02d %02d:%02d: %lld, expected %lld", zone,
				    l.year, l.mon, l.mday, l.hour, l.min, (long long)ours,
				    (long long)(t - before.tm_gmtoff));
		} else if (ours != g) {
			/* Repeated: glibc may take either; ours is the first. */
			if (!(back.tm_hour == l.hour && back.tm_min == l.min && ours < g))
				cr_assert_fail("%s %04d-%02d-%02d %02d:%02d: %lld, glibc %lld",
					       zone, l.year, l.mon, l.mday, l.hour, l.min,
					       (long long)ours, (long long)g);
		}
	}
	guard_tz_free(tz);
}

Test(tz_mktime, oracle)
{
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		mktime_zone(zones[i]);
}

static int64_t mk(const struct guard_tz *tz, int y, int mo, int d, int h, int mi)
{
	struct guard_localtime l = {.year = y, .mon = mo, .mday = d, .hour = h, .min = mi};
	int64_t t = 0;

	cr_assert_eq(guard_tz_mktime(tz, &l, &t), 0);
	return t;
}

Test(tz_mktime, gaps_and_overlaps)
{
	struct guard_tz *tz = load("Europe/Berlin");

	/* 2026-03-29 02:30 does not exist: read as CET, which is 03:30 CEST. */
	cr_expect_eq(mk(tz, 2026, 3, 29, 2, 30), utc_year(2026) + (87 * 24 + 1) * 3600 + 1800);
	/* 2026-10-25 02:30 happens twice: the first is CEST (00:30 UTC). */
	cr_expect_eq(mk(tz, 2026, 10, 25, 2, 30), utc_year(2026) + (297 * 24) * 3600 + 1800);
	cr_expect_eq(mk(tz, 2026, 10, 25, 3, 0), utc_year(2026) + (297 * 24 + 2) * 3600);
	guard_tz_free(tz);

	tz = load("Australia/Lord_Howe");
	/* 2026-04-05 01:45 repeats (+11 then +10:30): the first is at +11. */
	cr_expect_eq(mk(tz, 2026, 4, 5, 1, 45),
		     utc_year(2026) + (94 * 24 - 11 + 1) * 3600 + 45 * 60);
	guard_tz_free(tz);
}

Test(tz_mktime, normalises_and_ranges)
{
	struct guard_tz *tz = load("UTC");
	struct guard_localtime l = {.year = 2026, .mon = 13, .mday = 32, .hour = 25};
	struct guard_localtime bad = {.year = 10000, .mon = 1, .mday = 1};
	int64_t t = 42;

	cr_expect_eq(guard_tz_mktime(tz, &l, &t), 0);
	cr_expect_eq(t, utc_year(2027) + 32 * 86400 + 3600);
	t = 42;
	cr_expect_eq(guard_tz_mktime(tz, &bad, &t), -ERANGE);
	bad.year = 0;
	cr_expect_eq(guard_tz_mktime(tz, &bad, &t), -ERANGE);
	cr_expect_eq(t, 42);
	guard_tz_free(tz);
}

Test(tz_localtime, ranges)
{
	struct guard_tz *tz = load("America/New_York");
	struct guard_localtime l = {.year = 7};

	cr_expect_eq(guard_tz_localtime(tz, INT64_MAX, &l), -ERANGE);
	cr_expect_eq(guard_tz_localtime(tz, INT64_MIN, &l), -ERANGE);
	cr_expect_eq(guard_tz_localtime(tz, 253402300799LL + 86400, &l), -ERANGE);
	cr_expect_eq(l.year, 7);
	cr_expect_eq(guard_tz_localtime(tz, 253402300799LL, &l), 0);
	cr_expect_eq(l.year, 9999);
	cr_expect_eq(l.hour, 18);
	cr_expect_eq(guard_tz_localtime(tz, -62135596800LL + 86400, &l), 0);
	cr_expect_eq(l.year, 1);
	cr_expect_eq(l.wday, 1); /* 0001-01-01 was a Monday */
	guard_tz_free(tz);
}

Test(tz_localtime, next_change)
{
	struct guard_tz *tz = load("Europe/Berlin");
	int64_t t = 42;

	cr_expect_eq(guard_tz_next_change(tz, utc_year(2026), &t), 0);
	cr_expect_eq(t, utc_year(2026) + (87 * 24 + 1) * 3600);
	cr_expect_eq(guard_tz_next_change(tz, t, &t), 0);
	cr_expect_eq(t, utc_year(2026) + (297 * 24 + 1) * 3600);
	/* From the footer: the last Sunday of March 2100 is the 28th. */
	cr_expect_eq(guard_tz_next_change(tz, utc_year(2100), &t), 0);
	cr_expect_eq(t, utc_year(2100) + (86 * 24 + 1) * 3600);
	guard_tz_free(tz);

	tz = load("UTC");
	t = 42;
	cr_expect_eq(guard_tz_next_change(tz, 0, &t), -ENOENT);
	cr_expect_eq(t, 42);
	guard_tz_free(tz);
}

/* ---- hand-built files ---- */

struct tzif_type {
	int32_t utoff;
	uint8_t isdst, abbrind;
};

struct image {
	uint8_t b[4096];
	size_t n;
};

static void put(struct image *im, const void *p, size_t n)
{
	if (n == 0)
		return;
	cr_assert(im->n + n <= sizeof(im->b));
	memcpy(im->b + im->n, p, n);
	im->n += n;
}

static void put32(struct image *im, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	put(im, b, 4);
}

static void put64(struct image *im, int64_t v)
{
	put32(im, (uint32_t)((uint64_t)v >> 32));
	put32(im, (uint32_t)v);
}

static void header(struct image *im, char version, uint32_t timecnt, uint32_t typecnt,
		   uint32_t charcnt, uint32_t leapcnt)
{
	uint8_t pad[15] = {0};

	put(im, "TZif", 4);
	put(im, &version, 1);
	put(im, pad, 15);
	put32(im, typecnt); /* isutcnt */
	put32(im, typecnt); /* isstdcnt */
	put32(im, leapcnt);
	put32(im, timecnt);
	put32(im, typecnt);
	put32(im, charcnt);
}

/* A file with the given data in its 64-bit block (version 2 and later) or
 * its only block (version 1). */
static void build(struct image *im, char version, const int64_t *times, const uint8_t *idx,
		  uint32_t timecnt, const struct tzif_type *types, uint32_t typecnt,
		  const char *chars, uint32_t charcnt, uint32_t leapcnt, const char *footer)
{
	unsigned ts = version ? 8 : 4;

	im->n = 0;
	if (version) {
		/* A minimal version 1 block, the way zic -b slim writes it. */
		header(im, version, 0, 1, 1, 0);
		put(im, "\0\0\0\0\0\0\0\0\0", 6 + 1 + 1 + 1);
	}
	header(im, version, timecnt, typecnt, charcnt, leapcnt);
	for (uint32_t i = 0; i < timecnt; i++) {
		if (ts == 8)
			put64(im, times[i]);
		else
			put32(im, (uint32_t)times[i]);
	}
	put(im, idx, timecnt);
	for (uint32_t i = 0; i < typecnt; i++) {
		put32(im, (uint32_t)types[i].utoff);
		put(im, &types[i].isdst, 1);
		put(im, &types[i].abbrind, 1);
	}
	put(im, chars, charcnt);
	for (uint32_t i = 0; i < leapcnt; i++) {
		if (ts == 8)
			put64(im, 78796800 + (int64_t)i * 15778800);
		else
			put32(im, (uint32_t)(78796800 + i * 15778800));
		put32(im, i + 1);
	}
	for (uint32_t i = 0; i < 2 * typecnt; i++)
		put(im, "\0", 1);
	if (version) {
		put(im, "\n", 1);
		put(im, footer, strlen(footer));
		put(im, "\n", 1);
	}
}

static int parse(const struct image *im, struct guard_tz **ret, struct guard_error *err)
{
	/* An exact-size copy, so the sanitizer sees any read past the end. */
	uint8_t *copy = malloc(im->n ? im->n : 1);
	int r;

	cr_assert(copy);
	memcpy(copy, im->b, im->n);
	r = guard_tz_parse("test.tzif", copy, im->n, ret, err);
	free(copy);
	return r;
}

static void expect_invalid(const struct image *im, const char *words)
{
	struct guard_tz *tz = NULL;
	struct guard_error err = {0};

	cr_expect_eq(parse(im, &tz, &err), -EINVAL, "accepted, expected '%s'", words);
	cr_expect_null(tz);
	cr_expect_str_eq(err.file, "test.tzif");
	cr_expect(strstr(err.message, words) != NULL, "'%s' does not say '%s'", err.message, words);
}

static const int64_t two_times[] = {1000000000, 1100000000};
static const uint8_t two_idx[] = {1, 0};
static const struct tzif_type two_types[] = {{3600, 0, 0}, {7200, 1, 4}};
static const char two_chars[] = "CET\0CEST";

Test(tz_parse, hand_built_v1_and_v2)
{
	struct image im;
	struct guard_tz *tz = NULL;
	struct guard_error err = {0};
	struct guard_localtime l;

	for (int v = 0; v < 3; v++) {
		build(&im,
		      v == 0   ? 0
		      : v == 1 ? '2'
			       : '3',
		      two_times, two_idx, 2, two_types, 2, two_chars, 9, v, "");
		cr_assert_eq(parse(&im, &tz, &err), 0, "%s", err.message);
		cr_expect_str_eq(guard_tz_name(tz), "test.tzif");
		cr_assert_eq(guard_tz_localtime(tz, 999999999, &l), 0);
		cr_expect_str_eq(l.abbr, "CET");
		cr_assert_eq(guard_tz_localtime(tz, 1000000000, &l), 0);
		cr_expect_str_eq(l.abbr, "CEST");
		cr_expect_eq(l.utoff, 7200);
		cr_expect(l.isdst);
		/* No footer: the last type goes on. */
		cr_assert_eq(guard_tz_localtime(tz, 4000000000, &l), 0);
		cr_expect_str_eq(l.abbr, "CET");
		guard_tz_free(tz);
		tz = NULL;
	}
}

Test(tz_parse, malformed)
{
	struct image im, ok;

	build(&ok, '2', two_times, two_idx, 2, two_types, 2, two_chars, 9, 0, "CET-1");
	/* Where the second header and its block start. */
	const size_t h2 = 44 + 6 + 3, d2 = h2 + 44;

	im = ok;
	im.b[0] = 'X';
	expect_invalid(&im, "magic");
	im = ok;
	im.b[4] = '1';
	expect_invalid(&im, "version");
	im = ok;
	im.b[h2 + 4] = 0;
	expect_invalid(&im, "version");
	im = ok;
	memset(im.b + h2 + 32, 0xff, 4); /* timecnt */
	expect_invalid(&im, "transitions");
	im = ok;
	memset(im.b + h2 + 28, 0xff, 4); /* leapcnt */
	expect_invalid(&im, "leap");
	im = ok;
	memset(im.b + h2 + 36, 0, 4); /* typecnt */
	expect_invalid(&im, "types");
	im = ok;
	memset(im.b + h2 + 40, 0x7f, 4); /* charcnt */
	expect_invalid(&im, "abbreviations");
	im = ok;
	im.b[h2 + 35] = 3; /* timecnt 3: the data no longer fits */
	expect_invalid(&im, "");
	im = ok;
	memset(im.b + 32, 0xff, 4); /* the skipped block's timecnt */
	expect_invalid(&im, "truncated");
	im = ok;
	im.b[d2 + 16] = 2; /* a transition's type index */
	expect_invalid(&im, "type");
	im = ok;
	im.b[d2 + 12] = 0; /* second transition time before the first */
	expect_invalid(&im, "ascending");
	im = ok;
	im.b[d2 + 18 + 6 + 5] = 9; /* abbreviation index == charcnt */
	expect_invalid(&im, "abbreviation index");
	im = ok;
	im.b[d2 + 18 + 4] = 2; /* isdst */
	expect_invalid(&im, "DST");
	im = ok;
	im.b[d2 + 18 + 12 + 8] = 'X'; /* "CEST" loses its NUL */
	expect_invalid(&im, "terminated");
	im = ok;
	im.b[d2 + 18] = 0x80; /* utoff far out */
	expect_invalid(&im, "offset");
	im = ok;
	im.b[d2 + 18 + 12 + 9] = 7; /* an indicator */
	expect_invalid(&im, "indicator");
	im = ok;
	put(&im, "x", 1);
	expect_invalid(&im, "trailing");
	im = ok;
	im.b[im.n - 1] = 'x';
	expect_invalid(&im, "footer");

	/* Every truncation of a real file. */
	{
		FILE *f = fopen(TEST_ZONEINFO "/Europe/Berlin", "rb");
		uint8_t *data = malloc(300000), *copy;
		size_t n;

		cr_assert(f && data);
		n = fread(data, 1, 300000, f);
		fclose(f);
		for (size_t len = 0; len < n; len++) {
			struct guard_tz *tz = NULL;
			struct guard_error err = {0};

			copy = malloc(len ? len : 1);
			memcpy(copy, data, len);
			cr_expect_eq(guard_tz_parse("Berlin", copy, len, &tz, &err), -EINVAL,
				     "length %zu", len);
			cr_expect_null(tz);
			free(copy);
		}
		free(data);
	}
}

Test(tz_parse, bad_footers)
{
	static const char *const bad[] = {
	    "CE-1",		/* too short a name */
	    "CET",		/* no offset */
	    "CET-25",		/* offset out of range */
	    "CET-1CEST",	/* DST without rules */
	    "CET-1CEST,M3.5.0", /* one rule */
	    "CET-1CEST,M13.5.0,M10.5.0",
	    "CET-1CEST,M3.6.0,M10.5.0",
	    "CET-1CEST,M3.5.7,M10.5.0",
	    "CET-1CEST,M3.5.0,M10.5.0/168",
	    "CET-1CEST,J0,J365",
	    "CET-1CEST,366,0",
	    "<+05>-5x",
	    "<+0530-5:30",
	    "CET-1:60",
	    "CET-1CEST,M3.5.0,M10.5.0/3,",
	    "CET-1 ",
	};
	struct image im;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build(&im, '3', NULL, NULL, 0, two_types, 1, two_chars, 4, 0, bad[i]);
		expect_invalid(&im, "TZ string");
	}
}

/* A footer alone describes the zone: compare with glibc reading the same
 * string from TZ. */
Test(tz_parse, footers_against_glibc)
{
	static const char *const good[] = {
	    "CET-1CEST,M3.5.0,M10.5.0/3",
	    "<+0530>-5:30",
	    "EST5EDT,M3.2.0,M11.1.0",
	    "<-03>3",
	    "AEST-10AEDT,M10.1.0,M4.1.0/3",
	    "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
	    "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
	    "XST3XDT,J60/2,J300/2",
	    "YST3YDT,59/2,300/2",
	    "IST-2IDT,M3.4.4/26,M10.5.0",
	    "<-0330>3:30<-0230>,M3.2.0/-1:30,M11.1.0/167",
	};
	struct image im;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct guard_tz *tz = NULL;
		struct guard_error err = {0};
		char chars[8] = "ZZZ";

		build(&im, '3', NULL, NULL, 0, two_types, 1, chars, 4, 0, good[i]);
		cr_assert_eq(parse(&im, &tz, &err), 0, "%s: %s", good[i], err.message);
		set_tz(good[i]);
		sweep(tz, good[i], utc_year(2023), utc_year(2027), 1800);
		sweep(tz, good[i], utc_year(2099), utc_year(2101), 3600);
		guard_tz_free(tz);
	}
}

/* DST all year (RFC 8536 3.3.1). glibc is no oracle here: it picks the
 * year of a time in UTC, so it shows EST for the last hours of a year. */
Test(tz_parse, permanent_dst)
{
	struct image im;
	struct guard_tz *tz = NULL;
	struct guard_error err = {0};
	struct guard_localtime l;

	build(&im, '3', NULL, NULL, 0, two_types, 1, "ZZZ", 4, 0, "EST5EDT,0/0,J365/25");
	cr_assert_eq(parse(&im, &tz, &err), 0, "%s", err.message);
	for (int64_t t = utc_year(2023) - 86400; t < utc_year(2025) + 86400; t += 1800) {
		cr_assert_eq(guard_tz_localtime(tz, t, &l), 0);
		cr_assert_str_eq(l.abbr, "EDT", "at %lld", (long long)t);
		cr_assert_eq(l.utoff, -4 * 3600);
	}
	guard_tz_free(tz);
}

/* Random damage to real files: either refused cleanly or usable. */
Test(tz_parse, mutations)
{
	static const char *const files[] = {"Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"};
	uint32_t seed = 12345;

	for (size_t f = 0; f < 3; f++) {
		char path[256];
		uint8_t orig[8192], *copy;
		FILE *fp;
		size_t n;

		snprintf(path, sizeof(path), "%s/%s", TEST_ZONEINFO, files[f]);
		fp = fopen(path, "rb");
		cr_assert(fp);
		n = fread(orig, 1, sizeof(orig), fp);
		fclose(fp);
		for (int round = 0; round < 3000; round++) {
			struct guard_tz *tz = NULL;
			struct guard_error err = {0};
			size_t len = n;
			int r;

			copy = malloc(n);
			memcpy(copy, orig, n);
			for (int k = 0; k < 1 + round % 4; k++) {
				seed = seed * 1103515245 + 12345;
				copy[(seed >> 8) % n] = (uint8_t)(seed >> 20);
			}
			if (round % 7 == 0)
				len = (seed >> 4) % n;
			r = guard_tz_parse(files[f], copy, len, &tz, &err);
			cr_assert(r == 0 || r == -EINVAL);
			if (r == 0) {
				struct guard_localtime l;
				int64_t t;

				for (t = -3000000000LL; t < 5000000000LL; t += 99999937) {
					int64_t back;

					if (guard_tz_localtime(tz, t, &l) == 0)
						guard_tz_mktime(tz, &l, &back);
				}
				guard_tz_free(tz);
			} else {
				cr_assert(err.message[0] != '\0');
			}
			free(copy);
		}
	}
}

/* ---- loading ---- */

Test(tz_load, names)
{
	static const char *const bad[] = {
	    "../etc/shadow",  "/etc/passwd",	 "Europe/../../x", "",	"Europe//Berlin",
	    "Europe/Berlin/", "Europe/Berlin\n", "Europe/Ber lin", ".", "Europe/./Berlin",
	    "a\\b",
	};
	struct guard_tz *tz = NULL;
	struct guard_error err = {0};
	char long_name[301];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(guard_tz_load(bad[i], TEST_ZONEINFO, &tz, &err), -EINVAL, "%s",
			     bad[i]);
		cr_expect_null(tz);
		cr_expect(strstr(err.message, "invalid time zone name") != NULL);
	}
	memset(long_name, 'A', 300);
	long_name[300] = '\0';
	cr_expect_eq(guard_tz_load(long_name, TEST_ZONEINFO, &tz, &err), -EINVAL);
	cr_expect_eq(guard_tz_load(NULL, TEST_ZONEINFO, &tz, &err), -EINVAL);
	cr_expect_eq(guard_tz_load("Nowhere/Atlantis", TEST_ZONEINFO, &tz, &err), -ENOENT);
	cr_expect_str_eq(err.file, TEST_ZONEINFO "/Nowhere/Atlantis");
	cr_expect_eq(guard_tz_load("Europe", TEST_ZONEINFO, &tz, &err), -EINVAL);
	cr_expect(strstr(err.message, "regular") != NULL);
	cr_expect_null(tz);
}

Test(tz_load, builtin_default_and_system)
{
	struct guard_tz *tz = NULL;
	struct guard_error err = {0};
	struct guard_localtime l;

	cr_assert_eq(guard_tz_load("UTC", "/nonexistent", &tz, &err), 0);
	cr_expect_str_eq(guard_tz_name(tz), "UTC");
	cr_assert_eq(guard_tz_localtime(tz, 1780000000, &l), 0);
	cr_expect_str_eq(l.abbr, "UTC");
	cr_expect_eq(l.utoff, 0);
	guard_tz_free(tz);

	cr_assert_eq(guard_tz_load("Europe/Berlin", NULL, &tz, &err), 0);
	cr_expect_str_eq(guard_tz_name(tz), "Europe/Berlin");
	guard_tz_free(tz);

	cr_assert_eq(guard_tz_load("system", NULL, &tz, &err), 0, "%s", err.message);
	{
		char target[4096];
		ssize_t n = readlink("/etc/localtime", target, sizeof(target) - 1);
		const char *z;

		target[n > 0 ? n : 0] = '\0';
		z = strstr(target, "zoneinfo/");
		if (z)
			cr_expect_str_eq(guard_tz_name(tz), z + strlen("zoneinfo/"));
		else
			cr_expect_str_eq(guard_tz_name(tz), "system");
	}
	guard_tz_free(tz);
	guard_tz_free(NULL);
}

Test(tz_load, bad_files)
{
	char dir[] = "/tmp/guard-tz-XXXXXX", path[512];
	struct guard_tz *tz = NULL;
	struct guard_error err = {0};
	FILE *f;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/Bad", dir);
	f = fopen(path, "w");
	fputs("TZif2 but not really", f);
	fclose(f);
	cr_expect_eq(guard_tz_load("Bad", dir, &tz, &err), -EINVAL);
	cr_expect_str_eq(err.file, path);
	cr_expect(strstr(err.message, "TZif") != NULL);
	unlink(path);

	snprintf(path, sizeof(path), "%s/Big", dir);
	f = fopen(path, "w");
	for (int i = 0; i < 300 * 1024; i++)
		fputc('x', f);
	fclose(f);
	cr_expect_eq(guard_tz_load("Big", dir, &tz, &err), -EFBIG);
	cr_expect_null(tz);
	unlink(path);
	rmdir(dir);
}
