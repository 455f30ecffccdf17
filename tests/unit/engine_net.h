/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test harness for the protocol engine: a few devices on a fake network with a fake clock.
 * Packets sent by a device are queued and delivered in order by net_run(); a filter may drop or
 * capture them. Header-only, for test_noise.c, test_cookie.c and test_device.c.
 */
#ifndef ENGINE_NET_H
#define ENGINE_NET_H

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_device.h"
#include "wr_test_ep.h"

#define NET_MAX_NODES 4
#define NET_WALL_BASE (1700000000ULL * WR_NSEC_PER_SEC)

struct net;

struct net_pkt {
	struct net_pkt *next;
	struct wr_endpoint from, to;
	size_t len;
	uint8_t data[];
};

struct node {
	struct net *net;
	struct wr_device *dev;
	struct wr_endpoint addr;
	uint8_t priv[32], pub[32];
	/* what it sent, by message type (index 1..4), and data messages that are keepalives */
	unsigned sent[5], keepalives_sent;
	/* what it delivered */
	unsigned delivered;
	uint8_t last_delivered[2048];
	size_t last_delivered_len;
	struct wr_peer *last_delivered_peer;
	/* hooks */
	unsigned installed, installed_unconfirmed, removed, completed;
	/* optional: sees every delivered packet */
	void (*on_deliver)(struct node *n, const uint8_t *pkt, size_t len);
};

struct net {
	struct node n[NET_MAX_NODES];
	int nnodes;
	struct net_pkt *head, *tail;
	uint64_t now;
	uint64_t wall_offset; /* added to NET_WALL_BASE + now */
	/* return false to drop a packet in flight; may keep a copy */
	bool (*filter)(struct net *net, const struct net_pkt *p);
	void *filter_ctx;
	unsigned lost; /* sent to an address no node has */
};

static int failures;

static void
check(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok  " : "FAIL", what);
	if (!ok)
		failures++;
}

static void
net_send_cb(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
	struct node *n = ctx;
	struct net *net = n->net;
	struct net_pkt *p = malloc(sizeof(*p) + len);
	uint8_t type = len ? ((const uint8_t *)buf)[0] : 0;

	if (type >= 1 && type <= 4)
		n->sent[type]++;
	if (type == 4 && len == 32)
		n->keepalives_sent++;
	p->next = NULL;
	p->from = n->addr;
	p->to = *to;
	p->len = len;
	memcpy(p->data, buf, len);
	if (net->filter && !net->filter(net, p)) {
		free(p);
		return;
	}
	if (net->tail)
		net->tail->next = p;
	else
		net->head = p;
	net->tail = p;
}

static void
net_deliver_cb(void *ctx, struct wr_peer *peer, const void *pkt, size_t len)
{
	struct node *n = ctx;

	n->delivered++;
	if (n->on_deliver)
		n->on_deliver(n, pkt, len);
	n->last_delivered_peer = peer;
	n->last_delivered_len = len < sizeof(n->last_delivered) ? len : sizeof(n->last_delivered);
	memcpy(n->last_delivered, pkt, n->last_delivered_len);
}

static uint64_t
net_wall_cb(void *ctx)
{
	struct node *n = ctx;

	return NET_WALL_BASE + n->net->now + n->net->wall_offset;
}

static void
net_installed_cb(void *ctx, struct wr_peer *peer, const struct wr_keypair_info *kp)
{
	struct node *n = ctx;

	(void)peer;
	n->installed++;
	if (!kp->confirmed)
		n->installed_unconfirmed++;
}

static void
net_removed_cb(void *ctx, struct wr_peer *peer, uint32_t idx)
{
	struct node *n = ctx;

	(void)peer;
	(void)idx;
	n->removed++;
}

static void
net_completed_cb(void *ctx, struct wr_peer *peer)
{
	struct node *n = ctx;

	(void)peer;
	n->completed++;
}

static const struct wr_device_ops net_ops = {
	.send = net_send_cb,
	.deliver = net_deliver_cb,
	.wall_time_ns = net_wall_cb,
	.keypair_installed = net_installed_cb,
	.keypair_removed = net_removed_cb,
	.handshake_completed = net_completed_cb,
};

/** Add a node with a fresh key at @p ip:@p port. */
static struct node *
net_add(struct net *net, const char *ip, uint16_t port)
{
	struct node *n = &net->n[net->nnodes++];

	memset(n, 0, sizeof(*n));
	n->net = net;
	n->dev = wr_device_create(&net_ops, n);
	if (!n->dev) {
		fprintf(stderr, "wr_device_create failed\n");
		exit(2);
	}
	wr_x25519_generate(n->priv);
	wr_x25519_public(n->pub, n->priv);
	wr_device_set_private_key(n->dev, n->priv);
	if (strchr(ip, ':'))
		ep6(&n->addr, ip, port);
	else
		ep4(&n->addr, ip, port);
	return n;
}

/** Make @p a know @p b as a peer (endpoint set when @p with_endpoint), with @p prefix/cidr. */
static struct wr_peer *
net_link(struct node *a, struct node *b, const uint8_t *psk, bool with_endpoint, const char *prefix,
	uint8_t cidr)
{
	struct wr_peer *p = wr_device_add_peer(a->dev, b->pub, psk);
	uint8_t addr[16];

	if (!p) {
		fprintf(stderr, "wr_device_add_peer failed\n");
		exit(2);
	}
	if (with_endpoint)
		wr_peer_set_endpoint(p, &b->addr);
	if (prefix) {
		int fam = strchr(prefix, ':') ? AF_INET6 : AF_INET;

		inet_pton(fam, prefix, addr);
		wr_peer_add_allowedip(p, fam, addr, cidr);
	}
	return p;
}

static struct node *
net_node_at(struct net *net, const struct wr_endpoint *to)
{
	int i;

	for (i = 0; i < net->nnodes; i++)
		if (wr_endpoint_equal(&net->n[i].addr, to))
			return &net->n[i];
	return NULL;
}

/** Deliver every packet in flight (and what they cause) at the current time. */
static void
net_run(struct net *net)
{
	struct net_pkt *p;
	struct node *dst;

	while ((p = net->head)) {
		net->head = p->next;
		if (!net->head)
			net->tail = NULL;
		dst = net_node_at(net, &p->to);
		if (dst)
			wr_device_receive(dst->dev, &p->from, p->data, p->len, net->now);
		else
			net->lost++;
		free(p);
	}
}

/** Throw away what is in flight. */
static inline void
net_flush(struct net *net)
{
	struct net_pkt *p;

	while ((p = net->head)) {
		net->head = p->next;
		free(p);
	}
	net->tail = NULL;
}

/** Advance the clock to @p until, ticking every device at each deadline on the way. */
static void
net_advance_to(struct net *net, uint64_t until)
{
	uint64_t d, next;
	int i;

	for (;;) {
		net_run(net);
		next = UINT64_MAX;
		for (i = 0; i < net->nnodes; i++) {
			d = wr_device_next_deadline(net->n[i].dev);
			if (d < next)
				next = d;
		}
		if (next > until)
			break;
		if (next > net->now)
			net->now = next;
		for (i = 0; i < net->nnodes; i++)
			wr_device_tick(net->n[i].dev, net->now);
	}
	net->now = until;
	for (i = 0; i < net->nnodes; i++)
		wr_device_tick(net->n[i].dev, net->now);
	net_run(net);
}

static inline void
net_advance(struct net *net, uint64_t ns)
{
	net_advance_to(net, net->now + ns);
}

static void
net_free(struct net *net)
{
	int i;

	net_flush(net);
	for (i = 0; i < net->nnodes; i++)
		wr_device_destroy(net->n[i].dev);
	net->nnodes = 0;
}

/** An IPv4 packet of @p total bytes from @p src to @p dst (payload filled with @p fill). */
static inline size_t
ipv4_pkt(uint8_t *buf, const char *src, const char *dst, size_t total, uint8_t fill)
{
	memset(buf, fill, total);
	buf[0] = 0x45;
	buf[1] = 0;
	buf[2] = (uint8_t)(total >> 8);
	buf[3] = (uint8_t)total;
	buf[8] = 64;
	buf[9] = 17;
	inet_pton(AF_INET, src, buf + 12);
	inet_pton(AF_INET, dst, buf + 16);
	return total;
}

/** An IPv6 packet of @p total bytes (>= 40). */
static inline size_t
ipv6_pkt(uint8_t *buf, const char *src, const char *dst, size_t total, uint8_t fill)
{
	memset(buf, fill, total);
	buf[0] = 0x60;
	buf[1] = buf[2] = buf[3] = 0;
	buf[4] = (uint8_t)((total - 40) >> 8);
	buf[5] = (uint8_t)(total - 40);
	buf[6] = 17;
	buf[7] = 64;
	inet_pton(AF_INET6, src, buf + 8);
	inet_pton(AF_INET6, dst, buf + 24);
	return total;
}

#define SEC(x) ((uint64_t)(x)*WR_NSEC_PER_SEC)
#define MSEC(x) ((uint64_t)(x)*1000000ULL)

/*
 * A net filter that keeps packets of message type hold_type aside (for replays or late
 * delivery) instead of delivering them; release_held() frees what it kept.
 */
static struct net_pkt *held[32];
static unsigned nheld;
static uint8_t hold_type;

static inline bool
hold(struct net *net, const struct net_pkt *pk)
{
	(void)net;
	if (pk->data[0] != hold_type || nheld >= 32)
		return true;
	held[nheld] = malloc(sizeof(*pk) + pk->len);
	memcpy(held[nheld], pk, sizeof(*pk) + pk->len);
	nheld++;
	return false;
}

static inline void
release_held(void)
{
	while (nheld)
		free(held[--nheld]);
}

#endif /* ENGINE_NET_H */
