/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * WireGuard handshakes between two engines in one process: both roles, with and without a
 * preshared key; replayed and flooded initiations; wrong static keys; bad mac1; one drop reason
 * per malformed message with no reply; keys wiped after expiry.
 */
#include "engine_net.h"
#include "wr_cookie.h"
#include "wr_device_impl.h"

struct pair {
	struct net net;
	struct node *a, *b;
	struct wr_peer *ab, *ba;
};

static void
pair_init(struct pair *p, const uint8_t *psk_a, const uint8_t *psk_b)
{
	memset(p, 0, sizeof(*p));
	p->net.now = SEC(1000);
	p->a = net_add(&p->net, "203.0.113.1", 51820);
	p->b = net_add(&p->net, "203.0.113.2", 51820);
	p->ab = net_link(p->a, p->b, psk_a, true, "198.51.100.1", 32);
	p->ba = net_link(p->b, p->a, psk_b, true, "192.0.2.1", 32);
}

static unsigned
total_sent(const struct node *n)
{
	return n->sent[1] + n->sent[2] + n->sent[3] + n->sent[4];
}

static void
test_roles_and_psk(void)
{
	static const uint8_t psk1[32] = { 1, 2, 3 }, psk2[32] = { 3, 2, 1 };
	static const struct {
		const char *name;
		const uint8_t *psk_a, *psk_b;
		bool a_initiates, ok;
	} cases[] = {
		{ "a initiates, no psk", NULL, NULL, true, true },
		{ "b initiates, no psk", NULL, NULL, false, true },
		{ "a initiates, same psk", psk1, psk1, true, true },
		{ "b initiates, same psk", psk1, psk1, false, true },
		{ "a initiates, different psk", psk1, psk2, true, false },
		{ "b initiates, psk on one side only", NULL, psk2, false, false },
	};
	struct pair p;
	size_t i;
	char what[128];

	printf("-- both roles, with and without a preshared key\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct node *ini, *resp;
		struct wr_peer *ini_peer, *resp_peer;

		pair_init(&p, cases[i].psk_a, cases[i].psk_b);
		ini = cases[i].a_initiates ? p.a : p.b;
		resp = cases[i].a_initiates ? p.b : p.a;
		ini_peer = cases[i].a_initiates ? p.ab : p.ba;
		resp_peer = cases[i].a_initiates ? p.ba : p.ab;
		wr_peer_initiate(ini_peer, p.net.now);
		net_run(&p.net);
		snprintf(what, sizeof(what), "%s: %s", cases[i].name,
			cases[i].ok ? "both sides have a session" : "no session");
		check(wr_peer_has_session(ini_peer, p.net.now) == cases[i].ok &&
				wr_peer_has_session(resp_peer, p.net.now) == cases[i].ok,
			what);
		if (!cases[i].ok) {
			snprintf(what, sizeof(what), "%s: the initiator drops the response",
				cases[i].name);
			check(wr_device_drop_count(ini->dev, WR_DROP_HANDSHAKE_DECRYPT) == 1 &&
					resp->sent[2] == 1,
				what);
		} else {
			check(ini_peer->keypairs.current->send_counter == 1 &&
					resp_peer->keypairs.current->replay.next == 1,
				"the confirming keepalive used counter 0");
		}
		net_free(&p.net);
	}
}

static enum wr_drop_reason
inject(struct node *to, const struct net_pkt *pk, uint64_t now)
{
	return wr_device_receive(to->dev, &pk->from, pk->data, pk->len, now);
}

static void
test_replay_and_flood(void)
{
	struct pair p;
	uint64_t t;

	printf("-- replayed initiation and the 50/s flood guard\n");
	pair_init(&p, NULL, NULL);
	nheld = 0;
	hold_type = WR_MSG_HANDSHAKE_INITIATION;
	p.net.filter = hold;
	/* three initiations, each REKEY_TIMEOUT apart on a's clock, with newer timestamps */
	wr_peer_initiate(p.ab, p.net.now);
	p.net.now += SEC(6);
	wr_peer_initiate(p.ab, p.net.now);
	p.net.now += SEC(6);
	wr_peer_initiate(p.ab, p.net.now);
	check(nheld == 3, "three initiations captured");
	p.net.filter = NULL;

	t = p.net.now + SEC(10);
	check(inject(p.b, held[0], t) == WR_DROP_NONE, "first initiation accepted");
	check(inject(p.b, held[1], t + MSEC(10)) == WR_DROP_INITIATION_FLOOD,
		"a newer one 10 ms later: refused by the flood guard");
	check(inject(p.b, held[1], t + MSEC(21)) == WR_DROP_NONE, "the same one 21 ms later: ok");
	check(inject(p.b, held[0], t + SEC(1)) == WR_DROP_STALE_TIMESTAMP,
		"replay of the first (older timestamp): refused");
	check(inject(p.b, held[1], t + SEC(2)) == WR_DROP_STALE_TIMESTAMP,
		"replay of the latest (equal timestamp): refused");
	check(inject(p.b, held[2], t + SEC(3)) == WR_DROP_NONE, "a newer one: accepted");
	check(wr_device_drop_count(p.b->dev, WR_DROP_STALE_TIMESTAMP) == 2 &&
			wr_device_drop_count(p.b->dev, WR_DROP_INITIATION_FLOOD) == 1,
		"counted by reason");
	check(p.b->sent[2] == 3, "a response only for each accepted one");
	net_flush(&p.net);
	release_held();
	net_free(&p.net);
}

static void
test_wrong_keys_and_mac1(void)
{
	struct net net;
	struct node *a, *b, *c;
	struct wr_peer *ab;
	unsigned before;

	printf("-- wrong static keys, corrupted mac1\n");
	memset(&net, 0, sizeof(net));
	net.now = SEC(1000);
	a = net_add(&net, "203.0.113.1", 51820);
	b = net_add(&net, "203.0.113.2", 51820);
	c = net_add(&net, "203.0.113.3", 51820);
	/* b knows c, not a */
	ab = net_link(a, b, NULL, true, NULL, 0);
	net_link(b, c, NULL, true, NULL, 0);
	wr_peer_initiate(ab, net.now);
	net_run(&net);
	check(wr_device_drop_count(b->dev, WR_DROP_UNKNOWN_PEER) == 1 && total_sent(b) == 0,
		"initiation from an unknown static key: dropped silently");

	/* a thinks b's public key is c's, but sends to b's address: mac1 is for the wrong key */
	{
		struct wr_peer *ac = net_link(a, c, NULL, false, NULL, 0);

		wr_peer_set_endpoint(ac, &b->addr);
		wr_peer_initiate(ac, net.now);
		net_run(&net);
		check(wr_device_drop_count(b->dev, WR_DROP_BAD_MAC1) == 1 && total_sent(b) == 0,
			"initiation for another public key: bad mac1, no reply");
	}
	net_free(&net);

	/* a good initiation with one bit of mac1 flipped */
	memset(&net, 0, sizeof(net));
	net.now = SEC(1000);
	a = net_add(&net, "203.0.113.1", 51820);
	b = net_add(&net, "203.0.113.2", 51820);
	ab = net_link(a, b, NULL, true, NULL, 0);
	net_link(b, a, NULL, true, NULL, 0);
	nheld = 0;
	hold_type = WR_MSG_HANDSHAKE_INITIATION;
	net.filter = hold;
	wr_peer_initiate(ab, net.now);
	net.filter = NULL;
	before = total_sent(b);
	held[0]->data[offsetof(struct wr_message_handshake_initiation, macs.mac1) + 3] ^= 0x10;
	check(inject(b, held[0], net.now) == WR_DROP_BAD_MAC1 && total_sent(b) == before,
		"corrupted mac1: dropped silently");
	held[0]->data[offsetof(struct wr_message_handshake_initiation, macs.mac1) + 3] ^= 0x10;
	held[0]->data[offsetof(struct wr_message_handshake_initiation, encrypted_static) + 5] ^= 1;
	/* mac1 covers the whole body, so recompute it as an attacker who knows b's key could */
	{
		struct wr_cookie_maker m;

		wr_cookie_maker_init(&m, b->pub);
		wr_cookie_add_macs(&m, held[0]->data, held[0]->len, net.now);
	}
	check(inject(b, held[0], net.now) == WR_DROP_HANDSHAKE_DECRYPT && total_sent(b) == before,
		"valid mac1 but tampered static: decryption fails, no reply");
	release_held();
	net_free(&net);
}

/* Every malformed message: the expected reason, and never a reply. */
static void
test_drop_reasons(void)
{
	struct pair p;
	static uint8_t m[70000];
	struct wr_cookie_maker mk;
	struct {
		const char *name;
		size_t len;
		enum wr_drop_reason want;
	} cases[16];
	size_t n = 0, i;
	unsigned before;
	char what[160];

	printf("-- every malformed message dropped with its reason, no reply\n");
	pair_init(&p, NULL, NULL);
	wr_peer_initiate(p.ab, p.net.now);
	net_run(&p.net);
	wr_cookie_maker_init(&mk, p.b->pub);
	before = total_sent(p.b);

#define CASE(nm, l, w) (cases[n].name = (nm), cases[n].len = (l), cases[n].want = (w), n++)
	for (i = 0;; i++) {
		memset(m, 0, 256);
		n = 0;
		switch (i) {
		case 0:
			CASE("3 bytes", 3, WR_DROP_BAD_LENGTH);
			break;
		case 1:
			m[0] = 5;
			CASE("type 5", 148, WR_DROP_BAD_TYPE);
			break;
		case 2:
			m[0] = 1;
			m[2] = 1;
			CASE("type 1 with a reserved byte set", 148, WR_DROP_BAD_TYPE);
			break;
		case 3:
			m[0] = 1;
			CASE("initiation of 147 bytes", 147, WR_DROP_BAD_LENGTH);
			break;
		case 4:
			m[0] = 1;
			CASE("initiation with zero macs", 148, WR_DROP_BAD_MAC1);
			break;
		case 5:
			m[0] = 1;
			wr_cookie_add_macs(&mk, m, 148, p.net.now);
			CASE("initiation with good mac1, garbage body", 148,
				WR_DROP_LOW_ORDER_POINT);
			break;
		case 6:
			m[0] = 2;
			CASE("response of 93 bytes", 93, WR_DROP_BAD_LENGTH);
			break;
		case 7:
			m[0] = 2;
			m[8] = 0x42;
			wr_cookie_add_macs(&mk, m, 92, p.net.now);
			CASE("response to an unknown index", 92, WR_DROP_UNKNOWN_INDEX);
			break;
		case 8:
			m[0] = 3;
			CASE("cookie reply of 63 bytes", 63, WR_DROP_BAD_LENGTH);
			break;
		case 9:
			m[0] = 3;
			m[4] = 0x42;
			CASE("cookie reply to an unknown index", 64, WR_DROP_UNKNOWN_INDEX);
			break;
		case 10:
			m[0] = 4;
			CASE("data of 31 bytes", 31, WR_DROP_BAD_LENGTH);
			break;
		case 11:
			m[0] = 4;
			m[4] = 0x42;
			CASE("data for an unknown index", 48, WR_DROP_UNKNOWN_INDEX);
			break;
		case 15:
			m[0] = 4;
			CASE("data longer than any UDP payload", 70000, WR_DROP_BAD_LENGTH);
			break;
		case 12: {
			uint32_t idx = p.ba->keypairs.current->entry.index;

			m[0] = 4;
			memcpy(m + 4, &idx, 4);
			m[8] = 7;
			CASE("data with a bad tag", 64, WR_DROP_DATA_DECRYPT);
			break;
		}
		case 13: {
			uint32_t idx = p.ba->keypairs.current->entry.index;

			m[0] = 4;
			memcpy(m + 4, &idx, 4);
			CASE("data with an already seen counter", 48, WR_DROP_REPLAY);
			break;
		}
		case 14: {
			uint32_t idx = p.ba->keypairs.current->entry.index;

			m[0] = 3;
			memcpy(m + 4, &idx, 4);
			CASE("forged cookie reply", 64, WR_DROP_COOKIE_DECRYPT);
			break;
		}
		default:
			goto done;
		}
		{
			uint64_t was = wr_device_drop_count(p.b->dev, cases[0].want);
			enum wr_drop_reason got =
				wr_device_receive(p.b->dev, &p.a->addr, m, cases[0].len, p.net.now);

			net_run(&p.net);
			snprintf(what, sizeof(what), "%s: %s", cases[0].name,
				wr_drop_reason_name(cases[0].want));
			check(got == cases[0].want &&
					wr_device_drop_count(p.b->dev, cases[0].want) == was + 1 &&
					total_sent(p.b) == before,
				what);
		}
	}
done:
#undef CASE
	check(wr_device_drop_count(p.b->dev, WR_DROP_NONE) == 0, "WR_DROP_NONE is never counted");
	check(strcmp(wr_drop_reason_name(WR_DROP_BAD_MAC1), "BAD_MAC1") == 0 &&
			strcmp(wr_drop_reason_text(WR_DROP_BAD_LENGTH), "bad length") == 0,
		"names and texts come from the one list");
	net_free(&p.net);
}

static void
test_keys_wiped(void)
{
	static const uint8_t zero[32];
	struct pair p;
	struct wr_keypair *kp;

	printf("-- keys wiped after expiry\n");
	pair_init(&p, NULL, NULL);
	wr_peer_initiate(p.ab, p.net.now);
	net_run(&p.net);
	kp = p.ab->keypairs.current;
	check(kp && memcmp(kp->send_key, zero, 32) != 0, "a session key exists");
	check(memcmp(p.ab->hs.chaining_key, zero, 32) == 0 &&
			memcmp(p.ab->hs.ephemeral_private, zero, 32) == 0 &&
			p.ab->hs.state == WR_NOISE_ZEROED,
		"the handshake state is wiped once the session began");
	net_advance(&p.net, 3 * WR_REJECT_AFTER_TIME + SEC(1));
	check(!p.ab->keypairs.current && !p.ab->keypairs.previous && !p.ab->keypairs.next &&
			p.a->removed == 1 && p.b->removed == 1,
		"every keypair released after 3 x REJECT_AFTER_TIME");
	check(!wr_peer_has_session(p.ab, p.net.now) && !wr_peer_has_session(p.ba, p.net.now),
		"no session left");
	/* the next packet starts over */
	{
		uint8_t pkt[60];

		ipv4_pkt(pkt, "192.0.2.1", "198.51.100.1", 60, 1);
		wr_device_send(p.a->dev, pkt, 60, p.net.now);
		net_run(&p.net);
		check(p.b->delivered == 1, "a new handshake carries the next packet");
	}
	net_free(&p.net);
}

static void
test_private_key_changes(void)
{
	struct pair p;
	uint8_t pub[32];

	printf("-- private key set, replaced, cleared\n");
	pair_init(&p, NULL, NULL);
	check(wr_device_get_public_key(p.a->dev, pub) && memcmp(pub, p.a->pub, 32) == 0,
		"public key derived");
	check(wr_device_add_peer(p.a->dev, p.a->pub, NULL) == NULL && errno == EEXIST,
		"our own key cannot be a peer");
	check(wr_device_add_peer(p.a->dev, p.b->pub, NULL) == NULL && errno == EEXIST,
		"no duplicate peer");
	wr_device_set_private_key(p.b->dev, NULL);
	check(!wr_device_get_public_key(p.b->dev, pub), "cleared");
	wr_peer_initiate(p.ab, p.net.now);
	net_run(&p.net);
	check(wr_device_drop_count(p.b->dev, WR_DROP_NO_PRIVATE_KEY) == 1,
		"without a private key, initiations are dropped");
	check(wr_device_set_private_key(p.a->dev, p.b->priv) == -EEXIST &&
			wr_device_peer_count(p.a->dev) == 0,
		"taking a peer's key removes that peer");
	net_free(&p.net);
}

/*
 * The receiver index table against a plain array: indices are drawn eight per PRF output, so
 * 200 inserts cross many refills; every index must be unique and found, with its kind, until
 * removed or replaced.
 */
static void
test_index_table(void)
{
	static struct wr_index_table t;
	static struct wr_index_entry e[200], repl[200];
	unsigned i, j, dup = 0, wrong = 0;

	printf("-- receiver index table against an array\n");
	wr_index_table_init(&t);
	memset(e, 0, sizeof(e));
	memset(repl, 0, sizeof(repl));
	for (i = 0; i < 200; i++) {
		e[i].kind = i % 2 ? WR_INDEX_KEYPAIR : WR_INDEX_HANDSHAKE;
		wr_index_insert(&t, &e[i]);
	}
	for (i = 0; i < 200; i++)
		for (j = 0; j < i; j++)
			dup += e[i].index == e[j].index;
	check(dup == 0 && t.count == 200, "200 distinct indices");
	for (i = 0; i < 200; i++)
		wrong += wr_index_lookup(&t, e[i].index, e[i].kind) != &e[i] ||
			 wr_index_lookup(&t, e[i].index, e[i].kind ^ 3u) != NULL;
	check(wrong == 0, "each found under its kind only");
	for (i = 0; i < 200; i += 3)
		wr_index_remove(&t, &e[i]);
	for (i = 1; i < 200; i += 3) {
		repl[i].kind = WR_INDEX_KEYPAIR;
		wr_index_replace(&t, &e[i], &repl[i]);
	}
	wrong = 0;
	for (i = 0; i < 200; i++) {
		struct wr_index_entry *want = i % 3 == 0 ? NULL : i % 3 == 1 ? &repl[i] : &e[i];

		wrong += wr_index_lookup(&t, e[i].index, WR_INDEX_HANDSHAKE | WR_INDEX_KEYPAIR) !=
			 want;
	}
	check(wrong == 0, "removed gone, replaced found as the new entry");
	wr_wipe(&t, sizeof(t));
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_roles_and_psk();
	test_replay_and_flood();
	test_wrong_keys_and_mac1();
	test_drop_reasons();
	test_keys_wiped();
	test_private_key_changes();
	test_index_table();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
