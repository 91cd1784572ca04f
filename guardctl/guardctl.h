/* guardctl: what the subcommands share. */
#ifndef GUARDCTL_H
#define GUARDCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "policy.h"

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
