/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the cryptokey routing table tests share (test_lpm.c, test_lpm_update.c): prefixes and
 * lookups from strings, a reproducible random generator, and DPDK started without hugepages or
 * devices (--no-huge --no-shconf --no-pci -l 0: DPDK 22.11 refuses --in-memory with --no-huge).
 */
#ifndef WR_TEST_LPM_H
#define WR_TEST_LPM_H

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_eal.h>

#include "lpm.h"
#include "wr_test.h"
#include "wr_test_rng.h"

static struct wr_lpm_prefix
pfx(const char *s, uint32_t value)
{
	struct wr_lpm_prefix p = { .value = value };
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	*slash = '\0';
	p.family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	p.cidr = (uint8_t)atoi(slash + 1);
	if (inet_pton(p.family, buf, p.addr) != 1)
		abort();
	return p;
}

/* lookup of @p s; returns the value or -1 when there is no match */
static long
look(const struct wr_lpm *lpm, const char *s)
{
	uint8_t a[16];
	uint32_t v;
	int family = strchr(s, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(family, s, a) != 1)
		abort();
	if (family == AF_INET)
		return wr_lpm_lookup4(lpm, a, &v) ? (long)v : -1;
	return wr_lpm_lookup6(lpm, a, &v) ? (long)v : -1;
}

static void
random_bytes(uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)rnd();
}

/* Start DPDK with @p mem MiB and seed the generator (WR_TEST_SEED=N repeats a run). */
static inline int
lpm_test_init(const char *argv0, const char *mem)
{
	char *eal[] = { (char *)argv0, "--no-huge", "--no-shconf", "--no-pci", "-l", "0", "-m",
		(char *)mem, "--log-level", "lib.eal:error", NULL };
	const char *seed_env = getenv("WR_TEST_SEED");
	uint64_t seed;

	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		printf("rte_eal_init failed\n");
		return -1;
	}
	seed = seed_env ? strtoull(seed_env, NULL, 0) : (uint64_t)time(NULL);
	printf("seed %" PRIu64 " (WR_TEST_SEED to repeat)\n", seed);
	rng_state = seed * 2654435761u + 1;
	return 0;
}

#endif /* WR_TEST_LPM_H */
