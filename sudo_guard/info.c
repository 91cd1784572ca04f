/* sudo's key=value arrays: see info.h. */
#include "info.h"

#include <errno.h>
#include <string.h>

#define ID_DIGITS_MAX 10

int sudo_guard_info_value(char *const info[], const char *key, const char **ret)
{
	size_t klen = strlen(key);
	const char *found = NULL;

	for (size_t i = 0; info && info[i]; i++) {
		if (strncmp(info[i], key, klen) != 0 || info[i][klen] != '=')
			continue;
		if (found)
			return -EINVAL;
		found = info[i] + klen + 1;
	}
	if (!found)
		return -ENOENT;
	*ret = found;
	return 0;
}

/* No sign, no space, no leading zero (but "0"), at most 10 digits. */
static int parse_id(const char *s, uint32_t *ret)
{
	size_t n = strlen(s);
	uint64_t v = 0;

	if (n == 0 || n > ID_DIGITS_MAX || strspn(s, "0123456789") != n || (s[0] == '0' && n > 1))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (v >= UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

int sudo_guard_info_id(char *const info[], const char *key, uint32_t *ret)
{
	const char *v;
	int r = sudo_guard_info_value(info, key, &v);

	if (r < 0)
		return r;
	return parse_id(v, ret);
}

/* An optional key: absent is NULL; twice is an error. */
static int optional(char *const info[], const char *key, const char **ret)
{
	int r = sudo_guard_info_value(info, key, ret);

	if (r == -ENOENT) {
		*ret = NULL;
		return 0;
	}
	return r;
}

int sudo_guard_parse_user_info(char *const user_info[], struct sudo_guard_user *ret,
			       const char **ret_why)
{
	memset(ret, 0, sizeof(*ret));
	if (sudo_guard_info_id(user_info, "uid", &ret->uid) < 0) {
		*ret_why = "user_info has no valid uid";
		return -EINVAL;
	}
	if (optional(user_info, "user", &ret->user) < 0 ||
	    optional(user_info, "tty", &ret->tty) < 0 ||
	    optional(user_info, "cwd", &ret->cwd) < 0) {
		*ret_why = "user_info names user, tty or cwd twice";
		return -EINVAL;
	}
	return 0;
}

/* An optional id that must equal want when present. */
static bool same_id(char *const info[], const char *key, uint32_t want)
{
	uint32_t id;
	int r = sudo_guard_info_id(info, key, &id);

	return r == -ENOENT || (r == 0 && id == want);
}

int sudo_guard_parse_command_info(char *const command_info[], struct sudo_guard_command *ret,
				  const char **ret_why)
{
	memset(ret, 0, sizeof(*ret));
	if (sudo_guard_info_value(command_info, "command", &ret->command) < 0 ||
	    ret->command[0] != '/') {
		*ret_why = "command_info has no absolute command";
		return -EINVAL;
	}
	if (sudo_guard_info_id(command_info, "runas_uid", &ret->runas_uid) < 0 ||
	    sudo_guard_info_id(command_info, "runas_gid", &ret->runas_gid) < 0) {
		*ret_why = "command_info has no valid runas_uid or runas_gid";
		return -EINVAL;
	}
	if (!same_id(command_info, "runas_euid", ret->runas_uid) ||
	    !same_id(command_info, "runas_egid", ret->runas_gid)) {
		*ret_why = "runas_euid or runas_egid differs from runas_uid or runas_gid";
		return -EINVAL;
	}
	if (optional(command_info, "runas_groups", &ret->runas_groups) < 0 ||
	    optional(command_info, "cwd", &ret->cwd) < 0) {
		*ret_why = "command_info names runas_groups or cwd twice";
		return -EINVAL;
	}
	return 0;
}

int sudo_guard_parse_options(char *const options[], struct sudo_guard_options *ret,
			     const char **ret_bad)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; options && options[i]; i++) {
		const char *o = options[i];

		if (strncmp(o, "config=", 7) == 0 && o[7] == '/' && !ret->config) {
			ret->config = o + 7;
		} else if (strcmp(o, "monitor") == 0) {
			ret->monitor = true;
		} else if (strcmp(o, "debug") == 0) {
			ret->debug = true;
		} else {
			*ret_bad = o;
			return -EINVAL;
		}
	}
	return 0;
}
