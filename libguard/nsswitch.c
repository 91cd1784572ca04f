/* nsswitch.conf's group line, as glibc reads it (nss/nss_database.c): a
 * line is a database name, optional blanks, ':', then sources and
 * actions separated by blanks; '#' starts a comment anywhere. */
#include "nsswitch.h"

#include <string.h>

#define MAX_LINE 1024

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Does s (n bytes) begin with word? */
static bool begins(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	return n >= w && memcmp(s, word, w) == 0;
}

/* The sources of one line's group entry (s: after the colon, n bytes,
 * comment removed): files and systemd alone, at least one. */
static bool sources_walkable(const char *s, size_t n)
{
	size_t i = 0, words = 0;

	for (;;) {
		size_t start, len;

		while (i < n && blank(s[i]))
			i++;
		if (i == n)
			return words > 0;
		start = i;
		while (i < n && !blank(s[i]))
			i++;
		len = i - start;
		if (!((len == 5 && memcmp(s + start, "files", 5) == 0) ||
		      (len == 7 && memcmp(s + start, "systemd", 7) == 0)))
			return false;
		words++;
	}
}

bool guard_nsswitch_group_walkable(const char *text, size_t len)
{
	bool seen = false;
	size_t at = 0;

	if (!text || memchr(text, '\0', len))
		return false;
	while (at < len) {
		const char *line = text + at, *nl = memchr(line, '\n', len - at);
		size_t n = nl ? (size_t)(nl - line) : len - at, i = 0;
		const char *hash = memchr(line, '#', n);

		at += n + (nl ? 1 : 0);
		if (n > MAX_LINE)
			return false;
		if (hash)
			n = (size_t)(hash - line);
		while (i < n && blank(line[i]))
			i++;
		if (!begins(line + i, n - i, "group"))
			continue;
		i += 5;
		while (i < n && blank(line[i]))
			i++;
		if (i == n || line[i] != ':')
			continue; /* another database: "group_x", "groupx:" */
		seen = true;
		if (!sources_walkable(line + i + 1, n - i - 1))
			return false;
	}
	return seen;
}
