/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a worker does as a router between the ports and the tunnels (docs/forwarding.md): ICMP
 * errors back to a sender, on either side, within the lcore's rate; IPv4 fragmentation into a
 * tunnel; echo answered for the interfaces' own tunnel addresses. worker.c calls these on its
 * lcore; the byte-level builders are icmp.h's and ipfrag.h's.
 */
#ifndef WR_DP_FORWARD_H
#define WR_DP_FORWARD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_mbuf.h>

#include "dataplane.h"
#include "gw.h"

/** Whether @p a (4 or 16 bytes, as @p family says) is one of interface @p gi's own addresses. */
static inline bool
wr_fwd_iface_has_addr(const struct wr_gw_iface *gi, int family, const uint8_t *a)
{
	unsigned int i;

	for (i = 0; i < gi->n_addrs; i++)
		/* constant lengths: memcmp() becomes a compare or two, not a call */
		if (gi->addrs[i].family == family &&
			(family == AF_INET ? memcmp(gi->addrs[i].addr, a, 4) == 0
					   : memcmp(gi->addrs[i].addr, a, 16) == 0))
			return true;
	return false;
}

/** Whether @p a is an own address inside any of @p gw's interfaces. */
static inline bool
wr_fwd_is_tunnel_addr(const struct wr_gw *gw, int family, const uint8_t *a)
{
	unsigned int k;

	for (k = 0; k < gw->n_ifaces; k++)
		if (wr_fwd_iface_has_addr(&gw->iface[k], family, a))
			return true;
	return false;
}

/**
 * The frame @p m from @p port is for an interface's own tunnel address (IP after the Ethernet
 * header, @p total bytes of it): an echo request becomes its reply and goes back out of @p port,
 * as the host stack answers for the port's own addresses; anything else is dropped
 * (l4_unhandled). Takes @p m.
 */
void
wr_fwd_answer_tunnel_addr(
	struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint32_t total);

/**
 * Send ICMP error @p type / @p code / @p rest (icmp.h) about the frame @p m that @p port received
 * (IP after the Ethernet header) back to its sender, from @p port's address, routed by the fib:
 * unless @p m must get no error, or the lcore's rate is spent (counted: icmp_ratelimited).
 * @p m is left as it is.
 */
void
wr_fwd_error_back(struct wr_dp_lcore *lc, struct wr_port *port, const struct rte_mbuf *m, bool v6,
	uint8_t type, uint8_t code, uint32_t rest);

/**
 * The ICMP/ICMPv6 error @p type / @p code (@p rest: the MTU of a "fragmentation needed" or
 * "packet too big", else 0) about @p m, an inner packet (data at its IP header) that interface
 * @p iface decapsulated, for its tunnel: from the interface's own address of that family, else
 * its port's, at most the tunnel's MTU. The caller seals it for the peer @p m came from. NULL:
 * no error for @p m, the rate is spent (counted), no address, or no mbuf (counted). @p m stays.
 */
struct rte_mbuf *
wr_fwd_tunnel_error(struct wr_dp_lcore *lc, unsigned int iface, const struct rte_mbuf *m,
	uint8_t type, uint8_t code, uint32_t rest);

/**
 * Fragment the IPv4 packet @p m (data at its IP header, TTL already decremented) for links of
 * @p mtu bytes (ipfrag.h) into new mbufs at @p frags (room for @p max). Returns their number, and
 * @p m is freed; or, @p m untouched, -ENOBUFS (no mbuf), -E2BIG (more than @p max fragments) or
 * wr_ip4_frag_init()'s error (-EMSGSIZE: DF set, -EINVAL, -ERANGE).
 */
int
wr_fwd_fragment4(struct wr_dp_lcore *lc, struct rte_mbuf *m, uint32_t mtu, struct rte_mbuf **frags,
	unsigned int max);

#endif /* WR_DP_FORWARD_H */
