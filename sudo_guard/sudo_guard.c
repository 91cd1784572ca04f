/* sudo_guard.so: Guard's sudo approval plugin (sudo_plugin(5)), loaded by
 *
 *   Plugin guard_approval /usr/libexec/guard/sudo_guard.so [config=FILE] [monitor] [debug]
 *
 * in /etc/sudo.conf. sudo calls check() after sudoers accepted a command
 * and before it runs it (not for -l, -v, -k, which run nothing). Thin on
 * purpose, like pam_guard.so: it reads what sudo says (the caller's uid and
 * terminal from user_info; the command's resolved path, run-as ids and
 * groups from command_info; run_argv) and hands it to the root-only helper
 * in a short-lived child (pam_guard/child.c), which loads the policy,
 * decides, records and answers. The policy parser, the store and the event
 * sinks never live in sudo's process, and nothing the caller can signal
 * holds the store's lock. Of run_envp only one thing is passed on: the
 * name of a variable a guarded tool may not run with (what `sudo -E` or
 * `sudo VAR=value` adds would change the tool after Guard classified it);
 * no value reaches the decision. Anything that goes wrong refuses. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sudo_plugin.h>

#include "ask.h"
#include "info.h"
#include "wire.h"

#ifndef GUARD_PAM_HELPER
#define GUARD_PAM_HELPER "/usr/local/libexec/guard/guard-pam-helper"
#endif
#ifndef GUARD_VERSION
#define GUARD_VERSION "unknown"
#endif
#define SUDO_GUARD_TIMEOUT_MS 5000

#define GUIDANCE_NO_DECISION "guard: refused: no decision could be made (the system log says why)."

/* What open() learnt, for check(). */
static struct {
	sudo_printf_t print;
	bool opened;
	const char *error; /* set: every check() refuses with it */
	struct sudo_guard_options options;
	char **options_copy;
	uint32_t uid;
	char *tty, *cwd;
} st;

static void tell(int type, const char *text)
{
	if (st.print && text && text[0])
		(void)st.print(type, "%s\n", text);
}

static char **strv_dup(char *const v[])
{
	size_t n = 0;
	char **c;

	while (v && v[n])
		n++;
	c = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; c && i < n; i++)
		if (!(c[i] = strdup(v[i]))) {
			while (i > 0)
				free(c[--i]);
			free(c);
			return NULL;
		}
	return c;
}

static void state_clear(void)
{
	for (size_t i = 0; st.options_copy && st.options_copy[i]; i++)
		free(st.options_copy[i]);
	free(st.options_copy);
	free(st.tty);
	free(st.cwd);
	memset(&st, 0, sizeof(st));
}

static int guard_open(unsigned int version, sudo_conv_t conversation, sudo_printf_t sudo_printf,
		      char *const settings[], char *const user_info[], int submit_optind,
		      char *const submit_argv[], char *const submit_envp[],
		      char *const plugin_options[], const char **errstr)
{
	struct sudo_guard_user user;
	const char *why = NULL;

	(void)conversation, (void)settings, (void)submit_optind, (void)submit_argv;
	(void)submit_envp;
	state_clear();
	st.print = sudo_printf;
	st.opened = true;
	if (SUDO_API_VERSION_GET_MAJOR(version) != SUDO_API_VERSION_MAJOR) {
		*errstr = "sudo_guard: incompatible sudo plugin API version";
		return -1;
	}
	/* A problem here refuses every command in check(): `sudo -l` and
	 * friends keep working, so that the administrator can look. */
	st.options_copy = strv_dup(plugin_options);
	if (!st.options_copy) {
		st.error = "sudo_guard: out of memory";
		return 1;
	}
	if (sudo_guard_parse_options(st.options_copy, &st.options, &why) < 0) {
		st.error = "sudo_guard: unknown argument in sudo.conf (config=/ABSOLUTE/PATH, "
			   "monitor, debug)";
		return 1;
	}
	if (sudo_guard_parse_user_info(user_info, &user, &why) < 0) {
		st.error = "sudo_guard: sudo did not say who the caller is";
		return 1;
	}
	st.uid = user.uid;
	if ((user.tty && !(st.tty = strdup(user.tty))) ||
	    (user.cwd && !(st.cwd = strdup(user.cwd))))
		st.error = "sudo_guard: out of memory";
	return 1;
}

static void guard_close(void)
{
	state_clear();
}

/* Asks the helper. Returns sudo's answer: 1 run it, 0 refused. */
static int ask_helper(const struct guard_wire_request *req, const char **errstr)
{
	struct guard_wire_answer ans = {0};
	uint8_t *msg = NULL, *buf = NULL;
	size_t msg_len = 0, len = 0;
	char err[512] = "";
	int r, rc = 0;

	r = guard_wire_encode_request(req, &msg, &msg_len);
	if (r < 0) {
		tell(SUDO_CONV_ERROR_MSG, r == -E2BIG
					      ? "guard: refused: the command line is too long "
						"for a decision."
					      : GUIDANCE_NO_DECISION);
		*errstr = "sudo_guard: the request cannot be encoded";
		goto out;
	}
	r = guard_ask(GUARD_PAM_HELPER, msg, msg_len, GUARD_WIRE_MAX_ANSWER, SUDO_GUARD_TIMEOUT_MS,
		      &buf, &len, err, sizeof(err));
	if (r == 0 && guard_wire_decode_answer(buf, len, &ans) < 0)
		r = -EBADMSG;
	if (r < 0) {
		tell(SUDO_CONV_ERROR_MSG, GUIDANCE_NO_DECISION);
		if (st.options.debug && err[0])
			tell(SUDO_CONV_ERROR_MSG, err);
		*errstr = "sudo_guard: no decision (helper failed or timed out)";
		goto out;
	}
	switch (ans.result) {
	case GUARD_RESULT_ALLOW:
	case GUARD_RESULT_IGNORE:
		/* On stderr: the command's stdout may be a pipe. */
		tell(SUDO_CONV_ERROR_MSG, ans.guidance);
		rc = 1;
		break;
	case GUARD_RESULT_DENY:
		tell(SUDO_CONV_ERROR_MSG, ans.guidance);
		*errstr = "sudo_guard: refused by the Guard policy";
		break;
	default:
		tell(SUDO_CONV_ERROR_MSG, ans.guidance ? ans.guidance : GUIDANCE_NO_DECISION);
		*errstr = "sudo_guard: no decision";
		break;
	}
	if (st.options.debug && ans.log)
		tell(SUDO_CONV_ERROR_MSG, ans.log);
out:
	guard_wire_answer_clear(&ans);
	free(buf);
	free(msg);
	return rc;
}

static int guard_check(char *const command_info[], char *const run_argv[], char *const run_envp[],
		       const char **errstr)
{
	struct guard_wire_request req = {0};
	struct sudo_guard_command cmd;
	const char *why = NULL;
	size_t argc = 0;
	char env_name[128], *in_root = NULL;
	int rc;

	if (!st.opened || st.error) {
		*errstr = st.error ? st.error : "sudo_guard: not opened";
		tell(SUDO_CONV_ERROR_MSG, "guard: refused: the sudo_guard plugin is not set up "
					  "(sudo.conf or sudo itself).");
		tell(SUDO_CONV_ERROR_MSG, *errstr);
		return 0;
	}
	if (sudo_guard_parse_command_info(command_info, &cmd, &why) < 0) {
		*errstr = "sudo_guard: command_info cannot be read";
		tell(SUDO_CONV_ERROR_MSG,
		     "guard: refused: sudo's description of the command cannot "
		     "be read.");
		tell(SUDO_CONV_ERROR_MSG, why);
		return 0;
	}
	while (run_argv && run_argv[argc])
		argc++;
	if (argc == 0) {
		*errstr = "sudo_guard: no command";
		tell(SUDO_CONV_ERROR_MSG, "guard: refused: no command.");
		return 0;
	}
	req.stage = GUARD_STAGE_SUDO;
	req.flags = st.options.monitor ? GUARD_WIRE_F_MONITOR : 0;
	req.flags |= st.options.debug ? GUARD_WIRE_F_DEBUG : 0;
	req.ruid = st.uid;
	req.host_pid = (uint32_t)getpid();
	req.service = (char *)"sudo";
	req.tty = st.tty;
	req.config = (char *)st.options.config;
	req.runas_uid = cmd.runas_uid;
	req.runas_gid = cmd.runas_gid;
	req.runas_groups = (char *)cmd.runas_groups;
	req.command = (char *)cmd.command;
	/* Under a chroot sudo runs the file of that name inside it, which the
	 * helper cannot resolve as the kernel will (".." stops at the jail's
	 * root, a link's target is the jail's): never a guarded tool, and the
	 * record names the jail's file. */
	if (cmd.chroot && strcmp(cmd.chroot, "/") != 0) {
		req.flags |= GUARD_WIRE_F_CHROOT;
		if (asprintf(&in_root, "%s%s", cmd.chroot, cmd.command) < 0) {
			*errstr = "sudo_guard: out of memory";
			tell(SUDO_CONV_ERROR_MSG, "guard: refused: out of memory.");
			return 0;
		}
		req.command = in_root;
	}
	req.cwd = cmd.cwd ? (char *)cmd.cwd : st.cwd;
	req.argv = (char **)run_argv;
	req.argc = argc;
	/* Only whether the tool would run with more than sudo's reset
	 * environment: that refuses a guarded tool, and decides nothing
	 * else. */
	req.env_unsafe = (char *)sudo_guard_env_unsafe(run_envp, env_name, sizeof(env_name));
	rc = ask_helper(&req, errstr);
	free(in_root);
	return rc;
}

static int guard_show_version(int verbose)
{
	(void)verbose;
	if (st.print)
		(void)st.print(SUDO_CONV_INFO_MSG, "sudo_guard approval plugin version %s\n",
			       GUARD_VERSION);
	return 1;
}

/* The one exported symbol (sudo_guard.map). */
__attribute__((visibility("default"))) struct approval_plugin guard_approval = {
    .type = SUDO_APPROVAL_PLUGIN,
    .version = SUDO_API_VERSION,
    .open = guard_open,
    .close = guard_close,
    .check = guard_check,
    .show_version = guard_show_version,
};
