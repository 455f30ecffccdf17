/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control-API harnesses' device: a private key and two peers with one prefix each, no
 * network (sends and deliveries go nowhere) and a fixed wall clock, so that every input meets
 * the same state.
 */
#ifndef WR_FUZZ_DEVICE_H
#define WR_FUZZ_DEVICE_H

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../unit/null_host.h"
#include "wr_device.h"

static uint64_t
fuzz_wall_time(void *ctx)
{
	return 1700000000ULL * WR_NSEC_PER_SEC;
}

/** A device with a private key and two peers (198.51.100.2/24 and /25); aborts on failure. */
static struct wr_device *
fuzz_device_create(void)
{
	static const struct wr_device_ops ops = {
		.send = null_send,
		.deliver = null_deliver,
		.wall_time_ns = fuzz_wall_time,
	};
	static const uint8_t addr4[4] = { 198, 51, 100, 2 };
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];
	struct wr_device *dev;
	struct wr_peer *peer;
	int i;

	dev = wr_device_create(&ops, NULL);
	if (!dev)
		abort();
	memset(priv, 0x41, sizeof(priv));
	wr_device_set_private_key(dev, priv);
	for (i = 0; i < 2; i++) {
		memset(priv, 0x50 + i, sizeof(priv));
		wr_x25519_public(pub, priv);
		peer = wr_device_add_peer(dev, pub, NULL);
		if (!peer)
			abort();
		wr_peer_add_allowedip(peer, AF_INET, addr4, (uint8_t)(24 + i));
	}
	return dev;
}

#endif /* WR_FUZZ_DEVICE_H */
