/* accounts.c's parts: the answers NSS gave (accounts_memo.c) and the
 * walk that reads a policy's many groups at once (accounts_walk.c). */
#ifndef GUARD_ACCOUNTS_INTERNAL_H
#define GUARD_ACCOUNTS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

/* What NSS answered, each question asked once: a decision looks up the
 * actor and every target against the same groups (the shipped policy
 * names some 25), and nss_systemd walks the userdb directories for each
 * miss. A process that makes one decision keeps its answers for that
 * decision; the decision service keeps them across requests while
 * guard_accounts_refresh() finds the account files as they were and the
 * answers younger than GUARD_ACCOUNTS_KEEP_MS. A failed look-up is never
 * kept. */
#define MEMO_KEY_MAX 256 /* LOGIN_NAME_MAX */
/* An NSS buffer grows on ERANGE up to this. */
#define MAX_NSS_BUFFER (1u << 20)

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

void guard_memo_clear(struct memo *m);
uint32_t guard_memo_hash(enum memo_kind kind, const char *key, uint32_t key_id);
/* The answer kept for the question, or NULL. */
const struct memo *guard_memo_find(enum memo_kind kind, const char *key, uint32_t key_id);
/* A cleared slot for a new answer (in the memo, else a spare valid until
 * the next), filled by the caller and then kept by guard_memo_keep; NULL
 * when out of memory. A slot taken may move every answer found before. */
struct memo *guard_memo_slot(enum memo_kind kind, const char *key, uint32_t key_id);
void guard_memo_keep(const struct memo *m);
/* A copy of a NULL-terminated list of strings, or NULL. */
char **guard_strv_copy(char *const *v);

/* Were p's groups read in one walk since the answers were last dropped?
 * Set by the walk (accounts_walk.c), cleared by guard_accounts_forget. */
bool guard_memo_walked(const struct guard_policy *p);
void guard_memo_set_walked(const struct guard_policy *p);

/* Reads p's groups in one walk of the group database into the memo, when
 * they are many and the walk answers as getgrnam would; once for p until
 * the answers are dropped. */
void guard_accounts_walk(const struct guard_policy *p);

#endif
