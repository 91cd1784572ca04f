/* The filesystem check of homes (home_check.c) on a directory tree made
 * for the test. It walks from "/", so it needs a tree whose ancestors are
 * root's and writable by root alone, and root to chown: run as root from
 * a source tree outside /tmp, else skipped. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "home_check.h"

static char base[PATH_MAX];
static struct guard_policy *policy;
static struct guard_error err;

static void mkdir_mode(const char *name, mode_t mode, uid_t owner)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", base, name);
	cr_assert_eq(mkdir(p, 0700), 0, "mkdir %s: %s", p, strerror(errno));
	cr_assert_eq(chmod(p, mode), 0);
	cr_assert_eq(chown(p, owner, 0), 0);
}

static void setup(void)
{
	char tmpl[PATH_MAX], text[PATH_MAX + 128];
	struct guard_home probe = {.op = GUARD_HOME_CREATE};

	memset(&err, 0, sizeof(err));
	if (geteuid() != 0)
		cr_skip_test("not root: cannot make root's and others' directories");
	cr_assert(realpath("build", tmpl), "no build directory");
	strncat(tmpl, "/home_check.XXXXXX", sizeof(tmpl) - strlen(tmpl) - 1);
	cr_assert(mkdtemp(tmpl));
	snprintf(base, sizeof(base), "%s", tmpl);
	cr_assert_eq(chmod(base, 0755), 0);
	snprintf(text, sizeof(text), "settings {\n  home_roots = { \"%s/roots\" }\n}\n", base);
	policy = test_policy(text);
	probe.path = (char[PATH_MAX + 16]){0};
	snprintf(probe.path, PATH_MAX + 16, "%s/probe", base);
	if (guard_home_check(policy, &probe, 0, &err) != 0)
		cr_skip_test("the source tree's parents fail the check: %s", err.message);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 32];

	guard_policy_free(policy);
	if (base[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", base);
		(void)!system(cmd);
	}
}

TestSuite(home_check, .init = setup, .fini = teardown);

static int check(enum guard_home_op op, const char *rel, const char *user)
{
	char p[PATH_MAX + 64];
	struct guard_home h = {.op = op, .path = p, .user = (char *)user};

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	memset(&err, 0, sizeof(err));
	return guard_home_check(policy, &h, 0, &err);
}

#define expect_refused(r, words)                                                                   \
	do {                                                                                       \
		cr_expect_eq((r), -EPERM);                                                         \
		cr_expect(strstr(err.message, (words)), "'%s' does not say '%s'", err.message,     \
			  (words));                                                                \
	} while (0)

Test(home_check, new_homes)
{
	char p[PATH_MAX + 64];

	cr_expect_eq(check(GUARD_HOME_CREATE, "new", NULL), 0, "%s", err.message);
	/* Missing parents are made by the tool, as root. */
	cr_expect_eq(check(GUARD_HOME_CREATE, "a/b/c", NULL), 0, "%s", err.message);
	mkdir_mode("exists", 0755, 0);
	expect_refused(check(GUARD_HOME_CREATE, "exists", NULL), "exists already");
	snprintf(p, sizeof(p), "%s/l", base);
	cr_assert_eq(symlink("/etc", p), 0);
	expect_refused(check(GUARD_HOME_CREATE, "l/x", NULL), "is a symbolic link");
	expect_refused(check(GUARD_HOME_CREATE, "l", NULL), "symbolic link");
	mkdir_mode("world", 0777, 0);
	expect_refused(check(GUARD_HOME_CREATE, "world/x", NULL), "writable by everyone");
	mkdir_mode("sticky", 01777, 0);
	expect_refused(check(GUARD_HOME_CREATE, "sticky/x", NULL), "writable by everyone");
	mkdir_mode("group", 0775, 0);
	expect_refused(check(GUARD_HOME_CREATE, "group/x", NULL), "writable by its group");
	mkdir_mode("other", 0755, 12345);
	expect_refused(check(GUARD_HOME_CREATE, "other/x", NULL), "owned by uid 12345");
	/* Deeper: the first bad component is named. */
	mkdir_mode("other/sub", 0755, 0);
	expect_refused(check(GUARD_HOME_CREATE, "other/sub/x", NULL), "other' is owned");
}

Test(home_check, own_homes)
{
	mkdir_mode("roots", 0755, 0);
	mkdir_mode("roots/mine", 0700, 0);
	cr_expect_eq(check(GUARD_HOME_OWN, "roots/mine", "root"), 0, "%s", err.message);
	cr_expect_eq(check(GUARD_HOME_OWN, "roots/gone", "root"), 0, "%s", err.message);
	mkdir_mode("roots/theirs", 0700, 12345);
	expect_refused(check(GUARD_HOME_OWN, "roots/theirs", "root"), "not by root");
	mkdir_mode("outside", 0700, 0);
	expect_refused(check(GUARD_HOME_OWN, "outside", "root"), "home_roots");
	{
		char p[PATH_MAX + 64];
		snprintf(p, sizeof(p), "%s/roots/link", base);
		cr_assert_eq(symlink(base, p), 0);
	}
	expect_refused(check(GUARD_HOME_OWN, "roots/link", "root"), "symbolic link");
	/* No such account: the tool fails and removes nothing. */
	cr_expect_eq(check(GUARD_HOME_OWN, "roots/theirs", "no-such-user-x"), 0);
}
