/* A TZif (RFC 8536) reader and the conversions Guard needs, without the C
 * library's time zone machinery: that one works only in the process's TZ. */
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civil.h"

#define TZ_FILE_MAX    (256 * 1024)
#define TZ_NAME_MAX    255
#define TZ_ABBR_MAX    15
#define TZ_TYPES_MAX   256 /* a transition names its type in one byte */
#define TZ_CHARS_MAX   256 /* a type names its abbreviation in one byte */
#define TZ_LEAPS_MAX   1000
#define TZ_HEADER_SIZE 44
/* RFC 8536 recommends offsets within -25:59:59 .. +25:59:59; nothing real
 * comes close, and the bound keeps every sum below far from overflow. */
#define TZ_OFFSET_MAX (26 * 3600)
/* Transition times in a footer rule: -167 .. 167 hours (RFC 8536, v3). */
#define TZ_RULE_TIME_MAX (167 * 3600 + 59 * 60 + 59)

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define UTC_MIN (-62135596800LL)
#define UTC_MAX (253402300799LL)

struct zone_type {
	int32_t utoff;
	bool isdst;
	char abbr[TZ_ABBR_MAX + 1];
};

/* A footer date: Jn (Julian, no Feb 29), n (zero-based, with Feb 29), or
 * Mm.w.d; secs is the local time of day of the change. */
struct rule_date {
	char kind; /* 'J', 'D' or 'M' */
	int day, mon, week, wday;
	int32_t secs;
};

struct footer {
	bool present;
	bool has_dst;
	struct zone_type std, dst;
	struct rule_date start, end;
};

struct guard_tz {
	char name[TZ_NAME_MAX + 1];
	size_t timecnt;
	int64_t *trans;
	uint8_t *trans_type;
	size_t typecnt;
	struct zone_type *types;
	struct footer footer;
};

/* ---- footer: the POSIX TZ string with the RFC 8536 extensions ---- */

static bool parse_abbr(const char **p, char *out)
{
	const char *s = *p;
	size_t n = 0;

	if (*s == '<') {
		s++;
		while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		       (*s >= '0' && *s <= '9') || *s == '+' || *s == '-') {
			if (n >= TZ_ABBR_MAX)
				return false;
			out[n++] = *s++;
		}
		if (*s != '>')
			return false;
		s++;
	} else {
		while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
			if (n >= TZ_ABBR_MAX)
				return false;
			out[n++] = *s++;
		}
	}
	if (n < 3)
		return false;
	out[n] = '\0';
	*p = s;
	return true;
}

/* Up to max_digits decimal digits, value <= max. */
static bool parse_num(const char **p, int max_digits, int max, int *ret)
{
	const char *s = *p;
	int v = 0, n = 0;

	while (*s >= '0' && *s <= '9' && n < max_digits) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || v > max || (*s >= '0' && *s <= '9'))
		return false;
	*p = s;
	*ret = v;
	return true;
}

/* [+-]hh[:mm[:ss]], hours up to max_hours; seconds, signed as written. */
static bool parse_hms(const char **p, int max_hours, int32_t *ret)
{
	const char *s = *p;
	int sign = 1, h, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!parse_num(&s, 3, max_hours, &h))
		return false;
	if (*s == ':') {
		s++;
		if (!parse_num(&s, 2, 59, &m))
			return false;
		if (*s == ':') {
			s++;
			if (!parse_num(&s, 2, 59, &sec))
				return false;
		}
	}
	*p = s;
	*ret = sign * (h * 3600 + m * 60 + sec);
	return true;
}

static bool parse_rule_date(const char **p, struct rule_date *r)
{
	const char *s = *p;

	r->secs = 2 * 3600;
	if (*s == 'J') {
		s++;
		r->kind = 'J';
		if (!parse_num(&s, 3, 365, &r->day) || r->day < 1)
			return false;
	} else if (*s == 'M') {
		s++;
		r->kind = 'M';
		if (!parse_num(&s, 2, 12, &r->mon) || r->mon < 1 || *s++ != '.' ||
		    !parse_num(&s, 1, 5, &r->week) || r->week < 1 || *s++ != '.' ||
		    !parse_num(&s, 1, 6, &r->wday))
			return false;
	} else {
		r->kind = 'D';
		if (!parse_num(&s, 3, 365, &r->day))
			return false;
	}
	if (*s == '/') {
		s++;
		if (!parse_hms(&s, 167, &r->secs))
			return false;
	}
	*p = s;
	return true;
}

/* Parses the footer text (without its newlines). An empty one says nothing
 * about times after the last transition. */
static bool parse_footer(const char *s, struct footer *f)
{
	int32_t off;

	memset(f, 0, sizeof(*f));
	if (*s == '\0')
		return true;
	if (!parse_abbr(&s, f->std.abbr) || !parse_hms(&s, 24, &off))
		return false;
	/* POSIX offsets count west of Greenwich. */
	f->std.utoff = -off;
	f->present = true;
	if (*s == '\0')
		return true;
	if (!parse_abbr(&s, f->dst.abbr))
		return false;
	f->has_dst = true;
	f->dst.isdst = true;
	f->dst.utoff = f->std.utoff + 3600;
	if (*s != ',') {
		if (!parse_hms(&s, 24, &off))
			return false;
		f->dst.utoff = -off;
	}
	/* zic always writes the rules; POSIX leaves their absence to the
	 * implementation, and guessing one is not our business. */
	if (*s++ != ',' || !parse_rule_date(&s, &f->start) || *s++ != ',' ||
	    !parse_rule_date(&s, &f->end))
		return false;
	return *s == '\0';
}

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

/* ---- TZif parsing ---- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_header {
	char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static int tz_invalid(struct guard_error *err, const char *file, const char *what)
{
	guard_error_set(err, file, 0, "not a valid TZif file: %s", what);
	return -EINVAL;
}

static int parse_header(const uint8_t *p, size_t avail, struct tzif_header *h, const char *file,
			struct guard_error *err)
{
	if (avail < TZ_HEADER_SIZE)
		return tz_invalid(err, file, "truncated header");
	if (memcmp(p, "TZif", 4) != 0)
		return tz_invalid(err, file, "bad magic");
	h->version = (char)p[4];
	if (h->version != 0 && (h->version < '2' || h->version > '4'))
		return tz_invalid(err, file, "unsupported version");
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	return 0;
}

/* The counts of the block we read (the version 1 block of a newer file is
 * only skipped: old writers leave it minimal or empty). */
static int check_counts(const struct tzif_header *h, const char *file, struct guard_error *err)
{
	if (h->typecnt == 0 || h->typecnt > TZ_TYPES_MAX)
		return tz_invalid(err, file, "bad number of local time types");
	if (h->charcnt == 0 || h->charcnt > TZ_CHARS_MAX)
		return tz_invalid(err, file, "bad size of the abbreviations");
	if ((h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
		return tz_invalid(err, file, "bad number of indicators");
	if (h->leapcnt > TZ_LEAPS_MAX)
		return tz_invalid(err, file, "too many leap second records");
	/* Every transition takes at least 5 bytes: the file size caps it. */
	if (h->timecnt > TZ_FILE_MAX / 5)
		return tz_invalid(err, file, "too many transitions");
	return 0;
}

/* Bytes of the data block that follows a header; time_size is 4 or 8. */
static uint64_t block_size(const struct tzif_header *h, unsigned time_size)
{
	return (uint64_t)h->timecnt * (time_size + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
	       (uint64_t)h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt;
}

static int parse_block(struct guard_tz *tz, const struct tzif_header *h, const uint8_t *p,
		       unsigned time_size, const char *file, struct guard_error *err)
{
	const uint8_t *idx, *ttinfo, *chars, *ind;
	size_t i;

	tz->timecnt = h->timecnt;
	tz->typecnt = h->typecnt;
	tz->trans = calloc(h->timecnt ? h->timecnt : 1, sizeof(*tz->trans));
	tz->trans_type = calloc(h->timecnt ? h->timecnt : 1, 1);
	tz->types = calloc(h->typecnt, sizeof(*tz->types));
	if (!tz->trans || !tz->trans_type || !tz->types) {
		guard_error_set(err, file, 0, "out of memory");
		return -ENOMEM;
	}
	idx = p + (size_t)h->timecnt * time_size;
	ttinfo = idx + h->timecnt;
	chars = ttinfo + (size_t)h->typecnt * 6;
	/* Leap second records are skipped: the "posix" zone files have none,
	 * and a minute-granular policy does not need them. */
	ind = chars + h->charcnt + (size_t)h->leapcnt * (time_size + 4);

	for (i = 0; i < h->timecnt; i++) {
		const uint8_t *t = p + i * time_size;

		tz->trans[i] = time_size == 8 ? be64(t) : (int32_t)be32(t);
		if (i > 0 && tz->trans[i] <= tz->trans[i - 1])
			return tz_invalid(err, file, "transition times not ascending");
		if (idx[i] >= h->typecnt)
			return tz_invalid(err, file, "transition names a missing local time type");
		tz->trans_type[i] = idx[i];
	}
	for (i = 0; i < h->typecnt; i++) {
		const uint8_t *t = ttinfo + i * 6;
		int32_t utoff = (int32_t)be32(t);
		const char *abbr, *nul;
		size_t len;

		if (utoff < -TZ_OFFSET_MAX || utoff > TZ_OFFSET_MAX)
			return tz_invalid(err, file, "UTC offset out of range");
		if (t[4] > 1)
			return tz_invalid(err, file, "bad DST flag");
		if (t[5] >= h->charcnt)
			return tz_invalid(err, file, "abbreviation index out of range");
		abbr = (const char *)chars + t[5];
		nul = memchr(abbr, '\0', h->charcnt - t[5]);
		if (!nul)
			return tz_invalid(err, file, "abbreviation not terminated");
		len = (size_t)(nul - abbr);
		if (len > TZ_ABBR_MAX)
			return tz_invalid(err, file, "abbreviation too long");
		tz->types[i].utoff = utoff;
		tz->types[i].isdst = t[4];
		memcpy(tz->types[i].abbr, abbr, len);
		tz->types[i].abbr[len] = '\0';
	}
	for (i = 0; i < (size_t)h->isstdcnt + h->isutcnt; i++)
		if (ind[i] > 1)
			return tz_invalid(err, file, "bad standard/UT indicator");
	return 0;
}

static void tz_destroy(struct guard_tz *tz)
{
	if (!tz)
		return;
	free(tz->trans);
	free(tz->trans_type);
	free(tz->types);
	free(tz);
}

/* The footer of a version 2+ file: "\n" TZ string "\n", then the end. */
static int read_footer(const uint8_t *p, size_t left, struct footer *f, const char *file,
		       struct guard_error *err)
{
	char text[256];
	const uint8_t *nl;
	size_t len;

	if (left < 2 || p[0] != '\n')
		return tz_invalid(err, file, "missing footer");
	nl = memchr(p + 1, '\n', left - 1);
	len = nl ? (size_t)(nl - (p + 1)) : 0;
	if (!nl || len >= sizeof(text) || memchr(p + 1, '\0', len))
		return tz_invalid(err, file, "bad footer");
	if ((size_t)(nl - p) + 1 != left)
		return tz_invalid(err, file, "trailing data after the footer");
	memcpy(text, p + 1, len);
	text[len] = '\0';
	if (!parse_footer(text, f))
		return tz_invalid(err, file, "bad TZ string in the footer");
	return 0;
}

static int tz_parse(const char *name, const char *file, const uint8_t *data, size_t size,
		    struct guard_tz **ret, struct guard_error *err)
{
	struct tzif_header h;
	struct guard_tz *tz = NULL;
	const uint8_t *p = data;
	size_t left = size;
	uint64_t need;
	unsigned time_size = 4;
	int r;

	if (size > TZ_FILE_MAX)
		return tz_invalid(err, file, "file too large");
	if (!data)
		left = 0;
	r = parse_header(p, left, &h, file, err);
	if (r < 0)
		return r;
	if (h.version == 0) {
		r = check_counts(&h, file, err);
		if (r < 0)
			return r;
	}
	need = block_size(&h, 4);
	if (need > left - TZ_HEADER_SIZE)
		return tz_invalid(err, file, "truncated data");
	if (h.version != 0) {
		/* The 32-bit block only serves old readers: skip it. */
		p += TZ_HEADER_SIZE + need;
		left -= TZ_HEADER_SIZE + need;
		r = parse_header(p, left, &h, file, err);
		if (r < 0)
			return r;
		if (h.version < '2')
			return tz_invalid(err, file, "second header of an older version");
		r = check_counts(&h, file, err);
		if (r < 0)
			return r;
		time_size = 8;
		need = block_size(&h, 8);
		if (need > left - TZ_HEADER_SIZE)
			return tz_invalid(err, file, "truncated data");
	}

	tz = calloc(1, sizeof(*tz));
	if (!tz) {
		guard_error_set(err, file, 0, "out of memory");
		return -ENOMEM;
	}
	snprintf(tz->name, sizeof(tz->name), "%s", name ? name : "");
	r = parse_block(tz, &h, p + TZ_HEADER_SIZE, time_size, file, err);
	if (r < 0)
		goto fail;
	p += TZ_HEADER_SIZE + need;
	left -= TZ_HEADER_SIZE + need;

	if (time_size == 8) {
		r = read_footer(p, left, &tz->footer, file, err);
		if (r < 0)
			goto fail;
	} else if (left != 0) {
		r = tz_invalid(err, file, "trailing data");
		goto fail;
	}
	*ret = tz;
	return 0;
fail:
	tz_destroy(tz);
	return r;
}

int guard_tz_parse(const char *name, const uint8_t *data, size_t size, struct guard_tz **ret,
		   struct guard_error *err)
{
	return tz_parse(name, name, data, size, ret, err);
}

void guard_tz_free(struct guard_tz *tz)
{
	tz_destroy(tz);
}

const char *guard_tz_name(const struct guard_tz *tz)
{
	return tz->name;
}

/* ---- loading ---- */

/* IANA names only: components of [A-Za-z0-9_+-], separated by single
 * slashes. Without '.' no component can climb out of the directory. */
static bool zone_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (c == '/' && name[i + 1] == '/')
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '+' || c == '-'))
			return false;
	}
	return strstr(name, "..") == NULL;
}

static int utc_zone(struct guard_tz **ret)
{
	struct guard_tz *tz = calloc(1, sizeof(*tz));

	if (!tz)
		return -ENOMEM;
	tz->types = calloc(1, sizeof(*tz->types));
	if (!tz->types) {
		free(tz);
		return -ENOMEM;
	}
	tz->typecnt = 1;
	snprintf(tz->types[0].abbr, sizeof(tz->types[0].abbr), "UTC");
	snprintf(tz->name, sizeof(tz->name), "UTC");
	*ret = tz;
	return 0;
}

/* The zone /etc/localtime names when it links into a zoneinfo directory. */
static void system_zone_name(char *buf, size_t size)
{
	char target[PATH_MAX];
	const char *z, *next;
	ssize_t n;

	snprintf(buf, size, "system");
	n = readlink(GUARD_TZ_SYSTEM_FILE, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	z = strstr(target, "/zoneinfo/");
	if (!z)
		return;
	while ((next = strstr(z + 1, "/zoneinfo/")))
		z = next;
	z += strlen("/zoneinfo/");
	if (zone_name_ok(z))
		snprintf(buf, size, "%s", z);
}

static int read_zone_file(const char *path, uint8_t **ret_data, size_t *ret_size,
			  struct guard_error *err)
{
	struct stat st;
	uint8_t *data = NULL;
	size_t size = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT)
			guard_error_set(err, path, 0, "no such time zone");
		else
			guard_error_set(err, path, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		guard_error_set(err, path, 0, "cannot stat: %s", strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		guard_error_set(err, path, 0, "not a regular file");
		goto out;
	}
	if (st.st_size > TZ_FILE_MAX) {
		r = -EFBIG;
		guard_error_set(err, path, 0, "larger than %d bytes", TZ_FILE_MAX);
		goto out;
	}
	/* One byte more than allowed, to notice a file that grew. */
	data = malloc(TZ_FILE_MAX + 1);
	if (!data) {
		r = -ENOMEM;
		guard_error_set(err, path, 0, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, data + size, TZ_FILE_MAX + 1 - size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			guard_error_set(err, path, 0, "cannot read: %s", strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		size += (size_t)n;
		if (size > TZ_FILE_MAX) {
			r = -EFBIG;
			guard_error_set(err, path, 0, "larger than %d bytes", TZ_FILE_MAX);
			goto out;
		}
	}
	*ret_data = data;
	*ret_size = size;
	data = NULL;
	r = 0;
out:
	free(data);
	close(fd);
	return r;
}

int guard_tz_load(const char *name, const char *zoneinfo_dir, struct guard_tz **ret,
		  struct guard_error *err)
{
	char path[PATH_MAX], zone[TZ_NAME_MAX + 1];
	uint8_t *data = NULL;
	size_t size = 0;
	int r;

	if (!name || !zone_name_ok(name)) {
		char shown[64];

		guard_error_set(err, NULL, 0, "invalid time zone name \"%s\"",
				guard_escape(name ? name : "", shown, sizeof(shown)));
		return -EINVAL;
	}
	if (strcmp(name, "UTC") == 0) {
		r = utc_zone(ret);
		if (r < 0)
			guard_error_set(err, NULL, 0, "out of memory");
		return r;
	}
	if (strcmp(name, "system") == 0) {
		snprintf(path, sizeof(path), "%s", GUARD_TZ_SYSTEM_FILE);
		system_zone_name(zone, sizeof(zone));
	} else {
		if (!zoneinfo_dir)
			zoneinfo_dir = GUARD_TZ_ZONEINFO_DIR;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", zoneinfo_dir, name) >=
		    sizeof(path)) {
			guard_error_set(err, NULL, 0, "time zone path too long");
			return -ENAMETOOLONG;
		}
		snprintf(zone, sizeof(zone), "%s", name);
	}
	r = read_zone_file(path, &data, &size, err);
	if (r < 0)
		return r;
	r = tz_parse(zone, path, data, size, ret, err);
	free(data);
	return r;
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
