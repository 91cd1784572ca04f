/* guardctl: the setuid-root front. A guarded command is decided by
 * guard-decided, which keeps the policy loaded and the store open, with
 * guardctl's own code (pam_guard/decided_guardctl.c); the front runs the
 * tool it was allowed (exec.c, as guardctl does) and tells the service how
 * it ended. Everything else, and every request the service is not there
 * for or leaves to it, is guardctl's own program (GUARDCTL_PROGRAM, root's,
 * not setuid), started in our place with the same arguments.
 *
 * The front links the C library alone: what it costs to start is what
 * any setuid program costs. main() reads top to bottom as the privilege
 * timeline, as guardctl's does, and the caller's bytes are as hostile. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../pam_guard/ask.h"
#include "../../pam_guard/channel.h"
#include "../../pam_guard/wire.h"
#include "../guardctl.h"
#include "front.h"

#define PROGNAME "guardctl"

/* The service ends itself past GUARD_HELPER_ALARM_S (10 s) on one
 * decision, and decides one at a time: room for its own bound and a
 * request queued behind another. */
#define DECIDE_MS 15000
#define END_MS	  15000

void guardctl_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROGNAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The signals that would end or stop us while we hold the service's
 * slot or the records of a decision it made: blocked (hold) or let
 * through again. The caller cannot send them once every id is 0, but a
 * terminal can. */
static void hold_signals(bool hold)
{
	static const int held[] = {SIGINT, SIGQUIT, SIGHUP, SIGTERM};
	sigset_t set;

	sigemptyset(&set);
	for (size_t k = 0; k < sizeof(held) / sizeof(held[0]); k++)
		sigaddset(&set, held[k]);
	(void)sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
	guardctl_job_control(hold);
}

/* guardctl's own program in our place, with the arguments as given and of
 * the environment only what it reads (TERM, already checked). */
static int run_program(char **argv, const char *term)
{
	char term_var[80], *env[2] = {NULL, NULL};

	if (term && snprintf(term_var, sizeof(term_var), "TERM=%s", term) < (int)sizeof(term_var))
		env[0] = term_var;
	execve(GUARDCTL_PROGRAM, argv, env);
	guardctl_error("cannot run " GUARDCTL_PROGRAM ": %s", strerror(errno));
	return EXIT_USAGE;
}

/* The same, with the ids the caller started us with. */
static int program_as_called(char **argv, const char *term, uid_t uid, gid_t rgid, gid_t egid,
			     gid_t sgid)
{
	hold_signals(false);
	if (setresgid(rgid, egid, sgid) < 0 || setresuid(uid, 0, 0) < 0) {
		guardctl_error("cannot restore the caller's ids: %s", strerror(errno));
		return EXIT_USAGE;
	}
	return run_program(argv, term);
}

/* Sends one message before deadline. Returns 0, or -errno. */
static int ask(int fd, const struct guard_wire_request *req, int64_t deadline)
{
	uint8_t *msg = NULL;
	size_t len;
	int r = guard_wire_encode_request(req, &msg, &len);

	if (r == 0)
		r = guard_channel_send(fd, msg, len, deadline);
	free(msg);
	return r;
}

/* Reads the answer before deadline. Returns 0, or -errno. */
static int answer(int fd, int64_t deadline, struct guard_wire_answer *ans)
{
	uint8_t *in = NULL;
	size_t in_len;
	int r = guard_channel_recv_answer(fd, GUARD_WIRE_MAX_BODY, deadline, &in, &in_len);

	if (r == 0)
		r = guard_wire_decode_answer(in, in_len, ans);
	free(in);
	return r;
}

/* Sends one message and reads the answer before deadline. Returns 0, or
 * -errno; *sent says whether the service has the whole request. */
static int exchange(int fd, const struct guard_wire_request *req, int timeout_ms, bool *sent,
		    struct guard_wire_answer *ans)
{
	int64_t deadline = guard_channel_now_ms() + timeout_ms;
	int r = ask(fd, req, deadline);

	*sent = r == 0;
	if (r == 0)
		r = answer(fd, deadline, ans);
	return r;
}

/* A refusal of the front's own (the service failed to decide) with the
 * way forward, in the guidance's form. */
static void refuse(const char *what, const char *next)
{
	guardctl_error("refused: %s", what);
	fprintf(stderr, "  %-10s %s\n", "next:", next);
}

/* What follows a refusal the service's failure caused: nothing ran. */
#define NEXT_SERVICE                                                                               \
	"nothing ran; run the command again (a limit may count this try); if it is "               \
	"refused again, root finds why in guard-decided's journal (journalctl -u "                 \
	"guard-decided)"

static void say(const char *text)
{
	if (text)
		(void)fputs(text, stderr);
}

/* Sends the answer's events. Returns 0, or -errno when audit is required
 * and a record was not written (why says what). */
static int send_events(const struct guard_wire_answer *ans, char *why, size_t size)
{
	bool required = (ans->run_flags & GUARD_WIRE_RUN_AUDIT_REQUIRED) != 0;
	int r = 0;

	why[0] = '\0';
	if (ans->events)
		r = front_send_events(ans->events, ans->events_len, why, size);
	if (r == 0 && (ans->run_flags & GUARD_WIRE_RUN_EVENTS_LOST)) {
		snprintf(why, size, "records were lost before they could be sent");
		r = -ENOBUFS;
	}
	return required ? r : 0;
}

/* Sends the records of the tool's end; a failure is a warning (it ran). */
static void end_records(const char *command, int status, const uint8_t *events, size_t len)
{
	char why[300];

	if (front_send_events(events, len, why, sizeof(why)) < 0)
		guardctl_error("warning: the end of %s (exit %d) could not be recorded: %s",
			       command, guardctl_exit_status(status), why);
}

/* Runs what the service allowed and tells it how the tool ended. */
static int run_allowed(int fd, uid_t uid, const char *term, const struct guard_wire_answer *ans)
{
	struct guard_wire_request end = {.stage = GUARD_STAGE_GUARDCTL_END,
					 .ruid = (uint32_t)uid,
					 .host_pid = (uint32_t)getpid()};
	struct guard_wire_answer done = {0};
	struct guardctl_exec x = {
	    .path = ans->command,
	    .argv = ans->argv,
	    .caller = ans->log,
	    .term = term,
	    .interactive = (ans->run_flags & GUARD_WIRE_RUN_INTERACTIVE) != 0,
	};
	int r, status = 0;

	if (!ans->command || ans->command[0] != '/' || !ans->argv || ans->argc == 0 || !ans->log) {
		refuse("the decision service's answer names no command to run", NEXT_SERVICE);
		return EXIT_USAGE;
	}
	/* Out of the caller's working directory, as guardctl runs a tool
	 * (not before: a subcommand's relative paths are the program's). */
	if (chdir("/") < 0) {
		guardctl_error("cannot change to /: %s", strerror(errno));
		return EXIT_USAGE;
	}
	/* The decision is made and recorded: the caller may signal us again
	 * (Ctrl-C, SIGTERM are forwarded to the tool) until its end is told,
	 * with every uid 0 again. The gids stay 0, as in guardctl's own
	 * program, which took them for the store. */
	if (setresuid(uid, 0, 0) < 0) {
		guardctl_error("cannot restore the caller's real uid: %s", strerror(errno));
		return EXIT_USAGE;
	}
	hold_signals(false);
	r = guardctl_exec(&x, &status);
	if (r < 0) {
		guardctl_error("cannot run %s: %s", ans->command, strerror(-r));
		return EXIT_USAGE;
	}
	hold_signals(true);
	if (setresuid(0, 0, 0) < 0)
		r = -errno;
	else
		end.wait_status = (uint32_t)status;
	if (r == 0) {
		int64_t deadline = guard_channel_now_ms() + END_MS;
		bool ahead = status == 0 && ans->end_events;

		end.flags = ahead ? GUARD_WIRE_F_END_SENT : 0;
		r = ask(fd, &end, deadline);
		/* Records given ahead are sent while the service stores the
		 * status; any other end's come with its answer. */
		if (ahead)
			end_records(ans->command, status, ans->end_events, ans->end_events_len);
		if (r == 0)
			r = answer(fd, deadline, &done);
	}
	if (r == 0 && done.events)
		end_records(ans->command, status, done.events, done.events_len);
	if (r < 0)
		guardctl_error("warning: the exit status could not be stored: %s",
			       r == -ETIMEDOUT ? "the decision service did not answer"
					       : strerror(-r));
	say(done.guidance);
	guard_wire_answer_clear(&done);
	return guardctl_exit_status(status);
}

int main(int argc, char **argv)
{
	struct guard_wire_request req = {.stage = GUARD_STAGE_GUARDCTL};
	struct guard_wire_answer ans = {0};
	const char *reason = NULL;
	char *term;
	uid_t uid;
	gid_t rgid, egid, sgid;
	bool sent;
	int i = 1, fd, r, rc;

	/* 1-4. argv (pwnkit), fds 0-2, core dumps and ptrace, signals
	 *      (process_start.c). SIGPIPE ignored besides: the service may go
	 *      away (every send says MSG_NOSIGNAL too). */
	if (guardctl_process_start(argc, argv) < 0)
		return EXIT_USAGE;
	(void)signal(SIGPIPE, SIG_IGN);
	/* The front needs none of the caller's fds, and a process full of
	 * them could not open the sockets that send the decision's records:
	 * closed, not only close-on-exec. */
	(void)close_range(3, ~0U, 0);

	/* 5. The caller's environment ends here but for a sane TERM. */
	term = guardctl_sane_term(getenv("TERM"));
	if (clearenv() != 0) {
		guardctl_error("cannot clear the environment");
		return EXIT_USAGE;
	}
	umask(077);

	/* 6. Only a guarded command with at most --reason before it is
	 *    asked of the service; all else is guardctl's own program's. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc && !reason) {
			size_t n = strnlen(argv[i + 1], GUARDCTL_MAX_REASON + 1);

			if (n == 0 || n > GUARDCTL_MAX_REASON)
				return run_program(argv, term);
			reason = argv[++i];
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			return run_program(argv, term);
		}
	}
	if (i >= argc || geteuid() != 0 || guardctl_limits_reset() < 0)
		return run_program(argv, term);

	/* 7. Who calls: the real uid. Then every id 0, so that the caller
	 *    cannot stop or kill us while we hold a slot of the service or
	 *    its decision's records; and the signals a terminal sends
	 *    whatever our ids held (^C, ^Z, a hang-up), until the records
	 *    are sent. Given back for guardctl's own program. */
	uid = getuid();
	if (getresgid(&rgid, &egid, &sgid) < 0 || setresgid(0, 0, 0) < 0 ||
	    setresuid(0, 0, 0) < 0) {
		guardctl_error("cannot become root in every id: %s", strerror(errno));
		return EXIT_USAGE;
	}
	hold_signals(true);

	/* 8. The service, if one of root's listens: until it has the whole
	 *    request nothing is decided, and guardctl's own program may. */
	fd = guard_ask_connect();
	if (fd < 0)
		return program_as_called(argv, term, uid, rgid, egid, sgid);
	req.ruid = (uint32_t)uid;
	req.host_pid = (uint32_t)getpid();
	req.argv = argv + i;
	req.argc = (size_t)(argc - i);
	req.reason = (char *)reason;
	r = exchange(fd, &req, DECIDE_MS, &sent, &ans);
	if (r < 0 && !sent) {
		close(fd);
		return program_as_called(argv, term, uid, rgid, egid, sgid);
	}
	/* 9. Once sent, the service's answer is the only one: the decision
	 *    may have been spent. */
	if (r < 0) {
		refuse(r == -ETIMEDOUT ? "the decision service did not answer in time"
				       : "the decision service ended without an answer",
		       NEXT_SERVICE);
		rc = EXIT_USAGE;
	} else if (ans.result == GUARD_RESULT_IGNORE) {
		close(fd);
		guard_wire_answer_clear(&ans);
		return program_as_called(argv, term, uid, rgid, egid, sgid);
	} else if (ans.result == GUARD_RESULT_ALLOW) {
		char why[300];

		/* The records first: stderr may be a pipe nobody reads. */
		r = send_events(&ans, why, sizeof(why));
		say(ans.guidance);
		if (r < 0) {
			/* Spent, but not run: the ledger has no exit status. */
			char what[400];

			snprintf(what, sizeof(what), "the decision could not be recorded: %s", why);
			/* Records the service made badly or lost are its to
			 * explain; one the kernel did not take, auditd's. */
			refuse(what,
			       r == -EINVAL || r == -EBADMSG || r == -ENOBUFS
				   ? "nothing ran; the policy requires its audit records: root "
				     "finds why they were not made in guard-decided's journal "
				     "(journalctl -u guard-decided), then run the command again"
				   : "nothing ran; the policy requires its audit records: root "
				     "checks auditd (auditctl -s), then run the command again");
			rc = EXIT_USAGE;
		} else {
			rc = run_allowed(fd, uid, term, &ans);
		}
	} else {
		char why[300];

		(void)send_events(&ans, why, sizeof(why));
		if (ans.guidance)
			say(ans.guidance);
		else
			refuse("the decision service could not decide (the system log says why)",
			       NEXT_SERVICE);
		rc = ans.exit_code ? (int)ans.exit_code : EXIT_USAGE;
	}
	guard_wire_answer_clear(&ans);
	close(fd);
	free(term);
	return rc;
}
