/* Shared by the unit tests: build policies from text. */
#ifndef GUARD_TEST_HELPERS_H
#define GUARD_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <string.h>

#include "policy.h"

#define TEST_ZONEINFO "/usr/share/zoneinfo"

/* Parses text as the file "test.conf" and finishes the policy; the test
 * fails when that does not succeed. */
static inline struct guard_policy *test_policy(const char *text)
{
	struct guard_policy *p = NULL;
	struct guard_error err = {0};

	cr_assert_eq(guard_policy_new(&p), 0);
	if (guard_policy_parse_text(p, "test.conf", text, strlen(text), &err) != 0 ||
	    guard_policy_finish(p, TEST_ZONEINFO, &err) != 0)
		cr_assert_fail("policy rejected: %s:%u: %s", err.file, err.line, err.message);
	return p;
}

/* Parses text and expects an error at the given line whose message contains
 * the given words. */
static inline void test_policy_error(const char *text, unsigned line, const char *words)
{
	struct guard_policy *p = NULL;
	struct guard_error err = {0};
	int r;

	cr_assert_eq(guard_policy_new(&p), 0);
	r = guard_policy_parse_text(p, "test.conf", text, strlen(text), &err);
	if (r == 0)
		r = guard_policy_finish(p, TEST_ZONEINFO, &err);
	cr_assert_neq(r, 0, "policy accepted, expected an error about '%s':\n%s", words, text);
	cr_expect_eq(err.line, line, "error at line %u, expected %u: %s", err.line, line,
		     err.message);
	cr_expect(strstr(err.message, words) != NULL, "error '%s' does not say '%s'", err.message,
		  words);
	guard_policy_free(p);
}

#endif
