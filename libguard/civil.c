/* Calendar arithmetic (see civil.h), after Howard Hinnant's
 * days_from_civil and civil_from_days: eras of 400 years repeat exactly,
 * so no table and no loop over years. */
#include "civil.h"

int64_t guard_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

bool guard_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int guard_month_days(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && guard_is_leap(y) ? 29 : days[m - 1];
}

int64_t guard_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	/* The year starts in March, so that Feb 29 is its last day. */
	y -= m <= 2;
	era = guard_floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void guard_civil_from_days(int64_t days, int64_t *ret_y, int *ret_m, int *ret_d)
{
	int64_t z = days + 719468, era, doe, yoe, doy, mp;

	era = guard_floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*ret_d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*ret_m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*ret_y = yoe + era * 400 + (*ret_m <= 2);
}

int guard_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday. */
	return (int)(((days % 7) + 11) % 7);
}
