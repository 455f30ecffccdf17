/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ICMP errors a router sends (RFC 1812 4.3.2, RFC 4443 2.4) about the packets the gateway
 * forwards: "time exceeded" when a TTL or hop limit runs out, "fragmentation needed" / "packet
 * too big" when one does not fit a tunnel. The builders work on plain bytes (the IP packet
 * quoted and the buffer written), so that they are tested without mbufs; wr_icmp_error() wraps
 * them in an mbuf for the worker. The port's host stack (echo, ARP, ND) is host.h's.
 *
 * Which packets never get an error (RFC 1812 4.3.2.7, RFC 4443 2.4 (e)): an ICMP error itself,
 * a packet to a multicast or broadcast destination, a fragment other than the first, a packet
 * whose source is not one host (unspecified, loopback, multicast, broadcast). And a lcore sends
 * at most WR_ICMP_RATE of them per second with bursts of WR_ICMP_BURST (struct wr_icmp_bucket),
 * as Linux's icmp_ratelimit does: an error over the rate is not sent, and counted.
 */
#ifndef WR_DP_ICMP_H
#define WR_DP_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct wr_dp_lcore;

#define WR_ICMP4_TIME_EXCEEDED 11 /* code 0: TTL exceeded in transit */
#define WR_ICMP4_DEST_UNREACH 3
#define WR_ICMP4_FRAG_NEEDED 4 /* a code of WR_ICMP4_DEST_UNREACH */
#define WR_ICMP6_TOO_BIG 2
#define WR_ICMP6_TIME_EXCEEDED 3 /* code 0: hop limit exceeded in transit */
/* RFC 1812 4.3.2.3: an ICMP error is at most 576 bytes; RFC 4443 2.4 (c): at most 1280 */
#define WR_ICMP4_ERROR_MAX 576u
#define WR_ICMP6_ERROR_MAX 1280u
/* errors per second and lcore, and the burst allowed above that rate */
#define WR_ICMP_RATE 1000
#define WR_ICMP_BURST 100

/**
 * Whether the IPv4 packet @p ip (@p len bytes of it available) may get an ICMP error: not an
 * ICMP error itself (nor an ICMP message too short to tell), not to a multicast or broadcast
 * address, not a fragment other than the first, from a source that is one host.
 */
bool
wr_icmp4_may_error(const uint8_t *ip, uint32_t len);

/**
 * Whether the IPv6 packet @p ip (@p len bytes) may get ICMPv6 error @p type: not an ICMPv6
 * error itself (types below 128, after any hop-by-hop, routing or destination options header),
 * not a fragment other than the first, not from a multicast, unspecified or loopback source, not
 * to a multicast destination unless @p type is WR_ICMP6_TOO_BIG (RFC 4443 2.4 (e.3)).
 */
bool
wr_icmp6_may_error(const uint8_t *ip, uint32_t len, uint8_t type);

/**
 * Write the IPv4 ICMP error @p type / @p code from @p src (4 bytes) about the IPv4 packet
 * @p orig (@p len bytes available) to @p out (@p cap bytes): IP header (TTL 64), ICMP header
 * whose second word is @p rest (host order: RFC 1191's next-hop MTU in its low 16 bits), and as
 * much of @p orig as fits in @p cap and in WR_ICMP4_ERROR_MAX bytes. Returns the length of the
 * IP packet written, 0 when @p orig must get no error (wr_icmp4_may_error()) or nothing fits.
 */
uint32_t
wr_icmp4_error_build(uint8_t *out, uint32_t cap, const uint8_t *orig, uint32_t len, uint8_t type,
	uint8_t code, uint32_t rest, const void *src);

/** The same for ICMPv6 (hop limit 64, at most WR_ICMP6_ERROR_MAX bytes), @p src 16 bytes. */
uint32_t
wr_icmp6_error_build(uint8_t *out, uint32_t cap, const uint8_t *orig, uint32_t len, uint8_t type,
	uint8_t code, uint32_t rest, const void *src);

/**
 * An mbuf holding the ICMP (@p v6: ICMPv6) error @p type / @p code / @p rest from @p src about
 * the IP packet @p orig (@p len bytes), at most @p max bytes of IP: @p l2 bytes of Ethernet header
 * in front (0: none, the mbuf's data starts at the IP header, as an inner packet for a tunnel;
 * otherwise zeroed, ether_type set, l2_len set), l3_len set. NULL when @p orig must get no error
 * or no mbuf was left (counted as no_mbuf). @p orig is not consumed.
 */
struct rte_mbuf *
wr_icmp_error(struct wr_dp_lcore *lc, bool v6, const uint8_t *orig, uint32_t len, uint8_t type,
	uint8_t code, uint32_t rest, const void *src, uint16_t l2, uint32_t max);

/** A token bucket: how many ICMP errors an lcore may still send now. */
struct wr_icmp_bucket {
	uint64_t credit_ns; /* time saved up, at most max_ns */
	uint64_t last_ns;   /* when credit_ns was last brought up to date */
	uint64_t cost_ns;   /* one error's price: a second over the rate */
	uint64_t max_ns;    /* the burst's worth */
};

/** A full bucket of @p burst errors refilled at @p rate per second (both at least 1). */
static inline void
wr_icmp_bucket_init(struct wr_icmp_bucket *b, uint32_t rate, uint32_t burst)
{
	b->cost_ns = 1000000000ull / (rate > 0 ? rate : 1);
	b->max_ns = b->cost_ns * (burst > 0 ? burst : 1);
	b->credit_ns = b->max_ns;
	b->last_ns = 0;
}

/** Take one error's token at @p now_ns (a monotonic clock): false when the bucket is empty. */
static inline bool
wr_icmp_bucket_take(struct wr_icmp_bucket *b, uint64_t now_ns)
{
	if (now_ns > b->last_ns) {
		uint64_t add = now_ns - b->last_ns;

		b->credit_ns = add >= b->max_ns - b->credit_ns ? b->max_ns : b->credit_ns + add;
		b->last_ns = now_ns;
	}
	if (b->credit_ns < b->cost_ns)
		return false;
	b->credit_ns -= b->cost_ns;
	return true;
}

#endif /* WR_DP_ICMP_H */
