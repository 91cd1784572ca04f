/* The TZif reader (RFC 8536): bytes in, transitions and the footer's rule
 * out. Pure, so that the fuzzers reach all of it; finding and reading the
 * file is tz_load.c's, using the result tz.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz_internal.h"

#define TZ_TYPES_MAX   256 /* a transition names its type in one byte */
#define TZ_CHARS_MAX   256 /* a type names its abbreviation in one byte */
#define TZ_LEAPS_MAX   1000
#define TZ_HEADER_SIZE 44
/* Transition times in a footer rule: -167 .. 167 hours (RFC 8536, v3). */
#define TZ_RULE_TIME_MAX (167 * 3600 + 59 * 60 + 59)

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

int guard_tzif_parse(const char *name, const char *file, const uint8_t *data, size_t size,
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
	return guard_tzif_parse(name, name, data, size, ret, err);
}

void guard_tz_free(struct guard_tz *tz)
{
	tz_destroy(tz);
}
