/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Two (or three) devices back to back through a fake network and a fake clock: data both ways,
 * queueing before the handshake, the responder's confirmation rule, a new private key, the
 * AllowedIPs source filter, replays, roaming, routing between two peers, single-packet seal and
 * open, an external data plane and a randomized soak. Timers (deadlines, rekeying, retries and
 * giving up, keepalives, key zeroing, the 165 s receive rule): test_device_timers.c.
 */
#include "device_test.h"

static void
test_data_both_ways_and_queue(void)
{
	struct pair p;
	struct wr_peer_stats st;
	uint8_t want[100];

	printf("-- data both ways, queued before the handshake and flushed after\n");
	pair_init(&p, false);
	a_to_b(&p, 3, 100);
	check(p.a->sent[1] == 1 && p.b->delivered == 0,
		"packets without a session are queued and one initiation goes out");
	net_run(&p.net);
	check(p.b->delivered == 3, "the three queued packets arrive after the handshake");
	ipv4_pkt(want, A_IN, B_IN, 100, 2);
	check(p.b->last_delivered_len == 100 && memcmp(p.b->last_delivered, want, 100) == 0,
		"in order and intact");
	check(p.a->keepalives_sent == 0, "no keepalive when data was waiting");
	b_to_a(&p, 2, 60);
	net_run(&p.net);
	check(p.a->delivered == 2 && p.b->sent[1] == 0, "b answers on the same session");
	wr_peer_get_stats(p.ab, &st);
	check(st.handshakes == 1 && st.tx_packets == 3 && st.rx_packets == 2, "per-peer counters");
	check(st.last_handshake_wall_ns >= NET_WALL_BASE, "last handshake wall time recorded");
	/* IPv6 as well */
	{
		uint8_t pkt[200], addr[16];

		inet_pton(AF_INET6, "2001:db8::2", addr);
		wr_peer_add_allowedip(p.ab, AF_INET6, addr, 128);
		inet_pton(AF_INET6, "2001:db8::1", addr);
		wr_peer_add_allowedip(p.ba, AF_INET6, addr, 128);
		ipv6_pkt(pkt, "2001:db8::1", "2001:db8::2", 77, 9);
		check(wr_device_send(p.a->dev, pkt, 77, p.net.now) == WR_DROP_NONE, "IPv6 sent");
		net_run(&p.net);
		check(p.b->delivered == 4 && p.b->last_delivered_len == 77,
			"IPv6 delivered, unpadded");
	}
	net_free(&p.net);
}

static bool
drop_data(struct net *net, const struct net_pkt *pk)
{
	(void)net;
	return pk->data[0] != WR_MSG_DATA;
}

static void
test_confirmation(void)
{
	struct pair p;

	printf("-- responder confirmation rule\n");
	pair_init(&p, true);
	p.net.filter = drop_data;
	wr_peer_initiate(p.ab, p.net.now);
	net_run(&p.net);
	check(p.a->completed == 1 && wr_peer_has_session(p.ab, p.net.now),
		"initiator: session usable once the response is in");
	check(p.a->keepalives_sent == 1, "initiator confirms with a keepalive (dropped here)");
	check(p.b->installed == 1 && p.b->installed_unconfirmed == 1,
		"responder installed its keypair as unconfirmed");
	check(!wr_peer_has_session(p.ba, p.net.now) && p.b->completed == 0,
		"responder: keypair in next, not usable to send");
	check(p.ba->keypairs.next && !p.ba->keypairs.current, "it sits in next");
	p.net.filter = NULL;
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	check(p.b->delivered == 1 && wr_peer_has_session(p.ba, p.net.now) && p.b->completed == 1,
		"first data on it confirms it");
	check(p.ba->keypairs.current && !p.ba->keypairs.next, "next became current");
	check(p.b->installed == 2, "the hook hears about the confirmation");
	net_free(&p.net);
}

/*
 * The responder's answer counts as a handshake sent (the kernel's
 * wg_packet_send_handshake_response() stamps last_sent_handshake): within REKEY_TIMEOUT it waits
 * for the initiator to confirm its "next" keypair instead of starting a second handshake.
 */
static void
test_responder_waits_for_confirmation(void)
{
	struct pair p;

	printf("-- the responder does not initiate while the initiator confirms\n");
	pair_init(&p, true);
	nheld = 0;
	hold_type = WR_MSG_HANDSHAKE_RESPONSE;
	p.net.filter = hold;
	wr_peer_initiate(p.ab, p.net.now);
	net_run(&p.net);
	check(nheld == 1 && p.b->installed_unconfirmed == 1,
		"b consumed the initiation, its response is in flight");
	p.net.now += MSEC(1);
	b_to_a(&p, 1, 40);
	check(p.b->sent[WR_MSG_HANDSHAKE_INITIATION] == 0 && p.ba->q_len == 1,
		"1 ms later b has a packet for a: queued, no initiation of its own");
	check(p.ba->timers.retransmit_handshake == WR_TIMERS_NEVER, "responding arms no retry");
	p.net.filter = NULL;
	wr_device_receive(p.a->dev, &held[0]->from, held[0]->data, held[0]->len, p.net.now);
	release_held();
	net_run(&p.net);
	check(p.a->delivered == 1 && p.ba->q_len == 0,
		"a's confirmation carries b's queued packet over b's new session");
	net_advance(&p.net, SEC(30));
	check(p.a->sent[WR_MSG_HANDSHAKE_INITIATION] == 1 &&
			p.b->sent[WR_MSG_HANDSHAKE_INITIATION] == 0,
		"one initiation in all");
	check(p.a->completed == 1 && p.b->completed == 1, "one completed handshake per side");
	net_free(&p.net);

	/* the confirmation never comes: b may start its own after REKEY_TIMEOUT, not before */
	pair_init(&p, true);
	p.net.filter = drop_data;
	wr_peer_initiate(p.ab, p.net.now);
	net_run(&p.net);
	p.net.now += MSEC(1);
	b_to_a(&p, 1, 40);
	check(p.b->sent[WR_MSG_HANDSHAKE_INITIATION] == 0, "unconfirmed at 1 ms: b waits");
	p.net.now += WR_REKEY_TIMEOUT - MSEC(1) - 1;
	check(wr_peer_initiate(p.ba, p.net.now) == -EALREADY,
		"1 ns before REKEY_TIMEOUT: still rate limited");
	p.net.now += 1;
	p.net.filter = NULL;
	b_to_a(&p, 1, 40);
	check(p.b->sent[WR_MSG_HANDSHAKE_INITIATION] == 1,
		"at REKEY_TIMEOUT b's next packet starts its own handshake");
	net_run(&p.net);
	check(p.b->completed == 1 && p.a->delivered == 2,
		"which completes and carries both packets");
	net_free(&p.net);
}

/*
 * A new private key expires every sending key; as the kernel's
 * wg_noise_expire_current_peer_keypairs(), it also lifts the initiation rate limit so that a
 * session under the new key can start at once.
 */
static void
rekey_node(struct pair *p, struct node *n)
{
	struct node *other = n == p->a ? p->b : p->a;
	struct wr_peer **seen_by_other = n == p->a ? &p->ba : &p->ab;
	const char *prefix = n == p->a ? A_IN : B_IN;

	wr_x25519_generate(n->priv);
	wr_x25519_public(n->pub, n->priv);
	check(wr_device_set_private_key(n->dev, n->priv) == 0, "new private key set");
	/* the other side learns the new public key as a new peer, as with `wg set` */
	wr_device_remove_peer(other->dev, *seen_by_other);
	*seen_by_other = net_link(other, n, NULL, true, prefix, 32);
}

static void
test_new_private_key_handshakes_at_once(void)
{
	struct pair p;

	printf("-- a new private key: a handshake under it may start at once\n");
	pair_init(&p, true);
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	check(p.a->completed == 1 && wr_peer_has_session(p.ab, p.net.now), "first session");
	net_advance(&p.net, SEC(1));
	rekey_node(&p, p.a);
	check(!wr_peer_has_session(p.ab, p.net.now), "the initiator's sending key expired");
	check(wr_peer_initiate(p.ab, p.net.now) == 0, "1 s later it may initiate again");
	net_run(&p.net);
	check(p.a->completed == 2 && wr_peer_has_session(p.ab, p.net.now),
		"a session under the new key");
	net_free(&p.net);

	/* the responder's answer rate limits it too: a key change lifts that as well */
	pair_init(&p, true);
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	check(p.b->completed == 1 && wr_peer_has_session(p.ba, p.net.now), "first session");
	net_advance(&p.net, SEC(1));
	rekey_node(&p, p.b);
	check(wr_peer_initiate(p.ba, p.net.now) == 0, "the responder may initiate at once");
	net_run(&p.net);
	check(p.b->completed == 2 && wr_peer_has_session(p.ba, p.net.now),
		"a session under its new key");
	net_free(&p.net);
}

static void
test_spoof_replay(void)
{
	struct pair p;
	uint8_t pkt[100];
	struct wr_peer_stats st;

	printf("-- spoofed inner source and replayed data dropped\n");
	pair_init(&p, true);
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	ipv4_pkt(pkt, "192.0.2.99", A_IN, 60, 1);
	wr_peer_send(p.ba, pkt, 60, p.net.now);
	net_run(&p.net);
	wr_peer_get_stats(p.ab, &st);
	check(p.a->delivered == 0 && wr_device_drop_count(p.a->dev, WR_DROP_SPOOFED_SOURCE) == 1 &&
			st.dropped_spoofed == 1,
		"inner source outside b's AllowedIPs: dropped and counted");
	net_free(&p.net);
}

static struct net_pkt *captured;

static bool
capture_data(struct net *net, const struct net_pkt *pk)
{
	(void)net;
	if (pk->data[0] == WR_MSG_DATA && pk->len > 32 && !captured) {
		captured = malloc(sizeof(*pk) + pk->len);
		memcpy(captured, pk, sizeof(*pk) + pk->len);
	}
	return true;
}

static void
test_replay(void)
{
	struct pair p;

	printf("-- replayed data message\n");
	pair_init(&p, true);
	captured = NULL;
	p.net.filter = capture_data;
	a_to_b(&p, 2, 40);
	net_run(&p.net);
	check(p.b->delivered == 2 && captured, "two delivered, one captured");
	wr_device_receive(p.b->dev, &captured->from, captured->data, captured->len, p.net.now);
	check(p.b->delivered == 2 && wr_device_drop_count(p.b->dev, WR_DROP_REPLAY) == 1,
		"the replay is dropped and counted");
	captured->data[40] ^= 1;
	captured->data[8] = 0x55; /* an unseen counter: reaches the AEAD */
	wr_device_receive(p.b->dev, &captured->from, captured->data, captured->len, p.net.now);
	check(wr_device_drop_count(p.b->dev, WR_DROP_DATA_DECRYPT) == 1, "a forgery fails the tag");
	free(captured);
	captured = NULL;
	net_free(&p.net);
}

static void
test_roaming(void)
{
	struct pair p;
	struct wr_endpoint ep, moved;

	printf("-- roaming: the endpoint follows the latest authenticated packet\n");
	pair_init(&p, false);
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	wr_peer_get_endpoint(p.ba, &ep);
	check(wr_endpoint_equal(&ep, &p.a->addr), "b learned a's endpoint from the initiation");
	ep6(&moved, "2001:db8::99", 4000);
	p.a->addr = moved;
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	wr_peer_get_endpoint(p.ba, &ep);
	check(wr_endpoint_equal(&ep, &moved), "a moved (to IPv6): b follows");
	b_to_a(&p, 1, 40);
	net_run(&p.net);
	check(p.a->delivered == 1 && p.net.lost == 0, "b's answer reaches a at its new address");
	/* a forged packet from elsewhere must not move it */
	{
		uint8_t junk[64] = { 4 };
		struct wr_endpoint evil;

		memcpy(junk + 4, &p.ba->keypairs.current->entry.index, 4);
		ep4(&evil, "203.0.113.66", 666);
		wr_device_receive(p.b->dev, &evil, junk, sizeof(junk), p.net.now);
		wr_peer_get_endpoint(p.ba, &ep);
		check(wr_endpoint_equal(&ep, &moved), "an unauthenticated packet does not move it");
	}
	net_free(&p.net);
}

static int
count_prefix(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	(void)family;
	(void)addr;
	(void)cidr;
	++*(unsigned *)ctx;
	return 0;
}

static void
test_routing_two_peers(void)
{
	struct net net;
	struct node *a, *b, *c;
	uint8_t pkt[100];

	printf("-- AllowedIPs routing with two peers\n");
	memset(&net, 0, sizeof(net));
	net.now = SEC(1000);
	a = net_add(&net, "203.0.113.1", 51820);
	b = net_add(&net, "203.0.113.2", 51820);
	c = net_add(&net, "203.0.113.3", 51820);
	net_link(a, b, NULL, true, "198.51.100.0", 24);
	net_link(a, c, NULL, true, "198.51.100.128", 25);
	net_link(b, a, NULL, false, "192.0.2.0", 24);
	net_link(c, a, NULL, false, "192.0.2.0", 24);
	ipv4_pkt(pkt, A_IN, "198.51.100.7", 50, 1);
	wr_device_send(a->dev, pkt, 50, net.now);
	ipv4_pkt(pkt, A_IN, "198.51.100.200", 50, 2);
	wr_device_send(a->dev, pkt, 50, net.now);
	ipv4_pkt(pkt, A_IN, "198.51.100.201", 50, 3);
	wr_device_send(a->dev, pkt, 50, net.now);
	net_run(&net);
	check(b->delivered == 1 && c->delivered == 2, "longest prefix picks the peer");
	ipv4_pkt(pkt, A_IN, "203.0.113.77", 50, 3);
	check(wr_device_send(a->dev, pkt, 50, net.now) == WR_DROP_NO_ROUTE &&
			wr_device_drop_count(a->dev, WR_DROP_NO_ROUTE) == 1,
		"no route: dropped and counted");
	check(wr_device_send(a->dev, pkt, 10, net.now) == WR_DROP_BAD_INNER, "runt refused");
	{
		uint8_t big[1500];

		ipv4_pkt(big, A_IN, "198.51.100.7", 1421, 1);
		check(wr_device_send(a->dev, big, 1421, net.now) == WR_DROP_TOO_BIG,
			"above the MTU refused");
	}
	check(wr_device_peer_count(a->dev) == 2, "two peers");
	{
		struct wr_peer *pc = wr_device_lookup_peer(a->dev, c->pub);
		uint8_t extra[4] = { 203, 0, 113, 0 };
		unsigned count = 0;

		wr_peer_add_allowedip(pc, AF_INET, extra, 24);
		wr_peer_foreach_allowedip(pc, count_prefix, &count);
		check(count == 2 && wr_peer_remove_allowedip(pc, AF_INET, extra, 24) == 0 &&
				wr_peer_remove_allowedip(pc, AF_INET, extra, 24) == -ENOENT,
			"a peer's prefixes are listed and removed");
	}
	wr_device_remove_peer(a->dev, wr_device_lookup_peer(a->dev, c->pub));
	ipv4_pkt(pkt, A_IN, "198.51.100.200", 50, 2);
	wr_device_send(a->dev, pkt, 50, net.now);
	net_run(&net);
	check(b->delivered == 2 && c->delivered == 2 && wr_device_peer_count(a->dev) == 1,
		"after removing c, its prefix falls back to b's /24");
	net_free(&net);
}

static void
test_seal_open(void)
{
	static const struct {
		size_t len;
		uint32_t mtu;
		size_t want;
	} cases[] = {
		{ 0, 1420, 32 },                       /* keepalive: header and tag only */
		{ 1, 1420, 48 },                       /* padded to 16 */
		{ 16, 1420, 48 },                      /* already a multiple */
		{ 17, 1420, 64 },                      /* next multiple */
		{ 1419, 1420, 1452 },                  /* padding stops at the MTU */
		{ 1420, 1420, 1452 }, { 100, 0, 144 }, /* no MTU: plain multiple of 16 */
	};
	uint8_t key[32], pkt[1500], msg[1600], out[1600];
	size_t i, n;
	ssize_t got;
	char what[128];

	printf("-- single-packet seal and open\n");
	wr_random(key, sizeof(key));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(pkt, (int)i + 1, cases[i].len);
		n = wr_data_seal(msg, key, 0x01020304, 77 + i, pkt, cases[i].len, cases[i].mtu);
		got = wr_data_open(out, key, msg, n);
		snprintf(what, sizeof(what),
			"%zu bytes, MTU %u: %zu on the wire, opens to the packet and zero padding",
			cases[i].len, cases[i].mtu, cases[i].want);
		check(n == cases[i].want && n == wr_data_sealed_len(cases[i].len, cases[i].mtu) &&
				got == (ssize_t)(n - 32) && memcmp(out, pkt, cases[i].len) == 0 &&
				(got == (ssize_t)cases[i].len || out[got - 1] == 0) &&
				msg[0] == 4 && wr_data_receiver(msg) == 0x01020304 &&
				wr_data_counter(msg) == 77 + i,
			what);
		msg[n - 1] ^= 1;
		check(wr_data_open(out, key, msg, n) == -EBADMSG, "a flipped tag bit fails");
	}
}

/*
 * A data plane that does transport data itself: it learns keys from the hooks, seals and opens
 * with wr_data_seal/open, and reports to the engine, which keeps timers, roaming and the
 * confirmation rule.
 */
static struct wr_keypair_info dp_keys[4];
static unsigned dp_nkeys;

static void
dp_installed(void *ctx, struct wr_peer *peer, const struct wr_keypair_info *kp)
{
	net_installed_cb(ctx, peer, kp);
	if (dp_nkeys < 4)
		dp_keys[dp_nkeys++] = *kp;
}

static void
test_external_data_plane(void)
{
	struct wr_device_ops ops = net_ops;
	struct pair p;
	struct wr_device *old;
	uint8_t pkt[100], msg[200], out[200];
	struct wr_peer_stats st;
	size_t n;

	printf("-- an external data plane driven through the hooks\n");
	pair_init(&p, true);
	/* b's device gets the data-plane hook */
	ops.keypair_installed = dp_installed;
	old = p.b->dev;
	p.b->dev = wr_device_create(&ops, p.b);
	wr_device_set_private_key(p.b->dev, p.b->priv);
	wr_device_destroy(old);
	p.ba = net_link(p.b, p.a, NULL, true, A_IN, 32);
	dp_nkeys = 0;

	p.net.filter = drop_data;
	wr_peer_initiate(p.ab, p.net.now);
	net_run(&p.net);
	p.net.filter = NULL;
	check(dp_nkeys == 1 && !dp_keys[0].confirmed && !dp_keys[0].initiator,
		"the data plane learns b's unconfirmed responder keypair");
	check(dp_keys[0].local_index == p.ab->keypairs.current->remote_index &&
			memcmp(dp_keys[0].receive_key, p.ab->keypairs.current->send_key, 32) == 0 &&
			memcmp(dp_keys[0].send_key, p.ab->keypairs.current->receive_key, 32) == 0,
		"with the keys and indices matching a's");

	/* a sends; the data plane opens it and tells the engine */
	ipv4_pkt(pkt, A_IN, B_IN, 60, 5);
	n = wr_data_seal(msg, p.ab->keypairs.current->send_key,
		p.ab->keypairs.current->remote_index, 5, pkt, 60, 1420);
	check(wr_data_open(out, dp_keys[0].receive_key, msg, n) == 64 && memcmp(out, pkt, 60) == 0,
		"the data plane opens a's packet with the hooked key");
	check(wr_device_data_received(
		      p.b->dev, p.ba, dp_keys[0].local_index, &p.a->addr, 60, n, p.net.now) &&
			wr_peer_has_session(p.ba, p.net.now) && dp_nkeys == 2 &&
			dp_keys[1].confirmed && dp_keys[1].local_index == dp_keys[0].local_index,
		"reported: the keypair is confirmed and announced again");
	check(!wr_device_data_received(
		      p.b->dev, p.ba, dp_keys[0].local_index ^ 1, &p.a->addr, 60, n, p.net.now),
		"an unknown index is refused");

	/* the data plane sends with the hooked key and its own counter */
	ipv4_pkt(pkt, B_IN, A_IN, 60, 6);
	n = wr_data_seal(msg, dp_keys[1].send_key, dp_keys[1].remote_index, 0, pkt, 60, 1420);
	wr_device_data_sent(p.b->dev, p.ba, 60, n, 0, p.net.now);
	check(wr_device_receive(p.a->dev, &p.b->addr, msg, n, p.net.now) == WR_DROP_NONE &&
			p.a->delivered == 1,
		"a receives what the data plane sealed");
	wr_peer_get_stats(p.ba, &st);
	check(st.tx_packets == 1 && st.rx_packets == 1 && p.ba->keypairs.current->send_counter == 1,
		"the engine mirrors counters and stats");
	net_free(&p.net);
}

/*
 * Randomized soak: half an hour of engine time over a network that loses, duplicates and delays
 * packets, with traffic both ways. Only genuine packets may be delivered, each at most once and
 * intact; once the network is clean again, traffic must flow again within a few seconds.
 */
#define SOAK_MAX 20000

static uint64_t soak_rng = 0x5eed;
static uint8_t soak_seen[2][SOAK_MAX];
static unsigned soak_sent[2], soak_bad, soak_dup;
static struct net_pkt *soak_delayed[256];
static unsigned soak_ndelayed;
static bool soak_lossy;

static uint64_t
rnd(void)
{
	uint64_t z = (soak_rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
soak_on_deliver(struct node *n, const uint8_t *pkt, size_t len)
{
	/* payload: direction byte, then the le32 sequence number, then a fill derived from it */
	unsigned dir, seq, i;
	bool intact = len >= 28;

	(void)n;
	if (!intact) {
		soak_bad++;
		return;
	}
	dir = pkt[20];
	memcpy(&seq, pkt + 21, 4);
	if (dir > 1 || seq >= soak_sent[dir]) {
		soak_bad++;
		return;
	}
	for (i = 25; i < len; i++)
		if (pkt[i] != (uint8_t)(seq + i))
			intact = false;
	if (!intact)
		soak_bad++;
	if (soak_seen[dir][seq]++)
		soak_dup++;
}

static bool
soak_filter(struct net *net, const struct net_pkt *pk)
{
	uint64_t r = rnd() % 100;

	(void)net;
	if (!soak_lossy)
		return true;
	if (r < 10)
		return false; /* lost */
	if (r < 20 && soak_ndelayed < 256) {
		/* delayed (and so reordered), or duplicated when r is odd */
		soak_delayed[soak_ndelayed] = malloc(sizeof(*pk) + pk->len);
		memcpy(soak_delayed[soak_ndelayed++], pk, sizeof(*pk) + pk->len);
		return r & 1;
	}
	return true;
}

static void
soak_send(struct pair *p, unsigned dir)
{
	uint8_t pkt[200];
	unsigned seq = soak_sent[dir], i;
	size_t len = 28 + rnd() % 150;

	if (seq >= SOAK_MAX)
		return;
	soak_sent[dir]++;
	if (dir == 0)
		ipv4_pkt(pkt, A_IN, B_IN, len, 0);
	else
		ipv4_pkt(pkt, B_IN, A_IN, len, 0);
	pkt[20] = (uint8_t)dir;
	memcpy(pkt + 21, &seq, 4);
	for (i = 25; i < len; i++)
		pkt[i] = (uint8_t)(seq + i);
	wr_device_send(dir == 0 ? p->a->dev : p->b->dev, pkt, len, p->net.now);
}

static void
soak_release_some(struct pair *p)
{
	unsigned i = 0;

	while (i < soak_ndelayed) {
		if (rnd() % 3 == 0) {
			struct net_pkt *pk = soak_delayed[i];
			struct node *dst = net_node_at(&p->net, &pk->to);

			if (dst)
				wr_device_receive(
					dst->dev, &pk->from, pk->data, pk->len, p->net.now);
			free(pk);
			soak_delayed[i] = soak_delayed[--soak_ndelayed];
		} else {
			i++;
		}
	}
}

static void
test_soak(void)
{
	struct pair p;
	uint64_t end;
	unsigned delivered, before_a, before_b, k;

	printf("-- randomized soak: lossy, duplicating, reordering network\n");
	if (getenv("SOAK_SEED")) /* to explore: SOAK_SEED=n test_device */
		soak_rng = strtoull(getenv("SOAK_SEED"), NULL, 0);
	pair_init(&p, true);
	memset(soak_seen, 0, sizeof(soak_seen));
	soak_sent[0] = soak_sent[1] = soak_bad = soak_dup = soak_ndelayed = 0;
	p.a->on_deliver = p.b->on_deliver = soak_on_deliver;
	p.net.filter = soak_filter;
	soak_lossy = true;
	end = p.net.now + SEC(1800);
	while (p.net.now < end) {
		for (k = rnd() % 4; k; k--)
			soak_send(&p, (unsigned)(rnd() & 1));
		soak_release_some(&p);
		net_run(&p.net);
		net_advance(&p.net, rnd() % SEC(3));
	}
	delivered = p.a->delivered + p.b->delivered;
	check(soak_bad == 0, "only genuine, intact packets were delivered");
	check(soak_dup == 0, "none twice (duplicates and replays caught)");
	check(delivered > (soak_sent[0] + soak_sent[1]) / 2, "most of the traffic got through");
	printf("     sent %u+%u, delivered %u, handshakes %u+%u\n", soak_sent[0], soak_sent[1],
		delivered, p.a->completed, p.b->completed);

	/* a clean network again: both directions must work within a few seconds */
	soak_lossy = false;
	while (soak_ndelayed)
		free(soak_delayed[--soak_ndelayed]);
	net_advance(&p.net, SEC(1));
	before_a = p.a->delivered;
	before_b = p.b->delivered;
	soak_send(&p, 0);
	soak_send(&p, 1);
	net_advance(&p.net, SEC(12));
	check(p.b->delivered > before_b && p.a->delivered > before_a,
		"after the storm, traffic flows both ways again");
	check(soak_bad == 0 && soak_dup == 0, "still nothing bogus");
	net_free(&p.net);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_data_both_ways_and_queue();
	test_confirmation();
	test_responder_waits_for_confirmation();
	test_new_private_key_handshakes_at_once();
	test_spoof_replay();
	test_replay();
	test_roaming();
	test_routing_two_peers();
	test_seal_open();
	test_external_data_plane();
	test_soak();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
