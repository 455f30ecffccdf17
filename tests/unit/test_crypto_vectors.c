/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Known-answer tests for lib/crypto_simd's primitives: BLAKE2s (BLAKE2 reference KAT and the
 * RFC 7693 appendix E self-test), HMAC-BLAKE2s and KDF_n against their definitions, WireGuard's
 * initial chaining key and hash (all of these on every BLAKE2s backend the CPU runs, each of
 * which must also agree with the portable one on random states), X25519 (RFC 7748),
 * ChaCha20-Poly1305 (RFC 8439), XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha), and the
 * constant-time, wipe and random helpers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "blake2s_impl.h"
#include "wr_crypto.h"

#include "wr_test.h"

static size_t
unhex(uint8_t *out, size_t max, const char *hex)
{
	size_t n = 0;
	unsigned int v;

	while (hex[0] != '\0' && hex[1] != '\0') {
		if (n == max || sscanf(hex, "%2x", &v) != 1) {
			fprintf(stderr, "bad test vector hex near \"%.8s\"\n", hex);
			exit(2);
		}
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

static bool
eq_hex(const uint8_t *p, size_t n, const char *hex)
{
	uint8_t want[512];

	return unhex(want, sizeof(want), hex) == n && memcmp(p, want, n) == 0;
}

static void
seq(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)i;
}

/* ---- BLAKE2s ---- */

static const struct {
	const char *name;
	const char *in; /* text */
	const char *out;
} blake2s_text_vectors[] = {
	{ "empty", "", "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9" },
	{ "abc (RFC 7693 appendix B)", "abc",
		"508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982" },
};

/* BLAKE2 reference KAT (blake2s-kat.txt, keyed): key 00..1f, input 00..n-1. */
static const struct {
	size_t n;
	const char *out;
} blake2s_keyed_kat[] = {
	{ 0, "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49" },
	{ 1, "40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1" },
	{ 2, "6bb71300644cd3991b26ccd4d274acd1adeab8b1d7914546c1198bbe9fc9d803" },
	{ 78, "172ffc67153d12e0ca76a8b6cd5d4731885b39ce0cac93a8972a18006c8b8baf" },
	{ 164, "4f8ce1e51d2fe7f24043a904d898ebfc91975418753413aa099b795ecb35cedb" },
	{ 255, "3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd" },
};

/* RFC 7693 appendix E: deterministic test sequence. */
static void
selftest_seq(uint8_t *out, size_t len, uint32_t seed)
{
	uint32_t a = 0xdead4badu * seed, b = 1, t;
	size_t i;

	for (i = 0; i < len; i++) {
		t = a + b;
		a = b;
		b = t;
		out[i] = (uint8_t)(t >> 24);
	}
}

static void
test_blake2s(void)
{
	static const size_t md_len[] = { 16, 20, 28, 32 };
	static const size_t in_len[] = { 0, 3, 64, 65, 255, 1024 };
	uint8_t key[32], in[1024], out[32], ref[32];
	struct wr_blake2s_state s, all;
	unsigned int i, j, trial;

	printf("BLAKE2s: text vectors, keyed reference KAT, RFC 7693 self-test, random splits\n");
	for (i = 0; i < sizeof(blake2s_text_vectors) / sizeof(blake2s_text_vectors[0]); i++) {
		wr_blake2s(out, 32, blake2s_text_vectors[i].in, strlen(blake2s_text_vectors[i].in),
			NULL, 0);
		CHECK(eq_hex(out, 32, blake2s_text_vectors[i].out), "BLAKE2s(%s)",
			blake2s_text_vectors[i].name);
	}

	seq(key, sizeof(key));
	seq(in, 255);
	for (i = 0; i < sizeof(blake2s_keyed_kat) / sizeof(blake2s_keyed_kat[0]); i++) {
		wr_blake2s(out, 32, in, blake2s_keyed_kat[i].n, key, 32);
		CHECK(eq_hex(out, 32, blake2s_keyed_kat[i].out), "keyed KAT n=%zu",
			blake2s_keyed_kat[i].n);
	}

	/* Appendix E covers digest lengths 16..32, short keys and block boundaries. */
	wr_blake2s_init(&all, 32);
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 6; j++) {
			selftest_seq(in, in_len[j], (uint32_t)in_len[j]);
			wr_blake2s(out, md_len[i], in, in_len[j], NULL, 0);
			wr_blake2s_update(&all, out, md_len[i]);
			selftest_seq(key, md_len[i], (uint32_t)md_len[i]);
			wr_blake2s(out, md_len[i], in, in_len[j], key, md_len[i]);
			wr_blake2s_update(&all, out, md_len[i]);
		}
	}
	wr_blake2s_final(&all, out);
	CHECK(eq_hex(out, 32, "6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe"),
		"RFC 7693 appendix E self-test");

	/* Incremental updates split anywhere must equal the one-shot digest. */
	for (trial = 0; trial < 500; trial++) {
		size_t len = wr_random_u32() % sizeof(in), off = 0, keylen = wr_random_u32() % 33;

		wr_random(in, len);
		wr_random(key, keylen);
		wr_blake2s(ref, 32, in, len, key, keylen);
		if (keylen)
			wr_blake2s_init_key(&s, 32, key, keylen);
		else
			wr_blake2s_init(&s, 32);
		while (off < len) {
			size_t part = wr_random_u32() % (len - off + 1);

			wr_blake2s_update(&s, in + off, part);
			off += part;
		}
		wr_blake2s_final(&s, out);
		CHECK(memcmp(out, ref, 32) == 0, "split updates, len %zu keylen %zu", len, keylen);
		CHECK(wr_ct_is_zero(&s, sizeof(s)), "final wipes the state");
	}
}

/*
 * Each backend against the portable C one, on random chaining values, counters (some about to
 * carry into the high word) and finalisation flags, over one to five blocks.
 */
static void
test_blake2s_backend_agrees(enum wr_blake2s_impl impl)
{
	struct wr_blake2s_state ref, s;
	uint8_t in[5 * WR_BLAKE2S_BLOCK_SIZE];
	unsigned int trial;
	size_t nblocks;

	for (trial = 0; trial < 200; trial++) {
		memset(&ref, 0, sizeof(ref));
		wr_random(ref.h, sizeof(ref.h));
		wr_random(ref.t, sizeof(ref.t));
		if (trial % 4 == 0)
			ref.t[0] = 0xffffffffu - (wr_random_u32() % 256);
		ref.f[0] = trial % 2 ? UINT32_MAX : 0;
		ref.f[1] = trial % 3 ? 0 : UINT32_MAX;
		nblocks = 1 + wr_random_u32() % 5;
		wr_random(in, sizeof(in));
		s = ref;
		wr_blake2s_impl_set(WR_BLAKE2S_IMPL_SCALAR);
		wr_blake2s_compress_blocks(&ref, in, nblocks);
		wr_blake2s_impl_set(impl);
		wr_blake2s_compress_blocks(&s, in, nblocks);
		CHECK(memcmp(s.h, ref.h, sizeof(s.h)) == 0 && memcmp(s.t, ref.t, sizeof(s.t)) == 0,
			"%s agrees with scalar, trial %u, %zu blocks", wr_blake2s_impl_name(impl),
			trial, nblocks);
	}
	/* HMAC's pad blocks, the second being the first XOR 0x6a bytes, on random states */
	for (trial = 0; trial < 100; trial++) {
		struct wr_blake2s_state ref_out, s_out;
		uint8_t opad[WR_BLAKE2S_BLOCK_SIZE];
		unsigned int i;

		memset(&ref, 0, sizeof(ref));
		memset(&ref_out, 0, sizeof(ref_out));
		wr_random(ref.h, sizeof(ref.h));
		wr_random(ref_out.h, sizeof(ref_out.h));
		ref.t[0] = trial % 2 ? 0xffffffc0u : wr_random_u32();
		ref_out.t[0] = wr_random_u32();
		ref_out.t[1] = trial;
		wr_random(in, WR_BLAKE2S_BLOCK_SIZE);
		for (i = 0; i < WR_BLAKE2S_BLOCK_SIZE; i++)
			opad[i] = in[i] ^ 0x36 ^ 0x5c;
		s = ref;
		s_out = ref_out;
		wr_blake2s_impl_set(WR_BLAKE2S_IMPL_SCALAR);
		wr_blake2s_compress_blocks(&ref, in, 1);
		wr_blake2s_compress_blocks(&ref_out, opad, 1);
		wr_blake2s_impl_set(impl);
		wr_blake2s_hmac_pads(&s, &s_out, in);
		CHECK(memcmp(&s, &ref, sizeof(s)) == 0 && memcmp(&s_out, &ref_out, sizeof(s)) == 0,
			"%s HMAC pads, trial %u", wr_blake2s_impl_name(impl), trial);
	}
	/* the counter's carry, worked out by hand: 0xffffffc0 + 64 = 2^32 */
	memset(&s, 0, sizeof(s));
	s.t[0] = 0xffffffc0u;
	wr_blake2s_compress_blocks(&s, in, 1);
	CHECK(s.t[0] == 0 && s.t[1] == 1, "%s carries the counter", wr_blake2s_impl_name(impl));
}

/* ---- WireGuard's initial chaining key and hash (PROTOCOL.md) ---- */

static void
test_wireguard_initial(void)
{
	static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
	static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
	uint8_t ck[32], h[32];
	struct wr_blake2s_state s;

	printf("WireGuard: C_i = HASH(construction), H_i = HASH(C_i || identifier)\n");
	wr_blake2s(ck, 32, construction, strlen(construction), NULL, 0);
	CHECK(eq_hex(ck, 32, "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36"),
		"C_i");
	wr_blake2s_init(&s, 32);
	wr_blake2s_update(&s, ck, 32);
	wr_blake2s_update(&s, identifier, strlen(identifier));
	wr_blake2s_final(&s, h);
	CHECK(eq_hex(h, 32, "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3"),
		"H_i");
}

/* ---- HMAC-BLAKE2s and KDF ---- */

/* RFC 2104 written out on one buffer: HASH((K ^ opad) || HASH((K ^ ipad) || m)). */
static void
naive_hmac(uint8_t out[32], const uint8_t *key, size_t keylen, const uint8_t *m, size_t mlen)
{
	uint8_t k[64] = { 0 }, buf[64 + 2048], inner[32];
	size_t i;

	if (keylen > 64)
		wr_blake2s(k, 32, key, keylen, NULL, 0);
	else
		memcpy(k, key, keylen);
	for (i = 0; i < 64; i++)
		buf[i] = k[i] ^ 0x36;
	memcpy(buf + 64, m, mlen);
	wr_blake2s(inner, 32, buf, 64 + mlen, NULL, 0);
	for (i = 0; i < 64; i++)
		buf[i] = k[i] ^ 0x5c;
	memcpy(buf + 64, inner, 32);
	wr_blake2s(out, 32, buf, 64 + 32, NULL, 0);
}

static void
test_hmac_kdf(void)
{
	uint8_t key[100], m[2048], out[32], ref[32];
	uint8_t ck[32], prk[32], t[3][32], r[3][32], buf[33];
	unsigned int trial;

	printf("HMAC-BLAKE2s against RFC 2104 on one buffer; KDF_1..3 against their HMAC chains\n");
	for (trial = 0; trial < 300; trial++) {
		size_t keylen = wr_random_u32() % sizeof(key) + 1;
		size_t mlen = trial == 0 ? 0 : wr_random_u32() % 2048;

		wr_random(key, keylen);
		wr_random(m, mlen);
		wr_hmac_blake2s(out, key, keylen, m, mlen);
		naive_hmac(ref, key, keylen, m, mlen);
		CHECK(memcmp(out, ref, 32) == 0, "HMAC keylen %zu mlen %zu", keylen, mlen);
	}

	for (trial = 0; trial < 100; trial++) {
		/* the first with no input, as in the handshake's final Split() */
		size_t mlen = trial == 0 ? 0 : wr_random_u32() % 200;

		wr_random(ck, 32);
		wr_random(m, mlen);
		/* Noise section 4.3: temp = HMAC(ck, in); out_i = HMAC(temp, out_{i-1} || i). */
		wr_hmac_blake2s(prk, ck, 32, m, mlen);
		buf[0] = 1;
		wr_hmac_blake2s(r[0], prk, 32, buf, 1);
		memcpy(buf, r[0], 32);
		buf[32] = 2;
		wr_hmac_blake2s(r[1], prk, 32, buf, 33);
		memcpy(buf, r[1], 32);
		buf[32] = 3;
		wr_hmac_blake2s(r[2], prk, 32, buf, 33);

		wr_kdf(t[0], NULL, NULL, ck, m, mlen);
		CHECK(memcmp(t[0], r[0], 32) == 0, "KDF_1");
		wr_kdf(t[0], t[1], NULL, ck, m, mlen);
		CHECK(memcmp(t, r, 64) == 0, "KDF_2");
		wr_kdf(t[0], t[1], t[2], ck, m, mlen);
		CHECK(memcmp(t, r, 96) == 0, "KDF_3");
		/* The handshake writes the new chaining key over the old one. */
		memcpy(t[0], ck, 32);
		wr_kdf(t[0], t[1], NULL, t[0], m, mlen);
		CHECK(memcmp(t, r, 64) == 0, "KDF_2 with t1 aliasing ck");
	}
}

/* Everything built on BLAKE2s, once per backend; a backend the CPU lacks must be refused. */
static void
test_blake2s_backends(void)
{
	enum wr_blake2s_impl impl, chosen = wr_blake2s_impl_get(), best = WR_BLAKE2S_IMPL_SCALAR;

	if (wr_blake2s_impl_supported(WR_BLAKE2S_IMPL_AVX2))
		best = WR_BLAKE2S_IMPL_AVX2;
	else if (wr_blake2s_impl_supported(WR_BLAKE2S_IMPL_AVX))
		best = WR_BLAKE2S_IMPL_AVX;
	CHECK(chosen == best, "the fastest BLAKE2s backend is chosen at start (%s)",
		wr_blake2s_impl_name(chosen));
	CHECK(wr_blake2s_impl_supported(WR_BLAKE2S_IMPL_SCALAR), "scalar BLAKE2s always runs");
	CHECK(wr_blake2s_impl_set(WR_BLAKE2S_IMPL_COUNT) == -ENOTSUP, "no such backend");
	for (impl = 0; impl < WR_BLAKE2S_IMPL_COUNT; impl++) {
		if (!wr_blake2s_impl_supported(impl)) {
			printf("BLAKE2s backend %s: not on this CPU, skipped\n",
				wr_blake2s_impl_name(impl));
			CHECK(wr_blake2s_impl_set(impl) == -ENOTSUP, "%s refused",
				wr_blake2s_impl_name(impl));
			CHECK(wr_blake2s_impl_get() == chosen, "a refused backend changes nothing");
			continue;
		}
		printf("BLAKE2s backend %s\n", wr_blake2s_impl_name(impl));
		CHECK(wr_blake2s_impl_set(impl) == 0 && wr_blake2s_impl_get() == impl, "select %s",
			wr_blake2s_impl_name(impl));
		test_blake2s();
		test_wireguard_initial();
		test_hmac_kdf();
		test_blake2s_backend_agrees(impl);
	}
	wr_blake2s_impl_set(chosen);
}

/* ---- X25519 ---- */

static const struct {
	const char *name, *scalar, *point, *out;
} x25519_vectors[] = {
	{ "RFC 7748 5.2 #1", "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		"e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		"c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552" },
	{ "RFC 7748 5.2 #2", "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		"e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		"95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957" },
};

static void
test_x25519(void)
{
	static const char alice_priv[] =
		"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
	static const char alice_pub[] =
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
	static const char bob_priv[] =
		"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
	static const char bob_pub[] =
		"de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
	static const char shared[] =
		"4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
	/* Low-order points: 0, 1, and one of order 8. */
	static const char *const low_order[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	};
	uint8_t a[32], b[32], pa[32], pb[32], s1[32], s2[32], base[32] = { 9 };
	unsigned int i;

	printf("X25519: RFC 7748 5.2 and 6.1, low-order points refused, generated keys\n");
	for (i = 0; i < sizeof(x25519_vectors) / sizeof(x25519_vectors[0]); i++) {
		unhex(a, 32, x25519_vectors[i].scalar);
		unhex(b, 32, x25519_vectors[i].point);
		CHECK(wr_x25519(s1, a, b) == 0, "%s returns 0", x25519_vectors[i].name);
		CHECK(eq_hex(s1, 32, x25519_vectors[i].out), "%s", x25519_vectors[i].name);
	}

	unhex(a, 32, alice_priv);
	unhex(b, 32, bob_priv);
	wr_x25519_public(pa, a);
	wr_x25519_public(pb, b);
	CHECK(eq_hex(pa, 32, alice_pub), "6.1 Alice's public key");
	CHECK(eq_hex(pb, 32, bob_pub), "6.1 Bob's public key");
	CHECK(wr_x25519(s1, a, pb) == 0 && eq_hex(s1, 32, shared), "6.1 Alice's shared secret");
	CHECK(wr_x25519(s2, b, pa) == 0 && eq_hex(s2, 32, shared), "6.1 Bob's shared secret");

	for (i = 0; i < sizeof(low_order) / sizeof(low_order[0]); i++) {
		unhex(b, 32, low_order[i]);
		memset(s1, 0xaa, 32);
		CHECK(wr_x25519(s1, a, b) == -EINVAL, "low-order point %u refused", i);
		CHECK(wr_ct_is_zero(s1, 32), "low-order point %u leaves zeros", i);
	}

	for (i = 0; i < 20; i++) {
		wr_x25519_generate(a);
		wr_x25519_generate(b);
		CHECK((a[0] & 7) == 0 && (a[31] & 0xc0) == 0x40, "generated key is clamped");
		CHECK(memcmp(a, b, 32) != 0, "two generated keys differ");
		wr_x25519_public(pa, a);
		CHECK(wr_x25519(s1, a, base) == 0 && memcmp(s1, pa, 32) == 0,
			"public key is X25519(priv, 9)");
		wr_x25519_public(pb, b);
		CHECK(wr_x25519(s1, a, pb) == 0 && wr_x25519(s2, b, pa) == 0 &&
				memcmp(s1, s2, 32) == 0,
			"random Diffie-Hellman agrees");
	}

	/*
	 * wr_x25519_public() takes the Edwards curve's fixed-base path and maps the point back:
	 * it must agree with the ladder on X25519(priv, 9) for any 32 bytes, clamped or not, small
	 * scalars, and both settings of the bits X25519 ignores.
	 */
	for (i = 0; i < 3000; i++) {
		memset(a, 0, sizeof(a));
		if (i < 256)
			a[0] = (uint8_t)i;
		else if (i < 512)
			a[31] = (uint8_t)i;
		else
			wr_random(a, sizeof(a));
		wr_x25519_public(pa, a);
		CHECK(wr_x25519(s1, a, base) == 0 && memcmp(s1, pa, 32) == 0,
			"public key of scalar %u (%02x..%02x) is X25519(priv, 9)", i, a[0], a[31]);
	}
}

/* ---- ChaCha20-Poly1305 ---- */

static const char sunscreen_hex[] =
	"4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a20496620"
	"4920636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f722074686520667574757265"
	"2c2073756e73637265656e20776f756c642062652069742e";

static const char a5_key[] = "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0";
static const char a5_ad[] = "f33388860000000000004e91";
static const char a5_ct[] =
	"64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e38"
	"2d26b0bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f9"
	"82b1ff37c8559797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d"
	"46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04"
	"b3564eea1b422273f548271a0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049"
	"e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b";
static const char a5_tag[] = "eead9d67890cbb22392336fea1851f38";
static const char a5_pt[] =
	"496e7465726e65742d4472616674732061726520647261667420646f63756d656e74732076616c696420666f72"
	"2061206d6178696d756d206f6620736978206d6f6e74687320616e64206d617920626520757064617465642c20"
	"7265706c616365642c206f72206f62736f6c65746564206279206f7468657220646f63756d656e747320617420"
	"616e792074696d652e20497420697320696e617070726f70726961746520746f2075736520496e7465726e6574"
	"2d447261667473206173207265666572656e6365206d6174657269616c206f7220746f2063697465207468656d"
	"206f74686572207468616e206173202fe2809c776f726b20696e2070726f67726573732e2fe2809d";

static void
test_aead(void)
{
	uint8_t key[32], ad[16], pt[300], ct[316], out[316], nonce[12];
	size_t ptlen, adlen, ctlen, i;
	unsigned long long outlen;
	/* A.5's nonce 00000000 0102030405060708 is WireGuard's shape: le64 counter 0x0807...01. */
	const uint64_t a5_counter = 0x0807060504030201ull;

	printf("ChaCha20-Poly1305: RFC 8439 2.8.2 (libsodium) and A.5 (wr_aead_*), in place, "
	       "forgeries\n");
	/* 2.8.2's nonce starts 07000000, which WireGuard's nonce cannot express: check the library.
	 */
	unhex(key, 32, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
	unhex(nonce, 12, "070000004041424344454647");
	adlen = unhex(ad, sizeof(ad), "50515253c0c1c2c3c4c5c6c7");
	ptlen = unhex(pt, sizeof(pt), sunscreen_hex);
	crypto_aead_chacha20poly1305_ietf_encrypt(
		out, &outlen, pt, ptlen, ad, adlen, NULL, nonce, key);
	CHECK(outlen == ptlen + 16 &&
			eq_hex(out, outlen,
				"d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63d"
				"bea"
				"45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7"
				"f2"
				"d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4"
				"b7"
				"a9de576d26586cec64b61161ae10b594f09e26a7e902ecbd0600691"),
		"RFC 8439 2.8.2");

	unhex(key, 32, a5_key);
	adlen = unhex(ad, sizeof(ad), a5_ad);
	ctlen = unhex(ct, sizeof(ct), a5_ct);
	ctlen += unhex(ct + ctlen, sizeof(ct) - ctlen, a5_tag);
	ptlen = unhex(pt, sizeof(pt), a5_pt);
	CHECK(ctlen == 265 + 16 && ptlen == 265, "A.5 vector lengths");
	CHECK(wr_aead_open(out, ct, ctlen, ad, adlen, a5_counter, key), "A.5 opens");
	CHECK(memcmp(out, pt, ptlen) == 0, "A.5 plaintext");
	wr_aead_seal(out, pt, ptlen, ad, adlen, a5_counter, key);
	CHECK(memcmp(out, ct, ctlen) == 0, "A.5 seal gives the ciphertext and tag");
	/* In place, both ways. */
	memcpy(out, pt, ptlen);
	wr_aead_seal(out, out, ptlen, ad, adlen, a5_counter, key);
	CHECK(memcmp(out, ct, ctlen) == 0, "A.5 seal in place");
	CHECK(wr_aead_open(out, out, ctlen, ad, adlen, a5_counter, key) &&
			memcmp(out, pt, ptlen) == 0,
		"A.5 open in place");

	CHECK(!wr_aead_open(out, ct, ctlen, ad, adlen, a5_counter + 1, key), "wrong counter");
	CHECK(!wr_aead_open(out, ct, ctlen, ad, adlen - 1, a5_counter, key), "wrong AD");
	CHECK(!wr_aead_open(out, ct, 15, ad, adlen, a5_counter, key), "shorter than a tag");
	for (i = 0; i < ctlen * 8; i += 7) {
		memcpy(out, ct, ctlen);
		out[i / 8] ^= (uint8_t)(1u << (i % 8));
		CHECK(!wr_aead_open(out, out, ctlen, ad, adlen, a5_counter, key), "bit %zu flipped",
			i);
	}

	/* Empty payload (a keepalive): only a tag. */
	wr_aead_seal(out, NULL, 0, NULL, 0, 7, key);
	CHECK(wr_aead_open(pt, out, 16, NULL, 0, 7, key), "empty payload round trip");
	out[3] ^= 1;
	CHECK(!wr_aead_open(pt, out, 16, NULL, 0, 7, key), "empty payload forged tag");
}

static void
test_xaead(void)
{
	uint8_t key[32], nonce[24], ad[16], pt[128], out[160];
	size_t ptlen, adlen;

	printf("XChaCha20-Poly1305: draft-irtf-cfrg-xchacha A.3.1\n");
	unhex(key, 32, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
	unhex(nonce, 24, "404142434445464748494a4b4c4d4e4f5051525354555657");
	adlen = unhex(ad, sizeof(ad), "50515253c0c1c2c3c4c5c6c7");
	ptlen = unhex(pt, sizeof(pt), sunscreen_hex);
	wr_xaead_seal(out, pt, ptlen, ad, adlen, nonce, key);
	CHECK(eq_hex(out, ptlen + 16,
		      "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4a"
		      "a644"
		      "0bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1"
		      "bb9e"
		      "3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52ec0875924"
		      "c1c7"
		      "987947deafd8780acf49"),
		"A.3.1 seal");
	CHECK(wr_xaead_open(out, out, ptlen + 16, ad, adlen, nonce, key) &&
			memcmp(out, pt, ptlen) == 0,
		"A.3.1 open in place");
	wr_xaead_seal(out, pt, ptlen, ad, adlen, nonce, key);
	nonce[23] ^= 1;
	CHECK(!wr_xaead_open(pt, out, ptlen + 16, ad, adlen, nonce, key), "wrong nonce refused");
	CHECK(!wr_xaead_open(pt, out, 15, ad, adlen, nonce, key), "shorter than a tag");
}

/* ---- helpers ---- */

static void
test_helpers(void)
{
	uint8_t a[64], b[64], z[64] = { 0 };
	uint32_t first, x;
	unsigned int i, bit, same = 0;

	printf("helpers: ct_equal, ct_is_zero, wipe, random\n");
	wr_random(a, sizeof(a));
	memcpy(b, a, sizeof(a));
	CHECK(wr_ct_equal(a, b, sizeof(a)), "equal buffers");
	CHECK(wr_ct_equal(a, b, 0), "empty buffers are equal");
	for (i = 0; i < sizeof(a); i++) {
		for (bit = 0; bit < 8; bit++) {
			b[i] ^= (uint8_t)(1u << bit);
			CHECK(!wr_ct_equal(a, b, sizeof(a)), "byte %u bit %u differs", i, bit);
			b[i] ^= (uint8_t)(1u << bit);
		}
	}
	CHECK(wr_ct_is_zero(z, sizeof(z)), "zeros");
	for (i = 0; i < sizeof(z); i++) {
		z[i] = 0x80;
		CHECK(!wr_ct_is_zero(z, sizeof(z)), "non-zero byte %u", i);
		z[i] = 0;
	}

	memset(a, 0xa5, sizeof(a));
	wr_wipe(a + 1, sizeof(a) - 2);
	CHECK(a[0] == 0xa5 && a[63] == 0xa5 && wr_ct_is_zero(a + 1, sizeof(a) - 2),
		"wipe clears exactly its range");

	wr_random(a, sizeof(a));
	wr_random(b, sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0 && !wr_ct_is_zero(a, sizeof(a)), "random bytes vary");
	first = wr_random_u32();
	for (i = 0; i < 64; i++) {
		x = wr_random_u32();
		same += x == first;
	}
	CHECK(same < 64, "random u32 varies");
}

static void *
draw_thread(void *arg)
{
	wr_random(arg, 32);
	return NULL;
}

/*
 * wr_random() and wr_x25519_generate() hand out slices of a per-thread buffer: slices never
 * repeat across its refills, another thread's differ, and a forked child, which starts with a
 * copy of the parent's buffer, must not hand out the bytes the parent will.
 */
static void
test_random_pool(void)
{
	static uint8_t keys[600][32];
	uint8_t mine[32], theirs[32] = { 0 }, other[32];
	unsigned int i, j, dup = 0;
	pthread_t th;
	int fds[2], status = -1;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	printf("random: buffered slices distinct across refills, per thread, after fork\n");
	/* 600 x 32 bytes and 600 x 5 between: several 4 KiB refills, slices straddling them */
	for (i = 0; i < 600; i++) {
		wr_x25519_generate(keys[i]);
		wr_random(other, 5);
	}
	for (i = 0; i < 600; i++)
		for (j = 0; j < i; j++)
			dup += memcmp(keys[i], keys[j], 32) == 0;
	CHECK(dup == 0, "%u repeated keys in 600", dup);

	wr_random(mine, sizeof(mine));
	CHECK(pthread_create(&th, NULL, draw_thread, other) == 0 && pthread_join(th, NULL) == 0,
		"thread ran");
	wr_random(theirs, sizeof(theirs));
	CHECK(memcmp(other, mine, 32) != 0 && memcmp(other, theirs, 32) != 0,
		"another thread's bytes differ");

	/* the pool holds unused bytes now, and the child gets a copy of them */
	wr_random(mine, 1);
	if (pipe(fds) != 0) {
		CHECK(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		wr_random(mine, sizeof(mine));
		_exit(write(fds[1], mine, sizeof(mine)) == (ssize_t)sizeof(mine) ? 0 : 1);
	}
	CHECK(pid > 0, "fork");
	wr_random(mine, sizeof(mine));
	close(fds[1]);
	while (pid > 0 && got < sizeof(theirs) &&
		(r = read(fds[0], theirs + got, sizeof(theirs) - got)) > 0)
		got += (size_t)r;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	CHECK(got == sizeof(theirs) && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"child drew and reported");
	CHECK(memcmp(mine, theirs, sizeof(mine)) != 0, "a forked child's bytes differ");
	wr_wipe(mine, sizeof(mine));
	wr_wipe(keys, sizeof(keys));
}

int
main(void)
{
	if (wr_crypto_init() != 0) {
		printf("FAIL: wr_crypto_init\n");
		return 1;
	}
	CHECK(wr_crypto_init() == 0, "wr_crypto_init is idempotent");
	test_blake2s_backends();
	test_x25519();
	test_aead();
	test_xaead();
	test_helpers();
	test_random_pool();
	printf("%u checks, %u failed\n", checks, failures);
	return failures ? 1 : 0;
}
