/* The compiled policy's reader (policy_cache.h): any bytes in, a policy or
 * a refusal out. Properties: never reads past the input, allocates no more
 * than the input can describe, and what it accepts is canonical: encoded
 * again it gives the input back byte for byte (so that nothing in it was
 * dropped, defaulted or read twice). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_cache.h"

#define CONF	"/etc/guard/guard.conf"
#define DROPINS "/etc/guard/guard.d"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guard_policy *p = NULL;
	struct guard_error err = {0};
	char *again = NULL;
	size_t len = 0;

	if (guard_policy_cache_decode((const char *)data, size, CONF, DROPINS, &p) < 0)
		return 0;
	if (guard_policy_cache_encode(p, CONF, DROPINS, &again, &len) < 0 || len != size ||
	    memcmp(again, data, size) != 0)
		abort(); /* accepted, but not what it encodes to */
	free(again);
	/* Whatever it holds, finishing it is safe (a refusal is fine). */
	(void)guard_policy_finish(p, NULL, &err);
	guard_policy_free(p);
	return 0;
}
