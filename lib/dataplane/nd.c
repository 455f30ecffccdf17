/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IPv6 neighbour discovery (RFC 4861) for the ports' IPv6 addresses: answer solicitations, learn
 * from solicitations and advertisements, solicit next hops. No router discovery, no DAD of our
 * own addresses (the configuration owns them).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "dataplane.h"
#include "host.h"
#include "neigh.h"

#define ND_NS 135
#define ND_NA 136
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define ND_HOP_LIMIT 255
/* NA flags, first byte of the reserved word: Router, Solicited, Override */
#define ND_NA_ROUTER 0x80
#define ND_NA_SOLICITED 0x40
#define ND_NA_OVERRIDE 0x20

/* NS and NA share one layout: ICMPv6 header, a 32-bit word (NA flags), the target. */
struct nd_msg {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	uint8_t flags;
	uint8_t reserved[3];
	uint8_t target[16];
} __rte_packed __rte_aligned(2);

/* The link-layer address option of Ethernet: 8 bytes */
struct nd_opt_lla {
	uint8_t type;
	uint8_t len; /* in units of 8 bytes */
	struct rte_ether_addr mac;
} __rte_packed __rte_aligned(2);

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

static bool
is_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/* RFC 2464 7: 33:33 and the low 32 bits of the group */
static void
mcast_mac(const uint8_t *group, struct rte_ether_addr *mac)
{
	mac->addr_bytes[0] = 0x33;
	mac->addr_bytes[1] = 0x33;
	memcpy(&mac->addr_bytes[2], group + 12, 4);
}

/*
 * Walk the options after the fixed part; returns false when one is malformed (zero length or
 * past the end, RFC 4861 4.6), else true with *lla set to the option of @p want_type or NULL.
 */
static bool
find_lla(const uint8_t *opt, uint32_t len, uint8_t want_type, const struct rte_ether_addr **lla)
{
	*lla = NULL;
	while (len > 0) {
		uint32_t olen;

		if (len < 2 || opt[1] == 0)
			return false;
		olen = (uint32_t)opt[1] * 8;
		if (olen > len)
			return false;
		if (opt[0] == want_type && olen == sizeof(struct nd_opt_lla))
			*lla = &((const struct nd_opt_lla *)opt)->mac;
		opt += olen;
		len -= olen;
	}
	return true;
}

static void
nd_advertise(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint16_t l3,
	uint16_t l4, const struct wr_port_addr *ours, const struct rte_ether_addr *slla)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l3);
	uint16_t want = l4 + sizeof(struct nd_msg) + sizeof(struct nd_opt_lla);
	struct nd_msg *na = rte_pktmbuf_mtod_offset(m, struct nd_msg *, l4);
	struct nd_opt_lla *opt = (struct nd_opt_lla *)(na + 1);
	bool dad = is_unspecified(ip6->src_addr);

	/* the reply is the solicitation rewritten: make it exactly NA + TLLA long */
	if (rte_pktmbuf_data_len(m) > want) {
		rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - want);
	} else if (rte_pktmbuf_data_len(m) < want &&
		   rte_pktmbuf_append(m, want - rte_pktmbuf_data_len(m)) == NULL) {
		wr_dp_drop(lc, WR_DP_DROP_NO_MBUF, m);
		return;
	}
	/* RFC 4861 7.2.4: to the solicitor, or to all nodes when it was doing DAD */
	if (dad) {
		memcpy(ip6->dst_addr, all_nodes, 16);
		mcast_mac(all_nodes, &eh->dst_addr);
	} else {
		memcpy(ip6->dst_addr, ip6->src_addr, 16);
		rte_ether_addr_copy(slla != NULL ? slla : &eh->src_addr, &eh->dst_addr);
	}
	rte_ether_addr_copy(&port->mac, &eh->src_addr);
	memcpy(ip6->src_addr, ours->addr, 16);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(sizeof(*na) + sizeof(*opt));
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = ND_HOP_LIMIT;
	na->type = ND_NA;
	na->code = 0;
	na->flags = ND_NA_ROUTER | ND_NA_OVERRIDE | (dad ? 0 : ND_NA_SOLICITED);
	memset(na->reserved, 0, sizeof(na->reserved));
	memcpy(na->target, ours->addr, 16);
	opt->type = ND_OPT_TLLA;
	opt->len = 1;
	rte_ether_addr_copy(&port->mac, &opt->mac);
	na->cksum = 0;
	na->cksum = wr_cksum6(ip6, na);
	lc->port[port->index].nd_adverts++;
	wr_dp_tx(lc, port, m);
}

void
wr_nd_input(
	struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint16_t l3, uint16_t l4)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l3);
	uint32_t len = l3 + sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len) - l4;
	const struct rte_ether_addr *lla;
	const struct wr_port_addr *ours;
	struct nd_msg *msg;

	msg = rte_pktmbuf_mtod_offset(m, struct nd_msg *, l4);
	/* RFC 4861 7.1.1/7.1.2: hop limit 255 proves the sender is on link */
	if (ip6->hop_limits != ND_HOP_LIMIT || msg->code != 0 || len < sizeof(*msg) ||
		(msg->target[0] == 0xff)) {
		wr_dp_drop(lc, WR_DP_DROP_ND_MALFORMED, m);
		return;
	}
	/* a link-layer address (the option's, else an advert's Ethernet source) must be one
	 * station's: a group or zero one would send a neighbour's traffic to all or none */
	if (!find_lla((const uint8_t *)(msg + 1), len - sizeof(*msg),
		    msg->type == ND_NS ? ND_OPT_SLLA : ND_OPT_TLLA, &lla) ||
		(lla != NULL && !rte_is_valid_assigned_ether_addr(lla)) ||
		(lla == NULL && msg->type == ND_NA &&
			!rte_is_valid_assigned_ether_addr(&eh->src_addr))) {
		wr_dp_drop(lc, WR_DP_DROP_ND_MALFORMED, m);
		return;
	}
	ours = wr_port_find_addr6(port, msg->target);
	if (msg->type == ND_NA) {
		/* RFC 4861 7.1.2: an answer to a solicitation goes to its sender, never to a
		 * group */
		if ((msg->flags & ND_NA_SOLICITED) && ip6->dst_addr[0] == 0xff) {
			wr_dp_drop(lc, WR_DP_DROP_ND_MALFORMED, m);
			return;
		}
		/* only updates a next hop we asked for or know: unsolicited adverts create nothing
		 */
		wr_neigh_advert(lc, port, msg->target, lla != NULL ? lla : &eh->src_addr,
			(msg->flags & ND_NA_SOLICITED) != 0, (msg->flags & ND_NA_OVERRIDE) != 0);
		rte_pktmbuf_free(m);
		return;
	}
	if (is_unspecified(ip6->src_addr) &&
		(lla != NULL || !wr_port_is_snm(port, ip6->dst_addr))) {
		wr_dp_drop(lc, WR_DP_DROP_ND_MALFORMED, m);
		return;
	}
	if (ours == NULL) {
		wr_dp_drop(lc, WR_DP_DROP_ND_NOT_FOR_US, m);
		return;
	}
	/* creates an entry only for a source that can be a neighbour (on link, not ours) */
	if (lla != NULL)
		wr_neigh_learn(lc, port, AF_INET6, ip6->src_addr, lla,
			wr_port_neighbour_ok(port, AF_INET6, ip6->src_addr));
	nd_advertise(lc, port, m, l3, l4, ours, lla);
}

int
wr_nd_solicit(struct wr_dp_lcore *lc, struct wr_port *port, const void *target)
{
	const struct wr_port_addr *src = wr_port_source_for(port, AF_INET6, target);
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip6;
	struct nd_msg *ns;
	struct nd_opt_lla *opt;
	struct rte_mbuf *m;

	if (src == NULL)
		return -EADDRNOTAVAIL;
	m = rte_pktmbuf_alloc(lc->dp->mp);
	if (m == NULL) {
		wr_dp_count(&lc->drops[WR_DP_DROP_NO_MBUF]);
		return -ENOBUFS;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(
		m, sizeof(*eh) + sizeof(*ip6) + sizeof(*ns) + sizeof(*opt));
	ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	ns = (struct nd_msg *)(ip6 + 1);
	opt = (struct nd_opt_lla *)(ns + 1);
	rte_ether_addr_copy(&port->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(sizeof(*ns) + sizeof(*opt));
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = ND_HOP_LIMIT;
	memcpy(ip6->src_addr, src->addr, 16);
	/* the target's solicited-node group, RFC 4291 2.7.1 */
	memcpy(ip6->dst_addr, all_nodes, 16);
	ip6->dst_addr[11] = 0x01;
	ip6->dst_addr[12] = 0xff;
	memcpy(&ip6->dst_addr[13], (const uint8_t *)target + 13, 3);
	mcast_mac(ip6->dst_addr, &eh->dst_addr);
	memset(ns, 0, sizeof(*ns));
	ns->type = ND_NS;
	memcpy(ns->target, target, 16);
	opt->type = ND_OPT_SLLA;
	opt->len = 1;
	rte_ether_addr_copy(&port->mac, &opt->mac);
	ns->cksum = wr_cksum6(ip6, ns);
	wr_dp_tx(lc, port, m);
	return 0;
}
