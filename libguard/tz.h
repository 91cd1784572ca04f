/* Local time in the policy's time zone, read from the zoneinfo database
 * (TZif, RFC 8536) by Guard itself. glibc converts only in the process's
 * TZ, which inside su or sudo is the caller's; a PAM module may not change
 * it. Nothing here reads or changes the environment. */
#ifndef GUARD_TZ_H
#define GUARD_TZ_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Where zones are read from unless told otherwise, and the file that "system"
 * names. */
#define GUARD_TZ_ZONEINFO_DIR "/usr/share/zoneinfo"
#define GUARD_TZ_SYSTEM_FILE  "/etc/localtime"

struct guard_tz;

struct guard_localtime {
	int year;      /* e.g. 2026 */
	int mon;       /* 1-12 */
	int mday;      /* 1-31 */
	int hour;      /* 0-23 */
	int min;       /* 0-59 */
	int sec;       /* 0-60 */
	int wday;      /* 0 = Sunday */
	int32_t utoff; /* seconds east of UTC */
	bool isdst;
	char abbr[16]; /* "CET", "+0530" */
};

/* Loads a zone: "system" (/etc/localtime), "UTC" (built in), or an IANA
 * name ("Europe/Berlin") looked up under zoneinfo_dir (NULL:
 * /usr/share/zoneinfo). Names longer than 255 bytes, with "..", an empty
 * component, a leading "/", or bytes outside [A-Za-z0-9/_+-] are refused.
 * Returns 0, or -EINVAL (bad name, not a regular file, malformed), -ENOENT
 * (no such zone), -EFBIG (over 256 KiB) or another -errno, with err filled
 * (its file is the path read). */
int guard_tz_load(const char *name, const char *zoneinfo_dir, struct guard_tz **ret,
		  struct guard_error *err);

/* Parses a TZif image (RFC 8536, versions 1 to 4) already in memory (pure;
 * used by guard_tz_load and the fuzzers). The footer's TZ string, with the
 * version 3 extensions, describes the times after the last transition; leap
 * second records are skipped, not applied. Returns 0, or -EINVAL (or
 * -ENOMEM) with err filled, its file being name. */
int guard_tz_parse(const char *name, const uint8_t *data, size_t size, struct guard_tz **ret,
		   struct guard_error *err);

void guard_tz_free(struct guard_tz *tz);

/* The name the zone was loaded under ("Europe/Berlin", or the target of
 * /etc/localtime when it names one, else "system"). */
const char *guard_tz_name(const struct guard_tz *tz);

/* Converts a UTC time to local time. Returns 0, or -ERANGE when the local
 * year would fall outside 1..9999. */
int guard_tz_localtime(const struct guard_tz *tz, int64_t utc, struct guard_localtime *ret);

/* Converts a local wall-clock time (year, mon, mday, hour, min, sec; the
 * other fields are ignored, out-of-range ones carry over as with mktime) to
 * UTC. A time repeated by a change resolves to its first occurrence; a time
 * skipped by one resolves as if the clock had not changed, at the offset
 * before the change (2026-03-29 02:30 in Berlin is 03:30 CEST). Returns 0,
 * or -ERANGE outside the years 1..9999. */
int guard_tz_mktime(const struct guard_tz *tz, const struct guard_localtime *local, int64_t *ret);

/* The first instant after utc at which the zone's local time type may
 * change: between two of them local time runs with UTC. Returns 0, or
 * -ENOENT when it never changes again. */
int guard_tz_next_change(const struct guard_tz *tz, int64_t utc, int64_t *ret);

#endif
