/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The receive half of the transport-data path (DESIGN.md, "The data's way"): WireGuard data
 * messages (type 4) from the WAN side become inner IP packets for the LAN side, a burst at a
 * time, with one batched AEAD call per burst.
 *
 * Per packet, in order: header checks (type 4 with zero reserved bytes, at least 32 bytes),
 * receiver index -> keypair (lock-free), keypair expiry (REJECT_AFTER_TIME/MESSAGES), replay
 * check, the UDP checksum when the outer source is not the peer's current endpoint (and the NIC
 * did not verify it: RTE_MBUF_F_RX_L4_CKSUM_GOOD); then one wr_aead_open_burst() in place for the
 * survivors; then the replay window update (per keypair, under its lock, once per burst), the inner
 * IP header checks, padding trimmed, the inner source checked against the sending peer's
 * AllowedIPs; keepalives are consumed.
 *
 * Everything dropped is freed and counted under an enum wr_drop_reason on the lcore. What
 * authenticated is reported in "data received" summaries, one per peer and keypair in the burst,
 * that the caller hands to the control lcore for wr_device_data_received() (timers, roaming,
 * confirming a responder's keypair). The engine may then have roamed the peer: the control lcore
 * copies wr_peer_get_endpoint() into the data plane with wr_dp_peer_set_endpoint().
 *
 * The caller runs a burst while online in the keytable's rte_rcu_qsbr variable, and reports a
 * quiescent state only between bursts.
 */
#ifndef WR_DP_DECAP_H
#define WR_DP_DECAP_H

#include <stddef.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dp_peer.h"
#include "wr_device.h"

/** What authenticated on one keypair of one peer in a burst: for wr_device_data_received(). */
struct wr_decap_rx {
	uint32_t peer_id;
	uint32_t local_index;
	struct wr_endpoint from; /* outer source of the latest authenticated packet */
	uint32_t packets;        /* authenticated messages, keepalives included */
	uint32_t delivered;      /* of which inner packets passed on */
	uint64_t inner_bytes;    /* inner bytes passed on (0: keepalives only, or all refused) */
	uint64_t wire_bytes;     /* UDP payload bytes of the authenticated messages */
};

/** The outcome of one wr_decap_burst(). */
struct wr_decap_result {
	/* inner IP packets (outer headers, message header, padding and tag removed), input order */
	unsigned int n_delivered;
	struct rte_mbuf *delivered[WR_DP_CRYPTO_BURST];
	uint32_t delivered_peer[WR_DP_CRYPTO_BURST];
	/* data received summaries */
	unsigned int n_rx;
	struct wr_decap_rx rx[WR_DP_CRYPTO_BURST];
	/* per input packet: WR_DROP_NONE (delivered, or a keepalive consumed) or why it was dropped
	 */
	uint8_t status[WR_DP_CRYPTO_BURST];
};

/**
 * Locate the UDP payload of the Ethernet frame @p m: Ethernet (one VLAN tag allowed), IPv4 (no
 * options beyond the header length, no fragment, header checksum) or IPv6 (UDP as next header),
 * UDP (length, and the checksum unless zero over IPv4 or the NIC vouched for it). The checksum
 * of a transport data message (type 4) is left to wr_decap_burst(), which verifies it only when
 * the datagram does not come from the peer's current endpoint (decap.c says why). Trims Ethernet
 * padding, sets m->l2_len, m->l3_len and m->l4_len (8): the payload starts at their sum.
 * Returns 0, -EBADMSG (bad UDP checksum) or -EINVAL (not such a packet); @p m untouched but for
 * the lengths.
 */
int
wr_decap_parse(struct rte_mbuf *m);

/**
 * wr_decap_parse() for a frame whose IPv4 header, at @p l2 bytes, the caller checked already:
 * version 4, header length @p l3 (at least 20), total length @p iplen within the frame and at
 * least @p l3 + 8, not a fragment, protocol UDP (the workers' classify). The rest as there: the
 * header checksum, the UDP header, the padding trimmed, the lengths set; the same returns.
 */
int
wr_decap_parse_ip4(struct rte_mbuf *m, uint32_t l2, uint32_t l3, uint32_t iplen);

/**
 * The outer source address and UDP port of @p m, from the headers wr_decap_parse() located.
 * Inline: asked per packet.
 */
static inline void
wr_decap_outer_source(const struct rte_mbuf *m, struct wr_endpoint *ep)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, m->l2_len);
	const struct rte_udp_hdr *uh = (const void *)(ip + m->l3_len);

	if ((ip[0] >> 4) == 4)
		wr_endpoint_set(ep, AF_INET, ip + offsetof(struct rte_ipv4_hdr, src_addr),
			uh->src_port);
	else
		wr_endpoint_set(ep, AF_INET6, ip + offsetof(struct rte_ipv6_hdr, src_addr),
			uh->src_port);
}

/**
 * Open the burst @p pkts of @p n data messages (n <= WR_DP_CRYPTO_BURST; each mbuf with m->l2_len
 * and m->l3_len locating the outer IP and UDP headers, as wr_decap_parse() sets them) received at
 * @p now (the engine's clock, ns). Takes every mbuf: it ends in res->delivered or is freed.
 * Returns the number of packets consumed (min(n, WR_DP_CRYPTO_BURST)).
 */
unsigned int
wr_decap_burst(struct wr_dp_crypto_lcore *lc, const struct wr_dp_crypto_tables *t,
	struct rte_mbuf **pkts, unsigned int n, uint64_t now, struct wr_decap_result *res);

#endif /* WR_DP_DECAP_H */
