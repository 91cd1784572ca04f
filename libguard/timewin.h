/* Time windows of `time` matchers: "Mon-Fri 08:00-18:00", "Sat,Sun
 * 10:00-14:00", "22:00-06:00", "*". Start inclusive, end exclusive; the days
 * name the day a window starts, so "Fri 22:00-06:00" covers Saturday 03:00. */
#ifndef GUARD_TIMEWIN_H
#define GUARD_TIMEWIN_H

#include <stdbool.h>
#include <stdint.h>

#include "tz.h"

struct guard_window {
	uint8_t days;       /* bit 0 = Sunday ... bit 6 = Saturday */
	uint16_t start_min; /* minute of the day, 0-1439 */
	uint16_t end_min;   /* 1-1440; <= start_min means it wraps past midnight */
};

/* Parses one window. Days: Sun..Sat (any case of the three-letter names),
 * lists "Sat,Sun", ranges "Mon-Fri" and wrapping ranges "Fri-Mon"; no days
 * means every day. Times HH:MM, 00:00-24:00; start == end is refused. "*"
 * means always. Returns 0 or -EINVAL. */
int guard_window_parse(const char *s, struct guard_window *ret);

/* Is the local time inside the window? */
bool guard_window_contains(const struct guard_window *w, const struct guard_localtime *t);

/* Writes the window in canonical form ("Mon-Fri 08:00-18:00"). */
void guard_window_format(const struct guard_window *w, char *buf, unsigned size);

/* The first UTC second >= now at which any of the windows contains the local
 * time in tz, searched for up to 8 days. Returns 0, or -ENOENT. */
int guard_window_next_open(const struct guard_window *w, unsigned n, const struct guard_tz *tz,
			   int64_t now, int64_t *ret);

#endif
