/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The routes out of the gateway and the workers' next-hop cache (lib/dataplane/fib.c):
 *   - routes from a configuration: connected subnets and Route lines, longest match wins, the
 *     next hop is the destination on a link or the route's gateway, no match is a miss;
 *   - the cache: set, get, replace, forget (only its own key), per port, and a refresh from
 *     the neighbour tables keeps what they know and forgets the rest;
 *   - output: on a worker a cached next hop is sent, a miss goes to the ring, no route is a
 *     counted drop; on the control lcore the neighbour table resolves, and the cache learns;
 *   - a way out kept for a burst (wr_fib_way()): found again only for another destination,
 *     the port's own addresses marked, direct only with a cached next hop and not on the
 *     control lcore; sent by it, a direct frame gets both MACs, another takes the way above.
 * DPDK runs without hugepages or devices (as test_host.c).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane.h"
#include "fib.h"
#include "neigh.h"
#include "wr_config.h"

#include "wr_test.h"

static const char conf[] = "[Port lan]\n"
			   "Device = net_null0\n"
			   "Address = 192.0.2.1/24, 2001:db8:1::1/64\n"
			   "Route = 198.51.100.0/25 via 192.0.2.9\n"
			   "Route = 198.51.100.200/32\n"
			   "[Port wan]\n"
			   "Device = net_null1\n"
			   "Address = 203.0.113.1/24, 2001:db8:2::1/64\n"
			   "Route = 0.0.0.0/0 via 203.0.113.254\n"
			   "Route = 198.51.100.0/24 via 203.0.113.9\n"
			   "Route = 2001:db8::/32 via 2001:db8:2::fe\n";

static struct wr_fib *fib;
static struct wr_dataplane *dp;
static struct rte_ring *ring;

static void
ip(const char *s, uint8_t *a)
{
	memset(a, 0, 16);
	if (strchr(s, ':') != NULL)
		inet_pton(AF_INET6, s, a);
	else
		inet_pton(AF_INET, s, a);
}

static void
test_routes(void)
{
	static const struct {
		const char *dst;
		bool found;
		uint16_t port;
		const char *nh;
	} cases[] = {
		{ "192.0.2.77", true, 0, "192.0.2.77" },         /* on the lan link */
		{ "203.0.113.5", true, 1, "203.0.113.5" },       /* on the wan link */
		{ "198.51.100.3", true, 0, "192.0.2.9" },        /* /25 beats /24 */
		{ "198.51.100.130", true, 1, "203.0.113.9" },    /* the /24 */
		{ "198.51.100.200", true, 0, "198.51.100.200" }, /* on-link /32 route */
		{ "8.8.8.8", true, 1, "203.0.113.254" },         /* the default */
		{ "2001:db8:1::42", true, 0, "2001:db8:1::42" },
		{ "2001:db8:2::42", true, 1, "2001:db8:2::42" },
		{ "2001:db8:77::1", true, 1, "2001:db8:2::fe" },
		{ "2001:dead::1", false, 0, NULL }, /* IPv6 has no default */
		/* nothing is routed to these, the default route notwithstanding */
		{ "255.255.255.255", false, 0, NULL }, /* limited broadcast */
		{ "224.0.0.5", false, 0, NULL },       /* multicast */
		{ "240.0.0.1", false, 0, NULL },       /* class E */
		{ "127.0.0.1", false, 0, NULL },       /* loopback */
		{ "0.1.2.3", false, 0, NULL },         /* "this network" */
		{ "192.0.2.255", false, 0, NULL },     /* the lan link's broadcast */
		{ "203.0.113.255", false, 0, NULL },   /* the wan link's */
		/* a routed prefix's broadcast: its router's call */
		{ "198.51.100.255", true, 1, "203.0.113.9" },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		int family = strchr(cases[i].dst, ':') ? AF_INET6 : AF_INET;
		uint8_t dst[16], nh[16], want[16];
		uint16_t port = 99;
		bool found;

		ip(cases[i].dst, dst);
		found = wr_fib_lookup(fib, family, dst, &port, nh);
		CHECK(found == cases[i].found, "%s: found %d", cases[i].dst, found);
		if (!found || !cases[i].found)
			continue;
		ip(cases[i].nh, want);
		CHECK(port == cases[i].port, "%s: port %u", cases[i].dst, port);
		CHECK(memcmp(nh, want, family == AF_INET ? 4 : 16) == 0, "%s: next hop",
			cases[i].dst);
	}
}

/* IPv6 destinations nothing is routed to, with an IPv6 default route that would take them */
static void
test_martians6(void)
{
	static const char conf6[] = "[Port wan]\n"
				    "Device = net_null1\n"
				    "Address = 2001:db8:2::1/64, fe80::1/64\n"
				    "Route = ::/0 via 2001:db8:2::fe\n";
	/* fe80:1::/64 and febf:: are link-local, on no link of ours: only the default takes them */
	static const char *const none[] = { "ff02::1", "ff0e::1", "fe80:1::1", "febf::1", "::1",
		"::" };
	struct wr_config_error err;
	struct wr_config *cfg = NULL;
	struct wr_fib *f = rte_zmalloc("test", sizeof(*f), RTE_CACHE_LINE_SIZE);
	uint8_t dst[16], nh[16];
	uint16_t port;
	unsigned int i;

	if (f == NULL || wr_config_load_string(conf6, sizeof(conf6) - 1, "test", &cfg, &err) != 0 ||
		wr_fib_init(f, cfg) != 0) {
		CHECK(false, "an IPv6 default route's FIB");
		goto out;
	}
	ip("2001:dead::1", dst);
	CHECK(wr_fib_lookup(f, AF_INET6, dst, &port, nh), "the default route takes 2001:dead::1");
	ip("fec0::1", dst);
	CHECK(wr_fib_lookup(f, AF_INET6, dst, &port, nh), "and fec0::1, outside fe80::/10");
	ip("fe80::2", dst);
	CHECK(wr_fib_lookup(f, AF_INET6, dst, &port, nh) && memcmp(nh, dst, 16) == 0,
		"a link-local neighbour on the port's fe80::/64: on link");
	for (i = 0; i < RTE_DIM(none); i++) {
		ip(none[i], dst);
		CHECK(!wr_fib_lookup(f, AF_INET6, dst, &port, nh), "%s routed", none[i]);
	}
out:
	wr_config_free(cfg);
	rte_free(f);
}

/* The cache slot of IPv4 next hop @p a: where it lands in the cache of the unused port 7 */
static int
slot_of(const uint8_t *a)
{
	struct rte_ether_addr m = { { 2, 0, 0, 0, 0, 7 } };
	int i, slot = -1;

	memset(fib->nhc[7], 0, sizeof(fib->nhc[7]));
	wr_fib_nh_set(fib, 7, AF_INET, a, &m);
	for (i = 0; i < WR_FIB_NHC_SIZE; i++)
		if (fib->nhc[7][i].family != 0)
			slot = i;
	return slot;
}

static void
test_cache(void)
{
	struct rte_ether_addr m1 = { { 2, 0, 0, 0, 0, 1 } }, m2 = { { 2, 0, 0, 0, 0, 2 } }, got;
	uint8_t a[16], b[16];
	unsigned int i, other = 0;

	ip("192.0.2.9", a);
	CHECK(!wr_fib_nh_get(fib, 0, AF_INET, a, &got), "empty cache hit");
	wr_fib_nh_set(fib, 0, AF_INET, a, &m1);
	CHECK(wr_fib_nh_get(fib, 0, AF_INET, a, &got) && rte_is_same_ether_addr(&got, &m1),
		"set then get");
	CHECK(!wr_fib_nh_get(fib, 1, AF_INET, a, &got), "another port's cache");
	CHECK(!wr_fib_nh_get(fib, 0, AF_INET6, a, &got), "same bytes, other family");
	wr_fib_nh_set(fib, 0, AF_INET, a, &m2);
	CHECK(wr_fib_nh_get(fib, 0, AF_INET, a, &got) && rte_is_same_ether_addr(&got, &m2),
		"a new MAC replaces the old");
	/* an address that shares a's slot: forgetting it keeps a, setting it evicts a */
	for (i = 1; i < 4096 && other == 0; i++) {
		ip("10.0.0.0", b);
		b[2] = (uint8_t)(i >> 8);
		b[3] = (uint8_t)i;
		if (slot_of(a) == slot_of(b))
			other = i;
	}
	CHECK(other != 0, "no address shares a slot with 192.0.2.9");
	wr_fib_nh_set(fib, 0, AF_INET, b, NULL);
	CHECK(wr_fib_nh_get(fib, 0, AF_INET, a, &got), "forgetting another key forgot a");
	wr_fib_nh_set(fib, 0, AF_INET, b, &m1);
	CHECK(!wr_fib_nh_get(fib, 0, AF_INET, a, &got), "an evicted next hop still hits");
	CHECK(wr_fib_nh_get(fib, 0, AF_INET, b, &got), "the evicting next hop misses");
	wr_fib_nh_set(fib, 0, AF_INET, b, NULL);
	CHECK(!wr_fib_nh_get(fib, 0, AF_INET, b, &got), "a forgotten next hop still hits");
	wr_fib_nh_set(fib, 0, AF_INET, a, &m2);
	ip("2001:db8:2::fe", b);
	wr_fib_nh_set(fib, 1, AF_INET6, b, &m1);
	CHECK(wr_fib_nh_get(fib, 1, AF_INET6, b, &got) && rte_is_same_ether_addr(&got, &m1),
		"IPv6 set then get");
	/* the neighbour tables know none of these: a refresh forgets them */
	wr_fib_nh_refresh(fib, wr_dp_lcore(dp, 0, 0));
	CHECK(!wr_fib_nh_get(fib, 0, AF_INET, a, &got), "refresh kept an unknown next hop");
	CHECK(!wr_fib_nh_get(fib, 1, AF_INET6, b, &got), "refresh kept an unknown next hop");
}

static struct rte_mbuf *
frame(const char *dst)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->mp);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *h;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*h));
	memset(eh, 0, sizeof(*eh) + sizeof(*h));
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	h = (struct rte_ipv4_hdr *)(eh + 1);
	h->version_ihl = RTE_IPV4_VHL_DEF;
	h->total_length = rte_cpu_to_be_16(sizeof(*h));
	inet_pton(AF_INET, dst, &h->dst_addr);
	return m;
}

static void
test_output(void)
{
	struct wr_dp_lcore *worker = wr_dp_lcore(dp, 1, 1), *control = wr_dp_lcore(dp, 0, 0);
	struct rte_ether_addr mac = { { 2, 0, 0, 0, 0, 9 } }, got;
	struct rte_ether_hdr *eh;
	unsigned int p, i;
	uint8_t a[16];
	void *obj = NULL;

	control->control = true;
	control->now = worker->now = dp->hz;
	ip("192.0.2.9", a);

	/* worker, cache miss: the frame goes to the control lcore */
	ip("198.51.100.3", a);
	CHECK(wr_fib_output(fib, worker, ring, frame("198.51.100.3"), AF_INET, a) == 0,
		"output of a routed frame");
	CHECK(rte_ring_count(ring) == 1, "a miss is handed over, ring holds %u",
		rte_ring_count(ring));
	CHECK(worker->tx[0].n == 0, "a miss was sent");

	/* control: the neighbour table solicits and holds it */
	CHECK(rte_ring_dequeue(ring, &obj) == 0, "dequeue");
	wr_fib_output_frame(fib, control, obj);
	CHECK(control->tx[0].n == 1, "one ARP request, %u frames", control->tx[0].n);
	ip("192.0.2.9", a);
	CHECK(!wr_fib_nh_get(fib, 0, AF_INET, a, &got), "cached before resolution");
	wr_neigh_learn(control, &dp->ports[0], AF_INET, a, &mac, false);
	CHECK(control->tx[0].n == 2, "the held frame went out on resolution");
	eh = rte_pktmbuf_mtod(control->tx[0].pkts[1], struct rte_ether_hdr *);
	CHECK(rte_is_same_ether_addr(&eh->dst_addr, &mac), "to the next hop's MAC");
	CHECK(rte_is_same_ether_addr(&eh->src_addr, &dp->ports[0].mac), "from the port's MAC");

	/* the next one through control teaches the cache; then the worker sends by itself */
	ip("198.51.100.4", a);
	wr_fib_output(fib, control, NULL, frame("198.51.100.4"), AF_INET, a);
	CHECK(control->tx[0].n == 3, "control sent a resolved frame");
	ip("192.0.2.9", a);
	CHECK(wr_fib_nh_get(fib, 0, AF_INET, a, &got) && rte_is_same_ether_addr(&got, &mac),
		"the cache learnt the next hop");
	ip("198.51.100.5", a);
	wr_fib_output(fib, worker, ring, frame("198.51.100.5"), AF_INET, a);
	CHECK(worker->tx[0].n == 1 && rte_ring_count(ring) == 0, "the worker sent it itself");
	eh = rte_pktmbuf_mtod(worker->tx[0].pkts[0], struct rte_ether_hdr *);
	CHECK(rte_is_same_ether_addr(&eh->dst_addr, &mac), "worker: to the next hop's MAC");
	/* the refresh keeps what the table knows */
	wr_fib_nh_refresh(fib, control);
	ip("192.0.2.9", a);
	CHECK(wr_fib_nh_get(fib, 0, AF_INET, a, &got), "refresh forgot a resolved next hop");

	/* no route: dropped and counted */
	ip("2001:dead::1", a);
	{
		struct rte_mbuf *m = frame("0.0.0.0");

		eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		CHECK(wr_fib_output(fib, worker, ring, m, AF_INET6, a) == -ENETUNREACH, "no route");
	}
	CHECK(worker->drops[WR_DP_DROP_NO_ROUTE_OUT] == 1, "no route is counted");
	/* no ethdev to flush into */
	for (p = 0; p < 2; p++) {
		for (i = 0; i < worker->tx[p].n; i++)
			rte_pktmbuf_free(worker->tx[p].pkts[i]);
		for (i = 0; i < control->tx[p].n; i++)
			rte_pktmbuf_free(control->tx[p].pkts[i]);
		worker->tx[p].n = control->tx[p].n = 0;
	}
}

static void
test_way(void)
{
	struct wr_dp_lcore *worker = wr_dp_lcore(dp, 1, 1);
	struct rte_ether_addr m1 = { { 2, 0, 0, 0, 0, 0x21 } }, m2 = { { 2, 0, 0, 0, 0, 0x22 } };
	struct wr_fib_way w = { .family = 0 };
	const struct rte_ether_hdr *eh;
	uint8_t a[16], gw9[16];
	void *obj = NULL;

	ip("192.0.2.9", gw9);
	wr_fib_nh_set(fib, 0, AF_INET, gw9, &m1);
	ip("198.51.100.3", a);
	CHECK(wr_fib_way(fib, dp, false, &w, AF_INET, a) && w.family == AF_INET && w.port == 0 &&
			!memcmp(w.nh, gw9, 16) && !w.ours && w.direct &&
			rte_is_same_ether_addr(&w.mac, &m1) && w.cidr == 25,
		"a way: route (its /25), next hop, its cached MAC");
	/* the same destination keeps the way found: the cache changing is not looked at again */
	wr_fib_nh_set(fib, 0, AF_INET, gw9, &m2);
	CHECK(wr_fib_way(fib, dp, false, &w, AF_INET, a) && rte_is_same_ether_addr(&w.mac, &m1),
		"the same destination looked up again");
	/* another destination is looked up: the new MAC, another route */
	ip("198.51.100.4", a);
	CHECK(wr_fib_way(fib, dp, false, &w, AF_INET, a) && rte_is_same_ether_addr(&w.mac, &m2),
		"another destination kept the old way");
	ip("203.0.113.77", a);
	CHECK(wr_fib_way(fib, dp, false, &w, AF_INET, a) && w.port == 1 && !memcmp(w.nh, a, 16) &&
			!w.direct && w.cidr == 24,
		"on a link (its /24), next hop not cached: not direct");
	ip("198.18.0.1", a); /* a lookup only: nothing is sent */
	CHECK(wr_fib_way(fib, dp, false, &w, AF_INET, a) && w.port == 1 && w.cidr == 0,
		"the default route's way says so (cidr 0)");
	/* what may be forwarded nowhere, a tunnel included */
	{
		static const struct {
			const char *dst;
			bool forbidden;
		} f[] = { { "127.0.0.1", true }, { "0.1.2.3", true }, { "240.0.0.1", true },
			{ "224.0.0.5", true }, { "192.0.2.255", true }, { "203.0.113.255", true },
			{ "::1", true }, { "::", true }, { "ff02::1", true }, { "fe80::1", true },
			{ "198.51.100.255", false }, { "192.0.2.254", false },
			{ "198.18.0.1", false }, { "2001:db8:77::1", false } };
		unsigned int i;

		for (i = 0; i < RTE_DIM(f); i++) {
			int family = strchr(f[i].dst, ':') != NULL ? AF_INET6 : AF_INET;

			ip(f[i].dst, a);
			CHECK(wr_fib_forbidden(fib, family, a) == f[i].forbidden,
				"%s: forbidden %d", f[i].dst, f[i].forbidden);
		}
	}
	/* the port's own address: marked, and the next packet to it too */
	ip("203.0.113.1", a);
	CHECK(wr_fib_way(fib, dp, false, &w, AF_INET, a) && w.ours && w.port == 1,
		"the port's own address is marked");
	CHECK(wr_fib_way(fib, dp, false, &w, AF_INET, a) && w.ours, "and stays marked");
	ip("203.0.113.2", a);
	CHECK(wr_fib_way(fib, dp, false, &w, AF_INET, a) && !w.ours, "its neighbour is not ours");
	/* same bytes, other family: looked up again (no IPv6 route covers them) */
	CHECK(!wr_fib_way(fib, dp, false, &w, AF_INET6, a) && w.family == 0,
		"no route: false, nothing held");
	ip("198.51.100.3", a);
	CHECK(wr_fib_way(fib, dp, true, &w, AF_INET, a) && !w.direct,
		"the control lcore's way is never direct");

	/* output: a direct way writes both MACs and sends; another goes the cache's way (miss) */
	w.family = 0;
	CHECK(wr_fib_way(fib, dp, false, &w, AF_INET, a) && w.direct, "direct again");
	wr_fib_output_way(fib, worker, ring, frame("198.51.100.3"), &w);
	CHECK(worker->tx[0].n == 1, "a direct way sent the frame, %u", worker->tx[0].n);
	eh = rte_pktmbuf_mtod(worker->tx[0].pkts[0], const struct rte_ether_hdr *);
	CHECK(rte_is_same_ether_addr(&eh->dst_addr, &m2) &&
			rte_is_same_ether_addr(&eh->src_addr, &dp->ports[0].mac),
		"to the next hop's MAC from the port's");
	rte_pktmbuf_free(worker->tx[0].pkts[0]);
	worker->tx[0].n = 0;
	ip("203.0.113.77", a);
	CHECK(wr_fib_way(fib, dp, false, &w, AF_INET, a) && !w.direct, "not direct");
	wr_fib_output_way(fib, worker, ring, frame("203.0.113.77"), &w);
	CHECK(worker->tx[1].n == 0 && rte_ring_count(ring) == 1,
		"an unresolved next hop goes to the control lcore");
	if (rte_ring_dequeue(ring, &obj) == 0)
		rte_pktmbuf_free(obj);
	wr_fib_nh_set(fib, 0, AF_INET, gw9, NULL);
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "--no-shconf", "--no-pci", "-l", "0", "-m", "128",
		"--log-level", "lib.eal:error", NULL };
	struct wr_config_error err;
	struct wr_config *cfg = NULL;
	unsigned int p;

	(void)argc;
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		printf("rte_eal_init failed\n");
		return 2;
	}
	if (wr_config_load_string(conf, sizeof(conf) - 1, "test", &cfg, &err) != 0) {
		printf("config: %s\n", err.message);
		return 2;
	}
	fib = rte_zmalloc("test", sizeof(*fib), RTE_CACHE_LINE_SIZE);
	dp = rte_zmalloc("test", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	ring = rte_ring_create("test", 64, SOCKET_ID_ANY, 0);
	if (fib == NULL || dp == NULL || ring == NULL || wr_fib_init(fib, cfg) != 0)
		return 2;
	dp->lcores = rte_zmalloc("test", RTE_MAX_LCORE * sizeof(*dp->lcores), RTE_CACHE_LINE_SIZE);
	dp->mp = rte_pktmbuf_pool_create(
		"test_fib", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	dp->hz = rte_get_tsc_hz();
	dp->nb_ports = 2;
	for (p = 0; p < 2; p++) {
		struct wr_port *port = &dp->ports[p];
		size_t i;

		port->index = (uint16_t)p;
		/* no ethdev: frames stay in the TX buffers (never flushed) */
		port->port_id = RTE_MAX_ETHPORTS;
		port->mac.addr_bytes[0] = 2;
		port->mac.addr_bytes[5] = (uint8_t)(0x10 + p);
		port->neigh = wr_neigh_create(SOCKET_ID_ANY);
		if (port->neigh == NULL)
			return 2;
		for (i = 0; i < cfg->ports[p].n_addrs; i++)
			wr_port_add_addr(port, cfg->ports[p].addrs[i].family,
				cfg->ports[p].addrs[i].addr, cfg->ports[p].addrs[i].cidr);
	}
	if (dp->lcores == NULL || dp->mp == NULL)
		return 2;

	test_routes();
	test_martians6();
	test_cache();
	test_output();
	test_way();

	for (p = 0; p < 2; p++)
		wr_neigh_free(dp->ports[p].neigh);
	rte_ring_free(ring);
	rte_mempool_free(dp->mp);
	rte_free(dp->lcores);
	rte_free(dp);
	rte_free(fib);
	wr_config_free(cfg);
	rte_eal_cleanup();
	printf("%u checks, %u failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
