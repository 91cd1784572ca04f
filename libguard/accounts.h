/* The system's account database (NSS), for the edges: who the caller is,
 * and the resolver the classifier uses. Only "no such entry" is -ENOENT;
 * every other failure is an error that refuses (a zeroed struct never
 * means root). */
#ifndef GUARD_ACCOUNTS_H
#define GUARD_ACCOUNTS_H

#include <stdint.h>
#include <sys/types.h>

#include "classify.h"
#include "request.h"

/* Fills ret with the user's name, uid and the names of all its groups.
 * Returns 0, -ENOENT, or another -errno. */
int guard_accounts_user_by_name(const char *name, struct guard_identity *ret);
int guard_accounts_user_by_uid(uid_t uid, struct guard_identity *ret);

/* The resolver over the system's database and /etc/shells. */
void guard_accounts_resolver(struct guard_resolver *ret);

#endif
