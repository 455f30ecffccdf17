/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A DPDK port of the gateway: the ethdev, its queues, its MAC and its own addresses.
 *
 * Ownership: struct wr_port lives in struct wr_dataplane; the setup functions run on the main
 * lcore before any polling starts and wr_port_close() after it stopped. While polling, the port is
 * read-only except for its neighbour table (see neigh.h for who writes it).
 */
#ifndef WR_DP_PORT_H
#define WR_DP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#define WR_PORT_NAME_MAX 32
#define WR_PORT_MAX_ADDRS 16
#define WR_PORT_RX_DESC 512
#define WR_PORT_TX_DESC 512
/* RX queues set up on a device without RSS that has more than asked for */
#define WR_PORT_MAX_RXQ 16

struct wr_neigh_table;

/** One of the port's own addresses, and what neighbour discovery needs of it. */
struct wr_port_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t cidr;
	uint8_t addr[16]; /* network order; 4 bytes used for AF_INET */
	/* AF_INET6 only: the solicited-node multicast group (ff02::1:ffXX:XXXX) a solicitation for
	 * addr is sent to, kept so the receive path compares instead of computing */
	uint8_t snm[16];
};

struct wr_port {
	char name[WR_PORT_NAME_MAX]; /* the config's [Port NAME] */
	uint16_t port_id;            /* DPDK ethdev port */
	uint16_t index;              /* position in struct wr_dataplane's ports[] */
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint16_t mtu;
	bool rss;          /* RX spread over nb_rxq queues by RSS */
	bool started;      /* rte_eth_dev_start() succeeded: stop it on close */
	bool tx_udp_cksum; /* the NIC computes UDP checksums (RTE_ETH_TX_OFFLOAD_UDP_CKSUM) */
	struct rte_ether_addr mac;
	struct wr_port_addr addrs[WR_PORT_MAX_ADDRS];
	unsigned int n_addrs;
	/* the IPv4 ones of addrs again, packed: a worker asks of every packet whether it is for
	 * one of them (wr_port_has_addr4()) */
	uint32_t addr4[WR_PORT_MAX_ADDRS];
	unsigned int n_addr4;
	struct wr_neigh_table *neigh;
};

/** Whether the IPv4 address @p a is one of the @p n packed in @p set (all network order). */
static inline bool
wr_addr4_in(const uint32_t *set, unsigned int n, uint32_t a)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (set[i] == a)
			return true;
	return false;
}

/** A bit (0..63) of the 4 bytes @p a (a hash), for a 64-bit filter of a few addresses */
static inline unsigned int
wr_addr4_bit(uint32_t a)
{
	return (a * 0x9e3779b1u) >> 26;
}

/** Whether the IPv4 address @p a (network order) is one of @p port's own: per packet. */
static inline bool
wr_port_has_addr4(const struct wr_port *port, uint32_t a)
{
	return wr_addr4_in(port->addr4, port->n_addr4, a);
}

/**
 * Find the ethdev for the device arguments @p devargs ("net_af_packet0,iface=veth0" or a PCI
 * address, optionally with ",key=value" arguments), probing it when EAL did not yet.
 * Returns 0 and sets *@p port_id, or a -errno (-ENODEV: no such device).
 */
int
wr_port_lookup(const char *devargs, uint16_t *port_id);

/**
 * Add an own address to @p port (host bits kept: it is the port's address, not a prefix).
 * Returns 0, -EINVAL (family, cidr) or -ENOSPC (WR_PORT_MAX_ADDRS reached).
 */
int
wr_port_add_addr(struct wr_port *port, int family, const uint8_t *addr, uint8_t cidr);

/**
 * Configure @p port->port_id with up to @p nb_rxq RX and @p nb_txq TX queues (fewer when the
 * device has fewer, or all of its RX queues up to WR_PORT_MAX_RXQ when it spreads without RSS:
 * nb_rxq/nb_txq say what was set up, and every RX queue must be polled), RSS over the RX queues
 * when the device supports it, all-multicast for neighbour discovery, and start it.
 * Packets are received into
 * @p mp. On failure the port is left stopped and a -errno returned.
 */
int
wr_port_start(struct wr_port *port, struct rte_mempool *mp, uint16_t nb_rxq, uint16_t nb_txq);

/** Stop and close the ethdev (safe on a port that never started). */
void
wr_port_close(struct wr_port *port);

/** The own address of @p port equal to the 4-byte @p addr, or NULL. */
const struct wr_port_addr *
wr_port_find_addr4(const struct wr_port *port, const void *addr);

/** The own address of @p port equal to the 16-byte @p addr, or NULL. */
const struct wr_port_addr *
wr_port_find_addr6(const struct wr_port *port, const void *addr);

/**
 * The own address of @p port to send from towards @p dst (same family): the first one whose
 * prefix covers @p dst, else the first of that family; NULL when the port has none.
 */
const struct wr_port_addr *
wr_port_source_for(const struct wr_port *port, int family, const void *dst);

struct wr_endpoint;

/**
 * The endpoint to send from towards @p to: wr_port_source_for()'s address and UDP port
 * @p port_be (network order), into @p src. False when @p port has no address of that family.
 */
bool
wr_port_source_endpoint(const struct wr_port *port, const struct wr_endpoint *to,
	uint16_t port_be, struct wr_endpoint *src);

/**
 * Whether @p addr (@p family) can be a neighbour on @p port, so that a packet from it may
 * create a neighbour entry: inside the prefix of one of the port's addresses (IPv6: or
 * link-local), not one of those addresses, one host (IPv4: not multicast, not the broadcast
 * address of a prefix it is in; IPv6: not multicast, not unspecified).
 */
bool
wr_port_neighbour_ok(const struct wr_port *port, int family, const void *addr);

/** Whether the IPv4 @p addr is the broadcast address of the prefix of one of @p port's addresses */
bool
wr_port_is_broadcast4(const struct wr_port *port, const void *addr);

/** True when @p addr (16 bytes) is a solicited-node group of one of @p port's addresses. */
bool
wr_port_is_snm(const struct wr_port *port, const void *addr);

#endif /* WR_DP_PORT_H */
