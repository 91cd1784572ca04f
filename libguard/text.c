/* The bounded text buffer: see text.h. */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "names.h"
#include "timewin.h"

void guard_text_init(struct guard_text *t, char *buf, size_t size)
{
	t->buf = buf;
	t->size = size;
	t->len = 0;
	t->truncated = false;
	if (size > 0)
		buf[0] = '\0';
}

static void text_cut(struct guard_text *t)
{
	t->truncated = true;
	t->len = t->size - 1;
	if (t->size >= 4)
		memcpy(t->buf + t->size - 4, "...", 4);
}

void guard_text_add(struct guard_text *t, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (t->size == 0 || t->truncated)
		return;
	room = t->size - t->len;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		t->buf[t->len] = '\0';
	else if ((size_t)n >= room)
		text_cut(t);
	else
		t->len += (size_t)n;
}

void guard_text_escaped(struct guard_text *t, const char *s)
{
	char tmp[1024];

	guard_text_add(t, "%s", s ? guard_escape(s, tmp, sizeof(tmp)) : "(none)");
}

/* For writing a time in UTC when the zone cannot. */
static void utc_localtime(int64_t utc, struct guard_localtime *lt)
{
	int64_t days = guard_floor_div(utc, 86400), y;
	int64_t secs = utc - days * 86400;

	memset(lt, 0, sizeof(*lt));
	guard_civil_from_days(days, &y, &lt->mon, &lt->mday);
	lt->year = (int)y;
	lt->hour = (int)(secs / 3600);
	lt->min = (int)(secs / 60 % 60);
	lt->sec = (int)(secs % 60);
	lt->wday = guard_weekday(days);
	snprintf(lt->abbr, sizeof(lt->abbr), "UTC");
}

const char *guard_text_localtime(const struct guard_tz *tz, int64_t utc, struct guard_localtime *lt)
{
	if (tz && guard_tz_localtime(tz, utc, lt) == 0 && (unsigned)lt->wday <= 6)
		return guard_tz_name(tz);
	utc_localtime(utc, lt);
	return "UTC";
}

void guard_text_time(struct guard_text *t, const struct guard_tz *tz, int64_t now, int64_t when,
		     bool round_up, bool with_zone)
{
	struct guard_localtime lw, ln;
	const char *zone;
	int64_t rem = when % 60;

	if (round_up && rem != 0)
		when += rem > 0 ? 60 - rem : -rem;
	zone = guard_text_localtime(tz, when, &lw);
	if (strcmp(zone, guard_text_localtime(tz, now, &ln)) != 0) {
		/* One of the two is out of the zone's range: both in UTC. */
		utc_localtime(when, &lw);
		utc_localtime(now, &ln);
		zone = "UTC";
	}
	if (lw.year == ln.year && lw.mon == ln.mon && lw.mday == ln.mday)
		guard_text_add(t, "%02d:%02d", lw.hour, lw.min);
	else if (when - now < 6 * 86400 && now - when < 6 * 86400)
		guard_text_add(t, "%s %02d:%02d", guard_day_name(lw.wday), lw.hour, lw.min);
	else
		guard_text_add(t, "%04d-%02d-%02d %02d:%02d", lw.year, lw.mon, lw.mday, lw.hour,
			       lw.min);
	if (with_zone) {
		guard_text_add(t, " ");
		guard_text_escaped(t, zone);
	}
}

static bool shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-",
			*s))
			return false;
	return true;
}

static void text_word(struct guard_text *t, const char *arg)
{
	char tmp[1024];

	guard_escape(arg, tmp, sizeof(tmp));
	if (shell_safe(tmp)) {
		guard_text_add(t, "%s", tmp);
		return;
	}
	guard_text_add(t, "'");
	for (const char *p = tmp; *p; p++)
		guard_text_add(t, *p == '\'' ? "'\\''" : "%c", *p);
	guard_text_add(t, "'");
}

void guard_text_command(struct guard_text *t, int argc, char *const *argv)
{
	/* argv is the classifier's shown_argv: its secrets are masked
	 * already, where the tool's grammar puts them. Masking again here by
	 * a rougher rule hid what would run ("-c -p -aGsudo"). */
	for (int i = 0; i < argc && argv && argv[i]; i++) {
		if (i > 0)
			guard_text_add(t, " ");
		text_word(t, argv[i]);
	}
}
