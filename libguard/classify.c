/* From a command line to the actions it raises, and the argv Guard execs.
 * The tools' tables are in classify_shadow_user.c, classify_shadow_group.c,
 * classify_adduser.c and classify_batch.c; the parser in classify_options.c; what
 * parsed options raise in classify_apply.c; the value checks in
 * classify_values.c; look-ups and targets in classify_targets.c. The tools
 * call those files, never back into this one.
 *
 * Choices the tools' documentation leaves open:
 *  - An expiry date (usermod -e, chage -E) raises user.lock whatever the
 *    date (the classifier has no clock: a past date locks now, a future one
 *    later); "" and -1 remove the expiry: user.unlock.
 *  - An account that does not exist is still classified (exists = false):
 *    the tool then fails on its own. A look-up error refuses.
 *  - A tool that would act on its caller without an operand (passwd, chsh,
 *    chfn, chage) is refused: under guardctl it runs as root. Prompts that
 *    let root type unchecked fields (chsh without -s, chfn without a field)
 *    are refused too.
 *  - usermod -G without -a also removes the user from the groups not
 *    listed: group.member.remove for each (the own-name group is taken for
 *    the primary one). gpasswd -M and groupmod -U without -a replace the
 *    members: group.member.remove on the group, with no user.
 *  - A command that raises nothing (--help, a no-op) is refused. */
#include "classify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_internal.h"

#define SECRET_SHOWN "********"

static const struct cl_tool *const tools[] = {
    &cl_tool_useradd,  &cl_tool_usermod,  &cl_tool_userdel,  &cl_tool_groupadd, &cl_tool_groupmod,
    &cl_tool_groupdel, &cl_tool_gpasswd,  &cl_tool_passwd,   &cl_tool_chage,	&cl_tool_chsh,
    &cl_tool_chfn,     &cl_tool_adduser,  &cl_tool_addgroup, &cl_tool_deluser,	&cl_tool_delgroup,
    &cl_tool_chpasswd, &cl_tool_newusers,
};

static const struct cl_tool *find_tool(const char *name)
{
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(tools[i]->name, name) == 0)
			return tools[i];
	return NULL;
}

const char *guard_builtin_path(const char *name)
{
	const struct cl_tool *t = name ? find_tool(name) : NULL;

	return t ? t->path : NULL;
}

bool guard_classify_reads_batch(const char *name)
{
	const struct cl_tool *t = name ? find_tool(name) : NULL;

	return t && t->reads_batch;
}

/* The shadow tools scan all of argv for "-R DIR", "--root[=DIR]", "-P",
 * "--prefix[=DIR]" (gpasswd: "-Q") before getopt runs (process_root_flag,
 * process_prefix_flag): a value that looks like one would chroot the tool
 * even after "--". */
static bool looks_like_root_flag(const char *s)
{
	return strcmp(s, "-R") == 0 || strcmp(s, "-P") == 0 || strcmp(s, "-Q") == 0 ||
	       strncmp(s, "--root", 6) == 0 || strncmp(s, "--prefix", 8) == 0;
}

static int check_values(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	for (size_t i = 0; i < p->n_opts; i++) {
		const struct cl_parsed_opt *o = &p->opts[i];
		int r;

		if (!o->value)
			continue;
		if (ctx->tool->syntax == CL_GETOPT && looks_like_root_flag(o->value))
			return cl_refuse(ctx,
					 "'%s': a value may not look like the root or prefix "
					 "option",
					 QUOTED(o->value));
		r = cl_check_value(ctx, o->opt, o->value);
		if (r < 0)
			return r;
	}
	return 0;
}

static void homes_free(struct guard_home *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++) {
		free(h[i].path);
		free(h[i].user);
	}
	free(h);
}

/* exec_argv holds password hashes (-p): wiped before they are freed. */
static void strv_free_null(char **v)
{
	if (!v)
		return;
	for (char **s = v; *s; s++) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
	}
	free(v);
}

/* name, the options (each value its own token), "--", the operands. */
static int build_exec_argv(const struct cl_tool *tool, const struct cl_parsed *p, char ***ret,
			   int *ret_argc)
{
	size_t max = 3 + 2 * p->n_opts + p->n_operands, n = 0;
	char **v = calloc(max, sizeof(char *));

	if (!v)
		return -ENOMEM;
	if (!(v[n++] = strdup(tool->name)))
		goto oom;
	for (size_t i = 0; i < p->n_opts; i++) {
		const struct cl_opt *opt = p->opts[i].opt;
		char buf[64];

		if (opt->short_name && tool->syntax == CL_GETOPT)
			snprintf(buf, sizeof(buf), "-%c", opt->short_name);
		else
			snprintf(buf, sizeof(buf), "--%s", opt->long_name);
		if (!(v[n++] = strdup(buf)))
			goto oom;
		if (p->opts[i].value && !(v[n++] = strdup(p->opts[i].value)))
			goto oom;
	}
	if (!(v[n++] = strdup("--")))
		goto oom;
	for (size_t i = 0; i < p->n_operands; i++)
		if (!(v[n++] = strdup(p->operands[i])))
			goto oom;
	*ret = v;
	*ret_argc = (int)n;
	return 0;
oom:
	strv_free_null(v);
	return -ENOMEM;
}

/* argv with each secret value, attached or not, replaced by ********. */
static int build_shown_argv(const struct cl_parsed *p, int argc, char *const argv[], char ***ret)
{
	char **v = calloc((size_t)argc + 1, sizeof(char *));

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < argc; i++) {
		size_t off = SIZE_MAX;

		for (size_t k = 0; p && k < p->n_opts; k++)
			if (p->opts[k].opt->arg == CL_SECRET && p->opts[k].value_argi == i)
				off = p->opts[k].value_off;
		if (off == SIZE_MAX) {
			v[i] = strdup(argv[i]);
		} else if ((v[i] = malloc(off + sizeof(SECRET_SHOWN)))) {
			memcpy(v[i], argv[i], off);
			memcpy(v[i] + off, SECRET_SHOWN, sizeof(SECRET_SHOWN));
		}
		if (!v[i]) {
			strv_free_null(v);
			return -ENOMEM;
		}
	}
	*ret = v;
	return 0;
}

static int check_argv(struct cl_ctx *ctx, int argc, char *const argv[])
{
	if (argc < 1 || !argv || !argv[0])
		return cl_refuse(ctx, "no command");
	if (argc > CL_MAX_ARGC)
		return cl_refuse(ctx, "%d arguments: at most %d", argc, CL_MAX_ARGC);
	if (!argv[0][0] || strlen(argv[0]) > 64 ||
	    strspn(argv[0], "abcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(argv[0]))
		return cl_refuse(ctx, "'%s': a command name is [a-z0-9._-], without a path",
				 QUOTED(argv[0]));
	for (int i = 1; i < argc; i++) {
		if (!argv[i])
			return cl_refuse(ctx, "argument %d is missing", i);
		if (strnlen(argv[i], CL_MAX_ARG_BYTES + 1) > CL_MAX_ARG_BYTES)
			return cl_refuse(ctx, "argument %d is longer than %u bytes", i,
					 CL_MAX_ARG_BYTES);
	}
	return 0;
}

/* A policy command with actions: each action once, no target; argv as is. */
static int classify_generic(struct cl_ctx *ctx, const struct guard_command *cmd)
{
	for (unsigned a = 0; a < GUARD_ACTION_COUNT; a++)
		if (cmd->actions & (1u << a)) {
			int r = cl_add(ctx, (enum guard_action)a, NULL, NULL, NULL);
			if (r < 0)
				return r;
		}
	return 0;
}

static int copy_argv(int argc, char *const argv[], char ***ret)
{
	char **v = calloc((size_t)argc + 1, sizeof(char *));

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < argc; i++)
		if (!(v[i] = strdup(argv[i]))) {
			strv_free_null(v);
			return -ENOMEM;
		}
	*ret = v;
	return 0;
}

int guard_classify(const struct guard_policy *policy, const struct guard_resolver *resolver,
		   int argc, char *const argv[], const uint8_t *batch, size_t batch_len,
		   struct guard_classification *ret, struct guard_error *err)
{
	struct cl_ctx ctx = {.policy = policy, .resolver = resolver, .err = err};
	struct guard_classification c = {0};
	struct cl_parsed p = {0};
	const struct guard_command *cmd;
	int r;

	r = check_argv(&ctx, argc, argv);
	if (r < 0)
		return r;
	cmd = guard_policy_command(policy, argv[0]);
	ctx.tool = find_tool(argv[0]);
	if (cmd && cmd->actions) {
		ctx.tool = NULL;
		r = classify_generic(&ctx, cmd);
		if (r == 0 && (copy_argv(argc, argv, &c.exec_argv) < 0 ||
			       copy_argv(argc, argv, &c.shown_argv) < 0))
			r = cl_oom(&ctx);
		c.exec_argc = c.shown_argc = argc;
		goto done;
	}
	if (!ctx.tool) {
		guard_error_set(err, NULL, 0, "'%s' is not a command Guard knows", QUOTED(argv[0]));
		return -ENOENT;
	}
	ctx.batch = batch;
	ctx.batch_len = batch_len;
	r = cl_parse(ctx.tool, argc, argv, &p, err);
	if (r == 0)
		r = check_values(&ctx, &p);
	if (r == 0)
		r = ctx.tool->classify(&ctx, &p);
	if (r == 0 && ctx.n_targets == 0)
		r = cl_refuse(&ctx, "%s: the command changes nothing Guard can name",
			      ctx.tool->name);
	if (r == 0 && build_exec_argv(ctx.tool, &p, &c.exec_argv, &c.exec_argc) < 0)
		r = cl_oom(&ctx);
	if (r == 0 && build_shown_argv(&p, argc, argv, &c.shown_argv) < 0)
		r = cl_oom(&ctx);
	c.shown_argc = argc;
done:
	if (r < 0) {
		for (size_t i = 0; i < ctx.n_targets; i++)
			guard_target_clear(&ctx.targets[i]);
		free(ctx.targets);
		homes_free(ctx.homes, ctx.n_homes);
		strv_free_null(c.exec_argv);
		strv_free_null(c.shown_argv);
		cl_parsed_clear(&p);
		return r;
	}
	cl_parsed_clear(&p);
	c.command = cmd;
	c.path = cmd ? cmd->path : ctx.tool->path;
	c.targets = ctx.targets;
	c.n_targets = ctx.n_targets;
	c.homes = ctx.homes;
	c.n_homes = ctx.n_homes;
	*ret = c;
	return 0;
}

void guard_classification_clear(struct guard_classification *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_targets; i++)
		guard_target_clear(&c->targets[i]);
	free(c->targets);
	homes_free(c->homes, c->n_homes);
	strv_free_null(c->exec_argv);
	strv_free_null(c->shown_argv);
	*c = (struct guard_classification){0};
}
