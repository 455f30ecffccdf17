/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data path's outer headers, between the gateways of dp_crypto_net.h: UDP checksums on send
 * (against DPDK's own, and the pseudo-header's for TX offload), the outer Ethernet/IP/UDP parser,
 * the lazy verification of data messages' UDP checksums (only where they could mislead roaming),
 * and roaming to an IPv6 endpoint. The crypto and keytable tests are in test_dp_crypto.c.
 */
#include "dp_crypto_net.h"

/*
 * UDP checksums of every length up to 200 bytes and many up to a full frame, over both families,
 * odd lengths and all-ones data included, against DPDK's own; with TX offload requested, the
 * pseudo-header's.
 */
static void
test_udp_cksum(void)
{
	static uint8_t data[1500];
	struct wr_endpoint s4, d4, s6, d6;
	unsigned int len, f, bad = 0, fill;

	printf("dp_crypto: UDP checksums on send\n");
	ep4(&s4, "198.51.100.1", 1234);
	ep4(&d4, "198.51.100.2", 51820);
	ep6(&s6, "2001:db8::1", 1234);
	ep6(&d6, "2001:db8::2", 51820);
	for (fill = 0; fill < 2; fill++) {
		for (len = 0; len < sizeof(data); len++)
			data[len] = fill ? 0xff : (uint8_t)(len * 7 + 3);
		for (len = 0; len <= sizeof(data); len += len < 200 ? 1 : 37) {
			for (f = 0; f < 2; f++) {
				struct rte_mbuf *m = mbuf_of(data, len);

				if (wr_encap_udp(m, f ? &s6 : &s4, f ? &d6 : &d4, 64,
					    WR_UDP_CSUM_SW) != 0) {
					bad++;
					rte_pktmbuf_free(m);
					continue;
				}
				bad += !udp_cksum_good(m, f);
				/* and the IPv4 header's */
				bad += !f && rte_raw_cksum(rte_pktmbuf_mtod(m, const void *), 20) !=
						     0xffff;
				rte_pktmbuf_free(m);
			}
		}
	}
	CHECK(bad == 0, "%u bad checksums", bad);

	for (f = 0; f < 2; f++) {
		struct rte_mbuf *m = mbuf_of(data, 100);
		const struct rte_udp_hdr *uh;
		uint16_t phdr;

		CHECK(wr_encap_udp(m, f ? &s6 : &s4, f ? &d6 : &d4, 64, WR_UDP_CSUM_OFFLOAD) == 0,
			"offloaded");
		uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l3_len);
		phdr = f ? rte_ipv6_phdr_cksum(rte_pktmbuf_mtod(m, const void *), m->ol_flags)
			 : rte_ipv4_phdr_cksum(rte_pktmbuf_mtod(m, const void *), m->ol_flags);
		CHECK(uh->dgram_cksum == phdr &&
				(m->ol_flags & (f ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4)) != 0,
			"IPv%c: the pseudo-header's sum for the NIC, its flags set", f ? '6' : '4');
		rte_pktmbuf_free(m);
	}
}

/*
 * The worker's outer headers (wr_encap_hdr_init() once, wr_encap_hdr_put() per packet): every
 * field of the Ethernet, IPv4 or IPv6 and UDP headers, both checksums, the mbuf's offload fields;
 * only the headers' own bytes written (the headroom in front of them untouched), -ENOSPC with
 * too little headroom, -EMSGSIZE over what IPv4 can carry.
 */
static void
test_encap_hdr(void)
{
	static const struct rte_ether_addr smac = { { 0x02, 0, 0, 0, 0, 0x01 } };
	static const struct rte_ether_addr dmac = { { 0x02, 0, 0, 0, 0, 0x02 } };
	/* even, as DPDK's header structs want; under, at and over 42 and 62 and 64 */
	static const uint16_t rooms[] = { 40, 42, 60, 62, 64, 66, RTE_PKTMBUF_HEADROOM };
	struct wr_endpoint s4, d4, s6, d6;
	struct wr_encap_hdr h;
	uint8_t payload[333];
	unsigned int f, r, i, bad = 0;

	printf("dp_crypto: outer headers from a template\n");
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + 5);
	ep4(&s4, "198.51.100.1", 51820);
	ep4(&d4, "203.0.113.7", 4321);
	ep6(&s6, "2001:db8::1", 51820);
	ep6(&d6, "2001:db8:7::7", 4321);
	CHECK(wr_encap_hdr_init(&h, &s4, &d6, 64, NULL, NULL, WR_UDP_CSUM_SW) == -EAFNOSUPPORT,
		"families differ: refused");
	for (f = 0; f < 2; f++) {
		bool v6 = f == 1;
		unsigned int l3 = v6 ? 40 : 20, len = 14 + l3 + 8;

		CHECK(wr_encap_hdr_init(&h, v6 ? &s6 : &s4, v6 ? &d6 : &d4, 63, &smac, &dmac,
			      WR_UDP_CSUM_SW) == 0 &&
			      h.len == len && h.l2_len == 14,
			"IPv%c template", v6 ? '6' : '4');
		for (r = 0; r < RTE_DIM(rooms); r++) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
			const struct rte_ether_hdr *eh;
			const struct rte_udp_hdr *uh;
			const uint8_t *ip, *front;
			bool front_kept = true;

			m->data_off = rooms[r];
			memcpy(rte_pktmbuf_append(m, sizeof(payload)), payload, sizeof(payload));
			memset(m->buf_addr, 0x5a, rooms[r]);
			if (rooms[r] < len) {
				CHECK(wr_encap_hdr_put(m, &h) == -ENOSPC, "%u bytes of headroom: -ENOSPC",
					rooms[r]);
				rte_pktmbuf_free(m);
				continue;
			}
			if (wr_encap_hdr_put(m, &h) != 0) {
				bad++;
				rte_pktmbuf_free(m);
				continue;
			}
			eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
			ip = (const uint8_t *)(eh + 1);
			uh = (const struct rte_udp_hdr *)(ip + l3);
			front = (const uint8_t *)m->buf_addr;
			for (i = 0; i < m->data_off; i++)
				front_kept &= front[i] == 0x5a;
			bad += !front_kept;
			bad += rte_pktmbuf_pkt_len(m) != len + sizeof(payload) ||
			       m->data_len != m->pkt_len || m->data_off != rooms[r] - len;
			bad += !rte_is_same_ether_addr(&eh->dst_addr, &dmac) ||
			       !rte_is_same_ether_addr(&eh->src_addr, &smac) ||
			       eh->ether_type != rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6
								    : RTE_ETHER_TYPE_IPV4);
			if (v6) {
				const struct rte_ipv6_hdr *ip6 = (const void *)ip;

				bad += ip6->vtc_flow != rte_cpu_to_be_32(6u << 28) ||
				       ip6->payload_len != rte_cpu_to_be_16(8 + sizeof(payload)) ||
				       ip6->proto != IPPROTO_UDP || ip6->hop_limits != 63 ||
				       memcmp(ip6->src_addr, &s6.in6.sin6_addr, 16) != 0 ||
				       memcmp(ip6->dst_addr, &d6.in6.sin6_addr, 16) != 0;
			} else {
				const struct rte_ipv4_hdr *ip4 = (const void *)ip;

				bad += ip4->version_ihl != RTE_IPV4_VHL_DEF || ip4->type_of_service ||
				       ip4->total_length !=
					       rte_cpu_to_be_16(20 + 8 + sizeof(payload)) ||
				       memcmp(&ip4->packet_id, payload + 8, 2) != 0 ||
				       ip4->fragment_offset ||
				       ip4->time_to_live != 63 || ip4->next_proto_id != IPPROTO_UDP ||
				       ip4->src_addr != s4.in4.sin_addr.s_addr ||
				       ip4->dst_addr != d4.in4.sin_addr.s_addr ||
				       rte_raw_cksum(ip4, 20) != 0xffff;
			}
			bad += uh->src_port != rte_cpu_to_be_16(51820) ||
			       uh->dst_port != rte_cpu_to_be_16(4321) ||
			       uh->dgram_len != rte_cpu_to_be_16(8 + sizeof(payload)) ||
			       memcmp(uh + 1, payload, sizeof(payload)) != 0;
			rte_pktmbuf_adj(m, 14);
			bad += !udp_cksum_good(m, v6);
			bad += m->l2_len != 14 || m->l3_len != l3 || m->l4_len != 8 ||
			       m->packet_type != ((v6 ? RTE_PTYPE_L3_IPV6 : RTE_PTYPE_L3_IPV4) |
							 RTE_PTYPE_L4_UDP) ||
			       (m->ol_flags & (RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV4 |
						       RTE_MBUF_F_TX_IPV6)) != 0;
			rte_pktmbuf_free(m);
		}
		CHECK(bad == 0, "IPv%c: every field, both checksums, headroom in front kept (%u bad)",
			v6 ? '6' : '4', bad);

		/* the port completes the UDP checksum: the pseudo-header's sum and the flags */
		CHECK(wr_encap_hdr_init(&h, v6 ? &s6 : &s4, v6 ? &d6 : &d4, 64, &smac, &dmac,
			      WR_UDP_CSUM_OFFLOAD) == 0,
			"offloading template");
		{
			struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
			const struct rte_udp_hdr *uh;
			const void *ip;
			uint64_t want = RTE_MBUF_F_TX_UDP_CKSUM |
					(v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4);

			memcpy(rte_pktmbuf_append(m, sizeof(payload)), payload, sizeof(payload));
			CHECK(wr_encap_hdr_put(m, &h) == 0, "offloaded put");
			ip = rte_pktmbuf_mtod_offset(m, const void *, 14);
			uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, 14 + l3);
			CHECK((m->ol_flags & want) == want &&
					uh->dgram_cksum == (v6 ? rte_ipv6_phdr_cksum(ip, m->ol_flags)
							       : rte_ipv4_phdr_cksum(ip, m->ol_flags)),
				"IPv%c: the pseudo-header's sum for the NIC, its flags set",
				v6 ? '6' : '4');
			rte_pktmbuf_free(m);
		}

		/*
		 * No checksum asked for (UDPChecksum = auto, no offload): zero over IPv4 (RFC 768),
		 * computed all the same over IPv6 (RFC 8200); the IPv4 header's own checksum stays.
		 */
		CHECK(wr_encap_hdr_init(&h, v6 ? &s6 : &s4, v6 ? &d6 : &d4, 64, &smac, &dmac,
			      WR_UDP_CSUM_NONE) == 0,
			"template without a UDP checksum");
		{
			struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
			const struct rte_udp_hdr *uh;

			memcpy(rte_pktmbuf_append(m, sizeof(payload)), payload, sizeof(payload));
			CHECK(wr_encap_hdr_put(m, &h) == 0, "put without a UDP checksum");
			uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, 14 + l3);
			CHECK((m->ol_flags & (RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV4 |
						     RTE_MBUF_F_TX_IPV6)) == 0 &&
					uh->dgram_len == rte_cpu_to_be_16(8 + sizeof(payload)),
				"IPv%c: no offload asked for, UDP length set", v6 ? '6' : '4');
			if (v6) {
				rte_pktmbuf_adj(m, 14);
				CHECK(uh->dgram_cksum != 0 && udp_cksum_good(m, true),
					"IPv6: the UDP checksum computed all the same");
			} else {
				CHECK(uh->dgram_cksum == 0 &&
						rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *, 14),
							20) == 0xffff,
					"IPv4: UDP checksum zero, the IP header's checksum right");
			}
			rte_pktmbuf_free(m);
		}
	}

	/*
	 * More than an IPv4 packet can carry: the length faked on a one-segment mbuf, the checksum
	 * offloaded so that nothing reads the bytes that are not there.
	 */
	{
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		CHECK(wr_encap_hdr_init(&h, &s4, &d4, 64, NULL, NULL, WR_UDP_CSUM_OFFLOAD) == 0,
			"IPv4, no Ethernet");
		rte_pktmbuf_append(m, 100);
		m->pkt_len = UINT16_MAX - 20 - 8 + 1;
		CHECK(wr_encap_hdr_put(m, &h) == -EMSGSIZE, "65,508 bytes over IPv4: -EMSGSIZE");
		m->pkt_len = UINT16_MAX - 20 - 8;
		CHECK(wr_encap_hdr_put(m, &h) != -EMSGSIZE, "65,507 bytes fit");
		m->pkt_len = m->data_len;
		rte_pktmbuf_free(m);
	}
}

/* The outer parser: what it accepts, refuses and trims. */
static void
test_parse(void)
{
	struct wr_endpoint s4, d4, s6, d6;
	uint8_t payload[48];
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *uh;
	uint16_t full;

	printf("dp_crypto: outer Ethernet/IP/UDP parsing\n");
	memset(payload, 0xa5, sizeof(payload));
	ep4(&s4, "198.51.100.1", 1234);
	ep4(&d4, "198.51.100.2", 51820);
	ep6(&s6, "2001:db8::1", 1234);
	ep6(&d6, "2001:db8::2", 51820);

	m = frame_of(payload, sizeof(payload), &s4, &d4);
	full = (uint16_t)rte_pktmbuf_pkt_len(m);
	CHECK(m->l2_len == 14 && m->l3_len == 20 && m->l4_len == 8, "IPv4 lengths");
	rte_pktmbuf_append(m, 12); /* Ethernet padding */
	CHECK(wr_decap_parse(m) == 0 && rte_pktmbuf_pkt_len(m) == full, "padding trimmed");
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	uh = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 34);
	uh->dgram_cksum ^= 1;
	CHECK(wr_decap_parse(m) == -EBADMSG, "bad UDP checksum refused");
	uh->dgram_cksum = 0;
	CHECK(wr_decap_parse(m) == 0, "no UDP checksum over IPv4 is fine");
	ip->hdr_checksum ^= 1;
	CHECK(wr_decap_parse(m) == -EINVAL, "bad IPv4 header checksum refused");
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	CHECK(wr_decap_parse(m) == 0, "unless the NIC checked it");
	m->ol_flags = 0;
	ip->hdr_checksum ^= 1;
	ip->fragment_offset = htons(RTE_IPV4_HDR_MF_FLAG);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	CHECK(wr_decap_parse(m) == -EINVAL, "fragment refused");
	rte_pktmbuf_free(m);

	m = frame_of(payload, sizeof(payload), &s6, &d6);
	CHECK(m->l2_len == 14 && m->l3_len == 40 && m->l4_len == 8, "IPv6 lengths");
	uh = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 54);
	uh->dgram_cksum = 0;
	CHECK(wr_decap_parse(m) == -EBADMSG, "no UDP checksum over IPv6 refused");
	rte_pktmbuf_trim(m, 1);
	CHECK(wr_decap_parse(m) == -EINVAL, "truncated refused");
	rte_pktmbuf_free(m);
	/* a data message's checksum may wait for decap (cksum_deferrable()), but a zero one over
	 * IPv6 is refused at once (RFC 8200 8.1) */
	payload[0] = 4;
	payload[1] = payload[2] = payload[3] = 0;
	m = frame_of(payload, sizeof(payload), &s6, &d6);
	uh = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 54);
	uh->dgram_cksum ^= 1;
	CHECK(wr_decap_parse(m) == 0, "a data message's wrong checksum over IPv6 left for decap");
	uh->dgram_cksum = 0;
	CHECK(wr_decap_parse(m) == -EBADMSG, "a data message without a UDP checksum over IPv6 refused");
	rte_pktmbuf_free(m);
	memset(payload, 0xa5, sizeof(payload));

	/* one VLAN tag in front */
	m = frame_of(payload, sizeof(payload), &s4, &d4);
	{
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		struct rte_ether_hdr *eh2 = (void *)rte_pktmbuf_prepend(m, 4);
		struct rte_vlan_hdr *vh;

		memmove(eh2, eh, 12);
		eh2->ether_type = htons(RTE_ETHER_TYPE_VLAN);
		vh = (void *)(eh2 + 1);
		vh->vlan_tci = htons(5);
		vh->eth_proto = htons(RTE_ETHER_TYPE_IPV4);
	}
	CHECK(wr_decap_parse(m) == 0 && m->l2_len == 18, "VLAN tagged");
	rte_pktmbuf_free(m);
}

/* Make the UDP checksum of the parsed IPv4 frame @p m wrong (and not zero, which means none). */
static void
break_udp_cksum(struct rte_mbuf *m)
{
	struct rte_udp_hdr *uh =
		rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, m->l2_len + m->l3_len);

	uh->dgram_cksum = uh->dgram_cksum == htons(1) ? htons(2) : htons(1);
}

/* One data message sealed by A for B, framed from @p from to B. */
static struct rte_mbuf *
data_frame_from(const struct wr_endpoint *from, uint32_t seed)
{
	static uint8_t inner[1][1420];
	struct wire_msg msg[1];
	uint16_t len = 200;

	make_inner(inner[0], len, false, 1, 4, seed);
	seal_on_a(inner, &len, 1, msg);
	return frame_of(msg[0].data, msg[0].len, from, &B.addr);
}

/*
 * The UDP checksum of a data message is verified only when it could mislead roaming: a bad one
 * from the peer's current endpoint is authenticated data all the same; from another endpoint it
 * is dropped and counted, and the endpoint stays. Handshakes are always verified.
 */
static void
test_lazy_cksum(void)
{
	uint64_t bad_before = lcB.drops[WR_DROP_BAD_CHECKSUM];
	struct wr_endpoint cur, roamed, ep;
	struct wr_decap_result res;
	uint8_t hs[WR_MSG_DATA_MIN_LEN + 16];
	struct rte_mbuf *m;

	printf("dp_crypto: UDP checksums of data messages verified lazily\n");
	CHECK(wr_dp_peer_get_endpoint(&B.peers->peer[PEER], &cur) &&
			wr_endpoint_equal(&cur, &A.addr),
		"B sends to A's address");
	ep4(&roamed, "192.0.2.77", 4000);

	m = data_frame_from(&cur, 31);
	break_udp_cksum(m);
	CHECK(wr_decap_parse(m) == 0, "parse leaves a data message's checksum to decap");
	wr_decap_burst(&lcB, &B.tables, &m, 1, now, &res);
	CHECK(res.status[0] == WR_DROP_NONE && res.n_delivered == 1 && res.n_rx == 1,
		"bad checksum from the current endpoint: authenticated data (%s)",
		wr_drop_reason_name(res.status[0]));
	if (res.n_delivered)
		rte_pktmbuf_free(res.delivered[0]);
	report_rx(&B, &res);

	m = data_frame_from(&roamed, 32);
	break_udp_cksum(m);
	wr_decap_burst(&lcB, &B.tables, &m, 1, now, &res);
	CHECK(res.status[0] == WR_DROP_BAD_CHECKSUM && res.n_delivered == 0 && res.n_rx == 0,
		"bad checksum from another endpoint: dropped (%s), no summary",
		wr_drop_reason_name(res.status[0]));
	CHECK(lcB.drops[WR_DROP_BAD_CHECKSUM] == bad_before + 1, "and counted");
	report_rx(&B, &res);
	CHECK(wr_dp_peer_get_endpoint(&B.peers->peer[PEER], &ep) && wr_endpoint_equal(&ep, &cur),
		"the endpoint did not move");

	m = data_frame_from(&roamed, 33);
	break_udp_cksum(m);
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	wr_decap_burst(&lcB, &B.tables, &m, 1, now, &res);
	CHECK(res.status[0] == WR_DROP_NONE && res.n_rx == 1 &&
			wr_endpoint_equal(&res.rx[0].from, &roamed),
		"unless the NIC vouched for it (%s)", wr_drop_reason_name(res.status[0]));
	if (res.n_delivered)
		rte_pktmbuf_free(res.delivered[0]);

	m = data_frame_from(&roamed, 34);
	wr_decap_burst(&lcB, &B.tables, &m, 1, now, &res);
	CHECK(res.status[0] == WR_DROP_NONE && res.n_rx == 1 &&
			wr_endpoint_equal(&res.rx[0].from, &roamed),
		"a good checksum from another endpoint: authenticated, the summary names it (%s)",
		wr_drop_reason_name(res.status[0]));
	if (res.n_delivered)
		rte_pktmbuf_free(res.delivered[0]);

	m = data_frame_from(&cur, 35);
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_BAD;
	CHECK(wr_decap_parse(m) == -EBADMSG, "a data message the NIC found bad: refused");
	rte_pktmbuf_free(m);

	memset(hs, 0, sizeof(hs));
	hs[0] = WR_MSG_HANDSHAKE_INITIATION;
	m = frame_of(hs, sizeof(hs), &cur, &B.addr);
	CHECK(wr_decap_parse(m) == 0, "a handshake with a good checksum parses");
	break_udp_cksum(m);
	CHECK(wr_decap_parse(m) == -EBADMSG, "a handshake with a bad checksum is refused");
	rte_pktmbuf_free(m);

	memset(hs, 0, sizeof(hs));
	hs[0] = WR_MSG_DATA;
	hs[1] = 1; /* reserved bytes not zero: not a data message, so verified at once */
	m = frame_of(hs, sizeof(hs), &cur, &B.addr);
	break_udp_cksum(m);
	CHECK(wr_decap_parse(m) == -EBADMSG, "type 4 with reserved bytes set: verified at once");
	rte_pktmbuf_free(m);
	rte_rcu_qsbr_quiescent(rcu, 0);
}

/*
 * Roaming: A's data arrives at B from a new IPv6 address; the summary carries it, B's engine
 * adopts it, the control lcore copies it to B's data plane.
 */
static void
test_roaming(void)
{
	static uint8_t inner[1][1420];
	struct wr_endpoint roamed, ours, ep;
	struct wr_decap_result res;
	struct wire_msg msg[1];
	struct rte_mbuf *m;
	uint16_t len = 90;

	printf("dp_crypto: roaming to an IPv6 endpoint\n");
	ep6(&roamed, "2001:db8::a", 4000);
	make_inner(inner[0], len, true, 1, 4, 99);
	seal_on_a(inner, &len, 1, msg);
	ep6(&ours, "2001:db8::2", 51820);
	m = frame_of(msg[0].data, msg[0].len, &roamed, &ours);
	wr_decap_burst(&lcB, &B.tables, &m, 1, now, &res);
	CHECK(res.status[0] == WR_DROP_NONE && res.n_delivered == 1 && res.n_rx == 1 &&
			wr_endpoint_equal(&res.rx[0].from, &roamed),
		"opened, summary from the new address (%s)", wr_drop_reason_name(res.status[0]));
	if (res.n_delivered)
		rte_pktmbuf_free(res.delivered[0]);
	report_rx(&B, &res);
	CHECK(wr_dp_peer_get_endpoint(&B.peers->peer[PEER], &ep) && wr_endpoint_equal(&ep, &roamed),
		"B's data plane sends to the new endpoint");
	rte_rcu_qsbr_quiescent(rcu, 0);
}

int
main(int argc, char **argv)
{
	(void)argc;
	dp_setup(argv[0]);
	test_udp_cksum();
	test_encap_hdr();
	test_parse();
	/* A initiates: both keytables get the keypair, B's confirmed by A's keepalive */
	rekey();
	CHECK(A.peers->peer[PEER].current != NULL && B.peers->peer[PEER].current != NULL,
		"both sides send after the handshake");
	test_lazy_cksum();
	test_roaming();
	return dp_teardown("dp_outer");
}
