/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BLAKE2s (RFC 7693), plain and keyed. libsodium only ships BLAKE2b, and WireGuard needs BLAKE2s.
 * Portable C: handshakes are rare next to data packets, so this is not on the hot path.
 */
#include <string.h>

#include "wr_crypto.h"

static const uint32_t blake2s_iv[8] = {
	0x6a09e667,
	0xbb67ae85,
	0x3c6ef372,
	0xa54ff53a,
	0x510e527f,
	0x9b05688c,
	0x1f83d9ab,
	0x5be0cd19,
};

/* RFC 7693 section 2.7: message word schedule, ten rounds. */
static const uint8_t blake2s_sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

static inline uint32_t
rotr32(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint32_t
load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void
store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* RFC 7693 section 3.1: the mixing function G. */
#define G(a, b, c, d, x, y)                                                                        \
	do {                                                                                       \
		v[a] = v[a] + v[b] + (x);                                                          \
		v[d] = rotr32(v[d] ^ v[a], 16);                                                    \
		v[c] = v[c] + v[d];                                                                \
		v[b] = rotr32(v[b] ^ v[c], 12);                                                    \
		v[a] = v[a] + v[b] + (y);                                                          \
		v[d] = rotr32(v[d] ^ v[a], 8);                                                     \
		v[c] = v[c] + v[d];                                                                \
		v[b] = rotr32(v[b] ^ v[c], 7);                                                     \
	} while (0)

/* RFC 7693 section 3.2: the compression function F, with the counter already advanced. */
static void
compress(struct wr_blake2s_state *s, const uint8_t block[WR_BLAKE2S_BLOCK_SIZE])
{
	uint32_t m[16], v[16];
	unsigned int i;

	for (i = 0; i < 16; i++)
		m[i] = load_le32(block + 4 * i);
	for (i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = blake2s_iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	v[14] ^= s->f[0];
	v[15] ^= s->f[1];

	for (i = 0; i < 10; i++) {
		const uint8_t *sg = blake2s_sigma[i];

		G(0, 4, 8, 12, m[sg[0]], m[sg[1]]);
		G(1, 5, 9, 13, m[sg[2]], m[sg[3]]);
		G(2, 6, 10, 14, m[sg[4]], m[sg[5]]);
		G(3, 7, 11, 15, m[sg[6]], m[sg[7]]);
		G(0, 5, 10, 15, m[sg[8]], m[sg[9]]);
		G(1, 6, 11, 12, m[sg[10]], m[sg[11]]);
		G(2, 7, 8, 13, m[sg[12]], m[sg[13]]);
		G(3, 4, 9, 14, m[sg[14]], m[sg[15]]);
	}
	for (i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
	/* The message words may be key material (the first block of a keyed hash). */
	wr_wipe(m, sizeof(m));
	wr_wipe(v, sizeof(v));
}

static void
increment_counter(struct wr_blake2s_state *s, uint32_t inc)
{
	s->t[0] += inc;
	s->t[1] += (s->t[0] < inc);
}

static void
init_param(struct wr_blake2s_state *s, size_t outlen, size_t keylen)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 8; i++)
		s->h[i] = blake2s_iv[i];
	/* Parameter block word 0: digest length, key length, fanout 1, depth 1. */
	s->h[0] ^= 0x01010000u ^ ((uint32_t)keylen << 8) ^ (uint32_t)outlen;
	s->outlen = outlen;
}

void
wr_blake2s_init(struct wr_blake2s_state *s, size_t outlen)
{
	init_param(s, outlen, 0);
}

void
wr_blake2s_init_key(struct wr_blake2s_state *s, size_t outlen, const void *key, size_t keylen)
{
	init_param(s, outlen, keylen);
	/* RFC 7693 section 3.3: the key, zero-padded to a block, is the first message block. */
	memcpy(s->buf, key, keylen);
	s->buflen = WR_BLAKE2S_BLOCK_SIZE;
}

void
wr_blake2s_update(struct wr_blake2s_state *s, const void *in, size_t inlen)
{
	const uint8_t *p = in;
	size_t fill;

	if (inlen == 0)
		return;
	/*
	 * The last block must go through final() with the finalisation flag set, so a full
	 * buffer is only compressed once more input is known to follow.
	 */
	fill = WR_BLAKE2S_BLOCK_SIZE - s->buflen;
	if (inlen > fill) {
		memcpy(s->buf + s->buflen, p, fill);
		increment_counter(s, WR_BLAKE2S_BLOCK_SIZE);
		compress(s, s->buf);
		s->buflen = 0;
		p += fill;
		inlen -= fill;
		while (inlen > WR_BLAKE2S_BLOCK_SIZE) {
			increment_counter(s, WR_BLAKE2S_BLOCK_SIZE);
			compress(s, p);
			p += WR_BLAKE2S_BLOCK_SIZE;
			inlen -= WR_BLAKE2S_BLOCK_SIZE;
		}
	}
	memcpy(s->buf + s->buflen, p, inlen);
	s->buflen += inlen;
}

void
wr_blake2s_final(struct wr_blake2s_state *s, uint8_t *out)
{
	uint8_t full[WR_BLAKE2S_HASH_SIZE];
	unsigned int i;

	increment_counter(s, (uint32_t)s->buflen);
	s->f[0] = UINT32_MAX;
	memset(s->buf + s->buflen, 0, WR_BLAKE2S_BLOCK_SIZE - s->buflen);
	compress(s, s->buf);
	for (i = 0; i < 8; i++)
		store_le32(full + 4 * i, s->h[i]);
	memcpy(out, full, s->outlen);
	wr_wipe(full, sizeof(full));
	wr_wipe(s, sizeof(*s));
}

void
wr_blake2s(
	uint8_t *out, size_t outlen, const void *in, size_t inlen, const void *key, size_t keylen)
{
	struct wr_blake2s_state s;

	if (keylen)
		wr_blake2s_init_key(&s, outlen, key, keylen);
	else
		wr_blake2s_init(&s, outlen);
	wr_blake2s_update(&s, in, inlen);
	wr_blake2s_final(&s, out);
}
