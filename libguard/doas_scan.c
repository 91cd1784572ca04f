/* The part of doas.conf(5) that says who: the identity of each permit
 * rule ("permit nopass :ops as root"), read with OpenDoas's lexer rules:
 * words split at blanks, braces and "#"; quotes and backslashes make a
 * word literal (no keyword); a backslash continues a line; a comment runs
 * to the end of its line. deny rules grant nothing. */
#include "sudoers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

#define WORD_MAX 1024 /* doas's own limit on a word */

struct word {
	char text[WORD_MAX];
	bool literal; /* quoted or escaped: never a keyword */
};

struct lexer {
	const char *p, *end;
	unsigned line;
};

/* The next word of the current line into w: 1, 0 at the end of the line
 * (the newline taken), -1 at the end of the text. "{" and "}" are words. */
static int next_word(struct lexer *lx, struct word *w)
{
	for (;;) {
		size_t n = 0;
		bool quoted = false, escaped = false, any = false;

		w->literal = false;
		while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
			lx->p++;
		if (lx->p >= lx->end)
			return -1;
		if (*lx->p == '\n') {
			lx->p++;
			lx->line++;
			return 0;
		}
		if (*lx->p == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
			continue;
		}
		if (*lx->p == '{' || *lx->p == '}') {
			w->text[0] = *lx->p++;
			w->text[1] = '\0';
			return 1;
		}
		for (; lx->p < lx->end; lx->p++) {
			char c = *lx->p;

			if (c == '\\' && !escaped) {
				escaped = true;
				w->literal = true;
				continue;
			}
			if (c == '\n' && escaped) {
				escaped = false;
				lx->line++;
				continue;
			}
			if (c == '\n' ||
			    (!escaped && !quoted &&
			     (c == ' ' || c == '\t' || c == '{' || c == '}' || c == '#')))
				break;
			if (c == '"' && !escaped) {
				quoted = !quoted;
				w->literal = true;
				any = true;
				continue;
			}
			escaped = false;
			any = true;
			if (n + 1 < WORD_MAX)
				w->text[n++] = c;
		}
		w->text[n] = '\0';
		if (any)
			return 1;
		/* Only continuations: no word yet, read on. */
	}
}

static bool keyword(const struct word *w, const char *k)
{
	return !w->literal && strcmp(w->text, k) == 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A permit rule's identity: ":group", ":gid", "user" or "uid". */
static int add_identity(struct guard_sudoers_scan *s, const char *file, unsigned line,
			const char *ident)
{
	uint32_t id;

	if (ident[0] == ':') {
		if (all_digits(ident + 1))
			return guard_parse_id(ident + 1, &id) == 0
				   ? guard_sudoers_add(s, file, line, GUARD_SUDOERS_GID, NULL, id)
				   : 0;
		return ident[1]
			   ? guard_sudoers_add(s, file, line, GUARD_SUDOERS_GROUP, ident + 1, 0)
			   : 0;
	}
	if (all_digits(ident))
		return guard_parse_id(ident, &id) == 0
			   ? guard_sudoers_add(s, file, line, GUARD_SUDOERS_UID, NULL, id)
			   : 0;
	return ident[0] ? guard_sudoers_add(s, file, line, GUARD_SUDOERS_USER, ident, 0) : 0;
}

int guard_doas_scan(const char *file, const char *text, size_t len, struct guard_sudoers_scan *scan)
{
	static const char *const flags[] = {"nopass", "nolog", "persist", "keepenv"};
	enum { FIRST, OPTIONS, SETENV, REST } state = FIRST;
	struct lexer lx = {text, text + len, 1};
	struct word *w = malloc(sizeof(*w));
	unsigned line = 1;
	int got, r = 0;

	size_t first = scan->n_grants;

	if (!w)
		return -ENOMEM;
	while (r == 0 && (got = next_word(&lx, w)) >= 0) {
		bool flag = false;

		if (got == 0) { /* a new line, a new rule */
			state = FIRST;
			continue;
		}
		switch (state) {
		case FIRST:
			line = lx.line;
			state = keyword(w, "permit") ? OPTIONS : REST;
			break;
		case OPTIONS:
			for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
				flag = flag || keyword(w, flags[f]);
			if (keyword(w, "setenv"))
				state = SETENV;
			else if (!flag) {
				r = add_identity(scan, file, line, w->text);
				state = REST;
			}
			break;
		case SETENV:
			if (keyword(w, "}"))
				state = OPTIONS;
			break;
		case REST:
			break;
		}
	}
	free(w);
	for (size_t i = first; i < scan->n_grants; i++)
		scan->grants[i].doas = true;
	return r;
}
