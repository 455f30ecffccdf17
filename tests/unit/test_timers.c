/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-peer timers, driven by a fake clock: table-driven scenarios for every rule (handshake
 * retry and give-up, keepalive once per burst, new handshake after silence, persistent keepalive
 * cadence, zeroing keys), the data-path predicates at their boundaries, determinism of the
 * jitter, and a randomized control loop checking that wr_timers_next_deadline() agrees with
 * wr_timers_poll() after every event.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_timers.h"

#define S(x) ((uint64_t)(x)*WR_NSEC_PER_SEC)
#define MS(x) ((uint64_t)(x)*1000000ULL)
/* every scenario starts at this clock value, so that no rule can pass by accident at zero */
#define T0 S(1000)
#define JIT WR_REKEY_TIMEOUT_JITTER_MAX
#define KA WR_TIMERS_SEND_KEEPALIVE
#define INIT WR_TIMERS_SEND_INITIATION
#define ZERO WR_TIMERS_ZERO_KEYS
#define GIVEUP WR_TIMERS_GIVE_UP
#define NEVER WR_TIMERS_NEVER

static unsigned int failures;
static unsigned int checks;

static void
check(bool ok, const char *what, const char *ctx, unsigned int step)
{
	checks++;
	if (!ok) {
		printf("FAIL %s step %u: %s\n", ctx, step, what);
		failures++;
	}
}

/*
 * The contract between poll and next_deadline, checked on copies so the state is untouched:
 * polling one nanosecond before the deadline finds nothing due, and polling at it finds
 * something (every timer that fires yields an action).
 */
static void
check_deadline_consistent(const struct wr_timers *t, uint64_t now, const char *ctx, unsigned step)
{
	uint64_t next = wr_timers_next_deadline(t);
	struct wr_timers c;

	if (next == NEVER) {
		c = *t;
		check(wr_timers_poll(&c, S(1) << 20) == 0, "nothing armed, yet a far poll fired",
			ctx, step);
		return;
	}
	if (next > now) {
		c = *t;
		check(wr_timers_poll(&c, next - 1) == 0, "poll fired before next_deadline", ctx,
			step);
	}
	c = *t;
	check(wr_timers_poll(&c, next) != 0, "poll at next_deadline fired nothing", ctx, step);
}

enum op {
	OP_START,
	OP_STOP,
	OP_DATA_SENT,
	OP_DATA_RECV,
	OP_AUTH_SENT,
	OP_AUTH_RECV,
	OP_HS_WANTED,
	OP_HS_INIT,  /* initiation sent: handshake_initiated + any_authenticated_packet_sent */
	OP_HS_RESP,  /* initiation answered: handshake_responded + any_authenticated_packet_sent */
	OP_HS_RESET, /* the private key changed: reset_handshake_rate_limit */
	OP_HS_DONE,
	OP_SESSION,
	OP_SET_PKA,  /* arg: interval in seconds */
	OP_POLL,     /* arg: expected actions */
	OP_REACT,    /* poll (arg: expected), then act as the engine does and report what it sent */
	OP_NEXT,     /* arg: expected next deadline, relative to T0 (or NEVER) */
	OP_NEXT_IN,  /* next deadline in [now + arg, now + arg2) */
	OP_ATTEMPTS, /* arg: expected retry count */
	OP_MAY_INIT, /* arg: expected wr_timers_may_initiate() */
	OP_END,
};

/* when a step happens: relative to T0, or at the current next deadline (or 1 ns before it) */
#define AT_NEXT (NEVER - 1)
#define AT_NEXT_M1 (NEVER - 2)
#define AT_SAME (NEVER - 3)

struct step {
	uint64_t at;
	enum op op;
	uint64_t arg;
	uint64_t arg2;
};

struct scenario {
	const char *name;
	uint16_t pka;
	struct step steps[40];
};

static void
react(struct wr_timers *t, unsigned actions, uint64_t now)
{
	if (actions & INIT) {
		wr_timers_handshake_initiated(t, now);
		wr_timers_any_authenticated_packet_sent(t, now);
	}
	if (actions & KA)
		wr_timers_any_authenticated_packet_sent(t, now);
}

static void
run_scenario(const struct scenario *sc, uint64_t seed)
{
	struct wr_timers t;
	uint64_t now = T0;
	char what[160];
	unsigned i;

	printf("timers: %s\n", sc->name);
	wr_timers_init(&t, sc->pka, seed);
	check_deadline_consistent(&t, now, sc->name, 0);
	for (i = 0; sc->steps[i].op != OP_END; i++) {
		const struct step *s = &sc->steps[i];
		uint64_t next = wr_timers_next_deadline(&t);
		unsigned got;

		if (s->at == AT_NEXT || s->at == AT_NEXT_M1) {
			check(next != NEVER, "step wants the next deadline, none armed", sc->name,
				i);
			if (next == NEVER)
				return;
			now = s->at == AT_NEXT ? next : next - 1;
		} else if (s->at != AT_SAME) {
			now = T0 + s->at;
		}

		switch (s->op) {
		case OP_START:
			wr_timers_start(&t, now);
			break;
		case OP_STOP:
			wr_timers_stop(&t);
			break;
		case OP_DATA_SENT:
			wr_timers_data_sent(&t, now);
			break;
		case OP_DATA_RECV:
			wr_timers_data_received(&t, now);
			break;
		case OP_AUTH_SENT:
			wr_timers_any_authenticated_packet_sent(&t, now);
			break;
		case OP_AUTH_RECV:
			wr_timers_any_authenticated_packet_received(&t, now);
			break;
		case OP_HS_WANTED:
			wr_timers_handshake_wanted(&t);
			break;
		case OP_HS_INIT:
			wr_timers_handshake_initiated(&t, now);
			wr_timers_any_authenticated_packet_sent(&t, now);
			break;
		case OP_HS_RESP:
			wr_timers_handshake_responded(&t, now);
			wr_timers_any_authenticated_packet_sent(&t, now);
			break;
		case OP_HS_RESET:
			wr_timers_reset_handshake_rate_limit(&t);
			break;
		case OP_HS_DONE:
			wr_timers_handshake_complete(&t, now);
			break;
		case OP_SESSION:
			wr_timers_session_derived(&t, now);
			break;
		case OP_SET_PKA:
			wr_timers_set_persistent_keepalive(&t, now, (uint16_t)s->arg);
			break;
		case OP_POLL:
		case OP_REACT:
			got = wr_timers_poll(&t, now);
			snprintf(what, sizeof(what), "poll at T0+%.9f s: actions 0x%x, want 0x%x",
				(double)(now - T0) / 1e9, got, (unsigned)s->arg);
			check(got == s->arg, what, sc->name, i);
			if (s->op == OP_REACT)
				react(&t, got, now);
			break;
		case OP_NEXT:
			snprintf(what, sizeof(what), "next deadline T0+%.9f s, want T0+%.9f s",
				next == NEVER ? -1.0 : (double)(next - T0) / 1e9,
				s->arg == NEVER ? -1.0 : (double)s->arg / 1e9);
			check(next == (s->arg == NEVER ? NEVER : T0 + s->arg), what, sc->name, i);
			break;
		case OP_NEXT_IN:
			snprintf(what, sizeof(what),
				"next deadline now+%.9f s, want in [now+%.3f, now+%.3f)",
				next == NEVER ? -1.0 : (double)(next - now) / 1e9,
				(double)s->arg / 1e9, (double)s->arg2 / 1e9);
			check(next != NEVER && next >= now + s->arg && next < now + s->arg2, what,
				sc->name, i);
			break;
		case OP_ATTEMPTS:
			snprintf(what, sizeof(what), "retry count %u, want %" PRIu64,
				t.handshake_attempts, s->arg);
			check(t.handshake_attempts == s->arg, what, sc->name, i);
			break;
		case OP_MAY_INIT:
			snprintf(what, sizeof(what), "may_initiate at T0+%.9f s: want %d",
				(double)(now - T0) / 1e9, (int)s->arg);
			check(wr_timers_may_initiate(&t, now) == (bool)s->arg, what, sc->name, i);
			break;
		case OP_END:
			break;
		}
		check_deadline_consistent(&t, now, sc->name, i);
	}
}

#define STEP(at, op, ...)                                                                          \
	{                                                                                          \
		(at), (op), __VA_ARGS__                                                            \
	}
#define END                                                                                        \
	{                                                                                          \
		0, OP_END, 0, 0                                                                    \
	}

/* one step per line reads as a timeline */
// clang-format off
static const struct scenario scenarios[] = {
	{ "retry after REKEY_TIMEOUT + jitter, stop once the handshake completes", 0, {
		STEP(0, OP_NEXT, NEVER),
		STEP(0, OP_MAY_INIT, 1),
		STEP(0, OP_HS_WANTED),
		STEP(0, OP_HS_INIT),
		STEP(AT_SAME, OP_NEXT_IN, WR_REKEY_TIMEOUT, WR_REKEY_TIMEOUT + JIT),
		STEP(AT_SAME, OP_ATTEMPTS, 0),
		STEP(S(5) - 1, OP_MAY_INIT, 0),
		STEP(S(5), OP_MAY_INIT, 1),
		STEP(AT_NEXT_M1, OP_POLL, 0),
		STEP(AT_NEXT, OP_REACT, INIT),
		STEP(AT_SAME, OP_ATTEMPTS, 1),
		STEP(AT_SAME, OP_NEXT_IN, WR_REKEY_TIMEOUT, WR_REKEY_TIMEOUT + JIT),
		STEP(AT_SAME, OP_MAY_INIT, 0),
		STEP(AT_NEXT_M1, OP_POLL, 0),
		STEP(AT_NEXT, OP_REACT, INIT),
		STEP(AT_SAME, OP_ATTEMPTS, 2),
		STEP(AT_SAME, OP_POLL, 0), /* firing consumed the timer */
		STEP(S(11), OP_AUTH_RECV), /* the response */
		STEP(S(11), OP_SESSION),
		STEP(S(11), OP_HS_DONE),
		STEP(AT_SAME, OP_ATTEMPTS, 0),
		STEP(AT_SAME, OP_NEXT, S(11) + 3 * WR_REJECT_AFTER_TIME),
		STEP(S(30), OP_POLL, 0),
		END } },
	{ "a response rate limits our initiations for REKEY_TIMEOUT and arms no retry", 0, {
		STEP(0, OP_MAY_INIT, 1),
		STEP(0, OP_AUTH_RECV), /* the initiation */
		STEP(0, OP_HS_RESP),
		STEP(0, OP_SESSION),
		STEP(AT_SAME, OP_NEXT, 3 * WR_REJECT_AFTER_TIME),
		STEP(MS(1), OP_MAY_INIT, 0),
		STEP(S(5) - 1, OP_MAY_INIT, 0),
		STEP(S(5), OP_MAY_INIT, 1),
		STEP(S(5), OP_POLL, 0),
		STEP(AT_SAME, OP_ATTEMPTS, 0),
		END } },
	{ "answering the peer's initiation while ours waits: the retry is rate limited", 0, {
		STEP(0, OP_HS_INIT),
		STEP(S(2), OP_AUTH_RECV), /* its initiation crossed ours */
		STEP(S(2), OP_HS_RESP),
		STEP(S(2), OP_SESSION),
		STEP(AT_NEXT, OP_POLL, INIT), /* the retry is still due... */
		STEP(AT_SAME, OP_MAY_INIT, 0), /* ...but may not go out until S(7), as the kernel */
		STEP(S(7) - 1, OP_MAY_INIT, 0),
		STEP(S(7), OP_MAY_INIT, 1),
		END } },
	{ "a new private key lifts the rate limit, keeps the timers", 0, {
		STEP(0, OP_HS_INIT),
		STEP(S(1), OP_MAY_INIT, 0),
		STEP(S(1), OP_HS_RESET),
		STEP(AT_SAME, OP_MAY_INIT, 1),
		STEP(AT_SAME, OP_NEXT_IN, WR_REKEY_TIMEOUT - S(1), WR_REKEY_TIMEOUT - S(1) + JIT),
		STEP(S(1), OP_HS_INIT), /* the handshake under the new key */
		STEP(S(2), OP_MAY_INIT, 0),
		STEP(S(6), OP_MAY_INIT, 1),
		STEP(S(7), OP_AUTH_RECV),
		STEP(S(7), OP_HS_RESP),
		STEP(S(8), OP_HS_RESET),
		STEP(AT_SAME, OP_MAY_INIT, 1),
		END } },
	{ "keepalive once per received burst, when we send nothing back", 0, {
		STEP(0, OP_DATA_RECV),
		STEP(AT_SAME, OP_NEXT, S(10)),
		STEP(S(1), OP_DATA_RECV),
		STEP(MS(2500), OP_DATA_RECV),
		STEP(AT_SAME, OP_NEXT, S(10)), /* the burst does not push it back */
		STEP(S(10) - 1, OP_POLL, 0),
		STEP(S(10), OP_REACT, KA),
		STEP(AT_SAME, OP_NEXT, NEVER), /* the keepalive acknowledged the whole burst */
		STEP(S(20), OP_POLL, 0),
		STEP(S(40), OP_POLL, 0),
		END } },
	{ "keepalive not needed when we answered with anything", 0, {
		STEP(0, OP_DATA_RECV),
		STEP(S(9), OP_AUTH_SENT),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(10), OP_POLL, 0),
		STEP(S(12), OP_DATA_RECV), /* a new burst arms it again */
		STEP(AT_SAME, OP_NEXT, S(22)),
		STEP(S(22), OP_POLL, KA),
		END } },
	{ "keepalive: one more after a burst when the engine did not report sending", 0, {
		STEP(0, OP_DATA_RECV),
		STEP(S(3), OP_DATA_RECV), /* need another */
		STEP(S(10), OP_POLL, KA),
		STEP(AT_SAME, OP_NEXT, S(20)),
		STEP(S(20), OP_POLL, KA),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(60), OP_POLL, 0),
		END } },
	{ "a reply also settles the burst's second keepalive", 0, {
		STEP(0, OP_DATA_RECV),
		STEP(S(3), OP_DATA_RECV), /* need another */
		STEP(S(5), OP_AUTH_SENT),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(12), OP_DATA_RECV),
		STEP(S(22), OP_POLL, KA),
		STEP(AT_SAME, OP_NEXT, NEVER),
		END } },
	{ "single received packet, unreported keepalive: exactly one", 0, {
		STEP(0, OP_DATA_RECV),
		STEP(S(10), OP_POLL, KA),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(100), OP_POLL, 0),
		END } },
	{ "new handshake after KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter of silence", 0, {
		STEP(0, OP_DATA_SENT),
		STEP(AT_SAME, OP_NEXT_IN, S(15), S(15) + JIT),
		STEP(S(3), OP_DATA_SENT), /* already armed: not pushed back */
		STEP(AT_SAME, OP_NEXT_IN, S(12), S(12) + JIT),
		STEP(S(15) - 1, OP_POLL, 0),
		STEP(AT_NEXT_M1, OP_POLL, 0),
		STEP(AT_NEXT, OP_REACT, INIT),
		STEP(AT_SAME, OP_ATTEMPTS, 0), /* a fresh initiation, not a retry */
		STEP(AT_SAME, OP_NEXT_IN, WR_REKEY_TIMEOUT, WR_REKEY_TIMEOUT + JIT),
		END } },
	{ "new handshake after silence restarts the retry count", 0, {
		STEP(0, OP_HS_INIT),
		STEP(AT_NEXT, OP_POLL, INIT), /* the engine could not send this retry */
		STEP(AT_SAME, OP_ATTEMPTS, 1),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(10), OP_DATA_SENT),
		STEP(AT_NEXT, OP_REACT, INIT),
		STEP(AT_SAME, OP_ATTEMPTS, 0),
		END } },
	{ "no new handshake when the peer answered (anything authenticated)", 0, {
		STEP(0, OP_DATA_SENT),
		STEP(S(14), OP_AUTH_RECV),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(16), OP_POLL, 0),
		STEP(S(20), OP_DATA_SENT),
		STEP(S(35) - 1, OP_POLL, 0),
		STEP(S(35) + JIT, OP_POLL, INIT),
		END } },
	{ "persistent keepalive every 25 s without traffic; received traffic restarts it", 25, {
		STEP(0, OP_NEXT, NEVER),
		STEP(0, OP_AUTH_SENT),
		STEP(AT_SAME, OP_NEXT, S(25)),
		STEP(S(25) - 1, OP_POLL, 0),
		STEP(S(25), OP_REACT, KA),
		STEP(AT_SAME, OP_NEXT, S(50)),
		STEP(S(50) - 1, OP_POLL, 0),
		STEP(S(50), OP_REACT, KA),
		STEP(AT_SAME, OP_NEXT, S(75)),
		STEP(S(60), OP_AUTH_RECV),
		STEP(AT_SAME, OP_NEXT, S(85)),
		STEP(S(75), OP_POLL, 0),
		STEP(S(85), OP_REACT, KA),
		STEP(AT_SAME, OP_NEXT, S(110)),
		END } },
	{ "persistent keepalive: disabling stops it, enabling sends one at once", 25, {
		STEP(0, OP_AUTH_SENT),
		STEP(S(10), OP_SET_PKA, 0),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(25), OP_POLL, 0),
		STEP(S(30), OP_AUTH_SENT),
		STEP(S(30), OP_AUTH_RECV),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(100), OP_SET_PKA, 10),
		STEP(AT_SAME, OP_NEXT, S(100)),
		STEP(S(100), OP_REACT, KA),
		STEP(AT_SAME, OP_NEXT, S(110)),
		STEP(S(105), OP_SET_PKA, 20), /* a new interval restarts from now */
		STEP(AT_SAME, OP_NEXT, S(125)),
		STEP(S(110), OP_POLL, 0),
		STEP(S(125), OP_REACT, KA),
		STEP(AT_SAME, OP_NEXT, S(145)),
		STEP(S(130), OP_SET_PKA, 20), /* unchanged: no restart */
		STEP(AT_SAME, OP_NEXT, S(145)),
		END } },
	{ "persistent keepalive: device start sends one at once", 15, {
		STEP(0, OP_START),
		STEP(AT_SAME, OP_NEXT, 0),
		STEP(0, OP_REACT, KA),
		STEP(AT_SAME, OP_NEXT, S(15)),
		END } },
	{ "no persistent keepalive configured: start arms nothing", 0, {
		STEP(0, OP_START),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(5), OP_AUTH_SENT),
		STEP(S(5), OP_AUTH_RECV),
		STEP(AT_SAME, OP_NEXT, NEVER),
		END } },
	{ "zero keys at 3 x REJECT_AFTER_TIME (540 s) after the last session, not before", 0, {
		STEP(0, OP_SESSION),
		STEP(AT_SAME, OP_NEXT, S(540)),
		STEP(S(539), OP_POLL, 0),
		STEP(S(540) - 1, OP_POLL, 0),
		STEP(S(540), OP_POLL, ZERO),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(2000), OP_POLL, 0),
		END } },
	{ "zero keys: a new session postpones it", 0, {
		STEP(0, OP_SESSION),
		STEP(S(100), OP_SESSION),
		STEP(S(540), OP_POLL, 0),
		STEP(S(640) - 1, OP_POLL, 0),
		STEP(S(640), OP_POLL, ZERO),
		END } },
	{ "stop disarms everything and arms nothing until start", 25, {
		STEP(0, OP_SESSION),
		STEP(0, OP_HS_INIT),
		STEP(0, OP_DATA_SENT),
		STEP(0, OP_DATA_RECV),
		STEP(MS(500), OP_DATA_RECV), /* need another */
		STEP(S(1), OP_STOP),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(2), OP_DATA_SENT),
		STEP(S(2), OP_DATA_RECV),
		STEP(S(2), OP_SESSION),
		STEP(S(2), OP_SET_PKA, 30),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(1000), OP_POLL, 0),
		STEP(S(1000), OP_START),
		STEP(AT_SAME, OP_NEXT, S(1000)),
		STEP(S(1000), OP_POLL, KA), /* the engine could not send it */
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(1001), OP_DATA_RECV), /* the burst before stop left no second keepalive */
		STEP(S(1011), OP_POLL, KA),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(1012), OP_AUTH_SENT),
		STEP(AT_SAME, OP_NEXT, S(1042)),
		END } },
	{ "stopped: an initiation arms no retry", 0, {
		STEP(0, OP_STOP),
		STEP(0, OP_HS_INIT),
		STEP(AT_SAME, OP_NEXT, NEVER),
		STEP(S(1), OP_MAY_INIT, 0), /* still rate limited: it went out */
		STEP(S(100), OP_POLL, 0),
		END } },
	{ "several timers due in one poll", 0, {
		STEP(0, OP_SESSION),
		STEP(S(535), OP_DATA_RECV),
		STEP(S(600), OP_POLL, KA | ZERO),
		STEP(AT_SAME, OP_NEXT, NEVER),
		END } },
};
// clang-format on

/*
 * Retries count up to the kernel's limit (attempts > MAX_TIMER_HANDSHAKES): the first initiation,
 * then MAX_TIMER_HANDSHAKES + 1 retries, then GIVE_UP at the next expiry, which also stops the
 * keepalive and arms the zeroing of a partial exchange.
 */
static void
test_give_up(uint64_t seed, bool with_session)
{
	const char *ctx = with_session ? "give up (keys already scheduled for zeroing)" : "give up";
	uint64_t now = T0, zero_at = NEVER, first = T0;
	unsigned sent = 1, a;
	struct wr_timers t;
	char what[160];

	printf("timers: %s: retries up to %u, then GIVE_UP\n", ctx,
		(unsigned)WR_MAX_TIMER_HANDSHAKES + 1);
	wr_timers_init(&t, 0, seed);
	if (with_session) {
		wr_timers_session_derived(&t, now);
		zero_at = now + 3 * WR_REJECT_AFTER_TIME;
	}
	wr_timers_handshake_wanted(&t);
	wr_timers_handshake_initiated(&t, now);
	wr_timers_any_authenticated_packet_sent(&t, now);
	for (;;) {
		uint64_t next = wr_timers_next_deadline(&t);
		unsigned step = sent;

		check(next != NEVER && next >= now + WR_REKEY_TIMEOUT &&
				next < now + WR_REKEY_TIMEOUT + JIT,
			"retry deadline outside REKEY_TIMEOUT + [0, jitter max)", ctx, step);
		if (next == NEVER)
			return;
		check(wr_timers_poll(&t, next - 1) == 0, "fired before the retry deadline", ctx,
			step);
		now = next;
		/* the data path queues a packet while this is going on (no reset: no new reason) */
		wr_timers_data_received(&t, now - 1);
		a = wr_timers_poll(&t, now);
		if (a & GIVEUP)
			break;
		snprintf(what, sizeof(what), "retry %u: actions 0x%x, want INITIATION", sent, a);
		check(a == INIT, what, ctx, step);
		snprintf(what, sizeof(what), "retry count %u, want %u", t.handshake_attempts, sent);
		check(t.handshake_attempts == sent, what, ctx, step);
		if (a != INIT || sent > 100)
			return;
		wr_timers_handshake_initiated(&t, now);
		wr_timers_any_authenticated_packet_sent(&t, now);
		sent++;
	}
	snprintf(what, sizeof(what), "initiations before GIVE_UP: %u, want %u", sent,
		(unsigned)WR_MAX_TIMER_HANDSHAKES + 2);
	check(sent == WR_MAX_TIMER_HANDSHAKES + 2, what, ctx, sent);
	check(a == GIVEUP, "GIVE_UP came with another action", ctx, sent);
	check(now - first >= (WR_MAX_TIMER_HANDSHAKES + 2) * WR_REKEY_TIMEOUT &&
			now - first < (WR_MAX_TIMER_HANDSHAKES + 2) * (WR_REKEY_TIMEOUT + JIT),
		"GIVE_UP not after (MAX_TIMER_HANDSHAKES + 2) x REKEY_TIMEOUT (+ jitter)", ctx,
		sent);
	/* the keepalive for the queued packet died with the handshake */
	if (zero_at == NEVER)
		zero_at = now + 3 * WR_REJECT_AFTER_TIME;
	snprintf(what, sizeof(what),
		"after GIVE_UP next deadline +%.3f s, want the zeroing at +%.3f",
		(double)(wr_timers_next_deadline(&t) - now) / 1e9, (double)(zero_at - now) / 1e9);
	check(wr_timers_next_deadline(&t) == zero_at, what, ctx, sent);
	check(wr_timers_poll(&t, zero_at - 1) == 0, "fired between GIVE_UP and the zeroing", ctx,
		sent);
	check(wr_timers_poll(&t, zero_at) == ZERO, "no ZERO_KEYS after GIVE_UP", ctx, sent);
	check(wr_timers_next_deadline(&t) == NEVER, "something armed after the zeroing", ctx, sent);
}

/* The data path keeps wanting a handshake (traffic queued): the count restarts, no GIVE_UP. */
static void
test_wanted_resets_retries(void)
{
	const char *ctx = "handshake wanted by the data path resets the retry count";
	uint64_t now = T0;
	struct wr_timers t;
	unsigned i, a;

	printf("timers: %s\n", ctx);
	wr_timers_init(&t, 0, 7);
	wr_timers_handshake_initiated(&t, now);
	for (i = 0; i < 3 * WR_MAX_TIMER_HANDSHAKES; i++) {
		now = wr_timers_next_deadline(&t);
		a = wr_timers_poll(&t, now);
		check(a == INIT, "no retry while the data path keeps wanting a handshake", ctx, i);
		if (a != INIT)
			return;
		if (i % 10 == 9)
			wr_timers_handshake_wanted(&t);
		wr_timers_handshake_initiated(&t, now);
	}
	check(t.handshake_attempts <= 10, "retry count not reset", ctx, i);
}

struct pred_case {
	const char *name;
	uint64_t age; /* now - created */
	bool initiator;
	uint64_t counter;
	bool send, recv, expired;
};

/* The kernel's send.c/receive.c rules; a limit is reached at exactly its age. */
static const struct pred_case pred_cases[] = {
	{ "fresh", 0, true, 0, false, false, false },
	{ "119 s", S(119), true, 0, false, false, false },
	{ "120 s - 1 ns", S(120) - 1, true, 0, false, false, false },
	{ "120 s initiator", S(120), true, 0, true, false, false },
	{ "120 s responder", S(120), false, 0, false, false, false },
	{ "121 s initiator", S(121), true, 0, true, false, false },
	{ "121 s responder", S(121), false, 0, false, false, false },
	{ "164 s initiator", S(164), true, 0, true, false, false },
	{ "165 s - 1 ns", S(165) - 1, true, 0, true, false, false },
	{ "165 s initiator", S(165), true, 0, true, true, false },
	{ "165 s responder", S(165), false, 0, false, false, false },
	{ "166 s initiator", S(166), true, 0, true, true, false },
	{ "166 s responder", S(166), false, 0, false, false, false },
	{ "179 s", S(179), true, 0, true, true, false },
	{ "180 s - 1 ns", S(180) - 1, false, 0, false, false, false },
	{ "180 s initiator", S(180), true, 0, true, true, true },
	{ "180 s responder", S(180), false, 0, false, false, true },
	{ "counter REKEY_AFTER_MESSAGES", 0, false, WR_REKEY_AFTER_MESSAGES, false, false, false },
	{ "counter REKEY_AFTER_MESSAGES + 1 (responder too)", 0, false, WR_REKEY_AFTER_MESSAGES + 1,
		true, false, false },
	{ "counter REJECT_AFTER_MESSAGES - 1", 0, false, WR_REJECT_AFTER_MESSAGES - 1, true, false,
		false },
	{ "counter REJECT_AFTER_MESSAGES", 0, false, WR_REJECT_AFTER_MESSAGES, true, false, true },
	{ "counter UINT64_MAX", 0, true, UINT64_MAX, true, false, true },
};

static void
test_predicates(void)
{
	char what[200];
	unsigned i;

	printf("timers: predicates at 119/120/121, 164/165/166, 179/180 s and the message "
	       "limits\n");
	for (i = 0; i < sizeof(pred_cases) / sizeof(pred_cases[0]); i++) {
		const struct pred_case *c = &pred_cases[i];
		uint64_t created = T0, now = T0 + c->age;
		bool send = wr_timers_should_rekey_on_send(created, c->initiator, c->counter, now);
		bool recv = wr_timers_should_rekey_on_receive(created, c->initiator, now);
		bool exp = wr_timers_keypair_expired(created, c->counter, now);

		snprintf(what, sizeof(what),
			"%s: rekey_on_send %d/%d rekey_on_receive %d/%d "
			"expired %d/%d (got/want)",
			c->name, send, c->send, recv, c->recv, exp, c->expired);
		check(send == c->send && recv == c->recv && exp == c->expired, what, "predicates",
			i);
	}
	/* a keypair stamped after now (clock out of order) is fresh, not ancient */
	check(!wr_timers_keypair_expired(T0 + 1, 0, T0) &&
			!wr_timers_should_rekey_on_send(T0 + 1, true, 0, T0) &&
			!wr_timers_should_rekey_on_receive(T0 + 1, true, T0),
		"created in the future counts as expired", "predicates", i);
}

static void
test_lastminute(void)
{
	const char *ctx = "last-minute rekey on receive, once per handshake";
	static const struct {
		uint64_t age;
		bool initiator;
		int done_before; /* handshake_complete before asking */
		bool want;
	} cases[] = {
		{ S(164), true, 0, false },
		{ S(165), false, 0, false },
		{ S(165), true, 0, true },
		{ S(166), true, 0, false },
		{ S(170), true, 0, false },
		{ S(170), true, 1, true },
		{ S(171), true, 0, false },
	};
	struct wr_timers t;
	char what[120];
	unsigned i;

	printf("timers: %s\n", ctx);
	wr_timers_init(&t, 0, 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got;

		if (cases[i].done_before)
			wr_timers_handshake_complete(&t, T0 + cases[i].age);
		got = wr_timers_take_lastminute_rekey(
			&t, T0, cases[i].initiator, T0 + cases[i].age);
		snprintf(what, sizeof(what), "age %.0f s initiator %d: %d, want %d",
			(double)cases[i].age / 1e9, cases[i].initiator, got, cases[i].want);
		check(got == cases[i].want, what, ctx, i);
	}
}

/* Same seed, same deadlines; jitter spans its range and stays below the maximum. */
static void
test_jitter(void)
{
	const char *ctx = "jitter: deterministic per seed, within [0, 333 ms)";
	uint64_t lo = NEVER, hi = 0;
	struct wr_timers a, b, c;
	unsigned i, differ = 0;

	printf("timers: %s\n", ctx);
	wr_timers_init(&a, 0, 42);
	wr_timers_init(&b, 0, 42);
	wr_timers_init(&c, 0, 43);
	for (i = 0; i < 2000; i++) {
		uint64_t now = T0 + S(i);
		uint64_t j;

		wr_timers_handshake_initiated(&a, now);
		wr_timers_handshake_initiated(&b, now);
		wr_timers_handshake_initiated(&c, now);
		check(a.retransmit_handshake == b.retransmit_handshake, "same seed, other deadline",
			ctx, i);
		differ += a.retransmit_handshake != c.retransmit_handshake;
		j = a.retransmit_handshake - now - WR_REKEY_TIMEOUT;
		check(j < JIT, "jitter out of range", ctx, i);
		lo = j < lo ? j : lo;
		hi = j > hi ? j : hi;
	}
	check(differ > 1900, "another seed gives the same jitter", ctx, i);
	check(lo < JIT / 50 && hi > JIT - JIT / 50, "jitter does not span its range", ctx, i);
}

/* xorshift64 for the randomized control loop; independent of the module's PRNG */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * A control loop with random events: before each event, poll at every deadline that falls
 * before it (never earlier), as a loop sleeping on next_deadline would. Checks that no deadline
 * lies in the past when the loop wakes, that each wake-up finds work, and that the key rules hold
 * (a keepalive never goes out while nothing was received since we last sent).
 */
static void
test_random_loop(void)
{
	const char *ctx = "randomized control loop: next_deadline agrees with poll";
	uint64_t s = 0x9e3779b97f4a7c15ULL, now = T0;
	unsigned i, wakeups = 0;
	struct wr_timers t;

	printf("timers: %s\n", ctx);
	wr_timers_init(&t, 0, 99);
	for (i = 0; i < 20000; i++) {
		uint64_t te = now + rnd(&s) % S(30);
		uint64_t next;

		while ((next = wr_timers_next_deadline(&t)) <= te) {
			unsigned a;

			check(next >= now, "deadline in the past", ctx, i);
			check_deadline_consistent(&t, now, ctx, i);
			now = next > now ? next : now;
			a = wr_timers_poll(&t, now);
			check(a != 0, "woke at a deadline for nothing", ctx, i);
			check(!(a & GIVEUP) || (t.retransmit_handshake == NEVER &&
						       t.send_keepalive == NEVER &&
						       t.zero_key_material != NEVER),
				"GIVE_UP left a retry or keepalive armed, or no zeroing", ctx, i);
			wakeups++;
			if (rnd(&s) % 4)
				react(&t, a, now);
			if (a == 0)
				return;
		}
		now = te;
		switch (rnd(&s) % 12) {
		case 0:
			wr_timers_data_sent(&t, now);
			wr_timers_any_authenticated_packet_sent(&t, now);
			break;
		case 1:
		case 2:
			wr_timers_any_authenticated_packet_received(&t, now);
			wr_timers_data_received(&t, now);
			break;
		case 3:
			wr_timers_any_authenticated_packet_received(&t, now);
			break;
		case 4:
			if (wr_timers_may_initiate(&t, now)) {
				wr_timers_handshake_wanted(&t);
				wr_timers_handshake_initiated(&t, now);
				wr_timers_any_authenticated_packet_sent(&t, now);
			}
			break;
		case 5:
			wr_timers_session_derived(&t, now);
			wr_timers_handshake_complete(&t, now);
			break;
		case 6:
			wr_timers_set_persistent_keepalive(&t, now, (uint16_t)(rnd(&s) % 3 * 25));
			break;
		case 8:
			wr_timers_any_authenticated_packet_received(&t, now);
			wr_timers_handshake_responded(&t, now);
			wr_timers_session_derived(&t, now);
			wr_timers_any_authenticated_packet_sent(&t, now);
			check(!wr_timers_may_initiate(&t, now),
				"may initiate right after answering", ctx, i);
			if (rnd(&s) % 4 == 0)
				wr_timers_reset_handshake_rate_limit(&t);
			break;
		case 7:
			if (rnd(&s) % 8 == 0) {
				wr_timers_stop(&t);
				check(wr_timers_next_deadline(&t) == NEVER, "armed after stop", ctx,
					i);
				wr_timers_start(&t, now);
			}
			break;
		default:
			break;
		}
		check_deadline_consistent(&t, now, ctx, i);
	}
	printf("  %u wake-ups over %.0f s of fake time\n", wakeups, (double)(now - T0) / 1e9);
	check(wakeups > 1000, "the loop hardly ever woke: events do not arm timers", ctx, i);
}

int
main(void)
{
	unsigned i;
	uint64_t seed;

	for (seed = 1; seed <= 3; seed++)
		for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
			run_scenario(&scenarios[i], seed * 0x1234567ULL);
	for (seed = 0; seed < 3; seed++) {
		test_give_up(seed, false);
		test_give_up(seed, true);
	}
	test_wanted_resets_retries();
	test_predicates();
	test_lastminute();
	test_jitter();
	test_random_loop();

	printf("timers: %u checks, %u failures\n", checks, failures);
	return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
