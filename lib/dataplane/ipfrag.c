/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IPv4 fragmentation (RFC 791 3.2, RFC 1812 4.2.2.7): see ipfrag.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ip.h>

#include "ipfrag.h"

#define OPT_EOL 0
#define OPT_NOP 1
#define OPT_COPIED 0x80

/* RFC 791: the options whose copied flag is set, for the fragments after the first */
static void
copied_options(struct wr_ip4_frag *f)
{
	uint32_t p = sizeof(struct rte_ipv4_hdr), l;

	f->opt_len = 0;
	while (p < f->hlen) {
		uint8_t type = f->pkt[p];

		if (type == OPT_EOL)
			break;
		if (type == OPT_NOP) {
			p++;
			continue;
		}
		if (p + 1 >= f->hlen)
			break;
		l = f->pkt[p + 1];
		/* a malformed option ends what can be read: the rest is not copied */
		if (l < 2 || p + l > f->hlen)
			break;
		if ((type & OPT_COPIED) != 0) {
			memcpy(f->opt + f->opt_len, f->pkt + p, l);
			f->opt_len = (uint8_t)(f->opt_len + l);
		}
		p += l;
	}
	/* padded with end-of-options to whole 32-bit words */
	while (f->opt_len % 4 != 0)
		f->opt[f->opt_len++] = OPT_EOL;
}

/* The header length of the next fragment, and how much data it carries (*data) */
static uint32_t
next_size(const struct wr_ip4_frag *f, uint32_t *data)
{
	uint32_t h = f->done == 0 ? f->hlen : sizeof(struct rte_ipv4_hdr) + f->opt_len;
	uint32_t rest = f->total - f->hlen - f->done;

	/* the last one takes what is left; the others a multiple of 8 bytes */
	*data = rest <= f->mtu - h ? rest : (f->mtu - h) & ~7u;
	return h;
}

int
wr_ip4_frag_init(struct wr_ip4_frag *f, const uint8_t *pkt, uint32_t len, uint32_t mtu)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)pkt;
	uint16_t frag;
	uint32_t rest, room, later;

	memset(f, 0, sizeof(*f));
	if (len < sizeof(*ip) || (pkt[0] >> 4) != 4)
		return -EINVAL;
	f->pkt = pkt;
	f->hlen = rte_ipv4_hdr_len(ip);
	f->total = rte_be_to_cpu_16(ip->total_length);
	f->mtu = mtu;
	if (f->hlen < sizeof(*ip) || f->total < f->hlen || f->total > len)
		return -EINVAL;
	frag = rte_be_to_cpu_16(ip->fragment_offset);
	f->off0 = frag & RTE_IPV4_HDR_OFFSET_MASK;
	f->mf0 = frag & RTE_IPV4_HDR_MF_FLAG;
	/* the data's end must stay within what an offset can say */
	if (f->off0 * 8u + (f->total - f->hlen) > UINT16_MAX)
		return -EINVAL;
	if (f->total <= mtu)
		return 1;
	if ((frag & RTE_IPV4_HDR_DF_FLAG) != 0)
		return -EMSGSIZE;
	if (mtu < WR_IP4_MIN_MTU)
		return -ERANGE;
	copied_options(f);
	/* the first fragment; then those of `later` bytes but the last, which takes up to room */
	rest = f->total - f->hlen - ((mtu - f->hlen) & ~7u);
	room = mtu - (uint32_t)sizeof(*ip) - f->opt_len;
	later = room & ~7u;
	return (int)(2 + (rest > room ? (rest - room + later - 1) / later : 0));
}

uint32_t
wr_ip4_frag_next_len(const struct wr_ip4_frag *f)
{
	uint32_t data;

	if (f->pkt == NULL || (f->done > 0 && f->done == f->total - f->hlen))
		return 0;
	return next_size(f, &data) + data;
}

uint32_t
wr_ip4_frag_next(struct wr_ip4_frag *f, uint8_t *out, uint32_t cap)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)out;
	uint32_t h, data, n = wr_ip4_frag_next_len(f);
	uint16_t frag;
	bool last;

	if (n == 0 || n > cap)
		return 0;
	h = next_size(f, &data);
	if (f->done == 0) {
		memcpy(out, f->pkt, f->hlen);
	} else {
		memcpy(out, f->pkt, sizeof(*ip));
		memcpy(out + sizeof(*ip), f->opt, f->opt_len);
		ip->version_ihl = (uint8_t)(0x40 | h / 4);
	}
	memcpy(out + h, f->pkt + f->hlen + f->done, data);
	last = f->done + data == f->total - f->hlen;
	frag = rte_be_to_cpu_16(ip->fragment_offset) &
	       (uint16_t) ~(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK);
	frag |= (uint16_t)((last ? f->mf0 : RTE_IPV4_HDR_MF_FLAG) | (f->off0 + f->done / 8));
	ip->fragment_offset = rte_cpu_to_be_16(frag);
	ip->total_length = rte_cpu_to_be_16((uint16_t)n);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, h);
	f->done += data;
	/* a packet with no data is one fragment: mark it written */
	if (data == 0)
		f->pkt = NULL;
	return n;
}
