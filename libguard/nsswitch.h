/* What nsswitch.conf says of the group database, read from its text. */
#ifndef GUARD_NSSWITCH_H
#define GUARD_NSSWITCH_H

#include <stdbool.h>
#include <stddef.h>

/* Would one walk of the group database (getgrent) answer for each group
 * it lists as getgrnam does? Only when every group line of text names
 * the sources "files" or "files systemd", with no action: both list every
 * group they have, a walk visits them in the order getgrnam asks them
 * (files first: systemd does not list every record it answers for), and
 * nothing is merged. Any other source (sss, winbind and ldap list none or
 * some by default: the walk would answer from a later source), an action
 * ([SUCCESS=merge] merges members, [NOTFOUND=return] stops), no group
 * line ending in a newline (glibc's default differs between versions), a
 * line longer than 1,024 bytes or a NUL byte: false. */
bool guard_nsswitch_group_walkable(const char *text, size_t len);

#endif
