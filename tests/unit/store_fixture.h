/* Shared by the store's unit tests: a private store directory, a policy,
 * and requests built by hand. */
#ifndef GUARD_TEST_STORE_FIXTURE_H
#define GUARD_TEST_STORE_FIXTURE_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "store.h"
#include "store_internal.h"

#define TEST_POLICY                                                                                \
	"settings {\n"                                                                             \
	"  timezone = \"UTC\"\n"                                                                   \
	"  audit = off\n"                                                                          \
	"  approvers = { \"%guard-approvers\" }\n"                                                 \
	"  break_glass = { \"%oncall\" }\n"                                                        \
	"  approval_ttl = 30m\n"                                                                   \
	"}\n"                                                                                      \
	"rule \"limited\" {\n"                                                                     \
	"  actions = { \"user.create\" }\n"                                                        \
	"  actors = { \"%helpdesk\" }\n"                                                           \
	"  limit = \"10/1h\"\n"                                                                    \
	"  decision = allow\n"                                                                     \
	"}\n"                                                                                      \
	"rule \"one-approval\" {\n"                                                                \
	"  actions = { \"user.delete\" }\n"                                                        \
	"  decision = approve\n"                                                                   \
	"}\n"                                                                                      \
	"rule \"two-approvals\" {\n"                                                               \
	"  actions = { \"user.password\" }\n"                                                      \
	"  decision = approve\n"                                                                   \
	"  approvals = 2\n"                                                                        \
	"}\n"                                                                                      \
	"rule \"no-lock\" {\n"                                                                     \
	"  actions = { \"user.lock\" }\n"                                                          \
	"  decision = deny\n"                                                                      \
	"}\n"                                                                                      \
	"watch \"denial-burst\" {\n"                                                               \
	"  decisions = { \"deny\" }\n"                                                             \
	"  threshold = \"3/10m\"\n"                                                                \
	"  lockout = 30m\n"                                                                        \
	"}\n"

/* 2026-03-02 10:00:00 UTC, a Monday. */
#define T0 1772445600

/* A request built by hand: one action by an actor through guardctl, with
 * its approval binding (argv as typed, host "testhost"). */
struct sreq {
	struct guard_request r;
	struct guard_target t;
	char *groups[2];
	char *argv[4];
	struct guard_approval_binding b;
};

static inline void sreq_init(struct sreq *q, const char *actor, uint32_t uid, const char *group,
			     enum guard_action action, const char *target)
{
	static const char *const tools[GUARD_ACTION_COUNT] = {
	    [GUARD_USER_CREATE] = "useradd",
	    [GUARD_USER_DELETE] = "userdel",
	    [GUARD_USER_PASSWORD] = "chpasswd",
	    [GUARD_USER_LOCK] = "usermod",
	};

	memset(q, 0, sizeof(*q));
	q->groups[0] = (char *)group;
	q->r.actor = (struct guard_identity){.name = (char *)actor,
					     .exists = true,
					     .uid_known = true,
					     .uid = uid,
					     .groups = q->groups,
					     .n_groups = group ? 1 : 0};
	q->r.service = "guardctl";
	q->r.location = GUARD_LOCATION_LOCAL;
	q->t.action = action;
	q->t.user.name = (char *)target;
	q->r.targets = &q->t;
	q->r.n_targets = 1;
	q->argv[0] = (char *)(tools[action] ? tools[action] : "usermod");
	q->argv[1] = (char *)target;
	q->r.argc = 2;
	q->r.argv = q->argv;
	q->b = (struct guard_approval_binding){.requester_uid = uid,
					       .requester = actor,
					       .host = "testhost",
					       .service = "guardctl",
					       .argc = 2,
					       .argv = q->argv};
}

/* What schema 4 added, taken out again by the tests that make an older
 * store (SQL, ending in "; "). */
#define V4_DOWN                                                                                    \
	"DROP TABLE accounts_seen; DROP TABLE secrets; DROP TABLE account_changes; "               \
	"DELETE FROM meta WHERE key = 'accounts_seen_at'; "                                        \
	"ALTER TABLE approvals DROP COLUMN nonce; "

static inline void store_dir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/guard-store-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chmod(dir, 0700), 0);
}

static inline void store_rm(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

static inline int store_try_open(const char *dir, int timeout_ms, struct guard_store **ret,
				 struct guard_error *err)
{
	struct guard_store_options o = {
	    .dir = dir, .busy_timeout_ms = timeout_ms, .owner = geteuid()};

	return guard_store_open(&o, ret, err);
}

static inline struct guard_store *store_open(const char *dir)
{
	struct guard_store *s = NULL;
	struct guard_error err = {0};
	int r = store_try_open(dir, 10000, &s, &err);

	cr_assert_eq(r, 0, "open %s: %d %s: %s", dir, r, err.file, err.message);
	return s;
}

/* The voters of these tests, as the account database knows them now:
 * carol and frank approve (%guard-approvers), bob is an admin; a test may
 * change voters[] to rename one or take them out of a group. */
struct fixture_voter {
	uint32_t uid;
	const char *name;
	const char *group;
};

static struct fixture_voter fixture_voters[8] = {
    {1003, "carol", "guard-approvers"},
    {1006, "frank", "guard-approvers"},
    {1002, "bob", "admins"},
};

static inline int fixture_voter_lookup(void *ctx, uint32_t uid, struct guard_identity *ret)
{
	(void)ctx;
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < sizeof(fixture_voters) / sizeof(fixture_voters[0]); i++) {
		const struct fixture_voter *v = &fixture_voters[i];

		if (!v->name || v->uid != uid)
			continue;
		ret->name = strdup(v->name);
		ret->exists = ret->uid_known = true;
		ret->uid = uid;
		ret->groups = calloc(1, sizeof(char *));
		cr_assert(ret->name && ret->groups);
		if (v->group) {
			ret->groups[0] = strdup(v->group);
			ret->n_groups = 1;
		}
		return 0;
	}
	return -ENOENT;
}

static inline int store_decide(struct guard_store *s, const struct guard_policy *p, struct sreq *q,
			       int64_t approval_id, int64_t now, struct guard_decision_result *res,
			       struct guard_error *err)
{
	struct guard_decide_in in = {.policy = p,
				     .request = &q->r,
				     .binding = &q->b,
				     .approval_id = approval_id,
				     .wall_now = now,
				     .voter_lookup = fixture_voter_lookup};

	return guard_store_decide(s, &in, res, err);
}

/* Decides and returns the outcome; -1 - errno on a store error. */
static inline int store_outcome(struct guard_store *s, const struct guard_policy *p, struct sreq *q,
				int64_t approval_id, int64_t now, int64_t *ret_approval)
{
	struct guard_decision_result res;
	struct guard_error err = {0};
	int r = store_decide(s, p, q, approval_id, now, &res, &err);

	if (ret_approval)
		*ret_approval = res.approval_id;
	guard_verdict_clear(&res.verdict);
	return r < 0 ? -1 + r : (int)res.outcome;
}

/* One SQL value from the store (an integer). */
static inline int64_t store_int(struct guard_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v;

	cr_assert_eq(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(s->db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A vote as an approver, in its own transaction. */
static inline int store_approve(struct guard_store *s, int64_t id, uint32_t uid, const char *who,
				int64_t now, enum guard_approval_status *ret_status)
{
	struct guard_error err = {0};
	enum guard_approval_status st = GUARD_APPROVAL_PENDING;
	int64_t t;
	int r = guard_store_begin(s, now, &t, &err);

	cr_assert_eq(r, 0, "%s", err.message);
	r = guard_store_approval_approve(s, id, uid, who, 1800, t, &st, &err);
	if (r == 0)
		r = guard_store_commit(s, &err);
	else
		guard_store_rollback(s);
	if (ret_status)
		*ret_status = st;
	return r;
}

#endif
