/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-peer protocol timers: the five timers of the kernel's timers.c (retransmit handshake,
 * send keepalive, new handshake, zero key material, persistent keepalive) kept as deadlines and
 * fired by wr_timers_poll() instead of by callbacks, so that the engine stays single-threaded and
 * tests can drive a fake clock.
 */
#include <string.h>

#include "wr_timers.h"

/* a + b, saturating at WR_TIMERS_NEVER so that a deadline never wraps into the past */
static uint64_t
add_sat(uint64_t a, uint64_t b)
{
	return a > WR_TIMERS_NEVER - b ? WR_TIMERS_NEVER : a + b;
}

/* The kernel's wg_birthdate_has_expired(): reached when now >= start + limit. A start in the
 * future (clock reported out of order) is treated as fresh rather than wrapping. */
static bool
has_expired(uint64_t start, uint64_t limit, uint64_t now)
{
	return now >= start && now - start >= limit;
}

/* splitmix64: tiny, any seed (0 included) is fine, and deterministic for tests */
static uint64_t
prng_next(struct wr_timers *t)
{
	uint64_t z = (t->prng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, WR_REKEY_TIMEOUT_JITTER_MAX), as get_random_u32_below(): spreads the retries of
 * many peers so that they do not initiate in lockstep. */
static uint64_t
jitter(struct wr_timers *t)
{
	_Static_assert(WR_REKEY_TIMEOUT_JITTER_MAX <= UINT32_MAX, "jitter fits 32 bits");
	return ((prng_next(t) >> 32) * WR_REKEY_TIMEOUT_JITTER_MAX) >> 32;
}

/* mod_peer_timer(): arming is a no-op while stopped. Every deadline is armed here: the
 * device's earliest one follows (disarming leaves it early, which costs one needless walk). */
static void
arm(const struct wr_timers *t, uint64_t *deadline, uint64_t when)
{
	if (!t->running)
		return;
	*deadline = when;
	if (t->earliest != NULL && when < *t->earliest)
		*t->earliest = when;
}

static bool
armed(uint64_t deadline)
{
	return deadline != WR_TIMERS_NEVER;
}

static bool
due(uint64_t deadline, uint64_t now)
{
	return armed(deadline) && now >= deadline;
}

/* any_authenticated_packet_traversal: traffic either way restarts the persistent interval */
static void
traversal(struct wr_timers *t, uint64_t now)
{
	if (t->persistent_keepalive_s)
		arm(t, &t->persistent_keepalive,
			add_sat(now, t->persistent_keepalive_s * WR_NSEC_PER_SEC));
}

static void
disarm_all(struct wr_timers *t)
{
	t->retransmit_handshake = WR_TIMERS_NEVER;
	t->send_keepalive = WR_TIMERS_NEVER;
	t->new_handshake = WR_TIMERS_NEVER;
	t->zero_key_material = WR_TIMERS_NEVER;
	t->persistent_keepalive = WR_TIMERS_NEVER;
}

void
wr_timers_init(struct wr_timers *t, uint16_t persistent_keepalive_s, uint64_t seed)
{
	memset(t, 0, sizeof(*t));
	disarm_all(t);
	t->last_handshake = WR_TIMERS_NEVER;
	t->prng = seed;
	t->persistent_keepalive_s = persistent_keepalive_s;
	t->running = true;
}

void
wr_timers_start(struct wr_timers *t, uint64_t now)
{
	t->running = true;
	/* wg_open() sends a keepalive to every peer with a persistent keepalive */
	if (t->persistent_keepalive_s)
		arm(t, &t->persistent_keepalive, now);
}

void
wr_timers_stop(struct wr_timers *t)
{
	disarm_all(t);
	t->need_another_keepalive = false;
	t->running = false;
}

void
wr_timers_data_sent(struct wr_timers *t, uint64_t now)
{
	if (!armed(t->new_handshake))
		arm(t, &t->new_handshake,
			add_sat(now, WR_KEEPALIVE_TIMEOUT + WR_REKEY_TIMEOUT + jitter(t)));
}

void
wr_timers_data_received(struct wr_timers *t, uint64_t now)
{
	if (!armed(t->send_keepalive))
		arm(t, &t->send_keepalive, add_sat(now, WR_KEEPALIVE_TIMEOUT));
	else
		t->need_another_keepalive = true;
}

void
wr_timers_any_authenticated_packet_sent(struct wr_timers *t, uint64_t now)
{
	/* whatever we sent acknowledges what we received: no keepalive needed for it */
	t->send_keepalive = WR_TIMERS_NEVER;
	t->need_another_keepalive = false;
	traversal(t, now);
}

void
wr_timers_any_authenticated_packet_received(struct wr_timers *t, uint64_t now)
{
	/* the peer answered: no need to suspect the session */
	t->new_handshake = WR_TIMERS_NEVER;
	traversal(t, now);
}

void
wr_timers_handshake_wanted(struct wr_timers *t)
{
	t->handshake_attempts = 0;
}

void
wr_timers_handshake_initiated(struct wr_timers *t, uint64_t now)
{
	t->sent_handshake = true;
	t->last_sent_handshake = now;
	arm(t, &t->retransmit_handshake, add_sat(now, WR_REKEY_TIMEOUT + jitter(t)));
}

void
wr_timers_handshake_responded(struct wr_timers *t, uint64_t now)
{
	/* no retry to arm: a lost response is the initiator's to retransmit */
	t->sent_handshake = true;
	t->last_sent_handshake = now;
}

void
wr_timers_reset_handshake_rate_limit(struct wr_timers *t)
{
	t->sent_handshake = false;
}

void
wr_timers_handshake_complete(struct wr_timers *t, uint64_t now)
{
	t->retransmit_handshake = WR_TIMERS_NEVER;
	t->handshake_attempts = 0;
	t->sent_lastminute_handshake = false;
	t->last_handshake = now;
}

void
wr_timers_session_derived(struct wr_timers *t, uint64_t now)
{
	arm(t, &t->zero_key_material, add_sat(now, 3 * WR_REJECT_AFTER_TIME));
}

void
wr_timers_set_persistent_keepalive(struct wr_timers *t, uint64_t now, uint16_t interval_s)
{
	uint16_t old = t->persistent_keepalive_s;

	t->persistent_keepalive_s = interval_s;
	if (!interval_s)
		t->persistent_keepalive = WR_TIMERS_NEVER;
	else if (!old)
		/* the kernel's netlink set_peer() sends one at once when it gets enabled */
		arm(t, &t->persistent_keepalive, now);
	else if (old != interval_s)
		arm(t, &t->persistent_keepalive, add_sat(now, interval_s * WR_NSEC_PER_SEC));
}

/* wg_expired_retransmit_handshake() */
static unsigned
fire_retransmit(struct wr_timers *t, uint64_t now)
{
	t->retransmit_handshake = WR_TIMERS_NEVER;
	if (t->handshake_attempts > WR_MAX_TIMER_HANDSHAKES) {
		/* nobody is left to acknowledge: no keepalive; wipe what a partial exchange left */
		t->send_keepalive = WR_TIMERS_NEVER;
		t->need_another_keepalive = false;
		if (!armed(t->zero_key_material))
			arm(t, &t->zero_key_material, add_sat(now, 3 * WR_REJECT_AFTER_TIME));
		return WR_TIMERS_GIVE_UP;
	}
	++t->handshake_attempts;
	return WR_TIMERS_SEND_INITIATION;
}

/* wg_expired_send_keepalive() */
static unsigned
fire_keepalive(struct wr_timers *t, uint64_t now)
{
	t->send_keepalive = WR_TIMERS_NEVER;
	if (t->need_another_keepalive) {
		t->need_another_keepalive = false;
		arm(t, &t->send_keepalive, add_sat(now, WR_KEEPALIVE_TIMEOUT));
	}
	return WR_TIMERS_SEND_KEEPALIVE;
}

/* wg_expired_new_handshake(): a fresh initiation, not a retry */
static unsigned
fire_new_handshake(struct wr_timers *t)
{
	t->new_handshake = WR_TIMERS_NEVER;
	t->handshake_attempts = 0;
	return WR_TIMERS_SEND_INITIATION;
}

unsigned
wr_timers_poll(struct wr_timers *t, uint64_t now)
{
	unsigned actions = 0;

	if (due(t->retransmit_handshake, now))
		actions |= fire_retransmit(t, now);
	if (due(t->new_handshake, now))
		actions |= fire_new_handshake(t);
	if (due(t->send_keepalive, now))
		actions |= fire_keepalive(t, now);
	if (due(t->persistent_keepalive, now)) {
		t->persistent_keepalive = WR_TIMERS_NEVER;
		if (t->persistent_keepalive_s)
			actions |= WR_TIMERS_SEND_KEEPALIVE;
	}
	/* last, so that a zeroing already due is not postponed by a GIVE_UP in the same poll */
	if (due(t->zero_key_material, now)) {
		t->zero_key_material = WR_TIMERS_NEVER;
		actions |= WR_TIMERS_ZERO_KEYS;
	}
	return actions;
}

uint64_t
wr_timers_next_deadline(const struct wr_timers *t)
{
	uint64_t next = t->retransmit_handshake;

	if (t->send_keepalive < next)
		next = t->send_keepalive;
	if (t->new_handshake < next)
		next = t->new_handshake;
	if (t->zero_key_material < next)
		next = t->zero_key_material;
	if (t->persistent_keepalive < next)
		next = t->persistent_keepalive;
	return next;
}

bool
wr_timers_may_initiate(const struct wr_timers *t, uint64_t now)
{
	return !t->sent_handshake || has_expired(t->last_sent_handshake, WR_REKEY_TIMEOUT, now);
}

bool
wr_timers_take_lastminute_rekey(
	struct wr_timers *t, uint64_t created, bool we_are_initiator, uint64_t now)
{
	if (t->sent_lastminute_handshake ||
		!wr_timers_should_rekey_on_receive(created, we_are_initiator, now))
		return false;
	t->sent_lastminute_handshake = true;
	return true;
}

bool
wr_timers_should_rekey_on_send(
	uint64_t created, bool we_are_initiator, uint64_t counter, uint64_t now)
{
	return counter > WR_REKEY_AFTER_MESSAGES ||
	       (we_are_initiator && has_expired(created, WR_REKEY_AFTER_TIME, now));
}

bool
wr_timers_should_rekey_on_receive(uint64_t created, bool we_are_initiator, uint64_t now)
{
	return we_are_initiator && has_expired(created, WR_REKEY_AFTER_TIME_RECV, now);
}

bool
wr_timers_keypair_expired(uint64_t created, uint64_t counter, uint64_t now)
{
	return counter >= WR_REJECT_AFTER_MESSAGES ||
	       has_expired(created, WR_REJECT_AFTER_TIME, now);
}
