/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The unit tests' reproducible random numbers: xorshift64* from a seed the test prints, so a
 * failing randomized run can be repeated. Set rng_state to the seed (never 0) first.
 */
#ifndef WR_TEST_RNG_H
#define WR_TEST_RNG_H

#include <stdint.h>

static uint64_t rng_state;

static inline uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

#endif /* WR_TEST_RNG_H */
