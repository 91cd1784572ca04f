/* The audit record's text: fixed values as they are, every caller value
 * through audit_encode_nv_string, the command line last with what room the
 * kernel's bound leaves; and the alert types and the plain test that audit
 * alone needs. The journal's side is events_format_journal.c; the growing
 * buffer and the command line joined are shared (events_format.h). */
#include "events_format.h"

#include <errno.h>
#include <libaudit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "error.h"

int guard_alert_audit_type(bool rule_has_time, bool rule_has_from, enum guard_action action,
			   const char **ret_kind)
{
	const char *kind;
	int type;

	if (rule_has_time) {
		kind = "time";
		type = AUDIT_ANOM_LOGIN_TIME;
	} else if (rule_has_from) {
		kind = "location";
		type = AUDIT_ANOM_LOGIN_LOCATION;
	} else if (action == GUARD_ROLE_ESCALATE) {
		kind = "escalation";
		type = AUDIT_ANOM_ROOT_TRANS;
	} else if (action == GUARD_USER_CREATE) {
		kind = "create";
		type = AUDIT_ANOM_ADD_ACCT;
	} else if (action == GUARD_USER_DELETE) {
		kind = "delete";
		type = AUDIT_ANOM_DEL_ACCT;
	} else if (action == GUARD_SESSION_LOGIN) {
		kind = "login";
		type = AUDIT_ANOM_LOGIN_ACCT;
	} else {
		kind = "modify";
		type = AUDIT_ANOM_MOD_ACCT;
	}
	if (ret_kind)
		*ret_kind = kind;
	return type;
}

int guard_audit_user_text(const char *text, const char *exe, const char *rhost, const char *addr,
			  const char *tty, bool success, char **ret)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = exe ? strlen(exe) : 0;
	bool encode = false;
	char *shown;
	int r;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)exe[i];

		encode = encode || c == '"' || c < 0x21 || c > 0x7e;
	}
	shown = malloc(2 * n + 4);
	if (!shown)
		return -ENOMEM;
	if (!exe)
		strcpy(shown, "\"?\"");
	else if (!encode)
		snprintf(shown, 2 * n + 4, "\"%s\"", exe);
	else {
		for (size_t i = 0; i < n; i++) {
			shown[2 * i] = hex[(unsigned char)exe[i] >> 4];
			shown[2 * i + 1] = hex[(unsigned char)exe[i] & 0xf];
		}
		shown[2 * n] = '\0';
	}
	r = asprintf(ret, "%s exe=%s hostname=%s addr=%s terminal=%s res=%s", text, shown,
		     guard_audit_plain(rhost) ? rhost : "?", addr && *addr ? addr : "?",
		     guard_audit_plain(tty) ? tty : "?", success ? "success" : "failed");
	free(shown);
	if (r < 0) {
		*ret = NULL;
		return -ENOMEM;
	}
	return 0;
}

bool guard_audit_plain(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];

		if (n >= 64)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '/' || c == '-'))
			return false;
	}
	return n > 0;
}

/* ---- audit text ---------------------------------------------------- */

void guard_event_text_add(struct guard_event_text *t, const char *s, size_t n)
{
	if (t->failed)
		return;
	if (!t->s || t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		char *p;

		while (cap < t->len + n + 1)
			cap *= 2;
		p = realloc(t->s, cap);
		if (!p) {
			t->failed = true;
			return;
		}
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void text_str(struct guard_event_text *t, const char *s)
{
	guard_event_text_add(t, s, strlen(s));
}

/* " name=value" for a fixed, trusted value (ours, never the caller's). */
static void audit_fixed(struct guard_event_text *t, const char *name, const char *value)
{
	text_str(t, t->len ? " " : "");
	text_str(t, name);
	text_str(t, "=");
	text_str(t, value);
}

/* " name=<encoded value>", the value cut to max bytes first: libaudit
 * encodes in hex anything holding a quote, a space, a control byte or a
 * byte past 0x7e, else writes it in double quotes. NULL is "?". */
static void audit_nv(struct guard_event_text *t, const char *name, const char *value, size_t max)
{
	char *cut, *nv;
	size_t n;

	if (!value) {
		audit_fixed(t, name, "?");
		return;
	}
	n = strnlen(value, max);
	cut = strndup(value, n);
	if (!cut) {
		t->failed = true;
		return;
	}
	/* vlen 0 means strlen to libaudit: the empty string stays "". */
	nv = audit_encode_nv_string(name, cut, (unsigned)n);
	free(cut);
	if (!nv) {
		t->failed = true;
		return;
	}
	text_str(t, t->len ? " " : "");
	text_str(t, nv);
	free(nv);
}

/* The command line, its words joined by spaces, at most max bytes. */
char *guard_event_join_argv(int argc, char *const *argv, size_t max, size_t *ret_len)
{
	struct guard_event_text t = {0};

	for (int i = 0; argv && i < argc && argv[i] && t.len < max; i++) {
		if (i > 0)
			guard_event_text_add(&t, " ", 1);
		guard_event_text_add(&t, argv[i],
				     strnlen(argv[i], max - (t.len < max ? t.len : max)));
	}
	if (!t.failed && !t.s)
		guard_event_text_add(&t, "", 0);
	if (t.failed) {
		free(t.s);
		return NULL;
	}
	if (t.len > max) {
		t.len = max;
		t.s[max] = '\0';
	}
	*ret_len = t.len;
	return t.s;
}

int guard_event_audit_text(const struct guard_event *e, char **ret)
{
	struct guard_event_text t = {0};
	char num[32];

	audit_fixed(&t, "op", e->op ? e->op : "guard-event");
	if (e->alert)
		audit_fixed(&t, "alert", e->alert);
	if (e->kind != GUARD_EVENT_POLICY_ERROR) {
		audit_nv(&t, "actor", e->actor, GUARD_AUDIT_VALUE_MAX);
		audit_nv(&t, "acct", e->target, GUARD_AUDIT_VALUE_MAX);
	}
	if (e->group)
		audit_nv(&t, "grp", e->group, GUARD_AUDIT_VALUE_MAX);
	if (e->grant)
		audit_nv(&t, "grant", e->grant, GUARD_AUDIT_VALUE_MAX);
	if (e->request)
		audit_nv(&t, "request", e->request, GUARD_AUDIT_VALUE_MAX);
	if (e->decision || e->rule)
		audit_nv(&t, "rule", e->rule, GUARD_AUDIT_VALUE_MAX);
	if (e->decision)
		audit_fixed(&t, "decision", e->decision);
	if (e->mode)
		audit_fixed(&t, "guard_mode", e->mode);
	if (e->service)
		audit_nv(&t, "service", e->service, GUARD_AUDIT_VALUE_MAX);
	if (e->reason)
		audit_nv(&t, "reason", e->reason, GUARD_AUDIT_VALUE_MAX);
	if (e->file) {
		audit_nv(&t, "file", e->file, GUARD_AUDIT_VALUE_MAX);
		snprintf(num, sizeof(num), "%u", e->line);
		audit_fixed(&t, "line", num);
	}
	if (e->kind == GUARD_EVENT_POLICY_ERROR)
		audit_nv(&t, "error", e->why, GUARD_AUDIT_VALUE_MAX);
	if (e->has_exit) {
		if (WIFEXITED(e->wait_status)) {
			snprintf(num, sizeof(num), "%d", WEXITSTATUS(e->wait_status));
			audit_fixed(&t, "exit", num);
		} else if (WIFSIGNALED(e->wait_status)) {
			snprintf(num, sizeof(num), "%d", WTERMSIG(e->wait_status));
			audit_fixed(&t, "sig", num);
		}
	}
	if (e->id)
		audit_fixed(&t, "guard_id", e->id);
	if (e->argv) {
		/* Last, with what room is left: hex doubles every byte. */
		size_t room =
		    t.len + 16 < GUARD_AUDIT_TEXT_MAX ? (GUARD_AUDIT_TEXT_MAX - t.len - 16) / 2 : 0;
		size_t n = 0;
		char *cmd = guard_event_join_argv(
		    e->argc, e->argv, room < GUARD_AUDIT_CMD_MAX ? room : GUARD_AUDIT_CMD_MAX, &n);

		if (!cmd)
			t.failed = true;
		else
			audit_nv(&t, "cmd", cmd, n);
		free(cmd);
	}
	if (t.failed) {
		free(t.s);
		return -ENOMEM;
	}
	/* Cannot happen with the bounds above; never let libaudit cut res=. */
	if (t.len > GUARD_AUDIT_TEXT_MAX) {
		free(t.s);
		return -E2BIG;
	}
	*ret = t.s;
	return 0;
}
