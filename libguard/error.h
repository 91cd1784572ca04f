/* Errors that name a place: policy and input errors carry file:line. */
#ifndef GUARD_ERROR_H
#define GUARD_ERROR_H

#include <stddef.h>

struct guard_error {
	char file[256]; /* "" when the error is not about a file */
	unsigned line;	/* 0 when unknown */
	char message[512];
};

/* Fills err (when not NULL) with a file, a line and a printf-style message.
 * The file and the message are truncated to fit; never fails. */
void guard_error_set(struct guard_error *err, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats err as "file:line: message", "file: message" or "message". */
void guard_error_format(const struct guard_error *err, char *buf, size_t size);

/* Copies s into buf (size > 0) with every byte outside printable ASCII,
 * and the backslash, written as \xHH: user text is quoted this way in every
 * message. Truncates with "..." when it does not fit. Returns buf. */
char *guard_escape(const char *s, char *buf, size_t size);

/* Like guard_escape, for text that may already hold guard_escape's quoting
 * (a message): only control bytes are written as \xHH. */
char *guard_escape_controls(const char *s, char *buf, size_t size);

#endif
