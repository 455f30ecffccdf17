/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transport data in: checks, one batched open, replay update, inner checks (see decap.h).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_prefetch.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "decap.h"
#include "host.h"
#include "keytable.h"
#include "wr_messages.h"
#include "wr_replay.h"
#include "wr_timers.h"

/* A folded one's complement sum over pseudo-header and datagram, its checksum included. */
static bool
udp_cksum_ok(const void *ip, bool v6, const struct rte_udp_hdr *uh)
{
	uint32_t sum;

	/* over IPv6 a zero checksum is invalid (RFC 8200 8.1), over IPv4 it means none */
	if (!v6 && uh->dgram_cksum == 0)
		return true;
	sum = rte_raw_cksum(uh, rte_be_to_cpu_16(uh->dgram_len));
	sum += v6 ? rte_ipv6_phdr_cksum(ip, 0) : rte_ipv4_phdr_cksum(ip, 0);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/*
 * Whether the UDP checksum of a datagram may wait for wr_decap_burst(): only a transport data
 * message's (type 4, reserved bytes zero, long enough). Its payload is authenticated by
 * Poly1305, its addresses by the IPv4 header checksum (IPv6 has none, but a corrupted address
 * yields a source that is not the peer's endpoint, which is verified) and its length by the IP
 * length: all the UDP checksum protects beyond that is the ports. A wrong destination port would
 * not have reached this listen port; a wrong source port is a source that differs from the
 * peer's endpoint, and decap verifies every such datagram before the engine may roam to it.
 * Everything else (handshakes, whose MACs cover no header either) is verified here.
 */
static bool
cksum_deferrable(const struct rte_udp_hdr *uh, uint16_t udplen)
{
	uint32_t type;

	if (udplen < sizeof(*uh) + WR_MSG_DATA_MIN_LEN)
		return false;
	memcpy(&type, uh + 1, sizeof(type));
	return rte_le_to_cpu_32(type) == WR_MSG_DATA;
}

/* The UDP header after IP header @p ip of @p l3 bytes (datagram @p iplen): wr_decap_parse() */
static int
parse_udp(struct rte_mbuf *m, uint32_t l2, const uint8_t *ip, uint32_t l3, uint32_t iplen, bool v6)
{
	const struct rte_udp_hdr *uh = (const void *)(ip + l3);
	uint16_t udplen = rte_be_to_cpu_16(uh->dgram_len);

	if (udplen != iplen - l3)
		return -EINVAL;
	/* over IPv6 a zero checksum is invalid (RFC 8200 8.1), whatever may check it later */
	if (v6 && uh->dgram_cksum == 0)
		return -EBADMSG;
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		return -EBADMSG;
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
		!cksum_deferrable(uh, udplen) && !udp_cksum_ok(ip, v6, uh))
		return -EBADMSG;
	if (rte_pktmbuf_pkt_len(m) > l2 + iplen)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (l2 + iplen));
	/*
	 * One store of the whole field, not three bit-field updates: these read the mbuf's
	 * second cache line first, cold here (measured: most of this function's time at 1420
	 * bytes). The other lengths it holds are meaningless on receive.
	 */
	m->tx_offload = rte_mbuf_tx_offload(l2, l3, sizeof(*uh), 0, 0, 0, 0);
	return 0;
}

int
wr_decap_parse_ip4(struct rte_mbuf *m, uint32_t l2, uint32_t l3, uint32_t iplen)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, l2);

	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
		((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
			!wr_ip4_hdr_cksum_ok(ip, l3)))
		return -EINVAL;
	return parse_udp(m, l2, ip, l3, iplen, false);
}

int
wr_decap_parse(struct rte_mbuf *m)
{
	uint32_t avail = rte_pktmbuf_data_len(m), l2 = sizeof(struct rte_ether_hdr), l3, iplen;
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_udp_hdr *uh;
	uint16_t type;

	if (avail < l2)
		return -EINVAL;
	type = rte_be_to_cpu_16(((const struct rte_ether_hdr *)p)->ether_type);
	if (type == RTE_ETHER_TYPE_VLAN) {
		if (avail < l2 + sizeof(struct rte_vlan_hdr))
			return -EINVAL;
		type = rte_be_to_cpu_16(((const struct rte_vlan_hdr *)(p + l2))->eth_proto);
		l2 += sizeof(struct rte_vlan_hdr);
	}
	if (type == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const void *)(p + l2);

		if (avail < l2 + sizeof(*ip) || (ip->version_ihl >> 4) != 4)
			return -EINVAL;
		l3 = (ip->version_ihl & 0xf) * 4u;
		iplen = rte_be_to_cpu_16(ip->total_length);
		if (l3 < sizeof(*ip) || iplen < l3 + sizeof(*uh) || avail < l2 + iplen ||
			ip->next_proto_id != IPPROTO_UDP)
			return -EINVAL;
		/* fragments are not reassembled: MF set or a non-zero offset */
		if (rte_be_to_cpu_16(ip->fragment_offset) & 0x3fff)
			return -EINVAL;
		return wr_decap_parse_ip4(m, l2, l3, iplen);
	} else if (type == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip6 = (const void *)(p + l2);

		l3 = sizeof(*ip6);
		if (avail < l2 + l3 || (rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6 ||
			ip6->proto != IPPROTO_UDP)
			return -EINVAL;
		iplen = l3 + rte_be_to_cpu_16(ip6->payload_len);
		if (iplen < l3 + sizeof(*uh) || avail < l2 + iplen)
			return -EINVAL;
		return parse_udp(m, l2, p + l2, l3, iplen, true);
	}
	return -EINVAL;
}

/* The endpoint of the peer a burst last looked up: one sequence-count read per peer and burst. */
struct ep_cache {
	uint32_t peer_id; /* WR_DP_PEER_NONE: nothing read yet */
	bool known;
	struct wr_endpoint ep;
};

/* Whether the outer source of @p m (headers located by wr_decap_parse()) is @p ep. */
static bool
from_endpoint(const struct rte_mbuf *m, const struct wr_endpoint *ep)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, m->l2_len);
	const struct rte_udp_hdr *uh = (const void *)(ip + m->l3_len);

	if ((ip[0] >> 4) == 4)
		return ep->sa.sa_family == AF_INET && ep->in4.sin_port == uh->src_port &&
		       memcmp(&ep->in4.sin_addr, ip + 12, 4) == 0; /* source address */
	return ep->sa.sa_family == AF_INET6 && ep->in6.sin6_port == uh->src_port &&
	       memcmp(&ep->in6.sin6_addr, ip + 8, 16) == 0; /* source address */
}

/*
 * The UDP checksum wr_decap_parse() left to us (see cksum_deferrable()): verified unless the NIC
 * vouched for it or the datagram comes from the peer's current endpoint.
 */
static bool
cksum_acceptable(const struct wr_dp_crypto_tables *t, const struct rte_mbuf *m, uint32_t peer_id,
	struct ep_cache *c)
{
	const uint8_t *ip;

	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		return true;
	if (c->peer_id != peer_id) {
		const struct wr_dp_peer *p = wr_dp_peer_get(t->peers, peer_id);

		c->peer_id = peer_id;
		c->known = p != NULL && wr_dp_peer_get_endpoint(p, &c->ep);
	}
	if (c->known && from_endpoint(m, &c->ep))
		return true;
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, m->l2_len);
	return udp_cksum_ok(ip, (ip[0] >> 4) == 6, (const void *)(ip + m->l3_len));
}

/* A message's first ciphertext bytes and its tag, asked for before the batch opens them */
static inline void
prefetch_message(const uint8_t *src, uint32_t len, const uint8_t *tag)
{
	wr_dp_prefetch_payload(src, len);
	rte_prefetch0(tag);
	rte_prefetch0(tag + WR_AUTHTAG_LEN - 1);
}

/* Checks before crypto. Returns the drop reason, or NONE with the op filled in. */
static enum wr_drop_reason
check_message(const struct wr_dp_crypto_tables *t, struct rte_mbuf *m, uint64_t now,
	struct ep_cache *c, struct wr_aead_op *op, struct wr_dp_keypair **kpp)
{
	uint32_t off = (uint32_t)m->l2_len + m->l3_len + sizeof(struct rte_udp_hdr), len;
	const struct rte_udp_hdr *uh;
	struct wr_message_data *msg;
	struct wr_dp_keypair *kp;
	uint64_t counter;

	if (rte_pktmbuf_data_len(m) < off)
		return WR_DROP_BAD_LENGTH;
	uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, off - sizeof(*uh));
	len = rte_be_to_cpu_16(uh->dgram_len);
	if (len < sizeof(*uh) + WR_MSG_DATA_MIN_LEN || rte_pktmbuf_pkt_len(m) < off + len - 8)
		return WR_DROP_BAD_LENGTH;
	len -= sizeof(*uh);
	/* AEAD in place needs the message in one segment */
	if (rte_pktmbuf_data_len(m) < off + len && rte_pktmbuf_linearize(m) != 0)
		return WR_DROP_BAD_LENGTH;
	msg = rte_pktmbuf_mtod_offset(m, struct wr_message_data *, off);
	/* the type's three reserved bytes must be zero: the le32 must be exactly 4 */
	if (rte_le_to_cpu_32(msg->header.type) != WR_MSG_DATA)
		return WR_DROP_BAD_TYPE;
	kp = wr_keytable_lookup(t->keys, rte_le_to_cpu_32(msg->key_idx));
	if (kp == NULL)
		return WR_DROP_UNKNOWN_INDEX;
	counter = rte_le_to_cpu_64(msg->counter);
	if (wr_timers_keypair_expired(kp->birth, counter, now))
		return WR_DROP_KEY_EXPIRED;
	if (!wr_replay_check(&kp->replay, counter))
		return WR_DROP_REPLAY;
	if (!cksum_acceptable(t, m, kp->peer_id, c))
		return WR_DROP_BAD_CHECKSUM;

	op->key = kp->receive_key;
	op->counter = counter;
	op->src = msg->encrypted_data;
	op->dst = msg->encrypted_data;
	op->len = len - WR_MSG_DATA_MIN_LEN;
	op->tag = msg->encrypted_data + op->len;
	op->status = 0;
	prefetch_message(op->src, op->len, op->tag);
	*kpp = kp;
	return WR_DROP_NONE;
}

/*
 * The replay windows move only for packets that authenticated: per keypair, one lock for the
 * whole burst. An op that loses (a duplicate within the burst, or another worker was first) gets
 * status -EALREADY; winners get 1.
 */
static void
replay_update(struct wr_dp_crypto_lcore *lc, unsigned int nops)
{
	unsigned int i, j;

	for (i = 0; i < nops; i++) {
		struct wr_dp_keypair *kp = lc->kp[i];

		if (lc->ops[i].status != 0)
			continue;
		rte_spinlock_lock(&kp->replay_lock);
		for (j = i; j < nops; j++) {
			if (lc->kp[j] != kp || lc->ops[j].status != 0)
				continue;
			lc->ops[j].status =
				wr_replay_update(&kp->replay, lc->ops[j].counter) ? 1 : -EALREADY;
		}
		rte_spinlock_unlock(&kp->replay_lock);
	}
}

/* The length of the inner IP packet at @p ip of at most @p len bytes, or 0 when malformed. */
static uint32_t
inner_length(const uint8_t *ip, uint32_t len)
{
	uint32_t tot;

	switch (ip[0] >> 4) {
	case 4:
		if (len < sizeof(struct rte_ipv4_hdr))
			return 0;
		tot = rte_be_to_cpu_16(((const struct rte_ipv4_hdr *)ip)->total_length);
		if ((ip[0] & 0xf) < 5 || tot < (ip[0] & 0xfu) * 4 || tot > len)
			return 0;
		return tot;
	case 6:
		if (len < sizeof(struct rte_ipv6_hdr))
			return 0;
		tot = sizeof(struct rte_ipv6_hdr) +
		      rte_be_to_cpu_16(((const struct rte_ipv6_hdr *)ip)->payload_len);
		return tot <= len ? tot : 0;
	default:
		return 0;
	}
}

static struct wr_decap_rx *
summary_of(struct wr_decap_result *res, const struct wr_dp_keypair *kp)
{
	struct wr_decap_rx *rx;
	unsigned int i;

	for (i = 0; i < res->n_rx; i++)
		if (res->rx[i].local_index == kp->local_index && res->rx[i].peer_id == kp->peer_id)
			return &res->rx[i];
	rx = &res->rx[res->n_rx++];
	memset(rx, 0, sizeof(*rx));
	rx->peer_id = kp->peer_id;
	rx->local_index = kp->local_index;
	return rx;
}

static void
drop(struct wr_dp_crypto_lcore *lc, struct wr_decap_result *res, unsigned int i, struct rte_mbuf *m,
	enum wr_drop_reason reason)
{
	res->status[i] = reason;
	wr_dp_crypto_count_drop(lc, reason);
	rte_pktmbuf_free(m);
}

/* Strip everything around the inner packet of @p tot bytes at @p inner. */
static void
strip(struct rte_mbuf *m, const uint8_t *inner, uint32_t tot)
{
	uint16_t head = (uint16_t)(inner - rte_pktmbuf_mtod(m, const uint8_t *));

	if (m->nb_segs == 1) {
		/* what the workers see (classify takes one segment): the lengths set at once */
		m->data_off = (uint16_t)(m->data_off + head);
		m->data_len = (uint16_t)tot;
		m->pkt_len = tot;
	} else {
		rte_pktmbuf_adj(m, head);
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - tot));
	}
	m->l2_len = 0;
	m->l4_len = 0;
	m->ol_flags = 0;
	if ((inner[0] >> 4) == 4) {
		m->l3_len = (inner[0] & 0xf) * 4u;
		m->packet_type = RTE_PTYPE_L3_IPV4;
	} else {
		m->l3_len = sizeof(struct rte_ipv6_hdr);
		m->packet_type = RTE_PTYPE_L3_IPV6;
	}
}

unsigned int
wr_decap_burst(struct wr_dp_crypto_lcore *lc, const struct wr_dp_crypto_tables *t,
	struct rte_mbuf **pkts, unsigned int n, uint64_t now, struct wr_decap_result *res)
{
	struct ep_cache epc = { .peer_id = WR_DP_PEER_NONE };
	/* the packets of one keypair come in runs: the summary of the run's keypair is at hand */
	const struct wr_dp_keypair *run_kp = NULL;
	struct wr_decap_rx *run_rx = NULL;
	uint32_t tot[WR_DP_CRYPTO_BURST];
	uint8_t rx_of[WR_DP_CRYPTO_BURST];
	unsigned int i, k, nops = 0, ninner = 0;

	n = RTE_MIN(n, (unsigned int)WR_DP_CRYPTO_BURST);
	res->n_delivered = 0;
	res->n_rx = 0;

	for (i = 0; i < n; i++) {
		enum wr_drop_reason r;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		r = check_message(t, pkts[i], now, &epc, &lc->ops[nops], &lc->kp[nops]);
		if (r != WR_DROP_NONE) {
			drop(lc, res, i, pkts[i], r);
			continue;
		}
		res->status[i] = WR_DROP_NONE;
		lc->op_pkt[nops++] = (uint16_t)i;
	}

	wr_aead_open_burst(lc->aead, lc->ops, nops);
	replay_update(lc, nops);

	for (k = 0; k < nops; k++) {
		struct wr_aead_op *op = &lc->ops[k];
		struct wr_dp_keypair *kp = lc->kp[k];
		struct rte_mbuf *m = pkts[lc->op_pkt[k]];
		struct wr_dp_peer_counters *c;
		struct wr_decap_rx *rx;
		uint32_t wire;

		if (op->status != 1) {
			drop(lc, res, lc->op_pkt[k], m,
				op->status == -EALREADY ? WR_DROP_REPLAY : WR_DROP_DATA_DECRYPT);
			continue;
		}
		/* authenticated: the engine hears of it (timers, roaming) whatever its content */
		wire = op->len + WR_MSG_DATA_MIN_LEN;
		if (kp != run_kp) {
			run_rx = summary_of(res, kp);
			run_kp = kp;
		}
		rx = run_rx;
		rx_of[k] = (uint8_t)(rx - res->rx);
		rx->packets++;
		rx->wire_bytes += wire;
		wr_decap_outer_source(m, &rx->from);
		if (kp->peer_id < lc->n_peers) {
			c = &lc->peer[kp->peer_id];
			wr_dp_counter_add(&c->rx_packets, 1);
			wr_dp_counter_add(&c->rx_bytes, wire);
		}
		if (op->len == 0) {
			/* a keepalive: consumed, not dropped */
			rte_pktmbuf_free(m);
			continue;
		}
		tot[ninner] = inner_length(op->dst, op->len);
		if (tot[ninner] == 0) {
			drop(lc, res, lc->op_pkt[k], m, WR_DROP_BAD_INNER);
			continue;
		}
		lc->pkt_op[ninner] = (uint16_t)k;
		lc->inner[ninner++] = op->dst;
	}

	/* cryptokey routing, the receiving half: the source must belong to the sending peer */
	if (ninner > 0 && t->src_lookup != NULL)
		t->src_lookup(t->src_ctx, lc->inner, ninner, lc->src_peer);
	for (i = 0; i < ninner; i++) {
		unsigned int op_idx = lc->pkt_op[i];
		struct wr_dp_keypair *kp = lc->kp[op_idx];
		struct rte_mbuf *m = pkts[lc->op_pkt[op_idx]];
		struct wr_decap_rx *rx = &res->rx[rx_of[op_idx]];

		if (t->src_lookup == NULL || lc->src_peer[i] != kp->peer_id) {
			if (kp->peer_id < lc->n_peers)
				wr_dp_counter_add(&lc->peer[kp->peer_id].rx_spoofed, 1);
			drop(lc, res, lc->op_pkt[op_idx], m, WR_DROP_SPOOFED_SOURCE);
			continue;
		}
		strip(m, lc->inner[i], tot[i]);
		rx->delivered++;
		rx->inner_bytes += tot[i];
		res->delivered_peer[res->n_delivered] = kp->peer_id;
		res->delivered[res->n_delivered++] = m;
	}
	return n;
}
