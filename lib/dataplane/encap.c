/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transport data out: keypair per peer, counters per keypair, padding, one batched seal.
 */
#include <errno.h>
#include <string.h>

#include <immintrin.h>

#include <rte_byteorder.h>
#include <rte_prefetch.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "encap.h"
#include "keytable.h"
#include "wr_messages.h"
#include "wr_timers.h"

/* The packets of one burst that go out with one keypair. */
struct group {
	struct wr_dp_keypair *kp;
	uint32_t count;
	uint8_t tx; /* its summary */
};

static void
drop(struct wr_dp_crypto_lcore *lc, struct wr_encap_result *res, unsigned int i, struct rte_mbuf *m,
	enum wr_drop_reason reason)
{
	res->status[i] = reason;
	wr_dp_crypto_count_drop(lc, reason);
	rte_pktmbuf_free(m);
}

/* Room for the header in front and padding and tag behind; the padding zeroed. */
static bool
make_room(struct rte_mbuf *m, uint32_t len, uint32_t padded)
{
	uint8_t *tail;

	if (!rte_pktmbuf_is_contiguous(m) && rte_pktmbuf_linearize(m) != 0)
		return false;
	if (rte_pktmbuf_headroom(m) < WR_MSG_DATA_HEADER_LEN ||
		rte_pktmbuf_tailroom(m) < padded - len + WR_AUTHTAG_LEN)
		return false;
	/* the packet arrived cold: its first bytes are asked for before the batch seal */
	wr_dp_prefetch_payload(rte_pktmbuf_mtod(m, const void *), len);
	/*
	 * One segment, its tailroom checked: appended here without rte_pktmbuf_append()'s walk to
	 * the last segment, which reads the mbuf's second cache line, not there yet (measured).
	 */
	tail = rte_pktmbuf_mtod_offset(m, uint8_t *, rte_pktmbuf_data_len(m));
	m->data_len = (uint16_t)(m->data_len + padded - len + WR_AUTHTAG_LEN);
	m->pkt_len += padded - len + WR_AUTHTAG_LEN;
	memset(tail, 0, padded - len);
	rte_pktmbuf_prepend(m, WR_MSG_DATA_HEADER_LEN);
	return true;
}

/* The group of @p kp in this burst, a new one (with its summary) when it has none yet. */
static int
group_of(const struct wr_dp_crypto_tables *t, struct wr_encap_result *res, struct group *g,
	unsigned int *ng, struct wr_dp_peer *p, struct wr_dp_keypair *kp)
{
	struct wr_encap_tx *tx;
	unsigned int i;

	for (i = 0; i < *ng; i++)
		if (g[i].kp == kp)
			return (int)i;
	tx = &res->tx[res->n_tx];
	memset(tx, 0, sizeof(*tx));
	/* a peer whose endpoint is unknown cannot be sent to: no group, every packet dropped */
	if (!wr_dp_peer_get_endpoint(p, &tx->to))
		return -1;
	tx->peer_id = kp->peer_id;
	tx->remote_index = kp->remote_index;
	g[*ng].kp = kp;
	g[*ng].count = 0;
	g[*ng].tx = (uint8_t)res->n_tx++;
	return (int)(*ng)++;
}

unsigned int
wr_encap_burst(struct wr_dp_crypto_lcore *lc, const struct wr_dp_crypto_tables *t,
	struct rte_mbuf **pkts, const uint32_t *peer_ids, unsigned int n, uint64_t now,
	struct wr_encap_result *res)
{
	struct group g[WR_DP_CRYPTO_BURST];
	uint32_t len[WR_DP_CRYPTO_BURST];
	uint64_t next[WR_DP_CRYPTO_BURST];
	unsigned int i, ng = 0, nops = 0;

	n = RTE_MIN(n, (unsigned int)WR_DP_CRYPTO_BURST);
	res->n_sealed = 0;
	res->n_held = 0;
	res->n_tx = 0;

	/*
	 * The message header and then the outer headers go into the headroom, which nothing has
	 * touched yet: a write miss per packet (measured: most of this function at 64 bytes)
	 * unless asked for early. So does wr_encap_udp() into the mbuf's second cache line
	 * (l2_len and the rest of tx_offload), last written by whoever allocated it.
	 */
	for (i = 0; i < n; i++) {
		rte_prefetch0(
			rte_pktmbuf_mtod_offset(pkts[i], char *, -(int)WR_MSG_DATA_HEADER_LEN));
		rte_mbuf_prefetch_part2(pkts[i]);
	}

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct wr_dp_keypair *kp;
		struct wr_dp_peer *p;
		int gi;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		res->status[i] = WR_DROP_NONE;
		p = wr_dp_peer_get(t->peers, peer_ids[i]);
		if (p == NULL) {
			drop(lc, res, i, m, WR_DROP_NO_ROUTE);
			continue;
		}
		len[i] = rte_pktmbuf_pkt_len(m);
		if (len[i] > t->mtu) {
			drop(lc, res, i, m, WR_DROP_TOO_BIG);
			continue;
		}
		kp = wr_dp_peer_sending_keypair(p, now);
		if (kp == NULL) {
			res->held_peer[res->n_held] = peer_ids[i];
			res->held[res->n_held++] = m;
			continue;
		}
		gi = group_of(t, res, g, &ng, p, kp);
		if (gi < 0) {
			drop(lc, res, i, m, WR_DROP_NO_ENDPOINT);
			continue;
		}
		if (!make_room(m, len[i], wr_padded_len(len[i], t->mtu))) {
			drop(lc, res, i, m, WR_DROP_NO_MEMORY);
			continue;
		}
		g[gi].count++;
		lc->pkt_group[i] = (uint16_t)gi;
		lc->op_pkt[nops++] = (uint16_t)i;
	}

	/* one atomic per keypair and burst: every worker sending with it gets its own range */
	for (i = 0; i < ng; i++)
		next[i] = __atomic_fetch_add(&g[i].kp->send_counter, g[i].count, __ATOMIC_RELAXED);

	for (i = 0; i < nops; i++) {
		unsigned int pi = lc->op_pkt[i], gi = lc->pkt_group[pi];
		struct wr_message_data *msg = rte_pktmbuf_mtod(pkts[pi], struct wr_message_data *);
		uint32_t padded = wr_padded_len(len[pi], t->mtu);
		struct wr_dp_keypair *kp = g[gi].kp;
		uint64_t counter = next[gi]++;
		struct wr_aead_op *op = &lc->ops[res->n_sealed];
		struct wr_encap_tx *tx = &res->tx[g[gi].tx];
		uint32_t wire = WR_MSG_DATA_MIN_LEN + padded;

		if (counter >= WR_REJECT_AFTER_MESSAGES) {
			drop(lc, res, pi, pkts[pi], WR_DROP_KEY_EXPIRED);
			continue;
		}
		msg->header.type = rte_cpu_to_le_32(WR_MSG_DATA);
		msg->key_idx = rte_cpu_to_le_32(kp->remote_index);
		msg->counter = rte_cpu_to_le_64(counter);
		op->key = kp->send_key;
		op->counter = counter;
		op->src = msg->encrypted_data;
		op->dst = msg->encrypted_data;
		op->tag = msg->encrypted_data + padded;
		op->len = padded;

		tx->packets++;
		tx->counter = RTE_MAX(tx->counter, counter);
		tx->inner_bytes += len[pi];
		tx->wire_bytes += wire;
		if (kp->peer_id < lc->n_peers) {
			wr_dp_counter_add(&lc->peer[kp->peer_id].tx_packets, 1);
			wr_dp_counter_add(&lc->peer[kp->peer_id].tx_bytes, wire);
		}
		res->sealed_tx[res->n_sealed] = g[gi].tx;
		res->sealed[res->n_sealed++] = pkts[pi];
	}
	wr_aead_seal_burst(lc->aead, lc->ops, res->n_sealed);
	return n;
}

/*
 * The 16-bit word sum of @p len bytes at @p p added to @p sum, unfolded, as __rte_raw_cksum() has
 * it, 64 bytes a step in two accumulators (no add waits on the one before): the sending side's
 * UDP checksum runs over every byte sent, and the SSE loop the compiler makes of
 * __rte_raw_cksum() was a tenth of a 1420-byte packet's worker time. Each 32-bit lane adds two
 * words a step: no carry is lost below 2^15 steps (2 MiB).
 */
__attribute__((target("avx2"))) static uint64_t
sum_avx2(const uint8_t *p, uint32_t len, uint64_t sum)
{
	const __m256i low = _mm256_set1_epi32(0xffff);
	__m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
	uint32_t lanes[8], i, k;

	for (i = 0; i + 64 <= len; i += 64) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
		__m256i u = _mm256_loadu_si256((const __m256i *)(p + i + 32));

		a0 = _mm256_add_epi32(
			a0, _mm256_add_epi32(_mm256_and_si256(v, low), _mm256_srli_epi32(v, 16)));
		a1 = _mm256_add_epi32(
			a1, _mm256_add_epi32(_mm256_and_si256(u, low), _mm256_srli_epi32(u, 16)));
	}
	if (i + 32 <= len) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(p + i));

		a0 = _mm256_add_epi32(
			a0, _mm256_add_epi32(_mm256_and_si256(v, low), _mm256_srli_epi32(v, 16)));
		i += 32;
	}
	/* each lane's halves added first: the two accumulators' sum cannot carry out */
	a0 = _mm256_add_epi32(_mm256_and_si256(a0, low), _mm256_srli_epi32(a0, 16));
	a1 = _mm256_add_epi32(_mm256_and_si256(a1, low), _mm256_srli_epi32(a1, 16));
	_mm256_storeu_si256((__m256i *)lanes, _mm256_add_epi32(a0, a1));
	for (k = 0; k < 8; k++)
		sum += lanes[k];
	return __rte_raw_cksum(p + i, len - i, 0) + sum;
}

/*
 * The unfolded word sum of the UDP pseudo-header (RFC 768, RFC 8200 8.1) for @p alen-byte
 * addresses @p src and @p dst and a datagram of @p udplen bytes, as rte_ipv4_phdr_cksum() and
 * rte_ipv6_phdr_cksum() sum it (their length and next header's upper zero words add nothing),
 * from the values: those read back the header just stored, which stalled on store forwarding
 * (measured: most of wr_encap_udp()'s time at 1420 bytes).
 */
static uint32_t
phdr_sum(const void *src, const void *dst, unsigned int alen, uint16_t udplen)
{
	const uint8_t *s = src, *d = dst;
	uint32_t sum = rte_cpu_to_be_16(IPPROTO_UDP) + rte_cpu_to_be_16(udplen);
	unsigned int i;

	for (i = 0; i < alen; i += 2) {
		uint16_t a, b;

		memcpy(&a, s + i, 2);
		memcpy(&b, d + i, 2);
		sum += (uint32_t)a + b;
	}
	return sum;
}

/*
 * The UDP checksum of the datagram @p uh of @p len bytes (at least its header; the checksum
 * field is not read) whose pseudo-header sums to @p phdr.
 */
static uint16_t
udp_cksum(const struct rte_udp_hdr *uh, uint32_t len, uint32_t phdr)
{
	const uint8_t *payload = (const uint8_t *)(uh + 1);
	uint64_t sum;

	/*
	 * The header's words one by one (as stored, the checksum's zero aside), the payload in
	 * wide loads: one of those over the header just stored would wait for its stores.
	 */
	phdr += (uint32_t)uh->src_port + uh->dst_port + uh->dgram_len;
	len -= sizeof(*uh);
	if (__builtin_cpu_supports("avx2"))
		sum = sum_avx2(payload, len, phdr);
	else
		sum = __rte_raw_cksum(payload, len, phdr);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	/* a computed zero goes out as all ones: zero means "no checksum" (RFC 768) */
	return sum == 0xffff ? 0xffff : (uint16_t)~sum;
}

/*
 * The header checksum of the IPv4 header wr_encap_udp() writes (no options, id, flags or TOS),
 * from its values: reading back the header just stored stalled on store forwarding.
 */
static uint16_t
ip4_hdr_cksum(rte_be16_t total, uint8_t ttl, rte_be32_t src, rte_be32_t dst)
{
	uint32_t s = rte_be_to_cpu_32(src), d = rte_be_to_cpu_32(dst);
	uint32_t sum = (RTE_IPV4_VHL_DEF << 8) + rte_be_to_cpu_16(total) +
		       ((uint32_t)ttl << 8 | IPPROTO_UDP) + (s >> 16) + (s & 0xffff) + (d >> 16) +
		       (d & 0xffff);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return rte_cpu_to_be_16((uint16_t)~sum);
}

int
wr_encap_udp(struct rte_mbuf *m, const struct wr_endpoint *src, const struct wr_endpoint *dst,
	uint8_t ttl)
{
	uint32_t udplen = rte_pktmbuf_pkt_len(m) + sizeof(struct rte_udp_hdr);
	struct rte_udp_hdr *uh;

	if (src->sa.sa_family != dst->sa.sa_family)
		return -EAFNOSUPPORT;
	if (dst->sa.sa_family == AF_INET) {
		struct rte_ipv4_hdr *ip;

		if (udplen + sizeof(*ip) > UINT16_MAX)
			return -EMSGSIZE;
		if (rte_pktmbuf_headroom(m) < sizeof(*ip) + sizeof(*uh) ||
			!rte_pktmbuf_is_contiguous(m))
			return -ENOSPC;
		uh = (void *)rte_pktmbuf_prepend(m, sizeof(*uh));
		ip = (void *)rte_pktmbuf_prepend(m, sizeof(*ip));
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(udplen + sizeof(*ip)));
		ip->time_to_live = ttl;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, &src->in4.sin_addr, 4);
		memcpy(&ip->dst_addr, &dst->in4.sin_addr, 4);
		ip->hdr_checksum = ip4_hdr_cksum(ip->total_length, ttl, ip->src_addr, ip->dst_addr);
		uh->src_port = src->in4.sin_port;
		uh->dst_port = dst->in4.sin_port;
		uh->dgram_len = rte_cpu_to_be_16((uint16_t)udplen);
		m->l3_len = sizeof(*ip);
		m->packet_type = RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP;
		if ((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM) {
			/* the NIC completes what the pseudo-header starts */
			m->ol_flags |= RTE_MBUF_F_TX_IPV4;
			uh->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
		} else {
			uh->dgram_cksum = udp_cksum(uh, udplen,
				phdr_sum(&src->in4.sin_addr, &dst->in4.sin_addr, 4,
					(uint16_t)udplen));
		}
	} else if (dst->sa.sa_family == AF_INET6) {
		struct rte_ipv6_hdr *ip6;

		if (udplen > UINT16_MAX)
			return -EMSGSIZE;
		if (rte_pktmbuf_headroom(m) < sizeof(*ip6) + sizeof(*uh) ||
			!rte_pktmbuf_is_contiguous(m))
			return -ENOSPC;
		uh = (void *)rte_pktmbuf_prepend(m, sizeof(*uh));
		ip6 = (void *)rte_pktmbuf_prepend(m, sizeof(*ip6));
		memset(ip6, 0, sizeof(*ip6));
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)udplen);
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = ttl;
		memcpy(ip6->src_addr, &src->in6.sin6_addr, 16);
		memcpy(ip6->dst_addr, &dst->in6.sin6_addr, 16);
		uh->src_port = src->in6.sin6_port;
		uh->dst_port = dst->in6.sin6_port;
		uh->dgram_len = rte_cpu_to_be_16((uint16_t)udplen);
		m->l3_len = sizeof(*ip6);
		m->packet_type = RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_UDP;
		if ((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM) {
			m->ol_flags |= RTE_MBUF_F_TX_IPV6;
			uh->dgram_cksum = rte_ipv6_phdr_cksum(ip6, m->ol_flags);
		} else {
			uh->dgram_cksum = udp_cksum(uh, udplen,
				phdr_sum(&src->in6.sin6_addr, &dst->in6.sin6_addr, 16,
					(uint16_t)udplen));
		}
	} else {
		return -EAFNOSUPPORT;
	}
	m->l2_len = 0;
	m->l4_len = sizeof(*uh);
	return 0;
}
