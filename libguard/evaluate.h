/* The decision: a pure function of (policy, request, history, host state,
 * now). No clock, no environment, no file, no log in here. */
#ifndef GUARD_EVALUATE_H
#define GUARD_EVALUATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "request.h"

/* What the store remembers that a decision needs: for each rule with a
 * limit, the times of the actor's allowed requests under it, count uses
 * at each (0 counts as 1: never fewer uses than entries). The store gives
 * the uses that free a slot one by one, the newer ones as one entry. */
struct guard_history_use {
	const char *rule;
	int64_t when;
	uint32_t count;
};

struct guard_history {
	const struct guard_history_use *uses;
	size_t n_uses;
};

struct guard_host_state {
	bool frozen;
	const char *frozen_by;
	const char *frozen_reason;
	int64_t frozen_at, frozen_until; /* until 0: until thawed */
	bool locked_out;		 /* the actor, by a watch */
	const char *lockout_watch;
	int64_t lockout_until;
	bool break_glass; /* the actor holds an active break-glass */
	int64_t break_glass_until;
};

/* Which condition of a rule decided, or stopped it from matching. */
enum guard_condition {
	GUARD_COND_NONE,
	GUARD_COND_ACTION,
	GUARD_COND_ACTORS,
	GUARD_COND_TARGETS,
	GUARD_COND_GROUPS,
	GUARD_COND_TIME,
	GUARD_COND_FROM,
	GUARD_COND_SERVICES,
	GUARD_COND_LIMIT,
	GUARD_COND_FROZEN,
	GUARD_COND_LOCKOUT,
	GUARD_COND_DEFAULT, /* no rule applied: the settings' default decided */
	GUARD_COND_COUNT
};

#define GUARD_MAX_NEAR_MISSES 3

struct guard_near_miss {
	const struct guard_rule *rule;
	enum guard_condition condition;
	char why[160]; /* the actual value that failed: "it is Sat 10:02 CET" */
};

struct guard_action_verdict {
	const struct guard_target *target;
	enum guard_decision decision;
	const struct guard_rule *rule;	/* NULL: the default, or host state */
	enum guard_condition condition; /* why it was refused (NONE when allowed) */
	bool break_glass;		/* allowed only because of break-glass */
	char reason[200];		/* one line, with the actual value */
	struct guard_near_miss near_misses[GUARD_MAX_NEAR_MISSES];
	size_t n_near_misses;
	char safe_path[300]; /* what to do instead; "" when allowed, or when the
			      * deciding deny rule's message is the advice */
	int64_t next_open;   /* when a time window would allow; 0 when none */
	int64_t retry_at;    /* when a limit, lockout or freeze lets go; 0 when none */
};

struct guard_verdict {
	enum guard_decision decision;	/* the strictest of the actions' */
	enum guard_mode mode;		/* the policy's, as recorded */
	bool logged_only;		/* monitor mode over a layered request: not enforced */
	bool enforced_decision_differs; /* logged only, and enforcing would have refused */
	bool break_glass_used;		/* an action passed by break-glass: alert */
	struct guard_action_verdict *actions;
	size_t n_actions;
	/* The distinct rules with a limit that allowed (or asked approval for)
	 * an action of this request within their limit: when the request goes
	 * ahead the store records one use of each. */
	const struct guard_rule **limit_rules;
	size_t n_limit_rules;
};

/* Decides every action of the request. The verdict points into policy and
 * request, which must outlive it. history holds the actor's uses of rules
 * with a limit (NULL: none); state the host's freeze, the actor's lockout
 * and break-glass (NULL: none). A freeze or lockout whose end is not after
 * now is over; break-glass counts only before its end and for a member of
 * the settings' break_glass. Returns 0, -EINVAL (policy or request NULL)
 * or -ENOMEM; on an error the verdict still says deny. ret is overwritten:
 * clear a previous verdict first. */
int guard_evaluate(const struct guard_policy *policy, const struct guard_request *request,
		   const struct guard_history *history, const struct guard_host_state *state,
		   int64_t now, struct guard_verdict *ret);

/* Frees what guard_evaluate allocated; accepts NULL and a zeroed verdict. */
void guard_verdict_clear(struct guard_verdict *v);

/* "actors", "time", "limit", ...; "unknown" for a value out of range. */
const char *guard_condition_name(enum guard_condition c);

#endif
