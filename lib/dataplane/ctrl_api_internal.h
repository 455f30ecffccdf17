/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by ctrl_api.c (the REST host) and ctrl_telemetry.c (DPDK telemetry). Not a public
 * header.
 */
#ifndef WR_DP_CTRL_API_INTERNAL_H
#define WR_DP_CTRL_API_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane.h"
#include "wr_drops.h"

struct wr_control;

/**
 * EAL's --file-prefix (the name of its runtime directory, where the telemetry socket is) in
 * @p buf of @p len bytes; returns buf, or NULL when EAL has no runtime directory.
 */
const char *
wr_ctrl_api_file_prefix(char *buf, size_t len);

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
