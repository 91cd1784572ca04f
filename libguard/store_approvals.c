/* Approval requests: made by an `approve` decision, approved by distinct
 * approvers other than the requester (store_approval_votes.c), spent once
 * by the exact request they bind (store_approval_spend.c; MUST 12, 13 of
 * store.c). Here: the binding, filing a request, reading and listing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define COLUMNS                                                                                    \
	"id, requester, requester_uid, host, service, argv, shown_argv, action, target, hash,"     \
	" reason, rules, needed, status, created, expires, decided_at, decided_by, comment,"       \
	" used, used_at, decision_id, idents, idents_n, idents_digest, actions, actions_n,"        \
	" rule_terms, nonce"

/* At most this many requests are listed. */
#define MAX_LIST 1000

static const char *const status_names[] = {
    [GUARD_APPROVAL_PENDING] = "pending", [GUARD_APPROVAL_APPROVED] = "approved",
    [GUARD_APPROVAL_DENIED] = "denied",	  [GUARD_APPROVAL_USED] = "used",
    [GUARD_APPROVAL_EXPIRED] = "expired",
};

const char *guard_approval_status_name(enum guard_approval_status s)
{
	if ((unsigned)s >= sizeof(status_names) / sizeof(status_names[0]))
		return "expired";
	return status_names[s];
}

/* ---- The binding ---- */

static void put_field(struct guard_sha256 *c, const void *data, size_t len)
{
	uint8_t n[8];

	for (unsigned i = 0; i < 8; i++)
		n[i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	guard_sha256_update(c, n, sizeof(n));
	guard_sha256_update(c, data, len);
}

static void put_str(struct guard_sha256 *c, const char *s)
{
	put_field(c, s ? s : "", s ? strlen(s) : 0);
}

void guard_approval_binding_hash(const struct guard_approval_binding *b,
				 char out[2 * GUARD_SHA256_LEN + 1])
{
	struct guard_sha256 c;
	uint8_t d[GUARD_SHA256_LEN];
	char num[32];

	/* Every field length-prefixed: no two bindings encode alike. */
	guard_sha256_init(&c);
	put_str(&c, "guard-approval-v1");
	snprintf(num, sizeof(num), "%u", b->requester_uid);
	put_str(&c, num);
	put_str(&c, b->host);
	put_str(&c, b->service);
	if (b->argv && b->argc > 0) {
		put_str(&c, "command");
		snprintf(num, sizeof(num), "%d", b->argc);
		put_str(&c, num);
		for (int i = 0; i < b->argc; i++)
			put_str(&c, b->argv[i]);
		if (b->batch) {
			uint8_t bd[GUARD_SHA256_LEN];

			guard_sha256(b->batch, b->batch_len, bd);
			put_str(&c, "batch");
			put_field(&c, bd, sizeof(bd));
		} else {
			put_str(&c, "no-batch");
		}
	} else {
		const char *a = guard_action_name(b->action);

		put_str(&c, "pam");
		put_str(&c, a ? a : "unknown");
		put_str(&c, b->target);
	}
	guard_sha256_final(&c, d);
	guard_sha256_hex(d, out);
}

/* argv as a blob: each argument followed by a NUL. */
static int argv_blob(int argc, char *const *argv, char **ret, size_t *ret_len)
{
	size_t len = 0;
	char *p;

	*ret = NULL;
	*ret_len = 0;
	if (!argv || argc <= 0)
		return 0;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	p = malloc(len);
	if (!p)
		return -ENOMEM;
	*ret = p;
	*ret_len = len;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		memcpy(p, argv[i], n);
		p += n;
	}
	return 0;
}

static char **argv_unblob(const void *blob, size_t len, int *ret_argc, bool *oom)
{
	const char *p = blob;
	int n = 0, k = 0;
	char **v;

	*ret_argc = 0;
	if (!blob || len == 0 || p[len - 1] != '\0')
		return NULL;
	for (size_t i = 0; i < len; i++)
		n += p[i] == '\0';
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < len; i += strlen(p + i) + 1) {
		v[k] = strdup(p + i);
		if (!v[k++])
			*oom = true;
	}
	*ret_argc = n;
	return v;
}

static void argv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void guard_approval_clear(struct guard_approval *a)
{
	if (!a)
		return;
	free(a->requester);
	free(a->host);
	free(a->service);
	argv_free(a->argv);
	argv_free(a->shown_argv);
	free(a->action);
	free(a->target);
	free(a->reason);
	free(a->rules);
	free(a->idents);
	free(a->actions);
	free(a->rule_terms);
	free(a->decided_by);
	free(a->comment);
	for (size_t i = 0; i < a->n_votes; i++)
		free(a->votes[i].approver);
	free(a->votes);
	memset(a, 0, sizeof(*a));
}

void guard_approvals_free(struct guard_approval *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		guard_approval_clear(&a[i]);
	free(a);
}

static enum guard_approval_status effective_status(const char *stored, int64_t expires, int64_t now)
{
	if (stored && strcmp(stored, "used") == 0)
		return GUARD_APPROVAL_USED;
	if (stored && strcmp(stored, "denied") == 0)
		return GUARD_APPROVAL_DENIED;
	if (expires <= now)
		return GUARD_APPROVAL_EXPIRED;
	if (stored && strcmp(stored, "approved") == 0)
		return GUARD_APPROVAL_APPROVED;
	if (stored && strcmp(stored, "pending") == 0)
		return GUARD_APPROVAL_PENDING;
	return GUARD_APPROVAL_EXPIRED; /* unknown: never usable */
}

/* Fills a from a row of COLUMNS. */
static void read_row(sqlite3_stmt *st, int64_t now, struct guard_approval *a, bool *oom)
{
	const char *hash;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->requester = guard_store_col_dup(st, 1, oom);
	a->requester_uid = (uint32_t)sqlite3_column_int64(st, 2);
	a->host = guard_store_col_dup(st, 3, oom);
	a->service = guard_store_col_dup(st, 4, oom);
	a->argv = argv_unblob(sqlite3_column_blob(st, 5), (size_t)sqlite3_column_bytes(st, 5),
			      &a->argc, oom);
	a->shown_argv = argv_unblob(sqlite3_column_blob(st, 6), (size_t)sqlite3_column_bytes(st, 6),
				    &a->shown_argc, oom);
	a->action = guard_store_col_dup(st, 7, oom);
	a->target = guard_store_col_dup(st, 8, oom);
	hash = (const char *)sqlite3_column_text(st, 9);
	snprintf(a->hash, sizeof(a->hash), "%s", hash ? hash : "");
	a->reason = guard_store_col_dup(st, 10, oom);
	a->rules = guard_store_col_dup(st, 11, oom);
	a->needed = (unsigned)sqlite3_column_int(st, 12);
	a->created = sqlite3_column_int64(st, 14);
	a->expires = sqlite3_column_int64(st, 15);
	a->status = effective_status((const char *)sqlite3_column_text(st, 13), a->expires, now);
	a->decided_at = sqlite3_column_int64(st, 16);
	a->decided_by = guard_store_col_dup(st, 17, oom);
	a->comment = guard_store_col_dup(st, 18, oom);
	a->used_at = sqlite3_column_int64(st, 20);
	a->decision_id = sqlite3_column_int64(st, 21);
	a->idents = guard_store_col_dup(st, 22, oom);
	a->n_idents = (size_t)sqlite3_column_int64(st, 23);
	hash = (const char *)sqlite3_column_text(st, 24);
	snprintf(a->idents_digest, sizeof(a->idents_digest), "%s", hash ? hash : "");
	a->actions = guard_store_col_dup(st, 25, oom);
	a->n_actions = (size_t)sqlite3_column_int64(st, 26);
	a->rule_terms = guard_store_col_dup(st, 27, oom);
	hash = (const char *)sqlite3_column_text(st, 28);
	snprintf(a->nonce, sizeof(a->nonce), "%s", hash ? hash : "");
}

static int vote_row(sqlite3_stmt *st, void *ctx)
{
	struct guard_approval_vote *v = guard_store_rows_add(ctx, sizeof(*v), 4);
	bool oom = false;

	if (!v)
		return -ENOMEM;
	v->approver = guard_store_col_dup(st, 0, &oom);
	v->approver_uid = (uint32_t)sqlite3_column_int64(st, 1);
	v->at = sqlite3_column_int64(st, 2);
	return oom ? -ENOMEM : 0;
}

static int read_votes(struct guard_store *s, struct guard_approval *a, struct guard_error *err)
{
	struct guard_store_rows c = {0};
	int r;

	r = guard_store_query(s,
			      "SELECT approver, approver_uid, at FROM approval_votes WHERE"
			      " approval_id = ?1 ORDER BY at, approver_uid",
			      GUARD_SQL_ARGS(guard_sql_int(a->id)), vote_row, &c,
			      "reading approvals", err);
	a->votes = c.v;
	a->n_votes = c.n;
	return r;
}

/* Requests read at now: the one asked for, or a list. */
struct approvals {
	int64_t now;
	struct guard_approval *one;
	struct guard_store_rows list;
};

static int approval_row(sqlite3_stmt *st, void *ctx)
{
	struct approvals *c = ctx;
	struct guard_approval *a = guard_store_rows_add(&c->list, sizeof(*a), 16);
	bool oom = false;

	if (!a)
		return -ENOMEM;
	read_row(st, c->now, a, &oom);
	return oom ? -ENOMEM : 0;
}

static int approval_one(sqlite3_stmt *st, void *ctx)
{
	const struct approvals *c = ctx;
	bool oom = false;

	read_row(st, c->now, c->one, &oom);
	return oom ? -ENOMEM : 1;
}

int guard_store_approval_get(struct guard_store *s, int64_t id, int64_t now,
			     struct guard_approval *ret, struct guard_error *err)
{
	struct approvals c = {.now = now, .one = ret};
	int r;

	memset(ret, 0, sizeof(*ret));
	r = guard_store_query(s, "SELECT " COLUMNS " FROM approvals WHERE id = ?1",
			      GUARD_SQL_ARGS(guard_sql_int(id)), approval_one, &c,
			      "reading approvals", err);
	if (r == 0) {
		guard_error_set(err, "", 0, "no request %lld", (long long)id);
		r = -ENOENT;
	}
	if (r > 0)
		r = read_votes(s, ret, err);
	if (r < 0)
		guard_approval_clear(ret);
	return r;
}

int guard_store_approval_list(struct guard_store *s, bool all_users, uint32_t requester_uid,
			      bool every_status, int64_t now, struct guard_approval **ret,
			      size_t *ret_n, struct guard_error *err)
{
	struct approvals c = {.now = now};
	struct guard_approval *list;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = guard_store_query(s,
			      "SELECT " COLUMNS " FROM approvals WHERE (?1 OR requester_uid = ?2)"
			      " AND (?3 OR (status IN ('pending', 'approved') AND expires > ?4))"
			      " ORDER BY id DESC LIMIT ?5",
			      GUARD_SQL_ARGS(guard_sql_int(all_users), guard_sql_int(requester_uid),
					     guard_sql_int(every_status), guard_sql_int(now),
					     guard_sql_int(MAX_LIST)),
			      approval_row, &c, "listing approvals", err);
	list = c.list.v;
	for (size_t i = 0; r == 0 && i < c.list.n; i++)
		r = read_votes(s, &list[i], err);
	if (r < 0) {
		guard_approvals_free(list, c.list.n);
		return r;
	}
	*ret = list;
	*ret_n = c.list.n;
	return 0;
}

int guard_store_approval_request(struct guard_store *s, const struct guard_approval_binding *b,
				 int shown_argc, char *const *shown_argv, const char *reason,
				 const struct guard_approval_terms *terms, int64_t ttl, int64_t now,
				 int64_t *ret_id, bool *ret_created, struct guard_error *err)
{
	char hash[2 * GUARD_SHA256_LEN + 1], *argv = NULL, *shown = NULL;
	size_t argv_len = 0, shown_len = 0;
	bool command = b && b->argv && b->argc > 0;
	int r;

	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	if (!b || !b->requester || !b->host || !b->service || !terms || terms->needed < 1 ||
	    !terms->idents || !terms->actions || !terms->rules || !terms->rule_terms || ttl <= 0 ||
	    (!command && !b->target)) {
		guard_error_set(err, "", 0, "internal error: incomplete approval request");
		return -EINVAL;
	}
	guard_approval_binding_hash(b, hash);

	/* The requester's identical pending request, when there is one: the
	 * same command, the same identities, the same rules asking. */
	r = guard_store_query(
	    s,
	    "SELECT id FROM approvals WHERE requester_uid = ?1 AND hash = ?2 AND "
	    "status = 'pending' AND expires > ?3 AND idents_digest = ?4 AND rule_terms = ?5 "
	    "AND requester = ?6 ORDER BY id DESC LIMIT 1",
	    GUARD_SQL_ARGS(guard_sql_int(b->requester_uid), guard_sql_text(hash),
			   guard_sql_int(now), guard_sql_text(terms->idents_digest),
			   guard_sql_text(terms->rule_terms), guard_sql_text(b->requester)),
	    guard_store_row_int, ret_id, "reading approvals", err);
	if (r > 0)
		*ret_created = false;
	if (r != 0)
		return r < 0 ? r : 0;

	if (argv_blob(b->argc, b->argv, &argv, &argv_len) < 0 ||
	    argv_blob(shown_argc, shown_argv, &shown, &shown_len) < 0) {
		r = -ENOMEM;
		goto out;
	}
	/* A command binds argv (shown as the caller says), a PAM request its
	 * action and target. */
	r = guard_store_run(
	    s,
	    "INSERT INTO approvals(requester, requester_uid, host, service, argv, shown_argv,"
	    " action, target, hash, reason, rules, needed, status, created, expires, idents,"
	    " idents_n, idents_digest, actions, actions_n, rule_terms, nonce) VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending', ?13, ?14, ?15, ?16,"
	    " ?17, ?18, ?19, ?20, lower(hex(randomblob(16))))",
	    GUARD_SQL_ARGS(
		guard_sql_text(b->requester), guard_sql_int(b->requester_uid),
		guard_sql_text(b->host), guard_sql_text(b->service),
		command ? guard_sql_blob(argv, argv_len) : guard_sql_null(),
		command ? guard_sql_blob(shown ? shown : argv, shown ? shown_len : argv_len)
			: guard_sql_null(),
		guard_sql_text(command ? NULL : guard_action_name(b->action)),
		guard_sql_text(command ? NULL : b->target), guard_sql_text(hash),
		guard_sql_text(reason), guard_sql_text(terms->rules),
		guard_sql_int((int)terms->needed), guard_sql_int(now), guard_sql_int(now + ttl),
		guard_sql_text(terms->idents), guard_sql_int((int64_t)terms->n_idents),
		guard_sql_text(terms->idents_digest), guard_sql_text(terms->actions),
		guard_sql_int((int64_t)terms->n_actions), guard_sql_text(terms->rule_terms)),
	    "recording the approval request", err);
	if (r == 0) {
		*ret_id = sqlite3_last_insert_rowid(s->db);
		*ret_created = true;
	}
out:
	if (argv) {
		explicit_bzero(argv, argv_len);
		free(argv);
	}
	free(shown);
	return r;
}
