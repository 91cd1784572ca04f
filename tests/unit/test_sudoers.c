/* What sudoers grants, read from its text (sudoers.h): the names on the
 * left of a user specification and in User_Alias lines, never those of
 * comments, Defaults, negations or the other aliases; the include lines;
 * and how a loaded policy asks about them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sudoers.h"

static struct guard_sudoers_scan scan;

static void scan_text(const char *text)
{
	guard_sudoers_scan_clear(&scan);
	cr_assert_eq(guard_sudoers_scan("/etc/sudoers", text, strlen(text), &scan), 0);
}

/* Is there a grant of that kind and name (or id), on that line? */
static bool granted(enum guard_sudoers_kind kind, const char *name, uint32_t id, unsigned line)
{
	for (size_t i = 0; i < scan.n_grants; i++) {
		const struct guard_sudoers_grant *g = &scan.grants[i];

		if (g->kind != kind || g->line != line)
			continue;
		if (name ? (g->name && strcmp(g->name, name) == 0) : g->id == id)
			return true;
	}
	return false;
}

static void teardown(void)
{
	guard_sudoers_scan_clear(&scan);
}

TestSuite(sudoers, .fini = teardown);

Test(sudoers, debian_default)
{
	scan_text("#\n# This file MUST be edited with the 'visudo' command as root.\n"
		  "Defaults\tenv_reset\nDefaults\tmail_badpass\n"
		  "Defaults\tsecure_path=\"/usr/local/sbin:/usr/sbin\"\n"
		  "Defaults\tuse_pty\n\n# User privilege specification\n"
		  "root\tALL=(ALL:ALL) ALL\n\n"
		  "# Allow members of group sudo to execute any command\n"
		  "%sudo\tALL=(ALL:ALL) ALL\n\n"
		  "# See sudoers(5) for more information on \"@include\" directives:\n\n"
		  "@includedir /etc/sudoers.d\n");
	cr_assert_eq(scan.n_grants, 2);
	cr_assert(granted(GUARD_SUDOERS_USER, "root", 0, 9));
	cr_assert(granted(GUARD_SUDOERS_GROUP, "sudo", 0, 12));
	cr_assert_eq(scan.n_includes, 1);
	cr_assert_str_eq(scan.includes[0].path, "/etc/sudoers.d");
	cr_assert(scan.includes[0].dir);
	cr_assert_eq(scan.includes[0].line, 16);
}

Test(sudoers, user_lists)
{
	scan_text("alice, bob , %ops ALL = (ALL) ALL\n"
		  "%#1005,#1001 ALL=(ALL) NOPASSWD: ALL\n"
		  "\"we ird\",e\\,sc  host1=(root) /bin/ls\n"
		  "!carol, !!dave, ALL, +netgrp, %:nonunix, %:#77 ALL=ALL\n"
		  "ADMINS ALL=(ALL) ALL\n");
	cr_assert(granted(GUARD_SUDOERS_USER, "alice", 0, 1));
	cr_assert(granted(GUARD_SUDOERS_USER, "bob", 0, 1));
	cr_assert(granted(GUARD_SUDOERS_GROUP, "ops", 0, 1));
	cr_assert(granted(GUARD_SUDOERS_GID, NULL, 1005, 2));
	cr_assert(granted(GUARD_SUDOERS_UID, NULL, 1001, 2));
	cr_assert(granted(GUARD_SUDOERS_USER, "we ird", 0, 3));
	cr_assert(granted(GUARD_SUDOERS_USER, "e,sc", 0, 3));
	/* Negated names, everyone and netgroups add no name; "!!dave" is
	 * dave; a non-Unix group counts as the Unix group of its name; an
	 * alias's name as the user of that name (sudo's fallback when no
	 * User_Alias defines it). */
	cr_assert(granted(GUARD_SUDOERS_USER, "dave", 0, 4));
	cr_assert(granted(GUARD_SUDOERS_GROUP, "nonunix", 0, 4));
	cr_assert(granted(GUARD_SUDOERS_GID, NULL, 77, 4));
	cr_assert(granted(GUARD_SUDOERS_USER, "ADMINS", 0, 5));
	cr_assert_eq(scan.n_grants, 11);
}

Test(sudoers, aliases_and_lines_that_grant_nothing)
{
	scan_text("User_Alias ADMINS = erin, %wheel2 : DBAS = frank\n"
		  "Runas_Alias OP = root, operator\nHost_Alias H = h1\n"
		  "Cmnd_Alias C = /bin/ls\nCmd_Alias D = /bin/cat\n"
		  "Defaults:gina !authenticate\nDefaults>root !set_logname\n"
		  "Defaults@h1 log_year\nDefaults!/bin/ls noexec\n");
	cr_assert(granted(GUARD_SUDOERS_USER, "erin", 0, 1));
	cr_assert(granted(GUARD_SUDOERS_GROUP, "wheel2", 0, 1));
	cr_assert(granted(GUARD_SUDOERS_USER, "frank", 0, 1));
	cr_assert_eq(scan.n_grants, 3);
}

Test(sudoers, comments_and_continuations)
{
	scan_text("# %commented ALL=(ALL) ALL\n"
		  "   #also ALL=ALL\n"
		  "henry ALL=(ALL) ALL # trailing %nogroup\n"
		  "ivan, \\\n  judy ALL=(ALL) \\\n  ALL\n"
		  "#1002 ALL=ALL\n"
		  "kim ALL=(ALL) /bin/echo #1003\n");
	cr_assert(granted(GUARD_SUDOERS_USER, "henry", 0, 3));
	cr_assert(granted(GUARD_SUDOERS_USER, "ivan", 0, 4));
	cr_assert(granted(GUARD_SUDOERS_USER, "judy", 0, 4));
	/* A "#" and digits is a uid, not a comment. */
	cr_assert(granted(GUARD_SUDOERS_UID, NULL, 1002, 7));
	cr_assert(granted(GUARD_SUDOERS_USER, "kim", 0, 8));
	cr_assert_eq(scan.n_grants, 5);
}

/* What sudo's lexer does that a plain reading would not. */
Test(sudoers, lexer_details)
{
	scan_text("# ops team \\\n"
		  "%ops ALL=(ALL) ALL\n"
		  "%\\x6fps2, \"we\\x20x\" ALL=ALL\r\n"
		  "%grp1, ! bob, %grp2 ALL=ALL\n"
		  "!! carol ALL=ALL\n"
		  "User_Alias A = alice, bob#x\n"
		  "erin, \\  \n  %grp3 ALL=ALL\n"
		  "@include\"quoted\"\n");
	/* The comment's backslash continues nothing. */
	cr_assert(granted(GUARD_SUDOERS_GROUP, "ops", 0, 2));
	cr_assert(granted(GUARD_SUDOERS_GROUP, "ops2", 0, 3));
	cr_assert(granted(GUARD_SUDOERS_USER, "we x", 0, 3));
	cr_assert(granted(GUARD_SUDOERS_GROUP, "grp1", 0, 4));
	cr_assert(granted(GUARD_SUDOERS_GROUP, "grp2", 0, 4));
	cr_assert(granted(GUARD_SUDOERS_USER, "carol", 0, 5));
	cr_assert(granted(GUARD_SUDOERS_USER, "alice", 0, 6));
	cr_assert(granted(GUARD_SUDOERS_USER, "bob", 0, 6));
	cr_assert(granted(GUARD_SUDOERS_USER, "erin", 0, 7));
	cr_assert(granted(GUARD_SUDOERS_GROUP, "grp3", 0, 7));
	cr_assert_eq(scan.n_grants, 10);
	cr_assert_eq(scan.n_includes, 1);
	cr_assert_str_eq(scan.includes[0].path, "/etc/quoted");
	/* A DOS line's include names the directory, not "d\r". */
	scan_text("@includedir /etc/sudoers.d\r\n");
	cr_assert_str_eq(scan.includes[0].path, "/etc/sudoers.d");
}

Test(sudoers, includes)
{
	scan_text("@include sudoers.local\n#include /etc/sudoers.extra\n"
		  "#includedir /etc/sudoers.d\n@includedir \"rel dir\"\n#includes are words\n");
	cr_assert_eq(scan.n_includes, 4);
	cr_assert_str_eq(scan.includes[0].path, "/etc/sudoers.local");
	cr_assert_not(scan.includes[0].dir);
	cr_assert_str_eq(scan.includes[1].path, "/etc/sudoers.extra");
	cr_assert_str_eq(scan.includes[2].path, "/etc/sudoers.d");
	cr_assert(scan.includes[2].dir);
	cr_assert_str_eq(scan.includes[3].path, "/etc/rel dir");
	cr_assert_eq(scan.n_grants, 0);
}

Test(sudoers, hostile_text)
{
	char big[2000];

	/* A NUL, an unterminated quote, a name too long for any account. */
	static const char nul[] = "a\0b ALL=ALL\n\"open ALL=ALL\n";

	guard_sudoers_scan_clear(&scan);
	cr_assert_eq(guard_sudoers_scan("/etc/sudoers", nul, sizeof(nul) - 1, &scan), 0);
	/* The NUL reads as a blank: "a", then a word no comma joins. */
	cr_assert(granted(GUARD_SUDOERS_USER, "a", 0, 1));
	cr_assert(granted(GUARD_SUDOERS_USER, "open ALL=ALL", 0, 2));
	cr_assert_eq(scan.n_grants, 2);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	scan_text(big);
	cr_assert_eq(scan.n_grants, 0);
	scan_text("");
	cr_assert_eq(scan.n_grants, 0);
	/* A continuation at the end of the text ends the line. */
	scan_text("lee ALL=ALL \\");
	cr_assert(granted(GUARD_SUDOERS_USER, "lee", 0, 1));
	cr_assert_eq(scan.n_grants, 1);
}

Test(sudoers, too_many_grants)
{
	size_t n = GUARD_SUDOERS_MAX_GRANTS + 1, len = 0;
	char *text = malloc(n * 20 + 1);

	cr_assert_not_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "u%zu ALL=ALL\n", i);
	guard_sudoers_scan_clear(&scan);
	cr_assert_eq(guard_sudoers_scan("/etc/sudoers", text, len, &scan), -E2BIG);
	free(text);
}

static void scan_doas(const char *text)
{
	guard_sudoers_scan_clear(&scan);
	cr_assert_eq(guard_doas_scan("/etc/doas.conf", text, strlen(text), &scan), 0);
}

/* doas.conf: the identity after "permit" and its options; deny grants
 * nothing; quotes make a word literal; "#" comments. */
Test(sudoers, doas_conf)
{
	scan_doas("permit :wheel\n"
		  "permit nopass keepenv setenv { PATH=/bin A B C D E F G H I J } deploy as root\n"
		  "deny :ops\n"
		  "permit persist :1005 cmd /bin/ls\n"
		  "  # permit :commented\n"
		  "permit nolog 1001\n"
		  "permit \"nopass\" as root\n"
		  "permit \\\n  :cont # trailing\n"
		  "\"permit\" :quotedkw\n"
		  "permit setenv { \"}\" } :afterbrace\n");
	cr_assert(granted(GUARD_SUDOERS_GROUP, "wheel", 0, 1));
	cr_assert(granted(GUARD_SUDOERS_USER, "deploy", 0, 2));
	cr_assert(granted(GUARD_SUDOERS_GID, NULL, 1005, 4));
	cr_assert(granted(GUARD_SUDOERS_UID, NULL, 1001, 6));
	/* A quoted keyword is a name: the user "nopass". */
	cr_assert(granted(GUARD_SUDOERS_USER, "nopass", 0, 7));
	cr_assert(granted(GUARD_SUDOERS_GROUP, "cont", 0, 8));
	/* A quoted "}" does not close the setenv list. */
	cr_assert(granted(GUARD_SUDOERS_GROUP, "afterbrace", 0, 11));
	cr_assert_eq(scan.n_grants, 7);
	for (size_t i = 0; i < scan.n_grants; i++)
		cr_assert(scan.grants[i].doas);
	cr_assert_str_eq(guard_grant_source(&scan.grants[0]), "doas.conf");
}

Test(sudoers, policy_questions)
{
	struct guard_policy p = {0};
	struct guard_sudoers_grant g[] = {
	    {.kind = GUARD_SUDOERS_GROUP, .name = "ops", .file = "/etc/sudoers.d/site", .line = 2},
	    {.kind = GUARD_SUDOERS_GID,
	     .name = "dba",
	     .id = 1005,
	     .id_known = true,
	     .file = "f",
	     .line = 3},
	    {.kind = GUARD_SUDOERS_GID, .id = 1006, .id_known = true, .file = "f", .line = 4},
	    {.kind = GUARD_SUDOERS_USER, .name = "deploy", .file = "f", .line = 5},
	    {.kind = GUARD_SUDOERS_UID, .id = 1001, .id_known = true, .file = "f", .line = 6},
	};

	p.sudoers = g;
	p.n_sudoers = sizeof(g) / sizeof(g[0]);
	cr_assert_eq(guard_sudoers_group(&p, "ops", false, 0), &g[0]);
	cr_assert_eq(guard_sudoers_group(&p, "dba", false, 0), &g[1]);
	cr_assert_eq(guard_sudoers_group(&p, "x", true, 1005), &g[1]);
	cr_assert_eq(guard_sudoers_group(&p, NULL, true, 1006), &g[2]);
	cr_assert_null(guard_sudoers_group(&p, "deploy", true, 1001));
	cr_assert_null(guard_sudoers_group(&p, "ops2", false, 1006));
	cr_assert_eq(guard_sudoers_user(&p, "deploy", false, 0), &g[3]);
	cr_assert_eq(guard_sudoers_user(&p, "x", true, 1001), &g[4]);
	cr_assert_null(guard_sudoers_user(&p, "ops", true, 1005));
	cr_assert_null(guard_sudoers_user(&p, NULL, false, 1001));
	/* sudo compares names without case by default; doas as written. */
	cr_assert_eq(guard_sudoers_group(&p, "OPS", false, 0), &g[0]);
	cr_assert_eq(guard_sudoers_user(&p, "Deploy", false, 0), &g[3]);
	g[3].doas = true;
	cr_assert_null(guard_sudoers_user(&p, "Deploy", false, 0));
	cr_assert_eq(guard_sudoers_user(&p, "deploy", false, 0), &g[3]);
	cr_assert_eq(guard_policy_group_privilege(&p, "ops", false, 0, NULL),
		     GUARD_PRIVILEGE_SUDOERS);
	cr_assert_eq(guard_policy_group_privilege(&p, "other", true, 1006, NULL),
		     GUARD_PRIVILEGE_SUDOERS);
	cr_assert_eq(guard_policy_group_privilege(&p, "other", true, 1007, NULL),
		     GUARD_PRIVILEGE_NONE);
}
