/* guardctl's subcommands: one table of name, handler, synopsis and help,
 * from which main() dispatches, `--help` and `help SUBCOMMAND` print, and
 * guardctl(8) is checked (tests/integration/test_man.sh). */
#include <stdio.h>
#include <string.h>

#include "guardctl.h"

static int cmd_help(struct guardctl *ctx, int argc, char **argv);

static const struct guardctl_command commands[] = {
    {"help", cmd_help, "guardctl help [SUBCOMMAND]",
     "Shows the usage of guardctl, or of one SUBCOMMAND (as SUBCOMMAND --help does).\n"},
    {"check", cmd_check, "guardctl check [--pam-dir DIR] [FILE]",
     "Validates the policy (or FILE and the guard.d directory next to it): syntax,\n"
     "semantics, rules that can never decide, names unknown on this system, and\n"
     "PAM stacks (in /etc/pam.d or DIR) that load pam_guard for a service the\n"
     "policy does not map, or never load it for one it maps.\n"
     "Prints file:line: error|warning: ... on stderr. Exit 0 with only warnings,\n"
     "2 on any error. A caller other than root reads FILE with their own\n"
     "privileges; FILE must still be root's and not writable by others.\n"},
    {"explain", cmd_explain,
     "guardctl explain [--as USER] [--at TIME] [--from ADDR] [--tty TTY] [--service NAME] "
     "[--json] COMMAND [ARGS...]\n"
     "       guardctl explain [--as USER] [--at TIME] [--from ADDR] [--tty TTY] [--json] "
     "--service NAME [--target USER]",
     "Shows what the policy decides for COMMAND, with the full guidance, without\n"
     "running anything. --at takes \"YYYY-MM-DD HH:MM[:SS]\" or ISO 8601 (local time\n"
     "in the policy's time zone unless an offset is given). --from takes an\n"
     "address or \"local\"; --tty a terminal (pts/3) for tty: items. --as another\n"
     "user is root's. With --service NAME and no COMMAND: the decision pam_guard\n"
     "would make for the PAM service NAME, the caller (or --as) becoming --target\n"
     "USER (default root).\n"},
    {"request", cmd_request,
     "guardctl request [--reason TEXT] COMMAND [ARGS...]\n"
     "       guardctl request [--reason TEXT] --service NAME [--target USER]",
     "Asks for approval of COMMAND in advance; with --service, of USER (default\n"
     "root) through the PAM service NAME (su, sudo, ...): once approved, that su or\n"
     "sudo goes through once.\n"},
    {"run", cmd_run, "guardctl run ID", "Runs an approved request.\n"},
    {"list", cmd_list, "guardctl list [--all] [--json]",
     "Lists pending requests (approvers see all, others their own); --all adds\n"
     "decided ones (root and admins see everyone's, others their own).\n"},
    {"approve", cmd_approve,
     "guardctl approve ID\n"
     "       guardctl approve --sign KEY TOKENFILE\n"
     "       guardctl approve --signature SIGFILE ID",
     "Approves a pending request. --sign: on any machine, with no privilege, shows\n"
     "a request's token (guardctl list --json) and signs it with an SSH key.\n"
     "--signature: on the requester's host, by anyone: counts a signature of the\n"
     "policy's approver_keys as its signer's approval.\n"},
    {"deny", cmd_deny, "guardctl deny ID [--comment TEXT]", "Denies a pending request.\n"},
    {"unlock", cmd_unlock, "guardctl unlock USER",
     "Lifts a watch lockout (root or admins; never one's own).\n"},
    {"break-glass", cmd_break_glass, "guardctl break-glass --reason TEXT [--for DURATION]",
     "Passes every check but deny rules for a short time; every use alerts.\n"},
    {"freeze", cmd_freeze, "guardctl freeze --reason TEXT [--for DURATION]",
     "Denies every guarded action until thawed (root or admins; root's freeze is\n"
     "thawed or replaced by root alone).\n"},
    {"thaw", cmd_thaw, "guardctl thaw", "Ends a freeze (root or admins; root's: root).\n"},
    {"status", cmd_status, "guardctl status",
     "Shows freeze, break-glass and lockouts (others' to root and admins).\n"},
    {"verify", cmd_verify, "guardctl verify [--init] [--json]",
     "Reports every change to /etc/passwd, group, shadow and gshadow since the last\n"
     "verify that no Guard decision explains (an account or group added, removed or\n"
     "renamed; uid, gid, home, shell; members; a password set, emptied, locked or\n"
     "unlocked), each once, as an audit ANOM_* record and a journal alert, then\n"
     "records the current state. --init records the first state. Root's alone.\n"
     "Exit 0 nothing unexplained, 1 some, 2 an error.\n"},
    {"report", cmd_report,
     "guardctl report [--since TIME] [--until TIME] [--format text|json|html] [-o FILE]",
     "Summarises the period (default: the last 24h) for the SOC: decisions by action,\n"
     "rule, actor and outcome; refusals with their reasons; approvals and how long\n"
     "they took; break-glass, freezes, lockouts; the changes verify found made\n"
     "around Guard. --format json: one JSON object per line (ECS field names, the\n"
     "OCSF class); html: one self-contained page with charts. -o FILE: a new file,\n"
     "written with your own rights. Root's and admins'.\n"},
    {"history", cmd_history, "guardctl history [--since TIME] [--actor USER] [--json]",
     "Shows past decisions (root and admins see all; others their own).\n"},
};

void guardctl_usage(FILE *out)
{
	fputs("usage: guardctl [--config FILE] [--reason TEXT] COMMAND [ARGS...]\n", out);
	for (size_t i = 1; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "       %s\n", commands[i].synopsis);
	fputs("       guardctl --version | --help | help SUBCOMMAND | SUBCOMMAND --help\n", out);
}

int guardctl_help(const char *subcommand)
{
	if (!subcommand) {
		guardctl_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, subcommand) == 0) {
			guardctl_command_help(&commands[i], stdout);
			return 0;
		}
	char q[128];

	guardctl_error("no help for \"%s\"", guard_escape(subcommand, q, sizeof(q)));
	guardctl_usage(stderr);
	return EXIT_USAGE;
}

static int cmd_help(struct guardctl *ctx, int argc, char **argv)
{
	(void)ctx;
	return guardctl_help(argc > 1 ? argv[1] : NULL);
}

const struct guardctl_command *guardctl_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}
