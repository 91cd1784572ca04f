/* What guardctl says: errors (held while the store's lock is held), a
 * subcommand's help, times as ISO 8601. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "guardctl.h"
#include "store.h"

/* The program name is a constant: argv[0] is the caller's to choose. */
#define PROGNAME "guardctl"

/* Messages said while a store transaction is open wait here: stderr may be
 * a pipe nobody reads or a terminal that stops us (SIGTTOU, ^S), and the
 * store's lock must not wait with it. They go out, in order, once the
 * transaction has ended (MUST 16 in libguard/store.c). In the decision
 * service one buffer serves every request: each request's flush, with no
 * transaction open, empties it into that request's sink. */
static char held[16384];
static size_t held_len;
static bool held_cut;

/* Where messages go: stderr, or in the decision service the text its
 * answer carries to guardctl's front (pam_guard/decided_guardctl.c). */
static FILE *sink;

FILE *guardctl_err(void)
{
	return sink ? sink : stderr;
}

void guardctl_output_to(FILE *f)
{
	sink = f;
}

void guardctl_output_flush(void)
{
	if (guard_store_txn_open())
		return;
	if (held_len > 0)
		(void)fwrite(held, 1, held_len, guardctl_err());
	if (held_cut)
		(void)fputs(PROGNAME ": (more messages were cut)\n", guardctl_err());
	held_len = 0;
	held_cut = false;
}

void guardctl_error(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (guard_store_txn_open()) {
		size_t room = sizeof(held) - held_len;

		n = snprintf(held + held_len, room, PROGNAME ": ");
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < room)
			n += vsnprintf(held + held_len + n, room - (size_t)n, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n + 1 < room) {
			held_len += (size_t)n;
			held[held_len++] = '\n';
		} else {
			held[held_len] = '\0';
			held_cut = true;
		}
		return;
	}
	guardctl_output_flush();
	fputs(PROGNAME ": ", guardctl_err());
	va_start(ap, fmt);
	vfprintf(guardctl_err(), fmt, ap);
	va_end(ap);
	fputc('\n', guardctl_err());
}

void guardctl_command_help(const struct guardctl_command *cmd, FILE *out)
{
	fprintf(out, "usage: %s\n\n%s", cmd->synopsis, cmd->text);
}

void guardctl_iso_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%s", "");
}
