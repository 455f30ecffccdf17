/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the workers share with the control lcore once WireGuard runs (DESIGN.md, "The data's
 * way"): the interfaces' tables, the rings towards the control lcore, and the RCU variable.
 *
 * The control lcore (control.h) owns and writes all of it; workers (worker.h) read:
 *   - struct wr_gw_iface: set up before the workers start; listen_port may change (atomic);
 *     lpm is an RCU-published pointer (old tables are freed after a grace period);
 *   - the keytables and the peer table, with their own rules (keytable.h, dp_peer.h);
 *   - the fib (routes read-only, next-hop cache under sequence counts).
 * Workers report a quiescent state in @c rcu once per loop iteration, between bursts.
 *
 * Rings (multi-producer, single consumer: the control lcore):
 *   - hs_ring: WireGuard handshake messages (types 1-3) as received, parsed by wr_decap_parse()
 *     (l2/l3/l4 lengths set), m->hash.usr = interface index;
 *   - held_ring: inner IP packets (data at the IP header) for a peer without a usable session,
 *     m->hash.usr = peer id: queued per peer while the control lcore handshakes;
 *   - route_ring: frames (Ethernet header filled but the destination) whose next hop a worker
 *     had not cached: the control lcore resolves and sends them;
 *   - event_ring: struct wr_gw_event, "data received/sent" summaries of each burst;
 *   - frames for the host stack (ARP, ND, ICMP to the gateway) go over the data plane's
 *     to_control ring.
 */
#ifndef WR_DP_GW_H
#define WR_DP_GW_H

#include <stdint.h>

#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp_peer.h"
#include "fib.h"
#include "host.h"
#include "lpm.h"
#include "wr_device.h"

#define WR_GW_MAX_IFACES 8
#define WR_GW_HS_RING 1024
#define WR_GW_HELD_RING 2048
#define WR_GW_ROUTE_RING 1024
#define WR_GW_EVENT_RING 4096
/* An interface's own addresses inside the tunnel that answer echo requests */
#define WR_GW_IFACE_ADDRS 8
/* the gateway's own addresses of one family at most: its interfaces' and its ports' */
#define WR_GW_OWN_ADDRS (WR_GW_MAX_IFACES * WR_GW_IFACE_ADDRS + WR_DP_MAX_PORTS * WR_PORT_MAX_ADDRS)

struct wr_gw;

/**
 * A few IPv4 addresses (network order) asked of every packet: a 64-bit filter of a hash of each
 * (wr_addr4_bit()) spares most packets the scan.
 */
struct wr_addr4_set {
	uint64_t bits;
	unsigned int n;
	uint32_t a[WR_GW_OWN_ADDRS];
};

/** Add @p a to @p s (at start-up; the caller keeps within WR_GW_OWN_ADDRS) */
static inline void
wr_addr4_set_add(struct wr_addr4_set *s, uint32_t a)
{
	s->a[s->n++] = a;
	s->bits |= 1ull << wr_addr4_bit(a);
}

/** Whether @p a is in @p s: the scan only when its bit is set */
static inline bool
wr_addr4_set_has(const struct wr_addr4_set *s, uint32_t a)
{
	return ((s->bits >> wr_addr4_bit(a)) & 1) && wr_addr4_in(s->a, s->n, a);
}

/** An [Interface] as the workers see it. */
struct wr_gw_iface {
	const struct wr_gw *gw; /* the gateway it is one of */
	uint16_t port;          /* the port whose addresses take its UDP */
	uint16_t listen_port;   /* host order; atomic (the UAPI may change it) */
	uint32_t mtu;
	bool udp_checksum; /* [Interface] UDPChecksum = on: data messages over IPv4 carry one too */
	struct wr_lpm *lpm; /* cryptokey routing: inner address -> peer id; RCU-published */
	struct wr_dp_crypto_tables tables; /* keytable, peers, MTU, source lookup */
	unsigned int n_addrs;
	struct {
		uint8_t family;
		uint8_t addr[16];
	} addrs[WR_GW_IFACE_ADDRS]; /* [Interface] Address: echo requests to them are answered */
};

/** The kinds of struct wr_gw_event. */
enum wr_gw_event_kind {
	WR_GW_EVENT_RX = 1, /* wr_device_data_received() */
	WR_GW_EVENT_TX,     /* wr_device_data_sent() */
};

/** A "data received" or "data sent" summary, for the control lcore. */
struct wr_gw_event {
	uint32_t kind;
	uint32_t peer_id;
	uint32_t local_index; /* RX: the keypair */
	uint32_t packets;
	uint64_t counter; /* TX: greatest counter used */
	uint64_t inner_bytes;
	uint64_t wire_bytes;
	struct wr_endpoint ep; /* RX: outer source */
} __rte_aligned(8);

struct wr_gw {
	struct wr_dataplane *dp;
	struct rte_rcu_qsbr *rcu;
	struct wr_dp_peers *peers; /* every interface's peers, one id space */
	unsigned int n_ifaces;
	struct wr_gw_iface iface[WR_GW_MAX_IFACES];
	/* every interface's IPv4 addrs again, packed: a worker asks of every packet it forwards
	 * whether it is for one of them (wr_gw_is_tunnel_addr4()) */
	uint32_t tunnel4[WR_GW_MAX_IFACES * WR_GW_IFACE_ADDRS];
	unsigned int n_tunnel4;
	/* and every IPv4 address of the gateway, its ports' too: no packet it forwards may come
	 * from one (wr_gw_martian_source4()) */
	struct wr_addr4_set own4;
	/* the broadcast addresses of the on-link IPv4 prefixes (/30 and shorter: the ports'
	 * subnets, Routes without a gateway): a frame to one, into whichever port, is the host
	 * stack's, never forwarded (RFC 2644; wr_gw_bcast4()), and none comes from one */
	struct wr_addr4_set bcast4;
	uint8_t own6[WR_GW_OWN_ADDRS][16]; /* the IPv6 ones (wr_gw_martian_source6()) */
	unsigned int n_own6;
	uint64_t own6_bits; /* bit wr_addr4_bit() of each one's last 4 bytes */
	struct wr_fib fib;
	struct rte_ring *hs_ring;
	struct rte_ring *held_ring;
	struct rte_ring *route_ring;
	struct rte_ring *event_ring;
};

/** Whether the IPv4 address @p a (network order) is the broadcast address of an on-link prefix */
static inline bool
wr_gw_bcast4(const struct wr_gw *gw, uint32_t a)
{
	return wr_addr4_set_has(&gw->bcast4, a);
}

/**
 * Whether no packet the gateway forwards may come from the IPv4 address @p a (network order): one
 * of the gateway's own (a spoofed one), 0.0.0.0/8, loopback, multicast, class E, the limited
 * broadcast or an on-link prefix's (RFC 1812 5.3.7, Linux's "martian source"). Asked of every
 * packet forwarded: the scans of the sets only when the address's bit is set in theirs.
 */
static inline bool
wr_gw_martian_source4(const struct wr_gw *gw, uint32_t a)
{
	return wr_ip4_martian((const uint8_t *)&a) || wr_addr4_set_has(&gw->own4, a) ||
	       wr_gw_bcast4(gw, a);
}

/** Whether the IPv6 address @p a is one of the gateway's own (its ports', its interfaces') */
static inline bool
wr_gw_own6(const struct wr_gw *gw, const uint8_t *a)
{
	uint32_t low;
	unsigned int i;

	memcpy(&low, a + 12, 4);
	if (((gw->own6_bits >> wr_addr4_bit(low)) & 1) == 0)
		return false;
	for (i = 0; i < gw->n_own6; i++)
		if (memcmp(gw->own6[i], a, 16) == 0)
			return true;
	return false;
}

/**
 * wr_gw_martian_source4() for the IPv6 address @p a: one of the gateway's own (its ports', its
 * interfaces'), unspecified, loopback, multicast, link-local (RFC 4291 2.5.6: a router does not
 * forward a packet from one) or IPv4-mapped (RFC 4291 2.5.5.2).
 */
static inline bool
wr_gw_martian_source6(const struct wr_gw *gw, const uint8_t *a)
{
	return wr_ip6_not_host(a) || wr_ip6_link_local(a) || wr_ip6_v4mapped(a) ||
	       wr_gw_own6(gw, a);
}

/** Whether the IPv4 address @p a (network order) is an interface's own inside the tunnel. */
static inline bool
wr_gw_is_tunnel_addr4(const struct wr_gw *gw, uint32_t a)
{
	return wr_addr4_in(gw->tunnel4, gw->n_tunnel4, a);
}

/** The engine's clock (monotonic ns) from a TSC reading @p tsc of @p hz ticks per second. */
static inline uint64_t
wr_gw_tsc_to_ns(uint64_t tsc, uint64_t hz)
{
	return (tsc / hz) * 1000000000ull + (tsc % hz) * 1000000000ull / hz;
}

#endif /* WR_DP_GW_H */
