/* The TZif reader: any bytes in, a zone or a clean error out. Property: a
 * zone that loads converts any time to a valid local time, and converting
 * that local time back lands within the zone's offset range of where it
 * started. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t probes[] = {0, 1700000000, -2208988800LL, 4102444800LL,
					 253402300000LL};
	struct guard_tz *tz = NULL;
	struct guard_error err = {0};

	if (guard_tz_parse("fuzz", data, size, &tz, &err) != 0) {
		if (err.message[0] == '\0')
			abort();
		return 0;
	}
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct guard_localtime lt;
		int64_t back;

		if (guard_tz_localtime(tz, probes[i], &lt) != 0)
			continue;
		if (lt.mon < 1 || lt.mon > 12 || lt.mday < 1 || lt.mday > 31 || lt.hour > 23 ||
		    lt.min > 59 || lt.sec > 60 || lt.wday < 0 || lt.wday > 6)
			abort();
		/* Offsets may differ by up to 52 h: a local time can name instants
		 * that far apart, no farther. */
		if (guard_tz_mktime(tz, &lt, &back) == 0 &&
		    (back - probes[i] > 3 * 86400 || probes[i] - back > 3 * 86400))
			abort();
	}
	guard_tz_free(tz);
	return 0;
}
