/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the device tests share (test_device.c: data, handshakes, confirmation, filters, roaming,
 * routing, an external data plane and a soak; test_device_timers.c: deadlines, rekeying, retries,
 * keepalives, key zeroing): two devices a and b back to back through engine_net.h's fake network
 * and clock, and a sender of numbered packets each way.
 */
#ifndef WR_DEVICE_TEST_H
#define WR_DEVICE_TEST_H

#include "engine_net.h"
#include "wr_data.h"
#include "wr_device_impl.h"

#define A_IN "192.0.2.1"
#define B_IN "198.51.100.1"
#define C_IN "203.0.113.200"

struct pair {
	struct net net;
	struct node *a, *b;
	struct wr_peer *ab; /* b as seen by a */
	struct wr_peer *ba; /* a as seen by b */
};

static inline void
pair_init(struct pair *p, bool b_knows_a_endpoint)
{
	memset(p, 0, sizeof(*p));
	p->net.now = SEC(1000);
	p->a = net_add(&p->net, "203.0.113.1", 51820);
	p->b = net_add(&p->net, "203.0.113.2", 51820);
	p->ab = net_link(p->a, p->b, NULL, true, B_IN, 32);
	p->ba = net_link(p->b, p->a, NULL, b_knows_a_endpoint, A_IN, 32);
}

/* a sends @p n packets of @p len bytes to b */
static inline void
a_to_b(struct pair *p, int n, size_t len)
{
	uint8_t pkt[1500];
	int i;

	for (i = 0; i < n; i++) {
		ipv4_pkt(pkt, A_IN, B_IN, len, (uint8_t)i);
		wr_device_send(p->a->dev, pkt, len, p->net.now);
	}
}

static inline void
b_to_a(struct pair *p, int n, size_t len)
{
	uint8_t pkt[1500];
	int i;

	for (i = 0; i < n; i++) {
		ipv4_pkt(pkt, B_IN, A_IN, len, (uint8_t)(0x80 + i));
		wr_device_send(p->b->dev, pkt, len, p->net.now);
	}
}

#endif /* WR_DEVICE_TEST_H */
