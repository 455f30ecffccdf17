/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sending half of the transport-data path (DESIGN.md, "The data's way"): inner IP packets
 * whose peer the cryptokey LPM already chose become WireGuard data messages, a burst at a time,
 * with one batched AEAD call per burst.
 *
 * Per packet: peer -> its current (confirmed) keypair; without one, or with an expired one, the
 * packet is handed back untouched for the control lcore to queue while it handshakes. Then, per
 * keypair of the burst, one atomic fetch-add reserves the counters; each packet is padded to a
 * multiple of 16 within the MTU, gets the 16-byte message header in front and the tag behind,
 * and the burst is sealed in one wr_aead_seal_burst(). The caller adds Ethernet, IP and UDP
 * (wr_encap_hdr_put() from a template built once per endpoint and burst; wr_encap_udp() for a
 * single packet without Ethernet), and hands the "data sent" summaries to the control lcore for
 * wr_device_data_sent() (timers, and the rekey a keypair's age or counter calls for: the packet
 * still goes out with the current keypair meanwhile, as the kernel does).
 *
 * As decap, a burst runs while the caller is online in the keytable's rte_rcu_qsbr variable.
 */
#ifndef WR_DP_ENCAP_H
#define WR_DP_ENCAP_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dp_peer.h"
#include "host.h"
#include "wr_device.h"

/** What was sealed with one keypair in a burst: for wr_device_data_sent(). */
struct wr_encap_tx {
	uint32_t peer_id;
	uint32_t remote_index;
	struct wr_endpoint to; /* the peer's endpoint when the burst was sealed */
	uint64_t counter;      /* the greatest counter used */
	uint32_t packets;      /* keepalives included */
	uint64_t inner_bytes;  /* unpadded inner bytes (0: keepalives only) */
	uint64_t wire_bytes;   /* UDP payload bytes */
};

/** The outcome of one wr_encap_burst(). */
struct wr_encap_result {
	/* data messages, starting at the message header, input order */
	unsigned int n_sealed;
	struct rte_mbuf *sealed[WR_DP_CRYPTO_BURST];
	uint8_t sealed_tx[WR_DP_CRYPTO_BURST]; /* index in tx[]: the packet's peer and endpoint */
	/* untouched inner packets with no usable keypair: queue them and ask for a handshake */
	unsigned int n_held;
	struct rte_mbuf *held[WR_DP_CRYPTO_BURST];
	uint32_t held_peer[WR_DP_CRYPTO_BURST];
	/* data sent summaries */
	unsigned int n_tx;
	struct wr_encap_tx tx[WR_DP_CRYPTO_BURST];
	/* per input packet: WR_DROP_NONE (sealed or held) or why it was dropped */
	uint8_t status[WR_DP_CRYPTO_BURST];
};

/**
 * Seal the burst @p pkts of @p n inner IP packets (n <= WR_DP_CRYPTO_BURST; data starting at the
 * IP header; an empty one is a keepalive) for the peers @p peer_ids at @p now (engine clock, ns).
 * Takes every mbuf: it ends in res->sealed or res->held, or is freed and counted (NO_ROUTE: no
 * such peer; TOO_BIG: over t->mtu; NO_ENDPOINT; NO_MEMORY: no head- or tailroom; KEY_EXPIRED:
 * the counters ran out). Returns the number of packets consumed (min(n, WR_DP_CRYPTO_BURST)).
 */
unsigned int
wr_encap_burst(struct wr_dp_crypto_lcore *lc, const struct wr_dp_crypto_tables *t,
	struct rte_mbuf **pkts, const uint32_t *peer_ids, unsigned int n, uint64_t now,
	struct wr_encap_result *res);

/** Who puts the UDP checksum of the messages a struct wr_encap_hdr sends (RFC 768, RFC 8200). */
enum wr_udp_csum {
	WR_UDP_CSUM_SW,      /* wr_encap_hdr_put() computes it */
	WR_UDP_CSUM_OFFLOAD, /* the NIC completes it (RTE_ETH_TX_OFFLOAD_UDP_CKSUM) */
	WR_UDP_CSUM_NONE,    /* IPv4: zero, "no checksum"; over IPv6 computed as WR_UDP_CSUM_SW */
};

/**
 * The outer headers of the data messages from one source to one endpoint, built once
 * (wr_encap_hdr_init()) and put in front of each message (wr_encap_hdr_put()) with its lengths
 * and checksums: Ethernet (optional), IPv4 or IPv6, UDP.
 */
struct wr_encap_hdr {
	uint8_t bytes[64]; /* the headers, lengths and checksums zero, ending at bytes[64] */
	uint8_t len;       /* their bytes: l2 + l3 + UDP */
	uint8_t l2_len;    /* 0 or 14 */
	bool v6;
	uint8_t csum;         /* enum wr_udp_csum, NONE only over IPv4 */
	uint32_t ip_sum;      /* IPv4: the header's word sum without its total length */
	uint32_t phdr_sum;    /* the pseudo-header's word sum without its length */
	uint32_t port_sum;    /* the UDP ports' words */
	uint32_t packet_type; /* m->packet_type of the result */
	uint64_t ol_flags;    /* or-ed into m->ol_flags (TX offload requests) */
	uint64_t tx_offload;  /* m->tx_offload of the result */
};

/**
 * Build @p h for UDP from @p src to @p dst (same family; addresses and ports as in a sockaddr),
 * TTL or hop limit @p ttl, behind Ethernet from @p smac to @p dmac (both NULL: no Ethernet);
 * the UDP checksum as @p csum says (WR_UDP_CSUM_NONE over IPv6 is WR_UDP_CSUM_SW: IPv6 requires
 * it). Returns 0 or -EAFNOSUPPORT (families differ or unknown).
 */
int
wr_encap_hdr_init(struct wr_encap_hdr *h, const struct wr_endpoint *src,
	const struct wr_endpoint *dst, uint8_t ttl, const struct rte_ether_addr *smac,
	const struct rte_ether_addr *dmac, enum wr_udp_csum csum);

/**
 * The UDP checksum of the message @p msg (@p udplen bytes with the UDP header in front of it)
 * sent with the headers @p h: zero computed goes out as all ones (RFC 768).
 */
uint16_t
wr_encap_udp_cksum(const struct wr_encap_hdr *h, const uint8_t *msg, uint32_t udplen);

/**
 * Put the headers @p h in front of the data message @p m (one segment): IPv4 total length, ID
 * (the message's bytes 8-9) and header checksum, UDP length and checksum (computed; zero with
 * WR_UDP_CSUM_NONE; with WR_UDP_CSUM_OFFLOAD, the pseudo-header's sum for the NIC to complete
 * and RTE_MBUF_F_TX_UDP_CKSUM with RTE_MBUF_F_TX_IPV4 or IPV6 in m->ol_flags), then
 * m->tx_offload (l2_len, l3_len, l4_len) and m->packet_type. Returns 0, -EMSGSIZE (longer than an
 * IP packet can be) or -ENOSPC (no headroom, or more than one segment). Inline: it is a few
 * stores per packet, which a call's prologue and epilogue would add a fifth to.
 */
static inline int
wr_encap_hdr_put(struct rte_mbuf *m, const struct wr_encap_hdr *h)
{
	uint32_t udplen = rte_pktmbuf_pkt_len(m) + sizeof(struct rte_udp_hdr);
	uint32_t l3 = h->v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	uint8_t *msg = rte_pktmbuf_mtod(m, uint8_t *), *p;
	rte_be16_t be_udplen = rte_cpu_to_be_16((uint16_t)udplen);
	struct rte_udp_hdr *uh;

	if (udplen + (h->v6 ? 0 : l3) > UINT16_MAX)
		return -EMSGSIZE;
	if (rte_pktmbuf_headroom(m) < h->len || !rte_pktmbuf_is_contiguous(m))
		return -ENOSPC;
	/*
	 * Exactly the headers' bytes, in a few wide stores for each constant length: a wider copy
	 * would write the cache line in front of them too, which nothing else touches (a miss per
	 * packet).
	 */
	p = msg - h->len;
	switch (h->len) {
	case 14 + 20 + 8:
		memcpy(p, h->bytes + sizeof(h->bytes) - (14 + 20 + 8), 14 + 20 + 8);
		break;
	case 14 + 40 + 8:
		memcpy(p, h->bytes + sizeof(h->bytes) - (14 + 40 + 8), 14 + 40 + 8);
		break;
	default:
		memcpy(p, h->bytes + sizeof(h->bytes) - h->len, h->len);
		break;
	}
	uh = (struct rte_udp_hdr *)(p + h->l2_len + l3);
	uh->dgram_len = be_udplen;
	if (h->v6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(p + h->l2_len);

		ip6->payload_len = be_udplen;
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + h->l2_len);
		rte_be16_t total = rte_cpu_to_be_16((uint16_t)(udplen + l3)), id = 0;

		/*
		 * DF is clear (a path with a smaller MTU fragments the datagram, as for Linux's
		 * WireGuard), so the ID must not repeat between a source and destination while
		 * fragments may be in flight (RFC 6864 4.1), or a receiver could splice fragments
		 * of two datagrams. The message's bytes 8-9 serve, without state: for a data
		 * message the low bits of its counter, which every worker takes from the keypair's
		 * one sequence; for a handshake message random bytes (an ephemeral key, an index, a
		 * nonce).
		 */
		if (rte_pktmbuf_data_len(m) >= 10)
			memcpy(&id, msg + 8, sizeof(id));
		ip->total_length = total;
		ip->packet_id = id;
		ip->hdr_checksum = (uint16_t)~wr_cksum_fold((uint64_t)h->ip_sum + total + id);
	}
	/* WR_UDP_CSUM_NONE (IPv4 only): the template's zero stays, "no checksum" */
	if (h->csum == WR_UDP_CSUM_OFFLOAD)
		/* the NIC completes what the pseudo-header starts */
		uh->dgram_cksum = wr_cksum_fold((uint64_t)h->phdr_sum + be_udplen);
	else if (h->csum == WR_UDP_CSUM_SW)
		uh->dgram_cksum = wr_encap_udp_cksum(h, msg, udplen);
	m->data_off = (uint16_t)(m->data_off - h->len);
	m->data_len = (uint16_t)(m->data_len + h->len);
	m->pkt_len += h->len;
	m->tx_offload = h->tx_offload;
	m->packet_type = h->packet_type;
	m->ol_flags |= h->ol_flags;
	return 0;
}

/**
 * Put UDP and IPv4 or IPv6 headers in front of the data message @p m, from @p src to @p dst
 * (same family; addresses and ports as in a sockaddr), TTL or hop limit @p ttl, with the IPv4
 * header's checksum computed and the UDP checksum as @p csum says (wr_encap_hdr_init()). Sets
 * m->l2_len = 0, l3_len, l4_len and packet_type; the caller prepends Ethernet (and sets l2_len).
 * Returns 0, -EAFNOSUPPORT (families differ or unknown), -EMSGSIZE (longer than an IP packet can
 * be) or -ENOSPC (no headroom).
 */
int
wr_encap_udp(struct rte_mbuf *m, const struct wr_endpoint *src, const struct wr_endpoint *dst,
	uint8_t ttl, enum wr_udp_csum csum);

#endif /* WR_DP_ENCAP_H */
