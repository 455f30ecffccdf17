/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wirerate crypto primitives: everything the WireGuard protocol needs besides the batched
 * data-plane AEAD (see wr_aead_batch.h).
 *
 * BLAKE2s is our own (libsodium has only BLAKE2b); X25519, ChaCha20-Poly1305 and
 * XChaCha20-Poly1305 come from libsodium. Nothing here allocates; every function is safe to call
 * from any thread once wr_crypto_init() has returned 0.
 */
#ifndef WR_CRYPTO_H
#define WR_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WR_BLAKE2S_HASH_SIZE 32
#define WR_BLAKE2S_BLOCK_SIZE 64
#define WR_BLAKE2S_KEY_SIZE 32
#define WR_X25519_KEY_SIZE 32
#define WR_AEAD_KEY_SIZE 32
#define WR_AEAD_TAG_SIZE 16
#define WR_XAEAD_NONCE_SIZE 24

/** Initialise the library (libsodium). Returns 0, or -errno. Idempotent. */
int
wr_crypto_init(void);

/* ---- BLAKE2s (RFC 7693) ---- */

struct wr_blake2s_state {
	uint32_t h[8];
	uint32_t t[2];
	uint32_t f[2];
	uint8_t buf[WR_BLAKE2S_BLOCK_SIZE];
	size_t buflen;
	size_t outlen;
};

/** Start an unkeyed hash of @p outlen bytes (1..32). */
void
wr_blake2s_init(struct wr_blake2s_state *s, size_t outlen);

/** Start a keyed hash (MAC) of @p outlen bytes with a key of 1..32 bytes. */
void
wr_blake2s_init_key(struct wr_blake2s_state *s, size_t outlen, const void *key, size_t keylen);

void
wr_blake2s_update(struct wr_blake2s_state *s, const void *in, size_t inlen);

/** Write the digest (s->outlen bytes) to @p out and wipe the state. */
void
wr_blake2s_final(struct wr_blake2s_state *s, uint8_t *out);

/** One-shot BLAKE2s; @p key may be NULL with @p keylen 0. */
void
wr_blake2s(uint8_t *out, size_t outlen, const void *in, size_t inlen, const void *key,
	size_t keylen);

/** HMAC (RFC 2104) over BLAKE2s-256, as the Noise protocol framework defines it. */
void
wr_hmac_blake2s(uint8_t out[WR_BLAKE2S_HASH_SIZE], const void *key, size_t keylen, const void *in,
	size_t inlen);

/**
 * WireGuard's KDF_n (HKDF with HMAC-BLAKE2s): derives up to three 32-byte outputs from the chaining
 * key @p ck and @p in. @p t2 and @p t3 may be NULL to ask for fewer outputs (t3 needs t2).
 * An output may alias @p ck or @p in (both are read before any output is written).
 */
void
wr_kdf(uint8_t t1[32], uint8_t *t2, uint8_t *t3, const uint8_t ck[32], const void *in,
	size_t inlen);

/* ---- X25519 (RFC 7748) ---- */

/**
 * Diffie-Hellman: @p out = X25519(@p scalar, @p point). Returns 0, or -EINVAL when the result is
 * all zeros (a low-order point), in which case the handshake must be refused.
 */
int
wr_x25519(uint8_t out[WR_X25519_KEY_SIZE], const uint8_t scalar[WR_X25519_KEY_SIZE],
	const uint8_t point[WR_X25519_KEY_SIZE]);

/** The public key of @p priv. */
void
wr_x25519_public(uint8_t pub[WR_X25519_KEY_SIZE], const uint8_t priv[WR_X25519_KEY_SIZE]);

/** A fresh random, clamped private key. */
void
wr_x25519_generate(uint8_t priv[WR_X25519_KEY_SIZE]);

/* ---- ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce: 4 zero bytes, then le64 counter ---- */

/** Seal @p len bytes of @p src into @p dst (len + 16 bytes, tag last). In-place allowed. */
void
wr_aead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
	uint64_t counter, const uint8_t key[WR_AEAD_KEY_SIZE]);

/**
 * Open @p srclen bytes (ciphertext and 16-byte tag) into @p dst (srclen - 16 bytes).
 * Returns false, leaving @p dst unspecified, when the tag does not verify or srclen < 16.
 */
bool
wr_aead_open(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad, size_t adlen,
	uint64_t counter, const uint8_t key[WR_AEAD_KEY_SIZE]);

/* ---- XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha), for cookie replies ---- */

void
wr_xaead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
	const uint8_t nonce[WR_XAEAD_NONCE_SIZE], const uint8_t key[WR_AEAD_KEY_SIZE]);

bool
wr_xaead_open(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad, size_t adlen,
	const uint8_t nonce[WR_XAEAD_NONCE_SIZE], const uint8_t key[WR_AEAD_KEY_SIZE]);

/* ---- helpers ---- */

/** Constant-time equality of two buffers of @p n bytes. */
bool
wr_ct_equal(const void *a, const void *b, size_t n);

/** Constant-time test that @p n bytes are all zero. */
bool
wr_ct_is_zero(const void *p, size_t n);

/** Zero @p n bytes in a way the compiler may not optimise away. */
void
wr_wipe(void *p, size_t n);

/** Fill @p p with @p n bytes from the system CSPRNG. */
void
wr_random(void *p, size_t n);

/** A uniformly random 32-bit value from the system CSPRNG. */
uint32_t
wr_random_u32(void);

#endif /* WR_CRYPTO_H */
