/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the wg userspace API: any bytes as a request to a device that already
 * has a private key and two peers. A request must be answered or refused, never crash, leak or
 * read out of bounds; a refused set must leave the device as it was (checked through a get
 * before and after).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wr_device.h"
#include "wr_uapi.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
send_nothing(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
}

static void
deliver_nothing(void *ctx, struct wr_peer *peer, const void *pkt, size_t len)
{
}

static uint64_t
wall_time(void *ctx)
{
	return 1700000000ULL * WR_NSEC_PER_SEC;
}

static const struct wr_device_ops ops = {
	.send = send_nothing,
	.deliver = deliver_nothing,
	.wall_time_ns = wall_time,
};

static char *
get(struct wr_uapi *u, size_t *len)
{
	static const char req[] = "get=1\n\n";
	char *resp = NULL;

	if (wr_uapi_handle(u, req, sizeof(req) - 1, &resp, len, 0) != 0)
		abort();
	return resp;
}

static bool
set_refused(const char *resp, size_t len)
{
	static const char ok[] = "errno=0\n\n";

	return len < sizeof(ok) - 1 || memcmp(resp + len - (sizeof(ok) - 1), ok, sizeof(ok) - 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t addr4[4] = { 198, 51, 100, 2 };
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];
	struct wr_device *dev;
	struct wr_uapi *u;
	struct wr_peer *peer;
	char *before, *after, *resp = NULL;
	size_t blen, alen, rlen = 0;
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
	u = wr_uapi_create(dev, NULL, NULL);
	if (!u)
		abort();

	before = get(u, &blen);
	if (wr_uapi_handle(u, (const char *)data, size, &resp, &rlen, 0) == 0) {
		bool is_set = size >= 6 && memcmp(data, "set=1\n", 6) == 0;

		after = get(u, &alen);
		/* bad input loses no state: a refused set changes nothing */
		if (is_set && set_refused(resp, rlen) &&
			(alen != blen || memcmp(before, after, blen) != 0))
			abort();
		free(after);
		free(resp);
	}
	free(before);
	wr_uapi_destroy(u);
	wr_device_destroy(dev);
	return 0;
}
