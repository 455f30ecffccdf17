/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test bed for the whole gateway on net_ring ports, shared by bench_pipeline and
 * fuzz_dataplane: a ring port (one RX ring, the way in; two TX rings, the worker's queue and the
 * control lcore's), the gateway assembled on them as app/main.c does it, the Ethernet header and
 * ARP reply of the station on the other side, and a wall clock for a protocol engine's ops.
 */
#ifndef WR_RING_BED_H
#define WR_RING_BED_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_arp.h>
#include <rte_eth_ring.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "control.h"
#include "dataplane.h"
#include "wr_base64.h"
#include "wr_config.h"
#include "wr_crypto.h"

/** Wall-clock time in ns (a struct wr_device_ops' wall_time_ns) */
static inline uint64_t
ring_bed_wall_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/**
 * A net_ring port named @p name on rings of @p size slots named after it with @p prefix: *@p rx
 * (the way in) and @p tx[0], @p tx[1] (TX queues 0 and 1), each with one producer and one
 * consumer. Returns the port id, or -ENOMEM (rings) or -ENODEV (port).
 */
static inline int
ring_bed_port(const char *prefix, const char *name, unsigned int size, struct rte_ring **rx,
	struct rte_ring *tx[2])
{
	char rname[RTE_RING_NAMESIZE];
	unsigned int q;
	int port;

	snprintf(rname, sizeof(rname), "%s%s_rx", prefix, name);
	*rx = rte_ring_create(rname, size, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	for (q = 0; q < 2; q++) {
		snprintf(rname, sizeof(rname), "%s%s_tx%u", prefix, name, q);
		tx[q] = rte_ring_create(
			rname, size, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	}
	if (*rx == NULL || tx[0] == NULL || tx[1] == NULL)
		return -ENOMEM;
	port = rte_eth_from_rings(name, rx, 1, tx, 2, rte_socket_id());
	return port < 0 ? -ENODEV : port;
}

/**
 * The gateway of configuration @p conf (named @p name in messages) as app/main.c assembles it:
 * its data plane with the control lcore @p control and the one worker lcore @p worker, which
 * must poll the ports' queue. Returns 0 with *@p dp and *@p ctl, or a -errno with @p err
 * (@p errlen bytes) saying why.
 */
static inline int
ring_bed_gateway(const char *conf, const char *name, unsigned int control, unsigned int worker,
	struct wr_dataplane **dp, struct wr_control **ctl, char *err, size_t errlen)
{
	struct wr_config_error cerr = { 0 };
	struct wr_config *cfg = NULL;
	int ret;

	ret = wr_config_load_string(conf, strlen(conf), name, &cfg, &cerr);
	if (ret < 0) {
		snprintf(err, errlen, "configuration: %.200s", cerr.message);
		return ret;
	}
	ret = wr_dp_create(cfg, 1, dp, err, errlen);
	if (ret == 0 && (ret = wr_dp_plan(*dp, control, &worker, 1)) < 0)
		snprintf(err, errlen, "cannot plan the lcores: %s", strerror(-ret));
	if (ret == 0)
		ret = wr_control_create(*dp, cfg, ctl, err, errlen);
	if (ret == 0 && (*dp)->n_workers != 1) {
		snprintf(err, errlen, "the worker polls no queue");
		ret = -EINVAL;
	}
	wr_config_free(cfg);
	return ret;
}

/**
 * Fresh keys for a gateway and its peer: what the configuration takes in base64 (the gateway's
 * private key into @p gw_b64, the peer's public key into @p peer_b64), what the peer's engine
 * takes as bytes (the gateway's public key into @p gw_pub, the peer's private key into
 * @p peer_priv). The caller wipes @p gw_b64 and @p peer_priv when done.
 */
static inline void
ring_bed_keys(char gw_b64[WR_BASE64_KEY_LEN + 1], char peer_b64[WR_BASE64_KEY_LEN + 1],
	uint8_t gw_pub[WR_KEY_LEN], uint8_t peer_priv[WR_KEY_LEN])
{
	uint8_t gw_priv[WR_KEY_LEN], peer_pub[WR_KEY_LEN];

	wr_x25519_generate(gw_priv);
	wr_x25519_public(gw_pub, gw_priv);
	wr_x25519_generate(peer_priv);
	wr_x25519_public(peer_pub, peer_priv);
	wr_base64_key_encode(gw_b64, gw_priv);
	wr_base64_key_encode(peer_b64, peer_pub);
	wr_wipe(gw_priv, sizeof(gw_priv));
}

/** An Ethernet header at @p p from @p src to @p dst, of EtherType @p type (host order) */
static inline void
ring_bed_put_eth(
	void *p, const struct rte_ether_addr *dst, const struct rte_ether_addr *src, uint16_t type)
{
	struct rte_ether_hdr *eh = p;

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(src, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(type);
}

/**
 * The reply of the station at @p smac to the ARP request @p req, to the gateway port at @p gw,
 * in an mbuf of @p mp; NULL when there is none.
 */
static inline struct rte_mbuf *
ring_bed_arp_reply(struct rte_mempool *mp, const struct rte_arp_hdr *req,
	const struct rte_ether_addr *gw, const struct rte_ether_addr *smac)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_arp_hdr *arp;
	uint8_t *p;

	if (m == NULL ||
		(p = (uint8_t *)rte_pktmbuf_append(m, RTE_ETHER_HDR_LEN + sizeof(*arp))) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	ring_bed_put_eth(p, gw, smac, RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(p + RTE_ETHER_HDR_LEN);
	*arp = *req;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(smac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = req->arp_data.arp_tip;
	rte_ether_addr_copy(gw, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = req->arp_data.arp_sip;
	return m;
}

#endif /* WR_RING_BED_H */
