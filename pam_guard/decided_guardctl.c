/* A guarded command from guardctl's front, decided in guard-decided: see
 * decided_guardctl.h. The decision is guardctl's own (run.c: build, decide, record,
 * report), made under the service's kept policy and store with what
 * guardctl would print captured for the front to print. What the service
 * cannot do exactly as guardctl would it leaves to guardctl's own program
 * (GUARD_RESULT_IGNORE) before deciding anything: a subcommand, a tool
 * that reads a batch on stdin, a policy that does not load (its error is
 * reported from guardctl), a caller NSS cannot name, too many runs
 * waiting for their end. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "../guardctl/guardctl.h"
#include "accounts.h"
#include "events.h"
#include "helper.h"
#include "decided_guardctl.h"

struct guardctl_served {
	struct guardctl ctx;
	char *reason;
	struct guard_policy *policy; /* the helper's, given back at the end */
	struct guardctl_run run;
	struct guard_events_relay relay; /* the front sends them (events_relay.h) */
	bool end_given;			 /* the answer carried the end's records for exit 0 */
};

/* The events of this step go with the answer, for the front to send. */
static void give_events(struct guardctl_served *st, struct guard_wire_answer *ans)
{
	/* Lost records: the front refuses when audit is required. */
	if (st->relay.failed)
		ans->run_flags |= GUARD_WIRE_RUN_EVENTS_LOST;
	if (st->relay.audit_required)
		ans->run_flags |= GUARD_WIRE_RUN_AUDIT_REQUIRED;
	ans->events = st->relay.buf;
	ans->events_len = st->relay.len;
	st->relay.buf = NULL;
	st->relay.len = st->relay.cap = 0;
	st->relay.failed = false;
}

static void answer_text(struct guard_wire_answer *ans, uint32_t result, uint32_t exit_code,
			char *text)
{
	ans->result = result;
	ans->exit_code = exit_code;
	ans->log_priority = LOG_INFO;
	ans->guidance = text && text[0] ? text : NULL;
	if (!ans->guidance)
		free(text);
}

/* An argv the answer could not carry back once `--` is added: left to
 * guardctl's own program before anything is decided or spent. */
static bool too_long(const struct guard_wire_request *req)
{
	size_t n = 0;

	for (size_t i = 0; i < req->argc; i++)
		n += strlen(req->argv[i]) + 1;
	return n > GUARD_WIRE_MAX_FIELD / 2;
}

/* The caller's name, from the look-up its decision makes anyway (the
 * service keeps NSS's answers: helper_keep.c). */
static char *caller_name(const struct guard_policy *policy, uid_t uid)
{
	struct guard_identity id = {0};
	char *name = NULL;

	if (guard_accounts_actor_by_uid(policy, uid, &id) == 0 && id.name)
		name = strdup(id.name);
	guard_identity_clear(&id);
	return name;
}

/* The text guardctl printed meanwhile: its messages, then the sink back
 * to stderr. */
static char *captured(FILE *out, char **buf)
{
	guardctl_output_flush();
	guardctl_output_to(NULL);
	if (fclose(out) != 0) {
		free(*buf);
		return strdup("guardctl: (its messages were lost)\n");
	}
	return *buf;
}

void guardctl_served_free(struct guardctl_served *st)
{
	if (!st)
		return;
	guardctl_run_clear(&st->ctx, &st->run);
	guard_events_relay_clear(&st->relay);
	guard_helper_policy_put(st->policy);
	free(st->ctx.user);
	free(st->reason);
	free(st);
}

/* The records of the tool's end should it exit 0, formatted now: the
 * front sends them while the service stores the status, not after (one
 * round trip fewer). Any other end, or records that cannot be given, and
 * the end is formatted when it comes. */
static void give_end_ahead(struct guardctl_served *st, struct guard_wire_answer *ans)
{
	struct guard_events_relay end = {.exe = GUARDCTL_FRONT};
	int r;

	guard_events_relay_switch(st->run.ev, &end);
	r = guard_events_exec(st->run.ev, &st->run.rq.req, 0);
	guard_events_relay_switch(st->run.ev, &st->relay);
	if (r == 0 && !end.failed && end.buf && end.len <= GUARD_WIRE_MAX_FIELD) {
		ans->end_events = end.buf;
		ans->end_events_len = end.len;
		end.buf = NULL;
		st->end_given = true;
	}
	guard_events_relay_clear(&end);
}

/* The command the front runs: a copy of the classified one. */
static int give_command(const struct guardctl_served *st, struct guard_wire_answer *ans)
{
	const struct guard_classification *cls = &st->run.rq.cls;
	size_t n = 0;

	while (cls->exec_argv[n])
		n++;
	ans->command = strdup(cls->path);
	ans->log = strdup(st->ctx.user);
	ans->argv = calloc(n + 1, sizeof(char *));
	if (!ans->command || !ans->log || !ans->argv)
		return -ENOMEM;
	ans->argc = n;
	for (size_t i = 0; i < n; i++)
		if (!(ans->argv[i] = strdup(cls->exec_argv[i])))
			return -ENOMEM;
	if (guardctl_is_interactive(cls))
		ans->run_flags |= GUARD_WIRE_RUN_INTERACTIVE;
	return 0;
}

struct guardctl_served *guardctl_served_run(const struct guard_wire_request *req, uint32_t peer_pid,
					    bool room, struct guard_wire_answer *ans)
{
	struct guardctl_served *st;
	struct guard_store *store = NULL;
	struct guard_error err = {0};
	char *text = NULL;
	size_t text_len = 0;
	FILE *out;
	int rc;

	/* The front is the process that asks: its session and terminal are
	 * read by its pid. Who called it is its word, as root's (the socket
	 * is root's only); its ids are all 0 by now, so /proc cannot say. */
	if (req->host_pid != peer_pid) {
		answer_text(ans, GUARD_RESULT_ERROR, EXIT_USAGE,
			    strdup("guardctl: refused: the request does not come from the "
				   "process it names\n"));
		return NULL;
	}
	if (req->argc == 0 || !req->argv[0][0] ||
	    (req->reason && (!req->reason[0] || strlen(req->reason) > GUARDCTL_MAX_REASON))) {
		answer_text(ans, GUARD_RESULT_ERROR, EXIT_USAGE,
			    strdup("guardctl: refused: a malformed request\n"));
		return NULL;
	}
	if (!room || guardctl_command(req->argv[0]) || guard_classify_reads_batch(req->argv[0]) ||
	    too_long(req)) {
		ans->result = GUARD_RESULT_IGNORE;
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		answer_text(ans, GUARD_RESULT_ERROR, EXIT_USAGE, NULL);
		return NULL;
	}
	st->ctx.uid = req->ruid;
	st->ctx.pid = (pid_t)peer_pid;
	st->relay.exe = GUARDCTL_FRONT;
	st->ctx.relay = &st->relay;
	st->reason = req->reason ? strdup(req->reason) : NULL;
	st->ctx.reason = st->reason;
	if ((req->reason && !st->reason) || guard_helper_policy_get(NULL, &st->policy, &err) < 0 ||
	    !(st->ctx.user = caller_name(st->policy, req->ruid))) {
		guardctl_served_free(st);
		ans->result = GUARD_RESULT_IGNORE;
		return NULL;
	}
	if (guard_helper_store_get(&store, &err) < 0) {
		guardctl_served_free(st);
		ans->result = GUARD_RESULT_IGNORE;
		return NULL;
	}
	out = open_memstream(&text, &text_len);
	if (!out) {
		guard_helper_store_put(store, false);
		guardctl_served_free(st);
		answer_text(ans, GUARD_RESULT_ERROR, EXIT_USAGE, NULL);
		return NULL;
	}
	st->ctx.store = store;
	guardctl_output_to(out);
	rc = guardctl_run_decide(&st->ctx, st->policy, 0, (int)req->argc, req->argv, &st->run);
	text = captured(out, &text);
	/* The store serves other requests while the tool runs. */
	guard_helper_store_put(store, st->ctx.store_failed);
	st->ctx.store = NULL;
	st->run.store = NULL;
	if (rc != 0) {
		answer_text(ans, GUARD_RESULT_DENY, (uint32_t)rc, text);
		give_events(st, ans);
		guardctl_served_free(st);
		return NULL;
	}
	answer_text(ans, GUARD_RESULT_ALLOW, 0, text);
	give_events(st, ans);
	give_end_ahead(st, ans);
	if (give_command(st, ans) < 0) {
		/* Spent, but not run, as when guardctl cannot start the tool. */
		guard_wire_answer_clear(ans);
		answer_text(ans, GUARD_RESULT_ERROR, EXIT_USAGE,
			    strdup("guardctl: cannot hand the command over: out of memory\n"));
		guardctl_served_free(st);
		return NULL;
	}
	return st;
}

void guardctl_served_end(struct guardctl_served *st, const struct guard_wire_request *req,
			 struct guard_wire_answer *ans)
{
	struct guard_store *store = NULL;
	struct guard_error err = {0};
	char *text = NULL;
	size_t text_len = 0;
	FILE *out = open_memstream(&text, &text_len);

	if (!out) {
		answer_text(ans, GUARD_RESULT_ERROR, EXIT_USAGE, NULL);
		return;
	}
	guardctl_output_to(out);
	if (guard_helper_store_get(&store, &err) < 0) {
		guardctl_store_error(&err, -EIO);
		store = NULL;
	}
	st->ctx.store = store;
	st->run.store = store;
	st->run.end_sent =
	    st->end_given && req->wait_status == 0 && (req->flags & GUARD_WIRE_F_END_SENT);
	guardctl_run_end(&st->ctx, &st->run, (int)req->wait_status);
	text = captured(out, &text);
	if (store)
		guard_helper_store_put(store, st->ctx.store_failed);
	st->ctx.store = NULL;
	st->run.store = NULL;
	answer_text(ans, GUARD_RESULT_ALLOW, 0, text);
	give_events(st, ans);
}
