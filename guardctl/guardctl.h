/* guardctl: what the subcommands share. */
#ifndef GUARDCTL_H
#define GUARDCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "classify.h"
#include "policy.h"
#include "request.h"

/* Exit statuses of DESIGN.md: the command's own when it ran. */
#define EXIT_DENIED 1
#define EXIT_USAGE  2

struct guardctl {
	uid_t uid; /* the real uid: who the kernel says called us */
	gid_t gid;
	char *user;	    /* that uid's name */
	const char *config; /* --config FILE (root only), else NULL */
	char *saved_term;   /* the caller's TERM, validated, for a child's terminal */
};

struct guardctl_location {
	enum guard_location_kind kind;
	bool addr_known;
	struct guard_addr addr;
	char rhost[257];
	char tty[64];
};

/* Where the caller sits, from utmp: see location.c. */
void guardctl_location(struct guardctl_location *ret);

struct guardctl_request {
	struct guard_identity actor;
	struct guardctl_location where;
	struct guard_classification cls;
	uint8_t *batch;
	size_t batch_len;
	struct guard_request req; /* points into the fields above */
};

/* Builds the request for argv (a guarded command): the actor is as_user
 * (root's --as) or the caller, the location where (or utmp's). Prints why
 * on failure. Returns 0, EXIT_DENIED (refused) or EXIT_USAGE. */
int guardctl_request_build(const struct guardctl *ctx, const struct guard_policy *policy,
			   const char *as_user, const char *service,
			   const struct guardctl_location *where, int argc, char **argv,
			   struct guardctl_request *ret);
void guardctl_request_clear(struct guardctl_request *r);

/* Prints "guardctl: ..." on stderr. */
void guardctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Loads the policy (ctx->config or the system's); on failure prints the
 * error and returns NULL. */
struct guard_policy *guardctl_load_policy(const struct guardctl *ctx, const char *path,
					  bool owner_checks);

void guardctl_usage(FILE *out);
int guardctl_help(const char *subcommand);

int cmd_check(struct guardctl *ctx, int argc, char **argv);
int cmd_explain(struct guardctl *ctx, int argc, char **argv);

#endif
