/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The primitives wirerate takes from libsodium: X25519, (X)ChaCha20-Poly1305, constant-time
 * helpers, wiping and randomness.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
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

/*
 * GF(2^255 - 19) in five 51-bit limbs (curve25519-donna-c64's representation), only as much as
 * the Edwards-to-Montgomery map below needs. The values it handles are public keys, so nothing
 * here has to be constant time (it is anyway: no branch or index depends on the values).
 */
#define FE_MASK ((UINT64_C(1) << 51) - 1)

static uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static void
store_le64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

/* the top bit (an Edwards encoding's sign of x) is dropped */
static void
fe_frombytes(uint64_t h[5], const uint8_t s[32])
{
	h[0] = load_le64(s) & FE_MASK;
	h[1] = (load_le64(s + 6) >> 3) & FE_MASK;
	h[2] = (load_le64(s + 12) >> 6) & FE_MASK;
	h[3] = (load_le64(s + 19) >> 1) & FE_MASK;
	h[4] = (load_le64(s + 24) >> 12) & FE_MASK;
}

/* inputs' limbs below 2^54; output's below 2^51 + 2^13 */
static void
fe_mul(uint64_t out[5], const uint64_t a[5], const uint64_t b[5])
{
	unsigned __int128 t0, t1, t2, t3, t4;
	uint64_t b1_19 = b[1] * 19, b2_19 = b[2] * 19, b3_19 = b[3] * 19, b4_19 = b[4] * 19, c;

	t0 = (unsigned __int128)a[0] * b[0] + (unsigned __int128)a[1] * b4_19 +
	     (unsigned __int128)a[2] * b3_19 + (unsigned __int128)a[3] * b2_19 +
	     (unsigned __int128)a[4] * b1_19;
	t1 = (unsigned __int128)a[0] * b[1] + (unsigned __int128)a[1] * b[0] +
	     (unsigned __int128)a[2] * b4_19 + (unsigned __int128)a[3] * b3_19 +
	     (unsigned __int128)a[4] * b2_19;
	t2 = (unsigned __int128)a[0] * b[2] + (unsigned __int128)a[1] * b[1] +
	     (unsigned __int128)a[2] * b[0] + (unsigned __int128)a[3] * b4_19 +
	     (unsigned __int128)a[4] * b3_19;
	t3 = (unsigned __int128)a[0] * b[3] + (unsigned __int128)a[1] * b[2] +
	     (unsigned __int128)a[2] * b[1] + (unsigned __int128)a[3] * b[0] +
	     (unsigned __int128)a[4] * b4_19;
	t4 = (unsigned __int128)a[0] * b[4] + (unsigned __int128)a[1] * b[3] +
	     (unsigned __int128)a[2] * b[2] + (unsigned __int128)a[3] * b[1] +
	     (unsigned __int128)a[4] * b[0];

	out[0] = (uint64_t)t0 & FE_MASK;
	t1 += (uint64_t)(t0 >> 51);
	out[1] = (uint64_t)t1 & FE_MASK;
	t2 += (uint64_t)(t1 >> 51);
	out[2] = (uint64_t)t2 & FE_MASK;
	t3 += (uint64_t)(t2 >> 51);
	out[3] = (uint64_t)t3 & FE_MASK;
	t4 += (uint64_t)(t3 >> 51);
	out[4] = (uint64_t)t4 & FE_MASK;
	out[0] += (uint64_t)(t4 >> 51) * 19;
	c = out[0] >> 51;
	out[0] &= FE_MASK;
	out[1] += c;
}

/* out = a^(2^n), n >= 1: fe_mul's products with the symmetric ones paired, 15 instead of 25 */
static void
fe_sq_times(uint64_t out[5], const uint64_t a[5], unsigned n)
{
	unsigned __int128 t0, t1, t2, t3, t4;
	uint64_t r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], d0, d1, d2, d4, r4_19, c;

	do {
		d0 = r0 * 2;
		d1 = r1 * 2;
		d2 = r2 * 2 * 19;
		r4_19 = r4 * 19;
		d4 = r4_19 * 2;
		t0 = (unsigned __int128)r0 * r0 + (unsigned __int128)d4 * r1 +
		     (unsigned __int128)d2 * r3;
		t1 = (unsigned __int128)d0 * r1 + (unsigned __int128)d4 * r2 +
		     (unsigned __int128)r3 * (r3 * 19);
		t2 = (unsigned __int128)d0 * r2 + (unsigned __int128)r1 * r1 +
		     (unsigned __int128)d4 * r3;
		t3 = (unsigned __int128)d0 * r3 + (unsigned __int128)d1 * r2 +
		     (unsigned __int128)r4 * r4_19;
		t4 = (unsigned __int128)d0 * r4 + (unsigned __int128)d1 * r3 +
		     (unsigned __int128)r2 * r2;

		r0 = (uint64_t)t0 & FE_MASK;
		t1 += (uint64_t)(t0 >> 51);
		r1 = (uint64_t)t1 & FE_MASK;
		t2 += (uint64_t)(t1 >> 51);
		r2 = (uint64_t)t2 & FE_MASK;
		t3 += (uint64_t)(t2 >> 51);
		r3 = (uint64_t)t3 & FE_MASK;
		t4 += (uint64_t)(t3 >> 51);
		r4 = (uint64_t)t4 & FE_MASK;
		r0 += (uint64_t)(t4 >> 51) * 19;
		c = r0 >> 51;
		r0 &= FE_MASK;
		r1 += c;
	} while (--n);
	out[0] = r0;
	out[1] = r1;
	out[2] = r2;
	out[3] = r3;
	out[4] = r4;
}

/* z^(p - 2), ref10's addition chain: 254 squarings, 11 multiplications */
static void
fe_invert(uint64_t out[5], const uint64_t z[5])
{
	uint64_t z2[5], z9[5], z11[5], z2_5_0[5], z2_10_0[5], z2_20_0[5], z2_50_0[5], z2_100_0[5],
		t[5];

	fe_sq_times(z2, z, 1);
	fe_sq_times(t, z2, 2);
	fe_mul(z9, t, z);
	fe_mul(z11, z9, z2);
	fe_sq_times(t, z11, 1);
	fe_mul(z2_5_0, t, z9);
	fe_sq_times(t, z2_5_0, 5);
	fe_mul(z2_10_0, t, z2_5_0);
	fe_sq_times(t, z2_10_0, 10);
	fe_mul(z2_20_0, t, z2_10_0);
	fe_sq_times(t, z2_20_0, 20);
	fe_mul(t, t, z2_20_0);
	fe_sq_times(t, t, 10);
	fe_mul(z2_50_0, t, z2_10_0);
	fe_sq_times(t, z2_50_0, 50);
	fe_mul(z2_100_0, t, z2_50_0);
	fe_sq_times(t, z2_100_0, 100);
	fe_mul(t, t, z2_100_0);
	fe_sq_times(t, t, 50);
	fe_mul(t, t, z2_50_0);
	fe_sq_times(t, t, 5);
	fe_mul(out, t, z11);
}

static void
fe_carry(uint64_t t[5])
{
	t[1] += t[0] >> 51;
	t[0] &= FE_MASK;
	t[2] += t[1] >> 51;
	t[1] &= FE_MASK;
	t[3] += t[2] >> 51;
	t[2] &= FE_MASK;
	t[4] += t[3] >> 51;
	t[3] &= FE_MASK;
	t[0] += 19 * (t[4] >> 51);
	t[4] &= FE_MASK;
}

/* the canonical (fully reduced) encoding, as curve25519-donna-c64's fcontract */
static void
fe_tobytes(uint8_t s[32], const uint64_t h[5])
{
	uint64_t t[5];

	memcpy(t, h, sizeof(t));
	fe_carry(t);
	fe_carry(t);
	/* now below 2^255; add 19 so that values in [p, 2^255) carry out of bit 255 */
	t[0] += 19;
	fe_carry(t);
	/* add 2^255 - 19 (p), limb by limb, then drop bit 255: subtracts the 19 back, mod p */
	t[0] += FE_MASK + 1 - 19;
	t[1] += FE_MASK;
	t[2] += FE_MASK;
	t[3] += FE_MASK;
	t[4] += FE_MASK;
	t[1] += t[0] >> 51;
	t[0] &= FE_MASK;
	t[2] += t[1] >> 51;
	t[1] &= FE_MASK;
	t[3] += t[2] >> 51;
	t[2] &= FE_MASK;
	t[4] += t[3] >> 51;
	t[3] &= FE_MASK;
	t[4] &= FE_MASK;
	store_le64(s, t[0] | t[1] << 51);
	store_le64(s + 8, t[1] >> 13 | t[2] << 38);
	store_le64(s + 16, t[2] >> 26 | t[3] << 25);
	store_le64(s + 24, t[3] >> 39 | t[4] << 12);
}

/*
 * The base-point multiplication on the Edwards curve, with libsodium's precomputed tables, is
 * several times faster than the Montgomery ladder crypto_scalarmult_base() runs (its AVX backend
 * has no fixed-base path), and the birational map u = (1 + y) / (1 - y) takes the Ed25519 base
 * point to X25519's (u = 9), so it gives the same public key (BoringSSL computes X25519 public
 * keys this way). Every handshake generates an ephemeral key on each side. Returns false when
 * libsodium refuses (the scalar is 0 mod the group order), for the caller to take the ladder.
 */
static bool
public_via_edwards(uint8_t pub[WR_X25519_KEY_SIZE], const uint8_t priv[WR_X25519_KEY_SIZE])
{
	uint8_t ed[crypto_scalarmult_ed25519_BYTES];
	uint64_t y[5], num[5], den[5], u[5];

	/* the clamping of crypto_scalarmult_ed25519_base() is X25519's */
	if (crypto_scalarmult_ed25519_base(ed, priv) != 0)
		return false;
	fe_frombytes(y, ed);
	/* 1 + y, and 1 - y plus 2p to stay positive (y's limbs are below 2^51) */
	memcpy(num, y, sizeof(num));
	num[0] += 1;
	den[0] = 2 * (FE_MASK + 1 - 19) + 1 - y[0];
	den[1] = 2 * FE_MASK - y[1];
	den[2] = 2 * FE_MASK - y[2];
	den[3] = 2 * FE_MASK - y[3];
	den[4] = 2 * FE_MASK - y[4];
	fe_invert(den, den);
	fe_mul(u, num, den);
	fe_tobytes(pub, u);
	return !wr_ct_is_zero(pub, WR_X25519_KEY_SIZE);
}

void
wr_x25519_public(uint8_t pub[WR_X25519_KEY_SIZE], const uint8_t priv[WR_X25519_KEY_SIZE])
{
	if (public_via_edwards(pub, priv))
		return;
	/* Only a zero scalar (after clamping: never) gives the identity; nothing to report. */
	if (crypto_scalarmult_base(pub, priv) != 0)
		wr_wipe(pub, WR_X25519_KEY_SIZE);
}

/*
 * Randomness without a system call each time (getrandom costs about half a microsecond, and a
 * handshake draws an ephemeral key and an index on each side): every thread draws 4 KiB from the
 * system CSPRNG at a time and hands out slices of it, wiping each slice as it leaves, so that a
 * later look at memory shows only bytes still to be handed out, never one already used.
 *
 * Fork: a child must never hand out its parent's bytes again. Its handler empties the pool of
 * the thread that forked, the only thread a child has. A raw clone() without fork()'s handlers
 * would keep the pool; nothing in wirerate does that.
 */
#define RANDOM_POOL_LEN 4096
/* larger requests (none on a hot path) go straight to the system */
#define RANDOM_POOL_MAX_TAKE 256

struct random_pool {
	uint8_t buf[RANDOM_POOL_LEN];
	size_t avail; /* the unused bytes are the last avail of buf */
};

static __thread struct random_pool pool;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void
pool_forget(void)
{
	sodium_memzero(&pool, sizeof(pool));
}

static void
pool_register(void)
{
	pthread_atfork(NULL, NULL, pool_forget);
}

static void
pool_take(void *p, size_t n)
{
	uint8_t *out = p, *src;
	size_t k;

	while (n) {
		if (pool.avail == 0) {
			/* before the first fill: no fork may copy a pool it cannot then empty */
			pthread_once(&pool_once, pool_register);
			randombytes_buf(pool.buf, sizeof(pool.buf));
			pool.avail = sizeof(pool.buf);
		}
		k = n < pool.avail ? n : pool.avail;
		src = pool.buf + sizeof(pool.buf) - pool.avail;
		memcpy(out, src, k);
		sodium_memzero(src, k);
		pool.avail -= k;
		out += k;
		n -= k;
	}
}

void
wr_x25519_generate(uint8_t priv[WR_X25519_KEY_SIZE])
{
	pool_take(priv, WR_X25519_KEY_SIZE);
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
	if (n > RANDOM_POOL_MAX_TAKE)
		randombytes_buf(p, n);
	else
		pool_take(p, n);
}

uint32_t
wr_random_u32(void)
{
	uint32_t v;

	pool_take(&v, sizeof(v));
	return v;
}
