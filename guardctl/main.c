/* guardctl: the setuid-root command guard. main() reads top to bottom as
 * the privilege timeline: nothing from the caller reaches a decision but
 * the real uid the kernel reports and the arguments, treated as hostile. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "guardctl.h"

/* The program name is a constant: argv[0] is the caller's to choose. */
#define PROGNAME "guardctl"

void guardctl_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROGNAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* fds 0-2 closed by the caller would otherwise be reused by the first file
 * we open, and a write meant for stderr would land in it. */
static void fix_standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);

		if (nfd != fd)
			_exit(127);
	}
}

/* TERM is the one value from the caller's environment a child may see,
 * and only when it is a plain terminal name. */
static char *sane_term(const char *term)
{
	size_t n;

	if (!term)
		return NULL;
	n = strlen(term);
	if (n == 0 || n > 64)
		return NULL;
	for (const char *c = term; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("+-._", *c)))
			return NULL;
	return strdup(term);
}

static char *name_of_uid(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	errno = 0;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res || !res->pw_name)
		return NULL;
	return strdup(res->pw_name);
}

struct guard_policy *guardctl_load_policy(const struct guardctl *ctx, const char *path,
					  bool owner_checks)
{
	struct guard_load_options opts = {
	    .path = path ? path : ctx->config,
	    .skip_owner_checks = !owner_checks,
	};
	struct guard_policy *policy = NULL;
	struct guard_error err = {0};

	if (guard_policy_load(&opts, &policy, &err) < 0) {
		/* The same file:line: form as every compiler and `check`. */
		if (err.file[0] && err.line)
			fprintf(stderr, "%s:%u: error: %s\n", err.file, err.line, err.message);
		else if (err.file[0])
			fprintf(stderr, "%s: error: %s\n", err.file, err.message);
		else
			guardctl_error("error: %s", err.message);
		return NULL;
	}
	return policy;
}

static const char *const later[] = {
    "request",	   "run",    "list", "approve", "deny",	   "unlock",
    "break-glass", "freeze", "thaw", "status",	"history",
};

int main(int argc, char **argv)
{
	struct guardctl ctx = {0};
	char q[256];
	struct rlimit no_core = {0, 0};
	int i = 1;

	/* 1. No argv at all (pwnkit): nothing to trust, not even argv[0]. */
	if (argc < 1 || !argv || !argv[0])
		_exit(127);

	/* 2. Standard fds open, core dumps and ptrace by the caller off: a
	 *    setuid process's memory holds the policy and soon secrets. */
	fix_standard_fds();
	if (prctl(PR_SET_DUMPABLE, 0) < 0 || setrlimit(RLIMIT_CORE, &no_core) < 0) {
		guardctl_error("cannot disable core dumps: %s", strerror(errno));
		return EXIT_USAGE;
	}

	/* 3. The caller's environment ends here: keep a sane TERM, drop the
	 *    rest (LD_*, TZ, GCONV_PATH, ... never reach us or a child). */
	ctx.saved_term = sane_term(getenv("TERM"));
	if (clearenv() != 0) {
		guardctl_error("cannot clear the environment");
		return EXIT_USAGE;
	}
	umask(077);

	/* 4. Who calls: the real uid, never $USER or getlogin(). */
	ctx.uid = getuid();
	ctx.gid = getgid();
	ctx.user = name_of_uid(ctx.uid);
	if (!ctx.user) {
		guardctl_error("cannot identify the calling user (uid %u)", (unsigned)ctx.uid);
		return EXIT_USAGE;
	}

	/* 5. Global options. */
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
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			guardctl_error("unknown option \"%s\"", argv[i]);
			guardctl_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		guardctl_usage(stderr);
		return EXIT_USAGE;
	}

	/* 6. Subcommands. */
	if (strcmp(argv[i], "help") == 0)
		return guardctl_help(i + 1 < argc ? argv[i + 1] : NULL);
	if (strcmp(argv[i], "check") == 0)
		return cmd_check(&ctx, argc - i, argv + i);
	if (strcmp(argv[i], "explain") == 0)
		return cmd_explain(&ctx, argc - i, argv + i);
	for (size_t k = 0; k < sizeof(later) / sizeof(later[0]); k++)
		if (strcmp(argv[i], later[k]) == 0) {
			guardctl_error("\"%s\" is not available in this version of guardctl",
				       later[k]);
			return EXIT_USAGE;
		}

	/* 7. A guarded command. */
	if (guard_builtin_path(argv[i])) {
		guardctl_error(
		    "running guarded commands is not available in this version of "
		    "guardctl; see what the policy decides with: guardctl explain %s ...",
		    argv[i]);
		return EXIT_USAGE;
	}
	guardctl_error("\"%s\" is neither a guardctl subcommand nor a command the policy guards",
		       guard_escape(argv[i], q, sizeof(q)));
	guardctl_usage(stderr);
	/* fail safe */
	return EXIT_USAGE;
}
