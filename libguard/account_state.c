/* The account databases as verify sees them, and what changed (see
 * account_state.h). */
#include "account_state.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "sha256.h"

void guard_account_set_clear(struct guard_account_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].name);
		free(set->v[i].home);
		free(set->v[i].shell);
		free(set->v[i].members);
	}
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int guard_account_set_add(struct guard_account_set *set, const struct guard_account *a)
{
	struct guard_account *v = realloc(set->v, (set->n + 1) * sizeof(*v)), *c;

	if (!v)
		return -ENOMEM;
	set->v = v;
	c = &v[set->n];
	*c = *a;
	c->name = dup_or_empty(a->name);
	c->home = dup_or_empty(a->home);
	c->shell = dup_or_empty(a->shell);
	c->members = dup_or_empty(a->members);
	set->n++;
	if (!c->name || !c->home || !c->shell || !c->members)
		return -ENOMEM;
	return 0;
}

int guard_account_compare(const void *a, const void *b)
{
	const struct guard_account *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The same, entries of one name in file order (parsing only). */
static int compare_in_file_order(const void *a, const void *b)
{
	const struct guard_account *x = a, *y = b;
	int c = guard_account_compare(a, b);

	if (c == 0 && x->line != y->line)
		c = x->line < y->line ? -1 : 1;
	return c;
}

void guard_account_set_sort(struct guard_account_set *set)
{
	if (set->n > 1)
		qsort(set->v, set->n, sizeof(set->v[0]), guard_account_compare);
}

/* ---- Parsing ---- */

/* Splits line (modified) at ':' into at most max fields. Returns how many. */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ':') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static bool entry_line(const char *line)
{
	return line[0] && line[0] != '#' && line[0] != '+' && line[0] != '-';
}

static int compare_strs(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "b,a,,c" -> "a,b,c". Returns a new string or NULL. */
static char *sorted_members(const char *list)
{
	char *copy = strdup(list), **v = NULL, *out = NULL, *save = NULL;
	size_t n = 0, len = 0;

	if (!copy)
		return NULL;
	for (char *m = strtok_r(copy, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		char **nv = realloc(v, (n + 1) * sizeof(*v));

		if (!nv)
			goto out;
		v = nv;
		v[n++] = m;
		len += strlen(m) + 1;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), compare_strs);
	out = calloc(1, len + 1);
	for (size_t i = 0; out && i < n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, v[i]);
	}
out:
	free(v);
	free(copy);
	return out;
}

static enum guard_password_state password_state(const char *pw)
{
	if (!pw[0])
		return GUARD_PASSWORD_EMPTY;
	if (pw[0] == '!')
		return GUARD_PASSWORD_LOCKED;
	if (pw[0] == '*' || strcmp(pw, "x") == 0)
		return GUARD_PASSWORD_NONE;
	return GUARD_PASSWORD_SET;
}

/* The keyed hash of the password without its lock marks: locking and
 * unlocking keep it, a new password does not. */
static void password_mac(const char *pw, const uint8_t *key, char out[GUARD_ACCOUNT_MAC_HEX + 1])
{
	uint8_t d[GUARD_SHA256_LEN];
	char hex[2 * GUARD_SHA256_LEN + 1];

	while (*pw == '!')
		pw++;
	if (!pw[0] || pw[0] == '*') {
		out[0] = '\0';
		return;
	}
	guard_hmac_sha256(key, GUARD_ACCOUNT_KEY_LEN, pw, strlen(pw), d);
	guard_sha256_hex(d, hex);
	memcpy(out, hex, GUARD_ACCOUNT_MAC_HEX);
	out[GUARD_ACCOUNT_MAC_HEX] = '\0';
}

/* The password field of name in a shadow or gshadow text, or NULL. */
static const char *find_secret(const char *text, const char *name, char *buf, size_t size)
{
	size_t nl = strlen(name);

	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, '\n'), *colon;
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *pw = p + nl + 1;
			size_t pl;

			colon = memchr(pw, ':', len - nl - 1);
			pl = colon ? (size_t)(colon - pw) : len - nl - 1;
			if (pl >= size)
				pl = size - 1;
			memcpy(buf, pw, pl);
			buf[pl] = '\0';
			return buf;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

static void fill_password(struct guard_account *a, const char *own, const char *secrets,
			  const uint8_t *key)
{
	char buf[1024];
	const char *pw = NULL;

	/* As pam_unix reads it: the passwd (group) field itself unless it is
	 * "x", which sends it to shadow (gshadow). */
	if (own && strcmp(own, "x") != 0)
		pw = own;
	else if (secrets)
		pw = find_secret(secrets, a->name, buf, sizeof(buf));
	if (!pw) {
		a->password = GUARD_PASSWORD_UNKNOWN;
		a->mac[0] = '\0';
		return;
	}
	a->password = password_state(pw);
	password_mac(pw, key, a->mac);
	memset(buf, 0, sizeof(buf));
}

/* An id as glibc's files module reads it: leading blanks, a sign and zeros
 * allowed ("00", " +0" are 0), digits up to the field's end. */
static bool glibc_id(const char *s, uint32_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > UINT32_MAX || strchr(s, '-'))
		return false;
	*ret = (uint32_t)v;
	return true;
}

/* A line that is no entry Guard can read, and not a comment: glibc may
 * still make an account of it (a NIS "+" line, a short line). It is kept
 * as an entry "?<hash>" (a keyed hash of the line: stable when other lines
 * move, no secret in the store), so that its coming and going is
 * reported. */
static int unparsed(const char *line, unsigned lineno, enum guard_account_kind kind,
		    const uint8_t *key, struct guard_account_set *set)
{
	struct guard_account a = {.kind = kind, .line = lineno, .password = GUARD_PASSWORD_UNKNOWN};
	uint8_t d[GUARD_SHA256_LEN];
	char hex[2 * GUARD_SHA256_LEN + 1], name[20];

	guard_hmac_sha256(key, GUARD_ACCOUNT_KEY_LEN, line, strlen(line), d);
	guard_sha256_hex(d, hex);
	snprintf(name, sizeof(name), "?%.16s", hex);
	a.name = name;
	a.home = (char *)"(a line that is no entry)";
	a.members = (char *)"";
	return guard_account_set_add(set, &a);
}

/* One line of passwd (users) or group (groups). Returns 0 (also for a
 * line that is no entry) or -ENOMEM. */
static int parse_line(char *line, unsigned lineno, enum guard_account_kind kind,
		      const char *secrets, const uint8_t *key, struct guard_account_set *set)
{
	char *f[7], *whole;
	size_t n;
	struct guard_account a = {.kind = kind, .line = lineno};
	uint32_t id, gid = 0;
	int r;

	if (!line[0] || line[0] == '#')
		return 0;
	whole = strdup(line);
	if (!whole)
		return -ENOMEM;
	n = split(line, f, 7);
	if (n < (kind == GUARD_ACCOUNT_USER ? 7u : 4u) || !glibc_id(f[2], &id) ||
	    (kind == GUARD_ACCOUNT_USER && !glibc_id(f[3], &gid)) || !entry_line(whole)) {
		r = unparsed(whole, lineno, kind, key, set);
		free(whole);
		return r;
	}
	free(whole);
	a.name = f[0];
	a.id = id;
	if (kind == GUARD_ACCOUNT_USER) {
		a.gid = gid;
		a.home = f[5];
		a.shell = f[6];
	} else {
		a.members = sorted_members(f[3]);
		if (!a.members)
			return -ENOMEM;
	}
	fill_password(&a, f[1], secrets, key);
	r = guard_account_set_add(set, &a);
	if (kind == GUARD_ACCOUNT_GROUP)
		free(a.members);
	return r;
}

static int parse_file(const char *text, enum guard_account_kind kind, const char *secrets,
		      const uint8_t *key, struct guard_account_set *set)
{
	char *copy = strdup(text ? text : ""), *save = NULL;
	unsigned lineno = 0;
	int r = copy ? 0 : -ENOMEM;

	for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; r == 0 && line;
	     line = strtok_r(NULL, "\n", &save))
		r = parse_line(line, ++lineno, kind, secrets, key, set);
	free(copy);
	return r;
}

/* The second and later entries of a name, renamed "NAME:N": no name read
 * from a file holds a ':', so no entry can have that name already. */
static int name_duplicates(struct guard_account_set *set)
{
	bool renamed = false;

	for (size_t i = 1, k = 2; i < set->n; i++) {
		struct guard_account *a = &set->v[i], *first = &set->v[i - k + 1];
		char *name;

		if (a->kind != first->kind || strcmp(a->name, first->name) != 0) {
			k = 2;
			continue;
		}
		if (asprintf(&name, "%s:%zu", first->name, k) < 0)
			return -ENOMEM;
		free(a->name);
		a->name = name;
		renamed = true;
		k++;
	}
	if (renamed)
		guard_account_set_sort(set);
	return 0;
}

int guard_account_set_parse(const char *passwd, const char *group, const char *shadow,
			    const char *gshadow, const uint8_t key[GUARD_ACCOUNT_KEY_LEN],
			    struct guard_account_set *ret)
{
	struct guard_account_set set = {0};
	int r = parse_file(passwd, GUARD_ACCOUNT_USER, shadow, key, &set);

	if (r == 0)
		r = parse_file(group, GUARD_ACCOUNT_GROUP, gshadow, key, &set);
	if (r == 0) {
		if (set.n > 1)
			qsort(set.v, set.n, sizeof(set.v[0]), compare_in_file_order);
		r = name_duplicates(&set);
	}
	if (r < 0) {
		guard_account_set_clear(&set);
		return r;
	}
	*ret = set;
	return 0;
}
