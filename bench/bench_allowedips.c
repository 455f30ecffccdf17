/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-peer AllowedIPs operations against the whole-table walk, on a gateway-sized table: by
 * default 10,000 peers with one IPv4 /32 each, as remote-access clients have.
 *
 * A `wg show` (UAPI get) lists every peer's prefixes with wr_allowedips_walk_peer(), and a
 * replace of every peer (UAPI replace_peers, REST bulk PUT) calls wr_allowedips_remove_by_peer()
 * once per peer. Each of these passes over all peers should cost about what one walk of the
 * whole table costs, which is printed first as the reference; the ratio column says how many
 * whole-table walks each pass is worth (about 1 when per-peer operations cost O(that peer's
 * prefixes), about the number of peers when each one walks the whole table).
 *
 * Times are the thread's CPU time (the machine may be shared). Prefixes are inserted in a
 * scrambled order, so a peer's prefixes do not arrive sorted.
 *
 * Usage: bench_allowedips [peers, default 10000] [prefixes per peer, default 1]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "wr_allowedips.h"

static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
visit(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer)
{
	(void)family;
	(void)peer;
	/* something the compiler cannot drop */
	*(uint64_t *)ctx += addr[3] + cidr;
	return 0;
}

static void
row(const char *what, uint64_t ns, unsigned long calls, uint64_t ref_ns)
{
	printf("%-32s %10.3f ms  %9.1f ns/call  %8.1f x full walk\n", what, ns / 1e6,
		(double)ns / (double)calls, ref_ns ? (double)ns / (double)ref_ns : 1.0);
}

int
main(int argc, char **argv)
{
	unsigned long npeers = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000;
	unsigned long per = argc > 2 ? strtoul(argv[2], NULL, 0) : 1;
	unsigned long n = npeers * per, i, perm_i;
	struct wr_allowedips t;
	uint64_t sink = 0, t0, walk_ns = UINT64_MAX;
	size_t counted = 0, removed = 0;
	char *peers;

	if (!npeers || !per || n > (1UL << 24)) {
		fprintf(stderr, "usage: %s [peers] [prefixes per peer], at most 2^24 prefixes\n",
			argv[0]);
		return 2;
	}
	peers = calloc(npeers, 1);
	if (!peers)
		return 1;
	wr_allowedips_init(&t);

	/* prefix i is 10.0.0.0 + i*2^24/n (/32), owned by peer i % npeers; inserted in the
	 * order of an odd multiplier modulo a power of two, which visits every i once */
	t0 = cpu_ns();
	{
		unsigned long size = 1;

		while (size < n)
			size <<= 1;
		for (perm_i = 0; perm_i < size; perm_i++) {
			unsigned long k = (perm_i * 2654435761UL) & (size - 1);
			uint32_t a = 0x0a000000u + (uint32_t)(k * ((1UL << 24) / size));
			uint8_t addr[4] = { a >> 24, a >> 16, a >> 8, a };

			if (k >= n)
				continue;
			if (wr_allowedips_insert(&t, AF_INET, addr, 32, &peers[k % npeers])) {
				fprintf(stderr, "insert %lu failed\n", k);
				return 1;
			}
		}
	}
	printf("%lu peers x %lu prefixes (%zu in the table), thread CPU time\n", npeers, per,
		wr_allowedips_count(&t));
	row("insert all", cpu_ns() - t0, n, 0);

	/* the reference is short: take the fastest of a few, as the per-peer passes run warm */
	for (i = 0; i < 5; i++) {
		uint64_t ns;

		t0 = cpu_ns();
		wr_allowedips_walk(&t, visit, &sink);
		ns = cpu_ns() - t0;
		if (ns < walk_ns)
			walk_ns = ns;
	}
	row("walk (whole table, reference)", walk_ns, 1, walk_ns);

	t0 = cpu_ns();
	for (i = 0; i < npeers; i++)
		wr_allowedips_walk_peer(&t, &peers[i], visit, &sink);
	row("walk_peer, every peer", cpu_ns() - t0, npeers, walk_ns);

	t0 = cpu_ns();
	for (i = 0; i < npeers; i++)
		counted += wr_allowedips_count_peer(&t, &peers[i]);
	row("count_peer, every peer", cpu_ns() - t0, npeers, walk_ns);

	t0 = cpu_ns();
	for (i = 0; i < npeers; i++)
		removed += wr_allowedips_remove_by_peer(&t, &peers[i]);
	row("remove_by_peer, every peer", cpu_ns() - t0, npeers, walk_ns);

	if (counted != n || removed != n || wr_allowedips_count(&t) != 0) {
		fprintf(stderr, "counted %zu, removed %zu of %lu, %zu left\n", counted, removed, n,
			wr_allowedips_count(&t));
		return 1;
	}
	wr_allowedips_free(&t);
	free(peers);
	return sink == 0; /* never: every prefix adds its cidr */
}
