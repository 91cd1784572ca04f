/* guardctl status and history: what the state and the ledger show, and to
 * whom. The freeze is everyone's to see; others' break-glass, lockouts and
 * decisions are root's and the admins' (the settings' admins, else its
 * approvers), each other caller sees their own. Apart from cmd_host_state.c,
 * which changes the state: nothing here writes. */
#include <json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "cmd_host_state.h"
#include "datetime.h"
#include "guardctl.h"
#include "numparse.h"

#define MAX_HISTORY 100000

/* ---- status ---- */

/* The freeze is everyone's to see (every refusal names who froze and
 * why); others' break-glass and lockouts, with their reasons, are root's
 * and the admins'. */
int cmd_status(struct guardctl *ctx, int argc, char **argv)
{
	struct guard_policy *policy = NULL;
	struct guard_store *store = NULL;
	struct guard_store_status st = {0};
	struct guard_identity me = {0};
	struct guard_error err = {0};
	struct state_opts o;
	int64_t now = (int64_t)time(NULL);
	char a[64], b[64], q[MAX_TEXT * 4 + 8];
	size_t n_bg = 0, n_lo = 0;
	bool all;
	int r, rc = EXIT_USAGE;

	if (state_parse_opts(ctx->cmd, argc, argv, "", &o) < 0)
		return EXIT_USAGE;
	if (ctx->uid == 0)
		policy = guardctl_load_policy(ctx, NULL, true);
	else if (state_load_caller(ctx, &policy, &me) < 0)
		goto out;
	all = state_root_or_admin(ctx, policy, &me);
	if (!policy || guardctl_store_open(ctx, &store) != 0)
		goto out;
	r = guard_store_status(store, now, &st, &err);
	if (r < 0) {
		guardctl_store_error(&err, r);
		goto out;
	}
	if (st.frozen) {
		guardctl_time(policy, now, st.freeze.since, a, sizeof(a));
		if (st.freeze.until > 0)
			guardctl_time_end(policy, now, st.freeze.until, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "thawed");
		printf("frozen by %s since %s until %s: %s\n", st.freeze.who, a, b,
		       guard_escape(st.freeze.what, q, sizeof(q)));
	} else {
		printf("not frozen\n");
	}
	for (size_t i = 0; i < st.n_break_glass; i++) {
		if (!all && st.break_glass[i].uid != ctx->uid)
			continue;
		guardctl_time_end(policy, now, st.break_glass[i].until, b, sizeof(b));
		printf("break-glass: %s until %s: %s\n", st.break_glass[i].who, b,
		       guard_escape(st.break_glass[i].what, q, sizeof(q)));
		n_bg++;
	}
	for (size_t i = 0; i < st.n_lockouts; i++) {
		if (!all && st.lockouts[i].uid != ctx->uid)
			continue;
		guardctl_time_end(policy, now, st.lockouts[i].until, b, sizeof(b));
		printf("locked out: %s by watch %s until %s\n", st.lockouts[i].who,
		       st.lockouts[i].what, b);
		n_lo++;
	}
	if (n_bg == 0)
		printf("no break-glass%s\n", all ? "" : " of yours");
	if (n_lo == 0)
		printf("no lockout%s\n", all ? "s" : " of yours");
	if (!all)
		printf("(others' break-glass and lockouts: shown to root and admins)\n");
	rc = 0;
out:
	guard_identity_clear(&me);
	guard_store_status_clear(&st);
	guard_store_close(store);
	guard_policy_free(policy);
	return rc;
}

/* ---- history ---- */

static void history_row_json(json_object *arr, const struct guard_history_row *h)
{
	json_object *o = json_object_new_object();
	char t[40];

#define S(k, v) json_object_object_add(o, k, (v) ? json_object_new_string(v) : NULL)
	json_object_object_add(o, "decision_id", json_object_new_int64(h->decision_id));
	guardctl_iso_time(h->at, t, sizeof(t));
	json_object_object_add(o, "at", json_object_new_string(t));
	S("actor", h->actor);
	json_object_object_add(o, "actor_uid", json_object_new_int64(h->actor_uid));
	S("service", h->service);
	S("host", h->host);
	S("tty", h->tty);
	S("command", h->argv);
	S("reason", h->reason);
	S("mode", h->mode);
	S("action", h->action);
	S("target", h->target);
	S("group", h->group);
	S("decision", h->decision);
	S("rule", h->rule);
	S("why", h->why);
#undef S
	json_object_object_add(o, "break_glass", json_object_new_boolean(h->break_glass));
	json_object_object_add(o, "approval",
			       h->approval_id ? json_object_new_int64(h->approval_id) : NULL);
	json_object_object_add(o, "exit", h->has_exit ? json_object_new_int(h->exit_status) : NULL);
	json_object_object_add(o, "repeats", json_object_new_int64(h->repeats));
	json_object_array_add(arr, o);
}

static int parse_since(const struct guard_policy *policy, const char *text, int64_t now,
		       int64_t *ret)
{
	int64_t d;

	*ret = 0;
	if (!text)
		return 0;
	if (guard_parse_duration(text, &d) == 0) { /* "2h": the last two hours */
		*ret = now - d;
		return 0;
	}
	return guard_parse_datetime(text, policy->tz, ret);
}

int cmd_history(struct guardctl *ctx, int argc, char **argv)
{
	struct guard_policy *policy = NULL;
	struct guard_store *store = NULL;
	struct guard_identity me = {0}, actor = {0};
	struct guard_history_row *rows = NULL;
	struct guard_error err = {0};
	struct state_opts o;
	size_t n = 0;
	int64_t now = (int64_t)time(NULL), since;
	bool all;
	char q[256];
	int r, rc = EXIT_USAGE;

	if (state_parse_opts(ctx->cmd, argc, argv, "saj", &o) < 0)
		return EXIT_USAGE;
	if (state_load_caller(ctx, &policy, &me) < 0)
		goto out;
	if (parse_since(policy, o.since, now, &since) < 0) {
		guardctl_error("history: --since \"%s\" is not a duration (2h) or a time "
			       "(YYYY-MM-DD HH:MM[:SS], ISO 8601)",
			       guard_escape(o.since, q, sizeof(q)));
		goto out;
	}
	all = state_root_or_admin(ctx, policy, &me);
	if (o.actor) {
		r = guard_accounts_user_by_name(policy, o.actor, &actor);
		if (r < 0) {
			guardctl_error("history: no user \"%s\"",
				       guard_escape(o.actor, q, sizeof(q)));
			goto out;
		}
		if (!all && actor.uid != ctx->uid) {
			guardctl_error("refused: only root and admins see others' history");
			rc = EXIT_DENIED;
			goto out;
		}
	}
	if (guardctl_store_open(ctx, &store) != 0)
		goto out;
	r = guard_store_history(store, since, all && !o.actor, o.actor ? actor.uid : ctx->uid,
				MAX_HISTORY, &rows, &n, &err);
	if (r < 0) {
		guardctl_store_error(&err, r);
		goto out;
	}
	if (o.json) {
		json_object *root = json_object_new_object(), *arr = json_object_new_array();

		for (size_t i = 0; i < n; i++)
			history_row_json(arr, &rows[i]);
		json_object_object_add(root, "decisions", arr);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		for (size_t i = 0; i < n; i++) {
			const struct guard_history_row *h = &rows[i];
			char t[40], cmd[512], why[512];

			guardctl_iso_time(h->at, t, sizeof(t));
			guard_escape(h->argv ? h->argv : "", cmd, sizeof(cmd));
			guard_escape(h->why ? h->why : "", why, sizeof(why));
			printf("%s %-10s %-8s %-7s %s %s%s%s", t, h->actor, h->service, h->decision,
			       h->action, h->target ? h->target : "-", h->rule ? " rule " : "",
			       h->rule ? h->rule : "");
			if (h->break_glass)
				printf(" break-glass");
			if (h->approval_id)
				printf(" approval %lld", (long long)h->approval_id);
			if (h->has_exit)
				printf(" exit %d", guardctl_exit_status(h->exit_status));
			if (h->repeats) {
				guardctl_iso_time(h->last_at, t, sizeof(t));
				printf(" (refused %u more times while locked out, last %s)",
				       h->repeats, t);
			}
			printf("%s%s%s%s\n", cmd[0] ? ": " : "", cmd, why[0] ? " -- " : "", why);
		}
	}
	rc = 0;
out:
	guard_history_rows_free(rows, n);
	guard_store_close(store);
	guard_identity_clear(&actor);
	guard_identity_clear(&me);
	guard_policy_free(policy);
	return rc;
}
