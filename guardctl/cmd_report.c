/* guardctl report [--since TIME] [--until TIME] [--format text|json|html]
 * [-o FILE]: the period's decisions (the ledger), approvals, break-glass,
 * freezes, lockouts and the changes verify reported, for a person or a
 * SIEM. Root's and admins': it shows everyone's. Reads only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "approvers.h"
#include "datetime.h"
#include "guardctl.h"
#include "names.h"
#include "numparse.h"
#include "report.h"

#define REPORT_MAX_ROWS 1000000u

static int parse_time(const struct guard_policy *policy, const char *text, int64_t now,
		      int64_t *ret)
{
	int64_t d;

	if (guard_parse_duration(text, &d) == 0) { /* "24h": that long ago */
		*ret = now - d;
		return 0;
	}
	return guard_parse_datetime(text, policy->tz, ret);
}

struct report_opts {
	const char *since, *until, *format, *output;
};

static int parse_args(const struct guardctl *ctx, int argc, char **argv, struct report_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char **slot = NULL;
		char q[128];

		if (strcmp(argv[i], "--since") == 0)
			slot = &o->since;
		else if (strcmp(argv[i], "--until") == 0)
			slot = &o->until;
		else if (strcmp(argv[i], "--format") == 0)
			slot = &o->format;
		else if (strcmp(argv[i], "-o") == 0)
			slot = &o->output;
		if (!slot || i + 1 >= argc) {
			guardctl_error("report: unexpected argument or missing value \"%s\"",
				       guard_escape(argv[i], q, sizeof(q)));
			guardctl_command_help(ctx->cmd, stdout);
			return -EINVAL;
		}
		*slot = argv[++i];
	}
	if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0 &&
	    strcmp(o->format, "html") != 0) {
		guardctl_error("report: --format is text, json or html");
		return -EINVAL;
	}
	return 0;
}

/* The output file: made anew by the caller (root or an admin) with their
 * own rights, never through a symlink, never over an existing file. */
static FILE *open_output(const struct guardctl *ctx, const char *path)
{
	int fd;
	FILE *f;

	if (!path || strcmp(path, "-") == 0)
		return stdout;
	fd = guardctl_open_as_caller(ctx, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0640);
	if (fd < 0) {
		guardctl_error("report: cannot create %s: %s", path, strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

static int gather(struct guardctl *ctx, struct report *r)
{
	struct guard_store *store = NULL;
	struct guard_error err = {0};
	int ret;

	if (guardctl_store_open(ctx, &store) != 0)
		return -EIO;
	ret = guard_store_history(store, r->since, true, 0, REPORT_MAX_ROWS, &r->dec, &r->n_dec,
				  &err);
	if (ret == 0)
		ret =
		    guard_store_report_rows(store, r->since, r->until, &r->rows, &r->n_rows, &err);
	if (ret < 0)
		guardctl_store_error(&err, ret);
	guard_store_close(store);
	/* The ledger is read from since on, oldest first: what is after
	 * until is left out (and freed with the rest). */
	r->n_dec_read = r->n_dec;
	while (ret == 0 && r->n_dec > 0 && r->dec[r->n_dec - 1].at > r->until)
		r->n_dec--;
	return ret;
}

int cmd_report(struct guardctl *ctx, int argc, char **argv)
{
	struct report_opts o = {.format = "text"};
	struct report r = {0};
	struct guard_policy *policy = NULL;
	struct guard_identity me = {0};
	FILE *out = NULL;
	int rc = EXIT_USAGE;

	if (parse_args(ctx, argc, argv, &o) < 0)
		return EXIT_USAGE;
	policy = guardctl_load_policy(ctx, NULL, true);
	if (!policy)
		return EXIT_USAGE;
	if (guard_accounts_user_by_uid(policy, ctx->uid, &me) < 0 ||
	    (ctx->uid != 0 && !guard_is_admin(policy, &me))) {
		guardctl_error("refused: the report shows everyone's decisions: root's and the "
			       "policy's admins' alone");
		rc = EXIT_DENIED;
		goto out;
	}
	r.policy = policy;
	r.now = (int64_t)time(NULL);
	r.until = r.now;
	r.since = r.now - 24 * 3600;
	if ((o.since && parse_time(policy, o.since, r.now, &r.since) < 0) ||
	    (o.until && parse_time(policy, o.until, r.now, &r.until) < 0) || r.since > r.until) {
		guardctl_error("report: --since and --until take a duration (24h) or a time "
			       "(\"YYYY-MM-DD HH:MM\"), since before until");
		goto out;
	}
	if (gethostname(r.host, sizeof(r.host)) < 0)
		snprintf(r.host, sizeof(r.host), "%s", "?");
	r.host[sizeof(r.host) - 1] = '\0';
	if (gather(ctx, &r) < 0)
		goto out;
	out = open_output(ctx, o.output);
	if (!out)
		goto out;
	if (strcmp(o.format, "json") == 0)
		report_json(&r, out);
	else if (strcmp(o.format, "html") == 0)
		report_html(&r, out);
	else
		report_text(&r, out);
	rc = 0;
	if (out != stdout && fclose(out) != 0) {
		guardctl_error("report: writing %s: %s", o.output, strerror(errno));
		rc = EXIT_USAGE;
	} else if (out == stdout && fflush(stdout) != 0) {
		rc = EXIT_USAGE;
	}
out:
	guard_history_rows_free(r.dec, r.n_dec_read);
	guard_report_rows_free(r.rows, r.n_rows);
	guard_identity_clear(&me);
	guard_policy_free(policy);
	return rc;
}
