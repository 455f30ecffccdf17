/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data plane's host stack (lib/dataplane: arp.c, nd.c, icmp.c, neigh.c, dataplane.c input)
 * on crafted frames, without a device: frames go into wr_dp_input() and the replies are read
 * from the lcore's TX buffer before any flush. Checks the replies field by field (checksums
 * included), every drop reason on its bad input, next-hop resolution (solicitation, bounded
 * queue, release on the answer, failure after the probes) in both families, and the "fragmentation
 * needed" / "packet too big" builders.
 * DPDK runs without hugepages or devices (--no-huge --no-shconf --no-pci -l 0).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "dataplane.h"
#include "host.h"
#include "icmp.h"
#include "neigh.h"

#include "wr_test.h"

static const struct rte_ether_addr gw_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct rte_ether_addr host_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct rte_ether_addr nh_mac = { { 0x02, 0, 0, 0, 0, 0x50 } };

static struct wr_dataplane *dp;
static struct wr_port *port;
static struct wr_dp_lcore *lc;

static void
ip4(const char *s, void *out)
{
	if (inet_pton(AF_INET, s, out) != 1)
		abort();
}

static void
ip6(const char *s, void *out)
{
	if (inet_pton(AF_INET6, s, out) != 1)
		abort();
}

/* The frames queued for TX since the last call (the buffer is emptied, the caller frees). */
static unsigned int
take_tx(struct rte_mbuf **out)
{
	struct wr_dp_txbuf *b = &lc->tx[port->index];
	unsigned int n = b->n;

	memcpy(out, b->pkts, n * sizeof(*out));
	b->n = 0;
	return n;
}

static void
free_all(struct rte_mbuf **m, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static uint64_t
drops(enum wr_dp_drop d)
{
	return lc->drops[d];
}

static struct rte_mbuf *
frame(const struct rte_ether_addr *dst, uint16_t type, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->mp);
	struct rte_ether_hdr *eh;

	if (m == NULL)
		abort();
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + len);
	memset(eh, 0, sizeof(*eh) + len);
	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&host_mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(type);
	return m;
}

static struct rte_mbuf *
arp_frame(uint16_t op, const char *sip, const char *tip)
{
	static const struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct rte_mbuf *m = frame(&bcast, RTE_ETHER_TYPE_ARP, sizeof(struct rte_arp_hdr));
	struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 14);

	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&host_mac, &a->arp_data.arp_sha);
	ip4(sip, &a->arp_data.arp_sip);
	ip4(tip, &a->arp_data.arp_tip);
	return m;
}

/* An IPv4 frame to @p dst with @p len bytes of payload of protocol @p proto */
static struct rte_mbuf *
ip4_frame(const char *src, const char *dst, uint8_t proto, uint16_t len)
{
	struct rte_mbuf *m = frame(&gw_mac, RTE_ETHER_TYPE_IPV4, sizeof(struct rte_ipv4_hdr) + len);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + len);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip4(src, &ip->src_addr);
	ip4(dst, &ip->dst_addr);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

static struct rte_mbuf *
echo4(const char *dst)
{
	struct rte_mbuf *m = ip4_frame("192.0.2.2", dst, IPPROTO_ICMP, 8 + 32);
	struct rte_icmp_hdr *ic = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, 34);
	unsigned int i;

	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_ident = rte_cpu_to_be_16(0x1234);
	ic->icmp_seq_nb = rte_cpu_to_be_16(7);
	for (i = 0; i < 32; i++)
		((uint8_t *)(ic + 1))[i] = (uint8_t)i;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 40);
	return m;
}

/* An IPv6 frame to @p dst (MAC @p dmac) with an ICMPv6 message of @p len bytes */
static struct rte_mbuf *
icmp6_frame(const struct rte_ether_addr *dmac, const char *src, const char *dst, uint8_t hops,
	uint16_t len)
{
	struct rte_mbuf *m = frame(dmac, RTE_ETHER_TYPE_IPV6, sizeof(struct rte_ipv6_hdr) + len);
	struct rte_ipv6_hdr *h = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, 14);

	h->vtc_flow = rte_cpu_to_be_32(6u << 28);
	h->payload_len = rte_cpu_to_be_16(len);
	h->proto = IPPROTO_ICMPV6;
	h->hop_limits = hops;
	ip6(src, h->src_addr);
	ip6(dst, h->dst_addr);
	return m;
}

static void
seal6(struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *h = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, 14);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(h + 1);

	ic->icmp_cksum = 0;
	ic->icmp_cksum = wr_cksum6(h, ic);
}

/* NS (type 135) or NA (136) for @p target with a link-layer option of @p opt_type (0: none) */
static struct rte_mbuf *
nd_frame(uint8_t type, const char *src, const char *dst, const char *target, uint8_t opt_type,
	uint8_t hops)
{
	static const struct rte_ether_addr mcast = { { 0x33, 0x33, 0xff, 0, 0, 0x01 } };
	struct rte_mbuf *m = icmp6_frame(&mcast, src, dst, hops, opt_type ? 32 : 24);
	uint8_t *nd = rte_pktmbuf_mtod_offset(m, uint8_t *, 54);

	nd[0] = type;
	if (type == 136)
		nd[4] = 0x60; /* solicited, override */
	ip6(target, nd + 8);
	if (opt_type) {
		nd[24] = opt_type;
		nd[25] = 1;
		memcpy(nd + 26, type == 136 ? &nh_mac : &host_mac, 6);
	}
	seal6(m);
	return m;
}

static void
test_arp(void)
{
	struct rte_mbuf *tx[WR_DP_BURST];
	struct rte_ether_addr mac;
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *a;
	uint8_t want[4];
	uint64_t before;
	unsigned int n;

	wr_dp_input(lc, port, arp_frame(RTE_ARP_OP_REQUEST, "192.0.2.2", "192.0.2.1"));
	n = take_tx(tx);
	CHECK(n == 1, "one reply to an ARP request for our address, got %u", n);
	if (n == 1) {
		eh = rte_pktmbuf_mtod(tx[0], struct rte_ether_hdr *);
		a = (struct rte_arp_hdr *)(eh + 1);
		CHECK(rte_is_same_ether_addr(&eh->dst_addr, &host_mac), "reply to the asker");
		CHECK(rte_is_same_ether_addr(&eh->src_addr, &gw_mac), "reply from the port");
		CHECK(a->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY), "opcode");
		CHECK(rte_is_same_ether_addr(&a->arp_data.arp_sha, &gw_mac), "sender MAC");
		ip4("192.0.2.1", want);
		CHECK(memcmp(&a->arp_data.arp_sip, want, 4) == 0, "sender IP");
		CHECK(rte_is_same_ether_addr(&a->arp_data.arp_tha, &host_mac), "target MAC");
		ip4("192.0.2.2", want);
		CHECK(memcmp(&a->arp_data.arp_tip, want, 4) == 0, "target IP");
	}
	free_all(tx, n);
	ip4("192.0.2.2", want);
	CHECK(wr_neigh_lookup(port->neigh, AF_INET, want, &mac) &&
			rte_is_same_ether_addr(&mac, &host_mac),
		"the asker was learnt");

	before = drops(WR_DP_DROP_ARP_NOT_FOR_US);
	wr_dp_input(lc, port, arp_frame(RTE_ARP_OP_REQUEST, "192.0.2.3", "192.0.2.9"));
	CHECK(take_tx(tx) == 0, "answered ARP for an address not ours");
	CHECK(drops(WR_DP_DROP_ARP_NOT_FOR_US) == before + 1, "not-for-us ARP not counted");
	ip4("192.0.2.3", want);
	CHECK(!wr_neigh_lookup(port->neigh, AF_INET, want, &mac), "learnt from ARP not for us");

	before = drops(WR_DP_DROP_ARP_MALFORMED);
	{
		struct rte_mbuf *m = arp_frame(RTE_ARP_OP_REQUEST, "192.0.2.2", "192.0.2.1");

		rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 14)->arp_hlen = 8;
		wr_dp_input(lc, port, m);
	}
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_ARP_MALFORMED) == before + 1, "hlen 8");

	before = drops(WR_DP_DROP_RUNT);
	{
		struct rte_mbuf *m = arp_frame(RTE_ARP_OP_REQUEST, "192.0.2.2", "192.0.2.1");

		rte_pktmbuf_trim(m, 10);
		wr_dp_input(lc, port, m);
	}
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_RUNT) == before + 1, "short ARP");
}

static void
test_icmp4(void)
{
	struct rte_mbuf *tx[WR_DP_BURST], *m;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	uint8_t a[4];
	uint64_t before;
	unsigned int n, i;
	bool same = true;

	wr_dp_input(lc, port, echo4("192.0.2.1"));
	n = take_tx(tx);
	CHECK(n == 1, "one echo reply, got %u", n);
	if (n == 1) {
		ip = rte_pktmbuf_mtod_offset(tx[0], struct rte_ipv4_hdr *, 14);
		ic = (struct rte_icmp_hdr *)(ip + 1);
		CHECK(rte_is_same_ether_addr(
			      &rte_pktmbuf_mtod(tx[0], struct rte_ether_hdr *)->dst_addr,
			      &host_mac),
			"echo reply MAC");
		ip4("192.0.2.1", a);
		CHECK(memcmp(&ip->src_addr, a, 4) == 0, "reply source");
		ip4("192.0.2.2", a);
		CHECK(memcmp(&ip->dst_addr, a, 4) == 0, "reply destination");
		CHECK(rte_raw_cksum(ip, 20) == 0xffff, "IP checksum");
		CHECK(rte_raw_cksum(ic, 40) == 0xffff, "ICMP checksum");
		CHECK(ic->icmp_type == RTE_IP_ICMP_ECHO_REPLY && ic->icmp_code == 0, "type");
		CHECK(ic->icmp_ident == rte_cpu_to_be_16(0x1234) &&
				ic->icmp_seq_nb == rte_cpu_to_be_16(7),
			"id and sequence kept");
		for (i = 0; i < 32; i++)
			same &= ((uint8_t *)(ic + 1))[i] == i;
		CHECK(same, "payload kept");
		CHECK(rte_pktmbuf_pkt_len(tx[0]) == 14 + 20 + 40, "length");
	}
	free_all(tx, n);

	before = drops(WR_DP_DROP_ICMP_MALFORMED);
	m = echo4("192.0.2.1");
	rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, 34)->icmp_cksum ^= 1;
	wr_dp_input(lc, port, m);
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_ICMP_MALFORMED) == before + 1, "ICMP cksum");

	before = drops(WR_DP_DROP_IP4_CHECKSUM);
	m = echo4("192.0.2.1");
	rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14)->hdr_checksum ^= 1;
	wr_dp_input(lc, port, m);
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_IP4_CHECKSUM) == before + 1, "IP cksum");

	before = drops(WR_DP_DROP_NOT_FOR_US);
	wr_dp_input(lc, port, echo4("192.0.2.9"));
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_NOT_FOR_US) == before + 1, "not ours");

	before = drops(WR_DP_DROP_NOT_OUR_MAC);
	m = echo4("192.0.2.1");
	rte_ether_addr_copy(&nh_mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
	wr_dp_input(lc, port, m);
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_NOT_OUR_MAC) == before + 1, "other MAC");

	before = drops(WR_DP_DROP_L4_UNHANDLED);
	wr_dp_input(lc, port, ip4_frame("192.0.2.2", "192.0.2.1", IPPROTO_UDP, 8));
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_L4_UNHANDLED) == before + 1, "UDP to us");

	before = drops(WR_DP_DROP_IP4_MALFORMED);
	m = echo4("192.0.2.1");
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	ip->total_length = rte_cpu_to_be_16(200);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	wr_dp_input(lc, port, m);
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_IP4_MALFORMED) == before + 1, "too long");
}

static void
test_nd(void)
{
	struct rte_mbuf *tx[WR_DP_BURST];
	struct rte_ether_addr mac;
	struct rte_ipv6_hdr *h;
	uint8_t *na, want[16];
	uint64_t before;
	unsigned int n;

	wr_dp_input(lc, port,
		nd_frame(135, "2001:db8:1::2", "ff02::1:ff00:1", "2001:db8:1::1", 1, 255));
	n = take_tx(tx);
	CHECK(n == 1, "one advertisement, got %u", n);
	if (n == 1) {
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(tx[0], struct rte_ether_hdr *);

		h = (struct rte_ipv6_hdr *)(eh + 1);
		na = (uint8_t *)(h + 1);
		CHECK(rte_is_same_ether_addr(&eh->dst_addr, &host_mac), "to the solicitor's MAC");
		CHECK(rte_is_same_ether_addr(&eh->src_addr, &gw_mac), "from the port");
		ip6("2001:db8:1::1", want);
		CHECK(memcmp(h->src_addr, want, 16) == 0, "from the target");
		CHECK(memcmp(na + 8, want, 16) == 0, "target");
		ip6("2001:db8:1::2", want);
		CHECK(memcmp(h->dst_addr, want, 16) == 0, "to the solicitor");
		CHECK(h->hop_limits == 255 && h->proto == IPPROTO_ICMPV6, "hop limit 255");
		CHECK(na[0] == 136 && na[1] == 0, "type NA");
		CHECK(na[4] == 0xe0, "flags R|S|O, got %#x", na[4]);
		CHECK(rte_be_to_cpu_16(h->payload_len) == 32, "length %u",
			rte_be_to_cpu_16(h->payload_len));
		CHECK(na[24] == 2 && na[25] == 1 && memcmp(na + 26, &gw_mac, 6) == 0, "TLLA");
		CHECK(wr_cksum6_ok(h, na, 32), "checksum");
	}
	free_all(tx, n);
	ip6("2001:db8:1::2", want);
	CHECK(wr_neigh_lookup(port->neigh, AF_INET6, want, &mac) &&
			rte_is_same_ether_addr(&mac, &host_mac),
		"the solicitor was learnt");

	/* DAD: to all nodes, not solicited */
	wr_dp_input(lc, port, nd_frame(135, "::", "ff02::1:ff00:1", "2001:db8:1::1", 0, 255));
	n = take_tx(tx);
	CHECK(n == 1, "one advertisement to a DAD probe, got %u", n);
	if (n == 1) {
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(tx[0], struct rte_ether_hdr *);
		static const struct rte_ether_addr all = { { 0x33, 0x33, 0, 0, 0, 1 } };

		h = (struct rte_ipv6_hdr *)(eh + 1);
		na = (uint8_t *)(h + 1);
		ip6("ff02::1", want);
		CHECK(memcmp(h->dst_addr, want, 16) == 0 &&
				rte_is_same_ether_addr(&eh->dst_addr, &all),
			"to all nodes");
		CHECK(na[4] == 0xa0, "flags R|O, got %#x", na[4]);
		CHECK(wr_cksum6_ok(h, na, 32), "checksum");
	}
	free_all(tx, n);

	before = drops(WR_DP_DROP_ND_MALFORMED);
	wr_dp_input(
		lc, port, nd_frame(135, "2001:db8:1::2", "ff02::1:ff00:1", "2001:db8:1::1", 1, 64));
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_ND_MALFORMED) == before + 1, "hop limit 64");

	before = drops(WR_DP_DROP_ND_NOT_FOR_US);
	wr_dp_input(lc, port,
		nd_frame(135, "2001:db8:1::2", "ff02::1:ff00:1", "2001:db8:1::1:1", 1, 255));
	CHECK(take_tx(tx) == 0, "answered for an address not ours");
	before = drops(WR_DP_DROP_NOT_FOR_US) + drops(WR_DP_DROP_ND_NOT_FOR_US) - before;
	CHECK(before >= 1, "not counted");

	/* echo */
	{
		struct rte_mbuf *m = icmp6_frame(&gw_mac, "2001:db8:1::2", "2001:db8:1::1", 64, 16);
		uint8_t *ic = rte_pktmbuf_mtod_offset(m, uint8_t *, 54);

		ic[0] = 128;
		memcpy(ic + 4, "\x12\x34\x00\x09pingping", 12);
		seal6(m);
		wr_dp_input(lc, port, m);
	}
	n = take_tx(tx);
	CHECK(n == 1, "one echo reply, got %u", n);
	if (n == 1) {
		h = rte_pktmbuf_mtod_offset(tx[0], struct rte_ipv6_hdr *, 14);
		na = (uint8_t *)(h + 1);
		ip6("2001:db8:1::1", want);
		CHECK(memcmp(h->src_addr, want, 16) == 0, "reply source");
		ip6("2001:db8:1::2", want);
		CHECK(memcmp(h->dst_addr, want, 16) == 0, "reply destination");
		CHECK(na[0] == 129 && memcmp(na + 4, "\x12\x34\x00\x09pingping", 12) == 0,
			"echo reply body");
		CHECK(wr_cksum6_ok(h, na, 16), "checksum");
	}
	free_all(tx, n);
}

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

/* Echo requests to a tunnel address, answered in place (no Ethernet, no port). */
static void
test_echo_in_place(void)
{
	uint8_t pkt[128], orig[128];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)pkt;
	struct rte_icmp_hdr *icmp;
	size_t len;

	/* IPv4: 20 + 8 + 16 bytes of payload */
	memset(pkt, 0, sizeof(pkt));
	len = 44;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = 3;
	ip->next_proto_id = IPPROTO_ICMP;
	inet_pton(AF_INET, "198.51.100.1", &ip->src_addr);
	inet_pton(AF_INET, "198.51.100.254", &ip->dst_addr);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_ident = 0x1234;
	memset(icmp + 1, 0xab, 16);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, 24);
	memcpy(orig, pkt, len);
	CHECK(wr_icmp_echo_reply_in_place(pkt, (uint32_t)len), "IPv4 echo request refused");
	CHECK(ip->src_addr == ((struct rte_ipv4_hdr *)orig)->dst_addr &&
			ip->dst_addr == ((struct rte_ipv4_hdr *)orig)->src_addr,
		"IPv4 addresses not swapped");
	CHECK(icmp->icmp_type == RTE_IP_ICMP_ECHO_REPLY && icmp->icmp_ident == 0x1234,
		"not an echo reply");
	CHECK(rte_raw_cksum(icmp, 24) == 0xffff, "ICMP checksum");
	CHECK(rte_raw_cksum(ip, 20) == 0xffff && ip->time_to_live > 3, "IP checksum, TTL");
	/* a reply, a truncated request, a bad checksum: left alone */
	memcpy(orig, pkt, len);
	CHECK(!wr_icmp_echo_reply_in_place(pkt, (uint32_t)len), "a reply was answered");
	CHECK(memcmp(orig, pkt, len) == 0, "a refused packet changed");
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, 24);
	CHECK(!wr_icmp_echo_reply_in_place(pkt, (uint32_t)len - 1), "a truncated request");
	icmp->icmp_cksum ^= 1;
	CHECK(!wr_icmp_echo_reply_in_place(pkt, (uint32_t)len), "a bad checksum");

	/* IPv6: 40 + 8 + 16 */
	memset(pkt, 0, sizeof(pkt));
	len = 64;
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(24);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 1;
	inet_pton(AF_INET6, "2001:db8:3::1", ip6->src_addr);
	inet_pton(AF_INET6, "2001:db8:3::fe", ip6->dst_addr);
	icmp = (struct rte_icmp_hdr *)(ip6 + 1);
	icmp->icmp_type = 128;
	memset(icmp + 1, 0xcd, 16);
	icmp->icmp_cksum = wr_cksum6(ip6, icmp);
	CHECK(wr_icmp_echo_reply_in_place(pkt, (uint32_t)len), "IPv6 echo request refused");
	CHECK(icmp->icmp_type == 129 && ip6->dst_addr[15] == 1 && ip6->src_addr[15] == 0xfe,
		"IPv6 reply");
	CHECK(wr_cksum6_ok(ip6, icmp, 24), "ICMPv6 checksum");
	CHECK(!wr_icmp_echo_reply_in_place(pkt, (uint32_t)len), "an IPv6 reply was answered");
}

/*
 * An ICMP error about the frame @p orig (IP at 14) from the port's address towards its source,
 * in a frame: what wr_fwd_error_back() sends, without its rate limit and route.
 */
static struct rte_mbuf *
port_error(const struct rte_mbuf *orig, bool v6, uint8_t type, uint8_t code, uint32_t mtu)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(orig, const uint8_t *, 14);
	const struct wr_port_addr *src =
		wr_port_source_for(port, v6 ? AF_INET6 : AF_INET, ip + (v6 ? 8 : 12));

	if (src == NULL)
		return NULL;
	return wr_icmp_error(lc, v6, ip, rte_pktmbuf_data_len(orig) - 14, type, code, mtu,
		src->addr, 14, UINT32_MAX);
}

static void
test_errors(void)
{
	struct rte_mbuf *orig, *e;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	struct rte_ipv6_hdr *h;
	uint8_t a[16];

	orig = ip4_frame("192.0.2.2", "198.51.100.1", IPPROTO_UDP, 1400);
	e = port_error(orig, false, WR_ICMP4_DEST_UNREACH, WR_ICMP4_FRAG_NEEDED, 1420);
	CHECK(e != NULL, "frag needed built");
	if (e != NULL) {
		ip = rte_pktmbuf_mtod_offset(e, struct rte_ipv4_hdr *, 14);
		ic = (struct rte_icmp_hdr *)(ip + 1);
		CHECK(rte_pktmbuf_pkt_len(e) == 14 + 576, "576 bytes of IP, got %u",
			rte_pktmbuf_pkt_len(e) - 14);
		CHECK(rte_be_to_cpu_16(ip->total_length) == 576, "total length");
		ip4("192.0.2.1", a);
		CHECK(memcmp(&ip->src_addr, a, 4) == 0, "from the port's address");
		ip4("192.0.2.2", a);
		CHECK(memcmp(&ip->dst_addr, a, 4) == 0, "to the source");
		CHECK(rte_raw_cksum(ip, 20) == 0xffff, "IP checksum");
		CHECK(ic->icmp_type == 3 && ic->icmp_code == 4, "type 3 code 4");
		CHECK(rte_be_to_cpu_16(ic->icmp_seq_nb) == 1420, "next-hop MTU");
		CHECK(rte_raw_cksum(ic, 556) == 0xffff, "ICMP checksum");
		CHECK(memcmp(ic + 1, rte_pktmbuf_mtod_offset(orig, void *, 14), 548) == 0, "quote");
		rte_pktmbuf_free(e);
	}
	rte_pktmbuf_free(orig);

	/* never about an ICMP error */
	orig = ip4_frame("192.0.2.2", "198.51.100.1", IPPROTO_ICMP, 1400);
	rte_pktmbuf_mtod_offset(orig, uint8_t *, 34)[0] = 3;
	e = port_error(orig, false, WR_ICMP4_DEST_UNREACH, WR_ICMP4_FRAG_NEEDED, 1420);
	CHECK(e == NULL, "error about an ICMP error");
	rte_pktmbuf_free(e);
	rte_pktmbuf_free(orig);

	orig = icmp6_frame(&gw_mac, "2001:db8:1::2", "2001:db8:9::1", 64, 1400);
	rte_pktmbuf_mtod_offset(orig, struct rte_ipv6_hdr *, 14)->proto = IPPROTO_UDP;
	e = port_error(orig, true, WR_ICMP6_TOO_BIG, 0, 1280);
	CHECK(e != NULL, "too big built");
	if (e != NULL) {
		h = rte_pktmbuf_mtod_offset(e, struct rte_ipv6_hdr *, 14);
		ic = (struct rte_icmp_hdr *)(h + 1);
		CHECK(rte_pktmbuf_pkt_len(e) == 14 + 1280, "1280 bytes of IPv6, got %u",
			rte_pktmbuf_pkt_len(e) - 14);
		ip6("2001:db8:1::1", a);
		CHECK(memcmp(h->src_addr, a, 16) == 0, "from the port's address");
		ip6("2001:db8:1::2", a);
		CHECK(memcmp(h->dst_addr, a, 16) == 0, "to the source");
		CHECK(ic->icmp_type == 2 && ic->icmp_code == 0, "type 2");
		CHECK(rte_be_to_cpu_16(ic->icmp_seq_nb) == 1280, "MTU");
		CHECK(wr_cksum6_ok(h, ic, 1240), "checksum");
		CHECK(memcmp(ic + 1, rte_pktmbuf_mtod_offset(orig, void *, 14), 1232) == 0,
			"quote");
		rte_pktmbuf_free(e);
	}
	rte_pktmbuf_free(orig);

	orig = icmp6_frame(&gw_mac, "ff02::1", "2001:db8:9::1", 64, 100);
	e = port_error(orig, true, WR_ICMP6_TOO_BIG, 0, 1280);
	CHECK(e == NULL, "error about a multicast source");
	rte_pktmbuf_free(e);
	rte_pktmbuf_free(orig);
}

/* The port's IPv4 addresses packed for the workers' per-packet test agree with its list. */
static void
test_addr4(void)
{
	uint8_t a[16];
	uint32_t v;

	ip4("192.0.2.1", a);
	memcpy(&v, a, 4);
	CHECK(wr_port_has_addr4(port, v) && wr_port_find_addr4(port, a) != NULL,
		"the port's IPv4 address");
	ip4("192.0.2.2", a);
	memcpy(&v, a, 4);
	CHECK(!wr_port_has_addr4(port, v) && wr_port_find_addr4(port, a) == NULL,
		"its neighbour is not the port's");
	/* the IPv6 address's first four bytes are no IPv4 address of the port */
	ip6("2001:db8:1::1", a);
	memcpy(&v, a, 4);
	CHECK(!wr_port_has_addr4(port, v), "an IPv6 address's first bytes taken for IPv4");
	ip4("203.0.113.5", a);
	CHECK(wr_port_add_addr(port, AF_INET, a, 24) == 0, "a second IPv4 address");
	memcpy(&v, a, 4);
	CHECK(wr_port_has_addr4(port, v) && port->n_addr4 == 2, "the second one too");
}

/* An IPv6 echo request from @p src to our address */
static struct rte_mbuf *
echo6_from(const char *src)
{
	struct rte_mbuf *m = icmp6_frame(&gw_mac, src, "2001:db8:1::1", 64, 8);

	rte_pktmbuf_mtod_offset(m, uint8_t *, 54)[0] = 128;
	seal6(m);
	return m;
}

/* An IPv4 echo request from @p src to our address */
static struct rte_mbuf *
echo4_from(const char *src)
{
	struct rte_mbuf *m = echo4("192.0.2.1");
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);

	ip4(src, &ip->src_addr);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

/*
 * Frames that would make the gateway answer many, point a neighbour at a group or zero MAC, or
 * fill the neighbour table with what is no neighbour: dropped or ignored, each counted.
 */
static void
test_bad_sources(void)
{
	static const struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero_mac = { { 0 } };
	static const char *const off_link[] = { "198.51.100.7", "192.0.2.1", "192.0.2.255",
		"224.0.0.1" };
	static const char *const not_hosts4[] = { "255.255.255.255", "224.0.0.1", "0.0.0.0",
		"127.0.0.1", "192.0.2.255" };
	struct rte_mbuf *tx[WR_DP_BURST], *m;
	struct rte_ether_addr mac;
	uint8_t a[16];
	uint64_t before;
	unsigned int i, n;

	/* ARP for our address from what is no neighbour: answered, not learnt */
	for (i = 0; i < RTE_DIM(off_link); i++) {
		wr_dp_input(lc, port, arp_frame(RTE_ARP_OP_REQUEST, off_link[i], "192.0.2.1"));
		n = take_tx(tx);
		free_all(tx, n);
		ip4(off_link[i], a);
		CHECK(!wr_neigh_lookup(port->neigh, AF_INET, a, &mac), "learnt ARP sender %s",
			off_link[i]);
	}
	/* an ARP sender at the zero MAC */
	before = drops(WR_DP_DROP_ARP_MALFORMED);
	m = arp_frame(RTE_ARP_OP_REQUEST, "192.0.2.77", "192.0.2.1");
	rte_ether_addr_copy(
		&zero_mac, &rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 14)->arp_data.arp_sha);
	wr_dp_input(lc, port, m);
	ip4("192.0.2.77", a);
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_ARP_MALFORMED) == before + 1 &&
			!wr_neigh_lookup(port->neigh, AF_INET, a, &mac),
		"ARP from the zero MAC");
	/* frames from a group Ethernet source: an echo request, an ARP request */
	before = drops(WR_DP_DROP_BAD_SOURCE_MAC);
	m = echo4("192.0.2.1");
	rte_ether_addr_copy(&bcast, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr);
	wr_dp_input(lc, port, m);
	m = arp_frame(RTE_ARP_OP_REQUEST, "192.0.2.78", "192.0.2.1");
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr.addr_bytes[0] = 0x01;
	wr_dp_input(lc, port, m);
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_BAD_SOURCE_MAC) == before + 2,
		"frames from group Ethernet sources answered or not counted");
	/* echo requests from what is not one host */
	before = drops(WR_DP_DROP_ECHO_BAD_SOURCE);
	for (i = 0; i < RTE_DIM(not_hosts4); i++)
		wr_dp_input(lc, port, echo4_from(not_hosts4[i]));
	wr_dp_input(lc, port, echo6_from("ff02::1"));
	wr_dp_input(lc, port, echo6_from("::"));
	wr_dp_input(lc, port, echo6_from("::1"));
	CHECK(take_tx(tx) == 0 &&
			drops(WR_DP_DROP_ECHO_BAD_SOURCE) == before + RTE_DIM(not_hosts4) + 3,
		"echo replies to groups, broadcast or unspecified sources");
	wr_dp_input(lc, port, echo6_from("2001:db8:1::2"));
	n = take_tx(tx);
	CHECK(n == 1, "no reply to a host's IPv6 echo request after the refused ones");
	free_all(tx, n);
	/* ND: a solicitation whose SLLA is broadcast, an advert whose TLLA is zero */
	before = drops(WR_DP_DROP_ND_MALFORMED);
	m = nd_frame(135, "2001:db8:1::77", "ff02::1:ff00:1", "2001:db8:1::1", 1, 255);
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, 54 + 26), &bcast, 6);
	seal6(m);
	wr_dp_input(lc, port, m);
	m = nd_frame(136, "2001:db8:1::2", "2001:db8:1::1", "2001:db8:1::2", 2, 255);
	rte_ether_addr_copy(&gw_mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
	memset(rte_pktmbuf_mtod_offset(m, uint8_t *, 54 + 26), 0, 6);
	seal6(m);
	wr_dp_input(lc, port, m);
	ip6("2001:db8:1::77", a);
	CHECK(take_tx(tx) == 0 && drops(WR_DP_DROP_ND_MALFORMED) == before + 2 &&
			!wr_neigh_lookup(port->neigh, AF_INET6, a, &mac),
		"ND with a group or zero link-layer address");
	ip6("2001:db8:1::2", a);
	CHECK(wr_neigh_lookup(port->neigh, AF_INET6, a, &mac) &&
			rte_is_same_ether_addr(&mac, &host_mac),
		"an advert with a zero TLLA changed a neighbour");
	/* a solicitation from off link: answered, not learnt */
	wr_dp_input(lc, port,
		nd_frame(135, "2001:db8:99::2", "ff02::1:ff00:1", "2001:db8:1::1", 1, 255));
	free_all(tx, take_tx(tx));
	ip6("2001:db8:99::2", a);
	CHECK(!wr_neigh_lookup(port->neigh, AF_INET6, a, &mac), "learnt an off-link solicitor");
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

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "--no-shconf", "--no-pci", "-l", "0", "-m", "128",
		"--log-level", "lib.eal:error", NULL };
	uint8_t a[16];

	(void)argc;
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		printf("rte_eal_init failed\n");
		return 2;
	}
	dp = rte_zmalloc("test", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL)
		return 2;
	dp->lcores = rte_zmalloc("test", RTE_MAX_LCORE * sizeof(*dp->lcores), RTE_CACHE_LINE_SIZE);
	dp->mp = rte_pktmbuf_pool_create(
		"test_host", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	dp->hz = rte_get_tsc_hz();
	dp->nb_ports = 1;
	port = &dp->ports[0];
	/* no ethdev: the replies stay in the TX buffer, which no test lets fill up */
	port->port_id = RTE_MAX_ETHPORTS;
	snprintf(port->name, sizeof(port->name), "lan");
	rte_ether_addr_copy(&gw_mac, &port->mac);
	port->neigh = wr_neigh_create(SOCKET_ID_ANY);
	if (dp->lcores == NULL || dp->mp == NULL || port->neigh == NULL)
		return 2;
	ip4("192.0.2.1", a);
	wr_port_add_addr(port, AF_INET, a, 24);
	ip6("2001:db8:1::1", a);
	wr_port_add_addr(port, AF_INET6, a, 64);
	lc = wr_dp_lcore(dp, 0, 0);
	lc->now = dp->hz; /* one second in: timers due at 0 are due */

	test_arp();
	test_icmp4();
	test_nd();
	test_resolve(AF_INET);
	test_resolve(AF_INET6);
	test_errors();
	test_echo_in_place();
	test_addr4();
	test_bad_sources();
	test_neigh_flood();
	test_neigh_queued();
	test_neigh_learnt();
	test_solicit_rate();

	CHECK(rte_mempool_in_use_count(dp->mp) == 0, "%u mbufs leaked",
		rte_mempool_in_use_count(dp->mp));
	printf("%u checks, %u failures\n", checks, failures);
	wr_dp_destroy(dp);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
