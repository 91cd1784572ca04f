/* The event encoders: the audit record's text and the journal's native
 * protocol datagram, from an event whose caller strings are arbitrary
 * bytes. Input: a header (kind, flags, which constants, exit status, line,
 * uid, which strings are present, which values to stretch and to what length),
 * then NUL-separated strings: actor, target, group, grant, rule, reason,
 * why, service, tty, rhost, request, file, and the argv words.
 * Properties:
 * - audit: the text is printable ASCII, single-space separated key=value
 *   fields with exactly the expected keys in order; each caller value is
 *   "?" (none), "plain" (bytes 0x21-0x7e, no quote) or upper-case hex (only
 *   when needed), and decodes to its bytes cut at the bound; the command is
 *   the joined argv cut to what room is left; the whole stays bounded.
 * - journal: the datagram parses back the way journald reads it into valid
 *   field names, each caller value its exact bytes cut at the bound, a
 *   MESSAGE of printable ASCII, and a bounded size.
 * - both encoders give the same bytes twice; a terminal or host name is
 *   "plain" (passed to libaudit unencoded) exactly when documented. */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "action.h"
#include "events_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	S_ACTOR,
	S_TARGET,
	S_GROUP,
	S_GRANT,
	S_RULE,
	S_REASON,
	S_WHY,
	S_SERVICE,
	S_TTY,
	S_RHOST,
	S_REQUEST,
	S_FILE,
	N_STRINGS
};

#define MAX_WORDS    64
#define HEADER_SIZE  20
#define MAX_EXPECTED 40
/* Every field's name and framing, every caller value, the command and the
 * message at their bounds: a datagram past it carries something unbounded. */
#define JOURNAL_BOUND                                                                              \
	(40u * (64 + 10) + 16u * GUARD_JOURNAL_VALUE_MAX + GUARD_JOURNAL_ARGV_MAX +                \
	 GUARD_JOURNAL_MESSAGE_MAX)

/* The constants the edges pass (never the caller's bytes). */
static const char *const ops[] = {NULL,
				  "guard-user.create",
				  "guard-exec",
				  "guard-policy-error",
				  "guard-unknown",
				  "guard-request",
				  "guard-break-glass"};
static const char *const alerts[] = {NULL,     "time",	"location", "escalation", "create",
				     "delete", "login", "modify",   "watch",	  "break-glass"};
static const char *const modes[] = {NULL, "enforce", "monitor"};

#define PICK(list, byte) (list)[(byte) % (sizeof(list) / sizeof((list)[0]))]

struct input {
	struct guard_event e;
	char *str[N_STRINGS];
	char *words[MAX_WORDS + 1];
	int n_words;
	char *cmd; /* the argv words joined by spaces */
	size_t cmd_len;
};

/* A name or value inside the encoded buffer: not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

/* What a field must hold: our constant as it is; the caller's bytes (cut
 * at the bound); the joined argv (cut at what room is left); any
 * lower-case word (an event's name). */
enum how { FIXED, CALLER, COMMAND, WORD };

struct expect {
	const char *name;
	enum how how;
	const char *value; /* CALLER: NULL means absent ("?") */
	size_t len;
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* A value repeated until it is len bytes: values past every bound without
 * inputs that large. */
static char *stretch(char *s, size_t len)
{
	size_t n = strlen(s);
	char *p;

	if (n == 0 || len <= n)
		return s;
	p = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		p[i] = s[i % n];
	p[len] = '\0';
	free(s);
	return p;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static void build(struct input *in, const uint8_t *data, size_t size)
{
	uint8_t h[HEADER_SIZE] = {0};
	const char *p, *end;
	unsigned present, target;
	size_t len = 0, stretch_len;
	int piece = 0;

	memcpy(h, data, min_size(size, sizeof(h)));
	p = (const char *)data + min_size(size, sizeof(h));
	end = (const char *)data + size;

	in->e.kind = (enum guard_event_kind)(h[0] % GUARD_EVENT_KIND_COUNT);
	in->e.source = (h[1] & 1) ? GUARD_SOURCE_PAM : GUARD_SOURCE_GUARDCTL;
	in->e.success = (h[1] & 2) != 0;
	in->e.actor_uid_known = (h[1] & 4) != 0;
	in->e.has_exit = (h[1] & 8) != 0;
	in->e.op = PICK(ops, h[2]);
	in->e.alert = PICK(alerts, h[3]);
	in->e.decision = h[4] % 4 ? guard_decision_name((enum guard_decision)(h[4] % 4)) : NULL;
	in->e.action = guard_action_name((enum guard_action)(h[5] % (GUARD_ACTION_COUNT + 1)));
	in->e.mode = PICK(modes, h[6]);
	in->e.wait_status = h[7] | h[8] << 8;
	in->e.line = h[9] | (unsigned)h[10] << 8;
	in->e.actor_uid =
	    h[11] | (uint32_t)h[12] << 8 | (uint32_t)h[13] << 16 | (uint32_t)h[14] << 24;
	present = h[15] | (unsigned)h[16] << 8;
	target = h[17] % 16;

	/* Every piece is consumed in order: an absent string still takes one. */
	for (; piece < N_STRINGS + MAX_WORDS; piece++) {
		const char *nul = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
		size_t n = p < end ? (nul ? (size_t)(nul - p) : (size_t)(end - p)) : 0;

		if (piece < N_STRINGS) {
			if (present & 1u << piece)
				in->str[piece] = xstrndup(p < end ? p : "", n);
		} else if (p < end) {
			in->words[in->n_words++] = xstrndup(p, n);
		}
		if (p < end)
			p += n + (nul ? 1 : 0);
	}
	in->words[in->n_words] = NULL;
	if (h[1] & 16 || in->n_words > 0) {
		in->e.argv = in->words;
		in->e.argc = in->n_words;
	}

	/* Up to 131070 bytes: past the journal's argv bound. One string, the
	 * first word, or all of them (what the audit command has room for
	 * depends on the other values' lengths). */
	stretch_len = (h[18] | (size_t)h[19] << 8) * 2;
	if (target == N_STRINGS + 1 && stretch_len > 8192)
		stretch_len = 8192; /* past the audit bounds, and cheap */
	for (int i = 0; i < N_STRINGS; i++)
		if (in->str[i] && (target == (unsigned)i || target == N_STRINGS + 1))
			in->str[i] = stretch(in->str[i], stretch_len);
	if (in->n_words > 0 && target >= N_STRINGS && target <= N_STRINGS + 1)
		in->words[0] = stretch(in->words[0], stretch_len);

	in->e.actor = in->str[S_ACTOR];
	in->e.target = in->str[S_TARGET];
	in->e.group = in->str[S_GROUP];
	in->e.grant = in->str[S_GRANT];
	in->e.rule = in->str[S_RULE];
	in->e.reason = in->str[S_REASON];
	in->e.why = in->str[S_WHY];
	in->e.service = in->str[S_SERVICE];
	in->e.tty = in->str[S_TTY];
	in->e.rhost = in->str[S_RHOST];
	in->e.request = in->str[S_REQUEST];
	in->e.file = in->str[S_FILE];

	for (int i = 0; i < in->n_words; i++)
		len += strlen(in->words[i]) + 1;
	in->cmd = xmalloc(len + 1);
	in->cmd_len = 0;
	for (int i = 0; i < in->n_words; i++) {
		size_t n = strlen(in->words[i]);

		if (i > 0)
			in->cmd[in->cmd_len++] = ' ';
		memcpy(in->cmd + in->cmd_len, in->words[i], n);
		in->cmd_len += n;
	}
	in->cmd[in->cmd_len] = '\0';
}

static void input_free(struct input *in)
{
	for (int i = 0; i < N_STRINGS; i++)
		free(in->str[i]);
	for (int i = 0; i < in->n_words; i++)
		free(in->words[i]);
	free(in->cmd);
}

static void add(struct expect *x, size_t *n, const char *name, enum how how, const char *value,
		size_t len)
{
	if (*n >= MAX_EXPECTED)
		abort();
	x[(*n)++] = (struct expect){.name = name, .how = how, .value = value, .len = len};
}

/* ---- audit ---------------------------------------------------------- */

static bool audit_needs_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c < 0x21 || c > 0x7e)
			return true;
	}
	return false;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The bytes of an encoded caller value into out (room for v.n bytes):
 * returns their number, or -1 for "?". Aborts on anything else. */
static long audit_decode(struct span v, char *out)
{
	if (v.n == 1 && v.p[0] == '?')
		return -1;
	if (v.n >= 2 && v.p[0] == '"') {
		if (v.p[v.n - 1] != '"' || audit_needs_hex(v.p + 1, v.n - 2))
			abort();
		memcpy(out, v.p + 1, v.n - 2);
		return (long)(v.n - 2);
	}
	/* Hex, and only for a value that plain quoting could not carry. */
	if (v.n == 0 || v.n % 2)
		abort();
	for (size_t i = 0; i < v.n; i += 2) {
		int hi = hex_digit(v.p[i]), lo = hex_digit(v.p[i + 1]);

		if (hi < 0 || lo < 0)
			abort();
		out[i / 2] = (char)(hi << 4 | lo);
	}
	if (!audit_needs_hex(out, v.n / 2))
		abort();
	return (long)(v.n / 2);
}

static void audit_value(const struct expect *x, struct span v, size_t offset)
{
	char *out;
	long n;

	if (x->how == FIXED) {
		if (v.n != strlen(x->value) || memcmp(v.p, x->value, v.n) != 0)
			abort();
		return;
	}
	out = xmalloc(v.n);
	n = audit_decode(v, out);
	if (x->how == CALLER && !x->value) {
		if (n != -1)
			abort();
	} else {
		size_t want = min_size(x->len, GUARD_AUDIT_VALUE_MAX);

		if (x->how == COMMAND) {
			/* What the text before it leaves, at two bytes each. */
			size_t room = offset + 16 < GUARD_AUDIT_TEXT_MAX
					  ? (GUARD_AUDIT_TEXT_MAX - offset - 16) / 2
					  : 0;

			want = min_size(x->len, min_size(room, GUARD_AUDIT_CMD_MAX));
		}
		if (n < 0 || (size_t)n != want || memcmp(out, x->value, want) != 0)
			abort();
	}
	free(out);
}

static void check_audit(const struct input *in, const char *text)
{
	const struct guard_event *e = &in->e;
	struct expect x[MAX_EXPECTED];
	char line[16], status[16];
	size_t n = 0, len = strlen(text), pos = 0;

	add(x, &n, "op", FIXED, e->op ? e->op : "guard-event", 0);
	if (e->alert)
		add(x, &n, "alert", FIXED, e->alert, 0);
	if (e->kind != GUARD_EVENT_POLICY_ERROR) {
		add(x, &n, "actor", CALLER, e->actor, e->actor ? strlen(e->actor) : 0);
		add(x, &n, "acct", CALLER, e->target, e->target ? strlen(e->target) : 0);
	}
	if (e->group)
		add(x, &n, "grp", CALLER, e->group, strlen(e->group));
	if (e->grant)
		add(x, &n, "grant", CALLER, e->grant, strlen(e->grant));
	if (e->request)
		add(x, &n, "request", CALLER, e->request, strlen(e->request));
	if (e->decision || e->rule)
		add(x, &n, "rule", CALLER, e->rule, e->rule ? strlen(e->rule) : 0);
	if (e->decision)
		add(x, &n, "decision", FIXED, e->decision, 0);
	if (e->mode)
		add(x, &n, "guard_mode", FIXED, e->mode, 0);
	if (e->service)
		add(x, &n, "service", CALLER, e->service, strlen(e->service));
	if (e->reason)
		add(x, &n, "reason", CALLER, e->reason, strlen(e->reason));
	if (e->file) {
		add(x, &n, "file", CALLER, e->file, strlen(e->file));
		snprintf(line, sizeof(line), "%u", e->line);
		add(x, &n, "line", FIXED, line, 0);
	}
	if (e->kind == GUARD_EVENT_POLICY_ERROR)
		add(x, &n, "error", CALLER, e->why, e->why ? strlen(e->why) : 0);
	if (e->has_exit && WIFEXITED(e->wait_status)) {
		snprintf(status, sizeof(status), "%d", WEXITSTATUS(e->wait_status));
		add(x, &n, "exit", FIXED, status, 0);
	} else if (e->has_exit && WIFSIGNALED(e->wait_status)) {
		snprintf(status, sizeof(status), "%d", WTERMSIG(e->wait_status));
		add(x, &n, "sig", FIXED, status, 0);
	}
	if (e->argv)
		add(x, &n, "cmd", COMMAND, in->cmd, in->cmd_len);

	/* One line of printable ASCII: nothing a reader could split or forge. */
	if (len == 0 || len > GUARD_AUDIT_TEXT_MAX)
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
			abort();
	for (size_t i = 0; i < n; i++) {
		const char *tok = text + pos, *sp, *eq;
		size_t tok_len, name_len = strlen(x[i].name);

		if (pos > len)
			abort();
		sp = memchr(tok, ' ', len - pos);
		tok_len = sp ? (size_t)(sp - tok) : len - pos;
		eq = memchr(tok, '=', tok_len);
		if (!eq || (size_t)(eq - tok) != name_len || memcmp(tok, x[i].name, name_len) != 0)
			abort();
		audit_value(&x[i], (struct span){eq + 1, tok_len - name_len - 1},
			    pos ? pos - 1 : 0);
		pos += tok_len + 1;
	}
	if (pos != len + 1)
		abort();
}

/* ---- journal -------------------------------------------------------- */

static bool journal_name_valid(struct span name)
{
	if (name.n == 0 || name.n > 64 || name.p[0] == '_' ||
	    (name.p[0] >= '0' && name.p[0] <= '9'))
		return false;
	for (size_t i = 0; i < name.n; i++) {
		char c = name.p[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/* Reads the datagram as journald does: a line with "=" is NAME=value, a
 * line without is NAME, then a little-endian 64-bit length, the bytes and
 * a newline. Returns the number of fields. */
static size_t journal_parse(const char *buf, size_t len, struct span *names, struct span *values,
			    size_t max)
{
	const char *p = buf, *end = buf + len;
	size_t n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eq;
		uint64_t vlen;

		if (!nl || n >= max)
			abort();
		eq = memchr(p, '=', (size_t)(nl - p));
		if (eq) {
			names[n] = (struct span){p, (size_t)(eq - p)};
			values[n] = (struct span){eq + 1, (size_t)(nl - eq - 1)};
			p = nl + 1;
		} else {
			names[n] = (struct span){p, (size_t)(nl - p)};
			p = nl + 1;
			if ((size_t)(end - p) < sizeof(vlen))
				abort();
			memcpy(&vlen, p, sizeof(vlen));
			vlen = le64toh(vlen);
			p += sizeof(vlen);
			if (vlen >= (uint64_t)(end - p) || p[vlen] != '\n')
				abort();
			values[n] = (struct span){p, (size_t)vlen};
			/* The length form is for values a line cannot hold. */
			if (!memchr(p, '\n', (size_t)vlen))
				abort();
			p += vlen + 1;
		}
		if (!journal_name_valid(names[n]))
			abort();
		n++;
	}
	return n;
}

static bool is_word(struct span v)
{
	if (v.n == 0)
		return false;
	for (size_t i = 0; i < v.n; i++)
		if (!((v.p[i] >= 'a' && v.p[i] <= 'z') || v.p[i] == '-'))
			return false;
	return true;
}

static void journal_caller(struct expect *x, size_t *n, const char *name, const char *value)
{
	if (value)
		add(x, n, name, CALLER, value, strnlen(value, GUARD_JOURNAL_VALUE_MAX));
}

static void check_journal(const struct input *in, const char *buf, size_t len)
{
	const struct guard_event *e = &in->e;
	struct span names[MAX_EXPECTED], values[MAX_EXPECTED];
	struct expect x[MAX_EXPECTED];
	char msg[GUARD_JOURNAL_MESSAGE_MAX], prio[16], uid[16], line[16], status[32];
	const char *id = guard_event_message_id(e->kind);
	size_t n = 0, got, msg_len;
	int p = guard_event_priority(e);

	if (len > JOURNAL_BOUND)
		abort();
	guard_event_message(e, msg, sizeof(msg));
	msg_len = strlen(msg);
	for (size_t i = 0; i < msg_len; i++)
		if ((unsigned char)msg[i] < 0x20 || (unsigned char)msg[i] > 0x7e)
			abort();
	if (strlen(id) != 32 || strspn(id, "0123456789abcdef") != 32 || p < 0 || p > 7)
		abort();
	snprintf(prio, sizeof(prio), "%d", p);

	add(x, &n, "MESSAGE", FIXED, msg, 0);
	add(x, &n, "MESSAGE_ID", FIXED, id, 0);
	add(x, &n, "PRIORITY", FIXED, prio, 0);
	add(x, &n, "SYSLOG_IDENTIFIER", FIXED,
	    e->source == GUARD_SOURCE_PAM ? "pam_guard" : "guardctl", 0);
	add(x, &n, "SYSLOG_FACILITY", FIXED, "10", 0);
	add(x, &n, "GUARD_EVENT", WORD, NULL, 0);
	if (e->decision)
		add(x, &n, "GUARD_DECISION", FIXED, e->decision, 0);
	if (e->action)
		add(x, &n, "GUARD_ACTION", FIXED, e->action, 0);
	if (e->mode)
		add(x, &n, "GUARD_MODE", FIXED, e->mode, 0);
	if (e->alert)
		add(x, &n, "GUARD_ALERT", FIXED, e->alert, 0);
	journal_caller(x, &n, "GUARD_ACTOR", e->actor);
	if (e->actor_uid_known) {
		snprintf(uid, sizeof(uid), "%u", (unsigned)e->actor_uid);
		add(x, &n, "GUARD_ACTOR_UID", FIXED, uid, 0);
	}
	journal_caller(x, &n, "GUARD_TARGET", e->target);
	journal_caller(x, &n, "GUARD_GROUP", e->group);
	journal_caller(x, &n, "GUARD_GRANT", e->grant);
	journal_caller(x, &n, "GUARD_RULE", e->rule ? e->rule : (e->decision ? "(default)" : NULL));
	journal_caller(x, &n, "GUARD_REASON", e->reason);
	journal_caller(x, &n, "GUARD_WHY", e->why);
	journal_caller(x, &n, "GUARD_SERVICE", e->service);
	journal_caller(x, &n, "GUARD_TTY", e->tty);
	journal_caller(x, &n, "GUARD_RHOST", e->rhost);
	journal_caller(x, &n, "GUARD_REQUEST", e->request);
	journal_caller(x, &n, "GUARD_FILE", e->file);
	if (e->file && e->line) {
		snprintf(line, sizeof(line), "%u", e->line);
		add(x, &n, "GUARD_LINE", FIXED, line, 0);
	}
	if (e->argv)
		add(x, &n, "GUARD_ARGV", CALLER, in->cmd,
		    min_size(in->cmd_len, GUARD_JOURNAL_ARGV_MAX));
	if (e->has_exit) {
		if (WIFEXITED(e->wait_status))
			snprintf(status, sizeof(status), "%d", WEXITSTATUS(e->wait_status));
		else
			snprintf(status, sizeof(status), "signal %d", WTERMSIG(e->wait_status));
		add(x, &n, "GUARD_EXIT", FIXED, status, 0);
	}

	/* Each expected field once, with its bytes, and nothing else. */
	got = journal_parse(buf, len, names, values, MAX_EXPECTED);
	if (got != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		size_t name_len = strlen(x[i].name), found = 0;

		for (size_t j = 0; j < got; j++) {
			size_t want = x[i].how == FIXED ? strlen(x[i].value) : x[i].len;

			if (names[j].n != name_len || memcmp(names[j].p, x[i].name, name_len) != 0)
				continue;
			found++;
			if (x[i].how == WORD) {
				if (!is_word(values[j]))
					abort();
			} else if (values[j].n != want ||
				   memcmp(values[j].p, x[i].value, want) != 0) {
				abort();
			}
		}
		if (found != 1)
			abort();
	}
}

/* ---- plain names ---------------------------------------------------- */

static void check_plain(const char *s)
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789._:/-";
	bool plain = s && s[0] && strlen(s) <= 64;

	for (size_t i = 0; plain && s[i]; i++)
		plain = strchr(allowed, s[i]) != NULL;
	if (guard_audit_plain(s) != plain)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {0};
	struct guard_journal_entry entry = {0}, entry2 = {0};
	char *text = NULL, *text2 = NULL, *buf = NULL, *buf2 = NULL;
	size_t len = 0, len2 = 0;
	int r;

	if (size > 65536)
		return 0;
	build(&in, data, size);

	r = guard_event_audit_text(&in.e, &text);
	if (r == -ENOMEM)
		goto out;
	if (r != 0 || guard_event_audit_text(&in.e, &text2) != 0 || strcmp(text, text2) != 0)
		abort();
	check_audit(&in, text);

	r = guard_event_journal_entry(&in.e, &entry);
	if (r == -ENOMEM)
		goto out;
	if (r != 0 || guard_event_journal_entry(&in.e, &entry2) != 0)
		abort();
	if (guard_journal_serialize(&entry, &buf, &len) != 0 ||
	    guard_journal_serialize(&entry2, &buf2, &len2) != 0 || len != len2 ||
	    memcmp(buf, buf2, len) != 0)
		abort();
	check_journal(&in, buf, len);

	check_plain(in.e.tty);
	check_plain(in.e.rhost);
out:
	free(text);
	free(text2);
	free(buf);
	free(buf2);
	guard_journal_entry_clear(&entry);
	guard_journal_entry_clear(&entry2);
	input_free(&in);
	return 0;
}
