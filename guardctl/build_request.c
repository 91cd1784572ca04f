/* From guardctl's arguments to a request for the core: who (the real uid,
 * or root's --as), where (utmp, or explain's --from), what (the classified
 * command). */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "guardctl.h"
#include "home_check.h"
#include "tool_defaults.h"

/* chpasswd and newusers read their batch from stdin: bounded, one byte
 * past the classifier's limit so that it can refuse an oversized batch. */
#define MAX_BATCH_READ ((1u << 20) + 1)

char *guardctl_user_name(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	errno = 0;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res || !res->pw_name)
		return NULL;
	return strdup(res->pw_name);
}

static int read_batch(uint8_t **ret, size_t *ret_len)
{
	uint8_t *buf = malloc(MAX_BATCH_READ);
	size_t len = 0;

	if (!buf)
		return -ENOMEM;
	while (len < MAX_BATCH_READ) {
		ssize_t n = read(STDIN_FILENO, buf + len, MAX_BATCH_READ - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;

			free(buf);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

int guardctl_request_build(const struct guardctl *ctx, const struct guard_policy *policy,
			   const char *as_user, const char *service,
			   const struct guard_location *where, int argc, char **argv, bool quiet,
			   struct guardctl_request *ret)
{
	struct guard_tool_defaults defaults;
	struct guard_resolver resolver;
	struct guard_error err = {0}, derr = {0};
	char q[256];
	int r;

	memset(ret, 0, sizeof(*ret));
	/* A role group that does not exist would grant its role to whoever
	 * creates it: no guarded decision until it does. */
	r = guard_accounts_check_role_groups(policy, &err);
	if (r < 0) {
		guard_error_format(&err, ret->refusal, sizeof(ret->refusal));
		if (!quiet)
			guardctl_error("refused: %s", ret->refusal);
		return EXIT_DENIED;
	}
	r = as_user ? guard_accounts_actor_by_name(policy, as_user, &ret->actor)
		    : guard_accounts_actor_by_uid(policy, ctx->uid, &ret->actor);
	if (r < 0) {
		if (as_user && r == -ENOENT) {
			guardctl_error("--as \"%s\": no such user",
				       guard_escape(as_user, q, sizeof(q)));
			return EXIT_USAGE;
		}
		/* An account database that cannot answer never means root. */
		snprintf(ret->refusal, sizeof(ret->refusal), "cannot look up %s \"%s\": %s",
			 as_user ? "user" : "the calling user",
			 as_user ? guard_escape(as_user, q, sizeof(q)) : ctx->user,
			 r == -ENOENT ? "no such user" : strerror(-r));
		if (!quiet)
			guardctl_error("refused: %s", ret->refusal);
		return EXIT_DENIED;
	}
	if (where)
		ret->where = *where;
	else
		guard_locate_process(ctx->pid ? ctx->pid : getpid(), &ret->where);

	if (guard_classify_reads_batch(argv[0])) {
		r = read_batch(&ret->batch, &ret->batch_len);
		if (r < 0) {
			guardctl_error("cannot read the batch on stdin: %s", strerror(-r));
			return EXIT_USAGE;
		}
	}
	guard_accounts_resolver(&resolver, policy);
	/* The tools' settings decide what useradd and adduser create: read
	 * here, handed to the classifier, which refuses those tools without
	 * them. */
	if (guard_tool_defaults_read(&defaults, &derr) == 0)
		resolver.defaults = &defaults;
	r = guard_classify(policy, &resolver, argc, argv, ret->batch, ret->batch_len, &ret->cls,
			   &err);
	if (r == -ENOENT) {
		guardctl_error("\"%s\" is neither a guardctl subcommand nor a command the policy "
			       "guards",
			       guard_escape(argv[0], q, sizeof(q)));
		return EXIT_USAGE;
	}
	if (r < 0 && !resolver.defaults && derr.message[0]) {
		int n = snprintf(ret->refusal, sizeof(ret->refusal), "%.300s (%.100s: %.150s)",
				 err.message, derr.file, derr.message);
		(void)n;
	} else if (r < 0)
		snprintf(ret->refusal, sizeof(ret->refusal), "%s", err.message);
	/* Homes on the filesystem, not as text: before any decision, and
	 * again when an approved request runs. */
	for (size_t i = 0; r == 0 && i < ret->cls.n_homes; i++) {
		r = guard_home_check(policy, &ret->cls.homes[i], 0, &err);
		if (r < 0)
			snprintf(ret->refusal, sizeof(ret->refusal), "%s", err.message);
	}
	if (r < 0) {
		if (!quiet)
			guardctl_error("refused: %s", ret->refusal);
		return EXIT_DENIED;
	}

	ret->req.actor = ret->actor;
	ret->req.service = service ? service : "guardctl";
	/* explain --service su: as pam_guard would decide it. */
	ret->req.layered = service && strcmp(service, "guardctl") != 0;
	ret->req.location = ret->where.kind;
	ret->req.addr_known = ret->where.addr_known;
	ret->req.addr = ret->where.addr;
	ret->req.rhost = ret->where.rhost[0] ? ret->where.rhost : NULL;
	ret->req.tty = ret->where.tty[0] ? ret->where.tty : NULL;
	ret->req.argc = ret->cls.shown_argc;
	ret->req.argv = ret->cls.shown_argv;
	ret->req.targets = ret->cls.targets;
	ret->req.n_targets = ret->cls.n_targets;
	return 0;
}

void guardctl_request_clear(struct guardctl_request *r)
{
	if (!r)
		return;
	guard_identity_clear(&r->actor);
	guard_classification_clear(&r->cls);
	if (r->batch) {
		/* chpasswd batches hold passwords. */
		explicit_bzero(r->batch, r->batch_len);
		free(r->batch);
	}
	memset(r, 0, sizeof(*r));
}
