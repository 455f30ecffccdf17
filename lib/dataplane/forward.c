/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The worker's router duties: ICMP errors, IPv4 fragmentation, the tunnel addresses (forward.h,
 * docs/forwarding.md).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "forward.h"
#include "host.h"
#include "icmp.h"
#include "ipfrag.h"
#include "worker.h"

#define ETH_LEN ((uint16_t)sizeof(struct rte_ether_hdr))

/*
 * Whether an ICMP error @p type about the IP packet @p ip (@p len bytes) may go now: not about
 * what RFC 1812 4.3.2.7 / RFC 4443 2.4 (e) exclude, and within the lcore's rate (counted when
 * over it).
 */
static bool
may_send_error(struct wr_dp_lcore *lc, bool v6, const uint8_t *ip, uint32_t len, uint8_t type)
{
	if (!(v6 ? wr_icmp6_may_error(ip, len, type) : wr_icmp4_may_error(ip, len)))
		return false;
	if (!wr_icmp_bucket_take(&lc->worker->icmp, lc->now_ns)) {
		wr_dp_count(&lc->drops[WR_DP_DROP_ICMP_RATELIMITED]);
		return false;
	}
	return true;
}

void
wr_fwd_answer_tunnel_addr(
	struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint32_t total)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - ETH_LEN - total);
	if (!wr_icmp_echo_reply_in_place(rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_LEN), total)) {
		wr_dp_drop(lc, WR_DP_DROP_L4_UNHANDLED, m);
		return;
	}
	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&port->mac, &eh->src_addr);
	lc->port[port->index].echo_replies++;
	wr_dp_tx(lc, port, m);
}

void
wr_fwd_error_back(struct wr_dp_lcore *lc, struct wr_port *port, const struct rte_mbuf *m, bool v6,
	uint8_t type, uint8_t code, uint32_t rest)
{
	struct wr_gw *gw = lc->dp->gw;
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_LEN);
	const uint8_t *to = ip + (v6 ? 8 : 12); /* the source address */
	uint32_t len = rte_pktmbuf_data_len(m) - ETH_LEN;
	const struct wr_port_addr *src;
	struct rte_mbuf *e;

	if (!may_send_error(lc, v6, ip, len, type))
		return;
	src = wr_port_source_for(port, v6 ? AF_INET6 : AF_INET, to);
	if (src == NULL)
		return;
	/* the builders keep within RFC 1812's 576 bytes and RFC 4443's 1280 */
	e = wr_icmp_error(lc, v6, ip, len, type, code, rest, src->addr, ETH_LEN, UINT32_MAX);
	if (e != NULL)
		wr_fib_output(&gw->fib, lc, gw->route_ring, e, v6 ? AF_INET6 : AF_INET, to);
}

/*
 * Linux forwards what wg0 decrypted, and its ICMP error goes back out of wg0, from wg0's address,
 * to the peer whose AllowedIPs hold its destination: the source that decap checked to be the
 * sending peer's. Without an address of wg0's, Linux takes another device's: here the port's.
 * The peer drops the error unless its AllowedIPs for the gateway hold that source.
 */
struct rte_mbuf *
wr_fwd_tunnel_error(struct wr_dp_lcore *lc, unsigned int iface, const struct rte_mbuf *m,
	uint8_t type, uint8_t code, uint32_t rest)
{
	const struct wr_gw_iface *gi = &lc->dp->gw->iface[iface];
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	bool v6 = (ip[0] >> 4) == 6;
	int family = v6 ? AF_INET6 : AF_INET;
	const void *src = NULL;
	unsigned int i;

	for (i = 0; i < gi->n_addrs && src == NULL; i++)
		if (gi->addrs[i].family == family)
			src = gi->addrs[i].addr;
	if (src == NULL) {
		const struct wr_port_addr *a =
			wr_port_source_for(&lc->dp->ports[gi->port], family, ip + (v6 ? 8 : 12));

		if (a == NULL)
			return NULL;
		src = a->addr;
	}
	if (!may_send_error(lc, v6, ip, len, type))
		return NULL;
	return wr_icmp_error(lc, v6, ip, len, type, code, rest, src, 0, gi->mtu);
}

int
wr_fwd_fragment4(struct wr_dp_lcore *lc, struct rte_mbuf *m, uint32_t mtu, struct rte_mbuf **frags,
	unsigned int max)
{
	struct wr_ip4_frag f;
	unsigned int i;
	int n;

	n = wr_ip4_frag_init(
		&f, rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), mtu);
	if (n < 1)
		return n;
	if ((unsigned int)n > max)
		return -E2BIG;
	if (rte_pktmbuf_alloc_bulk(lc->dp->mp, frags, (unsigned int)n) != 0)
		return -ENOBUFS;
	for (i = 0; i < (unsigned int)n; i++) {
		uint32_t len = wr_ip4_frag_next_len(&f);
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(frags[i], (uint16_t)len);

		if (len == 0 || p == NULL || wr_ip4_frag_next(&f, p, len) != len) {
			rte_pktmbuf_free_bulk(frags, (unsigned int)n);
			return -ENOBUFS;
		}
	}
	rte_pktmbuf_free(m);
	return n;
}
