/* Points in time as people write them for `guardctl explain --at` and
 * `history --since`. */
#ifndef GUARD_DATETIME_H
#define GUARD_DATETIME_H

#include <stdint.h>

#include "tz.h"

/* Parses "YYYY-MM-DD HH:MM[:SS]" or ISO 8601 "YYYY-MM-DDTHH:MM[:SS]" with an
 * optional "Z" or "+hh:mm"/"-hh:mm". Without an offset the time is local in
 * tz. Returns 0 with the UTC seconds, or -EINVAL (not such a time, or a
 * field out of range: 2026-02-30) or -ERANGE. */
int guard_parse_datetime(const char *s, const struct guard_tz *tz, int64_t *ret);

#endif
