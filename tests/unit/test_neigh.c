/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Next-hop resolution and the neighbour table (lib/dataplane/neigh.c) through the host stack,
 * without a device: a packet to an unresolved next hop solicits it and waits in a bounded queue,
 * the answer releases it, the probes give up; in both families. Then the table under hostile
 * load: floods of learnt senders and of new next hops (eviction ranks), the table-wide queue cap,
 * learnt entries that may replace only learnt or stale ones, and the solicitation rate.
 */
#include "host_test.h"

/* A frame to route through the neighbour table: Ethernet source and type set */
static struct rte_mbuf *
routed(uint16_t type)
{
	struct rte_mbuf *m = frame(&gw_mac, type, 64);

	rte_ether_addr_copy(&gw_mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr);
	memset(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr, 0, 6);
	return m;
}

static void
test_resolve(int family)
{
	const char *nh_s = family == AF_INET ? "192.0.2.50" : "2001:db8:1::50";
	const char *dead_s = family == AF_INET ? "192.0.2.60" : "2001:db8:1::60";
	uint16_t type = family == AF_INET ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6;
	struct rte_mbuf *tx[WR_DP_BURST];
	uint8_t nh[16], dead[16];
	uint64_t before;
	unsigned int n, i, probes;
	int ret;

	(family == AF_INET ? ip4 : ip6)(nh_s, nh);
	(family == AF_INET ? ip4 : ip6)(dead_s, dead);
	ret = wr_neigh_output(lc, port, family, nh, routed(type));
	CHECK(ret == -EAGAIN, "unresolved next hop: %d", ret);
	n = take_tx(tx);
	CHECK(n == 1, "one solicitation, got %u", n);
	if (n == 1 && family == AF_INET) {
		struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(tx[0], struct rte_arp_hdr *, 14);
		uint8_t src[4];

		ip4("192.0.2.1", src);
		CHECK(rte_is_broadcast_ether_addr(
			      &rte_pktmbuf_mtod(tx[0], struct rte_ether_hdr *)->dst_addr),
			"ARP request broadcast");
		CHECK(a->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) &&
				memcmp(&a->arp_data.arp_tip, nh, 4) == 0 &&
				memcmp(&a->arp_data.arp_sip, src, 4) == 0,
			"ARP request for the next hop from our address");
	} else if (n == 1) {
		static const struct rte_ether_addr snm = { { 0x33, 0x33, 0xff, 0, 0, 0x50 } };
		struct rte_ipv6_hdr *h = rte_pktmbuf_mtod_offset(tx[0], struct rte_ipv6_hdr *, 14);
		uint8_t *ns = (uint8_t *)(h + 1), want[16];

		ip6("ff02::1:ff00:50", want);
		CHECK(memcmp(h->dst_addr, want, 16) == 0, "to the solicited-node group");
		CHECK(rte_is_same_ether_addr(
			      &rte_pktmbuf_mtod(tx[0], struct rte_ether_hdr *)->dst_addr, &snm),
			"group MAC");
		CHECK(ns[0] == 135 && memcmp(ns + 8, nh, 16) == 0 && h->hop_limits == 255, "NS");
		CHECK(ns[24] == 1 && memcmp(ns + 26, &gw_mac, 6) == 0, "SLLA");
		CHECK(wr_cksum6_ok(h, ns, 32), "NS checksum");
	}
	free_all(tx, n);

	/* the queue holds WR_NEIGH_QUEUE_LEN, no second solicitation before the retransmit time */
	for (i = 1; i < WR_NEIGH_QUEUE_LEN; i++)
		CHECK(wr_neigh_output(lc, port, family, nh, routed(type)) == -EAGAIN, "queued");
	before = drops(WR_DP_DROP_NEIGH_QUEUE_FULL);
	ret = wr_neigh_output(lc, port, family, nh, routed(type));
	CHECK(ret == -ENOBUFS && drops(WR_DP_DROP_NEIGH_QUEUE_FULL) == before + 1,
		"queue bounded: %d", ret);
	CHECK(take_tx(tx) == 0, "sent while unresolved");

	/* the answer releases the queue to the answering MAC */
	if (family == AF_INET) {
		struct rte_mbuf *m = arp_frame(RTE_ARP_OP_REPLY, nh_s, "192.0.2.1");
		struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 14);

		rte_ether_addr_copy(&nh_mac, &a->arp_data.arp_sha);
		rte_ether_addr_copy(
			&gw_mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
		wr_dp_input(lc, port, m);
	} else {
		struct rte_mbuf *m = nd_frame(136, nh_s, "2001:db8:1::1", nh_s, 2, 255);

		rte_ether_addr_copy(
			&gw_mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
		wr_dp_input(lc, port, m);
	}
	n = take_tx(tx);
	CHECK(n == WR_NEIGH_QUEUE_LEN, "queued frames sent on resolution: %u", n);
	for (i = 0; i < n; i++)
		CHECK(rte_is_same_ether_addr(
			      &rte_pktmbuf_mtod(tx[i], struct rte_ether_hdr *)->dst_addr, &nh_mac),
			"frame %u to the next hop's MAC", i);
	free_all(tx, n);
	CHECK(wr_neigh_output(lc, port, family, nh, routed(type)) == 0, "resolved: sent at once");
	free_all(tx, take_tx(tx));

	/* a next hop that never answers: WR_NEIGH_MAX_PROBES solicitations, then its queue drops */
	CHECK(wr_neigh_output(lc, port, family, dead, routed(type)) == -EAGAIN, "queued");
	probes = take_tx(tx);
	free_all(tx, probes);
	before = drops(WR_DP_DROP_NEIGH_FAILED);
	for (i = 0; i < WR_NEIGH_MAX_PROBES + 1; i++) {
		lc->now += dp->hz * (WR_NEIGH_RETRANS_MS + 10) / 1000;
		wr_neigh_tick(lc, port);
		n = take_tx(tx);
		probes += n;
		free_all(tx, n);
	}
	CHECK(probes == WR_NEIGH_MAX_PROBES, "%u solicitations, want %u", probes,
		WR_NEIGH_MAX_PROBES);
	CHECK(drops(WR_DP_DROP_NEIGH_FAILED) == before + 1, "queued frame dropped on failure");
	CHECK(wr_neigh_output(lc, port, family, dead, routed(type)) == -EAGAIN, "starts over");
	n = take_tx(tx);
	CHECK(n == 1, "a new solicitation after the failure, got %u", n);
	free_all(tx, n);
	/* and fails again, leaving the table without queued frames for the next test */
	for (i = 0; i < WR_NEIGH_MAX_PROBES + 1; i++) {
		lc->now += dp->hz * (WR_NEIGH_RETRANS_MS + 10) / 1000;
		wr_neigh_tick(lc, port);
		free_all(tx, take_tx(tx));
	}
	CHECK(drops(WR_DP_DROP_NEIGH_FAILED) == before + 2, "second failure");
}

/* An ARP reply from the next hop @p ip_s at nh_mac, to the gateway's MAC */
static void
arp_answer(const char *ip_s)
{
	struct rte_mbuf *m = arp_frame(RTE_ARP_OP_REPLY, ip_s, "192.0.2.1");

	rte_ether_addr_copy(
		&nh_mac, &rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 14)->arp_data.arp_sha);
	rte_ether_addr_copy(&gw_mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
	wr_dp_input(lc, port, m);
}

/* A neighbour advertisement from the next hop @p ip_s (IPv6) at nh_mac, to the gateway's MAC */
static void
nd_answer(const char *ip_s)
{
	struct rte_mbuf *m = nd_frame(136, ip_s, "2001:db8:1::1", ip_s, 2, 255);

	rte_ether_addr_copy(&gw_mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
	wr_dp_input(lc, port, m);
}

/* Solicitations from @p n on-link IPv6 senders (prefix 2001:db8:1::@p tag:0/112), all answered */
static void
ns_flood(unsigned int tag, unsigned int n)
{
	struct rte_mbuf *tx[WR_DP_BURST];
	char src[64];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "2001:db8:1::%x:%x", tag, i + 1);
		wr_dp_input(
			lc, port, nd_frame(135, src, "ff02::1:ff00:1", "2001:db8:1::1", 1, 255));
		free_all(tx, take_tx(tx));
	}
}

/* A packet to the new next hop @p ip_s (IPv4), its solicitation checked: wr_neigh_output()'s */
static int
output_new(const char *ip_s)
{
	struct rte_mbuf *tx[WR_DP_BURST];
	uint8_t a[4];
	unsigned int n;
	int ret;

	ip4(ip_s, a);
	ret = wr_neigh_output(lc, port, AF_INET, a, routed(RTE_ETHER_TYPE_IPV4));
	n = take_tx(tx);
	CHECK(n == 1, "a new next hop %s: %u solicitations", ip_s, n);
	free_all(tx, n);
	return ret;
}

/*
 * Let every unresolved next hop fail, so that no frame stays queued: in steps of 1/64 of the
 * retransmit time, so that solicitations due at different times never fill the TX buffer, which
 * has no port behind it here
 */
static void
fail_unresolved(void)
{
	struct rte_mbuf *tx[WR_DP_BURST];
	unsigned int i;

	for (i = 0; i < (WR_NEIGH_MAX_PROBES + 2) * 64; i++) {
		lc->now += dp->hz * WR_NEIGH_RETRANS_MS / 1000 / 64;
		wr_neigh_tick(lc, port);
		free_all(tx, take_tx(tx));
	}
}

/*
 * The neighbour table under floods of new neighbours: the next hops in use stay; a next hop in
 * use is kept confirmed while it answers and given up when it stops; the queues are bounded as a
 * whole.
 */
static void
test_neigh_flood(void)
{
	struct rte_mbuf *tx[WR_DP_BURST];
	struct rte_ether_addr mac;
	uint8_t router[4], a[16];
	uint64_t before, reach = dp->hz * WR_NEIGH_REACHABLE_MS / 1000;
	unsigned int i, n, flood = WR_NEIGH_SETS * WR_NEIGH_WAYS * 4;
	int ret;

	/* everything learnt before is stale */
	lc->now += reach * 2;
	/* the router: resolved for a packet */
	ip4("192.0.2.254", router);
	CHECK(wr_neigh_output(lc, port, AF_INET, router, routed(RTE_ETHER_TYPE_IPV4)) == -EAGAIN,
		"router unresolved");
	free_all(tx, take_tx(tx));
	arp_answer("192.0.2.254");
	n = take_tx(tx);
	CHECK(n == 1, "the held packet released, got %u", n);
	free_all(tx, n);
	/* four times the table's size of solicitations from on-link senders */
	ns_flood(0x100, flood);
	CHECK(wr_neigh_lookup(port->neigh, AF_INET, router, &mac) &&
			rte_is_same_ether_addr(&mac, &nh_mac),
		"a flood of new neighbours evicted the router");
	/* a new next hop still gets an entry: the flood's give way to it */
	ret = output_new("192.0.2.99");
	CHECK(ret == -EAGAIN, "a new next hop after the flood: %d", ret);
	fail_unresolved();

	/* past the reachable time, the workers' use of the router solicits it (wr_neigh_use()) */
	lc->now += reach;
	wr_neigh_use(lc, port, AF_INET, router, &mac);
	n = take_tx(tx);
	CHECK(n == 1 && rte_pktmbuf_mtod_offset(tx[0], struct rte_arp_hdr *, 14)
					->arp_data.arp_tip == *(const uint32_t *)router,
		"no solicitation of a stale next hop in use, got %u frames", n);
	free_all(tx, n);
	wr_neigh_use(lc, port, AF_INET, router, &mac);
	CHECK(take_tx(tx) == 0, "solicited again before the retransmit time");
	arp_answer("192.0.2.254");
	/* the floods' entries are stale now, the router confirmed: they give way first */
	lc->now += dp->hz * (WR_NEIGH_MAX_PROBES * WR_NEIGH_RETRANS_MS) / 1000;
	ns_flood(0x200, flood);
	CHECK(wr_neigh_lookup(port->neigh, AF_INET, router, &mac),
		"the second flood evicted the confirmed router");

	/* a next hop in use that stops answering: given up after its probes */
	lc->now += reach + dp->hz / 100;
	for (i = 0, n = 0; i < WR_NEIGH_MAX_PROBES + 1; i++) {
		unsigned int k;

		wr_neigh_use(lc, port, AF_INET, router, &mac);
		k = take_tx(tx);
		free_all(tx, k);
		n += k;
		lc->now += dp->hz * (WR_NEIGH_RETRANS_MS + 10) / 1000;
	}
	CHECK(n == WR_NEIGH_MAX_PROBES && !wr_neigh_lookup(port->neigh, AF_INET, router, &mac),
		"a silent next hop in use: %u probes, %s", n,
		wr_neigh_lookup(port->neigh, AF_INET, router, &mac) ? "kept" : "given up");

	/* many unresolved next hops: the table's queues hold WR_NEIGH_TABLE_QUEUED packets */
	before = drops(WR_DP_DROP_NEIGH_QUEUE_FULL);
	for (i = 0; i < 2 * WR_NEIGH_TABLE_QUEUED / WR_NEIGH_QUEUE_LEN; i++) {
		unsigned int k;

		ip6("2001:db8:1::3:0", a);
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)(i + 1);
		for (k = 0; k < WR_NEIGH_QUEUE_LEN; k++)
			wr_neigh_output(lc, port, AF_INET6, a, routed(RTE_ETHER_TYPE_IPV6));
		free_all(tx, take_tx(tx));
		/* their retransmissions due at different times (fail_unresolved()) */
		lc->now += dp->hz * WR_NEIGH_RETRANS_MS / 1000 / 256;
	}
	CHECK(rte_mempool_in_use_count(dp->mp) <= WR_NEIGH_TABLE_QUEUED &&
			drops(WR_DP_DROP_NEIGH_QUEUE_FULL) > before,
		"%u mbufs held by the neighbour queues, %" PRIu64 " refused",
		rte_mempool_in_use_count(dp->mp), drops(WR_DP_DROP_NEIGH_QUEUE_FULL) - before);
	/* a packet refused for the full table still has its new next hop solicited */
	ret = output_new("192.0.2.98");
	CHECK(ret == -ENOBUFS, "the table full: %d", ret);
	fail_unresolved();
}

/*
 * The table's count of queued packets over many rounds of queueing, each released by an answer
 * or dropped by a failure: always WR_NEIGH_QUEUE_LEN more fit (a count that drifted would refuse
 * them long before).
 */
static void
test_neigh_queued(void)
{
	struct rte_mbuf *tx[WR_DP_BURST];
	unsigned int round, k, refused = 0;
	uint8_t a[16];
	char s[64];

	for (round = 0; round < 4 * WR_NEIGH_TABLE_QUEUED / WR_NEIGH_QUEUE_LEN; round++) {
		snprintf(s, sizeof(s), "2001:db8:1::5:%x", round + 1); /* a new one each round */
		ip6(s, a);
		for (k = 0; k < WR_NEIGH_QUEUE_LEN; k++)
			refused += wr_neigh_output(lc, port, AF_INET6, a,
					   routed(RTE_ETHER_TYPE_IPV6)) == -ENOBUFS;
		free_all(tx, take_tx(tx));
		if (round % 2 == 0) {
			nd_answer(s);
			free_all(tx, take_tx(tx));
		} else {
			fail_unresolved();
		}
		/* no reachable entry lingers fresh: each round's next hop is new */
		lc->now += dp->hz * (WR_NEIGH_REACHABLE_MS + 4 * WR_NEIGH_RETRANS_MS) / 1000;
	}
	CHECK(refused == 0, "%u packets refused over released and failed queues", refused);
}

/*
 * Solicitations for many new next hops at once (a peer sending to every address of a connected
 * subnet): a burst goes out, the rest are counted and sent later within the rate.
 */
static void
test_solicit_rate(void)
{
	struct rte_mbuf *tx[WR_DP_BURST];
	unsigned int i, k, n, first = 0, later = 0, hops = 100;
	bool last_solicited = false;
	uint64_t before;
	uint8_t a[4], last[4];
	char s[32];

	/* a second without solicitations: the bucket is full */
	lc->now += dp->hz;
	before = drops(WR_DP_DROP_SOLICIT_RATELIMITED);
	for (i = 0; i < hops; i++) {
		snprintf(s, sizeof(s), "203.0.113.%u", i + 1);
		ip4(s, a);
		wr_neigh_output(lc, port, AF_INET, a, routed(RTE_ETHER_TYPE_IPV4));
		n = take_tx(tx);
		first += n;
		free_all(tx, n);
	}
	memcpy(last, a, 4);
	CHECK(first == WR_NEIGH_SOLICIT_BURST &&
			drops(WR_DP_DROP_SOLICIT_RATELIMITED) - before == hops - first,
		"%u new next hops at once: %u solicitations, %" PRIu64 " held back", hops, first,
		drops(WR_DP_DROP_SOLICIT_RATELIMITED) - before);
	/* the next second: at most the rate's worth, the held-back ones among them */
	for (k = 0; k < 100; k++) {
		lc->now += dp->hz / 100;
		wr_neigh_tick(lc, port);
		n = take_tx(tx);
		for (i = 0; i < n; i++)
			last_solicited |=
				memcmp(&rte_pktmbuf_mtod_offset(tx[i], struct rte_arp_hdr *, 14)
						->arp_data.arp_tip,
					last, 4) == 0;
		later += n;
		free_all(tx, n);
	}
	CHECK(later > 0 && later <= WR_NEIGH_SOLICIT_RATE + 1 && last_solicited,
		"the second after: %u solicitations, the last next hop's %s", later,
		last_solicited ? "among them" : "not");
	/* nobody answers for them: they all fail */
	fail_unresolved();
	fail_unresolved();
}

/*
 * Entries learnt from packets to us take no next hop's place: with the table full of fresh next
 * hops, a flood of solicitations from spoofed on-link senders leaves every one of them; and a
 * next hop first learnt that way is one of ours once used.
 */
static void
test_neigh_learnt(void)
{
	struct rte_mbuf *tx[WR_DP_BURST];
	struct rte_ether_addr mac;
	unsigned int i, present = 0, kept = 0, n = WR_NEIGH_SETS * WR_NEIGH_WAYS * 2;
	uint8_t a[16], router[4];

	lc->now += dp->hz * (WR_NEIGH_REACHABLE_MS + 4 * WR_NEIGH_RETRANS_MS) / 1000 * 2;
	/* twice the table's size of next hops resolved */
	for (i = 0; i < n; i++) {
		ip6("2001:db8:1::4:0", a);
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
		wr_neigh_output(lc, port, AF_INET6, a, routed(RTE_ETHER_TYPE_IPV6));
		free_all(tx, take_tx(tx));
		{
			char s[64];

			snprintf(s, sizeof(s), "2001:db8:1::4:%x", i);
			nd_answer(s);
		}
		free_all(tx, take_tx(tx));
	}
	for (i = 0; i < n; i++) {
		ip6("2001:db8:1::4:0", a);
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
		present += wr_neigh_lookup(port->neigh, AF_INET6, a, &mac);
	}
	ns_flood(0x500, n);
	for (i = 0; i < n; i++) {
		ip6("2001:db8:1::4:0", a);
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
		kept += wr_neigh_lookup(port->neigh, AF_INET6, a, &mac);
	}
	CHECK(present > WR_NEIGH_SETS * WR_NEIGH_WAYS / 2 && kept == present,
		"spoofed solicitations evicted next hops: %u of %u kept", kept, present);

	/* all of those stale now; a router that asked for us (learnt), then carries traffic */
	lc->now += dp->hz * (WR_NEIGH_REACHABLE_MS + 4 * WR_NEIGH_RETRANS_MS) / 1000;
	wr_dp_input(lc, port, arp_frame(RTE_ARP_OP_REQUEST, "192.0.2.253", "192.0.2.1"));
	free_all(tx, take_tx(tx));
	ip4("192.0.2.253", router);
	CHECK(wr_neigh_output(lc, port, AF_INET, router, routed(RTE_ETHER_TYPE_IPV4)) == 0,
		"a learnt neighbour sent to");
	free_all(tx, take_tx(tx));
	ns_flood(0x600, n);
	CHECK(wr_neigh_lookup(port->neigh, AF_INET, router, &mac),
		"the router first learnt from its request, then used, was evicted by a flood");
}

/* A neighbour advertisement for @p ip_s to @p dst_s with @p flags (S 0x40, O 0x20) and @p mac */
static void
nd_advert(const char *ip_s, const char *dst_s, uint8_t flags, const struct rte_ether_addr *mac)
{
	struct rte_mbuf *m = nd_frame(136, ip_s, dst_s, ip_s, 2, 255);
	uint8_t *nd = rte_pktmbuf_mtod_offset(m, uint8_t *, 54);

	nd[4] = flags;
	memcpy(nd + 26, mac, 6);
	seal6(m);
	if (dst_s[0] != 'f')
		rte_ether_addr_copy(
			&gw_mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
	wr_dp_input(lc, port, m);
}

/*
 * RFC 4861 7.2.5 and 7.1.2: an advert without Override does not move a resolved next hop to
 * another address (a spoofed or stray one), but has it verified on its next use; one with
 * Override does; an unsolicited one is taken, not counted as an answer (verified on next use);
 * a "solicited" advert to a group is malformed.
 */
static void
test_nd_flags(void)
{
	static const struct rte_ether_addr other = { { 0x02, 0, 0, 0, 0, 0x77 } };
	static const char *const nh_s = "2001:db8:1::70";
	struct rte_mbuf *tx[WR_DP_BURST];
	struct rte_ether_addr mac;
	uint64_t before;
	uint8_t nh[16];
	unsigned int n;

	printf("neigh: advert flags\n");
	/* the solicitation rate's budget back after the tests before */
	lc->now += dp->hz * 2;
	ip6(nh_s, nh);
	CHECK(wr_neigh_output(lc, port, AF_INET6, nh, routed(RTE_ETHER_TYPE_IPV6)) == -EAGAIN,
		"queued for resolution");
	free_all(tx, take_tx(tx));
	nd_advert(nh_s, "2001:db8:1::1", 0x60, &nh_mac);
	free_all(tx, take_tx(tx));
	CHECK(wr_neigh_lookup(port->neigh, AF_INET6, nh, &mac) &&
			rte_is_same_ether_addr(&mac, &nh_mac),
		"resolved by a solicited advert");

	/* solicited, no Override, another address: kept, and verified on the next use */
	nd_advert(nh_s, "2001:db8:1::1", 0x40, &other);
	CHECK(wr_neigh_lookup(port->neigh, AF_INET6, nh, &mac) &&
			rte_is_same_ether_addr(&mac, &nh_mac),
		"an advert without Override leaves the address");
	CHECK(wr_neigh_output(lc, port, AF_INET6, nh, routed(RTE_ETHER_TYPE_IPV6)) == 0,
		"still usable");
	n = take_tx(tx);
	CHECK(n == 2 && rte_is_same_ether_addr(
				&rte_pktmbuf_mtod(tx[0], struct rte_ether_hdr *)->dst_addr, &nh_mac),
		"the packet to the kept address and a solicitation to verify it: %u frames", n);
	free_all(tx, n);

	/* a solicited advert to a group: malformed, ignored */
	before = drops(WR_DP_DROP_ND_MALFORMED);
	nd_advert(nh_s, "ff02::1", 0x60, &other);
	CHECK(drops(WR_DP_DROP_ND_MALFORMED) == before + 1, "solicited advert to a group refused");
	CHECK(wr_neigh_lookup(port->neigh, AF_INET6, nh, &mac) &&
			rte_is_same_ether_addr(&mac, &nh_mac),
		"and the address kept");

	/* unsolicited with Override to all nodes (a new card announced): taken, verified on use */
	nd_advert(nh_s, "ff02::1", 0x20, &other);
	CHECK(wr_neigh_lookup(port->neigh, AF_INET6, nh, &mac) &&
			rte_is_same_ether_addr(&mac, &other),
		"an advert with Override moves it");
	CHECK(wr_neigh_output(lc, port, AF_INET6, nh, routed(RTE_ETHER_TYPE_IPV6)) == 0,
		"usable at once");
	n = take_tx(tx);
	CHECK(n == 2 && rte_is_same_ether_addr(
				&rte_pktmbuf_mtod(tx[0], struct rte_ether_hdr *)->dst_addr, &other),
		"sent to the new address, which is solicited to confirm it: %u frames", n);
	free_all(tx, n);
	/* the answer confirms it: the next use solicits nothing */
	nd_advert(nh_s, "2001:db8:1::1", 0x60, &other);
	CHECK(wr_neigh_output(lc, port, AF_INET6, nh, routed(RTE_ETHER_TYPE_IPV6)) == 0, "sent");
	n = take_tx(tx);
	CHECK(n == 1, "confirmed: no solicitation with the packet (%u frames)", n);
	free_all(tx, n);
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (host_test_setup(argv[0], "test_neigh") < 0)
		return 2;
	test_resolve(AF_INET);
	test_resolve(AF_INET6);
	test_nd_flags();
	test_neigh_flood();
	test_neigh_queued();
	test_neigh_learnt();
	test_solicit_rate();
	return host_test_finish();
}
