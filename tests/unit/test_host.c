/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data plane's host stack (lib/dataplane: arp.c, nd.c, icmp.c, dataplane.c input) on crafted
 * frames, without a device: frames go into wr_dp_input() and the replies are read from the
 * lcore's TX buffer before any flush. Checks the replies field by field (checksums included),
 * every drop reason on its bad input, answers refused to bad sources, and the "fragmentation
 * needed" / "packet too big" builders. Next-hop resolution and the neighbour table: test_neigh.c.
 */
#include "host_test.h"

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

int
main(int argc, char **argv)
{
	(void)argc;
	if (host_test_setup(argv[0], "test_host") < 0)
		return 2;
	test_arp();
	test_icmp4();
	test_nd();
	test_errors();
	test_echo_in_place();
	test_addr4();
	test_bad_sources();
	return host_test_finish();
}
