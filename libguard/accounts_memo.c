/* What NSS answered, kept: the answers by hash, and when they are dropped
 * (guard_accounts_forget, guard_accounts_refresh). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "accounts_internal.h"

#define MEMO_MAX 65536 /* answers kept; more are asked again each time */

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
 * (accounts_walk.c) since the answers were last dropped. Only which names are
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

void guard_memo_clear(struct memo *m)
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
		guard_memo_clear(&memo[i]);
	memo_n = 0;
	if (memo_slots)
		memset(memo_slots, 0, memo_n_slots * sizeof(*memo_slots));
	guard_memo_clear(&spare);
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

char **guard_strv_copy(char *const *v)
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

uint32_t guard_memo_hash(enum memo_kind kind, const char *key, uint32_t key_id)
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

const struct memo *guard_memo_find(enum memo_kind kind, const char *key, uint32_t key_id)
{
	uint32_t h = guard_memo_hash(kind, key, key_id);

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

struct memo *guard_memo_slot(enum memo_kind kind, const char *key, uint32_t key_id)
{
	/* A name no account can have (a PAM_USER of 100 KB) is not kept. */
	bool keep = (!key || strlen(key) <= MEMO_KEY_MAX) && memo_room();
	struct memo *m = keep ? &memo[memo_n] : &spare;

	guard_memo_clear(m);
	m->kind = kind;
	m->key_id = key_id;
	m->hash = guard_memo_hash(kind, key, key_id);
	if (key && !(m->key = strdup(key)))
		return NULL;
	return m;
}

void guard_memo_keep(const struct memo *m)
{
	if (m != &spare)
		memo_index(memo_n++);
}

bool guard_memo_walked(const struct guard_policy *p)
{
	return walked == p;
}

void guard_memo_set_walked(const struct guard_policy *p)
{
	walked = p;
}
