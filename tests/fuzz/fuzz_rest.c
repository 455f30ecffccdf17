/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the REST API's request handling (no HTTP: wr_rest_handle()). The input
 * is a method selector byte, a path up to the first newline, and a JSON body. Every request must
 * be answered, never crash, leak or read out of bounds, and a refused request (4xx) must change
 * nothing: the interface's peer list is compared before and after.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wr_device.h"
#include "wr_rest.h"

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

static const struct wr_device_ops dev_ops = {
	.send = send_nothing,
	.deliver = deliver_nothing,
	.wall_time_ns = wall_time,
};

static char *
peers(struct wr_rest *r, size_t *len)
{
	unsigned int status = 0;
	char *resp = NULL;

	if (wr_rest_handle(r, "GET", "/v1/interfaces/wg0/peers", NULL, 0, &status, &resp, len, 0) ||
		status != 200)
		abort();
	return resp;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "PUT", "POST", "PATCH", "DELETE", "HEAD" };
	static const uint8_t addr4[4] = { 198, 51, 100, 2 };
	struct wr_rest_config cfg = { 0 };
	char sock[64], path[256];
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];
	struct wr_device *dev;
	struct wr_rest *r;
	struct wr_peer *peer;
	const uint8_t *nl;
	char *before, *after, *resp = NULL;
	size_t blen, alen, rlen = 0, plen;
	unsigned int status = 0;
	const char *method;
	int i;

	if (size < 1)
		return 0;
	method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	data++, size--;
	nl = memchr(data, '\n', size);
	plen = nl ? (size_t)(nl - data) : size;
	if (plen >= sizeof(path))
		return 0;
	memcpy(path, data, plen);
	path[plen] = '\0';
	if (strlen(path) != plen)
		return 0; /* an HTTP path never holds a NUL */
	data += nl ? plen + 1 : plen;
	size -= nl ? plen + 1 : plen;

	dev = wr_device_create(&dev_ops, NULL);
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
	snprintf(sock, sizeof(sock), "/tmp/wr-fuzz-rest-%d.sock", (int)getpid());
	cfg.unix_path = sock;
	if (wr_rest_create(&r, &cfg, NULL, NULL) || wr_rest_add_interface(r, "wg0", dev, NULL, NULL))
		abort();

	before = peers(r, &blen);
	if (wr_rest_handle(r, method, path, (const char *)data, size, &status, &resp, &rlen, 0))
		abort();
	after = peers(r, &alen);
	/* bad input loses no state */
	if (status >= 400 && status < 500 && (alen != blen || memcmp(before, after, blen) != 0))
		abort();
	free(resp);
	free(before);
	free(after);
	wr_rest_destroy(r);
	wr_device_destroy(dev);
	return 0;
}
