/* One request in, one answer out: what the exec'd helper (helper.c) and
 * the decision service (decided.c) share. Every failure is an answer of
 * GUARD_RESULT_ERROR with its reason, which the module logs and refuses
 * on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "helper.h"
#include "wire.h"

static void fail(struct guard_wire_answer *ans, const char *why)
{
	free(ans->log);
	ans->result = GUARD_RESULT_ERROR;
	ans->log_priority = LOG_ERR;
	ans->log = strdup(why);
}

int guard_helper_answer(const uint8_t *msg, size_t len, uint32_t peer_pid, const char *refused,
			uint8_t **ret, size_t *ret_len)
{
	struct guard_wire_request req = {0};
	struct guard_wire_answer ans = {0};
	int r;

	*ret = NULL;
	*ret_len = 0;
	if (refused) {
		fail(&ans, refused);
	} else if (guard_wire_decode_request(msg, len, &req) < 0) {
		fail(&ans, "malformed request from pam_guard.so");
	} else if (peer_pid && req.host_pid != peer_pid) {
		/* The host's facts (its session, its terminal) are read by its
		 * pid: only the process that is asking can be the host. */
		fail(&ans, "the request names another process than the one that sent it");
	} else if (req.stage == GUARD_STAGE_GUARDCTL || req.stage == GUARD_STAGE_GUARDCTL_END) {
		fail(&ans, "a request of guardctl's front reached the PAM helper");
	} else {
		guard_helper_decide(&req, &ans);
	}
	if (!ans.guidance && ans.result == GUARD_RESULT_ERROR)
		ans.guidance = strdup("guard: refused: no decision could be made (the system log "
				      "says why).");
	r = guard_wire_encode_answer(&ans, ret, ret_len);
	if (r == -E2BIG) {
		/* A long guidance is cut by guidance.c; this is the last
		 * line of defence. */
		fail(&ans, "answer too long");
		free(ans.guidance);
		ans.guidance = NULL;
		r = guard_wire_encode_answer(&ans, ret, ret_len);
	}
	guard_wire_request_clear(&req);
	guard_wire_answer_clear(&ans);
	return r;
}
