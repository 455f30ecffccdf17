/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transport data out: keypair per peer, counters per keypair, padding, one batched seal.
 */
#include <errno.h>
#include <string.h>

#include <immintrin.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_prefetch.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "encap.h"
#include "host.h"
#include "keytable.h"
#include "wr_messages.h"
#include "wr_timers.h"

/* The packets of one burst that go out with one keypair. */
struct group {
	struct wr_dp_keypair *kp;
	uint32_t count;
	uint8_t tx; /* its summary */
	bool held;  /* the keypair expired: its packets are held, no summary */
	/* what was sealed: added to the summary and the peer's counters once a burst */
	uint32_t sealed;
	uint64_t inner_bytes, wire_bytes, last_counter;
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
	/*
	 * The padding (under 16 bytes) zeroed in one 16-byte store: what it writes past the
	 * padding is where the tag goes, within the tailroom checked above.
	 */
	memset(tail, 0, WR_AUTHTAG_LEN);
	/* the header's room, checked above */
	m->data_off = (uint16_t)(m->data_off - WR_MSG_DATA_HEADER_LEN);
	m->data_len = (uint16_t)(m->data_len + WR_MSG_DATA_HEADER_LEN);
	m->pkt_len += WR_MSG_DATA_HEADER_LEN;
	return true;
}

/*
 * The group of @p kp in this burst, a new one when it has none yet: with its summary, or held
 * when @p kp expired at @p now (asked once a keypair and burst, not per packet: the test reads
 * the keypair's shared counter line). -1: the peer's endpoint is unknown.
 */
static int
group_of(struct wr_encap_result *res, struct group *g, unsigned int *ng, struct wr_dp_peer *p,
	struct wr_dp_keypair *kp, uint64_t now)
{
	struct wr_encap_tx *tx;
	unsigned int i;

	for (i = 0; i < *ng; i++)
		if (g[i].kp == kp)
			return (int)i;
	if (wr_dp_keypair_expired(kp, now)) {
		g[*ng] = (struct group){ .kp = kp, .held = true };
		return (int)(*ng)++;
	}
	tx = &res->tx[res->n_tx];
	memset(tx, 0, sizeof(*tx));
	/* a peer whose endpoint is unknown cannot be sent to: no group, every packet dropped */
	if (!wr_dp_peer_get_endpoint(p, &tx->to))
		return -1;
	tx->peer_id = kp->peer_id;
	tx->remote_index = kp->remote_index;
	g[*ng] = (struct group){ .kp = kp, .tx = (uint8_t)res->n_tx++ };
	return (int)(*ng)++;
}

unsigned int
wr_encap_burst(struct wr_dp_crypto_lcore *lc, const struct wr_dp_crypto_tables *t,
	struct rte_mbuf **pkts, const uint32_t *peer_ids, unsigned int n, uint64_t now,
	struct wr_encap_result *res)
{
	struct group g[WR_DP_CRYPTO_BURST];
	uint32_t len[WR_DP_CRYPTO_BURST], padded[WR_DP_CRYPTO_BURST];
	uint64_t next[WR_DP_CRYPTO_BURST];
	uint16_t sealed_pi[WR_DP_CRYPTO_BURST]; /* the input index of each sealed packet */
	unsigned int i, ng = 0, nops = 0;

	n = RTE_MIN(n, (unsigned int)WR_DP_CRYPTO_BURST);
	res->n_sealed = 0;
	res->n_held = 0;
	res->n_tx = 0;

	/*
	 * The message header and then the outer headers go into the headroom, which nothing has
	 * touched yet: a write miss per packet (measured: most of this function at 64 bytes)
	 * unless asked for early. So does wr_encap_hdr_put() into the mbuf's second cache line
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
		kp = __atomic_load_n(&p->current, __ATOMIC_ACQUIRE);
		gi = kp != NULL ? group_of(res, g, &ng, p, kp, now) : 0;
		if (kp == NULL || (gi >= 0 && g[gi].held)) {
			res->held_peer[res->n_held] = peer_ids[i];
			res->held[res->n_held++] = m;
			continue;
		}
		if (gi < 0) {
			drop(lc, res, i, m, WR_DROP_NO_ENDPOINT);
			continue;
		}
		padded[i] = wr_padded_len(len[i], t->mtu);
		if (!make_room(m, len[i], padded[i])) {
			drop(lc, res, i, m, WR_DROP_NO_MEMORY);
			continue;
		}
		g[gi].count++;
		lc->pkt_group[i] = (uint16_t)gi;
		lc->op_pkt[nops++] = (uint16_t)i;
	}

	/* one atomic per keypair and burst: every worker sending with it gets its own range */
	for (i = 0; i < ng; i++)
		if (g[i].count > 0)
			next[i] = __atomic_fetch_add(
				&g[i].kp->send_counter, g[i].count, __ATOMIC_RELAXED);

	for (i = 0; i < nops; i++) {
		unsigned int pi = lc->op_pkt[i], gi = lc->pkt_group[pi];
		struct wr_message_data *msg = rte_pktmbuf_mtod(pkts[pi], struct wr_message_data *);
		struct wr_dp_keypair *kp = g[gi].kp;
		uint64_t counter = next[gi]++;
		struct wr_aead_op *op = &lc->ops[res->n_sealed];

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
		op->tag = msg->encrypted_data + padded[pi];
		op->len = padded[pi];

		g[gi].sealed++;
		g[gi].inner_bytes += len[pi];
		g[gi].wire_bytes += WR_MSG_DATA_MIN_LEN + padded[pi];
		g[gi].last_counter = counter; /* a group's counters only go up */
		sealed_pi[res->n_sealed] = (uint16_t)pi;
		res->sealed_tx[res->n_sealed] = g[gi].tx;
		res->sealed[res->n_sealed++] = pkts[pi];
	}
	for (i = 0; i < ng; i++) {
		struct wr_encap_tx *tx = &res->tx[g[i].tx];
		uint32_t id = g[i].kp->peer_id;

		if (g[i].sealed == 0)
			continue;
		tx->packets += g[i].sealed;
		tx->counter = RTE_MAX(tx->counter, g[i].last_counter);
		tx->inner_bytes += g[i].inner_bytes;
		tx->wire_bytes += g[i].wire_bytes;
		if (id < lc->n_peers) {
			wr_dp_counter_add(&lc->peer[id].tx_packets, g[i].sealed);
			wr_dp_counter_add(&lc->peer[id].tx_bytes, g[i].wire_bytes);
		}
	}
	/*
	 * A backend fails an op only when its library misbehaves, and then closed: the output and
	 * tag zeroed. Such a packet does not leave (it was counted as sent above: never expected).
	 */
	if (wr_aead_seal_burst(lc->aead, lc->ops, res->n_sealed) != res->n_sealed) {
		unsigned int k = 0;

		for (i = 0; i < res->n_sealed; i++) {
			if (lc->ops[i].status != 0) {
				drop(lc, res, sealed_pi[i], res->sealed[i], WR_DROP_SEAL_FAILED);
				continue;
			}
			res->sealed_tx[k] = res->sealed_tx[i];
			res->sealed[k++] = res->sealed[i];
		}
		res->n_sealed = k;
	}
	return n;
}

/*
 * The 16-bit word sum of @p len (< 512 KiB) bytes at @p p added to @p sum, unfolded, as
 * __rte_raw_cksum() has it: the sending side's UDP checksum runs over every byte sent, and the
 * SSE loop the compiler makes of __rte_raw_cksum() was a tenth of a 1420-byte packet's worker
 * time. Each word is biased into a signed one (xor 0x8000, i.e. minus 32768) so that one
 * multiply-add sums word pairs into 32-bit lanes (three instructions per 32 bytes, where masking
 * and shifting took four: measured a fifth faster); the bias comes back once at the end. Four
 * accumulators (no add waits on the one before); a lane moves by at most 65536 a step, so
 * neither one nor the four together overflow below 512 KiB. Unaligned loads with lddqu: GCC's
 * default tuning splits a 32-byte loadu into two 16-byte halves.
 */
__attribute__((target("avx2"))) static uint64_t
sum_avx2(const uint8_t *p, uint32_t len, uint64_t sum)
{
	const __m256i bias = _mm256_set1_epi16((short)0x8000), one = _mm256_set1_epi16(1);
	__m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
	int32_t lanes[8];
	int64_t total = 0;
	uint32_t i, k;

#define WORD_PAIRS(off)                                                                      \
	_mm256_madd_epi16(                                                                     \
		_mm256_xor_si256(_mm256_lddqu_si256((const __m256i *)(p + i + (off))), bias), one)
	for (i = 0; i + 128 <= len; i += 128) {
		a0 = _mm256_add_epi32(a0, WORD_PAIRS(0));
		a1 = _mm256_add_epi32(a1, WORD_PAIRS(32));
		a2 = _mm256_add_epi32(a2, WORD_PAIRS(64));
		a3 = _mm256_add_epi32(a3, WORD_PAIRS(96));
	}
	for (; i + 32 <= len; i += 32)
		a0 = _mm256_add_epi32(a0, WORD_PAIRS(0));
	/*
	 * The last words (under 32 bytes) in one more step: the 32 bytes that end with them, the
	 * ones summed already masked to zero (and counted as words: zero biased is -32768 too).
	 * A packet shorter than 32 bytes, and an odd last byte, go the scalar way.
	 */
	if (len >= 32 && len - i >= 2) {
		static const uint8_t keep[64] = { [32] = 0xff, [33] = 0xff, [34] = 0xff, [35] = 0xff,
			[36] = 0xff, [37] = 0xff, [38] = 0xff, [39] = 0xff, [40] = 0xff, [41] = 0xff,
			[42] = 0xff, [43] = 0xff, [44] = 0xff, [45] = 0xff, [46] = 0xff, [47] = 0xff,
			[48] = 0xff, [49] = 0xff, [50] = 0xff, [51] = 0xff, [52] = 0xff, [53] = 0xff,
			[54] = 0xff, [55] = 0xff, [56] = 0xff, [57] = 0xff, [58] = 0xff, [59] = 0xff,
			[60] = 0xff, [61] = 0xff, [62] = 0xff, [63] = 0xff };
		uint32_t r = (len - i) & ~1u;
		__m256i v = _mm256_and_si256(
			_mm256_lddqu_si256((const __m256i *)(p + i + r - 32)),
			_mm256_lddqu_si256((const __m256i *)(keep + r)));

		a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(_mm256_xor_si256(v, bias), one));
		i += r;
		total += 16 * 32768 - (int64_t)(r / 2) * 32768;
	}
#undef WORD_PAIRS
	_mm256_storeu_si256(
		(__m256i *)lanes, _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3)));
	for (k = 0; k < 8; k++)
		total += lanes[k];
	/* i / 2 words, each summed 32768 short */
	total += (int64_t)(i / 2) * 32768;
	return __rte_raw_cksum(p + i, len - i, 0) + sum + (uint64_t)total;
}

/* sum_avx2() where the CPU has AVX2, DPDK's scalar sum elsewhere */
static uint64_t
payload_word_sum(const uint8_t *p, uint32_t len, uint64_t sum)
{
	if (__builtin_cpu_supports("avx2"))
		return sum_avx2(p, len, sum);
	return __rte_raw_cksum(p, len, 0) + sum;
}

int
wr_encap_hdr_init(struct wr_encap_hdr *h, const struct wr_endpoint *src,
	const struct wr_endpoint *dst, uint8_t ttl, const struct rte_ether_addr *smac,
	const struct rte_ether_addr *dmac, enum wr_udp_csum csum)
{
	bool v6 = dst->sa.sa_family == AF_INET6;
	unsigned int l2 = smac != NULL ? sizeof(struct rte_ether_hdr) : 0;
	unsigned int l3 = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	struct rte_udp_hdr *uh;
	uint8_t *p;

	if (src->sa.sa_family != dst->sa.sa_family ||
		(dst->sa.sa_family != AF_INET && dst->sa.sa_family != AF_INET6))
		return -EAFNOSUPPORT;
	memset(h, 0, sizeof(*h));
	h->len = (uint8_t)(l2 + l3 + sizeof(*uh));
	h->l2_len = (uint8_t)l2;
	h->v6 = v6;
	h->csum = (uint8_t)(v6 && csum == WR_UDP_CSUM_NONE ? WR_UDP_CSUM_SW : csum);
	p = h->bytes + sizeof(h->bytes) - h->len;
	if (l2 > 0) {
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)p;

		rte_ether_addr_copy(dmac, &eh->dst_addr);
		rte_ether_addr_copy(smac, &eh->src_addr);
		eh->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	}
	uh = (struct rte_udp_hdr *)(p + l2 + l3);
	if (v6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(p + l2);

		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = ttl;
		memcpy(ip6->src_addr, &src->in6.sin6_addr, 16);
		memcpy(ip6->dst_addr, &dst->in6.sin6_addr, 16);
		uh->src_port = src->in6.sin6_port;
		uh->dst_port = dst->in6.sin6_port;
		h->phdr_sum = __rte_raw_cksum(ip6->src_addr, 32, 0);
		h->packet_type = RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_UDP;
		h->ol_flags = h->csum == WR_UDP_CSUM_OFFLOAD ? RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV6
							       : 0;
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + l2);

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->time_to_live = ttl;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, &src->in4.sin_addr, 4);
		memcpy(&ip->dst_addr, &dst->in4.sin_addr, 4);
		uh->src_port = src->in4.sin_port;
		uh->dst_port = dst->in4.sin_port;
		/* total length and checksum still zero: each packet adds its length */
		h->ip_sum = __rte_raw_cksum(ip, sizeof(*ip), 0);
		h->phdr_sum = __rte_raw_cksum(&ip->src_addr, 8, 0);
		h->packet_type = RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP;
		h->ol_flags = h->csum == WR_UDP_CSUM_OFFLOAD ? RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV4
							       : 0;
	}
	/* the pseudo-header's next header, as rte_ipv4_phdr_cksum() and rte_ipv6_phdr_cksum() */
	h->phdr_sum += rte_cpu_to_be_16(IPPROTO_UDP);
	h->port_sum = (uint32_t)uh->src_port + uh->dst_port;
	h->tx_offload = rte_mbuf_tx_offload(l2, l3, sizeof(*uh), 0, 0, 0, 0);
	return 0;
}

uint16_t
wr_encap_udp_cksum(const struct wr_encap_hdr *h, const uint8_t *msg, uint32_t udplen)
{
	/* the payload read in wide loads, the headers' words from their values */
	rte_be16_t be_udplen = rte_cpu_to_be_16((uint16_t)udplen);
	uint64_t sum = (uint64_t)h->phdr_sum + h->port_sum + 2u * be_udplen;
	uint16_t c;

	sum = payload_word_sum(msg, udplen - sizeof(struct rte_udp_hdr), sum);
	c = (uint16_t)~wr_cksum_fold(sum);
	/* a computed zero goes out as all ones: zero means "no checksum" (RFC 768) */
	return c == 0 ? 0xffff : c;
}

int
wr_encap_udp(struct rte_mbuf *m, const struct wr_endpoint *src, const struct wr_endpoint *dst,
	uint8_t ttl, enum wr_udp_csum csum)
{
	struct wr_encap_hdr h;
	int ret;

	ret = wr_encap_hdr_init(&h, src, dst, ttl, NULL, NULL, csum);
	return ret != 0 ? ret : wr_encap_hdr_put(m, &h);
}
