/* nsswitch.conf's group line, read as glibc 2.33 and later read it
 * (nss/nss_database.c, nss_action_parse.c): each line, blanks skipped, is
 * a database name up to a blank or ':', then blanks and colons, then the
 * sources, each a name up to a blank or '[' (an action); the last line
 * for a database wins. There are no comments but a line's first word:
 * "group: files # sss" names the sources "files", "#" and "sss". */
#include "nsswitch.h"

#include <string.h>

#define MAX_LINE 1024

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Is s (n bytes) exactly word? */
static bool is_word(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(s, word, n) == 0;
}

/* The sources after a group line's name (s, n bytes): "files" alone, or
 * "files systemd". systemd first would let the walk answer from files
 * for a name systemd has but does not list; an action ('[') anywhere,
 * any other source, or none: no. */
static bool sources_walkable(const char *s, size_t n)
{
	static const char *const order[] = {"files", "systemd"};
	size_t i = 0, words = 0;

	while (i < n && (blank(s[i]) || s[i] == ':'))
		i++;
	for (;;) {
		size_t start;

		while (i < n && blank(s[i]))
			i++;
		if (i == n)
			return words > 0;
		start = i;
		while (i < n && !blank(s[i]) && s[i] != '[')
			i++;
		if (words >= 2 || !is_word(s + start, i - start, order[words]))
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
		size_t n = nl ? (size_t)(nl - line) : len - at, i = 0, name;

		at += n + (nl ? 1 : 0);
		if (n > MAX_LINE)
			return false;
		while (i < n && blank(line[i]))
			i++;
		name = i;
		while (i < n && !blank(line[i]) && line[i] != ':')
			i++;
		if (!is_word(line + name, i - name, "group"))
			continue;
		if (!sources_walkable(line + i, n - i))
			return false;
		/* glibc skips a last line without its newline: it must be
		 * walkable too (another version may read it), but it alone
		 * is no group line. */
		seen = seen || nl;
	}
	return seen;
}
