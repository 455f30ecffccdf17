/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device's timers, two devices back to back through a fake network and a fake clock: the
 * next deadline kept under random events, rekeying after REKEY_AFTER_TIME, handshake retries and
 * giving up, keepalives (passive and persistent), key zeroing after 3 x REJECT_AFTER_TIME and
 * the 165 s receive rule. Data, handshakes and the rest of the device: test_device.c.
 */
#include "device_test.h"

/* The earliest deadline of @p dev's peers, found by walking them */
static uint64_t
walked_deadline(const struct wr_device *dev)
{
	const struct wr_peer *p;
	uint64_t next = UINT64_MAX;

	for (p = dev->first; p; p = p->list_next)
		if (wr_timers_next_deadline(&p->timers) < next)
			next = wr_timers_next_deadline(&p->timers);
	return next;
}

/*
 * wr_device_next_deadline() is kept, not walked: under random traffic, keepalive settings,
 * initiations, ticks and a peer removed and added, it is never later than any peer's deadline
 * (a timer would fire late), and a tick brings it back to the exact one.
 */
static void
test_kept_deadline(void)
{
	static const char *const in[] = { "198.51.100.1", "198.51.100.2" };
	struct net net;
	struct node *hub, *spoke[2];
	struct wr_peer *to[2];
	uint32_t rng = 0x9e3779b9;
	unsigned int step, late = 0, inexact = 0, k;
	uint8_t pkt[200];

	printf("-- the device's next deadline, kept under random events\n");
	memset(&net, 0, sizeof(net));
	net.now = SEC(1000);
	hub = net_add(&net, "203.0.113.1", 51820);
	for (k = 0; k < 2; k++) {
		spoke[k] = net_add(&net, k ? "203.0.113.3" : "203.0.113.2", 51820);
		to[k] = net_link(hub, spoke[k], NULL, true, in[k], 32);
		net_link(spoke[k], hub, NULL, k == 0, A_IN, 32);
	}
	for (step = 0; step < 3000; step++) {
		unsigned int op, who, n;

		rng ^= rng << 13;
		rng ^= rng >> 17;
		rng ^= rng << 5;
		op = rng % 7;
		who = (rng >> 8) & 1;
		switch (op) {
		case 0:
			ipv4_pkt(pkt, A_IN, in[who], 100, (uint8_t)step);
			wr_device_send(hub->dev, pkt, 100, net.now);
			break;
		case 1:
			ipv4_pkt(pkt, in[who], A_IN, 100, (uint8_t)step);
			wr_device_send(spoke[who]->dev, pkt, 100, net.now);
			break;
		case 2:
			wr_peer_set_keepalive(to[who], (uint16_t)((rng >> 12) % 4), net.now);
			break;
		case 3:
			wr_peer_initiate(to[who], net.now);
			break;
		case 4:
			/* a peer removed and added again: its timers start over */
			wr_device_remove_peer(hub->dev, to[who]);
			to[who] = net_link(hub, spoke[who], NULL, true, in[who], 32);
			break;
		default:
			net.now += MSEC((rng >> 12) % 4000);
			for (n = 0; n < (unsigned int)net.nnodes; n++) {
				wr_device_tick(net.n[n].dev, net.now);
				inexact += wr_device_next_deadline(net.n[n].dev) !=
					   walked_deadline(net.n[n].dev);
			}
			break;
		}
		net_run(&net);
		for (n = 0; n < (unsigned int)net.nnodes; n++)
			late += wr_device_next_deadline(net.n[n].dev) >
				walked_deadline(net.n[n].dev);
	}
	if (late != 0 || inexact != 0)
		printf("   later than a peer's %u times, not exact after a tick %u times\n", late,
			inexact);
	check(late == 0, "never later than a peer's deadline");
	check(inexact == 0, "exact after a tick");
	net_free(&net);
}

static void
test_rekey(void)
{
	struct pair p;
	struct wr_keypair *first;

	printf("-- rekey after REKEY_AFTER_TIME\n");
	pair_init(&p, true);
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	b_to_a(&p, 1, 40);
	net_run(&p.net);
	first = p.ab->keypairs.current;
	net_advance(&p.net, SEC(119));
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	check(p.a->sent[1] == 1, "no rekey before 120 s");
	net_advance(&p.net, SEC(2));
	b_to_a(&p, 1, 40);
	net_run(&p.net);
	check(p.b->sent[1] == 0 && p.a->sent[1] == 1,
		"the responder does not rekey on send: that is the initiator's job");
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	check(p.a->sent[1] == 2, "sending on a 120 s old key starts a handshake");
	check(p.ab->keypairs.current != first && p.ab->keypairs.previous == first,
		"new current keypair, the old one kept as previous");
	a_to_b(&p, 1, 40);
	b_to_a(&p, 1, 40);
	net_run(&p.net);
	check(p.b->delivered == 4 && p.a->delivered == 3, "data flows on the new session");
	check(p.ba->keypairs.current &&
			p.ba->keypairs.current->entry.index == p.ab->keypairs.current->remote_index,
		"both sides agree on the new session");
	net_free(&p.net);
}

static uint64_t init_times[64];
static unsigned ninit;

static bool
drop_all_log_init(struct net *net, const struct net_pkt *pk)
{
	if (pk->data[0] == WR_MSG_HANDSHAKE_INITIATION && ninit < 64)
		init_times[ninit++] = net->now;
	return false;
}

static void
test_retries_and_give_up(void)
{
	struct pair p;
	unsigned i;
	bool spacing = true;

	printf("-- retries every 5 s up to 90 s, then give up\n");
	pair_init(&p, true);
	ninit = 0;
	p.net.filter = drop_all_log_init;
	a_to_b(&p, 4, 40);
	net_advance(&p.net, SEC(200));
	check(ninit == 1 + WR_MAX_TIMER_HANDSHAKES + 1, "first initiation and 19 retries");
	for (i = 1; i < ninit; i++) {
		uint64_t d = init_times[i] - init_times[i - 1];

		if (d < WR_REKEY_TIMEOUT || d >= WR_REKEY_TIMEOUT + WR_REKEY_TIMEOUT_JITTER_MAX)
			spacing = false;
	}
	check(spacing, "retries REKEY_TIMEOUT apart plus a jitter under 1/3 s");
	check(init_times[ninit - 1] - init_times[0] >= WR_REKEY_ATTEMPT_TIME,
		"kept trying for REKEY_ATTEMPT_TIME");
	check(wr_device_drop_count(p.a->dev, WR_DROP_GAVE_UP) == 4 && p.ab->q_len == 0,
		"the queued packets are dropped on giving up");
	net_advance(&p.net, SEC(300));
	check(ninit == 1 + WR_MAX_TIMER_HANDSHAKES + 1, "and nothing more is tried");
	net_free(&p.net);
}

static void
test_keepalive(void)
{
	struct pair p;

	printf("-- keepalive after KEEPALIVE_TIMEOUT, persistent keepalive\n");
	pair_init(&p, true);
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	check(p.b->keepalives_sent == 0, "nothing right away");
	net_advance(&p.net, SEC(9));
	check(p.b->keepalives_sent == 0, "no keepalive after 9 s");
	net_advance(&p.net, SEC(2));
	check(p.b->keepalives_sent == 1, "b acknowledges a's data with a keepalive after 10 s");
	net_advance(&p.net, SEC(30));
	check(p.b->keepalives_sent == 1 && p.a->keepalives_sent == 0, "and only one");

	wr_peer_set_keepalive(p.ab, 25, p.net.now);
	check(wr_peer_get_keepalive(p.ab) == 25, "persistent keepalive set");
	net_run(&p.net);
	net_advance(&p.net, 0);
	check(p.a->keepalives_sent == 1, "turning it on sends one at once");
	/* 41 s into the session: stay below REKEY_AFTER_TIME, whose handshake adds a keepalive */
	net_advance(&p.net, SEC(76));
	check(p.a->keepalives_sent == 4 && p.a->sent[1] == 1, "then one every 25 s");
	net_free(&p.net);
}

static void
test_zeroing(void)
{
	struct pair p;

	printf("-- key zeroing after 3 x REJECT_AFTER_TIME\n");
	pair_init(&p, true);
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	net_advance(&p.net, SEC(11)); /* b's keepalive goes out */
	check(p.a->removed == 0 && p.ab->keypairs.current, "keys present");
	net_advance(&p.net, SEC(181) - SEC(11));
	check(!wr_peer_has_session(p.ab, p.net.now) && p.ab->keypairs.current,
		"after REJECT_AFTER_TIME the key no longer sends but still exists");
	net_advance(&p.net, SEC(539) - SEC(181));
	check(p.a->removed == 0, "not zeroed at 539 s");
	net_advance(&p.net, SEC(2));
	check(p.a->removed == 1 && !p.ab->keypairs.current && !p.ab->keypairs.previous &&
			!p.ab->keypairs.next,
		"a's keypair zeroed and removed at 540 s");
	check(p.b->removed == 1 && !p.ba->keypairs.current, "b's too");
	check(p.a->dev->index->count == 0 && p.b->dev->index->count == 0, "no index left");
	net_free(&p.net);
}

static void
test_receive_rule_165(void)
{
	struct pair p;

	printf("-- initiator rekeys when receiving on a key older than 165 s\n");
	pair_init(&p, true);
	a_to_b(&p, 1, 40);
	net_run(&p.net);
	net_advance(&p.net, SEC(160));
	b_to_a(&p, 1, 40);
	net_run(&p.net);
	check(p.a->delivered == 1 && p.a->sent[1] == 1, "at 160 s: delivered, no new handshake");
	net_advance(&p.net, SEC(6));
	b_to_a(&p, 1, 40);
	b_to_a(&p, 1, 40);
	net_run(&p.net);
	check(p.a->delivered == 3 && p.a->sent[1] == 2, "at 166 s: one new handshake, once");
	net_free(&p.net);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_kept_deadline();
	test_rekey();
	test_retries_and_give_up();
	test_keepalive();
	test_zeroing();
	test_receive_rule_165();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
