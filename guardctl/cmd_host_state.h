/* What guardctl's host-state subcommands share (cmd_host_state.c):
 * freeze, thaw, break-glass and unlock there, status and history in
 * cmd_status.c. */
#ifndef GUARDCTL_CMD_HOST_STATE_H
#define GUARDCTL_CMD_HOST_STATE_H

#include <stdbool.h>

#include "guardctl.h"

#define MAX_TEXT 1024

/* Options shared by the subcommands: --reason, --for, --since, --actor,
 * --json, and one operand. */
struct state_opts {
	const char *reason, *for_, *since, *actor, *operand;
	bool json;
};

/* Parses argv[1..] into o; allowed names the options taken ("r" --reason,
 * "f" --for, "s" --since, "a" --actor, "j" --json, "1" one operand).
 * Returns 0, or -EINVAL (said, with the subcommand's help). */
int state_parse_opts(const struct guardctl_command *cmd, int argc, char **argv, const char *allowed,
		     struct state_opts *o);

/* The policy and the caller's identity (with groups): what permissions are
 * decided on. */
int state_load_caller(struct guardctl *ctx, struct guard_policy **ret_policy,
		      struct guard_identity *me);

/* Whether the caller sees and changes everyone's state. */
bool state_root_or_admin(const struct guardctl *ctx, const struct guard_policy *policy,
			 const struct guard_identity *me);

#endif
