/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IPv4 fragmentation as a router does it (RFC 791 3.2 "Fragmentation", RFC 1812 4.2.2.7): a
 * packet over the tunnel's MTU without DF becomes fragments that fit, each sealed as a packet of
 * its own. IPv6 is never fragmented on the way (the sender gets "packet too big").
 *
 * Plain bytes in and out, so that it is tested without mbufs: wr_ip4_frag_init() checks the
 * packet and plans; wr_ip4_frag_next() writes one fragment after the other. Every fragment but
 * the last carries a multiple of 8 bytes of data; the first keeps every option, the others only
 * those whose copied flag is set (padded with end-of-options to a multiple of 4); offsets and
 * the MF flag continue those of a packet that is itself a fragment; each header checksum is
 * computed anew. Linux's ip_do_fragment() does the same.
 */
#ifndef WR_DP_IPFRAG_H
#define WR_DP_IPFRAG_H

#include <stdint.h>

/* RFC 791: every IPv4 link takes 68 bytes (a 60-byte header and 8 bytes of data) */
#define WR_IP4_MIN_MTU 68

/** The fragmenting of one IPv4 packet: wr_ip4_frag_init() fills it. */
struct wr_ip4_frag {
	const uint8_t *pkt; /* the packet, at its IP header */
	uint32_t total;     /* its total length */
	uint32_t hlen;      /* its header length */
	uint32_t mtu;
	uint32_t done;   /* bytes of its data already written into fragments */
	uint16_t off0;   /* its own fragment offset, 8-byte units */
	uint16_t mf0;    /* its own MF flag (RTE_IPV4_HDR_MF_FLAG or 0) */
	uint8_t opt_len; /* the options copied into every fragment after the first */
	uint8_t opt[40];
};

/**
 * Plan the fragments of the IPv4 packet @p pkt (@p len bytes available, at least its total
 * length) for links of @p mtu bytes. Returns the number of fragments (1: it fits, nothing to
 * do), -EINVAL (not a well-formed IPv4 header), -EMSGSIZE (DF set: the sender gets
 * "fragmentation needed") or -ERANGE (@p mtu below WR_IP4_MIN_MTU, or too small for the header).
 * @p pkt must stay in place until the last wr_ip4_frag_next().
 */
int
wr_ip4_frag_init(struct wr_ip4_frag *f, const uint8_t *pkt, uint32_t len, uint32_t mtu);

/** The length of the next fragment, 0 when every one was written. */
uint32_t
wr_ip4_frag_next_len(const struct wr_ip4_frag *f);

/**
 * Write the next fragment (IP header and data) to @p out (@p cap bytes, not overlapping the
 * packet). Returns its length, 0 when there is none left or it does not fit in @p cap.
 */
uint32_t
wr_ip4_frag_next(struct wr_ip4_frag *f, uint8_t *out, uint32_t cap);

#endif /* WR_DP_IPFRAG_H */
