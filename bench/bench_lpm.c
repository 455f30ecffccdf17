/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Republishing the cryptokey routing table of a gateway-sized interface: by default 10,000
 * peers with 2 prefixes each (an IPv4 /32 and an IPv6 /128, as remote-access clients have).
 *
 * The reference is a whole build of the table from every prefix (wr_lpm_build(), how every
 * change was published before struct wr_lpm_pub), measured first. Then, on a wr_lpm_pub, the
 * incremental republication of: 1 peer changed (its prefixes moved), 100 peers changed, and
 * all 10,000 replaced by a disjoint set; each row is the publication (the standby brought to
 * the new set and published) and then the catch-up of the old active once its grace period is
 * over (no readers here: at once). The ratio column is each row's time over the whole build's.
 *
 * Times are the thread's CPU time (the machine may be shared), the best of a few runs; wall
 * clock beside them. DPDK runs without hugepages (--no-huge), as the unit tests do.
 *
 * Usage: bench_lpm [peers, default 10000]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "lpm.h"

#define RUNS 5

static uint64_t
ns_of(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct t {
	uint64_t cpu, wall;
};

static struct t
now(void)
{
	return (struct t){ ns_of(CLOCK_THREAD_CPUTIME_ID), ns_of(CLOCK_MONOTONIC) };
}

static void
best(struct t *b, struct t t0)
{
	struct t t1 = now();

	if (t1.cpu - t0.cpu < b->cpu)
		*b = (struct t){ t1.cpu - t0.cpu, t1.wall - t0.wall };
}

static void
row(const char *what, struct t t, const struct t *ref)
{
	printf("%-46s %10.3f ms cpu %10.3f ms wall %10.4f x full build\n", what, t.cpu / 1e6,
		t.wall / 1e6, ref ? (double)t.cpu / (double)ref->cpu : 1.0);
}

/* Peer @p i's two prefixes, at address slot @p slot (distinct slots never overlap). */
static void
peer_prefixes(struct wr_lpm_prefix *p, uint32_t slot, uint32_t value)
{
	uint32_t a = 0x0a000000u + slot; /* 10.0.0.0/8 */

	memset(p, 0, 2 * sizeof(*p));
	p[0].family = AF_INET;
	p[0].cidr = 32;
	p[0].addr[0] = (uint8_t)(a >> 24);
	p[0].addr[1] = (uint8_t)(a >> 16);
	p[0].addr[2] = (uint8_t)(a >> 8);
	p[0].addr[3] = (uint8_t)a;
	p[0].value = value;
	p[1].family = AF_INET6;
	p[1].cidr = 128;
	p[1].addr[0] = 0xfd; /* fd00::/96 + slot */
	p[1].addr[13] = (uint8_t)(slot >> 16);
	p[1].addr[14] = (uint8_t)(slot >> 8);
	p[1].addr[15] = (uint8_t)slot;
	p[1].value = value;
}

static int
publish(struct wr_lpm_pub *pub, const struct wr_lpm_prefix *p, size_t n, struct t *pb, struct t *cb)
{
	struct t t0 = now();
	int ret = wr_lpm_pub_set(pub, p, n);

	if (ret != 1) {
		fprintf(stderr, "publish: %d\n", ret);
		return -1;
	}
	best(pb, t0);
	t0 = now();
	ret = wr_lpm_pub_poll(pub);
	if (ret != 0 || pub->standby_stale) {
		fprintf(stderr, "catch-up: %d\n", ret);
		return -1;
	}
	best(cb, t0);
	return 0;
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "--no-shconf", "--no-pci", "-l", "0", "-m", "2048",
		"--log-level", "lib.eal:error", NULL };
	unsigned long npeers = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000;
	const struct t inf = { UINT64_MAX, 0 };
	struct t ref = inf, pb, cb;
	struct wr_lpm_prefix *a, *b;
	struct rte_rcu_qsbr *rcu;
	struct wr_lpm *slot = NULL, *full;
	struct wr_lpm_pub pub;
	size_t n = 2 * npeers;
	uint64_t builds;
	unsigned long i, r;
	char what[64];

	if (npeers == 0 || npeers > (1UL << 20)) {
		fprintf(stderr, "usage: %s [peers, 1..2^20]\n", argv[0]);
		return 2;
	}
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	a = calloc(n, sizeof(*a));
	b = calloc(n, sizeof(*b));
	rcu = rte_zmalloc("bench_rcu", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (a == NULL || b == NULL || rcu == NULL || rte_rcu_qsbr_init(rcu, 1) != 0)
		return 1;
	/* set a: peer i at slot i; set b: other peers at slots beyond any of a's */
	for (i = 0; i < npeers; i++) {
		peer_prefixes(&a[2 * i], (uint32_t)i, (uint32_t)i);
		peer_prefixes(&b[2 * i], (uint32_t)(4 * npeers + i), (uint32_t)(npeers + i));
	}
	printf("%lu peers x 2 prefixes (IPv4 /32, IPv6 /128), best of %d, thread CPU time\n",
		npeers, RUNS);

	for (r = 0; r < RUNS; r++) {
		struct t t0 = now();

		if (wr_lpm_build(a, n, SOCKET_ID_ANY, &full) != 0) {
			fprintf(stderr, "build failed\n");
			return 1;
		}
		best(&ref, t0);
		wr_lpm_free(full);
	}
	row("full build (wr_lpm_build, reference)", ref, NULL);

	wr_lpm_pub_init(&pub, &slot, rcu, SOCKET_ID_ANY);
	pb = cb = inf;
	if (publish(&pub, a, n, &pb, &cb) < 0)
		return 1;
	row("first publication (2 whole builds)", pb, &ref);
	builds = pub.n_builds;

	for (unsigned long k = 1; k <= 100; k *= 100) {
		pb = cb = inf;
		for (r = 0; r < RUNS; r++) {
			/* k peers get new addresses (a slot of their own), then the next round
			 * moves them on */
			for (i = 0; i < k; i++) {
				unsigned long p = (r * 997 + i * 7919) % npeers;

				peer_prefixes(
					&a[2 * p], (uint32_t)(npeers + r * 1000 + i), (uint32_t)p);
			}
			if (publish(&pub, a, n, &pb, &cb) < 0)
				return 1;
		}
		snprintf(what, sizeof(what), "%lu peer%s changed: publish", k, k > 1 ? "s" : "");
		row(what, pb, &ref);
		snprintf(what, sizeof(what), "%lu peer%s changed: catch-up", k, k > 1 ? "s" : "");
		row(what, cb, &ref);
	}
	pb = cb = inf;
	for (r = 0; r < RUNS; r++)
		if (publish(&pub, r % 2 ? a : b, n, &pb, &cb) < 0)
			return 1;
	snprintf(what, sizeof(what), "all %lu replaced (disjoint): publish", npeers);
	row(what, pb, &ref);
	snprintf(what, sizeof(what), "all %lu replaced (disjoint): catch-up", npeers);
	row(what, cb, &ref);
	printf("whole builds after the first publication: %" PRIu64 " (0: all incremental)\n",
		pub.n_builds - builds);

	wr_lpm_pub_fini(&pub);
	rte_free(rcu);
	free(a);
	free(b);
	rte_eal_cleanup();
	return 0;
}
