/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ARP (RFC 826) for the ports' IPv4 addresses: answer requests in place, learn senders, send our
 * own requests for next hops.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>

#include "dataplane.h"
#include "host.h"
#include "neigh.h"

void
wr_arp_input(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf *m, uint16_t l3)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp;
	struct rte_arp_ipv4 *d;
	const struct wr_port_addr *ours;
	uint32_t sip;

	if (rte_pktmbuf_data_len(m) < l3 + sizeof(*arp)) {
		wr_dp_drop(lc, WR_DP_DROP_RUNT, m);
		return;
	}
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, l3);
	d = &arp->arp_data;
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
		arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
		arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
		!rte_is_valid_assigned_ether_addr(&d->arp_sha)) {
		wr_dp_drop(lc, WR_DP_DROP_ARP_MALFORMED, m);
		return;
	}
	ours = wr_port_find_addr4(port, &d->arp_tip);
	sip = d->arp_sip;
	/* a probe (RFC 5227: sender 0.0.0.0) teaches nothing; anything else updates an entry we
	 * have, and creates one when it is addressed to us from a neighbour that can be one (on
	 * link, not our own address, not a group or broadcast) */
	if (sip != 0)
		wr_neigh_learn(lc, port, AF_INET, &sip, &d->arp_sha,
			ours != NULL && wr_port_neighbour_ok(port, AF_INET, &sip));
	if (arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (ours == NULL) {
		wr_dp_drop(lc, WR_DP_DROP_ARP_NOT_FOR_US, m);
		return;
	}
	/* the request becomes the reply */
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&d->arp_sha, &d->arp_tha);
	d->arp_tip = sip;
	rte_ether_addr_copy(&port->mac, &d->arp_sha);
	memcpy(&d->arp_sip, ours->addr, 4);
	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&port->mac, &eh->src_addr);
	lc->port[port->index].arp_replies++;
	wr_dp_tx(lc, port, m);
}

int
wr_arp_solicit(struct wr_dp_lcore *lc, struct wr_port *port, const void *target)
{
	const struct wr_port_addr *src = wr_port_source_for(port, AF_INET, target);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;

	if (src == NULL)
		return -EADDRNOTAVAIL;
	m = rte_pktmbuf_alloc(lc->dp->mp);
	if (m == NULL) {
		wr_dp_count(&lc->drops[WR_DP_DROP_NO_MBUF]);
		return -ENOBUFS;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*arp));
	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	rte_ether_addr_copy(&port->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eh + 1);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&port->mac, &arp->arp_data.arp_sha);
	memcpy(&arp->arp_data.arp_sip, src->addr, 4);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	memcpy(&arp->arp_data.arp_tip, target, 4);
	wr_dp_tx(lc, port, m);
	return 0;
}
