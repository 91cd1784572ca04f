/* A file libconfuse has read, and policy_parse.c's checks passed, copied
 * into the policy: each value was checked as it was read, so the parsers
 * here cannot fail on it; only memory and the policy's limits can. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_parse_internal.h"

static int copy_list(cfg_t *sec, const char *option, struct guard_list *ret,
		     struct guard_error *err)
{
	unsigned n = cfg_size(sec, option);
	struct guard_list l = {.present = true};

	if (n == 0)
		return 0;
	l.items = calloc(n, sizeof(*l.items));
	if (!l.items)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		int r = guard_item_parse(option, cfg_getnstr(sec, option, i), &l.items[i], err);

		if (r < 0) {
			for (size_t j = 0; j < l.n; j++)
				guard_item_clear(&l.items[j]);
			free(l.items);
			return r;
		}
		l.n++;
	}
	for (size_t j = 0; j < ret->n; j++)
		guard_item_clear(&ret->items[j]);
	free(ret->items);
	*ret = l;
	return 0;
}

static int copy_actions(cfg_t *sec, const char *option, guard_action_set *ret)
{
	guard_action_set set = 0;
	enum guard_action a;

	for (unsigned i = 0; i < cfg_size(sec, option); i++) {
		if (guard_action_parse(cfg_getnstr(sec, option, i), &a) < 0)
			return -EINVAL;
		set |= 1u << a;
	}
	*ret = set;
	return 0;
}

static int copy_strv(cfg_t *sec, const char *option, char ***v, size_t *n)
{
	unsigned count = cfg_size(sec, option);
	char **nv = calloc(count + 1, sizeof(char *));

	if (!nv)
		return -ENOMEM;
	for (unsigned i = 0; i < count; i++) {
		nv[i] = strdup(cfg_getnstr(sec, option, i));
		if (!nv[i]) {
			for (unsigned j = 0; j < i; j++)
				free(nv[j]);
			free(nv);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; *v && i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = nv;
	*n = count;
	return 0;
}

/* Remembers where a setting was made (the settings block's line). */
static int set_place(char **file, unsigned *line, const char *at_file, unsigned at_line)
{
	char *f = strdup(at_file ? at_file : "");

	if (!f)
		return -ENOMEM;
	free(*file);
	*file = f;
	*line = at_line;
	return 0;
}

/* A file name setting, when the section sets it. */
static int copy_path(cfg_t *s, const char *name, char **slot)
{
	char *v;

	if (!cfg_size(s, name))
		return 0;
	v = strdup(cfg_getstr(s, name));
	if (!v)
		return -ENOMEM;
	free(*slot);
	*slot = v;
	return 0;
}

static int copy_settings(struct guard_policy *p, cfg_t *s, const char *file, unsigned line,
			 struct guard_error *err)
{
	struct guard_settings *st = &p->settings;
	int r = 0;

	if (cfg_size(s, "mode"))
		st->mode = strcmp(cfg_getstr(s, "mode"), "monitor") == 0 ? GUARD_MODE_MONITOR
									 : GUARD_MODE_ENFORCE;
	if (cfg_size(s, "default"))
		(void)guard_decision_parse(cfg_getstr(s, "default"), &st->default_decision);
	if (cfg_size(s, "audit")) {
		const char *a = cfg_getstr(s, "audit");

		st->audit = strcmp(a, "off") == 0	    ? GUARD_AUDIT_OFF
			    : strcmp(a, "best-effort") == 0 ? GUARD_AUDIT_BEST_EFFORT
							    : GUARD_AUDIT_REQUIRED;
	}
	if (cfg_size(s, "journal"))
		st->journal = cfg_getbool(s, "journal");
	if (cfg_size(s, "approval_ttl"))
		(void)guard_parse_duration(cfg_getstr(s, "approval_ttl"), &st->approval_ttl_s);
	if (cfg_size(s, "retention"))
		(void)guard_parse_retention(cfg_getstr(s, "retention"), &st->retention_s);
	if (cfg_size(s, "timezone")) {
		char *tz = strdup(cfg_getstr(s, "timezone"));

		if (!tz)
			return -ENOMEM;
		free(st->timezone);
		st->timezone = tz;
	}
	if (cfg_size(s, "approvers")) {
		r = copy_list(s, "approvers", &st->approvers, err);
		if (r == 0)
			r = set_place(&st->approvers_file, &st->approvers_line, file, line);
	}
	if (r == 0 && cfg_size(s, "admins")) {
		r = copy_list(s, "admins", &st->admins, err);
		if (r == 0)
			r = set_place(&st->admins_file, &st->admins_line, file, line);
	}
	if (r == 0 && cfg_size(s, "break_glass")) {
		r = copy_list(s, "break_glass", &st->break_glass, err);
		if (r == 0)
			r = set_place(&st->break_glass_file, &st->break_glass_line, file, line);
	}
	if (r == 0 && cfg_size(s, "home_roots"))
		r = copy_strv(s, "home_roots", &st->home_roots, &st->n_home_roots);
	if (r == 0)
		r = copy_path(s, "approver_keys", &st->approver_keys);
	if (r == 0)
		r = copy_path(s, "revoked_keys", &st->revoked_keys);
	if (r == 0)
		r = copy_path(s, "notify_user", &st->notify_user);
	if (r == 0 && cfg_size(s, "notify"))
		r = copy_strv(s, "notify", &st->notify, &st->n_notify);
	return r;
}

static int copy_rule(struct guard_rule *r, cfg_t *s, const char *file, unsigned line,
		     struct guard_error *err)
{
	int ret;

	r->name = strdup(cfg_title(s));
	r->file = strdup(file);
	r->line = line;
	if (!r->name || !r->file)
		return -ENOMEM;
	ret = copy_actions(s, "actions", &r->actions);
	if (ret == 0)
		ret = copy_list(s, "actors", &r->actors, err);
	if (ret == 0)
		ret = copy_list(s, "targets", &r->targets, err);
	if (ret == 0)
		ret = copy_list(s, "groups", &r->groups, err);
	if (ret == 0)
		ret = copy_list(s, "time", &r->time, err);
	if (ret == 0)
		ret = copy_list(s, "from", &r->from, err);
	if (ret == 0)
		ret = copy_list(s, "services", &r->services, err);
	if (ret == 0)
		ret = copy_list(s, "approvers", &r->approvers, err);
	if (ret < 0)
		return ret;
	if (cfg_size(s, "limit")) {
		r->has_limit = true;
		(void)guard_parse_limit(cfg_getstr(s, "limit"), &r->limit);
	}
	(void)guard_decision_parse(cfg_getstr(s, "decision"), &r->decision);
	if (r->decision == GUARD_DECISION_APPROVE) {
		uint64_t n = 1;

		if (cfg_size(s, "approvals"))
			(void)guard_parse_uint(cfg_getstr(s, "approvals"), PARSE_MAX_APPROVALS, &n);
		r->approvals = (unsigned)n;
	}
	if (cfg_size(s, "message")) {
		r->message = strdup(cfg_getstr(s, "message"));
		if (!r->message)
			return -ENOMEM;
	}
	if (cfg_size(s, "alert"))
		r->alert = cfg_getbool(s, "alert");
	return 0;
}

/* Room for element n (zeroed) in an array of n that only grow() sized: its
 * capacity doubles at each power of two, so that 10,000 rules cost a few
 * copies of the array, not one copy a rule. */
static void *grow(void *array, size_t n, size_t size)
{
	void *a = array;

	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		size_t cap = n < 4 ? 4 : 2 * n;

		if (cap > SIZE_MAX / size)
			return NULL;
		a = realloc(array, cap * size);
	}
	if (a)
		memset((char *)a + n * size, 0, size);
	return a;
}

int guard_policy_copy_file(struct guard_policy *p, cfg_t *cfg, const char *file,
			   const struct guard_scan *scan, const size_t base[GUARD_SECTION_COUNT],
			   struct guard_error *err)
{
	int r = 0;

	for (unsigned i = 0; r == 0 && i < cfg_size(cfg, "settings"); i++)
		r = copy_settings(
		    p, cfg_getnsec(cfg, "settings", i), file,
		    guard_scan_line(scan, GUARD_SECTION_SETTINGS, base[GUARD_SECTION_SETTINGS] + i),
		    err);
	if (r == 0 && cfg_size(cfg, "privileged_groups"))
		r = copy_strv(cfg, "privileged_groups", &p->privileged_groups,
			      &p->n_privileged_groups);
	if (r == 0 && cfg_size(cfg, "protected_users"))
		r = copy_list(cfg, "protected_users", &p->protected_users, err);

	for (unsigned i = 0; r == 0 && i < cfg_size(cfg, "rule"); i++) {
		struct guard_rule *rules;

		if (p->n_rules >= GUARD_POLICY_MAX_RULES) {
			guard_error_set(
			    err, file,
			    guard_scan_line(scan, GUARD_SECTION_RULE, base[GUARD_SECTION_RULE] + i),
			    "more than %u rules", GUARD_POLICY_MAX_RULES);
			return -E2BIG;
		}
		rules = grow(p->rules, p->n_rules, sizeof(*rules));
		if (!rules)
			return -ENOMEM;
		p->rules = rules;
		r = copy_rule(
		    &p->rules[p->n_rules++], cfg_getnsec(cfg, "rule", i), file,
		    guard_scan_line(scan, GUARD_SECTION_RULE, base[GUARD_SECTION_RULE] + i), err);
	}
	for (unsigned i = 0; r == 0 && i < cfg_size(cfg, "watch"); i++) {
		cfg_t *s = cfg_getnsec(cfg, "watch", i);
		struct guard_watch *w = grow(p->watches, p->n_watches, sizeof(*w));

		if (!w)
			return -ENOMEM;
		p->watches = w;
		w = &p->watches[p->n_watches++];
		w->name = strdup(cfg_title(s));
		w->file = strdup(file);
		w->line = guard_scan_line(scan, GUARD_SECTION_WATCH, base[GUARD_SECTION_WATCH] + i);
		if (!w->name || !w->file)
			return -ENOMEM;
		for (unsigned j = 0; j < cfg_size(s, "decisions"); j++) {
			enum guard_decision d = GUARD_DECISION_DENY;

			(void)guard_decision_parse(cfg_getnstr(s, "decisions", j), &d);
			w->decisions |= 1u << d;
		}
		(void)guard_parse_limit(cfg_getstr(s, "threshold"), &w->threshold);
		if (cfg_size(s, "lockout"))
			(void)guard_parse_duration(cfg_getstr(s, "lockout"), &w->lockout_s);
	}
	for (unsigned i = 0; r == 0 && i < cfg_size(cfg, "service"); i++) {
		cfg_t *s = cfg_getnsec(cfg, "service", i);
		struct guard_service *sv = grow(p->services, p->n_services, sizeof(*sv));

		if (!sv)
			return -ENOMEM;
		p->services = sv;
		sv = &p->services[p->n_services++];
		sv->name = strdup(cfg_title(s));
		sv->file = strdup(file);
		sv->line =
		    guard_scan_line(scan, GUARD_SECTION_SERVICE, base[GUARD_SECTION_SERVICE] + i);
		if (!sv->name || !sv->file)
			return -ENOMEM;
		(void)guard_action_parse(cfg_getstr(s, "action"), &sv->action);
	}
	for (unsigned i = 0; r == 0 && i < cfg_size(cfg, "command"); i++) {
		cfg_t *s = cfg_getnsec(cfg, "command", i);
		struct guard_command *c = grow(p->commands, p->n_commands, sizeof(*c));

		if (!c)
			return -ENOMEM;
		p->commands = c;
		c = &p->commands[p->n_commands++];
		c->name = strdup(cfg_title(s));
		c->path = strdup(cfg_getstr(s, "path"));
		c->file = strdup(file);
		c->line =
		    guard_scan_line(scan, GUARD_SECTION_COMMAND, base[GUARD_SECTION_COMMAND] + i);
		if (!c->name || !c->path || !c->file)
			return -ENOMEM;
		r = copy_actions(s, "actions", &c->actions);
	}
	return r;
}
