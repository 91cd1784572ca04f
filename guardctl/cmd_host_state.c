/* guardctl freeze, thaw, break-glass and unlock: changes to the host's
 * state. Freeze, thaw and unlock are root's or an admin's (the settings'
 * admins, else its approvers; never merely a rule's approvers): nobody lifts
 * their own lockout, and a freeze by root is thawed or replaced by root
 * alone. Break-glass is a break_glass member's. What the state shows, and
 * to whom, is cmd_status.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "approvers.h"
#include "cmd_host_state.h"
#include "events.h"
#include "guardctl.h"
#include "guidance.h"
#include "numparse.h"

int state_parse_opts(const struct guardctl_command *cmd, int argc, char **argv, const char *allowed,
		     struct state_opts *o)
{
	const char *name = cmd->name;

	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char **slot = NULL;
		const char *opt = argv[i];

		if (strcmp(opt, "--json") == 0 && strstr(allowed, "j")) {
			o->json = true;
			continue;
		}
		if (strcmp(opt, "--reason") == 0 && strstr(allowed, "r"))
			slot = &o->reason;
		else if (strcmp(opt, "--for") == 0 && strstr(allowed, "f"))
			slot = &o->for_;
		else if (strcmp(opt, "--since") == 0 && strstr(allowed, "s"))
			slot = &o->since;
		else if (strcmp(opt, "--actor") == 0 && strstr(allowed, "a"))
			slot = &o->actor;
		else if (opt[0] != '-' && strstr(allowed, "1") && !o->operand) {
			o->operand = opt;
			continue;
		}
		if (!slot || i + 1 >= argc || !argv[i + 1][0] || strlen(argv[i + 1]) > MAX_TEXT) {
			char q[256];

			guardctl_error("%s: unexpected argument or missing value \"%s\"", name,
				       guard_escape(opt, q, sizeof(q)));
			guardctl_command_help(cmd, stdout);
			return -EINVAL;
		}
		*slot = argv[++i];
	}
	return 0;
}

/* The policy and the caller's identity (with groups): what permissions are
 * decided on. */
int state_load_caller(struct guardctl *ctx, struct guard_policy **ret_policy,
		      struct guard_identity *me)
{
	int r;

	*ret_policy = guardctl_load_policy(ctx, NULL, true);
	if (!*ret_policy)
		return -EINVAL;
	r = guard_accounts_user_by_uid(*ret_policy, ctx->uid, me);
	if (r < 0) {
		guardctl_error("refused: cannot look up your account: %s", strerror(-r));
		return r;
	}
	return 0;
}

bool state_root_or_admin(const struct guardctl *ctx, const struct guard_policy *policy,
			 const struct guard_identity *me)
{
	return ctx->uid == 0 || guard_is_admin(policy, me);
}

/* Runs one write in a transaction: fn(store, now) between begin and
 * commit, then the event; an event that audit requires and cannot record
 * rolls it back. */
struct state_write {
	const char *what;
	int (*fn)(struct guard_store *s, const struct state_write *w, int64_t now,
		  struct guard_error *err);
	struct guardctl *ctx;
	const struct guard_policy *policy;
	const struct guard_identity *me;
	const char *text;
	const char *root_name; /* freeze, thaw: uid 0's name; NULL: unknown */
	uint32_t uid;
	int64_t duration, until;
	int (*event)(const struct state_write *w, struct guard_events *ev);
};

static int state_write(struct state_write *w)
{
	struct guard_store *store = NULL;
	struct guard_events *ev = NULL;
	struct guard_error err = {0};
	int64_t now;
	int r, rc = EXIT_USAGE;

	if (guardctl_store_open(w->ctx, &store) != 0)
		return EXIT_USAGE;
	r = guard_store_begin(store, (int64_t)time(NULL), &now, &err);
	if (r < 0) {
		guardctl_store_error(&err, r);
		goto out;
	}
	w->until = w->duration > 0 ? now + w->duration : 0;
	r = w->fn(store, w, now, &err);
	if (r == -ENOENT) {
		guardctl_error("%s: %s", w->what, err.message);
		rc = 1;
		goto rollback;
	}
	if (r == -EPERM) {
		guardctl_error("refused: %s", err.message);
		rc = EXIT_DENIED;
		goto rollback;
	}
	if (r < 0) {
		guardctl_store_error(&err, r);
		goto rollback;
	}
	r = guard_events_open(&w->policy->settings, GUARD_SOURCE_GUARDCTL, &ev, &err);
	guard_events_set_zone(ev, w->policy->tz);
	if (r == 0 && w->event)
		r = w->event(w, ev);
	if (r < 0) {
		guardctl_error("refused: the %s cannot be recorded: %s", w->what,
			       err.message[0] ? err.message : strerror(-r));
		rc = EXIT_DENIED;
		goto rollback;
	}
	r = guard_store_commit(store, &err);
	if (r < 0) {
		guardctl_store_error(&err, r);
		goto out;
	}
	rc = 0;
	goto out;
rollback:
	guard_store_rollback(store);
out:
	guard_events_close(ev);
	guard_store_close(store);
	return rc;
}

static int parse_for(const char *name, const char *text, int64_t def, int64_t max, int64_t *ret)
{
	*ret = def;
	if (!text)
		return 0;
	if (guard_parse_duration(text, ret) < 0 || *ret > max) {
		char m[32];

		guard_format_duration(max, m, sizeof(m));
		guardctl_error("%s: --for takes a duration such as 15m, 2h or 1d (at most %s)",
			       name, m);
		return -EINVAL;
	}
	return 0;
}

/* ---- freeze / thaw ---- */

/* In the writing transaction, so that a freeze root makes meanwhile is
 * seen: root ends or replaces any freeze; an admin only one not made by
 * root (a new freeze replaces the one in force, so refusing only the thaw
 * would let an admin swap root's freeze for a shorter one of his own).
 * -EPERM with the reason otherwise. */
static int may_change_freeze(struct guard_store *s, const struct state_write *w, int64_t now,
			     struct guard_error *err)
{
	struct guard_store_status st = {0};
	int r;

	if (w->ctx->uid == 0)
		return 0;
	r = guard_store_status(s, now, &st, err);
	if (r == 0 && st.frozen &&
	    !guard_may_end_freeze(w->ctx->uid, st.freeze.who, w->root_name)) {
		guard_error_set(err, "", 0,
				"the host is frozen by %s: only root may thaw or replace that "
				"freeze",
				st.freeze.who ? st.freeze.who : "?");
		r = -EPERM;
	}
	guard_store_status_clear(&st);
	return r;
}

static int do_freeze(struct guard_store *s, const struct state_write *w, int64_t now,
		     struct guard_error *err)
{
	int r = may_change_freeze(s, w, now, err);

	return r < 0 ? r : guard_store_freeze(s, w->ctx->user, w->text, w->until, now, err);
}

static int do_thaw(struct guard_store *s, const struct state_write *w, int64_t now,
		   struct guard_error *err)
{
	int r = may_change_freeze(s, w, now, err);

	return r < 0 ? r : guard_store_thaw(s, w->ctx->user, now, err);
}

static int ev_freeze(const struct state_write *w, struct guard_events *ev)
{
	return guard_events_freeze(ev, w->me, w->fn == do_freeze, w->text, w->until);
}

static int cmd_freeze_thaw(struct guardctl *ctx, int argc, char **argv, bool freeze)
{
	const char *name = freeze ? "freeze" : "thaw";
	struct guard_policy *policy = NULL;
	struct guard_identity me = {0}, root = {0};
	struct state_opts o;
	struct state_write w = {0};
	int rc = EXIT_USAGE;

	if (state_parse_opts(ctx->cmd, argc, argv, freeze ? "rf" : "", &o) < 0)
		return EXIT_USAGE;
	if (freeze && !o.reason) {
		guardctl_error(
		    "freeze: --reason TEXT is required (it is shown with every refusal)");
		return EXIT_USAGE;
	}
	if (state_load_caller(ctx, &policy, &me) < 0)
		goto out;
	if (!state_root_or_admin(ctx, policy, &me)) {
		guardctl_error("refused: only root or an admin may %s the host", name);
		rc = EXIT_DENIED;
		goto out;
	}
	/* Looked up before the store's lock is taken; a failure leaves it
	 * unknown, and an admin then ends no freeze. */
	if (ctx->uid != 0 && guard_accounts_user_by_uid(NULL, 0, &root) < 0)
		guard_identity_clear(&root);
	w = (struct state_write){.what = name,
				 .fn = freeze ? do_freeze : do_thaw,
				 .ctx = ctx,
				 .policy = policy,
				 .me = &me,
				 .text = o.reason,
				 .root_name = root.name,
				 .event = ev_freeze};
	if (freeze && parse_for(name, o.for_, 0, GUARD_DURATION_MAX, &w.duration) < 0)
		goto out;
	rc = state_write(&w);
	if (rc == 0 && freeze) {
		char until[64] = "thawed";

		if (w.until > 0)
			guardctl_time_end(policy, w.until - w.duration, w.until, until,
					  sizeof(until));
		printf("frozen until %s: every guarded action is refused (break-glass excepted)\n",
		       until);
	} else if (rc == 0) {
		printf("thawed\n");
	}
out:
	guard_identity_clear(&root);
	guard_identity_clear(&me);
	guard_policy_free(policy);
	return rc;
}

int cmd_freeze(struct guardctl *ctx, int argc, char **argv)
{
	return cmd_freeze_thaw(ctx, argc, argv, true);
}

int cmd_thaw(struct guardctl *ctx, int argc, char **argv)
{
	return cmd_freeze_thaw(ctx, argc, argv, false);
}

/* ---- break-glass ---- */

static int do_break_glass(struct guard_store *s, const struct state_write *w, int64_t now,
			  struct guard_error *err)
{
	return guard_store_break_glass(s, w->ctx->uid, w->ctx->user, w->text, w->until, now, err);
}

static int ev_break_glass(const struct state_write *w, struct guard_events *ev)
{
	return guard_events_break_glass(ev, w->me, w->text, w->until);
}

int cmd_break_glass(struct guardctl *ctx, int argc, char **argv)
{
	struct guard_policy *policy = NULL;
	struct guard_identity me = {0};
	struct state_opts o;
	struct state_write w;
	int rc = EXIT_USAGE;

	if (state_parse_opts(ctx->cmd, argc, argv, "rf", &o) < 0)
		return EXIT_USAGE;
	if (!o.reason) {
		guardctl_error("break-glass: --reason TEXT is required");
		return EXIT_USAGE;
	}
	if (state_load_caller(ctx, &policy, &me) < 0)
		goto out;
	if (!guard_may_break_glass(policy, &me)) {
		guardctl_error("refused: %s is not in the policy's break_glass", ctx->user);
		rc = EXIT_DENIED;
		goto out;
	}
	w = (struct state_write){.what = "break-glass",
				 .fn = do_break_glass,
				 .ctx = ctx,
				 .policy = policy,
				 .me = &me,
				 .text = o.reason,
				 .event = ev_break_glass};
	if (parse_for("break-glass", o.for_, GUARD_BREAK_GLASS_DEFAULT_S, GUARD_BREAK_GLASS_MAX_S,
		      &w.duration) < 0)
		goto out;
	rc = state_write(&w);
	if (rc == 0) {
		char until[64];

		guardctl_time_end(policy, w.until - w.duration, w.until, until, sizeof(until));
		printf("break-glass until %s: every check but deny rules passes for %s; every "
		       "use alerts\n",
		       until, ctx->user);
	}
out:
	guard_identity_clear(&me);
	guard_policy_free(policy);
	return rc;
}

/* ---- unlock ---- */

static int do_unlock(struct guard_store *s, const struct state_write *w, int64_t now,
		     struct guard_error *err)
{
	return guard_store_unlock(s, w->uid, w->ctx->user, now, err);
}

int cmd_unlock(struct guardctl *ctx, int argc, char **argv)
{
	struct guard_policy *policy = NULL;
	struct guard_identity me = {0}, target = {0};
	struct state_opts o;
	struct state_write w;
	char q[256];
	int r, rc = EXIT_USAGE;

	if (state_parse_opts(ctx->cmd, argc, argv, "1", &o) < 0)
		return EXIT_USAGE;
	if (!o.operand) {
		guardctl_error("unlock: whom? (guardctl unlock USER)");
		return EXIT_USAGE;
	}
	if (state_load_caller(ctx, &policy, &me) < 0)
		goto out;
	if (!state_root_or_admin(ctx, policy, &me)) {
		guardctl_error("refused: only root or an admin may lift a lockout");
		rc = EXIT_DENIED;
		goto out;
	}
	r = guard_accounts_user_by_name(policy, o.operand, &target);
	if (r < 0) {
		guardctl_error("unlock: no user \"%s\"", guard_escape(o.operand, q, sizeof(q)));
		goto out;
	}
	/* By uid: a second name on one's own uid is oneself. */
	if (target.uid == ctx->uid && ctx->uid != 0) {
		guardctl_error("refused: nobody lifts their own lockout: another admin or root "
			       "must");
		rc = EXIT_DENIED;
		goto out;
	}
	w = (struct state_write){.what = "unlock",
				 .fn = do_unlock,
				 .ctx = ctx,
				 .policy = policy,
				 .me = &me,
				 .uid = target.uid};
	rc = state_write(&w);
	if (rc == 0)
		printf("lockout of %s lifted\n", target.name);
out:
	guard_identity_clear(&target);
	guard_identity_clear(&me);
	guard_policy_free(policy);
	return rc;
}
