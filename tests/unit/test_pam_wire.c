/* The messages between pam_guard.so and guard-pam-helper: round trips,
 * absent versus empty fields, limits, and every malformed input refused. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static void roundtrip_request(const struct guard_wire_request *in, struct guard_wire_request *out)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	cr_assert_eq(guard_wire_encode_request(in, &buf, &len), 0);
	cr_assert_eq(guard_wire_decode_request(buf, len, out), 0);
	free(buf);
}

static void expect_str(const char *want, const char *got)
{
	if (!want)
		cr_expect_null(got);
	else
		cr_expect_str_eq(got, want);
}

Test(pam_wire, request_roundtrip)
{
	struct guard_wire_request in = {
	    .stage = GUARD_STAGE_SESSION,
	    .flags = GUARD_WIRE_F_MONITOR | GUARD_WIRE_F_DEBUG,
	    .ruid = 4294967295u,
	    .host_pid = 4242,
	    .service = "sudo",
	    .user = "root",
	    .ruser = "",
	    .rhost = NULL,
	    .tty = "/dev/pts/3",
	    .config = "/etc/guard/test.conf",
	    .action = "role.escalate",
	};
	struct guard_wire_request out;

	roundtrip_request(&in, &out);
	cr_expect_eq(out.stage, GUARD_STAGE_SESSION);
	cr_expect_eq(out.flags, GUARD_WIRE_F_MONITOR | GUARD_WIRE_F_DEBUG);
	cr_expect_eq(out.ruid, 4294967295u);
	cr_expect_eq(out.host_pid, 4242u);
	expect_str("sudo", out.service);
	expect_str("root", out.user);
	expect_str("", out.ruser);   /* empty stays empty */
	expect_str(NULL, out.rhost); /* absent stays absent */
	expect_str("/dev/pts/3", out.tty);
	expect_str("/etc/guard/test.conf", out.config);
	expect_str("role.escalate", out.action);
	guard_wire_request_clear(&out);
}

Test(pam_wire, hostile_strings_survive_unchanged)
{
	static char big[65537];
	const char *values[] = {"a\nb", "x acct=root res=success", "\x1b[2J\xc2\x85", big};

	memset(big, 'a', sizeof(big) - 1);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct guard_wire_request in = {.stage = GUARD_STAGE_AUTH,
						.user = (char *)values[i]};
		struct guard_wire_request out;

		roundtrip_request(&in, &out);
		expect_str(values[i], out.user);
		guard_wire_request_clear(&out);
	}
}

Test(pam_wire, answer_roundtrip)
{
	struct guard_wire_answer in = {
	    .result = GUARD_RESULT_DENY,
	    .log_priority = 5,
	    .guidance = "guard: denied: role.escalate to root\n  Next: ask a member of %admins.",
	    .log = NULL,
	};
	struct guard_wire_answer out;
	uint8_t *buf = NULL;
	size_t len = 0;

	cr_assert_eq(guard_wire_encode_answer(&in, &buf, &len), 0);
	cr_assert_eq(guard_wire_decode_answer(buf, len, &out), 0);
	cr_expect_eq(out.result, GUARD_RESULT_DENY);
	cr_expect_eq(out.log_priority, 5);
	expect_str(in.guidance, out.guidance);
	cr_expect_null(out.log);
	guard_wire_answer_clear(&out);
	free(buf);
}

Test(pam_wire, too_long_is_refused)
{
	char *huge = malloc(GUARD_WIRE_MAX_FIELD + 2);
	struct guard_wire_request req = {.stage = GUARD_STAGE_AUTH, .user = huge};
	struct guard_wire_answer ans = {.result = GUARD_RESULT_DENY};
	uint8_t *buf = NULL;
	size_t len = 0;

	cr_assert_not_null(huge);
	memset(huge, 'x', GUARD_WIRE_MAX_FIELD + 1);
	huge[GUARD_WIRE_MAX_FIELD + 1] = '\0';
	cr_expect_eq(guard_wire_encode_request(&req, &buf, &len), -E2BIG);
	huge[GUARD_WIRE_MAX_FIELD] = '\0';
	cr_expect_eq(guard_wire_encode_request(&req, &buf, &len), 0);
	free(buf);
	huge[GUARD_WIRE_MAX_ANSWER] = '\0';
	ans.guidance = huge;
	cr_expect_eq(guard_wire_encode_answer(&ans, &buf, &len), -E2BIG);
	free(huge);
}

/* A valid request to corrupt. */
static uint8_t *sample(size_t *len)
{
	struct guard_wire_request in = {
	    .stage = GUARD_STAGE_ACCOUNT, .service = "su", .user = "bob"};
	uint8_t *buf = NULL;

	cr_assert_eq(guard_wire_encode_request(&in, &buf, len), 0);
	return buf;
}

static int decode(const uint8_t *buf, size_t len)
{
	struct guard_wire_request out;
	int r = guard_wire_decode_request(buf, len, &out);

	if (r == 0)
		guard_wire_request_clear(&out);
	else
		cr_expect_null(out.user); /* nothing left behind on failure */
	return r;
}

Test(pam_wire, malformed_requests)
{
	size_t len;
	uint8_t *buf = sample(&len), *copy = malloc(len + 16);
	struct guard_wire_answer ans = {.result = GUARD_RESULT_ALLOW};
	uint8_t *abuf = NULL;
	size_t alen = 0;

	cr_assert_not_null(copy);
	cr_expect_eq(decode(buf, len), 0);
	cr_expect_eq(decode(NULL, 0), -EBADMSG);
	/* every truncation */
	for (size_t n = 0; n < len; n++)
		cr_expect_eq(decode(buf, n), -EBADMSG, "truncated to %zu bytes", n);
	/* trailing bytes */
	memcpy(copy, buf, len);
	copy[len] = 0;
	cr_expect_eq(decode(copy, len + 1), -EBADMSG);
	/* bad magic, version bytes, kind */
	memcpy(copy, buf, len);
	copy[0] ^= 1;
	cr_expect_eq(decode(copy, len), -EBADMSG);
	memcpy(copy, buf, len);
	copy[6] = 1;
	cr_expect_eq(decode(copy, len), -EBADMSG);
	cr_assert_eq(guard_wire_encode_answer(&ans, &abuf, &alen), 0);
	cr_expect_eq(decode(abuf, alen), -EBADMSG, "an answer is not a request");
	free(abuf);
	/* the stage field (tag 1, length 4, value) out of range */
	memcpy(copy, buf, len);
	copy[GUARD_WIRE_HEADER_SIZE + 6] = 9;
	cr_expect_eq(decode(copy, len), -EBADMSG);
	/* an unknown tag, a repeated tag */
	memcpy(copy, buf, len);
	copy[GUARD_WIRE_HEADER_SIZE] = 0x77;
	cr_expect_eq(decode(copy, len), -EBADMSG);
	memcpy(copy, buf, len);
	copy[GUARD_WIRE_HEADER_SIZE + 10] = 1; /* the second field (flags) claims tag 1 */
	cr_expect_eq(decode(copy, len), -EBADMSG);
	/* a NUL inside a string: the last bytes are "bob" */
	memcpy(copy, buf, len);
	copy[len - 2] = '\0';
	cr_expect_eq(decode(copy, len), -EBADMSG);
	/* a field length past the end */
	memcpy(copy, buf, len);
	copy[len - 3 - 4] = 0xff;
	cr_expect_eq(decode(copy, len), -EBADMSG);
	free(copy);
	free(buf);
}

Test(pam_wire, header_limits)
{
	uint8_t hdr[GUARD_WIRE_HEADER_SIZE] = {0x50, 0x47, 0x57, 0x31, 2, 0, 0, 0, 0, 0, 1, 0};
	enum guard_wire_kind kind;
	size_t body = 0;

	cr_expect_eq(guard_wire_header(hdr, 1u << 20, &kind, &body), 0);
	cr_expect_eq(kind, GUARD_WIRE_ANSWER);
	cr_expect_eq(body, 65536);
	cr_expect_eq(guard_wire_header(hdr, 65535, &kind, &body), -EBADMSG);
	hdr[4] = 3;
	cr_expect_eq(guard_wire_header(hdr, 1u << 20, &kind, &body), -EBADMSG);
}

Test(pam_wire, answer_result_out_of_range)
{
	struct guard_wire_answer in = {.result = 7}, out;
	uint8_t *buf = NULL;
	size_t len = 0;

	cr_assert_eq(guard_wire_encode_answer(&in, &buf, &len), 0);
	cr_expect_eq(guard_wire_decode_answer(buf, len, &out), -EBADMSG);
	cr_expect_eq(out.result, GUARD_RESULT_ERROR, "a bad answer reads as an error");
	free(buf);
}

/* sudo_guard.so's request: the run-as ids, the command and its argv. */
static struct guard_wire_request sudo_sample(char **argv, size_t argc)
{
	return (struct guard_wire_request){
	    .stage = GUARD_STAGE_SUDO,
	    .ruid = 1001,
	    .service = "sudo",
	    .tty = "/dev/pts/1",
	    .runas_uid = 0,
	    .runas_gid = 42,
	    .runas_groups = "0,42",
	    .command = "/usr/sbin/usermod",
	    .cwd = "/home/alice",
	    .argv = argv,
	    .argc = argc,
	    .env_unsafe = "LD_PRELOAD",
	};
}

Test(pam_wire, sudo_request_roundtrip)
{
	char *argv[] = {"usermod", "-aG", "", "sudo\n x", NULL};
	struct guard_wire_request in = sudo_sample(argv, 4), out;

	roundtrip_request(&in, &out);
	cr_expect_eq(out.stage, GUARD_STAGE_SUDO);
	cr_expect_eq(out.ruid, 1001);
	cr_expect_eq(out.runas_uid, 0);
	cr_expect_eq(out.runas_gid, 42);
	expect_str("0,42", out.runas_groups);
	expect_str("/usr/sbin/usermod", out.command);
	expect_str("/home/alice", out.cwd);
	expect_str("LD_PRELOAD", out.env_unsafe);
	cr_assert_eq(out.argc, 4);
	for (size_t i = 0; i < 4; i++)
		expect_str(argv[i], out.argv[i]); /* an empty argument is kept */
	cr_expect_null(out.argv[4]);
	guard_wire_request_clear(&out);
}

Test(pam_wire, sudo_fields_only_in_a_sudo_request)
{
	char *argv[] = {"id", NULL};
	struct guard_wire_request in = sudo_sample(argv, 1), out;
	uint8_t *buf = NULL;
	size_t len = 0;

	cr_assert_eq(guard_wire_encode_request(&in, &buf, &len), 0);
	/* The same bytes with a PAM stage (the stage is the first field's
	 * value): the sudo fields are then refused. */
	buf[GUARD_WIRE_HEADER_SIZE + 6] = GUARD_STAGE_SESSION;
	cr_expect_eq(guard_wire_decode_request(buf, len, &out), -EBADMSG);
	free(buf);

	/* A sudo request without its command or argv. */
	in.command = NULL;
	cr_assert_eq(guard_wire_encode_request(&in, &buf, &len), 0);
	cr_expect_eq(guard_wire_decode_request(buf, len, &out), -EBADMSG);
	free(buf);
	in = sudo_sample(argv, 0);
	cr_assert_eq(guard_wire_encode_request(&in, &buf, &len), 0);
	cr_expect_eq(guard_wire_decode_request(buf, len, &out), -EBADMSG);
	free(buf);
}

Test(pam_wire, sudo_argv_too_long_is_refused)
{
	static char big[GUARD_WIRE_MAX_FIELD];
	char *argv[] = {"id", big, NULL};
	struct guard_wire_request in = sudo_sample(argv, 2);
	uint8_t *buf = NULL;
	size_t len = 0;

	memset(big, 'a', sizeof(big) - 1);
	cr_expect_eq(guard_wire_encode_request(&in, &buf, &len), -E2BIG);
	cr_expect_null(buf);
}

Test(pam_wire, guardctl_request_roundtrip)
{
	char *argv[] = {"usermod", "-c", "a b\tc", "", "bob", NULL};
	struct guard_wire_request in = {
	    .stage = GUARD_STAGE_GUARDCTL,
	    .ruid = 1001,
	    .host_pid = 77,
	    .argv = argv,
	    .argc = 5,
	    .reason = "ticket 42",
	};
	struct guard_wire_request end = {.stage = GUARD_STAGE_GUARDCTL_END, .wait_status = 9 << 8};
	struct guard_wire_request out;

	roundtrip_request(&in, &out);
	cr_expect_eq(out.stage, GUARD_STAGE_GUARDCTL);
	cr_expect_eq(out.ruid, 1001u);
	cr_expect_eq(out.host_pid, 77u);
	cr_assert_eq(out.argc, 5u);
	for (size_t i = 0; i < 5; i++)
		expect_str(argv[i], out.argv[i]);
	cr_expect_null(out.argv[5]);
	expect_str("ticket 42", out.reason);
	guard_wire_request_clear(&out);

	roundtrip_request(&end, &out);
	cr_expect_eq(out.stage, GUARD_STAGE_GUARDCTL_END);
	cr_expect_eq(out.wait_status, 9u << 8);
	cr_expect_null(out.argv);
	guard_wire_request_clear(&out);
}

/* Each stage carries its own fields only: a PAM item in guardctl's
 * request, a reason or an exit status in PAM's, an end without its
 * status, a guardctl request without argv. */
Test(pam_wire, guardctl_fields_only_in_guardctl_stages)
{
	char *argv[] = {"useradd", "x", NULL};
	struct guard_wire_request ctl = {.stage = GUARD_STAGE_GUARDCTL, .argv = argv, .argc = 2};
	struct guard_wire_request pam = {.stage = GUARD_STAGE_ACCOUNT, .service = "su"};
	struct guard_wire_request end = {.stage = GUARD_STAGE_GUARDCTL_END};
	struct guard_wire_request out;
	uint8_t *a = NULL, *b = NULL, *msg;
	size_t alen, blen, len;

	/* A PAM item added to guardctl's request. */
	ctl.service = "su";
	cr_assert_eq(guard_wire_encode_request(&ctl, &msg, &len), 0);
	cr_expect_eq(guard_wire_decode_request(msg, len, &out), -EBADMSG);
	free(msg);
	ctl.service = NULL;

	/* guardctl's reason field spliced into PAM's request. */
	ctl.reason = "r";
	cr_assert_eq(guard_wire_encode_request(&ctl, &a, &alen), 0);
	ctl.reason = NULL;
	cr_assert_eq(guard_wire_encode_request(&pam, &b, &blen), 0);
	{
		/* The reason field is the last of a's body: append it to b's. */
		const uint8_t *tail = a + alen - (6 + 1);
		uint8_t *joined = malloc(blen + 7);
		uint32_t body;

		cr_assert_not_null(joined);
		memcpy(joined, b, blen);
		memcpy(joined + blen, tail, 7);
		body = (uint32_t)(blen + 7 - GUARD_WIRE_HEADER_SIZE);
		for (int i = 0; i < 4; i++)
			joined[8 + i] = (uint8_t)(body >> (8 * i));
		cr_expect_eq(guard_wire_decode_request(joined, blen + 7, &out), -EBADMSG);
		free(joined);
	}
	free(a);
	free(b);

	/* An end is encoded with its status, so decodes; a guardctl request
	 * without argv does not. */
	cr_assert_eq(guard_wire_encode_request(&end, &msg, &len), 0);
	cr_expect_eq(guard_wire_decode_request(msg, len, &out), 0);
	guard_wire_request_clear(&out);
	free(msg);
	ctl.argv = NULL;
	ctl.argc = 0;
	cr_assert_eq(guard_wire_encode_request(&ctl, &msg, &len), 0);
	cr_expect_eq(guard_wire_decode_request(msg, len, &out), -EBADMSG);
	free(msg);
}

Test(pam_wire, guardctl_answer_roundtrip)
{
	char *argv[] = {"usermod", "-c", "x", "--", "bob", NULL};
	uint8_t events[] = {'A', 0, 0, 0, 0, 0, 0, 0, 0, '\0', 0xff};
	uint8_t end_events[] = {'J', 0, 0, 0, 0, 1, 0, 0, 0, 'x'};
	struct guard_wire_answer in = {
	    .result = GUARD_RESULT_ALLOW,
	    .guidance = "guard: allowed\n",
	    .log = "alice",
	    .exit_code = 0,
	    .run_flags = GUARD_WIRE_RUN_INTERACTIVE | GUARD_WIRE_RUN_AUDIT_REQUIRED,
	    .command = "/usr/sbin/usermod",
	    .argv = argv,
	    .argc = 5,
	    .events = events,
	    .events_len = sizeof(events),
	    .end_events = end_events,
	    .end_events_len = sizeof(end_events),
	};
	struct guard_wire_answer out;
	uint8_t *buf = NULL;
	size_t len = 0;

	cr_assert_eq(guard_wire_encode_answer(&in, &buf, &len), 0);
	cr_assert_eq(guard_wire_decode_answer(buf, len, &out), 0);
	free(buf);
	cr_expect_eq(out.result, GUARD_RESULT_ALLOW);
	cr_expect_eq(out.run_flags, GUARD_WIRE_RUN_INTERACTIVE | GUARD_WIRE_RUN_AUDIT_REQUIRED);
	expect_str("/usr/sbin/usermod", out.command);
	expect_str("alice", out.log);
	cr_assert_eq(out.argc, 5u);
	expect_str("bob", out.argv[4]);
	/* The events are bytes: NULs and all. */
	cr_assert_eq(out.events_len, sizeof(events));
	cr_expect_eq(memcmp(out.events, events, sizeof(events)), 0);
	/* The end's records given ahead, apart from the decision's. */
	cr_assert_eq(out.end_events_len, sizeof(end_events));
	cr_expect_eq(memcmp(out.end_events, end_events, sizeof(end_events)), 0);
	guard_wire_answer_clear(&out);

	/* Given ahead, they are at most a field long: a longer answer is not
	 * made. */
	in.end_events_len = GUARD_WIRE_MAX_FIELD + 1;
	in.end_events = calloc(1, in.end_events_len);
	cr_assert_not_null(in.end_events);
	cr_expect_eq(guard_wire_encode_answer(&in, &buf, &len), -E2BIG);
	free(in.end_events);

	/* A refusal: its exit status, no command. */
	in = (struct guard_wire_answer){.result = GUARD_RESULT_DENY, .exit_code = 2};
	cr_assert_eq(guard_wire_encode_answer(&in, &buf, &len), 0);
	cr_assert_eq(guard_wire_decode_answer(buf, len, &out), 0);
	free(buf);
	cr_expect_eq(out.exit_code, 2u);
	cr_expect_null(out.command);
	cr_expect_null(out.argv);
	cr_expect_null(out.events);
	cr_expect_null(out.end_events);
	guard_wire_answer_clear(&out);
}
