/* Spending an approval: finding the approved, unused request a decision
 * may spend (by id or by its binding) and spending it once (MUST 12, 13
 * of store.c). Whether it may be spent for the decision made now (MUST 18)
 * is store_decide.c's, with approval_terms.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

int guard_store_approval_find(struct guard_store *s, const struct guard_approval_binding *b,
			      int64_t id, int64_t now, int64_t *ret_id, struct guard_error *err)
{
	char hash[2 * GUARD_SHA256_LEN + 1];
	struct guard_approval a;
	int r;

	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	guard_approval_binding_hash(b, hash);
	if (id > 0) {
		r = guard_store_approval_get(s, id, now, &a, err);
		if (r < 0)
			return r;
		if (a.requester_uid != b->requester_uid) {
			guard_error_set(err, "", 0, "request %lld is not yours", (long long)id);
			r = -EPERM;
		} else if (strcmp(a.hash, hash) != 0) {
			guard_error_set(err, "", 0,
					"request %lld was approved for another command, input or "
					"host",
					(long long)id);
			r = -EPERM;
		} else if (a.status != GUARD_APPROVAL_APPROVED) {
			guard_error_set(err, "", 0, "request %lld is %s", (long long)id,
					guard_approval_status_name(a.status));
			r = -ENOENT;
		} else {
			*ret_id = id;
		}
		guard_approval_clear(&a);
		return r;
	}
	r = guard_store_query(
	    s,
	    "SELECT id FROM approvals WHERE requester_uid = ?1 AND hash = ?2 AND "
	    "status = 'approved' AND used = 0 AND expires > ?3 ORDER BY id LIMIT 1",
	    GUARD_SQL_ARGS(guard_sql_int(b->requester_uid), guard_sql_text(hash),
			   guard_sql_int(now)),
	    guard_store_row_int, ret_id, "reading approvals", err);
	if (r == 0) {
		guard_error_set(err, "", 0, "no approved request for this");
		return -ENOENT;
	}
	return r < 0 ? r : 0;
}

/* Up to max ids. */
struct ids {
	int64_t *v;
	size_t max, n;
};

static int id_row(sqlite3_stmt *st, void *ctx)
{
	struct ids *c = ctx;

	if (c->n >= c->max)
		return 1;
	c->v[c->n++] = sqlite3_column_int64(st, 0);
	return 0;
}

int guard_store_approval_candidates(struct guard_store *s, const struct guard_approval_binding *b,
				    int64_t now, int64_t *ids, size_t max, size_t *ret_n,
				    struct guard_error *err)
{
	char hash[2 * GUARD_SHA256_LEN + 1];
	struct ids c = {ids, max, 0};
	int r;

	*ret_n = 0;
	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	guard_approval_binding_hash(b, hash);
	r = guard_store_query(
	    s,
	    "SELECT id FROM approvals WHERE requester_uid = ?1 AND hash = ?2 AND "
	    "status = 'approved' AND used = 0 AND expires > ?3 ORDER BY id DESC LIMIT ?4",
	    GUARD_SQL_ARGS(guard_sql_int(b->requester_uid), guard_sql_text(hash),
			   guard_sql_int(now), guard_sql_int((int64_t)max)),
	    id_row, &c, "reading approvals", err);
	*ret_n = c.n;
	return r < 0 ? r : 0;
}

int guard_store_approval_consume(struct guard_store *s, int64_t id, const char *hash,
				 int64_t decision_id, int64_t now, struct guard_error *err)
{
	int r;

	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	/* MUST 12: at most once, whoever races. */
	r = guard_store_run(s,
			    "UPDATE approvals SET used = 1, used_at = ?3, status = 'used',"
			    " decision_id = ?4 WHERE id = ?1 AND hash = ?2 AND used = 0 AND"
			    " status = 'approved' AND expires > ?3",
			    GUARD_SQL_ARGS(guard_sql_int(id), guard_sql_text(hash),
					   guard_sql_int(now), guard_sql_int(decision_id)),
			    "spending the approval", err);
	if (r == 0 && sqlite3_changes(s->db) != 1) {
		guard_error_set(err, "", 0, "request %lld is no longer approved and unused",
				(long long)id);
		r = -ESTALE;
	}
	return r;
}
