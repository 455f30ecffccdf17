/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A worker's burst: classify, decap and route out, LPM and encap and send, hand the rest to the
 * control lcore.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "forward.h"
#include "host.h"
#include "icmp.h"
#include "keytable.h"
#include "worker.h"

#define ETH_LEN ((uint16_t)sizeof(struct rte_ether_hdr))
#define WORKER_TTL 64
/* how many packets ahead wr_worker_rx() prefetches the frames */
#define PREFETCH_AHEAD 4
/* fragments of one packet at most (a 9000-byte frame over a 576-byte MTU takes 17) */
#define FRAG_MAX 64

/* Where classify() sends a frame. */
enum verdict {
	V_DROPPED, /* freed and counted */
	V_HOST,    /* the host stack's (control lcore) */
	V_DATA,    /* a WireGuard data message for interface *iface */
	V_HANDSHAKE,
	V_FORWARD, /* to forward: into a tunnel, if a peer's AllowedIPs hold its destination */
	V_DONE,    /* answered: the mbuf went out as the reply */
};

int
wr_worker_init(struct wr_worker *w, struct wr_gw *gw, struct wr_dp_lcore *lc, int socket)
{
	memset(w, 0, sizeof(*w));
	wr_icmp_bucket_init(&w->icmp, WR_ICMP_RATE, WR_ICMP_BURST);
	return wr_dp_crypto_lcore_init(&w->crypto, gw->peers->capacity, WR_AEAD_AUTO, socket,
		lc->proto_drops[WR_DP_PROTO_GATEWAY]);
}

void
wr_worker_fini(struct wr_worker *w)
{
	wr_dp_crypto_lcore_fini(&w->crypto);
}

/* A drop of the interface whose row lc->proto is (wr_dp_proto_iface() before the first) */
static inline void
proto_drop(struct wr_dp_lcore *lc, enum wr_drop_reason r, struct rte_mbuf *m)
{
	wr_dp_count(&lc->proto[r]);
	rte_pktmbuf_free(m);
}

/* The interface that listens on UDP port @p dport of @p port, or -1 */
static int
iface_of(const struct wr_gw *gw, const struct wr_port *port, uint16_t dport)
{
	unsigned int i;

	for (i = 0; i < gw->n_ifaces; i++)
		if (gw->iface[i].port == port->index &&
			__atomic_load_n(&gw->iface[i].listen_port, __ATOMIC_RELAXED) == dport)
			return (int)i;
	return -1;
}

/* A UDP datagram to one of our addresses on a listen port (@p ret: wr_decap_parse()'s answer for
 * it): data, handshake, or dropped. */
static enum verdict
classify_wireguard(struct wr_dp_lcore *lc, struct rte_mbuf *m, int ret)
{
	uint32_t off;
	uint8_t type;

	if (ret != 0) {
		proto_drop(lc, ret == -EBADMSG ? WR_DROP_BAD_CHECKSUM : WR_DROP_BAD_LENGTH, m);
		return V_DROPPED;
	}
	off = (uint32_t)m->l2_len + m->l3_len + m->l4_len;
	if (rte_pktmbuf_pkt_len(m) < off + 4) {
		proto_drop(lc, WR_DROP_BAD_LENGTH, m);
		return V_DROPPED;
	}
	type = *rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	if (type == WR_MSG_DATA)
		return V_DATA;
	if (type == WR_MSG_HANDSHAKE_INITIATION || type == WR_MSG_HANDSHAKE_RESPONSE ||
		type == WR_MSG_HANDSHAKE_COOKIE)
		return V_HANDSHAKE;
	proto_drop(lc, WR_DROP_BAD_TYPE, m);
	return V_DROPPED;
}

/*
 * A packet to forward, IP at ETH_LEN, @p total bytes of it: checks before the LPM. @p tunnel:
 * its destination is an interface's own address.
 */
static inline enum verdict
classify_forward(
	struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, bool tunnel, uint32_t total)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	/* no station sends from a group or the zero address: an echo reply or an ICMP error
	 * about the packet goes to the frame's source, which would be all stations or none (the
	 * host stack drops these frames the same way) */
	if (!rte_is_valid_assigned_ether_addr(&eh->src_addr)) {
		wr_dp_drop(lc, WR_DP_DROP_BAD_SOURCE_MAC, m);
		return V_DROPPED;
	}
	/* the gateway's own address in a tunnel answers from any side, as Linux's wg0 would */
	if (tunnel) {
		wr_fwd_answer_tunnel_addr(lc, port, m, total);
		return V_DONE;
	}
	/*
	 * Ethernet pads short frames: keep exactly the IP packet. The mbuf is one segment
	 * (classify()): trimmed here without rte_pktmbuf_trim()'s walk to the last segment, which
	 * reads the mbuf's second cache line, cold this early.
	 */
	if (rte_pktmbuf_pkt_len(m) > ETH_LEN + total) {
		uint16_t extra = (uint16_t)(rte_pktmbuf_pkt_len(m) - ETH_LEN - total);

		m->data_len = (uint16_t)(m->data_len - extra);
		m->pkt_len -= extra;
	}
	return V_FORWARD;
}

/*
 * One hop less for the IP packet at @p ip (TTL or hop limit above 1). An IPv4 header's checksum,
 * correct before, is updated for the TTL's word going down by 0x0100 (RFC 1624, as Linux's
 * ip_decrease_ttl()) rather than summed again over a header just written, which stalled on the
 * TTL's store per packet.
 */
static inline void
dec_ttl(uint8_t *ip, bool v6)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
	uint32_t sum;

	if (v6) {
		ip[7]--;
		return;
	}
	sum = h->hdr_checksum + rte_cpu_to_be_16(0x0100);
	h->time_to_live--;
	h->hdr_checksum = (uint16_t)(sum + (sum >= 0xffff));
}

/*
 * The cryptokey routing of a burst's packets to forward (w->fwd, IP at ETH_LEN): bulk lookups
 * of the destinations in each interface's table, the first interface that has one wins.
 * Sets w->fwd_iface (-1: no peer) and w->fwd_peer.
 */
static void
lookup_forward(struct wr_gw *gw, struct wr_worker *w, unsigned int n)
{
	unsigned int i, k, n4 = 0, n6 = 0;

	for (i = 0; i < n; i++) {
		const uint8_t *ip = rte_pktmbuf_mtod_offset(w->fwd[i], const uint8_t *, ETH_LEN);

		w->fwd_iface[i] = -1;
		if ((ip[0] >> 4) == 4) {
			memcpy(&w->dst4[n4], ip + 16, 4);
			w->idx4[n4++] = (uint16_t)i;
		} else {
			memcpy(w->dst6[n6], ip + 24, 16);
			w->idx6[n6++] = (uint16_t)i;
		}
	}
	for (k = 0; k < gw->n_ifaces; k++) {
		const struct wr_lpm *lpm = __atomic_load_n(&gw->iface[k].lpm, __ATOMIC_ACQUIRE);

		if (lpm == NULL)
			continue;
		if (n4 > 0)
			wr_lpm_lookup4_bulk(lpm, w->dst4, w->val4, n4);
		if (n6 > 0)
			wr_lpm_lookup6_bulk(lpm, w->dst6, w->val6, n6);
		for (i = 0; i < n4; i++) {
			if (w->val4[i] >= 0 && w->fwd_iface[w->idx4[i]] < 0) {
				w->fwd_iface[w->idx4[i]] = (int)k;
				w->fwd_peer[w->idx4[i]] = (uint32_t)w->val4[i];
			}
		}
		for (i = 0; i < n6; i++) {
			if (w->val6[i] >= 0 && w->fwd_iface[w->idx6[i]] < 0) {
				w->fwd_iface[w->idx6[i]] = (int)k;
				w->fwd_peer[w->idx6[i]] = (uint32_t)w->val6[i];
			}
		}
	}
}

/* Queue the inner packet @p m for peer @p peer of interface @p k's encap; a full queue goes now */
static void
enc_push(struct wr_dp_lcore *lc, unsigned int k, struct rte_mbuf *m, uint32_t peer)
{
	struct wr_worker *w = lc->worker;

	if (w->n_enc[k] == WR_DP_BURST) {
		wr_worker_encap(lc, k, w->enc[k], w->enc_peer[k], w->n_enc[k]);
		w->n_enc[k] = 0;
	}
	w->enc_peer[k][w->n_enc[k]] = peer;
	w->enc[k][w->n_enc[k]++] = m;
}

/*
 * The IPv4 packet @p m (data at the IP header, TTL done) over interface @p k's @p mtu, DF clear:
 * its fragments, each sealed as a packet of its own, in this burst. Takes @p m.
 */
static bool
fragment4(struct wr_dp_lcore *lc, struct rte_mbuf *m, unsigned int k, uint32_t peer, uint32_t mtu)
{
	struct rte_mbuf *frags[FRAG_MAX];
	int n, i;

	n = wr_fwd_fragment4(lc, m, mtu, frags, FRAG_MAX);
	if (n == -ENOBUFS) {
		wr_dp_drop(lc, WR_DP_DROP_NO_MBUF, m);
		return false;
	}
	if (n < 1) {
		wr_dp_proto_iface(lc, k);
		proto_drop(lc, WR_DROP_TOO_BIG, m);
		return false;
	}
	for (i = 0; i < n; i++)
		enc_push(lc, k, frags[i], peer);
	return true;
}

/*
 * A routed packet to forward into interface @p iface's tunnel for @p peer: TTL, MTU (IPv4
 * without DF is fragmented), then to the encap queue. Takes @p m; true when something was queued.
 */
static bool
finish_forward(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, unsigned int iface,
	uint32_t peer)
{
	struct wr_gw *gw = lc->dp->gw;
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_LEN);
	bool v6 = (ip[0] >> 4) == 6, frag = false;
	uint32_t total = rte_pktmbuf_pkt_len(m) - ETH_LEN, mtu = gw->iface[iface].mtu;

	/* RFC 1812 5.3.1, RFC 4443 3.3: time exceeded back to the sender (traceroute) */
	if ((v6 ? ip[7] : ip[8]) <= 1) {
		wr_fwd_error_back(lc, port, m, v6,
			v6 ? WR_ICMP6_TIME_EXCEEDED : WR_ICMP4_TIME_EXCEEDED, 0, 0);
		wr_dp_drop(lc, WR_DP_DROP_TTL_EXCEEDED, m);
		return false;
	}
	if (total > mtu) {
		/* RFC 1812 5.2.6: IPv4 without DF is fragmented; with DF, and IPv6, never */
		frag = !v6 && (((const struct rte_ipv4_hdr *)ip)->fragment_offset &
				      rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) == 0;
		if (!frag) {
			if (v6)
				wr_fwd_error_back(lc, port, m, true, WR_ICMP6_TOO_BIG, 0, mtu);
			else
				wr_fwd_error_back(lc, port, m, false, WR_ICMP4_DEST_UNREACH,
					WR_ICMP4_FRAG_NEEDED, mtu);
			wr_dp_proto_iface(lc, iface);
			proto_drop(lc, WR_DROP_TOO_BIG, m);
			return false;
		}
	}
	/* the checksum was verified (classify4()) */
	dec_ttl(ip, v6);
	rte_pktmbuf_adj(m, ETH_LEN);
	if (frag)
		return fragment4(lc, m, iface, peer, mtu);
	enc_push(lc, iface, m, peer);
	return true;
}

static enum verdict
classify4(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, int *iface)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ETH_LEN);
	uint32_t avail = rte_pktmbuf_data_len(m) - ETH_LEN, hlen, total, dst, src;
	bool tunnel;

	if (avail < sizeof(*ip)) {
		wr_dp_drop(lc, WR_DP_DROP_RUNT, m);
		return V_DROPPED;
	}
	hlen = rte_ipv4_hdr_len(ip);
	total = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) || total < hlen || total > avail) {
		wr_dp_drop(lc, WR_DP_DROP_IP4_MALFORMED, m);
		return V_DROPPED;
	}
	memcpy(&dst, &ip->dst_addr, 4);
	if (wr_port_has_addr4(port, dst)) {
		/* outer fragments (to a listen port too) are not reassembled */
		if ((ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
							    RTE_IPV4_HDR_OFFSET_MASK)) != 0) {
			wr_dp_drop(lc, WR_DP_DROP_IP4_FRAGMENT, m);
			return V_DROPPED;
		}
		if (ip->next_proto_id == IPPROTO_UDP &&
			total >= hlen + sizeof(struct rte_udp_hdr)) {
			const struct rte_udp_hdr *uh = (const void *)((const uint8_t *)ip + hlen);

			*iface = iface_of(lc->dp->gw, port, rte_be_to_cpu_16(uh->dst_port));
			if (*iface >= 0) {
				wr_dp_proto_iface(lc, (unsigned int)*iface);
				return classify_wireguard(
					lc, m, wr_decap_parse_ip4(m, ETH_LEN, hlen, total));
			}
		}
		return V_HOST;
	}
	/* broadcast (an on-link prefix's too) and multicast: the host stack drops what it does
	 * not want */
	if (dst == UINT32_MAX || (rte_be_to_cpu_32(dst) >> 28) == 0xe ||
		wr_gw_bcast4(lc->dp->gw, dst))
		return V_HOST;
	if (!wr_ip4_hdr_cksum_ok(ip, hlen)) {
		wr_dp_drop(lc, WR_DP_DROP_IP4_CHECKSUM, m);
		return V_DROPPED;
	}
	memcpy(&src, &ip->src_addr, 4);
	if (wr_gw_martian_source4(lc->dp->gw, src)) {
		wr_dp_drop(lc, WR_DP_DROP_MARTIAN_SOURCE, m);
		return V_DROPPED;
	}
	tunnel = wr_gw_is_tunnel_addr4(lc->dp->gw, dst);
	/* groups and broadcast went to the host stack: what is left here is 0/8, 127/8, class E
	 * (RFC 1812 5.3.7); a tunnel address there is the configuration's, and answered */
	if (!tunnel && wr_ip4_martian((const uint8_t *)&dst)) {
		wr_dp_drop(lc, WR_DP_DROP_MARTIAN_DESTINATION, m);
		return V_DROPPED;
	}
	/* another port's address: each port's host stack serves its own addresses only; never
	 * forwarded (into a tunnel whose AllowedIPs hold it, say) */
	if (!tunnel && wr_addr4_set_has(&lc->dp->gw->own4, dst)) {
		wr_dp_drop(lc, WR_DP_DROP_NOT_FOR_US, m);
		return V_DROPPED;
	}
	return classify_forward(lc, port, m, tunnel, total);
}

static enum verdict
classify6(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, int *iface)
{
	const struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, ETH_LEN);
	uint32_t avail = rte_pktmbuf_data_len(m) - ETH_LEN, total;
	bool tunnel;

	if (avail < sizeof(*ip6)) {
		wr_dp_drop(lc, WR_DP_DROP_RUNT, m);
		return V_DROPPED;
	}
	total = sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6 || total > avail) {
		wr_dp_drop(lc, WR_DP_DROP_IP6_MALFORMED, m);
		return V_DROPPED;
	}
	if (wr_port_find_addr6(port, ip6->dst_addr) != NULL) {
		if (ip6->proto == IPPROTO_FRAGMENT) {
			wr_dp_drop(lc, WR_DP_DROP_IP6_FRAGMENT, m);
			return V_DROPPED;
		}
		if (ip6->proto == IPPROTO_UDP &&
			total >= sizeof(*ip6) + sizeof(struct rte_udp_hdr)) {
			const struct rte_udp_hdr *uh = (const void *)(ip6 + 1);

			*iface = iface_of(lc->dp->gw, port, rte_be_to_cpu_16(uh->dst_port));
			if (*iface >= 0) {
				wr_dp_proto_iface(lc, (unsigned int)*iface);
				return classify_wireguard(lc, m, wr_decap_parse(m));
			}
		}
		return V_HOST;
	}
	/* multicast (neighbour discovery) and link-local: the host stack's */
	if (ip6->dst_addr[0] == 0xff || wr_ip6_link_local(ip6->dst_addr))
		return V_HOST;
	if (wr_gw_martian_source6(lc->dp->gw, ip6->src_addr)) {
		wr_dp_drop(lc, WR_DP_DROP_MARTIAN_SOURCE, m);
		return V_DROPPED;
	}
	tunnel = wr_fwd_is_tunnel_addr(lc->dp->gw, AF_INET6, ip6->dst_addr);
	/* multicast went to the host stack: what is left here is :: and ::1 (a tunnel address
	 * there is the configuration's, and answered) */
	if (!tunnel && wr_ip6_not_host(ip6->dst_addr)) {
		wr_dp_drop(lc, WR_DP_DROP_MARTIAN_DESTINATION, m);
		return V_DROPPED;
	}
	/* another port's address, as classify4() */
	if (!tunnel && wr_gw_own6(lc->dp->gw, ip6->dst_addr)) {
		wr_dp_drop(lc, WR_DP_DROP_NOT_FOR_US, m);
		return V_DROPPED;
	}
	return classify_forward(lc, port, m, tunnel, total);
}

static enum verdict
classify(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, int *iface)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (!rte_pktmbuf_is_contiguous(m) || rte_pktmbuf_data_len(m) < ETH_LEN)
		return V_HOST; /* the host stack counts it */
	if (rte_is_unicast_ether_addr(&eh->dst_addr)) {
		if (!rte_is_same_ether_addr(&eh->dst_addr, &port->mac)) {
			wr_dp_drop(lc, WR_DP_DROP_NOT_OUR_MAC, m);
			return V_DROPPED;
		}
	} else {
		/* broadcast and multicast frames are ARP, ND and the like */
		return V_HOST;
	}
	switch (eh->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return classify4(lc, port, m, iface);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		return classify6(lc, port, m, iface);
	default:
		return V_HOST;
	}
}

static void
push_events(struct wr_dp_lcore *lc, struct wr_gw *gw, struct wr_gw_event *ev, unsigned int n)
{
	unsigned int sent;

	if (n == 0)
		return;
	sent = rte_ring_enqueue_burst_elem(gw->event_ring, ev, sizeof(*ev), n, NULL);
	wr_dp_counter_add(&lc->drops[WR_DP_DROP_EVENT_RING_FULL], n - sent);
}

/*
 * A peer whose AllowedIPs hold a decapsulated packet's destination with a prefix longer than /0,
 * on the first interface that has one (the same order as lookup_forward()): the answer for a run
 * of packets to one destination within a burst.
 */
struct hub_way {
	int family; /* 0: holds nothing */
	uint8_t dst[16];
	int iface; /* -1: no peer's */
	uint32_t peer;
};

static bool
hub_lookup(const struct wr_gw *gw, struct hub_way *h, int family, const uint8_t *dst)
{
	unsigned int k;
	uint32_t v;

	/* constant lengths: a compare or two, not a call to memcmp() */
	if (h->family == family &&
		(family == AF_INET6 ? memcmp(h->dst, dst, 16) == 0 : memcmp(h->dst, dst, 4) == 0))
		return h->iface >= 0;
	h->iface = -1;
	memcpy(h->dst, dst, family == AF_INET6 ? 16 : 4);
	h->family = family;
	for (k = 0; k < gw->n_ifaces; k++) {
		const struct wr_lpm *lpm = __atomic_load_n(&gw->iface[k].lpm, __ATOMIC_ACQUIRE);

		if (lpm == NULL || !wr_lpm_lookup_specific(lpm, family, dst, &v))
			continue;
		/* what may not be routed out of a port may not be routed into a tunnel either
		 * (asked only here: most destinations that reach this are no peer's) */
		if (wr_fib_forbidden(&gw->fib, family, dst))
			return false;
		h->iface = (int)k;
		h->peer = v;
		return true;
	}
	return false;
}

/*
 * The decapsulated packet @p m (data at its IP header, TTL above 1) of interface @p iface, from
 * @p peer, back into a tunnel: interface @p k's, to its peer @p to. Over that tunnel's MTU, IPv4
 * without DF is fragmented; otherwise the error goes back to the sender through its own tunnel
 * (@p replies). Takes @p m; true when something was queued for encap.
 */
static bool
hub_forward(struct wr_dp_lcore *lc, unsigned int iface, struct rte_mbuf *m, uint32_t peer,
	unsigned int k, uint32_t to, struct rte_mbuf **replies, uint32_t *reply_peers,
	unsigned int *n_replies)
{
	uint8_t *ip = rte_pktmbuf_mtod(m, uint8_t *);
	bool v6 = (ip[0] >> 4) == 6, frag = false, queued = true;
	uint32_t mtu = lc->dp->gw->iface[k].mtu;

	if (rte_pktmbuf_pkt_len(m) > mtu) {
		frag = !v6 && (((const struct rte_ipv4_hdr *)ip)->fragment_offset &
				      rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) == 0;
		if (!frag) {
			struct rte_mbuf *e = wr_fwd_tunnel_error(lc, iface, m,
				v6 ? WR_ICMP6_TOO_BIG : WR_ICMP4_DEST_UNREACH,
				v6 ? 0 : WR_ICMP4_FRAG_NEEDED, mtu);

			if (e != NULL) {
				reply_peers[*n_replies] = peer;
				replies[(*n_replies)++] = e;
			}
			wr_dp_proto_iface(lc, k);
			proto_drop(lc, WR_DROP_TOO_BIG, m);
			wr_dp_proto_iface(lc, iface);
			return false;
		}
	}
	/* one hop less, the IPv4 checksum (right: output_inner() checked it) updated for it */
	dec_ttl(ip, v6);
	if (frag)
		queued = fragment4(lc, m, k, to, mtu);
	else
		enc_push(lc, k, m, to);
	/* both may count under interface k's drops, or seal (a full queue): decap's again */
	wr_dp_proto_iface(lc, iface);
	return queued;
}

/*
 * Route a decapsulated inner packet (data at its IP header) of interface @p iface out of the
 * gateway, the way @p way holds when it goes to the same destination as the packet before: out
 * of a port, or, when only the default route or no route takes it and a peer's AllowedIPs hold
 * it (@p hub), back into a tunnel to that peer (*@p queued then set). An echo request to an
 * interface's own address (this one's or another's) is answered into the tunnel it came from:
 * it becomes the reply and goes to @p replies (to peer *@p reply_peers).
 */
static void
output_inner(struct wr_dp_lcore *lc, struct wr_gw *gw, unsigned int iface, struct rte_mbuf *m,
	uint32_t peer, struct wr_fib_way *way, struct hub_way *hub, bool *queued,
	struct rte_mbuf **replies, uint32_t *reply_peers, unsigned int *n_replies)
{
	uint8_t *ip = rte_pktmbuf_mtod(m, uint8_t *);
	bool v6 = (ip[0] >> 4) == 6, routed;
	const uint8_t *dst = ip + (v6 ? 24 : 16);
	struct rte_ether_hdr *eh;
	uint32_t dst4;

	/* RFC 1812 5.2.2: a router verifies the IPv4 header checksum, as Linux does on input
	 * (decap checked the lengths); the TTL's update and fragments would carry a wrong one on */
	if (!v6 && !wr_ip4_hdr_cksum_ok(ip, (ip[0] & 0xfu) * 4u)) {
		wr_dp_drop(lc, WR_DP_DROP_IP4_CHECKSUM, m);
		return;
	}
	/* an address of this interface's, or of another's (the gateway's all the same): the
	 * IPv4 ones packed, as classify4() asks */
	memcpy(&dst4, dst, 4);
	if (v6 ? wr_fwd_is_tunnel_addr(gw, AF_INET6, dst) : wr_gw_is_tunnel_addr4(gw, dst4)) {
		if (!wr_icmp_echo_reply_in_place(ip, rte_pktmbuf_pkt_len(m))) {
			wr_dp_drop(lc, WR_DP_DROP_L4_UNHANDLED, m);
			return;
		}
		/* the source passed the AllowedIPs check: the reply goes back to that peer */
		reply_peers[*n_replies] = peer;
		replies[(*n_replies)++] = m;
		return;
	}

	if ((v6 ? ip[7] : ip[8]) <= 1) {
		/* RFC 1812 5.3.1: back into the tunnel, to the peer it came from; but not about a
		 * packet that may go nowhere (a martian, a directed broadcast: RFC 1812 4.3.2.7),
		 * which Linux drops before its TTL is looked at */
		struct rte_mbuf *e = NULL;

		if (!wr_fib_forbidden(&gw->fib, v6 ? AF_INET6 : AF_INET, dst))
			e = wr_fwd_tunnel_error(lc, iface, m,
				v6 ? WR_ICMP6_TIME_EXCEEDED : WR_ICMP4_TIME_EXCEEDED, 0, 0);
		if (e != NULL) {
			reply_peers[*n_replies] = peer;
			replies[(*n_replies)++] = e;
		}
		wr_dp_drop(lc, WR_DP_DROP_TTL_EXCEEDED, m);
		return;
	}
	/* one route lookup: for the check here and for the output */
	routed = wr_fib_way(&gw->fib, lc->dp, lc->control, way, v6 ? AF_INET6 : AF_INET, dst);
	/*
	 * A peer's prefix beats the default route, as a route of wg-quick's through wg0 would: a
	 * branch's packet to another branch goes to that branch, sealed, not out of the WAN port.
	 */
	if ((!routed || way->cidr == 0) && hub_lookup(gw, hub, v6 ? AF_INET6 : AF_INET, dst)) {
		if (hub_forward(lc, iface, m, peer, (unsigned int)hub->iface, hub->peer, replies,
			    reply_peers, n_replies))
			*queued = true;
		return;
	}
	if (!routed) {
		wr_dp_drop(lc, WR_DP_DROP_NO_ROUTE_OUT, m);
		return;
	}
	/* to the gateway's own port addresses through the tunnel: not served */
	if (way->ours) {
		wr_dp_drop(lc, WR_DP_DROP_NOT_FOR_US, m);
		return;
	}
	/* authenticated: its checksum is the sender's, as it computed it */
	dec_ttl(ip, v6);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, ETH_LEN);
	if (eh == NULL) {
		wr_dp_drop(lc, WR_DP_DROP_NO_MBUF, m);
		return;
	}
	eh->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	m->l2_len = ETH_LEN;
	wr_fib_output_way(&gw->fib, lc, gw->route_ring, m, way);
}

/* Interface @p iface's data messages of a burst: decap, events, the inner packets routed on.
 * True when some went back into a tunnel (the encap queues hold them). */
static bool
decap(struct wr_dp_lcore *lc, struct wr_gw *gw, unsigned int iface, struct rte_mbuf **pkts,
	unsigned int n)
{
	struct wr_worker *w = lc->worker;
	struct wr_decap_result *res = &w->dres;
	/* the inner destinations' way out, found again when it changes within the burst */
	struct wr_fib_way way = { .family = 0 };
	struct hub_way hub = { .family = 0 };
	unsigned int i, n_replies = 0;
	bool queued = false;

	wr_dp_proto_iface(lc, iface);
	w->crypto.drops = lc->proto;
	wr_decap_burst(&w->crypto, &gw->iface[iface].tables, pkts, n, lc->now_ns, res);
	for (i = 0; i < res->n_rx; i++) {
		const struct wr_decap_rx *rx = &res->rx[i];
		struct wr_gw_event *ev = &w->ev[i];

		ev->kind = WR_GW_EVENT_RX;
		ev->peer_id = rx->peer_id;
		ev->local_index = rx->local_index;
		ev->packets = rx->packets;
		ev->counter = 0;
		ev->inner_bytes = rx->inner_bytes;
		ev->wire_bytes = rx->wire_bytes;
		ev->ep = rx->from;
	}
	push_events(lc, gw, w->ev, res->n_rx);
	for (i = 0; i < res->n_delivered; i++) {
		if (i + 1 < res->n_delivered)
			rte_prefetch0(rte_pktmbuf_mtod(res->delivered[i + 1], void *));
		output_inner(lc, gw, iface, res->delivered[i], res->delivered_peer[i], &way, &hub,
			&queued, w->replies, w->reply_peer, &n_replies);
	}
	if (n_replies > 0)
		wr_worker_encap(lc, iface, w->replies, w->reply_peer, n_replies);
	return queued;
}

/*
 * Where the data messages to one endpoint go out, found once a burst: the route, and the outer
 * headers from the source address to it, the next hop's MAC in them when it is known (direct).
 */
struct tx_route {
	enum { ROUTE_UNKNOWN, ROUTE_OK, ROUTE_NONE } state;
	struct wr_fib_way way; /* direct: the next hop's MAC is in hdr too */
	struct wr_encap_hdr hdr;
};

static void
route_of(struct wr_dp_lcore *lc, const struct wr_gw_iface *gi, const struct wr_port *port,
	const struct wr_endpoint *to, uint16_t lport, struct tx_route *r)
{
	const struct wr_gw *gw = lc->dp->gw;
	const void *dst = to->sa.sa_family == AF_INET6 ? (const void *)&to->in6.sin6_addr
						       : &to->in4.sin_addr;
	static const struct rte_ether_addr unknown;
	struct wr_endpoint src;
	const struct wr_port *out;
	enum wr_udp_csum csum;

	r->state = ROUTE_NONE;
	if (!wr_port_source_endpoint(port, to, lport, &src) ||
		!wr_fib_way_find(&gw->fib, lc->dp, lc->control, &r->way, to->sa.sa_family, dst))
		return;
	out = &lc->dp->ports[r->way.port];
	/*
	 * The UDP checksum: the NIC's where the output port offers it; else, unless UDPChecksum =
	 * on, none over IPv4 (RFC 768 allows it, and the message is authenticated end to end by
	 * its tag: a checksum would cost a pass over every byte sent).
	 */
	csum = out->tx_udp_cksum ? WR_UDP_CSUM_OFFLOAD
	       : gi->udp_checksum ? WR_UDP_CSUM_SW
				  : WR_UDP_CSUM_NONE;
	if (wr_encap_hdr_init(&r->hdr, &src, to, WORKER_TTL, &out->mac,
		    r->way.direct ? &r->way.mac : &unknown, csum) == 0)
		r->state = ROUTE_OK;
}

void
wr_worker_encap(struct wr_dp_lcore *lc, unsigned int iface, struct rte_mbuf **pkts,
	const uint32_t *peer_ids, unsigned int n)
{
	struct wr_gw *gw = lc->dp->gw;
	struct wr_gw_iface *gi = &gw->iface[iface];
	struct wr_port *port = &lc->dp->ports[gi->port];
	struct wr_worker *w = lc->worker;
	struct wr_encap_result *res = &w->eres;
	uint16_t lport = rte_cpu_to_be_16(__atomic_load_n(&gi->listen_port, __ATOMIC_RELAXED));
	struct tx_route route[WR_DP_CRYPTO_BURST];
	unsigned int i, sent;

	wr_dp_proto_iface(lc, iface);
	w->crypto.drops = lc->proto;
	wr_encap_burst(&w->crypto, &gi->tables, pkts, peer_ids, n, lc->now_ns, res);
	/* every packet of a summary goes to one endpoint: its route and headers, once a burst */
	for (i = 0; i < res->n_tx; i++)
		route[i].state = ROUTE_UNKNOWN;
	for (i = 0; i < res->n_sealed; i++) {
		struct rte_mbuf *m = res->sealed[i];
		const struct wr_endpoint *to = &res->tx[res->sealed_tx[i]].to;
		struct tx_route *r = &route[res->sealed_tx[i]];

		if (r->state == ROUTE_UNKNOWN)
			route_of(lc, gi, port, to, lport, r);
		if (r->state != ROUTE_OK) {
			wr_dp_drop(lc, WR_DP_DROP_NO_ROUTE_OUT, m);
			continue;
		}
		if (wr_encap_hdr_put(m, &r->hdr) != 0) {
			proto_drop(lc, WR_DROP_NO_MEMORY, m);
			continue;
		}
		/* the template holds both MACs when the way is direct */
		if (r->way.direct)
			wr_dp_tx(lc, &lc->dp->ports[r->way.port], m);
		else
			wr_fib_output_way(&gw->fib, lc, gw->route_ring, m, &r->way);
	}
	for (i = 0; i < res->n_held; i++)
		res->held[i]->hash.usr = res->held_peer[i];
	sent = rte_ring_enqueue_burst(gw->held_ring, (void **)res->held, res->n_held, NULL);
	for (i = sent; i < res->n_held; i++)
		wr_dp_drop(lc, WR_DP_DROP_HELD_RING_FULL, res->held[i]);
	for (i = 0; i < res->n_tx; i++) {
		const struct wr_encap_tx *tx = &res->tx[i];
		struct wr_gw_event *ev = &w->ev[i];

		ev->kind = WR_GW_EVENT_TX;
		ev->peer_id = tx->peer_id;
		ev->local_index = 0;
		ev->packets = tx->packets;
		ev->counter = tx->counter;
		ev->inner_bytes = tx->inner_bytes;
		ev->wire_bytes = tx->wire_bytes;
		ev->ep = tx->to;
	}
	push_events(lc, gw, w->ev, res->n_tx);
}

static void
handover(struct wr_dp_lcore *lc, struct rte_ring *r, struct rte_mbuf **pkts, unsigned int n,
	enum wr_dp_drop full)
{
	unsigned int sent;

	if (n == 0)
		return;
	sent = rte_ring_enqueue_burst(r, (void **)pkts, n, NULL);
	for (; sent < n; sent++)
		wr_dp_drop(lc, full, pkts[sent]);
}

void
wr_worker_rx(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	struct wr_gw *gw = lc->dp->gw;
	struct wr_worker *w = lc->worker;
	unsigned int nh = 0, nhs = 0, nf = 0, i;
	bool any_dec = false, any_enc = false;

	/*
	 * The mbufs arrive cold (another core or the NIC wrote them): ask for every header of the
	 * burst at once, then for the frames PREFETCH_AHEAD packets ahead, so that no load of a
	 * header or a frame stalls the loop (measured: computing the next frame's address from a
	 * cold header was half of this function).
	 */
	for (i = 0; i < n; i++)
		rte_prefetch0(pkts[i]);
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		int iface = -1;

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		switch (classify(lc, port, m, &iface)) {
		case V_DROPPED:
		case V_DONE:
			break;
		case V_HOST:
			w->host[nh++] = m;
			break;
		case V_HANDSHAKE:
			m->hash.usr = (uint32_t)iface;
			w->hs[nhs++] = m;
			break;
		case V_DATA:
			w->dec[iface][w->n_dec[iface]++] = m;
			any_dec = true;
			break;
		case V_FORWARD:
			w->fwd[nf++] = m;
			break;
		}
	}
	handover(lc, lc->dp->to_control, w->host, nh, WR_DP_DROP_CONTROL_RING_FULL);
	handover(lc, gw->hs_ring, w->hs, nhs, WR_DP_DROP_HANDSHAKE_RING_FULL);
	if (nf > 0) {
		lookup_forward(gw, w, nf);
		for (i = 0; i < nf; i++) {
			struct rte_mbuf *m = w->fwd[i];
			int k = w->fwd_iface[i];

			if (k < 0) {
				/* no interface's: no peer anywhere holds the destination */
				wr_dp_proto_iface(lc, WR_DP_PROTO_GATEWAY);
				proto_drop(lc, WR_DROP_NO_ROUTE, m);
				continue;
			}
			if (finish_forward(lc, port, m, (unsigned int)k, w->fwd_peer[i]))
				any_enc = true;
		}
	}
	for (i = 0; any_dec && i < gw->n_ifaces; i++) {
		if (w->n_dec[i] == 0)
			continue;
		if (decap(lc, gw, i, w->dec[i], w->n_dec[i]))
			any_enc = true;
		w->n_dec[i] = 0;
	}
	for (i = 0; any_enc && i < gw->n_ifaces; i++) {
		if (w->n_enc[i] == 0)
			continue;
		wr_worker_encap(lc, i, w->enc[i], w->enc_peer[i], w->n_enc[i]);
		w->n_enc[i] = 0;
	}
}
