#include "datetime.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

int64_t guard_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* H. Hinnant's algorithm: exact over the whole proleptic calendar. */
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Exactly n digits at s. */
static bool digits(const char *s, unsigned n, int *ret)
{
	int v = 0;

	for (unsigned i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*ret = v;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int guard_parse_datetime(const char *s, const struct guard_tz *tz, int64_t *ret)
{
	struct guard_localtime lt = {0};
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, sign = 0;
	const char *p = s;
	bool offset = false;

	if (!digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &mo) || p[7] != '-' ||
	    !digits(p + 8, 2, &d) || (p[10] != ' ' && p[10] != 'T') || !digits(p + 11, 2, &h) ||
	    p[13] != ':' || !digits(p + 14, 2, &mi))
		return -EINVAL;
	p += 16;
	if (*p == ':') {
		if (!digits(p + 1, 2, &sec))
			return -EINVAL;
		p += 3;
	}
	if (*p == 'Z' && s[10] == 'T') {
		offset = true;
		p++;
	} else if ((*p == '+' || *p == '-') && s[10] == 'T') {
		sign = *p == '-' ? -1 : 1;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -EINVAL;
		offset = true;
		p += 6;
	}
	if (*p != '\0')
		return -EINVAL;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    sec > 59)
		return -EINVAL;
	if (offset) {
		*ret = guard_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
		       mi * 60 + sec - sign * (oh * 3600 + om * 60);
		return 0;
	}
	if (!tz)
		return -EINVAL; /* a local time needs its zone */
	lt.year = y;
	lt.mon = mo;
	lt.mday = d;
	lt.hour = h;
	lt.min = mi;
	lt.sec = sec;
	return guard_tz_mktime(tz, &lt, ret);
}
