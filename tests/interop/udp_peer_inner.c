/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wr_udp_peer's inner packets: the IPv4 and IPv6 packets the engine delivers are inspected,
 * echo requests to our tunnel addresses answered (the replies are built here and sent once the
 * engine returned), and our own echo requests built.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "udp_peer.h"

static const char *
addr_str(int family, const void *addr, char *buf, size_t len)
{
	if (!inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

/* ---- checksums (RFC 1071) ---- */

static uint32_t
csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ICMPv6 checksum: over the pseudo-header (RFC 8200 section 8.1) and the message. */
static uint16_t
icmp6_csum(const uint8_t *ip6, const uint8_t *icmp, size_t len)
{
	uint8_t tail[8] = { 0 };
	uint32_t sum;

	sum = csum_add(0, ip6 + 8, 32); /* source and destination */
	tail[0] = (uint8_t)(len >> 24);
	tail[1] = (uint8_t)(len >> 16);
	tail[2] = (uint8_t)(len >> 8);
	tail[3] = (uint8_t)len;
	tail[7] = IPPROTO_ICMPV6;
	sum = csum_add(sum, tail, sizeof(tail));
	return csum_fold(csum_add(sum, icmp, len));
}

/* ---- inner packets ---- */

static bool
is_our_addr(const struct udp_peer *up, int family, const uint8_t *addr)
{
	unsigned int i;

	if (!up->n_addrs)
		return true;
	for (i = 0; i < up->n_addrs; i++) {
		if (up->addrs[i].family == family &&
			!memcmp(up->addrs[i].addr, addr, family == AF_INET ? 4 : 16))
			return true;
	}
	return false;
}

const struct tun_addr *
up_our_addr(const struct udp_peer *up, int family)
{
	unsigned int i;

	for (i = 0; i < up->n_addrs; i++)
		if (up->addrs[i].family == family)
			return &up->addrs[i];
	return NULL;
}

static struct pending *
pending_slot(struct udp_peer *up)
{
	if (up->n_pending == MAX_PENDING) {
		printf("warning pending-replies-full\n");
		return NULL;
	}
	return &up->pending[up->n_pending++];
}

/* An IPv4 echo request (already checked: ICMP, type 8, to us) becomes our echo reply. */
static void
answer_echo4(struct udp_peer *up, const uint8_t *pkt, size_t len, size_t ihl)
{
	struct pending *p = pending_slot(up);
	uint8_t *r, tmp[4];

	if (!p)
		return;
	memcpy(p->buf, pkt, len);
	p->len = len;
	r = p->buf;
	memcpy(tmp, r + 12, 4);
	memcpy(r + 12, r + 16, 4);
	memcpy(r + 16, tmp, 4);
	r[8] = 64; /* TTL */
	r[10] = r[11] = 0;
	put_be16(r + 10, csum_fold(csum_add(0, r, ihl)));
	r[ihl] = 0; /* echo reply */
	r[ihl + 2] = r[ihl + 3] = 0;
	put_be16(r + ihl + 2, csum_fold(csum_add(0, r + ihl, len - ihl)));
}

static void
answer_echo6(struct udp_peer *up, const uint8_t *pkt, size_t len)
{
	struct pending *p = pending_slot(up);
	uint8_t *r, tmp[16];

	if (!p)
		return;
	memcpy(p->buf, pkt, len);
	p->len = len;
	r = p->buf;
	memcpy(tmp, r + 8, 16);
	memcpy(r + 8, r + 24, 16);
	memcpy(r + 24, tmp, 16);
	r[7] = 64;   /* hop limit */
	r[40] = 129; /* echo reply */
	r[42] = r[43] = 0;
	put_be16(r + 42, icmp6_csum(r, r + 40, len - 40));
}

void
up_handle_inner4(struct udp_peer *up, const uint8_t *pkt, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	size_t ihl, tot;
	const uint8_t *icmp;

	if (len < 20 || (ihl = (size_t)(pkt[0] & 0xf) * 4) < 20 || ihl > len) {
		printf("rx-packet bad-ipv4 len=%zu\n", len);
		return;
	}
	tot = get_be16(pkt + 2);
	if (tot < ihl || tot > len) {
		printf("rx-packet bad-ipv4-length len=%zu total=%zu\n", len, tot);
		return;
	}
	len = tot; /* drop WireGuard's padding */
	addr_str(AF_INET, pkt + 12, s, sizeof(s));
	addr_str(AF_INET, pkt + 16, d, sizeof(d));
	printf("rx-packet family=4 src=%s dst=%s proto=%u len=%zu\n", s, d, pkt[9], len);
	if (pkt[9] != IPPROTO_ICMP || len - ihl < 8)
		return;
	icmp = pkt + ihl;
	if (csum_fold(csum_add(0, icmp, len - ihl)) != 0) {
		printf("rx-icmp bad-checksum family=4 src=%s\n", s);
		return;
	}
	if (icmp[0] == 8 && is_our_addr(up, AF_INET, pkt + 16)) {
		printf("echo-request family=4 src=%s dst=%s id=%u seq=%u\n", s, d,
			get_be16(icmp + 4), get_be16(icmp + 6));
		answer_echo4(up, pkt, len, ihl);
	} else if (icmp[0] == 0 && get_be16(icmp + 4) == up->ping_id) {
		up->ping_replies++;
		printf("ping-reply family=4 src=%s seq=%u replies=%u\n", s, get_be16(icmp + 6),
			up->ping_replies);
	}
}

void
up_handle_inner6(struct udp_peer *up, const uint8_t *pkt, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	size_t plen;
	const uint8_t *icmp;

	if (len < 40) {
		printf("rx-packet bad-ipv6 len=%zu\n", len);
		return;
	}
	plen = get_be16(pkt + 4);
	if (40 + plen > len) {
		printf("rx-packet bad-ipv6-length len=%zu payload=%zu\n", len, plen);
		return;
	}
	len = 40 + plen;
	addr_str(AF_INET6, pkt + 8, s, sizeof(s));
	addr_str(AF_INET6, pkt + 24, d, sizeof(d));
	printf("rx-packet family=6 src=%s dst=%s proto=%u len=%zu\n", s, d, pkt[6], len);
	/* no extension headers are expected from ping */
	if (pkt[6] != IPPROTO_ICMPV6 || plen < 8)
		return;
	icmp = pkt + 40;
	if (icmp6_csum(pkt, icmp, plen) != 0) {
		printf("rx-icmp bad-checksum family=6 src=%s\n", s);
		return;
	}
	if (icmp[0] == 128 && is_our_addr(up, AF_INET6, pkt + 24)) {
		printf("echo-request family=6 src=%s dst=%s id=%u seq=%u\n", s, d,
			get_be16(icmp + 4), get_be16(icmp + 6));
		answer_echo6(up, pkt, len);
	} else if (icmp[0] == 129 && get_be16(icmp + 4) == up->ping_id) {
		up->ping_replies++;
		printf("ping-reply family=6 src=%s seq=%u replies=%u\n", s, get_be16(icmp + 6),
			up->ping_replies);
	}
}

/* Build our own echo request to --ping's address. */
size_t
up_build_ping(const struct udp_peer *up, uint8_t *buf, uint16_t seq)
{
	const struct tun_addr *src = up_our_addr(up, up->ping_dst.family);
	uint8_t *icmp;
	size_t i, len;

	if (up->ping_dst.family == AF_INET) {
		len = 20 + 8 + PING_PAYLOAD;
		memset(buf, 0, len);
		buf[0] = 0x45;
		put_be16(buf + 2, (uint16_t)len);
		put_be16(buf + 4, seq); /* identification */
		buf[6] = 0x40;          /* DF */
		buf[8] = 64;
		buf[9] = IPPROTO_ICMP;
		memcpy(buf + 12, src->addr, 4);
		memcpy(buf + 16, up->ping_dst.addr, 4);
		put_be16(buf + 10, csum_fold(csum_add(0, buf, 20)));
		icmp = buf + 20;
		icmp[0] = 8;
	} else {
		len = 40 + 8 + PING_PAYLOAD;
		memset(buf, 0, len);
		buf[0] = 0x60;
		put_be16(buf + 4, 8 + PING_PAYLOAD);
		buf[6] = IPPROTO_ICMPV6;
		buf[7] = 64;
		memcpy(buf + 8, src->addr, 16);
		memcpy(buf + 24, up->ping_dst.addr, 16);
		icmp = buf + 40;
		icmp[0] = 128;
	}
	put_be16(icmp + 4, up->ping_id);
	put_be16(icmp + 6, seq);
	for (i = 0; i < PING_PAYLOAD; i++)
		icmp[8 + i] = (uint8_t)i;
	if (up->ping_dst.family == AF_INET)
		put_be16(icmp + 2, csum_fold(csum_add(0, icmp, 8 + PING_PAYLOAD)));
	else
		put_be16(icmp + 2, icmp6_csum(buf, icmp, 8 + PING_PAYLOAD));
	return len;
}
