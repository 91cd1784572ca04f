/* The classifier on the shadow tools: option forms, actions, grants,
 * refusals, names, numbers, fields, and the argv Guard execs. */
#include "test_classify_fixture.h"

TestSuite(classify, .init = fixture_setup, .fini = fixture_teardown);

/* ---- option forms -------------------------------------------------- */

Test(classify, usermod_append_groups_is_membership_not_modify)
{
	expect_ok(classify("usermod", "-aG", "sudo", "bob", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "bob", "sudo"));
	cr_expect(find_grant("group sudo"));
	cr_expect_eq(count(GUARD_USER_MODIFY), 0);
	cr_expect_eq(count(GUARD_GROUP_MEMBER_REMOVE), 0);
	cr_expect_str_eq(exec_joined(), "usermod|-a|-G|sudo|--|bob");
	cr_expect_str_eq(cls.path, "/usr/sbin/usermod");
	cr_expect_null(cls.command);
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "bob", "sudo")->user.exists);
	cr_expect_eq(find(GUARD_GROUP_MEMBER_ADD, "bob", "sudo")->user.uid, 1001);
	cr_expect_eq(find(GUARD_GROUP_MEMBER_ADD, "bob", "sudo")->gid, 27);
}

Test(classify, same_request_in_every_option_form)
{
	static const char *const forms[][6] = {
	    {"usermod", "-a", "-G", "sudo", "bob", NULL},
	    {"usermod", "-aGsudo", "bob", NULL},
	    {"usermod", "-a", "-Gsudo", "bob", NULL},
	    {"usermod", "--append", "--groups", "sudo", "bob", NULL},
	    {"usermod", "--append", "--groups=sudo", "bob", NULL},
	    {"usermod", "bob", "-aG", "sudo", NULL},
	    {"usermod", "-aG", "sudo", "--", "bob", NULL},
	    {"usermod", "--groups=sudo", "bob", "--append", NULL},
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char *argv[6];
		int argc = 0;
		for (; forms[i][argc]; argc++)
			argv[argc] = (char *)forms[i][argc];
		argv[argc] = NULL;
		guard_classification_clear(&cls);
		cr_assert_eq(
		    guard_classify(policy, &fake_resolver, argc, argv, NULL, 0, &cls, &cerr), 0,
		    "form %zu: %s", i, cerr.message);
		cr_expect(find(GUARD_GROUP_MEMBER_ADD, "bob", "sudo"), "form %zu", i);
		cr_expect(find_grant("group sudo"), "form %zu", i);
		/* Options keep their order; values are split off; "--" before bob. */
		cr_expect_str_eq(exec_joined(),
				 i == 7 ? "usermod|-G|sudo|-a|--|bob" : "usermod|-a|-G|sudo|--|bob",
				 "form %zu", i);
	}
}

Test(classify, bundle_with_uid_zero)
{
	expect_ok(classify("usermod", "-ou0", "bob", NULL));
	cr_expect(find_grant("uid 0"));
	cr_expect(find_grant("duplicate uid (-o)"));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
	cr_expect(find_grant("uid 0")->protected_grant);
	cr_expect_str_eq(exec_joined(), "usermod|-o|-u|0|--|bob");
}

Test(classify, double_dash_makes_operands)
{
	/* After "--" an option-looking word is an operand: a bad name. */
	expect_refused(classify("usermod", "-L", "--", "-ou0", NULL), "not a valid name");
	expect_refused(classify("usermod", "-L", "--", "bob", "carol", NULL), "one account only");
}

Test(classify, unknown_options_refused)
{
	expect_refused(classify("usermod", "-X", "bob", NULL), "unknown option");
	expect_refused(classify("usermod", "--frobnicate", "bob", NULL), "unknown option");
	expect_refused(classify("useradd", "-mXG", "sudo", "bob", NULL), "-X");
	expect_refused(classify("chpasswd", "-P", "/x", NULL), "unknown option");
}

Test(classify, abbreviations_refused)
{
	expect_refused(classify("usermod", "--gro", "sudo", "bob", NULL), "--groups in full");
	expect_refused(classify("useradd", "--home", "/home/x", "bob", NULL), "--home-dir in full");
	expect_refused(classify("usermod", "--app", "-G", "sudo", "bob", NULL), "abbreviated");
}

Test(classify, missing_value_refused)
{
	expect_refused(classify("usermod", "bob", "-G", NULL), "missing");
	expect_refused(classify("usermod", "bob", "--groups", NULL), "missing");
	expect_refused(classify("usermod", "--lock=yes", "bob", NULL), "takes no value");
}

/* ---- refused options ----------------------------------------------- */

Test(classify, files_and_settings_options_refused)
{
	expect_refused(classify("useradd", "-R", "/tmp/x", "bob", NULL), "-R/--root");
	expect_refused(classify("useradd", "--root=/tmp/x", "bob", NULL), "another root");
	expect_refused(classify("usermod", "-P", "/tmp/x", "-L", "bob", NULL), "prefix");
	expect_refused(classify("usermod", "-LR/tmp/x", "bob", NULL), "root");
	expect_refused(classify("useradd", "-K", "UID_MIN=0", "bob", NULL), "login.defs");
	expect_refused(classify("useradd", "-OUID_MIN=0", "bob", NULL), "login.defs");
	expect_refused(classify("useradd", "-m", "-k", "/tmp/skel", "bob", NULL), "skeleton");
	expect_refused(classify("useradd", "-D", NULL), "defaults");
	expect_refused(classify("useradd", "--badname", "Bob", NULL), "--badname");
	expect_refused(classify("usermod", "-b", "-l", "Bob", "bob", NULL), "badnames");
	expect_refused(classify("gpasswd", "-Q", "/tmp", "-a", "bob", "staff", NULL), "root");
	expect_refused(classify("passwd", "-r", "nis", "bob", NULL), "account database");
	expect_refused(classify("passwd", "-R", "/x", "bob", NULL), "root");
	expect_refused(classify("chage", "-R", "/x", "-l", "bob", NULL), "root");
	expect_refused(classify("chsh", "-R", "/x", "-s", "/bin/sh", "bob", NULL), "root");
	expect_refused(classify("chfn", "-R", "/x", "-f", "B", "bob", NULL), "root");
	expect_refused(classify("groupadd", "-K", "GID_MIN=0", "g", NULL), "login.defs");
	expect_refused(classify("groupdel", "-P", "/x", "staff", NULL), "prefix");
	expect_refused(classify("userdel", "--root", "/x", "bob", NULL), "root");
	expect_refused(classify("useradd", "-h", NULL), "needs no privilege");
}

Test(classify, value_that_looks_like_root_option_refused)
{
	/* shadow scans all of argv for --root= before getopt, even after "--". */
	expect_refused(classify("useradd", "-c", "--root=/tmp/evil", "bob", NULL),
		       "root or prefix");
	expect_refused(classify("usermod", "--comment=-R", "bob", NULL), "root or prefix");
	expect_refused(classify("usermod", "-c", "--prefix", "bob", NULL), "root or prefix");
}

Test(classify, homes_outside_roots_refused)
{
	expect_refused(classify("useradd", "-d", "/etc", "bob", NULL), "home_roots");
	expect_refused(classify("useradd", "-d", "/home/../root", "bob", NULL), "clean absolute");
	expect_refused(classify("useradd", "-d", "/home/./bob", "bob", NULL), "clean absolute");
	expect_refused(classify("useradd", "-d", "home/bob", "bob", NULL), "clean absolute");
	expect_refused(classify("useradd", "-d", "/homes/bob", "bob", NULL), "home_roots");
	expect_refused(classify("useradd", "-d", "/home", "bob", NULL), "home_roots");
	expect_refused(classify("useradd", "-b", "/tmp", "bob", NULL), "home_roots");
	expect_refused(classify("usermod", "-md", "/root", "bob", NULL), "home_roots");
	expect_refused(classify("useradd", "-d", "/home/a:b", "bob", NULL), "\":\"");
	expect_ok(classify("useradd", "-d", "/home/bob2", "bob2", NULL));
	expect_ok(classify("useradd", "-d", "//srv//homes/x/", "x", NULL));
	expect_ok(classify("useradd", "-b", "/home", "bob2", NULL));
	expect_ok(classify("usermod", "-m", "-d", "/srv/homes/bob", "bob", NULL));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
}

/* ---- names and numbers --------------------------------------------- */

Test(classify, bad_names_refused)
{
	static const char *const bad[] = {
	    "-ou0",  "--badname", "../x",
	    "root ", "ROOT",	  "a\nb",
	    "",	     "x\x1b[1m",  "abcdefghijklmnopqrstuvwxyz0123456"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(classify("userdel", "--", bad[i], NULL), -EINVAL, "name %zu", i);
		cr_expect_eq(classify("usermod", "-aG", bad[i], "bob", NULL), -EINVAL, "group %zu",
			     i);
		cr_expect_eq(classify("gpasswd", "-a", bad[i], "staff", NULL), -EINVAL, "user %zu",
			     i);
		cr_expect_eq(classify("usermod", "-l", bad[i], "bob", NULL), -EINVAL, "new %zu", i);
	}
	expect_refused(classify("useradd", "-G", "staff,,sudo", "bob2", NULL), "empty item");
}

Test(classify, non_canonical_numbers_refused)
{
	static const char *const bad[] = {"-1", "4294967295", "4294967296", "0x0", "+0",
					  " 0", "1e3",	      "10abc",	    "00"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(classify("useradd", "-u", bad[i], "bob2", NULL), -EINVAL, "%s",
			     bad[i]);
		cr_expect_eq(classify("groupmod", "-g", bad[i], "staff", NULL), -EINVAL, "%s",
			     bad[i]);
	}
}

Test(classify, gecos_injection_refused)
{
	static const char *const bad[] = {"a:b",	"a\nb",	 "a\rb",      "a\x1b[2Jb",
					  "a\xc2\x85z", "a\xff", "a\xc0\x80", "\x7f"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(classify("useradd", "-c", bad[i], "bob2", NULL), -EINVAL, "%zu", i);
		cr_expect_eq(classify("chfn", "-f", bad[i], "bob", NULL), -EINVAL, "%zu", i);
	}
	expect_refused(classify("chfn", "-r", "1,2", "bob", NULL), "split fields");
	expect_refused(classify("chfn", "-o", "a=b", "bob", NULL), "split fields");
	expect_ok(classify("useradd", "-c", "Bob Smith,Room 1,555,556", "bob2", NULL));
	expect_ok(classify("chfn", "-f", "Zoë Ångström", "bob", NULL));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
}

Test(classify, shells_checked)
{
	expect_ok(classify("chsh", "-s", "/bin/bash", "bob", NULL));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
	expect_refused(classify("chsh", "-s", "/tmp/evil", "bob", NULL), "/etc/shells");
	expect_refused(classify("useradd", "-s", "bash", "bob2", NULL), "not a shell path");
	expect_refused(classify("usermod", "-s", "/bin/bash:x", "bob", NULL), "not a shell path");
	cr_expect_eq(classify("usermod", "-s", "/bin/broken", "bob", NULL), -EIO);
}

/* ---- useradd -------------------------------------------------------- */

Test(classify, useradd_plain)
{
	expect_ok(classify("useradd", "-m", "dave", NULL));
	/* The account, its user-private group (USERGROUPS_ENAB) and its
	 * membership in it. */
	cr_expect_eq(cls.n_targets, 3);
	cr_expect(find(GUARD_USER_CREATE, "dave", NULL));
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "dave"));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "dave"));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	cr_expect_eq(cls.n_homes, 1);
	cr_expect(find_home(GUARD_HOME_CREATE, "/home/dave", "dave"));
	cr_expect_not(find(GUARD_USER_CREATE, "dave", NULL)->user.exists);
	cr_expect_not(find(GUARD_USER_CREATE, "dave", NULL)->protected_grant);
	/* The policy names useradd: its path wins over the built-in one. */
	cr_expect_str_eq(cls.path, "/opt/shadow/useradd");
	cr_expect_not_null(cls.command);
	cr_expect_str_eq(exec_joined(), "useradd|-m|--|dave");
}

Test(classify, useradd_groups_and_grants)
{
	expect_ok(classify("useradd", "-mG", "sudo,staff", "-g", "0", "dave", NULL));
	cr_expect(find(GUARD_USER_CREATE, "dave", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "sudo"));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "staff"));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "root"));
	cr_expect(find_grant("group sudo"));
	cr_expect(find_grant("primary group 0"));
	cr_expect_null(find_grant("group staff"));
	cr_expect_str_eq(exec_joined(), "useradd|-m|-G|sudo,staff|-g|0|--|dave");

	/* Groups by gid are resolved to names. */
	expect_ok(classify("useradd", "-G", "27", "dave", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "sudo"));
	cr_expect(find_grant("group sudo"));
}

Test(classify, useradd_uid_grants)
{
	expect_ok(classify("useradd", "-u", "0", "-o", "dave", NULL));
	cr_expect(find_grant("uid 0"));
	cr_expect(find_grant("duplicate uid (-o)"));
	cr_expect(find(GUARD_USER_CREATE, "dave", NULL)->protected_grant);
	cr_expect(find(GUARD_USER_CREATE, "dave", NULL)->user.uid_known);
	cr_expect_eq(find(GUARD_USER_CREATE, "dave", NULL)->user.uid, 0);

	expect_ok(classify("useradd", "-u", "500", "dave", NULL));
	cr_expect(find_grant("protected uid 500"));
	cr_expect(find(GUARD_USER_CREATE, "dave", NULL)->protected_grant);

	expect_ok(classify("useradd", "-u", "2000", "dave", NULL));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	cr_expect_not(find(GUARD_USER_CREATE, "dave", NULL)->protected_grant);

	expect_ok(classify("useradd", "-r", "svc", NULL));
	cr_expect(find_grant("system account (-r)"));
	cr_expect(find(GUARD_USER_CREATE, "svc", NULL)->protected_grant);

	expect_ok(classify("useradd", "-Z", "staff_u", "dave", NULL));
	cr_expect(find_grant("SELinux user staff_u"));
	expect_ok(classify("useradd", "-rF", "svc", NULL));
	cr_expect(find_grant("subordinate ids"));
}

Test(classify, useradd_password_is_secret)
{
	expect_ok(classify("useradd", "-p", "$6$salt$hash", "-mpX$6$a$b", "dave", NULL));
	cr_expect(find(GUARD_USER_PASSWORD, "dave", NULL));
	cr_expect_str_eq(shown_joined(), "useradd|-p|********|-mp********|dave");
	cr_expect_str_eq(exec_joined(), "useradd|-p|$6$salt$hash|-m|-p|X$6$a$b|--|dave");
	expect_ok(classify("usermod", "--password=$6$x", "bob", NULL));
	cr_expect_str_eq(shown_joined(), "usermod|--password=********|bob");
	cr_expect(find(GUARD_USER_PASSWORD, "bob", NULL));
	cr_expect_eq(count(GUARD_USER_MODIFY), 0);
	expect_refused(classify("usermod", "-p", "a:b", "bob", NULL), "password field");
	cr_expect_null(strstr(cerr.message, "a:b"));
}

/* ---- usermod -------------------------------------------------------- */

Test(classify, usermod_set_groups_removes_the_others)
{
	/* alice is in alice (own group), sudo and users. */
	expect_ok(classify("usermod", "-G", "staff", "alice", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "alice", "staff"));
	cr_expect(find(GUARD_GROUP_MEMBER_REMOVE, "alice", "sudo"));
	cr_expect(find(GUARD_GROUP_MEMBER_REMOVE, "alice", "users"));
	cr_expect_null(find(GUARD_GROUP_MEMBER_REMOVE, "alice", "alice"));
	cr_expect_eq(count(GUARD_USER_MODIFY), 0);

	expect_ok(classify("usermod", "-rG", "sudo", "alice", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_REMOVE, "alice", "sudo"));
	cr_expect_eq(count(GUARD_GROUP_MEMBER_ADD), 0);
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	expect_refused(classify("usermod", "-a", "bob", NULL), "go with -G");
}

Test(classify, usermod_lock_unlock_expiry)
{
	expect_ok(classify("usermod", "-L", "bob", NULL));
	cr_expect(find(GUARD_USER_LOCK, "bob", NULL));
	cr_expect_eq(cls.n_targets, 1);
	expect_ok(classify("usermod", "-U", "bob", NULL));
	cr_expect(find(GUARD_USER_UNLOCK, "bob", NULL));
	expect_ok(classify("usermod", "-e", "1", "bob", NULL));
	cr_expect(find(GUARD_USER_LOCK, "bob", NULL));
	expect_ok(classify("usermod", "-e", "2020-01-01", "bob", NULL));
	cr_expect(find(GUARD_USER_LOCK, "bob", NULL));
	expect_ok(classify("usermod", "-e", "", "bob", NULL));
	cr_expect(find(GUARD_USER_UNLOCK, "bob", NULL));
	cr_expect_str_eq(exec_joined(), "usermod|-e||--|bob");
	expect_ok(classify("usermod", "--expiredate=-1", "bob", NULL));
	cr_expect(find(GUARD_USER_UNLOCK, "bob", NULL));
	expect_refused(classify("usermod", "-e", "tomorrow", "bob", NULL), "not a date");
	expect_ok(classify("chage", "-E", "0", "bob", NULL));
	cr_expect(find(GUARD_USER_LOCK, "bob", NULL));
}

Test(classify, usermod_fields_and_grants)
{
	expect_ok(classify("usermod", "-c", "Bob", "-s", "/bin/sh", "-f", "-1", "-l", "robert",
			   "bob", NULL));
	cr_expect_eq(cls.n_targets, 1);
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
	expect_ok(classify("usermod", "-v", "100000-165535", "bob", NULL));
	cr_expect(find_grant("subordinate ids"));
	expect_ok(classify("usermod", "-W", "100000-165535", "bob", NULL));
	cr_expect(find_grant("subordinate ids"));
	expect_refused(classify("usermod", "-v", "100000", "bob", NULL), "FIRST-LAST");
	expect_ok(classify("usermod", "-Z", "staff_u", "bob", NULL));
	cr_expect(find_grant("SELinux user staff_u"));
	expect_ok(classify("usermod", "-g", "sudo", "bob", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "bob", "sudo"));
	cr_expect(find_grant("group sudo"));
	expect_ok(classify("usermod", "-u", "999", "bob", NULL));
	cr_expect(find_grant("protected uid 999"));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL)->protected_grant);
	/* Any new uid leaves the old one's files to its next account. */
	expect_ok(classify("usermod", "-u", "5000", "bob", NULL));
	cr_expect(find_grant("uid change (-u): the old uid's files go to its next account"));
	expect_ok(classify("usermod", "-c", "x", "bob", NULL));
	cr_expect_not(find_grant("uid change (-u): the old uid's files go to its next account"));
	expect_refused(classify("usermod", "bob", NULL), "no change");
}

Test(classify, missing_user_is_classified_not_existing)
{
	expect_ok(classify("usermod", "-L", "nobody2", NULL));
	cr_expect(find(GUARD_USER_LOCK, "nobody2", NULL));
	cr_expect_not(find(GUARD_USER_LOCK, "nobody2", NULL)->user.exists);
	cr_expect_not(find(GUARD_USER_LOCK, "nobody2", NULL)->user.uid_known);
}

Test(classify, resolver_errors_propagate)
{
	cr_expect_eq(classify("usermod", "-L", "broken", NULL), -EIO);
	cr_expect_eq(classify("usermod", "-aG", "iofail", "bob", NULL), -EIO);
	cr_expect_eq(classify("useradd", "-g", "666", "dave", NULL), -EIO);
	cr_expect_eq(classify("gpasswd", "-a", "broken", "staff", NULL), -EIO);
	cr_expect_eq(classify("passwd", "broken", NULL), -EIO);
	cr_expect_eq(cls.n_targets, 0);
}

/* ---- userdel, passwd, chage, chsh, chfn ----------------------------- */

Test(classify, userdel)
{
	expect_ok(classify("userdel", "-rf", "bob", NULL));
	cr_expect(find(GUARD_USER_DELETE, "bob", NULL));
	cr_expect(find(GUARD_GROUP_DELETE, NULL, "bob")); /* -f: test_classify_batch.c */
	cr_expect_eq(cls.n_targets, 2);
	cr_expect_str_eq(exec_joined(), "userdel|-r|-f|--|bob");
	expect_ok(classify("userdel", "--remove", "--selinux-user", "root", NULL));
	cr_expect(find(GUARD_USER_DELETE, "root", NULL)->user.uid_known);
}

Test(classify, passwd_forms)
{
	expect_ok(classify("passwd", "bob", NULL));
	cr_expect(find(GUARD_USER_PASSWORD, "bob", NULL));
	cr_expect_str_eq(cls.path, "/usr/bin/passwd");
	expect_ok(classify("passwd", "-l", "bob", NULL));
	cr_expect(find(GUARD_USER_LOCK, "bob", NULL));
	cr_expect_eq(cls.n_targets, 1);
	expect_ok(classify("passwd", "--unlock", "bob", NULL));
	cr_expect(find(GUARD_USER_UNLOCK, "bob", NULL));
	expect_ok(classify("passwd", "-d", "bob", NULL));
	cr_expect(find(GUARD_USER_PASSWORD, "bob", NULL));
	expect_ok(classify("passwd", "-e", "bob", NULL));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
	expect_ok(classify("passwd", "-n", "1", "-x", "90", "-w", "7", "-i", "3", "bob", NULL));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
	cr_expect_eq(cls.n_targets, 1);
	expect_ok(classify("passwd", "-S", "bob", NULL));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
	expect_ok(classify("passwd", "-q", "bob", NULL));
	cr_expect(find(GUARD_USER_PASSWORD, "bob", NULL));
	expect_refused(classify("passwd", NULL), "name the account: guardctl passwd USER");
	expect_refused(classify("passwd", "-l", NULL), "name the account");
	expect_refused(classify("passwd", "-aS", NULL), "every account");
}

Test(classify, chage_chsh_chfn)
{
	expect_ok(
	    classify("chage", "-M", "90", "-m", "1", "-W", "7", "-I", "5", "-d", "0", "bob", NULL));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
	cr_expect_eq(cls.n_targets, 1);
	expect_ok(classify("chage", "-l", "bob", NULL));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
	expect_ok(classify("chage", "bob", NULL));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
	cr_expect(find(GUARD_USER_LOCK, "bob", NULL));
	expect_refused(classify("chage", "-M", "x", "bob", NULL), "day count");
	expect_refused(classify("chsh", NULL), "name the account");
	expect_refused(classify("chsh", "bob", NULL), "name the shell");
	expect_refused(classify("chfn", NULL), "name the account");
	expect_refused(classify("chfn", "bob", NULL), "fields");
	expect_ok(classify("chfn", "-f", "Bob", "-r", "12", "-w", "555", "-h", "556", "-o", "x",
			   "bob", NULL));
	cr_expect(find(GUARD_USER_MODIFY, "bob", NULL));
	expect_refused(classify("chfn", "-u", NULL), "needs no privilege");
}

/* ---- groups --------------------------------------------------------- */

Test(classify, groupadd)
{
	expect_ok(classify("groupadd", "devs", NULL));
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "devs"));
	cr_expect_eq(cls.n_targets, 1);
	expect_ok(classify("groupadd", "wheel", NULL));
	cr_expect(find_grant("group wheel"));
	expect_ok(classify("groupadd", "-g", "0", "-o", "devs", NULL));
	cr_expect(find_grant("duplicate gid (-o)"));
	cr_expect(find_grant("gid 0 of group root"));
	expect_ok(classify("groupadd", "-og", "27", "devs", NULL));
	cr_expect(find_grant("gid 27 of group sudo"));
	expect_ok(classify("groupadd", "-U", "bob,carol", "-r", "devs", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "bob", "devs"));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "carol", "devs"));
	expect_ok(classify("groupadd", "-p", "$1$x", "-f", "devs", NULL));
	cr_expect_str_eq(shown_joined(), "groupadd|-p|********|-f|devs");
}

/* A system group is one a package takes for its own by name and gives
 * powers to: -r, --system, or a gid below GID_MIN (1000 by default). */
Test(classify, system_groups_are_escalations)
{
	expect_ok(classify("groupadd", "devs", NULL));
	cr_expect_not(find_grant("system group"));
	expect_ok(classify("groupadd", "-g", "1000", "devs", NULL));
	cr_expect_not(find_grant("system group"));
	expect_ok(classify("groupadd", "-r", "wireshark", NULL));
	cr_expect(find_grant("system group"));
	expect_ok(classify("groupadd", "--system", "wireshark", NULL));
	cr_expect(find_grant("system group"));
	expect_ok(classify("groupadd", "-g", "994", "wireshark", NULL));
	cr_expect(find_grant("system group"));
	expect_ok(classify("groupmod", "-g", "994", "devs", NULL));
	cr_expect(find_grant("system group"));
	expect_ok(classify("groupmod", "-g", "5000", "devs", NULL));
	cr_expect_not(find_grant("system group"));
	/* A system group renamed: what a package of the new name adopts. */
	expect_ok(classify("groupmod", "-n", "wireshark", "users", NULL));
	cr_expect(find_grant("system group"));
	expect_ok(classify("groupmod", "-n", "wireshark", "-g", "5000", "users", NULL));
	cr_expect_not(find_grant("system group"));
	expect_ok(classify("addgroup", "--system", "kvmx", NULL));
	cr_expect(find_grant("system group"));
	expect_ok(classify("addgroup", "kvmx", NULL));
	cr_expect_not(find_grant("system group"));
	expect_ok(classify("addgroup", "--gid", "500", "kvmx", NULL));
	cr_expect(find_grant("system group"));
}

Test(classify, groupmod)
{
	expect_ok(classify("groupmod", "-n", "sudo", "staff", NULL));
	cr_expect(find(GUARD_GROUP_MODIFY, NULL, "staff"));
	cr_expect(find_grant("group sudo"));
	expect_ok(classify("groupmod", "-g", "27", "-o", "staff", NULL));
	cr_expect(find_grant("gid 27 of group sudo"));
	cr_expect(find_grant("duplicate gid (-o)"));
	expect_ok(classify("groupmod", "-g", "5000", "staff", NULL));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	expect_ok(classify("groupmod", "-p", "$1$x", "sudo", NULL));
	cr_expect(find_grant("password on group sudo"));
	expect_ok(classify("groupmod", "-aU", "bob", "sudo", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "bob", "sudo"));
	cr_expect(find_grant("group sudo"));
	cr_expect_eq(count(GUARD_GROUP_MEMBER_REMOVE), 0);
	expect_ok(classify("groupmod", "-U", "bob", "staff", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_REMOVE, NULL, "staff"));
	expect_refused(classify("groupmod", "staff", NULL), "no change");
}

Test(classify, groupdel)
{
	expect_ok(classify("groupdel", "-f", "staff", NULL));
	cr_expect(find(GUARD_GROUP_DELETE, NULL, "staff"));
	cr_expect_eq(find(GUARD_GROUP_DELETE, NULL, "staff")->gid, 50);
	expect_refused(classify("groupdel", NULL), "name the group");
}

Test(classify, gpasswd)
{
	expect_ok(classify("gpasswd", "-a", "bob", "sudo", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "bob", "sudo"));
	cr_expect(find_grant("group sudo"));
	cr_expect_str_eq(cls.path, "/usr/bin/gpasswd");
	cr_expect_str_eq(exec_joined(), "gpasswd|-a|bob|--|sudo");
	expect_ok(classify("gpasswd", "--delete=alice", "sudo", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_REMOVE, "alice", "sudo"));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	expect_ok(classify("gpasswd", "-M", "bob,carol", "staff", NULL));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "bob", "staff"));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "carol", "staff"));
	cr_expect(find(GUARD_GROUP_MEMBER_REMOVE, NULL, "staff"));
	expect_ok(classify("gpasswd", "-A", "bob", "sudo", NULL));
	cr_expect(find(GUARD_GROUP_MODIFY, NULL, "sudo"));
	cr_expect(find_grant("administrator of group sudo"));
	cr_expect_str_eq(find_grant("administrator of group sudo")->user.name, "bob");
	expect_ok(classify("gpasswd", "sudo", NULL));
	cr_expect(find(GUARD_GROUP_MODIFY, NULL, "sudo"));
	cr_expect(find_grant("password on group sudo"));
	expect_ok(classify("gpasswd", "-r", "staff", NULL));
	cr_expect(find(GUARD_GROUP_MODIFY, NULL, "staff"));
	cr_expect_eq(cls.n_targets, 1);
	expect_ok(classify("gpasswd", "-R", "staff", NULL));
	cr_expect(find(GUARD_GROUP_MODIFY, NULL, "staff"));
}

/* A group's administrators change its members with gpasswd itself, and its
 * password lets anyone who knows it in with newgrp: beside Guard, so a
 * role.escalate on an ordinary group too. */
Test(classify, group_members_beside_guard)
{
	expect_ok(classify("gpasswd", "-A", "bob", "staff", NULL));
	cr_assert(find_grant("administrator of group staff"));
	cr_expect_str_eq(find_grant("administrator of group staff")->user.name, "bob");
	expect_ok(classify("gpasswd", "staff", NULL));
	cr_expect(find_grant("password on group staff"));
	expect_ok(classify("groupmod", "-p", "$6$x$y", "staff", NULL));
	cr_expect(find_grant("password on group staff"));
	expect_ok(classify("gpasswd", "-a", "bob", "project", NULL));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
}

/* An existing group below GID_MIN (1000 here) that the policy does not
 * list is a system group all the same: joining it escalates, by every
 * tool; the tools' default group (users, gid 100) does not. */
Test(classify, joining_a_system_group)
{
	static const char *const joins[][6] = {
	    {"gpasswd", "-a", "bob", "staff"},	{"usermod", "-aG", "staff", "bob"},
	    {"usermod", "-g", "50", "bob"},	{"useradd", "-G", "staff", "newbie"},
	    {"groupmod", "-U", "bob", "staff"}, {"gpasswd", "-M", "bob,carol", "staff"},
	};

	for (size_t i = 0; i < sizeof(joins) / sizeof(joins[0]); i++) {
		expect_ok(classify(joins[i][0], joins[i][1], joins[i][2], joins[i][3], NULL));
		cr_expect(find_grant("system group staff"), "%s %s %s %s", joins[i][0], joins[i][1],
			  joins[i][2], joins[i][3]);
	}
	expect_ok(classify("usermod", "-aG", "users,project", "bob", NULL));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	expect_ok(classify("useradd", "-g", "users", "newbie", NULL));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
}

/* ---- commands, bounds, argv ----------------------------------------- */

Test(classify, policy_commands_and_unknown_names)
{
	expect_ok(classify("rotate-keys", "--all", "-x", NULL));
	cr_expect_eq(cls.n_targets, 2);
	cr_expect(find(GUARD_USER_MODIFY, NULL, NULL));
	cr_expect(find(GUARD_USER_PASSWORD, NULL, NULL));
	cr_expect_str_eq(cls.path, "/usr/local/sbin/rotate-keys");
	cr_expect_str_eq(exec_joined(), "rotate-keys|--all|-x");
	cr_expect_eq(classify("frobnicate", NULL), -ENOENT);
	expect_refused(classify("/usr/sbin/useradd", "bob2", NULL), "without a path");
	expect_refused(classify("UserAdd", "bob2", NULL), "without a path");
	expect_refused(classify("", NULL), "without a path");
}

Test(classify, builtin_paths)
{
	static const char *const want[][2] = {
	    {"useradd", "/usr/sbin/useradd"},	{"usermod", "/usr/sbin/usermod"},
	    {"userdel", "/usr/sbin/userdel"},	{"groupadd", "/usr/sbin/groupadd"},
	    {"groupmod", "/usr/sbin/groupmod"}, {"groupdel", "/usr/sbin/groupdel"},
	    {"gpasswd", "/usr/bin/gpasswd"},	{"passwd", "/usr/bin/passwd"},
	    {"chage", "/usr/bin/chage"},	{"chsh", "/usr/bin/chsh"},
	    {"chfn", "/usr/bin/chfn"},		{"chpasswd", "/usr/sbin/chpasswd"},
	    {"newusers", "/usr/sbin/newusers"}, {"adduser", "/usr/sbin/adduser"},
	    {"addgroup", "/usr/sbin/addgroup"}, {"deluser", "/usr/sbin/deluser"},
	    {"delgroup", "/usr/sbin/delgroup"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect_str_eq(guard_builtin_path(want[i][0]), want[i][1]);
	cr_expect_null(guard_builtin_path("rotate-keys"));
	cr_expect_null(guard_builtin_path("su"));
	cr_expect(guard_classify_reads_batch("chpasswd"));
	cr_expect(guard_classify_reads_batch("newusers"));
	cr_expect_not(guard_classify_reads_batch("useradd"));
}

Test(classify, exec_argv_keeps_every_byte)
{
	expect_ok(classify("usermod", "-c", "ends in \\", "bob", NULL));
	cr_expect_str_eq(cls.exec_argv[2], "ends in \\");
	cr_expect_eq(cls.exec_argc, 5);
	cr_expect_null(cls.exec_argv[5]);
	expect_ok(classify("usermod", "-c", "-o -u 0 -G wheel", "bob", NULL));
	cr_expect_str_eq(exec_joined(), "usermod|-c|-o -u 0 -G wheel|--|bob");
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	expect_ok(classify("usermod", "-c", "--", "bob", NULL));
	cr_expect_str_eq(exec_joined(), "usermod|-c|--|--|bob");
}

Test(classify, argument_bounds)
{
	size_t big = 128 * 1024 + 1;
	char *arg = malloc(big + 1);
	char **argv = calloc(5000, sizeof(char *));

	memset(arg, 'a', big);
	arg[big] = '\0';
	expect_refused(classify("usermod", "-c", arg, "bob", NULL), "longer than");
	arg[128 * 1024] = '\0';
	/* 128 KiB is within the bound but not a GECOS. */
	expect_refused(classify("usermod", "-c", arg, "bob", NULL), "longer than 1024");
	argv[0] = "usermod";
	for (int i = 1; i < 4999; i++)
		argv[i] = "-L";
	argv[4999] = NULL;
	cr_expect_eq(guard_classify(policy, &fake_resolver, 4999, argv, NULL, 0, &cls, &cerr),
		     -EINVAL);
	cr_expect(strstr(cerr.message, "at most 4096"));
	argv[4000] = "bob";
	cr_expect_eq(guard_classify(policy, &fake_resolver, 4001, argv, NULL, 0, &cls, &cerr), 0,
		     "%s", cerr.message);
	guard_classification_clear(&cls);
	expect_refused(classify("usermod", "-c", "", "bob", NULL), "empty value");
	expect_refused(classify("usermod", "-L", "", NULL), "empty name");
	free(arg);
	free(argv);
}

Test(classify, failure_leaves_ret_untouched)
{
	struct guard_classification c = {.n_targets = 42};
	char *argv[] = {"usermod", "-X", "bob", NULL};

	cr_expect_eq(guard_classify(policy, &fake_resolver, 3, argv, NULL, 0, &c, &cerr), -EINVAL);
	cr_expect_eq(c.n_targets, 42);
	cr_expect_null(c.targets);
}
