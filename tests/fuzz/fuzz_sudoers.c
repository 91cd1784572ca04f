/* sudoers and doas.conf as Guard reads them (sudoers.h): any text, any
 * line lengths and bytes; the first byte picks the reader. Properties: every grant names something
 * (a non-empty name of a name kind, no blank outside what a quote may hold), every include path is
 * absolute, and a second read of the same text finds the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sudoers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guard_sudoers_scan a = {0}, b = {0};
	int (*scan)(const char *, const char *, size_t, struct guard_sudoers_scan *);
	int ra, rb;

	if (size < 1 || size > (1u << 16))
		return 0;
	scan = data[0] & 1 ? guard_doas_scan : guard_sudoers_scan;
	ra = scan("/etc/sudoers", (const char *)data + 1, size - 1, &a);
	rb = scan("/etc/sudoers", (const char *)data + 1, size - 1, &b);
	if (ra != rb || a.n_grants != b.n_grants || a.n_includes != b.n_includes)
		abort();
	for (size_t i = 0; ra == 0 && i < a.n_grants; i++) {
		const struct guard_sudoers_grant *g = &a.grants[i];
		bool named = g->kind == GUARD_SUDOERS_USER || g->kind == GUARD_SUDOERS_GROUP;

		if (named && (!g->name || !g->name[0] || strcmp(g->name, b.grants[i].name) != 0))
			abort();
		if (!named && g->name)
			abort(); /* a gid's name is the loader's, never the text's */
		if (!named && g->id != b.grants[i].id)
			abort();
		if (g->line < 1 || strcmp(g->file, "/etc/sudoers") != 0)
			abort();
	}
	for (size_t i = 0; ra == 0 && i < a.n_includes; i++)
		if (a.includes[i].path[0] != '/')
			abort();
	guard_sudoers_scan_clear(&a);
	guard_sudoers_scan_clear(&b);
	return 0;
}
