/* The classifier's command-line parser: reads argv the way the tool will,
 * so that what is decided is what runs. Two syntaxes:
 *  - glibc getopt_long (the shadow tools): bundled short options ("-mG
 *    sudo"), attached values ("-Gsudo"), "--long=value" and "--long value",
 *    "--" and permutation (operands before options). getopt_long also takes
 *    unambiguous abbreviations ("--gro"); we refuse them rather than guess
 *    from a table that might not be the tool's.
 *  - Perl Getopt::Long as adduser/deluser use it (default configuration:
 *    permute, auto_abbrev, ignore_case, "-" or "--" or "+" before a long
 *    name). We take "--name", "--name=value", "--name value" and the
 *    one-letter aliases the script declares; abbreviations, other case,
 *    "-name" and "+name" are refused. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_internal.h"

/* Quoted user text is escaped: it may hold anything. */

static int refuse(struct guard_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int refuse(struct guard_error *err, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	guard_error_set(err, NULL, 0, "%s", buf);
	return -EINVAL;
}

static const struct cl_opt *find_short(const struct cl_tool *tool, char c)
{
	for (size_t i = 0; i < tool->n_opts; i++)
		if (tool->opts[i].short_name == c)
			return &tool->opts[i];
	return NULL;
}

/* Exact match on the long name; *ret_prefix set when name only abbreviates
 * one or more long options. */
static const struct cl_opt *find_long(const struct cl_tool *tool, const char *name, size_t len,
				      const struct cl_opt **ret_prefix)
{
	*ret_prefix = NULL;
	for (size_t i = 0; i < tool->n_opts; i++) {
		const char *l = tool->opts[i].long_name;
		if (!l || strncmp(l, name, len) != 0)
			continue;
		if (l[len] == '\0')
			return &tool->opts[i];
		if (!*ret_prefix)
			*ret_prefix = &tool->opts[i];
	}
	return NULL;
}

static int push_opt(struct cl_parsed *p, const struct cl_opt *opt, const char *value, int argi,
		    size_t off)
{
	struct cl_parsed_opt *n = realloc(p->opts, (p->n_opts + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	p->opts = n;
	p->opts[p->n_opts++] = (struct cl_parsed_opt){opt, value, argi, off};
	return 0;
}

static int push_operand(struct cl_parsed *p, const char *arg)
{
	const char **n = realloc(p->operands, (p->n_operands + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	p->operands = n;
	p->operands[p->n_operands++] = arg;
	return 0;
}

static int refuse_opt(const struct cl_tool *tool, const struct cl_opt *opt, struct guard_error *err)
{
	char label[64];

	return refuse(err, "%s %s: %s", tool->name, cl_opt_label(opt, label, sizeof(label)),
		      opt->refuse);
}

/* "--name", "--name=value", "--name value". */
static int parse_long(const struct cl_tool *tool, int argc, char *const argv[], int *i,
		      struct cl_parsed *p, struct guard_error *err)
{
	const char *arg = argv[*i], *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cl_opt *prefix, *opt = find_long(tool, name, len, &prefix);
	char label[64];
	int argi = *i;

	if (!opt && prefix)
		return refuse(err, "'%s': abbreviated option: write --%s in full", QUOTED(arg),
			      prefix->long_name);
	if (!opt)
		return refuse(err, "'%s': unknown option of %s", QUOTED(arg), tool->name);
	if (opt->refuse)
		return refuse_opt(tool, opt, err);
	if (opt->arg == CL_NONE) {
		if (eq)
			return refuse(err, "'%s': %s takes no value", QUOTED(arg),
				      cl_opt_label(opt, label, sizeof(label)));
		return push_opt(p, opt, NULL, argi, 0);
	}
	if (eq)
		return push_opt(p, opt, eq + 1, argi, (size_t)(eq + 1 - arg));
	if (*i + 1 >= argc)
		return refuse(err, "'%s': a value is missing", QUOTED(arg));
	(*i)++;
	return push_opt(p, opt, argv[*i], *i, 0);
}

/* "-abc", "-Gsudo", "-G sudo", "-mG sudo". */
static int parse_short(const struct cl_tool *tool, int argc, char *const argv[], int *i,
		       struct cl_parsed *p, struct guard_error *err)
{
	const char *arg = argv[*i];
	int argi = *i;

	for (size_t k = 1; arg[k]; k++) {
		const struct cl_opt *opt = find_short(tool, arg[k]);
		char one[3] = {'-', arg[k], '\0'};
		int r;

		if (!opt)
			return refuse(err, "'%s': unknown option %s of %s", QUOTED(arg),
				      QUOTED(one), tool->name);
		if (opt->refuse)
			return refuse_opt(tool, opt, err);
		if (opt->arg == CL_NONE) {
			r = push_opt(p, opt, NULL, argi, 0);
			if (r < 0)
				return r;
			continue;
		}
		if (arg[k + 1])
			return push_opt(p, opt, arg + k + 1, argi, k + 1);
		if (*i + 1 >= argc)
			return refuse(err, "'%s': a value is missing for %s", QUOTED(arg), one);
		(*i)++;
		return push_opt(p, opt, argv[*i], *i, 0);
	}
	return 0;
}

/* Getopt::Long as adduser configures it; only its one-letter aliases may be
 * written with one dash, and they take no bundling. */
static int parse_perl(const struct cl_tool *tool, int argc, char *const argv[], int *i,
		      struct cl_parsed *p, struct guard_error *err)
{
	const char *arg = argv[*i];

	if (arg[0] == '-' && arg[1] == '-')
		return parse_long(tool, argc, argv, i, p, err);
	if (arg[0] == '-' && arg[1] && !arg[2])
		return parse_short(tool, argc, argv, i, p, err);
	/* Getopt::Long reads "-system" and "+system" as --system. */
	return refuse(err, "'%s': write long options with two dashes (--name)", QUOTED(arg));
}

int cl_parse(const struct cl_tool *tool, int argc, char *const argv[], struct cl_parsed *ret,
	     struct guard_error *err)
{
	struct cl_parsed p = {0};
	bool operands_only = false;
	int r = 0;

	for (int i = 1; i < argc && r == 0; i++) {
		const char *arg = argv[i];

		if (operands_only || arg[0] == '\0' || (arg[0] != '-' && arg[0] != '+') ||
		    (arg[0] == '-' && arg[1] == '\0')) {
			r = push_operand(&p, arg);
		} else if (arg[0] == '+') {
			/* getopt_long takes "+x" as an operand; Getopt::Long as an
			 * option. Neither is a name, so refuse either way. */
			if (tool->syntax == CL_PERLOPT)
				r = refuse(err, "'%s': write long options with two dashes",
					   QUOTED(arg));
			else
				r = push_operand(&p, arg);
		} else if (strcmp(arg, "--") == 0) {
			operands_only = true;
		} else if (tool->syntax == CL_PERLOPT) {
			r = parse_perl(tool, argc, argv, &i, &p, err);
		} else if (arg[1] == '-') {
			r = parse_long(tool, argc, argv, &i, &p, err);
		} else {
			r = parse_short(tool, argc, argv, &i, &p, err);
		}
	}
	if (r < 0) {
		if (r == -ENOMEM)
			guard_error_set(err, NULL, 0, "out of memory");
		cl_parsed_clear(&p);
		return r;
	}
	*ret = p;
	return 0;
}

void cl_parsed_clear(struct cl_parsed *p)
{
	if (!p)
		return;
	free(p->opts);
	free(p->operands);
	*p = (struct cl_parsed){0};
}

bool cl_has(const struct cl_parsed *p, int key)
{
	return cl_last(p, key) != NULL;
}

const char *cl_last(const struct cl_parsed *p, int key)
{
	const char *v = NULL;

	for (size_t i = 0; i < p->n_opts; i++)
		if (p->opts[i].opt->key == key)
			v = p->opts[i].value ? p->opts[i].value : "";
	return v;
}

int cl_one_operand(struct cl_ctx *ctx, const struct cl_parsed *p, const char *what,
		   const char **ret)
{
	if (p->n_operands == 0)
		return cl_refuse(ctx, "%s: name the %s", ctx->tool->name, what);
	if (p->n_operands > 1)
		return cl_refuse(ctx, "%s: one %s only, got '%s' and '%s'", ctx->tool->name, what,
				 QUOTED(p->operands[0]), QUOTED(p->operands[1]));
	*ret = p->operands[0];
	return 0;
}
