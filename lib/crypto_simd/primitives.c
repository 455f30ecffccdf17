/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The primitives wirerate takes from libsodium: X25519, (X)ChaCha20-Poly1305, constant-time
 * helpers, wiping and randomness.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "aead_backend.h"

int
wr_crypto_init(void)
{
	/* 0: initialised now, 1: already initialised, -1: failure. */
	if (sodium_init() < 0)
		return -EIO;
	return 0;
}

int
wr_x25519(uint8_t out[WR_X25519_KEY_SIZE], const uint8_t scalar[WR_X25519_KEY_SIZE],
	const uint8_t point[WR_X25519_KEY_SIZE])
{
	/*
	 * libsodium fails exactly when the shared secret is all zeros (a low-order point); check
	 * the output too, so that the contract does not depend on that detail of the library.
	 */
	if (crypto_scalarmult(out, scalar, point) != 0 || wr_ct_is_zero(out, WR_X25519_KEY_SIZE)) {
		wr_wipe(out, WR_X25519_KEY_SIZE);
		return -EINVAL;
	}
	return 0;
}

void
wr_x25519_public(uint8_t pub[WR_X25519_KEY_SIZE], const uint8_t priv[WR_X25519_KEY_SIZE])
{
	/* Only a zero scalar (after clamping: never) gives the identity; nothing to report. */
	if (crypto_scalarmult_base(pub, priv) != 0)
		wr_wipe(pub, WR_X25519_KEY_SIZE);
}

void
wr_x25519_generate(uint8_t priv[WR_X25519_KEY_SIZE])
{
	randombytes_buf(priv, WR_X25519_KEY_SIZE);
	/* RFC 7748 section 5: decodeScalar25519's clamping, stored so the key is canonical. */
	priv[0] &= 248;
	priv[31] &= 127;
	priv[31] |= 64;
}

void
wr_aead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
	uint64_t counter, const uint8_t key[WR_AEAD_KEY_SIZE])
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	wr_aead_nonce(nonce, counter);
	crypto_aead_chacha20poly1305_ietf_encrypt(dst, NULL, src, len, ad, adlen, NULL, nonce, key);
}

bool
wr_aead_open(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad, size_t adlen,
	uint64_t counter, const uint8_t key[WR_AEAD_KEY_SIZE])
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	if (srclen < WR_AEAD_TAG_SIZE)
		return false;
	wr_aead_nonce(nonce, counter);
	return crypto_aead_chacha20poly1305_ietf_decrypt(
		       dst, NULL, NULL, src, srclen, ad, adlen, nonce, key) == 0;
}

void
wr_xaead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
	const uint8_t nonce[WR_XAEAD_NONCE_SIZE], const uint8_t key[WR_AEAD_KEY_SIZE])
{
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		dst, NULL, src, len, ad, adlen, NULL, nonce, key);
}

bool
wr_xaead_open(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad, size_t adlen,
	const uint8_t nonce[WR_XAEAD_NONCE_SIZE], const uint8_t key[WR_AEAD_KEY_SIZE])
{
	if (srclen < WR_AEAD_TAG_SIZE)
		return false;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(
		       dst, NULL, NULL, src, srclen, ad, adlen, nonce, key) == 0;
}

bool
wr_ct_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

bool
wr_ct_is_zero(const void *p, size_t n)
{
	return sodium_is_zero(p, n) == 1;
}

void
wr_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

void
wr_random(void *p, size_t n)
{
	randombytes_buf(p, n);
}

uint32_t
wr_random_u32(void)
{
	return randombytes_random();
}
