/* One policy file's text -> the policy, through libconfuse: the grammar
 * (its option tables), its callbacks and errors, the file in chunks. Values
 * are validated while libconfuse reads them (its callbacks are the only
 * moment it knows the line; what each may be is policy_parse_values.c's),
 * blocks when they close, and then copied into the policy
 * (policy_parse_copy.c). libconfuse keeps its lexer state in globals:
 * callers serialize. */
#include <confuse.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_parse_internal.h"

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

static int on_value(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned n = cfg_opt_size(opt);
	const char *v;
	char msg[480];

	if (opt->type != CFGT_STR || n == 0)
		return 0;
	v = cfg_opt_getnstr(opt, n - 1);
	if (!v)
		return fail(cfg, 0, "%s: missing value", opt->name);
	if (guard_policy_check_value(cfg_name(cfg), opt->name, v, msg, sizeof(msg)) < 0)
		return fail(cfg, 0, "%s", msg);
	return 0;
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
	r = guard_policy_copy_file(p, cfg, ctx->file, ctx->scan, ctx->base, ctx->err);
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
