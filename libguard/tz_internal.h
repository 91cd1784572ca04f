/* The zone as the TZif parser leaves it, shared by the parser (tzif.c),
 * the loader (tz_load.c) and the conversions (tz.c). Internal to libguard:
 * everything else holds a struct guard_tz only through tz.h. */
#ifndef GUARD_TZ_INTERNAL_H
#define GUARD_TZ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tz.h"

#define TZ_FILE_MAX (256 * 1024)
#define TZ_NAME_MAX 255
#define TZ_ABBR_MAX 15
/* RFC 8536 recommends offsets within -25:59:59 .. +25:59:59; nothing real
 * comes close, and the bound keeps every sum below far from overflow. */
#define TZ_OFFSET_MAX (26 * 3600)

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

/* guard_tz_parse with the path read named apart from the zone's name:
 * errors name the file, the zone keeps the name it was asked for. */
int guard_tzif_parse(const char *name, const char *file, const uint8_t *data, size_t size,
		     struct guard_tz **ret, struct guard_error *err);

#endif
