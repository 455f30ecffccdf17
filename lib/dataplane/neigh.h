/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The neighbour table of one port: IPv4 (ARP) and IPv6 (ND) next hops to MAC addresses.
 *
 * Small and fixed: WR_NEIGH_SETS x WR_NEIGH_WAYS entries, set-associative by a hash of the
 * address. For a next hop of ours, a full set evicts, in this order, an entry learnt from a packet
 * to us but never used as a next hop, an unresolved one, one unconfirmed past its reachable time,
 * a fresh next hop (see neigh.c's rank()); an entry learnt from a packet to us only takes the
 * place of the first or the third kind, or is not made. A next hop that is not resolved holds at
 * most WR_NEIGH_QUEUE_LEN packets, and the table WR_NEIGH_TABLE_QUEUED (later ones are dropped,
 * counted) while the table solicits it every WR_NEIGH_RETRANS_MS, up to WR_NEIGH_MAX_PROBES times;
 * then the queued packets are dropped and the entry freed, so the next packet starts over. A
 * resolved next hop in use is solicited again after WR_NEIGH_REACHABLE_MS, and given up after as
 * many unanswered probes.
 *
 * Concurrency: a table is read and written by one lcore only (the one that runs the host stack:
 * ARP, ND and ICMP). Workers will get resolved next hops from it through the control lcore.
 */
#ifndef WR_DP_NEIGH_H
#define WR_DP_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#define WR_NEIGH_SETS 64
#define WR_NEIGH_WAYS 4
#define WR_NEIGH_QUEUE_LEN 8
/* packets all of a table's unresolved next hops may hold at once (the pool is sized for them) */
#define WR_NEIGH_TABLE_QUEUED 512
#define WR_NEIGH_MAX_PROBES 3
#define WR_NEIGH_RETRANS_MS 1000
/* solicitations a port may send a second, and at once (neigh.c's solicit()) */
#define WR_NEIGH_SOLICIT_RATE 200
#define WR_NEIGH_SOLICIT_BURST 64
/* A resolved entry older than this is solicited again when used (it stays usable meanwhile). */
#define WR_NEIGH_REACHABLE_MS 30000

struct wr_neigh_table;
struct wr_port;
struct wr_dp_lcore;

/** Allocate an empty table on NUMA @p socket. Returns NULL when out of memory. */
struct wr_neigh_table *
wr_neigh_create(int socket);

/** Free @p t and every packet still queued in it. NULL is a no-op. */
void
wr_neigh_free(struct wr_neigh_table *t);

/**
 * Send @p m, a frame whose Ethernet source and EtherType are set, to the next hop @p nh
 * (4 or 16 bytes per @p family) on @p port: the destination MAC is filled in and the frame
 * queued for TX when the next hop is resolved; otherwise the frame waits in the table and a
 * solicitation goes out. Always takes @p m (sent, queued, or dropped and counted).
 * Returns 0 when sent, -EAGAIN when queued, -ENOBUFS when dropped (its queue or the table's full).
 */
int
wr_neigh_output(struct wr_dp_lcore *lc, struct wr_port *port, int family, const void *nh,
	struct rte_mbuf *m);

/**
 * Record that @p ip (per @p family) is at @p mac on @p port, as an ARP packet or a neighbour
 * advertisement/solicitation said. An existing entry is updated and its queued packets sent;
 * a new entry is made only when @p create (the packet was addressed to us, RFC 826 / RFC 4861
 * 7.2.3), so that unsolicited traffic cannot fill the table.
 */
void
wr_neigh_learn(struct wr_dp_lcore *lc, struct wr_port *port, int family, const void *ip,
	const struct rte_ether_addr *mac, bool create);

/**
 * A neighbour advertisement: @p ip (IPv6) is at @p mac, with the advert's Solicited and Override
 * flags (RFC 4861 7.2.5). Only an entry that exists is touched. One being resolved takes @p mac
 * (its queued packets go); a resolved one with another address keeps its own unless
 * @p override, but is then verified on its next use; without @p solicited the address is taken
 * but not counted as confirmed (RFC 4861's STALE: verified on its next use).
 */
void
wr_neigh_advert(struct wr_dp_lcore *lc, struct wr_port *port, const void *ip,
	const struct rte_ether_addr *mac, bool solicited, bool override);

/**
 * The MAC of the resolved next hop @p ip on @p port, which the workers use (their cache holds it):
 * true and @p mac filled in; the next hop is solicited again when due, as wr_neigh_output() does
 * for one in use, so that it stays confirmed. False when unknown, not resolved, or given up after
 * its unanswered probes.
 */
bool
wr_neigh_use(struct wr_dp_lcore *lc, struct wr_port *port, int family, const void *ip,
	struct rte_ether_addr *mac);

/** Retransmit due solicitations and fail next hops out of probes; call every ~100 ms. */
void
wr_neigh_tick(struct wr_dp_lcore *lc, struct wr_port *port);

/**
 * The MAC of the resolved next hop @p ip in @p t (for monitoring and tests).
 * Returns true and fills @p mac, or false when unknown or not resolved.
 */
bool
wr_neigh_lookup(
	const struct wr_neigh_table *t, int family, const void *ip, struct rte_ether_addr *mac);

#endif /* WR_DP_NEIGH_H */
