/* The classifier's value checks (names, ids, GECOS, homes, shells, dates)
 * and its refusals. Every value comes from the caller: it is checked before
 * anything looks at it, and quoted escaped in messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_internal.h"
#include "names.h"
#include "numparse.h"

#define CL_MAX_GECOS 1024u
#define CL_MAX_PATH  4096u

int cl_refuse(struct cl_ctx *ctx, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	guard_error_set(ctx->err, NULL, 0, "%s", buf);
	return -EINVAL;
}

int cl_oom(struct cl_ctx *ctx)
{
	guard_error_set(ctx->err, NULL, 0, "out of memory");
	return -ENOMEM;
}

const char *cl_opt_label(const struct cl_opt *opt, char *buf, size_t size)
{
	if (opt->short_name && opt->long_name)
		snprintf(buf, size, "-%c/--%s", opt->short_name, opt->long_name);
	else if (opt->short_name)
		snprintf(buf, size, "-%c", opt->short_name);
	else
		snprintf(buf, size, "--%s", opt->long_name);
	return buf;
}

int cl_check_name(struct cl_ctx *ctx, const char *what, const char *name)
{
	if (guard_name_is_valid(name))
		return 0;
	if (!*name)
		return cl_refuse(ctx, "%s: an empty name", what);
	return cl_refuse(ctx, "%s: '%s' is not a valid name ([a-z_][a-z0-9_-]*, at most 32 bytes)",
			 what, QUOTED(name));
}

/* Length of the UTF-8 sequence at s (1-4), or 0 when it is not valid UTF-8:
 * overlong forms, surrogates and code points above U+10FFFF included. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* Text that lands in a passwd field: no field or line separator (":",
 * "\n", "\r"), no control character (C0, DEL, or C1 as UTF-8: "\xc2\x85"
 * is NEL), valid UTF-8 only (CVE-2011-0721, CVE-2023-29383). */
static const char *field_problem(const char *s, const char *also_refused)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; u[i];) {
		size_t n = utf8_len(u + i);

		if (n == 0)
			return "invalid UTF-8";
		if (n == 1 && (u[i] < 0x20 || u[i] == 0x7f))
			return "a control character";
		if (n == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)
			return "a control character";
		if (n == 1 && strchr(also_refused, u[i]))
			return also_refused;
		i += n;
	}
	return NULL;
}

int cl_check_gecos(struct cl_ctx *ctx, const char *what, const char *s, bool part)
{
	const char *refused = part ? ":,=" : ":";
	const char *problem = field_problem(s, refused);

	if (strlen(s) > CL_MAX_GECOS)
		return cl_refuse(ctx, "%s: longer than %u bytes", what, CL_MAX_GECOS);
	if (problem == refused)
		return cl_refuse(ctx, "%s: '%s' contains one of \"%s\", which would split fields",
				 what, QUOTED(s), refused);
	if (problem)
		return cl_refuse(ctx, "%s: '%s' contains %s", what, QUOTED(s), problem);
	return 0;
}

/* Splits a clean absolute path into its components' count, refusing "."
 * and "..": a home is compared by components, never by prefix. */
static int path_components(const char *path, const char **comp, size_t max, size_t *ret_n)
{
	size_t n = 0;

	if (path[0] != '/')
		return -EINVAL;
	for (const char *c = path; *c;) {
		size_t len;

		while (*c == '/')
			c++;
		if (!*c)
			break;
		len = strcspn(c, "/");
		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
		if (n == max)
			return -E2BIG;
		comp[n++] = c;
		c += len;
	}
	*ret_n = n;
	return 0;
}

static bool comp_eq(const char *a, const char *b)
{
	size_t la = strcspn(a, "/"), lb = strcspn(b, "/");

	return la == lb && memcmp(a, b, la) == 0;
}

static bool under_root(const char *root, const char **comp, size_t n, bool base)
{
	const char *rc[64];
	size_t rn;

	if (path_components(root, rc, 64, &rn) < 0)
		return false;
	if (n < rn || (!base && n == rn))
		return false;
	for (size_t i = 0; i < rn; i++)
		if (!comp_eq(rc[i], comp[i]))
			return false;
	return true;
}

int cl_check_home(struct cl_ctx *ctx, const char *what, const char *path, bool base)
{
	static const char *const default_roots[] = {"/home"};
	const struct guard_settings *st = &ctx->policy->settings;
	const char *const *roots =
	    st->n_home_roots ? (const char *const *)st->home_roots : default_roots;
	size_t n_roots = st->n_home_roots ? st->n_home_roots : 1;
	const char *comp[512], *problem;
	size_t n;

	if (strlen(path) > CL_MAX_PATH)
		return cl_refuse(ctx, "%s: longer than %u bytes", what, CL_MAX_PATH);
	problem = field_problem(path, ":");
	if (problem)
		return cl_refuse(ctx, "%s: '%s' contains %s", what, QUOTED(path),
				 problem[0] == ':' ? "\":\"" : problem);
	if (path_components(path, comp, 512, &n) < 0)
		return cl_refuse(ctx, "%s: '%s' is not a clean absolute path (no \".\" or \"..\")",
				 what, QUOTED(path));
	for (size_t i = 0; i < n_roots; i++)
		if (under_root(roots[i], comp, n, base))
			return 0;
	return cl_refuse(ctx, "%s: '%s' is outside the policy's home_roots (%s%s)", what,
			 QUOTED(path), roots[0], n_roots > 1 ? ", ..." : "");
}

int cl_check_shell(struct cl_ctx *ctx, const char *what, const char *shell)
{
	const char *problem = field_problem(shell, ":");
	int r;

	if (problem || shell[0] != '/' || strlen(shell) > CL_MAX_PATH)
		return cl_refuse(ctx, "%s: '%s' is not a shell path", what, QUOTED(shell));
	if (!ctx->resolver->shell_allowed)
		return cl_refuse(ctx, "%s: '%s': no list of shells to check it against", what,
				 QUOTED(shell));
	r = ctx->resolver->shell_allowed(ctx->resolver->ctx, shell);
	if (r == -ENOENT)
		return cl_refuse(ctx, "%s: '%s' is not listed in /etc/shells", what, QUOTED(shell));
	if (r < 0) {
		guard_error_set(ctx->err, NULL, 0, "%s: cannot check '%s' against /etc/shells",
				what, QUOTED(shell));
		return r;
	}
	return 0;
}

/* "", "-1", a day count, or YYYY-MM-DD: the forms the shadow tools document.
 * Their parser (get_date) also takes "tomorrow", "next friday" and more:
 * refused rather than guessed. */
static bool date_ok(const char *s)
{
	uint64_t v;
	int y, m, d;
	char tail;

	if (!*s || strcmp(s, "-1") == 0 || guard_parse_uint(s, 99999999, &v) == 0)
		return true;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	/* All ten bytes are checked above: no conversion can fail or overflow.
	 * NOLINTNEXTLINE(cert-err34-c) */
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	return y >= 1970 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* An item of a list of names, or of names and gids; data is the option's
 * label, for the message. */
static int check_user_item(struct cl_ctx *ctx, const char *item, const void *what)
{
	return cl_check_name(ctx, what, item);
}

static int check_group_item(struct cl_ctx *ctx, const char *item, const void *what)
{
	uint32_t id;

	return guard_parse_id(item, &id) == 0 ? 0 : cl_check_name(ctx, what, item);
}

static int check_list(struct cl_ctx *ctx, const char *what, const char *list, bool groups)
{
	return cl_each_item(ctx, what, list, groups ? check_group_item : check_user_item, what);
}

int cl_check_value(struct cl_ctx *ctx, const struct cl_opt *opt, const char *v)
{
	char what[64];
	uint64_t n;
	uint32_t id, lo, hi;

	cl_opt_label(opt, what, sizeof(what));
	/* Only an expiry date may be empty ("" removes it). */
	if (!*v && opt->arg != CL_DATE)
		return cl_refuse(ctx, "%s: an empty value", what);
	switch (opt->arg) {
	case CL_NONE:
		return 0;
	case CL_USER:
	case CL_NEWNAME:
		return cl_check_name(ctx, what, v);
	case CL_USERS:
		return check_list(ctx, what, v, false);
	case CL_GROUPS:
		return check_list(ctx, what, v, true);
	case CL_GROUP:
		if (v[0] >= '0' && v[0] <= '9') {
			if (guard_parse_id(v, &id) < 0)
				return cl_refuse(ctx, "%s: '%s' is not a valid gid", what,
						 QUOTED(v));
			return 0;
		}
		return cl_check_name(ctx, what, v);
	case CL_UID:
	case CL_GID:
		if (guard_parse_id(v, &id) < 0)
			return cl_refuse(ctx, "%s: '%s' is not a valid %s (a decimal below %u)",
					 what, QUOTED(v), opt->arg == CL_UID ? "uid" : "gid",
					 GUARD_ID_MAX + 1);
		return 0;
	case CL_GECOS:
		return cl_check_gecos(ctx, what, v, false);
	case CL_GECOS_PART:
		return cl_check_gecos(ctx, what, v, true);
	case CL_HOME:
		return cl_check_home(ctx, what, v, false);
	case CL_BASEDIR:
		return cl_check_home(ctx, what, v, true);
	case CL_SHELL:
		return cl_check_shell(ctx, what, v);
	case CL_DATE:
		if (!date_ok(v))
			return cl_refuse(ctx,
					 "%s: '%s' is not a date (YYYY-MM-DD, days, -1 or \"\")",
					 what, QUOTED(v));
		return 0;
	case CL_DAYS:
		if (strcmp(v, "-1") != 0 && guard_parse_uint(v, 99999999, &n) < 0)
			return cl_refuse(ctx, "%s: '%s' is not a day count (-1 or a decimal)", what,
					 QUOTED(v));
		return 0;
	case CL_NUMBER:
		if (guard_parse_uint(v, 999999999, &n) < 0)
			return cl_refuse(ctx, "%s: '%s' is not a decimal number", what, QUOTED(v));
		return 0;
	case CL_SECRET:
		/* The secret itself never reaches a message. */
		if (field_problem(v, ":"))
			return cl_refuse(ctx,
					 "%s: the password field contains \":\", a control "
					 "character or invalid UTF-8",
					 what);
		return 0;
	case CL_SUBIDS:
		if (guard_parse_id_range(v, &lo, &hi) < 0 || !strchr(v, '-'))
			return cl_refuse(ctx, "%s: '%s' is not a range FIRST-LAST", what,
					 QUOTED(v));
		return 0;
	case CL_SEUSER:
		if (strlen(v) > 64 ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") != strlen(v))
			return cl_refuse(ctx, "%s: '%s' is not an SELinux user", what, QUOTED(v));
		return 0;
	case CL_CRYPT: {
		static const char *const methods[] = {"NONE",	"DES",	  "MD5",
						      "SHA256", "SHA512", "YESCRYPT"};
		for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
			if (strcmp(v, methods[i]) == 0)
				return 0;
		return cl_refuse(ctx, "%s: '%s' is not a crypt method", what, QUOTED(v));
	}
	case CL_WORD:
		if (strlen(v) > 16 ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789.") != strlen(v))
			return cl_refuse(ctx, "%s: '%s' is not a plain word", what, QUOTED(v));
		return 0;
	}
	return cl_refuse(ctx, "%s: cannot check its value", what); /* fail safe */
}

static void strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Splits a comma list into its items (NUL-terminated copies): an empty
 * item refuses the list. */
static int split_list(struct cl_ctx *ctx, const char *what, const char *list, char ***ret,
		      size_t *ret_n)
{
	char **v = NULL;
	size_t n = 0;

	for (const char *c = list;;) {
		size_t len = strcspn(c, ",");
		char **nv;

		if (len == 0) {
			strv_free(v, n);
			return cl_refuse(ctx, "%s: '%s' has an empty item", what, QUOTED(list));
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv || !(nv[n] = strndup(c, len))) {
			strv_free(nv ? nv : v, n);
			return cl_oom(ctx);
		}
		v = nv;
		n++;
		if (!c[len])
			break;
		c += len + 1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int cl_each_item(struct cl_ctx *ctx, const char *what, const char *list,
		 int (*fn)(struct cl_ctx *ctx, const char *item, const void *data),
		 const void *data)
{
	char **items = NULL;
	size_t n = 0;
	int r = split_list(ctx, what, list, &items, &n);

	for (size_t i = 0; r == 0 && i < n; i++)
		r = fn(ctx, items[i], data);
	strv_free(items, n);
	return r;
}
