/* What changed between two account sets (see account_state.h): renames
 * are a name gone and a name new with the same id; members and passwords
 * are compared per entry. Pure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account_state.h"

struct changes {
	struct guard_account_change *v;
	size_t n;
	int r; /* -ENOMEM once anything failed */
};

void guard_account_changes_free(struct guard_account_change *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].member);
		free(v[i].value_old);
		free(v[i].value_new);
	}
	free(v);
}

static void add(struct changes *c, enum guard_account_kind kind,
		enum guard_account_change_type type, const char *name, const char *member,
		const char *field, const char *old_value, const char *new_value)
{
	struct guard_account_change *v, *x;

	if (c->r < 0)
		return;
	v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (!v) {
		c->r = -ENOMEM;
		return;
	}
	c->v = v;
	x = &v[c->n++];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->type = type;
	x->field = field;
	x->name = strdup(name);
	x->member = member ? strdup(member) : NULL;
	x->value_old = old_value ? strdup(old_value) : NULL;
	x->value_new = new_value ? strdup(new_value) : NULL;
	if (!x->name || (member && !x->member) || (old_value && !x->value_old) ||
	    (new_value && !x->value_new))
		c->r = -ENOMEM;
}

static void field_id(struct changes *c, const struct guard_account *a, const char *field,
		     uint32_t was, uint32_t is)
{
	char o[16], n[16];

	if (was == is)
		return;
	snprintf(o, sizeof(o), "%u", was);
	snprintf(n, sizeof(n), "%u", is);
	add(c, a->kind, GUARD_CHANGE_FIELD, a->name, NULL, field, o, n);
}

static void field_text(struct changes *c, const struct guard_account *a, const char *field,
		       const char *was, const char *is)
{
	if (strcmp(was, is) != 0)
		add(c, a->kind, GUARD_CHANGE_FIELD, a->name, NULL, field, was, is);
}

static bool in_list(const char *list, const char *name, size_t len)
{
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (l == len && strncmp(p, name, len) == 0)
			return true;
		p = end ? end + 1 : p + l;
	}
	return false;
}

/* Each member of from that is not in to. */
static void members(struct changes *c, const struct guard_account *g, const char *from,
		    const char *to, enum guard_account_change_type type)
{
	for (const char *p = from; *p;) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		char name[256];

		if (l > 0 && l < sizeof(name) && !in_list(to, p, l)) {
			memcpy(name, p, l);
			name[l] = '\0';
			add(c, g->kind, type, g->name, name, NULL, NULL, NULL);
		}
		p = end ? end + 1 : p + l;
	}
}

static const char *password_change(const struct guard_account *was, const struct guard_account *is)
{
	enum guard_password_state o = was->password, n = is->password;

	if (o == n || n == GUARD_PASSWORD_UNKNOWN)
		return NULL;
	/* No shadow entry before: the tools write passwd and group first and
	 * shadow and gshadow after, so a verify in between saw none. Only a
	 * way in for anyone is a change worth reporting. */
	if (o == GUARD_PASSWORD_UNKNOWN)
		return n == GUARD_PASSWORD_EMPTY ? "emptied" : NULL;
	if (n == GUARD_PASSWORD_EMPTY)
		return "emptied";
	if (n == GUARD_PASSWORD_LOCKED)
		return "locked";
	if (o == GUARD_PASSWORD_LOCKED)
		return n == GUARD_PASSWORD_SET && strcmp(was->mac, is->mac) != 0 ? "set"
										 : "unlocked";
	if (n == GUARD_PASSWORD_SET)
		return "set";
	return NULL; /* a password taken away ("*"): no way in is none added */
}

static void compare(struct changes *c, const struct guard_account *was,
		    const struct guard_account *is)
{
	const char *pw;

	field_id(c, is, is->kind == GUARD_ACCOUNT_USER ? "uid" : "gid", was->id, is->id);
	if (is->kind == GUARD_ACCOUNT_USER) {
		field_id(c, is, "gid", was->gid, is->gid);
		field_text(c, is, "home", was->home, is->home);
		field_text(c, is, "shell", was->shell, is->shell);
	} else {
		members(c, is, is->members, was->members, GUARD_CHANGE_MEMBER_ADDED);
		members(c, is, was->members, is->members, GUARD_CHANGE_MEMBER_REMOVED);
	}
	pw = password_change(was, is);
	if (pw)
		add(c, is->kind, GUARD_CHANGE_PASSWORD, is->name, NULL, "password", NULL, pw);
}

static const struct guard_account *find(const struct guard_account_set *s,
					const struct guard_account *a)
{
	return bsearch(a, s->v, s->n, sizeof(s->v[0]), guard_account_compare);
}

/* An entry of now that took the id of gone (same kind) under a name before
 * did not have, and is not taken yet: gone was renamed to it. */
static long renamed_to(const struct guard_account_set *before, const struct guard_account_set *now,
		       const struct guard_account *gone, const bool *taken)
{
	/* A line that is no entry ("?...") has no id to follow. */
	if (gone->name[0] == '?')
		return -1;
	for (size_t j = 0; j < now->n; j++)
		if (!taken[j] && now->v[j].kind == gone->kind && now->v[j].id == gone->id &&
		    now->v[j].name[0] != '?' && !find(before, &now->v[j]))
			return (long)j;
	return -1;
}

int guard_account_diff(const struct guard_account_set *before, const struct guard_account_set *now,
		       struct guard_account_change **ret, size_t *ret_n)
{
	struct changes c = {0};
	bool *taken = calloc(now->n + 1, sizeof(bool));

	if (!taken)
		return -ENOMEM;
	for (size_t i = 0; i < before->n; i++) {
		const struct guard_account *b = &before->v[i], *a = find(now, b);
		long j;

		if (a) {
			taken[a - now->v] = true;
			compare(&c, b, a);
			continue;
		}
		j = renamed_to(before, now, b, taken);
		if (j < 0) {
			add(&c, b->kind, GUARD_CHANGE_REMOVED, b->name, NULL, NULL, NULL, NULL);
			continue;
		}
		taken[j] = true;
		add(&c, b->kind, GUARD_CHANGE_RENAMED, b->name, NULL, "name", b->name,
		    now->v[j].name);
		compare(&c, b, &now->v[j]);
	}
	for (size_t j = 0; j < now->n; j++) {
		const struct guard_account *a = &now->v[j];

		if (taken[j])
			continue;
		add(&c, a->kind, GUARD_CHANGE_ADDED, a->name, NULL, NULL, NULL, NULL);
		/* A new account's id 0 is a change of its own: never explained
		 * by the decision that created an ordinary account. */
		if (a->name[0] != '?' && a->id == 0)
			add(&c, a->kind, GUARD_CHANGE_FIELD, a->name, NULL,
			    a->kind == GUARD_ACCOUNT_USER ? "uid" : "gid", "(new)", "0");
		if (a->kind == GUARD_ACCOUNT_USER && a->gid == 0 && a->id != 0)
			add(&c, a->kind, GUARD_CHANGE_FIELD, a->name, NULL, "gid", "(new)", "0");
	}
	free(taken);
	if (c.r < 0) {
		guard_account_changes_free(c.v, c.n);
		return c.r;
	}
	*ret = c.v;
	*ret_n = c.n;
	return 0;
}

void guard_account_change_text(const struct guard_account_change *c, char *buf, size_t size)
{
	const char *kind = c->kind == GUARD_ACCOUNT_USER ? "user" : "group";

	switch (c->type) {
	case GUARD_CHANGE_ADDED:
		snprintf(buf, size, "%s %s: added", kind, c->name);
		break;
	case GUARD_CHANGE_REMOVED:
		snprintf(buf, size, "%s %s: removed", kind, c->name);
		break;
	case GUARD_CHANGE_RENAMED:
		snprintf(buf, size, "%s %s: renamed to %s", kind, c->name, c->value_new);
		break;
	case GUARD_CHANGE_FIELD:
		snprintf(buf, size, "%s %s: %s %s -> %s", kind, c->name, c->field, c->value_old,
			 c->value_new);
		break;
	case GUARD_CHANGE_MEMBER_ADDED:
		snprintf(buf, size, "group %s: member %s added", c->name, c->member);
		break;
	case GUARD_CHANGE_MEMBER_REMOVED:
		snprintf(buf, size, "group %s: member %s removed", c->name, c->member);
		break;
	case GUARD_CHANGE_PASSWORD:
		snprintf(buf, size, "%s %s: password %s", kind, c->name, c->value_new);
		break;
	default:
		snprintf(buf, size, "%s %s: changed", kind, c->name);
		break;
	}
}

const char *guard_account_change_type_name(enum guard_account_change_type type)
{
	static const char *const names[] = {
	    [GUARD_CHANGE_ADDED] = "added",
	    [GUARD_CHANGE_REMOVED] = "removed",
	    [GUARD_CHANGE_RENAMED] = "renamed",
	    [GUARD_CHANGE_FIELD] = "modified",
	    [GUARD_CHANGE_MEMBER_ADDED] = "member-added",
	    [GUARD_CHANGE_MEMBER_REMOVED] = "member-removed",
	    [GUARD_CHANGE_PASSWORD] = "password",
	};

	return (size_t)type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type]
									      : "changed";
}
