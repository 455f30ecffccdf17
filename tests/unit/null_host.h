/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Engine host callbacks for tests and benchmarks that run a device with no network: sends and
 * deliveries go nowhere. The wall clock (struct wr_device_ops.wall_time_ns) stays each user's own.
 */
#ifndef WR_NULL_HOST_H
#define WR_NULL_HOST_H

#include <stddef.h>

#include "wr_device.h"

/* struct wr_device_ops.send that sends nothing */
static inline void
null_send(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
}

/* struct wr_device_ops.deliver that delivers nothing */
static inline void
null_deliver(void *ctx, struct wr_peer *peer, const void *ippkt, size_t len)
{
}

#endif /* WR_NULL_HOST_H */
