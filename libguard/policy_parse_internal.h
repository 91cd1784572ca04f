/* Shared by the policy parser's files: policy_parse.c (libconfuse, its
 * option tables and callbacks, the file in chunks), policy_parse_values.c
 * (what each value may be) and policy_parse_copy.c (the parsed file into
 * the policy). Internal to libguard. */
#ifndef GUARD_POLICY_PARSE_INTERNAL_H
#define GUARD_POLICY_PARSE_INTERNAL_H

#include <confuse.h>
#include <stddef.h>

#include "policy.h"
#include "policy_scan.h"

#define PARSE_MAX_APPROVALS 16

/* Checks one value of option, in the block named section, as libconfuse
 * reads it. Returns 0, or -EINVAL with the message in msg. */
int guard_policy_check_value(const char *section, const char *option, const char *v, char *msg,
			     size_t size);

/* Copies a file libconfuse has read (its values checked) into p; base
 * counts the blocks of each kind before this chunk, for their lines in
 * scan. Returns 0 or -errno, with err filled but for -ENOMEM (the caller
 * words that one). */
int guard_policy_copy_file(struct guard_policy *p, cfg_t *cfg, const char *file,
			   const struct guard_scan *scan, const size_t base[GUARD_SECTION_COUNT],
			   struct guard_error *err);

#endif
