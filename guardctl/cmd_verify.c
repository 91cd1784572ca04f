/* guardctl verify [--init] [--json]: the account changes no decision
 * explains. Root's alone. Under the store's write lock: the four files
 * read, compared with the state verify last adopted, each change looked
 * up among the decisions made since (less GUARD_VERIFY_GRACE_S: a tool may
 * run after the verify that followed its decision); every change nothing
 * explains is printed and reported (an audit ANOM_* record and a journal
 * alert), then the current state is adopted, so that each is reported
 * once. An event that audit requires and cannot record rolls everything
 * back: the next verify reports it again. Exit 0 nothing unexplained, 1
 * some, 2 an error. */
#include <errno.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account_files.h"
#include "events.h"
#include "guardctl.h"
#include "names.h"
#include "store.h"

struct verify {
	const struct guard_policy *policy;
	struct guard_store *store;
	bool init, json;
	struct guard_account_set seen, now;
	struct guard_account_change *changes;
	size_t n_changes;
	bool *explained;
	size_t n_unexplained;
};

static void change_json(json_object *arr, const struct guard_account_change *c)
{
	json_object *o = json_object_new_object();
	char text[512];

#define S(k, v) json_object_object_add(o, k, (v) ? json_object_new_string(v) : NULL)
	S("kind", c->kind == GUARD_ACCOUNT_GROUP ? "group" : "user");
	S("name", c->name);
	S("change", guard_account_change_type_name(c->type));
	S("field", c->field);
	S("member", c->member);
	S("old", c->value_old);
	S("new", c->value_new);
	guard_account_change_text(c, text, sizeof(text));
	json_object_object_add(o, "text", json_object_new_string(text));
#undef S
	json_object_array_add(arr, o);
}

static void print(const struct verify *v)
{
	if (v->json) {
		json_object *root = json_object_new_object(), *arr = json_object_new_array();

		for (size_t i = 0; i < v->n_changes; i++)
			if (!v->explained[i])
				change_json(arr, &v->changes[i]);
		json_object_object_add(root, "unexplained", arr);
		json_object_object_add(
		    root, "explained",
		    json_object_new_int64((int64_t)(v->n_changes - v->n_unexplained)));
		json_object_object_add(root, "accounts", json_object_new_int64((int64_t)v->now.n));
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
		return;
	}
	for (size_t i = 0; i < v->n_changes; i++) {
		char text[512], shown[600];

		if (v->explained[i])
			continue;
		guard_account_change_text(&v->changes[i], text, sizeof(text));
		printf("changed around Guard: %s\n", guard_escape(text, shown, sizeof(shown)));
	}
	if (v->n_unexplained == 0)
		printf("verify: %zu accounts and groups; no change outside Guard's decisions "
		       "(%zu explained)\n",
		       v->now.n, v->n_changes);
}

/* Inside the transaction: compare, explain, report, adopt. */
static int verify_in_txn(struct verify *v, int64_t now, struct guard_error *err)
{
	uint8_t key[GUARD_ACCOUNT_KEY_LEN];
	struct guard_events *ev = NULL;
	int64_t seen_at = 0;
	int r;

	r = guard_store_accounts_key(v->store, key, err);
	if (r == 0)
		r = guard_account_files_read(NULL, key, &v->now, err);
	memset(key, 0, sizeof(key));
	if (r == 0 && !v->init)
		r = guard_store_accounts_seen(v->store, &v->seen, &seen_at, err);
	if (r < 0)
		return r;
	if (!v->init && seen_at == 0) {
		guard_error_set(err, guard_store_path(v->store), 0,
				"no account state recorded yet: run \"guardctl verify --init\" "
				"once, on a host whose accounts are as they should be");
		return -ENODATA;
	}
	if (!v->init) {
		r = guard_account_diff(&v->seen, &v->now, &v->changes, &v->n_changes);
		v->explained = calloc(v->n_changes + 1, sizeof(bool));
		if (r < 0 || !v->explained) {
			guard_error_set(err, guard_store_path(v->store), 0, "out of memory");
			return -ENOMEM;
		}
	}
	for (size_t i = 0; r == 0 && i < v->n_changes; i++) {
		r = guard_store_change_explained(v->store, &v->changes[i],
						 seen_at - GUARD_VERIFY_GRACE_S, &v->explained[i],
						 err);
		if (r == 0 && !v->explained[i])
			v->n_unexplained++;
	}
	if (r == 0 && v->n_unexplained > 0) {
		r = guard_events_open(&v->policy->settings, GUARD_SOURCE_GUARDCTL, &ev, err);
		guard_events_set_zone(ev, v->policy->tz);
		for (size_t i = 0; r == 0 && i < v->n_changes; i++)
			if (!v->explained[i])
				r = guard_events_account_change(ev, &v->changes[i]);
		for (size_t i = 0; r == 0 && i < v->n_changes; i++)
			if (!v->explained[i])
				r = guard_store_account_change_record(v->store, &v->changes[i], now,
								      err);
		guard_events_close(ev);
		if (r < 0 && !err->message[0])
			guard_error_set(err, NULL, 0,
					"an alert could not be recorded (audit = required): "
					"nothing adopted, the next verify reports it again");
	}
	if (r == 0)
		r = guard_store_accounts_adopt(v->store, &v->now, now, err);
	return r;
}

int cmd_verify(struct guardctl *ctx, int argc, char **argv)
{
	struct verify v = {0};
	struct guard_policy *policy = NULL;
	struct guard_error err = {0};
	int64_t now;
	int r, rc = EXIT_USAGE;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--init") == 0) {
			v.init = true;
		} else if (strcmp(argv[i], "--json") == 0) {
			v.json = true;
		} else {
			char q[128];

			guardctl_error("verify: unexpected argument \"%s\"",
				       guard_escape(argv[i], q, sizeof(q)));
			guardctl_command_help(ctx->cmd, stdout);
			return EXIT_USAGE;
		}
	}
	if (ctx->uid != 0) {
		guardctl_error("refused: verify reads /etc/shadow and records the accounts: root's "
			       "alone (run it as root, or let guard-verify.service run it)");
		return EXIT_USAGE;
	}
	policy = guardctl_load_policy(ctx, NULL, true);
	if (!policy)
		return EXIT_USAGE;
	v.policy = policy;
	if (guardctl_store_open(ctx, &v.store) != 0)
		goto out;
	r = guard_store_begin(v.store, (int64_t)time(NULL), &now, &err);
	if (r == 0) {
		r = verify_in_txn(&v, now, &err);
		if (r == 0)
			r = guard_store_commit(v.store, &err);
		else
			guard_store_rollback(v.store);
	}
	if (r < 0) {
		guardctl_error("verify: %s%s%s", err.file[0] ? err.file : "",
			       err.file[0] ? ": " : "",
			       err.message[0] ? err.message : strerror(-r));
		goto out;
	}
	if (v.init) {
		printf("verify: recorded %zu accounts and groups as the state to compare with\n",
		       v.now.n);
		rc = 0;
		goto out;
	}
	print(&v);
	rc = v.n_unexplained ? 1 : 0;
out:
	guard_account_changes_free(v.changes, v.n_changes);
	free(v.explained);
	guard_account_set_clear(&v.seen);
	guard_account_set_clear(&v.now);
	guard_store_close(v.store);
	guard_policy_free(policy);
	return rc;
}
