/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) of the gateway's own addresses: echo replies (host.h),
 * and the errors the forwarding path sends as a router (icmp.h): "time exceeded",
 * "fragmentation needed" / "packet too big".
 */
#include <errno.h>
#include <netinet/icmp6.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "dataplane.h"
#include "host.h"
#include "icmp.h"

#define ICMP6_ND_NS 135
#define ICMP6_ND_NA 136
#define REPLY_TTL 64

/* A source or destination that is one host: not 0/8's 0, loopback, multicast, class E, broadcast */
static bool
is_host4(const uint8_t *a)
{
	return !(a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0) && a[0] != 127 && a[0] < 224;
}

/*
 * Whether an echo request from @p src to @p port may be answered: from one host, not a group,
 * broadcast (limited, or of the port's prefixes), loopback or unspecified address, so that no
 * reply goes to many (RFC 1122 3.2.2.6, RFC 4443 4.2). (wr_dp_input() dropped group Ethernet
 * sources.)
 */
static bool
echo_source_ok(const struct wr_port *port, int family, const uint8_t *src)
{
	if (family == AF_INET)
		return is_host4(src) && !wr_port_is_broadcast4(port, src);
	return !wr_ip6_not_host(src);
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

/* Turn a checked ICMPv6 echo request (after the fixed IPv6 header) into its reply, in place. */
static void
ipv6_echo_to_reply(struct rte_ipv6_hdr *ip6, struct rte_icmp_hdr *icmp)
{
	uint8_t tmp[16];

	memcpy(tmp, ip6->src_addr, 16);
	memcpy(ip6->src_addr, ip6->dst_addr, 16);
	memcpy(ip6->dst_addr, tmp, 16);
	ip6->hop_limits = REPLY_TTL;
	icmp->icmp_type = ICMP6_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = wr_cksum6(ip6, icmp);
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
	if (!echo_source_ok(port, AF_INET, (const uint8_t *)&ip->src_addr)) {
		wr_dp_drop(lc, WR_DP_DROP_ECHO_BAD_SOURCE, m);
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

		if (sizeof(*ip6) + plen > len || plen < sizeof(*icmp) ||
			ip6->proto != IPPROTO_ICMPV6 || icmp->icmp_type != ICMP6_ECHO_REQUEST ||
			icmp->icmp_code != 0 || !wr_cksum6_ok(ip6, icmp, plen))
			return false;
		ipv6_echo_to_reply(ip6, icmp);
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
	if (!echo_source_ok(port, AF_INET6, ip6->src_addr)) {
		wr_dp_drop(lc, WR_DP_DROP_ECHO_BAD_SOURCE, m);
		return;
	}
	ipv6_echo_to_reply(ip6, icmp);
	reply_l2(port, m);
	lc->port[port->index].echo_replies++;
	wr_dp_tx(lc, port, m);
}

bool
wr_icmp4_may_error(const uint8_t *p, uint32_t len)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)p;
	uint32_t hlen;
	uint8_t type;

	if (len < sizeof(*ip) || (p[0] >> 4) != 4)
		return false;
	hlen = rte_ipv4_hdr_len(ip);
	if (hlen < sizeof(*ip) || hlen > len)
		return false;
	/* RFC 1812 4.3.2.7: not to a group or broadcast, not from other than one host */
	if (!is_host4(p + 12) || p[16] >= 224)
		return false;
	if ((rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0)
		return false;
	if (ip->next_proto_id != IPPROTO_ICMP)
		return true;
	/* RFC 1122 3.2.2: no error about an ICMP error; queries may get one (as Linux, types past
	 * the last one it knows count as errors) */
	if (len < hlen + 1)
		return false;
	type = p[hlen];
	switch (type) {
	case WR_ICMP4_DEST_UNREACH:
	case 4: /* source quench */
	case 5: /* redirect */
	case WR_ICMP4_TIME_EXCEEDED:
	case 12: /* parameter problem */
		return false;
	default:
		return type <= 18;
	}
}

bool
wr_icmp6_may_error(const uint8_t *p, uint32_t len, uint8_t type)
{
	const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)p;
	uint32_t off = sizeof(*ip6);
	unsigned int i;
	uint8_t nh;

	if (len < sizeof(*ip6) || (p[0] >> 4) != 6)
		return false;
	/* RFC 4443 2.4 (e) */
	if (wr_ip6_not_host(ip6->src_addr))
		return false;
	if (ip6->dst_addr[0] == 0xff && type != WR_ICMP6_TOO_BIG)
		return false;
	nh = ip6->proto;
	/* through the extension headers to the ICMPv6 type or a fragment's offset, if any */
	for (i = 0; i < 8; i++) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (len < off + 8)
				return false;
			nh = p[off];
			off += (p[off + 1] + 1u) * 8;
			break;
		case IPPROTO_FRAGMENT:
			if (len < off + 8)
				return false;
			if ((((uint32_t)p[off + 2] << 8 | p[off + 3]) & 0xfff8) != 0)
				return false;
			nh = p[off];
			off += 8;
			break;
		case IPPROTO_ICMPV6:
			/* an error, or a redirect (neighbour discovery's, as Linux leaves it) */
			return len > off && p[off] >= 128 && p[off] != ND_REDIRECT;
		default:
			return true;
		}
	}
	return true;
}

uint32_t
wr_icmp4_error_build(uint8_t *out, uint32_t cap, const uint8_t *orig, uint32_t len, uint8_t type,
	uint8_t code, uint32_t rest, const void *src)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)out;
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	uint32_t hdrs = sizeof(*ip) + sizeof(*icmp), quote;
	rte_be32_t r = rte_cpu_to_be_32(rest);

	cap = RTE_MIN(cap, (uint32_t)WR_ICMP4_ERROR_MAX);
	if (!wr_icmp4_may_error(orig, len) || cap < hdrs)
		return 0;
	quote = RTE_MIN(
		len, (uint32_t)rte_be_to_cpu_16(((const struct rte_ipv4_hdr *)orig)->total_length));
	quote = RTE_MIN(quote, cap - hdrs);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(hdrs + quote));
	ip->time_to_live = REPLY_TTL;
	ip->next_proto_id = IPPROTO_ICMP;
	memcpy(&ip->src_addr, src, 4);
	memcpy(&ip->dst_addr, orig + offsetof(struct rte_ipv4_hdr, src_addr), 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_cksum = 0;
	/* the second word: unused, or RFC 1191's next-hop MTU in its low half */
	memcpy(&icmp->icmp_ident, &r, 4);
	memcpy(icmp + 1, orig, quote);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + quote);
	return hdrs + quote;
}

uint32_t
wr_icmp6_error_build(uint8_t *out, uint32_t cap, const uint8_t *orig, uint32_t len, uint8_t type,
	uint8_t code, uint32_t rest, const void *src)
{
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)out;
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip6 + 1);
	uint32_t hdrs = sizeof(*ip6) + sizeof(*icmp), quote;
	rte_be32_t r = rte_cpu_to_be_32(rest);

	cap = RTE_MIN(cap, (uint32_t)WR_ICMP6_ERROR_MAX);
	if (!wr_icmp6_may_error(orig, len, type) || cap < hdrs)
		return 0;
	quote = RTE_MIN(
		len, (uint32_t)sizeof(*ip6) +
			     rte_be_to_cpu_16(((const struct rte_ipv6_hdr *)orig)->payload_len));
	quote = RTE_MIN(quote, cap - hdrs);
	memset(ip6, 0, sizeof(*ip6));
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)(sizeof(*icmp) + quote));
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = REPLY_TTL;
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, orig + offsetof(struct rte_ipv6_hdr, src_addr), 16);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_cksum = 0;
	/* RFC 4443 3.2: the MTU as a 32-bit field; 3.3: unused */
	memcpy(&icmp->icmp_ident, &r, 4);
	memcpy(icmp + 1, orig, quote);
	icmp->icmp_cksum = wr_cksum6(ip6, icmp);
	return hdrs + quote;
}

struct rte_mbuf *
wr_icmp_error(struct wr_dp_lcore *lc, bool v6, const uint8_t *orig, uint32_t len, uint8_t type,
	uint8_t code, uint32_t rest, const void *src, uint16_t l2, uint32_t max)
{
	struct rte_mbuf *m;
	uint8_t *p;
	uint32_t n;

	/* the callers asked wr_icmp{4,6}_may_error() first; the builders ask again */
	m = rte_pktmbuf_alloc(lc->dp->mp);
	if (m == NULL) {
		wr_dp_count(&lc->drops[WR_DP_DROP_NO_MBUF]);
		return NULL;
	}
	if (rte_pktmbuf_tailroom(m) < l2) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	max = RTE_MIN(max, (uint32_t)rte_pktmbuf_tailroom(m) - l2);
	n = v6 ? wr_icmp6_error_build(p + l2, max, orig, len, type, code, rest, src)
	       : wr_icmp4_error_build(p + l2, max, orig, len, type, code, rest, src);
	if (n == 0 || rte_pktmbuf_append(m, (uint16_t)(l2 + n)) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (l2 > 0) {
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)p;

		memset(p, 0, l2);
		eh->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
		m->l2_len = l2;
	}
	m->l3_len = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	return m;
}
