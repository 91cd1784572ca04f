/* sudo's key=value arrays as sudo_guard.so reads them: the caller from
 * user_info, the command from command_info, the plugin's arguments; every
 * missing, repeated or malformed value refused. */
#include <criterion/criterion.h>
#include <errno.h>

#include "info.h"

Test(sudo_info, user_info)
{
	char *info[] = {"user=alice",	   "uid=1001", "gid=1001", "tty=/dev/pts/3",
			"cwd=/home/alice", "uidx=0",   NULL};
	struct sudo_guard_user u;
	const char *why = NULL;

	cr_assert_eq(sudo_guard_parse_user_info(info, &u, &why), 0);
	cr_expect_eq(u.uid, 1001);
	cr_expect_str_eq(u.user, "alice");
	cr_expect_str_eq(u.tty, "/dev/pts/3");
	cr_expect_str_eq(u.cwd, "/home/alice");
}

Test(sudo_info, user_info_refused)
{
	char *none[] = {"user=alice", NULL};
	char *twice[] = {"uid=1001", "uid=0", NULL};
	char *prefix[] = {"uidx=0", "xuid=0", NULL};
	char *tty_twice[] = {"uid=1", "tty=/dev/pts/1", "tty=/dev/tty1", NULL};
	struct sudo_guard_user u;
	const char *why = NULL;

	cr_expect_eq(sudo_guard_parse_user_info(none, &u, &why), -EINVAL);
	cr_expect_not_null(why);
	cr_expect_eq(sudo_guard_parse_user_info(twice, &u, &why), -EINVAL);
	cr_expect_eq(sudo_guard_parse_user_info(prefix, &u, &why), -EINVAL);
	cr_expect_eq(sudo_guard_parse_user_info(tty_twice, &u, &why), -EINVAL);
	cr_expect_eq(sudo_guard_parse_user_info(NULL, &u, &why), -EINVAL);
}

Test(sudo_info, ids)
{
	static const struct {
		const char *text;
		int r;
		uint32_t id;
	} cases[] = {
	    {"uid=0", 0, 0},
	    {"uid=4294967294", 0, 4294967294u},
	    {"uid=4294967295", -EINVAL, 0}, /* (uid_t)-1 */
	    {"uid=4294967296", -EINVAL, 0},
	    {"uid=-1", -EINVAL, 0},
	    {"uid=+1", -EINVAL, 0},
	    {"uid= 1", -EINVAL, 0},
	    {"uid=01", -EINVAL, 0},
	    {"uid=1x", -EINVAL, 0},
	    {"uid=", -EINVAL, 0},
	    {"uid=99999999999", -EINVAL, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *info[] = {(char *)cases[i].text, NULL};
		uint32_t id = 7;
		int r = sudo_guard_info_id(info, "uid", &id);

		cr_expect_eq(r, cases[i].r, "%s: %d", cases[i].text, r);
		if (r == 0)
			cr_expect_eq(id, cases[i].id, "%s", cases[i].text);
	}
	cr_expect_eq(sudo_guard_info_id((char *[]){"gid=1", NULL}, "uid", &(uint32_t){0}), -ENOENT);
}

Test(sudo_info, command_info)
{
	char *info[] = {"command=/usr/sbin/usermod",
			"runas_uid=0",
			"runas_gid=0",
			"runas_euid=0",
			"runas_egid=0",
			"runas_groups=0,42",
			"cwd=/tmp",
			"umask=022",
			"chroot=/srv/jail",
			NULL};
	struct sudo_guard_command c;
	const char *why = NULL;

	cr_assert_eq(sudo_guard_parse_command_info(info, &c, &why), 0);
	cr_expect_str_eq(c.command, "/usr/sbin/usermod");
	cr_expect_eq(c.runas_uid, 0);
	cr_expect_eq(c.runas_gid, 0);
	cr_expect_str_eq(c.runas_groups, "0,42");
	cr_expect_str_eq(c.cwd, "/tmp");
	cr_expect_str_eq(c.chroot, "/srv/jail");
}

Test(sudo_info, command_info_refused)
{
	char *relative[] = {"command=usermod", "runas_uid=0", "runas_gid=0", NULL};
	char *no_command[] = {"runas_uid=0", "runas_gid=0", NULL};
	char *no_uid[] = {"command=/bin/id", "runas_gid=0", NULL};
	char *no_gid[] = {"command=/bin/id", "runas_uid=0", NULL};
	char *two_commands[] = {"command=/bin/id", "command=/bin/sh", "runas_uid=0", "runas_gid=0",
				NULL};
	char *split_uid[] = {"command=/bin/id", "runas_uid=1001", "runas_euid=0", "runas_gid=0",
			     NULL};
	char *split_gid[] = {"command=/bin/id", "runas_uid=0", "runas_gid=1001", "runas_egid=42",
			     NULL};
	char *bad_euid[] = {"command=/bin/id", "runas_uid=0", "runas_euid=x", "runas_gid=0", NULL};
	char *groups_twice[] = {"command=/bin/id", "runas_uid=0",    "runas_gid=0",
				"runas_groups=1",  "runas_groups=0", NULL};
	char *chroot_twice[] = {"command=/bin/id", "runas_uid=0", "runas_gid=0",
				"chroot=/a",	   "chroot=/b",	  NULL};
	char *chroot_relative[] = {"command=/bin/id", "runas_uid=0", "runas_gid=0", "chroot=jail",
				   NULL};
	char **cases[] = {relative,	no_command,   no_uid,	       no_gid,
			  two_commands, split_uid,    split_gid,       bad_euid,
			  groups_twice, chroot_twice, chroot_relative, NULL};
	struct sudo_guard_command c;

	for (size_t i = 0; cases[i]; i++) {
		const char *why = NULL;

		cr_expect_eq(sudo_guard_parse_command_info(cases[i], &c, &why), -EINVAL, "case %zu",
			     i);
		cr_expect_not_null(why, "case %zu", i);
	}
}

Test(sudo_info, options)
{
	char *good[] = {"config=/etc/guard/test.conf", "monitor", "debug", NULL};
	char *relative[] = {"config=guard.conf", NULL};
	char *twice[] = {"config=/a", "config=/b", NULL};
	char *unknown[] = {"monitor", "enforce", NULL};
	struct sudo_guard_options o;
	const char *bad = NULL;

	cr_assert_eq(sudo_guard_parse_options(good, &o, &bad), 0);
	cr_expect_str_eq(o.config, "/etc/guard/test.conf");
	cr_expect(o.monitor);
	cr_expect(o.debug);
	cr_assert_eq(sudo_guard_parse_options(NULL, &o, &bad), 0);
	cr_expect_null(o.config);
	cr_expect_not(o.monitor);
	cr_expect_eq(sudo_guard_parse_options(relative, &o, &bad), -EINVAL);
	cr_expect_str_eq(bad, "config=guard.conf");
	cr_expect_eq(sudo_guard_parse_options(twice, &o, &bad), -EINVAL);
	cr_expect_eq(sudo_guard_parse_options(unknown, &o, &bad), -EINVAL);
	cr_expect_str_eq(bad, "enforce");
}

Test(sudo_info, env_reset_environment_is_safe)
{
	char *env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		       "TERM=xterm-256color",
		       "HOME=/root",
		       "LOGNAME=root",
		       "USER=root",
		       "SHELL=/bin/bash",
		       "MAIL=/var/mail/root",
		       "LANG=C.UTF-8",
		       "LC_ALL=de_DE.UTF-8",
		       "TZ=Europe/Berlin",
		       "SUDO_COMMAND=/usr/sbin/useradd -m x",
		       "SUDO_USER=alice",
		       "SUDO_UID=1001",
		       "SUDO_GID=1001",
		       NULL};
	char buf[64];

	cr_expect_null(sudo_guard_env_unsafe(env, buf, sizeof(buf)));
	cr_expect_null(sudo_guard_env_unsafe(NULL, buf, sizeof(buf)));
}

Test(sudo_info, env_added_by_the_caller_is_named)
{
	static const struct {
		const char *entry, *name;
	} cases[] = {
	    {"LD_PRELOAD=/tmp/x.so", "LD_PRELOAD"},
	    {"LD_LIBRARY_PATH=/tmp", "LD_LIBRARY_PATH"},
	    {"GCONV_PATH=/tmp", "GCONV_PATH"},
	    {"POSIXLY_CORRECT=1", "POSIXLY_CORRECT"},
	    {"GLIBC_TUNABLES=x", "GLIBC_TUNABLES"},
	    {"LOCPATH=/tmp", "LOCPATH"},
	    {"LANG=../../tmp/x", "LANG"},
	    {"LANGUAGE=../x", "LANGUAGE"},
	    {"LC_ALL=%n", "LC_ALL"},
	    {"LC_=x", "LC_"},
	    {"TERM=../../tmp/t", "TERM"},
	    {"TZ=/etc/shadow", "TZ"},
	    {"TZ=:../../etc/shadow", "TZ"},
	    {"TZ=Europe/../../x", "TZ"},
	    {"PATH=/tmp:/usr/bin", "PATH"},
	    {"PATH=/usr/bin:", "PATH"},
	    {"PATH=/usr/bin::/bin", "PATH"},
	    {"PATHX=/usr/bin", "PATHX"},
	    {"NOEQUALS", "NOEQUALS"},
	    {"=value", "(an entry without a name)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *env[] = {"HOME=/root", (char *)cases[i].entry, "USER=root", NULL};
		char buf[64];
		const char *bad = sudo_guard_env_unsafe(env, buf, sizeof(buf));

		cr_expect_not_null(bad, "%s", cases[i].entry);
		if (bad)
			cr_expect_str_eq(bad, cases[i].name, "%s", cases[i].entry);
	}
}
