/* What a person reads when Guard refuses: the one-or-two-line guidance that
 * guardctl prints on stderr and pam_guard sends as PAM_ERROR_MSG, and the
 * full explanation of `guardctl explain`. Also the bounded text buffer the
 * evaluation writes its reasons with. Pure: no clock, no I/O. */
#ifndef GUARD_GUIDANCE_H
#define GUARD_GUIDANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tz.h"

struct guard_policy;
struct guard_request;
struct guard_verdict;

/* A fixed-size buffer that is always NUL-terminated; what does not fit is
 * cut and marked with "...". */
struct guard_text {
	char *buf;
	size_t size;
	size_t len;
	bool truncated;
};

/* Starts an empty text in buf (size >= 4). */
void guard_text_init(struct guard_text *t, char *buf, size_t size);

/* Appends printf-style text. Use only with trusted arguments: user text goes
 * through guard_text_escaped. */
void guard_text_add(struct guard_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends s with guard_escape's quoting; NULL appends "(none)". */
void guard_text_escaped(struct guard_text *t, const char *s);

/* Appends a time as a person reads it in the zone, relative to now: "11:40"
 * on the same local day, "Mon 08:00" within a week, "2026-04-01 08:00"
 * beyond; with_zone adds " Europe/Berlin". round_up moves a time with
 * seconds to the next minute: for a time from which something is possible,
 * so that a person who waits for it is not refused again. Without a zone,
 * or past its range, the time is written in UTC. */
void guard_text_time(struct guard_text *t, const struct guard_tz *tz, int64_t now, int64_t when,
		     bool round_up, bool with_zone);

/* Appends a command line as a person would retype it in a shell: arguments
 * quoted where needed, control and non-ASCII bytes escaped. It masks
 * nothing: pass the classifier's shown_argv, whose secret values are
 * masked already (the one masking, where the tool's grammar says). */
void guard_text_command(struct guard_text *t, int argc, char *const *argv);

#define GUARD_GUIDANCE_LINE_MAX 1024

/* Writes the guidance for a verdict into buf: "" when it allows without
 * break-glass; otherwise one or two lines joined by "\n", without a final
 * newline:
 *   guard: denied: ACTION of TARGET[ by rule "R"| by default]: REASON[ (rule
 *   "NEAR-MISS" allows LIST)].
 *     [MESSAGE][ Next: SAFE PATH.][ Also refused: ACTIONS (guardctl explain).]
 * "denied" is "approval needed" for approve, and "would be denied (monitor
 * mode)" / "would need approval (monitor mode)" in monitor mode; an action
 * passed by break-glass reads "guard: allowed by break-glass: ...". The
 * message is the deciding rule's, or the near miss's when the default
 * decided.
 * The action shown is the first whose decision is the verdict's. Returns
 * the length written (truncated to size - 1). */
size_t guard_guidance_line(const struct guard_verdict *v, char *buf, size_t size);

/* Renders the full explanation of a verdict for `guardctl explain`: the
 * request (actor, service, location, local time), the overall decision and
 * mode, then for every action its decision, rule, reason, message, near
 * misses and safe path. *ret is a NUL-terminated string for the caller to
 * free. Returns 0 or -ENOMEM. */
int guard_guidance_explain(const struct guard_policy *policy, const struct guard_request *request,
			   const struct guard_verdict *v, int64_t now, char **ret);

#endif
