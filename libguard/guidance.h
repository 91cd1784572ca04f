/* What a person reads when Guard refuses: the one-or-two-line guidance that
 * guardctl prints on stderr and pam_guard sends as PAM_ERROR_MSG, and the
 * full explanation of `guardctl explain`. Pure: no clock, no I/O. */
#ifndef GUARD_GUIDANCE_H
#define GUARD_GUIDANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text.h"
#include "tz.h"

struct guard_policy;
struct guard_request;
struct guard_verdict;

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
