/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A worker's burst (DESIGN.md, "The data's way"): classify what a port received; WireGuard data
 * to the decap burst and out of the port its inner destination routes to; LAN traffic whose
 * destination a peer's AllowedIPs hold to the encap burst and out to the peer's endpoint;
 * handshakes, the host stack's frames, packets for peers without a session and next hops not
 * yet resolved to the control lcore over the rings of gw.h.
 *
 * Everything here runs on one lcore with its own struct wr_worker: no locks, no allocation but
 * the mbufs of ICMP errors, counters per lcore.
 */
#ifndef WR_DP_WORKER_H
#define WR_DP_WORKER_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane.h"
#include "decap.h"
#include "encap.h"
#include "gw.h"
#include "icmp.h"

/** The scratch space and crypto state of one lcore's bursts. */
struct wr_worker {
	struct wr_dp_crypto_lcore crypto;
	struct wr_decap_result dres;
	struct wr_encap_result eres;
	uint16_t n_dec[WR_GW_MAX_IFACES];
	uint16_t n_enc[WR_GW_MAX_IFACES];
	struct rte_mbuf *dec[WR_GW_MAX_IFACES][WR_DP_BURST];
	struct rte_mbuf *enc[WR_GW_MAX_IFACES][WR_DP_BURST];
	uint32_t enc_peer[WR_GW_MAX_IFACES][WR_DP_BURST];
	/* packets to forward into a tunnel, and their cryptokey routing */
	struct rte_mbuf *fwd[WR_DP_BURST];
	int fwd_iface[WR_DP_BURST];
	uint32_t fwd_peer[WR_DP_BURST];
	rte_be32_t dst4[WR_DP_BURST];
	uint8_t dst6[WR_DP_BURST][16];
	int32_t val4[WR_DP_BURST];
	int32_t val6[WR_DP_BURST];
	uint16_t idx4[WR_DP_BURST];
	uint16_t idx6[WR_DP_BURST];
	struct rte_mbuf *host[WR_DP_BURST];
	struct rte_mbuf *hs[WR_DP_BURST];
	struct wr_gw_event ev[WR_DP_CRYPTO_BURST];
	struct rte_mbuf *replies[WR_DP_CRYPTO_BURST]; /* echo replies, errors into a tunnel */
	uint32_t reply_peer[WR_DP_CRYPTO_BURST];
	struct wr_icmp_bucket icmp; /* the ICMP errors this lcore may send (icmp.h) */
} __rte_cache_aligned;

/**
 * Prepare @p w for lcore @p lc of gateway @p gw (AEAD context, per-peer counters, drops counted
 * in lc->proto_drops, in the row of the interface a burst is for). Returns 0 or -errno; undo
 * with wr_worker_fini().
 */
int
wr_worker_init(struct wr_worker *w, struct wr_gw *gw, struct wr_dp_lcore *lc, int socket);

/** Free what wr_worker_init() took. */
void
wr_worker_fini(struct wr_worker *w);

/** Classify and forward the burst @p pkts of @p n frames @p port received on lcore @p lc. */
void
wr_worker_rx(struct wr_dp_lcore *lc, struct wr_port *port, struct rte_mbuf **pkts, uint16_t n);

/**
 * Seal the inner IP packets @p pkts (data at the IP header) for the peers @p peer_ids of
 * interface @p iface and send them; packets without a session go to the held ring. Takes every
 * mbuf. For the workers' LAN path and the control lcore's flush of queued packets.
 */
void
wr_worker_encap(struct wr_dp_lcore *lc, unsigned int iface, struct rte_mbuf **pkts,
	const uint32_t *peer_ids, unsigned int n);

#endif /* WR_DP_WORKER_H */
