/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cookies: under load an initiation without mac2 gets a cookie reply; the initiator consumes it
 * and its retry carries a mac2 that passes; the secret rotates after 120 s; a cookie is bound to
 * the source address and port; bad cookie replies are dropped; good mac2s still pass the
 * per-source rate limiter.
 */
#include "engine_net.h"
#include "wr_cookie.h"
#include "wr_device_impl.h"

/* keep b "under load" as its host would while its handshake queue is long */
static void
load(struct node *n, uint64_t now)
{
	wr_device_set_load(n->dev, 512, 4096, now);
}

static void
test_load_detection(void)
{
	struct net net;
	struct node *a;

	printf("-- load detection\n");
	memset(&net, 0, sizeof(net));
	a = net_add(&net, "203.0.113.1", 51820);
	check(!wr_device_under_load(a->dev, SEC(10)), "idle: not under load");
	wr_device_set_load(a->dev, 511, 4096, SEC(10));
	check(!wr_device_under_load(a->dev, SEC(10)), "511 of 4096 queued: not under load");
	wr_device_set_load(a->dev, 512, 4096, SEC(10));
	check(wr_device_under_load(a->dev, SEC(10)), "512 of 4096 (1/8): under load");
	wr_device_set_load(a->dev, 0, 4096, SEC(10) + MSEC(500));
	check(wr_device_under_load(a->dev, SEC(10) + MSEC(999)),
		"drained, still under load within 1 s");
	check(!wr_device_under_load(a->dev, SEC(11)), "1 s later: no longer");
	net_free(&net);
}

static void
test_cookie_exchange(void)
{
	struct net net;
	struct node *a, *b;
	struct wr_peer *ab;
	const struct wr_message_handshake_initiation *init;
	static const uint8_t zero[16];

	printf("-- under load: cookie reply, then a retry with mac2\n");
	memset(&net, 0, sizeof(net));
	net.now = SEC(1000);
	a = net_add(&net, "203.0.113.1", 51820);
	b = net_add(&net, "203.0.113.2", 51820);
	ab = net_link(a, b, NULL, true, NULL, 0);
	net_link(b, a, NULL, true, NULL, 0);

	load(b, net.now);
	nheld = 0;
	hold_type = WR_MSG_HANDSHAKE_INITIATION;
	net.filter = hold;
	wr_peer_initiate(ab, net.now);
	init = (const void *)held[0]->data;
	check(nheld == 1 && memcmp(init->macs.mac2, zero, 16) == 0, "first initiation: no mac2");
	net.filter = NULL;
	check(wr_device_receive(b->dev, &held[0]->from, held[0]->data, held[0]->len, net.now) ==
				WR_DROP_COOKIE_SENT &&
			b->sent[3] == 1 && b->sent[2] == 0,
		"b answers with a cookie reply, not a response");
	net_run(&net);
	check(ab->cookie.have_cookie, "a consumed the cookie reply");
	check(!wr_peer_has_session(ab, net.now), "no session yet");

	/* the retry, REKEY_TIMEOUT later, while b stays loaded */
	net.filter = hold;
	while (nheld < 2 && net.now < SEC(1020)) {
		net.now += MSEC(100);
		load(b, net.now);
		wr_device_tick(a->dev, net.now);
	}
	net.filter = NULL;
	init = (const void *)held[1]->data;
	check(nheld == 2 && memcmp(init->macs.mac2, zero, 16) != 0, "the retry carries a mac2");
	check(wr_device_receive(b->dev, &held[1]->from, held[1]->data, held[1]->len, net.now) ==
			WR_DROP_NONE,
		"and passes under load");
	net_run(&net);
	check(wr_peer_has_session(ab, net.now), "handshake completed under load");
	release_held();
	net_free(&net);
}

static void
test_bad_cookie_replies(void)
{
	struct net net;
	struct node *a, *b;
	struct wr_peer *ab;
	struct net_pkt *reply;

	printf("-- bad cookie replies\n");
	memset(&net, 0, sizeof(net));
	net.now = SEC(1000);
	a = net_add(&net, "203.0.113.1", 51820);
	b = net_add(&net, "203.0.113.2", 51820);
	ab = net_link(a, b, NULL, true, NULL, 0);
	net_link(b, a, NULL, true, NULL, 0);
	load(b, net.now);
	wr_peer_initiate(ab, net.now);
	nheld = 0;
	hold_type = WR_MSG_HANDSHAKE_COOKIE;
	net.filter = hold;
	net_run(&net);
	net.filter = NULL;
	check(nheld == 1, "cookie reply captured");
	reply = held[0];

	reply->data[40] ^= 1;
	check(wr_device_receive(a->dev, &reply->from, reply->data, reply->len, net.now) ==
				WR_DROP_COOKIE_DECRYPT &&
			!ab->cookie.have_cookie,
		"tampered reply: dropped");
	reply->data[40] ^= 1;
	check(wr_device_receive(a->dev, &reply->from, reply->data, 63, net.now) ==
			WR_DROP_BAD_LENGTH,
		"short reply: dropped");
	check(wr_device_receive(a->dev, &reply->from, reply->data, reply->len, net.now) ==
				WR_DROP_NONE &&
			ab->cookie.have_cookie,
		"the genuine one: taken");
	check(wr_device_receive(a->dev, &reply->from, reply->data, reply->len, net.now) ==
			WR_DROP_BAD_STATE,
		"replayed: one reply per mac1");
	check(wr_device_drop_count(a->dev, WR_DROP_COOKIE_DECRYPT) == 1 &&
			wr_device_drop_count(a->dev, WR_DROP_BAD_STATE) == 1,
		"counted by reason");
	release_held();
	net_free(&net);
}

/* Checker-level: rotation, binding to address and port. */
static void
test_checker(void)
{
	static const struct {
		const char *name;
		int family;
		const char *ip;
		uint16_t port;
		uint64_t at;
		enum wr_cookie_mac_state want;
	} cases[] = {
		{ "same address and port", AF_INET, "203.0.113.1", 51820, SEC(1),
			WR_COOKIE_MAC_VALID_MAC1_MAC2 },
		{ "other port", AF_INET, "203.0.113.1", 51821, SEC(1), WR_COOKIE_MAC_VALID_MAC1 },
		{ "other address", AF_INET, "203.0.113.9", 51820, SEC(1),
			WR_COOKIE_MAC_VALID_MAC1 },
		{ "IPv6 peer, same v4 bytes", AF_INET6, "::cb00:7101", 51820, SEC(1),
			WR_COOKIE_MAC_VALID_MAC1 },
		{ "same, 119 s later", AF_INET, "203.0.113.1", 51820, SEC(119),
			WR_COOKIE_MAC_VALID_MAC1_MAC2 },
		{ "same, after the secret rotated", AF_INET, "203.0.113.1", 51820, SEC(245),
			WR_COOKIE_MAC_VALID_MAC1 },
	};
	struct wr_cookie_checker ck;
	struct wr_cookie_maker mk;
	struct wr_message_handshake_initiation msg;
	struct wr_message_handshake_cookie reply;
	struct wr_endpoint src, from;
	uint8_t priv[32], pub[32];
	size_t i;
	char what[128];

	printf("-- cookie secret rotation, binding to address and port\n");
	wr_x25519_generate(priv);
	wr_x25519_public(pub, priv);
	memset(&ck, 0, sizeof(ck));
	wr_cookie_checker_set_key(&ck, pub);
	wr_cookie_maker_init(&mk, pub);
	memset(&msg, 0x33, sizeof(msg));
	ep4(&src, "203.0.113.1", 51820);

	/* t = 0: the secret is drawn at the first cookie; a gets its cookie */
	wr_cookie_add_macs(&mk, &msg, sizeof(msg), 0);
	check(wr_cookie_validate(&ck, &msg, sizeof(msg), &src.sa, true, 0) ==
			WR_COOKIE_MAC_VALID_MAC1,
		"no cookie yet: mac1 only");
	wr_cookie_create_reply(&ck, &reply, &msg, sizeof(msg), 7, &src.sa, 0);
	check(wr_cookie_consume_reply(&mk, &reply, 0) == 0, "reply consumed");
	check(wr_cookie_validate(&ck, &msg, sizeof(msg), &src.sa, false, 0) ==
			WR_COOKIE_MAC_VALID_MAC1,
		"mac2 is not looked at when not under load");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].family == AF_INET)
			ep4(&from, cases[i].ip, cases[i].port);
		else
			ep6(&from, cases[i].ip, cases[i].port);
		/* mac2 as a stays valid: its cookie is young enough for the maker */
		wr_cookie_add_macs(&mk, &msg, sizeof(msg), SEC(1));
		snprintf(what, sizeof(what), "%s: %s", cases[i].name,
			cases[i].want == WR_COOKIE_MAC_VALID_MAC1_MAC2 ? "mac2 valid"
								       : "mac2 invalid");
		check(wr_cookie_validate(&ck, &msg, sizeof(msg), &from.sa, true, cases[i].at) ==
				cases[i].want,
			what);
	}
	/* the maker stops using a cookie older than 120 - 5 s */
	wr_cookie_add_macs(&mk, &msg, sizeof(msg), SEC(116));
	{
		static const uint8_t zero[16];

		check(memcmp(msg.macs.mac2, zero, 16) == 0, "a stale cookie is not used for mac2");
	}
	msg.macs.mac1[0] ^= 1;
	check(wr_cookie_validate(&ck, &msg, sizeof(msg), &src.sa, true, SEC(116)) ==
			WR_COOKIE_MAC_INVALID,
		"bad mac1: invalid, whatever mac2");
	wr_cookie_checker_wipe(&ck);
}

static void
test_ratelimit_with_mac2(void)
{
	struct net net;
	struct node *a, *b;
	struct wr_peer *ab;
	unsigned i, limited = 0, passed = 0;
	enum wr_drop_reason r;

	printf("-- under load, a valid mac2 still passes the per-source rate limiter\n");
	memset(&net, 0, sizeof(net));
	net.now = SEC(1000);
	a = net_add(&net, "203.0.113.1", 51820);
	b = net_add(&net, "203.0.113.2", 51820);
	ab = net_link(a, b, NULL, true, NULL, 0);
	net_link(b, a, NULL, true, NULL, 0);
	load(b, net.now);
	wr_peer_initiate(ab, net.now);
	net_run(&net); /* cookie reply consumed */
	nheld = 0;
	hold_type = WR_MSG_HANDSHAKE_INITIATION;
	net.filter = hold;
	net.now += SEC(6);
	wr_peer_initiate(ab, net.now);
	net.filter = NULL;
	for (i = 0; i < 12; i++) {
		load(b, net.now);
		r = wr_device_receive(b->dev, &held[0]->from, held[0]->data, held[0]->len, net.now);
		if (r == WR_DROP_RATELIMITED)
			limited++;
		else if (r != WR_DROP_COOKIE_SENT)
			passed++;
	}
	check(passed == WR_RATELIMIT_BURST && limited == 12 - WR_RATELIMIT_BURST,
		"a burst of 5 gets through the limiter, the rest is limited");
	check(wr_device_drop_count(b->dev, WR_DROP_RATELIMITED) == limited, "counted");
	net_flush(&net);
	release_held();
	net_free(&net);
}

/* mac1 the long way: HASH(LABEL_MAC1 || pub) as the key of a one-shot MAC */
static void
naive_mac1(uint8_t mac1[16], const uint8_t pub[32], const void *msg, size_t len)
{
	uint8_t in[8 + 32], key[32];

	memcpy(in, WR_LABEL_MAC1, 8);
	memcpy(in + 8, pub, 32);
	wr_blake2s(key, 32, in, sizeof(in), NULL, 0);
	wr_blake2s(mac1, 16, msg, len - 32, key, 32);
}

/*
 * The checker and the maker keep mac1's keyed hash with the key block compressed: it must equal
 * the long way for every type byte (the two kept states and the fallback) and message length,
 * and follow every new key: the checker's when the device's private key changes, the maker's
 * when it is made again for another public key.
 */
static void
test_kept_mac1_states(void)
{
	static const size_t lens[] = { WR_MSG_INITIATION_LEN, WR_MSG_RESPONSE_LEN, 36, 97, 160 };
	struct wr_cookie_checker ck;
	struct wr_cookie_maker mk;
	struct wr_endpoint src;
	uint8_t priv[32], pub[3][32], msg[160], want[16];
	unsigned i, k, bad_add = 0, bad_val = 0;
	size_t len;
	struct net net;
	struct node *a, *b;
	struct wr_peer *ab;

	printf("-- kept mac1 states against the long way, and after key changes\n");
	ep4(&src, "203.0.113.1", 51820);
	memset(&ck, 0, sizeof(ck));
	for (k = 0; k < 3; k++) {
		wr_x25519_generate(priv);
		wr_x25519_public(pub[k], priv);
	}
	for (i = 0; i < 600; i++) {
		/* a new key every 200 messages: the kept states must follow it */
		k = i / 200;
		if (i % 200 == 0) {
			wr_cookie_checker_set_key(&ck, pub[k]);
			wr_cookie_maker_init(&mk, pub[k]);
		}
		len = lens[i % 5];
		wr_random(msg, len);
		msg[0] = (uint8_t)(i % 4); /* 0 and 3: no kept state; 1, 2: the handshake's */
		wr_cookie_add_macs(&mk, msg, len, 0);
		naive_mac1(want, pub[k], msg, len);
		bad_add += memcmp(msg + len - 32, want, 16) != 0;
		bad_val += wr_cookie_validate(&ck, msg, len, &src.sa, false, 0) !=
			   WR_COOKIE_MAC_VALID_MAC1;
		msg[len - 32] ^= 1;
		bad_val += wr_cookie_validate(&ck, msg, len, &src.sa, false, 0) !=
			   WR_COOKIE_MAC_INVALID;
		if (i % 200 == 199 && k < 2) {
			/* made for the next key: this key's mac1 no longer passes */
			msg[len - 32] ^= 1;
			wr_cookie_checker_set_key(&ck, pub[k + 1]);
			bad_val += wr_cookie_validate(&ck, msg, len, &src.sa, false, 0) !=
				   WR_COOKIE_MAC_INVALID;
		}
	}
	check(bad_add == 0, "maker's mac1 equals the long way");
	check(bad_val == 0, "checker accepts exactly the right mac1s");
	wr_cookie_checker_set_key(&ck, NULL);
	wr_cookie_add_macs(&mk, msg, WR_MSG_INITIATION_LEN, 0);
	check(wr_cookie_validate(&ck, msg, WR_MSG_INITIATION_LEN, &src.sa, false, 0) ==
			WR_COOKIE_MAC_INVALID,
		"no key: every mac1 invalid");
	wr_cookie_checker_wipe(&ck);

	/* a device's new private key: initiations to its old public key fail mac1 */
	memset(&net, 0, sizeof(net));
	net.now = SEC(1000);
	a = net_add(&net, "203.0.113.1", 51820);
	b = net_add(&net, "203.0.113.2", 51820);
	ab = net_link(a, b, NULL, true, "198.51.100.1", 32);
	net_link(b, a, NULL, true, "192.0.2.1", 32);
	wr_x25519_generate(priv);
	wr_device_set_private_key(b->dev, priv);
	wr_peer_initiate(ab, net.now);
	net_run(&net);
	check(wr_device_drop_count(b->dev, WR_DROP_BAD_MAC1) == 1,
		"after the responder's key changed, mac1 made for the old key is refused");
	net_free(&net);
	wr_wipe(priv, sizeof(priv));
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (wr_crypto_init())
		return 2;
	test_load_detection();
	test_cookie_exchange();
	test_bad_cookie_replies();
	test_checker();
	test_ratelimit_with_mac2();
	test_kept_mac1_states();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
