/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-peer protocol timers (WireGuard whitepaper section 6, the kernel's timers.c), as a pure,
 * clock-driven state machine: no callbacks, no clock reads, no allocation.
 *
 * The engine (control lcore, which owns every peer mutation) reports events with the current time
 * (u64 ns, monotonic) and asks what is due:
 *
 *	wr_timers_init(&peer->timers, persistent_keepalive_s, seed);
 *	wr_timers_start(&peer->timers, now);                 (device up; may arm a keepalive)
 *	...
 *	unsigned a = wr_timers_poll(&peer->timers, now);
 *	if (a & WR_TIMERS_ZERO_KEYS)        clear keypairs and handshake state;
 *	if (a & WR_TIMERS_GIVE_UP)          drop the packets queued for this peer;
 *	if (a & WR_TIMERS_SEND_INITIATION)  send an initiation (rate limited, see may_initiate);
 *	if (a & WR_TIMERS_SEND_KEEPALIVE)   send a keepalive (empty data packet);
 *	sleep until min over peers of wr_timers_next_deadline();
 *
 * Where the engine reports events (mirrors the kernel's send.c/receive.c/noise call sites):
 *	- any authenticated packet it sends (data, keepalive, initiation, response):
 *	  wr_timers_any_authenticated_packet_sent(); additionally wr_timers_data_sent() if it was a
 *	  data packet with a non-empty payload (not a keepalive);
 *	- any authenticated packet it receives (data incl. keepalive, valid initiation, valid
 *	  response): wr_timers_any_authenticated_packet_received(); additionally
 *	  wr_timers_data_received() for a data packet with a non-empty payload that was accepted;
 *	- every initiation actually put on the wire: wr_timers_handshake_initiated();
 *	- every valid initiation answered, before building the response:
 *	  wr_timers_handshake_responded();
 *	- the static private key changed (every peer's sending keys expired):
 *	  wr_timers_reset_handshake_rate_limit();
 *	- a fresh reason to handshake from the data path (a packet queued with no usable keypair,
 *	  rekey on send or receive, a user request): wr_timers_handshake_wanted() before trying,
 *	  even when the attempt is then rate limited (the kernel resets its retry count there);
 *	- a keypair installed (after consuming a response as initiator, after creating a response as
 *	  responder): wr_timers_session_derived();
 *	- a handshake confirmed (response consumed as initiator, or first data received on the
 *	  new responder keypair): wr_timers_handshake_complete().
 *
 * Each peer's wr_timers is owned by the single thread that mutates the peer; nothing here is
 * thread-safe. Every boundary follows the kernel's wg_birthdate_has_expired(): a deadline or an
 * age limit is reached when now >= start + limit.
 */
#ifndef WR_TIMERS_H
#define WR_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "wr_messages.h"

/** A deadline that is not armed; also what wr_timers_next_deadline() returns when none is. */
#define WR_TIMERS_NEVER UINT64_MAX

/** Actions returned by wr_timers_poll(), as a bitmask; several may be due at once. */
enum wr_timers_action {
	/* an authenticated empty data packet (a keepalive or a persistent keepalive) */
	WR_TIMERS_SEND_KEEPALIVE = 1u << 0,
	/* a handshake initiation: a retry of an unanswered one, or a new one because data we sent
	 * got no authenticated reply within KEEPALIVE_TIMEOUT + REKEY_TIMEOUT */
	WR_TIMERS_SEND_INITIATION = 1u << 1,
	/* 3 x REJECT_AFTER_TIME without a new session: wipe every keypair and the handshake */
	WR_TIMERS_ZERO_KEYS = 1u << 2,
	/* retries exhausted: as the kernel (attempts > MAX_TIMER_HANDSHAKES), the first initiation
	 * and WR_MAX_TIMER_HANDSHAKES + 1 retries went unanswered (about REKEY_ATTEMPT_TIME +
	 * 2 x REKEY_TIMEOUT of trying): drop the packets queued for the peer; no further
	 * initiation is sent until the data path wants one. Also arms ZERO_KEYS if it was not. */
	WR_TIMERS_GIVE_UP = 1u << 3,
};

struct wr_timers {
	/* deadlines (ns), WR_TIMERS_NEVER when disarmed; one per kernel timer */
	uint64_t retransmit_handshake;
	uint64_t send_keepalive;
	uint64_t new_handshake;
	uint64_t zero_key_material;
	uint64_t persistent_keepalive;
	/* when the latest initiation or response went out, for the REKEY_TIMEOUT rate limit */
	uint64_t last_sent_handshake;
	/* when the latest handshake completed; WR_TIMERS_NEVER before the first */
	uint64_t last_handshake;
	/* state of the jitter PRNG (splitmix64) */
	uint64_t prng;
	/* retries of the current initiation sent so far */
	uint32_t handshake_attempts;
	uint16_t persistent_keepalive_s;
	bool running;
	bool sent_handshake;
	bool need_another_keepalive;
	bool sent_lastminute_handshake;
	/* lowered to every deadline armed, when not NULL: the device's earliest deadline, kept
	 * without a walk over its peers (wr_device_next_deadline()) */
	uint64_t *earliest;
};

/**
 * Initialise @p t with every timer disarmed, running (events arm timers). @p persistent_keepalive_s
 * is the PersistentKeepalive interval in seconds (0 disables it). @p seed seeds the retry jitter
 * PRNG (any value, 0 included); the same seed and the same events give the same deadlines.
 */
void wr_timers_init(struct wr_timers *t, uint16_t persistent_keepalive_s, uint64_t seed);

/**
 * The device came up at @p now (needed only after wr_timers_stop(), or for this keepalive): with
 * a persistent keepalive configured, a keepalive is due at once (the kernel's wg_open() sends
 * one), which establishes a session with the peer.
 */
void wr_timers_start(struct wr_timers *t, uint64_t now);

/**
 * Disarm every timer and stop arming them (device down, peer being removed): events still update
 * counters and flags but arm nothing until wr_timers_start(), as the kernel's timers only arm
 * while the device runs. The retry counter and the configured interval are kept.
 */
void wr_timers_stop(struct wr_timers *t);

/**
 * A data packet with a payload was sent. Unless already armed, a new handshake becomes due if
 * nothing authenticated is received within KEEPALIVE_TIMEOUT + REKEY_TIMEOUT (+ jitter).
 */
void wr_timers_data_sent(struct wr_timers *t, uint64_t now);

/**
 * A data packet with a payload was received and accepted. Unless already armed, a keepalive
 * becomes due after KEEPALIVE_TIMEOUT unless we send something first; when already armed, one
 * more KEEPALIVE_TIMEOUT is allowed after that keepalive (the kernel's need_another_keepalive).
 */
void wr_timers_data_received(struct wr_timers *t, uint64_t now);

/**
 * Any authenticated packet was sent (data, keepalive, initiation or response): the pending
 * keepalive is no longer needed, and the persistent keepalive restarts its interval.
 */
void wr_timers_any_authenticated_packet_sent(struct wr_timers *t, uint64_t now);

/**
 * Any authenticated packet was received (data or keepalive, initiation, response): the peer is
 * alive, so the new-handshake timer is disarmed, and the persistent keepalive restarts its
 * interval (traffic either way refreshes a NAT mapping, as the kernel's packet_traversal).
 */
void wr_timers_any_authenticated_packet_received(struct wr_timers *t, uint64_t now);

/**
 * The data path has a fresh reason to handshake (not a timer retry): the retry count restarts,
 * so that a peer with traffic queued keeps trying (the kernel's
 * wg_packet_send_queued_handshake_initiation(peer, false)).
 */
void wr_timers_handshake_wanted(struct wr_timers *t);

/**
 * An initiation was sent at @p now (first or retry): a retry is due after REKEY_TIMEOUT plus
 * a jitter in [0, WR_REKEY_TIMEOUT_JITTER_MAX) unless wr_timers_handshake_complete() comes first.
 * Call wr_timers_any_authenticated_packet_sent() for it as well.
 */
void wr_timers_handshake_initiated(struct wr_timers *t, uint64_t now);

/**
 * We answered a valid initiation at @p now: our own initiations are rate limited for
 * REKEY_TIMEOUT as if we had sent one, since the initiator confirms our new keypair within a
 * round trip and an initiation of ours would only make a second handshake. Arms no retry: a lost
 * response is retransmitted by the initiator. As the kernel's wg_packet_send_handshake_response(),
 * call it before building the response, so that it holds even when answering then fails.
 */
void wr_timers_handshake_responded(struct wr_timers *t, uint64_t now);

/**
 * Lift the REKEY_TIMEOUT rate limit so that an initiation may go out at once: after the static
 * private key changed, no session exists until a handshake under the new key (the kernel's
 * wg_noise_expire_current_peer_keypairs() resets last_sent_handshake). Timers are untouched.
 */
void wr_timers_reset_handshake_rate_limit(struct wr_timers *t);

/**
 * The handshake completed (response consumed, or first data on the new responder keypair):
 * stops retrying, resets the retry count and the last-minute rekey flag, records @p now.
 */
void wr_timers_handshake_complete(struct wr_timers *t, uint64_t now);

/** A new keypair was installed: key material is zeroed 3 x REJECT_AFTER_TIME from @p now. */
void wr_timers_session_derived(struct wr_timers *t, uint64_t now);

/**
 * PersistentKeepalive set to @p interval_s (0 disables it). Enabling it from 0 makes a keepalive
 * due at once (the kernel sends one); changing a non-zero interval restarts it from @p now.
 */
void wr_timers_set_persistent_keepalive(struct wr_timers *t, uint64_t now, uint16_t interval_s);

/**
 * Fire every timer whose deadline is <= @p now and return the actions due (a bitmask of
 * enum wr_timers_action, 0 when none). Firing consumes the timer: polling again at the same
 * @p now returns 0 unless the engine's events re-armed something. The engine is expected to act
 * on the result and report the packets it sends through the event functions.
 */
unsigned wr_timers_poll(struct wr_timers *t, uint64_t now);

/** The earliest armed deadline, WR_TIMERS_NEVER when none: poll at that time, not before. */
uint64_t wr_timers_next_deadline(const struct wr_timers *t);

/**
 * May an initiation go out at @p now? False within REKEY_TIMEOUT of the previous initiation or
 * response (the kernel rate-limits wg_packet_send_handshake_initiation() so), unless
 * wr_timers_reset_handshake_rate_limit() came since.
 */
bool wr_timers_may_initiate(const struct wr_timers *t, uint64_t now);

/**
 * The receive path's last-minute rekey, once per handshake: true when
 * wr_timers_should_rekey_on_receive() holds and it has not yet answered true since the last
 * wr_timers_handshake_complete(). The engine then calls wr_timers_handshake_wanted() and tries an
 * initiation.
 */
bool wr_timers_take_lastminute_rekey(
	struct wr_timers *t, uint64_t created, bool we_are_initiator, uint64_t now);

/**
 * Should sending on a keypair created at @p created trigger a new handshake? True when its
 * sending @p counter > WR_REKEY_AFTER_MESSAGES, or when we were the initiator and the keypair is
 * at least WR_REKEY_AFTER_TIME old (the kernel's send.c keep_key_fresh()).
 */
bool wr_timers_should_rekey_on_send(
	uint64_t created, bool we_are_initiator, uint64_t counter, uint64_t now);

/**
 * Should receiving on a keypair created at @p created trigger a new handshake? True when we were
 * the initiator and it is at least WR_REKEY_AFTER_TIME_RECV (165 s) old (receive.c
 * keep_key_fresh()); the responder leaves rekeying to the initiator to avoid both starting one.
 */
bool wr_timers_should_rekey_on_receive(uint64_t created, bool we_are_initiator, uint64_t now);

/**
 * Is a keypair created at @p created with @p counter (next sending nonce, or greatest received)
 * unusable? True when at least WR_REJECT_AFTER_TIME old or @p counter >= WR_REJECT_AFTER_MESSAGES.
 */
bool wr_timers_keypair_expired(uint64_t created, uint64_t counter, uint64_t now);

#endif /* WR_TIMERS_H */
