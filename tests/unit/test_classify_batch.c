/* The classifier on adduser/deluser (Getopt::Long syntax) and on the
 * batches chpasswd and newusers read on stdin. */
#include "test_classify_fixture.h"

TestSuite(classify_batch, .init = fixture_setup, .fini = fixture_teardown);

/* ---- adduser, addgroup, deluser, delgroup ---------------------------- */

Test(classify_batch, adduser_new_user)
{
	expect_ok(classify("adduser", "--gecos", "Dave", "--disabled-password", "dave", NULL));
	cr_expect(find(GUARD_USER_CREATE, "dave", NULL));
	/* USERGROUPS=yes: a user-private group dave, which dave joins. */
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "dave"));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "dave"));
	cr_expect_eq(cls.n_targets, 3);
	cr_expect(find_home(GUARD_HOME_CREATE, "/home/dave", "dave"));
	cr_expect_str_eq(exec_joined(), "adduser|--gecos|Dave|--disabled-password|--|dave");
	cr_expect_str_eq(cls.path, "/usr/sbin/adduser");
	expect_ok(
	    classify("adduser", "dave", "--home=/home/dave", "--shell", "/bin/bash", "-q", NULL));
	cr_expect_str_eq(exec_joined(),
			 "adduser|--home|/home/dave|--shell|/bin/bash|--quiet|--|dave");
}

Test(classify_batch, adduser_grants)
{
	expect_ok(classify("adduser", "--ingroup", "sudo", "dave", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "sudo"));
	cr_expect(find_grant("group sudo"));
	expect_ok(classify("adduser", "--gid", "0", "dave", NULL));
	cr_expect(find_grant("primary group 0"));
	expect_ok(classify("adduser", "--uid", "0", "dave", NULL));
	cr_expect(find_grant("uid 0"));
	cr_expect(find(GUARD_USER_CREATE, "dave", NULL)->protected_grant);
	expect_ok(classify("adduser", "--firstuid", "100", "dave", NULL));
	cr_expect(find_grant("protected uid 100"));
	expect_ok(classify("adduser", "--system", "svc", NULL));
	cr_expect(find_grant("system account (--system)"));
	cr_expect(find(GUARD_USER_CREATE, "svc", NULL)->protected_grant);
	expect_ok(classify("adduser", "--system", "--group", "svc", NULL));
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "svc"));
	expect_ok(classify("adduser", "--add-extra-groups", "dave", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "users"));
}

/* What adduser.conf adds a new user to is checked as if named: a privileged
 * group root listed there is role.escalate for whoever runs adduser. */
Test(classify_batch, adduser_settings_groups)
{
	snprintf(fake_defaults.adduser_extra_groups, sizeof(fake_defaults.adduser_extra_groups),
		 "users,sudo");
	expect_ok(classify("adduser", "--add_extra_groups", "dave", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "users"));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "sudo"));
	cr_expect(find_grant("group sudo"));
	/* Without the option, only when ADD_EXTRA_GROUPS says so. */
	expect_ok(classify("adduser", "dave", NULL));
	cr_expect_not(find(GUARD_GROUP_MEMBER_ADD, "dave", "sudo"));
	/* ADD_EXTRA_GROUPS: root's setting, so the privilege check alone
	 * (user.create covers the account made as root configured it). */
	fake_defaults.adduser_add_extra_groups = true;
	expect_ok(classify("adduser", "dave", NULL));
	cr_expect(find_grant("group sudo"));
	cr_expect_not(find(GUARD_GROUP_MEMBER_ADD, "dave", "users"));
	/* A system account gets none of them. */
	expect_ok(classify("adduser", "--system", "svc", NULL));
	cr_expect_not(find(GUARD_GROUP_MEMBER_ADD, "svc", "sudo"));
	fake_defaults.adduser_add_extra_groups = false;

	/* USERGROUPS on, --ingroup: the users group is added beside it. */
	expect_ok(classify("adduser", "--ingroup", "staff", "dave", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "staff"));
	cr_expect_not(find(GUARD_GROUP_MEMBER_ADD, "dave", "users"));
	cr_expect_not(find_grant("group sudo"));
	snprintf(fake_defaults.adduser_users_group, sizeof(fake_defaults.adduser_users_group),
		 "sudo");
	expect_ok(classify("adduser", "--gid", "1001", "dave", NULL));
	cr_expect(find_grant("group sudo"));
	snprintf(fake_defaults.adduser_users_gid, sizeof(fake_defaults.adduser_users_gid), "-1");
	expect_ok(classify("adduser", "--ingroup", "staff", "dave", NULL));
	cr_expect_not(find_grant("group sudo"));
	/* USERGROUPS off: the users group is the primary one. */
	fake_defaults.adduser_usergroups = false;
	snprintf(fake_defaults.adduser_users_gid, sizeof(fake_defaults.adduser_users_gid), "0");
	expect_ok(classify("adduser", "dave", NULL));
	cr_expect(find_grant("primary group 0"));
	expect_ok(classify("adduser", "--ingroup", "staff", "dave", NULL));
	cr_expect_not(find_grant("primary group 0"));
}

Test(classify_batch, adduser_user_to_group)
{
	expect_ok(classify("adduser", "bob", "sudo", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "bob", "sudo"));
	cr_expect(find_grant("group sudo"));
	cr_expect_eq(count(GUARD_USER_CREATE), 0);
	cr_expect_str_eq(exec_joined(), "adduser|--|bob|sudo");
	expect_ok(classify("adduser", "--quiet", "bob", "project", NULL));
	cr_expect_eq(cls.n_targets, 1);
	expect_ok(classify("adduser", "--quiet", "bob", "staff", NULL));
	cr_expect(find_grant("system group staff")); /* gid 50, below GID_MIN */
	expect_refused(classify("adduser", "--uid", "5", "bob", "staff", NULL), "no effect");
	expect_refused(classify("adduser", "--system", "bob", "staff", NULL), "two names");
	expect_refused(classify("adduser", "a", "b", "c", NULL), "one or two");
	expect_refused(classify("adduser", NULL), "name the account");
}

/* --firstgid/--lastgid below GID_MIN (1000 here): adduser may pick a
 * system gid, which a package's later addgroup --system adopts. */
Test(classify_batch, adduser_gid_range)
{
	expect_ok(classify("addgroup", "--firstgid", "150", "--lastgid", "150", "wireshark", NULL));
	cr_expect(find_grant("system group"));
	expect_ok(classify("addgroup", "--lastgid", "150", "wireshark", NULL));
	cr_expect(find_grant("system group"));
	expect_ok(classify("adduser", "--group", "--firstgid", "150", "wireshark", NULL));
	cr_expect(find_grant("system group"));
	expect_ok(classify("adduser", "--firstgid", "150", "newbie", NULL));
	cr_expect(find_grant("system group"));
	expect_ok(classify("addgroup", "--firstgid", "2000", "--lastgid", "2100", "devs", NULL));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	expect_ok(classify("addgroup", "--gid", "2000", "--firstgid", "150", "devs", NULL));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0); /* --gid decides */
}

Test(classify_batch, addgroup)
{
	expect_ok(classify("addgroup", "devs", NULL));
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "devs"));
	cr_expect_eq(cls.n_targets, 1);
	cr_expect_str_eq(cls.path, "/usr/sbin/addgroup");
	expect_ok(classify("addgroup", "--system", "--gid", "0", "devs", NULL));
	cr_expect(find_grant("group devs"));
	expect_ok(classify("adduser", "--group", "docker", NULL));
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "docker"));
	cr_expect(find_grant("group docker"));
	expect_refused(classify("addgroup", "bob", "staff", NULL), "two names");
}

Test(classify_batch, adduser_refusals)
{
	expect_refused(classify("adduser", "--conf", "/tmp/x", "dave", NULL), "configuration");
	expect_refused(classify("adduser", "-c", "/tmp/x", "dave", NULL), "configuration");
	expect_refused(classify("adduser", "--force-badname", "Dave", NULL), "strict");
	expect_refused(classify("adduser", "--allow-badname", "Dave", NULL), "strict");
	expect_refused(classify("adduser", "--allow-all-names", "Dave", NULL), "strict");
	expect_refused(classify("adduser", "--home", "/root/x", "dave", NULL), "home_roots");
	expect_refused(classify("adduser", "--hom", "/home/x", "dave", NULL), "--home in full");
	expect_refused(classify("adduser", "-system", "dave", NULL), "two dashes");
	expect_refused(classify("adduser", "+system", "dave", NULL), "two dashes");
	expect_refused(classify("adduser", "--System", "dave", NULL), "unknown");
	expect_refused(classify("adduser", "--uid", "+5", "dave", NULL), "uid");
	expect_refused(classify("adduser", "--gecos", "a:b", "dave", NULL), "split fields");
	expect_refused(classify("adduser", "--shell", "/bin/zsh", "dave", NULL), "/etc/shells");
	expect_refused(classify("adduser", "--help", NULL), "needs no privilege");
	expect_refused(classify("adduser", "--group", "--gid", "5", "--ingroup", "x", "d", NULL),
		       "exclude");
}

Test(classify_batch, deluser)
{
	/* deluser's file removal and backup follow paths a process of the
	 * account can swap: userdel -r instead. */
	expect_refused(classify("deluser", "--remove-home", "bob", NULL), "userdel -r");
	expect_refused(classify("deluser", "--remove-all-files", "bob", NULL), "userdel -r");
	expect_refused(classify("deluser", "--backup", "bob", NULL), "userdel -r");
	expect_ok(classify("deluser", "bob", NULL));
	cr_expect(find(GUARD_USER_DELETE, "bob", NULL));
	cr_expect_str_eq(exec_joined(), "deluser|--|bob");
	cr_expect_eq(cls.n_homes, 0);
	expect_ok(classify("deluser", "bob", "sudo", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_REMOVE, "bob", "sudo"));
	expect_ok(classify("delgroup", "staff", NULL));
	cr_expect(find(GUARD_GROUP_DELETE, NULL, "staff"));
	cr_expect_str_eq(cls.path, "/usr/sbin/delgroup");
	expect_ok(classify("deluser", "--group", "--only-if-empty", "staff", NULL));
	cr_expect(find(GUARD_GROUP_DELETE, NULL, "staff"));
	expect_ok(classify("deluser", "--backup-suffix", "xz", "bob", NULL));
	cr_expect(find(GUARD_USER_DELETE, "bob", NULL));
	expect_refused(classify("deluser", "--backup-to", "/tmp", "bob", NULL), "backup");
	expect_refused(classify("deluser", "--backup-to=/tmp", "bob", NULL), "backup");
	expect_refused(classify("deluser", "--no-preserve-root", "bob", NULL), "anywhere");
	expect_refused(classify("deluser", "--conf", "/x", "bob", NULL), "configuration");
	expect_refused(classify("deluser", NULL), "name the account");
	cr_expect_eq(classify("deluser", "broken", NULL), -EIO);
}

/* ---- chpasswd -------------------------------------------------------- */

Test(classify_batch, chpasswd_lines)
{
	static const char b[] = "bob:s3cret\ncarol:hunter2:with:colons\nnewbie:x";
	expect_ok(classify_batch(b, strlen(b), "chpasswd", NULL));
	cr_expect_eq(cls.n_targets, 3);
	cr_expect(find(GUARD_USER_PASSWORD, "bob", NULL));
	cr_expect(find(GUARD_USER_PASSWORD, "carol", NULL));
	cr_expect_not(find(GUARD_USER_PASSWORD, "newbie", NULL)->user.exists);
	cr_expect_str_eq(exec_joined(), "chpasswd|--");
	cr_expect_str_eq(cls.path, "/usr/sbin/chpasswd");
	for (size_t i = 0; i < cls.n_targets; i++)
		cr_expect_null(cls.targets[i].grant);
	expect_ok(
	    classify_batch(b, strlen(b), "chpasswd", "-e", "-c", "SHA512", "-s", "5000", NULL));
	expect_ok(classify_batch(b, strlen(b), "chpasswd", "--md5", NULL));
}

Test(classify_batch, chpasswd_refusals)
{
	static const char bad_name[] = "bob:x\nROOT:x\n";
	static const char no_colon[] = "bob:x\nhunter2\n";
	static const char nul[] = "bob:x\0root:y\n";
	static const char cr[] = "bob:x\r\n";
	static const char empty_line[] = "bob:x\n\ncarol:y\n";
	char *big = malloc(10u << 20);

	expect_refused(classify_batch("", 0, "chpasswd", NULL), "empty batch");
	expect_refused(classify_batch(NULL, 0, "chpasswd", NULL), "empty batch");
	expect_refused(classify_batch("x", 1, "chpasswd", NULL), "no ':'");
	cr_expect_null(strstr(cerr.message, "x'"));
	expect_refused(classify_batch(bad_name, strlen(bad_name), "chpasswd", NULL), "line 2");
	expect_refused(classify_batch(no_colon, strlen(no_colon), "chpasswd", NULL), "line 2");
	cr_expect_null(strstr(cerr.message, "hunter2"), "the secret leaked: %s", cerr.message);
	expect_refused(classify_batch(nul, sizeof(nul) - 1, "chpasswd", NULL), "NUL");
	expect_refused(classify_batch(cr, strlen(cr), "chpasswd", NULL), "carriage return");
	expect_refused(classify_batch(empty_line, strlen(empty_line), "chpasswd", NULL), "empty");
	memset(big, 'a', 10u << 20);
	expect_refused(classify_batch(big, 10u << 20, "chpasswd", NULL), "larger than");
	/* A long line: shadow would read its tail as a line of its own. */
	memcpy(big, "bob:", 4);
	memcpy(big + 8000, "\nroot:x\n", 8);
	expect_refused(classify_batch(big, 8008, "chpasswd", NULL), "longer than 4096");
	/* 10,001 short lines. */
	for (size_t i = 0; i < 10001; i++)
		memcpy(big + 6 * i, "bob:x\n", 6);
	expect_refused(classify_batch(big, 6 * 10001, "chpasswd", NULL), "more than 10000");
	expect_ok(classify_batch(big, 6 * 10000, "chpasswd", NULL));
	cr_expect_eq(cls.n_targets, 1);
	expect_refused(classify_batch("bob:x\n", 6, "chpasswd", "-R", "/x", NULL), "root");
	expect_refused(classify_batch("bob:x\n", 6, "chpasswd", "-c", "ROT13", NULL), "crypt");
	expect_refused(classify_batch("bob:x\n", 6, "chpasswd", "bob", NULL), "stdin");
	cr_expect_eq(classify_batch("broken:x\n", 9, "chpasswd", NULL), -EIO);
	free(big);
}

/* ---- newusers -------------------------------------------------------- */

Test(classify_batch, newusers_lines)
{
	static const char b[] = "dave:pw:2001:2001:Dave D,,,:/home/dave:/bin/bash\n"
				"bob:pw::::/home/bob:\n";
	expect_ok(classify_batch(b, strlen(b), "newusers", NULL));
	cr_expect(find(GUARD_USER_CREATE, "dave", NULL));
	cr_expect(find(GUARD_USER_PASSWORD, "dave", NULL));
	/* gid 2001: no such group, newusers makes one named dave with it. */
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "dave"));
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "dave")->gid_known);
	cr_expect_eq(find(GUARD_GROUP_CREATE, NULL, "dave")->gid, 2001);
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "dave"));
	cr_expect(find_home(GUARD_HOME_CREATE, "/home/dave", "dave"));
	cr_expect(find_home(GUARD_HOME_CREATE, "/home/bob", "bob"));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
	cr_expect(find(GUARD_USER_PASSWORD, "bob", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "bob", "bob"));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	cr_expect_str_eq(exec_joined(), "newusers|--");
}

Test(classify_batch, newusers_privileged_line_among_good_ones)
{
	static const char uid0[] = "dave:pw:2001::::\nevil:pw:0::::\nerin:pw:2003::::\n";
	static const char byname[] = "evil:pw:root::::\n";
	static const char gsudo[] = "evil:pw:2002:sudo:::\n";
	static const char g0[] = "evil:pw:2002:0:::\n";
	static const char named_docker[] = "docker:pw:2002::::\n";
	static const char prot[] = "evil:pw:500::::\n";

	expect_ok(classify_batch(uid0, strlen(uid0), "newusers", NULL));
	cr_expect(find(GUARD_USER_CREATE, "dave", NULL));
	cr_expect(find(GUARD_USER_CREATE, "erin", NULL));
	cr_expect(find_grant("uid 0"));
	cr_expect_str_eq(find_grant("uid 0")->user.name, "evil");
	cr_expect(find(GUARD_USER_CREATE, "evil", NULL)->protected_grant);
	cr_expect_not(find(GUARD_USER_CREATE, "dave", NULL)->protected_grant);
	expect_ok(classify_batch(byname, strlen(byname), "newusers", NULL));
	cr_expect(find_grant("duplicate uid (of root)"));
	cr_expect(find_grant("uid 0"));
	expect_ok(classify_batch(gsudo, strlen(gsudo), "newusers", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "evil", "sudo"));
	cr_expect(find_grant("group sudo"));
	expect_ok(classify_batch(g0, strlen(g0), "newusers", NULL));
	cr_expect(find_grant("primary group 0"));
	expect_ok(classify_batch(named_docker, strlen(named_docker), "newusers", NULL));
	cr_expect(find_grant("group docker"));
	expect_ok(classify_batch(prot, strlen(prot), "newusers", NULL));
	cr_expect(find_grant("protected uid 500"));
	/* Another account's uid by number: a second name for carol. */
	expect_ok(classify_batch("evil:pw:1003::::\n", 17, "newusers", NULL));
	cr_expect(find_grant("duplicate uid (of carol)"));
	cr_expect_str_eq(find_grant("duplicate uid (of carol)")->user.name, "evil");
	expect_ok(classify_batch("fresh:pw:2003::::\n", 18, "newusers", NULL));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	expect_ok(classify_batch("carol:pw:1003::::\n", 18, "newusers", NULL));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0, "carol's own uid");
	cr_expect_eq(classify_batch("evil:pw:666::::\n", 16, "newusers", NULL), -EIO);
	expect_ok(classify_batch("svc:pw:::::\n", 12, "newusers", "-r", NULL));
	cr_expect(find_grant("system account (-r)"));
	cr_expect(find(GUARD_USER_CREATE, "svc", NULL)->protected_grant);
}

Test(classify_batch, newusers_refusals)
{
	static const char *const bad[] = {
	    "dave:pw:2001:2001:x:/root/dave:/bin/bash\n",
	    "dave:pw:2001:2001:x:/home/../root:/bin/bash\n",
	    "dave:pw:2001:2001:x:/home/dave:/bin/zsh\n",
	    "dave:pw:2001:2001:a\x1b"
	    "b:/home/dave:/bin/bash\n",
	    "dave:pw:-1:2001:x:/home/dave:/bin/bash\n",
	    "dave:pw:2001\n",
	    "dave:pw:2001:2001:x:/home/dave:/bin/bash:extra\n",
	    "Dave:pw:2001:2001:x:/home/dave:/bin/bash\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(classify_batch(bad[i], strlen(bad[i]), "newusers", NULL), -EINVAL,
			     "line %zu", i);
	expect_refused(classify_batch("d:p:::::\n", 9, "newusers", "-b", NULL), "strict");
	expect_refused(classify_batch("", 0, "newusers", NULL), "empty batch");
	cr_expect_eq(classify_batch("broken:pw:::::\n", 15, "newusers", NULL), -EIO);
}

/* Two lines of one batch with one home, or one inside the other's: the
 * filesystem check sees neither yet, and newusers gives the second line's
 * account the directory the first one's owns. */
Test(classify_batch, newusers_shared_homes)
{
	static const char same[] = "u1:pw::::/home/shared:/bin/bash\n"
				   "u2:pw::::/home/shared:/bin/bash\n";
	static const char nested[] = "u1:pw::::/home/u1d:/bin/bash\n"
				     "u2:pw::::/home/u1d/sub:/bin/bash\n";
	static const char apart[] = "u1:pw::::/home/u1d:/bin/bash\n"
				    "u2:pw::::/home/u1dx:/bin/bash\n";

	expect_refused(classify_batch(same, strlen(same), "newusers", NULL), "would share a home");
	expect_refused(classify_batch(nested, strlen(nested), "newusers", NULL),
		       "would share a home");
	expect_ok(classify_batch(apart, strlen(apart), "newusers", NULL));
}

/* A gid field that names no group makes newusers create one named after
 * the user, whatever group has that name already: refused. */
Test(classify_batch, newusers_group_named_like_the_user)
{
	static const char staff[] = "staff:pw:6000:6000::/home/staffx:/bin/bash\n";
	static const char fresh[] = "newbie:pw:6000:6000::/home/newbie:/bin/bash\n";

	expect_refused(classify_batch(staff, strlen(staff), "newusers", NULL),
		       "would make newusers rewrite it");
	expect_ok(classify_batch(fresh, strlen(fresh), "newusers", NULL));
}

Test(classify_batch, homes_overlap)
{
	cr_expect(guard_homes_overlap("/home/a", "/home/a"));
	cr_expect(guard_homes_overlap("/home/a", "/home/a/b"));
	cr_expect(guard_homes_overlap("/home/a/b", "/home/a"));
	cr_expect_not(guard_homes_overlap("/home/a", "/home/ab"));
	cr_expect_not(guard_homes_overlap("/home/ab", "/home/a"));
	cr_expect_not(guard_homes_overlap("/", "/home/a"));
	cr_expect_not(guard_homes_overlap("/nonexistent", "/nonexistent"));
	cr_expect_not(guard_homes_overlap("/nonexistent/x", "/nonexistent"));
	cr_expect(guard_homes_overlap("/nonexistentx", "/nonexistentx/y"));
	cr_expect_not(guard_homes_overlap(NULL, "/home/a"));
}

/* A process that runs with a uid outlives its account: the next account
 * given the uid owns it. Deleting an account or changing its uid waits
 * until none runs; a new account never gets a uid one runs with. */
Test(classify_batch, processes_outlive_accounts)
{
	static const char orphan[] = "newu:pw:3000:users:::\n";

	expect_refused(classify("userdel", "busy", NULL), "process 41010 runs with uid 1010");
	expect_refused(classify("userdel", "-f", "busy", NULL), "end the account's processes");
	expect_refused(classify("deluser", "busy", NULL), "process 41010");
	expect_refused(classify("usermod", "-u", "2000", "busy", NULL), "process 41010");
	expect_ok(classify("usermod", "-s", "/bin/sh", "busy", NULL));
	expect_ok(classify("userdel", "bob", NULL));
	expect_ok(classify("usermod", "-u", "2000", "bob", NULL));
	expect_refused(classify("useradd", "-u", "3000", "dave", NULL), "no account has it");
	expect_refused(classify("adduser", "--uid", "3000", "dave", NULL), "process 43000");
	expect_refused(classify("usermod", "-u", "3000", "bob", NULL), "process 43000");
	expect_refused(classify_batch(orphan, strlen(orphan), "newusers", NULL), "process 43000");
	expect_ok(classify("useradd", "-u", "3001", "dave", NULL));
	/* Cannot tell: refused as an error. */
	cr_expect_eq(classify("useradd", "-u", "666", "dave", NULL), -EIO);
}

/* userdel -f deletes the account's primary group named like it even when
 * it is another account's primary group: a group.delete. */
Test(classify_batch, userdel_named_group)
{
	expect_ok(classify("userdel", "users", NULL)); /* userdel keeps a shared one */
	cr_expect_eq(count(GUARD_GROUP_DELETE), 0);
	expect_ok(classify("userdel", "-f", "users", NULL));
	cr_expect(find(GUARD_GROUP_DELETE, NULL, "users"));
	expect_ok(classify("userdel", "-f", "bob", NULL));
	cr_expect(find(GUARD_GROUP_DELETE, NULL, "bob"));
	expect_ok(classify("deluser", "users", NULL)); /* deluser runs userdel without -f */
	cr_expect_eq(count(GUARD_GROUP_DELETE), 0);
}
