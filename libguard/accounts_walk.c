/* A policy's many groups read in one walk of the group database. */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts_internal.h"
#include "nsswitch.h"
#include "sudoers.h"

/* Many groups at once. Each getgrnam reads the whole of /etc/group again,
 * and a policy of a thousand rules names a thousand groups: from
 * WALK_MIN names on, one walk of the group database (getgrent) answers
 * for the names it lists exactly once, where the walk and getgrnam cannot
 * differ: nsswitch.conf's group sources are files and systemd alone,
 * which list every group they have, in the order getgrnam asks them, and
 * no action (no merge, no return). A source that does not list its
 * groups (sssd's and winbind's default) or a merge would let the walk
 * answer from another source, or with fewer members, than getgrnam: there
 * every name is asked alone. A name listed twice (two lines) is left to
 * getgrnam, as is one the walk does not list, and every name when the
 * walk fails. */
#define WALK_MIN 64

struct wanted {
	const char *name; /* borrowed from the policy */
	uint32_t hash;
	unsigned listed; /* times the walk listed it */
	uint32_t gid;
	char **members;
};

struct wanted_set {
	struct wanted *v;
	size_t n, n_slots; /* n_slots: a power of two, at least twice the names */
};

static struct wanted *wanted_find(struct wanted_set *w, const char *name, bool add)
{
	uint32_t h = guard_memo_hash(MEMO_GROUP, name, 0);
	size_t s;

	for (s = h & (w->n_slots - 1); w->v[s].name; s = (s + 1) & (w->n_slots - 1))
		if (w->v[s].hash == h && strcmp(w->v[s].name, name) == 0)
			return &w->v[s];
	if (!add || strlen(name) > MEMO_KEY_MAX || guard_memo_find(MEMO_GROUP, name, 0))
		return NULL;
	w->v[s].name = name;
	w->v[s].hash = h;
	w->n++;
	return &w->v[s];
}

/* Counts (w NULL) or adds the group names of l; names_are_groups: its
 * NAME items are groups (a rule's `groups`). */
static size_t want_list(struct wanted_set *w, const struct guard_list *l, bool names_are_groups)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct guard_item *it = &l->items[i];

		if (!it->name || !(it->kind == GUARD_ITEM_GROUP ||
				   (names_are_groups && it->kind == GUARD_ITEM_NAME)))
			continue;
		n++;
		if (w)
			(void)wanted_find(w, it->name, true);
	}
	return n;
}

static size_t want_name(struct wanted_set *w, const char *name)
{
	if (w && name)
		(void)wanted_find(w, name, true);
	return name ? 1 : 0;
}

/* Every group name the policy may ask about: the membership lists,
 * @privileged's groups, sudoers' and the utmp group, the role groups. */
static size_t want_policy(struct wanted_set *w, const struct guard_policy *p)
{
	size_t n = want_list(w, &p->settings.approvers, false) +
		   want_list(w, &p->settings.admins, false) +
		   want_list(w, &p->settings.break_glass, false) + want_name(w, p->utmp_group);

	for (size_t i = 0; i < p->n_privileged_groups; i++)
		n += want_name(w, p->privileged_groups[i]);
	for (size_t i = 0; i < p->n_sudoers; i++)
		if (p->sudoers[i].kind == GUARD_SUDOERS_GROUP ||
		    p->sudoers[i].kind == GUARD_SUDOERS_GID)
			n += want_name(w, p->sudoers[i].name);
	for (size_t i = 0; i < p->n_role_groups; i++)
		n += want_name(w, p->role_groups[i].name);
	for (size_t i = 0; i < p->n_rules; i++)
		n += want_list(w, &p->rules[i].actors, false) +
		     want_list(w, &p->rules[i].targets, false) +
		     want_list(w, &p->rules[i].groups, true) +
		     want_list(w, &p->rules[i].approvers, false);
	return n;
}

/* Lists the group database once; 0, or -errno (the walk is not used). */
static int walk_database(struct wanted_set *w)
{
	size_t size = 16384;
	char *buf = malloc(size);
	int r = 0;

	if (!buf)
		return -ENOMEM;
	setgrent();
	for (;;) {
		struct group gr, *res = NULL;
		struct wanted *x;
		char *nb;

		r = getgrent_r(&gr, buf, size, &res);
		if (r == ERANGE && size < MAX_NSS_BUFFER) {
			/* glibc reads the same entry again */
			if (!(nb = realloc(buf, size * 2))) {
				r = ENOMEM;
				break;
			}
			buf = nb;
			size *= 2;
			continue;
		}
		if (r == ENOENT || (r == 0 && !res)) {
			r = 0;
			break;
		}
		if (r != 0)
			break;
		/* nss_files' getgrnam never answers with a "+" or "-" line
		 * (compat syntax); its walk lists them. */
		if (res->gr_name[0] == '+' || res->gr_name[0] == '-')
			continue;
		x = wanted_find(w, res->gr_name, false);
		if (!x || x->listed++ > 0)
			continue;
		x->gid = res->gr_gid;
		if (!(x->members = guard_strv_copy(res->gr_mem))) {
			r = ENOMEM;
			break;
		}
	}
	endgrent();
	free(buf);
	return -r;
}

/* nsswitch.conf read whole (64 KiB at most) and asked
 * guard_nsswitch_group_walkable; anything unread: no walk. */
static bool walk_answers_as_getgrnam(void)
{
	char text[65536];
	size_t n;
	bool whole;
	FILE *f = fopen("/etc/nsswitch.conf", "re");

	if (!f)
		return false;
	n = fread(text, 1, sizeof(text), f);
	whole = !ferror(f) && feof(f);
	(void)fclose(f); /* read only */
	return whole && guard_nsswitch_group_walkable(text, n);
}

static void walk_groups(const struct guard_policy *p)
{
	struct wanted_set w = {0};
	size_t n = want_policy(NULL, p);
	int r;

	guard_memo_set_walked(p);
	if (n < WALK_MIN || !walk_answers_as_getgrnam())
		return;
	for (w.n_slots = 64; w.n_slots < 2 * n; w.n_slots *= 2)
		;
	if (!(w.v = calloc(w.n_slots, sizeof(*w.v))))
		return;
	(void)want_policy(&w, p);
	r = w.n >= WALK_MIN ? walk_database(&w) : -EAGAIN;
	for (size_t s = 0; s < w.n_slots; s++) {
		struct wanted *x = &w.v[s];
		struct memo *m;

		if (r == 0 && x->listed == 1 && (m = guard_memo_slot(MEMO_GROUP, x->name, 0))) {
			if ((m->a.name = strdup(x->name))) {
				m->a.id = x->gid;
				m->a.members = x->members;
				x->members = NULL;
				guard_memo_keep(m);
			} else {
				guard_memo_clear(m);
			}
		}
		for (char **c = x->members; c && *c; c++)
			free(*c);
		free(x->members);
	}
	free(w.v);
}

void guard_accounts_walk(const struct guard_policy *p)
{
	if (!guard_memo_walked(p))
		walk_groups(p);
}
