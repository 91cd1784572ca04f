/* pam_guard.so: Guard's PAM module. Thin on purpose: it reads the PAM
 * items, hands them to the root-only helper in a short-lived child (see
 * child.c) and maps the answer to a PAM result. The policy parser, the
 * account look-ups, the store and the event sinks live in the helper, never
 * inside su, sudo or sshd. Nothing here keeps state outside the PAM handle,
 * writes to stdout or stderr, or exits.
 *
 *   pam_guard.so [config=FILE] [action=ACTION] [monitor] [debug]
 *
 * Results: allowed -> PAM_SUCCESS (PAM_IGNORE in auth, where a success
 * could end a `sufficient` stack); not Guard's business -> PAM_IGNORE;
 * refused, or anything that went wrong -> PAM_PERM_DENIED. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#define PAM_SM_PASSWORD
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "ask.h"
#include "wire.h"

#ifndef GUARD_PAM_HELPER
#define GUARD_PAM_HELPER "/usr/local/libexec/guard/guard-pam-helper"
#endif
#define GUARD_PAM_TIMEOUT_MS 5000
#define DECISION_DATA	     "pam_guard_decision"

struct options {
	const char *config;
	const char *action;
	bool monitor;
	bool debug;
};

/* The decision of this handle, and the inputs it was made for: a later
 * stage with the same inputs reuses it (a limit or an approval counts
 * once); different inputs (sudo's account stage names the caller, its
 * session stage the run-as user) are decided anew. */
struct decision {
	uint32_t result;
	uint8_t *key;
	size_t key_len;
};

static void decision_free(pam_handle_t *pamh, void *data, int error_status)
{
	struct decision *d = data;

	(void)pamh, (void)error_status;
	if (!d)
		return;
	free(d->key);
	free(d);
}

static void parse_options(pam_handle_t *pamh, int argc, const char **argv, struct options *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "config=", 7) == 0)
			ret->config = argv[i] + 7;
		else if (strncmp(argv[i], "action=", 7) == 0)
			ret->action = argv[i] + 7;
		else if (strcmp(argv[i], "monitor") == 0)
			ret->monitor = true;
		else if (strcmp(argv[i], "debug") == 0)
			ret->debug = true;
		else
			pam_syslog(pamh, LOG_ERR, "unknown option ignored: %s", argv[i]);
	}
}

static const char *item(pam_handle_t *pamh, int type)
{
	const void *p = NULL;

	if (pam_get_item(pamh, type, &p) != PAM_SUCCESS)
		return NULL;
	return p;
}

static const char *stage_name(enum guard_wire_stage stage)
{
	switch (stage) {
	case GUARD_STAGE_AUTH:
		return "auth";
	case GUARD_STAGE_ACCOUNT:
		return "account";
	case GUARD_STAGE_SESSION:
		return "session";
	case GUARD_STAGE_PASSWORD:
		return "password";
	case GUARD_STAGE_SUDO:
	case GUARD_STAGE_GUARDCTL:
	case GUARD_STAGE_GUARDCTL_END:
		break;
	}
	return "unknown";
}

static int to_pam(uint32_t result, enum guard_wire_stage stage)
{
	switch (result) {
	case GUARD_RESULT_ALLOW:
		return stage == GUARD_STAGE_AUTH ? PAM_IGNORE : PAM_SUCCESS;
	case GUARD_RESULT_IGNORE:
		return PAM_IGNORE;
	case GUARD_RESULT_DENY:
	case GUARD_RESULT_ERROR:
	default:
		return PAM_PERM_DENIED;
	}
}

static int log_priority(uint32_t p)
{
	return p <= LOG_DEBUG ? (int)p : LOG_ERR;
}

/* Shows text through the application's conversation function. A refusal
 * is shown even under PAM_SILENT (sudo passes it, and shows errors). */
static void tell(pam_handle_t *pamh, int style, const char *text)
{
	if (text && text[0])
		(void)pam_prompt(pamh, style, NULL, "%s", text);
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Asks the helper. Returns the result; on any failure GUARD_RESULT_ERROR
 * with the reason logged and a refusal shown. */
static uint32_t ask_helper(pam_handle_t *pamh, int flags, const struct options *o,
			   const uint8_t *req, size_t req_len, enum guard_wire_stage stage)
{
	struct guard_wire_answer ans = {0};
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[512] = "";
	int64_t start = now_us();
	uint32_t result = GUARD_RESULT_ERROR;
	int r;

	r = guard_ask(GUARD_PAM_HELPER, req, req_len, GUARD_WIRE_MAX_ANSWER, GUARD_PAM_TIMEOUT_MS,
		      &buf, &len, err, sizeof(err));
	if (r == 0 && guard_wire_decode_answer(buf, len, &ans) < 0) {
		r = -EBADMSG;
		snprintf(err, sizeof(err), "%s sent a malformed answer", GUARD_PAM_HELPER);
	}
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR, "refused: no decision: %s", err);
		tell(pamh, PAM_ERROR_MSG,
		     "guard: refused: no decision could be made (the system log says why).");
		goto out;
	}
	result = ans.result;
	if (ans.log && (o->debug || log_priority(ans.log_priority) < LOG_DEBUG))
		pam_syslog(pamh, log_priority(ans.log_priority), "%s", ans.log);
	if (result == GUARD_RESULT_DENY || result == GUARD_RESULT_ERROR)
		tell(pamh, PAM_ERROR_MSG, ans.guidance);
	else if (result == GUARD_RESULT_ALLOW && !(flags & PAM_SILENT))
		tell(pamh, PAM_TEXT_INFO, ans.guidance);
out:
	if (o->debug)
		pam_syslog(pamh, LOG_DEBUG, "%s: result %u in %lld us", stage_name(stage),
			   (unsigned)result, (long long)(now_us() - start));
	guard_wire_answer_clear(&ans);
	free(buf);
	return result;
}

static int decide(pam_handle_t *pamh, int flags, int argc, const char **argv,
		  enum guard_wire_stage stage)
{
	struct guard_wire_request req = {0};
	struct options o;
	const void *data = NULL;
	struct decision *d = NULL;
	uint8_t *key = NULL, *msg = NULL;
	size_t key_len = 0, msg_len = 0;
	uint32_t result = GUARD_RESULT_ERROR;
	int r;

	parse_options(pamh, argc, argv, &o);
	req.flags = (o.monitor ? GUARD_WIRE_F_MONITOR : 0) | (o.debug ? GUARD_WIRE_F_DEBUG : 0);
	req.ruid = (uint32_t)getuid();
	req.host_pid = (uint32_t)getpid();
	req.service = (char *)item(pamh, PAM_SERVICE);
	req.user = (char *)item(pamh, PAM_USER);
	req.ruser = (char *)item(pamh, PAM_RUSER);
	req.rhost = (char *)item(pamh, PAM_RHOST);
	req.tty = (char *)item(pamh, PAM_TTY);
	req.config = (char *)o.config;
	req.action = (char *)o.action;

	/* The key is the request as the first stage would send it. */
	req.stage = GUARD_STAGE_AUTH;
	r = guard_wire_encode_request(&req, &key, &key_len);
	req.stage = stage;
	if (r == 0)
		r = guard_wire_encode_request(&req, &msg, &msg_len);
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR, "refused: %s",
			   r == -E2BIG ? "a PAM item or argument is too long" : "out of memory");
		tell(pamh, PAM_ERROR_MSG, "guard: refused: the request cannot be read.");
		goto out;
	}

	if (pam_get_data(pamh, DECISION_DATA, &data) == PAM_SUCCESS && data) {
		const struct decision *prev = data;

		if (prev->key_len == key_len && memcmp(prev->key, key, key_len) == 0) {
			result = prev->result;
			if (o.debug)
				pam_syslog(pamh, LOG_DEBUG, "%s: result %u of an earlier stage",
					   stage_name(stage), (unsigned)result);
			goto out;
		}
	}

	result = ask_helper(pamh, flags, &o, msg, msg_len, stage);

	d = calloc(1, sizeof(*d));
	if (d) {
		d->result = result;
		d->key = key;
		d->key_len = key_len;
		key = NULL;
		if (pam_set_data(pamh, DECISION_DATA, d, decision_free) != PAM_SUCCESS)
			decision_free(pamh, d, 0);
	}
out:
	free(key);
	free(msg);
	return to_pam(result, stage);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return decide(pamh, flags, argc, argv, GUARD_STAGE_AUTH);
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	return PAM_IGNORE;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return decide(pamh, flags, argc, argv, GUARD_STAGE_ACCOUNT);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return decide(pamh, flags, argc, argv, GUARD_STAGE_SESSION);
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return decide(pamh, flags, argc, argv, GUARD_STAGE_PASSWORD);
}
