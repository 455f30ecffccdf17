/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) of the gateway's own addresses: echo replies, and the
 * "fragmentation needed" / "packet too big" errors the forwarding path sends when a packet does
 * not fit the tunnel.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "dataplane.h"
#include "host.h"

#define ICMP4_DEST_UNREACH 3
#define ICMP4_FRAG_NEEDED 4
#define ICMP6_TOO_BIG 2
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ICMP6_ND_NS 135
#define ICMP6_ND_NA 136
#define REPLY_TTL 64
/* RFC 1812 4.3.2.3: an ICMP error is at most 576 bytes; RFC 4443 2.4: at most 1280 */
#define ICMP4_ERROR_MAX 576
#define ICMP6_ERROR_MAX 1280

static bool
is_unspecified6(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

static void
reply_l2(struct wr_port *port, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&port->mac, &eh->src_addr);
}

/* Turn a checked IPv4 echo request (@p icmp_len bytes of ICMP) into its reply, in place. */
static void
ipv4_echo_to_reply(struct rte_ipv4_hdr *ip, struct rte_icmp_hdr *icmp, uint32_t icmp_len)
{
	rte_be32_t tmp = ip->src_addr;

	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->time_to_live = REPLY_TTL;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, icmp_len);
}

void
wr_icmp4_input(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint16_t l3)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3);
	uint16_t hlen = rte_ipv4_hdr_len(ip);
	uint32_t len = rte_be_to_cpu_16(ip->total_length) - hlen;
	struct rte_icmp_hdr *icmp;

	if (ip->next_proto_id != IPPROTO_ICMP) {
		wr_dp_drop(lc, WR_DP_DROP_L4_UNHANDLED, m);
		return;
	}
	icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + hlen);
	if (len < sizeof(*icmp) || rte_raw_cksum(icmp, len) != 0xffff) {
		wr_dp_drop(lc, WR_DP_DROP_ICMP_MALFORMED, m);
		return;
	}
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) {
		wr_dp_drop(lc, WR_DP_DROP_ICMP_UNHANDLED, m);
		return;
	}
	ipv4_echo_to_reply(ip, icmp, len);
	reply_l2(port, m);
	lc->port[port->index].echo_replies++;
	wr_dp_tx(lc, port, m);
}

bool
wr_icmp_echo_reply_in_place(uint8_t *pkt, uint32_t len)
{
	if (len >= sizeof(struct rte_ipv4_hdr) && (pkt[0] >> 4) == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
		uint32_t hlen = rte_ipv4_hdr_len(ip), total = rte_be_to_cpu_16(ip->total_length);
		struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(pkt + hlen);

		if (hlen < sizeof(*ip) || total > len || total < hlen + sizeof(*icmp) ||
			ip->next_proto_id != IPPROTO_ICMP ||
			(rte_be_to_cpu_16(ip->fragment_offset) &
				(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0 ||
			icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0 ||
			rte_raw_cksum(icmp, total - hlen) != 0xffff)
			return false;
		ipv4_echo_to_reply(ip, icmp, total - hlen);
		return true;
	}
	if (len >= sizeof(struct rte_ipv6_hdr) && (pkt[0] >> 4) == 6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)pkt;
		uint32_t plen = rte_be_to_cpu_16(ip6->payload_len);
		struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip6 + 1);
		uint8_t tmp[16];

		if (sizeof(*ip6) + plen > len || plen < sizeof(*icmp) ||
			ip6->proto != IPPROTO_ICMPV6 || icmp->icmp_type != ICMP6_ECHO_REQUEST ||
			icmp->icmp_code != 0 || !wr_cksum6_ok(ip6, icmp, plen))
			return false;
		memcpy(tmp, ip6->src_addr, 16);
		memcpy(ip6->src_addr, ip6->dst_addr, 16);
		memcpy(ip6->dst_addr, tmp, 16);
		ip6->hop_limits = REPLY_TTL;
		icmp->icmp_type = ICMP6_ECHO_REPLY;
		icmp->icmp_cksum = 0;
		icmp->icmp_cksum = wr_cksum6(ip6, icmp);
		return true;
	}
	return false;
}

void
wr_icmp6_input(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint16_t l3)
{
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l3);
	uint16_t l4 = l3 + sizeof(*ip6);
	uint32_t len = rte_be_to_cpu_16(ip6->payload_len);
	struct rte_icmp_hdr *icmp;
	uint8_t tmp[16];

	if (ip6->proto != IPPROTO_ICMPV6) {
		wr_dp_drop(lc, WR_DP_DROP_L4_UNHANDLED, m);
		return;
	}
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, l4);
	if (len < sizeof(*icmp) || !wr_cksum6_ok(ip6, icmp, len)) {
		wr_dp_drop(lc, WR_DP_DROP_ICMP_MALFORMED, m);
		return;
	}
	switch (icmp->icmp_type) {
	case ICMP6_ND_NS:
	case ICMP6_ND_NA:
		wr_nd_input(lc, port, m, l3, l4);
		return;
	case ICMP6_ECHO_REQUEST:
		/* echo to a group (all-nodes) is not answered: only our unicast addresses */
		if (icmp->icmp_code == 0 && wr_port_find_addr6(port, ip6->dst_addr) != NULL)
			break;
		/* fall through */
	default:
		wr_dp_drop(lc, WR_DP_DROP_ICMP_UNHANDLED, m);
		return;
	}
	memcpy(tmp, ip6->src_addr, 16);
	memcpy(ip6->src_addr, ip6->dst_addr, 16);
	memcpy(ip6->dst_addr, tmp, 16);
	icmp->icmp_type = ICMP6_ECHO_REPLY;
	ip6->hop_limits = REPLY_TTL;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = wr_cksum6(ip6, icmp);
	reply_l2(port, m);
	lc->port[port->index].echo_replies++;
	wr_dp_tx(lc, port, m);
}

/* A new mbuf holding room for Ethernet + @p l3_len + 8 bytes of ICMP header + @p quote bytes. */
static struct rte_mbuf *
error_alloc(struct wr_dp_lcore *lc, uint16_t ether_type, uint16_t l3_len, uint32_t quote)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->dp->mp);
	struct rte_ether_hdr *eh;

	if (m == NULL) {
		lc->drops[WR_DP_DROP_NO_MBUF]++;
		return NULL;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(
		m, sizeof(*eh) + l3_len + sizeof(struct rte_icmp_hdr) + quote);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		lc->drops[WR_DP_DROP_NO_MBUF]++;
		return NULL;
	}
	memset(eh, 0, sizeof(*eh));
	eh->ether_type = rte_cpu_to_be_16(ether_type);
	m->l2_len = sizeof(*eh);
	m->l3_len = l3_len;
	return m;
}

/* RFC 1122 3.2.2: no error about an ICMP error (only queries may get one) */
static bool
icmp4_is_error(const struct rte_ipv4_hdr *ip, uint32_t avail)
{
	const uint8_t *l4 = (const uint8_t *)ip + rte_ipv4_hdr_len(ip);

	if (ip->next_proto_id != IPPROTO_ICMP)
		return false;
	if (avail < rte_ipv4_hdr_len(ip) + 1u)
		return true;
	switch (l4[0]) {
	case RTE_IP_ICMP_ECHO_REQUEST:
	case RTE_IP_ICMP_ECHO_REPLY:
	case 13: /* timestamp */
	case 14: /* timestamp reply */
		return false;
	default:
		return true;
	}
}

struct rte_mbuf *
wr_icmp4_frag_needed(struct wr_dp_lcore *lc, const struct wr_port *port,
	const struct rte_mbuf *orig, uint16_t l3, uint16_t mtu)
{
	const struct rte_ipv4_hdr *oip = rte_pktmbuf_mtod_offset(orig, struct rte_ipv4_hdr *, l3);
	uint32_t avail = rte_pktmbuf_data_len(orig) - l3, quote;
	const struct wr_port_addr *src;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *m;
	uint32_t osrc;

	if (rte_pktmbuf_data_len(orig) < l3 + sizeof(*oip))
		return NULL;
	memcpy(&osrc, &oip->src_addr, 4);
	/* no error to a group, broadcast or unspecified source, nor about a later fragment */
	if (osrc == 0 || osrc == UINT32_MAX || (rte_be_to_cpu_32(osrc) >> 28) == 0xe ||
		(rte_be_to_cpu_16(oip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0 ||
		icmp4_is_error(oip, avail))
		return NULL;
	src = wr_port_source_for(port, AF_INET, &osrc);
	if (src == NULL)
		return NULL;
	quote = RTE_MIN(avail, (uint32_t)rte_be_to_cpu_16(oip->total_length));
	quote = RTE_MIN(quote, ICMP4_ERROR_MAX - sizeof(*ip) - sizeof(*icmp));
	m = error_alloc(lc, RTE_ETHER_TYPE_IPV4, sizeof(*ip), quote);
	if (m == NULL)
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*icmp) + quote);
	ip->time_to_live = REPLY_TTL;
	ip->next_proto_id = IPPROTO_ICMP;
	memcpy(&ip->src_addr, src->addr, 4);
	ip->dst_addr = osrc;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = ICMP4_DEST_UNREACH;
	icmp->icmp_code = ICMP4_FRAG_NEEDED;
	icmp->icmp_cksum = 0;
	/* RFC 1191 4: unused 16 bits, then the next-hop MTU */
	icmp->icmp_ident = 0;
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu);
	memcpy(icmp + 1, oip, quote);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + quote);
	return m;
}

struct rte_mbuf *
wr_icmp6_too_big(struct wr_dp_lcore *lc, const struct wr_port *port, const struct rte_mbuf *orig,
	uint16_t l3, uint16_t mtu)
{
	const struct rte_ipv6_hdr *oip = rte_pktmbuf_mtod_offset(orig, struct rte_ipv6_hdr *, l3);
	uint32_t avail = rte_pktmbuf_data_len(orig) - l3, quote;
	const struct wr_port_addr *src;
	struct rte_ipv6_hdr *ip6;
	struct rte_icmp_hdr *icmp;
	const uint8_t *ol4;
	struct rte_mbuf *m;

	if (rte_pktmbuf_data_len(orig) < l3 + sizeof(*oip))
		return NULL;
	/* RFC 4443 2.4 (e): never about a multicast-sourced packet, an unspecified source, or an
	 * ICMPv6 error (types below 128) */
	ol4 = (const uint8_t *)(oip + 1);
	if (oip->src_addr[0] == 0xff || is_unspecified6(oip->src_addr) ||
		(oip->proto == IPPROTO_ICMPV6 && (avail <= sizeof(*oip) || ol4[0] < 128)))
		return NULL;
	src = wr_port_source_for(port, AF_INET6, oip->src_addr);
	if (src == NULL)
		return NULL;
	quote = RTE_MIN(avail, (uint32_t)sizeof(*oip) + rte_be_to_cpu_16(oip->payload_len));
	quote = RTE_MIN(quote, ICMP6_ERROR_MAX - sizeof(*ip6) - sizeof(*icmp));
	m = error_alloc(lc, RTE_ETHER_TYPE_IPV6, sizeof(*ip6), quote);
	if (m == NULL)
		return NULL;
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, m->l2_len);
	icmp = (struct rte_icmp_hdr *)(ip6 + 1);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(sizeof(*icmp) + quote);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = REPLY_TTL;
	memcpy(ip6->src_addr, src->addr, 16);
	memcpy(ip6->dst_addr, oip->src_addr, 16);
	icmp->icmp_type = ICMP6_TOO_BIG;
	icmp->icmp_code = 0;
	icmp->icmp_cksum = 0;
	/* RFC 4443 3.2: the MTU as a 32-bit field */
	icmp->icmp_ident = 0;
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu);
	memcpy(icmp + 1, oip, quote);
	icmp->icmp_cksum = wr_cksum6(ip6, icmp);
	return m;
}
