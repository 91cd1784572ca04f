/* An approver's answer to an approval request: a vote, which approves the
 * request once it has as many distinct approvers as it needs, or a denial.
 * Each inside the caller's write transaction, on the request as read there;
 * never the requester's own (MUST 13 of store.c). Apart from
 * store_approvals.c, which files requests and reads them: here is all that
 * moves one from pending. */
#include <errno.h>

#include "store_internal.h"

/* Request id as read in this transaction, while an answer can still move
 * it: pending, or also approved (a denial). -ESTALE when it is past that. */
static int answerable(struct guard_store *s, int64_t id, int64_t now, bool approved_too,
		      struct guard_approval *a, struct guard_error *err)
{
	int r = guard_store_approval_get(s, id, now, a, err);

	if (r < 0)
		return r;
	if (a->status == GUARD_APPROVAL_PENDING ||
	    (approved_too && a->status == GUARD_APPROVAL_APPROVED))
		return 0;
	guard_error_set(err, "", 0, "request %lld is %s", (long long)a->id,
			guard_approval_status_name(a->status));
	guard_approval_clear(a);
	return -ESTALE;
}

int guard_store_approval_approve(struct guard_store *s, int64_t id, uint32_t approver_uid,
				 const char *approver, int64_t ttl, int64_t now,
				 enum guard_approval_status *ret_status, struct guard_error *err)
{
	struct guard_approval a;
	int r;

	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	if (!approver || ttl <= 0)
		return -EINVAL;
	r = answerable(s, id, now, false, &a, err);
	if (r < 0)
		return r;
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

	r = guard_store_run(s,
			    "INSERT INTO approval_votes(approval_id, approver_uid, approver, at)"
			    " VALUES (?1, ?2, ?3, ?4)",
			    GUARD_SQL_ARGS(guard_sql_int(id), guard_sql_int(approver_uid),
					   guard_sql_text(approver), guard_sql_int(now)),
			    "recording the approval", err);
	if (r < 0)
		goto out;
	*ret_status = GUARD_APPROVAL_PENDING;
	if (a.n_votes + 1 >= a.needed) {
		/* Approved: valid for approval_ttl from now. */
		r = guard_store_run(s,
				    "UPDATE approvals SET status = 'approved', decided_at = ?2,"
				    " decided_by = ?3, expires = ?4 WHERE id = ?1 AND"
				    " status = 'pending'",
				    GUARD_SQL_ARGS(guard_sql_int(id), guard_sql_int(now),
						   guard_sql_text(approver),
						   guard_sql_int(now + ttl)),
				    "recording the approval", err);
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
	int r;

	r = guard_store_need_txn(s, err);
	if (r < 0)
		return r;
	r = answerable(s, id, now, true, &a, err);
	if (r < 0)
		return r;
	r = guard_store_run(s,
			    "UPDATE approvals SET status = 'denied', decided_at = ?2,"
			    " decided_by = ?3, comment = ?4 WHERE id = ?1 AND used = 0 AND"
			    " status IN ('pending', 'approved')",
			    GUARD_SQL_ARGS(guard_sql_int(id), guard_sql_int(now),
					   guard_sql_text(by ? by : "?"), guard_sql_text(comment)),
			    "recording the denial", err);
	if (r == 0 && sqlite3_changes(s->db) != 1)
		r = -ESTALE;
	guard_approval_clear(&a);
	return r;
}
