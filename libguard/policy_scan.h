/* A first pass over a policy file's text: limits, refused bytes, and the
 * lines of section headers that libconfuse does not keep. */
#ifndef GUARD_POLICY_SCAN_H
#define GUARD_POLICY_SCAN_H

#include <stddef.h>

#include "policy.h"

enum guard_section {
	GUARD_SECTION_SETTINGS,
	GUARD_SECTION_RULE,
	GUARD_SECTION_WATCH,
	GUARD_SECTION_SERVICE,
	GUARD_SECTION_COMMAND,
	GUARD_SECTION_COUNT
};

struct guard_scan_block {
	size_t offset; /* of the block's keyword: where the text may be cut */
	unsigned line;
	enum guard_section kind;
};

struct guard_scan {
	unsigned *lines[GUARD_SECTION_COUNT]; /* header line of each block, in order */
	size_t n[GUARD_SECTION_COUNT];
	size_t cap[GUARD_SECTION_COUNT];
	struct guard_scan_block *blocks; /* every top-level block, in order */
	size_t n_blocks;
	/* The text with every comment blanked out (newlines kept), for
	 * libconfuse: its comment handling miscounts lines. NUL-terminated. */
	char *clean;
};

/* Checks the limits (GUARD_POLICY_MAX_*), refuses NUL bytes and "${", and
 * options set twice with "=" in one block; records the line of every
 * top-level block, and blanks comments in ret->clean. Returns 0, or -EINVAL/-EFBIG/-ENOMEM with err
 * at the offending line. */
int guard_scan_text(const char *file, const char *text, size_t len, struct guard_scan *ret,
		    struct guard_error *err);

/* The header line of the index-th block of that kind, 0 when unknown. */
unsigned guard_scan_line(const struct guard_scan *s, enum guard_section kind, size_t index);

void guard_scan_clear(struct guard_scan *s);

#endif
