/* sudo's key=value arrays: see info.h. */
#include "info.h"

#include <errno.h>
#include <stdio.h>
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
	    optional(command_info, "cwd", &ret->cwd) < 0 ||
	    optional(command_info, "chroot", &ret->chroot) < 0) {
		*ret_why = "command_info names runas_groups, cwd or chroot twice";
		return -EINVAL;
	}
	if (ret->chroot && ret->chroot[0] != '/') {
		*ret_why = "command_info has a chroot that is not an absolute path";
		return -EINVAL;
	}
	return 0;
}

static const char *const env_names[] = {
    "PATH",	 "TERM",      "COLORTERM", "HOME",	   "LOGNAME",	     "USER",
    "USERNAME",	 "SHELL",     "MAIL",	   "SUDO_COMMAND", "SUDO_USER",	     "SUDO_UID",
    "SUDO_GID",	 "SUDO_HOME", "COLORS",	   "DISPLAY",	   "HOSTNAME",	     "KRB5CCNAME",
    "LS_COLORS", "PS1",	      "PS2",	   "XAUTHORITY",   "XAUTHORIZATION", "XDG_CURRENT_DESKTOP",
    "LANG",	 "LANGUAGE",  "LINGUAS",   "TZ",
};

/* The directories of Debian's secure_path. */
static const char *const system_dirs[] = {
    "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/snap/bin",
};

static bool path_is_system(const char *v)
{
	while (*v) {
		size_t n = strcspn(v, ":");
		bool ok = false;

		for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++)
			if (strlen(system_dirs[i]) == n && strncmp(v, system_dirs[i], n) == 0)
				ok = true;
		if (!ok)
			return false;
		v += n;
		if (*v == ':' && *++v == '\0')
			return false; /* a trailing empty entry is the cwd */
	}
	return true;
}

/* sudo's tz_is_safe: a zone name, or a file under the zoneinfo directory,
 * never "..". */
static bool tz_is_safe(const char *v)
{
	if (*v == ':')
		v++;
	if (strlen(v) >= 256 || strstr(v, ".."))
		return false;
	return v[0] != '/' || strncmp(v, "/usr/share/zoneinfo/", 20) == 0;
}

static bool env_entry_safe(const char *e)
{
	const char *eq = strchr(e, '=');
	size_t n = eq ? (size_t)(eq - e) : 0;
	const char *v = eq ? eq + 1 : NULL;
	bool known = n > 3 && strncmp(e, "LC_", 3) == 0;

	if (!eq || n == 0)
		return false;
	for (size_t i = 0; !known && i < sizeof(env_names) / sizeof(env_names[0]); i++)
		known = strlen(env_names[i]) == n && strncmp(e, env_names[i], n) == 0;
	if (!known)
		return false;
	if (n == 4 && strncmp(e, "PATH", 4) == 0)
		return path_is_system(v);
	if (n == 2 && strncmp(e, "TZ", 2) == 0)
		return tz_is_safe(v);
	if (strncmp(e, "LC_", 3) == 0 || strncmp(e, "LANG", 4) == 0 ||
	    strncmp(e, "LINGUAS", 7) == 0 || strncmp(e, "TERM", 4) == 0 ||
	    strncmp(e, "COLORTERM", 9) == 0)
		return strpbrk(v, "/%") == NULL;
	return true;
}

const char *sudo_guard_env_unsafe(char *const envp[], char *buf, size_t size)
{
	for (size_t i = 0; envp && envp[i]; i++) {
		if (env_entry_safe(envp[i]))
			continue;
		snprintf(buf, size, "%.*s", (int)strcspn(envp[i], "="), envp[i]);
		if (!buf[0])
			snprintf(buf, size, "(an entry without a name)");
		return buf;
	}
	return NULL;
}

/* cppcheck-suppress constParameter ; sudo's arrays are char *const[], as above */
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
