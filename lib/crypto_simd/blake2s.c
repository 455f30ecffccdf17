/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BLAKE2s (RFC 7693), plain and keyed. libsodium only ships BLAKE2b, and WireGuard needs BLAKE2s.
 * A handshake hashes about a hundred blocks per side (HMACs, the transcript hash, mac1), a tenth
 * of its cost next to the four X25519 operations, so the compression is unrolled with the
 * message schedule as constants, and on x86 with AVX a SIMD backend (blake2s_avx.c) takes over.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "blake2s_impl.h"
#include "wr_crypto.h"

static inline uint32_t
rotr32(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint32_t
load_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline void
store_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void
increment_counter(struct wr_blake2s_state *s, uint32_t inc)
{
	s->t[0] += inc;
	s->t[1] += (s->t[0] < inc);
}

/* RFC 7693 section 3.1: the mixing function G, on named words so that they stay in registers. */
#define G(a, b, c, d, x, y)                                                                        \
	do {                                                                                       \
		a += b + (x);                                                                      \
		d = rotr32(d ^ a, 16);                                                             \
		c += d;                                                                            \
		b = rotr32(b ^ c, 12);                                                             \
		a += b + (y);                                                                      \
		d = rotr32(d ^ a, 8);                                                              \
		c += d;                                                                            \
		b = rotr32(b ^ c, 7);                                                              \
	} while (0)

/*
 * The message words are read from the block where they are, so no copy of them (key material,
 * for the first block of a keyed hash or an HMAC pad) is left on the stack.
 */
#define M(i) load_le32(in + 4 * (i))

/* RFC 7693 section 3.2: one round, columns then diagonals. */
#define ROUND(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15)                \
	{                                                                                          \
		G(v0, v4, v8, v12, M(s0), M(s1));                                                  \
		G(v1, v5, v9, v13, M(s2), M(s3));                                                  \
		G(v2, v6, v10, v14, M(s4), M(s5));                                                 \
		G(v3, v7, v11, v15, M(s6), M(s7));                                                 \
		G(v0, v5, v10, v15, M(s8), M(s9));                                                 \
		G(v1, v6, v11, v12, M(s10), M(s11));                                               \
		G(v2, v7, v8, v13, M(s12), M(s13));                                                \
		G(v3, v4, v9, v14, M(s14), M(s15));                                                \
	}

/* RFC 7693 section 3.2: the compression function F, @p nblocks times. */
static void
compress_scalar(struct wr_blake2s_state *s, const uint8_t *in, size_t nblocks, uint32_t inc)
{
	uint32_t v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15;

	for (; nblocks > 0; nblocks--, in += WR_BLAKE2S_BLOCK_SIZE) {
		increment_counter(s, inc);
		v0 = s->h[0];
		v1 = s->h[1];
		v2 = s->h[2];
		v3 = s->h[3];
		v4 = s->h[4];
		v5 = s->h[5];
		v6 = s->h[6];
		v7 = s->h[7];
		v8 = WR_BLAKE2S_IV0;
		v9 = WR_BLAKE2S_IV1;
		v10 = WR_BLAKE2S_IV2;
		v11 = WR_BLAKE2S_IV3;
		v12 = WR_BLAKE2S_IV4 ^ s->t[0];
		v13 = WR_BLAKE2S_IV5 ^ s->t[1];
		v14 = WR_BLAKE2S_IV6 ^ s->f[0];
		v15 = WR_BLAKE2S_IV7 ^ s->f[1];

		WR_BLAKE2S_SIGMA(ROUND)

		s->h[0] ^= v0 ^ v8;
		s->h[1] ^= v1 ^ v9;
		s->h[2] ^= v2 ^ v10;
		s->h[3] ^= v3 ^ v11;
		s->h[4] ^= v4 ^ v12;
		s->h[5] ^= v5 ^ v13;
		s->h[6] ^= v6 ^ v14;
		s->h[7] ^= v7 ^ v15;
	}
}

#undef ROUND
#undef M
#undef G

/* 0x36 ^ 0x5c in every byte: RFC 2104's ipad block turned into its opad block. */
#define IPAD_TO_OPAD 0x6a6a6a6au

/* HMAC's two pad blocks one after the other, on backends without 256-bit rows. */
static void
hmac_pads_serial(void (*compress_one)(struct wr_blake2s_state *, const uint8_t *, size_t, uint32_t),
	struct wr_blake2s_state *inner, struct wr_blake2s_state *outer, const uint8_t *in)
{
	uint8_t opad[WR_BLAKE2S_BLOCK_SIZE];
	unsigned int i;

	for (i = 0; i < WR_BLAKE2S_BLOCK_SIZE; i += 4)
		store_le32(opad + i, load_le32(in + i) ^ IPAD_TO_OPAD);
	compress_one(inner, in, 1, WR_BLAKE2S_BLOCK_SIZE);
	compress_one(outer, opad, 1, WR_BLAKE2S_BLOCK_SIZE);
	wr_wipe_inline(opad, sizeof(opad));
}

static void
hmac_pads_scalar(struct wr_blake2s_state *inner, struct wr_blake2s_state *outer, const uint8_t *in)
{
	hmac_pads_serial(compress_scalar, inner, outer, in);
}

#if defined(__x86_64__) || defined(__i386__)
static void
hmac_pads_avx(struct wr_blake2s_state *inner, struct wr_blake2s_state *outer, const uint8_t *in)
{
	hmac_pads_serial(wr_blake2s_compress_avx, inner, outer, in);
}
#endif

static const struct {
	const char *name;
	void (*compress)(
		struct wr_blake2s_state *s, const uint8_t *in, size_t nblocks, uint32_t inc);
	void (*hmac_pads)(
		struct wr_blake2s_state *inner, struct wr_blake2s_state *outer, const uint8_t *in);
} backends[WR_BLAKE2S_IMPL_COUNT] = {
	[WR_BLAKE2S_IMPL_SCALAR] = { "scalar", compress_scalar, hmac_pads_scalar },
#if defined(__x86_64__) || defined(__i386__)
	[WR_BLAKE2S_IMPL_AVX] = { "avx", wr_blake2s_compress_avx, hmac_pads_avx },
	[WR_BLAKE2S_IMPL_AVX2] = { "avx2", wr_blake2s_compress_avx, wr_blake2s_hmac_pads_avx2 },
#else
	[WR_BLAKE2S_IMPL_AVX] = { "avx", NULL, NULL },
	[WR_BLAKE2S_IMPL_AVX2] = { "avx2", NULL, NULL },
#endif
};

/* The backend in use; written at start and by tests, read with relaxed atomics. */
static enum wr_blake2s_impl current_impl = WR_BLAKE2S_IMPL_SCALAR;

bool
wr_blake2s_impl_supported(enum wr_blake2s_impl impl)
{
	if ((unsigned int)impl >= WR_BLAKE2S_IMPL_COUNT || backends[impl].compress == NULL)
		return false;
#if defined(__x86_64__) || defined(__i386__)
	/* May run from a constructor, before libgcc's own has filled in the CPU model. */
	__builtin_cpu_init();
	/* libgcc reports AVX and AVX2 only when the OS saves the YMM state too (XGETBV). */
	if (impl == WR_BLAKE2S_IMPL_AVX)
		return __builtin_cpu_supports("avx");
	if (impl == WR_BLAKE2S_IMPL_AVX2)
		return __builtin_cpu_supports("avx2");
#endif
	return true;
}

int
wr_blake2s_impl_set(enum wr_blake2s_impl impl)
{
	if (!wr_blake2s_impl_supported(impl))
		return -ENOTSUP;
	__atomic_store_n(&current_impl, impl, __ATOMIC_RELAXED);
	return 0;
}

enum wr_blake2s_impl
wr_blake2s_impl_get(void)
{
	return __atomic_load_n(&current_impl, __ATOMIC_RELAXED);
}

const char *
wr_blake2s_impl_name(enum wr_blake2s_impl impl)
{
	return (unsigned int)impl < WR_BLAKE2S_IMPL_COUNT ? backends[impl].name : "?";
}

/* Detect the CPU once, before main(), so that no caller can race the choice. */
__attribute__((constructor)) static void
select_backend(void)
{
	if (wr_blake2s_impl_supported(WR_BLAKE2S_IMPL_AVX2))
		current_impl = WR_BLAKE2S_IMPL_AVX2;
	else if (wr_blake2s_impl_supported(WR_BLAKE2S_IMPL_AVX))
		current_impl = WR_BLAKE2S_IMPL_AVX;
}

static inline void
compress(struct wr_blake2s_state *s, const uint8_t *in, size_t nblocks, uint32_t inc)
{
	backends[__atomic_load_n(&current_impl, __ATOMIC_RELAXED)].compress(s, in, nblocks, inc);
}

void
wr_blake2s_compress_blocks(struct wr_blake2s_state *s, const uint8_t *in, size_t nblocks)
{
	compress(s, in, nblocks, WR_BLAKE2S_BLOCK_SIZE);
}

void
wr_blake2s_hmac_pads(struct wr_blake2s_state *inner, struct wr_blake2s_state *outer,
	const uint8_t ipad_block[WR_BLAKE2S_BLOCK_SIZE])
{
	backends[__atomic_load_n(&current_impl, __ATOMIC_RELAXED)].hmac_pads(
		inner, outer, ipad_block);
}

static void
init_param(struct wr_blake2s_state *s, size_t outlen, size_t keylen)
{
	/* buf is written before it is read, and final() zero-pads it: no need to clear it here */
	s->h[0] = WR_BLAKE2S_IV0;
	s->h[1] = WR_BLAKE2S_IV1;
	s->h[2] = WR_BLAKE2S_IV2;
	s->h[3] = WR_BLAKE2S_IV3;
	s->h[4] = WR_BLAKE2S_IV4;
	s->h[5] = WR_BLAKE2S_IV5;
	s->h[6] = WR_BLAKE2S_IV6;
	s->h[7] = WR_BLAKE2S_IV7;
	/* Parameter block word 0: digest length, key length, fanout 1, depth 1. */
	s->h[0] ^= 0x01010000u ^ ((uint32_t)keylen << 8) ^ (uint32_t)outlen;
	s->t[0] = 0;
	s->t[1] = 0;
	s->f[0] = 0;
	s->f[1] = 0;
	s->buflen = 0;
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
	memset(s->buf + keylen, 0, WR_BLAKE2S_BLOCK_SIZE - keylen);
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
		compress(s, s->buf, 1, WR_BLAKE2S_BLOCK_SIZE);
		s->buflen = 0;
		p += fill;
		inlen -= fill;
		if (inlen > WR_BLAKE2S_BLOCK_SIZE) {
			/* every full block but the last, straight from the input */
			size_t n = (inlen - 1) / WR_BLAKE2S_BLOCK_SIZE;

			compress(s, p, n, WR_BLAKE2S_BLOCK_SIZE);
			p += n * WR_BLAKE2S_BLOCK_SIZE;
			inlen -= n * WR_BLAKE2S_BLOCK_SIZE;
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

	/* RFC 7693 section 3.3: the last block, zero-padded, with the finalisation flag set. */
	s->f[0] = UINT32_MAX;
	memset(s->buf + s->buflen, 0, WR_BLAKE2S_BLOCK_SIZE - s->buflen);
	compress(s, s->buf, 1, (uint32_t)s->buflen);
	if (s->outlen == WR_BLAKE2S_HASH_SIZE) {
		/* every hash of the handshake: straight out, no copy to wipe */
		for (i = 0; i < 8; i++)
			store_le32(out + 4 * i, s->h[i]);
	} else {
		for (i = 0; i < 8; i++)
			store_le32(full + 4 * i, s->h[i]);
		memcpy(out, full, s->outlen);
		wr_wipe_inline(full, sizeof(full));
	}
	wr_wipe_inline(s, sizeof(*s));
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
