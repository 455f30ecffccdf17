/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_pipeline's test bed: the gateway assembled as app/main.c does it, on two net_ring ports
 * made with rte_eth_from_rings() (one RX ring, the generator's way in; two TX rings, the worker's
 * queue and the control lcore's), and the wire around it: this lcore answers ARP for the station
 * behind each port and carries UDP between the gateway and the remote peer, a second protocol
 * engine. The handshake runs through the rings, started by the gateway for a LAN packet that it
 * holds meanwhile, so that the keypair reaches the worker's keytable exactly as in production.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "bench_pipeline.h"
#include "../tests/unit/ring_bed.h"
#include "gw.h"
#include "wr_base64.h"
#include "wr_config.h"
#include "wr_crypto.h"
#include "wr_data.h"

/* RTE_IPV4() shifts an int into its sign bit for addresses from 128.0.0.0 (UBSan says so) */
#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

uint64_t
bp_now_ns(void)
{
	return wr_gw_tsc_to_ns(rte_rdtsc(), B.hz);
}

/* ---- frames ---- */

static void
put_ip4(void *p, uint32_t src, uint32_t dst, uint8_t proto, uint16_t total)
{
	struct rte_ipv4_hdr *ip = p;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(total);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* An inner IPv4 packet of @p len bytes whose payload starts with @p seq, then a pattern of it. */
void
bp_make_inner(uint8_t *p, unsigned int len, uint32_t src, uint32_t dst, uint32_t seq, uint8_t ttl)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
	unsigned int i;

	put_ip4(p, src, dst, INNER_PROTO, (uint16_t)len);
	if (ttl != 64) {
		ip->time_to_live = ttl;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	memcpy(p + 20, &seq, 4);
	for (i = 24; i < len; i++)
		p[i] = (uint8_t)(seq + i * 7);
}

/* A UDP datagram from the station of @p w to the gateway's listen port, carrying @p msg. */
static struct rte_mbuf *
wan_frame(const void *msg, size_t len)
{
	struct wire *w = &B.wan;
	struct rte_mbuf *m = rte_pktmbuf_alloc(B.mp);
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *uh;
	uint8_t *p;

	if (m == NULL || (p = (uint8_t *)rte_pktmbuf_append(m, HDRS + len)) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	ring_bed_put_eth(p, &w->mac, &w->smac, RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
	put_ip4(ip, w->saddr, w->addr, IPPROTO_UDP, (uint16_t)(28 + len));
	uh = (struct rte_udp_hdr *)(ip + 1);
	uh->src_port = rte_cpu_to_be_16(WG_PORT);
	uh->dst_port = rte_cpu_to_be_16(WG_PORT);
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + len));
	uh->dgram_cksum = 0;
	if (msg != NULL)
		memcpy(uh + 1, msg, len);
	return m;
}

static void
udp_cksum(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);

	uh->dgram_cksum = 0;
	uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
}

/* Data message @p seq of @p size inner bytes, sealed with the remote's keys and next counter */
struct rte_mbuf *
bp_data_frame(unsigned int size, uint32_t seq)
{
	size_t len = wr_data_sealed_len(size, MTU);
	struct rte_mbuf *m = wan_frame(NULL, len);

	if (m == NULL)
		return NULL;
	bp_make_inner(B.scratch, size, B.inner_remote, B.lan.saddr, seq, 64);
	wr_data_seal(rte_pktmbuf_mtod_offset(m, uint8_t *, HDRS), B.rem.send_key,
		B.rem.remote_index, B.rem.counter++, B.scratch, size, MTU);
	/* a real peer sends UDP checksums, and a ring port vouches for none */
	if (!B.no_udp_csum)
		udp_cksum(m);
	return m;
}

/* LAN packet @p seq of @p size bytes from the LAN station to the remote's inner network */
struct rte_mbuf *
bp_lan_frame(unsigned int size, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(B.mp);
	uint8_t *p;

	if (m == NULL || (p = (uint8_t *)rte_pktmbuf_append(m, 14 + size)) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	ring_bed_put_eth(p, &B.lan.mac, &B.lan.smac, RTE_ETHER_TYPE_IPV4);
	bp_make_inner(p + 14, size, B.lan.saddr, B.inner_remote, seq, 64);
	return m;
}

void
bp_push(struct wire *w, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int done = 0;
	uint64_t deadline = rte_rdtsc() + B.hz;
	unsigned int i;

	/* what a NIC's receive path sets and the ring PMD does not: the host stack needs it */
	for (i = 0; i < n; i++)
		pkts[i]->port = w->port_id;
	while (done < n && rte_rdtsc() < deadline)
		done += rte_ring_enqueue_burst(w->rx, (void **)pkts + done, n - done, NULL);
	for (; done < n; done++) {
		FAIL("%s: RX ring full", w->name);
		rte_pktmbuf_free(pkts[done]);
	}
}

/* ---- the remote peer's engine ---- */

static void
rem_send(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
	struct rte_mbuf *m = wan_frame(buf, len);

	(void)ctx;
	(void)to;
	if (m == NULL) {
		FAIL("remote: no mbuf");
		return;
	}
	udp_cksum(m);
	bp_push(&B.wan, &m, 1);
}

static void
rem_deliver(void *ctx, struct wr_peer *peer, const void *pkt, size_t len)
{
	struct remote *r = ctx;

	(void)peer;
	r->delivered++;
	r->last_len = RTE_MIN(len, sizeof(r->last));
	memcpy(r->last, pkt, r->last_len);
}

static void
rem_installed(void *ctx, struct wr_peer *peer, const struct wr_keypair_info *kp)
{
	struct remote *r = ctx;

	(void)peer;
	r->local_index = kp->local_index;
	r->remote_index = kp->remote_index;
	memcpy(r->send_key, kp->send_key, sizeof(r->send_key));
	memcpy(r->recv_key, kp->receive_key, sizeof(r->recv_key));
	r->have_keys = kp->confirmed;
}

static const struct wr_device_ops rem_ops = {
	.send = rem_send,
	.deliver = rem_deliver,
	.wall_time_ns = ring_bed_wall_ns,
	.keypair_installed = rem_installed,
};

/* ---- the wire: ARP for the stations, UDP to the remote ---- */

static void
arp_reply(struct wire *w, const struct rte_arp_hdr *req)
{
	struct rte_mbuf *m = ring_bed_arp_reply(B.mp, req, &w->mac, &w->smac);

	if (m == NULL) {
		FAIL("no mbuf for an ARP reply");
		return;
	}
	bp_push(w, &m, 1);
}

/* A frame the gateway sent out of @p w outside a timed round. Takes @p m. */
static void
wire_input(struct wire *w, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *p = (const uint8_t *)(eh + 1);

	if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)p;

		if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
			arp->arp_data.arp_tip == w->saddr)
			arp_reply(w, arp);
	} else if (w == &B.wan && eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
		   p[9] == IPPROTO_UDP) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)p;
		const struct rte_udp_hdr *uh = (const void *)(p + rte_ipv4_hdr_len(ip));
		struct wr_endpoint from;

		memset(&from, 0, sizeof(from));
		from.in4.sin_family = AF_INET;
		from.in4.sin_addr.s_addr = ip->src_addr;
		from.in4.sin_port = uh->src_port;
		wr_device_receive(B.rem.dev, &from, uh + 1,
			rte_be_to_cpu_16(uh->dgram_len) - sizeof(*uh), bp_now_ns());
	}
	rte_pktmbuf_free(m);
}

/* One pass of the control lcore and of the wire. Returns the work done. */
static unsigned int
service(void)
{
	struct wire *ws[2] = { &B.wan, &B.lan };
	struct rte_mbuf *pkts[32];
	unsigned int work, i, q, k, n;

	work = wr_dp_poll(&B.dp->lcores[GEN_LCORE]) + wr_control_poll(B.ctl);
	for (i = 0; i < 2; i++) {
		for (q = 0; q < 2; q++) {
			n = rte_ring_dequeue_burst(ws[i]->tx[q], (void **)pkts, 32, NULL);
			for (k = 0; k < n; k++)
				wire_input(ws[i], pkts[k]);
			B.seen[i][q] += n;
			work += n;
		}
	}
	if (B.rem.ticking && bp_now_ns() >= wr_device_next_deadline(B.rem.dev))
		wr_device_tick(B.rem.dev, bp_now_ns());
	return work;
}

/* Serve until nothing happened for @p quiet_ms. */
void
bp_settle(unsigned int quiet_ms)
{
	uint64_t quiet = B.hz * quiet_ms / 1000, last = rte_rdtsc();

	while (rte_rdtsc() - last < quiet)
		if (service() != 0)
			last = rte_rdtsc();
}

long
bp_nivcsw_self(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) == 0 ? ru.ru_nivcsw : 0;
}

/* The worker loop, as app/main.c launches it, after a note of where the thread's meters stand */
static int
worker_entry(void *lc)
{
	struct timespec ts;

	__atomic_store_n(&B.wm.start_nivcsw, bp_nivcsw_self(), __ATOMIC_RELAXED);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	__atomic_store_n(&B.wm.start_ns, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec,
		__ATOMIC_RELEASE);
	return wr_dp_worker_main(lc);
}

void
bp_worker_start(void)
{
	/* the loop returns when dp->stop is set; clearing it lets the same lcore run it again */
	__atomic_store_n(&B.dp->stop, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&B.wm.start_ns, 0, __ATOMIC_RELAXED);
	B.worker_running = true;
	rte_rcu_qsbr_thread_online(B.dp->gw->rcu, WORKER_LCORE);
	rte_eal_remote_launch(worker_entry, &B.dp->lcores[WORKER_LCORE], WORKER_LCORE);
}

void
bp_worker_stop(void)
{
	if (!B.worker_running)
		return;
	wr_dp_stop(B.dp);
	rte_eal_wait_lcore(WORKER_LCORE);
	B.worker_running = false;
}

/* ---- setup ---- */

static int
make_wire(struct wire *w, const char *name, uint32_t addr, uint32_t saddr, uint8_t mac_last)
{
	int port;

	w->name = name;
	w->addr = addr;
	w->saddr = saddr;
	w->smac = (struct rte_ether_addr){ { 0x02, 0x00, 0x5e, 0x00, 0x53, mac_last } };
	/* one producer (the generator), one consumer (the worker) on the way in */
	port = ring_bed_port("", name, RING_SIZE, &w->rx, w->tx);
	if (port < 0)
		return port;
	w->port_id = (uint16_t)port;
	return 0;
}

static int
setup_gateway(const char *conf)
{
	char err[256];
	int ret;

	ret = ring_bed_gateway(
		conf, "bench_pipeline", GEN_LCORE, WORKER_LCORE, &B.dp, &B.ctl, err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "bench_pipeline: %s\n", err);
	return ret;
}

static const char conf_fmt[] = "[Gateway]\n"
			       "Control = %u\n"
			       "Workers = %u\n"
			       "ControlSocket = %s\n"
			       "[Port wan]\n"
			       "Device = %s\n"
			       "Address = 192.0.2.1/24\n"
			       "[Port lan]\n"
			       "Device = %s\n"
			       "Address = 203.0.113.1/24\n"
			       "[Interface %s]\n"
			       "PrivateKey = %s\n"
			       "ListenPort = %u\n"
			       "Port = wan\n"
			       "Address = 198.51.100.1/25\n"
			       "MTU = %u\n"
			       "UDPChecksum = %s\n"
			       "[Peer]\n"
			       "PublicKey = %s\n"
			       "Endpoint = 192.0.2.2:%u\n"
			       "AllowedIPs = 198.51.100.128/25\n";

/* The gateway's configuration with fresh keys; the remote's private key and the gateway's public
 * key come back for the remote's engine. */
static int
make_conf(char *buf, size_t len, const char *wan_dev, const char *lan_dev, uint8_t *rem_priv,
	uint8_t *gw_pub)
{
	char gw_b64[WR_BASE64_KEY_LEN + 1], rem_b64[WR_BASE64_KEY_LEN + 1], ifname[16], sock[64];
	int n;

	ring_bed_keys(gw_b64, rem_b64, gw_pub, rem_priv);
	/* the UAPI socket's name: unique, as other gateways may run on this machine */
	snprintf(ifname, sizeof(ifname), "bp%u", (unsigned int)getpid());
	/* and the control socket's: not the default, which a gateway on this machine may hold */
	snprintf(
		sock, sizeof(sock), "/run/wirerate/bench_pipeline.%u.sock", (unsigned int)getpid());
	n = snprintf(buf, len, conf_fmt, GEN_LCORE, WORKER_LCORE, sock, wan_dev, lan_dev, ifname,
		gw_b64, WG_PORT, MTU, B.udp_csum ? "on" : "auto", rem_b64, WG_PORT);
	wr_wipe(gw_b64, sizeof(gw_b64));
	return n > 0 && (size_t)n < len ? 0 : -E2BIG;
}

static int
setup_remote(const uint8_t *priv, const uint8_t *gw_pub)
{
	static const uint8_t any[4];
	struct wr_endpoint ep;

	B.rem.counter = REMOTE_COUNTER0;
	B.rem.dev = wr_device_create(&rem_ops, &B.rem);
	if (B.rem.dev == NULL)
		return -ENOMEM;
	wr_device_set_private_key(B.rem.dev, priv);
	wr_device_set_mtu(B.rem.dev, MTU);
	B.rem.peer = wr_device_add_peer(B.rem.dev, gw_pub, NULL);
	if (B.rem.peer == NULL)
		return -ENOMEM;
	memset(&ep, 0, sizeof(ep));
	ep.in4.sin_family = AF_INET;
	ep.in4.sin_addr.s_addr = B.wan.addr;
	ep.in4.sin_port = rte_cpu_to_be_16(WG_PORT);
	wr_peer_set_endpoint(B.rem.peer, &ep);
	return wr_peer_add_allowedip(B.rem.peer, AF_INET, any, 0);
}

/* Push @p n packets of direction @p d until the worker's own queue carries them all: the next
 * hops are resolved (through the control lcore) and cached for the worker. */
static int
warm(enum dir d)
{
	struct rte_mbuf *pkts[32];
	unsigned int try, i;

	for (try = 0; try < 100; try++) {
		memset(B.seen, 0, sizeof(B.seen));
		for (i = 0; i < 32; i++) {
			pkts[i] = d == DECRYPT ? bp_data_frame(64, B.seq++)
					       : bp_lan_frame(64, B.seq++);
			if (pkts[i] == NULL)
				return -ENOBUFS;
		}
		bp_push(d == DECRYPT ? &B.wan : &B.lan, pkts, 32);
		bp_settle(5);
		if (B.seen[d == DECRYPT ? 1 : 0][0] == 32)
			return 0;
	}
	return -ETIMEDOUT;
}

/* The handshake through the rings, started by the gateway for a LAN packet it holds meanwhile */
static int
bring_up(void)
{
	uint64_t deadline = rte_rdtsc() + 5 * B.hz;
	struct rte_mbuf *m = bp_lan_frame(100, B.seq);

	if (m == NULL)
		return -ENOBUFS;
	bp_push(&B.lan, &m, 1);
	B.rem.ticking = true;
	while ((!B.rem.have_keys || B.rem.delivered == 0) && rte_rdtsc() < deadline)
		service();
	if (!B.rem.have_keys || B.rem.delivered == 0) {
		FAIL("no handshake: the remote has %s, %u packets delivered",
			B.rem.have_keys ? "keys" : "no keys", B.rem.delivered);
		fprintf(stderr, "frames seen: wan %u+%u lan %u+%u\n", B.seen[0][0], B.seen[0][1],
			B.seen[1][0], B.seen[1][1]);
		wr_control_stats_print(B.ctl, stderr);
		wr_dp_stats_print(B.dp, stderr);
		return -ETIMEDOUT;
	}
	bp_make_inner(B.scratch, 100, B.lan.saddr, B.inner_remote, B.seq++, 63);
	if (B.rem.last_len != 100 || memcmp(B.rem.last, B.scratch, 100) != 0) {
		FAIL("the held packet arrived changed");
		return -EPROTO;
	}
	bp_settle(10);
	B.rem.ticking = false;
	if (warm(DECRYPT) < 0 || warm(ENCRYPT) < 0) {
		FAIL("the worker never forwarded a whole burst itself");
		return -ETIMEDOUT;
	}
	return 0;
}

int
bp_memory_mb(unsigned int n_mbufs, size_t *mb)
{
	static char conf[2048];
	uint8_t rem_priv[WR_KEY_LEN], gw_pub[WR_KEY_LEN];
	struct wr_config_error cerr = { 0 };
	struct wr_config *cfg = NULL;

	/* the gateway's memory as app/main.c sizes it; the devices do not matter here */
	if (make_conf(conf, sizeof(conf), "net_ring_wan", "net_ring_lan", rem_priv, gw_pub) < 0 ||
		wr_config_load_string(conf, strlen(conf), "bench_pipeline", &cfg, &cerr) < 0) {
		fprintf(stderr, "bench_pipeline: configuration: %s\n", cerr.message);
		return -EINVAL;
	}
	wr_wipe(rem_priv, sizeof(rem_priv));
	wr_wipe(conf, sizeof(conf));
	*mb = ((wr_dp_memory_hint(cfg) + (size_t)n_mbufs * 2560 + (64u << 20)) >> 20) + 1;
	wr_config_free(cfg);
	return 0;
}

int
bp_setup(void)
{
	static char conf[2048];
	uint8_t rem_priv[WR_KEY_LEN], gw_pub[WR_KEY_LEN];
	char wan_dev[RTE_ETH_NAME_MAX_LEN], lan_dev[RTE_ETH_NAME_MAX_LEN];
	int ret;

	B.mp = rte_pktmbuf_pool_create(
		"bench_gen", GEN_MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (B.mp == NULL) {
		fprintf(stderr, "bench_pipeline: no memory for the generator's mbufs\n");
		return -ENOMEM;
	}
	B.inner_remote = RTE_BE32(IP4(198, 51, 100, 130));
	if (make_wire(&B.wan, "wan", RTE_BE32(IP4(192, 0, 2, 1)), RTE_BE32(IP4(192, 0, 2, 2)), 2) <
			0 ||
		make_wire(&B.lan, "lan", RTE_BE32(IP4(203, 0, 113, 1)),
			RTE_BE32(IP4(203, 0, 113, 50)), 50) < 0 ||
		rte_eth_dev_get_name_by_port(B.wan.port_id, wan_dev) != 0 ||
		rte_eth_dev_get_name_by_port(B.lan.port_id, lan_dev) != 0) {
		fprintf(stderr, "bench_pipeline: cannot make the ring ports\n");
		return -ENODEV;
	}
	ret = make_conf(conf, sizeof(conf), wan_dev, lan_dev, rem_priv, gw_pub);
	if (ret == 0)
		ret = setup_gateway(conf);
	wr_wipe(conf, sizeof(conf));
	if (ret < 0)
		goto out;
	rte_eth_macaddr_get(B.wan.port_id, &B.wan.mac);
	rte_eth_macaddr_get(B.lan.port_id, &B.lan.mac);
	ret = setup_remote(rem_priv, gw_pub);
	if (ret < 0) {
		fprintf(stderr, "bench_pipeline: cannot set up the remote peer\n");
		goto out;
	}
	bp_worker_start();
	ret = bring_up();
out:
	wr_wipe(rem_priv, sizeof(rem_priv));
	return ret;
}

void
bp_teardown(void)
{
	bp_worker_stop();
	wr_control_destroy(B.ctl);
	wr_dp_destroy(B.dp);
	if (B.rem.dev != NULL)
		wr_device_destroy(B.rem.dev);
	rte_mempool_free(B.mp);
}
