/* SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static void expect(const void *data, size_t len, const char *hex)
{
	uint8_t d[GUARD_SHA256_LEN];
	char out[2 * GUARD_SHA256_LEN + 1];

	guard_sha256(data, len, d);
	guard_sha256_hex(d, out);
	cr_assert_str_eq(out, hex);
}

Test(sha256, empty)
{
	expect("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(sha256, abc)
{
	expect("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, two_blocks)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	expect(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, four_blocks)
{
	const char *m =
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmn"
	    "opqklmnopqrlmnopqrsmnopqrstnopqrstu";

	expect(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

Test(sha256, one_million_a_in_pieces)
{
	struct guard_sha256 c;
	uint8_t d[GUARD_SHA256_LEN], chunk[997];
	char out[2 * GUARD_SHA256_LEN + 1];
	size_t left = 1000000;

	memset(chunk, 'a', sizeof(chunk));
	guard_sha256_init(&c);
	while (left > 0) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);

		guard_sha256_update(&c, chunk, n);
		left -= n;
	}
	guard_sha256_final(&c, d);
	guard_sha256_hex(d, out);
	cr_assert_str_eq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(sha256, padding_boundaries_match_one_shot)
{
	/* 55, 56, 63, 64 and 65 bytes straddle the length field: byte by
	 * byte and in one call give the same digest. */
	uint8_t m[130], a[GUARD_SHA256_LEN], b[GUARD_SHA256_LEN];

	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)(i * 7 + 1);
	for (size_t len = 0; len <= sizeof(m); len++) {
		struct guard_sha256 c;

		guard_sha256(m, len, a);
		guard_sha256_init(&c);
		for (size_t i = 0; i < len; i++)
			guard_sha256_update(&c, m + i, 1);
		guard_sha256_final(&c, b);
		cr_assert_eq(memcmp(a, b, sizeof(a)), 0, "length %zu", len);
	}
	expect("The quick brown fox jumps over the lazy dog", 43,
	       "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}
