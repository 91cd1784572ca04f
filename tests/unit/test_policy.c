/* The policy language: every form parsed into the right structure, every
 * error with its file:line, the file-permission refusals. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "policy.h"
#include "sudoers.h"

static const char full_policy[] =
    "settings {\n"
    "  mode = monitor\n"
    "  default = approve\n"
    "  audit = best-effort\n"
    "  journal = no\n"
    "  approvers = { \"%guard-approvers\", \"!mallory\" }\n"
    "  approval_ttl = 45m\n"
    "  break_glass = { \"%oncall\" }\n"
    "  timezone = \"Europe/Berlin\"\n"
    "  home_roots = { \"/home\", \"/srv/home\" }\n"
    "}\n"
    "privileged_groups = { \"root\", \"sudo\" }\n"
    "protected_users = { \"root\", \"uid:0-999\" }\n"
    "rule \"r1\" {\n"
    "  actions = { \"user.create\", \"group.member.add\" }\n"
    "  actors = { \"alice\", \"%helpdesk\", \"uid:1000-1999\", \"!bob\", \"*\" }\n"
    "  targets = { \"@protected\", \"!uid:0-999\" }\n"
    "  groups = { \"!@privileged\", \"gid:100-200\", \"users\" }\n"
    "  time = { \"Mon-Fri 08:00-18:00\", \"22:00-06:00\" }\n"
    "  from = { \"local\", \"remote\", \"10.20.0.0/16\", \"2001:db8::/32\", \"tty:pts/*\" }\n"
    "  services = { \"guardctl\", \"sshd\" }\n"
    "  limit = \"10/1h\"\n"
    "  decision = approve\n"
    "  approvals = 2\n"
    "  approvers = { \"carol\" }\n"
    "  message = \"Ask identity.\"\n"
    "  alert = yes\n"
    "}\n"
    "watch \"burst\" {\n"
    "  decisions = { \"deny\", \"approve\" }\n"
    "  threshold = \"3/10m\"\n"
    "  lockout = 30m\n"
    "}\n"
    "service \"su\" { action = \"role.escalate\" }\n"
    "command \"useradd\" { path = \"/usr/sbin/useradd\" }\n"
    "command \"rotate-keys\" {\n"
    "  path = \"/usr/local/sbin/rotate-keys\"\n"
    "  actions = { \"user.modify\" }\n"
    "}\n";

Test(policy, every_form_parses_into_its_structure)
{
	struct guard_policy *p = test_policy(full_policy);
	const struct guard_rule *r;

	cr_assert_eq(p->settings.mode, GUARD_MODE_MONITOR);
	cr_assert_eq(p->settings.default_decision, GUARD_DECISION_APPROVE);
	cr_assert_eq(p->settings.audit, GUARD_AUDIT_BEST_EFFORT);
	cr_assert_not(p->settings.journal);
	cr_assert_eq(p->settings.approvers.n, 2);
	cr_assert_eq(p->settings.approvers.items[0].kind, GUARD_ITEM_GROUP);
	cr_assert_str_eq(p->settings.approvers.items[0].name, "guard-approvers");
	cr_assert(p->settings.approvers.items[1].negated);
	cr_assert_eq(p->settings.approval_ttl_s, 45 * 60);
	cr_assert_str_eq(p->settings.timezone, "Europe/Berlin");
	cr_assert_str_eq(guard_tz_name(p->tz), "Europe/Berlin");
	cr_assert_eq(p->settings.n_home_roots, 2);
	cr_assert_str_eq(p->settings.home_roots[1], "/srv/home");
	cr_assert_eq(p->n_privileged_groups, 2);
	cr_assert_eq(p->protected_users.n, 2);
	cr_assert_eq(p->protected_users.items[1].kind, GUARD_ITEM_ID_RANGE);
	cr_assert_eq(p->protected_users.items[1].hi, 999);

	cr_assert_eq(p->n_rules, 1);
	r = &p->rules[0];
	cr_assert_str_eq(r->name, "r1");
	cr_assert_str_eq(r->file, "test.conf");
	cr_assert_eq(r->line, 14);
	cr_assert_eq(r->actions, (1u << GUARD_USER_CREATE) | (1u << GUARD_GROUP_MEMBER_ADD));
	cr_assert_eq(r->actors.n, 5);
	cr_assert_eq(r->actors.items[0].kind, GUARD_ITEM_NAME);
	cr_assert_eq(r->actors.items[1].kind, GUARD_ITEM_GROUP);
	cr_assert_eq(r->actors.items[2].kind, GUARD_ITEM_ID_RANGE);
	cr_assert_eq(r->actors.items[2].lo, 1000);
	cr_assert_eq(r->actors.items[2].hi, 1999);
	cr_assert(r->actors.items[3].negated);
	cr_assert_eq(r->actors.items[4].kind, GUARD_ITEM_ANY);
	cr_assert_eq(r->targets.items[0].kind, GUARD_ITEM_PROTECTED);
	cr_assert(r->targets.items[1].negated);
	cr_assert_eq(r->groups.items[0].kind, GUARD_ITEM_PRIVILEGED);
	cr_assert(r->groups.items[0].negated);
	cr_assert_eq(r->groups.items[1].kind, GUARD_ITEM_ID_RANGE);
	cr_assert_eq(r->groups.items[2].kind, GUARD_ITEM_NAME);
	cr_assert_eq(r->time.n, 2);
	cr_assert_eq(r->time.items[0].kind, GUARD_ITEM_WINDOW);
	cr_assert_eq(r->time.items[0].window.start_min, 8 * 60);
	cr_assert_eq(r->time.items[1].window.end_min, 6 * 60);
	cr_assert_eq(r->from.items[0].kind, GUARD_ITEM_LOCAL);
	cr_assert_eq(r->from.items[1].kind, GUARD_ITEM_REMOTE);
	cr_assert_eq(r->from.items[2].kind, GUARD_ITEM_CIDR);
	cr_assert_eq(r->from.items[2].cidr.prefix, 16);
	cr_assert_eq(r->from.items[3].cidr.prefix, 32);
	cr_assert_eq(r->from.items[4].kind, GUARD_ITEM_TTY);
	cr_assert_str_eq(r->from.items[4].name, "pts/*");
	cr_assert_eq(r->services.items[0].kind, GUARD_ITEM_SERVICE);
	cr_assert(r->has_limit);
	cr_assert_eq(r->limit.count, 10);
	cr_assert_eq(r->limit.period_s, 3600);
	cr_assert_eq(r->decision, GUARD_DECISION_APPROVE);
	cr_assert_eq(r->approvals, 2);
	cr_assert_str_eq(r->approvers.items[0].name, "carol");
	cr_assert_str_eq(r->message, "Ask identity.");
	cr_assert(r->alert);

	cr_assert_eq(p->n_watches, 1);
	cr_assert_eq(p->watches[0].decisions,
		     (1u << GUARD_DECISION_DENY) | (1u << GUARD_DECISION_APPROVE));
	cr_assert_eq(p->watches[0].threshold.count, 3);
	cr_assert_eq(p->watches[0].lockout_s, 1800);
	cr_assert_eq(p->n_services, 1);
	cr_assert_eq(p->services[0].action, GUARD_ROLE_ESCALATE);
	cr_assert_eq(p->n_commands, 2);
	cr_assert_eq(p->commands[0].actions, 0);
	cr_assert_eq(p->commands[1].actions, 1u << GUARD_USER_MODIFY);
	cr_assert_eq(p->commands[1].line, 36);
	guard_policy_free(p);
}

Test(policy, admins_parse_into_the_settings)
{
	struct guard_policy *p =
	    test_policy("settings {\n  admins = { \"%admins\", \"uid:1500-1599\", \"carol\", "
			"\"!mallory\" }\n}\n");

	cr_assert(p->settings.admins.present);
	cr_assert_eq(p->settings.admins.n, 4);
	cr_assert_eq(p->settings.admins.items[0].kind, GUARD_ITEM_GROUP);
	cr_assert_eq(p->settings.admins.items[1].kind, GUARD_ITEM_ID_RANGE);
	cr_assert_eq(p->settings.admins.items[1].hi, 1599);
	cr_assert_eq(p->settings.admins.items[2].kind, GUARD_ITEM_NAME);
	cr_assert(p->settings.admins.items[3].negated);
	cr_assert_not(p->settings.approvers.present, "admins are not approvers");
	guard_policy_free(p);
}

Test(policy, defaults_when_nothing_is_said)
{
	struct guard_policy *p = test_policy("# nothing\n");

	cr_assert_eq(p->settings.mode, GUARD_MODE_ENFORCE);
	cr_assert_eq(p->settings.default_decision, GUARD_DECISION_DENY);
	cr_assert_eq(p->settings.audit, GUARD_AUDIT_REQUIRED);
	cr_assert_eq(p->settings.approval_ttl_s, 30 * 60);
	cr_assert_not(p->settings.admins.present, "no admins: the approvers are");
	cr_assert_str_eq(p->settings.home_roots[0], "/home");
	cr_assert_eq(p->n_rules, 0);
	guard_policy_free(p);
}

#define RULE(body) "rule \"r\" {\n  actions = { \"user.create\" }\n" body "}\n"

/* One broken policy per error kind: the line, and words the message says. */
static const struct {
	const char *text;
	unsigned line;
	const char *words;
} broken[] = {
    {"rule \"r\" {\n  actions = { \"user.crate\" }\n  decision = allow\n}\n", 2, "unknown action"},
    {RULE("  time = { \"Mon-Fri 8:00-18:00\" }\n  decision = allow\n"), 3, "not a time window"},
    {RULE("  time = { \"Mon-Fri 18:00-18:00\" }\n  decision = allow\n"), 3, "not a time window"},
    {RULE("  time = { \"Fun 10:00-12:00\" }\n  decision = allow\n"), 3, "not a time window"},
    {RULE("  from = { \"10.0.0.1/8\" }\n  decision = allow\n"), 3, "not a location"},
    {RULE("  from = { \"10.0.0.0/33\" }\n  decision = allow\n"), 3, "not a location"},
    {RULE("  from = { \"example.com\" }\n  decision = allow\n"), 3, "host names"},
    {RULE("  limit = \"10\"\n  decision = allow\n"), 3, "period is required"},
    {RULE("  limit = \"10/\"\n  decision = allow\n"), 3, "not a limit"},
    {RULE("  limit = \"0/1h\"\n  decision = allow\n"), 3, "not a limit"},
    {RULE("  decision = allow\n  limit = \"10/1x\"\n"), 4, "not a limit"},
    {"settings {\n  approval_ttl = 30x\n}\n", 2, "not a duration"},
    {"settings {\n  approval_ttl = -5m\n}\n", 2, "not a duration"},
    {"watch \"w\" {\n  decisions = { \"deny\" }\n  threshold = \"3/10m\"\n  lockout = 1y\n}\n", 4,
     "not a duration"},
    {RULE("  decision = allow\n") RULE("  decision = deny\n"), 5, "duplicate title"},
    {RULE("  decision = approve\n"), 1, "nobody may approve"},
    {"settings {\n  default = approve\n}\n", 0, "no approvers"},
    {RULE("  decision = allow\n  bogus = 1\n"), 4, "no such option 'bogus'"},
    {"bogus \"x\" {\n}\n", 1, "no such option 'bogus'"},
    {"command \"x\" {\n  path = \"bin/x\"\n}\n", 2, "not an absolute path"},
    {"command \"x\" {\n  path = \"/usr/../bin/x\"\n}\n", 2, "not an absolute path"},
    {"command \"X;id\" {\n  path = \"/bin/x\"\n}\n", 1, "command name"},
    {"command \"x\" {\n}\n", 1, "no path"},
    {RULE("  message = \"${HOME}/x\"\n  decision = allow\n"), 3, "'${' is not allowed"},
    {RULE("  message = ${HOME}\n  decision = allow\n"), 3, "'${' is not allowed"},
    {"# ${PATH} even in a comment\n", 1, "'${' is not allowed"},
    {RULE("  actors = { \"uid:-1\" }\n  decision = allow\n"), 3, "not a uid range"},
    {RULE("  actors = { \"uid:4294967295\" }\n  decision = allow\n"), 3, "not a uid range"},
    {RULE("  actors = { \"uid:0x0\" }\n  decision = allow\n"), 3, "not a uid range"},
    {RULE("  actors = { \"uid:+0\" }\n  decision = allow\n"), 3, "not a uid range"},
    {RULE("  actors = { \"uid: 0\" }\n  decision = allow\n"), 3, "not a uid range"},
    {RULE("  actors = { \"uid:1e3\" }\n  decision = allow\n"), 3, "not a uid range"},
    {RULE("  actors = { \"uid:10abc\" }\n  decision = allow\n"), 3, "not a uid range"},
    {RULE("  actors = { \"uid:2000-1000\" }\n  decision = allow\n"), 3, "not a uid range"},
    {RULE("  groups = { \"gid:-1\" }\n  decision = allow\n"), 3, "not a gid range"},
    {RULE("  decision = approve\n  approvers = { \"carol\" }\n  approvals = 0\n"), 5,
     "not a number"},
    {RULE("  decision = approve\n  approvers = { \"carol\" }\n  approvals = 0x1\n"), 5,
     "not a number"},
    {RULE("  decision = allow\n  approvals = 2\n"), 1, "approvals without"},
    {RULE("  decision = maybe\n"), 3, "not allow, approve or deny"},
    {RULE("  decision = allow\n  decision = deny\n"), 4, "set twice"},
    {RULE("  actors = { \"a\" }\n  actors = { \"b\" }\n  decision = deny\n"), 4, "set twice"},
    {"rule \"r\" {\n  decision = allow\n}\n", 1, "no actions"},
    {"rule \"r\" {\n  actions = { \"user.create\" }\n}\n", 1, "no decision"},
    {"rule \"bad name\" {\n  actions = { \"user.create\" }\n  decision = deny\n}\n", 1,
     "rule name"},
    {RULE("  actors = { \"%\" }\n  decision = allow\n"), 3, "group name"},
    {RULE("  actors = { \"root \" }\n  decision = allow\n"), 3, "not a valid user name"},
    {RULE("  actors = { \"-ou0\" }\n  decision = allow\n"), 3, "not a valid user name"},
    {RULE("  actors = { \"@protected\" }\n  decision = allow\n"), 3, "\"@\""},
    {RULE("  targets = { \"!\" }\n  decision = allow\n"), 3, "empty item"},
    {RULE("  message = \"a\\nb\"\n  decision = allow\n"), 3, "control characters"},
    {"protected_users = { \"!root\" }\n", 1, "\"!\" is not allowed"},
    {"privileged_groups = { \"../x\" }\n", 1, "not a valid group name"},
    {"settings {\n  timezone = \"../../etc/shadow\"\n}\n", 2, "timezone"},
    {"settings {\n  timezone = \"Mars/Olympus\"\n}\n", 0, "timezone"},
    {"settings {\n  mode = loud\n}\n", 2, "enforce or monitor"},
    {"settings {\n  audit = sometimes\n}\n", 2, "required, best-effort or off"},
    {"settings {\n  journal = maybe\n}\n", 2, "boolean"},
    {"settings {\n  home_roots = { \"home\" }\n}\n", 2, "home_roots"},
    {"settings {\n  home_roots = { \"/\" }\n}\n", 2, "home_roots"},
    {"settings {\n  admins = { \"!mallory\" }\n}\n", 1, "makes everyone else an admin"},
    {"settings {\n  admins = { \"%\" }\n}\n", 2, "group name"},
    {"settings {\n  admins = { \"@privileged\" }\n}\n", 2, "\"@\""},
    {"settings {\n}\nsettings {\n}\n", 3, "second settings block"},
    {"service \"su\" {\n}\n", 1, "no action"},
    {"service \"su\" {\n  action = \"role.escalat\"\n}\n", 2, "unknown action"},
    {"watch \"w\" {\n  threshold = \"3/10m\"\n}\n", 1, "no decisions"},
    {"watch \"w\" {\n  decisions = { \"deny\" }\n}\n", 1, "no threshold"},
    {RULE("  decision = deny\n  limit = \"1/1h\"\n"), 1, "no effect"},
    {RULE("  decision = allow\n"), 4, "missing '}'"},
    {"rule \"r\" {\n  actions = { \"user.create }\n}\n", 2, "not terminated"},
    {"/* open\n", 1, "comment is not terminated"},
    {"}\n", 1, "unexpected '}'"},
    /* libconfuse skips '*' and '+' without a word: "*rule" is a rule. */
    {"settings {\n}\n*rule \"r\" {\n  actions = { \"user.create\" }\n  decision = deny\n}\n", 3,
     "unexpected '*'"},
    {RULE("  decision = deny +\n"), 3, "unexpected '+'"},
    {"ru*le \"r\" {\n}\n", 1, "unexpected '*'"},
    {"rule \"r\" {\n actions = {{{{{ \"x\" }}}}}\n}\n", 2, "nested deeper"},
    {"include(\"/etc/shadow\")\n", 1, "no such option 'include'"},
};

Test(policy, every_error_names_its_line)
{
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		/* RULE() with a second decision needs its own closing brace removed */
		const char *text = broken[i].text;
		char *copy = strdup(text);

		if (strcmp(broken[i].words, "missing '}'") == 0)
			copy[strlen(copy) - 2] = '\0'; /* cut the closing "}\n" */
		test_policy_error(copy, broken[i].line, broken[i].words);
		free(copy);
	}
}

Test(policy, limits_on_size)
{
	size_t n = GUARD_POLICY_MAX_LINE_BYTES + 10;
	char *line = malloc(n + 32);

	snprintf(line, 32, "# ");
	memset(line + 2, 'x', n);
	line[n + 2] = '\n';
	line[n + 3] = '\0';
	test_policy_error(line, 1, "longer than");
	free(line);
}

Test(policy, nul_byte_refused)
{
	struct guard_policy *p = NULL;
	struct guard_error err = {0};
	static const char text[] = "# a\n\0rule";

	cr_assert_eq(guard_policy_new(&p), 0);
	cr_assert_neq(guard_policy_parse_text(p, "t.conf", text, sizeof(text) - 1, &err), 0);
	cr_assert_eq(err.line, 2);
	cr_assert(strstr(err.message, "NUL"));
	guard_policy_free(p);
}

Test(policy, environment_is_never_read)
{
	/* Even if "${" were missed, a value may never depend on the caller. */
	setenv("GUARD_TEST_EVIL", "/tmp/evil", 1);
	test_policy_error(RULE("  message = \"${GUARD_TEST_EVIL}\"\n  decision = allow\n"), 3,
			  "'${' is not allowed");
	/* An escaped brace is the literal text "${x}", never a variable. */
	struct guard_policy *p = test_policy(RULE("  message = \"$\\{x}\"\n  decision = allow\n"));

	cr_assert_str_eq(p->rules[0].message, "${x}");
	guard_policy_free(p);
}

Test(policy, shadowed_rule_warns)
{
	struct guard_policy *p = test_policy(
	    "rule \"all-create\" {\n  actions = { \"user.create\", \"user.delete\" }\n"
	    "  decision = deny\n}\n"
	    "rule \"later\" {\n  actions = { \"user.create\" }\n  actors = { \"alice\" }\n"
	    "  decision = allow\n}\n"
	    "rule \"other\" {\n  actions = { \"user.modify\" }\n  decision = allow\n}\n"
	    "rule \"same-actors\" {\n  actions = { \"user.modify\" }\n"
	    "  actors = { \"bob\" }\n  decision = allow\n}\n");

	cr_assert_eq(p->n_warnings, 2);
	cr_assert_eq(p->warnings[0].where.line, 5);
	cr_assert(strstr(p->warnings[0].where.message, "\"later\" can never decide"));
	cr_assert(strstr(p->warnings[0].where.message, "\"all-create\""));
	cr_assert_eq(p->warnings[1].where.line, 14);
	guard_policy_free(p);

	p = test_policy("rule \"a\" {\n  actions = { \"user.create\" }\n  actors = { \"alice\" }\n"
			"  decision = allow\n}\n"
			"rule \"b\" {\n  actions = { \"user.create\" }\n  decision = deny\n}\n");
	cr_assert_eq(p->n_warnings, 0, "a narrower rule first shadows nothing");
	guard_policy_free(p);
}

Test(policy, later_files_add_rules_and_override_settings)
{
	struct guard_policy *p = NULL;
	struct guard_error err = {0};
	const char *a = "settings {\n  approvers = { \"carol\" }\n  approval_ttl = 1h\n}\n" RULE(
	    "  decision = allow\n");
	const char *b = "settings {\n  approval_ttl = 2h\n}\n"
			"rule \"s\" {\n  actions = { \"user.delete\" }\n  decision = approve\n}\n";
	const char *c = RULE("  decision = deny\n");

	cr_assert_eq(guard_policy_new(&p), 0);
	cr_assert_eq(guard_policy_parse_text(p, "a.conf", a, strlen(a), &err), 0);
	cr_assert_eq(guard_policy_parse_text(p, "b.conf", b, strlen(b), &err), 0);
	cr_assert_eq(guard_policy_finish(p, TEST_ZONEINFO, &err), 0, "%s", err.message);
	cr_assert_eq(p->n_rules, 2);
	cr_assert_eq(p->settings.approval_ttl_s, 7200);
	cr_assert_eq(p->settings.approvers.n, 1, "b.conf did not name approvers: a's stay");
	cr_assert_eq(guard_policy_parse_text(p, "c.conf", c, strlen(c), &err), 0);
	cr_assert_neq(guard_policy_finish(p, TEST_ZONEINFO, &err), 0);
	cr_assert_str_eq(err.file, "c.conf");
	cr_assert_eq(err.line, 1);
	cr_assert(strstr(err.message, "already defined at a.conf:5"), "%s", err.message);
	guard_policy_free(p);
}

/* ---- files: owner, mode, symlinks ---- */

static char dir[] = "/tmp/guard-policy-test.XXXXXX";

static void write_file(const char *path, const char *text, mode_t mode, uid_t uid)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	cr_assert_eq(fchown(fd, uid, 0), 0);
	close(fd);
}

static int load(const char *path, struct guard_error *err)
{
	struct guard_load_options o = {.path = path, .zoneinfo_dir = TEST_ZONEINFO};
	struct guard_policy *p = NULL;
	int r = guard_policy_load(&o, &p, err);

	guard_policy_free(p);
	return r;
}

static void setup_dir(void)
{
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chmod(dir, 0755), 0);
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(policy_files, ownership_and_modes, .init = setup_dir, .fini = remove_dir)
{
	struct guard_error err = {0};
	char main_path[256], d[256], drop[256], link[256];

	if (geteuid() != 0)
		cr_skip_test("needs root to create files of other owners");
	snprintf(main_path, sizeof(main_path), "%s/guard.conf", dir);
	snprintf(d, sizeof(d), "%s/guard.d", dir);
	snprintf(drop, sizeof(drop), "%s/guard.d/10-x.conf", dir);
	snprintf(link, sizeof(link), "%s/link.conf", dir);

	write_file(main_path, "# ok\n", 0644, 0);
	cr_assert_eq(load(main_path, &err), 0, "%s: %s", err.file, err.message);

	write_file(main_path, "# ok\n", 0664, 0);
	cr_assert_eq(load(main_path, &err), -EPERM);
	cr_assert_str_eq(err.file, main_path);
	cr_assert(strstr(err.message, "writable by group or others"));

	write_file(main_path, "# ok\n", 0646, 0);
	cr_assert_eq(load(main_path, &err), -EPERM);

	write_file(main_path, "# ok\n", 0644, 65534);
	cr_assert_eq(load(main_path, &err), -EPERM);
	cr_assert(strstr(err.message, "not root"));

	write_file(main_path, "# ok\n", 0644, 0);
	cr_assert_eq(symlink(main_path, link), 0);
	cr_assert_eq(load(link, &err), -ELOOP);
	cr_assert_str_eq(err.file, link);
	cr_assert(strstr(err.message, "symlink"));

	/* guard.d: the directory and each file under the same rules */
	cr_assert_eq(mkdir(d, 0755), 0);
	write_file(drop, RULE("  decision = deny\n"), 0644, 0);
	cr_assert_eq(load(main_path, &err), 0, "%s", err.message);
	write_file(drop, RULE("  decision = deny\n"), 0644, 1000);
	cr_assert_eq(load(main_path, &err), -EPERM);
	cr_assert_str_eq(err.file, drop);
	write_file(drop, RULE("  decision = deny\n"), 0644, 0);
	cr_assert_eq(chmod(d, 0777), 0);
	cr_assert_eq(load(main_path, &err), -EPERM);
	cr_assert_str_eq(err.file, d);
	cr_assert_eq(chmod(d, 0755), 0);
	cr_assert_eq(unlink(drop), 0);
	cr_assert_eq(symlink(main_path, drop), 0);
	cr_assert_eq(load(main_path, &err), -ELOOP);
	cr_assert_str_eq(err.file, drop);

	/* a writable directory above the policy */
	cr_assert_eq(unlink(drop), 0);
	cr_assert_eq(chmod(dir, 0775), 0);
	cr_assert_eq(load(main_path, &err), -EPERM);
	cr_assert_str_eq(err.file, dir);
	cr_assert_eq(chmod(dir, 0755), 0);
	cr_assert_eq(chown(dir, 1000, 0), 0);
	cr_assert_eq(load(main_path, &err), -EPERM);
	cr_assert_eq(chown(dir, 0, 0), 0);

	/* a missing file names itself */
	cr_assert_eq(unlink(main_path), 0);
	cr_assert_eq(load(main_path, &err), -ENOENT);
	cr_assert_str_eq(err.file, main_path);
}

Test(policy_files, dropins_in_name_order, .init = setup_dir, .fini = remove_dir)
{
	struct guard_load_options o = {.zoneinfo_dir = TEST_ZONEINFO};
	struct guard_policy *p = NULL;
	struct guard_error err = {0};
	char path[256];

	if (geteuid() != 0)
		cr_skip_test("needs root-owned files");
	snprintf(path, sizeof(path), "%s/guard.d", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/guard.d/20-b.conf", dir);
	write_file(path, "rule \"b\" {\n actions = { \"user.delete\" }\n decision = deny\n}\n",
		   0644, 0);
	snprintf(path, sizeof(path), "%s/guard.d/10-a.conf", dir);
	write_file(path, "rule \"a\" {\n actions = { \"user.create\" }\n decision = deny\n}\n",
		   0644, 0);
	snprintf(path, sizeof(path), "%s/guard.d/30-ignored.conf.bak", dir);
	write_file(path, "this is not a policy", 0644, 0);
	snprintf(path, sizeof(path), "%s/guard.d/.hidden.conf", dir);
	write_file(path, "this is not a policy", 0644, 0);
	snprintf(path, sizeof(path), "%s/guard.conf", dir);
	write_file(path, "rule \"main\" {\n actions = { \"user.modify\" }\n decision = deny\n}\n",
		   0644, 0);
	o.path = path;
	cr_assert_eq(guard_policy_load(&o, &p, &err), 0, "%s: %s", err.file, err.message);
	cr_assert_eq(p->n_rules, 3);
	cr_assert_str_eq(p->rules[0].name, "main");
	cr_assert_str_eq(p->rules[1].name, "a");
	cr_assert_str_eq(p->rules[2].name, "b");
	cr_assert_eq(p->n_files, 3);
	guard_policy_free(p);
}

Test(policy, lines_count_through_comments)
{
	test_policy_error("# one\n# two\n// three\n/* four\n five */\n"
			  "rule \"r\" { # six\n  actions = { \"user.explode\" } /* seven */\n"
			  "  decision = allow\n}\n",
			  7, "unknown action");
	test_policy_error("rule \"a\" {\n  actions = { \"user.create\" }\n  decision = deny\n}\n"
			  "# a comment\n#\n\n"
			  "rule \"b\" {\n  actions = { \"user.create\" }\n  # x\n"
			  "  time = { \"Mon 25:00-26:00\" }\n  decision = deny\n}\n",
			  11, "not a time window");
}

Test(policy, large_policies_keep_lines_and_names)
{
	size_t cap = 200 * 120, len = 0;
	char *text = malloc(cap);
	struct guard_policy *p;

	/* 150 rules: more than one parsing chunk; rule i starts on line 4i+1. */
	for (unsigned i = 0; i < 150; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"rule \"r%u\" {\n  actions = { \"user.create\" }\n"
					"  actors = { \"u%u\" }\n  decision = deny\n}\n",
					i, i);
	p = test_policy(text);
	cr_assert_eq(p->n_rules, 150);
	cr_assert_eq(p->rules[149].line, 149 * 5 + 1);
	cr_assert_str_eq(p->rules[149].name, "r149");
	guard_policy_free(p);

	len += (size_t)snprintf(
	    text + len, cap - len,
	    "rule \"r7\" {\n  actions = { \"user.create\" }\n  decision = deny\n}\n");
	/* r7 is in the first chunk, its twin past the last: still found */
	test_policy_error(text, 751, "already defined at test.conf:36");
	free(text);
}

/* ---- role groups (docs/design.md, "The privilege model") ---- */

Test(policy, role_groups_are_computed_with_their_role)
{
	struct guard_policy *p = test_policy(
	    "privileged_groups = { \"sudo\" }\n"
	    "settings {\n  approvers = { \"%approvers\", \"carol\" }\n"
	    "  break_glass = { \"%oncall\", \"!%interns\" }\n}\n"
	    "rule \"helpdesk\" {\n  actions = { \"user.create\" }\n"
	    "  actors = { \"%helpdesk\", \"!%contractors\", \"uid:1000\" }\n  decision = allow\n}\n"
	    "rule \"two-person\" {\n  actions = { \"role.escalate\" }\n  actors = { \"%admins\" }\n"
	    "  decision = approve\n  approvers = { \"%security\", \"%oncall\" }\n}\n"
	    "rule \"no\" {\n  actions = { \"user.delete\" }\n  actors = { \"%banned\" }\n"
	    "  targets = { \"%staff\" }\n  decision = deny\n}\n");
	const struct guard_role_group *g;
	static const char *const roles[][2] = {
	    {"admins", "%admins is an actor of approve rule \"two-person\""},
	    {"approvers", "%approvers approves requests"},
	    {"helpdesk", "%helpdesk is an actor of allow rule \"helpdesk\""},
	    {"oncall", "%oncall may break the glass"},
	    {"security", "%security approves requests under rule \"two-person\""},
	};

	cr_assert_eq(p->n_role_groups, 5, "each role group once, no negated or deny-rule group");
	for (size_t i = 0; i < 5; i++) {
		cr_assert_str_eq(p->role_groups[i].name, roles[i][0], "sorted by name");
		cr_expect_str_eq(p->role_groups[i].role, roles[i][1]);
		cr_expect(guard_policy_group_is_privileged(p, roles[i][0], false, 0), "%s",
			  roles[i][0]);
		cr_expect_eq(guard_policy_role_group(p, roles[i][0]), &p->role_groups[i]);
	}
	g = guard_policy_role_group(p, "oncall");
	cr_expect_str_eq(g->file, "test.conf");
	cr_expect_eq(g->line, 2, "the settings block that names it");
	g = guard_policy_role_group(p, "helpdesk");
	cr_expect_eq(g->line, 6, "the rule that names it");
	for (const char *const *n =
		 (const char *const[]){"interns", "contractors", "banned", "staff", "carol", NULL};
	     *n; n++) {
		cr_expect_null(guard_policy_role_group(p, *n), "%s", *n);
		cr_expect_not(guard_policy_group_is_privileged(p, *n, true, 1234), "%s", *n);
	}
	cr_expect_eq(guard_policy_group_privilege(p, "sudo", false, 0, NULL),
		     GUARD_PRIVILEGE_LISTED);
	cr_expect_eq(guard_policy_group_privilege(p, "whatever", true, 0, NULL),
		     GUARD_PRIVILEGE_GID0);
	cr_expect_eq(guard_policy_group_privilege(p, "oncall", false, 0, &g), GUARD_PRIVILEGE_ROLE);
	cr_expect_str_eq(g->name, "oncall");
	guard_policy_free(p);
}

/* The accounts role lists name: found by binary search, so every name and
 * range must survive the sort, the duplicates and the merge; a negated or
 * deny-rule account is no role. */
Test(policy, role_users_are_found_by_name_and_uid)
{
	struct guard_policy *p = test_policy(
	    "settings {\n  approvers = { \"carol\", \"uid:4294967290-4294967293\" }\n"
	    "  break_glass = { \"zed\", \"!mallory\" }\n}\n"
	    "rule \"a\" {\n  actions = { \"user.create\" }\n"
	    "  actors = { \"alice\", \"uid:2000-2009\", \"uid:1000\", \"carol\" }\n"
	    "  decision = allow\n}\n"
	    "rule \"b\" {\n  actions = { \"user.create\" }\n"
	    "  actors = { \"uid:2010-2019\", \"uid:2005-2012\", \"uid:1002\", \"bob\" }\n"
	    "  decision = approve\n  approvers = { \"uid:0-0\", \"dave\" }\n}\n"
	    "rule \"no\" {\n  actions = { \"user.delete\" }\n  actors = { \"eve\", \"uid:3000\" }\n"
	    "  decision = deny\n}\n"
	    "rule \"c\" {\n  actions = { \"user.create\" }\n"
	    "  actors = { \"uid:5010-5020\", \"uid:5030-5040\", \"uid:5000-5100\" }\n"
	    "  decision = allow\n}\n");
	static const uint32_t in[] = {0,    1000, 1002, 2000,	     2009,	 2010,
				      2015, 2019, 5060, 4294967290u, 4294967293u};
	static const uint32_t out[] = {1,    999,  1001,	1003,	     1999,
				       2020, 3000, 4294967289u, 4294967294u, 5101};

	for (const char *const *n =
		 (const char *const[]){"alice", "bob", "carol", "dave", "zed", NULL};
	     *n; n++)
		cr_expect(guard_policy_role_user(p, *n, false, 0), "%s", *n);
	for (const char *const *n = (const char *const[]){"mallory", "eve", "", "alicex", NULL}; *n;
	     n++)
		cr_expect_not(guard_policy_role_user(p, *n, false, 0), "%s", *n);
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		cr_expect(guard_policy_role_user(p, NULL, true, in[i]), "uid %u", in[i]);
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		cr_expect_not(guard_policy_role_user(p, "nobody", true, out[i]), "uid %u", out[i]);
	cr_expect_not(guard_policy_role_user(p, NULL, false, 1000), "no uid known");
	cr_expect_eq(p->role_users.n_names, 5, "carol once");
	cr_expect_eq(p->role_users.n_ranges, 6,
		     "2000-2019 and 5000-5100 merged, 1000 and 1002 apart");
	guard_policy_free(p);
}

Test(policy, the_utmp_writer_is_privileged_by_name_or_gid)
{
	struct guard_policy *p = test_policy("privileged_groups = { \"sudo\" }\n");

	cr_expect_not(guard_policy_group_is_privileged(p, "utmp", true, 43));
	p->utmp_gid_known = true;
	p->utmp_gid = 43;
	cr_expect(guard_policy_group_is_privileged(p, NULL, true, 43), "by gid");
	cr_expect_not(guard_policy_group_is_privileged(p, "utmp", false, 0), "no name known");
	p->utmp_group = strdup("utmp");
	cr_assert_not_null(p->utmp_group);
	cr_expect_eq(guard_policy_group_privilege(p, "utmp", false, 0, NULL), GUARD_PRIVILEGE_UTMP);
	cr_expect_not(guard_policy_group_is_privileged(p, "tty", true, 5));
	guard_policy_free(p);
}

/* sudoers and what it includes, as sudo reads them: a relative @include
 * against the including file's directory, @includedir's files in name
 * order without "~" or "." names; a missing file grants nothing, a file
 * that cannot be read refuses the policy. */
Test(policy_files, sudoers_read_at_load, .init = setup_dir, .fini = remove_dir)
{
	struct guard_load_options o = {.skip_owner_checks = true};
	struct guard_policy *p = NULL;
	struct guard_error err = {0};
	char conf[512], sudoers[512], path[600];
	static const char *const skipped[] = {"b~", "c.bak", ".hidden"};

	snprintf(conf, sizeof(conf), "%s/guard.conf", dir);
	snprintf(sudoers, sizeof(sudoers), "%s/sudoers", dir);
	write_file(conf, "# empty\n", 0644, getuid());
	char host[256] = "";

	cr_assert_eq(gethostname(host, sizeof(host) - 1), 0);
	host[strcspn(host, ".")] = '\0';
	write_file(sudoers,
		   "root ALL=(ALL) ALL\n@include more\n@includedir d\n@include nothing\n"
		   "@includedir more\n@include byhost.%h\n",
		   0440, getuid());
	snprintf(path, sizeof(path), "%s/byhost.%s", dir, host);
	write_file(path, "%hostgrp ALL=ALL\n", 0440, getuid());
	snprintf(path, sizeof(path), "%s/more", dir);
	write_file(path, "%ops ALL=(ALL) ALL\n", 0440, getuid());
	snprintf(path, sizeof(path), "%s/d", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/d/zz", dir);
	write_file(path, "zed ALL=ALL\n", 0440, getuid());
	snprintf(path, sizeof(path), "%s/d/a", dir);
	write_file(path, "\n%#4711 ALL=ALL\n", 0440, getuid());
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++) {
		snprintf(path, sizeof(path), "%s/d/%s", dir, skipped[i]);
		write_file(path, "%skipped ALL=ALL\n", 0440, getuid());
	}
	o.path = conf;
	o.utmp_path = "";
	o.sudoers_path = sudoers;
	o.doas_path = "";
	cr_assert_eq(guard_policy_load(&o, &p, &err), 0, "%s", err.message);
	/* "@includedir more" names a file: skipped, as sudo does. */
	cr_assert_eq(p->n_sudoers, 5);
	cr_expect_str_eq(p->sudoers[0].name, "root");
	cr_expect(p->sudoers[0].id_known, "root's uid looked up");
	cr_expect_eq(p->sudoers[0].id, 0);
	cr_expect_str_eq(p->sudoers[4].name, "hostgrp");
	cr_expect_str_eq(p->sudoers[1].name, "ops");
	snprintf(path, sizeof(path), "%s/more", dir);
	cr_expect_str_eq(p->sudoers[1].file, path);
	cr_expect_eq(p->sudoers[2].kind, GUARD_SUDOERS_GID);
	cr_expect_eq(p->sudoers[2].id, 4711);
	cr_expect_eq(p->sudoers[2].line, 2);
	cr_expect_str_eq(p->sudoers[3].name, "zed");
	cr_expect_eq(guard_policy_group_privilege(p, "ops", false, 0, NULL),
		     GUARD_PRIVILEGE_SUDOERS);
	cr_expect_not(guard_policy_group_is_privileged(p, "skipped", false, 0));
	guard_policy_free(p);
	p = NULL;

	/* An include of itself: nested too deep, refused. */
	write_file(sudoers, "@include sudoers\n", 0440, getuid());
	cr_expect_eq(guard_policy_load(&o, &p, &err), -ELOOP);
	cr_expect(strstr(err.message, "nested") != NULL, "%s", err.message);
	cr_expect_null(p);
	/* A sudoers that is no file: refused, naming it. */
	cr_assert_eq(unlink(sudoers), 0);
	cr_assert_eq(mkdir(sudoers, 0755), 0);
	err = (struct guard_error){0};
	cr_expect_lt(guard_policy_load(&o, &p, &err), 0);
	cr_expect_str_eq(err.file, sudoers);
	cr_expect_null(p);
	/* None at all: no grants. */
	cr_assert_eq(rmdir(sudoers), 0);
	cr_assert_eq(guard_policy_load(&o, &p, &err), 0, "%s", err.message);
	cr_expect_eq(p->n_sudoers, 0);
	guard_policy_free(p);
}

Test(policy_files, utmp_writer_read_at_load, .init = setup_dir, .fini = remove_dir)
{
	struct guard_load_options o = {.skip_owner_checks = true};
	struct guard_policy *p = NULL;
	struct guard_error err = {0};
	char conf[512], utmp[512];

	if (geteuid() != 0)
		cr_skip_test("needs root to give utmp a group of its own");
	snprintf(conf, sizeof(conf), "%s/guard.conf", dir);
	snprintf(utmp, sizeof(utmp), "%s/utmp", dir);
	write_file(conf, "# empty\n", 0644, getuid());
	write_file(utmp, "", 0664, getuid());
	cr_assert_eq(chown(utmp, (uid_t)-1, 4242), 0);
	cr_assert_eq(chmod(utmp, 0664), 0);
	o.path = conf;
	o.utmp_path = utmp;
	cr_assert_eq(guard_policy_load(&o, &p, &err), 0, "%s", err.message);
	cr_expect(p->utmp_gid_known);
	cr_expect_eq(p->utmp_gid, 4242);
	cr_expect(guard_policy_group_is_privileged(p, NULL, true, 4242));
	cr_expect_not(guard_policy_group_is_privileged(p, NULL, true, 4243));
	guard_policy_free(p);
	cr_assert_eq(chmod(utmp, 0644), 0);
	cr_assert_eq(guard_policy_load(&o, &p, &err), 0, "%s", err.message);
	cr_expect_not(p->utmp_gid_known, "not group-writable: nobody's privilege");
	guard_policy_free(p);
}
