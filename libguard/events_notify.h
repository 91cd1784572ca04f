/* The third place events go: the policy's notify programs (settings
 * notify, notify_user), for the events a person should hear of. */
#ifndef GUARD_EVENTS_NOTIFY_H
#define GUARD_EVENTS_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "events_format.h"

/* A notify program gets at most this long, then it is killed. */
#define GUARD_NOTIFY_TIMEOUT_S 5

/* Whether the event is one notify programs hear of: a request filed, an
 * approval or denial, an alert, break-glass, freeze, thaw, a lockout. */
bool guard_notify_wanted(const struct guard_event *e);

/* The event as one line of JSON (the journal's GUARD_* fields in lower
 * case without the prefix, and "message"), for the caller to free; NULL
 * when out of memory. */
char *guard_notify_json(const struct guard_event *e);

/* Runs each program (absolute paths) with json on stdin, as user (by
 * name; NULL: nobody), with an environment of PATH and LANG only, no other
 * fd, in a process of its own that this one never waits for: the caller
 * goes on at once. A program that fails or outlives GUARD_NOTIFY_TIMEOUT_S
 * (then killed) is reported to the system log. */
void guard_notify_run(char *const *programs, size_t n, const char *user, const char *json);

#endif
