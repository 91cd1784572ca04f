/* The compiled policy: what a load parsed from the policy files (before
 * guard_policy_finish, which is cheap and reads the zone), in the flat
 * form of codec.h, with the state of every input the load looked at. A
 * later load by the same Guard whose inputs are all unchanged (and were
 * not changing during that load: policy_inputs.c) takes it instead of
 * parsing: the same policy, so check's verdict and the decision never
 * differ from a fresh parse. Anything else about it (another version,
 * another path, a changed input, damage) and it is ignored, never trusted.
 * The encoding and decoding are pure; policy_load.c reads and writes the
 * file. */
#ifndef GUARD_POLICY_CACHE_H
#define GUARD_POLICY_CACHE_H

#include <stddef.h>

#include "codec.h"
#include "policy.h"

/* Where guardctl and the PAM helpers keep it: beside the state store. */
#define GUARD_POLICY_CACHE_PATH	 "/var/lib/guard/policy.cache"
#define GUARD_POLICY_CACHE_LIMIT (64u << 20)

/* The parsed policy p (not yet finished) loaded from config and dropins,
 * encoded. Returns 0 with *ret (free it) and *ret_len, or -ENOMEM, or
 * -ESTALE when p's inputs were changing during the load (such a policy is
 * never reused). */
int guard_policy_cache_encode(const struct guard_policy *p, const char *config, const char *dropins,
			      char **ret, size_t *ret_len);

/* The policy encoded in buf, when it was made by this version of Guard
 * from config and dropins: 0 with *ret (not finished; its inputs not yet
 * compared with the files), -ESTALE when made by another version or from
 * other paths, -EBADMSG when damaged, -ENOMEM. */
int guard_policy_cache_decode(const char *buf, size_t len, const char *config, const char *dropins,
			      struct guard_policy **ret);

/* The file (policy_cache_file.c). Read: 0 with *ret when cache holds a
 * policy of this Guard's from config and dropins whose inputs are all as
 * recorded (not finished); else -errno and nothing (a missing, foreign,
 * loose, stale or damaged cache is a miss). The file must be root's, 0600
 * or stricter, a regular file, in a directory of root's that no one else
 * may write. Write: replaces it whole (a new file renamed over it), when
 * the process is root and the directory is as above; a failure is no
 * error (the next load parses). */
int guard_policy_cache_read(const char *cache, const char *config, const char *dropins,
			    struct guard_policy **ret);
void guard_policy_cache_write(const char *cache, const char *buf, size_t len);

/* Used by the codec above, kept where the inputs' structure is
 * (policy_inputs.c). */
void guard_policy_inputs_encode(const struct guard_policy *p, struct guard_enc *e);
int guard_policy_inputs_decode(struct guard_policy *p, struct guard_dec *d);
bool guard_policy_inputs_racy(const struct guard_policy *p);

#endif
