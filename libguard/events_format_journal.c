/* The journal entry of an event: the one-line MESSAGE a reader takes in at
 * once, the fixed MESSAGE_IDs, the priority, the GUARD_* fields with the
 * exact bytes of each value (cut at its bound), and journald's native
 * protocol. Apart from the audit text (events_format.c): the journal keeps
 * what audit must encode, and says it in words. */
#include "events_format.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>

#include "error.h"

/* One MESSAGE_ID per kind, fixed forever: the catalog
 * (packaging/journald/guard.catalog) explains each. */
static const char *const message_ids[GUARD_EVENT_KIND_COUNT] = {
    [GUARD_EVENT_ALLOWED] = "b446d3c34a0f4257852816d5cb239f57",
    [GUARD_EVENT_REFUSED] = "0b3e963dfb56467a88442e7300534a3e",
    [GUARD_EVENT_APPROVAL_NEEDED] = "73effe82f8b64e29bea1cb9eae5c08d1",
    [GUARD_EVENT_MONITOR] = "7ba296e19922432e82094160660db6d0",
    [GUARD_EVENT_EXEC] = "a3a355af4316467eaba485ba927ff074",
    [GUARD_EVENT_ALERT] = "afb972462dd8404e8fd719212b3bc671",
    [GUARD_EVENT_POLICY_ERROR] = "3688c8af3fe94a88ad59b32941ad1002",
    [GUARD_EVENT_AUDIT_FAILURE] = "2b77ccfbe368446c86da86017fc44782",
    [GUARD_EVENT_APPROVAL] = "2d1aa679a6bc43c2bf351cf8e508c8e5",
    [GUARD_EVENT_LOCKOUT] = "2b5ae26f46b54d5086c36f726c225f77",
    [GUARD_EVENT_FREEZE] = "d088ba7094b74944bf0b78f6689b56b3",
    [GUARD_EVENT_THAW] = "a3f2837f8f1e4fe688e3664820978d67",
    [GUARD_EVENT_BREAK_GLASS] = "2f2e4a1bc42342fe8b6737a0658e2c30",
    [GUARD_EVENT_REQUEST_REFUSED] = "6fe76d30a4754fb19edce824bef81e3d",
};

static const char *const event_names[GUARD_EVENT_KIND_COUNT] = {
    [GUARD_EVENT_ALLOWED] = "decision",
    [GUARD_EVENT_REFUSED] = "decision",
    [GUARD_EVENT_APPROVAL_NEEDED] = "decision",
    [GUARD_EVENT_MONITOR] = "decision",
    [GUARD_EVENT_EXEC] = "exec",
    [GUARD_EVENT_ALERT] = "alert",
    [GUARD_EVENT_POLICY_ERROR] = "policy-error",
    [GUARD_EVENT_AUDIT_FAILURE] = "audit-failure",
    [GUARD_EVENT_APPROVAL] = "approval",
    [GUARD_EVENT_LOCKOUT] = "lockout",
    [GUARD_EVENT_FREEZE] = "freeze",
    [GUARD_EVENT_THAW] = "thaw",
    [GUARD_EVENT_BREAK_GLASS] = "break-glass",
    [GUARD_EVENT_REQUEST_REFUSED] = "decision",
};

const char *guard_event_message_id(enum guard_event_kind kind)
{
	if ((unsigned)kind >= GUARD_EVENT_KIND_COUNT)
		return "";
	return message_ids[kind];
}

int guard_event_priority(const struct guard_event *e)
{
	switch (e->kind) {
	case GUARD_EVENT_ALLOWED:
		return LOG_INFO;
	case GUARD_EVENT_APPROVAL_NEEDED:
	case GUARD_EVENT_MONITOR:
	case GUARD_EVENT_APPROVAL:
	case GUARD_EVENT_THAW:
		return LOG_NOTICE;
	case GUARD_EVENT_EXEC:
		return e->has_exit && WIFEXITED(e->wait_status) && WEXITSTATUS(e->wait_status) == 0
			   ? LOG_INFO
			   : LOG_NOTICE;
	case GUARD_EVENT_REFUSED:
	case GUARD_EVENT_REQUEST_REFUSED:
	case GUARD_EVENT_LOCKOUT:
	case GUARD_EVENT_FREEZE:
		return LOG_WARNING;
	case GUARD_EVENT_ALERT:
	case GUARD_EVENT_BREAK_GLASS:
		return LOG_ALERT;
	case GUARD_EVENT_POLICY_ERROR:
	case GUARD_EVENT_AUDIT_FAILURE:
	case GUARD_EVENT_KIND_COUNT:
	default:
		return LOG_ERR;
	}
}

/* ---- message ------------------------------------------------------- */

/* "\"denial-burst\"": a rule or watch name, escaped. */
static const char *quoted_rule(const struct guard_event *e, char *buf, size_t size)
{
	char r[120];

	guard_escape(e->rule ? e->rule : "?", r, sizeof(r));
	snprintf(buf, size, "\"%s\"", r);
	return buf;
}

/* How a decision reads in a sentence: "allowed", "refused", ... */
static const char *decision_words(const char *decision)
{
	if (!decision)
		return "decided";
	if (strcmp(decision, "allow") == 0)
		return "allowed";
	if (strcmp(decision, "approve") == 0)
		return "sent for approval";
	if (strcmp(decision, "deny") == 0)
		return "refused";
	return "decided";
}

/* An alert as a sentence a SOC reader takes in at once: a watch that
 * fired, a break-glass taken, or a decision a rule alerts on. */
static void alert_message(const struct guard_event *e, const char *actor, const char *target,
			  const char *rule, const char *why, char *buf, size_t size)
{
	const char *kind = e->alert ? e->alert : "rule";
	char name[128];

	if (strcmp(kind, "watch") == 0)
		snprintf(buf, size, "ALERT (watch): %s set off watch %s", actor,
			 quoted_rule(e, name, sizeof(name)));
	else if (!e->action && strcmp(kind, "break-glass") == 0)
		snprintf(buf, size, "ALERT (break-glass): %s broke the glass %s", actor, why);
	else
		snprintf(buf, size, "ALERT (%s): %s: %s %s %s by %s", kind, actor,
			 e->action ? e->action : "?", target, decision_words(e->decision),
			 e->break_glass ? "break-glass" : rule);
}

void guard_event_message(const struct guard_event *e, char *buf, size_t size)
{
	char actor[96], target[160], rule[128], why[320], cmd[200], other[200];
	const char *action = e->action ? e->action : "";

	guard_escape(e->actor ? e->actor : "?", actor, sizeof(actor));
	if (e->target)
		guard_escape(e->target, target, sizeof(target));
	else if (e->group) {
		char g[150];

		guard_escape(e->group, g, sizeof(g));
		snprintf(target, sizeof(target), "group %s", g);
	} else
		snprintf(target, sizeof(target), "-");
	if (e->rule) {
		char r[120];

		guard_escape(e->rule, r, sizeof(r));
		snprintf(rule, sizeof(rule), "rule \"%s\"", r);
	} else
		snprintf(rule, sizeof(rule), "the default");
	guard_escape(e->why ? e->why : "", why, sizeof(why));

	switch (e->kind) {
	case GUARD_EVENT_ALLOWED:
		snprintf(buf, size, "%s: %s %s allowed by %s", actor, action, target,
			 e->break_glass ? "break-glass" : rule);
		break;
	case GUARD_EVENT_REFUSED:
		snprintf(buf, size, "%s: %s %s refused by %s: %s", actor, action, target, rule,
			 why);
		break;
	case GUARD_EVENT_REQUEST_REFUSED:
		guard_escape(e->argc > 0 && e->argv && e->argv[0] ? e->argv[0] : "?", cmd,
			     sizeof(cmd));
		snprintf(buf, size, "%s: %s refused before any rule: %s", actor, cmd, why);
		break;
	case GUARD_EVENT_APPROVAL_NEEDED:
		snprintf(buf, size, "%s: %s %s needs approval (%s)", actor, action, target, rule);
		break;
	case GUARD_EVENT_MONITOR:
		snprintf(buf, size, "%s: %s %s would be refused by %s (monitor mode): %s", actor,
			 action, target, rule, why);
		break;
	case GUARD_EVENT_ALERT:
		alert_message(e, actor, target, rule, why, buf, size);
		break;
	case GUARD_EVENT_EXEC: {
		size_t n = 0;
		char *line = guard_event_join_argv(e->argc, e->argv, 180, &n);

		guard_escape(line ? line : "?", cmd, sizeof(cmd));
		free(line);
		if (e->has_exit && WIFEXITED(e->wait_status))
			snprintf(buf, size, "%s: ran %s: exit %d", actor, cmd,
				 WEXITSTATUS(e->wait_status));
		else if (e->has_exit && WIFSIGNALED(e->wait_status))
			snprintf(buf, size, "%s: ran %s: killed by signal %d", actor, cmd,
				 WTERMSIG(e->wait_status));
		else
			snprintf(buf, size, "%s: ran %s", actor, cmd);
		break;
	}
	case GUARD_EVENT_POLICY_ERROR:
		guard_escape(e->file ? e->file : "", other, sizeof(other));
		if (e->file && e->line)
			snprintf(buf, size,
				 "policy error, every guarded action is refused: %s:%u: %s", other,
				 e->line, why);
		else if (e->file)
			snprintf(buf, size, "policy error, every guarded action is refused: %s: %s",
				 other, why);
		else
			snprintf(buf, size, "policy error, every guarded action is refused: %s",
				 why);
		break;
	case GUARD_EVENT_AUDIT_FAILURE:
		snprintf(buf, size, "%s", why);
		break;
	case GUARD_EVENT_APPROVAL:
		/* Who did what to which request, for whom. */
		guard_escape(e->request ? e->request : "?", other, sizeof(other));
		snprintf(buf, size, "%s: %s request %s of %s%s%s", actor,
			 e->success ? "approved" : "denied", other, target, e->reason ? ": " : "",
			 e->reason ? "(with a comment)" : "");
		break;
	case GUARD_EVENT_LOCKOUT:
		snprintf(buf, size, "%s is locked out by watch %s %s", actor,
			 quoted_rule(e, other, sizeof(other)), why);
		break;
	case GUARD_EVENT_FREEZE:
		snprintf(buf, size, "%s froze every guarded action %s", actor, why);
		break;
	case GUARD_EVENT_THAW:
		snprintf(buf, size, "%s thawed guarded actions", actor);
		break;
	case GUARD_EVENT_BREAK_GLASS:
		snprintf(buf, size, "%s broke the glass %s", actor, why);
		break;
	case GUARD_EVENT_KIND_COUNT:
	default:
		snprintf(buf, size, "%s: %s%s%s", actor,
			 event_names[e->kind % GUARD_EVENT_KIND_COUNT], why[0] ? ": " : "", why);
		break;
	}
}

/* ---- journal ------------------------------------------------------- */

static int entry_add(struct guard_journal_entry *en, const char *name, const char *value,
		     size_t vlen)
{
	size_t nlen = strlen(name);
	char *item;

	if (en->n == en->cap) {
		size_t cap = en->cap ? en->cap * 2 : 32;
		struct iovec *iov = realloc(en->iov, cap * sizeof(*iov));

		if (!iov)
			return -ENOMEM;
		en->iov = iov;
		en->cap = cap;
	}
	item = malloc(nlen + 1 + vlen + 1);
	if (!item)
		return -ENOMEM;
	memcpy(item, name, nlen);
	item[nlen] = '=';
	memcpy(item + nlen + 1, value, vlen);
	item[nlen + 1 + vlen] = '\0';
	en->iov[en->n].iov_base = item;
	en->iov[en->n].iov_len = nlen + 1 + vlen;
	en->n++;
	return 0;
}

/* One of our own values (NULL: left out). */
static int entry_fixed(struct guard_journal_entry *en, const char *name, const char *value)
{
	if (!value)
		return 0;
	return entry_add(en, name, value, strlen(value));
}

/* A caller value, its exact bytes up to max. */
static int entry_value(struct guard_journal_entry *en, const char *name, const char *value,
		       size_t max)
{
	if (!value)
		return 0;
	return entry_add(en, name, value, strnlen(value, max));
}

static const char *source_name(enum guard_event_source source)
{
	switch (source) {
	case GUARD_SOURCE_PAM:
		return "pam_guard";
	case GUARD_SOURCE_SUDO:
		return "sudo_guard";
	case GUARD_SOURCE_GUARDCTL:
		break;
	}
	return "guardctl";
}

void guard_journal_entry_clear(struct guard_journal_entry *entry)
{
	if (!entry)
		return;
	for (size_t i = 0; i < entry->n; i++)
		free(entry->iov[i].iov_base);
	free(entry->iov);
	*entry = (struct guard_journal_entry){0};
}

int guard_event_journal_entry(const struct guard_event *e, struct guard_journal_entry *ret)
{
	struct guard_journal_entry en = {0};
	char msg[GUARD_JOURNAL_MESSAGE_MAX], num[32];
	int r;

	guard_event_message(e, msg, sizeof(msg));
	snprintf(num, sizeof(num), "%d", guard_event_priority(e));
	r = entry_fixed(&en, "MESSAGE", msg);
	r = r ?: entry_fixed(&en, "MESSAGE_ID", guard_event_message_id(e->kind));
	r = r ?: entry_fixed(&en, "PRIORITY", num);
	r = r ?: entry_fixed(&en, "SYSLOG_IDENTIFIER", source_name(e->source));
	r = r ?: entry_fixed(&en, "SYSLOG_FACILITY", "10"); /* authpriv */
	r = r ?: entry_fixed(&en, "GUARD_EVENT", event_names[e->kind % GUARD_EVENT_KIND_COUNT]);
	r = r ?: entry_fixed(&en, "GUARD_EVENT_ID", e->id);
	r = r ?: entry_fixed(&en, "GUARD_DECISION", e->decision);
	r = r ?: entry_fixed(&en, "GUARD_ACTION", e->action);
	r = r ?: entry_fixed(&en, "GUARD_MODE", e->mode);
	r = r ?: entry_fixed(&en, "GUARD_ALERT", e->alert);
	r = r ?: entry_value(&en, "GUARD_ACTOR", e->actor, GUARD_JOURNAL_VALUE_MAX);
	if (!r && e->actor_uid_known) {
		snprintf(num, sizeof(num), "%u", (unsigned)e->actor_uid);
		r = entry_fixed(&en, "GUARD_ACTOR_UID", num);
	}
	r = r ?: entry_value(&en, "GUARD_TARGET", e->target, GUARD_JOURNAL_VALUE_MAX);
	r = r ?: entry_value(&en, "GUARD_GROUP", e->group, GUARD_JOURNAL_VALUE_MAX);
	r = r ?: entry_value(&en, "GUARD_GRANT", e->grant, GUARD_JOURNAL_VALUE_MAX);
	/* Always a value, so that the catalog's @GUARD_RULE@ reads well. */
	r = r
		?: entry_value(&en, "GUARD_RULE",
			       e->rule ? e->rule : (e->decision ? "(default)" : NULL),
			       GUARD_JOURNAL_VALUE_MAX);
	r = r ?: entry_value(&en, "GUARD_REASON", e->reason, GUARD_JOURNAL_VALUE_MAX);
	r = r ?: entry_value(&en, "GUARD_WHY", e->why, GUARD_JOURNAL_VALUE_MAX);
	r = r ?: entry_value(&en, "GUARD_SERVICE", e->service, GUARD_JOURNAL_VALUE_MAX);
	r = r ?: entry_value(&en, "GUARD_TTY", e->tty, GUARD_JOURNAL_VALUE_MAX);
	r = r ?: entry_value(&en, "GUARD_RHOST", e->rhost, GUARD_JOURNAL_VALUE_MAX);
	r = r ?: entry_value(&en, "GUARD_REQUEST", e->request, GUARD_JOURNAL_VALUE_MAX);
	r = r ?: entry_value(&en, "GUARD_FILE", e->file, GUARD_JOURNAL_VALUE_MAX);
	if (!r && e->file && e->line) {
		snprintf(num, sizeof(num), "%u", e->line);
		r = entry_fixed(&en, "GUARD_LINE", num);
	}
	if (!r && e->argv) {
		size_t n = 0;
		char *line = guard_event_join_argv(e->argc, e->argv, GUARD_JOURNAL_ARGV_MAX, &n);

		r = line ? entry_add(&en, "GUARD_ARGV", line, n) : -ENOMEM;
		free(line);
	}
	if (!r && e->has_exit) {
		if (WIFEXITED(e->wait_status))
			snprintf(num, sizeof(num), "%d", WEXITSTATUS(e->wait_status));
		else
			snprintf(num, sizeof(num), "signal %d", WTERMSIG(e->wait_status));
		r = entry_fixed(&en, "GUARD_EXIT", num);
	}
	if (r < 0) {
		guard_journal_entry_clear(&en);
		return r;
	}
	*ret = en;
	return 0;
}

int guard_journal_serialize(const struct guard_journal_entry *entry, char **ret, size_t *ret_len)
{
	struct guard_event_text t = {0};

	for (size_t i = 0; i < entry->n; i++) {
		const char *item = entry->iov[i].iov_base;
		size_t len = entry->iov[i].iov_len;
		const char *eq = memchr(item, '=', len);

		if (!eq || eq == item) {
			free(t.s);
			return -EINVAL;
		}
		if (memchr(eq + 1, '\n', len - (size_t)(eq + 1 - item))) {
			uint64_t le = htole64((uint64_t)(len - (size_t)(eq + 1 - item)));

			guard_event_text_add(&t, item, (size_t)(eq - item));
			guard_event_text_add(&t, "\n", 1);
			guard_event_text_add(&t, (const char *)&le, sizeof(le));
			guard_event_text_add(&t, eq + 1, len - (size_t)(eq + 1 - item));
		} else
			guard_event_text_add(&t, item, len);
		guard_event_text_add(&t, "\n", 1);
	}
	if (t.failed || !t.s) {
		free(t.s);
		return t.failed ? -ENOMEM : -EINVAL;
	}
	*ret = t.s;
	*ret_len = t.len;
	return 0;
}
