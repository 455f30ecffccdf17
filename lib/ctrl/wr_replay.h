/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Anti-replay window for transport data counters (RFC 6479, as the kernel's counter.c).
 *
 * One window per keypair. The data plane checks a counter BEFORE decrypting (cheap reject of
 * replays and stale packets) and records it only AFTER the AEAD tag verified, so a forged packet
 * can never move the window:
 *
 *	if (!wr_replay_check(&kp->replay, ctr)) drop;
 *	if (!wr_aead_open(...)) drop;
 *	if (!wr_replay_update(&kp->replay, ctr)) drop;   (a duplicate raced in the same burst)
 *
 * Concurrency: single writer, no locks. Exactly one thread may call wr_replay_update() (and
 * init/reset) on a window; wr_replay_check() may be called from any thread at any time. It reads
 * without locking and may answer from a slightly stale window: it can then accept a counter that
 * wr_replay_update() will refuse (which is why update has the final word), but it never refuses
 * a counter that update would accept.
 */
#ifndef WR_REPLAY_H
#define WR_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "wr_messages.h"

#define WR_REPLAY_WORDS (WR_REPLAY_WINDOW_BITS / 64)

struct wr_replay {
	/* one more than the greatest counter accepted so far; 0 when nothing was accepted */
	uint64_t next;
	/* bit (c + 1) % WR_REPLAY_WINDOW_BITS is set when counter c was accepted */
	uint64_t backtrack[WR_REPLAY_WORDS];
};

/** Initialise @p r as a fresh window in which no counter has been seen. */
void
wr_replay_init(struct wr_replay *r);

/** Forget every counter seen (same as init; for a keypair slot being reused). */
void
wr_replay_reset(struct wr_replay *r);

/**
 * Would @p counter be accepted by wr_replay_update() now? Does not modify the window.
 * False when the counter was already seen, is older than the usable window
 * (WR_REPLAY_WINDOW_USABLE below the greatest accepted counter), or is
 * >= WR_REJECT_AFTER_MESSAGES.
 */
bool
wr_replay_check(const struct wr_replay *r, uint64_t counter);

/**
 * Accept and record @p counter. Returns false (window unchanged) for a replay, a counter too old
 * for the window, or one >= WR_REJECT_AFTER_MESSAGES. Call only after the packet authenticated.
 */
bool
wr_replay_update(struct wr_replay *r, uint64_t counter);

#endif /* WR_REPLAY_H */
