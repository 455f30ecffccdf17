/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data-path tests' two gateways (test_dp_crypto.c, test_dp_outer.c): A and B, each an engine
 * with its data plane (peer table, keytable, an AllowedIPs stand-in for the cryptokey LPM), on a
 * fake network with a fake clock. Their keypair hooks feed each side's keytable; A's engine data
 * messages are re-sealed on the keytable's counter. Plus packet builders and the set-up and
 * teardown of DPDK (no hugepages or devices: --no-huge --no-shconf --no-pci -l 0; DPDK 22.11
 * refuses --in-memory with --no-huge). Header-only; it brings wr_test.h's CHECK.
 */
#ifndef DP_CRYPTO_NET_H
#define DP_CRYPTO_NET_H

#include <arpa/inet.h>
#include <inttypes.h>
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

#include "wr_test.h"
#include "wr_test_ep.h"

#define MTU WR_DEFAULT_MTU
#define QMAX 160
#define PEER 0u /* each side's only peer has data-plane id 0 */

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
static struct wr_dp_crypto_lcore lcA, lcB;

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

	if (wr_encap_udp(m, from, to, 64, WR_UDP_CSUM_SW) != 0)
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
 * DPDK without hugepages, the mbuf pool, the RCU variable (this thread is reader 0, online), and
 * the two sides, each the other's peer, with crypto lcores on the best backend. Exits on failure.
 */
static void
dp_setup(char *argv0)
{
	char *eal[] = { argv0, "--no-huge", "--no-shconf", "--no-pci", "-l", "0", "--log-level",
		"lib.*:error", NULL };
	size_t qsz;

	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		printf("rte_eal_init failed\n");
		exit(2);
	}
	mp = rte_pktmbuf_pool_create(
		"dp_crypto", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	qsz = rte_rcu_qsbr_get_memsize(4);
	rcu = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(qsz, RTE_CACHE_LINE_SIZE));
	if (mp == NULL || rcu == NULL || rte_rcu_qsbr_init(rcu, 4) != 0) {
		printf("mempool or RCU setup failed\n");
		exit(2);
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
		exit(2);
	}
}

/*
 * Destroys both engines (which must remove every keypair from the keytables, freed once this
 * reader is offline), then everything dp_setup() made. Returns main's exit status after printing
 * the counters with @p name.
 */
static int
dp_teardown(const char *name)
{
	unsigned int i;

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
	printf("%s: %u checks, %u failures\n", name, checks, failures);
	return failures ? 1 : 0;
}

#endif /* DP_CRYPTO_NET_H */
