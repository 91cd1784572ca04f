/* guardctl's usage and help texts. */
#include <stdio.h>
#include <string.h>

#include "guardctl.h"

static const struct {
	const char *name;
	const char *synopsis;
	const char *text;
} help[] = {
    {"check", "guardctl check [FILE]",
     "Validates the policy (or FILE and the guard.d directory next to it): syntax,\n"
     "semantics, rules that can never decide, names unknown on this system.\n"
     "Prints file:line: error|warning: ... on stderr. Exit 0 with only warnings,\n"
     "2 on any error. A caller other than root reads FILE with their own\n"
     "privileges; FILE must still be root's and not writable by others.\n"},
    {"explain",
     "guardctl explain [--as USER] [--at TIME] [--from ADDR] [--service NAME] [--json] "
     "COMMAND [ARGS...]",
     "Shows what the policy decides for COMMAND, with the full guidance, without\n"
     "running anything. --at takes \"YYYY-MM-DD HH:MM[:SS]\" or ISO 8601 (local time\n"
     "in the policy's time zone unless an offset is given). --from takes an\n"
     "address or \"local\". --as another user is root's.\n"},
    {"request", "guardctl request [--reason TEXT] COMMAND [ARGS...]",
     "Asks for approval of COMMAND in advance.\n"},
    {"run", "guardctl run ID", "Runs an approved request.\n"},
    {"list", "guardctl list [--all] [--json]",
     "Lists pending requests (approvers see all, others their own); --all adds\n"
     "decided ones (root and admins see everyone's, others their own).\n"},
    {"approve", "guardctl approve ID", "Approves a pending request.\n"},
    {"deny", "guardctl deny ID [--comment TEXT]", "Denies a pending request.\n"},
    {"unlock", "guardctl unlock USER",
     "Lifts a watch lockout (root or admins; never one's own).\n"},
    {"break-glass", "guardctl break-glass --reason TEXT [--for DURATION]",
     "Passes every check but deny rules for a short time; every use alerts.\n"},
    {"freeze", "guardctl freeze --reason TEXT [--for DURATION]",
     "Denies every guarded action until thawed (root or admins; root's freeze is\n"
     "thawed or replaced by root alone).\n"},
    {"thaw", "guardctl thaw", "Ends a freeze (root or admins; root's: root).\n"},
    {"status", "guardctl status",
     "Shows freeze, break-glass and lockouts (others' to root and admins).\n"},
    {"history", "guardctl history [--since TIME] [--actor USER] [--json]",
     "Shows past decisions (root and admins see all; others their own).\n"},
};

void guardctl_usage(FILE *out)
{
	fputs("usage: guardctl [--config FILE] [--reason TEXT] COMMAND [ARGS...]\n", out);
	for (size_t i = 0; i < sizeof(help) / sizeof(help[0]); i++)
		fprintf(out, "       %s\n", help[i].synopsis);
	fputs("       guardctl --version | --help | help SUBCOMMAND\n", out);
}

int guardctl_help(const char *subcommand)
{
	if (!subcommand) {
		guardctl_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(help) / sizeof(help[0]); i++)
		if (strcmp(help[i].name, subcommand) == 0) {
			printf("usage: %s\n\n%s", help[i].synopsis, help[i].text);
			return 0;
		}
	char q[128];

	guardctl_error("no help for \"%s\"", guard_escape(subcommand, q, sizeof(q)));
	guardctl_usage(stderr);
	return EXIT_USAGE;
}
