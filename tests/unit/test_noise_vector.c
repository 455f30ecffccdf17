/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s vector of the cacophony test file (as shipped in
 * mcginty/snow, tests/vectors/cacophony.txt) run through the noise layer's steps, the very ones
 * WireGuard's initiation and response are built from: every handshake message byte, the vector's
 * handshake hash and the transport keys (checked through the four transport messages) must match.
 * Plus WireGuard's own initial chaining key and hash (PROTOCOL.md), and tampering checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_noise.h"

#include "wr_test.h"

struct vector {
	const char *name, *prologue, *psk, *init_static, *init_ephemeral, *init_remote_static,
		*resp_static, *resp_ephemeral, *handshake_hash;
	/* payload and ciphertext: two handshake messages, then four transport messages */
	const char *payload[6], *ciphertext[6];
};

static const struct vector vectors[] = {
	{
		.name = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s",
		.prologue = "4a6f686e2047616c74",
		.psk = "54686973206973206d7920417573747269616e20706572737065637469766521",
		.init_static = "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
		.init_ephemeral = "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
		.init_remote_static =
			"31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834f701b8f62",
		.resp_static = "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
		.resp_ephemeral = "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
		.handshake_hash =
			"fe20f6e898ad41a1f4290b0f0ff97261b9536f0d5d95f5237e2a322f0d784414",
		.payload = { "4c756477696720766f6e204d69736573", "4d757272617920526f746862617264",
			"462e20412e20486179656b", "4361726c204d656e676572",
			"4a65616e2d426170746973746520536179",
			"457567656e2042f6686d20766f6e2042617765726b" },
		.ciphertext = {
			"ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944001e21de9f"
			"98ddd8e2ad57527207feb56253c9c94a9e496782ecfcb2a75fbcaf1b52948cc48daefe660c"
			"62119ab5000980c84831215f2441eba616548e832985464cf17e51ee93109008399a21f7e1"
			"3f",
			"95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843cb765f2cae"
			"f0751b8f007572dab0322217755c0632f365717edbf34d33e87a",
			"8153ca9833bc3c1b91a7e66e5f4d4f5b59bf9e64c2f20d15f0bba7",
			"07af0c9c86e1b4e80f36b04ff7688d51141af3debd0332f0a705ef",
			"6ab1467c0448cc78394494abaaf23afce0e234315d6e2624dcbfa8a21c1c4d073d",
			"dfc346c0d2296ae6cf1acf6f12b8456a1dba228cf8d8b774aacf1c47fc53aa80ebc7a4c292",
		},
	},
};

static size_t
unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = strlen(hex) / 2, i;

	if (n > cap) {
		fprintf(stderr, "vector field too long\n");
		exit(2);
	}
	for (i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
	return n;
}

static bool
eq_hex(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[512];
	size_t n = unhex(want, sizeof(want), hex);

	return n == len && memcmp(got, want, len) == 0;
}

static void
run_vector(const struct vector *v)
{
	uint8_t prologue[64], psk[32], is[32], ie[32], irs[32], rs[32], re[32], ipub[32], rpub[32];
	uint8_t ck_i[32], h_i[32], ck_r[32], h_r[32], ss[32], got_rs[32], ck_e[32], h_e[32],
		epub[32];
	uint8_t pl[6][64], msg[256], m2[256], out[256], k1[32], k2[32], r1[32], r2[32];
	size_t plen[6], prlen, i;
	char what[160];

	printf("-- %s\n", v->name);
	prlen = unhex(prologue, sizeof(prologue), v->prologue);
	unhex(psk, 32, v->psk);
	unhex(is, 32, v->init_static);
	unhex(ie, 32, v->init_ephemeral);
	unhex(irs, 32, v->init_remote_static);
	unhex(rs, 32, v->resp_static);
	unhex(re, 32, v->resp_ephemeral);
	for (i = 0; i < 6; i++)
		plen[i] = unhex(pl[i], sizeof(pl[i]), v->payload[i]);
	wr_x25519_public(ipub, is);
	wr_x25519_public(rpub, rs);
	CHECK(memcmp(rpub, irs, 32) == 0, "initiator knows the responder's public key");

	/* message 1, initiator: -> e, es, s, ss */
	wr_noise_init(ck_i, h_i, prologue, prlen, irs);
	CHECK(wr_x25519(ss, is, irs) == 0, "initiator static-static DH");
	CHECK(wr_noise_ik_write1(ck_i, h_i, ie, ipub, irs, ss, pl[0], plen[0], msg) == 0,
		"write message 1");
	CHECK(eq_hex(msg, WR_NOISE_MSG1_LEN(plen[0]), v->ciphertext[0]),
		"message 1 bytes equal the vector");

	/* message 1, responder */
	wr_noise_init(ck_r, h_r, prologue, prlen, rpub);
	CHECK(wr_noise_ik_read1_static(ck_r, h_r, rs, msg, got_rs) == 0, "read message 1 static");
	CHECK(memcmp(got_rs, ipub, 32) == 0, "responder learns the initiator's static key");
	CHECK(wr_x25519(ss, rs, got_rs) == 0, "responder static-static DH");
	CHECK(wr_noise_ik_read1_payload(ck_r, h_r, ss, msg, plen[0], out) == 0 &&
			memcmp(out, pl[0], plen[0]) == 0,
		"read message 1 payload");

	/* message 2, responder: <- e, ee, se, psk */
	/*
	 * The file's handshake_hash is h right after message 2's "e" token (MixHash(e)), a quirk
	 * of the generator: replay that step on a copy, then let write2 do the whole message.
	 */
	memcpy(ck_e, ck_r, 32);
	memcpy(h_e, h_r, 32);
	wr_x25519_public(epub, re);
	wr_noise_mix_ephemeral(ck_e, h_e, epub);
	CHECK(eq_hex(h_e, 32, v->handshake_hash), "hash after message 2's e equals the vector");

	memcpy(m2, msg, sizeof(m2));
	CHECK(wr_noise_ik_write2(ck_r, h_r, re, m2, ipub, psk, pl[1], plen[1], msg) == 0,
		"write message 2");
	CHECK(eq_hex(msg, WR_NOISE_MSG2_LEN(plen[1]), v->ciphertext[1]),
		"message 2 bytes equal the vector");
	CHECK(wr_noise_ik_read2(ck_i, h_i, ie, is, psk, msg, plen[1], out) == 0 &&
			memcmp(out, pl[1], plen[1]) == 0,
		"read message 2 payload");

	CHECK(memcmp(h_i, h_r, 32) == 0, "both sides end with the same handshake hash");

	/* transport keys: Split(); the initiator sends with the first */
	wr_noise_split(k1, k2, ck_i);
	wr_noise_split(r1, r2, ck_r);
	CHECK(memcmp(k1, r1, 32) == 0 && memcmp(k2, r2, 32) == 0, "both sides split alike");
	for (i = 2; i < 6; i++) {
		/* messages alternate initiator, responder; each direction counts its nonces */
		const uint8_t *key = (i % 2 == 0) ? k1 : k2;
		uint64_t nonce = (i - 2) / 2;

		wr_aead_seal(out, pl[i], plen[i], NULL, 0, nonce, key);
		snprintf(what, sizeof(what), "transport message %zu (nonce %llu) equals the vector",
			i, (unsigned long long)nonce);
		CHECK(eq_hex(out, plen[i] + 16, v->ciphertext[i]), "%s", what);
	}
}

/* A flipped bit anywhere in message 1 or 2 must make the reader fail. */
static void
run_tamper(const struct vector *v)
{
	uint8_t prologue[64], psk[32], is[32], ie[32], rs[32], re[32], ipub[32], rpub[32];
	uint8_t ck[32], h[32], ss[32], got[32], m1[256], m2[256], t[256], out[256];
	size_t prlen = unhex(prologue, sizeof(prologue), v->prologue), i;
	int bad1 = 0, bad2 = 0;

	unhex(psk, 32, v->psk);
	unhex(is, 32, v->init_static);
	unhex(ie, 32, v->init_ephemeral);
	unhex(rs, 32, v->resp_static);
	unhex(re, 32, v->resp_ephemeral);
	wr_x25519_public(ipub, is);
	wr_x25519_public(rpub, rs);
	unhex(m1, sizeof(m1), v->ciphertext[0]);
	unhex(m2, sizeof(m2), v->ciphertext[1]);
	wr_x25519(ss, rs, ipub);

	for (i = 0; i < WR_NOISE_MSG1_LEN(16); i++) {
		memcpy(t, m1, sizeof(t));
		t[i] ^= 0x01;
		wr_noise_init(ck, h, prologue, prlen, rpub);
		if (wr_noise_ik_read1_static(ck, h, rs, t, got) == 0 &&
			wr_noise_ik_read1_payload(ck, h, ss, t, 16, out) == 0)
			bad1++;
	}
	CHECK(bad1 == 0, "every single-bit change of message 1 is rejected");

	for (i = 0; i < WR_NOISE_MSG2_LEN(15); i++) {
		uint8_t cki[32], hi[32], s2[32];

		memcpy(t, m2, sizeof(t));
		t[i] ^= 0x80;
		wr_noise_init(cki, hi, prologue, prlen, rpub);
		wr_x25519(s2, is, rpub);
		wr_noise_ik_write1(cki, hi, ie, ipub, rpub, s2, "Ludwig von Mises", 16, out);
		if (wr_noise_ik_read2(cki, hi, ie, is, psk, t, 15, out) == 0)
			bad2++;
	}
	CHECK(bad2 == 0, "every single-bit change of message 2 is rejected");
	(void)re;
}

/* PROTOCOL.md's C_i and H_i: WireGuard is this pattern with the identifier as prologue. */
static void
run_wireguard_constants(void)
{
	uint8_t ck[32], h[32];

	wr_blake2s(ck, 32, WR_CONSTRUCTION, strlen(WR_CONSTRUCTION), NULL, 0);
	memcpy(h, ck, 32);
	wr_noise_mix_hash(h, WR_IDENTIFIER, strlen(WR_IDENTIFIER));
	CHECK(eq_hex(ck, 32, "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36"),
		"WireGuard initial chaining key");
	CHECK(eq_hex(h, 32, "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3"),
		"WireGuard initial hash");
}

static void
run_tai64n(void)
{
	static const struct {
		uint64_t wall_ns;
		const char *want;
	} cases[] = {
		{ 0, "400000000000000a00000000" },
		{ 1700000000ULL * 1000000000ULL + 123456789, "400000006553f10a07000000" },
		{ 1ULL * 1000000000ULL + 999999999, "400000000000000b3b000000" },
	};
	uint8_t t[12];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wr_noise_tai64n(t, cases[i].wall_ns);
		CHECK(eq_hex(t, 12, cases[i].want), "TAI64N encoding (label 2^62+10, ns rounded)");
	}
}

int
main(void)
{
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (wr_crypto_init()) {
		fprintf(stderr, "crypto init failed\n");
		return 2;
	}
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		run_vector(&vectors[i]);
		run_tamper(&vectors[i]);
	}
	run_wireguard_constants();
	run_tai64n();
	printf("%u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
