/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data plane's fuzz harness, the wire's side: every frame the gateway sends is checked
 * (check_output(); what it seals to the peer is opened and checked too, check_sealed()), the
 * stations answer ARP and neighbour solicitations, and the peer's engine gets what is for it.
 * service() runs one pass of the gateway's lcores and of the wire. fuzz_dataplane.c has the rest.
 */
#include "fuzz_dataplane.h"

static void
arp_reply(struct wire *w, const struct rte_arp_hdr *req)
{
	struct rte_mbuf *m = ring_bed_arp_reply(F.dp->mp, req, &w->mac, &w->smac);

	if (m == NULL)
		die("no mbuf for an input: the gateway holds them all");
	push(w, &m, 1);
}

/* Whether @p a is no one host: multicast, class E, limited or a connected prefix's broadcast,
 * 0.0.0.0 */
static bool
is_group4(const uint8_t *a)
{
	static const uint8_t wan_bcast[4] = { 192, 0, 2, 255 }, lan_bcast[4] = { 203, 0, 113, 255 };

	return a[0] >= 224 || (a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0) ||
	       memcmp(a, wan_bcast, 4) == 0 || memcmp(a, lan_bcast, 4) == 0;
}

/* Whether @p a is one of the gateway's IPv4 addresses (its ports' and its tunnels') */
static bool
gw_addr4(const uint8_t *a)
{
	static const uint8_t tunnel[4] = { 198, 51, 100, 1 }, tunnel_b[4] = { 198, 51, 100, 65 };

	return memcmp(a, F.wan.addr, 4) == 0 || memcmp(a, F.lan.addr, 4) == 0 ||
	       memcmp(a, tunnel, 4) == 0 || memcmp(a, tunnel_b, 4) == 0;
}

static bool
gw_addr6(const uint8_t *a)
{
	static const uint8_t tunnel[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 5, [15] = 1 };
	static const uint8_t tunnel_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 6, [15] = 1 };

	return memcmp(a, F.wan.addr6, 16) == 0 || memcmp(a, F.lan.addr6, 16) == 0 ||
	       memcmp(a, tunnel, 16) == 0 || memcmp(a, tunnel_b, 16) == 0 ||
	       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/*
 * Whether @p a (@p v6: 16 bytes, else 4) lies in a peer's AllowedIPs (the first interface's peer:
 * 198.51.100.128/25, 2001:db8:20::/48; the second's: 198.51.100.96/27, 2001:db8:30::/48): what
 * is for a peer goes to it sealed, never out of a port in plaintext.
 */
static bool
peer_net(const uint8_t *a, bool v6)
{
	if (v6)
		return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8 && a[4] == 0 &&
		       (a[5] == 0x20 || a[5] == 0x30);
	return a[0] == 198 && a[1] == 51 && a[2] == 100 && a[3] >= 96;
}

/* Whether the UDP source port at @p sport (network order, two bytes) is an interface's */
static bool
listen_port(const uint8_t *sport)
{
	uint16_t port = (uint16_t)(sport[0] << 8 | sport[1]);

	return port == WG_PORT || port == WG_PORT_B;
}

/*
 * The checks on every frame the gateway sends; aborts on a breach. The gateway forwards what
 * others sent too, so the checks on content hold for what it wrote itself: frames from its own
 * addresses (no inner packet may carry one: AllowedIPs; a forwarded one had its header checked).
 * Under @p strict (the input was one UDP payload to the listen port, which no input can make
 * authentic) only ARP, neighbour solicitations and the gateway's own initiations and transport
 * data (timers: keepalives, rekeying) may leave.
 */
static void
check_output(const struct wire *w, const uint8_t *p, uint32_t len, bool strict)
{
	uint16_t type;

	if (len < ETH_LEN)
		die("a frame shorter than its Ethernet header");
	type = (uint16_t)(p[12] << 8 | p[13]);
	p += ETH_LEN;
	len -= ETH_LEN;
	if (type == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)p;
		uint32_t hlen, total;
		bool own;

		if (len < sizeof(*ip) || (p[0] >> 4) != 4)
			die("an IPv4 frame without an IPv4 header");
		hlen = (p[0] & 0xfu) * 4;
		total = rte_be_to_cpu_16(ip->total_length);
		if (hlen < sizeof(*ip) || total > len || total < hlen)
			die("an IPv4 header whose lengths the frame does not hold");
		own = gw_addr4((const uint8_t *)&ip->src_addr);
		/* what it forwards (the gateway's own answers go back where the question came
		 * from) */
		if (!own && peer_net((const uint8_t *)&ip->dst_addr, false))
			die("an IPv4 packet for the peer's network out of a port in plaintext");
		if (own && rte_raw_cksum(ip, hlen) != 0xffff)
			die("the gateway's IPv4 header with a wrong checksum");
		if (own && ip->next_proto_id == IPPROTO_ICMP && total > hlen &&
			(p[hlen] == 3 || p[hlen] == 11 || p[hlen] == 12) &&
			is_group4((const uint8_t *)&ip->dst_addr))
			die("an ICMP error to a group or broadcast address");
		if (strict &&
			!(own && ip->next_proto_id == IPPROTO_UDP && total >= hlen + 12 &&
				listen_port(p + hlen) &&
				(p[hlen + 8] == WR_MSG_HANDSHAKE_INITIATION ||
					p[hlen + 8] == WR_MSG_DATA)))
			die("a reply to unauthenticated WireGuard traffic");
	} else if (type == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)p;
		bool own;

		if (len < sizeof(*ip6) || (p[0] >> 4) != 6 ||
			sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len) > len)
			die("an IPv6 header whose lengths the frame does not hold");
		own = gw_addr6(ip6->src_addr);
		if (!own && peer_net(ip6->dst_addr, true))
			die("an IPv6 packet for the peer's network out of a port in plaintext");
		if (own && ip6->proto == IPPROTO_ICMPV6 && len > sizeof(*ip6) && p[40] < 128 &&
			ip6->dst_addr[0] == 0xff)
			die("an ICMPv6 error to a multicast address");
		if (strict &&
			!(own && ip6->proto == IPPROTO_ICMPV6 && len > sizeof(*ip6) &&
				p[40] == 135) &&
			!(own && ip6->proto == IPPROTO_UDP && len >= sizeof(*ip6) + 12 &&
				listen_port(p + 40) &&
				(p[48] == WR_MSG_HANDSHAKE_INITIATION || p[48] == WR_MSG_DATA)))
			die("a reply to unauthenticated WireGuard traffic");
	} else if (strict && type != RTE_ETHER_TYPE_ARP) {
		die("a reply to unauthenticated WireGuard traffic");
	}
}

/* The station's advert in answer to the gateway's solicitation @p ns (IPv6 header on) for it */
static void
nd_advert(struct wire *w, const uint8_t *ns)
{
	struct rte_ipv6_hdr *ip6;
	struct rte_mbuf *m;
	uint8_t *p, *na;

	if ((m = frame(ETH_LEN + sizeof(*ip6) + 32, &p)) == NULL)
		return;
	put_eth(p, w, RTE_ETHER_TYPE_IPV6);
	ip6 = (struct rte_ipv6_hdr *)(p + ETH_LEN);
	memset(ip6, 0, sizeof(*ip6) + 32);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(32);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, w->saddr6, 16);
	memcpy(ip6->dst_addr, ns + 8, 16); /* the solicitation's source */
	na = (uint8_t *)(ip6 + 1);
	na[0] = 136;  /* neighbour advertisement */
	na[4] = 0x60; /* solicited, override */
	memcpy(na + 8, w->saddr6, 16);
	na[24] = 2; /* target link-layer address */
	na[25] = 1;
	memcpy(na + 26, &w->smac, 6);
	((struct rte_icmp_hdr *)na)->icmp_cksum = rte_ipv6_udptcp_cksum(ip6, na);
	push(w, &m, 1);
}

/*
 * A receiver index, mixed: the harness compares mixes, not indices, so that the fuzzer (which
 * sees the operands of comparisons) does not learn the peer's receiving indices and forge
 * messages to them through the forwarding path.
 */
uint32_t
index_mix(uint32_t index)
{
	return (index ^ 0x5bd1e995u) * 0x9e3779b1u;
}

/* The type, code and MTU field of the gateway's ICMP or ICMPv6 message @p icmp (@p len bytes)
 * that the peer opened last: the self-check asks for them */
static void
note_icmp(const uint8_t *icmp, uint32_t len)
{
	if (len < 8)
		return;
	F.icmp_type = icmp[0];
	F.icmp_code = icmp[1];
	/* "fragmentation needed" holds it in bytes 6-7, "packet too big" in bytes 4-7 */
	F.icmp_mtu = (uint32_t)icmp[4] << 24 | (uint32_t)icmp[5] << 16 | (uint32_t)icmp[6] << 8 |
		     icmp[7];
}

/* Whether the sealed inner packet @p p of @p n bytes (padding included) is sound, or a keepalive */
static void
check_inner(const uint8_t *p, uint32_t n)
{
	uint32_t len, hlen, i;

	if (n == 0)
		return;
	/* padded to 16 bytes, or to the MTU when that is less (wr_padded_len()) */
	if (n % 16 != 0 && n != MTU)
		die("a sealed packet not padded to 16 bytes");
	if ((p[0] >> 4) == 4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)p;

		hlen = (p[0] & 0xfu) * 4;
		len = rte_be_to_cpu_16(ip->total_length);
		if (n < sizeof(*ip) || hlen < sizeof(*ip) || len < hlen || len > n)
			die("a sealed IPv4 packet whose lengths do not hold");
		if (gw_addr4((const uint8_t *)&ip->src_addr) && ip->next_proto_id == IPPROTO_ICMP) {
			if (rte_raw_cksum(ip, hlen) != 0xffff ||
				rte_raw_cksum(p + hlen, len - hlen) != 0xffff)
				die("the gateway's sealed ICMP with a wrong checksum");
			note_icmp(p + hlen, len - hlen);
		}
	} else if ((p[0] >> 4) == 6) {
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)p;

		if (n < sizeof(*ip6))
			die("a sealed IPv6 packet shorter than its header");
		len = sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
		if (len > n)
			die("a sealed IPv6 packet whose length does not hold");
		if (gw_addr6(ip6->src_addr) && ip6->proto == IPPROTO_ICMPV6) {
			uint32_t sum = rte_ipv6_phdr_cksum(ip6, 0) +
				       rte_raw_cksum(ip6 + 1, len - sizeof(*ip6));

			sum = (sum & 0xffff) + (sum >> 16);
			sum = (sum & 0xffff) + (sum >> 16);
			if (sum != 0xffff)
				die("the gateway's sealed ICMPv6 with a wrong checksum");
			note_icmp((const uint8_t *)(ip6 + 1), len - sizeof(*ip6));
		}
	} else {
		die("a sealed packet that is no IP packet");
	}
	for (i = len; i < n; i++)
		if (p[i] != 0)
			die("a sealed packet padded with other than zeros");
}

/*
 * A transport data message the gateway sent from its listen port (UDP payload @p msg, @p len
 * bytes) to a receiver index of the peer's: it must open with the peer's key, and hold a sound
 * packet. (The forwarding path cannot carry one: the fuzzer does not learn those indices.)
 */
static void
check_sealed(const uint8_t *msg, uint32_t len)
{
	static uint8_t out[MAX_FRAME];
	uint32_t mix;
	ssize_t n;
	unsigned int k;

	if (len < WR_MSG_DATA_MIN_LEN || len - WR_MSG_DATA_MIN_LEN > sizeof(out) ||
		msg[0] != WR_MSG_DATA)
		return;
	mix = index_mix(wr_data_receiver(msg));
	for (k = 0; k < RTE_DIM(F.rx_keys); k++) {
		if (F.rx_keys[k].index_mix != mix || mix == index_mix(0))
			continue;
		n = wr_data_open(out, F.rx_keys[k].key, msg, len);
		if (n < 0)
			die("a message the gateway sealed for the peer does not open");
		check_inner(out, (uint32_t)n);
		F.opened++;
		return;
	}
}

/* The UDP payload of a frame out of the WAN port from the gateway's listen port and address */
static const uint8_t *
listen_port_payload(const uint8_t *p, uint32_t len, uint32_t *plen)
{
	const struct rte_udp_hdr *uh;
	uint32_t l3;

	if (len >= ETH_LEN + 20 + 8 && p[12] == 0x08 && p[13] == 0x00 &&
		p[ETH_LEN + 9] == IPPROTO_UDP && memcmp(p + ETH_LEN + 12, F.wan.addr, 4) == 0)
		l3 = (p[ETH_LEN] & 0xfu) * 4;
	else if (len >= ETH_LEN + 40 + 8 && p[12] == 0x86 && p[13] == 0xdd &&
		 p[ETH_LEN + 6] == IPPROTO_UDP && memcmp(p + ETH_LEN + 8, F.wan.addr6, 16) == 0)
		l3 = 40;
	else
		return NULL;
	if (len < ETH_LEN + l3 + sizeof(*uh))
		return NULL;
	uh = (const struct rte_udp_hdr *)(p + ETH_LEN + l3);
	if (uh->src_port != RTE_BE16(WG_PORT) || rte_be_to_cpu_16(uh->dgram_len) < sizeof(*uh) ||
		ETH_LEN + l3 + rte_be_to_cpu_16(uh->dgram_len) > len)
		return NULL;
	*plen = rte_be_to_cpu_16(uh->dgram_len) - sizeof(*uh);
	return (const uint8_t *)(uh + 1);
}

/* What the gateway sent out of @p w: checked; ARP and neighbour solicitations for the station
 * answered; UDP to the peer's endpoint handed to the peer's engine while it is being brought
 * up. */
static void
wire_output(struct wire *w, struct rte_mbuf *m, bool strict)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);

	if (!rte_pktmbuf_is_contiguous(m))
		die("a segmented frame out");
	check_output(w, p, len, strict);
	if (w == &F.wan) {
		const uint8_t *msg;
		uint32_t mlen;

		if ((msg = listen_port_payload(p, len, &mlen)) != NULL)
			check_sealed(msg, mlen);
	}
	if (w == &F.wan && len >= ETH_LEN + 20 + 8 + 32 + 16 && p[12] == 0x08 && p[13] == 0x00 &&
		p[ETH_LEN + 9] == IPPROTO_UDP && p[ETH_LEN + 20 + 8] == WR_MSG_DATA)
		F.sealed_out++;
	/* the second interface's initiations to its peer, which never answers */
	if (w == &F.wan && len >= ETH_LEN + 20 + 8 + 4 && p[12] == 0x08 && p[13] == 0x00 &&
		p[ETH_LEN + 9] == IPPROTO_UDP && p[ETH_LEN + 20] == (WG_PORT_B >> 8) &&
		p[ETH_LEN + 21] == (WG_PORT_B & 0xff) &&
		p[ETH_LEN + 20 + 8] == WR_MSG_HANDSHAKE_INITIATION)
		F.init_b++;
	if (w == &F.lan && len >= ETH_LEN + 40 && p[12] == 0x86 && p[13] == 0xdd &&
		p[ETH_LEN + 6] == 253)
		F.lan6_out++;
	if (w == &F.lan && len >= ETH_LEN + 20 && p[12] == 0x08 && p[13] == 0x00 &&
		p[ETH_LEN + 9] == 253)
		F.lan4_out++;
	if (len >= ETH_LEN + sizeof(struct rte_arp_hdr) && p[12] == 0x08 && p[13] == 0x06) {
		const struct rte_arp_hdr *arp = (const void *)(p + ETH_LEN);

		if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
			memcmp(&arp->arp_data.arp_tip, w->saddr, 4) == 0)
			arp_reply(w, arp);
	} else if (len >= ETH_LEN + 40 + 24 && p[12] == 0x86 && p[13] == 0xdd &&
		   p[ETH_LEN + 6] == IPPROTO_ICMPV6 && p[ETH_LEN + 40] == 135 &&
		   memcmp(p + ETH_LEN + 40 + 8, w->saddr6, 16) == 0) {
		nd_advert(w, p + ETH_LEN);
	} else if (F.rem_feed && w == &F.wan && len >= ETH_LEN + 28 && p[12] == 0x08 &&
		   p[13] == 0x00 && p[ETH_LEN + 9] == IPPROTO_UDP) {
		const struct rte_ipv4_hdr *ip = (const void *)(p + ETH_LEN);
		const struct rte_udp_hdr *uh = (const void *)(p + ETH_LEN + rte_ipv4_hdr_len(ip));
		struct wr_endpoint from;

		wr_endpoint_set(&from, AF_INET, &ip->src_addr, uh->src_port);
		wr_device_receive(F.rem, &from, uh + 1,
			rte_be_to_cpu_16(uh->dgram_len) - sizeof(*uh), ring_bed_wall_ns(NULL));
	}
	rte_pktmbuf_free(m);
}

/*
 * One pass of the worker and of the control lcore, then of the wire (@p strict: check_output()).
 * Returns the work done: frames received, handed over or sent.
 */
unsigned int
service(bool strict)
{
	struct wire *ws[2] = { &F.wan, &F.lan };
	struct rte_mbuf *pkts[MAX_BURST];
	unsigned int i, q, k, n, work;

	work = wr_dp_poll(&F.dp->lcores[WORKER]);
	rte_rcu_qsbr_quiescent(F.dp->gw->rcu, WORKER);
	work += wr_dp_poll(&F.dp->lcores[CONTROL]) + wr_control_poll(F.ctl);
	for (i = 0; i < 2; i++)
		for (q = 0; q < 2; q++)
			while ((n = rte_ring_dequeue_burst(
					ws[i]->tx[q], (void **)pkts, MAX_BURST, NULL)) > 0) {
				for (k = 0; k < n; k++)
					wire_output(ws[i], pkts[k], strict);
				work += n;
			}
	if (F.rem_feed && ring_bed_wall_ns(NULL) >= wr_device_next_deadline(F.rem))
		wr_device_tick(F.rem, ring_bed_wall_ns(NULL));
	return work;
}
