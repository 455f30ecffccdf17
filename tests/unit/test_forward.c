/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gateway as a router (lib/dataplane: ipfrag.c, icmp.c's error builders, icmp.h's token
 * bucket), on plain bytes, no DPDK initialisation:
 *   - IPv4 fragmentation: random packets (options copied or not, packets that are fragments
 *     themselves) over random MTUs; every fragment checked (length within the MTU, offsets in
 *     8-byte units and contiguous, MF, header checksum, options of the later fragments those of a
 *     deliberately simple reference) and the reassembled data compared with the original; DF,
 *     malformed headers and tiny MTUs refused;
 *   - the ICMP error builders: field by field, and no error about an ICMP error, to a group or
 *     broadcast, about a later fragment, or to a source that is not one host;
 *   - the rate limit's token bucket: the burst, the refill, the cap;
 *   - with mbufs (DPDK without hugepages or devices): forward.c's fragments of a packet, with the
 *     headroom encap needs, the packet freed, nothing leaked; an error mbuf with and without
 *     room for Ethernet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane.h"
#include "forward.h"
#include "host.h"
#include "icmp.h"
#include "ipfrag.h"
#include "wr_test.h"

#define MAXPKT 4096

/* a small deterministic generator (xorshift32): the runs repeat */
static uint32_t rng = 0x2545f491;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return n == 0 ? 0 : rng % n;
}

static void
addr4(const char *s, void *out)
{
	if (inet_pton(AF_INET, s, out) != 1)
		abort();
}

static void
addr6(const char *s, void *out)
{
	if (inet_pton(AF_INET6, s, out) != 1)
		abort();
}

/*
 * Random options for @p opt (room for 40 bytes); returns their padded length and writes the
 * bytes the later fragments must carry (the reference: copied flag set, in order, EOL-padded)
 * to @p copied (*copied_len).
 */
static uint32_t
random_options(uint8_t *opt, uint8_t *copied, uint32_t *copied_len)
{
	uint32_t n = 0, c = 0, k = rnd(5), i;

	for (i = 0; i < k; i++) {
		uint32_t kind = rnd(4), l = 4 + 4 * rnd(3);

		if (kind == 0 && n + 1 <= 40) {
			opt[n++] = 1; /* NOP: not copied */
			continue;
		}
		if (n + l > 40)
			break;
		/* 0x83 LSRR, 0x94 router alert: copied; 0x07 record route: not */
		opt[n] = kind == 1 ? 0x83 : kind == 2 ? 0x94 : 0x07;
		opt[n + 1] = (uint8_t)l;
		memset(opt + n + 2, (int)(0x10 + i), l - 2);
		if (opt[n] & 0x80) {
			memcpy(copied + c, opt + n, l);
			c += l;
		}
		n += l;
	}
	while (n % 4 != 0)
		opt[n++] = 0;
	while (c % 4 != 0)
		copied[c++] = 0;
	*copied_len = c;
	return n;
}

static void
test_fragment_random(void)
{
	static uint8_t pkt[MAXPKT], out[MAXPKT], data[MAXPKT], seen[MAXPKT];
	uint8_t copied[40];
	unsigned int round;

	for (round = 0; round < 3000; round++) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
		uint32_t copied_len, olen, hlen, dlen, mtu, off0, mf0, got = 0, i;
		struct wr_ip4_frag f;
		uint32_t expect_off = 0;
		int n, frags = 0;
		bool ok = true;

		memset(pkt, 0, sizeof(pkt));
		olen = rnd(2) ? random_options(pkt + 20, copied, &copied_len) : (copied_len = 0);
		hlen = 20 + olen;
		dlen = rnd(3000);
		mtu = 68 + rnd(1500);
		off0 = rnd(4) == 0 ? 8 * rnd(100) : 0;
		mf0 = rnd(4) == 0 ? RTE_IPV4_HDR_MF_FLAG : 0;
		ip->version_ihl = (uint8_t)(0x40 | hlen / 4);
		ip->type_of_service = 0x28;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(hlen + dlen));
		ip->packet_id = rte_cpu_to_be_16((uint16_t)round);
		ip->fragment_offset = rte_cpu_to_be_16((uint16_t)(mf0 | off0 / 8));
		ip->time_to_live = 17;
		ip->next_proto_id = IPPROTO_UDP;
		addr4("192.0.2.2", &ip->src_addr);
		addr4("198.51.100.1", &ip->dst_addr);
		for (i = 0; i < dlen; i++)
			pkt[hlen + i] = (uint8_t)rnd(256);
		ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, hlen);
		memcpy(data, pkt + hlen, dlen);
		memset(seen, 0, sizeof(seen));

		n = wr_ip4_frag_init(&f, pkt, hlen + dlen + rnd(3), mtu);
		CHECK(n >= 1, "round %u: init %d", round, n);
		if (n < 1)
			continue;
		if (hlen + dlen <= mtu)
			CHECK(n == 1, "round %u: %u bytes fit %u, %d fragments", round, hlen + dlen,
				mtu, n);
		while (wr_ip4_frag_next_len(&f) > 0) {
			const struct rte_ipv4_hdr *o = (const struct rte_ipv4_hdr *)out;
			uint32_t len = wr_ip4_frag_next(&f, out, sizeof(out)), oh, od, fo;
			uint16_t fr;
			bool last;

			if (len == 0 || frags > 200) {
				ok = false;
				break;
			}
			frags++;
			oh = rte_ipv4_hdr_len(o);
			od = len - oh;
			fr = rte_be_to_cpu_16(o->fragment_offset);
			fo = (fr & RTE_IPV4_HDR_OFFSET_MASK) * 8u;
			last = got + od == dlen;
			ok &= len <= mtu || n == 1;
			ok &= rte_be_to_cpu_16(o->total_length) == len;
			ok &= rte_raw_cksum(o, oh) == 0xffff;
			ok &= (o->version_ihl >> 4) == 4;
			ok &= o->packet_id == ip->packet_id && o->time_to_live == 17 &&
			      o->next_proto_id == IPPROTO_UDP && o->type_of_service == 0x28 &&
			      o->src_addr == ip->src_addr && o->dst_addr == ip->dst_addr;
			ok &= fo == off0 + expect_off;
			ok &= last ? (fr & RTE_IPV4_HDR_MF_FLAG) == mf0
				   : (fr & RTE_IPV4_HDR_MF_FLAG) != 0 && od % 8 == 0;
			ok &= (fr & RTE_IPV4_HDR_DF_FLAG) == 0;
			if (frags == 1)
				ok &= oh == hlen && memcmp(out + 20, pkt + 20, olen) == 0;
			else
				ok &= oh == 20 + copied_len &&
				      memcmp(out + 20, copied, copied_len) == 0;
			if (fo - off0 + od <= dlen) {
				for (i = 0; i < od; i++)
					seen[fo - off0 + i]++;
				memcpy(data + fo - off0, out + oh, od);
			} else {
				ok = false;
			}
			expect_off += od;
			got += od;
		}
		CHECK(ok, "round %u: %u+%u bytes, mtu %u, offset %u mf %u: fragment %d wrong",
			round, hlen, dlen, mtu, off0, mf0, frags);
		CHECK(frags == n, "round %u: %d fragments announced, %d written", round, n, frags);
		CHECK(got == dlen && memcmp(data, pkt + hlen, dlen) == 0,
			"round %u: reassembled data differs", round);
		for (i = 0; i < dlen && ok; i++)
			ok = seen[i] == 1;
		CHECK(ok, "round %u: a byte written twice or never", round);
	}
}

static void
test_fragment_refused(void)
{
	uint8_t pkt[1500] = { 0 }, out[1500];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	struct wr_ip4_frag f;

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(1500);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	CHECK(wr_ip4_frag_init(&f, pkt, 1500, 1420) == -EMSGSIZE, "DF set: fragmentation needed");
	CHECK(wr_ip4_frag_init(&f, pkt, 1500, 1500) == 1, "DF set and it fits");
	CHECK(wr_ip4_frag_next(&f, out, sizeof(out)) == 1500 && memcmp(out, pkt, 20) != 0,
		"a packet that fits is written whole (its checksum computed)");
	CHECK(wr_ip4_frag_next_len(&f) == 0, "and only once");
	ip->fragment_offset = 0;
	CHECK(wr_ip4_frag_init(&f, pkt, 1500, 67) == -ERANGE, "MTU 67");
	CHECK(wr_ip4_frag_init(&f, pkt, 1500, 68) == 31, "MTU 68: 31 fragments of 48 bytes");
	CHECK(wr_ip4_frag_next(&f, out, 60) == 0, "a fragment larger than the buffer");
	CHECK(wr_ip4_frag_init(&f, pkt, 1499, 1420) == -EINVAL, "total length past the data");
	ip->version_ihl = 0x44;
	CHECK(wr_ip4_frag_init(&f, pkt, 1500, 1420) == -EINVAL, "header length 16");
	ip->version_ihl = 0x65;
	CHECK(wr_ip4_frag_init(&f, pkt, 1500, 1420) == -EINVAL, "version 6");
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->fragment_offset = rte_cpu_to_be_16(8100);
	CHECK(wr_ip4_frag_init(&f, pkt, 1500, 1420) == -EINVAL, "data past offset 65535");
	CHECK(wr_ip4_frag_init(&f, pkt, 10, 1420) == -EINVAL, "10 bytes");
	/* a header-only packet (no data) fits any link: one fragment */
	ip->fragment_offset = 0;
	ip->total_length = rte_cpu_to_be_16(20);
	CHECK(wr_ip4_frag_init(&f, pkt, 20, 68) == 1, "header only");
	CHECK(wr_ip4_frag_next(&f, out, sizeof(out)) == 20, "header only written");
	CHECK(wr_ip4_frag_next_len(&f) == 0, "header only, once");
}

/* An IPv4 packet of @p len bytes from @p src to @p dst, protocol @p proto (L4 zeroed). */
static uint32_t
ip4_packet(uint8_t *p, uint32_t len, const char *src, const char *dst, uint8_t proto)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;

	memset(p, 0, len);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)len);
	ip->time_to_live = 1;
	ip->next_proto_id = proto;
	addr4(src, &ip->src_addr);
	addr4(dst, &ip->dst_addr);
	ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, 20);
	return len;
}

static uint32_t
ip6_packet(uint8_t *p, uint32_t len, const char *src, const char *dst, uint8_t proto)
{
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)p;

	memset(p, 0, len);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)(len - 40));
	ip6->proto = proto;
	ip6->hop_limits = 1;
	addr6(src, ip6->src_addr);
	addr6(dst, ip6->dst_addr);
	return len;
}

static void
test_icmp4_errors(void)
{
	static uint8_t pkt[2000], out[2000];
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)out;
	const struct rte_icmp_hdr *ic = (const struct rte_icmp_hdr *)(ip + 1);
	struct rte_ipv4_hdr *op = (struct rte_ipv4_hdr *)pkt;
	uint8_t gw[4], a[4];
	uint32_t n;

	addr4("192.0.2.1", gw);
	ip4_packet(pkt, 1000, "192.0.2.2", "198.51.100.1", IPPROTO_UDP);
	n = wr_icmp4_error_build(out, sizeof(out), pkt, 1000, WR_ICMP4_TIME_EXCEEDED, 0, 0, gw);
	CHECK(n == 576, "time exceeded of 576 bytes, got %u", n);
	CHECK(rte_be_to_cpu_16(ip->total_length) == n && rte_raw_cksum(ip, 20) == 0xffff,
		"IP header");
	CHECK(ip->next_proto_id == IPPROTO_ICMP && ip->time_to_live == 64, "protocol, TTL");
	CHECK(memcmp(&ip->src_addr, gw, 4) == 0, "from the gateway");
	addr4("192.0.2.2", a);
	CHECK(memcmp(&ip->dst_addr, a, 4) == 0, "to the source");
	CHECK(ic->icmp_type == 11 && ic->icmp_code == 0 && ic->icmp_ident == 0 &&
			ic->icmp_seq_nb == 0,
		"type 11 code 0, unused word zero");
	CHECK(rte_raw_cksum(ic, n - 20) == 0xffff, "ICMP checksum");
	CHECK(memcmp(ic + 1, pkt, n - 28) == 0, "the quote");

	/* a short packet is quoted whole; the buffer bounds it too */
	ip4_packet(pkt, 60, "192.0.2.2", "198.51.100.1", IPPROTO_TCP);
	n = wr_icmp4_error_build(out, sizeof(out), pkt, 100, WR_ICMP4_TIME_EXCEEDED, 0, 0, gw);
	CHECK(n == 88, "60 bytes quoted whole: %u", n);
	n = wr_icmp4_error_build(out, 40, pkt, 60, WR_ICMP4_TIME_EXCEEDED, 0, 0, gw);
	CHECK(n == 40, "40 bytes of buffer: %u", n);
	CHECK(wr_icmp4_error_build(out, 27, pkt, 60, 11, 0, 0, gw) == 0, "no room for headers");

	/* next-hop MTU in the low half of the second word (RFC 1191) */
	n = wr_icmp4_error_build(out, sizeof(out), pkt, 60, 3, 4, 1420, gw);
	CHECK(n == 88 && ic->icmp_ident == 0 && rte_be_to_cpu_16(ic->icmp_seq_nb) == 1420,
		"frag needed's MTU");

	/* an echo request gets one; ICMP errors do not */
	ip4_packet(pkt, 84, "192.0.2.2", "198.51.100.1", IPPROTO_ICMP);
	pkt[20] = 8;
	CHECK(wr_icmp4_may_error(pkt, 84), "about an echo request");
	pkt[20] = 0;
	CHECK(wr_icmp4_may_error(pkt, 84), "about an echo reply");
	pkt[20] = 3;
	CHECK(!wr_icmp4_may_error(pkt, 84), "about a destination unreachable");
	pkt[20] = 11;
	CHECK(!wr_icmp4_may_error(pkt, 84), "about a time exceeded");
	CHECK(wr_icmp4_error_build(out, sizeof(out), pkt, 84, 11, 0, 0, gw) == 0,
		"built about a time exceeded");
	pkt[20] = 12;
	CHECK(!wr_icmp4_may_error(pkt, 84), "about a parameter problem");
	pkt[20] = 200;
	CHECK(!wr_icmp4_may_error(pkt, 84), "about an unknown type");
	CHECK(!wr_icmp4_may_error(pkt, 20), "about an ICMP message whose type is cut");

	/* fragments: the first gets one, the later ones do not */
	ip4_packet(pkt, 200, "192.0.2.2", "198.51.100.1", IPPROTO_UDP);
	op->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	CHECK(wr_icmp4_may_error(pkt, 200), "about a first fragment");
	op->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | 10);
	CHECK(!wr_icmp4_may_error(pkt, 200), "about a middle fragment");
	op->fragment_offset = rte_cpu_to_be_16(10);
	CHECK(!wr_icmp4_may_error(pkt, 200), "about a last fragment");
	ip4_packet(pkt, 200, "192.0.2.2", "198.51.100.1", IPPROTO_ICMP);
	pkt[20] = 8;
	op->fragment_offset = rte_cpu_to_be_16(10);
	CHECK(!wr_icmp4_may_error(pkt, 200), "about a later fragment of an echo request");

	/* destinations and sources */
	ip4_packet(pkt, 100, "192.0.2.2", "224.0.0.5", IPPROTO_UDP);
	CHECK(!wr_icmp4_may_error(pkt, 100), "about a packet to a group");
	ip4_packet(pkt, 100, "192.0.2.2", "255.255.255.255", IPPROTO_UDP);
	CHECK(!wr_icmp4_may_error(pkt, 100), "about a broadcast");
	ip4_packet(pkt, 100, "0.0.0.0", "198.51.100.1", IPPROTO_UDP);
	CHECK(!wr_icmp4_may_error(pkt, 100), "to 0.0.0.0");
	ip4_packet(pkt, 100, "127.0.0.1", "198.51.100.1", IPPROTO_UDP);
	CHECK(!wr_icmp4_may_error(pkt, 100), "to loopback");
	ip4_packet(pkt, 100, "239.1.2.3", "198.51.100.1", IPPROTO_UDP);
	CHECK(!wr_icmp4_may_error(pkt, 100), "to a group");
	ip4_packet(pkt, 100, "255.255.255.255", "198.51.100.1", IPPROTO_UDP);
	CHECK(!wr_icmp4_may_error(pkt, 100), "to broadcast");
	CHECK(!wr_icmp4_may_error(pkt, 19), "19 bytes");
	ip4_packet(pkt, 100, "192.0.2.2", "198.51.100.1", IPPROTO_UDP);
	op->version_ihl = 0x4f;
	CHECK(!wr_icmp4_may_error(pkt, 40), "header longer than the packet");
	pkt[0] = 0x65;
	CHECK(!wr_icmp4_may_error(pkt, 100), "not IPv4");
}

static void
test_icmp6_errors(void)
{
	static uint8_t pkt[2000], out[2000];
	const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)out;
	const struct rte_icmp_hdr *ic = (const struct rte_icmp_hdr *)(ip6 + 1);
	uint8_t gw[16], a[16];
	uint32_t n;

	addr6("2001:db8:1::1", gw);
	ip6_packet(pkt, 1500, "2001:db8:1::2", "2001:db8:3::1", IPPROTO_UDP);
	n = wr_icmp6_error_build(out, sizeof(out), pkt, 1500, WR_ICMP6_TIME_EXCEEDED, 0, 0, gw);
	CHECK(n == 1280, "hop limit exceeded of 1280 bytes, got %u", n);
	CHECK(rte_be_to_cpu_16(ip6->payload_len) == 1240 && ip6->proto == IPPROTO_ICMPV6 &&
			ip6->hop_limits == 64,
		"IPv6 header");
	CHECK(memcmp(ip6->src_addr, gw, 16) == 0, "from the gateway");
	addr6("2001:db8:1::2", a);
	CHECK(memcmp(ip6->dst_addr, a, 16) == 0, "to the source");
	CHECK(ic->icmp_type == 3 && ic->icmp_code == 0 && ic->icmp_ident == 0 &&
			ic->icmp_seq_nb == 0,
		"type 3 code 0");
	CHECK(wr_cksum6_ok(ip6, ic, 1240), "ICMPv6 checksum");
	CHECK(memcmp(ic + 1, pkt, 1232) == 0, "the quote");
	n = wr_icmp6_error_build(out, 600, pkt, 1500, WR_ICMP6_TOO_BIG, 0, 1280, gw);
	CHECK(n == 600 && rte_be_to_cpu_16(ic->icmp_seq_nb) == 1280 && ic->icmp_ident == 0,
		"packet too big within 600 bytes: %u", n);
	CHECK(wr_cksum6_ok(ip6, ic, 560), "ICMPv6 checksum");

	ip6_packet(pkt, 100, "2001:db8:1::2", "2001:db8:3::1", IPPROTO_ICMPV6);
	pkt[40] = 128;
	CHECK(wr_icmp6_may_error(pkt, 100, WR_ICMP6_TIME_EXCEEDED), "about an echo request");
	pkt[40] = 1;
	CHECK(!wr_icmp6_may_error(pkt, 100, WR_ICMP6_TIME_EXCEEDED), "about an unreachable");
	pkt[40] = 3;
	CHECK(!wr_icmp6_may_error(pkt, 100, WR_ICMP6_TIME_EXCEEDED), "about a time exceeded");
	pkt[40] = 137;
	CHECK(!wr_icmp6_may_error(pkt, 100, WR_ICMP6_TIME_EXCEEDED), "about a redirect");
	pkt[40] = 135;
	CHECK(wr_icmp6_may_error(pkt, 100, WR_ICMP6_TIME_EXCEEDED), "about a solicitation");
	CHECK(!wr_icmp6_may_error(pkt, 40, WR_ICMP6_TIME_EXCEEDED), "about a cut ICMPv6");
	/* an ICMPv6 error behind a destination options header */
	ip6_packet(pkt, 100, "2001:db8:1::2", "2001:db8:3::1", IPPROTO_DSTOPTS);
	pkt[40] = IPPROTO_ICMPV6;
	pkt[41] = 0;
	pkt[48] = 1;
	CHECK(!wr_icmp6_may_error(pkt, 100, WR_ICMP6_TIME_EXCEEDED),
		"about an unreachable behind options");
	pkt[48] = 128;
	CHECK(wr_icmp6_may_error(pkt, 100, WR_ICMP6_TIME_EXCEEDED),
		"about an echo request behind options");
	/* fragments */
	ip6_packet(pkt, 100, "2001:db8:1::2", "2001:db8:3::1", IPPROTO_FRAGMENT);
	pkt[40] = IPPROTO_UDP;
	pkt[43] = 1; /* offset 0, M */
	CHECK(wr_icmp6_may_error(pkt, 100, WR_ICMP6_TIME_EXCEEDED), "about a first fragment");
	pkt[42] = 0x01; /* offset 32 */
	CHECK(!wr_icmp6_may_error(pkt, 100, WR_ICMP6_TIME_EXCEEDED), "about a later fragment");
	/* addresses */
	ip6_packet(pkt, 100, "2001:db8:1::2", "ff02::1", IPPROTO_UDP);
	CHECK(!wr_icmp6_may_error(pkt, 100, WR_ICMP6_TIME_EXCEEDED), "about one to a group");
	CHECK(wr_icmp6_may_error(pkt, 100, WR_ICMP6_TOO_BIG), "too big about one to a group");
	ip6_packet(pkt, 100, "::", "2001:db8:3::1", IPPROTO_UDP);
	CHECK(!wr_icmp6_may_error(pkt, 100, WR_ICMP6_TOO_BIG), "to ::");
	ip6_packet(pkt, 100, "::1", "2001:db8:3::1", IPPROTO_UDP);
	CHECK(!wr_icmp6_may_error(pkt, 100, WR_ICMP6_TOO_BIG), "to ::1");
	ip6_packet(pkt, 100, "ff05::2", "2001:db8:3::1", IPPROTO_UDP);
	CHECK(!wr_icmp6_may_error(pkt, 100, WR_ICMP6_TOO_BIG), "to a group");
	CHECK(wr_icmp6_error_build(out, sizeof(out), pkt, 100, 3, 0, 0, gw) == 0,
		"built to a group");
	CHECK(!wr_icmp6_may_error(pkt, 39, WR_ICMP6_TOO_BIG), "39 bytes");
}

static void
test_bucket(void)
{
	struct wr_icmp_bucket b;
	uint64_t t = 5000000000ull;
	unsigned int i, n;

	wr_icmp_bucket_init(&b, WR_ICMP_RATE, WR_ICMP_BURST);
	for (i = 0, n = 0; i < 1000; i++)
		n += wr_icmp_bucket_take(&b, t);
	CHECK(n == 100, "a burst of 100 at once, got %u", n);
	CHECK(!wr_icmp_bucket_take(&b, t + 999999), "within the first millisecond");
	CHECK(wr_icmp_bucket_take(&b, t + 1000000), "one a millisecond later");
	CHECK(!wr_icmp_bucket_take(&b, t + 1000000), "and only one");
	/* a second at the rate: 1000 over 1000 ms, one per ms */
	for (i = 1, n = 0; i <= 1000; i++)
		n += wr_icmp_bucket_take(&b, t + 1000000 + i * 1000000ull);
	CHECK(n == 1000, "1000 in a second at 1000/s, got %u", n);
	/* idle for a minute: no more than the burst is saved */
	t += 60000000000ull;
	for (i = 0, n = 0; i < 1000; i++)
		n += wr_icmp_bucket_take(&b, t);
	CHECK(n == 100, "the burst after a long idle, got %u", n);
	/* a clock going back gives nothing */
	CHECK(!wr_icmp_bucket_take(&b, t - 1000000000ull), "time going back");
	wr_icmp_bucket_init(&b, 0, 0);
	CHECK(wr_icmp_bucket_take(&b, 1) && !wr_icmp_bucket_take(&b, 2), "rate 0 is 1/s, burst 1");
}

/* A packet of @p len bytes in a new mbuf of @p mp (ip4_packet()'s, TTL 1) */
static struct rte_mbuf *
ip4_mbuf(struct rte_mempool *mp, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p = m != NULL ? (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len) : NULL;

	if (p == NULL)
		abort();
	ip4_packet(p, len, "192.0.2.2", "198.51.100.1", IPPROTO_UDP);
	return m;
}

static void
test_mbufs(void)
{
	static struct wr_dataplane dp;
	static struct wr_dp_lcore lc;
	struct rte_mbuf *m, *frags[8], *e;
	const struct rte_ipv4_hdr *ip;
	uint8_t gw[4], first[1500];
	int n;

	dp.mp = rte_pktmbuf_pool_create(
		"test_forward", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	CHECK(dp.mp != NULL, "mempool");
	if (dp.mp == NULL)
		return;
	lc.dp = &dp;

	m = ip4_mbuf(dp.mp, 1500);
	memcpy(first, rte_pktmbuf_mtod(m, void *), sizeof(first));
	n = wr_fwd_fragment4(&lc, m, 1420, frags, RTE_DIM(frags));
	CHECK(n == 2, "1500 bytes over 1420: %d fragments", n);
	CHECK(rte_mempool_in_use_count(dp.mp) == 2, "the packet freed, two fragments: %u in use",
		rte_mempool_in_use_count(dp.mp));
	if (n == 2) {
		ip = rte_pktmbuf_mtod(frags[0], const struct rte_ipv4_hdr *);
		CHECK(rte_pktmbuf_pkt_len(frags[0]) == 1420 && rte_pktmbuf_pkt_len(frags[1]) == 100,
			"lengths %u %u", rte_pktmbuf_pkt_len(frags[0]),
			rte_pktmbuf_pkt_len(frags[1]));
		CHECK(rte_pktmbuf_headroom(frags[0]) == RTE_PKTMBUF_HEADROOM &&
				rte_pktmbuf_headroom(frags[1]) == RTE_PKTMBUF_HEADROOM,
			"room in front for the message and outer headers");
		CHECK(rte_be_to_cpu_16(ip->fragment_offset) == RTE_IPV4_HDR_MF_FLAG &&
				rte_raw_cksum(ip, 20) == 0xffff,
			"first fragment: MF, checksum");
		CHECK(memcmp((const uint8_t *)ip + 20, first + 20, 1400) == 0, "first data");
		ip = rte_pktmbuf_mtod(frags[1], const struct rte_ipv4_hdr *);
		CHECK(rte_be_to_cpu_16(ip->fragment_offset) == 1400 / 8 &&
				rte_raw_cksum(ip, 20) == 0xffff,
			"second fragment: offset 175, no MF, checksum");
		CHECK(memcmp((const uint8_t *)ip + 20, first + 1420, 80) == 0, "second data");
		rte_pktmbuf_free_bulk(frags, 2);
	}

	/* refused: the packet stays with the caller */
	m = ip4_mbuf(dp.mp, 1500);
	CHECK(wr_fwd_fragment4(&lc, m, 1420, frags, 1) == -E2BIG, "two fragments, room for one");
	CHECK(wr_fwd_fragment4(&lc, m, 60, frags, 8) == -ERANGE, "MTU 60");
	rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->fragment_offset =
		rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	CHECK(wr_fwd_fragment4(&lc, m, 1420, frags, 8) == -EMSGSIZE, "DF set");
	CHECK(rte_mempool_in_use_count(dp.mp) == 1, "refused packets are kept");

	/* errors: inner (no Ethernet) and framed */
	addr4("192.0.2.1", gw);
	rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->fragment_offset = 0;
	e = wr_icmp_error(&lc, false, rte_pktmbuf_mtod(m, const uint8_t *), 1500,
		WR_ICMP4_TIME_EXCEEDED, 0, 0, gw, 0, 200);
	CHECK(e != NULL && rte_pktmbuf_pkt_len(e) == 200 && e->l3_len == 20 &&
			(rte_pktmbuf_mtod(e, const uint8_t *)[0] >> 4) == 4,
		"an inner error of 200 bytes");
	rte_pktmbuf_free(e);
	e = wr_icmp_error(&lc, false, rte_pktmbuf_mtod(m, const uint8_t *), 1500,
		WR_ICMP4_TIME_EXCEEDED, 0, 0, gw, RTE_ETHER_HDR_LEN, WR_ICMP4_ERROR_MAX);
	CHECK(e != NULL && rte_pktmbuf_pkt_len(e) == RTE_ETHER_HDR_LEN + 576 &&
			e->l2_len == RTE_ETHER_HDR_LEN &&
			rte_pktmbuf_mtod(e, const struct rte_ether_hdr *)->ether_type ==
				rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4),
		"a framed error of 576 bytes");
	rte_pktmbuf_free(e);
	rte_pktmbuf_mtod(m, uint8_t *)[16] = 224; /* to a group */
	CHECK(wr_icmp_error(&lc, false, rte_pktmbuf_mtod(m, const uint8_t *), 1500,
		      WR_ICMP4_TIME_EXCEEDED, 0, 0, gw, 0, 576) == NULL,
		"no error about a packet to a group");
	rte_pktmbuf_free(m);
	CHECK(rte_mempool_in_use_count(dp.mp) == 0, "%u mbufs leaked",
		rte_mempool_in_use_count(dp.mp));
	rte_mempool_free(dp.mp);
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "--no-shconf", "--no-pci", "-l", "0", "-m", "128",
		"--log-level", "lib.eal:error", NULL };

	(void)argc;
	test_fragment_random();
	test_fragment_refused();
	test_icmp4_errors();
	test_icmp6_errors();
	test_bucket();
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		printf("rte_eal_init failed\n");
		return 2;
	}
	test_mbufs();
	rte_eal_cleanup();
	printf("%u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
