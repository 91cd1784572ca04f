/* User and group names. Debian 12's useradd (shadow 4.13 with Debian's
 * relaxed-names patch) takes almost anything without ':', ',', whitespace
 * or a leading '-': "123", "a$b", ".x" and UTF-8 all pass. Guard accepts
 * only the conservative core that upstream shadow's is_valid_user_name and
 * adduser's SYS_NAME_REGEX ("^[a-z_][-a-z0-9_]*\$?$") also accept, so a
 * name Guard lets through is one the tools would create, and a name it
 * refuses can never be read as an option, a path or a number. */
#include "names.h"

#include <string.h>

/* utmp's ut_user and Debian's GROUP_NAME_MAX_LENGTH. */
#define NAME_MAX_BYTES 32

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool guard_name_is_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strnlen(name, NAME_MAX_BYTES + 1);
	if (len == 0 || len > NAME_MAX_BYTES)
		return false;
	/* The first byte is a lowercase letter or "_": this alone refuses
	 * "-ou0", ".", "..", "../x", all-digit names and uppercase "ROOT". */
	if (!is_lower(name[0]) && name[0] != '_')
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = name[i];

		if (is_lower(c) || is_digit(c) || c == '_' || c == '-')
			continue;
		/* Samba machine accounts ("host$"), as shadow allows. */
		if (c == '$' && i == len - 1)
			continue;
		return false;
	}
	return true;
}
