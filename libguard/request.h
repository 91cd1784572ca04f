/* What is asked: who asks, from where, through which service, and the
 * actions the command or the PAM request raises, each with its target.
 * Built at the edges (guardctl, pam_guard) from facts the kernel and the
 * account database give; the core only reads it. */
#ifndef GUARD_REQUEST_H
#define GUARD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action.h"
#include "address.h"

/* A user as the account database knows it. */
struct guard_identity {
	char *name;  /* NULL: no user named (a group-only action) */
	bool exists; /* false: not created yet (useradd bob) */
	bool uid_known;
	uint32_t uid;
	char **groups; /* names of every group the user is in, primary included */
	size_t n_groups;
};

/* One action a request raises, and what it acts on. */
struct guard_target {
	enum guard_action action;
	struct guard_identity user; /* the target account; user.name NULL when none */
	bool protected_grant;	    /* the request makes the target protected (-r, -u 500) */
	char *group;		    /* the target group; NULL when none */
	bool gid_known;
	uint32_t gid;
	char *grant; /* for role.escalate: what grants privilege ("group sudo", "uid 0") */
};

enum guard_location_kind {
	GUARD_LOCATION_UNKNOWN, /* no terminal, no utmp entry: matches no `from` item */
	GUARD_LOCATION_LOCAL,
	GUARD_LOCATION_REMOTE,
};

struct guard_request {
	struct guard_identity actor;
	const char *service; /* "guardctl" or the PAM service */
	enum guard_location_kind location;
	bool addr_known; /* REMOTE with a literal address */
	struct guard_addr addr;
	const char *rhost; /* the remote host as recorded, for messages; may be NULL */
	const char *tty;   /* "pts/3"; NULL when none */
	int argc;
	char *const *argv; /* the command as typed, for messages; may be NULL */
	struct guard_target *targets;
	size_t n_targets;
	/* Guard is a layer over the program's own authorization (PAM, the
	 * sudo plugin): monitor mode logs and lets the program decide. false
	 * for guardctl, the only authorization of its tools: enforced in
	 * every mode. */
	bool layered;
};

void guard_identity_clear(struct guard_identity *id);

/* Are a and b one account with the same credentials: the same uid, the
 * same name and the same groups (in any order)? An alias that shares a
 * uid under another name (useradd -o -u) is another account: becoming it
 * loads its groups. */
bool guard_identity_same_account(const struct guard_identity *a, const struct guard_identity *b);
void guard_target_clear(struct guard_target *t);

#endif
