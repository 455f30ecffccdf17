/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data plane's assembly: ports from the configuration, the mbuf pool, the host-stack poll
 * loop and its L2/L3 dispatch, counters.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "dataplane.h"
#include "gw.h"
#include "host.h"
#include "neigh.h"
#include "worker.h"
#include "wr_config.h"

/* mbufs a port's neighbour queues may hold at once (neigh.h's limit), in the pool's sizing */
#define DP_NEIGH_MBUFS WR_NEIGH_TABLE_QUEUED
#define DP_POOL_SPARE 1024
/*
 * What the rings between the lcores and the held queues may keep, when the control lcore falls
 * behind a flood: in the pool too, so that receiving never runs dry because of them.
 */
#define DP_QUEUED_MBUFS                                                                          \
	(WR_DP_CONTROL_RING + WR_GW_HS_RING + WR_GW_HELD_RING + WR_GW_ROUTE_RING + WR_DP_HELD_MBUFS)
/* EAL, ethdev and tables beyond the mbuf pool, when sizing -m */
#define DP_MEMORY_MARGIN (128u << 20)
/*
 * Per peer of MaxPeers, with room to spare: two ids, each a struct wr_dp_peer, a counter row on
 * each of @p lcores lcores and, in each of @p ifaces interfaces' keytables, its share of the
 * buckets by local and by remote index.
 */
#define DP_PEER_BYTES(lcores, ifaces) ((size_t)2 * (256 + 64 * (lcores) + 128 * (ifaces)))
/* One interface's cryptokey routing tables: rte_lpm and rte_lpm6 each take a 64 MiB tbl24, plus
 * their tbl8 groups (with a quarter to spare); an interface keeps two, active and standby, that
 * take turns (struct wr_lpm_pub) */
#define DP_IFACE_TABLES ((size_t)2 * (144u << 20))

_Static_assert(WR_DP_MAX_IFACES == WR_GW_MAX_IFACES, "a protocol drop row per interface");

static const char *const drop_names[WR_DP_DROP__COUNT] = {
#define WR_DP_DROP_NAME(sym, name) name,
	WR_DP_DROP_LIST(WR_DP_DROP_NAME)
#undef WR_DP_DROP_NAME
};

const char *
wr_dp_drop_name(enum wr_dp_drop d)
{
	return (unsigned int)d < WR_DP_DROP__COUNT ? drop_names[d] : "unknown";
}

static unsigned int
pool_size(size_t n_ports, unsigned int nb_queues, unsigned int n_lcores)
{
	return n_ports * (nb_queues * WR_PORT_RX_DESC + (nb_queues + 1) * WR_PORT_TX_DESC +
				 DP_NEIGH_MBUFS) +
	       n_lcores * (WR_DP_MBUF_CACHE * 3 / 2 + WR_DP_BURST * WR_DP_MAX_PORTS) +
	       DP_QUEUED_MBUFS + DP_POOL_SPARE;
}

size_t
wr_dp_memory_hint(const struct wr_config *cfg)
{
	unsigned int workers = cfg->n_workers;
	size_t per_mbuf = RTE_MBUF_DEFAULT_BUF_SIZE + sizeof(struct rte_mbuf) + RTE_CACHE_LINE_SIZE;

	return (size_t)pool_size(cfg->n_ports, workers, workers + 1) * per_mbuf + DP_MEMORY_MARGIN +
	       cfg->n_interfaces * DP_IFACE_TABLES +
	       cfg->max_peers * DP_PEER_BYTES(workers + 1, cfg->n_interfaces);
}

struct wr_dp_lcore *
wr_dp_lcore(struct wr_dataplane *dp, unsigned int lcore_id, uint16_t txq)
{
	struct wr_dp_lcore *lc = &dp->lcores[lcore_id];

	lc->dp = dp;
	lc->lcore_id = lcore_id;
	lc->txq = txq;
	wr_dp_proto_iface(lc, WR_DP_PROTO_GATEWAY);
	return lc;
}

static int
setup_port(struct wr_dataplane *dp, const struct wr_config_port *cp, struct wr_port *p,
	uint16_t nb_queues, char *err, size_t errlen)
{
	size_t i;
	int ret;

	snprintf(p->name, sizeof(p->name), "%s", cp->name);
	p->port_id = RTE_MAX_ETHPORTS;
	if (cp->n_addrs > WR_PORT_MAX_ADDRS) {
		snprintf(err, errlen, "port %s: %zu addresses, at most %u supported", cp->name,
			cp->n_addrs, WR_PORT_MAX_ADDRS);
		return -E2BIG;
	}
	ret = wr_port_lookup(cp->device, &p->port_id);
	if (ret < 0) {
		p->port_id = RTE_MAX_ETHPORTS;
		/* drivers often fail a probe with a bare -1: the EAL log above says why */
		snprintf(err, errlen, "port %s: no DPDK device for '%s': %s", cp->name, cp->device,
			ret == -1 ? "the driver refused it" : rte_strerror(-ret));
		return ret;
	}
	for (i = 0; i < p->index; i++) {
		if (dp->ports[i].port_id == p->port_id) {
			snprintf(err, errlen, "port %s: device '%s' is port %s's already", cp->name,
				cp->device, dp->ports[i].name);
			p->port_id = RTE_MAX_ETHPORTS;
			return -EEXIST;
		}
	}
	for (i = 0; i < cp->n_addrs; i++) {
		ret = wr_port_add_addr(
			p, cp->addrs[i].family, cp->addrs[i].addr, cp->addrs[i].cidr);
		if (ret < 0) {
			snprintf(err, errlen, "port %s: address %zu: %s", cp->name, i + 1,
				strerror(-ret));
			return ret;
		}
	}
	p->neigh = wr_neigh_create(rte_socket_id());
	if (p->neigh == NULL) {
		snprintf(err, errlen, "port %s: no memory for the neighbour table", cp->name);
		return -ENOMEM;
	}
	ret = wr_port_start(p, dp->mp, nb_queues, nb_queues + 1);
	if (ret < 0) {
		snprintf(err, errlen, "port %s: cannot start '%s': %s", cp->name, cp->device,
			rte_strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * WIRERATE_TIME_SCALE=N (tests only) runs the engine's and the workers' protocol clock N times
 * faster than real time, so that REKEY_AFTER_TIME and REJECT_AFTER_TIME pass in seconds. Anything
 * else than an integer 2..1000 leaves the clock alone.
 */
static uint64_t
engine_time_scale(void)
{
	const char *s = getenv("WIRERATE_TIME_SCALE");
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return 1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 2 || v > 1000) {
		fprintf(stderr, "wirerate: warning: WIRERATE_TIME_SCALE='%s' ignored (2..1000)\n",
			s);
		return 1;
	}
	fprintf(stderr,
		"wirerate: warning: protocol clock runs %lu times faster (WIRERATE_TIME_SCALE, "
		"for tests only)\n",
		v);
	return v;
}

int
wr_dp_create(const struct wr_config *cfg, uint16_t nb_queues, struct wr_dataplane **out, char *err,
	size_t errlen)
{
	struct wr_dataplane *dp;
	unsigned int n_mbufs;
	size_t i;
	int ret;

	*out = NULL;
	if (cfg->n_ports > WR_DP_MAX_PORTS) {
		snprintf(err, errlen, "%zu ports configured, at most %u supported", cfg->n_ports,
			WR_DP_MAX_PORTS);
		return -E2BIG;
	}
	if (nb_queues == 0)
		nb_queues = 1;
	dp = rte_zmalloc("wr_dataplane", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL)
		goto err_nomem;
	dp->hz = rte_get_tsc_hz();
	dp->clock_hz = dp->hz / engine_time_scale();
	dp->lcores = rte_zmalloc(
		"wr_dp_lcores", RTE_MAX_LCORE * sizeof(*dp->lcores), RTE_CACHE_LINE_SIZE);
	if (dp->lcores == NULL)
		goto err_nomem;
	n_mbufs = pool_size(cfg->n_ports, nb_queues, rte_lcore_count());
	dp->mp = rte_pktmbuf_pool_create("wr_mbuf", n_mbufs, WR_DP_MBUF_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp->mp == NULL) {
		snprintf(err, errlen, "cannot create a pool of %u mbufs: %s", n_mbufs,
			rte_strerror(rte_errno));
		ret = -ENOMEM;
		goto err_destroy;
	}
	for (i = 0; i < cfg->n_ports; i++) {
		struct wr_port *p = &dp->ports[i];

		p->index = i;
		p->port_id = RTE_MAX_ETHPORTS;
		dp->nb_ports = i + 1;
		ret = setup_port(dp, &cfg->ports[i], p, nb_queues, err, errlen);
		if (ret < 0)
			goto err_destroy;
	}
	/* every lcore counts protocol drops somewhere, planned (wr_dp_lcore()) or not */
	for (i = 0; i < RTE_MAX_LCORE; i++)
		wr_dp_proto_iface(&dp->lcores[i], WR_DP_PROTO_GATEWAY);
	*out = dp;
	return 0;

err_nomem:
	snprintf(err, errlen, "out of memory");
	ret = -ENOMEM;
err_destroy:
	wr_dp_destroy(dp);
	return ret;
}

void
wr_dp_destroy(struct wr_dataplane *dp)
{
	unsigned int i, j, k;

	if (dp == NULL)
		return;
	for (i = 0; i < dp->nb_ports; i++)
		wr_port_close(&dp->ports[i]);
	if (dp->lcores != NULL) {
		for (i = 0; i < RTE_MAX_LCORE; i++)
			for (j = 0; j < WR_DP_MAX_PORTS; j++)
				for (k = 0; k < dp->lcores[i].tx[j].n; k++)
					rte_pktmbuf_free(dp->lcores[i].tx[j].pkts[k]);
	}
	for (i = 0; i < dp->nb_ports; i++)
		wr_neigh_free(dp->ports[i].neigh);
	if (dp->to_control != NULL) {
		void *m;

		while (rte_ring_dequeue(dp->to_control, &m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dp->to_control);
	}
	rte_mempool_free(dp->mp);
	rte_free(dp->lcores);
	rte_free(dp);
}

void
wr_dp_flush(struct wr_dp_lcore *lc)
{
	uint16_t i;

	for (i = 0; i < lc->dp->nb_ports; i++)
		wr_dp_flush_port(lc, &lc->dp->ports[i]);
}

static const uint8_t all_nodes6[16] = { 0xff, 0x02, [15] = 0x01 };

static void
input_ipv4(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint16_t l3)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3);
	uint32_t avail = rte_pktmbuf_data_len(m) - l3;
	uint16_t hlen, total;

	if (avail < sizeof(*ip)) {
		wr_dp_drop(lc, WR_DP_DROP_RUNT, m);
		return;
	}
	hlen = rte_ipv4_hdr_len(ip);
	total = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) || total < hlen || total > avail) {
		wr_dp_drop(lc, WR_DP_DROP_IP4_MALFORMED, m);
		return;
	}
	if (rte_raw_cksum(ip, hlen) != 0xffff) {
		wr_dp_drop(lc, WR_DP_DROP_IP4_CHECKSUM, m);
		return;
	}
	/* Ethernet pads short frames: keep exactly the IP packet */
	rte_pktmbuf_trim(m, avail - total);
	if (wr_port_find_addr4(port, &ip->dst_addr) == NULL) {
		wr_dp_drop(lc, WR_DP_DROP_NOT_FOR_US, m);
		return;
	}
	if ((rte_be_to_cpu_16(ip->fragment_offset) &
		    (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0) {
		wr_dp_drop(lc, WR_DP_DROP_IP4_FRAGMENT, m);
		return;
	}
	wr_icmp4_input(lc, port, m, l3);
}

static void
input_ipv6(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint16_t l3)
{
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l3);
	uint32_t avail = rte_pktmbuf_data_len(m) - l3;
	uint32_t total;

	if (avail < sizeof(*ip6)) {
		wr_dp_drop(lc, WR_DP_DROP_RUNT, m);
		return;
	}
	total = sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6 || total > avail) {
		wr_dp_drop(lc, WR_DP_DROP_IP6_MALFORMED, m);
		return;
	}
	rte_pktmbuf_trim(m, avail - total);
	if (wr_port_find_addr6(port, ip6->dst_addr) == NULL &&
		!wr_port_is_snm(port, ip6->dst_addr) &&
		memcmp(ip6->dst_addr, all_nodes6, 16) != 0) {
		wr_dp_drop(lc, WR_DP_DROP_NOT_FOR_US, m);
		return;
	}
	wr_icmp6_input(lc, port, m, l3);
}

void
wr_dp_input(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint16_t l3 = sizeof(*eh);

	if (!rte_pktmbuf_is_contiguous(m)) {
		wr_dp_drop(lc, WR_DP_DROP_SEGMENTED, m);
		return;
	}
	if (rte_pktmbuf_data_len(m) < l3) {
		wr_dp_drop(lc, WR_DP_DROP_RUNT, m);
		return;
	}
	/* a software port (af_packet) sees frames for other stations too */
	if (rte_is_unicast_ether_addr(&eh->dst_addr) &&
		!rte_is_same_ether_addr(&eh->dst_addr, &port->mac)) {
		wr_dp_drop(lc, WR_DP_DROP_NOT_OUR_MAC, m);
		return;
	}
	/* no station sends from a group or the zero address: whatever answered it would go to all
	 * stations or none (ARP replies, adverts and echo replies go to the frame's source) */
	if (!rte_is_valid_assigned_ether_addr(&eh->src_addr)) {
		wr_dp_drop(lc, WR_DP_DROP_BAD_SOURCE_MAC, m);
		return;
	}
	switch (rte_be_to_cpu_16(eh->ether_type)) {
	case RTE_ETHER_TYPE_ARP:
		wr_arp_input(lc, port, m, l3);
		break;
	case RTE_ETHER_TYPE_IPV4:
		input_ipv4(lc, port, m, l3);
		break;
	case RTE_ETHER_TYPE_IPV6:
		input_ipv6(lc, port, m, l3);
		break;
	default:
		wr_dp_drop(lc, WR_DP_DROP_ETHERTYPE, m);
		break;
	}
}

/* The port a frame handed over by a worker came in on (m->port is its ethdev) */
static struct wr_port *
port_of(struct wr_dataplane *dp, const struct rte_mbuf *m)
{
	uint16_t i;

	for (i = 0; i < dp->nb_ports; i++)
		if (dp->ports[i].port_id == m->port)
			return &dp->ports[i];
	return NULL;
}

/* A worker's received burst when WireGuard is not set up (no dp->gw): the host stack's. */
static void
worker_rx(struct wr_dp_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	unsigned int sent = rte_ring_enqueue_burst(lc->dp->to_control, (void **)pkts, n, NULL);

	for (; sent < n; sent++)
		wr_dp_drop(lc, WR_DP_DROP_CONTROL_RING_FULL, pkts[sent]);
}

static void
input_burst(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct wr_port *p = port != NULL ? port : port_of(lc->dp, pkts[i]);

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (p == NULL)
			wr_dp_drop(lc, WR_DP_DROP_RUNT, pkts[i]);
		else
			wr_dp_input(lc, p, pkts[i]);
	}
}

unsigned int
wr_dp_poll(struct wr_dp_lcore *lc)
{
	struct wr_dataplane *dp = lc->dp;
	struct rte_mbuf *pkts[WR_DP_BURST];
	unsigned int total = 0, i;
	uint16_t p, n;

	lc->now = rte_rdtsc();
	lc->now_ns = wr_gw_tsc_to_ns(lc->now, dp->clock_hz);
	for (i = 0; i < lc->n_rxq; i++) {
		struct wr_port *port = &dp->ports[lc->rxq[i].port];

		n = rte_eth_rx_burst(port->port_id, lc->rxq[i].queue, pkts, WR_DP_BURST);
		lc->port[port->index].rx_pkts += n;
		total += n;
		if (n == 0)
			continue;
		if (dp->gw != NULL && lc->worker != NULL)
			wr_worker_rx(lc, port, pkts, n);
		else if (lc->control)
			input_burst(lc, port, pkts, n);
		else
			worker_rx(lc, pkts, n);
	}
	if (lc->control && dp->to_control != NULL) {
		n = (uint16_t)rte_ring_dequeue_burst(
			dp->to_control, (void **)pkts, WR_DP_BURST, NULL);
		total += n;
		input_burst(lc, NULL, pkts, n);
	}
	if (lc->control && lc->now >= lc->next_tick) {
		for (p = 0; p < dp->nb_ports; p++)
			wr_neigh_tick(lc, &dp->ports[p]);
		lc->next_tick = lc->now + dp->hz * WR_DP_TICK_MS / 1000;
	}
	wr_dp_flush(lc);
	return total;
}

static int
give_rxq(struct wr_dp_lcore *lc, uint16_t port, uint16_t queue)
{
	if (lc->n_rxq == WR_DP_LCORE_MAX_RXQ)
		return -EINVAL;
	lc->rxq[lc->n_rxq].port = port;
	lc->rxq[lc->n_rxq].queue = queue;
	lc->n_rxq++;
	return 0;
}

int
wr_dp_plan(struct wr_dataplane *dp, unsigned int control_lcore, const unsigned int *workers,
	size_t n_workers)
{
	struct wr_dp_lcore *control;
	bool split = n_workers > 0;
	uint16_t p, q;
	size_t w;
	int ret;

	if (control_lcore >= RTE_MAX_LCORE)
		return -EINVAL;
	for (w = 0; w < n_workers; w++)
		if (workers[w] >= RTE_MAX_LCORE || workers[w] == control_lcore)
			return -EINVAL;
	/* TX queues are not shared: each worker needs its own, and control one more */
	for (p = 0; p < dp->nb_ports; p++)
		if (dp->ports[p].nb_txq < n_workers + 1)
			split = false;
	control = wr_dp_lcore(dp, control_lcore, split ? (uint16_t)n_workers : 0);
	control->control = true;
	dp->control_lcore = control_lcore;
	if (!split) {
		dp->n_workers = 0;
		for (p = 0; p < dp->nb_ports; p++)
			for (q = 0; q < dp->ports[p].nb_rxq; q++)
				if ((ret = give_rxq(control, p, q)) < 0)
					return ret;
		return 0;
	}
	dp->to_control = rte_ring_create(
		"wr_to_control", WR_DP_CONTROL_RING, (int)rte_socket_id(), RING_F_SC_DEQ);
	if (dp->to_control == NULL)
		return -ENOMEM;
	dp->n_workers = (unsigned int)n_workers;
	for (w = 0; w < n_workers; w++)
		wr_dp_lcore(dp, workers[w], (uint16_t)w);
	/* queue q of every port to worker q mod n: with RSS, each worker gets its share of flows */
	for (p = 0; p < dp->nb_ports; p++)
		for (q = 0; q < dp->ports[p].nb_rxq; q++)
			if ((ret = give_rxq(&dp->lcores[workers[q % n_workers]], p, q)) < 0)
				return ret;
	return 0;
}

int
wr_dp_worker_main(void *arg)
{
	struct wr_dp_lcore *lc = arg;
	unsigned int idle = 0;

	struct rte_rcu_qsbr *rcu = lc->dp->gw != NULL ? lc->dp->gw->rcu : NULL;

	while (!__atomic_load_n(&lc->dp->stop, __ATOMIC_RELAXED)) {
		if (wr_dp_poll(lc) != 0)
			idle = 0;
		else if (++idle >= WR_DP_IDLE_POLLS)
			rte_delay_us_sleep(WR_DP_IDLE_SLEEP_US);
		/* between bursts: nothing read from the published tables is held any more */
		if (rcu != NULL)
			rte_rcu_qsbr_quiescent(rcu, lc->lcore_id);
	}
	if (rcu != NULL)
		rte_rcu_qsbr_thread_offline(rcu, lc->lcore_id);
	return 0;
}

void
wr_dp_stop(struct wr_dataplane *dp)
{
	__atomic_store_n(&dp->stop, 1, __ATOMIC_RELAXED);
}

uint64_t
wr_dp_drops_total(const struct wr_dataplane *dp, enum wr_dp_drop d)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE; i++)
		sum += __atomic_load_n(&dp->lcores[i].drops[d], __ATOMIC_RELAXED);
	return sum;
}

void
wr_dp_proto_drops_add(const struct wr_dataplane *dp, unsigned int iface, uint64_t *drops)
{
	unsigned int l, row, d;

	if (iface > WR_DP_PROTO_ROWS)
		return;
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		const struct wr_dp_lcore *lc = &dp->lcores[l];

		if (lc->dp == NULL)
			continue;
		for (row = 0; row < WR_DP_PROTO_ROWS; row++) {
			if (iface != WR_DP_PROTO_ROWS && row != iface)
				continue;
			/* each lcore writes its own counters: a relaxed load is a coherent value */
			for (d = 0; d < WR_DROP_COUNT; d++)
				drops[d] +=
					__atomic_load_n(&lc->proto_drops[row][d], __ATOMIC_RELAXED);
		}
	}
}

void
wr_dp_stats_print(struct wr_dataplane *dp, FILE *f)
{
	uint64_t proto[WR_DROP_COUNT] = { 0 };
	unsigned int i, l, d;

	for (i = 0; i < dp->nb_ports; i++) {
		const struct wr_port *port = &dp->ports[i];
		struct wr_dp_port_stats s = { 0 };
		struct rte_eth_stats es = { 0 };

		for (l = 0; l < RTE_MAX_LCORE; l++) {
			const struct wr_dp_port_stats *x = &dp->lcores[l].port[i];

			s.rx_pkts += x->rx_pkts;
			s.tx_pkts += x->tx_pkts;
			s.arp_replies += x->arp_replies;
			s.nd_adverts += x->nd_adverts;
			s.solicits += x->solicits;
			s.echo_replies += x->echo_replies;
		}
		rte_eth_stats_get(port->port_id, &es);
		fprintf(f,
			"port %s: rx %" PRIu64 " tx %" PRIu64 " arp_replies %" PRIu64
			" nd_adverts %" PRIu64 " solicits %" PRIu64 " echo_replies %" PRIu64
			" | dev ipackets %" PRIu64 " opackets %" PRIu64 " ierrors %" PRIu64
			" oerrors %" PRIu64 " imissed %" PRIu64 " rx_nombuf %" PRIu64 "\n",
			port->name, s.rx_pkts, s.tx_pkts, s.arp_replies, s.nd_adverts, s.solicits,
			s.echo_replies, es.ipackets, es.opackets, es.ierrors, es.oerrors,
			es.imissed, es.rx_nombuf);
	}
	fprintf(f, "drops:");
	for (d = 0; d < WR_DP_DROP__COUNT; d++) {
		uint64_t n = wr_dp_drops_total(dp, d);

		if (n != 0)
			fprintf(f, " %s %" PRIu64, wr_dp_drop_name(d), n);
	}
	/* the protocol engine's reasons, as the lcores count them: every interface's and the
	 * gateway's own together (the REST API and /metrics tell them apart) */
	wr_dp_proto_drops_add(dp, WR_DP_PROTO_ROWS, proto);
	for (d = WR_DROP_NONE + 1; d < WR_DROP_COUNT; d++)
		if (proto[d] != 0)
			fprintf(f, " %s %" PRIu64, wr_drop_reason_name(d), proto[d]);
	fprintf(f, "\n");
	fflush(f);
}
