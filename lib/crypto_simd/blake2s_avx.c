/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BLAKE2s compression (RFC 7693 section 3.2) with the 4x4 working vector in four 128-bit rows
 * a = v0..v3, b = v4..v7, c = v8..v11, d = v12..v15, so that one G works on the four columns at
 * once. Rotations by 16 and 8 are byte shuffles (pshufb); by 12 and 7, two shifts and a xor, as
 * there is no vector rotate below AVX-512. For the diagonal step rows a, c and d are rotated
 * rather than b, because b is computed last and the next step begins with a + b.
 *
 * The functions carry target attributes, so the rest of the library stays baseline x86-64;
 * blake2s.c calls each only when the CPU (and the OS) support AVX, or AVX2 for the HMAC pads.
 */
#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>
#include <string.h>

#include "blake2s_impl.h"

#define TARGET_AVX __attribute__((target("avx")))

/* x86 is little-endian: the block's words load as they lie. */
static inline uint32_t
load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The message words, gathered in the lane order of a row; read in place, never copied. */
#define W(i) ((int)load32(in + 4 * (i)))
#define MSG(i0, i1, i2, i3) _mm_setr_epi32(W(i0), W(i1), W(i2), W(i3))

/*
 * a + m does not wait for b, the step's last result, but the compiler, free to reassociate,
 * would add m to b; hiding a + m from it keeps b's path to one addition.
 */
#define ADD_FIRST(add, x, m)                                                                       \
	do {                                                                                       \
		x = add(x, (m));                                                                   \
		__asm__("" : "+x"(x));                                                             \
	} while (0)

#define ROTR(x, n) _mm_xor_si128(_mm_srli_epi32((x), (n)), _mm_slli_epi32((x), 32 - (n)))

/* RFC 7693 section 3.1, G's first half (rotations 16 and 12) on four columns or diagonals. */
#define G1(m)                                                                                      \
	do {                                                                                       \
		ADD_FIRST(_mm_add_epi32, a, m);                                                    \
		a = _mm_add_epi32(a, b);                                                           \
		d = _mm_shuffle_epi8(_mm_xor_si128(d, a), rot16);                                  \
		c = _mm_add_epi32(c, d);                                                           \
		b = ROTR(_mm_xor_si128(b, c), 12);                                                 \
	} while (0)

/* G's second half (rotations 8 and 7). */
#define G2(m)                                                                                      \
	do {                                                                                       \
		ADD_FIRST(_mm_add_epi32, a, m);                                                    \
		a = _mm_add_epi32(a, b);                                                           \
		d = _mm_shuffle_epi8(_mm_xor_si128(d, a), rot8);                                   \
		c = _mm_add_epi32(c, d);                                                           \
		b = ROTR(_mm_xor_si128(b, c), 7);                                                  \
	} while (0)

/* Lane i of b meets the diagonal (v(i+3)%4, v4+i, v8+(i+1)%4, v12+(i+2)%4). */
#define DIAGONALIZE()                                                                              \
	do {                                                                                       \
		a = _mm_shuffle_epi32(a, _MM_SHUFFLE(2, 1, 0, 3));                                 \
		c = _mm_shuffle_epi32(c, _MM_SHUFFLE(0, 3, 2, 1));                                 \
		d = _mm_shuffle_epi32(d, _MM_SHUFFLE(1, 0, 3, 2));                                 \
	} while (0)

#define UNDIAGONALIZE()                                                                            \
	do {                                                                                       \
		a = _mm_shuffle_epi32(a, _MM_SHUFFLE(0, 3, 2, 1));                                 \
		c = _mm_shuffle_epi32(c, _MM_SHUFFLE(2, 1, 0, 3));                                 \
		d = _mm_shuffle_epi32(d, _MM_SHUFFLE(1, 0, 3, 2));                                 \
	} while (0)

/*
 * One round: the columns take sigma's pairs 0..3 in lane order; after DIAGONALIZE lane 0 holds
 * the fourth diagonal (v3, v4, v9, v14), so the diagonals' words start with pair 7.
 */
#define ROUND(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15)                \
	{                                                                                          \
		G1(MSG(s0, s2, s4, s6));                                                           \
		G2(MSG(s1, s3, s5, s7));                                                           \
		DIAGONALIZE();                                                                     \
		G1(MSG(s14, s8, s10, s12));                                                        \
		G2(MSG(s15, s9, s11, s13));                                                        \
		UNDIAGONALIZE();                                                                   \
	}

TARGET_AVX void
wr_blake2s_compress_avx(struct wr_blake2s_state *s, const uint8_t *in, size_t nblocks, uint32_t inc)
{
	const __m128i rot16 = _mm_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
	const __m128i rot8 = _mm_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
	const __m128i iv_lo = _mm_setr_epi32(
		(int)WR_BLAKE2S_IV0, (int)WR_BLAKE2S_IV1, (int)WR_BLAKE2S_IV2, (int)WR_BLAKE2S_IV3);
	const __m128i iv_hi = _mm_setr_epi32(
		(int)WR_BLAKE2S_IV4, (int)WR_BLAKE2S_IV5, (int)WR_BLAKE2S_IV6, (int)WR_BLAKE2S_IV7);
	__m128i h_lo = _mm_loadu_si128((const __m128i *)&s->h[0]);
	__m128i h_hi = _mm_loadu_si128((const __m128i *)&s->h[4]);
	__m128i a, b, c, d;

	for (; nblocks > 0; nblocks--, in += WR_BLAKE2S_BLOCK_SIZE) {
		/* the 64-bit byte counter t, carried into its high word */
		s->t[0] += inc;
		s->t[1] += (s->t[0] < inc);
		a = h_lo;
		b = h_hi;
		c = iv_lo;
		d = _mm_xor_si128(iv_hi,
			_mm_setr_epi32((int)s->t[0], (int)s->t[1], (int)s->f[0], (int)s->f[1]));

		WR_BLAKE2S_SIGMA(ROUND)

		h_lo = _mm_xor_si128(h_lo, _mm_xor_si128(a, c));
		h_hi = _mm_xor_si128(h_hi, _mm_xor_si128(b, d));
	}
	_mm_storeu_si128((__m128i *)&s->h[0], h_lo);
	_mm_storeu_si128((__m128i *)&s->h[4], h_hi);
}

/*
 * The same rounds on two blocks side by side in 256-bit rows, the first block's in the low
 * 128-bit lane and the second's in the high one. The second message is the first XOR a constant
 * (HMAC's opad block is its ipad block XOR 0x36 ^ 0x5c), so each row of words is gathered once
 * and the high lane flipped.
 */
#define TARGET_AVX2 __attribute__((target("avx2")))

#define ROTR2(x, n) _mm256_xor_si256(_mm256_srli_epi32((x), (n)), _mm256_slli_epi32((x), 32 - (n)))
/* the row for both blocks: the first's words, and in the high lane the same turned into opad */
#define MSG2(i0, i1, i2, i3)                                                                       \
	_mm256_xor_si256(_mm256_broadcastsi128_si256(MSG(i0, i1, i2, i3)), flip)

#define G1_2(m)                                                                                    \
	do {                                                                                       \
		ADD_FIRST(_mm256_add_epi32, a, m);                                                 \
		a = _mm256_add_epi32(a, b);                                                        \
		d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot16);                            \
		c = _mm256_add_epi32(c, d);                                                        \
		b = ROTR2(_mm256_xor_si256(b, c), 12);                                             \
	} while (0)

#define G2_2(m)                                                                                    \
	do {                                                                                       \
		ADD_FIRST(_mm256_add_epi32, a, m);                                                 \
		a = _mm256_add_epi32(a, b);                                                        \
		d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot8);                             \
		c = _mm256_add_epi32(c, d);                                                        \
		b = ROTR2(_mm256_xor_si256(b, c), 7);                                              \
	} while (0)

#define DIAGONALIZE_2()                                                                            \
	do {                                                                                       \
		a = _mm256_shuffle_epi32(a, _MM_SHUFFLE(2, 1, 0, 3));                              \
		c = _mm256_shuffle_epi32(c, _MM_SHUFFLE(0, 3, 2, 1));                              \
		d = _mm256_shuffle_epi32(d, _MM_SHUFFLE(1, 0, 3, 2));                              \
	} while (0)

#define UNDIAGONALIZE_2()                                                                          \
	do {                                                                                       \
		a = _mm256_shuffle_epi32(a, _MM_SHUFFLE(0, 3, 2, 1));                              \
		c = _mm256_shuffle_epi32(c, _MM_SHUFFLE(2, 1, 0, 3));                              \
		d = _mm256_shuffle_epi32(d, _MM_SHUFFLE(1, 0, 3, 2));                              \
	} while (0)

#define ROUND_2(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15)              \
	{                                                                                          \
		G1_2(MSG2(s0, s2, s4, s6));                                                        \
		G2_2(MSG2(s1, s3, s5, s7));                                                        \
		DIAGONALIZE_2();                                                                   \
		G1_2(MSG2(s14, s8, s10, s12));                                                     \
		G2_2(MSG2(s15, s9, s11, s13));                                                     \
		UNDIAGONALIZE_2();                                                                 \
	}

/* a row of the two states: the first's words in the low lane */
#define PAIR(lo, hi) _mm256_loadu2_m128i((const __m128i *)(hi), (const __m128i *)(lo))

TARGET_AVX2 void
wr_blake2s_hmac_pads_avx2(
	struct wr_blake2s_state *inner, struct wr_blake2s_state *outer, const uint8_t *in)
{
	const __m256i rot16 = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
		2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
	const __m256i rot8 = _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12,
		1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
	const __m256i flip =
		_mm256_setr_epi32(0, 0, 0, 0, 0x6a6a6a6a, 0x6a6a6a6a, 0x6a6a6a6a, 0x6a6a6a6a);
	const __m128i iv_lo = _mm_setr_epi32(
		(int)WR_BLAKE2S_IV0, (int)WR_BLAKE2S_IV1, (int)WR_BLAKE2S_IV2, (int)WR_BLAKE2S_IV3);
	const __m128i iv_hi = _mm_setr_epi32(
		(int)WR_BLAKE2S_IV4, (int)WR_BLAKE2S_IV5, (int)WR_BLAKE2S_IV6, (int)WR_BLAKE2S_IV7);
	__m256i h_lo, h_hi, a, b, c, d;

	inner->t[0] += WR_BLAKE2S_BLOCK_SIZE;
	inner->t[1] += (inner->t[0] < WR_BLAKE2S_BLOCK_SIZE);
	outer->t[0] += WR_BLAKE2S_BLOCK_SIZE;
	outer->t[1] += (outer->t[0] < WR_BLAKE2S_BLOCK_SIZE);
	h_lo = PAIR(&inner->h[0], &outer->h[0]);
	h_hi = PAIR(&inner->h[4], &outer->h[4]);
	a = h_lo;
	b = h_hi;
	c = _mm256_broadcastsi128_si256(iv_lo);
	d = _mm256_xor_si256(_mm256_broadcastsi128_si256(iv_hi),
		_mm256_setr_epi32((int)inner->t[0], (int)inner->t[1], (int)inner->f[0],
			(int)inner->f[1], (int)outer->t[0], (int)outer->t[1], (int)outer->f[0],
			(int)outer->f[1]));

	WR_BLAKE2S_SIGMA(ROUND_2)

	h_lo = _mm256_xor_si256(h_lo, _mm256_xor_si256(a, c));
	h_hi = _mm256_xor_si256(h_hi, _mm256_xor_si256(b, d));
	_mm_storeu_si128((__m128i *)&inner->h[0], _mm256_castsi256_si128(h_lo));
	_mm_storeu_si128((__m128i *)&inner->h[4], _mm256_castsi256_si128(h_hi));
	_mm_storeu_si128((__m128i *)&outer->h[0], _mm256_extracti128_si256(h_lo, 1));
	_mm_storeu_si128((__m128i *)&outer->h[4], _mm256_extracti128_si256(h_hi, 1));
}

#endif /* x86 */
