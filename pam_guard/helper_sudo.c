/* From sudo_guard.so's request to a decision (docs/design.md, "The sudo_guard.so plugin").
 * sudoers has already said yes; Guard asks what the command does:
 *
 *  - a command the policy guards (one of its `command` blocks, or a
 *    built-in tool at its own path, found by the file sudo will run) run
 *    as root is classified exactly as guardctl classifies it, and its
 *    actions decide;
 *  - anything else is role.escalate to the run-as user (unless it is the
 *    caller's own) and to every @privileged run-as group the caller is not
 *    already in (`sudo -g shadow`, `sudo -u self -g root`).
 *
 * Nothing of sudo's environment reaches the decision: the actor is the
 * uid sudo read from the kernel, the command the path sudo resolved, the
 * location the terminal sudo found and utmp. Every failure refuses. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <syslog.h>
#include <unistd.h>

#include "accounts.h"
#include "classify.h"
#include "helper_sudo.h"
#include "home_check.h"
#include "numparse.h"
#include "tool_defaults.h"

/* A sudo request carries at most this many run-as groups (NGROUPS_MAX is
 * 65536; a decision names the privileged ones only). */
#define MAX_RUNAS_GROUPS 1024

static void strv_free(char **v, int n)
{
	if (!v)
		return;
	for (int i = 0; i < n; i++) {
		if (v[i])
			explicit_bzero(v[i], strlen(v[i]));
		free(v[i]);
	}
	free(v);
}

static void sudo_request_clear(struct sudo_request *s)
{
	guard_identity_clear(&s->actor);
	guard_identity_clear(&s->runas);
	guard_classification_clear(&s->cls);
	for (size_t i = 0; i < s->n_targets; i++)
		guard_target_clear(&s->targets[i]);
	free(s->targets);
	strv_free(s->bound_argv, s->bound_argc);
	strv_free(s->shown_argv, s->bound_argc);
}

/* Is path the policy command's file? The same name, or the same inode
 * (/sbin/useradd through the /usr merge, a hard link). */
static bool same_file(const char *path, const char *policy_path)
{
	struct stat a, b;

	if (strcmp(path, policy_path) == 0)
		return true;
	if (stat(path, &a) < 0 || stat(policy_path, &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static bool root_only(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* Can only root change which file path names? Every directory the kernel
 * walks to resolve it, through every symlink, and the file itself are
 * root's and writable by no one else. sudo runs the command by its path
 * after this decision: a path through the caller's own directory (a
 * symlink to useradd in ~/bin) would be classified as useradd and then
 * run whatever the caller put there in between. Nothing through procfs,
 * whose links the kernel follows to objects, not to their text. */
static bool root_only_path(const char *path)
{
	char rest[PATH_MAX], dir[PATH_MAX] = "", next[2 * PATH_MAX], target[PATH_MAX];
	struct stat st;
	int links = 0;

	if (path[0] != '/' || strlen(path) >= sizeof(rest) || lstat("/", &st) < 0 ||
	    !root_only(&st))
		return false;
	strcpy(rest, path + 1); /* what is left to resolve, below dir ("": /) */
	while (rest[0]) {
		const char *slash = strchr(rest, '/');
		bool more = slash != NULL; /* a '/' after this name */
		size_t n = more ? (size_t)(slash - rest) : strlen(rest);
		char name[NAME_MAX + 1];
		struct statfs fs;
		ssize_t k;

		if (n > NAME_MAX)
			return false;
		memcpy(name, rest, n);
		name[n] = '\0';
		memmove(rest, rest + n + more, strlen(rest + n + more) + 1);
		if (n == 0 || strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) { /* dir has no symlink: its parent is lexical */
			char *up = strrchr(dir, '/');

			if (up)
				*up = '\0';
			continue;
		}
		snprintf(next, sizeof(next), "%s/%s", dir, name);
		if (strlen(next) >= sizeof(dir) || lstat(next, &st) < 0)
			return false;
		if (S_ISLNK(st.st_mode)) {
			/* The link is in dir, which only root may change. */
			k = readlink(next, target, sizeof(target) - 1);
			if (++links > 40 || k <= 0)
				return false;
			target[k] = '\0';
			if (snprintf(next, sizeof(next), "%s%s%s",
				     target[0] == '/' ? target + 1 : target, rest[0] ? "/" : "",
				     rest) >= (int)sizeof(rest))
				return false;
			strcpy(rest, next);
			if (target[0] == '/')
				dir[0] = '\0';
			continue;
		}
		if (!root_only(&st))
			return false;
		if (!S_ISDIR(st.st_mode)) /* "file/" is no file */
			return !rest[0] && !more && S_ISREG(st.st_mode);
		if (statfs(next, &fs) < 0 || fs.f_type == PROC_SUPER_MAGIC)
			return false;
		strcpy(dir, next);
	}
	return false; /* a directory */
}

/* The name guardctl knows the file sudo will run by: a command block of
 * the policy, else a built-in tool at its own path (guardctl runs those
 * without a block too), when only root can change what the path names.
 * The name sudo runs it by must be the block's or the tool's: adduser and
 * deluser read their mode from it (delgroup is deluser's file). NULL: not
 * a guarded tool. */
static const char *guarded_name(const struct guard_policy *policy, const char *path,
				bool *ret_generic)
{
	const char *base = strrchr(path, '/') + 1, *builtin;

	*ret_generic = false;
	if (!root_only_path(path))
		return NULL;
	for (size_t i = 0; i < policy->n_commands; i++)
		if (strcmp(base, strrchr(policy->commands[i].path, '/') + 1) == 0 &&
		    same_file(path, policy->commands[i].path)) {
			*ret_generic = policy->commands[i].actions != 0;
			return policy->commands[i].name;
		}
	builtin = guard_builtin_path(base);
	if (builtin && !guard_policy_command(policy, base) && same_file(path, builtin))
		return base;
	return NULL;
}

/* The run-as user: an account, or a bare uid (`sudo -u '#4242'`). */
static int find_runas(const struct guard_policy *policy, uint32_t uid, struct guard_identity *ret)
{
	int r = guard_accounts_user_by_uid(policy, (uid_t)uid, ret);

	if (r != -ENOENT)
		return r;
	memset(ret, 0, sizeof(*ret));
	ret->uid_known = true;
	ret->uid = uid;
	return asprintf(&ret->name, "#%u", uid) < 0 ? -ENOMEM : 0;
}

static bool actor_in_group(const struct guard_identity *actor, const char *group)
{
	for (size_t i = 0; group && i < actor->n_groups; i++)
		if (strcmp(actor->groups[i], group) == 0)
			return true;
	return false;
}

static int add_target(struct sudo_request *s, const char *group, bool gid_known, uint32_t gid,
		      const char *grant)
{
	struct guard_target *t, *nt;

	nt = realloc(s->targets, (s->n_targets + 1) * sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	s->targets = nt;
	t = &s->targets[s->n_targets++];
	memset(t, 0, sizeof(*t)); /* counted: cleared with the request, half built or not */
	t->action = GUARD_ROLE_ESCALATE;
	t->user.name = strdup(s->runas.name);
	t->user.exists = s->runas.exists;
	t->user.uid_known = s->runas.uid_known;
	t->user.uid = s->runas.uid;
	/* The run-as user's groups: a member of a privileged group is
	 * @protected. */
	t->user.groups = s->runas.n_groups ? calloc(s->runas.n_groups, sizeof(char *)) : NULL;
	if (s->runas.n_groups && !t->user.groups)
		return -ENOMEM;
	for (size_t i = 0; i < s->runas.n_groups; i++) {
		t->user.groups[i] = strdup(s->runas.groups[i]);
		if (!t->user.groups[i])
			return -ENOMEM;
		t->user.n_groups = i + 1;
	}
	t->group = group ? strdup(group) : NULL;
	t->gid_known = gid_known;
	t->gid = gid;
	t->grant = grant ? strdup(grant) : NULL;
	if (!t->user.name || (group && !t->group) || (grant && !t->grant))
		return -ENOMEM;
	return 0;
}

/* One run-as group: a target when @privileged and not already the
 * caller's. Returns 0 or -errno (a look-up that failed refuses). */
static int add_group(struct sudo_request *s, const struct guard_policy *policy,
		     const struct guard_resolver *res, uint32_t gid)
{
	char *name = NULL, grant[300];
	int r;

	for (size_t i = 0; i < s->n_targets; i++)
		if (s->targets[i].group && s->targets[i].gid_known && s->targets[i].gid == gid)
			return 0;
	r = res->group_by_gid(res->ctx, gid, &name);
	if (r < 0 && r != -ENOENT)
		return r;
	if (guard_policy_group_is_privileged(policy, name, true, gid) &&
	    !actor_in_group(&s->actor, name)) {
		if (name)
			snprintf(grant, sizeof(grant), "group %s", name);
		else
			snprintf(grant, sizeof(grant), "gid %u", gid);
		r = add_target(s, name, true, gid, grant);
	} else {
		r = 0;
	}
	free(name);
	return r;
}

/* role.escalate to the run-as user (unless the caller's own) and to every
 * @privileged run-as group. Returns 0, -EINVAL (a malformed group list)
 * or another -errno. */
static int escalations(struct sudo_request *s, const struct guard_policy *policy,
		       const struct guard_wire_request *w)
{
	struct guard_resolver res;
	char *list = NULL, *save = NULL;
	size_t n = 0;
	int r = 0;

	if (s->runas.uid != s->actor.uid) {
		r = add_target(s, NULL, false, 0, s->runas.uid == 0 ? "uid 0" : NULL);
		if (r < 0)
			return r;
	}
	guard_accounts_resolver(&res, policy);
	r = add_group(s, policy, &res, w->runas_gid);
	if (r < 0 || !w->runas_groups || !w->runas_groups[0])
		return r;
	list = strdup(w->runas_groups);
	if (!list)
		return -ENOMEM;
	for (char *g = strtok_r(list, ",", &save); r == 0 && g; g = strtok_r(NULL, ",", &save)) {
		uint32_t gid;

		if (++n > MAX_RUNAS_GROUPS || guard_parse_id(g, &gid) < 0)
			r = -EINVAL;
		else
			r = add_group(s, policy, &res, gid);
	}
	free(list);
	return r;
}

/* argv[0] of sudo's run_argv is what the caller typed ("useradd",
 * "/sbin/useradd", a link's name): the classifier gets the policy's name
 * for the file sudo will run. */
static int classify(struct sudo_request *s, const struct guard_policy *policy, const char *name,
		    const struct guard_wire_request *w, struct guard_error *err)
{
	struct guard_resolver res;
	struct guard_tool_defaults defaults;
	struct guard_error derr = {0};
	char **argv = calloc(w->argc + 1, sizeof(char *));
	int r;

	if (!argv)
		return -ENOMEM;
	argv[0] = (char *)name;
	for (size_t i = 1; i < w->argc; i++)
		argv[i] = w->argv[i];
	guard_accounts_resolver(&res, policy);
	/* As guardctl: the tools' settings decide what useradd and adduser
	 * create (the classifier refuses those tools without them), and every
	 * home a tool touches is checked on the file system. */
	if (guard_tool_defaults_read(&defaults, &derr) == 0)
		res.defaults = &defaults;
	r = guard_classify(policy, &res, (int)w->argc, argv, NULL, 0, &s->cls, err);
	free(argv);
	if (r < 0 && !res.defaults && derr.message[0]) {
		char why[sizeof(err->message)];

		memcpy(why, err->message, sizeof(why));
		guard_error_set(err, derr.file, derr.line, "%.300s (%.150s)", why, derr.message);
	}
	for (size_t i = 0; r == 0 && i < s->cls.n_homes; i++)
		r = guard_home_check(policy, &s->cls.homes[i], 0, err);
	return r;
}

/* What the approval binds and the approver sees: the identities sudo
 * runs as, the file it runs and the arguments. */
static int bind_command(struct sudo_request *s, const struct guard_wire_request *w)
{
	const int head = SUDO_BOUND_HEAD;
	int n = head + (int)(w->argc ? w->argc - 1 : 0) + 1;

	s->bound_argv = calloc((size_t)n + 1, sizeof(char *));
	s->shown_argv = calloc((size_t)n + 1, sizeof(char *));
	if (!s->bound_argv || !s->shown_argv)
		return -ENOMEM;
	s->bound_argc = n;
	if (asprintf(&s->bound_argv[2], "#%u", w->runas_uid) < 0 ||
	    asprintf(&s->bound_argv[4], "#%u", w->runas_gid) < 0)
		return -ENOMEM;
	s->bound_argv[0] = strdup("sudo");
	s->bound_argv[1] = strdup("-u");
	s->bound_argv[3] = strdup("-g");
	s->bound_argv[5] = strdup("--");
	s->bound_argv[head] = strdup(w->command);
	for (size_t i = 1; i < w->argc; i++)
		s->bound_argv[head + (int)i] = strdup(w->argv[i]);
	for (int i = 0; i < n; i++) {
		const char *shown = s->bound_argv[i];

		/* The classifier masked the secrets (-p HASH) in its copy. */
		if (i > head && s->cls.shown_argv && i - head < s->cls.shown_argc)
			shown = s->cls.shown_argv[i - head];
		if (!s->bound_argv[i] || !(s->shown_argv[i] = strdup(shown)))
			return -ENOMEM;
	}
	return 0;
}

void guard_helper_decide_sudo(const struct guard_policy *policy, const struct guard_wire_request *w,
			      struct guard_wire_answer *ans)
{
	struct sudo_request s = {0};
	const char *cmd = NULL;
	bool generic = false;
	struct guard_error err = {0};
	char q[300];
	int r;

	ans->result = GUARD_RESULT_ERROR;
	if (!w->service || strcmp(w->service, "sudo") != 0 || !w->command || w->command[0] != '/' ||
	    w->argc < 1) {
		guard_sudo_fail(ans, "the request from sudo is incomplete.",
				"no service \"sudo\", absolute command or argv");
		goto out;
	}
	/* 1. Who asks: the uid sudo read from the kernel. */
	r = guard_accounts_actor_by_uid(policy, (uid_t)w->ruid, &s.actor);
	if (r < 0) {
		guard_sudo_fail(ans, "the calling user cannot be identified.",
				r == -ENOENT ? "the caller's uid has no account" : strerror(-r));
		goto out;
	}
	r = find_runas(policy, w->runas_uid, &s.runas);
	if (r < 0) {
		guard_sudo_fail(ans, "the run-as user cannot be looked up.", strerror(-r));
		goto out;
	}
	/* 2. Where from: the session sudo runs in (logind, or its
	 *    controlling terminal's utmp entry when it belongs to the
	 *    session); sudo from an ssh session without a terminal is not
	 *    local: unknown. */
	guard_helper_locate(w, &s.where, &s.req);
	s.req.actor = s.actor;
	s.req.service = w->service;
	s.req.layered = true; /* sudoers authorizes too: monitor mode applies */

	/* 3. What: a guarded tool run as root, or an escalation. */
	if (w->runas_uid == 0 && !(w->flags & GUARD_WIRE_F_CHROOT))
		cmd = guarded_name(policy, w->command, &generic);
	if (cmd && guard_classify_reads_batch(cmd) && !generic) {
		/* sudo hands the tool the caller's stdin, which Guard cannot
		 * read before it runs: the batch would go unclassified. */
		guard_sudo_refused(policy, &s, w,
				   "a batch on stdin is classified through guardctl only: run "
				   "\"guardctl ...\" instead of \"sudo ...\"",
				   ans);
		goto out;
	}
	if (cmd && w->env_unsafe) {
		char why[300];

		/* The tool runs as root with what the caller chose: an
		 * LD_PRELOAD, a GCONV_PATH, a POSIXLY_CORRECT that re-parses
		 * its options. */
		snprintf(why, sizeof(why),
			 "sudo would pass %s to %s: a guarded tool runs with sudo's reset "
			 "environment only (no sudo -E, no VAR=value)",
			 guard_escape(w->env_unsafe, q, sizeof(q)), cmd);
		guard_sudo_refused(policy, &s, w, why, ans);
		goto out;
	}
	if (cmd) {
		r = classify(&s, policy, cmd, w, &err);
		if (r == -EINVAL) {
			guard_sudo_refused(policy, &s, w, err.message, ans);
			goto out;
		}
		if (r < 0) {
			guard_sudo_fail(
			    ans, "the command cannot be classified (the system log says why).",
			    err.message[0] ? err.message : strerror(-r));
			goto out;
		}
		s.req.targets = s.cls.targets;
		s.req.n_targets = s.cls.n_targets;
	} else {
		r = escalations(&s, policy, w);
		if (r < 0) {
			guard_sudo_fail(ans, "the run-as groups cannot be looked up.",
					r == -EINVAL ? "malformed runas_groups" : strerror(-r));
			goto out;
		}
		s.req.targets = s.targets;
		s.req.n_targets = s.n_targets;
	}
	if (bind_command(&s, w) < 0) {
		guard_sudo_fail(ans, "out of memory.", "out of memory");
		goto out;
	}
	/* For messages and events: the tool as guardctl names it, or the
	 * file sudo runs. */
	s.req.argc = cmd ? s.cls.shown_argc : s.bound_argc - SUDO_BOUND_HEAD;
	s.req.argv = cmd ? s.cls.shown_argv : s.shown_argv + SUDO_BOUND_HEAD;
	if (s.req.n_targets == 0) {
		/* The caller's own user and groups: nothing is escalated. */
		ans->result = GUARD_RESULT_IGNORE;
		ans->log_priority = LOG_DEBUG;
		guard_sudo_say(&ans->log,
			       "sudo %s: no escalation (the caller's own user and groups)",
			       guard_escape(w->command, q, sizeof(q)));
		goto out;
	}
	/* 4. Limits, watches, freeze, break-glass, approvals; the events. */
	guard_sudo_decide_in_store(policy, &s, w, ans);
out:
	sudo_request_clear(&s);
}
