/* The pure half of events: audit text encoding, journal fields and their
 * wire form, the one-line message, priorities, MESSAGE_IDs, alert types. */
#include <criterion/criterion.h>
#include <endian.h>
#include <errno.h>
#include <libaudit.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "events_format.h"
#include "events_notify.h"
#include "events_relay.h"

static struct guard_event decision(const char *actor, const char *target)
{
	return (struct guard_event){
	    .kind = GUARD_EVENT_ALLOWED,
	    .source = GUARD_SOURCE_GUARDCTL,
	    .audit_type = AUDIT_USER_ACCT,
	    .success = true,
	    .op = "guard-user.create",
	    .decision = "allow",
	    .action = "user.create",
	    .mode = "enforce",
	    .actor = actor,
	    .actor_uid_known = true,
	    .actor_uid = 1001,
	    .target = target,
	    .rule = "helpdesk",
	    .service = "guardctl",
	};
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The value of NAME in an entry, with its length; NULL when absent. */
static const char *field(const struct guard_journal_entry *en, const char *name, size_t *len)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < en->n; i++) {
		const char *item = en->iov[i].iov_base;

		if (en->iov[i].iov_len > n && memcmp(item, name, n) == 0 && item[n] == '=') {
			*len = en->iov[i].iov_len - n - 1;
			return item + n + 1;
		}
	}
	return NULL;
}

Test(events, plain_values_are_quoted)
{
	struct guard_event e = decision("alice", "bob");
	char *text = NULL;

	cr_assert_eq(guard_event_audit_text(&e, &text), 0);
	cr_assert_str_eq(text, "op=guard-user.create actor=\"alice\" acct=\"bob\" "
			       "rule=\"helpdesk\" decision=allow guard_mode=enforce "
			       "service=\"guardctl\"");
	free(text);
}

Test(events, hostile_values_are_hex_and_never_make_a_field)
{
	struct guard_event e = decision("x res=success", "bob\" res=success\n=\xff");
	char *argv[] = {"useradd", "a\nres=success", NULL};
	char *text = NULL;

	e.argc = 2;
	e.argv = argv;
	e.reason = "\"";
	cr_assert_eq(guard_event_audit_text(&e, &text), 0);
	cr_assert_eq(count(text, "res="), 0, "%s", text);
	cr_assert_eq(count(text, "acct="), 1);
	cr_assert_eq(count(text, "\n"), 0);
	cr_assert(strstr(text, "actor=78207265733D73756363657373"), "%s", text);
	cr_assert(strstr(text, "acct=626F6222207265733D737563636573730A3DFF"), "%s", text);
	cr_assert(strstr(text, "reason=22"), "%s", text);
	cr_assert(strstr(text, "cmd=7573657261646420610A7265733D73756363657373"), "%s", text);
	free(text);
}

Test(events, empty_and_missing_values)
{
	struct guard_event e = decision("", NULL);
	char *text = NULL;

	e.rule = NULL;
	cr_assert_eq(guard_event_audit_text(&e, &text), 0);
	cr_assert(strstr(text, "actor=\"\" acct=? rule=? "), "%s", text);
	free(text);
}

Test(events, audit_text_is_bounded)
{
	char *big = malloc(1 << 20), *text = NULL;
	char *argv[] = {"useradd", big, NULL};
	struct guard_event e;

	memset(big, '\x01', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	e = decision(big, big);
	e.group = e.grant = e.rule = e.reason = e.service = e.request = big;
	e.argc = 2;
	e.argv = argv;
	e.has_exit = true;
	e.wait_status = 3 << 8;
	cr_assert_eq(guard_event_audit_text(&e, &text), 0);
	cr_assert_leq(strlen(text), GUARD_AUDIT_TEXT_MAX);
	cr_assert(strstr(text, " exit=3"), "the exit status is kept");
	cr_assert(strstr(text, " acct=" /* 256 bytes, hex */), "acct kept");
	free(text);
	free(big);
}

Test(events, exit_and_signal)
{
	struct guard_event e = decision("alice", "bob");
	char *text = NULL;

	e.kind = GUARD_EVENT_EXEC;
	e.has_exit = true;
	e.wait_status = 9; /* killed by SIGKILL */
	cr_assert_eq(guard_event_audit_text(&e, &text), 0);
	cr_assert(strstr(text, " sig=9"), "%s", text);
	cr_assert_null(strstr(text, " exit="));
	free(text);
	cr_assert_eq(guard_event_priority(&e), LOG_NOTICE);
	e.wait_status = 0;
	cr_assert_eq(guard_event_priority(&e), LOG_INFO);
}

Test(events, priorities)
{
	struct guard_event e = decision("a", "b");

	cr_assert_eq(guard_event_priority(&e), LOG_INFO);
	e.kind = GUARD_EVENT_REFUSED;
	cr_assert_eq(guard_event_priority(&e), LOG_WARNING);
	e.kind = GUARD_EVENT_APPROVAL_NEEDED;
	cr_assert_eq(guard_event_priority(&e), LOG_NOTICE);
	e.kind = GUARD_EVENT_MONITOR;
	cr_assert_eq(guard_event_priority(&e), LOG_NOTICE);
	e.kind = GUARD_EVENT_ALERT;
	cr_assert_eq(guard_event_priority(&e), LOG_ALERT);
	e.kind = GUARD_EVENT_BREAK_GLASS;
	cr_assert_eq(guard_event_priority(&e), LOG_ALERT);
	e.kind = GUARD_EVENT_POLICY_ERROR;
	cr_assert_eq(guard_event_priority(&e), LOG_ERR);
	e.kind = GUARD_EVENT_AUDIT_FAILURE;
	cr_assert_eq(guard_event_priority(&e), LOG_ERR);
}

Test(events, message_ids_are_fixed_and_distinct)
{
	for (int i = 0; i < GUARD_EVENT_KIND_COUNT; i++) {
		const char *id = guard_event_message_id((enum guard_event_kind)i);

		cr_assert_eq(strlen(id), 32);
		cr_assert_eq(strspn(id, "0123456789abcdef"), 32);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(id, guard_event_message_id((enum guard_event_kind)j));
	}
	cr_assert_str_eq(guard_event_message_id(GUARD_EVENT_REFUSED),
			 "0b3e963dfb56467a88442e7300534a3e");
	cr_assert_str_eq(guard_event_message_id(GUARD_EVENT_KIND_COUNT), "");
}

Test(events, message_is_one_quoted_line)
{
	struct guard_event e = decision("alice", "ev\nil\x1b");
	char buf[GUARD_JOURNAL_MESSAGE_MAX];

	e.kind = GUARD_EVENT_REFUSED;
	e.why = "it is Sat 10:02";
	guard_event_message(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "alice: user.create ev\\x0ail\\x1b refused by rule \"helpdesk\": "
			      "it is Sat 10:02");
	e.rule = NULL;
	e.kind = GUARD_EVENT_ALLOWED;
	guard_event_message(&e, buf, sizeof(buf));
	cr_assert(strstr(buf, "allowed by the default"), "%s", buf);
}

/* The texts a SOC reader sees for alerts and host state: sentences, the
 * watch named, break-glass named as what allowed. */
Test(events, alerts_and_state_read_as_sentences)
{
	struct guard_event e = decision("alice", "bob");
	char buf[GUARD_JOURNAL_MESSAGE_MAX];

	e.break_glass = true;
	e.rule = NULL;
	guard_event_message(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "alice: user.create bob allowed by break-glass");

	e.kind = GUARD_EVENT_ALERT;
	e.alert = "break-glass";
	guard_event_message(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "ALERT (break-glass): alice: user.create bob allowed by break-glass");

	e = (struct guard_event){.kind = GUARD_EVENT_ALERT,
				 .alert = "watch",
				 .actor = "alice",
				 .target = "alice",
				 .rule = "denial-burst"};
	guard_event_message(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "ALERT (watch): alice set off watch \"denial-burst\"");

	e.kind = GUARD_EVENT_LOCKOUT;
	e.alert = NULL;
	e.why = "until 15:06 UTC";
	guard_event_message(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "alice is locked out by watch \"denial-burst\" until 15:06 UTC");

	e = (struct guard_event){
	    .kind = GUARD_EVENT_FREEZE, .actor = "root", .why = "until thawed"};
	guard_event_message(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "root froze every guarded action until thawed");
	e.kind = GUARD_EVENT_THAW;
	guard_event_message(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "root thawed guarded actions");
	e = (struct guard_event){.kind = GUARD_EVENT_BREAK_GLASS,
				 .alert = "break-glass",
				 .actor = "erin",
				 .why = "until 03:15 UTC"};
	guard_event_message(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "erin broke the glass until 03:15 UTC");
	e.kind = GUARD_EVENT_ALERT;
	guard_event_message(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "ALERT (break-glass): erin broke the glass until 03:15 UTC");
}

Test(events, refused_before_any_rule_names_the_command)
{
	char *argv[] = {"user\x1b[2Jadd", NULL};
	struct guard_event e = {
	    .kind = GUARD_EVENT_REQUEST_REFUSED,
	    .source = GUARD_SOURCE_GUARDCTL,
	    .audit_type = AUDIT_USER_ACCT,
	    .op = "guard-request",
	    .decision = "deny",
	    .rule = "(request)",
	    .actor = "alice",
	    .why = "-R/--root is refused\n",
	    .argc = 1,
	    .argv = argv,
	};
	char buf[GUARD_JOURNAL_MESSAGE_MAX];
	char *text = NULL;

	guard_event_message(&e, buf, sizeof(buf));
	cr_assert_str_eq(
	    buf, "alice: user\\x1b[2Jadd refused before any rule: -R/--root is refused\\x0a");
	cr_assert_eq(guard_event_priority(&e), LOG_WARNING);
	cr_assert_eq(guard_event_audit_text(&e, &text), 0);
	cr_assert(strstr(text, "op=guard-request actor=\"alice\" acct=? rule=\"(request)\" "
			       "decision=deny"),
		  "%s", text);
	free(text);
}

Test(events, journal_entry_keeps_exact_bytes)
{
	static const char target[] = "a\nb\"c=\xff\x01 res=success";
	struct guard_event e = decision("alice", target);
	struct guard_journal_entry en = {0};
	char *argv[] = {"useradd", "-c", "x\ny", NULL};
	const char *v;
	size_t len;

	e.argc = 3;
	e.argv = argv;
	e.tty = "pts/3";
	cr_assert_eq(guard_event_journal_entry(&e, &en), 0);
	v = field(&en, "GUARD_TARGET", &len);
	cr_assert_not_null(v);
	cr_assert_eq(len, sizeof(target) - 1);
	cr_assert_eq(memcmp(v, target, len), 0);
	v = field(&en, "GUARD_ARGV", &len);
	cr_assert_eq(len, strlen("useradd -c x\ny"));
	cr_assert_eq(memcmp(v, "useradd -c x\ny", len), 0);
	v = field(&en, "SYSLOG_IDENTIFIER", &len);
	cr_assert_eq(memcmp(v, "guardctl", len), 0);
	v = field(&en, "PRIORITY", &len);
	cr_assert_eq(memcmp(v, "6", len), 0);
	v = field(&en, "GUARD_ACTOR_UID", &len);
	cr_assert_eq(memcmp(v, "1001", len), 0);
	cr_assert_not_null(field(&en, "MESSAGE_ID", &len));
	cr_assert_null(field(&en, "GUARD_EXIT", &len), "no exit for a decision");
	guard_journal_entry_clear(&en);
}

Test(events, journal_fields_are_bounded)
{
	char *big = malloc(200000);
	struct guard_journal_entry en = {0};
	struct guard_event e;
	const char *v;
	size_t len;

	memset(big, 'x', 199999);
	big[199999] = '\0';
	e = decision("alice", big);
	e.source = GUARD_SOURCE_PAM;
	cr_assert_eq(guard_event_journal_entry(&e, &en), 0);
	cr_assert_not_null(field(&en, "GUARD_TARGET", &len));
	cr_assert_eq(len, GUARD_JOURNAL_VALUE_MAX);
	v = field(&en, "SYSLOG_IDENTIFIER", &len);
	cr_assert_eq(len, strlen("pam_guard"));
	cr_assert_eq(memcmp(v, "pam_guard", len), 0);
	guard_journal_entry_clear(&en);
	free(big);
}

Test(events, native_protocol_serialization)
{
	struct iovec iov[2] = {{.iov_base = "MESSAGE=hi", .iov_len = 10},
			       {.iov_base = "GUARD_TARGET=a\nb", .iov_len = 16}};
	struct guard_journal_entry en = {.iov = iov, .n = 2, .cap = 2};
	static const char want[] = "MESSAGE=hi\nGUARD_TARGET\n"
				   "\x03\x00\x00\x00\x00\x00\x00\x00"
				   "a\nb\n";
	char *buf = NULL;
	size_t len = 0;

	cr_assert_eq(guard_journal_serialize(&en, &buf, &len), 0);
	cr_assert_eq(len, sizeof(want) - 1);
	cr_assert_eq(memcmp(buf, want, len), 0);
	free(buf);
	iov[0].iov_base = "=novalue";
	iov[0].iov_len = 8;
	cr_assert_eq(guard_journal_serialize(&en, &buf, &len), -EINVAL);
}

Test(events, alert_types)
{
	const char *kind = NULL;

	cr_assert_eq(guard_alert_audit_type(true, true, GUARD_ROLE_ESCALATE, &kind),
		     AUDIT_ANOM_LOGIN_TIME);
	cr_assert_str_eq(kind, "time");
	cr_assert_eq(guard_alert_audit_type(false, true, GUARD_USER_CREATE, &kind),
		     AUDIT_ANOM_LOGIN_LOCATION);
	cr_assert_eq(guard_alert_audit_type(false, false, GUARD_ROLE_ESCALATE, &kind),
		     AUDIT_ANOM_ROOT_TRANS);
	cr_assert_str_eq(kind, "escalation");
	cr_assert_eq(guard_alert_audit_type(false, false, GUARD_USER_CREATE, NULL),
		     AUDIT_ANOM_ADD_ACCT);
	cr_assert_eq(guard_alert_audit_type(false, false, GUARD_USER_DELETE, NULL),
		     AUDIT_ANOM_DEL_ACCT);
	cr_assert_eq(guard_alert_audit_type(false, false, GUARD_GROUP_MEMBER_ADD, NULL),
		     AUDIT_ANOM_MOD_ACCT);
	cr_assert_eq(guard_alert_audit_type(false, false, GUARD_USER_PASSWORD, NULL),
		     AUDIT_ANOM_MOD_ACCT);
}

Test(events, plain_names_for_libaudit)
{
	cr_assert(guard_audit_plain("pts/3"));
	cr_assert(guard_audit_plain("192.0.2.7"));
	cr_assert(guard_audit_plain("2001:db8::1"));
	cr_assert_not(guard_audit_plain(""));
	cr_assert_not(guard_audit_plain(NULL));
	cr_assert_not(guard_audit_plain("pts/1 res=success"));
	cr_assert_not(guard_audit_plain("h\nx"));
	cr_assert_not(guard_audit_plain("a\"b"));
	cr_assert_not(
	    guard_audit_plain("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

Test(events, notify_json_carries_the_pending_request_and_its_token)
{
	struct guard_event e = decision("bob", "carol");
	char *json;

	e.kind = GUARD_EVENT_APPROVAL_NEEDED;
	e.decision = "approve";
	e.request = "42";
	e.token = "guard-approval-request v1\nrequest: 42\nnonce: \"x\"\n";
	json = guard_notify_json(&e);
	cr_assert_not_null(json);
	cr_assert(strstr(json, "\"request\":\"42\""), "%s", json);
	cr_assert(strstr(json, ",\"token\":\"guard-approval-request v1\\u000arequest: 42\\u000a"
			       "nonce: \\\"x\\\"\\u000a\"}"),
		  "%s", json);
	cr_assert_eq(count(json, "\n"), 1, "one line: %s", json);
	free(json);

	e.token = NULL;
	json = guard_notify_json(&e);
	cr_assert_not_null(json);
	cr_assert_null(strstr(json, "token"), "%s", json);
	free(json);
}

/* The user message as libaudit writes it, exe= chosen by the caller. */
Test(events, audit_user_text_as_libaudit)
{
	char *m = NULL;

	cr_assert_eq(guard_audit_user_text("op=x acct=\"bob\"", "/usr/sbin/guardctl",
					   "host.example", "10.0.0.1", "pts/3", true, &m),
		     0);
	cr_expect_str_eq(m, "op=x acct=\"bob\" exe=\"/usr/sbin/guardctl\" hostname=host.example "
			    "addr=10.0.0.1 terminal=pts/3 res=success");
	free(m);
	/* A hostile exe is hex; hostile host and terminal names are "?"; no
	 * address is "?", never resolved. */
	cr_assert_eq(guard_audit_user_text("op=x", "/tmp/a b\"", "h x", NULL, "pts/3 res=success",
					   false, &m),
		     0);
	cr_expect_str_eq(m, "op=x exe=2F746D702F61206222 hostname=? addr=? terminal=? res=failed");
	free(m);
	cr_assert_eq(guard_audit_user_text("op=x", NULL, NULL, "", NULL, false, &m), 0);
	cr_expect_str_eq(m, "op=x exe=\"?\" hostname=? addr=? terminal=? res=failed");
	free(m);
}

Test(events, relay_records_roundtrip_and_malformed)
{
	struct guard_events_relay r = {0};
	const uint8_t *data;
	size_t off = 0, n;
	uint32_t type;
	uint8_t kind;
	uint8_t bad[] = {'A', 1, 0, 0, 0, 9, 0, 0, 0, 'x'};

	guard_events_relay_add(&r, GUARD_RELAY_AUDIT, 1101, "op=a", 4);
	guard_events_relay_add(&r, GUARD_RELAY_JOURNAL, 0, "M\n\0\1", 4);
	cr_assert_not(r.failed);
	cr_assert_eq(guard_events_relay_next(r.buf, r.len, &off, &kind, &type, &data, &n), 1);
	cr_expect_eq(kind, GUARD_RELAY_AUDIT);
	cr_expect_eq(type, 1101u);
	cr_expect_eq(n, 4u);
	cr_expect_eq(memcmp(data, "op=a", 4), 0);
	cr_assert_eq(guard_events_relay_next(r.buf, r.len, &off, &kind, &type, &data, &n), 1);
	cr_expect_eq(kind, GUARD_RELAY_JOURNAL);
	cr_expect_eq(memcmp(data, "M\n\0\1", 4), 0);
	cr_expect_eq(guard_events_relay_next(r.buf, r.len, &off, &kind, &type, &data, &n), 0);
	/* A length past the end, a short header, an unknown kind. */
	off = 0;
	cr_expect_eq(guard_events_relay_next(bad, sizeof(bad), &off, &kind, &type, &data, &n), -1);
	off = 0;
	cr_expect_eq(guard_events_relay_next(bad, 5, &off, &kind, &type, &data, &n), -1);
	bad[0] = 'Z';
	bad[5] = 1;
	off = 0;
	cr_expect_eq(guard_events_relay_next(bad, sizeof(bad), &off, &kind, &type, &data, &n), -1);
	/* Past the bound a record is lost, and that is said. */
	guard_events_relay_add(&r, GUARD_RELAY_JOURNAL, 0, bad, GUARD_RELAY_MAX);
	cr_expect(r.failed);
	guard_events_relay_clear(&r);
}
