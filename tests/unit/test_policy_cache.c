/* The compiled policy (policy_cache.h): a parsed policy encoded and read
 * back is the same policy, field for field and byte for byte; damage,
 * another version, other paths and inputs that were changing are refused. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "policy_cache.h"

#define CONF	"/etc/guard/guard.conf"
#define DROPINS "/etc/guard/guard.d"

static const char text[] =
    "settings {\n"
    "  mode = monitor\n"
    "  default = approve\n"
    "  audit = best-effort\n"
    "  journal = no\n"
    "  approvers = { \"%guard-approvers\", \"!mallory\" }\n"
    "  admins = { \"%admins\", \"uid:1500-1599\" }\n"
    "  approval_ttl = 45m\n"
    "  retention = 90d\n"
    "  break_glass = { \"%oncall\" }\n"
    "  timezone = \"Europe/Berlin\"\n"
    "  home_roots = { \"/home\", \"/srv/home\" }\n"
    "  approver_keys = \"/etc/guard/keys\"\n"
    "  revoked_keys = \"/etc/guard/revoked\"\n"
    "  notify = { \"/usr/libexec/guard/notify-mail\", \"/usr/local/bin/page\" }\n"
    "  notify_user = \"guardnotify\"\n"
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
    "rule \"r2\" {\n"
    "  actions = { \"user.delete\" }\n"
    "  decision = deny\n"
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

/* The parse of text, not finished, with one input: a path that does not
 * exist is a state that never changes. */
static struct guard_policy *parsed(void)
{
	struct guard_policy *p = NULL;
	struct guard_error err = {0};

	cr_assert_eq(guard_policy_new(&p), 0);
	cr_assert_eq(guard_policy_parse_text(p, "test.conf", text, strlen(text), &err), 0, "%s",
		     err.message);
	cr_assert_eq(guard_policy_note_input(p, "/nonexistent/guard-test-input", false), 0);
	return p;
}

static void encode(const struct guard_policy *p, char **buf, size_t *len)
{
	cr_assert_eq(guard_policy_cache_encode(p, CONF, DROPINS, buf, len), 0);
	cr_assert_gt(*len, 0);
}

static void same_list(const struct guard_list *a, const struct guard_list *b)
{
	cr_assert_eq(a->present, b->present);
	cr_assert_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct guard_item *x = &a->items[i], *y = &b->items[i];

		cr_assert_eq(x->kind, y->kind);
		cr_assert_eq(x->negated, y->negated);
		cr_assert_str_eq(x->text, y->text);
		cr_assert_eq(!x->name, !y->name);
		if (x->name)
			cr_assert_str_eq(x->name, y->name);
		cr_assert_eq(x->lo, y->lo);
		cr_assert_eq(x->hi, y->hi);
		cr_assert_eq(memcmp(&x->cidr.addr.bytes, &y->cidr.addr.bytes, 16), 0);
		cr_assert_eq(x->cidr.addr.family, y->cidr.addr.family);
		cr_assert_eq(x->cidr.prefix, y->cidr.prefix);
		cr_assert_eq(x->window.days, y->window.days);
		cr_assert_eq(x->window.start_min, y->window.start_min);
		cr_assert_eq(x->window.end_min, y->window.end_min);
	}
}

static void same_str(const char *a, const char *b)
{
	cr_assert_eq(!a, !b, "%s / %s", a ? a : "(null)", b ? b : "(null)");
	if (a)
		cr_assert_str_eq(a, b);
}

Test(policy_cache, a_policy_read_back_is_the_same_field_for_field)
{
	struct guard_policy *a = parsed(), *b = NULL;
	const struct guard_settings *x = &a->settings, *y;
	struct guard_error err = {0};
	char *buf = NULL, *again = NULL;
	size_t len = 0, len2 = 0;

	encode(a, &buf, &len);
	cr_assert_eq(guard_policy_cache_decode(buf, len, CONF, DROPINS, &b), 0);
	y = &b->settings;
	cr_assert_eq(x->mode, y->mode);
	cr_assert_eq(x->default_decision, y->default_decision);
	cr_assert_eq(x->audit, y->audit);
	cr_assert_eq(x->journal, y->journal);
	same_list(&x->approvers, &y->approvers);
	same_list(&x->admins, &y->admins);
	same_list(&x->break_glass, &y->break_glass);
	cr_assert_eq(x->approval_ttl_s, y->approval_ttl_s);
	cr_assert_eq(x->retention_s, y->retention_s);
	same_str(x->approvers_file, y->approvers_file);
	same_str(x->admins_file, y->admins_file);
	same_str(x->break_glass_file, y->break_glass_file);
	cr_assert_eq(x->approvers_line, y->approvers_line);
	cr_assert_eq(x->admins_line, y->admins_line);
	cr_assert_eq(x->break_glass_line, y->break_glass_line);
	same_str(x->timezone, y->timezone);
	cr_assert_eq(x->n_home_roots, y->n_home_roots);
	for (size_t i = 0; i < x->n_home_roots; i++)
		cr_assert_str_eq(x->home_roots[i], y->home_roots[i]);
	same_str(x->approver_keys, y->approver_keys);
	same_str(x->revoked_keys, y->revoked_keys);
	cr_assert_eq(x->n_notify, 2);
	cr_assert_eq(x->n_notify, y->n_notify);
	for (size_t i = 0; i < x->n_notify; i++)
		cr_assert_str_eq(x->notify[i], y->notify[i]);
	same_str(x->notify_user, y->notify_user);
	cr_assert_eq(a->n_privileged_groups, b->n_privileged_groups);
	for (size_t i = 0; i < a->n_privileged_groups; i++)
		cr_assert_str_eq(a->privileged_groups[i], b->privileged_groups[i]);
	same_list(&a->protected_users, &b->protected_users);
	cr_assert_eq(a->n_rules, 2);
	cr_assert_eq(a->n_rules, b->n_rules);
	for (size_t i = 0; i < a->n_rules; i++) {
		const struct guard_rule *r = &a->rules[i], *s = &b->rules[i];

		cr_assert_str_eq(r->name, s->name);
		cr_assert_str_eq(r->file, s->file);
		cr_assert_eq(r->line, s->line);
		cr_assert_eq(r->actions, s->actions);
		same_list(&r->actors, &s->actors);
		same_list(&r->targets, &s->targets);
		same_list(&r->groups, &s->groups);
		same_list(&r->time, &s->time);
		same_list(&r->from, &s->from);
		same_list(&r->services, &s->services);
		cr_assert_eq(r->has_limit, s->has_limit);
		cr_assert_eq(r->limit.count, s->limit.count);
		cr_assert_eq(r->limit.period_s, s->limit.period_s);
		cr_assert_eq(r->decision, s->decision);
		cr_assert_eq(r->approvals, s->approvals);
		same_list(&r->approvers, &s->approvers);
		same_str(r->message, s->message);
		cr_assert_eq(r->alert, s->alert);
	}
	cr_assert_eq(a->n_watches, b->n_watches);
	cr_assert_str_eq(a->watches[0].name, b->watches[0].name);
	cr_assert_str_eq(a->watches[0].file, b->watches[0].file);
	cr_assert_eq(a->watches[0].line, b->watches[0].line);
	cr_assert_eq(a->watches[0].decisions, b->watches[0].decisions);
	cr_assert_eq(a->watches[0].threshold.count, b->watches[0].threshold.count);
	cr_assert_eq(a->watches[0].threshold.period_s, b->watches[0].threshold.period_s);
	cr_assert_eq(a->watches[0].lockout_s, b->watches[0].lockout_s);
	cr_assert_eq(a->n_services, b->n_services);
	cr_assert_str_eq(a->services[0].name, b->services[0].name);
	cr_assert_eq(a->services[0].action, b->services[0].action);
	cr_assert_str_eq(a->services[0].file, b->services[0].file);
	cr_assert_eq(a->services[0].line, b->services[0].line);
	cr_assert_eq(a->n_commands, b->n_commands);
	for (size_t i = 0; i < a->n_commands; i++) {
		cr_assert_str_eq(a->commands[i].name, b->commands[i].name);
		cr_assert_str_eq(a->commands[i].path, b->commands[i].path);
		cr_assert_eq(a->commands[i].actions, b->commands[i].actions);
		cr_assert_str_eq(a->commands[i].file, b->commands[i].file);
		cr_assert_eq(a->commands[i].line, b->commands[i].line);
	}
	cr_assert_eq(a->n_files, b->n_files);
	cr_assert_eq(a->n_warnings, b->n_warnings);

	/* Canonical: the policy read back encodes to the same bytes. */
	cr_assert_eq(guard_policy_cache_encode(b, CONF, DROPINS, &again, &len2), 0);
	cr_assert_eq(len2, len);
	cr_assert_eq(memcmp(buf, again, len), 0);

	/* And both finish alike: the same zone, roles and warnings. */
	cr_assert_eq(guard_policy_finish(a, TEST_ZONEINFO, &err), 0, "%s", err.message);
	cr_assert_eq(guard_policy_finish(b, TEST_ZONEINFO, &err), 0, "%s", err.message);
	cr_assert_eq(a->n_role_groups, b->n_role_groups);
	cr_assert_eq(a->n_warnings, b->n_warnings);
	cr_assert_str_eq(guard_tz_name(b->tz), "Europe/Berlin");
	free(buf);
	free(again);
	guard_policy_free(a);
	guard_policy_free(b);
}

Test(policy_cache, every_cut_and_any_trailing_byte_is_refused)
{
	struct guard_policy *a = parsed(), *b = NULL;
	char *buf = NULL, *longer;
	size_t len = 0;

	encode(a, &buf, &len);
	for (size_t cut = 0; cut < len; cut++) {
		int r = guard_policy_cache_decode(buf, cut, CONF, DROPINS, &b);

		cr_assert(r == -EBADMSG || r == -ESTALE, "cut at %zu: %d", cut, r);
		cr_assert_null(b);
	}
	longer = malloc(len + 1);
	memcpy(longer, buf, len);
	longer[len] = 0;
	cr_assert_eq(guard_policy_cache_decode(longer, len + 1, CONF, DROPINS, &b), -EBADMSG);
	free(longer);
	free(buf);
	guard_policy_free(a);
}

Test(policy_cache, another_path_or_version_is_stale)
{
	struct guard_policy *a = parsed(), *b = NULL;
	char *buf = NULL;
	size_t len = 0;
	char *v;

	encode(a, &buf, &len);
	cr_assert_eq(guard_policy_cache_decode(buf, len, "/etc/guard/other.conf", DROPINS, &b),
		     -ESTALE);
	cr_assert_eq(guard_policy_cache_decode(buf, len, CONF, "/etc/guard/other.d", &b), -ESTALE);
	v = memmem(buf, len, GUARD_VERSION, strlen(GUARD_VERSION));
	cr_assert_not_null(v);
	v[0] ^= 1;
	cr_assert_eq(guard_policy_cache_decode(buf, len, CONF, DROPINS, &b), -ESTALE);
	buf[0] ^= 1;
	cr_assert_eq(guard_policy_cache_decode(buf, len, CONF, DROPINS, &b), -EBADMSG);
	cr_assert_null(b);
	free(buf);
	guard_policy_free(a);
}

Test(policy_cache, a_policy_whose_inputs_were_changing_is_never_compiled)
{
	struct guard_policy *p = NULL;
	char path[] = "/tmp/guard-cache-input-XXXXXX", *buf = NULL;
	size_t len = 0;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(guard_policy_new(&p), 0);
	cr_assert_eq(guard_policy_note_input(p, path, false), 0);
	cr_assert_eq(guard_policy_cache_encode(p, CONF, DROPINS, &buf, &len), -ESTALE);
	cr_assert_null(buf);
	guard_policy_free(p);
	/* A policy made from text alone has no inputs: nothing to compare. */
	cr_assert_eq(guard_policy_new(&p), 0);
	cr_assert_eq(guard_policy_cache_encode(p, CONF, DROPINS, &buf, &len), -ESTALE);
	guard_policy_free(p);
	unlink(path);
}
