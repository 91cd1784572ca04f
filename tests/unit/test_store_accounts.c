/* verify's part of the store: the key is made once and kept, the adopted
 * set comes back as it went in (and when), nothing is read or written
 * outside a transaction, and a change is explained only by an allowed (or
 * monitor-mode) decision, made since the given time, whose action, target
 * and group would have made it. */
#include <criterion/criterion.h>
#include <string.h>

#include "store_fixture.h"

static char dir[64];

static void setup(void)
{
	store_dir(dir, sizeof(dir));
}

static void teardown(void)
{
	store_rm(dir);
}

TestSuite(store_accounts, .init = setup, .fini = teardown);

static struct guard_store *begun(void)
{
	struct guard_store *s = store_open(dir);
	struct guard_error err = {0};
	int64_t now;

	cr_assert_eq(guard_store_begin(s, 1000, &now, &err), 0, "%s", err.message);
	return s;
}

static void commit(struct guard_store *s)
{
	struct guard_error err = {0};

	cr_assert_eq(guard_store_commit(s, &err), 0, "%s", err.message);
	guard_store_close(s);
}

Test(store_accounts, key_made_once_and_kept)
{
	uint8_t k1[GUARD_ACCOUNT_KEY_LEN], k2[GUARD_ACCOUNT_KEY_LEN],
	    zero[GUARD_ACCOUNT_KEY_LEN] = {0};
	struct guard_error err = {0};
	struct guard_store *s = store_open(dir);

	cr_expect_eq(guard_store_accounts_key(s, k1, &err), -EINVAL, "outside a transaction");
	guard_store_close(s);
	s = begun();
	cr_assert_eq(guard_store_accounts_key(s, k1, &err), 0, "%s", err.message);
	commit(s);
	s = begun();
	cr_assert_eq(guard_store_accounts_key(s, k2, &err), 0, "%s", err.message);
	commit(s);
	cr_expect_eq(memcmp(k1, k2, sizeof(k1)), 0);
	cr_expect_neq(memcmp(k1, zero, sizeof(k1)), 0);
}

Test(store_accounts, adopted_set_comes_back)
{
	static const uint8_t key[GUARD_ACCOUNT_KEY_LEN] = {7};
	struct guard_account_set in = {0}, out = {0};
	struct guard_account_change *c = NULL;
	struct guard_error err = {0};
	struct guard_store *s;
	size_t n = 1;
	int64_t at = -1;

	cr_assert_eq(guard_account_set_parse("bob:x:1001:1001::/home/bob:/bin/bash\n",
					     "sudo:x:27:bob,alice\n", "bob:$6$s$h:1::::::\n", NULL,
					     key, &in),
		     0);
	s = begun();
	cr_assert_eq(guard_store_accounts_seen(s, &out, &at, &err), 0, "%s", err.message);
	cr_expect_eq(at, 0, "never adopted yet");
	cr_expect_eq(out.n, 0);
	cr_assert_eq(guard_store_accounts_adopt(s, &in, 5000, &err), 0, "%s", err.message);
	commit(s);
	s = begun();
	cr_assert_eq(guard_store_accounts_seen(s, &out, &at, &err), 0, "%s", err.message);
	commit(s);
	cr_expect_eq(at, 5000);
	cr_assert_eq(guard_account_diff(&in, &out, &c, &n), 0);
	cr_expect_eq(n, 0, "the set read back is the set adopted");
	cr_expect_str_eq(out.v[0].mac, in.v[0].mac);
	guard_account_changes_free(c, n);
	guard_account_set_clear(&in);
	guard_account_set_clear(&out);
}

static void decision(struct guard_store *s, int64_t at, const char *mode, const char *action,
		     const char *target, const char *grp, const char *verdict)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO decisions(at, actor, actor_uid, service, decision, mode)"
		 " VALUES (%lld, 'alice', 1001, 'guardctl', '%s', '%s');"
		 "INSERT INTO decision_actions(decision_id, action, target, grp, decision)"
		 " VALUES (last_insert_rowid(), '%s', %s%s%s, %s%s%s, '%s');",
		 (long long)at, verdict, mode, action, target ? "'" : "", target ? target : "NULL",
		 target ? "'" : "", grp ? "'" : "", grp ? grp : "NULL", grp ? "'" : "", verdict);
	cr_assert_eq(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK, "%s",
		     sqlite3_errmsg(s->db));
}

static bool explained(struct guard_store *s, struct guard_account_change *c, int64_t since)
{
	struct guard_error err = {0};
	bool ret = true;

	cr_assert_eq(guard_store_change_explained(s, c, since, &ret, &err), 0, "%s", err.message);
	return ret;
}

Test(store_accounts, explained_by_the_matching_decision_only)
{
	struct guard_account_change added = {
	    .kind = GUARD_ACCOUNT_USER, .type = GUARD_CHANGE_ADDED, .name = (char *)"newbie"};
	struct guard_account_change member = {.kind = GUARD_ACCOUNT_GROUP,
					      .type = GUARD_CHANGE_MEMBER_ADDED,
					      .name = (char *)"sudo",
					      .member = (char *)"newbie"};
	struct guard_account_change upg = {
	    .kind = GUARD_ACCOUNT_GROUP, .type = GUARD_CHANGE_ADDED, .name = (char *)"newbie"};
	struct guard_store *s = begun();

	cr_expect_not(explained(s, &added, 0), "no decision at all");
	decision(s, 100, "enforce", "user.create", "newbie", NULL, "deny");
	cr_expect_not(explained(s, &added, 0), "a refused decision explains nothing");
	decision(s, 100, "enforce", "user.create", "other", NULL, "allow");
	cr_expect_not(explained(s, &added, 0), "another account's decision");
	decision(s, 100, "enforce", "user.create", "newbie", NULL, "allow");
	cr_expect(explained(s, &added, 0));
	cr_expect_not(explained(s, &added, 200), "a decision before since");
	cr_expect(explained(s, &upg, 0), "useradd's own group comes with the account");
	decision(s, 100, "enforce", "group.member.add", "newbie", "video", "allow");
	cr_expect_not(explained(s, &member, 0), "an add to another group");
	decision(s, 100, "monitor", "group.member.add", "newbie", "sudo", "deny");
	cr_expect(explained(s, &member, 0), "monitor mode let it through, recorded");
	commit(s);
}
