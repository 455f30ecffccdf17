/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_pipeline: the data plane's throughput, beside the raw batch AEAD of the same run.
 *
 * The gateway is assembled as app/main.c does it (a configuration string, wr_dp_create(),
 * wr_dp_plan(), wr_control_create()) on two net_ring ports made with rte_eth_from_rings(): one RX
 * ring (the generator's way in) and two TX rings (the worker's queue and the control lcore's) per
 * port, so that the worker's real RX/TX path runs. Lcore 1 runs the real worker loop,
 * wr_dp_worker_main(); lcore 0 is the control lcore (wr_dp_poll(), wr_control_poll()) and the
 * generator, which also plays the wire: it answers ARP for the stations behind both ports and
 * carries UDP between the gateway and a second protocol engine, the remote peer. The handshake
 * runs in process through the rings, started by the gateway for a LAN packet (held, then flushed),
 * so that the keypair reaches the worker's keytable exactly as in production.
 *
 * Then, per size (inner IP packet bytes) and repetition: with the worker stopped, the raw
 * wr_aead_open_burst()/wr_aead_seal_burst() rate of that size on lcore 1 (bursts of 32, default
 * backend); then the worker restarted and
 *   - decrypt: a round of data messages sealed with the remote's keys (fresh counters each
 *     round, outside the timed region) pushed into the WAN port's RX ring; what the worker sends
 *     out of the LAN port is counted;
 *   - encrypt: a round of LAN packets to an address in the peer's AllowedIPs; the sealed
 *     messages out of the WAN port are counted.
 * Costs are CPU time of the worker's thread (raw: of the thread on lcore 1 too) per packet, in TSC
 * cycles, from the push to the last packet out: on a shared machine what other processes take of
 * the core is not the worker's. Each measurement is the best of a few (raw slices, rounds);
 * the table shows the median over the repetitions, the ratio the median of the per-repetition
 * ratios. Every packet out is checked after its round: count, headers, order, content (decrypt)
 * or counters and a sample opened with the remote's keys (encrypt).
 *
 * The machine this runs on is shared and noisy: the absolute numbers are indicative, the ratio
 * pipeline/raw (per repetition, median) is the result.
 *
 *	bench_pipeline [--quick] [--json] [--reps N] [--packets N] [--size N] [--no-udp-csum]
 *		[--no-raw]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "control.h"
#include "dataplane.h"
#include "gw.h"
#include "wr_aead_batch.h"
#include "wr_base64.h"
#include "wr_config.h"
#include "wr_crypto.h"
#include "wr_data.h"
#include "wr_device.h"

#define MTU 1420
#define WG_PORT 51820
#define WORKER_LCORE 1
#define GEN_LCORE 0
#define MAX_PACKETS 16384
#define RING_SIZE 32768
#define RAW_BUFS 256
#define RAW_BURST 32
#define MAX_REPS 31
#define HDRS                                                                                       \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))
/* the remote's data counters start far from the engine's own (its keepalives) */
#define REMOTE_COUNTER0 (1ull << 32)
#define INNER_PROTO 253 /* RFC 3692 experimentation */

static const unsigned int sizes[] = { 64, 512, 1420 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

enum dir { DECRYPT, ENCRYPT, NDIRS };
static const char *const dir_names[NDIRS] = { "decrypt", "encrypt" };

/* One gateway port as the wire sees it: its rings, and the station on the other side. */
struct wire {
	const char *name;
	struct rte_ring *rx;    /* generator -> gateway: the port's RX queue 0 */
	struct rte_ring *tx[2]; /* gateway -> generator: TX queue 0 (worker), 1 (control) */
	uint16_t port_id;
	struct rte_ether_addr mac;  /* the gateway port's */
	struct rte_ether_addr smac; /* the station's */
	uint32_t addr, saddr;       /* the gateway's and the station's, network order */
};

/* The remote peer: a second engine, and the keys it learnt, to seal and open on its behalf. */
struct remote {
	struct wr_device *dev;
	struct wr_peer *peer;
	bool have_keys;
	bool ticking; /* its timers run during bring-up only: its own keepalives would be replays */
	uint32_t local_index, remote_index;
	uint8_t send_key[WR_AEAD_KEY_SIZE], recv_key[WR_AEAD_KEY_SIZE];
	uint64_t counter;
	unsigned int delivered;
	uint8_t last[2048];
	size_t last_len;
};

struct sample {
	double pipe_cyc, raw_cyc; /* TSC cycles per packet */
};

struct bench {
	struct wr_dataplane *dp;
	struct wr_control *ctl;
	struct rte_mempool *mp; /* the generator's frames */
	struct wire wan, lan;
	struct remote rem;
	uint32_t inner_remote; /* an address in the peer's AllowedIPs */
	uint64_t hz;
	unsigned int packets, reps, only_size;
	bool json, quick;
	bool no_raw;      /* pipeline rounds only: for profiling the worker (perf record -C 1) */
	bool no_udp_csum; /* the remote sends UDP checksum 0 (IPv4 allows it): nothing to verify */
	unsigned int failures;
	uint32_t seq;
	unsigned int seen[2][2]; /* frames service() took, per wire (WAN, LAN) and TX queue */
	struct rte_mbuf *out[MAX_PACKETS];
	uint8_t scratch[2048];
	struct sample s[NSIZES][NDIRS][MAX_REPS];
	/* raw AEAD, run on the worker's lcore while the worker loop is stopped */
	struct wr_aead_ctx *aead;
	uint8_t *raw_src, *raw_dst, *raw_tag;
	uint8_t raw_key[WR_AEAD_KEY_SIZE];
	unsigned int raw_size;
	bool raw_open;
	double raw_result;
	clockid_t worker_clock; /* the worker lcore's thread CPU time */
	unsigned int best_of; /* raw slices and pipeline rounds per measurement: the best counts */
	uint64_t drops0;      /* drops counted during bring-up (neighbour queues while resolving) */
};

static struct bench B;

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "bench_pipeline: FAIL: " __VA_ARGS__);                             \
		fprintf(stderr, "\n");                                                             \
		B.failures++;                                                                      \
	} while (0)

static uint64_t
now_ns(void)
{
	return wr_gw_tsc_to_ns(rte_rdtsc(), B.hz);
}

static uint64_t
clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* TSC cycles in @p ns of CPU time: per-packet costs in the unit of the TSC */
static double
ns_to_cycles(uint64_t ns)
{
	return (double)ns * (double)B.hz / 1e9;
}

/* ---- frames ---- */

static void
put_eth(void *p, const struct rte_ether_addr *dst, const struct rte_ether_addr *src, uint16_t type)
{
	struct rte_ether_hdr *eh = p;

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(src, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(type);
}

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
static void
make_inner(uint8_t *p, unsigned int len, uint32_t src, uint32_t dst, uint32_t seq, uint8_t ttl)
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
	put_eth(p, &w->mac, &w->smac, RTE_ETHER_TYPE_IPV4);
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
static struct rte_mbuf *
data_frame(unsigned int size, uint32_t seq)
{
	size_t len = wr_data_sealed_len(size, MTU);
	struct rte_mbuf *m = wan_frame(NULL, len);

	if (m == NULL)
		return NULL;
	make_inner(B.scratch, size, B.inner_remote, B.lan.saddr, seq, 64);
	wr_data_seal(rte_pktmbuf_mtod_offset(m, uint8_t *, HDRS), B.rem.send_key,
		B.rem.remote_index, B.rem.counter++, B.scratch, size, MTU);
	/* a real peer sends UDP checksums, and a ring port vouches for none */
	if (!B.no_udp_csum)
		udp_cksum(m);
	return m;
}

/* LAN packet @p seq of @p size bytes from the LAN station to the remote's inner network */
static struct rte_mbuf *
lan_frame(unsigned int size, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(B.mp);
	uint8_t *p;

	if (m == NULL || (p = (uint8_t *)rte_pktmbuf_append(m, 14 + size)) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	put_eth(p, &B.lan.mac, &B.lan.smac, RTE_ETHER_TYPE_IPV4);
	make_inner(p + 14, size, B.lan.saddr, B.inner_remote, seq, 64);
	return m;
}

static int
push(struct wire *w, struct rte_mbuf **pkts, unsigned int n)
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
	return 0;
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
	push(&B.wan, &m, 1);
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

static uint64_t
rem_wall(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
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
	.wall_time_ns = rem_wall,
	.keypair_installed = rem_installed,
};

/* ---- the wire: ARP for the stations, UDP to the remote ---- */

static void
arp_reply(struct wire *w, const struct rte_arp_hdr *req)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(B.mp);
	struct rte_arp_hdr *arp;
	uint8_t *p;

	if (m == NULL || (p = (uint8_t *)rte_pktmbuf_append(m, 14 + sizeof(*arp))) == NULL) {
		rte_pktmbuf_free(m);
		FAIL("no mbuf for an ARP reply");
		return;
	}
	put_eth(p, &w->mac, &w->smac, RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(p + 14);
	*arp = *req;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&w->smac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = req->arp_data.arp_tip;
	rte_ether_addr_copy(&w->mac, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = req->arp_data.arp_sip;
	push(w, &m, 1);
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
			rte_be_to_cpu_16(uh->dgram_len) - sizeof(*uh), now_ns());
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
	if (B.rem.ticking && now_ns() >= wr_device_next_deadline(B.rem.dev))
		wr_device_tick(B.rem.dev, now_ns());
	return work;
}

/* Serve until nothing happened for @p quiet_ms. */
static void
settle(unsigned int quiet_ms)
{
	uint64_t quiet = B.hz * quiet_ms / 1000, last = rte_rdtsc();

	while (rte_rdtsc() - last < quiet)
		if (service() != 0)
			last = rte_rdtsc();
}

/* ---- the worker lcore ---- */

static void
worker_start(void)
{
	/* the loop returns when dp->stop is set; clearing it lets the same lcore run it again */
	__atomic_store_n(&B.dp->stop, 0, __ATOMIC_RELAXED);
	rte_rcu_qsbr_thread_online(B.dp->gw->rcu, WORKER_LCORE);
	rte_eal_remote_launch(wr_dp_worker_main, &B.dp->lcores[WORKER_LCORE], WORKER_LCORE);
}

static void
worker_stop(void)
{
	wr_dp_stop(B.dp);
	rte_eal_wait_lcore(WORKER_LCORE);
}

/* Raw batch AEAD on the worker's lcore: TSC cycles per packet into B.raw_result. */
static int
raw_main(void *arg)
{
	struct wr_aead_op ops[RAW_BURST];
	unsigned int size = B.raw_size, i, b = 0, n = 0;
	uint64_t w0 = 0, t0 = 0, w1, t1, min_ns = 5000000;

	(void)arg;
	for (;;) {
		for (i = 0; i < RAW_BURST; i++) {
			unsigned int k = (b * RAW_BURST + i) % RAW_BUFS;

			ops[i].key = B.raw_key;
			ops[i].counter = k;
			ops[i].src = B.raw_src + (size_t)k * 2048;
			/* open out of place, so that the ciphertext stays valid for the next pass
			 */
			ops[i].dst =
				B.raw_open ? B.raw_dst + (size_t)k * 2048 : (uint8_t *)ops[i].src;
			ops[i].tag = B.raw_tag + (size_t)k * 16;
			ops[i].len = size;
		}
		if (b == RAW_BUFS / RAW_BURST) { /* after one warm pass over the buffers */
			w0 = clock_ns(CLOCK_MONOTONIC);
			t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		}
		if (B.raw_open) {
			if (wr_aead_open_burst(B.aead, ops, RAW_BURST) != RAW_BURST)
				return -EBADMSG;
		} else {
			wr_aead_seal_burst(B.aead, ops, RAW_BURST);
		}
		b++;
		if (b > RAW_BUFS / RAW_BURST) {
			n += RAW_BURST;
			if (n % 256 == 0 && (w1 = clock_ns(CLOCK_MONOTONIC)) - w0 >= min_ns)
				break;
		}
	}
	/* the thread's own CPU time: what other processes took of the core does not count */
	t1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	B.raw_result = ns_to_cycles(t1 - t0) / n;
	return 0;
}

static double
raw_run(unsigned int size, bool open)
{
	struct wr_aead_op op;
	double best = 0;
	unsigned int k;

	B.raw_size = size;
	B.raw_open = open;
	if (open) {
		/* the ciphertexts and tags the open pass checks */
		for (k = 0; k < RAW_BUFS; k++) {
			op = (struct wr_aead_op){ .key = B.raw_key,
				.counter = k,
				.src = B.raw_src + (size_t)k * 2048,
				.dst = B.raw_src + (size_t)k * 2048,
				.tag = B.raw_tag + (size_t)k * 16,
				.len = size };
			wr_aead_seal_burst(B.aead, &op, 1);
		}
	}
	for (k = 0; k < B.best_of; k++) {
		rte_eal_remote_launch(raw_main, NULL, WORKER_LCORE);
		if (rte_eal_wait_lcore(WORKER_LCORE) != 0) {
			FAIL("raw open of %u bytes did not authenticate", size);
			return 0;
		}
		if (best == 0 || B.raw_result < best)
			best = B.raw_result;
	}
	return best;
}

static int
get_clock(void *arg)
{
	(void)arg;
	return pthread_getcpuclockid(pthread_self(), &B.worker_clock);
}

/* ---- rounds ---- */

static bool
check_decrypted(struct rte_mbuf *m, unsigned int size, uint32_t seq)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (rte_pktmbuf_pkt_len(m) != 14 + size ||
		!rte_is_same_ether_addr(&eh->dst_addr, &B.lan.smac) ||
		!rte_is_same_ether_addr(&eh->src_addr, &B.lan.mac) ||
		eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return false;
	/* forwarded: TTL one less, checksum updated */
	make_inner(B.scratch, size, B.inner_remote, B.lan.saddr, seq, 63);
	return memcmp(eh + 1, B.scratch, size) == 0;
}

static bool
udp_ok(const struct rte_ipv4_hdr *ip, const struct rte_udp_hdr *uh)
{
	uint32_t sum =
		rte_raw_cksum(uh, rte_be_to_cpu_16(uh->dgram_len)) + rte_ipv4_phdr_cksum(ip, 0);

	if (uh->dgram_cksum == 0) /* none, as IPv4 allows */
		return true;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The sealed message @p m for inner packet @p seq; @p open: decrypt it and compare too. */
static bool
check_encrypted(struct rte_mbuf *m, unsigned int size, uint32_t seq, uint64_t *counter, bool open)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const void *)(eh + 1);
	const struct rte_udp_hdr *uh = (const void *)(ip + 1);
	const uint8_t *msg = (const uint8_t *)(uh + 1);
	size_t len = wr_data_sealed_len(size, MTU);
	uint8_t plain[2048];
	uint64_t c;
	ssize_t n;

	if (rte_pktmbuf_pkt_len(m) != HDRS + len ||
		!rte_is_same_ether_addr(&eh->dst_addr, &B.wan.smac) ||
		eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->dst_addr != B.wan.saddr ||
		ip->src_addr != B.wan.addr || uh->dst_port != RTE_BE16(WG_PORT) ||
		uh->src_port != RTE_BE16(WG_PORT) || rte_raw_cksum(ip, 20) != 0xffff ||
		!udp_ok(ip, uh) || msg[0] != WR_MSG_DATA ||
		wr_data_receiver(msg) != B.rem.local_index)
		return false;
	c = wr_data_counter(msg);
	if (*counter != UINT64_MAX && c != *counter + 1)
		return false;
	*counter = c;
	if (!open)
		return true;
	n = wr_data_open(plain, B.rem.recv_key, msg, len);
	make_inner(B.scratch, size, B.lan.saddr, B.inner_remote, seq, 63);
	return n >= (ssize_t)size && memcmp(plain, B.scratch, size) == 0;
}

/*
 * One round of @p n packets of @p size bytes in direction @p d through the running worker.
 * Returns the worker thread's CPU time per packet (TSC cycles) from the push to the last packet
 * out, or 0 on failure. CPU time, not wall time: the time others take of the core is not the
 * worker's, and a worker between rounds naps.
 */
static double
round_run(enum dir d, unsigned int size, unsigned int n, bool check_all)
{
	struct rte_mbuf *in[MAX_PACKETS];
	struct wire *from = d == DECRYPT ? &B.wan : &B.lan;
	struct rte_ring *out = d == DECRYPT ? B.lan.tx[0] : B.wan.tx[0];
	uint32_t seq0 = B.seq;
	uint64_t wk0, wk1, deadline, counter = UINT64_MAX;
	unsigned int got = 0, i, bad = 0;

	for (i = 0; i < n; i++) {
		in[i] = d == DECRYPT ? data_frame(size, B.seq++) : lan_frame(size, B.seq++);
		if (in[i] == NULL) {
			FAIL("out of generator mbufs");
			rte_pktmbuf_free_bulk(in, i);
			return 0;
		}
	}
	wk0 = clock_ns(B.worker_clock);
	push(from, in, n);
	deadline = rte_rdtsc() + B.hz * 2;
	while (got < n && rte_rdtsc() < deadline)
		got += rte_ring_dequeue_burst(out, (void **)B.out + got, n - got, NULL);
	wk1 = clock_ns(B.worker_clock);
	/* outside the timed region: every packet out is the expected one */
	for (i = 0; i < got; i++) {
		bool ok = d == DECRYPT ? check_decrypted(B.out[i], size, seq0 + i)
				       : check_encrypted(B.out[i], size, seq0 + i, &counter,
						 check_all || i % 61 == 0 || i + 1 == got);

		bad += !ok;
	}
	rte_pktmbuf_free_bulk(B.out, got);
	if (got != n || bad != 0) {
		FAIL("%s %u bytes: %u of %u packets out, %u not as expected", dir_names[d], size,
			got, n, bad);
		return 0;
	}
	return ns_to_cycles(wk1 - wk0) / n;
}

/* The cheapest of B.best_of rounds: other processes on this machine only ever add time. */
static double
round_measure(enum dir d, unsigned int size, bool check_all)
{
	double best = 0, cyc;
	unsigned int t;

	for (t = 0; t < B.best_of; t++) {
		cyc = round_run(d, size, B.packets, check_all && t == 0);
		settle(2);
		if (cyc == 0)
			return 0;
		if (best == 0 || cyc < best)
			best = cyc;
	}
	return best;
}

/* ---- setup ---- */

static int
make_wire(struct wire *w, const char *name, uint32_t addr, uint32_t saddr, uint8_t mac_last)
{
	char rname[RTE_RING_NAMESIZE];
	unsigned int q;
	int port;

	w->name = name;
	w->addr = addr;
	w->saddr = saddr;
	w->smac = (struct rte_ether_addr){ { 0x02, 0x00, 0x5e, 0x00, 0x53, mac_last } };
	snprintf(rname, sizeof(rname), "%s_rx", name);
	/* one producer (the generator), one consumer (the worker) */
	w->rx = rte_ring_create(
		rname, RING_SIZE, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	for (q = 0; q < 2; q++) {
		snprintf(rname, sizeof(rname), "%s_tx%u", name, q);
		w->tx[q] = rte_ring_create(
			rname, RING_SIZE, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	}
	if (w->rx == NULL || w->tx[0] == NULL || w->tx[1] == NULL)
		return -ENOMEM;
	port = rte_eth_from_rings(name, &w->rx, 1, w->tx, 2, rte_socket_id());
	if (port < 0)
		return -ENODEV;
	w->port_id = (uint16_t)port;
	return 0;
}

static int
setup_gateway(const char *conf)
{
	struct wr_config_error cerr = { 0 };
	struct wr_config *cfg = NULL;
	unsigned int workers[1] = { WORKER_LCORE };
	char err[256];
	int ret;

	ret = wr_config_load_string(conf, strlen(conf), "bench_pipeline", &cfg, &cerr);
	if (ret < 0) {
		fprintf(stderr, "bench_pipeline: configuration: %s\n", cerr.message);
		return ret;
	}
	ret = wr_dp_create(cfg, 1, &B.dp, err, sizeof(err));
	if (ret == 0 && (ret = wr_dp_plan(B.dp, GEN_LCORE, workers, 1)) < 0)
		snprintf(err, sizeof(err), "cannot plan the lcores: %s", strerror(-ret));
	if (ret == 0)
		ret = wr_control_create(B.dp, cfg, &B.ctl, err, sizeof(err));
	if (ret == 0 && B.dp->n_workers != 1) {
		snprintf(err, sizeof(err), "the worker polls no queue");
		ret = -EINVAL;
	}
	wr_config_free(cfg);
	if (ret < 0)
		fprintf(stderr, "bench_pipeline: %s\n", err);
	return ret;
}

static const char conf_fmt[] = "[Gateway]\n"
			       "Control = %u\n"
			       "Workers = %u\n"
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
	uint8_t gw_priv[WR_KEY_LEN], rem_pub[WR_KEY_LEN];
	char gw_b64[WR_BASE64_KEY_LEN + 1], rem_b64[WR_BASE64_KEY_LEN + 1], ifname[16];
	int n;

	wr_x25519_generate(gw_priv);
	wr_x25519_public(gw_pub, gw_priv);
	wr_x25519_generate(rem_priv);
	wr_x25519_public(rem_pub, rem_priv);
	wr_base64_key_encode(gw_b64, gw_priv);
	wr_base64_key_encode(rem_b64, rem_pub);
	/* the UAPI socket's name: unique, as other gateways may run on this machine */
	snprintf(ifname, sizeof(ifname), "bp%u", (unsigned int)getpid());
	n = snprintf(buf, len, conf_fmt, GEN_LCORE, WORKER_LCORE, wan_dev, lan_dev, ifname, gw_b64,
		WG_PORT, MTU, rem_b64, WG_PORT);
	wr_wipe(gw_priv, sizeof(gw_priv));
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
			pkts[i] = d == DECRYPT ? data_frame(64, B.seq++) : lan_frame(64, B.seq++);
			if (pkts[i] == NULL)
				return -ENOBUFS;
		}
		push(d == DECRYPT ? &B.wan : &B.lan, pkts, 32);
		settle(5);
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
	struct rte_mbuf *m = lan_frame(100, B.seq);

	if (m == NULL)
		return -ENOBUFS;
	push(&B.lan, &m, 1);
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
	make_inner(B.scratch, 100, B.lan.saddr, B.inner_remote, B.seq++, 63);
	if (B.rem.last_len != 100 || memcmp(B.rem.last, B.scratch, 100) != 0) {
		FAIL("the held packet arrived changed");
		return -EPROTO;
	}
	settle(10);
	B.rem.ticking = false;
	if (warm(DECRYPT) < 0 || warm(ENCRYPT) < 0) {
		FAIL("the worker never forwarded a whole burst itself");
		return -ETIMEDOUT;
	}
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t
drops_total(void)
{
	uint64_t sum = 0;
	unsigned int l, d;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		for (d = 0; d < WR_DP_DROP__COUNT; d++)
			sum += B.dp->lcores[l].drops[d];
		for (d = 0; d < WR_DROP_COUNT; d++)
			sum += B.dp->lcores[l].proto_drops[d];
	}
	return sum;
}

static void
report(void)
{
	unsigned int si, d, r, printed = 0;
	double mhz = (double)B.hz / 1e6;
	const char *backend = wr_aead_backend_name(wr_aead_ctx_backend(B.aead));

	if (B.json) {
		printf("{\"bench\": \"pipeline\", \"backend\": \"%s\", \"tsc_mhz\": %.0f, "
		       "\"reps\": %u, \"packets\": %u, \"indicative\": true, \"failures\": %u, "
		       "\"drops\": %" PRIu64 ", \"best_of\": %u, \"results\": [",
			backend, mhz, B.reps, B.packets, B.failures, drops_total() - B.drops0,
			B.best_of);
	} else {
		printf("bench_pipeline: 1 worker (lcore %u) fed by a generator (lcore %u) over "
		       "net_ring ports; AEAD backend %s; TSC %.0f MHz; median of %u repetitions of "
		       "the best of %u rounds of %u packets; cycles: CPU time of the worker's "
		       "thread\n",
			WORKER_LCORE, GEN_LCORE, backend, mhz, B.reps, B.best_of, B.packets);
		printf("bench_pipeline: numbers from a 2-core shared VM are indicative: compare "
		       "the "
		       "ratios (pipeline / raw batch AEAD on the same core, same run)\n\n");
		printf("%-8s %5s | %9s %8s %8s | %9s %8s %8s | %6s\n", "dir", "bytes", "pipe Mpps",
			"Gbit/s", "cyc/pkt", "raw Mpps", "Gbit/s", "cyc/pkt", "ratio");
	}
	for (si = 0; si < NSIZES; si++) {
		for (d = 0; d < NDIRS; d++) {
			double pipe[MAX_REPS], raw[MAX_REPS], ratio[MAX_REPS], pc, rc, rt;
			unsigned int n = 0;

			for (r = 0; r < B.reps; r++) {
				const struct sample *s = &B.s[si][d][r];

				if (s->pipe_cyc <= 0 || (s->raw_cyc <= 0 && !B.no_raw))
					continue;
				pipe[n] = s->pipe_cyc;
				raw[n] = B.no_raw ? 1e300 : s->raw_cyc;
				ratio[n++] = B.no_raw ? 0 : s->raw_cyc / s->pipe_cyc;
			}
			if (n == 0)
				continue;
			pc = median(pipe, n);
			rc = median(raw, n);
			rt = median(ratio, n);
			if (B.json) {
				printf("%s{\"direction\": \"%s\", \"size\": %u, \"pipeline\": "
				       "{\"mpps\": %.4f, \"gbps\": %.3f, \"cycles_per_packet\": "
				       "%.0f}",
					printed++ == 0 ? "" : ", ", dir_names[d], sizes[si],
					mhz / pc, mhz / pc * sizes[si] * 8 / 1000, pc);
				if (B.no_raw)
					printf(", \"raw\": null, \"ratio\": null}");
				else
					printf(", \"raw\": {\"mpps\": %.4f, \"gbps\": %.3f, "
					       "\"cycles_per_packet\": %.0f}, \"ratio\": %.3f}",
						mhz / rc, mhz / rc * sizes[si] * 8 / 1000, rc, rt);
				continue;
			}
			printf("%-8s %5u | %9.3f %8.2f %8.0f | ", dir_names[d], sizes[si], mhz / pc,
				mhz / pc * sizes[si] * 8 / 1000, pc);
			if (B.no_raw)
				printf("%9s %8s %8s | %6s\n", "-", "-", "-", "-");
			else
				printf("%9.3f %8.2f %8.0f | %6.3f\n", mhz / rc,
					mhz / rc * sizes[si] * 8 / 1000, rc, rt);
		}
	}
	if (B.json) {
		printf("]}\n");
	} else {
		printf("\nbench_pipeline: target at 1420 bytes: ratio >= 0.85; every packet out "
		       "checked: %s; drops %" PRIu64 "\n",
			B.failures == 0 ? "ok" : "FAILURES", drops_total() - B.drops0);
	}
	fflush(stdout);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: bench_pipeline [--quick] [--json] [--reps N] [--packets N] [--size N]\n"
		"                      [--no-udp-csum] [--no-raw]\n"
		"\n"
		"The gateway's worker loop on lcore 1, fed over net_ring ports by a generator on\n"
		"lcore 0 (EAL: -l 0-1 --no-huge --no-shconf), after an in-process handshake\n"
		"with a second engine; decrypt and encrypt at %u, %u and %u inner bytes, beside\n"
		"the raw batch AEAD rate of the same size on lcore 1 in the same run. Costs are\n"
		"the CPU time of lcore 1's thread per packet, in TSC cycles.\n"
		"\n"
		"  --quick       3 repetitions of the best of 2 rounds of 2048 packets\n"
		"                (default: 7 of the best of 3 rounds of 8192)\n"
		"  --reps N      repetitions (odd is best: the median is reported)\n"
		"  --packets N   packets per round (at most %u)\n"
		"  --size N      only this size\n"
		"  --no-udp-csum the remote's data messages carry UDP checksum 0 (as a NIC's\n"
		"                RX checksum offload would spare the worker verifying it)\n"
		"  --no-raw      pipeline rounds only, for profiling the worker:\n"
		"                perf record -g -C 1 -- bench_pipeline --no-raw --size 1420\n"
		"  --json        one JSON object instead of the table\n"
		"  -h, --help    this help\n"
		"\n"
		"Exit status 1 when a packet out was not the expected one. Set WR_AEAD_BACKEND\n"
		"to force a backend (both sides use it).\n",
		sizes[0], sizes[1], sizes[2], MAX_PACKETS);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "reps", required_argument, NULL, 'r' },
		{ "packets", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "no-udp-csum", no_argument, NULL, 'u' },
		{ "no-raw", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char conf[2048];
	uint8_t rem_priv[WR_KEY_LEN], gw_pub[WR_KEY_LEN];
	char wan_dev[RTE_ETH_NAME_MAX_LEN], lan_dev[RTE_ETH_NAME_MAX_LEN], mem[32];
	char *eal[] = { argv[0], "-l", "0-1", "--main-lcore", "0", "--no-huge", "--no-shconf", "-m",
		mem, "--no-pci", "--no-telemetry", "--log-level=warning", NULL };
	struct wr_config_error cerr = { 0 };
	struct wr_config *cfg = NULL;
	unsigned int si, r, n_mbufs;
	int opt, ret, status = EXIT_FAILURE;
	long v;

	B.reps = 0;
	B.packets = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			B.quick = true;
			break;
		case 'j':
			B.json = true;
			break;
		case 'r':
			v = strtol(optarg, NULL, 10);
			if (v < 1 || v > MAX_REPS) {
				fprintf(stderr, "bench_pipeline: --reps: 1 to %u\n", MAX_REPS);
				return 2;
			}
			B.reps = (unsigned int)v;
			break;
		case 'n':
			v = strtol(optarg, NULL, 10);
			if (v < 64 || v > MAX_PACKETS) {
				fprintf(stderr, "bench_pipeline: --packets: 64 to %u\n",
					MAX_PACKETS);
				return 2;
			}
			B.packets = (unsigned int)v;
			break;
		case 's':
			B.only_size = (unsigned int)strtoul(optarg, NULL, 10);
			for (si = 0; si < NSIZES && sizes[si] != B.only_size; si++)
				;
			if (si == NSIZES) {
				fprintf(stderr, "bench_pipeline: --size: %u, %u or %u\n", sizes[0],
					sizes[1], sizes[2]);
				return 2;
			}
			break;
		case 'R':
			B.no_raw = true;
			break;
		case 'u':
			B.no_udp_csum = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (B.reps == 0)
		B.reps = B.quick ? 3 : 7;
	if (B.packets == 0)
		B.packets = B.quick ? 2048 : 8192;
	B.best_of = B.quick ? 2 : 3;

	/* EAL's memory: the gateway's as app/main.c sizes it, plus the generator's pool */
	if (make_conf(conf, sizeof(conf), "net_ring_wan", "net_ring_lan", rem_priv, gw_pub) < 0 ||
		wr_config_load_string(conf, strlen(conf), "bench_pipeline", &cfg, &cerr) < 0) {
		fprintf(stderr, "bench_pipeline: configuration: %s\n", cerr.message);
		return EXIT_FAILURE;
	}
	n_mbufs = 2 * MAX_PACKETS + 4096;
	snprintf(mem, sizeof(mem), "%zu",
		((wr_dp_memory_hint(cfg) + (size_t)n_mbufs * 2560 + (64u << 20)) >> 20) + 1);
	wr_config_free(cfg);
	ret = rte_eal_init((int)RTE_DIM(eal) - 1, eal);
	if (ret < 0) {
		fprintf(stderr, "bench_pipeline: cannot start EAL: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	if (rte_lcore_count() != 2 || rte_lcore_id() != GEN_LCORE) {
		fprintf(stderr, "bench_pipeline: needs lcores 0 and 1\n");
		goto out_eal;
	}
	B.hz = rte_get_tsc_hz();
	B.mp = rte_pktmbuf_pool_create(
		"bench_gen", n_mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	B.aead = wr_aead_ctx_create(WR_AEAD_AUTO);
	B.raw_src = rte_malloc(NULL, (size_t)RAW_BUFS * 2048, 64);
	B.raw_dst = rte_malloc(NULL, (size_t)RAW_BUFS * 2048, 64);
	B.raw_tag = rte_malloc(NULL, (size_t)RAW_BUFS * 16, 64);
	if (B.mp == NULL || B.aead == NULL || B.raw_src == NULL || B.raw_dst == NULL ||
		B.raw_tag == NULL) {
		fprintf(stderr, "bench_pipeline: out of memory\n");
		goto out_eal;
	}
	wr_random(B.raw_key, sizeof(B.raw_key));
	wr_random(B.raw_src, (size_t)RAW_BUFS * 2048);
	B.inner_remote = RTE_BE32(RTE_IPV4(198, 51, 100, 130));
	if (make_wire(&B.wan, "wan", RTE_BE32(RTE_IPV4(192, 0, 2, 1)),
		    RTE_BE32(RTE_IPV4(192, 0, 2, 2)), 2) < 0 ||
		make_wire(&B.lan, "lan", RTE_BE32(RTE_IPV4(203, 0, 113, 1)),
			RTE_BE32(RTE_IPV4(203, 0, 113, 50)), 50) < 0 ||
		rte_eth_dev_get_name_by_port(B.wan.port_id, wan_dev) != 0 ||
		rte_eth_dev_get_name_by_port(B.lan.port_id, lan_dev) != 0) {
		fprintf(stderr, "bench_pipeline: cannot make the ring ports\n");
		goto out_eal;
	}
	if (make_conf(conf, sizeof(conf), wan_dev, lan_dev, rem_priv, gw_pub) < 0 ||
		setup_gateway(conf) < 0)
		goto out_eal;
	wr_wipe(conf, sizeof(conf));
	rte_eth_macaddr_get(B.wan.port_id, &B.wan.mac);
	rte_eth_macaddr_get(B.lan.port_id, &B.lan.mac);
	if (setup_remote(rem_priv, gw_pub) < 0) {
		fprintf(stderr, "bench_pipeline: cannot set up the remote peer\n");
		goto out_gw;
	}
	wr_wipe(rem_priv, sizeof(rem_priv));
	rte_eal_remote_launch(get_clock, NULL, WORKER_LCORE);
	if (rte_eal_wait_lcore(WORKER_LCORE) != 0) {
		fprintf(stderr, "bench_pipeline: no CPU clock for the worker's thread\n");
		goto out_gw;
	}
	worker_start();
	if (bring_up() < 0)
		goto out_worker;
	B.drops0 = drops_total();

	for (r = 0; r < B.reps; r++) {
		for (si = 0; si < NSIZES; si++) {
			struct sample *sd = &B.s[si][DECRYPT][r], *se = &B.s[si][ENCRYPT][r];

			if (B.only_size != 0 && sizes[si] != B.only_size)
				continue;

			/* raw AEAD on the worker's core, right before the pipeline's rounds */
			if (!B.no_raw) {
				worker_stop();
				sd->raw_cyc = raw_run(sizes[si], true);
				se->raw_cyc = raw_run(sizes[si], false);
				worker_start();
			}
			sd->pipe_cyc = round_measure(DECRYPT, sizes[si], r == 0);
			se->pipe_cyc = round_measure(ENCRYPT, sizes[si], r == 0);
		}
	}
	report();
	if (drops_total() != B.drops0)
		wr_dp_stats_print(B.dp, stderr);
	status = B.failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
out_worker:
	worker_stop();
out_gw:
	wr_control_destroy(B.ctl);
	wr_dp_destroy(B.dp);
	wr_device_destroy(B.rem.dev);
out_eal:
	wr_aead_ctx_free(B.aead);
	rte_free(B.raw_src);
	rte_free(B.raw_dst);
	rte_free(B.raw_tag);
	rte_mempool_free(B.mp);
	rte_eal_cleanup();
	return status;
}
