/* guardctl check [FILE]: validate the policy, then warn about what is
 * valid but suspicious: rules that can never decide, names this system
 * does not know, commands that are not installed. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts.h"
#include "classify.h"
#include "guardctl.h"
#include "sudoers.h"

static void print_place(FILE *out, const char *raw_file, unsigned line, const char *kind,
			const char *raw_msg)
{
	/* A file's name is the caller's to choose: never raw on a terminal. */
	char file[512], msg[1024];

	guard_escape(raw_file, file, sizeof(file));
	guard_escape_controls(raw_msg, msg, sizeof(msg));
	if (file[0] && line)
		fprintf(out, "%s:%u: %s: %s\n", file, line, kind, msg);
	else if (file[0])
		fprintf(out, "%s: %s: %s\n", file, kind, msg);
	else
		fprintf(out, "guardctl: %s: %s\n", kind, msg);
}

static bool user_exists(const char *name)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	return getpwnam_r(name, &pw, buf, sizeof(buf), &res) == 0 && res;
}

/* Through accounts.c, which has read the policy's groups already (in one
 * walk of the database for a policy that names many). */
static bool group_exists(const struct guard_policy *p, const char *name)
{
	struct guard_resolver r;
	uint32_t gid;

	guard_accounts_resolver(&r, p);
	return r.group_by_name(r.ctx, name, &gid) == 0;
}

/* users: the NAME items are user names (actors, targets) or group names
 * (groups). */
static void warn_unknown(struct guard_policy *p, const struct guard_list *l, bool names_are_users,
			 const char *what, const char *file, unsigned line)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct guard_item *it = &l->items[i];

		if (it->kind == GUARD_ITEM_NAME && names_are_users && !user_exists(it->name))
			guard_policy_warn(p, file, line, "%s: no user \"%s\" on this system", what,
					  it->name);
		else if (it->kind == GUARD_ITEM_NAME && !names_are_users &&
			 !group_exists(p, it->name))
			guard_policy_warn(p, file, line, "%s: no group \"%s\" on this system", what,
					  it->name);
		else if (it->kind == GUARD_ITEM_GROUP && !group_exists(p, it->name))
			guard_policy_warn(p, file, line, "%s: no group \"%s\" on this system", what,
					  it->name);
	}
}

static void check_system_names(struct guard_policy *p)
{
	const char *main_file = p->n_files ? p->files[0] : NULL;

	warn_unknown(p, &p->settings.approvers, true, "settings: approvers", main_file, 0);
	warn_unknown(p, &p->settings.admins, true, "settings: admins", main_file, 0);
	warn_unknown(p, &p->settings.break_glass, true, "settings: break_glass", main_file, 0);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct guard_rule *r = &p->rules[i];
		char what[128];

		snprintf(what, sizeof(what), "rule \"%s\": actors", r->name);
		warn_unknown(p, &r->actors, true, what, r->file, r->line);
		snprintf(what, sizeof(what), "rule \"%s\": targets", r->name);
		/* A target may be an account still to be created. */
		snprintf(what, sizeof(what), "rule \"%s\": groups", r->name);
		warn_unknown(p, &r->groups, false, what, r->file, r->line);
		snprintf(what, sizeof(what), "rule \"%s\": approvers", r->name);
		warn_unknown(p, &r->approvers, true, what, r->file, r->line);
	}
	for (size_t i = 0; i < p->n_commands; i++) {
		struct stat st;

		if (stat(p->commands[i].path, &st) < 0 || !S_ISREG(st.st_mode))
			guard_policy_warn(p, p->commands[i].file, p->commands[i].line,
					  "command \"%s\": %s is not installed",
					  p->commands[i].name, p->commands[i].path);
	}
}

/* What sudoers adds to the privilege model beyond the policy's lists:
 * not a warning (it is guarded), but an admin should know it. */
static void say_sudoers_grants(const struct guard_policy *p)
{
	char name[256], file[512];

	if (geteuid() != 0) {
		fprintf(stderr, "guardctl: note: sudoers and doas.conf not read (not root): what "
				"they grant is privileged in every decision, not shown here\n");
		return;
	}
	for (size_t i = 0; i < p->n_sudoers; i++) {
		const struct guard_sudoers_grant *g = &p->sudoers[i];
		bool group = g->kind == GUARD_SUDOERS_GROUP || g->kind == GUARD_SUDOERS_GID;

		/* Only what sudoers or doas.conf alone makes privileged: the
		 * policy's own reason (listed, a role, gid 0) says it already. */
		if ((group && guard_policy_group_privilege(p, g->name, g->id_known, g->id, NULL) !=
				  GUARD_PRIVILEGE_SUDOERS) ||
		    (g->kind == GUARD_SUDOERS_USER && g->id_known && g->id == 0))
			continue;
		guard_escape(g->file, file, sizeof(file));
		if (g->name)
			guard_escape(g->name, name, sizeof(name));
		else
			snprintf(name, sizeof(name), "#%u", g->id);
		if (!g->name)
			fprintf(stderr,
				"%s:%u: note: %s grants %s %u, which nothing holds yet: a new %s "
				"whose %s the tool chooses is role.escalate (name one with %s)\n",
				file, g->line, guard_grant_source(g), group ? "gid" : "uid", g->id,
				group ? "group" : "account", group ? "gid" : "uid",
				group ? "-g" : "-u");
		else if (group)
			fprintf(stderr,
				"%s:%u: note: %s grants %%%s: @privileged, its members "
				"@protected\n",
				file, g->line, guard_grant_source(g), name);
		else
			fprintf(stderr, "%s:%u: note: %s grants %s: @protected\n", file, g->line,
				guard_grant_source(g), name);
	}
}

/* A non-root caller checks FILE with their own privileges: guardctl must
 * not become a way to read root's files. */
static int drop_privileges(const struct guardctl *ctx)
{
	if (setresgid(ctx->gid, ctx->gid, ctx->gid) < 0 ||
	    setresuid(ctx->uid, ctx->uid, ctx->uid) < 0) {
		guardctl_error("cannot drop privileges: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_check(struct guardctl *ctx, int argc, char **argv)
{
	struct guard_error err = {0};
	struct guard_policy *p;
	char abs_path[PATH_MAX];
	const char *file = NULL, *pam_dir = "/etc/pam.d";
	int a = 1;

	if (a + 1 < argc && strcmp(argv[a], "--pam-dir") == 0) {
		pam_dir = argv[a + 1];
		a += 2;
	}
	if (argc - a > 1 || (argc - a == 1 && argv[a][0] == '-')) {
		guardctl_error("usage: guardctl check [--pam-dir DIR] [FILE]");
		return EXIT_USAGE;
	}
	/* A caller other than root reads what they name with their own
	 * privileges. */
	if ((a < argc || strcmp(pam_dir, "/etc/pam.d") != 0) && ctx->uid != 0 &&
	    drop_privileges(ctx) < 0)
		return EXIT_USAGE;
	if (a < argc) {
		file = argv[a];
		if (file[0] != '/') {
			char cwd[PATH_MAX];

			if (!getcwd(cwd, sizeof(cwd)) ||
			    snprintf(abs_path, sizeof(abs_path), "%s/%s", cwd, file) >=
				(int)sizeof(abs_path)) {
				guardctl_error("%s: path too long", file);
				return EXIT_USAGE;
			}
			file = abs_path;
		}
	}

	ctx->fresh_policy = true; /* check's verdict is the text's */
	p = guardctl_load_policy(ctx, file, true);
	if (!p)
		return EXIT_USAGE;
	if (guard_accounts_check_role_groups(p, &err) < 0) {
		print_place(stderr, err.file, err.line, "error", err.message);
		guard_policy_free(p);
		return EXIT_USAGE;
	}
	check_system_names(p);
	say_sudoers_grants(p);
	guardctl_check_pam_stacks(p, pam_dir);
	for (size_t i = 0; i < p->n_warnings; i++)
		print_place(stderr, p->warnings[i].where.file, p->warnings[i].where.line, "warning",
			    p->warnings[i].where.message);
	/* Not a warning: a trial rollout is a valid choice, but what it
	 * leaves enforced must be plain. */
	if (p->settings.mode == GUARD_MODE_MONITOR)
		fprintf(stderr, "guardctl: note: monitor mode: PAM decisions are logged, not "
				"enforced; guardctl always enforces\n");
	printf("%s: OK: %zu file%s, %zu rule%s, %zu warning%s\n",
	       p->n_files ? p->files[0] : "policy", p->n_files, p->n_files == 1 ? "" : "s",
	       p->n_rules, p->n_rules == 1 ? "" : "s", p->n_warnings,
	       p->n_warnings == 1 ? "" : "s");
	guard_policy_free(p);
	return 0;
}
