/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control lcore's WireGuard side: one protocol engine (struct wr_device) per [Interface],
 * with its peers, keys, AllowedIPs, endpoints and keepalives from the configuration; the stock
 * `wg` tool's UAPI socket per interface; and the glue to the workers (gw.h):
 *   - the engine's keypair hooks feed the keytables and the data plane's peers;
 *   - handshake messages, "data received/sent" summaries, packets for peers without a session
 *     and frames with an unresolved next hop arrive over rings and are served here;
 *   - the engine's own messages (handshakes, cookie replies, keepalives) leave through the
 *     control lcore's TX queue; its keepalives are re-sealed with the data plane's counter
 *     (wr_keytable_reseal()) so that no nonce is ever used twice;
 *   - packets for a peer without a session wait here (bounded per peer) while the engine
 *     handshakes, and go out through the encap path once the peer has a sending keypair;
 *   - cryptokey routing tables are rebuilt and published through RCU when peers or AllowedIPs
 *     change; nothing here ever waits for the workers.
 *
 * Every function runs on the control lcore (the EAL main lcore).
 */
#ifndef WR_DP_CONTROL_H
#define WR_DP_CONTROL_H

#include <stdio.h>

#include "dataplane.h"

struct wr_config;
struct wr_control;

/**
 * Start WireGuard on @p dp (created and planned: wr_dp_create(), wr_dp_plan()) for the
 * interfaces of @p cfg, before the workers are launched. On failure nothing is left behind, a
 * -errno is returned and @p err says why; otherwise free *@p out with wr_control_destroy() after
 * the workers stopped and before wr_dp_destroy().
 */
int
wr_control_create(struct wr_dataplane *dp, const struct wr_config *cfg, struct wr_control **out,
	char *err, size_t errlen);

/** Tear everything down (no worker may be running). NULL is a no-op. */
void
wr_control_destroy(struct wr_control *ctl);

/**
 * One pass of the control lcore's WireGuard work, after wr_dp_poll() of its lcore: the rings,
 * the engines' timers, the UAPI sockets, deferred frees. Returns the number of items handled.
 */
unsigned int
wr_control_poll(struct wr_control *ctl);

/** Write every peer's endpoint, transfer counters and latest handshake to @p f. */
void
wr_control_stats_print(struct wr_control *ctl, FILE *f);

#endif /* WR_DP_CONTROL_H */
