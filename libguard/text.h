/* The bounded text buffer that reasons, guidance and events are written
 * with: printf-style text, escaped names, times as a person reads them in
 * the policy's zone, command lines as a person would retype them. Pure: no
 * clock, no I/O. */
#ifndef GUARD_TEXT_H
#define GUARD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tz.h"

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

/* The local time of utc in tz (UTC without a zone, or past its range);
 * returns the name of the zone used, for messages. */
const char *guard_text_localtime(const struct guard_tz *tz, int64_t utc,
				 struct guard_localtime *lt);

#endif
