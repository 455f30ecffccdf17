/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cryptokey routing tables over rte_lpm/rte_lpm6 (lib/dataplane/lpm.c): table-driven cases
 * (overlaps, /0, /32, /128, duplicates, bad input), then a randomized comparison against the
 * control plane's AllowedIPs trie (lib/ctrl, itself checked against a naive reference): random
 * prefix sets in both families, clustered so that they overlap, are loaded into the trie, the
 * tables built from it, and random addresses looked up in both; then peers are removed and the
 * tables rebuilt, as a reconfiguration does. The incremental updates: test_lpm_update.c.
 * WR_TEST_SEED=N repeats a run.
 */
#include <errno.h>

#include "lpm_test.h"
#include "wr_allowedips.h"

#define N_PEERS 64
#define ROUNDS 6
#define LOOKUPS 20000
#define CLUSTERS 8

static char peers[N_PEERS];

static void
test_table(void)
{
	const struct wr_lpm_prefix set[] = {
		pfx("0.0.0.0/0", 1),
		pfx("192.0.2.0/24", 2),
		pfx("192.0.2.128/25", 3),
		pfx("192.0.2.200/32", 4),
		pfx("203.0.113.7/16", 5), /* host bits beyond /16 are ignored */
		pfx("192.0.2.128/25", 6), /* a duplicate: the last one wins */
		pfx("2001:db8::/32", 7),
		pfx("2001:db8:1::/48", 8),
		pfx("2001:db8:1::1/128", 9),
		pfx("2001:db8:1:0:8000::/65", 10),
		pfx("::/0", 11),
		pfx("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128", WR_LPM_VALUE_MAX),
	};
	const struct {
		const char *addr;
		long want;
	} cases[] = {
		{ "198.51.100.1", 1 },
		{ "192.0.2.1", 2 },
		{ "192.0.2.127", 2 },
		{ "192.0.2.128", 6 },
		{ "192.0.2.199", 6 },
		{ "192.0.2.200", 4 },
		{ "192.0.2.201", 6 },
		{ "203.0.0.1", 5 },
		{ "203.0.255.255", 5 },
		{ "203.1.0.0", 1 },
		{ "2001:db8::1", 7 },
		{ "2001:db8:1::2", 8 },
		{ "2001:db8:1::1", 9 },
		{ "2001:db8:1:0:8000::1", 10 },
		{ "2001:db8:1:0:7fff::1", 8 },
		{ "2001:db9::", 11 },
		{ "::", 11 },
		{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", WR_LPM_VALUE_MAX },
		{ "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", 7 },
	};
	struct wr_lpm_prefix bad;
	struct wr_lpm *lpm;
	size_t i;
	int ret;

	ret = wr_lpm_build(set, RTE_DIM(set), SOCKET_ID_ANY, &lpm);
	CHECK(ret == 0, "build: %d", ret);
	if (ret != 0)
		return;
	CHECK(lpm->count4 == 5 && lpm->count6 == 6, "counts %zu %zu", lpm->count4, lpm->count6);
	for (i = 0; i < RTE_DIM(cases); i++) {
		long got = look(lpm, cases[i].addr);

		CHECK(got == cases[i].want, "%s -> %ld, want %ld", cases[i].addr, got,
			cases[i].want);
	}
	/* wr_lpm_lookup_specific(): the same, but a /0 is no match */
	for (i = 0; i < RTE_DIM(cases); i++) {
		int family = strchr(cases[i].addr, ':') != NULL ? AF_INET6 : AF_INET;
		uint8_t a[16];
		uint32_t v = 0;
		bool hit;

		inet_pton(family, cases[i].addr, a);
		hit = wr_lpm_lookup_specific(lpm, family, a, &v);
		if (cases[i].want == 1 || cases[i].want == 11)
			CHECK(!hit, "%s: only the /0 holds it, no specific match", cases[i].addr);
		else
			CHECK(hit && v == (uint32_t)cases[i].want, "%s: specific -> %ld, want %ld",
				cases[i].addr, hit ? (long)v : -1L, cases[i].want);
	}
	wr_lpm_free(lpm);

	/* one family only: the other never matches */
	ret = wr_lpm_build(set + 1, 1, SOCKET_ID_ANY, &lpm);
	CHECK(ret == 0, "build v4 only: %d", ret);
	if (ret == 0) {
		CHECK(look(lpm, "192.0.2.9") == 2, "v4-only table");
		CHECK(look(lpm, "2001:db8::1") == -1, "v4-only table matched IPv6");
		wr_lpm_free(lpm);
	}
	ret = wr_lpm_build(NULL, 0, SOCKET_ID_ANY, &lpm);
	CHECK(ret == 0, "build empty: %d", ret);
	if (ret == 0) {
		CHECK(look(lpm, "0.0.0.0") == -1 && look(lpm, "::") == -1, "empty table matched");
		wr_lpm_free(lpm);
	}

	bad = pfx("192.0.2.0/24", 1);
	bad.cidr = 33;
	CHECK(wr_lpm_build(&bad, 1, SOCKET_ID_ANY, &lpm) == -EINVAL && lpm == NULL, "cidr 33");
	bad = pfx("2001:db8::/32", 1);
	bad.cidr = 129;
	CHECK(wr_lpm_build(&bad, 1, SOCKET_ID_ANY, &lpm) == -EINVAL, "cidr 129");
	bad.cidr = 32;
	bad.family = AF_UNIX;
	CHECK(wr_lpm_build(&bad, 1, SOCKET_ID_ANY, &lpm) == -EINVAL, "family");
	bad = pfx("2001:db8::/32", WR_LPM_VALUE_MAX + 1);
	CHECK(wr_lpm_build(&bad, 1, SOCKET_ID_ANY, &lpm) == -ERANGE, "value too large");
}

static uint32_t
value_of(void *ctx, void *peer)
{
	return (uint32_t)((char *)peer - (char *)ctx);
}

/* Random prefixes around a few cluster bases, so that many overlap and share tbl8 groups. */
static void
fill(struct wr_allowedips *t, int family, const uint8_t bases[CLUSTERS][16], unsigned int n)
{
	unsigned int bits = family == AF_INET ? 32 : 128, i;
	uint8_t addr[16];

	for (i = 0; i < n; i++) {
		unsigned int keep = (unsigned int)(rnd() % (bits + 1)), cidr, b;
		int ret;

		/* a third of the prefixes long (host routes and near), the rest anywhere */
		cidr = rnd() % 3 == 0 ? bits - (unsigned int)(rnd() % 9)
				      : (unsigned int)(rnd() % (bits + 1));
		memcpy(addr, bases[rnd() % CLUSTERS], 16);
		for (b = keep; b < bits; b++)
			if (rnd() & 1)
				addr[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
		ret = wr_allowedips_insert(t, family, addr, (uint8_t)cidr, &peers[rnd() % N_PEERS]);
		if (ret != 0) {
			CHECK(ret == 0, "trie insert: %d", ret);
			return;
		}
	}
}

/* The bulk lookups agree with the single ones, on addresses that hit often. */
static void
compare_bulk(const struct wr_lpm *lpm, int family, unsigned int round)
{
	uint8_t a6[WR_LPM_BULK_MAX][16];
	rte_be32_t a4[WR_LPM_BULK_MAX];
	int32_t got[WR_LPM_BULK_MAX];
	unsigned int i, k, bad = 0;

	for (k = 0; k < 50; k++) {
		unsigned int n = 1 + (unsigned int)(rnd() % WR_LPM_BULK_MAX);

		for (i = 0; i < n; i++) {
			random_bytes(a6[i], 16);
			memcpy(&a4[i], a6[i], 4);
		}
		if (family == AF_INET)
			wr_lpm_lookup4_bulk(lpm, a4, got, n);
		else
			wr_lpm_lookup6_bulk(lpm, a6, got, n);
		for (i = 0; i < n; i++) {
			uint32_t v;
			bool hit = family == AF_INET ? wr_lpm_lookup4(lpm, &a4[i], &v)
						     : wr_lpm_lookup6(lpm, a6[i], &v);

			if ((hit ? (int32_t)v : -1) != got[i])
				bad++;
			else
				checks++;
		}
	}
	CHECK(bad == 0, "round %u: %u bulk lookups differ from single ones", round, bad);
}

static void
compare(const struct wr_allowedips *t, const struct wr_lpm *lpm, int family,
	const uint8_t bases[CLUSTERS][16], unsigned int round)
{
	unsigned int bits = family == AF_INET ? 32 : 128, i, b, bad = 0;
	uint8_t addr[16];

	for (i = 0; i < LOOKUPS; i++) {
		void *want;
		uint32_t v;
		bool hit;

		/* near a cluster (flip a few low or random bits) or anywhere */
		if (i % 4 == 0) {
			memset(addr, 0, sizeof(addr));
			random_bytes(addr, bits / 8);
		} else {
			unsigned int keep = (unsigned int)(rnd() % (bits + 1));

			memcpy(addr, bases[rnd() % CLUSTERS], 16);
			for (b = keep; b < bits; b++)
				if (rnd() & 1)
					addr[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
		}
		want = wr_allowedips_lookup(t, family, addr);
		hit = family == AF_INET ? wr_lpm_lookup4(lpm, addr, &v)
					: wr_lpm_lookup6(lpm, addr, &v);
		if (hit != (want != NULL) || (hit && v != value_of(peers, want))) {
			char s[INET6_ADDRSTRLEN];

			if (bad++ < 5) {
				inet_ntop(family, addr, s, sizeof(s));
				CHECK(false, "round %u: %s: trie %ld, lpm %ld", round, s,
					want ? (long)value_of(peers, want) : -1L,
					hit ? (long)v : -1L);
			}
		} else {
			checks++;
		}
	}
	if (bad > 5) {
		failures += bad - 5;
		printf("FAIL round %u: %u mismatches in all\n", round, bad);
	}
	compare_bulk(lpm, family, round);
}

static void
test_random(void)
{
	uint8_t bases4[CLUSTERS][16] = { { 0 } }, bases6[CLUSTERS][16];
	unsigned int round, c;

	for (round = 0; round < ROUNDS; round++) {
		struct wr_allowedips t;
		struct wr_lpm *lpm = NULL;
		unsigned int n = 100u << round; /* 100 .. 3200 per family */
		int ret;

		for (c = 0; c < CLUSTERS; c++) {
			random_bytes(bases4[c], 4);
			random_bytes(bases6[c], 16);
		}
		wr_allowedips_init(&t);
		fill(&t, AF_INET, (const uint8_t(*)[16])bases4, n);
		fill(&t, AF_INET6, (const uint8_t(*)[16])bases6, n);
		ret = wr_lpm_build_from_allowedips(&t, value_of, peers, SOCKET_ID_ANY, &lpm);
		CHECK(ret == 0, "round %u: build from %zu prefixes: %d", round,
			wr_allowedips_count(&t), ret);
		if (ret == 0) {
			CHECK(lpm->count4 + lpm->count6 == wr_allowedips_count(&t),
				"round %u: %zu + %zu prefixes, trie has %zu", round, lpm->count4,
				lpm->count6, wr_allowedips_count(&t));
			compare(&t, lpm, AF_INET, (const uint8_t(*)[16])bases4, round);
			compare(&t, lpm, AF_INET6, (const uint8_t(*)[16])bases6, round);
			wr_lpm_free(lpm);
		}
		/* a reconfiguration: half the peers go, the tables are rebuilt */
		for (c = 0; c < N_PEERS; c += 2)
			wr_allowedips_remove_by_peer(&t, &peers[c]);
		ret = wr_lpm_build_from_allowedips(&t, value_of, peers, SOCKET_ID_ANY, &lpm);
		CHECK(ret == 0, "round %u: rebuild: %d", round, ret);
		if (ret == 0) {
			compare(&t, lpm, AF_INET, (const uint8_t(*)[16])bases4, round);
			compare(&t, lpm, AF_INET6, (const uint8_t(*)[16])bases6, round);
			wr_lpm_free(lpm);
		}
		wr_allowedips_free(&t);
	}
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (lpm_test_init(argv[0], "512") < 0)
		return 2;
	test_table();
	test_random();

	printf("%u checks, %u failures\n", checks, failures);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
