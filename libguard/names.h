/* User and group names, checked with the shadow tools' own rules before
 * anything else looks at them. */
#ifndef GUARD_NAMES_H
#define GUARD_NAMES_H

#include <stdbool.h>

/* Returns true when name matches [a-z_][a-z0-9_-]*[$]? in at most 32 bytes:
 * a subset of what Debian's shadow (chkname.c, without --badname) and
 * adduser accept. So "", "-ou0", "--badname", ".", "..", "../x", "root ",
 * "a:b", "a,b", all-digit names, control characters and bytes >= 0x80 are
 * never names. Uppercase is refused too, though useradd takes it: "ROOT"
 * must not pass for a name distinct from "root" in a policy or a message. */
bool guard_name_is_valid(const char *name);

#endif
