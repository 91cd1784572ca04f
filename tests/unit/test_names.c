/* User and group names: shadow's rule without --badname, stricter where
 * Debian relaxes it (docs/threat-model.md B17, B21, B22). */
#include <criterion/criterion.h>
#include <string.h>

#include "names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const valid[] = {
    "root",
    "alice",
    "bob2",
    "a",
    "_",
    "_apt",
    "systemd-network",
    "www-data",
    "x_y-z",
    "a-",
    "a_",
    "a0",
    "host$",
    "_$",
    "a-$",
    "abcdefghijklmnopqrstuvwxyz012345", /* 32 bytes */
    "abcdefghijklmnopqrstuvwxyz01234$", /* 32 bytes with the "$" */
    "_bcdefghijklmnopqrstuvwxyz012345",
};

static const char *const invalid[] = {
    "",
    "-ou0",
    "--badname",
    "-",
    "-root",
    ".",
    "..",
    ".x",
    "../x",
    "../../var/lib/guard/x",
    "a/b",
    "/root",
    "root/",
    "root ",
    " root",
    "ro ot",
    "root\t",
    "root\n",
    "root\r",
    "ro\x1bot",
    "root\x7f",
    "\x01",
    "ROOT",
    "Root",
    "rooT",
    "Alice",
    "0",
    "123",
    "1000",
    "1a",
    "0root",
    "a:b",
    "root:",
    "a,b",
    "root,",
    "a.b",
    "root.",
    "$",
    "$a",
    "a$b",
    "a$$",
    "a$ ",
    "a@b",
    "a+b",
    "+root",
    "~root",
    "a\\b",
    "a'b",
    "a\"b",
    "a*",
    "a?",
    "a=b",
    "caf\xc3\xa9",
    "\xc2\x85root",
    "root\xc2\x85",
    "\xff",
    "r\x80",
    "abcdefghijklmnopqrstuvwxyz0123456", /* 33 bytes */
    "abcdefghijklmnopqrstuvwxyz012345$", /* 33 bytes with the "$" */
};

Test(names, valid)
{
	for (size_t i = 0; i < ARRAY_SIZE(valid); i++)
		cr_expect(guard_name_is_valid(valid[i]), "\"%s\" refused", valid[i]);
}

Test(names, invalid)
{
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++)
		cr_expect(!guard_name_is_valid(invalid[i]), "invalid name #%zu accepted", i);
}

Test(names, null)
{
	cr_expect(!guard_name_is_valid(NULL));
}

/* A name is read up to its NUL: nothing after it can be smuggled, and the
 * length check never reads past 33 bytes of a long buffer. */
Test(names, embedded_nul_and_long)
{
	static const char with_nul[] = "root\0 -ou0";
	char long_name[4096];

	cr_expect(guard_name_is_valid(with_nul));
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	cr_expect(!guard_name_is_valid(long_name));
	long_name[32] = '\0';
	cr_expect(guard_name_is_valid(long_name));
	long_name[32] = 'a';
	long_name[33] = '\0';
	cr_expect(!guard_name_is_valid(long_name));
}

/* Every single byte as a one-byte name and as the second byte. */
Test(names, every_byte)
{
	for (int b = 1; b < 256; b++) {
		char one[2] = {(char)b, '\0'};
		char two[3] = {'a', (char)b, '\0'};
		bool first = (b >= 'a' && b <= 'z') || b == '_';
		bool later = first || (b >= '0' && b <= '9') || b == '-' || b == '$';

		cr_expect_eq(guard_name_is_valid(one), first, "byte 0x%02x alone", b);
		cr_expect_eq(guard_name_is_valid(two), later, "byte 0x%02x second", b);
	}
}
