/* NSS look-ups for the edges. Buffers grow on ERANGE up to a bound; every
 * error but a clean "not found" is reported as an error. */
#include "accounts.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nsswitch.h"
#include "sudoers.h"

#define MAX_NSS_BUFFER (1u << 20)
#define MAX_GROUPS     4096

/* One look-up in the user or group database, by name or by id. */
struct nss_query {
	bool group;
	const char *name; /* NULL: by id */
	uint32_t id;
	struct passwd pw, *pw_res;
	struct group gr, *gr_res;
};

/* Runs q with a buffer that grows on ERANGE up to MAX_NSS_BUFFER. Returns 0
 * with the entry in q and *ret_buf (which backs it, the caller's to free),
 * -ENOENT for a clean miss, or another -errno. */
static int nss_lookup(struct nss_query *q, size_t size, char **ret_buf)
{
	char *buf = NULL;
	int r;

	for (;;) {
		char *nb = realloc(buf, size);

		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		q->pw_res = NULL;
		q->gr_res = NULL;
		if (q->group)
			r = q->name ? getgrnam_r(q->name, &q->gr, buf, size, &q->gr_res)
				    : getgrgid_r((gid_t)q->id, &q->gr, buf, size, &q->gr_res);
		else
			r = q->name ? getpwnam_r(q->name, &q->pw, buf, size, &q->pw_res)
				    : getpwuid_r((uid_t)q->id, &q->pw, buf, size, &q->pw_res);
		if (r != ERANGE || size >= MAX_NSS_BUFFER)
			break;
		size *= 2;
	}
	if (r == 0 && !q->pw_res && !q->gr_res)
		r = ENOENT;
	if (r != 0) {
		free(buf);
		return -r;
	}
	*ret_buf = buf;
	return 0;
}

static bool has_group(const struct guard_identity *id, const char *name)
{
	for (size_t i = 0; i < id->n_groups; i++)
		if (id->groups[i] && strcmp(id->groups[i], name) == 0)
			return true;
	return false;
}

/* What NSS answered, each question asked once: a decision looks up the
 * actor and every target against the same groups (the shipped policy
 * names some 25), and nss_systemd walks the userdb directories for each
 * miss. A process that makes one decision keeps its answers for that
 * decision; the decision service keeps them across requests while
 * guard_accounts_refresh() finds the account files as they were and the
 * answers younger than GUARD_ACCOUNTS_KEEP_MS. A failed look-up is never
 * kept. */
#define MEMO_MAX     65536 /* answers kept; more are asked again each time */
#define MEMO_KEY_MAX 256   /* LOGIN_NAME_MAX */

enum memo_kind { MEMO_USER, MEMO_GROUP, MEMO_GROUP_LIST };

struct nss_answer {
	int result;	/* 0 or -ENOENT */
	char *name;	/* pw_name, gr_name */
	uint32_t id;	/* pw_uid, gr_gid */
	uint32_t gid;	/* pw_gid */
	char **members; /* gr_mem, NULL-terminated */
	gid_t *gids;	/* the group list */
	size_t n_gids;
};

struct memo {
	enum memo_kind kind;
	char *key; /* NULL: by id */
	uint32_t key_id;
	uint32_t hash;
	struct nss_answer a;
};

/* The answers, found by hash: a policy of a thousand rules names a
 * thousand groups, each asked for every account a decision is about. */
static struct memo *memo;
static size_t memo_n, memo_cap;
static uint32_t *memo_slots; /* index + 1 into memo; 0: empty */
static size_t memo_n_slots;  /* a power of two, at least twice memo_cap */
static uint32_t memo_seed;   /* chosen before the first answer is kept */
/* An answer the full memo has no room for: valid until the next one. */
static struct memo spare;
/* The policy whose groups were read in one walk of the group database
 * (walk_groups) since the answers were last dropped. Only which names are
 * asked one by one depends on it: a policy at the freed one's address
 * asks its new names one by one until the answers are dropped. */
static const struct guard_policy *walked;

/* What a change drops the kept answers at once for: the files, and
 * nss_systemd's drop-in directories (a record added or removed changes the
 * directory; one edited in place, or a varlink service's answer, counts
 * within GUARD_ACCOUNTS_KEEP_MS). */
static const char *const ACCOUNT_SOURCES[] = {
    "/etc/passwd", "/etc/group",       "/etc/nsswitch.conf",	"/etc/userdb",
    "/run/userdb", "/run/host/userdb", "/usr/local/lib/userdb", "/usr/lib/userdb",
};
#define N_SOURCES (sizeof(ACCOUNT_SOURCES) / sizeof(ACCOUNT_SOURCES[0]))

struct source_key {
	int err; /* 0, or the errno of its stat */
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_ns, ctime_ns;
};

static struct {
	bool valid;
	int64_t since_ms; /* CLOCK_BOOTTIME: a suspend counts */
	struct source_key keys[N_SOURCES];
} kept;

static void memo_clear(struct memo *m)
{
	for (char **p = m->a.members; p && *p; p++)
		free(*p);
	free(m->a.members);
	free(m->a.name);
	free(m->a.gids);
	free(m->key);
	memset(m, 0, sizeof(*m));
}

void guard_accounts_forget(void)
{
	for (size_t i = 0; i < memo_n; i++)
		memo_clear(&memo[i]);
	memo_n = 0;
	if (memo_slots)
		memset(memo_slots, 0, memo_n_slots * sizeof(*memo_slots));
	memo_clear(&spare);
	walked = NULL;
	kept.valid = false;
}

static void take_keys(struct source_key *keys)
{
	for (size_t i = 0; i < N_SOURCES; i++) {
		struct stat st;

		memset(&keys[i], 0, sizeof(keys[i]));
		if (stat(ACCOUNT_SOURCES[i], &st) < 0) {
			keys[i].err = errno;
			continue;
		}
		keys[i].dev = st.st_dev;
		keys[i].ino = st.st_ino;
		keys[i].size = st.st_size;
		keys[i].mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		keys[i].ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	}
}

static bool same_keys(const struct source_key *a, const struct source_key *b)
{
	for (size_t i = 0; i < N_SOURCES; i++)
		if (a[i].err != b[i].err || a[i].dev != b[i].dev || a[i].ino != b[i].ino ||
		    a[i].size != b[i].size || a[i].mtime_ns != b[i].mtime_ns ||
		    a[i].ctime_ns != b[i].ctime_ns)
			return false;
	return true;
}

void guard_accounts_refresh(void)
{
	struct source_key now_keys[N_SOURCES];
	struct timespec ts;
	int64_t now;

	/* The keys are taken before anything is asked: an answer read after a
	 * change is never kept under the keys from before it. */
	take_keys(now_keys);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (kept.valid && now - kept.since_ms < GUARD_ACCOUNTS_KEEP_MS &&
	    same_keys(kept.keys, now_keys))
		return;
	guard_accounts_forget();
	memcpy(kept.keys, now_keys, sizeof(now_keys));
	kept.since_ms = now;
	kept.valid = true;
	for (size_t i = 0; i < N_SOURCES; i++)
		if (now_keys[i].err && now_keys[i].err != ENOENT)
			kept.valid = false; /* kept for this request only */
}

static char **copy_strv(char *const *v)
{
	size_t n = 0;
	char **c;

	while (v && v[n])
		n++;
	c = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; c && i < n; i++)
		if (!(c[i] = strdup(v[i]))) {
			for (size_t k = 0; k < i; k++)
				free(c[k]);
			free(c);
			return NULL;
		}
	return c;
}

static uint32_t memo_hash(enum memo_kind kind, const char *key, uint32_t key_id)
{
	/* FNV-1a, seeded: the names a caller asks about cannot be chosen to
	 * fall in one run of slots. */
	uint32_t h = (2166136261u ^ memo_seed) ^ (uint32_t)kind;

	for (const unsigned char *c = (const unsigned char *)key; c && *c; c++)
		h = (h ^ *c) * 16777619u;
	for (int i = 0; i < 4; i++)
		h = (h ^ ((key_id >> (8 * i)) & 0xffu)) * 16777619u;
	return h;
}

static const struct memo *memo_find(enum memo_kind kind, const char *key, uint32_t key_id)
{
	uint32_t h = memo_hash(kind, key, key_id);

	for (size_t s = h & (memo_n_slots - 1); memo_n_slots && memo_slots[s];
	     s = (s + 1) & (memo_n_slots - 1)) {
		const struct memo *m = &memo[memo_slots[s] - 1];

		if (m->hash == h && m->kind == kind && m->key_id == key_id &&
		    (key ? m->key && strcmp(m->key, key) == 0 : !m->key))
			return m;
	}
	return NULL;
}

static void memo_index(size_t i)
{
	size_t s = memo[i].hash & (memo_n_slots - 1);

	while (memo_slots[s])
		s = (s + 1) & (memo_n_slots - 1);
	memo_slots[s] = (uint32_t)(i + 1);
}

/* Room for one more answer: false when the memo is full or cannot grow. */
static bool memo_room(void)
{
	size_t cap = memo_cap ? memo_cap * 2 : 256;
	struct memo *grown;
	uint32_t *slots;

	if (memo_n < memo_cap)
		return true;
	if (cap > MEMO_MAX)
		return false;
	if (!memo_cap && getrandom(&memo_seed, sizeof(memo_seed), GRND_NONBLOCK) < 0)
		memo_seed = (uint32_t)getpid(); /* no entropy yet: at least not constant */
	slots = calloc(cap * 2, sizeof(*slots));
	grown = slots ? realloc(memo, cap * sizeof(*memo)) : NULL;
	if (!grown) {
		free(slots);
		return false;
	}
	memo = grown;
	memset(memo + memo_cap, 0, (cap - memo_cap) * sizeof(*memo));
	memo_cap = cap;
	free(memo_slots);
	memo_slots = slots;
	memo_n_slots = cap * 2;
	for (size_t i = 0; i < memo_n; i++)
		memo_index(i);
	return true;
}

/* A slot for a new answer: in the memo, else the spare. */
static struct memo *memo_slot(enum memo_kind kind, const char *key, uint32_t key_id)
{
	/* A name no account can have (a PAM_USER of 100 KB) is not kept. */
	bool keep =
	    (!key || strlen(key) <= MEMO_KEY_MAX) && memo_room() && memo_n * 2 < memo_n_slots;
	struct memo *m = keep ? &memo[memo_n] : &spare;

	memo_clear(m);
	m->kind = kind;
	m->key_id = key_id;
	m->hash = memo_hash(kind, key, key_id);
	if (key && !(m->key = strdup(key)))
		return NULL;
	return m;
}

static void memo_keep(const struct memo *m)
{
	if (m != &spare)
		memo_index(memo_n++);
}

/* The user (MEMO_USER) or group (MEMO_GROUP) by name, or by id when name
 * is NULL. Returns 0 with *ret, -ENOENT, or another -errno. *ret is valid
 * until the next question. */
static int ask(enum memo_kind kind, const char *name, uint32_t id, const struct nss_answer **ret)
{
	bool group = kind == MEMO_GROUP;
	const struct memo *found = memo_find(kind, name, name ? 0 : id);
	struct nss_query q = {.group = group, .name = name, .id = id};
	struct memo *m;
	char *buf = NULL;
	int r;

	if (found) {
		*ret = &found->a;
		return found->a.result;
	}
	r = nss_lookup(&q, group ? 16384 : 4096, &buf);
	if (r < 0 && r != -ENOENT)
		return r;
	m = memo_slot(kind, name, name ? 0 : id);
	if (m && r == 0 && group) {
		m->a.name = strdup(q.gr_res->gr_name);
		m->a.id = q.gr_res->gr_gid;
		/* Members are asked of a group by name only (listed_in). */
		m->a.members = name ? copy_strv(q.gr_res->gr_mem) : calloc(1, sizeof(char *));
	} else if (m && r == 0) {
		m->a.name = strdup(q.pw_res->pw_name);
		m->a.id = q.pw_res->pw_uid;
		m->a.gid = q.pw_res->pw_gid;
	}
	free(buf);
	if (!m || (r == 0 && (!m->a.name || (group && !m->a.members)))) {
		if (m)
			memo_clear(m);
		return -ENOMEM;
	}
	m->a.result = r;
	memo_keep(m);
	*ret = &m->a;
	return r;
}

static int ask_user(const char *name, uint32_t uid, const struct nss_answer **ret)
{
	return ask(MEMO_USER, name, uid, ret);
}

static int ask_group(const char *name, uint32_t gid, const struct nss_answer **ret)
{
	return ask(MEMO_GROUP, name, gid, ret);
}

/* The gids of user's groups (getgrouplist, gid its primary group). */
static int ask_group_list(const char *user, uint32_t gid, const struct nss_answer **ret)
{
	const struct memo *found = memo_find(MEMO_GROUP_LIST, user, gid);
	struct memo *m;
	gid_t *gids;
	int n = MAX_GROUPS;

	if (found) {
		*ret = &found->a;
		return 0;
	}
	gids = calloc(MAX_GROUPS, sizeof(gid_t));
	if (!gids)
		return -ENOMEM;
	if (getgrouplist(user, (gid_t)gid, gids, &n) < 0) {
		free(gids);
		return -E2BIG;
	}
	m = memo_slot(MEMO_GROUP_LIST, user, gid);
	if (!m) {
		free(gids);
		return -ENOMEM;
	}
	m->a.gid = gid;
	m->a.gids = gids;
	m->a.n_gids = (size_t)n;
	memo_keep(m);
	*ret = &m->a;
	return 0;
}

static bool lists(char *const *mem, const char *user)
{
	for (char *const *m = mem; m && *m; m++)
		if (strcmp(*m, user) == 0)
			return true;
	return false;
}

/* Is user a member (by name, in the group's own list) of group name?
 * -ENOENT: no such group; another -errno: the look-up failed. */
static int listed_in(const char *name, const char *user, bool *ret)
{
	const struct nss_answer *a;
	int r = ask_group(name, 0, &a);

	*ret = r == 0 && lists(a->members, user);
	return r;
}

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
	uint32_t h = memo_hash(MEMO_GROUP, name, 0);
	size_t s;

	for (s = h & (w->n_slots - 1); w->v[s].name; s = (s + 1) & (w->n_slots - 1))
		if (w->v[s].hash == h && strcmp(w->v[s].name, name) == 0)
			return &w->v[s];
	if (!add || strlen(name) > MEMO_KEY_MAX || memo_find(MEMO_GROUP, name, 0))
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
		x = wanted_find(w, res->gr_name, false);
		if (!x || x->listed++ > 0)
			continue;
		x->gid = res->gr_gid;
		if (!(x->members = copy_strv(res->gr_mem))) {
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

	walked = p;
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

		if (r == 0 && x->listed == 1 && (m = memo_slot(MEMO_GROUP, x->name, 0))) {
			if ((m->a.name = strdup(x->name))) {
				m->a.id = x->gid;
				m->a.members = x->members;
				x->members = NULL;
				memo_keep(m);
			} else {
				memo_clear(m);
			}
		}
		for (char **c = x->members; c && *c; c++)
			free(*c);
		free(x->members);
	}
	free(w.v);
}

/* Looks group `name` up and adds it to id when it lists the user. */
static int confirm_group(struct guard_identity *id, const char *name)
{
	char **grown;
	bool member = false;
	int r;

	r = listed_in(name, id->name, &member);
	if (r == -ENOENT)
		return 0; /* no such group: matches no %group */
	if (r < 0)
		return r;
	if (!member)
		return 0;
	grown = realloc(id->groups, (id->n_groups + 2) * sizeof(char *));
	if (!grown)
		return -ENOMEM;
	id->groups = grown;
	id->groups[id->n_groups] = strdup(name);
	if (!id->groups[id->n_groups])
		return -ENOMEM;
	id->groups[++id->n_groups] = NULL;
	return 0;
}

static int confirm_list(struct guard_identity *id, const struct guard_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct guard_item *it = &l->items[i];
		int r;

		if (it->kind != GUARD_ITEM_GROUP || !it->name || has_group(id, it->name))
			continue;
		r = confirm_group(id, it->name);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Each %group of the policy's membership lists, confirmed by name. A
 * group the user is not in is looked up again for every rule naming it:
 * a few microseconds each from /etc/group. */
static int confirm_groups(const struct guard_policy *p, struct guard_identity *id, bool target)
{
	int r = 0;

	if (!p)
		return 0;
	if (walked != p)
		walk_groups(p);
	/* The @privileged groups too, for a target: @protected counts their
	 * members. */
	for (size_t i = 0; target && r == 0 && i < p->n_privileged_groups; i++)
		if (!has_group(id, p->privileged_groups[i]))
			r = confirm_group(id, p->privileged_groups[i]);
	if (target && r == 0 && p->utmp_group && !has_group(id, p->utmp_group))
		r = confirm_group(id, p->utmp_group);
	for (size_t i = 0; target && r == 0 && i < p->n_sudoers; i++) {
		const char *g = p->sudoers[i].name;

		if ((p->sudoers[i].kind == GUARD_SUDOERS_GROUP ||
		     p->sudoers[i].kind == GUARD_SUDOERS_GID) &&
		    g && !has_group(id, g))
			r = confirm_group(id, g);
	}
	r = r ?: confirm_list(id, &p->settings.approvers);
	r = r ?: confirm_list(id, &p->settings.admins);
	r = r ?: confirm_list(id, &p->settings.break_glass);
	for (size_t i = 0; r == 0 && i < p->n_rules; i++) {
		r = confirm_list(id, &p->rules[i].actors);
		r = r ?: confirm_list(id, &p->rules[i].targets);
		r = r ?: confirm_list(id, &p->rules[i].approvers);
	}
	return r;
}

static int lookup_passwd(const struct guard_policy *policy, const char *name, uid_t uid,
			 bool target, struct guard_identity *ret)
{
	const struct nss_answer *a;
	uint32_t gid;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = ask_user(name, (uint32_t)uid, &a);
	if (r < 0)
		return r;
	ret->name = strdup(a->name);
	ret->exists = true;
	ret->uid_known = true;
	ret->uid = a->id;
	gid = a->gid;
	r = ret->name ? ask_group_list(ret->name, gid, &a) : -ENOMEM;
	if (r == 0) {
		/* Copied: each name below is another question. */
		size_t n = a->n_gids;
		gid_t *gids = malloc((n ? n : 1) * sizeof(gid_t));

		if (gids)
			memcpy(gids, a->gids, n * sizeof(gid_t));
		ret->groups = calloc(n + 1, sizeof(char *));
		if (!gids || !ret->groups)
			r = -ENOMEM;
		for (size_t i = 0; r == 0 && i < n; i++) {
			const struct nss_answer *g;
			int k = ask_group(NULL, gids[i], &g);

			if (k == -ENOENT)
				continue; /* a gid without a name matches no %group */
			if (k < 0)
				r = k;
			else if (!(ret->groups[ret->n_groups++] = strdup(g->name)))
				r = -ENOMEM;
		}
		free(gids);
	}
	/* Root is @protected for its uid before any group counts (match.c):
	 * its privileged groups would be looked up for nothing, and sudo and
	 * su to root are most of the decisions. */
	if (r == 0)
		r = confirm_groups(policy, ret, target && ret->uid != 0);
	if (r < 0)
		guard_identity_clear(ret);
	return r;
}

int guard_accounts_user_by_name(const struct guard_policy *policy, const char *name,
				struct guard_identity *ret)
{
	return lookup_passwd(policy, name, 0, true, ret);
}

int guard_accounts_user_by_uid(const struct guard_policy *policy, uid_t uid,
			       struct guard_identity *ret)
{
	return lookup_passwd(policy, NULL, uid, true, ret);
}

int guard_accounts_actor_by_name(const struct guard_policy *policy, const char *name,
				 struct guard_identity *ret)
{
	return lookup_passwd(policy, name, 0, false, ret);
}

int guard_accounts_actor_by_uid(const struct guard_policy *policy, uid_t uid,
				struct guard_identity *ret)
{
	return lookup_passwd(policy, NULL, uid, false, ret);
}

int guard_accounts_target_by_name(const struct guard_policy *policy, const char *name,
				  struct guard_identity *ret)
{
	int r = guard_accounts_user_by_name(policy, name, ret);

	if (r != -ENOENT)
		return r;
	memset(ret, 0, sizeof(*ret));
	ret->name = strdup(name);
	return ret->name ? 0 : -ENOMEM;
}

static int user_by_name(void *ctx, const char *name, struct guard_identity *ret)
{
	return lookup_passwd(ctx, name, 0, true, ret);
}

/* The name alone: whose a uid is needs none of the account's groups. */
static int name_of_uid(void *ctx, uint32_t uid, char **ret_name)
{
	const struct nss_answer *a;
	int r;

	(void)ctx;
	r = ask_user(NULL, uid, &a);
	if (r < 0)
		return r;
	*ret_name = strdup(a->name);
	return *ret_name ? 0 : -ENOMEM;
}

static int lookup_group(const char *name, gid_t gid, uint32_t *ret_gid, char **ret_name)
{
	const struct nss_answer *a;
	int r;

	r = ask_group(name, (uint32_t)gid, &a);
	if (r < 0)
		return r;
	if (ret_gid)
		*ret_gid = a->id;
	if (ret_name && !(*ret_name = strdup(a->name)))
		return -ENOMEM;
	return 0;
}

static int group_by_name(void *ctx, const char *name, uint32_t *ret_gid)
{
	(void)ctx;
	return lookup_group(name, 0, ret_gid, NULL);
}

static int group_by_gid(void *ctx, uint32_t gid, char **ret_name)
{
	(void)ctx;
	return lookup_group(NULL, (gid_t)gid, NULL, ret_name);
}

/* Does thread tid's status (dir: /proc/PID/task) show uid among its real,
 * effective, saved and filesystem uids? */
static bool task_has_uid(int dir, const char *tid, uint32_t uid)
{
	char path[300], line[256];
	bool found = false;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/status", tid);
	fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "re"))) {
		if (fd >= 0)
			close(fd);
		return false; /* ended since */
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line + 4;

		if (strncmp(line, "Uid:", 4) != 0)
			continue;
		/* Real, effective, saved, filesystem. */
		for (int i = 0; i < 4; i++) {
			char *end;
			unsigned long u = strtoul(s, &end, 10);

			if (end == s)
				break;
			found = found || u == uid;
			s = end;
		}
		break;
	}
	(void)fclose(f); /* read only */
	return found;
}

/* Every thread of every process /proc shows (credentials are per thread;
 * a process of another user namespace shows its uid as seen here). */
static int uid_running(void *ctx, uint32_t uid, int *ret_pid)
{
	DIR *procs = opendir("/proc");
	struct dirent *p;
	int r = -ENOENT;

	(void)ctx;
	if (!procs)
		return -errno;
	/* cppcheck-suppress readdirCalled ; the streams are this call's own,
	 * and glibc deprecates readdir_r */
	while (r == -ENOENT && (p = readdir(procs))) {
		char tasks[300];
		struct dirent *t;
		char *end;
		long pid = strtol(p->d_name, &end, 10);
		DIR *d;

		if (*end || pid <= 0)
			continue;
		snprintf(tasks, sizeof(tasks), "/proc/%ld/task", pid);
		if (!(d = opendir(tasks)))
			continue; /* ended since */
		/* cppcheck-suppress readdirCalled */
		while (r == -ENOENT && (t = readdir(d)))
			if (t->d_name[0] != '.' && task_has_uid(dirfd(d), t->d_name, uid)) {
				*ret_pid = (int)pid;
				r = 0;
			}
		closedir(d);
	}
	closedir(procs);
	return r;
}

/* /etc/shells, read directly: getusershell keeps global state. */
static int shell_allowed(void *ctx, const char *shell)
{
	char line[4096];
	FILE *f;
	int r = -ENOENT;

	(void)ctx;
	f = fopen("/etc/shells", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '/' && strcmp(line, shell) == 0) {
			r = 0;
			break;
		}
	}
	if (ferror(f))
		r = -EIO;
	(void)fclose(f); /* read only: nothing to lose */
	return r;
}

int guard_accounts_check_role_groups(const struct guard_policy *p, struct guard_error *err)
{
	if (walked != p)
		walk_groups(p);
	for (size_t i = 0; i < p->n_role_groups; i++) {
		const struct guard_role_group *g = &p->role_groups[i];
		int r = lookup_group(g->name, 0, NULL, NULL);

		if (r == -ENOENT) {
			guard_error_set(err, g->file, g->line,
					"role group %%%s does not exist: creating it would grant "
					"the role (%s)",
					g->name, g->role);
			return r;
		}
		if (r < 0) {
			guard_error_set(err, g->file, g->line, "cannot look up role group %%%s: %s",
					g->name, strerror(-r));
			return r;
		}
	}
	return 0;
}

void guard_accounts_resolver(struct guard_resolver *ret, const struct guard_policy *policy)
{
	memset(ret, 0, sizeof(*ret));
	/* Read only through user_by_name. */
	ret->ctx = (void *)(uintptr_t)policy;
	ret->user_by_name = user_by_name;
	ret->name_of_uid = name_of_uid;
	ret->group_by_name = group_by_name;
	ret->group_by_gid = group_by_gid;
	ret->shell_allowed = shell_allowed;
	ret->uid_running = uid_running;
}
