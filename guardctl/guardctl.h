/* guardctl: what the subcommands share. */
#ifndef GUARDCTL_H
#define GUARDCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "classify.h"
#include "events_relay.h"
#include "policy.h"
#include "request.h"
#include "session.h"
#include "store.h"

/* Exit statuses (docs/design.md, "Exit statuses"): the command's own when it ran. */
#define EXIT_DENIED 1
#define EXIT_USAGE  2

/* --reason TEXT: recorded with the decision, 1 to this many bytes (the
 * front, the program and the decision service check it alike). */
#define GUARDCTL_MAX_REASON 1024u

struct guardctl {
	uid_t uid; /* the real uid: who the kernel says called us */
	gid_t gid;
	char *user;	    /* that uid's name */
	const char *config; /* --config FILE (root only), else NULL */
	char *config_abs;   /* --config made absolute before chdir("/") */
	bool fresh_policy;  /* parse the policy, never the compiled one (check) */
	char *saved_term;   /* the caller's TERM, validated, for a child's terminal */
	const char *reason; /* --reason TEXT, recorded with the decision; may be NULL */
	const struct guardctl_command *cmd; /* the subcommand running, else NULL */
	pid_t pid; /* the process whose session and terminal say where the caller is */
	/* The store the decision service keeps open, lent for this request
	 * (NULL: guardctl opens its own); store_failed: a call on it failed,
	 * so it is not kept. */
	struct guard_store *store;
	bool store_failed;
	/* The decision service's: events for guardctl's front to send from
	 * its own process (events_relay.h); NULL: sent from this one. */
	struct guard_events_relay *relay;
};

struct guardctl_request {
	struct guard_identity actor;
	struct guard_location where;
	struct guard_classification cls;
	uint8_t *batch;
	size_t batch_len;
	struct guard_request req; /* points into the fields above */
	char refusal[600];	  /* why the request was refused before a decision */
};

/* The name of uid (NSS), for the caller to free; NULL when it has none. */
char *guardctl_user_name(uid_t uid);

/* Builds the request for argv (a guarded command): the actor is as_user
 * (root's --as) or the caller, the location where (or utmp's). Prints why
 * on failure (a refusal only unless quiet: it is in ret->refusal too).
 * Returns 0, EXIT_DENIED (refused) or EXIT_USAGE. */
int guardctl_request_build(const struct guardctl *ctx, const struct guard_policy *policy,
			   const char *as_user, const char *service,
			   const struct guard_location *where, int argc, char **argv, bool quiet,
			   struct guardctl_request *ret);
void guardctl_request_clear(struct guardctl_request *r);

/* Builds the request pam_guard would decide for the PAM service: as_user
 * (or the caller) becoming target (explain_service.c). When pam_guard would
 * not decide at all (a service the policy does not map, one's own account)
 * returns 0 with *ret_not_decided saying why. Returns 0 or EXIT_USAGE
 * (printed). Clear ret with guardctl_request_clear in every case. */
int guardctl_service_request_build(const struct guardctl *ctx, const struct guard_policy *policy,
				   const char *as_user, const char *service, const char *target,
				   const struct guard_location *where, struct guardctl_request *ret,
				   const char **ret_not_decided);

/* Prints "guardctl: ..." on stderr (output.c). */
void guardctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Where guardctl_error and the guarded-command path write: stderr, or
 * what guardctl_output_to set (NULL: stderr again). */
FILE *guardctl_err(void);
void guardctl_output_to(FILE *f);
/* Writes what guardctl_error held back while a store transaction was open
 * (nothing while one still is); also at exit. */
void guardctl_output_flush(void);

/* Loads the policy (ctx->config or the system's); on failure prints the
 * error and returns NULL (load_policy.c). */
struct guard_policy *guardctl_load_policy(const struct guardctl *ctx, const char *path,
					  bool owner_checks);
/* The same, also filling ret_err (when not NULL) on failure. */
struct guard_policy *guardctl_load_policy_err(const struct guardctl *ctx, const char *path,
					      bool owner_checks, struct guard_error *ret_err);

/* A subcommand: what the caller types, what runs it (argv[0] is the
 * subcommand's name; returns the exit status), its usage line and help. */
struct guardctl_command {
	const char *name;
	int (*fn)(struct guardctl *ctx, int argc, char **argv);
	const char *synopsis;
	const char *text;
};

/* The subcommand called name, or NULL: a guarded command (commands.c). */
const struct guardctl_command *guardctl_command(const char *name);
void guardctl_usage(FILE *out);
/* Prints the usage of subcommand (NULL: of guardctl) on stdout: 0, or
 * EXIT_USAGE for a name that is not a subcommand. */
int guardctl_help(const char *subcommand);
/* "usage: SYNOPSIS", then the help text of cmd (output.c): what a
 * subcommand prints on --help or on an argument it does not take. */
void guardctl_command_help(const struct guardctl_command *cmd, FILE *out);

int cmd_check(struct guardctl *ctx, int argc, char **argv);
int cmd_verify(struct guardctl *ctx, int argc, char **argv);
int cmd_report(struct guardctl *ctx, int argc, char **argv);
/* Opens path with the caller's uid and gid in effect (caller_files.c), then
 * takes root's back (or exits). Returns the fd, or -1 with errno. */
int guardctl_open_as_caller(const struct guardctl *ctx, const char *path, int flags, mode_t mode);

/* guardctl approve --sign KEY TOKENFILE, --signature SIGFILE ID
 * (signed_approval.c). */
int guardctl_approve_sign(struct guardctl *ctx, int argc, char **argv);
int guardctl_approve_signature(struct guardctl *ctx, int argc, char **argv);
/* Warns (guard_policy_warn) about PAM stacks in pam_dir that load
 * pam_guard for a service the policy does not map, and services the
 * policy maps whose stack never loads it (check_pam.c). */
void guardctl_check_pam_stacks(struct guard_policy *p, const char *pam_dir);
int cmd_explain(struct guardctl *ctx, int argc, char **argv);

/* Runs a guarded command (argv[0] its name as typed): load the policy,
 * classify, decide, report, then refuse with the guidance (EXIT_DENIED) or
 * run the tool and return its exit status (128+N when killed by signal N).
 * EXIT_USAGE on usage, policy or environment errors. See run.c. */
int guardctl_run(struct guardctl *ctx, int argc, char **argv);

/* What the child runs and how: see exec.c. */
struct guardctl_exec {
	const char *path;     /* absolute */
	char *const *argv;    /* NULL-terminated; argv[0] the tool's name */
	const char *caller;   /* GUARD_USER in the child's environment */
	const char *term;     /* validated TERM, or NULL */
	const uint8_t *batch; /* fed to the tool's stdin through a pipe; may be NULL */
	size_t batch_len;
	bool interactive; /* the tool prompts on its terminal (passwd USER) */
};

/* Runs x in a child process as root with a fixed environment, fds 0-2 only,
 * reset signals, umask 022, reset resource limits, in a new session without
 * the caller's terminal (an interactive tool gets a new pty, relayed).
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded. Returns 0 with the
 * wait(2) status in *ret_status, or -errno when no child ran. */
int guardctl_exec(const struct guardctl_exec *x, int *ret_status);

/* Standard fds 0-2 open (on /dev/null when the caller closed one, or
 * _exit(127)), and every signal at its default, none blocked
 * (process_start.c). */
void guardctl_fix_standard_fds(void);
void guardctl_reset_signals(void);
/* Every signal whose disposition is not the default (ignored or caught, as
 * /proc/self/status says; every signal when it cannot be read) back to the
 * default: a system call for each of those, not for each of the 64. Only
 * system calls and the stack: the child of exec_child.c calls it. The mask
 * is not touched. */
void guardctl_default_signals(void);
/* The first steps of a setuid guardctl, the front's and the program's:
 * no argv (_exit(127)), fds 0-2, every other fd close-on-exec, no core
 * dump or ptrace, signals reset (SIGXFSZ ignored). Returns 0, or -1 with
 * the error printed. */
int guardctl_process_start(int argc, char **argv);

/* TERM as the one value of the caller's environment a child may see: a
 * copy when it is a plain terminal name, else NULL (exec.c). */
char *guardctl_sane_term(const char *term);

/* The exit status for a wait(2) status: the child's, or 128+N. */
int guardctl_exit_status(int wait_status);

/* Does the classified command prompt on its terminal (passwd USER, gpasswd
 * GROUP, chage USER)? */
bool guardctl_is_interactive(const struct guard_classification *cls);

/* Resets the resource limits a caller could lower to make a write fail
 * halfway (FSIZE, NOFILE, NPROC, AS, STACK, ...): soft limits to what a
 * tool expects, hard limits to the system's maxima (or, without
 * CAP_SYS_RESOURCE, soft up to the hard limit). Core dumps stay off.
 * Returns 0, or -EPERM when a lowered hard limit leaves too little. */
int guardctl_limits_reset(void);

/* ---- The store (store_session.c, cmd_host_state.c, cmd_approvals.c) ---- */

/* Opens the state store after setresuid(0, 0, 0), so that no process the
 * caller can signal holds its lock. Prints why on failure. Returns 0 or
 * EXIT_USAGE. */
int guardctl_store_open(struct guardctl *ctx, struct guard_store **ret);
/* Closes a store guardctl_store_open gave, unless it is ctx->store. */
void guardctl_store_close(struct guardctl *ctx, struct guard_store *store);
/* Blocks (hold) or unblocks the stop signals of job control (SIGTSTP,
 * SIGTTIN, SIGTTOU): held from guardctl_store_open on, so that nothing
 * stops guardctl while it may hold the store's lock. */
void guardctl_job_control(bool hold);
/* Prints a store error: "guardctl: FILE: message". */
void guardctl_store_error(const struct guard_error *err, int r);

struct guardctl_decide_opts {
	int64_t approval_id; /* `guardctl run ID`; 0: any approval for this command */
	bool request_only;   /* `guardctl request`: file a request, run nothing */
};

/* The decision of a guarded command in one store transaction: the
 * snapshot, the evaluation, the approval it spends (or the pending
 * request it files) and the ledger row. argv is the command as typed (the
 * approval binds it, with the stdin batch's hash). *ret_store stays open
 * for guard_store_exec_result; close it. Prints why on failure. Returns 0
 * (then ret->outcome says GO, PENDING or DENIED), EXIT_DENIED or
 * EXIT_USAGE. */
int guardctl_decide_in_store(struct guardctl *ctx, const struct guard_policy *policy,
			     struct guardctl_request *rq, int argc, char **argv,
			     const struct guardctl_decide_opts *o, struct guard_store **ret_store,
			     struct guard_decision_result *ret);

/* Prints "request N filed|is pending: needs K approvals by ...", with the
 * approver's command. */
void guardctl_say_pending(const struct guard_policy *policy,
			  const struct guard_decision_result *res);

/* Reports a request refused before any rule was tried (the classifier
 * refused it, or the caller's account could not be looked up) to audit
 * and journald, best effort, as the settings allow (NULL: both). actor may
 * be NULL or nameless: the uid stands for it. */
void guardctl_report_refusal(const struct guardctl *ctx, const struct guard_settings *settings,
			     const struct guard_identity *actor, const char *command,
			     const char *why);
/* Records such a refusal (rq->refusal) in the state store's ledger, where
 * watches count it; best effort, a failure is a warning. */
void guardctl_record_refusal(struct guardctl *ctx, const struct guard_policy *policy,
			     const struct guardctl_request *rq, const char *command);

/* Runs a guarded command through the store with the given approval (0:
 * any approved request for exactly this command): run_approved.c. Returns
 * the command's exit status, EXIT_DENIED or EXIT_USAGE. */
int guardctl_run_approved(struct guardctl *ctx, int64_t approval_id, int argc, char **argv);

/* A guarded command between its decision and its end: what recording
 * its exit status needs. */
struct guardctl_run {
	struct guard_events *ev;
	struct guard_store *store; /* guardctl_store_open's */
	struct guardctl_request rq;
	struct guard_decision_result res;
	/* The tool exited 0 and the records of that end, formatted at the
	 * decision, were sent by guardctl's front: the end stores the status
	 * only. */
	bool end_sent;
};

/* Builds, decides, records and reports a guarded command under policy
 * (which must outlive run), printing what the caller is told. Returns 0
 * when the tool may run (run->rq.cls.path, absolute; run holds what its
 * end needs), else EXIT_DENIED or EXIT_USAGE with run cleared. */
int guardctl_run_decide(struct guardctl *ctx, const struct guard_policy *policy,
			int64_t approval_id, int argc, char **argv, struct guardctl_run *run);
/* Records how the tool ended (a wait(2) status) in the store and the
 * events, every id 0 again; a failure is a warning. */
void guardctl_run_end(struct guardctl *ctx, struct guardctl_run *run, int status);
/* Frees run (a zeroed one too). */
void guardctl_run_clear(struct guardctl *ctx, struct guardctl_run *run);

/* The approval binding of a request: requester uid, host, argv as typed
 * and the batch's hash. */
void guardctl_binding(const struct guardctl_request *rq, int argc, char **argv, const char *host,
		      struct guard_approval_binding *ret);
int guardctl_hostname(char *buf, size_t size);

/* A time as a person reads it in the policy's zone, relative to now. */
void guardctl_time(const struct guard_policy *policy, int64_t now, int64_t when, char *buf,
		   size_t size);
/* The same for an end (a freeze, lockout, break-glass or expiry), rounded
 * up to the minute like every end Guard prints, refusals included: one
 * instant never reads as two different minutes. */
void guardctl_time_end(const struct guard_policy *policy, int64_t now, int64_t when, char *buf,
		       size_t size);
/* A time as ISO 8601 UTC ("2026-03-02T10:00:00Z"); "" for 0. */
void guardctl_iso_time(int64_t t, char *buf, size_t size);

/* A request as list and approve show it: what runs (quoted, secrets masked
 * once by the classifier), its actions with the ids resolved when it was
 * filed, the rules and what they need, votes (approval_show.c). */
struct json_object;
void guardctl_approval_text(const struct guard_policy *policy, const struct guard_approval *a,
			    int64_t now);
struct json_object *guardctl_approval_json(const struct guard_approval *a);

/* request, run, list, approve, deny, unlock, break-glass, freeze, thaw,
 * status, history. */
int cmd_request(struct guardctl *ctx, int argc, char **argv);
int cmd_run(struct guardctl *ctx, int argc, char **argv);
int cmd_list(struct guardctl *ctx, int argc, char **argv);
int cmd_approve(struct guardctl *ctx, int argc, char **argv);
int cmd_deny(struct guardctl *ctx, int argc, char **argv);
int cmd_unlock(struct guardctl *ctx, int argc, char **argv);
int cmd_break_glass(struct guardctl *ctx, int argc, char **argv);
int cmd_freeze(struct guardctl *ctx, int argc, char **argv);
int cmd_thaw(struct guardctl *ctx, int argc, char **argv);
int cmd_status(struct guardctl *ctx, int argc, char **argv);
int cmd_history(struct guardctl *ctx, int argc, char **argv);

#endif
