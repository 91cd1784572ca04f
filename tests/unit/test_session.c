/* The location of the caller's session: /proc/PID/stat parsing with a
 * hostile comm, terminal device names, which utmp entry belongs to the
 * session, and the decision from logind's record or the terminal's entry
 * (the seam for the logind path: no logind runs where the tests run). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "session.h"

static int parse(const char *text, struct guard_proc_stat *st)
{
	memset(st, 0x55, sizeof(*st));
	return guard_proc_stat_parse(text, strlen(text), st);
}

Test(session, stat_plain)
{
	struct guard_proc_stat st;

	cr_assert_eq(parse("4242 (guardctl) S 4200 4242 4100 34817 4242 4194560 0 0", &st), 0);
	cr_expect_eq(st.ppid, 4200);
	cr_expect_eq(st.sid, 4100);
	cr_expect_eq(st.tty_nr, 34817u);
}

Test(session, stat_hostile_comm)
{
	struct guard_proc_stat st;

	/* sudo CVE-2017-1000367: a comm that fakes the fields after it. */
	cr_assert_eq(parse("4242 (x) R 1 1 1 34817 ) S 4200 4242 4100 0 -1 4194560", &st), 0);
	cr_expect_eq(st.ppid, 4200);
	cr_expect_eq(st.sid, 4100);
	cr_expect_eq(st.tty_nr, 0u);
	cr_assert_eq(parse("7 ( ) ) )) S 1 7 7 1025 7 0", &st), 0);
	cr_expect_eq(st.sid, 7);
	cr_expect_eq(st.tty_nr, 1025u);
	/* Not NUL-terminated: the length bounds the parse. */
	const char text[] = "9 (a) S 1 9 9 34816 9 0";
	cr_assert_eq(guard_proc_stat_parse(text, strlen(text), &st), 0);
	cr_assert_eq(guard_proc_stat_parse(text, strlen("9 (a) S 1 9 9 34816"), &st), -EINVAL);
}

Test(session, stat_negative_tty)
{
	struct guard_proc_stat st;

	/* The kernel prints the number as a signed int. */
	cr_assert_eq(parse("9 (a) S 1 9 9 -2147449088 9 0", &st), 0);
	cr_expect_eq(st.tty_nr, 0x80008700u);
}

Test(session, stat_refused)
{
	static const char *const bad[] = {
	    "",
	    "4242 guardctl S 1 2 3 4 5",
	    "4242 (guardctl)",
	    "4242 (guardctl) S",
	    "4242 (guardctl) S 1 2 3",
	    "4242 (guardctl) S 1 2 3 4",	     /* no space after tty_nr: cut short */
	    "4242 (guardctl)  S 1 2 3 4 5",	     /* two spaces */
	    "4242 (guardctl) S 1 2 x 4 5",	     /* not a number */
	    "4242 (guardctl) S 1 2 3 99999999999 5", /* out of range */
	    "4242 (guardctl) S -1 2 3 4 5",	     /* negative ppid */
	    "4242 (guardctl) S 1 2 -3 4 5",	     /* negative sid */
	    "4242 (guardctl) S 1 2 03 4 5",	     /* not canonical */
	};
	struct guard_proc_stat st;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(parse(bad[i], &st), -EINVAL, "accepted: \"%s\"", bad[i]);
	cr_expect_eq(guard_proc_stat_parse(NULL, 0, &st), -EINVAL);
}

Test(session, tty_names)
{
	char buf[32];

	cr_assert_eq(guard_tty_name(136, 3, buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "pts/3");
	cr_assert_eq(guard_tty_name(136, 70000, buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "pts/70000");
	cr_assert_eq(guard_tty_name(137, 1, buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "pts/257");
	cr_assert_eq(guard_tty_name(4, 2, buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "tty2");
	cr_assert_eq(guard_tty_name(4, 64, buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "ttyS0");
	cr_expect_eq(guard_tty_name(4, 0, buf, sizeof(buf)), -ENODEV); /* tty0: whichever */
	cr_expect_eq(guard_tty_name(5, 1, buf, sizeof(buf)), -ENODEV); /* /dev/console */
	cr_expect_eq(guard_tty_name(1, 3, buf, sizeof(buf)), -ENODEV); /* /dev/null */
	cr_expect_eq(guard_tty_name(144, 0, buf, sizeof(buf)), -ENODEV);
	cr_expect_eq(guard_tty_name(136, 12345, buf, 6), -ENAMETOOLONG);
}

/* A session with a terminal and a utmp entry for it. */
static struct guard_session_facts on_terminal(const char *host)
{
	return (struct guard_session_facts){
	    .sid = 500,
	    .ctty = "pts/3",
	    .ut_found = true,
	    .ut_pid = 500,
	    .ut_pid_sid = 500,
	    .leader_ppid = 480,
	    .ut_host = host,
	};
}

Test(session, entry_belongs_to_the_session)
{
	struct guard_session_facts f = on_terminal("");

	cr_expect(guard_session_owns_entry(&f), "the leader (sshd)");
	f.ut_pid = 480;
	f.ut_pid_sid = 480;
	cr_expect(guard_session_owns_entry(&f), "the leader's parent (login)");
	f.ut_pid = 510;
	f.ut_pid_sid = 500;
	cr_expect(guard_session_owns_entry(&f), "a process of the session");
	f.ut_pid = 610;
	f.ut_pid_sid = 600;
	cr_expect_not(guard_session_owns_entry(&f), "another session's process");
	f.ut_pid_sid = -1;
	cr_expect_not(guard_session_owns_entry(&f), "a process that is gone");
	f = on_terminal("");
	f.ut_found = false;
	cr_expect_not(guard_session_owns_entry(&f), "no entry");
	f = on_terminal("");
	f.sid = -1;
	f.ut_pid = -1;
	f.ut_pid_sid = -1;
	cr_expect_not(guard_session_owns_entry(&f), "no session, no pid");
	f = on_terminal("");
	f.ut_pid = 1;
	f.ut_pid_sid = 1;
	f.leader_ppid = 1;
	cr_expect_not(guard_session_owns_entry(&f), "a leader reparented to init");
	f = on_terminal("");
	f.ut_pid = 0;
	f.ut_pid_sid = -1;
	f.leader_ppid = 0;
	cr_expect_not(guard_session_owns_entry(&f), "pid 0");
}

Test(session, utmp_local_and_remote)
{
	struct guard_session_facts f = on_terminal("");
	struct guard_location loc;

	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_LOCAL);
	cr_expect_str_eq(loc.tty, "pts/3");
	cr_expect_str_eq(loc.rhost, "");

	f = on_terminal("10.20.1.7");
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_REMOTE);
	cr_expect_str_eq(loc.rhost, "10.20.1.7");
	cr_expect(loc.addr_known);

	/* The recorded address wins over a name. */
	f = on_terminal("host.example");
	cr_assert_eq(inet_pton(AF_INET, "10.20.3.4", &f.ut_addr_v6[0]), 1);
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_REMOTE);
	cr_expect_str_eq(loc.rhost, "host.example");
	cr_assert(loc.addr_known);
	char text[64];
	guard_addr_format(&loc.addr, text, sizeof(text));
	cr_expect_str_eq(text, "10.20.3.4");

	/* An address and no host is remote all the same. */
	f = on_terminal("");
	cr_assert_eq(inet_pton(AF_INET6, "2001:db8::7", f.ut_addr_v6), 1);
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_REMOTE);
	cr_expect(loc.addr_known);

	/* A name only: remote, no address. */
	f = on_terminal("host.example");
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_REMOTE);
	cr_expect_not(loc.addr_known);
}

Test(session, utmp_not_the_sessions)
{
	struct guard_session_facts f = on_terminal("");
	struct guard_location loc;

	/* Another session's entry: unknown, the terminal named. */
	f.ut_pid = 610;
	f.ut_pid_sid = 600;
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_UNKNOWN);
	cr_expect_str_eq(loc.tty, "pts/3");
	/* No controlling terminal: unknown, no terminal, whatever utmp says. */
	f = on_terminal("");
	f.ctty = NULL;
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_UNKNOWN);
	cr_expect_str_eq(loc.tty, "");
	/* No entry. */
	f = on_terminal("");
	f.ut_found = false;
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_UNKNOWN);
	guard_session_locate(NULL, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_UNKNOWN);
}

Test(session, logind_remote)
{
	/* An SSH session without a terminal: logind knows where it is from. */
	struct guard_session_facts f = {
	    .sid = 700,
	    .leader_ppid = -1,
	    .ut_pid_sid = -1,
	    .logind = true,
	    .logind_remote = true,
	    .logind_host = "10.20.1.7",
	};
	struct guard_location loc;

	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_REMOTE);
	cr_expect_str_eq(loc.rhost, "10.20.1.7");
	cr_expect(loc.addr_known);
	cr_expect_str_eq(loc.tty, "");

	/* logind wins over a local utmp entry of the terminal. */
	f = on_terminal("");
	f.logind = true;
	f.logind_remote = true;
	f.logind_host = "gw.example";
	f.logind_tty = "pts/9";
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_REMOTE);
	cr_expect_str_eq(loc.rhost, "gw.example");
	cr_expect_not(loc.addr_known);
	cr_expect_str_eq(loc.tty, "pts/9");

	/* Remote with no host recorded: remote, nothing more. */
	f.logind_host = NULL;
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_REMOTE);
	cr_expect_str_eq(loc.rhost, "");
}

Test(session, logind_local)
{
	struct guard_session_facts f = {
	    .sid = 700,
	    .leader_ppid = -1,
	    .ut_pid_sid = -1,
	    .logind = true,
	    .logind_seat = true,
	    .logind_tty = "tty2",
	};
	struct guard_location loc;

	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_LOCAL);
	cr_expect_str_eq(loc.tty, "tty2");

	/* Local without a seat (su from outside any session, sshd to
	 * localhost): not logind's word; the terminal's entry decides. */
	f.logind_seat = false;
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_UNKNOWN);
	f = on_terminal("10.20.1.7");
	f.logind = true;
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_REMOTE);
	cr_expect_str_eq(loc.rhost, "10.20.1.7");
	/* A seat, but logind says remote: remote. */
	f.logind_seat = true;
	f.logind_remote = true;
	f.logind_host = "192.0.2.1";
	guard_session_locate(&f, &loc);
	cr_expect_eq(loc.kind, GUARD_LOCATION_REMOTE);
	cr_expect_str_eq(loc.rhost, "192.0.2.1");
}
