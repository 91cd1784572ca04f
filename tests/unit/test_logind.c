/* logind's records read without libsystemd: the session a cgroup names
 * (unified and legacy hierarchies, a user's service manager, system
 * services, hostile paths) and the session file's keys (quoted, plain,
 * missing, too long). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "logind.h"

static int session_of(const char *text, char *id, size_t size)
{
	memset(id, 'x', size);
	return guard_cgroup_session(text, strlen(text), id, size);
}

Test(logind, cgroup_unified)
{
	char id[32];

	cr_assert_eq(session_of("0::/user.slice/user-1000.slice/session-3.scope\n", id, sizeof(id)),
		     0);
	cr_expect_str_eq(id, "3");
	cr_assert_eq(
	    session_of("0::/user.slice/user-0.slice/session-c12.scope/init\n", id, sizeof(id)), 0);
	cr_expect_str_eq(id, "c12");
}

Test(logind, cgroup_legacy)
{
	char id[32];

	cr_assert_eq(session_of("12:pids:/user.slice\n"
				"1:name=systemd:/user.slice/user-1000.slice/session-7.scope\n",
				id, sizeof(id)),
		     0);
	cr_expect_str_eq(id, "7");
}

Test(logind, cgroup_in_no_session)
{
	char id[32];

	/* A user's service manager: its processes (systemd-run --user) are
	 * in no session, whatever their unit is called. */
	cr_expect_eq(session_of("0::/user.slice/user-1000.slice/user@1000.service/app.slice/"
				"session-9.scope\n",
				id, sizeof(id)),
		     -ENXIO);
	cr_expect_eq(session_of("0::/system.slice/ssh.service\n", id, sizeof(id)), -ENXIO);
	cr_expect_eq(session_of("0::/\n", id, sizeof(id)), -ENXIO);
	cr_expect_eq(session_of("0::/user.slice/user-1000.slice\n", id, sizeof(id)), -ENXIO);
	cr_expect_eq(session_of("", id, sizeof(id)), -ENXIO);
	/* Not an id logind makes. */
	cr_expect_eq(session_of("0::/user.slice/session-.scope\n", id, sizeof(id)), -ENXIO);
	cr_expect_eq(session_of("0::/user.slice/session-3 x.scope\n", id, sizeof(id)), -ENXIO);
	cr_expect_eq(session_of("0::/user.slice/session-../x.scope\n", id, sizeof(id)), -ENXIO);
	cr_expect_eq(session_of("0::/user.slice/session-3.scopex\n", id, sizeof(id)), -ENXIO);
	/* The unified line decides even when a legacy one names a session. */
	cr_expect_eq(session_of("1:name=systemd:/user.slice/session-4.scope\n0::/system.slice/"
				"cron.service\n",
				id, sizeof(id)),
		     -ENXIO);
}

Test(logind, cgroup_id_too_long)
{
	char id[4];

	cr_expect_eq(session_of("0::/user.slice/session-12345.scope\n", id, sizeof(id)),
		     -ENAMETOOLONG);
}

static int record(const char *text, struct guard_logind_session *rec)
{
	return guard_logind_session_parse(text, strlen(text), rec);
}

Test(logind, session_remote)
{
	struct guard_logind_session rec;

	cr_assert_eq(record("# This is private data. Do not parse.\n"
			    "UID=1000\nUSER=alice\nACTIVE=1\nSTATE=active\nREMOTE=1\n"
			    "TYPE=tty\nCLASS=user\nTTY=pts/0\nREMOTE_HOST=192.0.2.7\n"
			    "SERVICE=sshd\nLEADER=4242\n",
			    &rec),
		     0);
	cr_expect(rec.known);
	cr_expect(rec.remote);
	cr_expect_str_eq(rec.remote_host, "192.0.2.7");
	cr_expect_str_eq(rec.tty, "pts/0");
	cr_expect_str_eq(rec.seat, "");
}

Test(logind, session_local_seat)
{
	struct guard_logind_session rec;

	cr_assert_eq(record("REMOTE=0\nSEAT=seat0\nTTY=tty2\nVTNR=2\n", &rec), 0);
	cr_expect(rec.known);
	cr_expect_not(rec.remote);
	cr_expect_str_eq(rec.seat, "seat0");
	cr_expect_str_eq(rec.tty, "tty2");
	cr_expect_str_eq(rec.remote_host, "");
}

Test(logind, session_quoted_values)
{
	struct guard_logind_session rec;

	cr_assert_eq(record("REMOTE=1\nREMOTE_HOST=\"host \\\"q\\\" name\"\nTTY='pts/3'\n", &rec),
		     0);
	cr_expect_str_eq(rec.remote_host, "host \"q\" name");
	cr_expect_str_eq(rec.tty, "pts/3");
}

Test(logind, session_refused)
{
	struct guard_logind_session rec;
	char big[400];

	/* No REMOTE=: not a record sd_session_is_remote would answer for. */
	cr_assert_eq(record("UID=1000\nTTY=pts/1\n", &rec), 0);
	cr_expect_not(rec.known);
	/* A quote never closed, or text after the closing one. */
	cr_expect_eq(record("REMOTE=1\nREMOTE_HOST=\"open\n", &rec), -EINVAL);
	cr_expect_eq(record("REMOTE=1\nREMOTE_HOST=\"a\"b\n", &rec), -EINVAL);
	/* Too long for its field: refused, not cut to another name. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "REMOTE=1\nTTY=", 13);
	big[sizeof(big) - 1] = '\0';
	cr_expect_eq(record(big, &rec), -EINVAL);
}
