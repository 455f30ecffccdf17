/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the host stack's tests share (test_host.c: ARP, ICMP, ND, errors; test_neigh.c: next-hop
 * resolution and the neighbour table): one port "lan" without a device (192.0.2.1/24,
 * 2001:db8:1::1/64) on a data plane of lcore 0, frame builders, and the frames the lcore queued
 * for TX, read from its buffer before any flush.
 * DPDK runs without hugepages or devices (--no-huge --no-shconf --no-pci -l 0).
 */
#ifndef WR_TEST_HOST_H
#define WR_TEST_HOST_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "dataplane.h"
#include "host.h"
#include "icmp.h"
#include "neigh.h"

#include "wr_test.h"

static const struct rte_ether_addr gw_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct rte_ether_addr host_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct rte_ether_addr nh_mac = { { 0x02, 0, 0, 0, 0, 0x50 } };

static struct wr_dataplane *dp;
static struct wr_port *port;
static struct wr_dp_lcore *lc;

static void
ip4(const char *s, void *out)
{
	if (inet_pton(AF_INET, s, out) != 1)
		abort();
}

static void
ip6(const char *s, void *out)
{
	if (inet_pton(AF_INET6, s, out) != 1)
		abort();
}

/* The frames queued for TX since the last call (the buffer is emptied, the caller frees). */
static unsigned int
take_tx(struct rte_mbuf **out)
{
	struct wr_dp_txbuf *b = &lc->tx[port->index];
	unsigned int n = b->n;

	memcpy(out, b->pkts, n * sizeof(*out));
	b->n = 0;
	return n;
}

static void
free_all(struct rte_mbuf **m, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static uint64_t
drops(enum wr_dp_drop d)
{
	return lc->drops[d];
}

static struct rte_mbuf *
frame(const struct rte_ether_addr *dst, uint16_t type, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->mp);
	struct rte_ether_hdr *eh;

	if (m == NULL)
		abort();
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + len);
	memset(eh, 0, sizeof(*eh) + len);
	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&host_mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(type);
	return m;
}

static struct rte_mbuf *
arp_frame(uint16_t op, const char *sip, const char *tip)
{
	static const struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct rte_mbuf *m = frame(&bcast, RTE_ETHER_TYPE_ARP, sizeof(struct rte_arp_hdr));
	struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 14);

	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&host_mac, &a->arp_data.arp_sha);
	ip4(sip, &a->arp_data.arp_sip);
	ip4(tip, &a->arp_data.arp_tip);
	return m;
}

/* An IPv6 frame to @p dst (MAC @p dmac) with an ICMPv6 message of @p len bytes */
static struct rte_mbuf *
icmp6_frame(const struct rte_ether_addr *dmac, const char *src, const char *dst, uint8_t hops,
	uint16_t len)
{
	struct rte_mbuf *m = frame(dmac, RTE_ETHER_TYPE_IPV6, sizeof(struct rte_ipv6_hdr) + len);
	struct rte_ipv6_hdr *h = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, 14);

	h->vtc_flow = rte_cpu_to_be_32(6u << 28);
	h->payload_len = rte_cpu_to_be_16(len);
	h->proto = IPPROTO_ICMPV6;
	h->hop_limits = hops;
	ip6(src, h->src_addr);
	ip6(dst, h->dst_addr);
	return m;
}

static void
seal6(struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *h = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, 14);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(h + 1);

	ic->icmp_cksum = 0;
	ic->icmp_cksum = wr_cksum6(h, ic);
}

/* NS (type 135) or NA (136) for @p target with a link-layer option of @p opt_type (0: none) */
static struct rte_mbuf *
nd_frame(uint8_t type, const char *src, const char *dst, const char *target, uint8_t opt_type,
	uint8_t hops)
{
	static const struct rte_ether_addr mcast = { { 0x33, 0x33, 0xff, 0, 0, 0x01 } };
	struct rte_mbuf *m = icmp6_frame(&mcast, src, dst, hops, opt_type ? 32 : 24);
	uint8_t *nd = rte_pktmbuf_mtod_offset(m, uint8_t *, 54);

	nd[0] = type;
	if (type == 136)
		nd[4] = 0x60; /* solicited, override */
	ip6(target, nd + 8);
	if (opt_type) {
		nd[24] = opt_type;
		nd[25] = 1;
		memcpy(nd + 26, type == 136 ? &nh_mac : &host_mac, 6);
	}
	seal6(m);
	return m;
}

/* DPDK and the port, as @p name (the mbuf pool's too); 0, or -1 on failure */
static int
host_test_setup(char *argv0, const char *name)
{
	char *eal[] = { argv0, "--no-huge", "--no-shconf", "--no-pci", "-l", "0", "-m", "128",
		"--log-level", "lib.eal:error", NULL };
	uint8_t a[16];

	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		printf("rte_eal_init failed\n");
		return -1;
	}
	dp = rte_zmalloc("test", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL)
		return -1;
	dp->lcores = rte_zmalloc("test", RTE_MAX_LCORE * sizeof(*dp->lcores), RTE_CACHE_LINE_SIZE);
	dp->mp = rte_pktmbuf_pool_create(
		name, 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	dp->hz = rte_get_tsc_hz();
	dp->nb_ports = 1;
	port = &dp->ports[0];
	/* no ethdev: the replies stay in the TX buffer, which no test lets fill up */
	port->port_id = RTE_MAX_ETHPORTS;
	snprintf(port->name, sizeof(port->name), "lan");
	rte_ether_addr_copy(&gw_mac, &port->mac);
	port->neigh = wr_neigh_create(SOCKET_ID_ANY);
	if (dp->lcores == NULL || dp->mp == NULL || port->neigh == NULL)
		return -1;
	ip4("192.0.2.1", a);
	wr_port_add_addr(port, AF_INET, a, 24);
	ip6("2001:db8:1::1", a);
	wr_port_add_addr(port, AF_INET6, a, 64);
	lc = wr_dp_lcore(dp, 0, 0);
	lc->now = dp->hz; /* one second in: timers due at 0 are due */
	return 0;
}

/* No mbuf left behind; the summary line; DPDK shut down. The exit status. */
static int
host_test_finish(void)
{
	CHECK(rte_mempool_in_use_count(dp->mp) == 0, "%u mbufs leaked",
		rte_mempool_in_use_count(dp->mp));
	printf("%u checks, %u failures\n", checks, failures);
	wr_dp_destroy(dp);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}

#endif /* WR_TEST_HOST_H */
