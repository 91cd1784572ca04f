/* verify's part of the store: the account databases as last adopted
 * (accounts_seen), the key of their keyed password hashes (secrets), when
 * (meta accounts_seen_at), and whether a decision explains a change. Every
 * call runs inside the caller's transaction (MUST 8). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "store_internal.h"

/* The key into ctx: 1, or 2 when the stored value has another size. */
static int key_row(sqlite3_stmt *st, void *ctx)
{
	if (sqlite3_column_bytes(st, 0) != GUARD_ACCOUNT_KEY_LEN)
		return 2;
	memcpy(ctx, sqlite3_column_blob(st, 0), GUARD_ACCOUNT_KEY_LEN);
	return 1;
}

int guard_store_accounts_key(struct guard_store *s, uint8_t key[GUARD_ACCOUNT_KEY_LEN],
			     struct guard_error *err)
{
	int r;

	r = guard_store_need_txn(s, err);
	if (r == 0)
		r = guard_store_query(s, "SELECT value FROM secrets WHERE name = 'accounts'", NULL,
				      key_row, key, "reading the accounts key", err);
	if (r == 1)
		return 0;
	if (r == 2) {
		guard_error_set(err, s->path, 0, "the accounts key is damaged; refused");
		return -EBADMSG;
	}
	if (r < 0)
		return r;
	if (getrandom(key, GUARD_ACCOUNT_KEY_LEN, 0) != GUARD_ACCOUNT_KEY_LEN) {
		r = -errno;
		guard_error_set(err, s->path, 0, "cannot make the accounts key: %s", strerror(-r));
		return r;
	}
	return guard_store_run(s, "INSERT INTO secrets(name, value) VALUES ('accounts', ?1)",
			       GUARD_SQL_ARGS(guard_sql_blob(key, GUARD_ACCOUNT_KEY_LEN)),
			       "writing the accounts key", err);
}

static int read_row(sqlite3_stmt *st, void *ctx)
{
	struct guard_account_set *set = ctx;
	const char *kind = (const char *)sqlite3_column_text(st, 0), *mac;
	struct guard_account a = {0};

	a.kind = kind && strcmp(kind, "group") == 0 ? GUARD_ACCOUNT_GROUP : GUARD_ACCOUNT_USER;
	a.name = (char *)sqlite3_column_text(st, 1);
	a.id = (uint32_t)sqlite3_column_int64(st, 2);
	a.gid = (uint32_t)sqlite3_column_int64(st, 3);
	a.home = (char *)sqlite3_column_text(st, 4);
	a.shell = (char *)sqlite3_column_text(st, 5);
	a.members = (char *)sqlite3_column_text(st, 6);
	a.password = (enum guard_password_state)sqlite3_column_int(st, 7);
	mac = (const char *)sqlite3_column_text(st, 8);
	snprintf(a.mac, sizeof(a.mac), "%s", mac ? mac : "");
	if (!a.name)
		return 0;
	return guard_account_set_add(set, &a);
}

int guard_store_accounts_seen(struct guard_store *s, struct guard_account_set *ret, int64_t *ret_at,
			      struct guard_error *err)
{
	struct guard_account_set set = {0};
	int64_t at = 0;
	int r;

	r = guard_store_need_txn(s, err);
	if (r == 0)
		r = guard_store_query(s, "SELECT value FROM meta WHERE key = 'accounts_seen_at'",
				      NULL, guard_store_row_int, &at,
				      "reading when accounts were seen", err);
	if (r < 0)
		return r;
	r = guard_store_query(s,
			      "SELECT kind, name, id, gid, home, shell, members, password,"
			      " mac FROM accounts_seen",
			      NULL, read_row, &set, "reading the accounts seen", err);
	if (r < 0) {
		guard_account_set_clear(&set);
		if (r == -ENOMEM)
			guard_error_set(err, s->path, 0, "out of memory");
		return r;
	}
	guard_account_set_sort(&set);
	*ret = set;
	*ret_at = at;
	return 0;
}

static int insert_all(struct guard_store *s, const struct guard_account_set *now,
		      struct guard_error *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = guard_store_prepare(s,
				"INSERT INTO accounts_seen(kind, name, id, gid, home, shell,"
				" members, password, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
				" ?9)",
				&st, err);
	for (size_t i = 0; r == 0 && i < now->n; i++) {
		const struct guard_account *a = &now->v[i];

		r = guard_store_query_stmt(
		    s, st,
		    GUARD_SQL_ARGS(
			guard_sql_text(a->kind == GUARD_ACCOUNT_GROUP ? "group" : "user"),
			guard_sql_text(a->name), guard_sql_int(a->id), guard_sql_int(a->gid),
			guard_sql_text(a->home), guard_sql_text(a->shell),
			guard_sql_text(a->members), guard_sql_int((int)a->password),
			guard_sql_text(a->mac)),
		    NULL, NULL, "recording the accounts seen", err);
	}
	guard_store_release(s, st);
	return r;
}

int guard_store_accounts_adopt(struct guard_store *s, const struct guard_account_set *now,
			       int64_t at, struct guard_error *err)
{
	int r;

	r = guard_store_need_txn(s, err);
	if (r == 0)
		r = guard_store_exec(s, "DELETE FROM accounts_seen", "recording the accounts seen",
				     err);
	if (r == 0)
		r = insert_all(s, now, err);
	if (r == 0)
		r = guard_store_run(s,
				    "INSERT OR REPLACE INTO meta(key, value) VALUES"
				    " ('accounts_seen_at', ?1)",
				    GUARD_SQL_ARGS(guard_sql_int(at > 0 ? at : 1)),
				    "recording when accounts were seen", err);
	return r;
}

/* One way a decision explains a change: its action, and the target and
 * group it names (NULL: any). */
struct because {
	const char *action, *target, *group;
};

/* The actions that would have made c, as the classifier names them. */
static size_t reasons(const struct guard_account_change *c, struct because *v)
{
	const char *n = c->name, *m = c->member;
	size_t k = 0;

	if (c->kind == GUARD_ACCOUNT_GROUP) {
		switch (c->type) {
		case GUARD_CHANGE_ADDED:
			v[k++] = (struct because){"group.create", NULL, n};
			v[k++] = (struct because){"group.create", n, NULL};
			v[k++] = (struct because){"user.create", n, NULL}; /* its own group */
			break;
		case GUARD_CHANGE_REMOVED:
			v[k++] = (struct because){"group.delete", NULL, n};
			v[k++] = (struct because){"group.delete", n, NULL};
			v[k++] = (struct because){"user.delete", n, NULL};
			break;
		case GUARD_CHANGE_MEMBER_ADDED:
		case GUARD_CHANGE_MEMBER_REMOVED:
			v[k++] = (struct because){NULL, m, n};
			if (c->type == GUARD_CHANGE_MEMBER_REMOVED)
				v[k++] = (struct because){"user.delete", m, NULL};
			/* A group's own change also explains it. */
			__attribute__((fallthrough));
		default:
			v[k++] = (struct because){"group.modify", NULL, n};
			v[k++] = (struct because){"group.modify", n, NULL};
			/* gshadow written after group by the tool that made it. */
			if (c->type == GUARD_CHANGE_PASSWORD) {
				v[k++] = (struct because){"group.create", NULL, n};
				v[k++] = (struct because){"user.create", n, NULL};
			}
			break;
		}
	} else {
		switch (c->type) {
		case GUARD_CHANGE_ADDED:
			v[k++] = (struct because){"user.create", n, NULL};
			break;
		case GUARD_CHANGE_REMOVED:
			v[k++] = (struct because){"user.delete", n, NULL};
			break;
		case GUARD_CHANGE_RENAMED:
			v[k++] = (struct because){"user.modify", c->value_new, NULL};
			v[k++] = (struct because){"user.modify", n, NULL};
			break;
		case GUARD_CHANGE_PASSWORD:
			v[k++] = (struct because){"user.password", n, NULL};
			v[k++] = (struct because){"user.create", n, NULL};
			if (strcmp(c->value_new, "locked") == 0)
				v[k++] = (struct because){"user.lock", n, NULL};
			if (strcmp(c->value_new, "unlocked") == 0)
				v[k++] = (struct because){"user.unlock", n, NULL};
			break;
		default:
			v[k++] = (struct because){"user.modify", n, NULL};
			break;
		}
	}
	/* A batch past the ledger's rows (MUST 17) is one "more" row naming
	 * no account: it explains nothing, its changes are reported. */
	return k;
}

/* A change that makes an id 0 (an account or group that is root's in all
 * but name) is reported whatever decision there was: no rule should allow
 * it, and one that did is worth a second look. */
static bool always_reported(const struct guard_account_change *c)
{
	return c->type == GUARD_CHANGE_FIELD && c->value_new && strcmp(c->value_new, "0") == 0 &&
	       (strcmp(c->field, "uid") == 0 || strcmp(c->field, "gid") == 0);
}

/* Any row: found. */
static int found_row(sqlite3_stmt *st, void *ctx)
{
	(void)st;
	(void)ctx;
	return 1;
}

int guard_store_change_explained(struct guard_store *s, const struct guard_account_change *c,
				 int64_t since, bool *ret, struct guard_error *err)
{
	struct because v[8];
	size_t n = always_reported(c) ? 0 : reasons(c, v);
	sqlite3_stmt *st = NULL;
	int r;

	*ret = false;
	r = guard_store_need_txn(s, err);
	if (r == 0)
		r = guard_store_prepare(
		    s,
		    "SELECT 1 FROM decision_actions a JOIN decisions d ON d.id = a.decision_id"
		    " WHERE d.at >= ?1"
		    /* The whole decision went ahead (allowed, by a spent approval
		     * or break-glass, or monitor mode let it), and its command, if
		     * it ran one, did not fail. */
		    " AND (d.decision = 'allow' OR d.approval_id IS NOT NULL OR d.break_glass = 1"
		    " OR d.mode = 'monitor') AND (d.exit_status IS NULL OR d.exit_status = 0)"
		    " AND (?2 IS NULL OR a.action = ?2) AND (?3 IS NULL OR a.target = ?3)"
		    " AND (?4 IS NULL OR a.grp = ?4) LIMIT 1",
		    &st, err);
	for (size_t i = 0; r == 0 && i < n && !*ret; i++) {
		r = guard_store_query_stmt(
		    s, st,
		    GUARD_SQL_ARGS(guard_sql_int(since), guard_sql_text(v[i].action),
				   guard_sql_text(v[i].target), guard_sql_text(v[i].group)),
		    found_row, NULL, "reading the decisions", err);
		*ret = r > 0;
	}
	guard_store_release(s, st);
	return r < 0 ? r : 0;
}
