/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The unit tests' one checking macro: CHECK(cond, fmt, ...) counts a check, and on failure
 * counts a failure and prints where and why. A test's main() ends with
 * `return failures ? 1 : 0;` after printing the two counters.
 */
#ifndef WR_TEST_H
#define WR_TEST_H

#include <stdio.h>

static unsigned int failures;
static unsigned int checks;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

#endif /* WR_TEST_H */
