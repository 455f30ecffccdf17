/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HMAC-BLAKE2s and WireGuard's KDF_n, as the Noise protocol framework (section 4.3) and the
 * WireGuard paper (section 5.4) define them: HKDF over HMAC-BLAKE2s-256 with an empty info.
 */
#include <string.h>

#include "blake2s_impl.h"
#include "wr_crypto.h"

/*
 * A key's two HMAC hash states with its padded block already absorbed (RFC 2104: K ^ ipad for the
 * inner hash, K ^ opad for the outer one), so that several HMACs under one key hash it once.
 */
struct hmac_key {
	struct wr_blake2s_state inner, outer;
};

/* RFC 2104: a key longer than the block is hashed first; shorter ones are zero-padded. */
static void
hmac_key_init(struct hmac_key *hk, const uint8_t *key, size_t keylen)
{
	uint8_t k[WR_BLAKE2S_BLOCK_SIZE] = { 0 };
	unsigned int i;

	if (keylen > WR_BLAKE2S_BLOCK_SIZE)
		wr_blake2s(k, WR_BLAKE2S_HASH_SIZE, key, keylen, NULL, 0);
	else
		memcpy(k, key, keylen);
	for (i = 0; i < WR_BLAKE2S_BLOCK_SIZE; i++)
		k[i] ^= 0x36;
	wr_blake2s_init(&hk->inner, WR_BLAKE2S_HASH_SIZE);
	wr_blake2s_init(&hk->outer, WR_BLAKE2S_HASH_SIZE);
	/* the two pad blocks are independent: SIMD backends hash them side by side */
	wr_blake2s_hmac_pads(&hk->inner, &hk->outer, k);
	wr_wipe(k, sizeof(k));
}

/*
 * HMAC under a prepared key. @p inlen must not be 0: the pad block was compressed as a block
 * that more input follows, and with none it would have had to be the last one (RFC 7693
 * section 3.3). @p out may alias @p in.
 */
static void
hmac_prepared(
	uint8_t out[WR_BLAKE2S_HASH_SIZE], const struct hmac_key *hk, const void *in, size_t inlen)
{
	struct wr_blake2s_state s;
	uint8_t inner[WR_BLAKE2S_HASH_SIZE];

	s = hk->inner;
	wr_blake2s_update(&s, in, inlen);
	wr_blake2s_final(&s, inner);
	s = hk->outer;
	wr_blake2s_update(&s, inner, WR_BLAKE2S_HASH_SIZE);
	wr_blake2s_final(&s, out);
	wr_wipe(inner, sizeof(inner));
}

void
wr_hmac_blake2s(uint8_t out[WR_BLAKE2S_HASH_SIZE], const void *key, size_t keylen, const void *in,
	size_t inlen)
{
	struct hmac_key hk;
	struct wr_blake2s_state s;
	uint8_t k[WR_BLAKE2S_BLOCK_SIZE] = { 0 };
	uint8_t inner[WR_BLAKE2S_HASH_SIZE];
	unsigned int i;

	if (inlen > 0) {
		hmac_key_init(&hk, key, keylen);
		hmac_prepared(out, &hk, in, inlen);
		wr_wipe(&hk, sizeof(hk));
		return;
	}

	/* An empty message: the inner pad block is the inner hash's last block. */
	if (keylen > WR_BLAKE2S_BLOCK_SIZE)
		wr_blake2s(k, WR_BLAKE2S_HASH_SIZE, key, keylen, NULL, 0);
	else
		memcpy(k, key, keylen);
	for (i = 0; i < WR_BLAKE2S_BLOCK_SIZE; i++)
		k[i] ^= 0x36;
	wr_blake2s(inner, WR_BLAKE2S_HASH_SIZE, k, WR_BLAKE2S_BLOCK_SIZE, NULL, 0);

	/* 0x36 ^ 0x5c turns the inner pad into the outer one. */
	for (i = 0; i < WR_BLAKE2S_BLOCK_SIZE; i++)
		k[i] ^= 0x36 ^ 0x5c;
	wr_blake2s_init(&s, WR_BLAKE2S_HASH_SIZE);
	wr_blake2s_update(&s, k, WR_BLAKE2S_BLOCK_SIZE);
	wr_blake2s_update(&s, inner, WR_BLAKE2S_HASH_SIZE);
	wr_blake2s_final(&s, out);

	wr_wipe(k, sizeof(k));
	wr_wipe(inner, sizeof(inner));
}

void
wr_kdf(uint8_t t1[32], uint8_t *t2, uint8_t *t3, const uint8_t ck[32], const void *in, size_t inlen)
{
	struct hmac_key prk;
	uint8_t temp[WR_BLAKE2S_HASH_SIZE];
	uint8_t buf[WR_BLAKE2S_HASH_SIZE + 1];

	/* HKDF-Extract: the chaining key salts the input key material. */
	wr_hmac_blake2s(temp, ck, WR_BLAKE2S_HASH_SIZE, in, inlen);
	/* Every output is an HMAC under this key: its pad blocks are hashed once for them all. */
	hmac_key_init(&prk, temp, sizeof(temp));

	/* HKDF-Expand: T(1) = HMAC(prk, 0x1), T(i) = HMAC(prk, T(i-1) || i). */
	buf[0] = 1;
	hmac_prepared(buf, &prk, buf, 1);
	memcpy(t1, buf, WR_BLAKE2S_HASH_SIZE);
	if (t2 == NULL)
		goto out;

	buf[WR_BLAKE2S_HASH_SIZE] = 2;
	hmac_prepared(buf, &prk, buf, sizeof(buf));
	memcpy(t2, buf, WR_BLAKE2S_HASH_SIZE);
	if (t3 == NULL)
		goto out;

	buf[WR_BLAKE2S_HASH_SIZE] = 3;
	hmac_prepared(buf, &prk, buf, sizeof(buf));
	memcpy(t3, buf, WR_BLAKE2S_HASH_SIZE);
out:
	wr_wipe(&prk, sizeof(prk));
	wr_wipe(temp, sizeof(temp));
	wr_wipe(buf, sizeof(buf));
}
