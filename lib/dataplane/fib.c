/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Routes out of the gateway's ports, and the workers' cache of resolved next hops.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_ring.h>

#include "fib.h"
#include "host.h"
#include "neigh.h"
#include "wr_config.h"

static int
add_route(struct wr_fib *fib, int family, const uint8_t *addr, uint8_t cidr, uint16_t port,
	const uint8_t *gw)
{
	struct wr_fib_route *r;
	unsigned int len = family == AF_INET ? 4 : 16, i;

	if (fib->n_routes == WR_FIB_MAX_ROUTES)
		return -E2BIG;
	r = &fib->routes[fib->n_routes++];
	memset(r, 0, sizeof(*r));
	r->family = (uint8_t)family;
	r->cidr = cidr;
	r->port = port;
	memcpy(r->addr, addr, len);
	/* the port's own address keeps its host bits in the configuration: a route does not */
	for (i = 0; i < len; i++) {
		unsigned int bits = i * 8u >= cidr ? 0 : cidr - i * 8u;

		if (bits < 8)
			r->addr[i] &= (uint8_t)(0xff00u >> bits);
	}
	if (gw != NULL) {
		r->has_gw = true;
		memcpy(r->gw, gw, len);
	}
	return 0;
}

int
wr_fib_init(struct wr_fib *fib, const struct wr_config *cfg)
{
	size_t p, i;
	int ret;

	memset(fib, 0, sizeof(*fib));
	for (p = 0; p < cfg->n_ports && p < WR_DP_MAX_PORTS; p++) {
		const struct wr_config_port *cp = &cfg->ports[p];

		for (i = 0; i < cp->n_addrs; i++) {
			ret = add_route(fib, cp->addrs[i].family, cp->addrs[i].addr,
				cp->addrs[i].cidr, (uint16_t)p, NULL);
			if (ret < 0)
				return ret;
		}
		for (i = 0; i < cp->n_routes; i++) {
			const struct wr_config_route *r = &cp->routes[i];

			ret = add_route(fib, r->dst.family, r->dst.addr, r->dst.cidr, (uint16_t)p,
				r->has_gateway ? r->gateway : NULL);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned int cidr)
{
	unsigned int full = cidr / 8, rest = cidr % 8, i;

	/* a few bytes, per packet: a loop the compiler inlines, not a call to memcmp() */
	for (i = 0; i < full; i++)
		if (a[i] != b[i])
			return false;
	return rest == 0 || ((a[full] ^ b[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

/*
 * A destination that no packet may be routed to (RFC 1812 5.3.7, RFC 4291 2.5.2-2.5.3): IPv4
 * 0/8, loopback, multicast, class E and the limited broadcast; IPv6 unspecified, loopback,
 * multicast.
 */
static bool
martian(int family, const uint8_t *a)
{
	return family == AF_INET ? wr_ip4_martian(a) : wr_ip6_not_host(a);
}

/*
 * Whether route @p r may not take the IPv6 link-local @p a (RFC 4291 2.5.6: a router does not
 * forward to one): only an on-link route inside fe80::/10 does (a port's fe80:: address or a
 * Route without a gateway), not a default or any route through a gateway, which would send it to
 * another link.
 */
static bool
link_local_off_link(const struct wr_fib_route *r, const uint8_t *a)
{
	return r->family == AF_INET6 && wr_ip6_link_local(a) && (r->has_gw || r->cidr < 10);
}

/* Whether @p a is the broadcast address of the on-link IPv4 prefix @p r (a connected one, or a
 * Route without a gateway; RFC 2644: a router does not forward directed broadcasts) */
static bool
directed_broadcast(const struct wr_fib_route *r, const uint8_t *a)
{
	return r->family == AF_INET && !r->has_gw && wr_ip4_prefix_broadcast(a, r->cidr);
}

/* The route that takes @p dst, with its next hop into @p nh; NULL when none may */
static const struct wr_fib_route *
best_route(const struct wr_fib *fib, int family, const void *dst, uint8_t *nh)
{
	const struct wr_fib_route *best = NULL;
	unsigned int i;

	if (martian(family, dst))
		return NULL;
	/* a handful of routes: a scan beats a table here */
	for (i = 0; i < fib->n_routes; i++) {
		const struct wr_fib_route *r = &fib->routes[i];

		if (r->family == family && (best == NULL || r->cidr > best->cidr) &&
			prefix_match(r->addr, dst, r->cidr))
			best = r;
	}
	if (best == NULL || directed_broadcast(best, dst) || link_local_off_link(best, dst))
		return NULL;
	memset(nh, 0, 16);
	memcpy(nh, best->has_gw ? best->gw : dst, family == AF_INET ? 4 : 16);
	return best;
}

bool
wr_fib_forbidden(const struct wr_fib *fib, int family, const void *dst)
{
	unsigned int i;

	if (martian(family, dst) || (family == AF_INET6 && wr_ip6_link_local(dst)))
		return true;
	for (i = 0; family == AF_INET && i < fib->n_routes; i++)
		if (directed_broadcast(&fib->routes[i], dst) &&
			prefix_match(fib->routes[i].addr, dst, fib->routes[i].cidr))
			return true;
	return false;
}

bool
wr_fib_lookup(const struct wr_fib *fib, int family, const void *dst, uint16_t *port, uint8_t *nh)
{
	const struct wr_fib_route *r = best_route(fib, family, dst, nh);

	if (r == NULL)
		return false;
	*port = r->port;
	return true;
}

/*
 * The next hop's address as two words, zero-padded. Built in registers: a 4-byte copy into
 * a zeroed array then read back as 8 bytes stalled on store forwarding, per packet.
 */
static inline void
nh_key(int family, const void *ip, uint64_t key[2])
{
	uint32_t a4;

	if (family == AF_INET) {
		memcpy(&a4, ip, 4);
		/* the same bytes as a copy into the zeroed words */
		key[0] = RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN ? a4 : (uint64_t)a4 << 32;
		key[1] = 0;
	} else {
		memcpy(&key[0], ip, 8);
		memcpy(&key[1], (const uint8_t *)ip + 8, 8);
	}
}

static unsigned int
nh_slot(const uint64_t key[2])
{
	uint64_t h = (key[0] ^ (key[1] * 0x9e3779b97f4a7c15ull)) * 0x9e3779b97f4a7c15ull;

	return (unsigned int)(h >> 56) & (WR_FIB_NHC_SIZE - 1);
}

bool
wr_fib_nh_get(const struct wr_fib *fib, uint16_t port, int family, const void *nh,
	struct rte_ether_addr *mac)
{
	const struct wr_fib_nh *e;
	uint64_t key[2], m;
	uint32_t s1;
	bool hit;

	if (port >= WR_DP_MAX_PORTS)
		return false;
	nh_key(family, nh, key);
	e = &fib->nhc[port][nh_slot(key)];
	s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
	if (s1 & 1)
		return false;
	hit = __atomic_load_n(&e->family, __ATOMIC_RELAXED) == (uint32_t)family &&
	      __atomic_load_n(&e->ip[0], __ATOMIC_RELAXED) == key[0] &&
	      __atomic_load_n(&e->ip[1], __ATOMIC_RELAXED) == key[1];
	m = __atomic_load_n(&e->mac, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (!hit || __atomic_load_n(&e->seq, __ATOMIC_RELAXED) != s1)
		return false;
	memcpy(mac, &m, RTE_ETHER_ADDR_LEN);
	return true;
}

void
wr_fib_nh_set(struct wr_fib *fib, uint16_t port, int family, const void *nh,
	const struct rte_ether_addr *mac)
{
	struct wr_fib_nh *e;
	uint64_t key[2], m = 0;
	uint32_t seq;

	if (port >= WR_DP_MAX_PORTS)
		return;
	nh_key(family, nh, key);
	e = &fib->nhc[port][nh_slot(key)];
	if (mac != NULL)
		memcpy(&m, mac, RTE_ETHER_ADDR_LEN);
	else if (e->family != (uint32_t)family || e->ip[0] != key[0] || e->ip[1] != key[1])
		return; /* the slot holds another next hop: leave it */
	if (mac != NULL && e->family == (uint32_t)family && e->ip[0] == key[0] &&
		e->ip[1] == key[1] && e->mac == m)
		return;
	seq = e->seq;
	__atomic_store_n(&e->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&e->family, mac != NULL ? (uint32_t)family : 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->ip[0], key[0], __ATOMIC_RELAXED);
	__atomic_store_n(&e->ip[1], key[1], __ATOMIC_RELAXED);
	__atomic_store_n(&e->mac, m, __ATOMIC_RELAXED);
	__atomic_store_n(&e->seq, seq + 2, __ATOMIC_RELEASE);
}

void
wr_fib_nh_refresh(struct wr_fib *fib, struct wr_dp_lcore *lc)
{
	struct wr_dataplane *dp = lc->dp;
	uint16_t p;
	unsigned int i;

	for (p = 0; p < dp->nb_ports; p++) {
		for (i = 0; i < WR_FIB_NHC_SIZE; i++) {
			struct wr_fib_nh *e = &fib->nhc[p][i];
			struct rte_ether_addr mac;
			int family = (int)e->family;
			uint64_t ip[2] = { e->ip[0], e->ip[1] };

			if (family == 0)
				continue;
			if (wr_neigh_use(lc, &dp->ports[p], family, ip, &mac))
				wr_fib_nh_set(fib, p, family, ip, &mac);
			else
				wr_fib_nh_set(fib, p, family, ip, NULL);
		}
	}
}

/* The control lcore's way: the neighbour table sends or queues, the cache learns. */
static void
control_output(struct wr_fib *fib, struct wr_dp_lcore *lc, struct wr_port *port, int family,
	const uint8_t *nh, struct rte_mbuf *m)
{
	struct rte_ether_addr mac;

	if (wr_neigh_output(lc, port, family, nh, m) == 0 &&
		wr_neigh_lookup(port->neigh, family, nh, &mac))
		wr_fib_nh_set(fib, port->index, family, nh, &mac);
}

int
wr_fib_output(struct wr_fib *fib, struct wr_dp_lcore *lc, struct rte_ring *miss_ring,
	struct rte_mbuf *m, int family, const void *dst)
{
	uint8_t nh[16];
	uint16_t p;

	if (!wr_fib_lookup(fib, family, dst, &p, nh)) {
		wr_dp_drop(lc, WR_DP_DROP_NO_ROUTE_OUT, m);
		return -ENETUNREACH;
	}
	return wr_fib_output_via(fib, lc, miss_ring, m, family, p, nh);
}

int
wr_fib_output_via(struct wr_fib *fib, struct wr_dp_lcore *lc, struct rte_ring *miss_ring,
	struct rte_mbuf *m, int family, uint16_t p, const uint8_t *nh)
{
	struct wr_dataplane *dp = lc->dp;
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct wr_port *port;

	if (p >= dp->nb_ports) {
		wr_dp_drop(lc, WR_DP_DROP_NO_ROUTE_OUT, m);
		return -ENETUNREACH;
	}
	port = &dp->ports[p];
	rte_ether_addr_copy(&port->mac, &eh->src_addr);
	if (lc->control) {
		control_output(fib, lc, port, family, nh, m);
		return 0;
	}
	if (wr_fib_nh_get(fib, p, family, nh, &eh->dst_addr)) {
		wr_dp_tx(lc, port, m);
		return 0;
	}
	if (rte_ring_enqueue(miss_ring, m) != 0)
		wr_dp_drop(lc, WR_DP_DROP_ROUTE_RING_FULL, m);
	return 0;
}

bool
wr_fib_way_find(const struct wr_fib *fib, const struct wr_dataplane *dp, bool control,
	struct wr_fib_way *w, int family, const void *dst)
{
	const struct wr_fib_route *r = best_route(fib, family, dst, w->nh);
	unsigned int alen = family == AF_INET6 ? 16 : 4;
	const struct wr_port *port;

	w->family = 0;
	if (r == NULL || r->port >= dp->nb_ports)
		return false;
	w->port = r->port;
	w->cidr = r->cidr;
	port = &dp->ports[w->port];
	w->ours = (family == AF_INET6 ? wr_port_find_addr6(port, dst)
				      : wr_port_find_addr4(port, dst)) != NULL;
	w->direct = !control && wr_fib_nh_get(fib, w->port, family, w->nh, &w->mac);
	memcpy(w->dst, dst, alen);
	w->family = family;
	return true;
}

void
wr_fib_output_frame(struct wr_fib *fib, struct wr_dp_lcore *lc, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *ip = (const uint8_t *)(eh + 1);

	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		wr_fib_output(fib, lc, NULL, m, AF_INET, ip + 16);
	else
		wr_fib_output(fib, lc, NULL, m, AF_INET6, ip + 24);
}
