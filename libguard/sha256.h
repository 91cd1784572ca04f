/* SHA-256 (FIPS 180-4): the hash an approval binds a stdin batch and its
 * request with. Written out here so that the core needs no crypto library. */
#ifndef GUARD_SHA256_H
#define GUARD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define GUARD_SHA256_LEN 32

struct guard_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t block[64];
	size_t fill;
};

void guard_sha256_init(struct guard_sha256 *c);
void guard_sha256_update(struct guard_sha256 *c, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void guard_sha256_final(struct guard_sha256 *c, uint8_t out[GUARD_SHA256_LEN]);

/* One call: the digest of data. */
void guard_sha256(const void *data, size_t len, uint8_t out[GUARD_SHA256_LEN]);

/* HMAC-SHA256 (RFC 2104) of data under a key of at most 64 bytes: the
 * keyed hash verify keeps of a password, so that the store never holds
 * anything a guess can be checked against without the key. */
void guard_hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len,
		       uint8_t out[GUARD_SHA256_LEN]);

/* Writes the digest as 64 lowercase hex digits and a NUL. */
void guard_sha256_hex(const uint8_t digest[GUARD_SHA256_LEN], char out[2 * GUARD_SHA256_LEN + 1]);

#endif
