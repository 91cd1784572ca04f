/* The proleptic Gregorian calendar as counts of days since 1970-01-01: the
 * one place Guard turns dates into days and back (the zone conversions,
 * `explain --at`, time windows and the UTC fallback of messages all use
 * it), so that they cannot disagree on a leap year or a weekday. Pure. */
#ifndef GUARD_CIVIL_H
#define GUARD_CIVIL_H

#include <stdbool.h>
#include <stdint.h>

/* a / b rounded towards minus infinity (b > 0): C's division rounds
 * towards zero, which puts the instants before 1970 on the wrong day. */
int64_t guard_floor_div(int64_t a, int64_t b);

bool guard_is_leap(int64_t y);

/* Days in month m (1-12) of year y. */
int guard_month_days(int64_t y, int m);

/* Days since 1970-01-01 of a date (month 1-12); d may run past the month,
 * as the day count simply goes on. */
int64_t guard_days_from_civil(int64_t y, int m, int d);

/* The date of a day count since 1970-01-01; exact for every day an int64
 * count of seconds can name. */
void guard_civil_from_days(int64_t days, int64_t *ret_y, int *ret_m, int *ret_d);

/* 0 = Sunday .. 6 = Saturday. */
int guard_weekday(int64_t days);

#endif
