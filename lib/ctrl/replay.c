/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Anti-replay window, RFC 6479: a ring of 64-bit words; the window slides by whole words, so a
 * jump ahead only clears the words it skips. Semantics match the kernel's counter.c.
 */
#include <string.h>

#include "wr_replay.h"

#define WORD_BITS 64
#define WORD_SHIFT 6
#define WORD_MASK (WR_REPLAY_WORDS - 1)

_Static_assert((WR_REPLAY_WORDS & (WR_REPLAY_WORDS - 1)) == 0, "window words must be 2^n");

void
wr_replay_init(struct wr_replay *r)
{
	memset(r, 0, sizeof(*r));
}

void
wr_replay_reset(struct wr_replay *r)
{
	wr_replay_init(r);
}

bool
wr_replay_check(const struct wr_replay *r, uint64_t counter)
{
	uint64_t next = __atomic_load_n(&r->next, __ATOMIC_ACQUIRE);
	uint64_t word;

	if (counter >= WR_REJECT_AFTER_MESSAGES)
		return false;
	/* bit positions are counter + 1, as the kernel's, so that 0 means "nothing seen" */
	counter++;
	if (counter + WR_REPLAY_WINDOW_USABLE < next)
		return false;
	if (counter > next)
		return true;
	word = __atomic_load_n(
		&r->backtrack[(counter >> WORD_SHIFT) & WORD_MASK], __ATOMIC_RELAXED);
	return !(word & (1ULL << (counter & (WORD_BITS - 1))));
}

bool
wr_replay_update(struct wr_replay *r, uint64_t counter)
{
	uint64_t index, cur, top, i, bit, word, *slot;

	if (counter >= WR_REJECT_AFTER_MESSAGES)
		return false;
	counter++;
	if (counter + WR_REPLAY_WINDOW_USABLE < r->next)
		return false;

	index = counter >> WORD_SHIFT;
	if (counter > r->next) {
		/* slide: clear the words between the old top and the new one, at most the ring */
		cur = r->next >> WORD_SHIFT;
		top = index - cur;
		if (top > WR_REPLAY_WORDS)
			top = WR_REPLAY_WORDS;
		for (i = 1; i <= top; i++)
			__atomic_store_n(&r->backtrack[(cur + i) & WORD_MASK], 0, __ATOMIC_RELAXED);
		/* release: a reader that sees the new top also sees the words cleared for it */
		__atomic_store_n(&r->next, counter, __ATOMIC_RELEASE);
	}

	slot = &r->backtrack[index & WORD_MASK];
	bit = 1ULL << (counter & (WORD_BITS - 1));
	word = *slot;
	if (word & bit)
		return false;
	__atomic_store_n(slot, word | bit, __ATOMIC_RELAXED);
	return true;
}
