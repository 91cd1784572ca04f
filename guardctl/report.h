/* guardctl report: the period's decisions and the rest of Guard's record,
 * gathered once (cmd_report.c), counted (report_tally.c) and written as text,
 * JSON Lines or one HTML page (report_text.c, report_json.c, report_html.c). */
#ifndef GUARDCTL_REPORT_H
#define GUARDCTL_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "policy.h"
#include "store.h"

struct report {
	const struct guard_policy *policy;
	char host[256];
	int64_t since, until, now;
	struct guard_history_row *dec; /* one per action of a decision */
	size_t n_dec;		       /* up to until */
	size_t n_dec_read;	       /* all read (for freeing) */
	struct guard_report_row *rows; /* approvals, break-glass, freezes, lockouts, changes */
	size_t n_rows;
};

/* A count per name, in first-seen order, then sorted by count. */
struct tally {
	char name[128];
	unsigned allow, approve, deny;
};

/* Counts dec by the field pick gives (action, rule, actor); NULL names
 * count under "-". Returns the tallies (for free) and their number, most
 * first, or NULL when out of memory. */
struct tally *report_tally(const struct report *r,
			   const char *(*pick)(const struct guard_history_row *), size_t *ret_n);
const char *report_pick_action(const struct guard_history_row *h);
const char *report_pick_rule(const struct guard_history_row *h);
const char *report_pick_actor(const struct guard_history_row *h);

/* "pending", "approved" (also once run), "denied", "expired" (pending past
 * its expiry). */
const char *report_approval_status(const struct report *r, const struct guard_report_row *row);

/* ECS event.outcome of a decision: success, failure, unknown. */
const char *report_outcome(const char *decision);

void report_text(const struct report *r, FILE *out);
void report_json(const struct report *r, FILE *out);
void report_html(const struct report *r, FILE *out);

#endif
