/* nsswitch.conf's group line: where one walk of the group database
 * answers as getgrnam would (libguard/accounts.c reads a policy's many
 * groups in one walk only there; docs/threat-model.md C36). */
#include <criterion/criterion.h>
#include <string.h>

#include "nsswitch.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool walkable(const char *text)
{
	return guard_nsswitch_group_walkable(text, strlen(text));
}

static const char *const walkable_texts[] = {
    /* Debian 12's own */
    "passwd:         files systemd\ngroup:          files systemd\nshadow:         files\n",
    "group: files\n",
    "group:files\n",
    "group\t:\tfiles systemd\n",
    "group files systemd\n", /* the colon is optional */
    "group::files\n",
    "# group: sss\ngroup: files\n",
    "  group: files\r\n",
    "group: files\ngroup: files systemd\n",
    "groupx: sss\ngroup_y: sss\ngroup: files\n",
    "group: files\n#group: sss\n",
};

static const char *const refused_texts[] = {
    "",
    "passwd: files\n", /* no group line: glibc's default */
    "group:\n",	       /* no source */
    "group\n",
    "group: files", /* glibc skips a last line without its newline */
    "group: files\ngroup: sss",
    "group: files # sss\n", /* no comments: "#" and "sss" are sources */
    "group: # files\n",
    "group: files [SUCCESS=merge] sss\n",    /* getgrnam merges, a walk does not */
    "group: files[SUCCESS=merge] systemd\n", /* the action without a blank */
    "group: files systemd [NOTFOUND=return]\n",
    "group: systemd files\n", /* systemd first */
    "group: systemd\n",
    "group: files files\n",
    "group: sss files\n", /* sss lists none by default */
    "group sss files\n",  /* the colon is optional */
    "group: files sss\n",
    "group: files ldap\n",
    "group: files winbind\n",
    "group: compat\n",
    "group: files [NOTFOUND=return] systemd\n",
    "group: files systemd\ngroup: sss\n", /* any group line that is not */
    "group: sss\ngroup: files systemd\n",
    "group: Files\n",
    "group: filesystemd\n",
};

Test(nsswitch, files_and_systemd_alone_are_walkable)
{
	for (size_t i = 0; i < ARRAY_SIZE(walkable_texts); i++)
		cr_expect(walkable(walkable_texts[i]), "refused: %s", walkable_texts[i]);
}

Test(nsswitch, another_source_an_action_or_no_line_is_not)
{
	for (size_t i = 0; i < ARRAY_SIZE(refused_texts); i++)
		cr_expect(!walkable(refused_texts[i]), "walkable: %s", refused_texts[i]);
}

/* Only the bytes given are read, and a NUL among them is no text. */
Test(nsswitch, bounds)
{
	static const char t[] = "group: files\0 sss\n";
	char line[1200];

	cr_expect(!guard_nsswitch_group_walkable(t, sizeof(t) - 1));
	cr_expect(guard_nsswitch_group_walkable("group: files\nsss", 13));
	cr_expect(!guard_nsswitch_group_walkable("group: files sss\n", 17));
	cr_expect(!guard_nsswitch_group_walkable(NULL, 0));
	/* A line of more than 1,024 bytes is refused, not read in part. */
	memset(line, ' ', sizeof(line));
	memcpy(line, "group: files", 12);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	cr_expect(!walkable(line));
}
