/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_blake2s: BLAKE2s per 64-byte block on each backend this CPU supports, and what the
 * handshake calls on top of it (a one-block hash, HMAC-BLAKE2s, KDF_1..3), beside libsodium's
 * BLAKE2b (crypto_generichash) per byte as a reference, all in one run.
 *
 * Each figure is the best of several short slices of thread CPU time, as the machine this runs on
 * is shared. Every call's output feeds the next call's input, so nothing can be optimised away.
 * The result is the ratio per backend: BLAKE2b's time over BLAKE2s's on the same input (4 KiB, and
 * one 64-byte call), BLAKE2b measured just before the backend (above 1: BLAKE2s is faster).
 * Pin it: taskset -c 1 bench_blake2s [slices, default 15]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "wr_crypto.h"
#if __has_include("blake2s_impl.h")
#include "blake2s_impl.h"
#define HAVE_IMPL 1
#endif

#define LONG_LEN 4096 /* 64 BLAKE2s blocks, 32 BLAKE2b blocks */
#define SLICE_NS 2000000.0

enum op { B2S_LONG, B2S_64, B2S_32, HMAC, KDF1, KDF2, KDF3, B2B_LONG, B2B_64, NOPS };

static const char *const op_names[NOPS] = {
	[B2S_LONG] = "blake2s 4 KiB",
	[B2S_64] = "blake2s 64 B",
	[B2S_32] = "blake2s 32 B",
	[HMAC] = "hmac 32 B",
	[KDF1] = "kdf1 32 B",
	[KDF2] = "kdf2 32 B",
	[KDF3] = "kdf3 32 B",
	[B2B_LONG] = "blake2b 4 KiB",
	[B2B_64] = "blake2b 64 B",
};

static uint8_t msg[LONG_LEN];
static uint8_t ck[32];

static double
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void
run_op(enum op op, unsigned int n)
{
	uint8_t t[3][32];
	unsigned int i;

	for (i = 0; i < n; i++) {
		switch (op) {
		case B2S_LONG:
			wr_blake2s(msg, 32, msg, LONG_LEN, NULL, 0);
			break;
		case B2S_64:
			wr_blake2s(msg, 32, msg, 64, NULL, 0);
			break;
		case B2S_32:
			wr_blake2s(msg, 32, msg, 32, NULL, 0);
			break;
		case HMAC:
			wr_hmac_blake2s(msg, ck, 32, msg, 32);
			break;
		case KDF1:
			wr_kdf(ck, NULL, NULL, ck, msg, 32);
			break;
		case KDF2:
			wr_kdf(ck, t[1], NULL, ck, msg, 32);
			msg[0] ^= t[1][0];
			break;
		case KDF3:
			wr_kdf(ck, t[1], t[2], ck, msg, 32);
			msg[0] ^= t[2][0];
			break;
		case B2B_LONG:
			crypto_generichash(msg, 32, msg, LONG_LEN, NULL, 0);
			break;
		case B2B_64:
			crypto_generichash(msg, 32, msg, 64, NULL, 0);
			break;
		case NOPS:
			break;
		}
	}
}

/* nanoseconds per call: the best of @p slices slices of about SLICE_NS each */
static double
measure(enum op op, unsigned int slices)
{
	double best = 1e30, t0, t;
	unsigned int n = 16, k;

	/* size the slice */
	for (;;) {
		t0 = cpu_ns();
		run_op(op, n);
		t = cpu_ns() - t0;
		if (t > SLICE_NS / 4)
			break;
		n *= 2;
	}
	n = (unsigned int)(n * (SLICE_NS / t)) + 1;
	for (k = 0; k < slices; k++) {
		t0 = cpu_ns();
		run_op(op, n);
		t = (cpu_ns() - t0) / n;
		if (t < best)
			best = t;
	}
	return best;
}

/* One backend's figures, and its ratios to BLAKE2b measured just before it; keeps in @p b2b the
 * best BLAKE2b times seen so far. */
static void
print_blake2s(const char *name, unsigned int slices, double b2b[2])
{
	double ns[NOPS];
	enum op op;

	ns[B2B_LONG] = measure(B2B_LONG, slices);
	ns[B2B_64] = measure(B2B_64, slices);
	if (ns[B2B_LONG] < b2b[0])
		b2b[0] = ns[B2B_LONG];
	if (ns[B2B_64] < b2b[1])
		b2b[1] = ns[B2B_64];
	for (op = B2S_LONG; op <= KDF3; op++)
		ns[op] = measure(op, slices);
	printf("%-8s %8.1f ns/block %6.2f ns/B", name, ns[B2S_LONG] / (LONG_LEN / 64.0),
		ns[B2S_LONG] / LONG_LEN);
	for (op = B2S_64; op <= KDF3; op++)
		printf("  %s %6.0f ns", op_names[op], ns[op]);
	printf("  ratio blake2b/blake2s: 4 KiB %.2f, 64 B %.2f\n", ns[B2B_LONG] / ns[B2S_LONG],
		ns[B2B_64] / ns[B2S_64]);
}

int
main(int argc, char **argv)
{
	unsigned int slices = argc > 1 ? (unsigned int)atoi(argv[1]) : 15;
	double b2b[2] = { 1e30, 1e30 }; /* 4 KiB, 64 B */

	if (slices < 1) {
		fprintf(stderr, "usage: %s [slices]\n", argv[0]);
		return 2;
	}
	if (wr_crypto_init())
		return 1;
	randombytes_buf(msg, sizeof(msg));
	randombytes_buf(ck, sizeof(ck));
	printf("best of %u slices, thread CPU time, one core\n", slices);
#ifdef HAVE_IMPL
	{
		enum wr_blake2s_impl impl, chosen = wr_blake2s_impl_get();

		printf("default backend: %s\n", wr_blake2s_impl_name(chosen));
		for (impl = 0; impl < WR_BLAKE2S_IMPL_COUNT; impl++) {
			if (wr_blake2s_impl_set(impl) != 0) {
				printf("%-8s not supported here\n", wr_blake2s_impl_name(impl));
				continue;
			}
			print_blake2s(wr_blake2s_impl_name(impl), slices, b2b);
		}
		wr_blake2s_impl_set(chosen);
	}
#else
	print_blake2s("built-in", slices, b2b);
#endif
	printf("%-8s %8.1f ns/128B %5.2f ns/B  %s %6.0f ns  (libsodium crypto_generichash, the "
	       "reference; best of all its slices)\n",
		"blake2b", b2b[0] / (LONG_LEN / 128.0), b2b[0] / LONG_LEN, op_names[B2B_64],
		b2b[1]);
	return 0;
}
