/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AllowedIPs: a randomized comparison against a naive reference (a list of prefixes scanned
 * linearly for the longest match), both families, with inserts, moves, removals, peer removals,
 * lookups, and every peer's walk and count checked against the reference as they change. The
 * seed is printed; pass it as argv[1] to reproduce a run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "allowedips_test.h"
#include "wr_test_rng.h"

/* ---- randomized comparison with a deliberately naive reference ---- */

struct naive {
	struct seen *v;
	size_t n, cap;
};

static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned int cidr)
{
	unsigned int i;

	for (i = 0; i < cidr; i++)
		if (((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

static void
mask(uint8_t *a, unsigned int cidr, unsigned int bits)
{
	unsigned int i;

	for (i = cidr; i < bits; i++)
		a[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

static struct seen *
naive_find(struct naive *h, int family, const uint8_t *addr, uint8_t cidr)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].family == family && h->v[i].cidr == cidr &&
			!memcmp(h->v[i].addr, addr, 16))
			return &h->v[i];
	return NULL;
}

static void
naive_insert(struct naive *h, int family, const uint8_t *addr, uint8_t cidr, void *peer)
{
	uint8_t a[16] = { 0 };
	struct seen *s;

	memcpy(a, addr, family == AF_INET ? 4 : 16);
	mask(a, cidr, 128);
	s = naive_find(h, family, a, cidr);
	if (s) {
		s->peer = peer;
		return;
	}
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 256;
		h->v = realloc(h->v, h->cap * sizeof(*h->v));
		if (!h->v)
			abort();
	}
	h->v[h->n].family = family;
	memcpy(h->v[h->n].addr, a, 16);
	h->v[h->n].cidr = cidr;
	h->v[h->n].peer = peer;
	h->n++;
}

static void
naive_del_at(struct naive *h, size_t i)
{
	h->v[i] = h->v[--h->n];
}

static void *
naive_lookup(const struct naive *h, int family, const uint8_t *addr)
{
	int best = -1;
	void *peer = NULL;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].family == family && (int)h->v[i].cidr > best &&
			prefix_match(h->v[i].addr, addr, h->v[i].cidr)) {
			best = h->v[i].cidr;
			peer = h->v[i].peer;
		}
	return peer;
}

static size_t
naive_count_peer(const struct naive *h, void *peer)
{
	size_t i, n = 0;

	for (i = 0; i < h->n; i++)
		n += h->v[i].peer == peer;
	return n;
}

static int
seen_cmp(const void *x, const void *y)
{
	const struct seen *a = x, *b = y;
	int c;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c;
	return (int)a->cidr - (int)b->cidr;
}

static void
rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)(rnd() >> 56);
}

/* a random address near an existing prefix (so lookups hit something) or anywhere */
static void
rnd_addr(const struct naive *h, int family, uint8_t a[16])
{
	unsigned int bits = family == AF_INET ? 32 : 128, keep, i;

	memset(a, 0, 16);
	rnd_bytes(a, bits / 8);
	if (h->n && rnd() % 4) {
		const struct seen *s = &h->v[rnd() % h->n];

		if (s->family != family)
			return;
		keep = (unsigned int)(rnd() % (bits + 1));
		for (i = 0; i < keep; i++) {
			uint8_t m = (uint8_t)(0x80 >> (i % 8));

			a[i / 8] = (uint8_t)((a[i / 8] & ~m) | (s->addr[i / 8] & m));
		}
	}
}

/* a peer that never owns a prefix */
static char stranger;

/*
 * The walk (of the table, or of @p peer with its count) against the reference's prefixes in walk
 * order. The reference holds each prefix once, so it only needs filtering and sorting.
 */
static bool
compare_walk(struct wr_allowedips *t, const struct naive *h, void *peer, const char *when)
{
	struct seen_list l = { 0 };
	struct seen *want = malloc((h->n + 1) * sizeof(*want));
	size_t i, n = 0, counted;
	bool ok = true;
	int rc;

	if (!want)
		abort();
	if (peer)
		rc = wr_allowedips_walk_peer(t, peer, collect, &l);
	else
		rc = wr_allowedips_walk(t, collect, &l);
	for (i = 0; i < h->n; i++)
		if (!peer || h->v[i].peer == peer)
			want[n++] = h->v[i];
	qsort(want, n, sizeof(*want), seen_cmp);
	if (rc || l.n != n) {
		printf("FAIL %s: walk of %c gave %zu prefixes (rc %d), reference %zu\n", when,
			peer_name(peer), l.n, rc, n);
		ok = false;
	}
	for (i = 0; ok && i < l.n; i++)
		if (seen_cmp(&l.v[i], &want[i]) || l.v[i].peer != want[i].peer) {
			printf("FAIL %s: walk of %c: item %zu differs\n", when, peer_name(peer), i);
			ok = false;
		}
	counted = peer ? wr_allowedips_count_peer(t, peer) : wr_allowedips_count(t);
	if (counted != n) {
		printf("FAIL %s: count of %c %zu, reference %zu\n", when, peer_name(peer), counted,
			n);
		ok = false;
	}
	/* a walk stopped by its visitor stops there, with the visitor's result */
	if (peer && n >= 2) {
		l.n = 0;
		l.stop_after = 2;
		if (wr_allowedips_walk_peer(t, peer, collect, &l) != 7 || l.n != 2 ||
			seen_cmp(&l.v[1], &want[1])) {
			printf("FAIL %s: walk of %c did not stop\n", when, peer_name(peer));
			ok = false;
		}
	}
	free(l.v);
	free(want);
	return ok;
}

/*
 * Every peer's walk and count, one that never owned a prefix, the whole table, and the number of
 * peers the table keeps lists for (no list may outlive its last prefix).
 */
static unsigned int
compare_peers(struct wr_allowedips *t, const struct naive *h, const char *when)
{
	unsigned int bad = 0, j, owners = 0;

	for (j = 0; j < 8; j++) {
		bad += !compare_walk(t, h, P('a' + (int)j), when);
		owners += naive_count_peer(h, P('a' + (int)j)) > 0;
	}
	bad += !compare_walk(t, h, &stranger, when);
	bad += !compare_walk(t, h, NULL, when);
	if (t->npeers != owners) {
		printf("FAIL %s: lists for %zu peers, %u own prefixes\n", when, t->npeers, owners);
		bad++;
	}
	return bad;
}

/* Remove every prefix of @p peer from both; returns the mismatches. */
static unsigned int
remove_peer_both(struct wr_allowedips *t, struct naive *h, void *peer)
{
	size_t before = h->n, removed, k;

	removed = wr_allowedips_remove_by_peer(t, peer);
	for (k = h->n; k-- > 0;)
		if (h->v[k].peer == peer)
			naive_del_at(h, k);
	if (removed != before - h->n || wr_allowedips_count(t) != h->n) {
		printf("FAIL remove_by_peer %c: %zu removed, reference %zu\n", peer_name(peer),
			removed, before - h->n);
		return 1;
	}
	return wr_allowedips_remove_by_peer(t, peer) != 0;
}

static void
test_random(uint64_t seed)
{
	enum { ROUNDS = 6, BASES = 300, MUTATED = 8, QUERIES = 4000, MOVES = 400 };
	unsigned int round, i, j, mism = 0;
	struct wr_allowedips t;
	struct naive h = { 0 };

	rng_state = seed ? seed : 1;
	wr_allowedips_init(&t);
	for (round = 0; round < ROUNDS; round++) {
		/* clusters: a random prefix and mutations of it, so prefixes overlap and nest */
		for (i = 0; i < BASES; i++) {
			int family = rnd() % 2 ? AF_INET : AF_INET6;
			unsigned int bits = family == AF_INET ? 32 : 128;
			uint8_t base[16] = { 0 };

			rnd_bytes(base, bits / 8);
			for (j = 0; j <= MUTATED; j++) {
				uint8_t a[16];
				unsigned int keep = (unsigned int)(rnd() % (bits + 1)), b;
				uint8_t cidr =
					(uint8_t)(rnd() % 8 == 0
							  ? rnd() % (bits + 1)
							  : bits / 2 + rnd() % (bits / 2 + 1));
				void *peer = P('a' + (int)(rnd() % 8));

				memcpy(a, base, 16);
				rnd_bytes(a, bits / 8);
				for (b = 0; b < keep; b++) {
					uint8_t m = (uint8_t)(0x80 >> (b % 8));

					a[b / 8] = (uint8_t)((a[b / 8] & ~m) | (base[b / 8] & m));
				}
				if (wr_allowedips_insert(&t, family, a, cidr, peer)) {
					printf("FAIL random insert\n");
					failures++;
					return;
				}
				naive_insert(&h, family, a, cidr, peer);
			}
			/* now and then list a peer, so that later inserts land on a sorted list */
			if (i % 64 == 63 &&
				!compare_walk(&t, &h, P('a' + (int)(rnd() % 8)), "mid-insert"))
				mism++;
		}
		/* moves: an existing prefix inserted again for a random peer (maybe its own) */
		for (i = 0; i < MOVES && h.n; i++) {
			struct seen *s = &h.v[rnd() % h.n];
			void *to = P('a' + (int)(rnd() % 8));

			if (wr_allowedips_insert(&t, s->family, s->addr, s->cidr, to) != 0)
				mism++;
			s->peer = to;
		}
		mism += compare_peers(&t, &h, "after moves");
		/* a peer goes with all it owns; it comes back with the next round's inserts */
		mism += remove_peer_both(&t, &h, P('a' + (int)(rnd() % 8)));
		mism += compare_peers(&t, &h, "after remove_by_peer");
		/* remove some single prefixes, by exact prefix, sometimes through a wrong peer */
		for (i = 0; i < BASES && h.n; i++) {
			size_t at = rnd() % h.n;
			struct seen s = h.v[at];
			void *wrong = P('a' + (int)(rnd() % 8));
			int rc;

			if (rnd() % 3 == 0) {
				rc = wr_allowedips_remove(&t, s.family, s.addr, s.cidr, wrong);
				if (rc != (wrong == s.peer ? 0 : -ENOENT))
					mism++;
				if (rc == 0)
					naive_del_at(&h, at);
				continue;
			}
			if (wr_allowedips_remove(&t, s.family, s.addr, s.cidr, NULL) != 0)
				mism++;
			naive_del_at(&h, at);
			if (wr_allowedips_remove(&t, s.family, s.addr, s.cidr, NULL) != -ENOENT)
				mism++;
		}
		if (wr_allowedips_count(&t) != h.n) {
			printf("FAIL random count %zu, reference %zu\n", wr_allowedips_count(&t),
				h.n);
			mism++;
		}
		for (i = 0; i < QUERIES; i++) {
			int family = i % 2 ? AF_INET : AF_INET6;
			uint8_t a[16];
			void *got, *want;

			rnd_addr(&h, family, a);
			got = wr_allowedips_lookup(&t, family, a);
			want = naive_lookup(&h, family, a);
			if (got != want && mism++ < 10)
				printf("FAIL random lookup round %u query %u: %c want %c\n", round,
					i, peer_name(got), peer_name(want));
		}
		mism += compare_peers(&t, &h, "after removals");
		printf("allowedips: random round %u: %zu prefixes, %u lookups compared\n", round,
			h.n, QUERIES);
	}

	/* peel off peers one by one, comparing as we go, until both are empty */
	for (j = 0; j < 8; j++) {
		mism += remove_peer_both(&t, &h, P('a' + (int)j));
		for (i = 0; i < QUERIES / 4; i++) {
			int family = i % 2 ? AF_INET : AF_INET6;
			uint8_t a[16];

			rnd_addr(&h, family, a);
			if (wr_allowedips_lookup(&t, family, a) != naive_lookup(&h, family, a))
				mism++;
		}
		mism += compare_peers(&t, &h, "peeling peers");
	}
	if (t.root4 || t.root6 || t.npeers) {
		printf("FAIL random: nodes or peer lists left after removing every peer\n");
		mism++;
	}
	printf("allowedips: randomized vs naive reference: %u mismatches\n", mism);
	checks++;
	failures += mism;
	free(h.v);
	wr_allowedips_free(&t);
}

int
main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL);

	printf("allowedips: random seed %" PRIu64 " (pass it as argv[1] to reproduce)\n", seed);
	test_random(seed);
	if (failures) {
		printf("allowedips: %u FAILURES\n", failures);
		return 1;
	}
	printf("allowedips: all %u checks passed\n", checks);
	return 0;
}
