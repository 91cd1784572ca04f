/* The checks that need the whole policy, after every file is read: names
 * unique across files, approvers for every approve, the time zone, the
 * role groups, the rules that can never decide because an earlier rule
 * always does, and the ledger's retention. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "policy.h"

struct named {
	const char *name, *file;
	unsigned line;
	size_t index;
};

static int compare_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Refuses a name used twice (across files too), naming both places. Sorted,
 * so that 10,000 rules cost n log n, not n squared. */
static int unique(const char *kind, struct named *v, size_t n, struct guard_error *err)
{
	qsort(v, n, sizeof(*v), compare_named);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i].name, v[i - 1].name) == 0) {
			guard_error_set(err, v[i].file, v[i].line,
					"%s \"%s\" is already defined at %s:%u", kind, v[i].name,
					v[i - 1].file, v[i - 1].line);
			return -EINVAL;
		}
	return 0;
}

#define COLLECT(array, count)                                                                      \
	do {                                                                                       \
		for (size_t i = 0; i < (count); i++)                                               \
			v[i] =                                                                     \
			    (struct named){(array)[i].name, (array)[i].file, (array)[i].line, i};  \
	} while (0)

static int unique_names(const struct guard_policy *p, struct guard_error *err)
{
	size_t max = p->n_rules;
	struct named *v;
	int r;

	if (p->n_watches > max)
		max = p->n_watches;
	if (p->n_services > max)
		max = p->n_services;
	if (p->n_commands > max)
		max = p->n_commands;
	v = calloc(max + 1, sizeof(*v));
	if (!v) {
		guard_error_set(err, NULL, 0, "out of memory");
		return -ENOMEM;
	}
	COLLECT(p->rules, p->n_rules);
	r = unique("rule", v, p->n_rules, err);
	if (r == 0) {
		COLLECT(p->watches, p->n_watches);
		r = unique("watch", v, p->n_watches, err);
	}
	if (r == 0) {
		COLLECT(p->services, p->n_services);
		r = unique("service", v, p->n_services, err);
	}
	if (r == 0) {
		COLLECT(p->commands, p->n_commands);
		r = unique("command", v, p->n_commands, err);
	}
	free(v);
	return r;
}

static bool list_has_positive(const struct guard_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->items[i].negated)
			return true;
	return false;
}

static int approvers_everywhere(const struct guard_policy *p, struct guard_error *err)
{
	bool global = list_has_positive(&p->settings.approvers);

	for (size_t i = 0; i < p->n_rules; i++) {
		const struct guard_rule *r = &p->rules[i];

		if (r->decision == GUARD_DECISION_APPROVE && !global &&
		    !list_has_positive(&r->approvers)) {
			guard_error_set(err, r->file, r->line,
					"rule \"%s\": decision approve but nobody may approve: set "
					"approvers in the rule or in settings",
					r->name);
			return -EINVAL;
		}
	}
	if (p->settings.default_decision == GUARD_DECISION_APPROVE && !global) {
		guard_error_set(err, p->n_files ? p->files[0] : NULL, 0,
				"settings: default = approve but settings has no approvers");
		return -EINVAL;
	}
	return 0;
}

static bool lists_equal(const struct guard_list *a, const struct guard_list *b)
{
	if (a->present != b->present || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->items[i].negated != b->items[i].negated ||
		    strcmp(a->items[i].text, b->items[i].text) != 0)
			return false;
	return true;
}

#define N_MATCHERS 6

static const struct guard_list *matcher(const struct guard_rule *r, unsigned k)
{
	const struct guard_list *l[N_MATCHERS] = {&r->actors, &r->targets, &r->groups,
						  &r->time,   &r->from,	   &r->services};
	return l[k];
}

static uint64_t hash_list(const struct guard_list *l)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < l->n; i++) {
		h = (h ^ (l->items[i].negated ? '!' : '+')) * 1099511628211ULL;
		for (const char *c = l->items[i].text; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h;
}

/* Does every request that b matches also match a? Conservatively: a covers
 * b's actions and each of a's matchers is absent or written exactly as b's. */
static bool covers(const struct guard_rule *a, const struct guard_rule *b)
{
	if ((a->actions & b->actions) != b->actions)
		return false;
	for (unsigned k = 0; k < N_MATCHERS; k++)
		if (matcher(a, k)->present && !lists_equal(matcher(a, k), matcher(b, k)))
			return false;
	return true;
}

/* The matchers a rule names (bit k: matcher k present) and, for a mask,
 * the hash of the rule's lists under it. Rule j can only cover rule i when
 * i names every matcher j names, written alike: so earlier rules are filed
 * by (mask, hash) and rule i looks up each mask in use. n times the number
 * of distinct masks (at most 64), not n squared. */
static unsigned mask_of(const struct guard_rule *r)
{
	unsigned m = 0;

	for (unsigned k = 0; k < N_MATCHERS; k++)
		if (matcher(r, k)->present)
			m |= 1u << k;
	return m;
}

static uint64_t key_of(const uint64_t *hashes, unsigned mask)
{
	uint64_t h = mask * 0x9e3779b97f4a7c15ULL + 1;

	for (unsigned k = 0; k < N_MATCHERS; k++)
		if (mask & (1u << k))
			h = (h ^ hashes[k]) * 0x100000001b3ULL + k;
	return h;
}

static void shadowed_rules(struct guard_policy *p)
{
	size_t n = p->n_rules, size = 16;
	uint64_t *hashes = NULL, *keys = NULL;
	size_t *heads = NULL, *next = NULL;
	bool used_masks[1u << N_MATCHERS] = {false};

	if (n < 2)
		return;
	while (size < 2 * n)
		size *= 2;
	hashes = calloc(n * N_MATCHERS, sizeof(*hashes));
	keys = calloc(n, sizeof(*keys));
	heads = malloc(size * sizeof(*heads));
	next = malloc(n * sizeof(*next));
	if (!hashes || !keys || !heads || !next)
		goto out; /* a warning pass: nothing is refused for want of memory */
	for (size_t i = 0; i < size; i++)
		heads[i] = SIZE_MAX;
	for (size_t i = 0; i < n; i++)
		for (unsigned k = 0; k < N_MATCHERS; k++)
			hashes[i * N_MATCHERS + k] = hash_list(matcher(&p->rules[i], k));

	for (size_t i = 0; i < n; i++) {
		const struct guard_rule *b = &p->rules[i];
		unsigned bm = mask_of(b);
		bool reported = false;

		for (unsigned m = 0; m < (1u << N_MATCHERS) && !reported; m++) {
			uint64_t key;

			if (!used_masks[m] || (m & bm) != m)
				continue;
			key = key_of(&hashes[i * N_MATCHERS], m);
			for (size_t j = heads[key & (size - 1)]; j != SIZE_MAX; j = next[j])
				if (keys[j] == key && covers(&p->rules[j], b)) {
					guard_policy_warn(
					    p, b->file, b->line,
					    "rule \"%s\" can never decide: rule \"%s\" "
					    "(%s:%u) matches every request it matches",
					    b->name, p->rules[j].name, p->rules[j].file,
					    p->rules[j].line);
					reported = true;
					break;
				}
		}
		keys[i] = key_of(&hashes[i * N_MATCHERS], bm);
		next[i] = heads[keys[i] & (size - 1)];
		heads[keys[i] & (size - 1)] = i;
		used_masks[bm] = true;
	}
out:
	free(hashes);
	free(keys);
	free(heads);
	free(next);
}

int guard_parse_retention(const char *s, int64_t *ret_seconds)
{
	uint64_t days = 0;
	size_t n = 0;

	if (guard_parse_duration(s, ret_seconds) == 0)
		return 0;
	/* Past a duration's 366 days: whole days only. */
	for (; s && s[n] >= '0' && s[n] <= '9' && n < 6; n++)
		days = days * 10 + (uint64_t)(s[n] - '0');
	if (!s || n == 0 || s[0] == '0' || strcmp(s + n, "d") != 0 ||
	    days * 24 * 3600 > (uint64_t)GUARD_RETENTION_MAX_S)
		return -EINVAL;
	*ret_seconds = (int64_t)days * 24 * 3600;
	return 0;
}

/* The ledger keeps what the limits and watches count: a retention shorter
 * than the longest limit period, watch window or approval time is raised
 * to it (with a warning `guardctl check` shows), never applied as is. */
static void retention_covers_windows(struct guard_policy *p)
{
	const char *file = NULL, *kind = NULL, *name = NULL;
	int64_t longest = p->settings.approval_ttl_s;
	unsigned line = 0;

	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].has_limit && p->rules[i].limit.period_s > longest) {
			longest = p->rules[i].limit.period_s;
			file = p->rules[i].file;
			line = p->rules[i].line;
			kind = "rule";
			name = p->rules[i].name;
		}
	for (size_t i = 0; i < p->n_watches; i++) {
		int64_t w = p->watches[i].threshold.period_s;

		if (p->watches[i].lockout_s > w)
			w = p->watches[i].lockout_s;
		if (w > longest) {
			longest = w;
			file = p->watches[i].file;
			line = p->watches[i].line;
			kind = "watch";
			name = p->watches[i].name;
		}
	}
	if (p->settings.retention_s >= longest)
		return;
	if (kind)
		guard_policy_warn(p, file, line,
				  "retention (%llds) is shorter than %s \"%s\"'s window (%llds): "
				  "the ledger is kept %llds",
				  (long long)p->settings.retention_s, kind, name,
				  (long long)longest, (long long)longest);
	p->settings.retention_s = longest;
}

/* A role group as found, before duplicates are dropped. */
struct role_seen {
	const char *name, *file;
	unsigned line;
	size_t seq;	  /* the order found: the first naming of a group is kept */
	const char *rule; /* NULL: the settings */
	const char *what; /* "may break the glass", "approves", "is an actor of allow" */
};

static int compare_roles(const void *a, const void *b)
{
	const struct role_seen *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The %groups of one list (a negated item grants nothing), appended to v,
 * which has room for every item; its names and uid ranges to users, which
 * has room for every item too. */
static void seen_list(const struct guard_list *l, const struct role_seen *proto,
		      struct role_seen *v, size_t *n, struct guard_role_users *users)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct guard_item *it = &l->items[i];

		if (it->negated)
			continue;
		if (it->kind == GUARD_ITEM_GROUP && it->name) {
			v[*n] = *proto;
			v[*n].name = it->name;
			v[*n].seq = *n;
			(*n)++;
		} else if (it->kind == GUARD_ITEM_NAME && it->name) {
			users->names[users->n_names++] = it->name;
		} else if (it->kind == GUARD_ITEM_ID_RANGE) {
			users->ranges[users->n_ranges++] =
			    (struct guard_uid_range){.lo = it->lo, .hi = it->hi};
		}
	}
}

static int compare_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int compare_range(const void *a, const void *b)
{
	const struct guard_uid_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorted, each name once, ranges that touch or overlap merged: what
 * guard_policy_role_user's binary searches need. */
static void role_users_sort(struct guard_role_users *u)
{
	size_t n = 0;

	qsort(u->names, u->n_names, sizeof(*u->names), compare_strp);
	for (size_t i = 0; i < u->n_names; i++)
		if (n == 0 || strcmp(u->names[i], u->names[n - 1]) != 0)
			u->names[n++] = u->names[i];
	u->n_names = n;
	qsort(u->ranges, u->n_ranges, sizeof(*u->ranges), compare_range);
	n = 0;
	for (size_t i = 0; i < u->n_ranges; i++) {
		struct guard_uid_range *last = n ? &u->ranges[n - 1] : NULL;

		if (last && (last->hi == UINT32_MAX || u->ranges[i].lo <= last->hi + 1)) {
			if (u->ranges[i].hi > last->hi)
				last->hi = u->ranges[i].hi;
		} else {
			u->ranges[n++] = u->ranges[i];
		}
	}
	u->n_ranges = n;
}

static void role_groups_clear(struct guard_policy *p)
{
	for (size_t i = 0; i < p->n_role_groups; i++) {
		free(p->role_groups[i].name);
		free(p->role_groups[i].role);
		free(p->role_groups[i].file);
	}
	free(p->role_groups);
	p->role_groups = NULL;
	p->n_role_groups = 0;
}

static int keep_roles(struct guard_policy *p, const struct role_seen *v, size_t n)
{
	p->role_groups = calloc(n + 1, sizeof(*p->role_groups));
	if (!p->role_groups)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct guard_role_group *g;
		int len;

		if (i > 0 && strcmp(v[i].name, v[i - 1].name) == 0)
			continue;
		g = &p->role_groups[p->n_role_groups++];
		g->name = strdup(v[i].name);
		g->file = strdup(v[i].file ? v[i].file : "");
		g->line = v[i].line;
		len = v[i].rule ? asprintf(&g->role, "%%%s %s rule \"%s\"", v[i].name, v[i].what,
					   v[i].rule)
				: asprintf(&g->role, "%%%s %s", v[i].name, v[i].what);
		if (len < 0)
			g->role = NULL;
		if (!g->name || !g->file || !g->role)
			return -ENOMEM;
	}
	return 0;
}

/* Every group whose members hold a Guard power (docs/design.md, "The privilege
 * model"): settings break_glass and approvers, and the approvers and
 * actors of every allow or approve rule. Kept sorted by name, each group
 * once, with the first role found. The accounts the same lists name by
 * name or uid range go to role_users: protected as the groups' members. */
static int role_groups(struct guard_policy *p, struct guard_error *err)
{
	const struct guard_settings *st = &p->settings;
	size_t max = st->approvers.n + st->admins.n + st->break_glass.n, n = 0;
	struct guard_role_users *users = &p->role_users;
	struct role_seen *v;
	int r = -ENOMEM;

	role_groups_clear(p);
	free(users->names);
	free(users->ranges);
	*users = (struct guard_role_users){0};
	for (size_t i = 0; i < p->n_rules; i++)
		max += p->rules[i].actors.n + p->rules[i].approvers.n;
	v = calloc(max + 1, sizeof(*v));
	users->names = calloc(max + 1, sizeof(*users->names));
	users->ranges = calloc(max + 1, sizeof(*users->ranges));
	if (!v || !users->names || !users->ranges)
		goto out;
	seen_list(&st->break_glass,
		  &(struct role_seen){.file = st->break_glass_file,
				      .line = st->break_glass_line,
				      .what = "may break the glass"},
		  v, &n, users);
	seen_list(&st->approvers,
		  &(struct role_seen){.file = st->approvers_file,
				      .line = st->approvers_line,
				      .what = "approves requests"},
		  v, &n, users);
	seen_list(&st->admins,
		  &(struct role_seen){.file = st->admins_file,
				      .line = st->admins_line,
				      .what = "administers Guard (freeze, thaw, unlock)"},
		  v, &n, users);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct guard_rule *rule = &p->rules[i];
		struct role_seen proto = {
		    .file = rule->file, .line = rule->line, .rule = rule->name};

		if (rule->decision == GUARD_DECISION_APPROVE) {
			proto.what = "approves requests under";
			seen_list(&rule->approvers, &proto, v, &n, users);
			proto.what = "is an actor of approve";
		} else if (rule->decision == GUARD_DECISION_ALLOW) {
			proto.what = "is an actor of allow";
		} else {
			continue; /* a deny rule's actors gain nothing */
		}
		seen_list(&rule->actors, &proto, v, &n, users);
	}
	role_users_sort(users);
	qsort(v, n, sizeof(*v), compare_roles);
	r = keep_roles(p, v, n);
out:
	free(v);
	if (r < 0) {
		role_groups_clear(p);
		guard_error_set(err, NULL, 0, "out of memory");
	}
	return r;
}

int guard_policy_finish(struct guard_policy *p, const char *zoneinfo_dir, struct guard_error *err)
{
	struct guard_error tzerr = {0};
	int r;

	r = unique_names(p, err);
	if (r == 0)
		r = approvers_everywhere(p, err);
	if (r == 0)
		r = role_groups(p, err);
	if (r < 0)
		return r;
	guard_tz_free(p->tz);
	p->tz = NULL;
	r = guard_tz_load(p->settings.timezone, zoneinfo_dir, &p->tz, &tzerr);
	if (r < 0) {
		guard_error_set(err, tzerr.file, tzerr.line, "timezone \"%s\": %s",
				p->settings.timezone, tzerr.message);
		return r;
	}
	shadowed_rules(p);
	retention_covers_windows(p);
	return 0;
}
