/* chpasswd and newusers: their options, and the batch they read on stdin,
 * which Guard reads first (bounded) and hands in as bytes. Every line is
 * classified; one bad line refuses the batch. Password fields are secrets:
 * never copied into a target or a message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_internal.h"
#include "names.h"
#include "numparse.h"

/* shadow reads a line into BUFSIZ (8192) bytes with fgets: the rest of a
 * longer line would be read as a line of its own. Guard refuses lines long
 * before that. */
#define CL_MAX_LINE_BYTES 4096u

/* "c:ehmR:s:" */
static const struct cl_opt chpasswd_opts[] = {
    CL_VAL('c', "crypt-method", CL_CRYPT, CL_NOACT),
    CL_FLAG('e', "encrypted", CL_NOACT),
    CL_HELP('h'),
    CL_FLAG('m', "md5", CL_NOACT),
    CL_ROOT('R'),
    CL_VAL('s', "sha-rounds", CL_NUMBER, CL_NOACT),
};

/* "bhrR:" (Debian builds it with PAM: no -c, no -s) */
static const struct cl_opt newusers_opts[] = {
    CL_REFUSE('b', "badname", CL_NONE, CL_WHY_BADNAME),
    CL_HELP('h'),
    CL_PROTECT('r', "system", "system account (-r)"),
    CL_ROOT('R'),
};

/* Calls fn for each line (without its newline; the last may lack one),
 * after checking the batch's bounds. */
static int each_line(struct cl_ctx *ctx, const struct cl_parsed *p,
		     int (*fn)(struct cl_ctx *ctx, const struct cl_parsed *p, char *line,
			       unsigned n))
{
	const char *b = (const char *)ctx->batch, *end;
	unsigned n = 0;

	if (p->n_operands > 0)
		return cl_refuse(ctx, "%s takes no names: it reads them on stdin", ctx->tool->name);
	if (!b || ctx->batch_len == 0)
		return cl_refuse(ctx, "%s: empty batch", ctx->tool->name);
	if (ctx->batch_len > CL_MAX_BATCH_BYTES)
		return cl_refuse(ctx, "%s: batch larger than %u bytes", ctx->tool->name,
				 CL_MAX_BATCH_BYTES);
	if (memchr(b, '\0', ctx->batch_len))
		return cl_refuse(ctx, "%s: batch contains a NUL byte", ctx->tool->name);
	end = b + ctx->batch_len;
	while (b < end) {
		const char *nl = memchr(b, '\n', (size_t)(end - b));
		size_t len = nl ? (size_t)(nl - b) : (size_t)(end - b);
		char *line;
		int r;

		if (++n > CL_MAX_BATCH_LINES)
			return cl_refuse(ctx, "%s: more than %u lines", ctx->tool->name,
					 CL_MAX_BATCH_LINES);
		/* cppcheck-suppress knownConditionTrueFalse ; a newline at b leaves len 0 */
		if (len == 0)
			return cl_refuse(ctx, "%s: line %u is empty", ctx->tool->name, n);
		if (len > CL_MAX_LINE_BYTES)
			return cl_refuse(ctx, "%s: line %u is longer than %u bytes",
					 ctx->tool->name, n, CL_MAX_LINE_BYTES);
		if (memchr(b, '\r', len))
			return cl_refuse(ctx, "%s: line %u contains a carriage return",
					 ctx->tool->name, n);
		line = strndup(b, len);
		if (!line)
			return cl_oom(ctx);
		r = fn(ctx, p, line, n);
		/* The line holds a password. */
		explicit_bzero(line, len);
		free(line);
		if (r < 0)
			return r;
		b += len + 1;
	}
	return 0;
}

/* "user:password": user.password for user. */
static int chpasswd_line(struct cl_ctx *ctx, const struct cl_parsed *p, char *line, unsigned n)
{
	struct guard_identity user = {0};
	char *colon = strchr(line, ':');
	char what[32];
	int r;

	if (!colon)
		return cl_refuse(ctx, "chpasswd: line %u: no ':' between name and password", n);
	*colon = '\0';
	snprintf(what, sizeof(what), "line %u", n);
	r = cl_check_name(ctx, what, line);
	if (r == 0)
		r = cl_resolve_user(ctx, line, &user);
	if (r == 0)
		r = cl_add(ctx, GUARD_USER_PASSWORD, &user, NULL, NULL);
	/* An empty password is one either way; a '!' or '*' is a lock only
	 * as a hash (-e): otherwise it is the first character of a password. */
	if (r == 0 && (!colon[1] || cl_has(p, 'e')))
		r = cl_password_value(ctx, &user, colon + 1, what);
	guard_identity_clear(&user);
	return r;
}

static int chpasswd(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	return each_line(ctx, p, chpasswd_line);
}

/* A uid that is already owner's, given to another name (newusers takes it
 * without -o): a second name for that account, which logs in as it (its
 * groups, its Guard roles, its home). */
static int duplicate_uid(struct cl_ctx *ctx, const struct guard_identity *user, const char *owner)
{
	char grant[96];

	snprintf(grant, sizeof(grant), "duplicate uid (of %s)", owner);
	return cl_add(ctx, GUARD_ROLE_ESCALATE, user, NULL, grant);
}

/* A uid by number: whose it is now, if anyone's but the account's own. */
static int other_uid(struct cl_ctx *ctx, const struct guard_identity *user, uint32_t uid,
		     const char *field)
{
	char *owner = NULL;
	int r;

	if (!ctx->resolver->name_of_uid)
		return cl_refuse(ctx, "uid %s: cannot tell whose it is", QUOTED(field));
	r = ctx->resolver->name_of_uid(ctx->resolver->ctx, uid, &owner);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		guard_error_set(ctx->err, NULL, 0, "cannot look up uid %u", uid);
		return r;
	}
	if (!user->name || strcmp(owner, user->name) != 0)
		r = duplicate_uid(ctx, user, owner);
	free(owner);
	return r;
}

/* newusers' uid field: "", a uid, or the name of a user whose uid the new
 * account then shares. */
static int newusers_uid(struct cl_ctx *ctx, struct guard_identity *user, const char *field,
			const char *what, bool *protect)
{
	struct guard_identity other = {0};
	uint32_t uid;
	int r;

	if (!*field) /* newusers chooses: perhaps a uid granted by number */
		return user->exists ? 0 : cl_add_tool_id_grant(ctx, user, NULL, false);
	if (field[0] >= '0' && field[0] <= '9') {
		if (guard_parse_id(field, &uid) < 0)
			return cl_refuse(ctx, "%s: '%s' is not a valid uid", what, QUOTED(field));
		if (!user->exists) {
			user->uid_known = true;
			user->uid = uid;
		}
		r = other_uid(ctx, user, uid, field);
		return r < 0 ? r : cl_add_uid_grant(ctx, user, uid, protect);
	}
	if (!guard_name_is_valid(field))
		return cl_refuse(ctx, "%s: '%s' is neither a uid nor a user name", what,
				 QUOTED(field));
	r = cl_resolve_user(ctx, field, &other);
	if (r == 0)
		r = duplicate_uid(ctx, user, field);
	if (r == 0 && other.uid_known)
		r = cl_add_uid_grant(ctx, user, other.uid, protect);
	guard_identity_clear(&other);
	return r;
}

/* newusers' gid field (or the name when it is empty): a group that exists
 * is joined; otherwise newusers makes one, named by the field, or by the
 * user when the field is a gid, with that gid (add_group in newusers.c). */
static int newusers_group(struct cl_ctx *ctx, const struct guard_identity *user, const char *field)
{
	struct cl_group g = {0};
	int r = cl_resolve_group(ctx, field, &g);
	bool exists = r == 0 && g.name && g.gid_known;

	cl_group_clear(&g);
	if (r < 0)
		return r;
	if (exists)
		return cl_add_memberships(ctx, user, field, true);
	if (field[0] >= '0' && field[0] <= '9') {
		uint32_t gid;

		if (guard_parse_id(field, &gid) < 0)
			return cl_refuse(ctx, "'%s' is not a valid gid", QUOTED(field));
		/* newusers names the new group after the user without looking
		 * for one of that name: it would rewrite that group (tty,
		 * whatever sshd or polkit trust by name) under the new gid. */
		r = cl_group_named(ctx, user->name);
		if (r > 0)
			return cl_refuse(ctx,
					 "%s: a group named '%s' exists, and gid %s would make "
					 "newusers rewrite it: to put the account in it, give its "
					 "name in the gid field",
					 ctx->tool->name, QUOTED(user->name), QUOTED(field));
		return r < 0 ? r : cl_add_new_group(ctx, user, user->name, true, gid, false);
	}
	return cl_add_new_group(ctx, user, field, false, 0, false);
}

/* name:password:uid:gid:gecos:dir:shell. A new name is created, an
 * existing one modified; the password is set either way. An empty gid
 * field means the group named like the user. */
static int newusers_line(struct cl_ctx *ctx, const struct cl_parsed *p, char *line, unsigned n)
{
	struct guard_identity user = {0};
	char *f[7], what[48];
	bool protect = false;
	size_t k = 0;
	int r;

	for (char *c = line; k < 7; k++) {
		f[k] = c;
		c = strchr(c, ':');
		if (!c)
			break;
		*c++ = '\0';
		if (k == 6)
			return cl_refuse(ctx, "newusers: line %u: more than 7 fields", n);
	}
	if (k != 6)
		return cl_refuse(ctx,
				 "newusers: line %u: not 7 fields "
				 "(name:password:uid:gid:gecos:dir:shell)",
				 n);
	snprintf(what, sizeof(what), "newusers: line %u", n);
	r = cl_check_name(ctx, what, f[0]);
	if (r == 0)
		r = cl_check_gecos(ctx, what, f[4], false);
	if (r == 0 && *f[5])
		r = cl_check_home(ctx, what, f[5], false);
	if (r == 0 && *f[6])
		r = cl_check_shell(ctx, what, f[6]);
	if (r == 0)
		r = cl_resolve_user(ctx, f[0], &user);
	if (r == 0)
		r = cl_add(ctx, user.exists ? GUARD_USER_MODIFY : GUARD_USER_CREATE, &user, NULL,
			   NULL);
	if (r == 0 && !user.exists)
		r = cl_add_name_grant(ctx, &user, user.name);
	if (r == 0)
		r = cl_add(ctx, GUARD_USER_PASSWORD, &user, NULL, NULL);
	if (r == 0)
		r = newusers_uid(ctx, &user, f[2], what, &protect);
	if (r == 0)
		r = newusers_group(ctx, &user, *f[3] ? f[3] : f[0]);
	if (r == 0 && *f[5])
		r = cl_add_home(ctx, GUARD_HOME_CREATE, f[5], f[0]);
	if (r == 0 && !user.exists && cl_has(p, 'r')) {
		r = cl_add(ctx, GUARD_ROLE_ESCALATE, &user, NULL, "system account (-r)");
		protect = true;
	}
	if (r == 0 && protect)
		cl_mark_protected(ctx, user.name);
	guard_identity_clear(&user);
	return r;
}

static int newusers(struct cl_ctx *ctx, const struct cl_parsed *p)
{
	return each_line(ctx, p, newusers_line);
}

CL_TOOL(chpasswd, "/usr/sbin", CL_GETOPT, chpasswd_opts, chpasswd, true);
CL_TOOL(newusers, "/usr/sbin", CL_GETOPT, newusers_opts, newusers, true);
