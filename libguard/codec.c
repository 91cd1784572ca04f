/* See codec.h. */
#include "codec.h"

#include <stdlib.h>
#include <string.h>

#define NULL_STR UINT32_MAX

static void put(struct guard_enc *e, const void *p, size_t n)
{
	if (e->failed)
		return;
	if (n > e->cap - e->len) {
		size_t cap = e->cap ? e->cap : 4096;
		char *grown;

		while (cap - e->len < n) {
			if (cap > SIZE_MAX / 2) {
				e->failed = true;
				return;
			}
			cap *= 2;
		}
		grown = realloc(e->buf, cap);
		if (!grown) {
			e->failed = true;
			return;
		}
		e->buf = grown;
		e->cap = cap;
	}
	if (n)
		memcpy(e->buf + e->len, p, n);
	e->len += n;
}

void guard_enc_u8(struct guard_enc *e, uint8_t v)
{
	put(e, &v, 1);
}

void guard_enc_u32(struct guard_enc *e, uint32_t v)
{
	unsigned char b[4];

	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	put(e, b, sizeof(b));
}

void guard_enc_u64(struct guard_enc *e, uint64_t v)
{
	guard_enc_u32(e, (uint32_t)v);
	guard_enc_u32(e, (uint32_t)(v >> 32));
}

void guard_enc_bytes(struct guard_enc *e, const void *p, size_t n)
{
	put(e, p, n);
}

void guard_enc_str(struct guard_enc *e, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > GUARD_CODEC_STR_MAX) {
		e->failed = true;
		return;
	}
	guard_enc_u32(e, s ? (uint32_t)n : NULL_STR);
	put(e, s, n);
}

void guard_enc_free(struct guard_enc *e)
{
	free(e->buf);
	*e = (struct guard_enc){0};
}

static const unsigned char *take(struct guard_dec *d, size_t n)
{
	const unsigned char *p = d->p;

	if (d->failed || n > d->left) {
		d->failed = true;
		return NULL;
	}
	d->p += n;
	d->left -= n;
	return p;
}

uint8_t guard_dec_u8(struct guard_dec *d)
{
	const unsigned char *p = take(d, 1);

	return p ? p[0] : 0;
}

uint32_t guard_dec_u32(struct guard_dec *d)
{
	const unsigned char *p = take(d, 4);
	uint32_t v = 0;

	for (int i = 0; p && i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

uint64_t guard_dec_u64(struct guard_dec *d)
{
	uint64_t lo = guard_dec_u32(d);

	return lo | (uint64_t)guard_dec_u32(d) << 32;
}

void guard_dec_bytes(struct guard_dec *d, void *p, size_t n)
{
	const unsigned char *src = take(d, n);

	if (src)
		memcpy(p, src, n);
	else
		memset(p, 0, n);
}

char *guard_dec_str(struct guard_dec *d)
{
	uint32_t n = guard_dec_u32(d);
	const unsigned char *src;
	char *s;

	if (d->failed || n == NULL_STR)
		return NULL;
	if (n > GUARD_CODEC_STR_MAX) {
		d->failed = true;
		return NULL;
	}
	src = take(d, n);
	if (!src || memchr(src, '\0', n)) {
		d->failed = true;
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (!s) {
		d->failed = true;
		return NULL;
	}
	memcpy(s, src, n);
	s[n] = '\0';
	return s;
}

size_t guard_dec_count(struct guard_dec *d, size_t min_size)
{
	uint32_t n = guard_dec_u32(d);

	if (d->failed || (min_size && n > d->left / min_size)) {
		d->failed = true;
		return 0;
	}
	return n;
}

void guard_dec_check(struct guard_dec *d, bool ok)
{
	if (!ok)
		d->failed = true;
}
