/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replay window: the kernel's counter selftest cases (window edges, bitmap wrap, far jumps,
 * duplicates, the REJECT_AFTER_MESSAGES limit), then a randomized comparison against a naive
 * reference that remembers every counter it accepted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wr_replay.h"
#include "wr_test_rng.h"

#define WIN WR_REPLAY_WINDOW_USABLE
#define LIM (WIN + 1)
#define REJ WR_REJECT_AFTER_MESSAGES

static unsigned int failures;
static unsigned int checks;

/* check() must predict update() exactly, and must not change the window. */
static void
expect(struct wr_replay *r, uint64_t n, bool want, const char *where, unsigned int line)
{
	struct wr_replay before = *r;
	bool c = wr_replay_check(r, n);
	bool u;

	checks++;
	if (memcmp(&before, r, sizeof(before)) != 0) {
		printf("FAIL %s:%u: check(%" PRIu64 ") modified the window\n", where, line, n);
		failures++;
	}
	u = wr_replay_update(r, n);
	if (c != want || u != want) {
		printf("FAIL %s:%u: counter %" PRIu64 ": check %d update %d, want %d\n", where,
			line, n, c, u, want);
		failures++;
	}
	if (!u && memcmp(&before, r, sizeof(before)) != 0) {
		printf("FAIL %s:%u: rejected update(%" PRIu64 ") modified the window\n", where,
			line, n);
		failures++;
	}
}

#define T(n, v) expect(&r, (n), (v), "kernel table", __LINE__)

static void
test_kernel_table(void)
{
	struct wr_replay r;
	uint64_t i;

	printf("replay: kernel counter selftest sequence (window %u usable)\n", WIN);
	wr_replay_init(&r);
	T(0, true);
	T(1, true);
	T(1, false);
	T(9, true);
	T(8, true);
	T(7, true);
	T(7, false);
	T(LIM, true); /* top edge moves the window */
	T(LIM - 1, true);
	T(LIM - 1, false);
	T(LIM - 2, true);
	T(2, true); /* WIN - 1 below the top: still inside */
	T(2, false);
	T(LIM + 16, true);
	T(3, false); /* fell out of the window */
	T(LIM + 16, false);
	T(LIM * 4, true); /* far jump: the whole bitmap wraps */
	T(LIM * 4 - (LIM - 1), true);
	T(10, false);
	T(LIM * 4 - LIM, false);
	T(LIM * 4 - (LIM + 1), false);
	T(LIM * 4 - (LIM - 2), true);
	T(LIM * 4 + 1 - LIM, false);
	T(0, false);
	T(REJ, false); /* at or beyond REJECT_AFTER_MESSAGES: never */
	T(REJ - 1, true);
	T(REJ, false);
	T(REJ - 1, false);
	T(REJ - 2, true);
	T(REJ + 1, false);
	T(REJ + 2, false);
	T(REJ - 2, false);
	T(REJ - 3, true);
	T(0, false);
	T(UINT64_MAX, false);

	printf("replay: ascending fill of the whole window, then 0\n");
	wr_replay_init(&r);
	for (i = 1; i <= WIN; i++)
		T(i, true);
	T(0, true);
	T(0, false);

	printf("replay: ascending from 2 to WIN+1, then 1 at the bottom edge, 0 outside\n");
	wr_replay_init(&r);
	for (i = 2; i <= WIN + 1; i++)
		T(i, true);
	T(1, true);
	T(0, false);

	printf("replay: descending fill from WIN to 0\n");
	wr_replay_init(&r);
	for (i = WIN + 1; i-- > 0;)
		T(i, true);

	printf("replay: descending fill from WIN+1 to 1, then 0 outside\n");
	wr_replay_init(&r);
	for (i = WIN + 2; i-- > 1;)
		T(i, true);
	T(0, false);

	printf("replay: descending from WIN to 1, then WIN+1 pushes 0 out\n");
	wr_replay_init(&r);
	for (i = WIN + 1; i-- > 1;)
		T(i, true);
	T(WIN + 1, true);
	T(0, false);

	printf("replay: descending from WIN to 1, then 0, then WIN+1\n");
	wr_replay_init(&r);
	for (i = WIN + 1; i-- > 1;)
		T(i, true);
	T(0, true);
	T(WIN + 1, true);

	printf("replay: reset forgets everything\n");
	T(5, false);
	wr_replay_reset(&r);
	T(5, true);
	T(0, true);
	T(5, false);

	printf("replay: jumps of exactly one word / whole ring keep stale bits out\n");
	wr_replay_init(&r);
	for (i = 0; i < 64; i++)
		T(i, true);
	T(WR_REPLAY_WINDOW_BITS, true); /* same ring slot as counter 0's word */
	T(WR_REPLAY_WINDOW_BITS - 1, true);
	T(WR_REPLAY_WINDOW_BITS + 63, true);
	T(WR_REPLAY_WINDOW_BITS * 2 - 1, true);        /* pos 2*BITS: same slot as pos 0 */
	T(WR_REPLAY_WINDOW_BITS * 2 - 1 - WIN, false); /* = BITS + 63, seen, at the edge */
	T(WR_REPLAY_WINDOW_BITS * 2 - WIN, true);
	T(WR_REPLAY_WINDOW_BITS * 2 - 2 - WIN, false);
}

#undef T

/* ---- naive reference: every accepted counter in a set, plus the maximum ---- */

struct ref {
	uint64_t *slots; /* open addressing, 0 = empty, stores counter + 1 */
	size_t cap, n;
	bool any;
	uint64_t max;
};

static size_t
ref_hash(uint64_t v, size_t cap)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (size_t)v & (cap - 1);
}

static bool
ref_has(const struct ref *s, uint64_t c)
{
	size_t i;

	for (i = ref_hash(c, s->cap); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == c + 1)
			return true;
	return false;
}

static void
ref_add(struct ref *s, uint64_t c)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct ref big = { calloc(s->cap * 2, sizeof(uint64_t)), s->cap * 2, 0, s->any,
			s->max };

		if (!big.slots)
			abort();
		for (i = 0; i < s->cap; i++)
			if (s->slots[i])
				ref_add(&big, s->slots[i] - 1);
		free(s->slots);
		*s = big;
	}
	for (i = ref_hash(c, s->cap); s->slots[i]; i = (i + 1) & (s->cap - 1))
		;
	s->slots[i] = c + 1;
	s->n++;
}

static bool
ref_accept(struct ref *s, uint64_t c)
{
	if (c >= REJ || ref_has(s, c))
		return false;
	/* the spec: anything more than WIN below the greatest accepted counter is too old */
	if (s->any && c < s->max && s->max - c > WIN)
		return false;
	ref_add(s, c);
	if (!s->any || c > s->max)
		s->max = c;
	s->any = true;
	return true;
}

static void
test_random(uint64_t seed)
{
	static const uint64_t bases[] = { 0, 1ULL << 32, REJ - 200000 };
	unsigned int b, i, mismatches = 0, accepted = 0;

	for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		struct ref ref = { calloc(1024, sizeof(uint64_t)), 1024, 0, false, 0 };
		struct wr_replay r;
		uint64_t cur = bases[b];

		if (!ref.slots)
			abort();
		rng_state = seed + b * 0x9e3779b97f4a7c15ULL;
		if (!rng_state)
			rng_state = 1;
		wr_replay_init(&r);
		for (i = 0; i < 400000; i++) {
			uint64_t x = rnd(), c;
			bool want, chk, got;

			/* mostly near the top (reordering), some duplicates, some jumps */
			switch (x % 16) {
			case 0:
				c = cur + (rnd() % (3 * WR_REPLAY_WINDOW_BITS)); /* far ahead */
				break;
			case 1: /* anywhere up to two rings below the top */
				c = cur >= 2 * WR_REPLAY_WINDOW_BITS
					    ? cur - rnd() % (2 * WR_REPLAY_WINDOW_BITS)
					    : rnd() % (cur + 1);
				break;
			case 2:
				c = cur >= WIN ? cur - WIN + (rnd() % 3) - 1 : cur; /* exact edge */
				break;
			case 3:
				c = cur; /* duplicate of the top */
				break;
			default:
				c = cur + (rnd() % 200) - (cur >= 100 ? 100 : 0);
				break;
			}
			/* the hard limit, only in the last run: the window stays stuck there after
			 */
			if (bases[b] > REJ / 2 && x % 4096 == 5)
				c = REJ - 1 - (rnd() % 3) + (rnd() % 5); /* the hard limit */
			chk = wr_replay_check(&r, c);
			got = wr_replay_update(&r, c);
			want = ref_accept(&ref, c);
			if (got != want || chk != want) {
				if (mismatches++ < 10)
					printf("FAIL random base %u step %u: counter %" PRIu64
					       " check %d update %d, reference %d\n",
						b, i, c, chk, got, want);
			}
			accepted += want;
			/* the sender's stream moves on; a far jump that was accepted drags it along
			 */
			if (cur < REJ - 1000)
				cur += rnd() % 3;
			if (want && c > cur && c < REJ - 1000)
				cur = c;
		}
		free(ref.slots);
		checks += i;
	}
	printf("replay: randomized vs naive reference, 3 x 400000 counters, %u accepted, %u "
	       "mismatches\n",
		accepted, mismatches);
	failures += mismatches;
}

int
main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL);

	test_kernel_table();
	printf("replay: random seed %" PRIu64 " (pass it as argv[1] to reproduce)\n", seed);
	test_random(seed);
	if (failures) {
		printf("replay: %u FAILURES\n", failures);
		return 1;
	}
	printf("replay: all %u checks passed\n", checks);
	return 0;
}
