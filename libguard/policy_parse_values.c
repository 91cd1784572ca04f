/* What each value of a policy file may be, and the one message a wrong
 * value gets, saying what was expected. policy_parse.c asks for every
 * value as libconfuse reads it, while the line is known. Pure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "policy_parse_internal.h"

#define MAX_MESSAGE_BYTES 512

static int bad(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
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
int guard_policy_check_value(const char *section, const char *option, const char *v, char *msg,
			     size_t size)
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
		return bad(msg, size, "%s: control characters are not allowed in \"%s\"", option,
			   QUOTED_V);

	if (strcmp(option, "actors") == 0 || strcmp(option, "targets") == 0 ||
	    strcmp(option, "groups") == 0 || strcmp(option, "time") == 0 ||
	    strcmp(option, "from") == 0 || strcmp(option, "services") == 0 ||
	    strcmp(option, "approvers") == 0 || strcmp(option, "admins") == 0 ||
	    strcmp(option, "break_glass") == 0 || strcmp(option, "protected_users") == 0) {
		if (guard_item_parse(option, v, &item, &e) < 0)
			return bad(msg, size, "%s", e.message);
		guard_item_clear(&item);
	} else if (strcmp(option, "actions") == 0 ||
		   (strcmp(option, "action") == 0 && strcmp(section, "service") == 0)) {
		if (guard_action_parse(v, &action) < 0)
			return bad(msg, size,
				   "%s: unknown action \"%s\" (known: user.create, user.delete, "
				   "user.modify, user.password, user.lock, user.unlock, "
				   "group.create, group.delete, group.modify, group.member.add, "
				   "group.member.remove, role.escalate, session.login)",
				   option, QUOTED_V);
	} else if (strcmp(option, "decision") == 0 || strcmp(option, "default") == 0 ||
		   strcmp(option, "decisions") == 0) {
		if (guard_decision_parse(v, &decision) < 0)
			return bad(msg, size, "%s: \"%s\" is not allow, approve or deny", option,
				   QUOTED_V);
	} else if (strcmp(option, "limit") == 0 || strcmp(option, "threshold") == 0) {
		if (guard_parse_limit(v, &limit) < 0)
			return bad(msg, size,
				   "%s: \"%s\" is not a limit: use COUNT/PERIOD, e.g. \"10/1h\" "
				   "(a period is required)",
				   option, QUOTED_V);
	} else if (strcmp(option, "lockout") == 0 || strcmp(option, "approval_ttl") == 0) {
		if (guard_parse_duration(v, &seconds) < 0)
			return bad(msg, size,
				   "%s: \"%s\" is not a duration: use a number and one unit "
				   "of s, m, h, d, e.g. \"30m\", \"2h\", \"1d\" (at most 366d)",
				   option, QUOTED_V);
	} else if (strcmp(option, "retention") == 0) {
		if (guard_parse_retention(v, &seconds) < 0)
			return bad(msg, size,
				   "retention: \"%s\" is not a duration: use a number and one unit "
				   "of s, m, h, d, e.g. \"400d\" (at most 3660d)",
				   QUOTED_V);
	} else if (strcmp(option, "approvals") == 0) {
		if (guard_parse_uint(v, PARSE_MAX_APPROVALS, &n) < 0 || n == 0)
			return bad(msg, size, "approvals: \"%s\" is not a number from 1 to %d",
				   QUOTED_V, PARSE_MAX_APPROVALS);
	} else if (strcmp(option, "message") == 0) {
		if (strlen(v) > MAX_MESSAGE_BYTES)
			return bad(msg, size, "message is longer than %d bytes", MAX_MESSAGE_BYTES);
	} else if (strcmp(option, "mode") == 0) {
		if (strcmp(v, "enforce") != 0 && strcmp(v, "monitor") != 0)
			return bad(msg, size, "mode: \"%s\" is not enforce or monitor", QUOTED_V);
	} else if (strcmp(option, "audit") == 0) {
		if (strcmp(v, "required") != 0 && strcmp(v, "best-effort") != 0 &&
		    strcmp(v, "off") != 0)
			return bad(msg, size, "audit: \"%s\" is not required, best-effort or off",
				   QUOTED_V);
	} else if (strcmp(option, "timezone") == 0) {
		if (strcmp(v, "system") != 0 && !timezone_is_valid(v))
			return bad(msg, size,
				   "timezone: \"%s\" is not \"system\" or a zone name like "
				   "\"Europe/Berlin\"",
				   QUOTED_V);
	} else if (strcmp(option, "notify") == 0) {
		if (!path_is_clean_absolute(v) || strcmp(v, "/") == 0)
			return bad(msg, size, "notify: \"%s\" is not an absolute program path",
				   QUOTED_V);
	} else if (strcmp(option, "notify_user") == 0) {
		if (!guard_name_is_valid(v) || strcmp(v, "root") == 0)
			return bad(msg, size,
				   "notify_user: \"%s\" is not an account name other than root",
				   QUOTED_V);
	} else if (strcmp(option, "approver_keys") == 0 || strcmp(option, "revoked_keys") == 0) {
		if (!path_is_clean_absolute(v) || strcmp(v, "/") == 0)
			return bad(msg, size, "%s: \"%s\" is not a clean absolute file name",
				   option, QUOTED_V);
	} else if (strcmp(option, "home_roots") == 0) {
		if (!path_is_clean_absolute(v) || strcmp(v, "/") == 0)
			return bad(msg, size,
				   "home_roots: \"%s\" is not a clean absolute directory other "
				   "than /",
				   QUOTED_V);
	} else if (strcmp(option, "path") == 0) {
		if (!path_is_clean_absolute(v) || strcmp(v, "/") == 0)
			return bad(msg, size,
				   "path: \"%s\" is not an absolute path (no \".\", \"..\" or "
				   "\"//\")",
				   QUOTED_V);
	} else if (strcmp(option, "privileged_groups") == 0) {
		if (!guard_name_is_valid(v))
			return bad(msg, size, "privileged_groups: \"%s\" is not a valid group name",
				   QUOTED_V);
	}
	return 0;
#undef QUOTED_V
}
