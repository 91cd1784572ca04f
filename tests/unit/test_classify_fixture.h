/* Shared by the classifier's tests: an account database in memory (a table
 * resolver), a policy, and helpers to classify and look at the targets. */
#ifndef GUARD_TEST_CLASSIFY_FIXTURE_H
#define GUARD_TEST_CLASSIFY_FIXTURE_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "classify.h"
#include "helpers.h"

/* Not every test file uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

struct fake_user {
	const char *name;
	uint32_t uid;
	const char *groups[4];
};

static const struct fake_user fake_users[] = {
    {"root", 0, {"root"}},	     {"daemon", 1, {"daemon"}},
    {"bob", 1001, {"bob", "users"}}, {"alice", 1002, {"alice", "sudo", "users"}},
    {"carol", 1003, {"carol"}},	     {"busy", 1010, {"users"}},
    {"users", 1020, {"users"}},
};

struct fake_group {
	const char *name;
	uint32_t gid;
};

static const struct fake_group fake_groups[] = {
    {"root", 0},     {"daemon", 1},   {"adm", 4},	 {"sudo", 27},
    {"staff", 50},   {"users", 100},  {"docker", 999},	 {"bob", 1001},
    {"alice", 1002}, {"carol", 1003}, {"project", 1500},
};

static int fake_user_by_name(void *ctx, const char *name, struct guard_identity *ret)
{
	(void)ctx;
	if (strcmp(name, "broken") == 0)
		return -EIO;
	for (size_t i = 0; i < sizeof(fake_users) / sizeof(fake_users[0]); i++) {
		const struct fake_user *u = &fake_users[i];
		size_t n = 0;

		if (strcmp(u->name, name) != 0)
			continue;
		while (n < 4 && u->groups[n])
			n++;
		*ret = (struct guard_identity){.exists = true, .uid_known = true, .uid = u->uid};
		ret->name = strdup(u->name);
		ret->groups = calloc(n, sizeof(char *));
		for (size_t k = 0; k < n; k++)
			ret->groups[k] = strdup(u->groups[k]);
		ret->n_groups = n;
		return 0;
	}
	return -ENOENT;
}

static int fake_name_of_uid(void *ctx, uint32_t uid, char **ret_name)
{
	(void)ctx;
	if (uid == 666)
		return -EIO;
	for (size_t i = 0; i < sizeof(fake_users) / sizeof(fake_users[0]); i++)
		if (fake_users[i].uid == uid) {
			*ret_name = strdup(fake_users[i].name);
			return *ret_name ? 0 : -ENOMEM;
		}
	return -ENOENT;
}

static int fake_group_by_name(void *ctx, const char *name, uint32_t *ret_gid)
{
	(void)ctx;
	if (strcmp(name, "iofail") == 0)
		return -EIO;
	for (size_t i = 0; i < sizeof(fake_groups) / sizeof(fake_groups[0]); i++)
		if (strcmp(fake_groups[i].name, name) == 0) {
			*ret_gid = fake_groups[i].gid;
			return 0;
		}
	return -ENOENT;
}

static int fake_group_by_gid(void *ctx, uint32_t gid, char **ret_name)
{
	(void)ctx;
	if (gid == 666)
		return -EIO;
	for (size_t i = 0; i < sizeof(fake_groups) / sizeof(fake_groups[0]); i++)
		if (fake_groups[i].gid == gid) {
			*ret_name = strdup(fake_groups[i].name);
			return 0;
		}
	return -ENOENT;
}

static int fake_shell_allowed(void *ctx, const char *shell)
{
	(void)ctx;
	if (strcmp(shell, "/bin/broken") == 0)
		return -EIO;
	if (strcmp(shell, "/bin/bash") == 0 || strcmp(shell, "/bin/sh") == 0 ||
	    strcmp(shell, "/usr/sbin/nologin") == 0)
		return 0;
	return -ENOENT;
}

/* Processes: busy's (uid 1010), and one left by an account deleted while
 * it ran (uid 3000); uid 666 cannot be told. */
static int fake_uid_running(void *ctx, uint32_t uid, int *ret_pid)
{
	(void)ctx;
	if (uid == 666)
		return -EIO;
	if (uid != 1010 && uid != 3000)
		return -ENOENT;
	*ret_pid = (int)uid + 40000;
	return 0;
}

/* Debian 12's: login.defs USERGROUPS_ENAB yes, no CREATE_HOME; adduser.conf
 * as shipped. */
static struct guard_tool_defaults fake_defaults = {
    .useradd_usergroups = true,
    .useradd_home = "/home",
    .useradd_group = "100",
    .adduser_usergroups = true,
    .adduser_home = "/home",
    .adduser_extra_groups = "users",
    .gid_min = 1000,
};

static struct guard_resolver fake_resolver = {
    .user_by_name = fake_user_by_name,
    .name_of_uid = fake_name_of_uid,
    .group_by_name = fake_group_by_name,
    .group_by_gid = fake_group_by_gid,
    .shell_allowed = fake_shell_allowed,
    .uid_running = fake_uid_running,
    .defaults = &fake_defaults,
};

static const char fixture_policy_text[] =
    "settings {\n"
    "  home_roots = { \"/home\", \"/srv/homes\" }\n"
    "}\n"
    "privileged_groups = { \"root\", \"sudo\", \"wheel\", \"adm\", \"docker\" }\n"
    "protected_users = { \"root\", \"uid:0-999\" }\n"
    "command \"rotate-keys\" {\n"
    "  path = \"/usr/local/sbin/rotate-keys\"\n"
    "  actions = { \"user.modify\", \"user.password\" }\n"
    "}\n"
    "command \"useradd\" { path = \"/opt/shadow/useradd\" }\n";

static struct guard_policy *policy;
static struct guard_classification cls;
static struct guard_error cerr;

static void fixture_setup(void)
{
	fake_defaults = (struct guard_tool_defaults){
	    .useradd_usergroups = true,
	    .useradd_home = "/home",
	    .useradd_group = "100",
	    .adduser_usergroups = true,
	    .adduser_home = "/home",
	    .adduser_extra_groups = "users",
	    .gid_min = 1000,
	};
	fake_resolver.defaults = &fake_defaults;
	policy = test_policy(fixture_policy_text);
	memset(&cls, 0, sizeof(cls));
	memset(&cerr, 0, sizeof(cerr));
}

static void fixture_teardown(void)
{
	guard_classification_clear(&cls);
	guard_policy_free(policy);
}

static int classify_batch_v(const char *batch, size_t len, const char *first, va_list ap)
{
	char *argv[64];
	int argc = 0;

	guard_classification_clear(&cls);
	memset(&cerr, 0, sizeof(cerr));
	for (const char *a = first; a && argc < 63; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	argv[argc] = NULL;
	return guard_classify(policy, &fake_resolver, argc, argv, (const uint8_t *)batch, len, &cls,
			      &cerr);
}

/* classify("usermod", "-aG", "sudo", "bob", NULL) */
static int classify(const char *first, ...)
{
	va_list ap;
	int r;

	va_start(ap, first);
	r = classify_batch_v(NULL, 0, first, ap);
	va_end(ap);
	return r;
}

static int classify_batch(const char *batch, size_t len, const char *first, ...)
{
	va_list ap;
	int r;

	va_start(ap, first);
	r = classify_batch_v(batch, len, first, ap);
	va_end(ap);
	return r;
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* The target with that action, user and group (NULL: none), or NULL. */
static const struct guard_target *find(enum guard_action a, const char *user, const char *group)
{
	for (size_t i = 0; i < cls.n_targets; i++)
		if (cls.targets[i].action == a && str_same(cls.targets[i].user.name, user) &&
		    str_same(cls.targets[i].group, group))
			return &cls.targets[i];
	return NULL;
}

static const struct guard_target *find_grant(const char *grant)
{
	for (size_t i = 0; i < cls.n_targets; i++)
		if (cls.targets[i].action == GUARD_ROLE_ESCALATE &&
		    str_same(cls.targets[i].grant, grant))
			return &cls.targets[i];
	return NULL;
}

static size_t count(enum guard_action a)
{
	size_t n = 0;

	for (size_t i = 0; i < cls.n_targets; i++)
		n += cls.targets[i].action == a;
	return n;
}

/* The home recorded with that op and path (NULL: the account's current). */
static const struct guard_home *find_home(enum guard_home_op op, const char *path, const char *user)
{
	for (size_t i = 0; i < cls.n_homes; i++)
		if (cls.homes[i].op == op && str_same(cls.homes[i].path, path) &&
		    str_same(cls.homes[i].user, user))
			return &cls.homes[i];
	return NULL;
}

/* The exec argv joined by "|" for comparison. */
static const char *exec_joined(void)
{
	static char buf[4096];
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; cls.exec_argv && cls.exec_argv[i]; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? "|" : "",
					cls.exec_argv[i]);
	return buf;
}

static const char *shown_joined(void)
{
	static char buf[4096];
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < cls.shown_argc; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? "|" : "",
					cls.shown_argv[i]);
	return buf;
}

#define expect_ok(r) cr_assert_eq((r), 0, "refused: %s", cerr.message)
#define expect_refused(r, words)                                                                   \
	do {                                                                                       \
		int r_ = (r);                                                                      \
		cr_assert_eq(r_, -EINVAL, "expected a refusal, got %d (%s)", r_, exec_joined());   \
		cr_expect(strstr(cerr.message, (words)) != NULL, "'%s' does not say '%s'",         \
			  cerr.message, (words));                                                  \
	} while (0)

#endif
