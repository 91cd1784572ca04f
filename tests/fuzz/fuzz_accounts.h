/* A small account database in memory for the fuzzers (no NSS). */
#ifndef GUARD_FUZZ_ACCOUNTS_H
#define GUARD_FUZZ_ACCOUNTS_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

static const struct {
	const char *name;
	uint32_t uid;
} fuzz_users[] = {{"root", 0}, {"daemon", 1}, {"alice", 1001}, {"bob", 1002}};

static const struct {
	const char *name;
	uint32_t gid;
} fuzz_groups[] = {{"root", 0}, {"adm", 4}, {"sudo", 27}, {"users", 100}, {"helpdesk", 1100}};

static int fuzz_user_by_name(void *ctx, const char *name, struct guard_identity *ret)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(fuzz_users) / sizeof(fuzz_users[0]); i++)
		if (strcmp(fuzz_users[i].name, name) == 0) {
			memset(ret, 0, sizeof(*ret));
			ret->name = strdup(name);
			ret->exists = ret->uid_known = true;
			ret->uid = fuzz_users[i].uid;
			ret->groups = calloc(1, sizeof(char *));
			ret->groups[0] = strdup("users");
			ret->n_groups = 1;
			return 0;
		}
	return strcmp(name, "broken") == 0 ? -EIO : -ENOENT;
}

static int fuzz_group_by_name(void *ctx, const char *name, uint32_t *ret_gid)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(fuzz_groups) / sizeof(fuzz_groups[0]); i++)
		if (strcmp(fuzz_groups[i].name, name) == 0) {
			*ret_gid = fuzz_groups[i].gid;
			return 0;
		}
	return -ENOENT;
}

static int fuzz_name_of_uid(void *ctx, uint32_t uid, char **ret_name)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(fuzz_users) / sizeof(fuzz_users[0]); i++)
		if (fuzz_users[i].uid == uid) {
			*ret_name = strdup(fuzz_users[i].name);
			return *ret_name ? 0 : -ENOMEM;
		}
	return -ENOENT;
}

static int fuzz_group_by_gid(void *ctx, uint32_t gid, char **ret_name)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(fuzz_groups) / sizeof(fuzz_groups[0]); i++)
		if (fuzz_groups[i].gid == gid) {
			*ret_name = strdup(fuzz_groups[i].name);
			return 0;
		}
	return -ENOENT;
}

static int fuzz_shell_allowed(void *ctx, const char *shell)
{
	(void)ctx;
	return strcmp(shell, "/bin/bash") == 0 || strcmp(shell, "/bin/sh") == 0 ? 0 : -ENOENT;
}

static int fuzz_uid_running(void *ctx, uint32_t uid, int *ret_pid)
{
	(void)ctx;
	if (uid != 3000)
		return -ENOENT;
	*ret_pid = 1;
	return 0;
}

static const struct guard_tool_defaults fuzz_defaults = {
    .useradd_usergroups = true,
    .useradd_create_home = true,
    .useradd_home = "/home",
    .useradd_group = "100",
    .adduser_usergroups = true,
    .adduser_home = "/home",
};

static const struct guard_resolver fuzz_resolver = {
    .defaults = &fuzz_defaults,
    .user_by_name = fuzz_user_by_name,
    .name_of_uid = fuzz_name_of_uid,
    .group_by_name = fuzz_group_by_name,
    .group_by_gid = fuzz_group_by_gid,
    .shell_allowed = fuzz_shell_allowed,
    .uid_running = fuzz_uid_running,
};

#endif
