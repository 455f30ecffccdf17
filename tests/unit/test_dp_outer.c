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

				if (wr_encap_udp(m, f ? &s6 : &s4, f ? &d6 : &d4, 64) != 0) {
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

		m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
		CHECK(wr_encap_udp(m, f ? &s6 : &s4, f ? &d6 : &d4, 64) == 0, "offloaded");
		uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l3_len);
		phdr = f ? rte_ipv6_phdr_cksum(rte_pktmbuf_mtod(m, const void *), m->ol_flags)
			 : rte_ipv4_phdr_cksum(rte_pktmbuf_mtod(m, const void *), m->ol_flags);
		CHECK(uh->dgram_cksum == phdr &&
				(m->ol_flags & (f ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4)) != 0,
			"IPv%c: the pseudo-header's sum for the NIC, its flags set", f ? '6' : '4');
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
	test_parse();
	/* A initiates: both keytables get the keypair, B's confirmed by A's keepalive */
	rekey();
	CHECK(A.peers->peer[PEER].current != NULL && B.peers->peer[PEER].current != NULL,
		"both sides send after the handshake");
	test_lazy_cksum();
	test_roaming();
	return dp_teardown("dp_outer");
}
