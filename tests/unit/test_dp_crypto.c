/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The transport-data path (keytable, encap, decap) against the protocol engine: two engines
 * handshake in process over a fake network and a fake clock (dp_crypto_net.h); their keypair
 * hooks feed each side's keytable. Then, for every AEAD backend this machine runs:
 *   - data sealed by the engine's single-packet code is opened by the decap burst, bytes equal;
 *   - data sealed by the encap burst is accepted and delivered by the other engine;
 *   - bursts mixing two keypairs, lengths 0..1420, corrupted, replayed, spoofed and unknown-index
 *     packets get the right status each, counted by reason;
 * and, once:
 *   - two threads opening the same messages at once accept each counter exactly once;
 *   - an expired keypair is refused both ways; a removed one is unlinked at once and freed only
 *     after the RCU grace period; after a key change sending waits for the next handshake.
 * The outer headers (parsing, UDP checksums, roaming) are tested in test_dp_outer.c.
 */
#include <pthread.h>

#include "aead_backend.h" /* wr_aead_imb_test_fault() */
#include "dp_crypto_net.h"

/* The UDP payload of a frame wr_encap_udp() built (data starting at the IP header). */
static const uint8_t *
udp_payload(struct rte_mbuf *m, size_t *len)
{
	*len = rte_pktmbuf_pkt_len(m) - m->l3_len - m->l4_len;
	return rte_pktmbuf_mtod_offset(m, const uint8_t *, m->l3_len + m->l4_len);
}

/* ---- tests ---- */

/*
 * A's engine initiates for a queued packet; its keypair reaches A's keytable confirmed, B's
 * unconfirmed. The first data message (the engine's, re-sealed on A's counter) is opened by B's
 * decap; the summary confirms B's keypair through the engine, and only then may B's encap send.
 */
static void
test_handshake(void)
{
	uint8_t pkt[100], held_pkt[60];
	struct wr_decap_result dres;
	struct wr_encap_result eres;
	struct rte_mbuf *m;
	uint32_t peer = PEER;

	printf("dp_crypto: handshake between two engines, keys into the keytables\n");
	make_inner(pkt, sizeof(pkt), false, 1, 5, 1);
	CHECK(wr_device_send(A.dev, pkt, sizeof(pkt), now) == WR_DROP_NONE, "A queues");
	CHECK(A.nout == 1 && A.out[0].data[0] == WR_MSG_HANDSHAKE_INITIATION, "initiation sent");
	A.nout = 0;
	wr_device_receive(B.dev, &A.addr, A.out[0].data, A.out[0].len, now);
	CHECK(B.installed == 1 && B.confirmed == 0, "B installed unconfirmed (%u, %u)", B.installed,
		B.confirmed);
	CHECK(wr_keytable_count(B.kt) == 1, "B's keytable holds it");
	CHECK(B.peers->peer[PEER].current == NULL, "B may not send with it");
	CHECK(B.nout == 1 && B.out[0].data[0] == WR_MSG_HANDSHAKE_RESPONSE, "response sent");
	B.nout = 0;
	wr_device_receive(A.dev, &B.addr, B.out[0].data, B.out[0].len, now);
	CHECK(A.installed == 1 && A.confirmed == 1, "A installed confirmed");
	CHECK(A.peers->peer[PEER].current != NULL, "A sends with it");
	CHECK(A.nout == 1 && A.out[0].data[0] == WR_MSG_DATA && A.out[0].len == 16 + 112 + 16,
		"A's engine flushed the queued packet");

	/* B holds its traffic until the initiator proves it has the keys */
	make_inner(held_pkt, sizeof(held_pkt), false, 2, 7, 2);
	m = mbuf_of(held_pkt, sizeof(held_pkt));
	wr_encap_burst(&lcB, &B.tables, &m, &peer, 1, now, &eres);
	CHECK(eres.n_held == 1 && eres.n_sealed == 0 && eres.held[0] == m &&
			rte_pktmbuf_pkt_len(m) == sizeof(held_pkt),
		"B's encap hands the packet back untouched");
	rte_pktmbuf_free(m);

	m = frame_of(A.out[0].data, A.out[0].len, &A.addr, &B.addr);
	A.nout = 0;
	wr_decap_burst(&lcB, &B.tables, &m, 1, now, &dres);
	CHECK(dres.status[0] == WR_DROP_NONE && dres.n_delivered == 1, "B's decap opens it (%s)",
		wr_drop_reason_name(dres.status[0]));
	if (dres.n_delivered == 1) {
		CHECK(rte_pktmbuf_pkt_len(dres.delivered[0]) == sizeof(pkt) &&
				memcmp(rte_pktmbuf_mtod(dres.delivered[0], void *), pkt,
					sizeof(pkt)) == 0,
			"inner bytes equal, padding gone");
		rte_pktmbuf_free(dres.delivered[0]);
	}
	CHECK(dres.n_rx == 1 && dres.rx[0].packets == 1 && dres.rx[0].inner_bytes == sizeof(pkt) &&
			dres.rx[0].wire_bytes == 144 &&
			wr_endpoint_equal(&dres.rx[0].from, &A.addr),
		"data received summary");
	report_rx(&B, &dres);
	CHECK(B.confirmed == 1 && B.peers->peer[PEER].current != NULL,
		"the engine confirmed B's keypair through the summary");
	CHECK(A.hook_errors == 0 && B.hook_errors == 0, "hooks ok");
	pump();
}

static const struct {
	uint16_t len;
	bool v6;
} lens[] = {
	{ 20, false },
	{ 21, false },
	{ 40, true },
	{ 63, false },
	{ 64, true },
	{ 100, false },
	{ 577, true },
	{ 1000, false },
	{ 1404, false },
	{ 1405, true },
	{ 1419, false },
	{ 1420, false },
	{ 1420, true },
};
#define NLENS RTE_DIM(lens)

/* B's engine seals (single-packet reference), A's decap opens. */
static void
test_reference_to_decap(void)
{
	static uint8_t pkts[NLENS][1420];
	struct rte_mbuf *m[NLENS + 1];
	struct wr_decap_result res;
	uint64_t inner = 0, wire = 0;
	unsigned int i, n;

	printf("dp_crypto: engine-sealed data opened by the decap burst\n");
	for (i = 0; i < NLENS; i++) {
		make_inner(pkts[i], lens[i].len, lens[i].v6, 2, 9, i);
		CHECK(wr_device_send(B.dev, pkts[i], lens[i].len, now) == WR_DROP_NONE, "B sends");
		inner += lens[i].len;
	}
	wr_peer_send(B.peer, NULL, 0, now);
	CHECK(B.nout == NLENS + 1, "B's engine sealed %u messages", B.nout);
	n = B.nout;
	for (i = 0; i < n; i++) {
		m[i] = frame_of(B.out[i].data, B.out[i].len, &B.addr, &A.addr);
		wire += B.out[i].len;
	}
	B.nout = 0;
	wr_decap_burst(&lcA, &A.tables, m, n, now, &res);
	for (i = 0; i < n; i++)
		CHECK(res.status[i] == WR_DROP_NONE, "packet %u: %s", i,
			wr_drop_reason_name(res.status[i]));
	CHECK(res.n_delivered == NLENS, "delivered %u", res.n_delivered);
	for (i = 0; i < res.n_delivered && i < NLENS; i++) {
		struct rte_mbuf *d = res.delivered[i];

		CHECK(rte_pktmbuf_pkt_len(d) == lens[i].len &&
				memcmp(rte_pktmbuf_mtod(d, void *), pkts[i], lens[i].len) == 0 &&
				res.delivered_peer[i] == PEER,
			"packet %u (%u bytes) equal", i, lens[i].len);
	}
	for (i = 0; i < res.n_delivered; i++)
		rte_pktmbuf_free(res.delivered[i]);
	CHECK(res.n_rx == 1 && res.rx[0].packets == NLENS + 1 && res.rx[0].delivered == NLENS &&
			res.rx[0].inner_bytes == inner && res.rx[0].wire_bytes == wire &&
			wr_endpoint_equal(&res.rx[0].from, &B.addr),
		"one summary: %u packets, %" PRIu64 " inner, %" PRIu64 " wire", res.rx[0].packets,
		res.rx[0].inner_bytes, res.rx[0].wire_bytes);
	report_rx(&A, &res);
	pump();
}

/* A's encap seals, B's engine opens and delivers. */
static void
test_encap_to_engine(void)
{
	static uint8_t pkts[NLENS + 1][1420];
	struct rte_mbuf *m[NLENS + 1];
	uint32_t ids[NLENS + 1];
	struct wr_encap_result res;
	struct wr_dp_crypto_lcore *lcs[1] = { &lcA };
	struct wr_dp_peer_counters before, after;
	unsigned int i, n = NLENS + 1, got0 = B.ndelivered;

	printf("dp_crypto: encap-sealed data accepted by the engine\n");
	wr_dp_peer_counters_sum(lcs, 1, PEER, &before);
	for (i = 0; i < NLENS; i++) {
		make_inner(pkts[i], lens[i].len, lens[i].v6, 1, 3, i + 100);
		m[i] = mbuf_of(pkts[i], lens[i].len);
		ids[i] = PEER;
	}
	m[NLENS] = mbuf_of(NULL, 0); /* a keepalive */
	ids[NLENS] = PEER;
	wr_encap_burst(&lcA, &A.tables, m, ids, n, now, &res);
	CHECK(res.n_sealed == n && res.n_held == 0 && res.n_tx == 1, "sealed %u held %u tx %u",
		res.n_sealed, res.n_held, res.n_tx);
	CHECK(res.n_tx == 1 && res.tx[0].packets == n &&
			wr_endpoint_equal(&res.tx[0].to, &B.addr) && res.tx[0].peer_id == PEER,
		"one data sent summary");
	for (i = 0; i < res.n_sealed; i++) {
		uint32_t len = i < NLENS ? lens[i].len : 0;
		struct rte_mbuf *s = res.sealed[i];
		const uint8_t *payload;
		struct rte_ether_hdr *eh;
		size_t plen;

		CHECK(rte_pktmbuf_pkt_len(s) == wr_data_sealed_len(len, MTU),
			"message %u: %u bytes", i, rte_pktmbuf_pkt_len(s));
		CHECK(wr_encap_udp(s, &A.addr, &res.tx[res.sealed_tx[i]].to, 64, WR_UDP_CSUM_SW) == 0,
			"udp");
		payload = udp_payload(s, &plen);
		CHECK(wr_device_receive(B.dev, &A.addr, payload, plen, now) == WR_DROP_NONE,
			"B's engine accepts message %u", i);
		/* and the frame's checksums hold (parse leaves a data message's to decap) */
		CHECK(udp_cksum_good(s, false), "message %u: UDP checksum good", i);
		eh = (void *)rte_pktmbuf_prepend(s, sizeof(*eh));
		memset(eh, 0, sizeof(*eh));
		eh->ether_type = htons(RTE_ETHER_TYPE_IPV4);
		CHECK(wr_decap_parse(s) == 0, "frame %u parses, checksums good", i);
		rte_pktmbuf_free(s);
	}
	report_tx(&A, &res);
	CHECK(B.ndelivered - got0 == NLENS, "B delivered %u", B.ndelivered - got0);
	for (i = 0; i < NLENS && got0 + i < B.ndelivered; i++)
		CHECK(B.delivered_len[got0 + i] == lens[i].len &&
				memcmp(B.delivered[got0 + i], pkts[i], lens[i].len) == 0,
			"packet %u equal", i);
	B.ndelivered = 0;
	wr_dp_peer_counters_sum(lcs, 1, PEER, &after);
	CHECK(after.tx_packets - before.tx_packets == n, "per-lcore peer counters");
	pump();
}

/*
 * A seal that the crypto library fails (a fault injected into the intel-ipsec-mb backend, which
 * then fails closed): the packet is dropped and counted as SEAL_FAILED, not handed out to be
 * sent; the others of the burst are, and B's engine takes them.
 */
static void
test_seal_failed(void)
{
	enum { N = 6, LOST = 2 };
	static uint8_t pkts[N][300];
	struct rte_mbuf *m[N];
	uint32_t ids[N];
	struct wr_encap_result res;
	uint64_t before = lcA.drops[WR_DROP_SEAL_FAILED];
	unsigned int i, got0 = B.ndelivered;

	printf("dp_crypto: a seal the library fails is dropped\n");
	for (i = 0; i < N; i++) {
		make_inner(pkts[i], sizeof(pkts[i]), false, 1, 3, i + 500);
		m[i] = mbuf_of(pkts[i], sizeof(pkts[i]));
		ids[i] = PEER;
	}
	wr_aead_imb_test_fault(LOST, false);
	wr_encap_burst(&lcA, &A.tables, m, ids, N, now, &res);
	wr_aead_imb_test_fault(0, false);
	CHECK(res.n_sealed == N - LOST && lcA.drops[WR_DROP_SEAL_FAILED] - before == LOST,
		"%u of %u handed out, %" PRIu64 " counted as SEAL_FAILED", res.n_sealed, N,
		lcA.drops[WR_DROP_SEAL_FAILED] - before);
	for (i = 0; i < res.n_sealed; i++) {
		const uint8_t *payload;
		size_t plen;

		CHECK(wr_encap_udp(res.sealed[i], &A.addr, &res.tx[res.sealed_tx[i]].to, 64,
			      WR_UDP_CSUM_SW) == 0,
			"udp");
		payload = udp_payload(res.sealed[i], &plen);
		CHECK(wr_device_receive(B.dev, &A.addr, payload, plen, now) == WR_DROP_NONE,
			"B's engine accepts the sealed message %u", i);
		rte_pktmbuf_free(res.sealed[i]);
	}
	CHECK(B.ndelivered - got0 == N - LOST, "B delivered %u", B.ndelivered - got0);
	B.ndelivered = 0;
	pump();
}

/*
 * One burst into B's decap mixing two keypairs, lengths 0..1420, and every kind of bad packet;
 * each gets its own status, each drop is counted under its reason.
 */
static void
test_mixed_burst(void)
{
	enum { OLD = 7, NEW = 7, BAD = 8 };
	static uint8_t inner[OLD + NEW + 2][1420];
	static struct wire_msg msg[OLD + NEW + 2], burst[OLD + NEW + BAD];
	uint16_t len[OLD + NEW + 2];
	uint8_t want[OLD + NEW + BAD];
	uint64_t before[WR_DROP_COUNT];
	struct rte_mbuf *m[OLD + NEW + BAD];
	struct wr_decap_result res;
	uint32_t old_index, new_index, bogus;
	unsigned int i, n = 0, delivered = 0, want_delivered = 0;

	printf("dp_crypto: a burst mixing keypairs, lengths and bad packets\n");
	for (i = 0; i < OLD + NEW; i++) {
		static const uint16_t l[] = { 0, 20, 41, 64, 577, 1419, 1420 };

		len[i] = l[i % RTE_DIM(l)];
		if (len[i])
			make_inner(inner[i], len[i], i % 2 && len[i] >= 40, 1, 4, i + 200);
	}
	seal_on_a(inner, len, OLD, msg);
	old_index = rte_le_to_cpu_32(((struct wr_message_data *)msg[0].data)->key_idx);
	rekey();
	seal_on_a(inner + OLD, len + OLD, NEW, msg + OLD);
	new_index = rte_le_to_cpu_32(((struct wr_message_data *)msg[OLD].data)->key_idx);
	CHECK(old_index != new_index, "two keypairs");
	/* a spoofed source, and an inner packet that is no IP packet */
	len[OLD + NEW] = make_inner(inner[OLD + NEW], 80, false, 9, 9, 1);
	len[OLD + NEW + 1] = 48;
	memset(inner[OLD + NEW + 1], 0x55, 48);
	seal_on_a(inner + OLD + NEW, len + OLD + NEW, 2, msg + OLD + NEW);

	/* old and new interleaved, every good one first */
	for (i = 0; i < OLD + NEW; i++) {
		burst[n] = msg[i % 2 ? OLD + i / 2 : i / 2];
		want[n++] = WR_DROP_NONE;
	}
	burst[n] = msg[OLD + NEW];
	want[n++] = WR_DROP_SPOOFED_SOURCE;
	burst[n] = msg[OLD + NEW + 1];
	want[n++] = WR_DROP_BAD_INNER;
	burst[n] = msg[1]; /* the same counter twice in one burst */
	want[n++] = WR_DROP_REPLAY;
	burst[n] = msg[OLD + 2];
	burst[n].data[40] ^= 1; /* ciphertext */
	want[n++] = WR_DROP_DATA_DECRYPT;
	burst[n] = msg[OLD + 3];
	burst[n].data[0] = 5;
	want[n++] = WR_DROP_BAD_TYPE;
	burst[n] = msg[OLD + 3];
	burst[n].data[2] = 1; /* a reserved byte */
	want[n++] = WR_DROP_BAD_TYPE;
	burst[n] = msg[OLD + 4];
	burst[n].len = WR_MSG_DATA_MIN_LEN - 1;
	want[n++] = WR_DROP_BAD_LENGTH;
	burst[n] = msg[OLD + 5];
	do
		bogus = wr_random_u32();
	while (wr_keytable_lookup(B.kt, bogus) != NULL);
	((struct wr_message_data *)burst[n].data)->key_idx = rte_cpu_to_le_32(bogus);
	want[n++] = WR_DROP_UNKNOWN_INDEX;

	memcpy(before, lcB.drops, sizeof(before));
	for (i = 0; i < n; i++)
		m[i] = frame_of(burst[i].data, burst[i].len, &A.addr, &B.addr);
	wr_decap_burst(&lcB, &B.tables, m, n, now, &res);
	for (i = 0; i < n; i++)
		CHECK(res.status[i] == want[i], "packet %u: %s, want %s", i,
			wr_drop_reason_name(res.status[i]), wr_drop_reason_name(want[i]));
	for (i = 0; i < WR_DROP_COUNT; i++) {
		unsigned int k, expect = 0;

		for (k = 0; k < n; k++)
			expect += want[k] == i && i != WR_DROP_NONE;
		CHECK(lcB.drops[i] - before[i] == expect, "%s counted %" PRIu64 ", want %u",
			wr_drop_reason_name(i), lcB.drops[i] - before[i], expect);
	}
	for (i = 0; i < OLD + NEW; i++)
		want_delivered += len[i % 2 ? OLD + i / 2 : i / 2] != 0;
	CHECK(res.n_delivered == want_delivered, "delivered %u, want %u", res.n_delivered,
		want_delivered);
	for (i = 0; i < OLD + NEW && delivered < res.n_delivered; i++) {
		unsigned int k = i % 2 ? OLD + i / 2 : i / 2;
		struct rte_mbuf *d;

		if (len[k] == 0)
			continue;
		d = res.delivered[delivered++];
		CHECK(rte_pktmbuf_pkt_len(d) == len[k] &&
				memcmp(rte_pktmbuf_mtod(d, void *), inner[k], len[k]) == 0,
			"packet %u (%u bytes) equal", k, len[k]);
	}
	for (i = 0; i < res.n_delivered; i++)
		rte_pktmbuf_free(res.delivered[i]);
	CHECK(res.n_rx == 2 && res.rx[0].local_index != res.rx[1].local_index,
		"a summary per keypair (%u)", res.n_rx);
	for (i = 0; i < res.n_rx; i++)
		CHECK(res.rx[i].peer_id == PEER && wr_endpoint_equal(&res.rx[i].from, &A.addr),
			"summary %u: peer and source", i);
	report_rx(&B, &res);

	/* an already accepted message comes again */
	m[0] = frame_of(msg[OLD].data, msg[OLD].len, &A.addr, &B.addr);
	wr_decap_burst(&lcB, &B.tables, m, 1, now, &res);
	CHECK(res.status[0] == WR_DROP_REPLAY && res.n_delivered == 0 && res.n_rx == 0,
		"replayed later: %s", wr_drop_reason_name(res.status[0]));
	rte_rcu_qsbr_quiescent(rcu, 0);
	pump();
}

/* Past REJECT_AFTER_TIME, neither direction uses the keypair. */
static void
test_expired(void)
{
	static uint8_t inner[1][1420];
	struct wire_msg msg[1];
	struct wr_decap_result dres;
	struct wr_encap_result eres;
	uint16_t len = 100;
	uint32_t peer = PEER;
	struct rte_mbuf *m;

	printf("dp_crypto: expired keypairs\n");
	make_inner(inner[0], len, false, 1, 4, 77);
	seal_on_a(inner, &len, 1, msg);
	m = frame_of(msg[0].data, msg[0].len, &A.addr, &B.addr);
	wr_decap_burst(&lcB, &B.tables, &m, 1, now + WR_REJECT_AFTER_TIME, &dres);
	CHECK(dres.status[0] == WR_DROP_KEY_EXPIRED, "decap: %s",
		wr_drop_reason_name(dres.status[0]));
	m = mbuf_of(inner[0], len);
	wr_encap_burst(&lcA, &A.tables, &m, &peer, 1, now + WR_REJECT_AFTER_TIME, &eres);
	CHECK(eres.n_held == 1 && eres.n_sealed == 0, "encap hands it back");
	rte_pktmbuf_free(eres.held[0]);
	/* unexpired, the same message still opens */
	m = frame_of(msg[0].data, msg[0].len, &A.addr, &B.addr);
	wr_decap_burst(&lcB, &B.tables, &m, 1, now, &dres);
	CHECK(dres.status[0] == WR_DROP_NONE && dres.n_delivered == 1, "in time: %s",
		wr_drop_reason_name(dres.status[0]));
	if (dres.n_delivered)
		rte_pktmbuf_free(dres.delivered[0]);
	rte_rcu_qsbr_quiescent(rcu, 0);
}

/* ---- two workers receiving for one keypair ---- */

#define TMSG 48

struct worker {
	unsigned int id;
	struct wr_dp_crypto_lcore *lc;
	struct rte_mbuf *m[TMSG];
	unsigned int delivered, replays, errors;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct wr_decap_result res;
	unsigned int i, k;

	rte_rcu_qsbr_thread_register(rcu, w->id);
	rte_rcu_qsbr_thread_online(rcu, w->id);
	for (i = 0; i < TMSG; i += 8) {
		wr_decap_burst(w->lc, &B.tables, w->m + i, 8, now, &res);
		for (k = 0; k < 8; k++) {
			if (res.status[k] == WR_DROP_REPLAY)
				w->replays++;
			else if (res.status[k] != WR_DROP_NONE)
				w->errors++;
		}
		w->delivered += res.n_delivered;
		for (k = 0; k < res.n_delivered; k++)
			rte_pktmbuf_free(res.delivered[k]);
		rte_rcu_qsbr_quiescent(rcu, w->id);
	}
	rte_rcu_qsbr_thread_offline(rcu, w->id);
	rte_rcu_qsbr_thread_unregister(rcu, w->id);
	return NULL;
}

static void
test_two_workers(void)
{
	static uint8_t inner[TMSG][1420];
	static struct wire_msg msg[TMSG];
	static struct wr_dp_crypto_lcore lcs[2];
	struct worker w[2];
	pthread_t t[2];
	uint16_t len[TMSG];
	unsigned int i, k;

	printf("dp_crypto: two workers open the same messages: each counter accepted once\n");
	for (i = 0; i < TMSG; i++)
		len[i] = (uint16_t)make_inner(inner[i], 60 + i, false, 1, 4, i + 300);
	seal_on_a(inner, len, TMSG, msg);
	for (k = 0; k < 2; k++) {
		memset(&w[k], 0, sizeof(w[k]));
		w[k].id = k + 1;
		w[k].lc = &lcs[k];
		if (wr_dp_crypto_lcore_init(&lcs[k], 4, WR_AEAD_AUTO, SOCKET_ID_ANY, NULL) != 0) {
			printf("wr_dp_crypto_lcore_init failed\n");
			exit(2);
		}
		/* the second worker sees the messages in the reverse order */
		for (i = 0; i < TMSG; i++) {
			unsigned int j = k ? TMSG - 1 - i : i;

			w[k].m[i] = frame_of(msg[j].data, msg[j].len, &A.addr, &B.addr);
		}
	}
	for (k = 0; k < 2; k++)
		pthread_create(&t[k], NULL, worker_main, &w[k]);
	for (k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	CHECK(w[0].delivered + w[1].delivered == TMSG, "delivered %u + %u, want %u", w[0].delivered,
		w[1].delivered, TMSG);
	CHECK(w[0].replays + w[1].replays == TMSG && w[0].errors + w[1].errors == 0,
		"replays %u + %u, errors %u", w[0].replays, w[1].replays,
		w[0].errors + w[1].errors);
	for (k = 0; k < 2; k++)
		wr_dp_crypto_lcore_fini(&lcs[k]);
}

/*
 * The engine drops a keypair (rotation after another handshake): the keytable stops finding it at
 * once, and frees it (keys wiped) only once every online reader reported a quiescent state.
 */
static void
test_removal(void)
{
	struct wr_decap_result res;
	struct wire_msg msg;
	struct rte_mbuf *m;
	unsigned int removed = A.removed;

	printf("dp_crypto: removed keypairs, RCU grace period\n");
	rte_rcu_qsbr_quiescent(rcu, 0);
	wr_keytable_reclaim(A.kt);
	CHECK(wr_keytable_pending(A.kt) == 0, "nothing pending after a quiescent state");
	rekey();
	CHECK(A.removed > removed, "A's engine dropped a keypair");
	CHECK(wr_keytable_lookup(A.kt, A.last_removed) == NULL, "no longer found");
	CHECK(wr_keytable_pending(A.kt) >= 1, "but not freed: a reader is online");
	CHECK(wr_keytable_reclaim(A.kt) == 0, "nothing to reclaim before the quiescent state");
	rte_rcu_qsbr_quiescent(rcu, 0);
	CHECK(wr_keytable_reclaim(A.kt) >= 1 && wr_keytable_pending(A.kt) == 0,
		"freed after the grace period");

	memset(&msg, 0, sizeof(msg));
	msg.len = 64;
	((struct wr_message_data *)msg.data)->header.type = rte_cpu_to_le_32(WR_MSG_DATA);
	((struct wr_message_data *)msg.data)->key_idx = rte_cpu_to_le_32(A.last_removed);
	m = frame_of(msg.data, msg.len, &B.addr, &A.addr);
	wr_decap_burst(&lcA, &A.tables, &m, 1, now, &res);
	CHECK(res.status[0] == WR_DROP_UNKNOWN_INDEX, "its index is unknown: %s",
		wr_drop_reason_name(res.status[0]));

	/* the keytable's own remove and confirm answer for unknown indices */
	CHECK(wr_keytable_remove(A.kt, A.last_removed) == -ENOENT, "remove twice");
	CHECK(wr_keytable_confirm(A.kt, A.last_removed) == -ENOENT, "confirm a removed one");
	rte_rcu_qsbr_quiescent(rcu, 0);
}

/* After a private key change the data plane stops sending until the next handshake. */
static void
test_expire_sending(void)
{
	uint8_t pkt[60];
	struct wr_encap_result res;
	uint32_t peer = PEER;
	struct rte_mbuf *m;

	printf("dp_crypto: sending stops until the next handshake\n");
	wr_keytable_expire_sending(B.kt);
	make_inner(pkt, sizeof(pkt), false, 2, 7, 3);
	m = mbuf_of(pkt, sizeof(pkt));
	wr_encap_burst(&lcB, &B.tables, &m, &peer, 1, now, &res);
	CHECK(res.n_held == 1 && res.n_sealed == 0, "held");
	rte_pktmbuf_free(res.held[0]);
	rekey();
	CHECK(B.peers->peer[PEER].current != NULL, "a new confirmed keypair sends again");
}

int
main(int argc, char **argv)
{
	static const enum wr_aead_backend backends[] = { WR_AEAD_GENERIC, WR_AEAD_IMB_AVX2,
		WR_AEAD_IMB_AVX512 };
	unsigned int i;

	(void)argc;
	dp_setup(argv[0]);
	test_handshake();
	for (i = 0; i < RTE_DIM(backends); i++) {
		if (!wr_aead_backend_supported(backends[i])) {
			printf("dp_crypto: backend %s not supported here, skipped\n",
				wr_aead_backend_name(backends[i]));
			continue;
		}
		printf("dp_crypto: backend %s\n", wr_aead_backend_name(backends[i]));
		wr_dp_crypto_lcore_fini(&lcA);
		wr_dp_crypto_lcore_fini(&lcB);
		if (wr_dp_crypto_lcore_init(&lcA, 4, backends[i], SOCKET_ID_ANY, NULL) != 0 ||
			wr_dp_crypto_lcore_init(&lcB, 4, backends[i], SOCKET_ID_ANY, NULL) != 0) {
			printf("FAIL: backend %s refused\n", wr_aead_backend_name(backends[i]));
			failures++;
			continue;
		}
		CHECK(wr_aead_ctx_backend(lcA.aead) == backends[i], "backend in use");
		test_reference_to_decap();
		test_encap_to_engine();
		test_mixed_burst();
		test_expired();
		if (backends[i] != WR_AEAD_GENERIC)
			test_seal_failed();
	}
	test_two_workers();
	test_expire_sending();
	test_removal();
	return dp_teardown("dp_crypto");
}
