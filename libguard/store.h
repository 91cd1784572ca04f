/* The state store: the decision ledger (limits, watches, history), approval
 * requests, lockouts, freeze and break-glass, in one SQLite database under
 * a root-only directory (/var/lib/guard). Both entry points use it the same
 * way, inside one write transaction per decision:
 *
 *   guard_store_open -> guard_store_decide (BEGIN IMMEDIATE, snapshot,
 *   evaluate, approval, ledger, watches, COMMIT) -> run the command ->
 *   guard_store_exec_result
 *
 * The lower-level calls (begin, snapshot, record, commit) are exported for
 * callers that need their own steps between them. Every function returns
 * 0 or -errno and fills err (when not NULL) with a message that names the
 * file; nothing here prints or exits. Errors: -EBUSY (the write lock is held
 * past the busy timeout), -ENOSPC (disk full), -EBADMSG (corrupt or not a
 * Guard store), -EPERM (wrong owner, mode, link count, a symlink), -EPROTO
 * (schema newer than this Guard), -EBADF (fds 0-2 not open), -EIO, -ENOMEM;
 * every one of them refuses the guarded action. */
#ifndef GUARD_STORE_H
#define GUARD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "account_state.h"
#include "approval_terms.h"
#include "error.h"
#include "evaluate.h"
#include "policy.h"
#include "request.h"
#include "sha256.h"

#define GUARD_STORE_DIR		    "/var/lib/guard"
#define GUARD_STORE_FILE	    "guard.db"
#define GUARD_STORE_SCHEMA_VERSION  4
#define GUARD_STORE_BUSY_TIMEOUT_MS 5000
/* How long a transaction may hold the write lock once it has it (MUST 16
 * in store.c): a decision takes milliseconds, even a batch of thousands. */
#define GUARD_STORE_TXN_LIMIT_MS 5000
/* A decision's action rows in the ledger: past this, the rest are one
 * summary row (MUST 17). */
#define GUARD_LEDGER_MAX_ACTIONS 8
/* Rows older than the retention are pruned, at most this many of each
 * kind per decision. */
#define GUARD_LEDGER_PRUNE_BATCH 256
/* Break-glass and freeze durations have these defaults and bounds. */
#define GUARD_BREAK_GLASS_DEFAULT_S (15 * 60)
#define GUARD_BREAK_GLASS_MAX_S	    (24 * 3600)

struct guard_store;

struct guard_store_options {
	const char *dir;     /* NULL: GUARD_STORE_DIR */
	int busy_timeout_ms; /* 0: GUARD_STORE_BUSY_TIMEOUT_MS */
	bool no_create;	     /* a missing store is an error (-ENOENT) */
	uid_t owner;	     /* who must own the directory and files: 0 in programs */
	int txn_limit_ms;    /* 0: GUARD_STORE_TXN_LIMIT_MS */
};

/* Opens the store, creating it (race-safe: built aside, renamed into place
 * without replacing) when the directory exists, is owned by owner, is a
 * real directory of mode 0700 or stricter and has no store yet. An existing
 * store is checked (regular file, not a symlink, one link, owner, mode
 * 0600, the SQLite header, Guard's application id, the schema version) and
 * never recreated. fds 0-2 must be open (else -EBADF), so that the database
 * never lands on one. Returns 0 or -errno as above. */
int guard_store_open(const struct guard_store_options *opts, struct guard_store **ret,
		     struct guard_error *err);

/* Rolls back an open transaction and closes; accepts NULL. */
void guard_store_close(struct guard_store *s);

/* True when the database s has open is still the file at its path, and it,
 * its directory and its -wal and -shm pass guard_store_open's checks: a
 * process that keeps a store open between decisions (the decision service)
 * asks before each one and reopens otherwise, so that a store replaced,
 * removed or loosened meanwhile is met exactly as a fresh open meets it.
 * False inside a transaction. */
bool guard_store_current(const struct guard_store *s);

/* ---- verify: the account databases as last seen (store_accounts.c) ---- */

/* How long before the last verify a decision may have been made and still
 * explain a change seen now: its tool may have run after that verify. */
#define GUARD_VERIFY_GRACE_S 600

/* The key of the keyed password hashes, made (random) on first use. In a
 * transaction. Returns 0 or -errno. */
int guard_store_accounts_key(struct guard_store *s, uint8_t key[GUARD_ACCOUNT_KEY_LEN],
			     struct guard_error *err);

/* The set last adopted, and when (*ret_at 0: never; verify --init first).
 * In a transaction. */
int guard_store_accounts_seen(struct guard_store *s, struct guard_account_set *ret, int64_t *ret_at,
			      struct guard_error *err);

/* Replaces the kept set with now, seen at at. In a transaction. */
int guard_store_accounts_adopt(struct guard_store *s, const struct guard_account_set *now,
			       int64_t at, struct guard_error *err);

/* Whether a decision made since since that went ahead (allowed, by a spent
 * approval or break-glass, or made in monitor mode),
 * has an action that explains c (user.create for an account added,
 * group.member.add of that user to that group for a member added, ...).
 * In a transaction. */
int guard_store_change_explained(struct guard_store *s, const struct guard_account_change *c,
				 int64_t since, bool *ret, struct guard_error *err);

/* Records a change verify reported, for guardctl report. In a
 * transaction. */
int guard_store_account_change_record(struct guard_store *s, const struct guard_account_change *c,
				      int64_t at, struct guard_error *err);

/* ---- guardctl report: what the ledger does not hold (store_report.c) ---- */

enum guard_report_kind {
	GUARD_REPORT_APPROVAL,	    /* what: action or command; status; end: decided_at;
				       other: decided_by; extra: expires */
	GUARD_REPORT_BREAK_GLASS,   /* end: until */
	GUARD_REPORT_FREEZE,	    /* actor: by; other: thawed_by; extra: thawed_at */
	GUARD_REPORT_LOCKOUT,	    /* what: the watch; other: lifted_by; extra: lifted_at */
	GUARD_REPORT_ACCOUNT_CHANGE /* what: the text; status: the change; reason: "user" or
				       "group" */
};

struct guard_report_row {
	enum guard_report_kind kind;
	int64_t at, end, id, extra;
	char *actor, *other, *what, *status, *target, *group, *reason;
};

/* Every approval request filed, break-glass taken, freeze, lockout and
 * account change reported between since and until (inclusive), oldest
 * first. */
int guard_store_report_rows(struct guard_store *s, int64_t since, int64_t until,
			    struct guard_report_row **ret, size_t *ret_n, struct guard_error *err);
void guard_report_rows_free(struct guard_report_row *rows, size_t n);

/* The path of the database file (for messages). */
const char *guard_store_path(const struct guard_store *s);

/* Runs PRAGMA integrity_check. Returns 0 when "ok", -EBADMSG otherwise. */
int guard_store_check(struct guard_store *s, struct guard_error *err);

/* BEGIN IMMEDIATE: takes the write lock now (waiting up to the busy
 * timeout), so that what is read until commit is what the decision spends.
 * wall_now is the wall clock; *ret_now is the store's clock: never earlier
 * than any time the store has used before, so that a clock set back does
 * not reopen a spent limit or revive an expired approval. */
int guard_store_begin(struct guard_store *s, int64_t wall_now, int64_t *ret_now,
		      struct guard_error *err);
/* COMMIT, checked. On failure the transaction is rolled back. */
int guard_store_commit(struct guard_store *s, struct guard_error *err);
/* ROLLBACK when a transaction is open; never fails. */
void guard_store_rollback(struct guard_store *s);
/* Whether any store of this process has a transaction open: while it does,
 * the caller writes nothing a user can block (a terminal, a pipe). */
bool guard_store_txn_open(void);

/* ---- What a decision needs (inside a transaction) ---- */

/* The actor's history and the host's state, owned by the snapshot. */
struct guard_store_snapshot {
	struct guard_history history;
	struct guard_host_state state;
	struct guard_history_use *uses;
	size_t n_uses;
	char *frozen_by, *frozen_reason, *lockout_watch;
};

/* Reads the actor's uses of the policy's limit rules within their periods,
 * the freeze, the actor's lockout and break-glass. */
int guard_store_snapshot(struct guard_store *s, const struct guard_policy *policy,
			 uint32_t actor_uid, int64_t now, struct guard_store_snapshot *ret,
			 struct guard_error *err);
void guard_store_snapshot_clear(struct guard_store_snapshot *snap);

/* ---- Approvals ---- */

enum guard_approval_status {
	GUARD_APPROVAL_PENDING,
	GUARD_APPROVAL_APPROVED,
	GUARD_APPROVAL_DENIED,
	GUARD_APPROVAL_USED,
	GUARD_APPROVAL_EXPIRED,
};

/* What an approval binds to. kind "command": argv as typed (and the hash of
 * the stdin batch, when the command reads one); kind "pam": service,
 * action and target. Plus always the requester's uid and the host. */
struct guard_approval_binding {
	uint32_t requester_uid;
	const char *requester; /* name, for display */
	const char *host;
	const char *service; /* "guardctl" or the PAM service */
	int argc;	     /* command: argv as typed (secrets included) */
	char *const *argv;
	const uint8_t *batch; /* NULL: none */
	size_t batch_len;
	enum guard_action action; /* pam: the action and target */
	const char *target;
};

/* The binding's hash (a SHA-256 over an unambiguous encoding of every
 * field but the names), as 64 hex digits. */
void guard_approval_binding_hash(const struct guard_approval_binding *b,
				 char out[2 * GUARD_SHA256_LEN + 1]);

struct guard_approval_vote {
	char *approver;
	uint32_t approver_uid;
	int64_t at;
};

struct guard_approval {
	int64_t id;
	char *requester;
	uint32_t requester_uid;
	char *host;
	char *service;
	char **argv; /* as typed, NULL-terminated; NULL for a PAM request */
	int argc;
	char **shown_argv; /* for display: secrets masked; NULL for PAM */
	int shown_argc;
	char *action, *target; /* PAM requests; NULL for commands */
	char hash[2 * GUARD_SHA256_LEN + 1];
	char *reason;
	char *rules; /* the rules that asked for approval, "\n"-separated */
	unsigned needed;
	/* The terms it was filed with (struct guard_approval_terms); NULL in a
	 * request filed before they were kept, which is never spent. */
	char *idents, *actions, *rule_terms;
	size_t n_idents, n_actions;
	char idents_digest[2 * GUARD_SHA256_LEN + 1];
	enum guard_approval_status status; /* as of the now it was read at */
	int64_t created, expires, decided_at, used_at;
	char *decided_by, *comment;
	int64_t decision_id; /* the ledger row that spent it; 0: unused */
	/* Random, made with the request: what a signed approval names, so that
	 * a signature approves this request and no other ("" before schema 4). */
	char nonce[33];
	struct guard_approval_vote *votes;
	size_t n_votes;
};

void guard_approval_clear(struct guard_approval *a);
void guard_approvals_free(struct guard_approval *a, size_t n);
const char *guard_approval_status_name(enum guard_approval_status s);

/* A new pending request, or the requester's identical pending one (same
 * binding hash and terms, not expired): *ret_created tells which.
 * shown_argv (may be NULL) is what lists display; terms the identities,
 * actions and rules it is asked for (terms->needed >= 1); ttl the
 * policy's approval_ttl. */
int guard_store_approval_request(struct guard_store *s, const struct guard_approval_binding *b,
				 int shown_argc, char *const *shown_argv, const char *reason,
				 const struct guard_approval_terms *terms, int64_t ttl, int64_t now,
				 int64_t *ret_id, bool *ret_created, struct guard_error *err);

/* Reads one request. -ENOENT when there is none. */
int guard_store_approval_get(struct guard_store *s, int64_t id, int64_t now,
			     struct guard_approval *ret, struct guard_error *err);

/* Lists requests, newest first: requester_uid's own only unless all_users;
 * pending (and approved, unused) ones only unless every_status. */
int guard_store_approval_list(struct guard_store *s, bool all_users, uint32_t requester_uid,
			      bool every_status, int64_t now, struct guard_approval **ret,
			      size_t *ret_n, struct guard_error *err);

/* One approver's approval. The store refuses the requester (-EPERM, even
 * when they are an approver), a second vote of the same approver
 * (-EALREADY), a request that is not pending (-ESTALE: decided, used or
 * expired), none (-ENOENT). Whether the approver may approve at all is the
 * caller's to check against the policy first. When the votes reach the
 * request's needed count it becomes approved, valid for ttl from now.
 * *ret_status is the request's status afterwards. */
int guard_store_approval_approve(struct guard_store *s, int64_t id, uint32_t approver_uid,
				 const char *approver, int64_t ttl, int64_t now,
				 enum guard_approval_status *ret_status, struct guard_error *err);

/* Denies a pending request (or withdraws an approved, unused one).
 * -ENOENT, -ESTALE as above. */
int guard_store_approval_deny(struct guard_store *s, int64_t id, const char *by,
			      const char *comment, int64_t now, struct guard_error *err);

/* Finds the approved, unused, unexpired request with exactly this binding
 * (id 0: any such; else that one, which must have it). Returns 0 with its
 * id, -ENOENT (none; err says why for a given id: other request, other
 * requester or host, pending, denied, used, expired). */
int guard_store_approval_find(struct guard_store *s, const struct guard_approval_binding *b,
			      int64_t id, int64_t now, int64_t *ret_id, struct guard_error *err);

/* The approved, unused, unexpired requests with exactly this binding,
 * newest first, at most max ids. */
int guard_store_approval_candidates(struct guard_store *s, const struct guard_approval_binding *b,
				    int64_t now, int64_t *ids, size_t max, size_t *ret_n,
				    struct guard_error *err);

/* Spends the approval once: UPDATE ... WHERE used = 0 AND approved AND not
 * expired AND the binding hash matches, checked with changes() == 1. A
 * second use, a concurrent use that lost, an expired one: -ESTALE. */
int guard_store_approval_consume(struct guard_store *s, int64_t id, const char *hash,
				 int64_t decision_id, int64_t now, struct guard_error *err);

/* ---- The ledger ---- */

/* An alert the caller reports: a watch threshold reached (with the lockout
 * it started, if any), a break-glass use, a rule with alert = yes. */
enum guard_alert_kind { GUARD_ALERT_WATCH, GUARD_ALERT_BREAK_GLASS, GUARD_ALERT_RULE };

struct guard_store_alert {
	enum guard_alert_kind kind;
	const char *name;      /* the watch's or rule's name (points into the policy) */
	uint32_t count;	       /* watch: decisions in its window */
	int64_t lockout_until; /* watch with lockout: until when; else 0 */
};

#define GUARD_STORE_MAX_ALERTS 16

struct guard_store_record_in {
	const struct guard_policy *policy;
	const struct guard_request *request;
	const struct guard_verdict *verdict;
	const char *reason; /* the caller's --reason; may be NULL */
	const char *host;
	int64_t approval_id; /* spent by this decision; 0: none */
	bool goes_ahead;     /* the request runs: spend one use of each limit rule */
	bool locked_out;     /* refused while the actor is locked out */
	const char *refusal; /* refused before any rule: why (no actions) */
	int64_t now;
};

/* Writes the decision: one ledger row, its actions (at most
 * GUARD_LEDGER_MAX_ACTIONS rows, the rest summarised in the last), one
 * limit use per rule in verdict->limit_rules when it goes ahead; then
 * checks every watch that counts this decision and, past its threshold,
 * records an alert (once per window) and its lockout. A refusal while
 * locked out after the lockout's first is counted on that first one's row
 * (repeats, last_at) instead. Then prunes, in a bounded batch, what is
 * older than the policy's retention. */
int guard_store_record(struct guard_store *s, const struct guard_store_record_in *in,
		       int64_t *ret_decision_id, struct guard_store_alert *ret_alerts,
		       size_t *ret_n_alerts, struct guard_error *err);

/* A request refused before any rule (the classifier, a bad name): one
 * ledger row (rule "(request)", why), counted by the watches like any
 * refusal, in its own transaction. argv0 is the command's name only. */
struct guard_store_refusal_in {
	const struct guard_policy *policy;
	const struct guard_identity *actor; /* uid_known must be set */
	const char *service, *host, *tty, *argv0, *why, *reason;
	int64_t wall_now;
};
int guard_store_record_refusal(struct guard_store *s, const struct guard_store_refusal_in *in,
			       struct guard_store_alert *ret_alerts, size_t *ret_n_alerts,
			       struct guard_error *err);

/* Records how the command that decision let through ended (a wait(2)
 * status), in its own transaction. */
int guard_store_exec_result(struct guard_store *s, int64_t decision_id, int wait_status,
			    struct guard_error *err);

/* ---- One decision, start to end ---- */

enum guard_outcome {
	GUARD_OUTCOME_DENIED,  /* refused (or a store error) */
	GUARD_OUTCOME_GO,      /* run it (allowed, break-glass, approved, or logged only) */
	GUARD_OUTCOME_PENDING, /* approval needed: a pending request exists */
};

struct guard_decide_in {
	const struct guard_policy *policy;
	const struct guard_request *request; /* actor.uid_known must be set */
	const struct guard_approval_binding *binding;
	int shown_argc; /* for a new pending request's display; may be 0 */
	char *const *shown_argv;
	const char *reason;  /* --reason; may be NULL */
	int64_t approval_id; /* `guardctl run ID`; 0: any approval with this binding */
	int64_t wall_now;
	/* `guardctl request`: ask in advance, run nothing. An approve decision
	 * files (or finds) the pending request and records it; an approved,
	 * unused one is reported (GO, its id) without spending it; a deny is
	 * recorded (it counts for watches); an allow writes nothing. */
	bool request_only;
	/* Looks a voter up now: an approval is spent only while every voter
	 * is still the same account and an eligible approver. NULL: the
	 * system's account database. */
	guard_voter_lookup voter_lookup;
	void *voter_lookup_ctx;
};

struct guard_decision_result {
	enum guard_outcome outcome;
	struct guard_verdict verdict; /* clear with guard_verdict_clear */
	int64_t now;		      /* the store's clock the decision used */
	int64_t decision_id;	      /* the ledger's id of this decision */
	int64_t approval_id;	      /* spent (GO) or pending (PENDING); 0: none */
	bool approval_created;	      /* PENDING: a new request (not an existing one) */
	unsigned approvals_needed;    /* PENDING: how many approvers */
	/* PENDING after an approved request was found but not spent: which
	 * and why ("request 7 was approved under rule ..."); else "". */
	char not_spent[512];
	struct guard_store_alert alerts[GUARD_STORE_MAX_ALERTS];
	size_t n_alerts;
};

/* In one BEGIN IMMEDIATE transaction: reads the snapshot, evaluates,
 * spends a matching approval (for an approve decision) or makes a pending
 * request, records the decision, limit uses and watches, and commits.
 * The verdict is valid whatever the return; on an error the outcome is
 * DENIED and nothing was written. */
int guard_store_decide(struct guard_store *s, const struct guard_decide_in *in,
		       struct guard_decision_result *ret, struct guard_error *err);

/* ---- Freeze, break-glass, lockouts ---- */

/* Freezes the host until `until` (0: until thawed). A second freeze
 * replaces the first. */
int guard_store_freeze(struct guard_store *s, const char *by, const char *reason, int64_t until,
		       int64_t now, struct guard_error *err);
/* Ends the freeze: -ENOENT when not frozen. */
int guard_store_thaw(struct guard_store *s, const char *by, int64_t now, struct guard_error *err);
/* Starts (or extends) the actor's break-glass until `until`. */
int guard_store_break_glass(struct guard_store *s, uint32_t actor_uid, const char *actor,
			    const char *reason, int64_t until, int64_t now,
			    struct guard_error *err);
/* Lifts the actor's active lockouts: -ENOENT when there is none. */
int guard_store_unlock(struct guard_store *s, uint32_t actor_uid, const char *by, int64_t now,
		       struct guard_error *err);

struct guard_store_status_item {
	char *who; /* break-glass, lockout: the actor; freeze: who froze */
	uint32_t uid;
	char *what; /* freeze, break-glass: the reason; lockout: the watch */
	int64_t since, until;
};

struct guard_store_status {
	bool frozen;
	struct guard_store_status_item freeze;
	struct guard_store_status_item *break_glass;
	size_t n_break_glass;
	struct guard_store_status_item *lockouts;
	size_t n_lockouts;
};

int guard_store_status(struct guard_store *s, int64_t now, struct guard_store_status *ret,
		       struct guard_error *err);
void guard_store_status_clear(struct guard_store_status *st);

/* ---- History ---- */

struct guard_history_row {
	int64_t decision_id, at;
	char *actor;
	uint32_t actor_uid;
	char *service, *host, *tty, *argv, *reason, *mode;
	char *action, *target, *group, *decision, *rule, *why;
	bool break_glass;
	int64_t approval_id;
	bool has_exit;
	int exit_status;  /* a wait(2) status */
	uint32_t repeats; /* refused again this many times during the lockout */
	int64_t last_at;  /* the last of them; 0: none */
};

/* The ledger's rows (one per action) at or after since, oldest first, of
 * one actor (by uid) unless all_actors; at most max rows (the newest). */
int guard_store_history(struct guard_store *s, int64_t since, bool all_actors, uint32_t actor_uid,
			size_t max, struct guard_history_row **ret, size_t *ret_n,
			struct guard_error *err);
void guard_history_rows_free(struct guard_history_row *rows, size_t n);

#endif
