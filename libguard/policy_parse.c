/* One policy file's text -> the policy, through libconfuse. Values are
 * validated while libconfuse reads them (its callbacks are the only moment
 * it knows the line), blocks when they close, and then copied into the
 * policy. libconfuse keeps its lexer state in globals: callers serialize. */
#include <confuse.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "policy.h"
#include "policy_scan.h"

#define MAX_MESSAGE_BYTES 512
#define MAX_APPROVALS	  16

/* The file being parsed; libconfuse's callbacks take no user pointer. */
struct parse_ctx {
	const char *file;
	struct guard_error *err;
	bool failed;
	const struct guard_scan *scan;
	/* The file is parsed in chunks of whole blocks (libconfuse checks
	 * titles for duplicates in quadratic time); a chunk's first line and
	 * the blocks of each kind before it. */
	unsigned line_offset;
	size_t base[GUARD_SECTION_COUNT];
	unsigned settings_blocks;
};
static __thread struct parse_ctx *current;

/* libconfuse hands its own format strings to its error function. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void on_confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[400];

	if (!current || current->failed)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	guard_error_set(current->err, current->file,
			cfg && cfg->line > 0 ? (unsigned)cfg->line + current->line_offset : 0, "%s",
			msg);
	current->failed = true;
}
#pragma GCC diagnostic pop

static int fail(cfg_t *cfg, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(cfg_t *cfg, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char msg[480];

	if (current && !current->failed) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		if (!line && cfg && cfg->line > 0)
			line = (unsigned)cfg->line + current->line_offset;
		guard_error_set(current->err, current->file, line, "%s", msg);
		current->failed = true;
	}
	return -1;
}

static bool has_control_bytes(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static bool path_is_clean_absolute(const char *p)
{
	const char *c;

	if (p[0] != '/' || strlen(p) > 4096 || has_control_bytes(p))
		return false;
	for (c = p; *c; c++) {
		if (c[0] == '/' && (c[1] == '/' || (c[1] == '.' && (c[2] == '/' || c[2] == '\0')) ||
				    (c[1] == '.' && c[2] == '.' && (c[3] == '/' || c[3] == '\0'))))
			return false;
	}
	return strlen(p) == 1 || p[strlen(p) - 1] != '/';
}

static bool block_name_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static bool timezone_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128 || s[0] == '/' || strstr(s, ".."))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("/_+-", *s)))
			return false;
	return true;
}

/* Checks one value of an option as libconfuse reads it. */
static int check_value(cfg_t *cfg, const char *section, const char *option, const char *v)
{
	struct guard_error e = {0};
	struct guard_item item;
	struct guard_limit limit;
	enum guard_action action;
	enum guard_decision decision;
	int64_t seconds;
	uint64_t n;
	char qbuf[128];

	/* Quoted for messages only when there is one to write. */
#define QUOTED_V guard_escape(v, qbuf, sizeof(qbuf))
	if (has_control_bytes(v))
		return fail(cfg, 0, "%s: control characters are not allowed in \"%s\"", option,
			    QUOTED_V);

	if (strcmp(option, "actors") == 0 || strcmp(option, "targets") == 0 ||
	    strcmp(option, "groups") == 0 || strcmp(option, "time") == 0 ||
	    strcmp(option, "from") == 0 || strcmp(option, "services") == 0 ||
	    strcmp(option, "approvers") == 0 || strcmp(option, "admins") == 0 ||
	    strcmp(option, "break_glass") == 0 || strcmp(option, "protected_users") == 0) {
		if (guard_item_parse(option, v, &item, &e) < 0)
			return fail(cfg, 0, "%s", e.message);
		guard_item_clear(&item);
	} else if (strcmp(option, "actions") == 0 ||
		   (strcmp(option, "action") == 0 && strcmp(section, "service") == 0)) {
		if (guard_action_parse(v, &action) < 0)
			return fail(cfg, 0,
				    "%s: unknown action \"%s\" (known: user.create, user.delete, "
				    "user.modify, user.password, user.lock, user.unlock, "
				    "group.create, group.delete, group.modify, group.member.add, "
				    "group.member.remove, role.escalate, session.login)",
				    option, QUOTED_V);
	} else if (strcmp(option, "decision") == 0 || strcmp(option, "default") == 0 ||
		   strcmp(option, "decisions") == 0) {
		if (guard_decision_parse(v, &decision) < 0)
			return fail(cfg, 0, "%s: \"%s\" is not allow, approve or deny", option,
				    QUOTED_V);
	} else if (strcmp(option, "limit") == 0 || strcmp(option, "threshold") == 0) {
		if (guard_parse_limit(v, &limit) < 0)
			return fail(cfg, 0,
				    "%s: \"%s\" is not a limit: use COUNT/PERIOD, e.g. \"10/1h\" "
				    "(a period is required)",
				    option, QUOTED_V);
	} else if (strcmp(option, "lockout") == 0 || strcmp(option, "approval_ttl") == 0) {
		if (guard_parse_duration(v, &seconds) < 0)
			return fail(cfg, 0,
				    "%s: \"%s\" is not a duration: use a number and one unit "
				    "of s, m, h, d, e.g. \"30m\", \"2h\", \"1d\" (at most 366d)",
				    option, QUOTED_V);
	} else if (strcmp(option, "retention") == 0) {
		if (guard_parse_retention(v, &seconds) < 0)
			return fail(
			    cfg, 0,
			    "retention: \"%s\" is not a duration: use a number and one unit "
			    "of s, m, h, d, e.g. \"400d\" (at most 3660d)",
			    QUOTED_V);
	} else if (strcmp(option, "approvals") == 0) {
		if (guard_parse_uint(v, MAX_APPROVALS, &n) < 0 || n == 0)
			return fail(cfg, 0, "approvals: \"%s\" is not a number from 1 to %d",
				    QUOTED_V, MAX_APPROVALS);
	} else if (strcmp(option, "message") == 0) {
		if (strlen(v) > MAX_MESSAGE_BYTES)
			return fail(cfg, 0, "message is longer than %d bytes", MAX_MESSAGE_BYTES);
	} else if (strcmp(option, "mode") == 0) {
		if (strcmp(v, "enforce") != 0 && strcmp(v, "monitor") != 0)
			return fail(cfg, 0, "mode: \"%s\" is not enforce or monitor", QUOTED_V);
	} else if (strcmp(option, "audit") == 0) {
		if (strcmp(v, "required") != 0 && strcmp(v, "best-effort") != 0 &&
		    strcmp(v, "off") != 0)
			return fail(cfg, 0, "audit: \"%s\" is not required, best-effort or off",
				    QUOTED_V);
	} else if (strcmp(option, "timezone") == 0) {
		if (strcmp(v, "system") != 0 && !timezone_is_valid(v))
			return fail(cfg, 0,
				    "timezone: \"%s\" is not \"system\" or a zone name like "
				    "\"Europe/Berlin\"",
				    QUOTED_V);
	} else if (strcmp(option, "notify") == 0) {
		if (!path_is_clean_absolute(v) || strcmp(v, "/") == 0)
			return fail(cfg, 0, "notify: \"%s\" is not an absolute program path",
				    QUOTED_V);
	} else if (strcmp(option, "notify_user") == 0) {
		if (!guard_name_is_valid(v) || strcmp(v, "root") == 0)
			return fail(cfg, 0,
				    "notify_user: \"%s\" is not an account name other than root",
				    QUOTED_V);
	} else if (strcmp(option, "approver_keys") == 0 || strcmp(option, "revoked_keys") == 0) {
		if (!path_is_clean_absolute(v) || strcmp(v, "/") == 0)
			return fail(cfg, 0, "%s: \"%s\" is not a clean absolute file name", option,
				    QUOTED_V);
	} else if (strcmp(option, "home_roots") == 0) {
		if (!path_is_clean_absolute(v) || strcmp(v, "/") == 0)
			return fail(cfg, 0,
				    "home_roots: \"%s\" is not a clean absolute directory other "
				    "than /",
				    QUOTED_V);
	} else if (strcmp(option, "path") == 0) {
		if (!path_is_clean_absolute(v) || strcmp(v, "/") == 0)
			return fail(cfg, 0,
				    "path: \"%s\" is not an absolute path (no \".\", \"..\" or "
				    "\"//\")",
				    QUOTED_V);
	} else if (strcmp(option, "privileged_groups") == 0) {
		if (!guard_name_is_valid(v))
			return fail(cfg, 0, "privileged_groups: \"%s\" is not a valid group name",
				    QUOTED_V);
	}
	return 0;
#undef QUOTED_V
}

static int on_value(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned n = cfg_opt_size(opt);
	const char *v;

	if (opt->type != CFGT_STR || n == 0)
		return 0;
	v = cfg_opt_getnstr(opt, n - 1);
	if (!v)
		return fail(cfg, 0, "%s: missing value", opt->name);
	return check_value(cfg, cfg_name(cfg), opt->name, v);
}

/* The block that just closed, with the line of its header. */
static cfg_t *closed_block(cfg_t *cfg, cfg_opt_t *opt, enum guard_section kind, unsigned *ret_line)
{
	unsigned n = cfg_opt_size(opt);

	(void)cfg;
	*ret_line = current ? guard_scan_line(current->scan, kind, current->base[kind] + n - 1) : 0;
	return cfg_opt_getnsec(opt, n - 1);
}

static int on_rule(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned line;
	cfg_t *r = closed_block(cfg, opt, GUARD_SECTION_RULE, &line);
	const char *name = cfg_title(r), *decision;
	char q[96];

	if (!block_name_is_valid(name))
		return fail(cfg, line,
			    "rule \"%s\": a rule name is 1-64 letters, digits, '.', '_' or '-'",
			    guard_escape(name, q, sizeof(q)));
	if (cfg_size(r, "actions") == 0)
		return fail(cfg, line, "rule \"%s\": no actions (which actions does it decide?)",
			    name);
	if (cfg_size(r, "decision") == 0)
		return fail(cfg, line, "rule \"%s\": no decision (allow, approve or deny)", name);
	decision = cfg_getstr(r, "decision");
	if (strcmp(decision, "approve") != 0) {
		if (cfg_size(r, "approvals") > 0)
			return fail(cfg, line, "rule \"%s\": approvals without decision = approve",
				    name);
		if (cfg_size(r, "approvers") > 0)
			return fail(cfg, line, "rule \"%s\": approvers without decision = approve",
				    name);
	}
	if (strcmp(decision, "deny") == 0 && cfg_size(r, "limit") > 0)
		return fail(cfg, line, "rule \"%s\": a limit on a deny rule has no effect", name);
	return 0;
}

static int on_watch(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned line;
	cfg_t *w = closed_block(cfg, opt, GUARD_SECTION_WATCH, &line);
	char q[96];

	if (!block_name_is_valid(cfg_title(w)))
		return fail(cfg, line,
			    "watch \"%s\": a watch name is 1-64 letters, digits, '.', '_' or '-'",
			    guard_escape(cfg_title(w), q, sizeof(q)));
	if (cfg_size(w, "decisions") == 0)
		return fail(cfg, line, "watch \"%s\": no decisions to watch", cfg_title(w));
	if (cfg_size(w, "threshold") == 0)
		return fail(cfg, line, "watch \"%s\": no threshold (COUNT/PERIOD, e.g. \"3/10m\")",
			    cfg_title(w));
	return 0;
}

static int on_service(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned line;
	cfg_t *s = closed_block(cfg, opt, GUARD_SECTION_SERVICE, &line);
	struct guard_item item;
	struct guard_error e;
	char q[96];

	if (guard_item_parse("services", cfg_title(s), &item, &e) < 0 ||
	    item.kind != GUARD_ITEM_SERVICE || item.negated) {
		if (item.kind == GUARD_ITEM_SERVICE)
			guard_item_clear(&item);
		return fail(cfg, line, "service \"%s\": not a PAM service name",
			    guard_escape(cfg_title(s), q, sizeof(q)));
	}
	guard_item_clear(&item);
	if (cfg_size(s, "action") == 0)
		return fail(cfg, line, "service \"%s\": no action", cfg_title(s));
	return 0;
}

static bool command_name_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '-' || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr("._-", *s)))
			return false;
	return true;
}

static int on_command(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned line;
	cfg_t *c = closed_block(cfg, opt, GUARD_SECTION_COMMAND, &line);
	char q[96];

	if (!command_name_is_valid(cfg_title(c)))
		return fail(cfg, line,
			    "command \"%s\": a command name is lower-case letters, digits, "
			    "'.', '_' or '-'",
			    guard_escape(cfg_title(c), q, sizeof(q)));
	if (cfg_size(c, "path") == 0)
		return fail(cfg, line, "command \"%s\": no path (the absolute path to run)",
			    cfg_title(c));
	return 0;
}

static int on_settings(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned line;
	cfg_t *s;
	bool names_someone = false;

	if (++current->settings_blocks > 1)
		return fail(cfg, guard_scan_line(current->scan, GUARD_SECTION_SETTINGS, 1),
			    "settings: a second settings block in the same file");
	/* A list of exclusions alone matches everyone else: an admins list
	 * like that would hand Guard's administration to every account. */
	s = closed_block(cfg, opt, GUARD_SECTION_SETTINGS, &line);
	for (unsigned i = 0; i < cfg_size(s, "admins"); i++)
		names_someone = names_someone || cfg_getnstr(s, "admins", i)[0] != '!';
	if (cfg_size(s, "admins") > 0 && !names_someone)
		return fail(cfg, line,
			    "settings: admins only excludes (\"!...\"), which makes everyone "
			    "else an admin: name who is (\"root\" alone leaves it to root)");
	return 0;
}

#define LIST(name)   CFG_STR_LIST(name, 0, CFGF_NODEFAULT)
#define SCALAR(name) CFG_STR(name, 0, CFGF_NODEFAULT)

static cfg_opt_t settings_opts[] = {
    SCALAR("mode"),	    SCALAR("default"),
    SCALAR("audit"),	    CFG_BOOL("journal", cfg_true, CFGF_NODEFAULT),
    LIST("approvers"),	    LIST("admins"),
    SCALAR("approval_ttl"), LIST("break_glass"),
    SCALAR("timezone"),	    LIST("home_roots"),
    SCALAR("retention"),    SCALAR("approver_keys"),
    SCALAR("revoked_keys"), LIST("notify"),
    SCALAR("notify_user"),  CFG_END(),
};
static cfg_opt_t rule_opts[] = {
    LIST("actions"),
    LIST("actors"),
    LIST("targets"),
    LIST("groups"),
    LIST("time"),
    LIST("from"),
    LIST("services"),
    SCALAR("limit"),
    SCALAR("decision"),
    SCALAR("approvals"),
    LIST("approvers"),
    SCALAR("message"),
    CFG_BOOL("alert", cfg_false, CFGF_NODEFAULT),
    CFG_END(),
};
static cfg_opt_t watch_opts[] = {
    LIST("decisions"),
    SCALAR("threshold"),
    SCALAR("lockout"),
    CFG_END(),
};
static cfg_opt_t service_opts[] = {SCALAR("action"), CFG_END()};
static cfg_opt_t command_opts[] = {SCALAR("path"), LIST("actions"), CFG_END()};

#define BLOCKS (CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES)
static cfg_opt_t top_opts[] = {
    CFG_SEC("settings", settings_opts, CFGF_MULTI),
    LIST("privileged_groups"),
    LIST("protected_users"),
    CFG_SEC("rule", rule_opts, BLOCKS),
    CFG_SEC("watch", watch_opts, BLOCKS),
    CFG_SEC("service", service_opts, BLOCKS),
    CFG_SEC("command", command_opts, BLOCKS),
    CFG_END(),
};

static void set_value_checks(cfg_t *cfg, const char *section, cfg_opt_t *opts)
{
	char name[64];

	for (cfg_opt_t *o = opts; o->name; o++) {
		if (section)
			snprintf(name, sizeof(name), "%s|%s", section, o->name);
		else
			snprintf(name, sizeof(name), "%s", o->name);
		cfg_set_validate_func(cfg, name, on_value);
	}
}

/* ---- copying a parsed file into the policy ---- */

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
			(void)guard_parse_uint(cfg_getstr(s, "approvals"), MAX_APPROVALS, &n);
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

static void *grow(void *array, size_t n, size_t size)
{
	void *a = realloc(array, (n + 1) * size);

	if (a)
		memset((char *)a + n * size, 0, size);
	return a;
}

static int copy_file(struct guard_policy *p, cfg_t *cfg, const char *file,
		     const struct parse_ctx *ctx, struct guard_error *err)
{
	const struct guard_scan *scan = ctx->scan;
	const size_t *base = ctx->base;

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

#define BLOCKS_PER_CHUNK 64

/* Parses text[start, end) with libconfuse and copies it into p. */
static int parse_chunk(struct guard_policy *p, struct parse_ctx *ctx, const char *text,
		       size_t start, size_t end)
{
	cfg_t *cfg = cfg_init(top_opts, CFGF_NONE);
	char *buf = malloc(end - start + 1);
	int r;

	if (!cfg || !buf) {
		r = -ENOMEM;
		guard_error_set(ctx->err, ctx->file, 0, "out of memory");
		goto out;
	}
	memcpy(buf, text + start, end - start);
	buf[end - start] = '\0';
	cfg_set_error_function(cfg, on_confuse_error);
	set_value_checks(cfg, NULL, top_opts);
	set_value_checks(cfg, "settings", settings_opts);
	set_value_checks(cfg, "rule", rule_opts);
	set_value_checks(cfg, "watch", watch_opts);
	set_value_checks(cfg, "service", service_opts);
	set_value_checks(cfg, "command", command_opts);
	cfg_set_validate_func(cfg, "settings", on_settings);
	cfg_set_validate_func(cfg, "rule", on_rule);
	cfg_set_validate_func(cfg, "watch", on_watch);
	cfg_set_validate_func(cfg, "service", on_service);
	cfg_set_validate_func(cfg, "command", on_command);
	free(cfg->filename);
	cfg->filename = strdup(ctx->file);

	current = ctx;
	r = cfg_parse_buf(cfg, buf);
	current = NULL;
	if (r != CFG_SUCCESS || ctx->failed) {
		if (!ctx->failed)
			guard_error_set(ctx->err, ctx->file, 0, "cannot parse the policy");
		r = -EINVAL;
		goto out;
	}
	r = copy_file(p, cfg, ctx->file, ctx, ctx->err);
	if (r == -ENOMEM)
		guard_error_set(ctx->err, ctx->file, 0, "out of memory");
out:
	if (cfg)
		cfg_free(cfg);
	free(buf);
	return r;
}

int guard_policy_parse_text(struct guard_policy *p, const char *file, const char *text, size_t len,
			    struct guard_error *err)
{
	struct guard_scan scan = {0};
	struct parse_ctx ctx = {.file = file, .err = err};
	char **files;
	size_t start = 0;
	int r;

	r = guard_scan_text(file, text, len, &scan, err);
	if (r < 0)
		return r;
	ctx.scan = &scan;

	files = realloc(p->files, (p->n_files + 1) * sizeof(char *));
	if (!files) {
		r = -ENOMEM;
		goto out;
	}
	p->files = files;
	p->files[p->n_files] = strdup(file);
	if (!p->files[p->n_files]) {
		r = -ENOMEM;
		goto out;
	}
	p->n_files++;

	/* Cut only where a top-level block starts: each chunk is a policy of
	 * its own to libconfuse. */
	for (size_t b = BLOCKS_PER_CHUNK;; b += BLOCKS_PER_CHUNK) {
		size_t end = b < scan.n_blocks ? scan.blocks[b].offset : len;

		r = parse_chunk(p, &ctx, scan.clean, start, end);
		if (r < 0 || end == len)
			break;
		for (size_t k = b - BLOCKS_PER_CHUNK; k < b; k++)
			ctx.base[scan.blocks[k].kind]++;
		ctx.line_offset = scan.blocks[b].line - 1;
		start = end;
	}
out:
	if (r == -ENOMEM && !err->message[0])
		guard_error_set(err, file, 0, "out of memory");
	guard_scan_clear(&scan);
	return r;
}
