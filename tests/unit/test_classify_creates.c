/* The classifier on what a tool creates or removes beyond the account:
 * user-private groups and newusers' groups (group.create, role.escalate for
 * a privileged name), password values that lock or empty, and the homes
 * it records for the filesystem check. */
#include "test_classify_fixture.h"
#include "tool_defaults.h"

TestSuite(classify_creates, .init = fixture_setup, .fini = fixture_teardown);

/* ---- user-private groups -------------------------------------------- */

Test(classify_creates, useradd_private_group_privileged_name)
{
	expect_ok(classify("useradd", "wheel", NULL));
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "wheel"));
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "wheel", "wheel"));
	cr_assert(find_grant("group wheel"));
	cr_expect_str_eq(find_grant("group wheel")->group, "wheel");
	expect_ok(classify("useradd", "-U", "-m", "wheel", NULL));
	cr_expect(find_grant("group wheel"));
}

Test(classify_creates, useradd_private_group_options)
{
	expect_ok(classify("useradd", "-N", "dave", NULL));
	cr_expect_eq(count(GUARD_GROUP_CREATE), 0);
	expect_ok(classify("useradd", "-g", "users", "dave", NULL));
	cr_expect_eq(count(GUARD_GROUP_CREATE), 0);
	expect_ok(classify("useradd", "-N", "-g", "users", "dave", NULL));
	cr_expect_eq(count(GUARD_GROUP_CREATE), 0);
	expect_refused(classify("useradd", "-U", "-N", "dave", NULL), "conflicts");
	expect_refused(classify("useradd", "-U", "-g", "users", "dave", NULL), "conflicts");
	/* USERGROUPS_ENAB no: only -U makes one. */
	fake_defaults.useradd_usergroups = false;
	expect_ok(classify("useradd", "wheel", NULL));
	cr_expect_eq(count(GUARD_GROUP_CREATE), 0);
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	expect_ok(classify("useradd", "-U", "wheel", NULL));
	cr_expect(find_grant("group wheel"));
}

Test(classify_creates, useradd_group_exists_or_unknown)
{
	/* useradd refuses when the group exists: so does Guard, with -g. */
	expect_refused(classify("useradd", "docker", NULL), "-g docker");
	expect_refused(classify("useradd", "-U", "staff", NULL), "a group named 'staff' exists");
	cr_expect_eq(classify("useradd", "iofail", NULL), -EIO);
	fake_resolver.defaults = NULL;
	expect_refused(classify("useradd", "dave", NULL), "could not be read");
	expect_refused(classify("adduser", "dave", NULL), "could not be read");
}

Test(classify_creates, adduser_private_group)
{
	expect_ok(classify("adduser", "--disabled-password", "wheel", NULL));
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "wheel"));
	cr_expect(find_grant("group wheel"));
	expect_refused(classify("adduser", "docker", NULL), "--ingroup docker");
	expect_ok(classify("adduser", "--ingroup", "users", "dave", NULL));
	cr_expect_eq(count(GUARD_GROUP_CREATE), 0);
	expect_ok(classify("adduser", "--gid", "100", "dave", NULL));
	cr_expect_eq(count(GUARD_GROUP_CREATE), 0);
	fake_defaults.adduser_usergroups = false;
	expect_ok(classify("adduser", "wheel", NULL));
	cr_expect_eq(count(GUARD_GROUP_CREATE), 0);
}

/* Without a private group or -g, useradd's primary group is
 * /etc/default/useradd's GROUP: role.escalate when privileged; otherwise
 * user.create alone, as root configured the tool. */
Test(classify_creates, useradd_default_group)
{
	expect_ok(classify("useradd", "-N", "dave", NULL));
	cr_expect_eq(cls.n_targets, 1);
	cr_expect(find(GUARD_USER_CREATE, "dave", NULL));
	snprintf(fake_defaults.useradd_group, sizeof(fake_defaults.useradd_group), "sudo");
	expect_ok(classify("useradd", "-N", "dave", NULL));
	cr_expect(find_grant("group sudo"));
	expect_ok(classify("useradd", "-N", "-g", "users", "dave", NULL));
	cr_expect_not(find_grant("group sudo"));
	expect_ok(classify("useradd", "dave", NULL)); /* USERGROUPS_ENAB: a private group */
	cr_expect_not(find_grant("group sudo"));
	fake_defaults.useradd_usergroups = false;
	snprintf(fake_defaults.useradd_group, sizeof(fake_defaults.useradd_group), "0");
	expect_ok(classify("useradd", "dave", NULL));
	cr_expect(find_grant("primary group 0"));
}

Test(classify_creates, newusers_missing_groups)
{
	static const char gid[] = "wheel:pw:2001:4242:::\n";
	static const char named[] = "dave:pw:2001:wheel:::\n";
	static const char plain_gid[] = "dave:pw:2001:4242:::\n";
	static const char existing[] = "dave:pw:2001:users:::\n";

	expect_ok(classify_batch(gid, strlen(gid), "newusers", NULL));
	cr_assert(find(GUARD_GROUP_CREATE, NULL, "wheel"));
	cr_expect_eq(find(GUARD_GROUP_CREATE, NULL, "wheel")->gid, 4242);
	cr_expect(find_grant("group wheel"));
	expect_ok(classify_batch(named, strlen(named), "newusers", NULL));
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "wheel"));
	cr_expect(find_grant("group wheel"));
	expect_ok(classify_batch(plain_gid, strlen(plain_gid), "newusers", NULL));
	cr_expect(find(GUARD_GROUP_CREATE, NULL, "dave"));
	cr_expect_eq(count(GUARD_ROLE_ESCALATE), 0);
	expect_ok(classify_batch(existing, strlen(existing), "newusers", NULL));
	cr_expect_eq(count(GUARD_GROUP_CREATE), 0);
	cr_expect(find(GUARD_GROUP_MEMBER_ADD, "dave", "users"));
}

/* ---- passwords that lock or empty ------------------------------------ */

static bool grant_has(enum guard_action a, const char *user, const char *words)
{
	const struct guard_target *t = find(a, user, NULL);

	return t && t->grant && strstr(t->grant, words);
}

Test(classify_creates, password_values)
{
	expect_ok(classify("usermod", "-p", "!$6$x$y", "bob", NULL));
	cr_expect(find(GUARD_USER_PASSWORD, "bob", NULL));
	cr_expect(grant_has(GUARD_USER_LOCK, "bob", "locks the password"));
	expect_ok(classify("usermod", "--password=*", "bob", NULL));
	cr_expect(grant_has(GUARD_USER_LOCK, "bob", "locks the password"));
	expect_ok(classify("usermod", "-p", "$6$x$y", "bob", NULL));
	cr_expect_eq(count(GUARD_USER_LOCK) + count(GUARD_USER_UNLOCK), 0);
	expect_ok(classify("passwd", "-d", "bob", NULL));
	cr_expect(find(GUARD_USER_PASSWORD, "bob", NULL));
	cr_expect(grant_has(GUARD_USER_UNLOCK, "bob", "-d, which empties the password"));
	expect_ok(classify("passwd", "-l", "bob", NULL));
	cr_expect_eq(count(GUARD_USER_UNLOCK), 0);
	/* A value no crypt method makes matches no password: a lock. */
	static const char *const locks[] = {"x",   "NP",  "LK",		  "$6",
					    "$$x", "$6$", "abcdefghijkl", "_abc"};
	for (size_t i = 0; i < sizeof(locks) / sizeof(locks[0]); i++) {
		expect_ok(classify("usermod", "-p", locks[i], "bob", NULL));
		cr_expect(grant_has(GUARD_USER_LOCK, "bob", "no crypt hash"), "%s", locks[i]);
	}
	static const char *const hashes[] = {"$y$j9T$salt$hash", "$6$rounds=5000$s$h",
					     "abcdefghijklm", "_J9..rasmBYk8r9AiWNc"};
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		expect_ok(classify("usermod", "-p", hashes[i], "bob", NULL));
		cr_expect_eq(count(GUARD_USER_LOCK), 0, "%s", hashes[i]);
	}
}

Test(classify_creates, chpasswd_values)
{
	expect_ok(classify_batch("bob:\n", 5, "chpasswd", NULL));
	cr_expect(grant_has(GUARD_USER_UNLOCK, "bob", "empties the password"));
	expect_ok(classify_batch("bob:!x\n", 7, "chpasswd", "-e", NULL));
	cr_expect(grant_has(GUARD_USER_LOCK, "bob", "locks the password"));
	expect_ok(classify_batch("bob:\n", 5, "chpasswd", "-e", NULL));
	cr_expect(grant_has(GUARD_USER_UNLOCK, "bob", "empties"));
	/* Not a hash: '!' is the first character of a password. */
	expect_ok(classify_batch("bob:!x\n", 7, "chpasswd", NULL));
	cr_expect_eq(count(GUARD_USER_LOCK) + count(GUARD_USER_UNLOCK), 0);
	expect_ok(classify_batch("bob:x\n", 6, "chpasswd", "-e", NULL));
	cr_expect(grant_has(GUARD_USER_LOCK, "bob", "no crypt hash"));
	expect_ok(classify_batch("bob:x\n", 6, "chpasswd", NULL));
	cr_expect_eq(count(GUARD_USER_LOCK), 0);
}

/* ---- homes ----------------------------------------------------------- */

Test(classify_creates, useradd_homes)
{
	/* A home not made is the account's all the same: given as it is. */
	expect_ok(classify("useradd", "dave", NULL));
	cr_expect_eq(cls.n_homes, 1);
	cr_expect(find_home(GUARD_HOME_ADOPT, "/home/dave", "dave"));
	expect_ok(classify("useradd", "-d", "/home/x", "dave", NULL));
	cr_expect(find_home(GUARD_HOME_ADOPT, "/home/x", "dave"));
	expect_ok(classify("useradd", "-m", "-d", "/home/x", "dave", NULL));
	cr_expect(find_home(GUARD_HOME_CREATE, "/home/x", "dave"));
	expect_ok(classify("useradd", "-m", "-b", "/srv/homes", "dave", NULL));
	cr_expect(find_home(GUARD_HOME_CREATE, "/srv/homes/dave", "dave"));
	fake_defaults.useradd_create_home = true;
	expect_ok(classify("useradd", "dave", NULL));
	cr_expect(find_home(GUARD_HOME_CREATE, "/home/dave", "dave"));
	expect_ok(classify("useradd", "-M", "dave", NULL));
	cr_expect_eq(cls.n_homes, 1);
	cr_expect(find_home(GUARD_HOME_ADOPT, "/home/dave", "dave"));
	/* The default base is checked like -b. */
	snprintf(fake_defaults.useradd_home, sizeof(fake_defaults.useradd_home), "/opt");
	expect_refused(classify("useradd", "-m", "dave", NULL), "home_roots");
}

Test(classify_creates, moved_and_removed_homes)
{
	expect_ok(classify("usermod", "-d", "/home/new", "-m", "bob", NULL));
	cr_expect_eq(cls.n_homes, 2);
	cr_expect(find_home(GUARD_HOME_OWN, NULL, "bob"));
	cr_expect(find_home(GUARD_HOME_CREATE, "/home/new", "bob"));
	expect_ok(classify("usermod", "-d", "/home/new", "bob", NULL));
	cr_expect_eq(cls.n_homes, 1);
	cr_expect(find_home(GUARD_HOME_ADOPT, "/home/new", "bob"));
	expect_ok(classify("userdel", "-r", "bob", NULL));
	cr_expect(find_home(GUARD_HOME_OWN, NULL, "bob"));
	expect_ok(classify("userdel", "-f", "--remove", "bob", NULL));
	cr_expect(find_home(GUARD_HOME_OWN, NULL, "bob"));
	expect_ok(classify("userdel", "bob", NULL));
	cr_expect_eq(cls.n_homes, 0);
}

Test(classify_creates, adduser_homes)
{
	expect_ok(classify("adduser", "dave", NULL));
	cr_expect(find_home(GUARD_HOME_CREATE, "/home/dave", "dave"));
	expect_ok(classify("adduser", "--home", "/srv/homes/d", "dave", NULL));
	cr_expect(find_home(GUARD_HOME_CREATE, "/srv/homes/d", "dave"));
	expect_ok(classify("adduser", "--no-create-home", "dave", NULL));
	cr_expect_eq(cls.n_homes, 1);
	cr_expect(find_home(GUARD_HOME_ADOPT, "/home/dave", "dave"));
	expect_ok(classify("adduser", "--system", "svc", NULL));
	cr_expect_eq(cls.n_homes, 0);
	expect_ok(classify("adduser", "--system", "--home", "/home/svc", "svc", NULL));
	cr_expect(find_home(GUARD_HOME_CREATE, "/home/svc", "svc"));
	fake_defaults.adduser_odd_homes = true;
	expect_refused(classify("adduser", "dave", NULL), "--home");
	expect_ok(classify("adduser", "--home", "/home/d", "dave", NULL));
}

/* ---- the tools' settings --------------------------------------------- */

static int parse(enum guard_defaults_file kind, const char *text, struct guard_tool_defaults *d)
{
	return guard_tool_defaults_parse(kind, text, strlen(text), d);
}

Test(classify_creates, tool_defaults_files)
{
	struct guard_tool_defaults d;

	guard_tool_defaults_init(&d);
	cr_expect_not(d.useradd_usergroups); /* shadow's default when unset */
	cr_expect(d.adduser_usergroups);
	cr_expect_str_eq(d.useradd_home, "/home");
	cr_expect_eq(parse(GUARD_DEFAULTS_LOGIN_DEFS,
			   "# USERGROUPS_ENAB no\nUSERGROUPS_ENAB\tyes\n  CREATE_HOME YES # x\n",
			   &d),
		     0);
	cr_expect(d.useradd_usergroups);
	cr_expect(d.useradd_create_home);
	cr_expect_eq(parse(GUARD_DEFAULTS_LOGIN_DEFS, "USERGROUPS_ENAB yesno\n", &d), 0);
	cr_expect_not(d.useradd_usergroups);
	cr_expect_eq(d.gid_min, 1000);
	cr_expect_eq(parse(GUARD_DEFAULTS_LOGIN_DEFS, "GID_MIN\t\t 2000\n", &d), 0);
	cr_expect_eq(d.gid_min, 2000);
	cr_expect_eq(parse(GUARD_DEFAULTS_LOGIN_DEFS, "GID_MIN 0x7d1\n", &d), 0);
	cr_expect_eq(d.gid_min, 2001); /* shadow's strtoul, base 0 */
	cr_expect_eq(parse(GUARD_DEFAULTS_LOGIN_DEFS, "GID_MIN lots\n", &d), 0);
	cr_expect_eq(d.gid_min, 1000); /* shadow's own default */
	cr_expect_eq(parse(GUARD_DEFAULTS_DEFAULT_USERADD, "SHELL=/bin/sh\nHOME=/srv/homes", &d),
		     0);
	cr_expect_str_eq(d.useradd_home, "/srv/homes");
	cr_expect_str_eq(d.useradd_group, "100");
	cr_expect_eq(parse(GUARD_DEFAULTS_DEFAULT_USERADD, "GROUP=sudo\n", &d), 0);
	cr_expect_str_eq(d.useradd_group, "sudo");
	cr_expect_eq(parse(GUARD_DEFAULTS_DEFAULT_USERADD, "HOME=homes\n", &d), -EINVAL);
	cr_expect_eq(parse(GUARD_DEFAULTS_ADDUSER_CONF,
			   "usergroups = \"no\"\nDHOME= '/srv/h'\nLETTERHOMES=yes\n", &d),
		     0);
	cr_expect_not(d.adduser_usergroups);
	cr_expect_str_eq(d.adduser_home, "/srv/h");
	cr_expect(d.adduser_odd_homes);
}

Test(classify_creates, tool_defaults_adduser_groups)
{
	struct guard_tool_defaults d;
	char long_list[600];

	guard_tool_defaults_init(&d);
	cr_expect_str_eq(d.adduser_extra_groups, "users"); /* adduser's default */
	cr_expect_not(d.adduser_add_extra_groups);
	cr_expect_str_eq(d.adduser_users_group, "");
	cr_expect_eq(parse(GUARD_DEFAULTS_ADDUSER_CONF,
			   "EXTRA_GROUPS=\"  audio\tvideo  sudo \"\nadd_extra_groups=1\n"
			   "USERS_GROUP=staff\nUSERS_GID=-1\n",
			   &d),
		     0);
	cr_expect_str_eq(d.adduser_extra_groups, "audio,video,sudo");
	cr_expect(d.adduser_add_extra_groups);
	cr_expect_str_eq(d.adduser_users_group, "staff");
	cr_expect_str_eq(d.adduser_users_gid, "-1");
	/* Perl's truth: "0" and "" are false, "no" is true. */
	cr_expect_eq(parse(GUARD_DEFAULTS_ADDUSER_CONF, "ADD_EXTRA_GROUPS=0\n", &d), 0);
	cr_expect_not(d.adduser_add_extra_groups);
	cr_expect_eq(parse(GUARD_DEFAULTS_ADDUSER_CONF, "ADD_EXTRA_GROUPS=no\n", &d), 0);
	cr_expect(d.adduser_add_extra_groups);
	/* Longer than Guard keeps: refused, never cut. */
	memset(long_list, 'a', sizeof(long_list));
	memcpy(long_list, "EXTRA_GROUPS=", 13);
	long_list[sizeof(long_list) - 1] = '\0';
	cr_expect_eq(parse(GUARD_DEFAULTS_ADDUSER_CONF, long_list, &d), -EINVAL);
}
