/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Handshakes per second on one core, as responder and as initiator, through the whole engine
 * (mac1, index table, noise, keypair installation), beside the raw X25519 rate of the same run.
 *
 * A WireGuard handshake costs each side four X25519 operations once the static-static DH is
 * precomputed: the initiator generates e, then es, ee and se; the responder es, generates e, then
 * ee and se. Generating e is a base-point multiplication (wr_x25519_public(), on the Edwards
 * curve's precomputed tables), cheaper than the three variable-base ones, so the bound set by the
 * curve arithmetic alone is one such multiplication plus three variable-base ones per handshake:
 *	bound = 1 / (3 / variable-base ops/s + 1 / base-point ops/s) handshakes/s
 * (counting four variable-base operations would put the bound too low, and the ratios above 1).
 * The ratio printed is handshakes/s / bound, how close the engine gets to it (target >= 0.9).
 * Times are the thread's CPU time; each round measures both kinds of X25519 and both roles back
 * to back and yields its own bound and ratios, and the medians over the rounds are printed (for
 * an even number of rounds, the mean of the middle two), as the machine may be shared.
 *
 * The responder consumes pre-made initiations back to back; the initiator handshakes with 32
 * responders in turn (its part timed: creating initiations, consuming responses, sending the
 * confirming keepalive), as a gateway initiating to many peers would.
 *
 * Usage: bench_handshake [handshakes per round, default 2000] [rounds, default 5]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wr_crypto.h"
#include "wr_device.h"

/* per handshake and side: es, ee and se (variable base) and generating e (base point) */
#define X25519_VARIABLE_PER_HANDSHAKE 3
#define X25519_BASE_PER_HANDSHAKE 1
/* the initiator handshakes with this many responders in turn, as a gateway with many peers */
#define FANOUT 32

struct side {
	struct wr_device *dev;
	struct wr_peer *peer;
	struct wr_endpoint addr;
	uint8_t priv[32], pub[32];
	/* the last handshake message sent to each destination port, modulo FANOUT */
	uint8_t out[FANOUT][256];
	size_t out_len[FANOUT];
	unsigned completed;
};

static uint64_t wall;

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	/* CPU time of this thread: time spent descheduled on a shared machine does not count */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static unsigned
slot(const struct wr_endpoint *to)
{
	return ntohs(to->in4.sin_port) % FANOUT;
}

/* keeps the last handshake message sent to each port; data (keepalives) is ignored */
static void
op_send(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
	struct side *s = ctx;
	unsigned k = slot(to);

	if (len <= sizeof(s->out[k]) && ((const uint8_t *)buf)[0] != 4) {
		memcpy(s->out[k], buf, len);
		s->out_len[k] = len;
	}
}

static void
op_deliver(void *ctx, struct wr_peer *peer, const void *pkt, size_t len)
{
	(void)ctx;
	(void)peer;
	(void)pkt;
	(void)len;
}

static uint64_t
op_wall(void *ctx)
{
	(void)ctx;
	return wall;
}

static void
op_completed(void *ctx, struct wr_peer *peer)
{
	struct side *s = ctx;

	(void)peer;
	s->completed++;
}

static const struct wr_device_ops ops = {
	.send = op_send,
	.deliver = op_deliver,
	.wall_time_ns = op_wall,
	.handshake_completed = op_completed,
};

static void
side_init(struct side *s, const char *ip, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->dev = wr_device_create(&ops, s);
	if (!s->dev) {
		perror("wr_device_create");
		exit(1);
	}
	wr_x25519_generate(s->priv);
	wr_x25519_public(s->pub, s->priv);
	wr_device_set_private_key(s->dev, s->priv);
	s->addr.in4.sin_family = AF_INET;
	s->addr.in4.sin_port = htons(port);
	inet_pton(AF_INET, ip, &s->addr.in4.sin_addr);
}

static void
pair_init(struct side *a, struct side *b)
{
	side_init(a, "203.0.113.1", 51820);
	side_init(b, "203.0.113.2", 51820);
	a->peer = wr_device_add_peer(a->dev, b->pub, NULL);
	b->peer = wr_device_add_peer(b->dev, a->pub, NULL);
	wr_peer_set_endpoint(a->peer, &b->addr);
	wr_peer_set_endpoint(b->peer, &a->addr);
}

static void
pair_free(struct side *a, struct side *b)
{
	wr_device_destroy(a->dev);
	wr_device_destroy(b->dev);
}

static double
bench_x25519(unsigned n, bool base)
{
	uint8_t s[32], p[32], out[32];
	uint64_t t0, t;
	unsigned i;

	wr_x25519_generate(s);
	wr_x25519_public(p, s);
	t0 = mono_ns();
	for (i = 0; i < n; i++) {
		if (base) {
			wr_x25519_public(out, s);
			s[0] ^= out[1];
		} else {
			wr_x25519(out, s, p);
			memcpy(p, out, 32);
		}
	}
	t = mono_ns() - t0;
	return n / (t / 1e9);
}

/* b consumes n pre-made initiations (each answered with a response and a new keypair) */
static double
bench_responder(unsigned n)
{
	struct side a, b;
	uint8_t(*inits)[148] = malloc((size_t)n * 148);
	uint64_t a_now = 1000 * 1000000000ULL, b_now = a_now, t0, t;
	unsigned i, bad = 0;

	pair_init(&a, &b);
	for (i = 0; i < n; i++) {
		/* newer timestamps, and beyond a's REKEY_TIMEOUT rate limit */
		a_now += 6 * 1000000000ULL;
		wall += 1000000000ULL;
		if (wr_peer_initiate(a.peer, a_now) || a.out_len[slot(&b.addr)] != 148) {
			fprintf(stderr, "initiation %u failed\n", i);
			exit(1);
		}
		memcpy(inits[i], a.out[slot(&b.addr)], 148);
	}
	t0 = mono_ns();
	for (i = 0; i < n; i++) {
		b_now += 21 * 1000000ULL; /* beyond the 50/s flood guard */
		if (wr_device_receive(b.dev, &a.addr, inits[i], 148, b_now) != WR_DROP_NONE)
			bad++;
	}
	t = mono_ns() - t0;
	if (bad)
		fprintf(stderr, "responder: %u initiations refused\n", bad);
	pair_free(&a, &b);
	free(inits);
	return (n - bad) / (t / 1e9);
}

/*
 * a creates initiations to FANOUT responders in turn, then consumes their responses; only a's
 * part is timed.
 */
static double
bench_initiator(unsigned n)
{
	struct side *a = calloc(1, sizeof(*a)), *b = calloc(FANOUT, sizeof(*b));
	struct wr_peer *peers[FANOUT];
	uint64_t a_now = 1000 * 1000000000ULL, b_now = a_now, t = 0, t0;
	unsigned r, k, rounds = (n + FANOUT - 1) / FANOUT, done;
	static uint8_t resp[FANOUT][92];

	if (!a || !b)
		exit(1);
	side_init(a, "203.0.113.1", 51820);
	for (k = 0; k < FANOUT; k++) {
		side_init(&b[k], "203.0.113.2", (uint16_t)(10240 + k));
		peers[k] = wr_device_add_peer(a->dev, b[k].pub, NULL);
		wr_peer_set_endpoint(peers[k], &b[k].addr);
		b[k].peer = wr_device_add_peer(b[k].dev, a->pub, NULL);
		wr_peer_set_endpoint(b[k].peer, &a->addr);
	}
	for (r = 0; r < rounds; r++) {
		a_now += 6 * 1000000000ULL;
		b_now += 21 * 1000000ULL;
		wall += 1000000000ULL;
		t0 = mono_ns();
		for (k = 0; k < FANOUT; k++)
			wr_peer_initiate(peers[k], a_now);
		t += mono_ns() - t0;
		for (k = 0; k < FANOUT; k++) {
			wr_device_receive(b[k].dev, &a->addr, a->out[k], a->out_len[k], b_now);
			memcpy(resp[k], b[k].out[slot(&a->addr)], sizeof(resp[k]));
		}
		t0 = mono_ns();
		for (k = 0; k < FANOUT; k++)
			wr_device_receive(a->dev, &b[k].addr, resp[k], sizeof(resp[k]), a_now);
		t += mono_ns() - t0;
	}
	done = a->completed;
	if (done != rounds * FANOUT)
		fprintf(stderr, "initiator: %u of %u handshakes completed\n", done,
			rounds * FANOUT);
	wr_device_destroy(a->dev);
	for (k = 0; k < FANOUT; k++)
		wr_device_destroy(b[k].dev);
	free(a);
	free(b);
	return done / (t / 1e9);
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Handshakes/s that @p x variable-base and @p xb base-point X25519 ops/s allow one side. */
static double
curve_bound(double x, double xb)
{
	return 1 / (X25519_VARIABLE_PER_HANDSHAKE / x + X25519_BASE_PER_HANDSHAKE / xb);
}

int
main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 2000;
	unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 5, r;
	double x[16], xb[16], resp[16], init[16], rr[16], ri[16], b[16];

	if (n < 1 || rounds < 1 || rounds > 16) {
		fprintf(stderr, "usage: %s [handshakes] [rounds 1..16]\n", argv[0]);
		return 2;
	}
	if (wr_crypto_init())
		return 1;
	wall = 1700000000ULL * 1000000000ULL;
	for (r = 0; r < rounds; r++) {
		x[r] = bench_x25519(4 * n, false);
		xb[r] = bench_x25519(4 * n, true);
		resp[r] = bench_responder(n);
		init[r] = bench_initiator(n);
		/* ratios within a round, where the clock speed and the neighbours were alike */
		b[r] = curve_bound(x[r], xb[r]);
		rr[r] = resp[r] / b[r];
		ri[r] = init[r] / b[r];
	}
	printf("rounds: %u x %u handshakes, one core, thread CPU time, median of rounds\n", rounds,
		n);
	printf("x25519 (variable base):  %10.0f ops/s\n", median(x, rounds));
	printf("x25519 (base point):     %10.0f ops/s\n", median(xb, rounds));
	printf("bound 1/(%d/var + %d/base): %8.0f handshakes/s\n", X25519_VARIABLE_PER_HANDSHAKE,
		X25519_BASE_PER_HANDSHAKE, median(b, rounds));
	printf("responder:               %10.0f handshakes/s  ratio %.2f\n", median(resp, rounds),
		median(rr, rounds));
	printf("initiator:               %10.0f handshakes/s  ratio %.2f\n", median(init, rounds),
		median(ri, rounds));
	printf("target ratio >= 0.90\n");
	return 0;
}
