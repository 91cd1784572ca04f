/* The account databases read from their files for verify. */
#ifndef GUARD_ACCOUNT_FILES_H
#define GUARD_ACCOUNT_FILES_H

#include "account_state.h"
#include "error.h"

struct guard_account_paths {
	const char *passwd, *group, *shadow, *gshadow;
};

/* Reads and parses the four files (NULL paths: /etc's). Returns 0 or
 * -errno with err naming the file. */
int guard_account_files_read(const struct guard_account_paths *paths,
			     const uint8_t key[GUARD_ACCOUNT_KEY_LEN],
			     struct guard_account_set *ret, struct guard_error *err);

#endif
