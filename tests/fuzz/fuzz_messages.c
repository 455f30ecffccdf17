/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for every message consumer of the protocol engine.
 *
 * A responder device "b" has one peer "a" with an established session, so that data messages
 * can reach decryption. The first input byte picks how the rest is fed:
 *   0: as is, to wr_device_receive() (length and type checks, dispatch);
 *   1: as a message of the type in byte 1 (1..4), with its receiver index patched to a live one
 *      and, for handshakes, a valid mac1, so that it gets past the cheap checks into the noise,
 *      cookie and data layers;
 *   2: same as 1 with b under load (cookie replies, mac2, the rate limiter);
 *   3: to the stateless parsers (wr_data_inner, wr_data_open, cookie reply consumption);
 *   4: as an inner packet to wr_device_send() from a (routing, queueing, sealing), then b
 *      receives what a sent;
 *   5: as an XOR mask over a genuine initiation from a (a zero mask leaves it valid), so that
 *      mutations land past authentication checks one field at a time; b answers, and a
 *      consumes the response the same way, masked by the rest of the input.
 * Time advances a little per input and timers run, so that retries and expiries happen too.
 */
#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wr_cookie.h"
#include "wr_data.h"
#include "wr_device_impl.h"

#define QMAX 64

struct fnode {
	struct wr_device *dev;
	struct wr_endpoint addr;
	uint8_t pub[32];
	struct wr_peer *peer;
};

static struct fnode a, b;
static uint64_t now = 1000 * WR_NSEC_PER_SEC;
static struct {
	struct fnode *to;
	struct wr_endpoint from;
	size_t len;
	uint8_t data[WR_SCRATCH_LEN];
} * queue;
static int qlen;

static void
op_send(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
	struct fnode *from = ctx, *dst = from == &a ? &b : &a;

	(void)to;
	if (qlen >= QMAX || len > sizeof(queue[0].data))
		return;
	queue[qlen].to = dst;
	queue[qlen].from = from->addr;
	queue[qlen].len = len;
	memcpy(queue[qlen].data, buf, len);
	qlen++;
}

static void
op_deliver(void *ctx, struct wr_peer *peer, const void *pkt, size_t len)
{
	volatile uint8_t sink = 0;
	size_t i;

	(void)ctx;
	(void)peer;
	/* touch every byte: ASan checks the bounds handed out */
	for (i = 0; i < len; i++)
		sink ^= ((const uint8_t *)pkt)[i];
	(void)sink;
}

static uint64_t
op_wall(void *ctx)
{
	(void)ctx;
	return 1700000000ULL * WR_NSEC_PER_SEC + now;
}

static const struct wr_device_ops ops = {
	.send = op_send,
	.deliver = op_deliver,
	.wall_time_ns = op_wall,
};

static void
run_queue(void)
{
	int i, n, rounds = 0;

	/* each round may produce answers; bounded so that a ping-pong cannot spin */
	while (qlen && rounds++ < 8) {
		n = qlen;
		for (i = 0; i < n; i++)
			wr_device_receive(
				queue[i].to->dev, &queue[i].from, queue[i].data, queue[i].len, now);
		memmove(&queue[0], &queue[n], (size_t)(qlen - n) * sizeof(queue[0]));
		qlen -= n;
	}
	qlen = 0;
}

static void
node_init(struct fnode *n, uint8_t last_octet)
{
	uint8_t priv[32];

	n->dev = wr_device_create(&ops, n);
	if (!n->dev)
		abort();
	wr_x25519_generate(priv);
	wr_device_set_private_key(n->dev, priv);
	wr_device_get_public_key(n->dev, n->pub);
	memset(&n->addr, 0, sizeof(n->addr));
	n->addr.in4.sin_family = AF_INET;
	n->addr.in4.sin_port = htobe16(51820);
	n->addr.in4.sin_addr.s_addr = htobe32(0xcb007100u | last_octet); /* 203.0.113.x */
}

static void
ensure_session(void)
{
	if (wr_peer_has_session(b.peer, now) && wr_peer_has_session(a.peer, now))
		return;
	wr_peer_initiate(a.peer, now);
	run_queue();
}

static void
setup(void)
{
	static const uint8_t net_a[4] = { 192, 0, 2, 0 }, net_b[4] = { 198, 51, 100, 0 };

	queue = calloc(QMAX, sizeof(*queue));
	if (!queue)
		abort();
	node_init(&a, 1);
	node_init(&b, 2);
	a.peer = wr_device_add_peer(a.dev, b.pub, NULL);
	b.peer = wr_device_add_peer(b.dev, a.pub, NULL);
	wr_peer_set_endpoint(a.peer, &b.addr);
	wr_peer_set_endpoint(b.peer, &a.addr);
	wr_peer_add_allowedip(a.peer, AF_INET, net_b, 24);
	wr_peer_add_allowedip(b.peer, AF_INET, net_a, 24);
	ensure_session();
}

/* a receiver index that b knows: its current keypair's or its handshake's */
static uint32_t
live_index(uint8_t sel)
{
	struct wr_peer *p = b.peer;

	if ((sel & 1) && p->keypairs.current)
		return p->keypairs.current->entry.index;
	if (p->hs_entry.hashed)
		return p->hs_entry.index;
	return p->keypairs.current ? p->keypairs.current->entry.index : 0;
}

static void
feed_shaped(const uint8_t *in, size_t len, bool loaded)
{
	static uint8_t msg[2048];
	static const size_t sizes[5] = { 0, WR_MSG_INITIATION_LEN, WR_MSG_RESPONSE_LEN,
		WR_MSG_COOKIE_LEN, 0 };
	struct wr_cookie_maker mk;
	uint8_t type;
	size_t n;
	uint32_t idx;

	if (len < 2)
		return;
	type = (uint8_t)(1 + in[0] % 4);
	n = sizes[type] ? sizes[type]
			: (len - 1 < WR_MSG_DATA_MIN_LEN ? WR_MSG_DATA_MIN_LEN : len - 1);
	if (n > sizeof(msg))
		n = sizeof(msg);
	memset(msg, 0, n);
	memcpy(msg, in + 1, len - 1 < n ? len - 1 : n);
	msg[0] = type;
	msg[1] = msg[2] = msg[3] = 0;
	idx = htole32(live_index(in[0] >> 2));
	if (type == WR_MSG_HANDSHAKE_RESPONSE)
		memcpy(msg + offsetof(struct wr_message_handshake_response, receiver_index), &idx,
			4);
	else if (type != WR_MSG_HANDSHAKE_INITIATION)
		memcpy(msg + 4, &idx, 4);
	if (type == WR_MSG_HANDSHAKE_INITIATION || type == WR_MSG_HANDSHAKE_RESPONSE) {
		wr_cookie_maker_init(&mk, b.pub);
		wr_cookie_add_macs(&mk, msg, n, now);
	}
	if (loaded)
		wr_device_set_load(b.dev, 4096, 4096, now);
	wr_device_receive(b.dev, &a.addr, msg, n, now);
	run_queue();
}

static void
feed_parsers(const uint8_t *in, size_t len)
{
	static uint8_t out[WR_SCRATCH_LEN];
	struct wr_message_handshake_cookie reply;
	struct wr_cookie_maker mk;
	const uint8_t *src, *dst;
	int family;

	wr_data_inner(in, len, &family, &src, &dst);
	if (len >= WR_MSG_DATA_MIN_LEN && len <= sizeof(out) && b.peer->keypairs.current)
		wr_data_open(out, b.peer->keypairs.current->receive_key, in, len);
	if (len >= sizeof(reply)) {
		memcpy(&reply, in, sizeof(reply));
		wr_cookie_maker_init(&mk, b.pub);
		mk.have_sent_mac1 = true;
		wr_cookie_consume_reply(&mk, &reply, now);
	}
}

/* a genuine message from @p from's last send, XORed with @p mask, delivered to @p to */
static void
feed_masked(struct fnode *from, struct fnode *to, const uint8_t *mask, size_t mlen)
{
	static uint8_t msg[WR_MSG_INITIATION_LEN];
	size_t i, n;

	if (!qlen || queue[qlen - 1].to != to || queue[qlen - 1].len > sizeof(msg))
		return;
	n = queue[qlen - 1].len;
	memcpy(msg, queue[qlen - 1].data, n);
	qlen = 0;
	for (i = 0; i < n && i < mlen; i++)
		msg[i] ^= mask[i];
	wr_device_receive(to->dev, &from->addr, msg, n, now);
}

static void
feed_genuine(const uint8_t *in, size_t len)
{
	size_t half = len / 2;

	/* a fresh initiation: a's REKEY_TIMEOUT rate limit is passed by moving time on */
	now += WR_REKEY_TIMEOUT;
	qlen = 0;
	if (wr_peer_initiate(a.peer, now))
		return;
	feed_masked(&a, &b, in, half);
	/* b's response (if any) goes back to a, masked by the second half */
	feed_masked(&b, &a, in + half, len - half);
	run_queue();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static unsigned count;

	if (!ready) {
		setup();
		ready = true;
	}
	/* 10 ms per input, timers every 64 inputs; keep a session for the data path */
	now += 10 * 1000 * 1000;
	if ((++count & 63) == 0) {
		wr_device_tick(a.dev, now);
		wr_device_tick(b.dev, now);
		run_queue();
		ensure_session();
	}
	if (size < 1)
		return 0;
	switch (data[0] % 6) {
	case 0:
		wr_device_receive(b.dev, &a.addr, data + 1, size - 1, now);
		run_queue();
		break;
	case 1:
		feed_shaped(data + 1, size - 1, false);
		break;
	case 2:
		feed_shaped(data + 1, size - 1, true);
		break;
	case 3:
		feed_parsers(data + 1, size - 1);
		break;
	case 4:
		wr_device_send(a.dev, data + 1, size - 1, now);
		run_queue();
		break;
	case 5:
		feed_genuine(data + 1, size - 1);
		break;
	}
	return 0;
}
