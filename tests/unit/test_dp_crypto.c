/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The transport-data path (keytable, encap, decap) against the protocol engine: two engines
 * handshake in process over a fake network and a fake clock; their keypair hooks feed each side's
 * keytable. Then, for every AEAD backend this machine runs:
 *   - data sealed by the engine's single-packet code is opened by the decap burst, bytes equal;
 *   - data sealed by the encap burst is accepted and delivered by the other engine;
 *   - bursts mixing two keypairs, lengths 0..1420, corrupted, replayed, spoofed and unknown-index
 *     packets get the right status each, counted by reason;
 *   - two threads opening the same messages at once accept each counter exactly once;
 *   - an expired keypair is refused both ways; a removed one is unlinked at once and freed only
 *     after the RCU grace period.
 * DPDK runs without hugepages or devices (--no-huge --no-shconf --no-pci -l 0: DPDK 22.11 refuses
 * --in-memory with --no-huge).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "decap.h"
#include "dp_peer.h"
#include "encap.h"
#include "keytable.h"
#include "wr_allowedips.h"
#include "wr_crypto.h"
#include "wr_data.h"
#include "wr_device.h"

#define MTU WR_DEFAULT_MTU
#define QMAX 160
#define PEER 0u /* each side's only peer has data-plane id 0 */

static unsigned int failures, checks;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			printf("FAIL %s:%d: ", __func__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

struct wire_msg {
	size_t len;
	uint8_t data[2048];
};

/* One gateway: an engine, its data plane, and what it put on the fake wire. */
struct side {
	const char *name;
	struct wr_device *dev;
	struct wr_peer *peer;
	struct wr_endpoint addr;
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];
	struct wr_dp_peers *peers;
	struct wr_keytable *kt;
	struct wr_allowedips aips; /* the cryptokey LPM's stand-in: address -> peer id + 1 */
	struct wr_dp_crypto_tables tables;
	bool reseal; /* engine data messages go through wr_keytable_reseal() */
	struct wire_msg out[QMAX];
	unsigned int nout;
	uint8_t delivered[QMAX][1600];
	size_t delivered_len[QMAX];
	unsigned int ndelivered;
	unsigned int installed, confirmed, removed, hook_errors;
	uint32_t last_removed;
};

static struct side A, B;
static uint64_t now = 1000 * WR_NSEC_PER_SEC;
static struct rte_mempool *mp;
static struct rte_rcu_qsbr *rcu;

/* ---- engine callbacks ---- */

static void
cb_send(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
	struct side *s = ctx;
	struct wire_msg *w;

	(void)to;
	if (s->nout == QMAX || len > sizeof(w->data)) {
		s->hook_errors++;
		return;
	}
	w = &s->out[s->nout];
	memcpy(w->data, buf, len);
	w->len = len;
	if (s->reseal && wr_keytable_reseal(s->kt, w->data, len) == -ENOENT)
		s->hook_errors++;
	s->nout++;
}

static void
cb_deliver(void *ctx, struct wr_peer *peer, const void *pkt, size_t len)
{
	struct side *s = ctx;

	(void)peer;
	if (s->ndelivered == QMAX || len > sizeof(s->delivered[0]))
		return;
	memcpy(s->delivered[s->ndelivered], pkt, len);
	s->delivered_len[s->ndelivered++] = len;
}

static uint64_t
cb_wall(void *ctx)
{
	(void)ctx;
	return 1700000000ULL * WR_NSEC_PER_SEC + now;
}

static void
cb_installed(void *ctx, struct wr_peer *peer, const struct wr_keypair_info *kp)
{
	struct side *s = ctx;

	(void)peer;
	s->installed++;
	s->confirmed += kp->confirmed;
	if (wr_keytable_install(s->kt, PEER, kp) != 0)
		s->hook_errors++;
}

static void
cb_removed(void *ctx, struct wr_peer *peer, uint32_t local_index)
{
	struct side *s = ctx;

	(void)peer;
	s->removed++;
	s->last_removed = local_index;
	if (wr_keytable_remove(s->kt, local_index) != 0)
		s->hook_errors++;
}

static const struct wr_device_ops ops = {
	.send = cb_send,
	.deliver = cb_deliver,
	.wall_time_ns = cb_wall,
	.keypair_installed = cb_installed,
	.keypair_removed = cb_removed,
};

/* The data plane's source lookup, over the side's AllowedIPs. */
static void
src_lookup(void *ctx, const uint8_t *const *hdrs, unsigned int n, uint32_t *peer_ids)
{
	struct side *s = ctx;
	unsigned int i;

	for (i = 0; i < n; i++) {
		bool v4 = (hdrs[i][0] >> 4) == 4;
		void *p = wr_allowedips_lookup(
			&s->aips, v4 ? AF_INET : AF_INET6, hdrs[i] + (v4 ? 12 : 8));

		peer_ids[i] = p ? (uint32_t)(uintptr_t)p - 1 : WR_DP_PEER_NONE;
	}
}

/* ---- packets ---- */

static void
ep4(struct wr_endpoint *ep, const char *ip, uint16_t port)
{
	memset(ep, 0, sizeof(*ep));
	ep->in4.sin_family = AF_INET;
	ep->in4.sin_port = htons(port);
	inet_pton(AF_INET, ip, &ep->in4.sin_addr);
}

static void
ep6(struct wr_endpoint *ep, const char *ip, uint16_t port)
{
	memset(ep, 0, sizeof(*ep));
	ep->in6.sin6_family = AF_INET6;
	ep->in6.sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &ep->in6.sin6_addr);
}

/*
 * An inner packet of @p len bytes (>= 20 for IPv4, >= 40 for IPv6) from host @p src_host of
 * @p from's inner network (10.0.N.0/24, fd00:N::/64; N = 1 for A, 2 for B) to the other side's.
 */
static size_t
make_inner(uint8_t *p, size_t len, bool v6, int from, uint8_t src_host, uint32_t seed)
{
	int to = from == 1 ? 2 : 1;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7);
	if (!v6) {
		struct rte_ipv4_hdr *ip = (void *)p;

		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = htons((uint16_t)len);
		ip->time_to_live = 64;
		ip->next_proto_id = 253;
		ip->src_addr = htonl(0x0a000000u | (uint32_t)from << 8 | src_host);
		ip->dst_addr = htonl(0x0a000000u | (uint32_t)to << 8 | 7);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip6 = (void *)p;

		memset(ip6, 0, sizeof(*ip6));
		ip6->vtc_flow = htonl(6u << 28);
		ip6->payload_len = htons((uint16_t)(len - sizeof(*ip6)));
		ip6->proto = 253;
		ip6->hop_limits = 64;
		ip6->src_addr[0] = 0xfd;
		ip6->src_addr[3] = (uint8_t)from;
		ip6->src_addr[15] = src_host;
		ip6->dst_addr[0] = 0xfd;
		ip6->dst_addr[3] = (uint8_t)to;
		ip6->dst_addr[15] = 7;
	}
	return len;
}

static struct rte_mbuf *
mbuf_of(const void *data, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	void *d;

	if (m == NULL) {
		printf("out of mbufs\n");
		exit(2);
	}
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (len)
		memcpy(d, data, len);
	return m;
}

/* A received frame: the UDP payload @p msg from @p from to @p to, Ethernet and all, parsed. */
static struct rte_mbuf *
frame_of(const void *msg, size_t len, const struct wr_endpoint *from, const struct wr_endpoint *to)
{
	struct rte_mbuf *m = mbuf_of(msg, len);
	struct rte_ether_hdr *eh;

	if (wr_encap_udp(m, from, to, 64) != 0)
		printf("wr_encap_udp failed\n");
	eh = (void *)rte_pktmbuf_prepend(m, sizeof(*eh));
	memset(eh, 0, sizeof(*eh));
	eh->ether_type =
		htons(from->sa.sa_family == AF_INET6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	if (wr_decap_parse(m) != 0)
		printf("wr_decap_parse refused a frame it built\n");
	return m;
}

/* Whether the datagram wr_encap_udp() built in @p m (data at its IP header) sums to all ones. */
static bool
udp_cksum_good(const struct rte_mbuf *m, bool v6)
{
	const void *ip = rte_pktmbuf_mtod(m, const void *);
	const struct rte_udp_hdr *uh = rte_pktmbuf_mtod_offset(m, const void *, v6 ? 40 : 20);
	uint32_t sum = rte_raw_cksum(uh, rte_be_to_cpu_16(uh->dgram_len));

	sum += v6 ? rte_ipv6_phdr_cksum(ip, 0) : rte_ipv4_phdr_cksum(ip, 0);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return uh->dgram_cksum != 0 && sum == 0xffff;
}

/* Deliver everything @p s sent to the other engine, until both are quiet. */
static void
pump(void)
{
	struct side *s[2] = { &A, &B };
	bool busy = true;

	while (busy) {
		unsigned int k, i;

		busy = false;
		for (k = 0; k < 2; k++) {
			struct side *from = s[k], *to = s[1 - k];
			unsigned int n = from->nout;

			from->nout = 0;
			for (i = 0; i < n; i++) {
				busy = true;
				wr_device_receive(to->dev, &from->addr, from->out[i].data,
					from->out[i].len, now);
			}
		}
	}
}

/* Hand decap's "data received" summaries to the engine, as the control lcore does. */
static void
report_rx(struct side *s, const struct wr_decap_result *res)
{
	unsigned int i;

	for (i = 0; i < res->n_rx; i++) {
		const struct wr_decap_rx *rx = &res->rx[i];

		CHECK(wr_device_data_received(s->dev, s->peer, rx->local_index, &rx->from,
			      rx->inner_bytes, rx->wire_bytes, now),
			"%s: engine knows no keypair %" PRIu32, s->name, rx->local_index);
	}
	/* the engine may have roamed the peer */
	if (res->n_rx) {
		struct wr_endpoint ep;

		wr_peer_get_endpoint(s->peer, &ep);
		wr_dp_peer_set_endpoint(s->peers, PEER, &ep);
	}
}

static void
report_tx(struct side *s, const struct wr_encap_result *res)
{
	unsigned int i;

	for (i = 0; i < res->n_tx; i++)
		wr_device_data_sent(s->dev, s->peer, res->tx[i].inner_bytes, res->tx[i].wire_bytes,
			res->tx[i].counter, now);
}

/* The UDP payload of a frame wr_encap_udp() built (data starting at the IP header). */
static const uint8_t *
udp_payload(struct rte_mbuf *m, size_t *len)
{
	*len = rte_pktmbuf_pkt_len(m) - m->l3_len - m->l4_len;
	return rte_pktmbuf_mtod_offset(m, const uint8_t *, m->l3_len + m->l4_len);
}

static struct wr_dp_crypto_lcore lcA, lcB;

/* ---- setup ---- */

static void
side_init(struct side *s, const char *name, const char *ip)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	ep4(&s->addr, ip, 51820);
	wr_x25519_generate(s->priv);
	wr_x25519_public(s->pub, s->priv);
	s->dev = wr_device_create(&ops, s);
	s->peers = wr_dp_peers_create(4, SOCKET_ID_ANY);
	if (s->dev == NULL || s->peers == NULL || wr_dp_peer_add(s->peers, PEER) != 0) {
		printf("setup of %s failed\n", name);
		exit(2);
	}
	s->kt = wr_keytable_create(64, s->peers, rcu, SOCKET_ID_ANY);
	if (s->kt == NULL) {
		printf("wr_keytable_create failed\n");
		exit(2);
	}
	wr_device_set_private_key(s->dev, s->priv);
	wr_allowedips_init(&s->aips);
	s->tables.keys = s->kt;
	s->tables.peers = s->peers;
	s->tables.mtu = MTU;
	s->tables.src_lookup = src_lookup;
	s->tables.src_ctx = s;
}

/* @p s's peer is @p o, whose inner networks are 10.0.@p net.0/24 and fd00:@p net::/64. */
static void
side_peer(struct side *s, const struct side *o, int net)
{
	uint8_t a4[4] = { 10, 0, (uint8_t)net, 0 }, a6[16] = { 0xfd, 0, 0, (uint8_t)net };

	s->peer = wr_device_add_peer(s->dev, o->pub, NULL);
	if (s->peer == NULL) {
		printf("wr_device_add_peer failed\n");
		exit(2);
	}
	wr_peer_set_endpoint(s->peer, &o->addr);
	wr_peer_add_allowedip(s->peer, AF_INET, a4, 24);
	wr_peer_add_allowedip(s->peer, AF_INET6, a6, 64);
	wr_allowedips_insert(&s->aips, AF_INET, a4, 24, (void *)(uintptr_t)(PEER + 1));
	wr_allowedips_insert(&s->aips, AF_INET6, a6, 64, (void *)(uintptr_t)(PEER + 1));
	wr_dp_peer_set_endpoint(s->peers, PEER, &o->addr);
}

/* ---- tests ---- */

/*
 * A's engine initiates for a queued packet; its keypair reaches A's keytable confirmed, B's
 * unconfirmed. The first data message (the engine's, re-sealed on A's counter) is opened by B's
 * decap; the summary confirms B's keypair through the engine, and only then may B's encap send.
 */
static void
test_handshake(void)
{
	uint8_t pkt[100], held_pkt[60];
	struct wr_decap_result dres;
	struct wr_encap_result eres;
	struct rte_mbuf *m;
	uint32_t peer = PEER;

	printf("dp_crypto: handshake between two engines, keys into the keytables\n");
	make_inner(pkt, sizeof(pkt), false, 1, 5, 1);
	CHECK(wr_device_send(A.dev, pkt, sizeof(pkt), now) == WR_DROP_NONE, "A queues");
	CHECK(A.nout == 1 && A.out[0].data[0] == WR_MSG_HANDSHAKE_INITIATION, "initiation sent");
	A.nout = 0;
	wr_device_receive(B.dev, &A.addr, A.out[0].data, A.out[0].len, now);
	CHECK(B.installed == 1 && B.confirmed == 0, "B installed unconfirmed (%u, %u)", B.installed,
		B.confirmed);
	CHECK(wr_keytable_count(B.kt) == 1, "B's keytable holds it");
	CHECK(B.peers->peer[PEER].current == NULL, "B may not send with it");
	CHECK(B.nout == 1 && B.out[0].data[0] == WR_MSG_HANDSHAKE_RESPONSE, "response sent");
	B.nout = 0;
	wr_device_receive(A.dev, &B.addr, B.out[0].data, B.out[0].len, now);
	CHECK(A.installed == 1 && A.confirmed == 1, "A installed confirmed");
	CHECK(A.peers->peer[PEER].current != NULL, "A sends with it");
	CHECK(A.nout == 1 && A.out[0].data[0] == WR_MSG_DATA && A.out[0].len == 16 + 112 + 16,
		"A's engine flushed the queued packet");

	/* B holds its traffic until the initiator proves it has the keys */
	make_inner(held_pkt, sizeof(held_pkt), false, 2, 7, 2);
	m = mbuf_of(held_pkt, sizeof(held_pkt));
	wr_encap_burst(&lcB, &B.tables, &m, &peer, 1, now, &eres);
	CHECK(eres.n_held == 1 && eres.n_sealed == 0 && eres.held[0] == m &&
			rte_pktmbuf_pkt_len(m) == sizeof(held_pkt),
		"B's encap hands the packet back untouched");
	rte_pktmbuf_free(m);

	m = frame_of(A.out[0].data, A.out[0].len, &A.addr, &B.addr);
	A.nout = 0;
	wr_decap_burst(&lcB, &B.tables, &m, 1, now, &dres);
	CHECK(dres.status[0] == WR_DROP_NONE && dres.n_delivered == 1, "B's decap opens it (%s)",
		wr_drop_reason_name(dres.status[0]));
	if (dres.n_delivered == 1) {
		CHECK(rte_pktmbuf_pkt_len(dres.delivered[0]) == sizeof(pkt) &&
				memcmp(rte_pktmbuf_mtod(dres.delivered[0], void *), pkt,
					sizeof(pkt)) == 0,
			"inner bytes equal, padding gone");
		rte_pktmbuf_free(dres.delivered[0]);
	}
	CHECK(dres.n_rx == 1 && dres.rx[0].packets == 1 && dres.rx[0].inner_bytes == sizeof(pkt) &&
			dres.rx[0].wire_bytes == 144 && wr_endpoint_equal(&dres.rx[0].from, &A.addr),
		"data received summary");
	report_rx(&B, &dres);
	CHECK(B.confirmed == 1 && B.peers->peer[PEER].current != NULL,
		"the engine confirmed B's keypair through the summary");
	CHECK(A.hook_errors == 0 && B.hook_errors == 0, "hooks ok");
	pump();
}

static const struct {
	uint16_t len;
	bool v6;
} lens[] = {
	{ 20, false },
	{ 21, false },
	{ 40, true },
	{ 63, false },
	{ 64, true },
	{ 100, false },
	{ 577, true },
	{ 1000, false },
	{ 1404, false },
	{ 1405, true },
	{ 1419, false },
	{ 1420, false },
	{ 1420, true },
};
#define NLENS RTE_DIM(lens)

/* B's engine seals (single-packet reference), A's decap opens. */
static void
test_reference_to_decap(void)
{
	static uint8_t pkts[NLENS][1420];
	struct rte_mbuf *m[NLENS + 1];
	struct wr_decap_result res;
	uint64_t inner = 0, wire = 0;
	unsigned int i, n;

	printf("dp_crypto: engine-sealed data opened by the decap burst\n");
	for (i = 0; i < NLENS; i++) {
		make_inner(pkts[i], lens[i].len, lens[i].v6, 2, 9, i);
		CHECK(wr_device_send(B.dev, pkts[i], lens[i].len, now) == WR_DROP_NONE, "B sends");
		inner += lens[i].len;
	}
	wr_peer_send(B.peer, NULL, 0, now);
	CHECK(B.nout == NLENS + 1, "B's engine sealed %u messages", B.nout);
	n = B.nout;
	for (i = 0; i < n; i++) {
		m[i] = frame_of(B.out[i].data, B.out[i].len, &B.addr, &A.addr);
		wire += B.out[i].len;
	}
	B.nout = 0;
	wr_decap_burst(&lcA, &A.tables, m, n, now, &res);
	for (i = 0; i < n; i++)
		CHECK(res.status[i] == WR_DROP_NONE, "packet %u: %s", i,
			wr_drop_reason_name(res.status[i]));
	CHECK(res.n_delivered == NLENS, "delivered %u", res.n_delivered);
	for (i = 0; i < res.n_delivered && i < NLENS; i++) {
		struct rte_mbuf *d = res.delivered[i];

		CHECK(rte_pktmbuf_pkt_len(d) == lens[i].len &&
				memcmp(rte_pktmbuf_mtod(d, void *), pkts[i], lens[i].len) == 0 &&
				res.delivered_peer[i] == PEER,
			"packet %u (%u bytes) equal", i, lens[i].len);
	}
	for (i = 0; i < res.n_delivered; i++)
		rte_pktmbuf_free(res.delivered[i]);
	CHECK(res.n_rx == 1 && res.rx[0].packets == NLENS + 1 && res.rx[0].delivered == NLENS &&
			res.rx[0].inner_bytes == inner && res.rx[0].wire_bytes == wire &&
			wr_endpoint_equal(&res.rx[0].from, &B.addr),
		"one summary: %u packets, %" PRIu64 " inner, %" PRIu64 " wire", res.rx[0].packets,
		res.rx[0].inner_bytes, res.rx[0].wire_bytes);
	report_rx(&A, &res);
	pump();
}

/* A's encap seals, B's engine opens and delivers. */
static void
test_encap_to_engine(void)
{
	static uint8_t pkts[NLENS + 1][1420];
	struct rte_mbuf *m[NLENS + 1];
	uint32_t ids[NLENS + 1];
	struct wr_encap_result res;
	struct wr_dp_crypto_lcore *lcs[1] = { &lcA };
	struct wr_dp_peer_counters before, after;
	unsigned int i, n = NLENS + 1, got0 = B.ndelivered;

	printf("dp_crypto: encap-sealed data accepted by the engine\n");
	wr_dp_peer_counters_sum(lcs, 1, PEER, &before);
	for (i = 0; i < NLENS; i++) {
		make_inner(pkts[i], lens[i].len, lens[i].v6, 1, 3, i + 100);
		m[i] = mbuf_of(pkts[i], lens[i].len);
		ids[i] = PEER;
	}
	m[NLENS] = mbuf_of(NULL, 0); /* a keepalive */
	ids[NLENS] = PEER;
	wr_encap_burst(&lcA, &A.tables, m, ids, n, now, &res);
	CHECK(res.n_sealed == n && res.n_held == 0 && res.n_tx == 1, "sealed %u held %u tx %u",
		res.n_sealed, res.n_held, res.n_tx);
	CHECK(res.n_tx == 1 && res.tx[0].packets == n && wr_endpoint_equal(&res.tx[0].to, &B.addr) &&
			res.tx[0].peer_id == PEER,
		"one data sent summary");
	for (i = 0; i < res.n_sealed; i++) {
		uint32_t len = i < NLENS ? lens[i].len : 0;
		struct rte_mbuf *s = res.sealed[i];
		const uint8_t *payload;
		struct rte_ether_hdr *eh;
		size_t plen;

		CHECK(rte_pktmbuf_pkt_len(s) == wr_data_sealed_len(len, MTU),
			"message %u: %u bytes", i, rte_pktmbuf_pkt_len(s));
		CHECK(wr_encap_udp(s, &A.addr, &res.tx[res.sealed_tx[i]].to, 64) == 0, "udp");
		payload = udp_payload(s, &plen);
		CHECK(wr_device_receive(B.dev, &A.addr, payload, plen, now) == WR_DROP_NONE,
			"B's engine accepts message %u", i);
		/* and the frame's checksums hold (parse leaves a data message's to decap) */
		CHECK(udp_cksum_good(s, false), "message %u: UDP checksum good", i);
		eh = (void *)rte_pktmbuf_prepend(s, sizeof(*eh));
		memset(eh, 0, sizeof(*eh));
		eh->ether_type = htons(RTE_ETHER_TYPE_IPV4);
		CHECK(wr_decap_parse(s) == 0, "frame %u parses, checksums good", i);
		rte_pktmbuf_free(s);
	}
	report_tx(&A, &res);
	CHECK(B.ndelivered - got0 == NLENS, "B delivered %u", B.ndelivered - got0);
	for (i = 0; i < NLENS && got0 + i < B.ndelivered; i++)
		CHECK(B.delivered_len[got0 + i] == lens[i].len &&
				memcmp(B.delivered[got0 + i], pkts[i], lens[i].len) == 0,
			"packet %u equal", i);
	B.ndelivered = 0;
	wr_dp_peer_counters_sum(lcs, 1, PEER, &after);
	CHECK(after.tx_packets - before.tx_packets == n, "per-lcore peer counters");
	pump();
}

/* Seal @p n inner packets on A with its current keypair; their UDP payloads into @p out. */
static unsigned int
seal_on_a(uint8_t (*inner)[1420], const uint16_t *len, unsigned int n, struct wire_msg *out)
{
	struct rte_mbuf *m[WR_DP_CRYPTO_BURST];
	uint32_t ids[WR_DP_CRYPTO_BURST];
	struct wr_encap_result res;
	unsigned int i;

	for (i = 0; i < n; i++) {
		m[i] = mbuf_of(inner[i], len[i]);
		ids[i] = PEER;
	}
	wr_encap_burst(&lcA, &A.tables, m, ids, n, now, &res);
	CHECK(res.n_sealed == n, "A sealed %u of %u", res.n_sealed, n);
	for (i = 0; i < res.n_sealed; i++) {
		out[i].len = rte_pktmbuf_pkt_len(res.sealed[i]);
		memcpy(out[i].data, rte_pktmbuf_mtod(res.sealed[i], void *), out[i].len);
		rte_pktmbuf_free(res.sealed[i]);
	}
	for (i = 0; i < res.n_held; i++)
		rte_pktmbuf_free(res.held[i]);
	report_tx(&A, &res);
	return res.n_sealed;
}

/* A new handshake, initiated by A: A sends with the new keypair, the old one still receives. */
static void
rekey(void)
{
	now += WR_REKEY_TIMEOUT + WR_NSEC_PER_SEC;
	CHECK(wr_peer_initiate(A.peer, now) == 0, "A initiates");
	pump();
	CHECK(A.hook_errors == 0 && B.hook_errors == 0, "hooks ok after the rekey");
}

/*
 * One burst into B's decap mixing two keypairs, lengths 0..1420, and every kind of bad packet;
 * each gets its own status, each drop is counted under its reason.
 */
static void
test_mixed_burst(void)
{
	enum { OLD = 7, NEW = 7, BAD = 8 };
	static uint8_t inner[OLD + NEW + 2][1420];
	static struct wire_msg msg[OLD + NEW + 2], burst[OLD + NEW + BAD];
	uint16_t len[OLD + NEW + 2];
	uint8_t want[OLD + NEW + BAD];
	uint64_t before[WR_DROP_COUNT];
	struct rte_mbuf *m[OLD + NEW + BAD];
	struct wr_decap_result res;
	uint32_t old_index, new_index, bogus;
	unsigned int i, n = 0, delivered = 0, want_delivered = 0;

	printf("dp_crypto: a burst mixing keypairs, lengths and bad packets\n");
	for (i = 0; i < OLD + NEW; i++) {
		static const uint16_t l[] = { 0, 20, 41, 64, 577, 1419, 1420 };

		len[i] = l[i % RTE_DIM(l)];
		if (len[i])
			make_inner(inner[i], len[i], i % 2 && len[i] >= 40, 1, 4, i + 200);
	}
	seal_on_a(inner, len, OLD, msg);
	old_index = rte_le_to_cpu_32(((struct wr_message_data *)msg[0].data)->key_idx);
	rekey();
	seal_on_a(inner + OLD, len + OLD, NEW, msg + OLD);
	new_index = rte_le_to_cpu_32(((struct wr_message_data *)msg[OLD].data)->key_idx);
	CHECK(old_index != new_index, "two keypairs");
	/* a spoofed source, and an inner packet that is no IP packet */
	len[OLD + NEW] = make_inner(inner[OLD + NEW], 80, false, 9, 9, 1);
	len[OLD + NEW + 1] = 48;
	memset(inner[OLD + NEW + 1], 0x55, 48);
	seal_on_a(inner + OLD + NEW, len + OLD + NEW, 2, msg + OLD + NEW);

	/* old and new interleaved, every good one first */
	for (i = 0; i < OLD + NEW; i++) {
		burst[n] = msg[i % 2 ? OLD + i / 2 : i / 2];
		want[n++] = WR_DROP_NONE;
	}
	burst[n] = msg[OLD + NEW];
	want[n++] = WR_DROP_SPOOFED_SOURCE;
	burst[n] = msg[OLD + NEW + 1];
	want[n++] = WR_DROP_BAD_INNER;
	burst[n] = msg[1]; /* the same counter twice in one burst */
	want[n++] = WR_DROP_REPLAY;
	burst[n] = msg[OLD + 2];
	burst[n].data[40] ^= 1; /* ciphertext */
	want[n++] = WR_DROP_DATA_DECRYPT;
	burst[n] = msg[OLD + 3];
	burst[n].data[0] = 5;
	want[n++] = WR_DROP_BAD_TYPE;
	burst[n] = msg[OLD + 3];
	burst[n].data[2] = 1; /* a reserved byte */
	want[n++] = WR_DROP_BAD_TYPE;
	burst[n] = msg[OLD + 4];
	burst[n].len = WR_MSG_DATA_MIN_LEN - 1;
	want[n++] = WR_DROP_BAD_LENGTH;
	burst[n] = msg[OLD + 5];
	do
		bogus = wr_random_u32();
	while (wr_keytable_lookup(B.kt, bogus) != NULL);
	((struct wr_message_data *)burst[n].data)->key_idx = rte_cpu_to_le_32(bogus);
	want[n++] = WR_DROP_UNKNOWN_INDEX;

	memcpy(before, lcB.drops, sizeof(before));
	for (i = 0; i < n; i++)
		m[i] = frame_of(burst[i].data, burst[i].len, &A.addr, &B.addr);
	wr_decap_burst(&lcB, &B.tables, m, n, now, &res);
	for (i = 0; i < n; i++)
		CHECK(res.status[i] == want[i], "packet %u: %s, want %s", i,
			wr_drop_reason_name(res.status[i]), wr_drop_reason_name(want[i]));
	for (i = 0; i < WR_DROP_COUNT; i++) {
		unsigned int k, expect = 0;

		for (k = 0; k < n; k++)
			expect += want[k] == i && i != WR_DROP_NONE;
		CHECK(lcB.drops[i] - before[i] == expect, "%s counted %" PRIu64 ", want %u",
			wr_drop_reason_name(i), lcB.drops[i] - before[i], expect);
	}
	for (i = 0; i < OLD + NEW; i++)
		want_delivered += len[i % 2 ? OLD + i / 2 : i / 2] != 0;
	CHECK(res.n_delivered == want_delivered, "delivered %u, want %u", res.n_delivered,
		want_delivered);
	for (i = 0; i < OLD + NEW && delivered < res.n_delivered; i++) {
		unsigned int k = i % 2 ? OLD + i / 2 : i / 2;
		struct rte_mbuf *d;

		if (len[k] == 0)
			continue;
		d = res.delivered[delivered++];
		CHECK(rte_pktmbuf_pkt_len(d) == len[k] &&
				memcmp(rte_pktmbuf_mtod(d, void *), inner[k], len[k]) == 0,
			"packet %u (%u bytes) equal", k, len[k]);
	}
	for (i = 0; i < res.n_delivered; i++)
		rte_pktmbuf_free(res.delivered[i]);
	CHECK(res.n_rx == 2 && res.rx[0].local_index != res.rx[1].local_index,
		"a summary per keypair (%u)", res.n_rx);
	for (i = 0; i < res.n_rx; i++)
		CHECK(res.rx[i].peer_id == PEER && wr_endpoint_equal(&res.rx[i].from, &A.addr),
			"summary %u: peer and source", i);
	report_rx(&B, &res);

	/* an already accepted message comes again */
	m[0] = frame_of(msg[OLD].data, msg[OLD].len, &A.addr, &B.addr);
	wr_decap_burst(&lcB, &B.tables, m, 1, now, &res);
	CHECK(res.status[0] == WR_DROP_REPLAY && res.n_delivered == 0 && res.n_rx == 0,
		"replayed later: %s", wr_drop_reason_name(res.status[0]));
	rte_rcu_qsbr_quiescent(rcu, 0);
	pump();
}

/* Past REJECT_AFTER_TIME, neither direction uses the keypair. */
static void
test_expired(void)
{
	static uint8_t inner[1][1420];
	struct wire_msg msg[1];
	struct wr_decap_result dres;
	struct wr_encap_result eres;
	uint16_t len = 100;
	uint32_t peer = PEER;
	struct rte_mbuf *m;

	printf("dp_crypto: expired keypairs\n");
	make_inner(inner[0], len, false, 1, 4, 77);
	seal_on_a(inner, &len, 1, msg);
	m = frame_of(msg[0].data, msg[0].len, &A.addr, &B.addr);
	wr_decap_burst(&lcB, &B.tables, &m, 1, now + WR_REJECT_AFTER_TIME, &dres);
	CHECK(dres.status[0] == WR_DROP_KEY_EXPIRED, "decap: %s",
		wr_drop_reason_name(dres.status[0]));
	m = mbuf_of(inner[0], len);
	wr_encap_burst(&lcA, &A.tables, &m, &peer, 1, now + WR_REJECT_AFTER_TIME, &eres);
	CHECK(eres.n_held == 1 && eres.n_sealed == 0, "encap hands it back");
	rte_pktmbuf_free(eres.held[0]);
	/* unexpired, the same message still opens */
	m = frame_of(msg[0].data, msg[0].len, &A.addr, &B.addr);
	wr_decap_burst(&lcB, &B.tables, &m, 1, now, &dres);
	CHECK(dres.status[0] == WR_DROP_NONE && dres.n_delivered == 1, "in time: %s",
		wr_drop_reason_name(dres.status[0]));
	if (dres.n_delivered)
		rte_pktmbuf_free(dres.delivered[0]);
	rte_rcu_qsbr_quiescent(rcu, 0);
}

/* ---- two workers receiving for one keypair ---- */

#define TMSG 48

struct worker {
	unsigned int id;
	struct wr_dp_crypto_lcore *lc;
	struct rte_mbuf *m[TMSG];
	unsigned int delivered, replays, errors;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct wr_decap_result res;
	unsigned int i, k;

	rte_rcu_qsbr_thread_register(rcu, w->id);
	rte_rcu_qsbr_thread_online(rcu, w->id);
	for (i = 0; i < TMSG; i += 8) {
		wr_decap_burst(w->lc, &B.tables, w->m + i, 8, now, &res);
		for (k = 0; k < 8; k++) {
			if (res.status[k] == WR_DROP_REPLAY)
				w->replays++;
			else if (res.status[k] != WR_DROP_NONE)
				w->errors++;
		}
		w->delivered += res.n_delivered;
		for (k = 0; k < res.n_delivered; k++)
			rte_pktmbuf_free(res.delivered[k]);
		rte_rcu_qsbr_quiescent(rcu, w->id);
	}
	rte_rcu_qsbr_thread_offline(rcu, w->id);
	rte_rcu_qsbr_thread_unregister(rcu, w->id);
	return NULL;
}

static void
test_two_workers(void)
{
	static uint8_t inner[TMSG][1420];
	static struct wire_msg msg[TMSG];
	static struct wr_dp_crypto_lcore lcs[2];
	struct worker w[2];
	pthread_t t[2];
	uint16_t len[TMSG];
	unsigned int i, k;

	printf("dp_crypto: two workers open the same messages: each counter accepted once\n");
	for (i = 0; i < TMSG; i++)
		len[i] = (uint16_t)make_inner(inner[i], 60 + i, false, 1, 4, i + 300);
	seal_on_a(inner, len, TMSG, msg);
	for (k = 0; k < 2; k++) {
		memset(&w[k], 0, sizeof(w[k]));
		w[k].id = k + 1;
		w[k].lc = &lcs[k];
		if (wr_dp_crypto_lcore_init(&lcs[k], 4, WR_AEAD_AUTO, SOCKET_ID_ANY, NULL) != 0) {
			printf("wr_dp_crypto_lcore_init failed\n");
			exit(2);
		}
		/* the second worker sees the messages in the reverse order */
		for (i = 0; i < TMSG; i++) {
			unsigned int j = k ? TMSG - 1 - i : i;

			w[k].m[i] = frame_of(msg[j].data, msg[j].len, &A.addr, &B.addr);
		}
	}
	for (k = 0; k < 2; k++)
		pthread_create(&t[k], NULL, worker_main, &w[k]);
	for (k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	CHECK(w[0].delivered + w[1].delivered == TMSG, "delivered %u + %u, want %u", w[0].delivered,
		w[1].delivered, TMSG);
	CHECK(w[0].replays + w[1].replays == TMSG && w[0].errors + w[1].errors == 0,
		"replays %u + %u, errors %u", w[0].replays, w[1].replays,
		w[0].errors + w[1].errors);
	for (k = 0; k < 2; k++)
		wr_dp_crypto_lcore_fini(&lcs[k]);
}

/*
 * The engine drops a keypair (rotation after another handshake): the keytable stops finding it at
 * once, and frees it (keys wiped) only once every online reader reported a quiescent state.
 */
static void
test_removal(void)
{
	struct wr_decap_result res;
	struct wire_msg msg;
	struct rte_mbuf *m;
	unsigned int removed = A.removed;

	printf("dp_crypto: removed keypairs, RCU grace period\n");
	rte_rcu_qsbr_quiescent(rcu, 0);
	wr_keytable_reclaim(A.kt);
	CHECK(wr_keytable_pending(A.kt) == 0, "nothing pending after a quiescent state");
	rekey();
	CHECK(A.removed > removed, "A's engine dropped a keypair");
	CHECK(wr_keytable_lookup(A.kt, A.last_removed) == NULL, "no longer found");
	CHECK(wr_keytable_pending(A.kt) >= 1, "but not freed: a reader is online");
	CHECK(wr_keytable_reclaim(A.kt) == 0, "nothing to reclaim before the quiescent state");
	rte_rcu_qsbr_quiescent(rcu, 0);
	CHECK(wr_keytable_reclaim(A.kt) >= 1 && wr_keytable_pending(A.kt) == 0,
		"freed after the grace period");

	memset(&msg, 0, sizeof(msg));
	msg.len = 64;
	((struct wr_message_data *)msg.data)->header.type = rte_cpu_to_le_32(WR_MSG_DATA);
	((struct wr_message_data *)msg.data)->key_idx = rte_cpu_to_le_32(A.last_removed);
	m = frame_of(msg.data, msg.len, &B.addr, &A.addr);
	wr_decap_burst(&lcA, &A.tables, &m, 1, now, &res);
	CHECK(res.status[0] == WR_DROP_UNKNOWN_INDEX, "its index is unknown: %s",
		wr_drop_reason_name(res.status[0]));

	/* the keytable's own remove and confirm answer for unknown indices */
	CHECK(wr_keytable_remove(A.kt, A.last_removed) == -ENOENT, "remove twice");
	CHECK(wr_keytable_confirm(A.kt, A.last_removed) == -ENOENT, "confirm a removed one");
	rte_rcu_qsbr_quiescent(rcu, 0);
}

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
	CHECK(wr_dp_peer_get_endpoint(&B.peers->peer[PEER], &cur) && wr_endpoint_equal(&cur, &A.addr),
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
	CHECK(res.status[0] == WR_DROP_NONE && res.n_rx == 1 && wr_endpoint_equal(&res.rx[0].from, &roamed),
		"unless the NIC vouched for it (%s)", wr_drop_reason_name(res.status[0]));
	if (res.n_delivered)
		rte_pktmbuf_free(res.delivered[0]);

	m = data_frame_from(&roamed, 34);
	wr_decap_burst(&lcB, &B.tables, &m, 1, now, &res);
	CHECK(res.status[0] == WR_DROP_NONE && res.n_rx == 1 && wr_endpoint_equal(&res.rx[0].from, &roamed),
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

/* After a private key change the data plane stops sending until the next handshake. */
static void
test_expire_sending(void)
{
	uint8_t pkt[60];
	struct wr_encap_result res;
	uint32_t peer = PEER;
	struct rte_mbuf *m;

	printf("dp_crypto: sending stops until the next handshake\n");
	wr_keytable_expire_sending(B.kt);
	make_inner(pkt, sizeof(pkt), false, 2, 7, 3);
	m = mbuf_of(pkt, sizeof(pkt));
	wr_encap_burst(&lcB, &B.tables, &m, &peer, 1, now, &res);
	CHECK(res.n_held == 1 && res.n_sealed == 0, "held");
	rte_pktmbuf_free(res.held[0]);
	rekey();
	CHECK(B.peers->peer[PEER].current != NULL, "a new confirmed keypair sends again");
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "--no-shconf", "--no-pci", "-l", "0", "--log-level",
		"lib.*:error", NULL };
	static const enum wr_aead_backend backends[] = { WR_AEAD_GENERIC, WR_AEAD_IMB_AVX2,
		WR_AEAD_IMB_AVX512 };
	size_t qsz;
	unsigned int i;

	(void)argc;
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		printf("rte_eal_init failed\n");
		return 2;
	}
	mp = rte_pktmbuf_pool_create(
		"dp_crypto", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	qsz = rte_rcu_qsbr_get_memsize(4);
	rcu = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(qsz, RTE_CACHE_LINE_SIZE));
	if (mp == NULL || rcu == NULL || rte_rcu_qsbr_init(rcu, 4) != 0) {
		printf("mempool or RCU setup failed\n");
		return 2;
	}
	/* this thread is a worker too: it reads the keytables between quiescent states */
	rte_rcu_qsbr_thread_register(rcu, 0);
	rte_rcu_qsbr_thread_online(rcu, 0);

	side_init(&A, "A", "192.0.2.1");
	side_init(&B, "B", "192.0.2.2");
	side_peer(&A, &B, 2);
	side_peer(&B, &A, 1);
	A.reseal = true;
	if (wr_dp_crypto_lcore_init(&lcA, 4, WR_AEAD_AUTO, SOCKET_ID_ANY, NULL) != 0 ||
		wr_dp_crypto_lcore_init(&lcB, 4, WR_AEAD_AUTO, SOCKET_ID_ANY, NULL) != 0) {
		printf("wr_dp_crypto_lcore_init failed\n");
		return 2;
	}
	test_udp_cksum();
	test_parse();
	test_handshake();
	for (i = 0; i < RTE_DIM(backends); i++) {
		if (!wr_aead_backend_supported(backends[i])) {
			printf("dp_crypto: backend %s not supported here, skipped\n",
				wr_aead_backend_name(backends[i]));
			continue;
		}
		printf("dp_crypto: backend %s\n", wr_aead_backend_name(backends[i]));
		wr_dp_crypto_lcore_fini(&lcA);
		wr_dp_crypto_lcore_fini(&lcB);
		if (wr_dp_crypto_lcore_init(&lcA, 4, backends[i], SOCKET_ID_ANY, NULL) != 0 ||
			wr_dp_crypto_lcore_init(&lcB, 4, backends[i], SOCKET_ID_ANY, NULL) != 0) {
			printf("FAIL: backend %s refused\n", wr_aead_backend_name(backends[i]));
			failures++;
			continue;
		}
		CHECK(wr_aead_ctx_backend(lcA.aead) == backends[i], "backend in use");
		test_reference_to_decap();
		test_encap_to_engine();
		test_mixed_burst();
		test_expired();
	}
	test_two_workers();
	test_lazy_cksum();
	test_roaming();
	test_expire_sending();
	test_removal();

	CHECK(A.hook_errors == 0 && B.hook_errors == 0, "hooks: %u, %u errors", A.hook_errors,
		B.hook_errors);
	wr_device_destroy(A.dev);
	wr_device_destroy(B.dev);
	CHECK(wr_keytable_count(A.kt) == 0 && wr_keytable_count(B.kt) == 0,
		"the engines removed every keypair");
	rte_rcu_qsbr_thread_offline(rcu, 0);
	wr_keytable_reclaim(A.kt);
	wr_keytable_reclaim(B.kt);
	CHECK(wr_keytable_pending(A.kt) == 0 && wr_keytable_pending(B.kt) == 0,
		"offline readers hold nothing back");
	for (i = 0; i < 2; i++) {
		struct side *s = i ? &B : &A;

		wr_keytable_destroy(s->kt);
		wr_dp_peers_destroy(s->peers);
		wr_allowedips_free(&s->aips);
	}
	wr_dp_crypto_lcore_fini(&lcA);
	wr_dp_crypto_lcore_fini(&lcB);
	rte_mempool_free(mp);
	free(rcu);
	rte_eal_cleanup();
	printf("dp_crypto: %u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
