/* The calendar every time in Guard goes through: a wrong leap year or
 * weekday would open or shut a time window on the wrong day, so the
 * arithmetic is checked on known dates and against glibc's UTC calendar. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <time.h>

#include "civil.h"

struct known {
	int64_t y;
	int m, d;
	int64_t days;
	int wday;
};

/* Day counts and weekdays from Python's datetime. */
static const struct known known[] = {
    {1970, 1, 1, 0, 4},	       {1969, 12, 31, -1, 3},	   {2000, 2, 29, 11016, 2},
    {2100, 2, 28, 47540, 0},   {2100, 3, 1, 47541, 1},	   {1900, 3, 1, -25508, 4},
    {1600, 2, 29, -135081, 2}, {2024, 2, 29, 19782, 4},	   {2026, 12, 5, 20792, 6},
    {1, 1, 1, -719162, 1},     {9999, 12, 31, 2932896, 5},
};

Test(civil, known_dates)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct known *k = &known[i];
		int64_t y;
		int m, d;

		cr_expect_eq(guard_days_from_civil(k->y, k->m, k->d), k->days, "%lld-%02d-%02d",
			     (long long)k->y, k->m, k->d);
		guard_civil_from_days(k->days, &y, &m, &d);
		cr_expect(y == k->y && m == k->m && d == k->d, "day %lld: %lld-%02d-%02d",
			  (long long)k->days, (long long)y, m, d);
		cr_expect_eq(guard_weekday(k->days), k->wday, "weekday of %lld-%02d-%02d",
			     (long long)k->y, k->m, k->d);
	}
}

Test(civil, leap_years)
{
	cr_expect(guard_is_leap(2000));
	cr_expect(guard_is_leap(2024));
	cr_expect(guard_is_leap(1600));
	cr_expect(guard_is_leap(0));
	cr_expect(guard_is_leap(-4));
	cr_expect(!guard_is_leap(1900));
	cr_expect(!guard_is_leap(2100));
	cr_expect(!guard_is_leap(2026));
	cr_expect(!guard_is_leap(-100));
	cr_expect(!guard_is_leap(-1));
	cr_expect_eq(guard_month_days(2000, 2), 29);
	cr_expect_eq(guard_month_days(2100, 2), 28);
	cr_expect_eq(guard_month_days(2026, 2), 28);
	cr_expect_eq(guard_month_days(2024, 2), 29);
	cr_expect_eq(guard_month_days(2026, 1), 31);
	cr_expect_eq(guard_month_days(2026, 4), 30);
	cr_expect_eq(guard_month_days(2026, 12), 31);
	/* The day after the last of February. */
	cr_expect_eq(guard_days_from_civil(2000, 2, 29) + 1, guard_days_from_civil(2000, 3, 1));
	cr_expect_eq(guard_days_from_civil(2100, 2, 28) + 1, guard_days_from_civil(2100, 3, 1));
}

Test(civil, days_past_the_month_carry_over)
{
	cr_expect_eq(guard_days_from_civil(2026, 1, 32), guard_days_from_civil(2026, 2, 1));
	cr_expect_eq(guard_days_from_civil(2026, 3, 0), guard_days_from_civil(2026, 2, 28));
}

Test(civil, floor_division)
{
	cr_expect_eq(guard_floor_div(0, 86400), 0);
	cr_expect_eq(guard_floor_div(86399, 86400), 0);
	cr_expect_eq(guard_floor_div(86400, 86400), 1);
	cr_expect_eq(guard_floor_div(-1, 86400), -1);
	cr_expect_eq(guard_floor_div(-86400, 86400), -1);
	cr_expect_eq(guard_floor_div(-86401, 86400), -2);
	cr_expect_eq(guard_floor_div(-13, 12), -2);
	cr_expect_eq(guard_floor_div(INT64_MIN, 86400), INT64_MIN / 86400 - 1);
}

/* Every day from 0001-01-01 to 9999-12-31 (and well beyond, both ways)
 * follows the one before: the next date, the next weekday. */
Test(civil, consecutive_days)
{
	int64_t first = -800000, last = 3000000, py;
	int pm, pd;

	guard_civil_from_days(first, &py, &pm, &pd);
	for (int64_t z = first + 1; z <= last; z++) {
		int64_t y;
		int m, d;

		guard_civil_from_days(z, &y, &m, &d);
		if (pd < guard_month_days(py, pm))
			cr_assert(y == py && m == pm && d == pd + 1, "day %lld", (long long)z);
		else if (pm < 12)
			cr_assert(y == py && m == pm + 1 && d == 1, "day %lld", (long long)z);
		else
			cr_assert(y == py + 1 && m == 1 && d == 1, "day %lld", (long long)z);
		cr_assert_eq(guard_days_from_civil(y, m, d), z);
		cr_assert_eq(guard_weekday(z), (guard_weekday(z - 1) + 1) % 7, "day %lld",
			     (long long)z);
		py = y;
		pm = m;
		pd = d;
	}
}

/* Round trips at the ends of what an int64 count of seconds can name. */
Test(civil, round_trips_far_out)
{
	const int64_t ends[] = {INT64_MIN / 86400 - 1, INT64_MAX / 86400, -1000000000000LL,
				1000000000000LL};

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		for (int64_t z = ends[i] - 1000; z <= ends[i] + 1000; z++) {
			int64_t y;
			int m, d;

			guard_civil_from_days(z, &y, &m, &d);
			cr_assert(m >= 1 && m <= 12 && d >= 1 && d <= guard_month_days(y, m));
			cr_assert_eq(guard_days_from_civil(y, m, d), z, "day %lld", (long long)z);
			cr_assert(guard_weekday(z) >= 0 && guard_weekday(z) <= 6);
		}
	}
}

/* The same dates as glibc's UTC calendar, every 1000 hours over 0001..9999. */
Test(civil, agrees_with_gmtime)
{
	for (int64_t t = -62135596800LL; t <= 253402300799LL; t += 3600000) {
		int64_t days = guard_floor_div(t, 86400), y;
		time_t tt = (time_t)t;
		struct tm tm;
		int m, d;

		cr_assert(gmtime_r(&tt, &tm));
		guard_civil_from_days(days, &y, &m, &d);
		cr_assert(y == tm.tm_year + 1900 && m == tm.tm_mon + 1 && d == tm.tm_mday &&
			      guard_weekday(days) == tm.tm_wday,
			  "at %lld: %lld-%02d-%02d, glibc %d-%02d-%02d", (long long)t, (long long)y,
			  m, d, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		cr_assert_eq(guard_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday),
			     days);
	}
}
