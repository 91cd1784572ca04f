/* The policy as guardctl loads it: the installed one compiled when it can
 * be (policy_cache.h), a file named on the command line parsed; errors in
 * the file:line: form of every compiler and `check`. */
#include <stdio.h>
#include <unistd.h>

#include "guardctl.h"
#include "policy_cache.h"

struct guard_policy *guardctl_load_policy_err(const struct guardctl *ctx, const char *path,
					      bool owner_checks, struct guard_error *ret_err)
{
	struct guard_load_options opts = {
	    .path = path	      ? path
		    : ctx->config_abs ? ctx->config_abs
				      : ctx->config,
	    .skip_owner_checks = !owner_checks,
	    /* The installed policy may come compiled (policy_cache.h); a file
	     * named on the command line, or check, always parses. */
	    .cache_path =
		!path && !ctx->config && !ctx->fresh_policy ? GUARD_POLICY_CACHE_PATH : NULL,
	    /* Only root reads sudoers (and doas.conf): check run with the
	     * caller's privileges
	     * says it did not (cmd_check.c). */
	    .sudoers_path = geteuid() == 0 ? NULL : "",
	    .doas_path = geteuid() == 0 ? NULL : "",
	};
	struct guard_policy *policy = NULL;
	struct guard_error err = {0};

	if (guard_policy_load(&opts, &policy, &err) < 0) {
		/* The same file:line: form as every compiler and `check`. */
		char file[512], msg[1024];

		/* Paths and messages may carry the caller's bytes: escaped. */
		guard_escape(err.file, file, sizeof(file));
		guard_escape_controls(err.message, msg, sizeof(msg));
		if (file[0] && err.line)
			fprintf(stderr, "%s:%u: error: %s\n", file, err.line, msg);
		else if (file[0])
			fprintf(stderr, "%s: error: %s\n", file, msg);
		else
			guardctl_error("error: %s", msg);
		if (ret_err)
			*ret_err = err;
		return NULL;
	}
	return policy;
}

struct guard_policy *guardctl_load_policy(const struct guardctl *ctx, const char *path,
					  bool owner_checks)
{
	return guardctl_load_policy_err(ctx, path, owner_checks, NULL);
}
