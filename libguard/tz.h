/* Local time in the policy's time zone, read from the zoneinfo database
 * (TZif, RFC 8536) by Guard itself. glibc converts only in the process's
 * TZ, which inside su or sudo is the caller's; a PAM module may not change
 * it. Nothing here reads or changes the environment. */
#ifndef GUARD_TZ_H
#define GUARD_TZ_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

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

/* Loads a zone: "system" (/etc/localtime), "UTC", or an IANA name
 * ("Europe/Berlin") looked up under zoneinfo_dir (NULL: /usr/share/zoneinfo).
 * Names with "..", a leading "/", or bytes outside [A-Za-z0-9/_+-] are
 * refused. Returns 0, or -errno with err filled. */
int guard_tz_load(const char *name, const char *zoneinfo_dir, struct guard_tz **ret,
		  struct guard_error *err);

/* Parses a TZif image already in memory (pure; used by guard_tz_load and
 * the fuzzers). Returns 0 or -EINVAL with err filled. */
int guard_tz_parse(const char *name, const uint8_t *data, size_t size, struct guard_tz **ret,
		   struct guard_error *err);

void guard_tz_free(struct guard_tz *tz);

/* The name the zone was loaded under ("Europe/Berlin", or the target of
 * /etc/localtime when it names one, else "system"). */
const char *guard_tz_name(const struct guard_tz *tz);

/* Converts a UTC time to local time. Returns 0 or -ERANGE. */
int guard_tz_localtime(const struct guard_tz *tz, int64_t utc, struct guard_localtime *ret);

/* Converts a local wall-clock time (year, mon, mday, hour, min, sec) to UTC.
 * A time repeated by a DST change resolves to its first occurrence; a time
 * skipped by one resolves as if the clock had not changed (like mktime with
 * tm_isdst = -1). Returns 0 or -ERANGE. */
int guard_tz_mktime(const struct guard_tz *tz, const struct guard_localtime *local, int64_t *ret);

#endif
