/* guardctl: the setuid-root command guard. main() reads top to bottom as
 * the privilege timeline: nothing from the caller reaches a decision but
 * the real uid the kernel reports and the arguments, treated as hostile. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "events.h"
#include "guardctl.h"
#include "policy_cache.h"
#include "store.h"

/* The program name is a constant: argv[0] is the caller's to choose. */
#define PROGNAME "guardctl"

/* --config FILE as an absolute path, so that it survives chdir("/"). */
static char *absolute_path(const char *path)
{
	char *cwd, *abs = NULL;

	if (path[0] == '/')
		return strdup(path);
	cwd = getcwd(NULL, 0);
	if (cwd && asprintf(&abs, "%s/%s", cwd, path) < 0)
		abs = NULL;
	free(cwd);
	return abs;
}

int main(int argc, char **argv)
{
	/* Static: what it points to is the process's until exit, not a leak. */
	static struct guardctl ctx;
	bool limits_reset;
	int i = 1;

	/* 1-4. argv, fds 0-2, core dumps and ptrace, signals: what the front
	 *      did already, again, for a process the front did not start
	 *      (process_start.c). */
	if (guardctl_process_start(argc, argv) < 0)
		return EXIT_USAGE;
	(void)atexit(guardctl_output_flush);
	/* The audit records name the program the caller ran: the setuid
	 * front (front/front.c), which this process continues. */
	guard_events_set_exe(GUARDCTL_FRONT);

	/* 5. The caller's environment ends here: keep a sane TERM, drop the
	 *    rest (LD_*, TZ, GCONV_PATH, ... never reach us or a child). */
	ctx.saved_term = guardctl_sane_term(getenv("TERM"));
	if (clearenv() != 0) {
		guardctl_error("cannot clear the environment");
		return EXIT_USAGE;
	}
	umask(077);

	/* 6. Resource limits the caller lowered (a write that fails halfway
	 *    through /etc/shadow) back to the system's. Raising them needs
	 *    root; only a guarded command requires it (step 9). */
	limits_reset = guardctl_limits_reset() == 0;

	/* 7. Who calls: the real uid, never $USER or getlogin(). */
	ctx.uid = getuid();
	ctx.gid = getgid();
	ctx.pid = getpid();
	ctx.user = guardctl_user_name(ctx.uid);
	if (!ctx.user) {
		char why[64];

		guardctl_error("cannot identify the calling user (uid %u)", (unsigned)ctx.uid);
		snprintf(why, sizeof(why), "cannot identify the calling user (uid %u)",
			 (unsigned)ctx.uid);
		guardctl_report_refusal(&ctx, NULL, NULL, i < argc ? argv[i] : NULL, why);
		return EXIT_USAGE;
	}

	/* 8. Global options. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			guardctl_usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf(PROGNAME " " GUARD_VERSION "\n");
			return 0;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			if (ctx.uid != 0) {
				guardctl_error("--config is for root only");
				return EXIT_USAGE;
			}
			ctx.config = argv[++i];
		} else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc) {
			size_t n = strnlen(argv[i + 1], GUARDCTL_MAX_REASON + 1);

			if (n == 0 || n > GUARDCTL_MAX_REASON) {
				guardctl_error("--reason needs a text of 1 to %u bytes",
					       GUARDCTL_MAX_REASON);
				return EXIT_USAGE;
			}
			ctx.reason = argv[++i];
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			char q[256];

			guardctl_error("unknown option \"%s\"",
				       guard_escape(argv[i], q, sizeof(q)));
			guardctl_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		guardctl_usage(stderr);
		return EXIT_USAGE;
	}

	/* 9. Subcommands: they run nothing. */
	const struct guardctl_command *cmd = guardctl_command(argv[i]);

	if (!cmd)
		goto guarded_command;
	if (ctx.reason) {
		guardctl_error("--reason goes with a guarded command: guardctl --reason TEXT "
			       "COMMAND [ARGS...]");
		return EXIT_USAGE;
	}
	if (i + 1 < argc && strcmp(argv[i + 1], "--help") == 0) {
		guardctl_command_help(cmd, stdout);
		return 0;
	}
	ctx.cmd = cmd;
	return cmd->fn(&ctx, argc - i, argv + i);

guarded_command:
	/* 10. A guarded command runs as root: only an installed setuid-root
	 *     guardctl can, with its limits reset. */
	if (geteuid() != 0) {
		guardctl_error("cannot run guarded commands: guardctl is not installed setuid root "
			       "(effective uid %u; install it root-owned, mode 4755)",
			       (unsigned)geteuid());
		return EXIT_USAGE;
	}
	if (!limits_reset) {
		guardctl_error(
		    "refused: the resource limits cannot be reset to safe values (a hard "
		    "limit was lowered: run it from a fresh login)");
		return EXIT_USAGE;
	}

	/* 11. Out of the caller's working directory, keeping what refers to
	 *     it. */
	if (ctx.config && !(ctx.config_abs = absolute_path(ctx.config))) {
		guardctl_error("cannot resolve --config \"%s\"", ctx.config);
		return EXIT_USAGE;
	}
	if (chdir("/") < 0) {
		guardctl_error("cannot change to /: %s", strerror(errno));
		return EXIT_USAGE;
	}

	/* 12. Decide, record, and run it or refuse: run.c. The child gets its
	 *     environment from an allowlist and is root in every id: exec.c. */
	return guardctl_run(&ctx, argc - i, argv + i);
}
