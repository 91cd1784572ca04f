/* Time windows of `time` matchers: "Mon-Fri 08:00-18:00", "Sat,Sun
 * 10:00-14:00", "22:00-06:00", "*". Start inclusive, end exclusive; the days
 * name the day a window starts, so "Fri 22:00-06:00" covers Saturday 03:00. */
#ifndef GUARD_TIMEWIN_H
#define GUARD_TIMEWIN_H

#include <stdbool.h>
#include <stdint.h>

#include "tz.h"

struct guard_window {
	uint8_t days;	    /* bit 0 = Sunday ... bit 6 = Saturday */
	uint16_t start_min; /* minute of the day, 0-1439 */
	uint16_t end_min;   /* 1-1440; <= start_min means it wraps past midnight */
};

/* The English day names of windows and of times in messages: "Sun" ..
 * "Sat" for 0 .. 6 (guard_localtime's wday); "?" otherwise. */
const char *guard_day_name(int wday);

/* Parses one window: "[DAYS ]HH:MM-HH:MM", "DAYS" or "*", one space at
 * most. Days: Sun..Sat (any case of the three-letter names), lists
 * "Sat,Sun", ranges "Mon-Fri", wrapping ranges "Fri-Mon", mixed
 * "Mon-Wed,Fri" ("Mon-Mon" is ambiguous and refused); no days means every
 * day. Days alone ("Sat,Sun") mean those whole days, 00:00-24:00. Times are
 * exactly HH:MM; 24:00 only as an end, and an end of 00:00 is stored as
 * 24:00. start == end is refused. "*" means always. Returns 0 or -EINVAL;
 * *ret is untouched on failure. */
int guard_window_parse(const char *s, struct guard_window *ret);

/* Is the local time (its wday, hour and min) inside the window? After
 * midnight a wrapping window belongs to the day it started. */
bool guard_window_contains(const struct guard_window *w, const struct guard_localtime *t);

/* Writes the window in canonical form, which parses back to the same
 * window: "Mon-Fri 08:00-18:00", days from Monday, runs of three or more
 * days as ranges ("Sat,Sun", "Fri-Mon"), no days for every day, no times
 * for whole days, "*" for always. Truncates to size. */
void guard_window_format(const struct guard_window *w, char *buf, unsigned size);

/* The first UTC second >= now at which any of the windows contains the local
 * time in tz, searched for up to 8 days. Across a change of offset it is
 * exact: a window starting in a skipped hour opens when the clock jumps into
 * it (03:00 for "Sun 02:30-04:00" on the day 02:00 becomes 03:00), one
 * wholly inside a skipped hour does not open that day, and a start repeated
 * by a change opens twice. Returns 0, or -ENOENT. */
int guard_window_next_open(const struct guard_window *w, unsigned n, const struct guard_tz *tz,
			   int64_t now, int64_t *ret);

#endif
