/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to lib/crypto_simd (and its tests and benches): the BLAKE2s compression backends and
 * the switch between them. The portable C backend is always there; a SIMD one is picked at start
 * when the CPU has it. Tests force each backend in turn to run the same vectors through it.
 */
#ifndef WR_BLAKE2S_IMPL_H
#define WR_BLAKE2S_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "wr_crypto.h"

/*
 * wr_wipe() for the small fixed-size buffers of a handshake's hashing, without its calls
 * (wr_wipe -> sodium_memzero -> explicit_bzero): the zeros stored inline, and an empty asm that
 * may read them so that the compiler cannot drop the stores, as the kernel's memzero_explicit.
 */
static inline void
wr_wipe_inline(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* RFC 7693 section 2.6: the initialisation vector (SHA-256's). */
#define WR_BLAKE2S_IV0 0x6a09e667u
#define WR_BLAKE2S_IV1 0xbb67ae85u
#define WR_BLAKE2S_IV2 0x3c6ef372u
#define WR_BLAKE2S_IV3 0xa54ff53au
#define WR_BLAKE2S_IV4 0x510e527fu
#define WR_BLAKE2S_IV5 0x9b05688cu
#define WR_BLAKE2S_IV6 0x1f83d9abu
#define WR_BLAKE2S_IV7 0x5be0cd19u

/*
 * RFC 7693 section 2.7: the message schedule sigma, one X(...) per round, so that every backend
 * unrolls the ten rounds with the word indices as compile-time constants.
 */
#define WR_BLAKE2S_SIGMA(X)                                                                        \
	X(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)                                    \
	X(14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3)                                    \
	X(11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4)                                    \
	X(7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8)                                    \
	X(9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13)                                    \
	X(2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9)                                    \
	X(12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11)                                    \
	X(13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10)                                    \
	X(6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5)                                    \
	X(10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0)

enum wr_blake2s_impl {
	WR_BLAKE2S_IMPL_SCALAR, /* portable C, unrolled */
	WR_BLAKE2S_IMPL_AVX,    /* one block per call in four 128-bit rows (x86 with AVX) */
	WR_BLAKE2S_IMPL_AVX2,   /* AVX, and HMAC's two pad blocks side by side in 256-bit rows */
	WR_BLAKE2S_IMPL_COUNT,
};

/** Whether this build and CPU can run @p impl. */
bool
wr_blake2s_impl_supported(enum wr_blake2s_impl impl);

/**
 * Make @p impl the backend of every BLAKE2s function. Returns 0, or -ENOTSUP when
 * wr_blake2s_impl_supported() says no (the backend in use is then unchanged). For tests and
 * benches: no other thread may be hashing meanwhile.
 */
int
wr_blake2s_impl_set(enum wr_blake2s_impl impl);

/** The backend in use: the fastest supported one unless wr_blake2s_impl_set() chose another. */
enum wr_blake2s_impl
wr_blake2s_impl_get(void);

/** A short name for @p impl ("scalar", "avx"), for benches and test messages. */
const char *
wr_blake2s_impl_name(enum wr_blake2s_impl impl);

/**
 * Compress @p nblocks full blocks that are known not to be the last (RFC 7693 section 3.2 with
 * the finalisation flag clear), advancing the counter by 64 bytes each. The state must have no
 * buffered input. HMAC uses it to absorb its padded key block once and reuse the state.
 */
void
wr_blake2s_compress_blocks(struct wr_blake2s_state *s, const uint8_t *in, size_t nblocks);

/**
 * RFC 2104's two pad blocks: compress @p ipad_block (the key, zero-padded, XOR 0x36 bytes) into
 * @p inner and the same XOR (0x36 ^ 0x5c) bytes, the opad block, into @p outer, each as a block
 * that more input follows, as wr_blake2s_compress_blocks() does. Both states must have no
 * buffered input. Backends with 256-bit rows do the two at once.
 */
void
wr_blake2s_hmac_pads(struct wr_blake2s_state *inner, struct wr_blake2s_state *outer,
	const uint8_t ipad_block[WR_BLAKE2S_BLOCK_SIZE]);

#if defined(__x86_64__) || defined(__i386__)
/*
 * The AVX backend (blake2s_avx.c): compresses @p nblocks blocks from @p in into s->h, adding
 * @p inc to the counter s->t before each; s->f says whether it is the last block.
 */
void
wr_blake2s_compress_avx(
	struct wr_blake2s_state *s, const uint8_t *in, size_t nblocks, uint32_t inc);

/* wr_blake2s_hmac_pads() with AVX2 (blake2s_avx.c). */
void
wr_blake2s_hmac_pads_avx2(
	struct wr_blake2s_state *inner, struct wr_blake2s_state *outer, const uint8_t *in);
#endif

#endif /* WR_BLAKE2S_IMPL_H */
