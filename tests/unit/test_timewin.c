/* Time windows: the grammar, matching, canonical text, and next opening. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "helpers.h"
#include "timewin.h"

static struct guard_window win(const char *s)
{
	struct guard_window w = {0};

	cr_assert_eq(guard_window_parse(s, &w), 0, "'%s' refused", s);
	return w;
}

static struct guard_localtime at(int wday, int hour, int min)
{
	return (struct guard_localtime){
	    .year = 2026, .mon = 1, .mday = 1, .hour = hour, .min = min, .wday = wday};
}

static bool in(const char *window, int wday, int hour, int min)
{
	struct guard_window w = win(window);
	struct guard_localtime t = at(wday, hour, min);

	return guard_window_contains(&w, &t);
}

static bool same(const struct guard_window *a, const struct guard_window *b)
{
	return a->days == b->days && a->start_min == b->start_min && a->end_min == b->end_min;
}

enum { SUN, MON, TUE, WED, THU, FRI, SAT };

Test(timewin, parses_every_form)
{
	struct guard_window w;

	w = win("Mon-Fri 08:00-18:00");
	cr_expect_eq(w.days, 0x3e);
	cr_expect_eq(w.start_min, 480);
	cr_expect_eq(w.end_min, 1080);
	w = win("Sat,Sun 10:00-14:00");
	cr_expect_eq(w.days, 0x41);
	w = win("22:00-06:00");
	cr_expect_eq(w.days, 0x7f);
	cr_expect_eq(w.start_min, 1320);
	cr_expect_eq(w.end_min, 360);
	w = win("*");
	cr_expect_eq(w.days, 0x7f);
	cr_expect_eq(w.start_min, 0);
	cr_expect_eq(w.end_min, 1440);
	w = win("Fri-Mon 09:00-17:00");
	cr_expect_eq(w.days, 0x63);
	w = win("Mon-Wed,Fri 09:00-17:00");
	cr_expect_eq(w.days, 0x2e);
	w = win("00:00-24:00");
	cr_expect_eq(w.end_min, 1440);
	w = win("22:00-00:00");
	cr_expect_eq(w.end_min, 1440, "midnight as an end is the end of the day");
	w = win("mon-FRI 08:00-18:00");
	cr_expect_eq(w.days, 0x3e);
	/* Days alone: those whole days. */
	w = win("Sat,Sun");
	cr_expect_eq(w.days, 0x41);
	cr_expect_eq(w.start_min, 0);
	cr_expect_eq(w.end_min, 1440);
	w = win("Sat-Mon,Wed");
	cr_expect_eq(w.days, 0x4b);
	w = win("Sun-Sat 23:59-00:01");
	cr_expect_eq(w.days, 0x7f);
}

Test(timewin, refuses_the_malformed)
{
	static const char *const bad[] = {
	    "",
	    "8:00-18:00",
	    "08:0-18:00",
	    "25:00-26:00",
	    "08:60-09:00",
	    "08:00-25:00",
	    "08:00-24:01",
	    "24:00-06:00",
	    "Mon-",
	    "Mon--Fri",
	    "Foo",
	    "Foo 08:00-18:00",
	    "Monday",
	    "Mon-Mon",
	    "Mon,",
	    ",Mon",
	    "Mon,,Tue",
	    "Mon  08:00-18:00",
	    " Mon 08:00-18:00",
	    "Mon 08:00-18:00 ",
	    "Mon-Fri 08:00-18:00x",
	    "Mon\t08:00-18:00",
	    "Mon-Fri08:00-18:00",
	    "08:00 - 18:00",
	    "08:00-",
	    "08:00",
	    "Mon 08:00",
	    "08:00-08:00",
	    "00:00-00:00",
	    "Mon 12:00-12:00",
	    "**",
	    "* ",
	    "Mon *",
	    "08:00-18:00-19:00",
	    "+8:00-18:00",
	    "08:00-18:00,Mon",
	    "M",
	    "Mo",
	};
	struct guard_window w = {.days = 0x55, .start_min = 7, .end_min = 9};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(guard_window_parse(bad[i], &w), -EINVAL, "'%s' accepted", bad[i]);
	cr_expect_eq(guard_window_parse(NULL, &w), -EINVAL);
	cr_expect_eq(w.days, 0x55, "output touched on failure");
	cr_expect_eq(w.start_min, 7);
}

Test(timewin, contains_edges)
{
	/* Start inclusive, end exclusive. */
	cr_expect(in("Mon-Fri 08:00-18:00", MON, 8, 0));
	cr_expect(!in("Mon-Fri 08:00-18:00", MON, 7, 59));
	cr_expect(in("Mon-Fri 08:00-18:00", FRI, 17, 59));
	cr_expect(!in("Mon-Fri 08:00-18:00", FRI, 18, 0));
	cr_expect(!in("Mon-Fri 08:00-18:00", SAT, 12, 0));
	cr_expect(in("Sat,Sun 10:00-14:00", SUN, 13, 59));
	cr_expect(!in("Sat,Sun 10:00-14:00", MON, 13, 0));
	cr_expect(in("*", WED, 3, 3));
	cr_expect(in("00:00-24:00", SUN, 23, 59));
	cr_expect(in("00:00-24:00", SUN, 0, 0));
	cr_expect(in("Sat,Sun", SAT, 0, 0));
	cr_expect(in("Sat,Sun", SUN, 23, 59));
	cr_expect(!in("Sat,Sun", MON, 0, 0));
	cr_expect(!in("Sat,Sun", FRI, 23, 59));
	/* Wrapping ranges of days. */
	cr_expect(in("Fri-Mon 09:00-17:00", SUN, 9, 0));
	cr_expect(in("Fri-Mon 09:00-17:00", MON, 9, 0));
	cr_expect(!in("Fri-Mon 09:00-17:00", TUE, 9, 0));
	cr_expect(!in("Fri-Mon 09:00-17:00", THU, 9, 0));
	cr_expect(in("Mon-Wed,Fri 09:00-17:00", FRI, 12, 0));
	cr_expect(!in("Mon-Wed,Fri 09:00-17:00", THU, 12, 0));
}

Test(timewin, across_midnight)
{
	cr_expect(in("22:00-06:00", TUE, 22, 0));
	cr_expect(in("22:00-06:00", TUE, 23, 59));
	cr_expect(in("22:00-06:00", WED, 0, 0));
	cr_expect(in("22:00-06:00", WED, 5, 59));
	cr_expect(!in("22:00-06:00", WED, 6, 0));
	cr_expect(!in("22:00-06:00", WED, 21, 59));
	/* The days name the day a window starts. */
	cr_expect(in("Fri 22:00-06:00", SAT, 3, 0));
	cr_expect(!in("Fri 22:00-06:00", FRI, 3, 0));
	cr_expect(in("Fri 22:00-06:00", FRI, 22, 30));
	cr_expect(!in("Fri 22:00-06:00", SAT, 22, 30));
	cr_expect(in("Sat 22:00-06:00", SUN, 5, 0));
	cr_expect(!in("Sat 22:00-06:00", MON, 5, 0));
	cr_expect(in("Sun-Sat 23:59-00:01", SAT, 23, 59));
	cr_expect(in("Sun-Sat 23:59-00:01", SUN, 0, 0));
	cr_expect(!in("Sun-Sat 23:59-00:01", SUN, 0, 1));
	cr_expect(in("Sun 23:59-00:01", MON, 0, 0));
	cr_expect(!in("Sun 23:59-00:01", SUN, 0, 0));
	cr_expect(in("22:00-24:00", MON, 23, 59));
	cr_expect(!in("22:00-24:00", TUE, 0, 0));
}

Test(timewin, canonical_format)
{
	static const char *const cases[][2] = {
	    {"Mon-Fri 08:00-18:00", "Mon-Fri 08:00-18:00"},
	    {"mon-fri 08:00-18:00", "Mon-Fri 08:00-18:00"},
	    {"Sat,Sun 10:00-14:00", "Sat,Sun 10:00-14:00"},
	    {"Sun,Sat 10:00-14:00", "Sat,Sun 10:00-14:00"},
	    {"22:00-06:00", "22:00-06:00"},
	    {"*", "*"},
	    {"00:00-24:00", "*"},
	    {"Sun-Sat", "*"},
	    {"Fri-Mon 09:00-17:00", "Fri-Mon 09:00-17:00"},
	    {"Mon-Wed,Fri 09:00-17:00", "Mon-Wed,Fri 09:00-17:00"},
	    {"Fri,Mon-Wed 09:00-17:00", "Mon-Wed,Fri 09:00-17:00"},
	    {"Mon,Tue,Wed,Thu,Fri 08:00-18:00", "Mon-Fri 08:00-18:00"},
	    {"Sat-Mon,Wed", "Wed,Sat-Mon"},
	    {"Sun", "Sun"},
	    {"Mon,Wed,Fri", "Mon,Wed,Fri"},
	    {"Sun-Sat 08:00-09:00", "08:00-09:00"},
	    {"Fri 22:00-06:00", "Fri 22:00-06:00"},
	    {"22:00-00:00", "22:00-24:00"},
	    {"Tue 00:00-24:00", "Tue"},
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct guard_window w = win(cases[i][0]), again;

		guard_window_format(&w, buf, sizeof(buf));
		cr_expect_str_eq(buf, cases[i][1], "'%s'", cases[i][0]);
		again = win(buf);
		cr_expect(same(&w, &again), "'%s' does not round-trip", buf);
	}
	/* Truncated, never overrun. */
	{
		struct guard_window w = win("Mon-Wed,Fri 09:00-17:00");
		char small[8];

		memset(small, 'x', sizeof(small));
		guard_window_format(&w, small, 6);
		cr_expect_str_eq(small, "Mon-W");
		cr_expect_eq(small[6], 'x');
		guard_window_format(&w, small, 1);
		cr_expect_str_eq(small, "");
		guard_window_format(&w, small, 0);
	}
}

/* ---- in a real zone ---- */

static struct guard_tz *zone(const char *name)
{
	struct guard_tz *tz = NULL;
	struct guard_error err = {0};

	cr_assert_eq(guard_tz_load(name, TEST_ZONEINFO, &tz, &err), 0, "%s", err.message);
	return tz;
}

/* A UTC instant from its fields. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {
	    .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};

	return (int64_t)timegm(&tm);
}

static bool in_at(const char *window, const struct guard_tz *tz, int64_t t)
{
	struct guard_window w = win(window);
	struct guard_localtime l;

	cr_assert_eq(guard_tz_localtime(tz, t, &l), 0);
	return guard_window_contains(&w, &l);
}

static int64_t next_open(const char *window, const struct guard_tz *tz, int64_t now)
{
	struct guard_window w = win(window);
	int64_t t = -1;

	cr_assert_eq(guard_window_next_open(&w, 1, tz, now, &t), 0, "'%s' never opens", window);
	return t;
}

Test(timewin, dst_days_in_berlin)
{
	struct guard_tz *tz = zone("Europe/Berlin");

	/* 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00 UTC. */
	cr_expect(in_at("Sun 01:00-03:30", tz, utc(2026, 3, 29, 0, 59)));
	cr_expect(in_at("Sun 01:00-03:30", tz, utc(2026, 3, 29, 1, 0)));
	cr_expect(!in_at("Sun 01:00-03:30", tz, utc(2026, 3, 29, 1, 30)));
	cr_expect(in_at("Mon-Fri 08:00-18:00", tz, utc(2026, 3, 30, 6, 0)));
	cr_expect(!in_at("Mon-Fri 08:00-18:00", tz, utc(2026, 3, 27, 17, 0)));
	cr_expect(in_at("Mon-Fri 08:00-18:00", tz, utc(2026, 3, 27, 16, 59)));
	/* A window starting in the skipped hour opens when the clock jumps
	 * into it; one wholly inside it does not open that day. */
	cr_expect_eq(next_open("Sun 02:30-04:00", tz, utc(2026, 3, 28, 12, 0)),
		     utc(2026, 3, 29, 1, 0));
	cr_expect_eq(next_open("Sun 02:00-02:30", tz, utc(2026, 3, 28, 12, 0)),
		     utc(2026, 4, 5, 0, 0));
	cr_expect_eq(next_open("Mon-Fri 08:00-18:00", tz, utc(2026, 3, 28, 10, 0)),
		     utc(2026, 3, 30, 6, 0));

	/* 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30
	 * happens twice. */
	cr_expect(in_at("Sun 02:30-02:45", tz, utc(2026, 10, 25, 0, 30)));
	cr_expect(in_at("Sun 02:30-02:45", tz, utc(2026, 10, 25, 1, 30)));
	cr_expect(!in_at("Sun 02:30-02:45", tz, utc(2026, 10, 25, 1, 0)));
	cr_expect_eq(next_open("Sun 02:30-02:45", tz, utc(2026, 10, 25, 0, 35)),
		     utc(2026, 10, 25, 0, 35));
	cr_expect_eq(next_open("Sun 02:30-02:45", tz, utc(2026, 10, 25, 0, 50)),
		     utc(2026, 10, 25, 1, 30));
	cr_expect_eq(next_open("Mon-Fri 08:00-18:00", tz, utc(2026, 10, 23, 16, 0)),
		     utc(2026, 10, 26, 7, 0));
	cr_expect_eq(next_open("Sat 22:00-06:00", tz, utc(2026, 10, 24, 12, 0)),
		     utc(2026, 10, 24, 20, 0));
	/* Sat 22:00 CEST to Sun 06:00 CET: nine hours of real time. */
	cr_expect(in_at("Sat 22:00-06:00", tz, utc(2026, 10, 25, 4, 59)));
	cr_expect(!in_at("Sat 22:00-06:00", tz, utc(2026, 10, 25, 5, 0)));
	guard_tz_free(tz);
}

Test(timewin, next_open_basics)
{
	struct guard_tz *tz = zone("Europe/Berlin");
	struct guard_window ws[2] = {win("Sat,Sun 10:00-14:00"), win("Fri 22:00-06:00")};
	int64_t t = 7;

	/* Inside already: now. Seconds before a start: the start. */
	cr_expect_eq(next_open("Mon-Fri 08:00-18:00", tz, utc(2026, 6, 3, 9, 0) + 17),
		     utc(2026, 6, 3, 9, 0) + 17);
	cr_expect_eq(next_open("Mon-Fri 08:00-18:00", tz, utc(2026, 6, 3, 5, 59) + 30),
		     utc(2026, 6, 3, 6, 0));
	cr_expect_eq(next_open("*", tz, 1780000000), 1780000000);
	/* The earliest of several; Friday 2026-06-05 22:00 CEST. */
	cr_expect_eq(guard_window_next_open(ws, 2, tz, utc(2026, 6, 3, 12, 0), &t), 0);
	cr_expect_eq(t, utc(2026, 6, 5, 20, 0));
	/* Saturday 05:00 is still Friday night's window. */
	cr_expect_eq(guard_window_next_open(ws, 2, tz, utc(2026, 6, 6, 3, 0), &t), 0);
	cr_expect_eq(t, utc(2026, 6, 6, 3, 0));
	cr_expect_eq(guard_window_next_open(ws, 2, tz, utc(2026, 6, 6, 4, 0), &t), 0);
	cr_expect_eq(t, utc(2026, 6, 6, 8, 0));
	/* Nothing to open, or out of range: -ENOENT, output untouched. */
	t = 7;
	cr_expect_eq(guard_window_next_open(ws, 0, tz, 1780000000, &t), -ENOENT);
	cr_expect_eq(guard_window_next_open(ws, 2, tz, INT64_MAX, &t), -ENOENT);
	cr_expect_eq(t, 7);
	guard_tz_free(tz);
}

/* Against a plain minute-by-minute search, across the DST days of three
 * zones (whole-minute offsets, so nothing changes between minutes). */
Test(timewin, next_open_brute_force)
{
	static const char *const zones[] = {"Europe/Berlin", "Australia/Lord_Howe",
					    "America/New_York"};
	static const char *const sets[][3] = {
	    {"Mon-Fri 08:00-18:00", NULL, NULL},
	    {"Sun 02:30-04:00", "Sat 01:45-01:50", NULL},
	    {"Fri 22:00-06:00", "Sat,Sun 10:00-14:00", NULL},
	    {"Sun 02:00-02:10", "Sun 01:40-01:50", "Wed"},
	    {"Tue,Thu 23:30-02:15", NULL, NULL},
	};
	uint32_t seed = 7;

	for (size_t z = 0; z < 3; z++) {
		struct guard_tz *tz = zone(zones[z]);

		for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
			struct guard_window ws[3];
			unsigned n = 0;

			while (n < 3 && sets[s][n]) {
				ws[n] = win(sets[s][n]);
				n++;
			}
			for (int round = 0; round < 40; round++) {
				int64_t now, got = 0, t;
				struct guard_localtime l;
				bool open = false;

				seed = seed * 1103515245 + 12345;
				/* Near the changes of 2026 and 2027, or anywhere. */
				now = utc(2026, 1, 1, 0, 0) + (seed >> 4) % (2 * 365 * 86400);
				if (round % 2 == 0) {
					int64_t change;

					cr_assert_eq(guard_tz_next_change(tz, now, &change), 0);
					now = change - 3 * 86400 + (seed >> 3) % (4 * 86400);
				}
				for (t = now; t <= now + 8 * 86400 && !open;
				     t = t == now ? now - (now % 60 + 60) % 60 + 60 : t + 60) {
					cr_assert_eq(guard_tz_localtime(tz, t, &l), 0);
					for (unsigned i = 0; i < n; i++)
						open = open || guard_window_contains(&ws[i], &l);
					if (open)
						break;
				}
				cr_assert(open);
				cr_assert_eq(guard_window_next_open(ws, n, tz, now, &got), 0);
				cr_assert_eq(got, t, "%s, set %zu, now %lld: %lld, expected %lld",
					     zones[z], s, (long long)now, (long long)got,
					     (long long)t);
			}
		}
		guard_tz_free(tz);
	}
}

Test(timewin, next_open_is_fast)
{
	struct guard_tz *tz = zone("Europe/Berlin");
	struct guard_window ws[2] = {win("Sun 02:30-02:45"), win("Sat 23:00-23:05")};
	struct timespec a, b;
	int64_t t;
	double per_call;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(guard_window_next_open(ws, 2, tz, utc(2026, 10, 19, 0, 0) + i, &t), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	per_call = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1000;
	cr_expect_lt(per_call, 1e6, "%.0f ns per call", per_call);
	guard_tz_free(tz);
}

/* Random text: refused or canonical on the way back, never a crash. */
Test(timewin, random_text)
{
	static const char alphabet[] = "MonTueWedThuFriSatSun0123456789:-, *x";
	uint32_t seed = 99;
	char s[24], buf[64];

	for (int round = 0; round < 200000; round++) {
		struct guard_window w, again;
		size_t len;

		seed = seed * 1103515245 + 12345;
		len = (seed >> 16) % (sizeof(s) - 1);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			s[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		s[len] = '\0';
		if (guard_window_parse(s, &w) != 0)
			continue;
		guard_window_format(&w, buf, sizeof(buf));
		cr_assert_eq(guard_window_parse(buf, &again), 0, "'%s' -> '%s'", s, buf);
		cr_assert(same(&w, &again), "'%s' -> '%s'", s, buf);
	}
}
