/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data plane: its ports, the mbuf pool, and the per-lcore state (counters, TX buffers) that
 * every packet path writes without sharing.
 *
 * Lifecycle: wr_dp_create() after rte_eal_init() on the main lcore, then each polling lcore runs
 * wr_dp_poll() on its own struct wr_dp_lcore (wr_dp_lcore()) until told to stop, then
 * wr_dp_destroy() on the main lcore once every poller returned.
 *
 * Today one lcore (the control lcore) polls every RX queue and runs the host stack (ARP, ND,
 * ICMP). The worker loop slots in beside it: workers poll their own queues, classify, and send
 * what is not WireGuard data to the control lcore, whose wr_dp_input() stays the entry point of
 * the host stack.
 */
#ifndef WR_DP_DATAPLANE_H
#define WR_DP_DATAPLANE_H

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "drops.h"
#include "port.h"
#include "wr_drops.h"

struct wr_config;

#define WR_DP_MAX_PORTS 8
#define WR_DP_BURST 32
#define WR_DP_MBUF_CACHE 128
/* How often the poll loop runs the neighbour timers. */
#define WR_DP_TICK_MS 100

/** Counters of one port on one lcore. */
struct wr_dp_port_stats {
	uint64_t rx_pkts;
	uint64_t tx_pkts;
	uint64_t arp_replies;
	uint64_t nd_adverts;
	uint64_t solicits; /* ARP requests and neighbour solicitations sent */
	uint64_t echo_replies;
};

/** Packets waiting for one rte_eth_tx_burst() on a port. */
struct wr_dp_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[WR_DP_BURST];
};

/** Everything one lcore writes while polling: read by others only for totals. */
struct wr_dp_lcore {
	struct wr_dataplane *dp;
	unsigned int lcore_id;
	uint16_t txq; /* TX queue this lcore owns on every port */
	uint64_t now; /* rte_rdtsc() at the top of the current poll */
	uint64_t next_tick;
	uint64_t drops[WR_DP_DROP__COUNT];
	uint64_t proto_drops[WR_DROP_COUNT]; /* the protocol engine's reasons, for the worker */
	struct wr_dp_port_stats port[WR_DP_MAX_PORTS];
	struct wr_dp_txbuf tx[WR_DP_MAX_PORTS];
} __rte_cache_aligned;

struct wr_dataplane {
	struct rte_mempool *mp;
	uint64_t hz; /* TSC ticks per second */
	uint16_t nb_ports;
	struct wr_port ports[WR_DP_MAX_PORTS];
	struct wr_dp_lcore *lcores; /* RTE_MAX_LCORE entries, indexed by lcore id */
};

/**
 * Memory (bytes) the data plane will take from EAL for @p cfg, for sizing `-m` when running
 * without hugepages: the mbuf pool for every port's queues plus the tables, with margin.
 */
size_t
wr_dp_memory_hint(const struct wr_config *cfg);

/**
 * Build the data plane of @p cfg: find every [Port]'s ethdev, give it its addresses and a
 * neighbour table, set up @p nb_queues RX/TX queue pairs (fewer when the device has fewer), and
 * start it. On failure nothing is left behind, a -errno is returned and @p err (@p errlen
 * bytes) says why. On success *@p out is freed with wr_dp_destroy().
 */
int
wr_dp_create(const struct wr_config *cfg, uint16_t nb_queues, struct wr_dataplane **out, char *err,
	size_t errlen);

/** Stop the ports and free everything. No lcore may be polling. NULL is a no-op. */
void
wr_dp_destroy(struct wr_dataplane *dp);

/** The state of lcore @p lcore_id, which uses TX queue @p txq on every port. */
struct wr_dp_lcore *
wr_dp_lcore(struct wr_dataplane *dp, unsigned int lcore_id, uint16_t txq);

/**
 * One pass of the host-stack loop: poll every RX queue of every port, handle what came, flush
 * the TX buffers, run the timers when due. Returns the number of packets received.
 */
unsigned int
wr_dp_poll(struct wr_dp_lcore *lc);

/** Handle one received frame of @p port addressed to the gateway itself. Takes @p m. */
void
wr_dp_input(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m);

/** Write per-port counters (ethdev and own) and the non-zero drop reasons to @p f. */
void
wr_dp_stats_print(struct wr_dataplane *dp, FILE *f);

/** Sum of drop reason @p d over every lcore. */
uint64_t
wr_dp_drops_total(const struct wr_dataplane *dp, enum wr_dp_drop d);

/** Count a drop of @p m for reason @p d and free it. */
static inline void
wr_dp_drop(struct wr_dp_lcore *lc, enum wr_dp_drop d, struct rte_mbuf *m)
{
	lc->drops[d]++;
	rte_pktmbuf_free(m);
}

/** Send the frames buffered for @p port now; what the queue refuses is dropped (TX_FULL). */
static inline void
wr_dp_flush_port(struct wr_dp_lcore *lc, const struct wr_port *port)
{
	struct wr_dp_txbuf *b = &lc->tx[port->index];
	uint16_t sent, i;

	if (b->n == 0)
		return;
	sent = rte_eth_tx_burst(port->port_id, lc->txq, b->pkts, b->n);
	lc->port[port->index].tx_pkts += sent;
	for (i = sent; i < b->n; i++)
		wr_dp_drop(lc, WR_DP_DROP_TX_FULL, b->pkts[i]);
	b->n = 0;
}

/** Queue the complete frame @p m for TX on @p port (flushed when the buffer fills). */
static inline void
wr_dp_tx(struct wr_dp_lcore *lc, const struct wr_port *port, struct rte_mbuf *m)
{
	struct wr_dp_txbuf *b = &lc->tx[port->index];

	b->pkts[b->n++] = m;
	if (b->n == RTE_DIM(b->pkts))
		wr_dp_flush_port(lc, port);
}

/** Flush every port's TX buffer of @p lc. */
void
wr_dp_flush(struct wr_dp_lcore *lc);

#endif /* WR_DP_DATAPLANE_H */
