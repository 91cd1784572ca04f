/* The part of sudoers(5) that says who: the user list that opens a user
 * specification ("alice, %ops ALL = ..."), User_Alias definitions, and
 * the include lines. Everything else on a line (hosts, Runas, commands,
 * tags) grants nothing to anyone not named on its left. */
#include "sudoers.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "numparse.h"

/* Longer than any account name the shadow tools accept: such an item can
 * name no account, so it is skipped, never cut to a shorter one. */
#define ITEM_MAX 512

struct cursor {
	const char *p, *end;
};

static void skip_blanks(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put(char *buf, size_t *n, bool *too_long, char ch)
{
	if (*n + 1 < ITEM_MAX)
		buf[(*n)++] = ch;
	else
		*too_long = true;
}

/* One list item into buf, unquoted and unescaped ("\x20" too). Returns
 * its length, 0 when there is none here, or ITEM_MAX when it is too long
 * to be a name. sudo drops the blanks after a "!". */
static size_t read_item(struct cursor *c, char *buf)
{
	size_t n = 0;
	bool quoted = false, too_long = false;

	while (c->p < c->end && *c->p == '!') {
		put(buf, &n, &too_long, '!');
		c->p++;
		skip_blanks(c);
	}
	while (c->p < c->end) {
		char ch = *c->p;

		if (ch == '"') {
			quoted = !quoted;
			c->p++;
			continue;
		}
		/* "%:group" is a non-Unix group, not a separator. */
		if (!quoted && (ch == ' ' || ch == '\t' || ch == ',' || ch == '=' || ch == '(' ||
				ch == ')' || (ch == ':' && !(n == 1 && buf[0] == '%'))))
			break;
		if (ch == '\\' && c->p + 3 < c->end && c->p[1] == 'x' && hex_digit(c->p[2]) >= 0 &&
		    hex_digit(c->p[3]) >= 0) {
			ch = (char)(hex_digit(c->p[2]) * 16 + hex_digit(c->p[3]));
			c->p += 3;
		} else if (ch == '\\' && c->p + 1 < c->end) {
			ch = *++c->p;
		}
		put(buf, &n, &too_long, ch);
		c->p++;
	}
	buf[n] = '\0';
	return too_long ? ITEM_MAX : n;
}

int guard_sudoers_add(struct guard_sudoers_scan *s, const char *file, unsigned line,
		      enum guard_sudoers_kind kind, const char *name, uint32_t id)
{
	struct guard_sudoers_grant *grown, *g;

	if (s->n_grants >= GUARD_SUDOERS_MAX_GRANTS)
		return -E2BIG;
	grown = realloc(s->grants, (s->n_grants + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	s->grants = grown;
	g = &grown[s->n_grants];
	*g = (struct guard_sudoers_grant){.kind = kind,
					  .id = id,
					  .id_known = kind == GUARD_SUDOERS_UID ||
						      kind == GUARD_SUDOERS_GID,
					  .line = line};
	g->file = strdup(file);
	g->name = name ? strdup(name) : NULL;
	if (!g->file || (name && !g->name)) {
		free(g->file);
		free(g->name);
		return -ENOMEM;
	}
	s->n_grants++;
	return 0;
}

/* An item of a user list: "alice", "%ops", "%#1005", "#1001"; "!x",
 * "ALL" and netgroups add no name. An alias's name counts as a user's too:
 * sudo takes a name no User_Alias defines for the user of that name. A
 * non-Unix group ("%:ops") counts as the Unix group of its name: a group
 * plugin may map it so. */
static int add_item(struct guard_sudoers_scan *s, const char *file, unsigned line, const char *item)
{
	size_t bangs = 0;
	uint32_t id;

	while (item[bangs] == '!')
		bangs++;
	if (bangs % 2 == 1)
		return 0;
	item += bangs;
	if (!*item || strcmp(item, "ALL") == 0 || item[0] == '+')
		return 0;
	if (item[0] == '%') {
		if (item[1] == ':')
			item++;
		if (item[1] == '#')
			return guard_parse_id(item + 2, &id) == 0
				   ? guard_sudoers_add(s, file, line, GUARD_SUDOERS_GID, NULL, id)
				   : 0;
		return item[1] ? guard_sudoers_add(s, file, line, GUARD_SUDOERS_GROUP, item + 1, 0)
			       : 0;
	}
	if (item[0] == '#')
		return guard_parse_id(item + 1, &id) == 0
			   ? guard_sudoers_add(s, file, line, GUARD_SUDOERS_UID, NULL, id)
			   : 0;
	return guard_sudoers_add(s, file, line, GUARD_SUDOERS_USER, item, 0);
}

/* "a, b , c": the items up to the first one no comma follows. */
static int add_list(struct guard_sudoers_scan *s, const char *file, unsigned line, struct cursor *c)
{
	char item[ITEM_MAX];

	for (;;) {
		size_t n;
		int r;

		skip_blanks(c);
		n = read_item(c, item);
		if (n == 0)
			return 0;
		if (n < ITEM_MAX) {
			r = add_item(s, file, line, item);
			if (r < 0)
				return r;
		}
		skip_blanks(c);
		if (c->p >= c->end || *c->p != ',')
			return 0;
		c->p++;
	}
}

/* "User_Alias NAME = list [: NAME = list]...". */
static int add_aliases(struct guard_sudoers_scan *s, const char *file, unsigned line,
		       struct cursor *c)
{
	char name[ITEM_MAX];
	int r;

	for (;;) {
		skip_blanks(c);
		if (read_item(c, name) == 0)
			return 0;
		skip_blanks(c);
		if (c->p >= c->end || *c->p != '=')
			return 0;
		c->p++;
		r = add_list(s, file, line, c);
		if (r < 0)
			return r;
		skip_blanks(c);
		if (c->p >= c->end || *c->p != ':')
			return 0;
		c->p++;
	}
}

static bool starts_word(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && memcmp(p, word, n) == 0;
}

/* "@include PATH", "@includedir DIR" and the older "#include" forms. */
static int add_include(struct guard_sudoers_scan *s, const char *file, unsigned line,
		       struct cursor *c, bool dir)
{
	struct guard_sudoers_include *grown, *inc;
	char path[ITEM_MAX];
	const char *slash;
	size_t n;

	skip_blanks(c);
	n = read_item(c, path);
	if (n == 0 || n >= ITEM_MAX)
		return 0;
	grown = realloc(s->includes, (s->n_includes + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	s->includes = grown;
	inc = &grown[s->n_includes];
	*inc = (struct guard_sudoers_include){.dir = dir, .line = line};
	/* sudo resolves a relative path against the including file's
	 * directory. */
	slash = strrchr(file, '/');
	if (path[0] == '/' || !slash)
		inc->path = strdup(path);
	else if (asprintf(&inc->path, "%.*s/%s", (int)(slash - file), file, path) < 0)
		inc->path = NULL;
	if (!inc->path)
		return -ENOMEM;
	s->n_includes++;
	return 0;
}

/* "@include" or "#include" (or ...dir), then a blank. */
static bool is_include(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return end - p > (ptrdiff_t)(n + 1) && (p[0] == '@' || p[0] == '#') &&
	       memcmp(p + 1, word, n) == 0 &&
	       (p[n + 1] == ' ' || p[n + 1] == '\t' || p[n + 1] == '"');
}

static bool is_keyword_end(const char *p, const char *end)
{
	return p >= end || *p == ' ' || *p == '\t' || *p == ':' || *p == '@' || *p == '!' ||
	       *p == '>';
}

/* One logical line (continuations joined, without its newline). */
static int scan_line(struct guard_sudoers_scan *s, const char *file, unsigned line, char *l,
		     size_t len)
{
	static const char *const no_grant[] = {"Host_Alias", "Runas_Alias", "Cmnd_Alias",
					       "Cmd_Alias"};
	struct cursor c = {l, l + len};

	skip_blanks(&c);
	if (is_include(c.p, c.end, "includedir")) {
		c.p += strlen("@includedir");
		return add_include(s, file, line, &c, true);
	}
	if (is_include(c.p, c.end, "include")) {
		c.p += strlen("@include");
		return add_include(s, file, line, &c, false);
	}
	if (c.p >= c.end)
		return 0;
	if (starts_word(c.p, c.end, "Defaults") && is_keyword_end(c.p + 8, c.end))
		return 0;
	for (size_t i = 0; i < sizeof(no_grant) / sizeof(no_grant[0]); i++)
		if (starts_word(c.p, c.end, no_grant[i]) &&
		    is_keyword_end(c.p + strlen(no_grant[i]), c.end))
			return 0;
	if (starts_word(c.p, c.end, "User_Alias") && is_keyword_end(c.p + 10, c.end)) {
		c.p += 10;
		return add_aliases(s, file, line, &c);
	}
	return add_list(s, file, line, &c);
}

/* Does a "#" at text[i] open a comment? Not before a digit (a uid, a
 * gid after "%"), nor as the "#include" that opens a line. */
static bool opens_comment(const char *text, size_t len, size_t i, bool line_start)
{
	if (i + 1 < len && text[i + 1] >= '0' && text[i + 1] <= '9')
		return false;
	return !(line_start && (is_include(text + i, text + len, "include") ||
				is_include(text + i, text + len, "includedir")));
}

int guard_sudoers_scan(const char *file, const char *text, size_t len,
		       struct guard_sudoers_scan *scan)
{
	char *l = malloc(len + 1);
	size_t i = 0;
	unsigned line = 1;
	int r = 0;

	if (!l)
		return -ENOMEM;
	while (r == 0 && i < len) {
		unsigned first = line;
		size_t n = 0;
		bool quoted = false, comment = false, blank_so_far = true;

		for (; i < len && text[i] != '\n'; i++) {
			char ch = text[i];
			size_t j = i + 1;

			if (comment) /* to the newline: no continuation in it */
				continue;
			if (ch == '\\') {
				/* A backslash, blanks, the newline: one line. */
				while (j < len &&
				       (text[j] == ' ' || text[j] == '\t' || text[j] == '\r'))
					j++;
				if (j < len && text[j] == '\n') {
					l[n++] = ' ';
					i = j;
					line++;
					continue;
				}
				/* Escaped: both bytes as they are, for read_item. */
				l[n++] = ch;
				if (i + 1 < len && text[i + 1] != '\n')
					l[n++] = text[++i];
				blank_so_far = false;
				continue;
			}
			if (ch == '"')
				quoted = !quoted;
			if (ch == '#' && !quoted && opens_comment(text, len, i, blank_so_far)) {
				comment = true;
				continue;
			}
			/* A NUL would end the line early for the string
			 * functions, a CR is a DOS line's end: blanks. */
			if (ch == '\0' || ch == '\r')
				ch = ' ';
			l[n++] = ch;
			if (ch != ' ' && ch != '\t')
				blank_so_far = false;
		}
		i++;
		line++;
		r = scan_line(scan, file, first, l, n);
	}
	free(l);
	return r;
}

void guard_sudoers_grants_free(struct guard_sudoers_grant *grants, size_t n)
{
	for (size_t i = 0; grants && i < n; i++) {
		free(grants[i].name);
		free(grants[i].file);
	}
	free(grants);
}

void guard_sudoers_scan_clear(struct guard_sudoers_scan *scan)
{
	if (!scan)
		return;
	guard_sudoers_grants_free(scan->grants, scan->n_grants);
	for (size_t i = 0; i < scan->n_includes; i++)
		free(scan->includes[i].path);
	free(scan->includes);
	*scan = (struct guard_sudoers_scan){0};
}

/* sudo 1.9's case_insensitive_user and _group are on by default: "%Ops"
 * grants the group ops. doas compares as written. */
static bool same_name(const struct guard_sudoers_grant *g, const char *name)
{
	return g->doas ? strcmp(g->name, name) == 0 : strcasecmp(g->name, name) == 0;
}

/* The first grant of the kinds given (a name's, an id's) that names name
 * or, when known, the id. */
static const struct guard_sudoers_grant *find(const struct guard_policy *p,
					      enum guard_sudoers_kind named,
					      enum guard_sudoers_kind numbered, const char *name,
					      bool id_known, uint32_t id)
{
	for (size_t i = 0; p && i < p->n_sudoers; i++) {
		const struct guard_sudoers_grant *g = &p->sudoers[i];

		if ((g->kind == named || g->kind == numbered) &&
		    ((id_known && g->id_known && g->id == id) ||
		     (g->name && name && same_name(g, name))))
			return g;
	}
	return NULL;
}

const struct guard_sudoers_grant *
guard_sudoers_group(const struct guard_policy *p, const char *group, bool gid_known, uint32_t gid)
{
	return find(p, GUARD_SUDOERS_GROUP, GUARD_SUDOERS_GID, group, gid_known, gid);
}

const struct guard_sudoers_grant *guard_sudoers_user(const struct guard_policy *p, const char *name,
						     bool uid_known, uint32_t uid)
{
	return find(p, GUARD_SUDOERS_USER, GUARD_SUDOERS_UID, name, uid_known, uid);
}

const struct guard_sudoers_grant *guard_sudoers_unheld(const struct guard_policy *p, bool gid)
{
	for (size_t i = 0; p && i < p->n_sudoers; i++) {
		const struct guard_sudoers_grant *g = &p->sudoers[i];

		if (g->kind == (gid ? GUARD_SUDOERS_GID : GUARD_SUDOERS_UID) && !g->name)
			return g;
	}
	return NULL;
}
