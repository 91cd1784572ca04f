/* The monotonic clock in milliseconds: for bounds and deadlines, which a
 * wall clock set back or forward must not stretch or cut. */
#ifndef GUARD_MONOTONIC_H
#define GUARD_MONOTONIC_H

#include <stdint.h>
#include <time.h>

static inline int64_t guard_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
