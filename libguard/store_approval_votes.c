/* An approver's answer to an approval request: a vote, which approves the
 * request once it has as many distinct approvers as it needs, or a denial.
 * Each inside the caller's write transaction, on the request as read there;
 * never the requester's own (MUST 13 of store.c). Apart from
 * store_approvals.c, which files requests and reads them: here is all that
 * moves one from pending. */
#include <errno.h>

#include "store_internal.h"

static int not_pending(const struct guard_approval *a, struct guard_error *err)
{
	guard_error_set(err, "", 0, "request %lld is %s", (long long)a->id,
			guard_approval_status_name(a->status));
	return -ESTALE;
}

int guard_store_approval_approve(struct guard_store *s, int64_t id, uint32_t approver_uid,
				 const char *approver, int64_t ttl, int64_t now,
				 enum guard_approval_status *ret_status, struct guard_error *err)
{
	struct guard_approval a;
	sqlite3_stmt *st = NULL;
	int r;

	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	if (!approver || ttl <= 0)
		return -EINVAL;
	r = guard_store_approval_get(s, id, now, &a, err);
	if (r < 0)
		return r;
	if (a.status != GUARD_APPROVAL_PENDING) {
		r = not_pending(&a, err);
		goto out;
	}
	/* MUST 13: never the requester, even one who is an approver. */
	if (approver_uid == a.requester_uid) {
		guard_error_set(err, "", 0,
				"request %lld is your own: another approver must approve it",
				(long long)id);
		r = -EPERM;
		goto out;
	}
	for (size_t i = 0; i < a.n_votes; i++)
		if (a.votes[i].approver_uid == approver_uid) {
			guard_error_set(err, "", 0,
					"you already approved request %lld; it needs %u distinct "
					"approvers",
					(long long)id, a.needed);
			r = -EALREADY;
			goto out;
		}

	r = guard_store_prepare(
	    s,
	    "INSERT INTO approval_votes(approval_id, approver_uid, approver, at)"
	    " VALUES (?1, ?2, ?3, ?4)",
	    &st, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, approver_uid);
	guard_store_bind_text(st, 3, approver);
	sqlite3_bind_int64(st, 4, now);
	r = guard_store_step_done(s, st, "recording the approval", err);
	guard_store_release(s, st);
	if (r < 0)
		goto out;
	*ret_status = GUARD_APPROVAL_PENDING;
	if (a.n_votes + 1 >= a.needed) {
		/* Approved: valid for approval_ttl from now. */
		r = guard_store_prepare(s,
					"UPDATE approvals SET status = 'approved', decided_at = ?2,"
					" decided_by = ?3, expires = ?4 WHERE id = ?1 AND"
					" status = 'pending'",
					&st, err);
		if (r < 0)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, now);
		guard_store_bind_text(st, 3, approver);
		sqlite3_bind_int64(st, 4, now + ttl);
		r = guard_store_step_done(s, st, "recording the approval", err);
		guard_store_release(s, st);
		if (r == 0 && sqlite3_changes(s->db) != 1)
			r = -ESTALE;
		if (r == 0)
			*ret_status = GUARD_APPROVAL_APPROVED;
	}
out:
	guard_approval_clear(&a);
	return r;
}

int guard_store_approval_deny(struct guard_store *s, int64_t id, const char *by,
			      const char *comment, int64_t now, struct guard_error *err)
{
	struct guard_approval a;
	sqlite3_stmt *st = NULL;
	int r;

	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	r = guard_store_approval_get(s, id, now, &a, err);
	if (r < 0)
		return r;
	if (a.status != GUARD_APPROVAL_PENDING && a.status != GUARD_APPROVAL_APPROVED) {
		r = not_pending(&a, err);
		goto out;
	}
	r = guard_store_prepare(s,
				"UPDATE approvals SET status = 'denied', decided_at = ?2,"
				" decided_by = ?3, comment = ?4 WHERE id = ?1 AND used = 0 AND"
				" status IN ('pending', 'approved')",
				&st, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	guard_store_bind_text(st, 3, by ? by : "?");
	guard_store_bind_text(st, 4, comment);
	r = guard_store_step_done(s, st, "recording the denial", err);
	guard_store_release(s, st);
	if (r == 0 && sqlite3_changes(s->db) != 1)
		r = -ESTALE;
out:
	guard_approval_clear(&a);
	return r;
}
