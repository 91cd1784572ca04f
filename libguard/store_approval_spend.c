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
	sqlite3_stmt *st = NULL;
	int r, rc;

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
	r = guard_store_prepare(
	    s,
	    "SELECT id FROM approvals WHERE requester_uid = ?1 AND hash = ?2 AND "
	    "status = 'approved' AND used = 0 AND expires > ?3 ORDER BY id LIMIT 1",
	    &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, b->requester_uid);
	guard_store_bind_text(st, 2, hash);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret_id = sqlite3_column_int64(st, 0);
	} else if (rc == SQLITE_DONE) {
		guard_error_set(err, "", 0, "no approved request for this");
		r = -ENOENT;
	} else {
		r = guard_store_fail(s, rc, "reading approvals", err);
	}
	guard_store_release(s, st);
	return r;
}

int guard_store_approval_candidates(struct guard_store *s, const struct guard_approval_binding *b,
				    int64_t now, int64_t *ids, size_t max, size_t *ret_n,
				    struct guard_error *err)
{
	char hash[2 * GUARD_SHA256_LEN + 1];
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int r, rc;

	*ret_n = 0;
	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	guard_approval_binding_hash(b, hash);
	r = guard_store_prepare(
	    s,
	    "SELECT id FROM approvals WHERE requester_uid = ?1 AND hash = ?2 AND "
	    "status = 'approved' AND used = 0 AND expires > ?3 ORDER BY id DESC LIMIT ?4",
	    &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, b->requester_uid);
	guard_store_bind_text(st, 2, hash);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, (int64_t)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
		ids[n++] = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = guard_store_fail(s, rc, "reading approvals", err);
	guard_store_release(s, st);
	*ret_n = n;
	return r;
}

int guard_store_approval_consume(struct guard_store *s, int64_t id, const char *hash,
				 int64_t decision_id, int64_t now, struct guard_error *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	/* MUST 12: at most once, whoever races. */
	r = guard_store_prepare(s,
				"UPDATE approvals SET used = 1, used_at = ?3, status = 'used',"
				" decision_id = ?4 WHERE id = ?1 AND hash = ?2 AND used = 0 AND"
				" status = 'approved' AND expires > ?3",
				&st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, id);
	guard_store_bind_text(st, 2, hash);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, decision_id);
	r = guard_store_step_done(s, st, "spending the approval", err);
	guard_store_release(s, st);
	if (r == 0 && sqlite3_changes(s->db) != 1) {
		guard_error_set(err, "", 0, "request %lld is no longer approved and unused",
				(long long)id);
		r = -ESTALE;
	}
	return r;
}
