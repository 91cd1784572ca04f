/* What sudo tells its approval plugin, read from its key=value arrays
 * (user_info, command_info, plugin_options: sudo_plugin(5)). Pure: no I/O,
 * no environment, safe inside sudo's process. */
#ifndef SUDO_GUARD_INFO_H
#define SUDO_GUARD_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Finds "key=" in a NULL-terminated array. Returns 0 with the value,
 * -ENOENT when absent, -EINVAL when the key appears twice (which of two
 * would sudo mean?). info may be NULL. */
int sudo_guard_info_value(char *const info[], const char *key, const char **ret);

/* A uid or gid: a canonical decimal below 4294967295 ((uid_t)-1 is no
 * id). Returns 0, -ENOENT or -EINVAL. */
int sudo_guard_info_id(char *const info[], const char *key, uint32_t *ret);

/* The caller, from user_info. */
struct sudo_guard_user {
	uint32_t uid;	  /* uid=: the real uid sudo read from the kernel */
	const char *user; /* user=: for messages only */
	const char *tty;  /* tty=; NULL: none */
	const char *cwd;  /* cwd=; NULL: unknown */
};

/* The command, from command_info. */
struct sudo_guard_command {
	const char *command; /* command=: absolute path */
	uint32_t runas_uid, runas_gid;
	const char *runas_groups; /* "0,42"; NULL: none */
	const char *cwd;	  /* cwd=; NULL: none given */
	const char *chroot; /* chroot= (sudo -R, runchroot): command is inside it; NULL: none */
};

/* Each returns 0, or -EINVAL with *ret_why saying which key is missing or
 * malformed. Pointers point into the arrays. */
int sudo_guard_parse_user_info(char *const user_info[], struct sudo_guard_user *ret,
			       const char **ret_why);
/* runas_euid/runas_egid, when given, must equal runas_uid/runas_gid: a
 * split identity is not what Guard decides about. */
int sudo_guard_parse_command_info(char *const command_info[], struct sudo_guard_command *ret,
				  const char **ret_why);

/* The environment a guarded tool may run with: the names sudo's env_reset
 * leaves (PATH, TERM, HOME, USER, SUDO_*, LANG, LC_*, TZ, ...), with
 * values that name no file of the caller's (sudo's own env_check rules:
 * no '/' or '%' in TERM and the locale; TZ a zone name; PATH the system's
 * directories). What `sudo -E` or `sudo VAR=value` adds (LD_PRELOAD,
 * GCONV_PATH, POSIXLY_CORRECT...) would change what the tool does after
 * Guard classified it. Returns NULL when every entry is such, else the
 * first entry that is not, cut at its '=' into buf (size > 1). */
const char *sudo_guard_env_unsafe(char *const envp[], char *buf, size_t size);

/* The plugin's arguments in sudo.conf: config=FILE (absolute), monitor,
 * debug. */
struct sudo_guard_options {
	const char *config; /* NULL: the default policy */
	bool monitor;
	bool debug;
};

/* Returns 0, or -EINVAL with *ret_bad the argument that is not one of the
 * above. */
int sudo_guard_parse_options(char *const options[], struct sudo_guard_options *ret,
			     const char **ret_bad);

#endif
