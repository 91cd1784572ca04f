/* The request pam_guard would decide, built for `guardctl explain --service
 * NAME [--target USER]`: USER (default root) becoming, logging into or
 * changing the password of TARGET through the PAM service NAME, with the
 * action the policy maps NAME to. The same look-ups as the PAM helper's;
 * nothing is recorded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "guardctl.h"

int guardctl_service_request_build(const struct guardctl *ctx, const struct guard_policy *policy,
				   const char *as_user, const char *service, const char *target,
				   const struct guard_location *where, struct guardctl_request *ret,
				   const char **ret_not_decided)
{
	const struct guard_service *svc = guard_policy_service(policy, service);
	struct guard_target *t;
	char q[256];
	int r;

	memset(ret, 0, sizeof(*ret));
	*ret_not_decided = NULL;
	if (!svc) {
		*ret_not_decided = "the policy maps no action to this service: pam_guard ignores "
				   "it (PAM_IGNORE)";
		return 0;
	}
	r = as_user ? guard_accounts_actor_by_name(policy, as_user, &ret->actor)
		    : guard_accounts_actor_by_uid(policy, ctx->uid, &ret->actor);
	if (r < 0) {
		guardctl_error("cannot look up %s \"%s\": %s",
			       as_user ? "user" : "the calling user",
			       as_user ? guard_escape(as_user, q, sizeof(q)) : ctx->user,
			       r == -ENOENT ? "no such user" : strerror(-r));
		return EXIT_USAGE;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		guardctl_error("out of memory");
		return EXIT_USAGE;
	}
	ret->cls.targets = t;
	ret->cls.n_targets = 1;
	t->action = svc->action;
	r = guard_accounts_target_by_name(policy, target, &t->user);
	if (r < 0) {
		guardctl_error("cannot look up the target \"%s\": %s",
			       guard_escape(target, q, sizeof(q)), strerror(-r));
		return EXIT_USAGE;
	}
	/* As pam_guard: su or sudo into one's own account, passwd of one's
	 * own password is no escalation. */
	if ((svc->action == GUARD_ROLE_ESCALATE || svc->action == GUARD_USER_PASSWORD) &&
	    t->user.uid_known && ret->actor.uid_known && t->user.uid == ret->actor.uid) {
		*ret_not_decided =
		    "the target is the actor's own account: no escalation, pam_guard "
		    "ignores it (PAM_IGNORE)";
		return 0;
	}
	ret->where = *where;
	ret->req.actor = ret->actor;
	ret->req.service = svc->name;
	ret->req.layered = true; /* the program authorizes too: monitor mode applies */
	ret->req.location = ret->where.kind;
	ret->req.addr_known = ret->where.addr_known;
	ret->req.addr = ret->where.addr;
	ret->req.rhost = ret->where.rhost[0] ? ret->where.rhost : NULL;
	ret->req.tty = ret->where.tty[0] ? ret->where.tty : NULL;
	ret->req.targets = ret->cls.targets;
	ret->req.n_targets = ret->cls.n_targets;
	return 0;
}
