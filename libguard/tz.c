/* Conversions between UTC and a zone's local time, without the C library's
 * time zone machinery: that one works only in the process's TZ. The zone
 * comes from tzif.c (through tz_load.c); the calendar from civil.c. */
#include "tz.h"

#include <errno.h>
#include <string.h>

#include "civil.h"
#include "tz_internal.h"

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define UTC_MIN (-62135596800LL)
#define UTC_MAX (253402300799LL)

/* ---- the footer's rule: the times after the last transition ---- */

/* The UTC instant of a footer change in year y, made while utoff applies. */
static int64_t rule_instant(const struct rule_date *r, int64_t y, int32_t utoff)
{
	int64_t days;

	if (r->kind == 'J') {
		days = guard_days_from_civil(y, 1, 1) + r->day - 1;
		if (guard_is_leap(y) && r->day >= 60)
			days++;
	} else if (r->kind == 'D') {
		days = guard_days_from_civil(y, 1, 1) + r->day;
	} else {
		int64_t first = guard_days_from_civil(y, r->mon, 1);
		int mday = 1 + (r->wday - guard_weekday(first) + 7) % 7 + (r->week - 1) * 7;

		while (mday > guard_month_days(y, r->mon))
			mday -= 7;
		days = first + mday - 1;
	}
	return days * 86400 + r->secs - utoff;
}

/* The changes of years y-1 .. y+1 in order of time; ties keep the order of
 * the years, so a zone in DST all year ("0/0,J365/25") stays in DST. */
static void footer_changes(const struct footer *f, int64_t y, int64_t when[6], bool to_dst[6])
{
	unsigned i, j;

	for (i = 0; i < 3; i++) {
		when[2 * i] = rule_instant(&f->start, y - 1 + i, f->std.utoff);
		to_dst[2 * i] = true;
		when[2 * i + 1] = rule_instant(&f->end, y - 1 + i, f->dst.utoff);
		to_dst[2 * i + 1] = false;
	}
	for (i = 1; i < 6; i++) {
		for (j = i; j > 0 && when[j - 1] > when[j]; j--) {
			int64_t tw = when[j];
			bool td = to_dst[j];

			when[j] = when[j - 1];
			to_dst[j] = to_dst[j - 1];
			when[j - 1] = tw;
			to_dst[j - 1] = td;
		}
	}
}

static int64_t year_of(int64_t utc, int32_t utoff)
{
	int64_t y;
	int m, d;

	guard_civil_from_days(guard_floor_div(utc + utoff, 86400), &y, &m, &d);
	return y;
}

static const struct zone_type *footer_type(const struct footer *f, int64_t utc)
{
	int64_t when[6];
	bool to_dst[6];
	int i;

	if (!f->has_dst)
		return &f->std;
	footer_changes(f, year_of(utc, f->std.utoff), when, to_dst);
	for (i = 5; i >= 0; i--)
		if (when[i] <= utc)
			return to_dst[i] ? &f->dst : &f->std;
	return to_dst[0] ? &f->std : &f->dst;
}

/* The first footer change after utc, searched over a few years. */
static bool footer_next_change(const struct footer *f, int64_t utc, int64_t *ret)
{
	int64_t when[6], y;
	bool to_dst[6];
	int i;

	if (!f->has_dst)
		return false;
	y = year_of(utc, f->std.utoff);
	for (int k = 0; k < 3; k++) {
		footer_changes(f, y + k, when, to_dst);
		for (i = 0; i < 6; i++) {
			if (when[i] > utc) {
				*ret = when[i];
				return true;
			}
		}
	}
	return false;
}

/* ---- conversions ---- */

static const struct zone_type *type_at(const struct guard_tz *tz, int64_t utc)
{
	size_t lo = 0, hi = tz->timecnt;

	if (tz->timecnt == 0)
		return tz->footer.present ? footer_type(&tz->footer, utc) : &tz->types[0];
	if (utc < tz->trans[0])
		return &tz->types[0];
	if (utc >= tz->trans[tz->timecnt - 1] && tz->footer.present)
		return footer_type(&tz->footer, utc);
	/* The last transition <= utc. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (tz->trans[mid] <= utc)
			lo = mid;
		else
			hi = mid;
	}
	return &tz->types[tz->trans_type[lo]];
}

/* The first instant after utc at which the zone may change its offset. */
static bool next_change(const struct guard_tz *tz, int64_t utc, int64_t *ret)
{
	size_t lo = 0, hi = tz->timecnt;

	if (tz->timecnt == 0 || utc >= tz->trans[tz->timecnt - 1])
		return tz->footer.present && footer_next_change(&tz->footer, utc, ret);
	/* The first transition > utc. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tz->trans[mid] <= utc)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret = tz->trans[lo];
	return true;
}

int guard_tz_localtime(const struct guard_tz *tz, int64_t utc, struct guard_localtime *ret)
{
	const struct zone_type *t;
	int64_t local, days, secs, y;
	int m, d;

	if (!tz)
		return -EINVAL;
	if (utc < UTC_MIN - TZ_OFFSET_MAX || utc > UTC_MAX + TZ_OFFSET_MAX)
		return -ERANGE;
	t = type_at(tz, utc);
	local = utc + t->utoff;
	days = guard_floor_div(local, 86400);
	secs = local - days * 86400;
	guard_civil_from_days(days, &y, &m, &d);
	if (y < 1 || y > 9999)
		return -ERANGE;
	*ret = (struct guard_localtime){
	    .year = (int)y,
	    .mon = m,
	    .mday = d,
	    .hour = (int)(secs / 3600),
	    .min = (int)(secs / 60 % 60),
	    .sec = (int)(secs % 60),
	    .wday = guard_weekday(days),
	    .utoff = t->utoff,
	    .isdst = t->isdst,
	};
	memcpy(ret->abbr, t->abbr, sizeof(ret->abbr));
	return 0;
}

/* Local seconds since 1970-01-01T00:00 of the fields, normalised the way
 * mktime normalises them. */
static int local_seconds(const struct guard_localtime *l, int64_t *ret)
{
	int64_t y = l->year, m0 = (int64_t)l->mon - 1;

	y += guard_floor_div(m0, 12);
	m0 -= guard_floor_div(m0, 12) * 12;
	if (y < 1 || y > 9999)
		return -ERANGE;
	*ret = (guard_days_from_civil(y, (int)m0 + 1, 1) + (int64_t)l->mday - 1) * 86400 +
	       (int64_t)l->hour * 3600 + (int64_t)l->min * 60 + l->sec;
	if (*ret < UTC_MIN - 2 * 86400 || *ret > UTC_MAX + 2 * 86400)
		return -ERANGE;
	return 0;
}

/* Every UTC instant whose local time is the local seconds L, earliest
 * first: two in an overlap, none in a gap. Then *ret_gap gets the instant
 * as if the clock had not changed. */
static unsigned local_to_utc(const struct guard_tz *tz, int64_t local, int64_t out[4],
			     int64_t *ret_gap)
{
	/* Only changes within the widest offset of local can matter. */
	int64_t t = local - TZ_OFFSET_MAX - 1, end = local + TZ_OFFSET_MAX + 1;
	int32_t prev = type_at(tz, t)->utoff;
	unsigned n = 0, i;
	bool first = true;

	*ret_gap = local - prev;
	for (;;) {
		int32_t off = type_at(tz, t)->utoff;
		int64_t cand = local - off, change;
		bool seen = false;

		if (!first && off > prev && t + prev <= local && local < t + off)
			*ret_gap = local - prev;
		for (i = 0; i < n; i++)
			seen = seen || out[i] == cand;
		if (!seen && n < 4 && type_at(tz, cand)->utoff == off) {
			for (i = n++; i > 0 && out[i - 1] > cand; i--)
				out[i] = out[i - 1];
			out[i] = cand;
		}
		prev = off;
		first = false;
		if (!next_change(tz, t, &change) || change > end)
			break;
		t = change;
	}
	return n;
}

int guard_tz_mktime(const struct guard_tz *tz, const struct guard_localtime *local, int64_t *ret)
{
	int64_t l, out[4], gap;
	int r;

	if (!tz)
		return -EINVAL;
	r = local_seconds(local, &l);
	if (r < 0)
		return r;
	*ret = local_to_utc(tz, l, out, &gap) > 0 ? out[0] : gap;
	return 0;
}

int guard_tz_next_change(const struct guard_tz *tz, int64_t utc, int64_t *ret)
{
	int64_t t;

	if (!next_change(tz, utc, &t))
		return -ENOENT;
	*ret = t;
	return 0;
}

const char *guard_tz_name(const struct guard_tz *tz)
{
	return tz->name;
}
