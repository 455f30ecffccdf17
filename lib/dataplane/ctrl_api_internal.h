/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by ctrl_api.c (the REST host) and ctrl_telemetry.c (DPDK telemetry). Not a public
 * header.
 */
#ifndef WR_DP_CTRL_API_INTERNAL_H
#define WR_DP_CTRL_API_INTERNAL_H

#include <stdint.h>

#include "dataplane.h"
#include "wr_drops.h"

struct wr_control;

/** Add every lcore's protocol drop counters of @p dp to @p drops (safe while lcores run). */
void
wr_ctrl_api_proto_drops(const struct wr_dataplane *dp, uint64_t drops[WR_DROP_COUNT]);

/**
 * Register the /wirerate/ telemetry commands (once per process) and size the snapshot for
 * @p ctl's peers. Returns 0 or -ENOMEM.
 */
int
wr_ctrl_tel_start(struct wr_control *ctl);

/** Refresh the snapshot the telemetry thread answers from (control lcore; never waits). */
void
wr_ctrl_tel_snapshot(struct wr_control *ctl);

/** Answer "not running" from now on and free the snapshot's peers. */
void
wr_ctrl_tel_stop(void);

#endif /* WR_DP_CTRL_API_INTERNAL_H */
