/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where an IP packet leaves the gateway: the routes of the configuration (each port's connected
 * subnets and its Route lines) and, for the workers, a cache of resolved next hops.
 *
 * The neighbour tables (neigh.h) belong to the control lcore. Workers read next hops from a
 * small direct-mapped cache per port that the control lcore fills whenever it resolved one for
 * them (wr_fib_output() on the control lcore) and refreshes from its tables every tick. Each
 * entry is a sequence count and atomic words: a reader never sees half of an update, and a miss
 * only means the packet takes the control lcore's way (which resolves it).
 *
 * The routes are built once, before the lcores start, and read-only afterwards.
 */
#ifndef WR_DP_FIB_H
#define WR_DP_FIB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dataplane.h"

#define WR_FIB_MAX_ROUTES 128
/* next-hop cache entries per port (a power of two) */
#define WR_FIB_NHC_SIZE 256

struct wr_config;

/** One route: connected (no gateway: the destination itself is the next hop) or via a gateway. */
struct wr_fib_route {
	uint8_t family;
	uint8_t cidr;
	bool has_gw;
	uint16_t port; /* index in struct wr_dataplane's ports[] */
	uint8_t addr[16];
	uint8_t gw[16];
};

/** One cached next hop; written by the control lcore only. */
struct wr_fib_nh {
	uint32_t seq;    /* odd while written */
	uint32_t family; /* 0: empty */
	uint64_t ip[2];
	uint64_t mac; /* 6 bytes of MAC in the low bytes, memory order */
};

struct wr_fib {
	unsigned int n_routes;
	struct wr_fib_route routes[WR_FIB_MAX_ROUTES];
	struct wr_fib_nh nhc[WR_DP_MAX_PORTS][WR_FIB_NHC_SIZE];
};

/**
 * Fill @p fib from @p cfg: every port's addresses as connected subnets, then its routes (ports
 * in configuration order, as wr_dp_create() numbers them). Returns 0 or -E2BIG.
 */
int
wr_fib_init(struct wr_fib *fib, const struct wr_config *cfg);

/**
 * Whether nothing may be forwarded to @p dst (@p family), out of a port or back into a tunnel:
 * a martian address (wr_fib_lookup()'s), an IPv6 link-local one, or the broadcast address of an
 * on-link IPv4 prefix (RFC 2644).
 */
bool
wr_fib_forbidden(const struct wr_fib *fib, int family, const void *dst);

/**
 * The longest route to @p dst (4 or 16 bytes per @p family): true, its port in *@p port and the
 * next hop (@p dst itself or the gateway) in @p nh (16 bytes). False when nothing matches, and
 * for a destination nothing is routed to: IPv4 0/8, 127/8, multicast, class E and broadcast
 * (limited, or an on-link prefix's: a connected one or a Route without a gateway), IPv6
 * unspecified, loopback and multicast, and IPv6 link-local but through an on-link route in
 * fe80::/10.
 */
bool
wr_fib_lookup(const struct wr_fib *fib, int family, const void *dst, uint16_t *port, uint8_t *nh);

/** The cached MAC of next hop @p nh on port @p port (any lcore). False on a miss. */
bool
wr_fib_nh_get(const struct wr_fib *fib, uint16_t port, int family, const void *nh,
	struct rte_ether_addr *mac);

/** Cache (or with @p mac NULL forget) next hop @p nh of port @p port (control lcore). */
void
wr_fib_nh_set(struct wr_fib *fib, uint16_t port, int family, const void *nh,
	const struct rte_ether_addr *mac);

/**
 * Re-read every cached next hop from the neighbour tables, keeping those still resolved
 * confirmed (wr_neigh_use(): the workers use them). Control lcore @p lc, each tick.
 */
void
wr_fib_nh_refresh(struct wr_fib *fib, struct wr_dp_lcore *lc);

/**
 * Send the frame @p m (starting at its Ethernet header, EtherType set, an IPv4 or IPv6 packet
 * after it) towards the IP destination @p dst from lcore @p lc: route, Ethernet source, next hop.
 * On the control lcore the neighbour table resolves the next hop (and the cache learns it); a
 * worker uses the cache and hands a miss to the control lcore over @p miss_ring. Always takes
 * @p m. Returns 0 (sent or queued) or -ENETUNREACH (no route: dropped, counted).
 */
int
wr_fib_output(struct wr_fib *fib, struct wr_dp_lcore *lc, struct rte_ring *miss_ring,
	struct rte_mbuf *m, int family, const void *dst);

/**
 * wr_fib_output() for a caller that already looked the route up (wr_fib_lookup(): port
 * @p port, next hop @p nh): once per destination and burst rather than once per packet.
 */
int
wr_fib_output_via(struct wr_fib *fib, struct wr_dp_lcore *lc, struct rte_ring *miss_ring,
	struct rte_mbuf *m, int family, uint16_t port, const uint8_t *nh);

/**
 * The way out to one destination, which a worker finds once for the packets of a burst that go
 * to it (wr_fib_way()) rather than once per packet: its route, whether the destination is one
 * of that port's own addresses, and the next hop's MAC when the cache has it.
 */
struct wr_fib_way {
	int family; /* AF_INET or AF_INET6; 0: holds nothing */
	uint8_t dst[16];
	uint16_t port;
	uint8_t nh[16];
	uint8_t cidr; /* of the route that holds dst: 0 is the default route */
	bool ours;   /* dst is an address of the port itself */
	bool direct; /* mac holds the next hop's: the frame goes straight to the port */
	struct rte_ether_addr mac;
};

/**
 * Find the way to @p dst (4 or 16 bytes per @p family) into @p w: wr_fib_lookup(), the port's
 * addresses of @p dp, wr_fib_nh_get() (not with @p control: the control lcore resolves next
 * hops itself). False: no route, or a port @p dp does not have; @p w then holds nothing.
 */
bool
wr_fib_way_find(const struct wr_fib *fib, const struct wr_dataplane *dp, bool control,
	struct wr_fib_way *w, int family, const void *dst);

/**
 * Whether @p w holds the way to @p dst, found by wr_fib_way_find() when it holds another
 * destination or none. A caller keeps @p w for one burst, so that a route or next hop changing
 * is seen by the next. Inline: asked per packet.
 */
static inline bool
wr_fib_way(const struct wr_fib *fib, const struct wr_dataplane *dp, bool control,
	struct wr_fib_way *w, int family, const void *dst)
{
	/* constant lengths: a compare or two, not a call to memcmp() */
	if (w->family == family && (family == AF_INET6 ? memcmp(w->dst, dst, 16) == 0
						       : memcmp(w->dst, dst, 4) == 0))
		return true;
	return wr_fib_way_find(fib, dp, control, w, family, dst);
}

/**
 * Send the frame @p m (Ethernet header in front, its type set) the way @p w found: with the
 * next hop's MAC straight to the port's TX buffer, otherwise as wr_fib_output_via(). Takes @p m.
 */
static inline void
wr_fib_output_way(struct wr_fib *fib, struct wr_dp_lcore *lc, struct rte_ring *miss_ring,
	struct rte_mbuf *m, const struct wr_fib_way *w)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct wr_port *port;

	if (!w->direct) {
		wr_fib_output_via(fib, lc, miss_ring, m, w->family, w->port, w->nh);
		return;
	}
	port = &lc->dp->ports[w->port];
	rte_ether_addr_copy(&port->mac, &eh->src_addr);
	rte_ether_addr_copy(&w->mac, &eh->dst_addr);
	wr_dp_tx(lc, port, m);
}

/**
 * On the control lcore: send a frame a worker handed over (see wr_fib_output()). Takes @p m.
 */
void
wr_fib_output_frame(struct wr_fib *fib, struct wr_dp_lcore *lc, struct rte_mbuf *m);

#endif /* WR_DP_FIB_H */
