/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Port setup: find the ethdev of a [Port]'s Device, configure queues (RSS when there are several
 * and the device can), start it.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_dev.h>
#include <rte_ethdev.h>

#include "host.h"
#include "port.h"
#include "wr_device.h"

/* The RSS hash: spread by addresses and UDP ports, so that one peer's flows stay on one queue
 * while many peers spread over all of them. */
#define PORT_RSS_HF (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP)
/* the receive checksum offloads decap can use */
#define PORT_RX_CKSUM (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)

int
wr_port_lookup(const char *devargs, uint16_t *port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t len = strcspn(devargs, ",");
	int ret;

	if (len == 0 || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, devargs, len);
	name[len] = '\0';
	/* EAL probed it already when it came with --vdev or -a */
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	ret = rte_dev_probe(devargs);
	if (ret < 0 && ret != -EEXIST)
		return ret;
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0)
		return -ENODEV;
	return 0;
}

static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned int cidr)
{
	unsigned int bytes = cidr / 8, bits = cidr % 8, i;

	/* a few bytes, per packet: a loop the compiler inlines, not a call to memcmp() */
	for (i = 0; i < bytes; i++)
		if (a[i] != b[i])
			return false;
	if (bits == 0)
		return true;
	return ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

int
wr_port_add_addr(struct wr_port *port, int family, const uint8_t *addr, uint8_t cidr)
{
	struct wr_port_addr *a;

	if ((family != AF_INET && family != AF_INET6) || cidr > (family == AF_INET ? 32 : 128))
		return -EINVAL;
	if (port->n_addrs == WR_PORT_MAX_ADDRS)
		return -ENOSPC;
	a = &port->addrs[port->n_addrs++];
	memset(a, 0, sizeof(*a));
	a->family = family;
	a->cidr = cidr;
	memcpy(a->addr, addr, family == AF_INET ? 4 : 16);
	if (family == AF_INET)
		memcpy(&port->addr4[port->n_addr4++], addr, 4);
	if (family == AF_INET6) {
		/* RFC 4291 2.7.1: ff02::1:ff00:0/104 plus the low 24 bits */
		static const uint8_t snm[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
			0xff };

		memcpy(a->snm, snm, sizeof(snm));
		memcpy(a->snm + 13, addr + 13, 3);
	}
	return 0;
}

int
wr_port_start(struct wr_port *port, struct rte_mempool *mp, uint16_t nb_rxq, uint16_t nb_txq)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = WR_PORT_RX_DESC, nb_txd = WR_PORT_TX_DESC, q;
	int socket, ret;

	ret = rte_eth_dev_info_get(port->port_id, &info);
	if (ret < 0)
		return ret;
	nb_rxq = RTE_MIN(nb_rxq, info.max_rx_queues);
	nb_txq = RTE_MIN(nb_txq, info.max_tx_queues);
	if (nb_rxq == 0 || nb_txq == 0)
		return -ENOTSUP;
	port->rss = false;
	if (nb_rxq > 1 && (info.flow_type_rss_offloads & PORT_RSS_HF) != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads & PORT_RSS_HF;
		port->rss = true;
	} else if (info.max_rx_queues > nb_rxq) {
		/* without RSS a device that has several queues spreads by itself (af_packet's
		 * fanout over its qpairs): set them all up, as a queue left unpolled would lose
		 * its share */
		nb_rxq = RTE_MIN(info.max_rx_queues, WR_PORT_MAX_RXQ);
	}
	/*
	 * Checksums the NIC can do, it does: on receive decap trusts its verdict
	 * (RTE_MBUF_F_RX_L4_CKSUM_GOOD/BAD), on send the workers leave the UDP checksum to it
	 * (wr_encap_hdr_init() with offload, for the port the packet leaves by). Both only spare
	 * a pass over the packet.
	 */
	conf.rxmode.offloads = info.rx_offload_capa & PORT_RX_CKSUM;
	conf.txmode.offloads = info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	port->tx_udp_cksum = conf.txmode.offloads != 0;
	ret = rte_eth_dev_configure(port->port_id, nb_rxq, nb_txq, &conf);
	if (ret < 0)
		return ret;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port->port_id, &nb_rxd, &nb_txd);
	if (ret < 0)
		return ret;
	socket = rte_eth_dev_socket_id(port->port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (q = 0; q < nb_rxq; q++) {
		ret = rte_eth_rx_queue_setup(port->port_id, q, nb_rxd, socket, NULL, mp);
		if (ret < 0)
			return ret;
	}
	for (q = 0; q < nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(port->port_id, q, nb_txd, socket, NULL);
		if (ret < 0)
			return ret;
	}
	ret = rte_eth_macaddr_get(port->port_id, &port->mac);
	if (ret < 0)
		return ret;
	if (rte_eth_dev_get_mtu(port->port_id, &port->mtu) < 0)
		port->mtu = RTE_ETHER_MTU;
	ret = rte_eth_dev_start(port->port_id);
	if (ret < 0)
		return ret;
	port->started = true;
	port->nb_rxq = nb_rxq;
	port->nb_txq = nb_txq;
	/* neighbour solicitations go to solicited-node groups; a device that cannot filter
	 * multicast (-ENOTSUP) passes them anyway */
	ret = rte_eth_allmulticast_enable(port->port_id);
	if (ret < 0 && ret != -ENOTSUP) {
		rte_eth_dev_stop(port->port_id);
		port->started = false;
		return ret;
	}
	return 0;
}

void
wr_port_close(struct wr_port *port)
{
	if (!rte_eth_dev_is_valid_port(port->port_id))
		return;
	if (port->started)
		rte_eth_dev_stop(port->port_id);
	port->started = false;
	rte_eth_dev_close(port->port_id);
}

static const struct wr_port_addr *
find_addr(const struct wr_port *port, int family, const void *addr)
{
	unsigned int i;

	for (i = 0; i < port->n_addrs; i++) {
		const struct wr_port_addr *a = &port->addrs[i];

		/* constant lengths: memcmp() becomes a compare or two, not a call */
		if (a->family == family && (family == AF_INET ? memcmp(a->addr, addr, 4) == 0
							      : memcmp(a->addr, addr, 16) == 0))
			return a;
	}
	return NULL;
}

const struct wr_port_addr *
wr_port_find_addr4(const struct wr_port *port, const void *addr)
{
	return find_addr(port, AF_INET, addr);
}

const struct wr_port_addr *
wr_port_find_addr6(const struct wr_port *port, const void *addr)
{
	return find_addr(port, AF_INET6, addr);
}

const struct wr_port_addr *
wr_port_source_for(const struct wr_port *port, int family, const void *dst)
{
	const struct wr_port_addr *first = NULL;
	unsigned int i;

	for (i = 0; i < port->n_addrs; i++) {
		const struct wr_port_addr *a = &port->addrs[i];

		if (a->family != family)
			continue;
		if (prefix_match(a->addr, dst, a->cidr))
			return a;
		if (first == NULL)
			first = a;
	}
	return first;
}

bool
wr_port_neighbour_ok(const struct wr_port *port, int family, const void *addr)
{
	const uint8_t *a = addr;
	unsigned int i;

	if (find_addr(port, family, addr) != NULL ||
		(family == AF_INET ? wr_ip4_martian(a) : wr_ip6_not_host(a)))
		return false;
	if (family == AF_INET6 && wr_ip6_link_local(a))
		return true;
	for (i = 0; i < port->n_addrs; i++) {
		const struct wr_port_addr *p = &port->addrs[i];

		if (p->family == family && prefix_match(p->addr, a, p->cidr))
			return family == AF_INET6 || !wr_port_is_broadcast4(port, a);
	}
	return false;
}

bool
wr_port_is_broadcast4(const struct wr_port *port, const void *addr)
{
	unsigned int i;

	for (i = 0; i < port->n_addrs; i++) {
		const struct wr_port_addr *p = &port->addrs[i];

		if (p->family == AF_INET && prefix_match(p->addr, addr, p->cidr) &&
			wr_ip4_prefix_broadcast(addr, p->cidr))
			return true;
	}
	return false;
}

bool
wr_port_is_snm(const struct wr_port *port, const void *addr)
{
	unsigned int i;

	for (i = 0; i < port->n_addrs; i++) {
		const struct wr_port_addr *a = &port->addrs[i];

		if (a->family == AF_INET6 && memcmp(a->snm, addr, 16) == 0)
			return true;
	}
	return false;
}

bool
wr_port_source_endpoint(const struct wr_port *port, const struct wr_endpoint *to,
	uint16_t port_be, struct wr_endpoint *src)
{
	int family = to->sa.sa_family;
	const struct wr_port_addr *a = wr_port_source_for(port, family,
		family == AF_INET6 ? (const void *)&to->in6.sin6_addr : &to->in4.sin_addr);

	if (a == NULL)
		return false;
	wr_endpoint_set(src, family, a->addr, port_be);
	return true;
}
