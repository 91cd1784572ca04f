/* A flat binary form for data Guard keeps between its own runs (the
 * compiled policy): integers in little-endian, strings with their length.
 * The writer grows a buffer; the reader checks every length against what
 * is left and latches the first error, so that a damaged or hostile input
 * is refused whole, never read past its end. Pure. */
#ifndef GUARD_CODEC_H
#define GUARD_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest string either side accepts. */
#define GUARD_CODEC_STR_MAX (1u << 20)

struct guard_enc {
	char *buf;
	size_t len, cap;
	bool failed; /* out of memory, or a string too long */
};

void guard_enc_u8(struct guard_enc *e, uint8_t v);
void guard_enc_u32(struct guard_enc *e, uint32_t v);
void guard_enc_u64(struct guard_enc *e, uint64_t v);
void guard_enc_bytes(struct guard_enc *e, const void *p, size_t n);
/* A string, or NULL (told apart from ""). */
void guard_enc_str(struct guard_enc *e, const char *s);
void guard_enc_free(struct guard_enc *e);

struct guard_dec {
	const unsigned char *p;
	size_t left;
	bool failed; /* past the end, a bad string, or out of memory */
};

uint8_t guard_dec_u8(struct guard_dec *d);
uint32_t guard_dec_u32(struct guard_dec *d);
uint64_t guard_dec_u64(struct guard_dec *d);
void guard_dec_bytes(struct guard_dec *d, void *p, size_t n);
/* A copy of the string (free it), or NULL: written as NULL, or failed.
 * A string holding a NUL byte fails. */
char *guard_dec_str(struct guard_dec *d);
/* A count of elements each taking at least min_size bytes: fails when
 * more than what is left could hold, so that no allocation is sized by a
 * damaged count. */
size_t guard_dec_count(struct guard_dec *d, size_t min_size);
/* Fails d unless ok: for a value out of its range. */
void guard_dec_check(struct guard_dec *d, bool ok);

#endif
