/* Times as `explain --at` takes them: local in the policy's zone unless an
 * offset says otherwise, strict fields, real calendar dates. */
#include <criterion/criterion.h>
#include <errno.h>

#include "datetime.h"
#include "helpers.h"

static struct guard_tz *berlin;

static void setup(void)
{
	struct guard_error err = {0};

	cr_assert_eq(guard_tz_load("Europe/Berlin", TEST_ZONEINFO, &berlin, &err), 0, "%s",
		     err.message);
}

static void teardown(void)
{
	guard_tz_free(berlin);
}

TestSuite(datetime, .init = setup, .fini = teardown);

static int64_t at(const char *s)
{
	int64_t t = -1;

	cr_assert_eq(guard_parse_datetime(s, berlin, &t), 0, "refused: %s", s);
	return t;
}

Test(datetime, local_times_are_in_the_policy_zone)
{
	/* 2026-11-28 10:02 CET is 09:02 UTC */
	cr_assert_eq(at("2026-11-28 10:02"), 1795856520);
	cr_assert_eq(at("2026-11-28T10:02"), 1795856520);
	cr_assert_eq(at("2026-11-28 10:02:30"), 1795856550);
	/* summer time: CEST, UTC+2 */
	cr_assert_eq(at("2026-07-01 12:00"), 1782900000);
}

Test(datetime, offsets_override_the_zone)
{
	cr_assert_eq(at("2026-11-28T09:02Z"), 1795856520);
	cr_assert_eq(at("2026-11-28T10:02+01:00"), 1795856520);
	cr_assert_eq(at("2026-11-28T04:02-05:00"), 1795856520);
	cr_assert_eq(at("2026-11-28T14:32:00+05:30"), 1795856520);
}

Test(datetime, calendar_and_fields_are_strict)
{
	static const char *const bad[] = {
	    "",
	    "2026-11-28",
	    "2026-11-28 10",
	    "2026-11-28 10:2",
	    "2026-11-28 24:00",
	    "2026-11-28 10:60",
	    "2026-11-28 10:02:60",
	    "2026-02-29 10:00",
	    "2026-13-01 10:00",
	    "2026-00-10 10:00",
	    "2026-04-31 10:00",
	    " 2026-11-28 10:02",
	    "2026-11-28 10:02 ",
	    "2026-11-28 10:02Z",
	    "2026-11-28T10:02+1:00",
	    "2026-11-28T10:02+24:00",
	    "2026/11/28 10:02",
	    "+2026-11-28 10:02",
	    "0000-01-01 00:00",
	    "tomorrow",
	};
	int64_t t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(guard_parse_datetime(bad[i], berlin, &t), -EINVAL, "accepted: '%s'",
			     bad[i]);
	cr_assert_eq(at("2028-02-29 10:00") > 0, true, "a leap day");
}

Test(datetime, dst_changes)
{
	/* 02:30 on the spring-forward day does not exist: as if the clock had
	 * not changed (03:30 CEST); on the fall-back day it is the first one. */
	cr_assert_eq(at("2026-03-29 02:30"), at("2026-03-29 03:30"));
	cr_assert_eq(at("2026-10-25 02:30"), at("2026-10-25T02:30+02:00"));
}

Test(datetime, a_local_time_needs_a_zone)
{
	int64_t t;

	cr_assert_eq(guard_parse_datetime("2026-11-28 10:02", NULL, &t), -EINVAL);
	cr_assert_eq(guard_parse_datetime("2026-11-28T09:02Z", NULL, &t), 0);
	cr_assert_eq(t, 1795856520);
}
