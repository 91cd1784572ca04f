/* Time windows: parsing, matching a local time, and when one opens next. */
#include "timewin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"

#define ALL_DAYS    0x7f
#define DAY_MINUTES 1440
#define SEARCH_DAYS 8

static const char *const day_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

const char *guard_day_name(int wday)
{
	return (unsigned)wday <= 6 ? day_names[wday] : "?";
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* A three-letter day name, any case. Returns the day (0 = Sunday) or -1. */
static int parse_day(const char **p)
{
	const char *s = *p;

	for (int d = 0; d < 7; d++) {
		const char *n = day_names[d];

		if (lower(s[0]) == lower(n[0]) && lower(s[1]) == lower(n[1]) &&
		    lower(s[2]) == lower(n[2])) {
			*p = s + 3;
			return d;
		}
	}
	return -1;
}

/* "Mon", "Mon-Fri", "Fri-Mon", joined by commas. */
static int parse_days(const char **p, uint8_t *ret)
{
	const char *s = *p;
	uint8_t days = 0;

	for (;;) {
		int a = parse_day(&s), b;

		if (a < 0)
			return -EINVAL;
		b = a;
		if (*s == '-') {
			s++;
			b = parse_day(&s);
			/* "Mon-Mon" could mean one day or the whole week. */
			if (b < 0 || b == a)
				return -EINVAL;
		}
		for (int d = a;; d = (d + 1) % 7) {
			days |= (uint8_t)(1u << d);
			if (d == b)
				break;
		}
		if (*s != ',')
			break;
		s++;
	}
	*p = s;
	*ret = days;
	return 0;
}

/* HH:MM, exactly two digits each; 24:00 only when allowed. */
static int parse_hhmm(const char **p, bool allow_24, unsigned *ret)
{
	const char *s = *p;
	unsigned h, m;

	if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' &&
	      s[3] >= '0' && s[3] <= '9' && s[4] >= '0' && s[4] <= '9'))
		return -EINVAL;
	h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24)))
		return -EINVAL;
	*p = s + 5;
	*ret = h * 60 + m;
	return 0;
}

int guard_window_parse(const char *s, struct guard_window *ret)
{
	struct guard_window w = {.days = ALL_DAYS, .start_min = 0, .end_min = DAY_MINUTES};
	unsigned start, end;

	if (!s || !*s)
		return -EINVAL;
	if (strcmp(s, "*") == 0) {
		*ret = w;
		return 0;
	}
	if (!(*s >= '0' && *s <= '9')) {
		if (parse_days(&s, &w.days) < 0)
			return -EINVAL;
		if (*s == '\0') {
			*ret = w;
			return 0;
		}
		if (*s++ != ' ')
			return -EINVAL;
	}
	if (parse_hhmm(&s, false, &start) < 0 || *s++ != '-' || parse_hhmm(&s, true, &end) < 0 ||
	    *s != '\0' || start == end)
		return -EINVAL;
	/* "22:00-00:00" ends at midnight: the same as "22:00-24:00". */
	if (end == 0)
		end = DAY_MINUTES;
	w.start_min = (uint16_t)start;
	w.end_min = (uint16_t)end;
	*ret = w;
	return 0;
}

bool guard_window_contains(const struct guard_window *w, const struct guard_localtime *t)
{
	unsigned m, prev;

	if (t->wday < 0 || t->wday > 6 || t->hour < 0 || t->hour > 23 || t->min < 0 || t->min > 59)
		return false;
	m = (unsigned)(t->hour * 60 + t->min);
	prev = (unsigned)(t->wday + 6) % 7;
	if (w->end_min > w->start_min)
		return (w->days >> t->wday & 1) && m >= w->start_min && m < w->end_min;
	/* Past midnight the window still belongs to the day it started. */
	return ((w->days >> t->wday & 1) && m >= w->start_min) ||
	       ((w->days >> prev & 1) && m < w->end_min);
}

static void append(char *buf, unsigned size, unsigned *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > size)
		n = *len + 1 < size ? size - *len - 1 : 0;
	memcpy(buf + *len, s, n);
	*len += (unsigned)n;
	buf[*len] = '\0';
}

/* Days in week order from Monday; runs of three or more as ranges. */
static void format_days(uint8_t days, char *buf, unsigned size, unsigned *len)
{
	bool first = true;
	int i = 0, k;

	/* Start at a day that opens a run, so a run across Sunday stays one. */
	while (i < 7 && !((days >> ((i + 1) % 7) & 1) && !(days >> (i % 7) & 1)))
		i++;
	for (k = 0; k < 7;) {
		int d = (i + 1 + k) % 7, n = 0;

		if (!(days >> d & 1)) {
			k++;
			continue;
		}
		while (k + n < 7 && (days >> ((d + n) % 7) & 1))
			n++;
		if (!first)
			append(buf, size, len, ",");
		first = false;
		append(buf, size, len, day_names[d]);
		if (n == 2) {
			append(buf, size, len, ",");
			append(buf, size, len, day_names[(d + 1) % 7]);
		} else if (n > 2) {
			append(buf, size, len, "-");
			append(buf, size, len, day_names[(d + n - 1) % 7]);
		}
		k += n;
	}
}

void guard_window_format(const struct guard_window *w, char *buf, unsigned size)
{
	unsigned len = 0;
	char times[16];
	bool whole_day = w->start_min == 0 && w->end_min == DAY_MINUTES;

	if (size == 0)
		return;
	buf[0] = '\0';
	if ((w->days & ALL_DAYS) == ALL_DAYS && whole_day) {
		append(buf, size, &len, "*");
		return;
	}
	if ((w->days & ALL_DAYS) != ALL_DAYS) {
		format_days(w->days & ALL_DAYS, buf, size, &len);
		if (whole_day)
			return;
		append(buf, size, &len, " ");
	}
	snprintf(times, sizeof(times), "%02u:%02u-%02u:%02u", w->start_min / 60u % 100,
		 w->start_min % 60u, w->end_min / 60u % 100, w->end_min % 60u);
	append(buf, size, &len, times);
}

static bool any_contains(const struct guard_window *w, unsigned n, const struct guard_tz *tz,
			 int64_t utc)
{
	struct guard_localtime lt;

	if (guard_tz_localtime(tz, utc, &lt) < 0)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (guard_window_contains(&w[i], &lt))
			return true;
	return false;
}

/* The earliest window start strictly inside the local span (from, to),
 * which runs at offset utoff; INT64_MAX when none. */
static int64_t first_start_in(const struct guard_window *w, unsigned n, int64_t from, int64_t to,
			      int32_t utoff)
{
	int64_t best = INT64_MAX;
	int64_t d0 = guard_floor_div(from, 86400), d1 = guard_floor_div(to, 86400);

	for (int64_t d = d0; d <= d1; d++) {
		int wday = guard_weekday(d);

		for (unsigned i = 0; i < n; i++) {
			int64_t l = d * 86400 + (int64_t)w[i].start_min * 60;

			if ((w[i].days >> wday & 1) && l > from && l < to && l - utoff < best)
				best = l - utoff;
		}
	}
	return best;
}

/* Between two changes of the zone local time runs with UTC, so the first
 * open instant of each such span is its beginning or a window's start.
 * A window that starts in a skipped hour opens when the clock jumps into
 * it; one wholly inside the skipped hour does not open that day. */
int guard_window_next_open(const struct guard_window *w, unsigned n, const struct guard_tz *tz,
			   int64_t now, int64_t *ret)
{
	int64_t limit, t = now;
	struct guard_localtime lt;

	/* Also keeps the sums below in range. */
	if (guard_tz_localtime(tz, now, &lt) < 0)
		return -ENOENT;
	limit = now + SEARCH_DAYS * 86400;
	while (t <= limit) {
		int64_t end, cand;

		if (guard_tz_localtime(tz, t, &lt) < 0)
			return -ENOENT;
		if (any_contains(w, n, tz, t)) {
			*ret = t;
			return 0;
		}
		if (guard_tz_next_change(tz, t, &end) < 0 || end > limit + 1)
			end = limit + 1;
		cand = first_start_in(w, n, t + lt.utoff, end + lt.utoff, lt.utoff);
		if (cand != INT64_MAX && cand <= limit && any_contains(w, n, tz, cand)) {
			*ret = cand;
			return 0;
		}
		t = end;
	}
	return -ENOENT;
}
