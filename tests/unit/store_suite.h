/* A test suite's own store: a private directory (dir) and TEST_POLICY (p),
 * made before each test and removed after.  A suite that defines
 * STORE_SUITE_OPEN before including this has the store open (s) as well.
 *   TestSuite(name, .init = store_suite_init, .fini = store_suite_fini); */
#ifndef GUARD_TEST_STORE_SUITE_H
#define GUARD_TEST_STORE_SUITE_H

#include <time.h>

#include "store_fixture.h"

static char dir[64];
static struct guard_policy *p;
#ifdef STORE_SUITE_OPEN
static struct guard_store *s;
#endif

static inline void store_suite_init(void)
{
	store_dir(dir, sizeof(dir));
	p = test_policy(TEST_POLICY);
#ifdef STORE_SUITE_OPEN
	s = store_open(dir);
#endif
}

static inline void store_suite_fini(void)
{
#ifdef STORE_SUITE_OPEN
	guard_store_close(s);
#endif
	guard_policy_free(p);
	store_rm(dir);
}

/* The monotonic clock in seconds, to time how long a lock was waited for
 * or held. */
static inline double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
