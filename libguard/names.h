/* User and group names, checked with the shadow tools' own rules before
 * anything else looks at them. */
#ifndef GUARD_NAMES_H
#define GUARD_NAMES_H

#include <stdbool.h>

/* Debian's shadow (chkname.c, without --badname): [a-z_][a-z0-9_-]*[$]?,
 * at most 32 bytes; also refuses all-digit names. So "-ou0", "--badname",
 * "../x", "root " and control characters are never names. */
bool guard_name_is_valid(const char *name);

#endif
