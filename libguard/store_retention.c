/* What keeps the ledger bounded (MUST 17 in store.c): rows older than the
 * policy's retention pruned a bounded batch at a time, from each ledger
 * write (store_ledger.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

/* Each statement deletes at most ?2 rows older than ?1. The actions of a
 * decision go with it: the same subquery picks the same decisions before
 * and after their actions are gone. Every subquery walks an index on the
 * time it compares (its order ends with the rowid, which every index
 * ends with): ordered by id alone, SQLite walks the whole table by rowid,
 * so that each decision cost time in proportion to the ledger's size. */
static const char *const prune_sql[] = {
    "DELETE FROM decision_actions WHERE decision_id IN (SELECT id FROM decisions"
    " WHERE at < ?1 ORDER BY at, id LIMIT ?2)",
    "DELETE FROM decisions WHERE id IN (SELECT id FROM decisions WHERE at < ?1"
    " ORDER BY at, id LIMIT ?2)",
    "DELETE FROM limit_uses WHERE id IN (SELECT id FROM limit_uses WHERE at < ?1 LIMIT ?2)",
    "DELETE FROM watch_alerts WHERE id IN (SELECT id FROM watch_alerts WHERE at < ?1"
    " LIMIT ?2)",
    "DELETE FROM lockouts WHERE id IN (SELECT id FROM lockouts WHERE until < ?1 LIMIT ?2)",
    "DELETE FROM break_glass WHERE id IN (SELECT id FROM break_glass WHERE until < ?1"
    " LIMIT ?2)",
    "DELETE FROM freezes WHERE id IN (SELECT id FROM freezes WHERE (until > 0 AND"
    " until < ?1) OR thawed_at < ?1 LIMIT ?2)",
    "DELETE FROM approval_votes WHERE approval_id IN (SELECT id FROM approvals"
    " WHERE expires < ?1 ORDER BY expires, id LIMIT ?2)",
    "DELETE FROM approvals WHERE id IN (SELECT id FROM approvals WHERE expires < ?1"
    " ORDER BY expires, id LIMIT ?2)",
};

int guard_store_prune(struct guard_store *s, int64_t cutoff, struct guard_error *err)
{
	int r = guard_store_need_txn(s, err);

	for (size_t i = 0; r == 0 && i < sizeof(prune_sql) / sizeof(prune_sql[0]); i++)
		r = guard_store_run(
		    s, prune_sql[i],
		    GUARD_SQL_ARGS(guard_sql_int(cutoff), guard_sql_int(GUARD_LEDGER_PRUNE_BATCH)),
		    "pruning the ledger", err);
	return r;
}
