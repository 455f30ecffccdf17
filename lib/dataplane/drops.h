/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Drop reasons of the data plane (L2/L3: ports, ARP, ND, ICMP, routing), from one X-macro list
 * that generates the enum and the names. The protocol engine keeps its own list for protocol
 * drops (bad MAC, replay, ...): this one covers what happens before and around it.
 *
 * Counters are per lcore (struct wr_dp_stats, cache aligned, written only by its lcore); a total
 * shown to users is the sum over lcores.
 */
#ifndef WR_DP_DROPS_H
#define WR_DP_DROPS_H

#include <stdint.h>

#define WR_DP_DROP_LIST(X)                                                                         \
	X(RUNT, "runt")                         /* shorter than the headers it claims */           \
	X(SEGMENTED, "segmented")               /* headers split over mbuf segments */             \
	X(ETHERTYPE, "ethertype")               /* neither ARP, IPv4 nor IPv6 */                   \
	X(NOT_OUR_MAC, "not_our_mac")           /* unicast to another station */                   \
	X(BAD_SOURCE_MAC, "bad_source_mac")     /* from a group or the zero Ethernet address */    \
	X(ARP_MALFORMED, "arp_malformed")       /* not Ethernet/IPv4 ARP */                        \
	X(ARP_NOT_FOR_US, "arp_not_for_us")     /* request for an address we do not own */         \
	X(IP4_MALFORMED, "ip4_malformed")       /* version, header length, total length */         \
	X(IP4_CHECKSUM, "ip4_checksum")         /* bad header checksum */                          \
	X(IP4_FRAGMENT, "ip4_fragment")         /* fragments are not reassembled */                \
	X(IP6_MALFORMED, "ip6_malformed")       /* version or payload length */                    \
	X(IP6_FRAGMENT, "ip6_fragment")         /* fragments are not reassembled */                \
	X(ICMP_MALFORMED, "icmp_malformed")     /* too short or bad checksum */                    \
	X(ICMP_UNHANDLED, "icmp_unhandled")     /* an ICMP type we do not answer */                \
	X(ECHO_BAD_SOURCE, "echo_bad_source")   /* echo request not from one host's IP address */  \
	X(ND_MALFORMED, "nd_malformed")         /* hop limit not 255, bad option, bad target */    \
	X(ND_NOT_FOR_US, "nd_not_for_us")       /* solicitation for an address we do not own */    \
	X(NOT_FOR_US, "not_for_us")             /* IP to an address that is not ours, no route */  \
	X(L4_UNHANDLED, "l4_unhandled")         /* to us, but a protocol nothing handles yet */    \
	X(NEIGH_QUEUE_FULL, "neigh_queue_full") /* next hop unresolved and its queue full */       \
	X(NEIGH_TABLE_FULL, "neigh_table_full") /* no neighbour entry could be allocated */        \
	X(NEIGH_FAILED, "neigh_failed")         /* next hop never answered */                      \
	X(NO_MBUF, "no_mbuf")                   /* mempool empty when building a reply */          \
	X(CONTROL_RING_FULL, "control_ring_full") /* control lcore behind: handover refused */     \
	X(TX_FULL, "tx_full")                     /* the TX queue did not take the packet */       \
	X(NO_ROUTE_OUT, "no_route_out")     /* no connected subnet or route for a destination */   \
	X(MARTIAN_SOURCE, "martian_source") /* to forward, from ours, a group, 0/8, loopback... */ \
	X(MARTIAN_DESTINATION, "martian_destination") /* to forward, to 0/8, 127/8, 240/4, :: */  \
	X(TTL_EXCEEDED, "ttl_exceeded")     /* forwarded packet's TTL or hop limit ran out */      \
	X(ICMP_RATELIMITED, "icmp_ratelimited")       /* ICMP error over the rate: not sent */     \
	X(SOLICIT_RATELIMITED, "solicit_ratelimited") /* ARP/NS over the port's rate: not sent */  \
	X(HANDSHAKE_RING_FULL, "handshake_ring_full") /* control lcore behind on handshakes */     \
	X(ROUTE_RING_FULL, "route_ring_full") /* control lcore behind on next-hop resolution */    \
	X(HELD_RING_FULL, "held_ring_full")   /* control lcore behind on sessionless packets */    \
	X(EVENT_RING_FULL, "event_ring_full") /* a data received/sent summary was lost */

enum wr_dp_drop {
#define WR_DP_DROP_ENUM(sym, name) WR_DP_DROP_##sym,
	WR_DP_DROP_LIST(WR_DP_DROP_ENUM)
#undef WR_DP_DROP_ENUM
		WR_DP_DROP__COUNT
};

/** The name of drop reason @p d ("tx_full"), or "unknown". */
const char *
wr_dp_drop_name(enum wr_dp_drop d);

/**
 * Add @p v to the counter @p c that only this lcore writes and others read while it runs: a
 * relaxed load and store (on x86-64 the same instructions as `+=`), so that the readers' relaxed
 * loads race with nothing.
 */
static inline void
wr_dp_counter_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

/** wr_dp_counter_add() of 1: a drop counted */
static inline void
wr_dp_count(uint64_t *c)
{
	wr_dp_counter_add(c, 1);
}

#endif /* WR_DP_DROPS_H */
