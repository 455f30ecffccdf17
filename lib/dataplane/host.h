/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gateway's own small host stack on its ports: ARP (arp.c), IPv6 neighbour discovery
 * (nd.c), ICMP and ICMPv6 echo and the error messages the forwarding path sends (icmp.c).
 *
 * Every *_input function takes the mbuf: it is answered in place (the request becomes the reply,
 * so no allocation), or dropped and counted. Packets start at the Ethernet header; @p l3 is the
 * offset of the ARP/IP header (after any VLAN tag).
 */
#ifndef WR_DP_HOST_H
#define WR_DP_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

struct wr_dp_lcore;
struct wr_port;

/** Answer an ARP request for one of @p port's IPv4 addresses; learn the sender. */
void
wr_arp_input(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint16_t l3);

/**
 * Broadcast an ARP request for @p target (4 bytes, network order) from @p port.
 * Returns 0, -EADDRNOTAVAIL (the port has no IPv4 address) or -ENOBUFS (no mbuf).
 */
int
wr_arp_solicit(struct wr_dp_lcore *lc, struct wr_port *port, const void *target);

/**
 * Handle an ICMPv6 neighbour solicitation or advertisement; @p l4 is the offset of the ICMPv6
 * header. Solicitations for our addresses are answered; both teach the neighbour table.
 */
void
wr_nd_input(
	struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint16_t l3, uint16_t l4);

/**
 * Multicast a neighbour solicitation for @p target (16 bytes) from @p port to its
 * solicited-node group. Returns 0, -EADDRNOTAVAIL or -ENOBUFS.
 */
int
wr_nd_solicit(struct wr_dp_lcore *lc, struct wr_port *port, const void *target);

/** An IPv4 packet to one of our addresses: answer echo requests, drop the rest (counted). */
void
wr_icmp4_input(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint16_t l3);

/** An IPv6 packet to one of our addresses or groups: echo, neighbour discovery, else drop. */
void
wr_icmp6_input(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint16_t l3);

/**
 * Turn the IPv4 or IPv6 ICMP echo request @p pkt (the whole IP packet, at most @p len bytes) into
 * its reply in place: addresses swapped, TTL reset, checksums. Returns false, changing nothing,
 * when it is no such request (or a malformed one). For the gateway's addresses inside a tunnel.
 */
bool
wr_icmp_echo_reply_in_place(uint8_t *pkt, uint32_t len);

/**
 * An unfolded sum of 16-bit words (as __rte_raw_cksum() and sums of its results make) folded to
 * 16 bits, not inverted.
 */
static inline uint16_t
wr_cksum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/**
 * Whether the IPv4 address @p a (4 bytes) is one that no packet is routed to or forwarded from
 * (RFC 1812 5.3.7): 0.0.0.0/8, loopback, multicast, class E and the limited broadcast.
 */
static inline bool
wr_ip4_martian(const uint8_t *a)
{
	return a[0] == 0 || a[0] == 127 || a[0] >= 224;
}

/** Whether the IPv6 address @p a (16 bytes) is no one host: multicast, unspecified, loopback */
static inline bool
wr_ip6_not_host(const uint8_t *a)
{
	static const uint8_t zero[16], one[16] = { [15] = 1 };

	return a[0] == 0xff || memcmp(a, zero, 16) == 0 || memcmp(a, one, 16) == 0;
}

/** Whether the IPv6 address @p a is IPv4-mapped (::ffff:0:0/96): no packet may come from one on
 * the wire (RFC 4291 2.5.5.2; Linux drops them on input) */
static inline bool
wr_ip6_v4mapped(const uint8_t *a)
{
	uint64_t hi;
	uint32_t mid;

	memcpy(&hi, a, 8);
	memcpy(&mid, a + 8, 4);
	return hi == 0 && mid == rte_cpu_to_be_32(0xffff);
}

/** Whether the IPv6 address @p a is link-local (fe80::/10) */
static inline bool
wr_ip6_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/**
 * Whether the IPv4 address @p a is the broadcast address of its prefix of length @p cidr: the
 * host part all ones, for prefixes that have one (/31 and /32 have none, RFC 3021).
 */
static inline bool
wr_ip4_prefix_broadcast(const uint8_t *a, unsigned int cidr)
{
	uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	uint32_t host = cidr >= 32 ? 0 : UINT32_MAX >> cidr;

	return cidr <= 30 && (v & host) == host;
}

/**
 * Whether the IPv4 header at @p ip of @p hlen bytes sums to all ones. The usual 20 bytes as five
 * 32-bit words (the one's complement sum folds the same from either width: a third of
 * rte_raw_cksum()'s instructions, per packet), others word by word.
 */
static inline bool
wr_ip4_hdr_cksum_ok(const void *ip, uint32_t hlen)
{
	uint32_t w[5];
	uint64_t sum;

	if (hlen != sizeof(w))
		return rte_raw_cksum(ip, hlen) == 0xffff;
	memcpy(w, ip, sizeof(w));
	sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	return wr_cksum_fold(sum) == 0xffff;
}

/** True when the @p len bytes at @p l4 after IPv6 header @p ip6 have a valid checksum. */
static inline bool
wr_cksum6_ok(const struct rte_ipv6_hdr *ip6, const void *l4, uint32_t len)
{
	/* a correct one's complement sum over pseudo-header and data, checksum included, is 0xffff
	 */
	uint32_t sum = (uint32_t)rte_ipv6_phdr_cksum(ip6, 0) + rte_raw_cksum(l4, len);

	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/** The checksum to store in the ICMPv6 header at @p l4 (its checksum field zero beforehand). */
static inline uint16_t
wr_cksum6(const struct rte_ipv6_hdr *ip6, const void *l4)
{
	uint32_t sum = (uint32_t)rte_ipv6_phdr_cksum(ip6, 0) +
		       rte_raw_cksum(l4, rte_be_to_cpu_16(ip6->payload_len));

	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif /* WR_DP_HOST_H */
