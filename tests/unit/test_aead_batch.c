/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The batched AEAD (wr_aead_batch.h): every backend this CPU supports against libsodium and
 * against each other (seal and open), on a fixed vector, random bursts, in place and out of place,
 * single-bit forgeries, mixed bursts with corrupted ops, bursts longer than WR_AEAD_BURST_MAX, and
 * backend selection by name and by WR_AEAD_BACKEND (also as this test was started: meson runs it
 * once more with WR_AEAD_BACKEND=generic). A failed open must leave no plaintext in its output.
 * The intel-ipsec-mb backends must fail closed when the library hands back fewer jobs than it
 * was given (a fault injected through wr_aead_imb_test_fault()). Backends this CPU cannot run
 * are skipped with a notice.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "aead_backend.h" /* wr_aead_imb_test_fault() */
#include "wr_aead_batch.h"

#define MAX_LEN 9216
#define BIG_BURST 150

#include "wr_test.h"

/* One packet with its own exactly sized heap buffers, so ASan sees any overrun. */
struct pkt {
	uint8_t key[WR_AEAD_KEY_SIZE];
	uint64_t counter;
	uint32_t len;
	uint8_t *pt;                   /* the plaintext */
	uint8_t *ct;                   /* libsodium's ciphertext */
	uint8_t tag[WR_AEAD_TAG_SIZE]; /* libsodium's tag */
	uint8_t *buf;                  /* the backend's output */
	uint8_t out_tag[WR_AEAD_TAG_SIZE];
};

static void *
xmalloc(size_t n)
{
	/* malloc(0) may return NULL; the API takes a valid pointer for an empty payload. */
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		perror("malloc");
		exit(2);
	}
	return p;
}

/* The reference: libsodium's one-shot detached API with WireGuard's nonce, written out here. */
static void
ref_seal(struct pkt *p)
{
	uint8_t nonce[12] = { 0 };
	unsigned int i;

	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(p->counter >> (8 * i));
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(
		p->ct, p->tag, NULL, p->pt, p->len, NULL, 0, NULL, nonce, p->key);
}

static void
pkt_init(struct pkt *p, uint32_t len)
{
	memset(p, 0, sizeof(*p));
	wr_random(p->key, sizeof(p->key));
	wr_random(&p->counter, sizeof(p->counter));
	p->len = len;
	p->pt = xmalloc(len);
	p->ct = xmalloc(len);
	p->buf = xmalloc(len);
	wr_random(p->pt, len);
	ref_seal(p);
}

static void
pkt_free(struct pkt *p)
{
	free(p->pt);
	free(p->ct);
	free(p->buf);
}

/* A random length biased towards the edges: 0, around 16/64 multiples, MTU, jumbo. */
static uint32_t
random_len(void)
{
	static const uint32_t edges[] = { 0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256,
		511, 1420, 1440, 1500, 4096, 9000, MAX_LEN - 1, MAX_LEN };
	uint32_t r = wr_random_u32();

	if (r % 3 == 0)
		return edges[(r / 3) % (sizeof(edges) / sizeof(edges[0]))];
	return wr_random_u32() % (MAX_LEN + 1);
}

static void
seal_op(struct wr_aead_op *op, struct pkt *p, bool in_place)
{
	if (in_place)
		memcpy(p->buf, p->pt, p->len);
	op->key = p->key;
	op->counter = p->counter;
	op->src = in_place ? p->buf : p->pt;
	op->dst = p->buf;
	op->tag = p->out_tag;
	op->len = p->len;
	op->status = 12345;
}

static void
open_op(struct wr_aead_op *op, struct pkt *p, bool in_place)
{
	memcpy(p->out_tag, p->tag, WR_AEAD_TAG_SIZE);
	if (in_place)
		memcpy(p->buf, p->ct, p->len);
	op->key = p->key;
	op->counter = p->counter;
	op->src = in_place ? p->buf : p->ct;
	op->dst = p->buf;
	op->tag = p->out_tag;
	op->len = p->len;
	op->status = 12345;
}

/* Whether @p len bytes at @p p are all zero: what a failed open leaves, never plaintext. */
static bool
is_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

/* ---- a fixed vector ---- */

static void
test_vector(struct wr_aead_ctx *ctx, const char *name)
{
	/*
	 * RFC 8439 A.5's key and WireGuard-shaped nonce (00000000 0102030405060708) with its
	 * plaintext's first 64 bytes and no AAD (the batch API has none); the expected output is
	 * libsodium's, as A.5 itself has AAD. test_crypto_vectors checks libsodium against A.5.
	 */
	static const uint8_t key[32] = { 0x1c, 0x92, 0x40, 0xa5, 0xeb, 0x55, 0xd3, 0x8a, 0xf3, 0x33,
		0x88, 0x86, 0x04, 0xf6, 0xb5, 0xf0, 0x47, 0x39, 0x17, 0xc1, 0x40, 0x2b, 0x80, 0x09,
		0x9d, 0xca, 0x5c, 0xbc, 0x20, 0x70, 0x75, 0xc0 };
	static const char text[] =
		"Internet-Drafts are draft documents valid for a maximum of six months";
	struct pkt p;
	struct wr_aead_op op;

	memset(&p, 0, sizeof(p));
	memcpy(p.key, key, sizeof(key));
	p.counter = 0x0807060504030201ull;
	p.len = 64;
	p.pt = xmalloc(64);
	p.ct = xmalloc(64);
	p.buf = xmalloc(64);
	memcpy(p.pt, text, 64);
	ref_seal(&p);

	seal_op(&op, &p, false);
	CHECK(wr_aead_seal_burst(ctx, &op, 1) == 1 && op.status == 0, "%s: vector seal", name);
	CHECK(memcmp(p.buf, p.ct, 64) == 0 && memcmp(p.out_tag, p.tag, 16) == 0,
		"%s: vector ciphertext and tag", name);
	open_op(&op, &p, false);
	CHECK(wr_aead_open_burst(ctx, &op, 1) == 1 && op.status == 0, "%s: vector open", name);
	CHECK(memcmp(p.buf, p.pt, 64) == 0, "%s: vector plaintext", name);
	pkt_free(&p);
}

/* ---- random bursts against libsodium ---- */

static void
test_random(struct wr_aead_ctx *ctx, const char *name)
{
	struct pkt p[BIG_BURST];
	struct wr_aead_op ops[BIG_BURST];
	unsigned int round, i, n, bad;
	bool in_place;

	for (round = 0; round < 60; round++) {
		n = 1 + wr_random_u32() % BIG_BURST;
		in_place = round & 1;
		for (i = 0; i < n; i++) {
			pkt_init(&p[i], random_len());
			seal_op(&ops[i], &p[i], in_place);
		}
		CHECK(wr_aead_seal_burst(ctx, ops, n) == n, "%s: seal returns n", name);
		for (i = 0, bad = 0; i < n; i++)
			bad += ops[i].status != 0 || memcmp(p[i].buf, p[i].ct, p[i].len) != 0 ||
			       memcmp(p[i].out_tag, p[i].tag, 16) != 0;
		CHECK(bad == 0, "%s: %u of %u random seals (%s) differ from libsodium", name, bad,
			n, in_place ? "in place" : "out of place");

		for (i = 0; i < n; i++)
			open_op(&ops[i], &p[i], in_place);
		CHECK(wr_aead_open_burst(ctx, ops, n) == n, "%s: open returns n", name);
		for (i = 0, bad = 0; i < n; i++)
			bad += ops[i].status != 0 || memcmp(p[i].buf, p[i].pt, p[i].len) != 0;
		CHECK(bad == 0, "%s: %u of %u random opens (%s) wrong", name, bad, n,
			in_place ? "in place" : "out of place");
		for (i = 0; i < n; i++)
			pkt_free(&p[i]);
	}
}

/* ---- forgeries ---- */

static void
test_bit_flips(struct wr_aead_ctx *ctx, const char *name)
{
	static const uint32_t lens[] = { 0, 1, 17, 64, 100 };
	struct wr_aead_op op;
	struct pkt p;
	unsigned int l, bit, accepted, left;

	for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		pkt_init(&p, lens[l]);
		accepted = 0;
		left = 0;
		for (bit = 0; bit < (lens[l] + WR_AEAD_TAG_SIZE) * 8; bit++) {
			open_op(&op, &p, true);
			if (bit < lens[l] * 8)
				p.buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			else
				p.out_tag[bit / 8 - lens[l]] ^= (uint8_t)(1u << (bit % 8));
			accepted += wr_aead_open_burst(ctx, &op, 1) != 0 || op.status != -EBADMSG;
			/* in place: neither plaintext nor the ciphertext is left */
			left += !is_zero(p.buf, lens[l]);
		}
		CHECK(accepted == 0, "%s: %u of %u single-bit flips accepted at length %u", name,
			accepted, (lens[l] + WR_AEAD_TAG_SIZE) * 8, lens[l]);
		CHECK(left == 0, "%s: %u refused flips left bytes in the buffer at length %u", name,
			left, lens[l]);
		/* A wrong counter or key is a forgery too. */
		/* out of place, the output a caller preset (here: the plaintext) is wiped too */
		open_op(&op, &p, false);
		op.counter++;
		memcpy(p.buf, p.pt, lens[l]);
		CHECK(wr_aead_open_burst(ctx, &op, 1) == 0 && op.status == -EBADMSG &&
				is_zero(p.buf, lens[l]),
			"%s: wrong counter refused, no plaintext left, at length %u", name,
			lens[l]);
		open_op(&op, &p, false);
		p.key[5] ^= 0x40;
		memcpy(p.buf, p.pt, lens[l]);
		CHECK(wr_aead_open_burst(ctx, &op, 1) == 0 && op.status == -EBADMSG &&
				is_zero(p.buf, lens[l]),
			"%s: wrong key refused, no plaintext left, at length %u", name, lens[l]);
		pkt_free(&p);
	}
}

/* Mixed lengths and keys, some ops corrupted: each status says which, the rest still open. */
static void
test_mixed_corrupt(struct wr_aead_ctx *ctx, const char *name)
{
	static const unsigned int sizes[] = { 1, 7, WR_AEAD_BURST_MAX - 1, WR_AEAD_BURST_MAX,
		WR_AEAD_BURST_MAX + 1, 2 * WR_AEAD_BURST_MAX, BIG_BURST };
	struct pkt p[BIG_BURST];
	struct wr_aead_op ops[BIG_BURST];
	bool corrupt[BIG_BURST];
	unsigned int s, i, n, want_ok, got_ok, wrong;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		n = sizes[s];
		want_ok = 0;
		for (i = 0; i < n; i++) {
			pkt_init(&p[i], random_len());
			open_op(&ops[i], &p[i], i % 2);
			corrupt[i] = wr_random_u32() % 4 == 0;
			if (corrupt[i]) {
				/* Flip a bit of the payload, or of the tag when there is none. */
				uint32_t at = wr_random_u32() % (p[i].len + WR_AEAD_TAG_SIZE);

				if (at < p[i].len && ops[i].src == p[i].buf)
					p[i].buf[at] ^= 0x01;
				else
					p[i].out_tag[at % WR_AEAD_TAG_SIZE] ^= 0x80;
			} else {
				want_ok++;
			}
		}
		got_ok = wr_aead_open_burst(ctx, ops, n);
		CHECK(got_ok == want_ok, "%s: burst of %u: %u authenticated, want %u", name, n,
			got_ok, want_ok);
		for (i = 0, wrong = 0; i < n; i++) {
			if (corrupt[i])
				wrong += ops[i].status != -EBADMSG || !is_zero(p[i].buf, p[i].len);
			else
				wrong += ops[i].status != 0 ||
					 memcmp(p[i].buf, p[i].pt, p[i].len) != 0;
		}
		CHECK(wrong == 0, "%s: burst of %u: %u ops with a wrong status or output", name, n,
			wrong);
		for (i = 0; i < n; i++)
			pkt_free(&p[i]);
	}
}

/*
 * A library fault: the manager hands back fewer jobs than it was given, the last LOST of a burst,
 * having run them (@p ran: their outputs are written) or not. No op may keep the status its
 * caller left (0 here, the worst one), none may say success unchecked, and no plaintext may be
 * left where an op failed: in place, a lost op's input may no longer be what it was, so it may
 * fail; out of place, libsodium must redo them all. The manager must work again afterwards.
 */
static void
test_imb_fault(struct wr_aead_ctx *ctx, const char *name, bool ran)
{
	enum { N = 10, LOST = 3, FORGED = N - 2 };
	const char *how = ran ? "run, not handed back" : "never run";
	struct pkt p[N];
	struct wr_aead_op ops[N];
	unsigned int i, in_place, got, ok, wrong;

	for (in_place = 0; in_place < 2; in_place++) {
		const char *where = in_place ? "in place" : "out of place";

		for (i = 0; i < N; i++)
			pkt_init(&p[i], 64 + 97 * i);
		for (i = 0; i < N; i++) {
			open_op(&ops[i], &p[i], in_place);
			ops[i].status = 0;
		}
		/* a forgery among the jobs the fault loses */
		p[FORGED].out_tag[3] ^= 0x10;
		wr_aead_imb_test_fault(LOST, ran);
		got = wr_aead_open_burst(ctx, ops, N);
		wr_aead_imb_test_fault(0, false);
		for (i = 0, ok = 0, wrong = 0; i < N; i++) {
			bool opened = ops[i].status == 0 && i != FORGED &&
				      memcmp(p[i].buf, p[i].pt, p[i].len) == 0;
			bool refused = ops[i].status == -EBADMSG && is_zero(p[i].buf, p[i].len);

			ok += ops[i].status == 0;
			wrong += !opened && !refused;
			/* out of place the input is intact: only the forgery may fail */
			wrong += !in_place && i != FORGED && !opened;
		}
		CHECK(wrong == 0 && got == ok && ok >= N - LOST,
			"%s: open %s, %u jobs %s: %u wrong, %u say authenticated, %u returned",
			name, where, LOST, how, wrong, ok, got);

		for (i = 0; i < N; i++) {
			seal_op(&ops[i], &p[i], in_place);
			ops[i].status = 0;
		}
		wr_aead_imb_test_fault(LOST, ran);
		got = wr_aead_seal_burst(ctx, ops, N);
		wr_aead_imb_test_fault(0, false);
		for (i = 0, ok = 0, wrong = 0; i < N; i++) {
			bool sealed = ops[i].status == 0 &&
				      memcmp(p[i].buf, p[i].ct, p[i].len) == 0 &&
				      memcmp(p[i].out_tag, p[i].tag, WR_AEAD_TAG_SIZE) == 0;
			bool failed = ops[i].status == -EIO && is_zero(p[i].buf, p[i].len) &&
				      is_zero(p[i].out_tag, WR_AEAD_TAG_SIZE);

			ok += ops[i].status == 0;
			wrong += !sealed && !failed;
			wrong += !in_place && !sealed;
		}
		CHECK(wrong == 0 && got == ok && ok >= N - LOST,
			"%s: seal %s, %u jobs %s: %u wrong, %u say sealed, %u returned", name,
			where, LOST, how, wrong, ok, got);
		for (i = 0; i < N; i++)
			pkt_free(&p[i]);
	}
	/* nothing of the faulty bursts stayed in the manager */
	test_vector(ctx, name);
	test_random(ctx, name);
}

/*
 * Every backend must give the same bytes as every other on the same random burst: sealing it,
 * and opening generic's ciphertexts, a quarter of them with a corrupted tag (statuses and
 * outputs alike, failed ones included).
 */
static void
test_cross_backend(void)
{
	struct wr_aead_ctx *ctx[WR_AEAD_BACKEND_COUNT] = { NULL };
	uint8_t *out[WR_AEAD_BACKEND_COUNT][WR_AEAD_BURST_MAX];
	uint8_t *plain[WR_AEAD_BACKEND_COUNT][WR_AEAD_BURST_MAX];
	uint8_t tags[WR_AEAD_BACKEND_COUNT][WR_AEAD_BURST_MAX][16];
	int status[WR_AEAD_BACKEND_COUNT][WR_AEAD_BURST_MAX];
	unsigned int opened[WR_AEAD_BACKEND_COUNT];
	bool forged[WR_AEAD_BURST_MAX];
	struct wr_aead_op ops[WR_AEAD_BURST_MAX];
	struct pkt p[WR_AEAD_BURST_MAX];
	unsigned int b, i, round, n, diff, nctx = 0;

	printf("cross-backend equality on random bursts\n");
	for (b = WR_AEAD_GENERIC; b < WR_AEAD_BACKEND_COUNT; b++)
		if (wr_aead_backend_supported(b))
			nctx += (ctx[b] = wr_aead_ctx_create(b)) != NULL;
	for (round = 0; round < 20; round++) {
		n = 1 + wr_random_u32() % WR_AEAD_BURST_MAX;
		for (i = 0; i < n; i++)
			pkt_init(&p[i], random_len());
		for (b = WR_AEAD_GENERIC; b < WR_AEAD_BACKEND_COUNT; b++) {
			if (ctx[b] == NULL)
				continue;
			for (i = 0; i < n; i++) {
				out[b][i] = xmalloc(p[i].len);
				seal_op(&ops[i], &p[i], false);
				ops[i].dst = out[b][i];
				ops[i].tag = tags[b][i];
			}
			wr_aead_seal_burst(ctx[b], ops, n);
		}
		for (b = WR_AEAD_GENERIC + 1; b < WR_AEAD_BACKEND_COUNT; b++) {
			if (ctx[b] == NULL)
				continue;
			for (i = 0, diff = 0; i < n; i++)
				diff += memcmp(out[b][i], out[WR_AEAD_GENERIC][i], p[i].len) != 0 ||
					memcmp(tags[b][i], tags[WR_AEAD_GENERIC][i], 16) != 0;
			CHECK(diff == 0, "%s seals differ from generic on %u of %u ops",
				wr_aead_backend_name(b), diff, n);
		}

		for (i = 0; i < n; i++) {
			forged[i] = wr_random_u32() % 4 == 0;
			if (forged[i])
				tags[WR_AEAD_GENERIC][i][wr_random_u32() % 16] ^= 0x01;
		}
		for (b = WR_AEAD_GENERIC; b < WR_AEAD_BACKEND_COUNT; b++) {
			if (ctx[b] == NULL)
				continue;
			for (i = 0; i < n; i++) {
				plain[b][i] = xmalloc(p[i].len);
				open_op(&ops[i], &p[i], false);
				ops[i].src = out[WR_AEAD_GENERIC][i];
				ops[i].dst = plain[b][i];
				ops[i].tag = tags[WR_AEAD_GENERIC][i];
			}
			opened[b] = wr_aead_open_burst(ctx[b], ops, n);
			for (i = 0; i < n; i++)
				status[b][i] = ops[i].status;
		}
		for (i = 0, diff = 0; i < n; i++)
			diff += forged[i] ? status[WR_AEAD_GENERIC][i] != -EBADMSG
					  : status[WR_AEAD_GENERIC][i] != 0 ||
						    memcmp(plain[WR_AEAD_GENERIC][i], p[i].pt,
							    p[i].len) != 0;
		CHECK(diff == 0, "generic opens its own seals wrongly on %u of %u ops", diff, n);
		for (b = WR_AEAD_GENERIC + 1; b < WR_AEAD_BACKEND_COUNT; b++) {
			if (ctx[b] == NULL)
				continue;
			for (i = 0, diff = 0; i < n; i++)
				diff += status[b][i] != status[WR_AEAD_GENERIC][i] ||
					memcmp(plain[b][i], plain[WR_AEAD_GENERIC][i], p[i].len) !=
						0;
			CHECK(diff == 0 && opened[b] == opened[WR_AEAD_GENERIC],
				"%s opens differ from generic on %u of %u ops (%u vs %u "
				"authenticated)",
				wr_aead_backend_name(b), diff, n, opened[b],
				opened[WR_AEAD_GENERIC]);
		}
		for (b = WR_AEAD_GENERIC; b < WR_AEAD_BACKEND_COUNT; b++) {
			for (i = 0; ctx[b] != NULL && i < n; i++) {
				free(out[b][i]);
				free(plain[b][i]);
			}
		}
		for (i = 0; i < n; i++)
			pkt_free(&p[i]);
	}
	printf("  compared %u backends\n", nctx);
	for (b = 0; b < WR_AEAD_BACKEND_COUNT; b++)
		wr_aead_ctx_free(ctx[b]);
}

/* ---- selection ---- */

static void
test_selection(void)
{
	const char *env0 = getenv("WR_AEAD_BACKEND");
	char *saved = env0 != NULL ? strdup(env0) : NULL;
	struct wr_aead_ctx *ctx;
	enum wr_aead_backend best;
	unsigned int b;

	printf("backend names, parsing, WR_AEAD_BACKEND override\n");
	CHECK(wr_aead_backend_parse("auto") == WR_AEAD_AUTO, "parse auto");
	CHECK(wr_aead_backend_parse("generic") == WR_AEAD_GENERIC, "parse generic");
	CHECK(wr_aead_backend_parse("imb-avx2") == WR_AEAD_IMB_AVX2, "parse imb-avx2");
	CHECK(wr_aead_backend_parse("imb-avx512") == WR_AEAD_IMB_AVX512, "parse imb-avx512");
	CHECK(wr_aead_backend_parse("IMB-AVX2") == -EINVAL, "names are case-sensitive");
	CHECK(wr_aead_backend_parse("") == -EINVAL, "empty name");
	CHECK(wr_aead_backend_parse("avx2") == -EINVAL, "unknown name");
	CHECK(wr_aead_backend_parse(NULL) == -EINVAL, "NULL name");
	for (b = 0; b < WR_AEAD_BACKEND_COUNT; b++)
		CHECK(wr_aead_backend_parse(wr_aead_backend_name(b)) == (int)b,
			"name of %u parses back", b);
	CHECK(wr_aead_backend_supported(WR_AEAD_GENERIC), "generic runs everywhere");
	CHECK(!wr_aead_backend_supported(WR_AEAD_AUTO), "auto is not a backend");
	CHECK(!wr_aead_backend_supported(WR_AEAD_BACKEND_COUNT), "out of range");

	unsetenv("WR_AEAD_BACKEND");
	best = wr_aead_backend_default();
	CHECK(best != WR_AEAD_AUTO && wr_aead_backend_supported(best), "default is supported");
	for (b = WR_AEAD_GENERIC; b < WR_AEAD_BACKEND_COUNT; b++) {
		if (!wr_aead_backend_supported(b))
			continue;
		setenv("WR_AEAD_BACKEND", wr_aead_backend_name(b), 1);
		CHECK(wr_aead_backend_default() == b, "WR_AEAD_BACKEND=%s picks it",
			wr_aead_backend_name(b));
		ctx = wr_aead_ctx_create(WR_AEAD_AUTO);
		CHECK(ctx != NULL && wr_aead_ctx_backend(ctx) == b, "auto context under %s",
			wr_aead_backend_name(b));
		wr_aead_ctx_free(ctx);
		/* An explicit choice wins over the environment. */
		ctx = wr_aead_ctx_create(WR_AEAD_GENERIC);
		CHECK(ctx != NULL && wr_aead_ctx_backend(ctx) == WR_AEAD_GENERIC,
			"explicit generic under WR_AEAD_BACKEND=%s", wr_aead_backend_name(b));
		wr_aead_ctx_free(ctx);
	}
	setenv("WR_AEAD_BACKEND", "no-such-backend", 1);
	CHECK(wr_aead_backend_default() == best, "unknown WR_AEAD_BACKEND falls back to the best");
	setenv("WR_AEAD_BACKEND", "auto", 1);
	CHECK(wr_aead_backend_default() == best, "WR_AEAD_BACKEND=auto is the best");
	for (b = WR_AEAD_GENERIC; b < WR_AEAD_BACKEND_COUNT; b++) {
		if (wr_aead_backend_supported(b))
			continue;
		setenv("WR_AEAD_BACKEND", wr_aead_backend_name(b), 1);
		CHECK(wr_aead_backend_default() == best, "unsupported %s falls back to the best",
			wr_aead_backend_name(b));
		errno = 0;
		ctx = wr_aead_ctx_create(b);
		CHECK(ctx == NULL && errno == ENOTSUP, "creating unsupported %s fails with ENOTSUP",
			wr_aead_backend_name(b));
	}
	/* as the test was started: the auto test after this one runs under it */
	if (saved != NULL)
		setenv("WR_AEAD_BACKEND", saved, 1);
	else
		unsetenv("WR_AEAD_BACKEND");
	free(saved);
}

/*
 * WR_AEAD_AUTO under the environment this test was started in (meson runs it once more with
 * WR_AEAD_BACKEND=generic): the backend the variable names if it runs here, else the best; a
 * context of it seals and opens the fixed vector.
 */
static void
test_auto(void)
{
	const char *env = getenv("WR_AEAD_BACKEND");
	int named = env != NULL && *env != '\0' ? wr_aead_backend_parse(env) : WR_AEAD_AUTO;
	struct wr_aead_ctx *ctx = wr_aead_ctx_create(WR_AEAD_AUTO);
	enum wr_aead_backend got;

	printf("auto under WR_AEAD_BACKEND=%s\n", env != NULL ? env : "(unset)");
	CHECK(ctx != NULL, "auto context: %s", strerror(errno));
	if (ctx == NULL)
		return;
	got = wr_aead_ctx_backend(ctx);
	if (named > WR_AEAD_AUTO && wr_aead_backend_supported((enum wr_aead_backend)named))
		CHECK(got == (enum wr_aead_backend)named, "auto is %s, not the %s named",
			wr_aead_backend_name(got), env);
	else
		CHECK(got == wr_aead_backend_default(), "auto is %s, not the best",
			wr_aead_backend_name(got));
	printf("  auto is %s\n", wr_aead_backend_name(got));
	test_vector(ctx, "auto");
	wr_aead_ctx_free(ctx);
}

int
main(void)
{
	struct wr_aead_ctx *ctx;
	unsigned int b, tested = 0;

	if (wr_crypto_init() != 0) {
		printf("FAIL: wr_crypto_init\n");
		return 1;
	}
	test_selection();
	test_auto();
	for (b = WR_AEAD_GENERIC; b < WR_AEAD_BACKEND_COUNT; b++) {
		const char *name = wr_aead_backend_name(b);

		if (!wr_aead_backend_supported(b)) {
			printf("SKIP backend %s: not supported on this CPU or build\n", name);
			continue;
		}
		ctx = wr_aead_ctx_create(b);
		CHECK(ctx != NULL, "create %s: %s", name, strerror(errno));
		if (ctx == NULL)
			continue;
		CHECK(wr_aead_ctx_backend(ctx) == b, "%s context reports its backend", name);
		printf("backend %s: vector, random bursts, bit flips, mixed corrupt bursts%s\n",
			name, b != WR_AEAD_GENERIC ? ", library faults" : "");
		test_vector(ctx, name);
		test_random(ctx, name);
		test_bit_flips(ctx, name);
		test_mixed_corrupt(ctx, name);
		if (b != WR_AEAD_GENERIC) {
			test_imb_fault(ctx, name, true);
			test_imb_fault(ctx, name, false);
		}
		wr_aead_ctx_free(ctx);
		tested++;
	}
	test_cross_backend();
	printf("%u backends tested, %u checks, %u failed\n", tested, checks, failures);
	return failures ? 1 : 0;
}
