/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the UAPI unit tests: a device with a fake host (listen port, change log), keys by
 * number, and a helper that sends one request to the handler and returns the reply's errno.
 */
#ifndef UAPI_HARNESS_H
#define UAPI_HARNESS_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_uapi.h"

static unsigned int failures, checks;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			printf("FAIL %s:%d: ", __func__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

/* ---- a device and a host ---- */

struct host {
	struct wr_device *dev;
	struct wr_uapi *u;
	uint16_t port;
	int refuse_port; /* set_listen_port() refuses this port with -EADDRINUSE */
	size_t limit;    /* reserve_peers() refuses more peers than this (0: no limit) */
	size_t last_new, last_gone;
	unsigned reserve_calls;
	unsigned changed_calls, removing_calls;
	struct wr_uapi_changes last;
	uint8_t removed[64][WR_KEY_LEN], added[64][WR_KEY_LEN], updated[64][WR_KEY_LEN];
};

static inline void
dev_send(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
}

static inline void
dev_deliver(void *ctx, struct wr_peer *peer, const void *ippkt, size_t len)
{
}

static inline uint64_t
dev_wall(void *ctx)
{
	return 1700000000ULL * WR_NSEC_PER_SEC;
}

static inline uint16_t
h_get_port(void *ctx)
{
	return ((struct host *)ctx)->port;
}

static inline int
h_set_port(void *ctx, uint16_t port)
{
	struct host *h = ctx;

	if (port == h->refuse_port)
		return -EADDRINUSE;
	h->port = port;
	return 0;
}

static inline void
h_removing(void *ctx, struct wr_peer *peer)
{
	((struct host *)ctx)->removing_calls++;
}

static inline void
h_changed(void *ctx, const struct wr_uapi_changes *c)
{
	struct host *h = ctx;

	h->changed_calls++;
	h->last = *c;
	if (c->n_removed <= 64)
		memcpy(h->removed, c->removed, c->n_removed * WR_KEY_LEN);
	if (c->n_added <= 64)
		memcpy(h->added, c->added, c->n_added * WR_KEY_LEN);
	if (c->n_updated <= 64)
		memcpy(h->updated, c->updated, c->n_updated * WR_KEY_LEN);
}

static inline int
h_reserve(void *ctx, size_t n_new, size_t n_gone)
{
	struct host *h = ctx;
	size_t n = wr_device_peer_count(h->dev);

	h->reserve_calls++;
	h->last_new = n_new;
	h->last_gone = n_gone;
	if (h->limit && n - (n_gone < n ? n_gone : n) + n_new > h->limit)
		return -ENOSPC;
	return 0;
}

static const struct wr_device_ops dev_ops = {
	.send = dev_send,
	.deliver = dev_deliver,
	.wall_time_ns = dev_wall,
};

static const struct wr_uapi_ops uapi_ops = {
	.get_listen_port = h_get_port,
	.set_listen_port = h_set_port,
	.peer_removing = h_removing,
	.changed = h_changed,
	.reserve_peers = h_reserve,
};

/* Private key number @p n (deterministic) and its public key. */
static inline void
key_pair(unsigned n, uint8_t priv[WR_KEY_LEN], uint8_t pub[WR_KEY_LEN])
{
	for (unsigned i = 0; i < WR_KEY_LEN; i++)
		priv[i] = (uint8_t)(n * 37 + i * 11 + 1);
	wr_x25519_public(pub, priv);
}

static inline void
hex(char out[2 * WR_KEY_LEN + 1], const uint8_t key[WR_KEY_LEN])
{
	for (unsigned i = 0; i < WR_KEY_LEN; i++)
		sprintf(out + 2 * i, "%02x", key[i]);
}

/* hex of public (or with @p private_key, private) key number n, in static storage */
static inline const char *
khex(unsigned n, bool private_key)
{
	static char bufs[8][2 * WR_KEY_LEN + 1];
	static unsigned next;
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];
	char *b = bufs[next++ % 8];

	key_pair(n, priv, pub);
	hex(b, private_key ? priv : pub);
	return b;
}

static inline void
host_init(struct host *h)
{
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];

	memset(h, 0, sizeof(*h));
	h->port = 51820;
	h->refuse_port = 1;
	h->dev = wr_device_create(&dev_ops, h);
	if (!h->dev) {
		printf("wr_device_create failed\n");
		exit(1);
	}
	key_pair(0, priv, pub);
	wr_device_set_private_key(h->dev, priv);
	h->u = wr_uapi_create(h->dev, &uapi_ops, h);
	if (!h->u) {
		printf("wr_uapi_create failed\n");
		exit(1);
	}
}

static inline void
host_fini(struct host *h)
{
	wr_uapi_destroy(h->u);
	wr_device_destroy(h->dev);
}

/* Send a request; returns the reply's errno value (INT32_MIN when no reply or malformed). */
static inline int
call(struct host *h, const char *req, char **reply)
{
	char *resp = NULL, *e;
	size_t len = 0;
	int ret = wr_uapi_handle(h->u, req, strlen(req), &resp, &len, 1000);
	long v;

	if (reply)
		*reply = NULL;
	if (ret < 0)
		return INT32_MIN;
	if (len < 2 || resp[len - 1] != '\n' || resp[len - 2] != '\n' || strlen(resp) != len) {
		free(resp);
		return INT32_MIN;
	}
	e = strstr(resp, "errno=");
	if (!e || (e != resp && e[-1] != '\n')) {
		free(resp);
		return INT32_MIN;
	}
	v = strtol(e + 6, NULL, 10);
	if (reply)
		*reply = resp;
	else
		free(resp);
	return (int)v;
}

/* printf into a malloc'd string */
static inline char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* The device's observable state: the get reply and the public key. */
static inline char *
state(struct host *h)
{
	uint8_t pub[WR_KEY_LEN];
	char k[2 * WR_KEY_LEN + 1] = "none", *r = NULL, *s;

	if (wr_device_get_public_key(h->dev, pub))
		hex(k, pub);
	if (call(h, "get=1\n\n", &r) != 0)
		return strdup("get failed");
	s = fmt("own=%s\n%s", k, r);
	free(r);
	return s;
}

static inline struct wr_peer *
peer_n(struct host *h, unsigned n)
{
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];

	key_pair(n, priv, pub);
	return wr_device_lookup_peer(h->dev, pub);
}

#endif /* UAPI_HARNESS_H */
