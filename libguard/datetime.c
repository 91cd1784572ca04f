#include "datetime.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "civil.h"

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
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > guard_month_days(y, mo) || h > 23 ||
	    mi > 59 || sec > 59)
		return -EINVAL;
	if (offset) {
		*ret = guard_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
		       sign * (oh * 3600 + om * 60);
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
