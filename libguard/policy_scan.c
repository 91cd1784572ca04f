/* A first look at a policy file's text before libconfuse sees it: the
 * limits (size, line length, nesting), the bytes Guard refuses ("${", which
 * libconfuse would expand from the caller's environment; NUL), the line of
 * every section header (libconfuse keeps no line numbers), and options set
 * twice in one block (libconfuse would keep the last silently). */
#include "policy_scan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const section_words[GUARD_SECTION_COUNT] = {
    [GUARD_SECTION_SETTINGS] = "settings", [GUARD_SECTION_RULE] = "rule",
    [GUARD_SECTION_WATCH] = "watch",	   [GUARD_SECTION_SERVICE] = "service",
    [GUARD_SECTION_COMMAND] = "command",
};

void guard_scan_clear(struct guard_scan *s)
{
	for (int k = 0; k < GUARD_SECTION_COUNT; k++)
		free(s->lines[k]);
	free(s->blocks);
	free(s->clean);
	memset(s, 0, sizeof(*s));
}

static int push_block(struct guard_scan *s, int kind, unsigned line, size_t offset)
{
	if (s->n[kind] == s->cap[kind]) {
		size_t cap = s->cap[kind] ? s->cap[kind] * 2 : 16;
		unsigned *l = realloc(s->lines[kind], cap * sizeof(*l));
		struct guard_scan_block *b;
		size_t total = 0;

		if (!l)
			return -ENOMEM;
		s->lines[kind] = l;
		s->cap[kind] = cap;
		for (int k = 0; k < GUARD_SECTION_COUNT; k++)
			total += s->cap[k];
		b = realloc(s->blocks, total * sizeof(*b));
		if (!b)
			return -ENOMEM;
		s->blocks = b;
	}
	s->lines[kind][s->n[kind]++] = line;
	s->blocks[s->n_blocks++] =
	    (struct guard_scan_block){offset, line, (enum guard_section)kind};
	return 0;
}

/* The options seen in the block being read, to refuse one set twice. */
struct seen {
	char names[32][32];
	unsigned lines[32];
	unsigned n;
};

static int check_twice(struct seen *seen, const char *word, size_t len, unsigned line,
		       const char *file, struct guard_error *err)
{
	if (len >= sizeof(seen->names[0]))
		return 0; /* not an option name; libconfuse will refuse it */
	for (unsigned i = 0; i < seen->n; i++)
		if (strlen(seen->names[i]) == len && memcmp(seen->names[i], word, len) == 0) {
			guard_error_set(err, file, line,
					"option '%s' is set twice in this block (first on line %u)",
					seen->names[i], seen->lines[i]);
			return -EINVAL;
		}
	if (seen->n < 32) {
		memcpy(seen->names[seen->n], word, len);
		seen->names[seen->n][len] = '\0';
		seen->lines[seen->n++] = line;
	}
	return 0;
}

static int raw_checks(const char *file, const char *text, size_t len, struct guard_error *err)
{
	unsigned line = 1;
	size_t col = 0;

	if (len > GUARD_POLICY_MAX_FILE_BYTES) {
		guard_error_set(err, file, 0, "file is larger than %u bytes",
				GUARD_POLICY_MAX_FILE_BYTES);
		return -EFBIG;
	}
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			line++;
			col = 0;
			continue;
		}
		if (++col > GUARD_POLICY_MAX_LINE_BYTES) {
			guard_error_set(err, file, line, "line is longer than %u bytes",
					GUARD_POLICY_MAX_LINE_BYTES);
			return -EINVAL;
		}
		if (text[i] == '\0') {
			guard_error_set(err, file, line, "NUL byte in policy text");
			return -EINVAL;
		}
		if (text[i] == '$' && i + 1 < len && text[i + 1] == '{') {
			guard_error_set(err, file, line,
					"'${' is not allowed: the policy never reads the "
					"environment (write the value itself)");
			return -EINVAL;
		}
	}
	return 0;
}

/* A block keyword at the top level starts a block: note where. */
static int note_keyword(struct guard_scan *s, const char *word, size_t len, unsigned line,
			size_t offset, int *pending)
{
	for (int k = 0; k < GUARD_SECTION_COUNT; k++)
		if (strlen(section_words[k]) == len && memcmp(section_words[k], word, len) == 0) {
			*pending = k;
			return push_block(s, k, line, offset);
		}
	return 0;
}

static bool is_word_byte(char c)
{
	return !strchr(" #\"'\t\n\r={}()+*,", c) && c != '\0';
}

int guard_scan_text(const char *file, const char *text, size_t len, struct guard_scan *ret,
		    struct guard_error *err)
{
	struct guard_scan s = {0};
	struct seen top = {0}, block = {0};
	unsigned line = 1, depth = 0;
	/* Tokens since the last '{', '}' or option at depth 0 or 1. */
	int pending_section = -1;
	bool after_value_sep = false; /* the next token is a value, not a keyword */
	const char *last_word = NULL;
	size_t last_len = 0;
	unsigned last_line = 0;
	size_t i = 0;
	int r;

	r = raw_checks(file, text, len, err);
	if (r < 0)
		return r;
	s.clean = malloc(len + 1);
	if (!s.clean) {
		guard_error_set(err, file, 0, "out of memory");
		return -ENOMEM;
	}
	memcpy(s.clean, text, len);
	s.clean[len] = '\0';

	while (i < len) {
		char c = text[i];

		if (c == '\n') {
			line++;
			i++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			i++;
		} else if (c == '#' || (c == '/' && i + 1 < len && text[i + 1] == '/')) {
			while (i < len && text[i] != '\n')
				s.clean[i++] = ' ';
		} else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			unsigned at = line;

			s.clean[i] = s.clean[i + 1] = ' ';
			for (i += 2;
			     i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/');
			     i++) {
				if (text[i] == '\n')
					line++;
				else
					s.clean[i] = ' ';
			}
			if (i >= len) {
				guard_error_set(err, file, at, "comment is not terminated");
				guard_scan_clear(&s);
				return -EINVAL;
			}
			s.clean[i] = s.clean[i + 1] = ' ';
			i += 2;
		} else if (c == '"' || c == '\'') {
			const char *start = text + i + 1;
			unsigned at = line;

			for (i++; i < len && text[i] != c; i++) {
				if (text[i] == '\\' && i + 1 < len)
					i++;
				if (text[i] == '\n')
					line++;
			}
			if (i >= len) {
				guard_error_set(err, file, at, "string is not terminated");
				guard_scan_clear(&s);
				return -EINVAL;
			}
			last_word = start;
			last_len = (size_t)(text + i - start);
			last_line = at;
			i++;
			if (depth == 0 && !after_value_sep) {
				r = note_keyword(&s, start, last_len, at,
						 (size_t)(start - 1 - text), &pending_section);
				if (r < 0) {
					guard_error_set(err, file, 0, "out of memory");
					guard_scan_clear(&s);
					return r;
				}
			}
			after_value_sep = false;
		} else if (c == '{') {
			if (++depth > GUARD_POLICY_MAX_DEPTH) {
				guard_error_set(err, file, line, "blocks nested deeper than %u",
						GUARD_POLICY_MAX_DEPTH);
				guard_scan_clear(&s);
				return -EINVAL;
			}
			if (depth == 1 && pending_section >= 0)
				block.n = 0;
			after_value_sep = false;
			pending_section = -1;
			last_word = NULL;
			i++;
		} else if (c == '}') {
			if (depth == 0) {
				guard_error_set(err, file, line, "unexpected '}'");
				guard_scan_clear(&s);
				return -EINVAL;
			}
			depth--;
			after_value_sep = false;
			last_word = NULL;
			i++;
		} else if (c == '=' || (c == '+' && i + 1 < len && text[i + 1] == '=')) {
			/* "name =" sets an option; "+=" appends and may repeat. */
			if (c == '=' && last_word && depth <= 1) {
				r = check_twice(depth == 0 ? &top : &block, last_word, last_len,
						last_line, file, err);
				if (r < 0) {
					guard_scan_clear(&s);
					return r;
				}
			}
			last_word = NULL;
			after_value_sep = true;
			i += c == '=' ? 1 : 2;
		} else if (is_word_byte(c)) {
			size_t start = i;

			while (i < len && is_word_byte(text[i]) &&
			       !(text[i] == '/' && i + 1 < len &&
				 (text[i + 1] == '/' || text[i + 1] == '*')))
				i++;
			if (i == start)
				i++;
			last_word = text + start;
			last_len = i - start;
			last_line = line;
			if (depth == 0 && !after_value_sep) {
				r = note_keyword(&s, last_word, last_len, line, start,
						 &pending_section);
				if (r < 0) {
					guard_error_set(err, file, 0, "out of memory");
					guard_scan_clear(&s);
					return r;
				}
			}
			after_value_sep = false;
		} else if (c == '*' || c == '+') {
			/* libconfuse skips them without a word: "*rule" would be a
			 * rule this scan cannot place. They mean nothing here. */
			guard_error_set(err, file, line, "unexpected '%c'", c);
			guard_scan_clear(&s);
			return -EINVAL;
		} else {
			/* ',' '(' ')' */
			after_value_sep = c == ',';
			last_word = NULL;
			i++;
		}
	}
	if (depth > 0) {
		/* libconfuse would take a block cut short by the end of the file. */
		guard_error_set(err, file, line, "missing '}': a block is not closed");
		guard_scan_clear(&s);
		return -EINVAL;
	}
	*ret = s;
	return 0;
}

unsigned guard_scan_line(const struct guard_scan *s, enum guard_section kind, size_t index)
{
	if (index < s->n[kind])
		return s->lines[kind][index];
	return 0;
}
