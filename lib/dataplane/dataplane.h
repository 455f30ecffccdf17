/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data plane: its ports, the mbuf pool, and the per-lcore state (counters, TX buffers) that
 * every packet path writes without sharing.
 *
 * Lifecycle: wr_dp_create() after rte_eal_init() on the main lcore, then each polling lcore runs
 * wr_dp_poll() on its own struct wr_dp_lcore (wr_dp_lcore()) until told to stop, then
 * wr_dp_destroy() on the main lcore once every poller returned.
 *
 * Lcores: the control lcore runs the host stack (ARP, ND, ICMP: wr_dp_input()) and the
 * neighbour timers. wr_dp_plan() gives the RX queues to the workers when every port has a TX
 * queue for each worker and one for control; otherwise the control lcore polls every queue in
 * one loop. Once WireGuard runs (control.h sets dp->gw and each polling lcore's worker), every
 * received burst goes through wr_worker_rx() (worker.h): classify, decrypt/encrypt, forward, and
 * hand the host stack's frames to the control lcore over the to_control ring. Without it, a
 * worker hands every frame over.
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
/* Frames the workers may have queued for the control lcore at once */
#define WR_DP_CONTROL_RING 1024
/*
 * Packets held for peers without a session, all peers together (64 each at most): a LAN host
 * sending to many peers that are offline (remote-access clients) must not take the mbufs that
 * receiving needs. The pool has room for them.
 */
#define WR_DP_HELD_MBUFS 1024
/* RX queues one lcore polls at most */
#define WR_DP_LCORE_MAX_RXQ 32
/* Empty polls in a row before a loop naps, and how long: a gateway that idles need not spin */
#define WR_DP_IDLE_POLLS 256
#define WR_DP_IDLE_SLEEP_US 100
/* Rows of struct wr_dp_lcore's proto_drops: one per [Interface] (gw.h's WR_GW_MAX_IFACES), and
 * the gateway's own for what no interface can be charged with */
#define WR_DP_MAX_IFACES 8
#define WR_DP_PROTO_GATEWAY WR_DP_MAX_IFACES
#define WR_DP_PROTO_ROWS (WR_DP_MAX_IFACES + 1)

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

/** One RX queue an lcore polls. */
struct wr_dp_rxq {
	uint16_t port; /* index in struct wr_dataplane's ports[] */
	uint16_t queue;
};

/** Everything one lcore writes while polling: read by others only for totals. */
struct wr_dp_lcore {
	struct wr_dataplane *dp;
	unsigned int lcore_id;
	bool control; /* runs the host stack and the timers */
	uint16_t txq; /* TX queue this lcore owns on every port */
	uint16_t n_rxq;
	struct wr_dp_rxq rxq[WR_DP_LCORE_MAX_RXQ];
	uint64_t now; /* rte_rdtsc() at the top of the current poll */
	uint64_t next_tick;
	uint64_t drops[WR_DP_DROP__COUNT];
	/*
	 * The protocol engine's reasons, as the lcore counts them: [interface][reason], and
	 * [WR_DP_PROTO_GATEWAY] for a drop of no interface (a packet to forward that no peer's
	 * AllowedIPs hold, a held packet whose peer is gone). @c proto is the row of the interface
	 * whose packets the lcore handles now: whoever switches interface points it at that row
	 * (worker.c), so that a drop is counted as `lc->proto[reason]++` with no interface at hand.
	 */
	uint64_t proto_drops[WR_DP_PROTO_ROWS][WR_DROP_COUNT];
	uint64_t *proto;
	struct wr_dp_port_stats port[WR_DP_MAX_PORTS];
	struct wr_dp_txbuf tx[WR_DP_MAX_PORTS];
	struct wr_worker *worker; /* WireGuard bursts (worker.h); NULL: host stack only */
	uint64_t now_ns;          /* the engine's clock at the top of the current poll */
} __rte_cache_aligned;

struct wr_dataplane {
	struct rte_mempool *mp;
	uint64_t hz;       /* TSC ticks per second */
	uint64_t clock_hz; /* TSC ticks per engine-clock second: hz, or hz / WIRERATE_TIME_SCALE */
	uint16_t nb_ports;
	struct wr_port ports[WR_DP_MAX_PORTS];
	struct wr_dp_lcore *lcores;  /* RTE_MAX_LCORE entries, indexed by lcore id */
	struct rte_ring *to_control; /* workers -> control: frames for the host stack */
	unsigned int control_lcore;
	unsigned int n_workers; /* lcores polling RX besides control; 0: control polls all */
	uint32_t stop;          /* set by wr_dp_stop(): the worker loops return */
	struct wr_gw *gw;       /* WireGuard's tables and rings (gw.h), set by the control lcore */
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

/**
 * Decide which lcore polls which RX queue and sends on which TX queue: @p control_lcore runs the
 * host stack; each of the @p n_workers lcores at @p workers (EAL lcores other than control) gets
 * a share of every port's RX queues and a TX queue of its own, when every port has enough TX
 * queues (n_workers + 1); otherwise the control lcore polls everything alone. Call once, after
 * wr_dp_create(). Returns 0, -EINVAL (an lcore id out of range) or -ENOMEM (the ring).
 */
int
wr_dp_plan(struct wr_dataplane *dp, unsigned int control_lcore, const unsigned int *workers,
	size_t n_workers);

/**
 * A worker lcore's loop, for rte_eal_remote_launch() with its struct wr_dp_lcore: polls until
 * wr_dp_stop(). Returns 0.
 */
int
wr_dp_worker_main(void *lcore);

/** Ask the worker loops to return (from the control lcore; wait for them with EAL). */
void
wr_dp_stop(struct wr_dataplane *dp);

/** The state of lcore @p lcore_id, which uses TX queue @p txq on every port. */
struct wr_dp_lcore *
wr_dp_lcore(struct wr_dataplane *dp, unsigned int lcore_id, uint16_t txq);

/**
 * One pass of lcore @p lc's loop: poll its RX queues; on the control lcore also the frames the
 * workers handed over, the host stack and the timers when due; flush the TX buffers. Returns the
 * number of packets received or handed over.
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

/**
 * Add the protocol drops that the lcores counted for interface @p iface (its index in the
 * gateway; WR_DP_PROTO_GATEWAY: the drops of no interface; WR_DP_PROTO_ROWS: every row) to
 * @p drops (WR_DROP_COUNT entries, by enum wr_drop_reason). Safe while the lcores run: each
 * counter has one writer and is read atomically; the set is not a snapshot.
 */
void
wr_dp_proto_drops_add(const struct wr_dataplane *dp, unsigned int iface, uint64_t *drops);

/** Point @p lc's protocol drop counters (lc->proto) at interface @p iface's row. */
static inline void
wr_dp_proto_iface(struct wr_dp_lcore *lc, unsigned int iface)
{
	lc->proto = lc->proto_drops[iface < WR_DP_MAX_IFACES ? iface : WR_DP_PROTO_GATEWAY];
}

/** Count a drop of @p m for reason @p d and free it. */
static inline void
wr_dp_drop(struct wr_dp_lcore *lc, enum wr_dp_drop d, struct rte_mbuf *m)
{
	wr_dp_count(&lc->drops[d]);
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
