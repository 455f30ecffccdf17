/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_crypto: ChaCha20-Poly1305 throughput on one core, side by side, in one run:
 * libsodium used directly, intel-ipsec-mb's job API used directly (AVX2, and AVX-512 where the CPU
 * has it), and wirerate's batch API (wr_aead_batch.h) on each backend this CPU supports. Reports
 * plaintext Gbit/s, Mpps and TSC cycles per byte, and per size and burst the ratio of the batch API
 * on the backend WR_AEAD_AUTO picks (the data plane's; WR_AEAD_BACKEND applies) to the best direct
 * use of the same code: intel-ipsec-mb's job API on the same architecture for an imb backend,
 * libsodium for the generic one. That is the batch layer's overhead; n/a where the direct use
 * could not run.
 *
 * Every implementation runs in short slices, interleaved, over several rounds; its best slice
 * counts. A slice during which another process had the core is run again (thread CPU time
 * against wall time tells), as the machine this runs on is shared.
 * Pin it: taskset -c 1 bench_crypto
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include <intel-ipsec-mb.h>
#include <sodium.h>

#include "wr_aead_batch.h"

#define MAX_BURST 32
#define NPKT 64 /* distinct buffers cycled through, so data is not always hot in L1 */
#define NKEYS 8
#define MAX_SIZE 9000
#define BUF_SIZE 9216 /* MAX_SIZE rounded up to 64, as aligned_alloc requires */

static const unsigned int sizes[] = { 64, 128, 512, 1420, 9000 };
static const unsigned int bursts[] = { 1, 32 };

enum impl_kind {
	SODIUM,
	DIRECT_JOB,     /* IMB_SUBMIT_JOB: the job API as documented, argument checks on */
	DIRECT_NOCHECK, /* IMB_SUBMIT_JOB_NOCHECK: the job API without the checks */
	BATCH,
};

struct impl {
	char name[32];
	enum impl_kind kind;
	/* the batch backend this is (BATCH), or whose code it runs directly (the others) */
	enum wr_aead_backend backend;
	IMB_MGR *mgr;            /* IMB_* */
	struct wr_aead_ctx *ctx; /* BATCH */
	bool batch;
};

struct result {
	double gbps, mpps, cpb;
	double on_cpu; /* share of the slice this thread was running */
};

#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
#define MAX_IMPL 16
#define MAX_TRIALS 101
#define MIN_ON_CPU 0.97
#define MAX_RETRY 10

static struct impl impls[MAX_IMPL];
static unsigned int nimpl;
/* [seal/open][size][burst 1/32] */
static struct result res[2][NSIZES][2][MAX_IMPL];
static double ratio[2][NSIZES][2];        /* < 0: n/a */
static enum wr_aead_backend auto_backend; /* what the ratio's batch side runs */
static unsigned long slices_total, slices_retried, slices_disturbed;

static uint8_t keys[NKEYS][32];
static uint8_t *src[NPKT], *dst[NPKT];
static uint8_t *src_mem[NPKT], *dst_mem[NPKT]; /* src and dst are --offset bytes into these */
static unsigned int data_offset;                 /* --offset */
static uint8_t tags[NPKT][16];
static uint8_t ivs[MAX_BURST][16];
static uint8_t out_tags[MAX_BURST][16];
static uint64_t counter;
static double tsc_hz;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* TSC ticks per second, against CLOCK_MONOTONIC over 200 ms. */
static double
calibrate_tsc(void)
{
	double t0, t1;
	uint64_t c0, c1;

	t0 = now_s();
	c0 = __rdtsc();
	do {
		t1 = now_s();
	} while (t1 - t0 < 0.2);
	c1 = __rdtsc();
	return (double)(c1 - c0) / (t1 - t0);
}

static void
nonce(uint8_t iv[12], uint64_t ctr)
{
	memset(iv, 0, 4);
	memcpy(iv + 4, &ctr, 8); /* x86: little-endian already */
}

static inline bool
tag_ok(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* ---- one burst per implementation; returns the number of packets that failed ---- */

static unsigned int
run_sodium(unsigned int first, unsigned int n, unsigned int len, bool seal)
{
	unsigned int i, bad = 0;
	uint8_t iv[12];

	for (i = 0; i < n; i++) {
		unsigned int p = (first + i) % NPKT;

		if (seal) {
			nonce(iv, counter++);
			crypto_aead_chacha20poly1305_ietf_encrypt_detached(dst[p], tags[p], NULL,
				src[p], len, NULL, 0, NULL, iv, keys[p % NKEYS]);
		} else {
			nonce(iv, p);
			bad += crypto_aead_chacha20poly1305_ietf_decrypt_detached(dst[p], NULL,
				       src[p], len, tags[p], NULL, 0, iv, keys[p % NKEYS]) != 0;
		}
	}
	return bad;
}

static unsigned int
check_imb_job(IMB_JOB *job, bool seal)
{
	if (job->status != IMB_STATUS_COMPLETED)
		return 1;
	if (seal)
		return 0;
	return !tag_ok(job->auth_tag_output, tags[(uintptr_t)job->user_data]);
}

static unsigned int
run_imb(struct impl *im, unsigned int first, unsigned int n, unsigned int len, bool seal)
{
	static const uint8_t no_aad[16];
	IMB_MGR *mgr = im->mgr;
	unsigned int i, bad = 0;
	IMB_JOB *job;

	for (i = 0; i < n; i++) {
		unsigned int p = (first + i) % NPKT;

		job = IMB_GET_NEXT_JOB(mgr);
		nonce(ivs[i], seal ? counter++ : p);
		job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
		job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
		job->cipher_direction = seal ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
		job->chain_order = seal ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
		job->enc_keys = keys[p % NKEYS];
		job->dec_keys = keys[p % NKEYS];
		job->key_len_in_bytes = IMB_KEY_256_BYTES;
		job->src = src[p];
		job->dst = dst[p];
		job->cipher_start_src_offset_in_bytes = 0;
		job->msg_len_to_cipher_in_bytes = len;
		job->hash_start_src_offset_in_bytes = 0;
		job->msg_len_to_hash_in_bytes = len;
		job->iv = ivs[i];
		job->iv_len_in_bytes = 12;
		job->auth_tag_output = seal ? tags[p] : out_tags[i];
		job->auth_tag_output_len_in_bytes = 16;
		job->u.CHACHA20_POLY1305.aad = no_aad;
		job->u.CHACHA20_POLY1305.aad_len_in_bytes = 0;
		job->user_data = (void *)(uintptr_t)p;
		if (im->kind == DIRECT_JOB)
			job = IMB_SUBMIT_JOB(mgr);
		else
			job = IMB_SUBMIT_JOB_NOCHECK(mgr);
		while (job != NULL) {
			bad += check_imb_job(job, seal);
			job = IMB_GET_COMPLETED_JOB(mgr);
		}
	}
	while ((job = IMB_FLUSH_JOB(mgr)) != NULL)
		bad += check_imb_job(job, seal);
	return bad;
}

static unsigned int
run_batch(struct impl *im, unsigned int first, unsigned int n, unsigned int len, bool seal)
{
	struct wr_aead_op ops[MAX_BURST];
	unsigned int i;

	for (i = 0; i < n; i++) {
		unsigned int p = (first + i) % NPKT;

		ops[i].key = keys[p % NKEYS];
		ops[i].counter = seal ? counter++ : p;
		ops[i].src = src[p];
		ops[i].dst = dst[p];
		ops[i].tag = tags[p];
		ops[i].len = len;
	}
	if (seal)
		return n - wr_aead_seal_burst(im->ctx, ops, n);
	return n - wr_aead_open_burst(im->ctx, ops, n);
}

static unsigned int
run_burst(struct impl *im, unsigned int first, unsigned int n, unsigned int len, bool seal)
{
	switch (im->kind) {
	case SODIUM:
		return run_sodium(first, n, len, seal);
	case DIRECT_JOB:
	case DIRECT_NOCHECK:
		return run_imb(im, first, n, len, seal);
	case BATCH:
		return run_batch(im, first, n, len, seal);
	}
	return n;
}

/* Fill the buffers with a valid ciphertext for counter = packet index, for the open runs. */
static void
prepare_open(unsigned int len)
{
	unsigned int p;
	uint8_t iv[12];

	for (p = 0; p < NPKT; p++) {
		wr_random(dst[p], len);
		nonce(iv, p);
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(
			src[p], tags[p], NULL, dst[p], len, NULL, 0, NULL, iv, keys[p % NKEYS]);
	}
}

/* Runs bursts for about @p slice seconds; returns the measured rates, or false on a failure. */
static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Runs bursts for about @p slice seconds, again (up to MAX_RETRY times) while another process
 * took the core for more than a few percent of the slice: such a slice measures the scheduler.
 * Returns the rates of the last slice, or false if a packet failed.
 */
static bool
measure(struct impl *im, unsigned int len, unsigned int burst, bool seal, double slice,
	struct result *r)
{
	uint64_t pkts, c0, c1;
	unsigned int first = 0, bad = 0, i, attempt;
	double t0, t1, cpu0;

	/* Warm up: the first bursts fill the caches and the branch predictors. */
	for (i = 0; i < 4; i++)
		bad += run_burst(im, i * burst, burst, len, seal);
	for (attempt = 0;; attempt++) {
		pkts = 0;
		cpu0 = cpu_s();
		t0 = now_s();
		c0 = __rdtsc();
		do {
			for (i = 0; i < 16; i++) {
				bad += run_burst(im, first, burst, len, seal);
				first = (first + burst) % NPKT;
				pkts += burst;
			}
			t1 = now_s();
		} while (t1 - t0 < slice);
		c1 = __rdtsc();
		r->on_cpu = (cpu_s() - cpu0) / (t1 - t0);
		if (r->on_cpu >= MIN_ON_CPU || attempt == MAX_RETRY)
			break;
		slices_retried++;
	}
	slices_total++;
	slices_disturbed += r->on_cpu < MIN_ON_CPU;
	if (bad != 0) {
		fprintf(stderr, "%s: %u packets failed (%s, %u bytes)\n", im->name, bad,
			seal ? "seal" : "open", len);
		return false;
	}
	r->mpps = (double)pkts / (t1 - t0) / 1e6;
	r->gbps = (double)pkts * len * 8 / (t1 - t0) / 1e9;
	r->cpb = (double)(c1 - c0) / ((double)pkts * len);
	return true;
}

static void
add_impl(const char *name, enum impl_kind kind, enum wr_aead_backend backend, IMB_MGR *mgr,
	struct wr_aead_ctx *ctx)
{
	struct impl *im = &impls[nimpl++];

	snprintf(im->name, sizeof(im->name), "%s", name);
	im->kind = kind;
	im->backend = backend;
	im->mgr = mgr;
	im->ctx = ctx;
	im->batch = kind == BATCH;
}

static int
setup_impls(void)
{
	static const struct {
		const char *arch;
		void (*init)(IMB_MGR *);
		enum wr_aead_backend backend;
	} archs[] = {
		{ "avx2", init_mb_mgr_avx2, WR_AEAD_IMB_AVX2 },
		{ "avx512", init_mb_mgr_avx512, WR_AEAD_IMB_AVX512 },
	};
	char name[32];
	unsigned int a, b;

	add_impl("libsodium", SODIUM, WR_AEAD_GENERIC, NULL, NULL);
	for (a = 0; a < sizeof(archs) / sizeof(archs[0]); a++) {
		IMB_MGR *job_mgr, *nocheck_mgr;

		/* the backend's probe: the CPU's flags and the OS's saving of the vector state */
		if (!wr_aead_backend_supported(archs[a].backend))
			continue;
		job_mgr = alloc_mb_mgr(0);
		nocheck_mgr = alloc_mb_mgr(0);
		if (job_mgr == NULL || nocheck_mgr == NULL)
			return -ENOMEM;
		archs[a].init(job_mgr);
		archs[a].init(nocheck_mgr);
		if (imb_get_errno(job_mgr) != 0 || imb_get_errno(nocheck_mgr) != 0) {
			free_mb_mgr(job_mgr);
			free_mb_mgr(nocheck_mgr);
			continue;
		}
		snprintf(name, sizeof(name), "imb-%s job", archs[a].arch);
		add_impl(name, DIRECT_JOB, archs[a].backend, job_mgr, NULL);
		snprintf(name, sizeof(name), "imb-%s job-nocheck", archs[a].arch);
		add_impl(name, DIRECT_NOCHECK, archs[a].backend, nocheck_mgr, NULL);
	}
	for (b = WR_AEAD_GENERIC; b < WR_AEAD_BACKEND_COUNT; b++) {
		struct wr_aead_ctx *ctx;

		if (!wr_aead_backend_supported(b))
			continue;
		ctx = wr_aead_ctx_create(b);
		if (ctx == NULL)
			return -errno;
		snprintf(name, sizeof(name), "batch %s", wr_aead_backend_name(b));
		add_impl(name, BATCH, b, NULL, ctx);
	}
	auto_backend = wr_aead_backend_default();
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * One cell (direction, size, burst): @p trials rounds, each running every implementation for one
 * slice, starting from a different one each round. An implementation's rate is its best slice; the
 * ratio is the median over rounds of (batch on auto_backend / best direct use of the same code)
 * within the round, so that a moment of contention, which hits neighbouring slices alike, does
 * not move it; -1 (n/a) when either side did not run.
 */
static bool
measure_cell(unsigned int d, unsigned int s, unsigned int b, unsigned int trials, double slice)
{
	double ratios[MAX_TRIALS];
	unsigned int t, k, i, n = 0;

	memset(res[d][s][b], 0, sizeof(res[d][s][b]));
	for (t = 0; t < trials; t++) {
		double batch = 0, direct = 0;

		for (k = 0; k < nimpl; k++) {
			struct result r;

			i = (k + t) % nimpl;
			if (!measure(&impls[i], sizes[s], bursts[b], d == 0, slice, &r))
				return false;
			if (r.gbps > res[d][s][b][i].gbps)
				res[d][s][b][i] = r;
			if (impls[i].backend != auto_backend)
				continue;
			if (impls[i].batch)
				batch = r.gbps;
			else if (r.gbps > direct)
				direct = r.gbps;
		}
		if (batch > 0 && direct > 0)
			ratios[n++] = batch / direct;
	}
	qsort(ratios, n, sizeof(ratios[0]), cmp_double);
	if (n == 0)
		ratio[d][s][b] = -1;
	else
		ratio[d][s][b] = n % 2 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
	return true;
}

/* The direct use the ratio's batch side is compared with. */
static const char *
direct_name(void)
{
	return auto_backend == WR_AEAD_GENERIC ? "libsodium" : "imb job API";
}

/* A ratio for the table: n/a when there is none. */
static const char *
ratio_str(char *buf, size_t len, double v)
{
	if (v < 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.3f", v);
	return buf;
}

static const char *const dir_name[2] = { "seal", "open" };

static void
print_table(const bool dir_on[2], unsigned int trials, double slice)
{
	const char *label = "ratio auto batch/direct";
	unsigned int d, s, i;

	printf("ChaCha20-Poly1305 on one core; TSC %.3f GHz; best of %u slices of %.0f ms; data "
	       "%u bytes past a cache line's start\n",
		tsc_hz / 1e9, trials, slice * 1000, data_offset);
	printf("c/B: TSC cycles per plaintext byte. ratio: the batch API on the backend auto\n"
	       "picks (%s) / the best direct use of the same code (%s), measured back to back,\n"
	       "median over the %u rounds; n/a where the direct use did not run\n",
		wr_aead_backend_name(auto_backend), direct_name(), trials);
	printf("%lu slices; %lu rerun because another process had the core >%.0f%% of the time; "
	       "%lu still disturbed\n",
		slices_total, slices_retried, (1 - MIN_ON_CPU) * 100, slices_disturbed);
	for (d = 0; d < 2; d++) {
		if (!dir_on[d])
			continue;
		printf("\n%-4s %5s  %-24s %9s %8s %7s   %9s %8s %7s\n", dir_name[d], "bytes",
			"implementation", "b1 Gbit/s", "Mpps", "c/B", "b32 Gbit/s", "Mpps", "c/B");
		for (s = 0; s < NSIZES; s++) {
			char r1[16], r32[16];

			for (i = 0; i < nimpl; i++) {
				const struct result *x1 = &res[d][s][0][i], *x32 = &res[d][s][1][i];

				printf("%-4s %5u  %-24s %9.2f %8.3f %7.2f   %9.2f %8.3f %7.2f\n",
					"", sizes[s], impls[i].name, x1->gbps, x1->mpps, x1->cpb,
					x32->gbps, x32->mpps, x32->cpb);
			}
			printf("%-4s %5u  %-24s %9s %17s %9s\n", "", sizes[s], label,
				ratio_str(r1, sizeof(r1), ratio[d][s][0]), "",
				ratio_str(r32, sizeof(r32), ratio[d][s][1]));
		}
	}
}

static void
print_json(const bool dir_on[2])
{
	const char *sep = "";
	unsigned int d, s, b, i;

	printf("{\"tsc_ghz\": %.3f, \"offset\": %u, \"slices\": %lu, \"slices_rerun\": %lu, "
	       "\"slices_disturbed\": %lu, \"auto_backend\": \"%s\", \"direct\": \"%s\", "
	       "\"results\": [",
		tsc_hz / 1e9, data_offset, slices_total, slices_retried, slices_disturbed,
		wr_aead_backend_name(auto_backend), direct_name());
	for (d = 0; d < 2; d++) {
		for (s = 0; d < 2 && dir_on[d] && s < NSIZES; s++) {
			for (b = 0; b < 2; b++) {
				for (i = 0; i < nimpl; i++) {
					const struct result *r = &res[d][s][b][i];

					printf("%s\n  {\"dir\": \"%s\", \"impl\": \"%s\", "
					       "\"bytes\": %u, \"burst\": %u, \"gbps\": %.3f, "
					       "\"mpps\": %.4f, \"cycles_per_byte\": %.3f}",
						sep, dir_name[d], impls[i].name, sizes[s],
						bursts[b], r->gbps, r->mpps, r->cpb);
					sep = ",";
				}
			}
		}
	}
	printf("\n], \"ratios\": [");
	sep = "";
	for (d = 0; d < 2; d++) {
		for (s = 0; dir_on[d] && s < NSIZES; s++) {
			for (b = 0; b < 2; b++) {
				char v[16];

				if (ratio[d][s][b] < 0)
					snprintf(v, sizeof(v), "null");
				else
					snprintf(v, sizeof(v), "%.3f", ratio[d][s][b]);
				printf("%s\n  {\"dir\": \"%s\", \"bytes\": %u, \"burst\": %u, "
				       "\"batch_over_direct\": %s}",
					sep, dir_name[d], sizes[s], bursts[b], v);
				sep = ",";
			}
		}
	}
	printf("\n]}\n");
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: bench_crypto [--json] [--quick] [--slice MS] [--trials N] "
		"[--dir seal|open|both] [--offset N]\n"
		"ChaCha20-Poly1305 on one core: libsodium and intel-ipsec-mb used directly, and\n"
		"wirerate's batch API on every supported backend, at %u..%u bytes, bursts of 1 and "
		"32.\n"
		"Ratio: the batch API on the backend auto picks (WR_AEAD_BACKEND applies) over\n"
		"the best direct use of the same code (imb job API, or libsodium for generic).\n"
		"  --json       machine-readable output\n"
		"  --quick      a short smoke run (5 ms slices, 1 round)\n"
		"  --slice MS   length of one measurement slice (default 20)\n"
		"  --trials N   rounds per cell, each implementation one slice per round (default "
		"11,\n"
		"               at most %u); rates: the best slice; ratio: the median round\n"
		"  --dir D      seal, open or both (default both)\n"
		"  --offset N   data N bytes (0-63) past a cache line's start (default 0); a\n"
		"               WireGuard message's ciphertext in a frame at DPDK's default\n"
		"               headroom is 58 bytes in (IPv4), a plaintext inner packet 14\n"
		"  --help       this text\n"
		"Pin it to one core, e.g. taskset -c 1 bench_crypto.\n",
		sizes[0], sizes[NSIZES - 1], MAX_TRIALS);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quick", no_argument, NULL, 'q' },
		{ "slice", required_argument, NULL, 's' },
		{ "trials", required_argument, NULL, 't' },
		{ "dir", required_argument, NULL, 'd' },
		{ "offset", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, dir_on[2] = { true, true };
	double slice = 0.02;
	unsigned int trials = 11, d, s, b, i, p;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'q':
			slice = 0.005;
			trials = 1;
			break;
		case 's':
			slice = atof(optarg) / 1000.0;
			break;
		case 't':
			trials = (unsigned int)atoi(optarg);
			break;
		case 'd':
			dir_on[0] = strcmp(optarg, "open") != 0;
			dir_on[1] = strcmp(optarg, "seal") != 0;
			if (strcmp(optarg, "seal") && strcmp(optarg, "open") &&
				strcmp(optarg, "both")) {
				usage(stderr);
				return 2;
			}
			break;
		case 'o': {
			unsigned long v = strtoul(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || v > 63 || strchr(optarg, '-')) {
				fprintf(stderr, "bench_crypto: --offset '%s': expected 0 to 63\n",
					optarg);
				return 2;
			}
			data_offset = (unsigned int)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || slice <= 0 || trials == 0 || trials > MAX_TRIALS) {
		usage(stderr);
		return 2;
	}
	if (wr_crypto_init() != 0 || setup_impls() != 0) {
		fprintf(stderr, "bench_crypto: setup failed\n");
		return 1;
	}
	for (p = 0; p < NPKT; p++) {
		src_mem[p] = aligned_alloc(64, BUF_SIZE + 64);
		dst_mem[p] = aligned_alloc(64, BUF_SIZE + 64);
		if (src_mem[p] == NULL || dst_mem[p] == NULL)
			return 1;
		/* Fault every page in now, not inside the first measurement. */
		wr_random(src_mem[p], BUF_SIZE + 64);
		memset(dst_mem[p], 0, BUF_SIZE + 64);
		src[p] = src_mem[p] + data_offset;
		dst[p] = dst_mem[p] + data_offset;
	}
	wr_random(keys, sizeof(keys));
	tsc_hz = calibrate_tsc();

	for (d = 0; d < 2; d++) {
		if (!dir_on[d])
			continue;
		for (s = 0; s < NSIZES; s++) {
			if (d == 1)
				prepare_open(sizes[s]);
			else
				for (p = 0; p < NPKT; p++)
					wr_random(src[p], sizes[s]);
			for (b = 0; b < 2; b++)
				if (!measure_cell(d, s, b, trials, slice))
					return 1;
		}
	}

	if (json)
		print_json(dir_on);
	else
		print_table(dir_on, trials, slice);

	for (i = 0; i < nimpl; i++) {
		if (impls[i].mgr != NULL)
			free_mb_mgr(impls[i].mgr);
		wr_aead_ctx_free(impls[i].ctx);
	}
	for (p = 0; p < NPKT; p++) {
		free(src_mem[p]);
		free(dst_mem[p]);
	}
	return 0;
}
