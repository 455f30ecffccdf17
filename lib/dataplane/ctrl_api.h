/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The running gateway's control-plane APIs, on the control lcore:
 *   - the JSON REST API and Prometheus metrics (lib/ctrl/wr_rest.h) on [Gateway] ControlSocket
 *     and, with ControlAddress and ControlTokenFile, on TCP behind a bearer token; every
 *     [Interface]'s engine is served, writes republish the tables to the workers through the
 *     same callbacks as the wg UAPI (wr_ctl_uapi_ops);
 *   - DPDK telemetry commands /wirerate/status, /wirerate/interfaces, /wirerate/peers and
 *     /wirerate/drops (dpdk-telemetry.py), answered from a snapshot that the control lcore
 *     refreshes (the telemetry thread never reads engine state);
 *   - packet capture: rte_pdump, so that dpdk-dumpcap (a secondary process) can capture on the
 *     ports when EAL runs with a shared configuration (hugepages, no --no-shconf/--in-memory).
 *
 * Every function runs on the control lcore.
 */
#ifndef WR_DP_CTRL_API_H
#define WR_DP_CTRL_API_H

#include <stddef.h>
#include <stdint.h>

struct wr_config;
struct wr_control;
struct wr_ctrl_api;

/** How often the telemetry snapshot is refreshed (milliseconds). */
#define WR_CTRL_API_SNAPSHOT_MS 500
/** How often an idle REST server is looked at (microseconds). */
#define WR_CTRL_API_REST_US 1000

/**
 * Start the APIs of @p ctl (its interfaces set up) for @p cfg. A REST unix socket that cannot be
 * opened is a warning, with or without a TCP listener (the gateway still forwards, as without
 * its UAPI sockets); a TCP listener that cannot be set up (address in use or not the host's) is
 * an error: -errno with @p err naming it, nothing left behind. The token is cfg->control_token,
 * read with the configuration. Nothing of @p cfg is kept: it may be freed once this returns.
 * On success free *@p out with wr_ctrl_api_destroy().
 */
int
wr_ctrl_api_create(struct wr_control *ctl, const struct wr_config *cfg, struct wr_ctrl_api **out,
	char *err, size_t errlen);

/**
 * Serve what is ready (never blocks) and refresh the telemetry snapshot when due. @p tsc is
 * rte_rdtsc() now, @p now the engine's clock. Returns the number of things done (0: idle).
 */
unsigned int
wr_ctrl_api_poll(struct wr_ctrl_api *api, uint64_t tsc, uint64_t now);

/** Close the listeners, stop answering telemetry, free @p api (NULL is a no-op). */
void
wr_ctrl_api_destroy(struct wr_ctrl_api *api);

#endif /* WR_DP_CTRL_API_H */
