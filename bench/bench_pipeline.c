/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_pipeline: the data plane's throughput, beside the raw batch AEAD of the same run.
 *
 * The gateway is assembled as app/main.c does it (a configuration string, wr_dp_create(),
 * wr_dp_plan(), wr_control_create()) on two net_ring ports made with rte_eth_from_rings(): one RX
 * ring (the generator's way in) and two TX rings (the worker's queue and the control lcore's) per
 * port, so that the worker's real RX/TX path runs. Lcore 1 runs the real worker loop,
 * wr_dp_worker_main(); lcore 0 is the control lcore (wr_dp_poll(), wr_control_poll()) and the
 * generator, which also plays the wire: it answers ARP for the stations behind both ports and
 * carries UDP between the gateway and a second protocol engine, the remote peer. The handshake
 * runs in process through the rings, started by the gateway for a LAN packet (held, then flushed),
 * so that the keypair reaches the worker's keytable exactly as in production (all of that is
 * bench_pipeline_wire.c's; this file measures).
 *
 * Then, per size (inner IP packet bytes) and repetition: with the worker stopped, the raw
 * wr_aead_open_burst()/wr_aead_seal_burst() rate of that size on lcore 1 (bursts of 32, default
 * backend); then the worker restarted and
 *   - decrypt: a round of data messages sealed with the remote's keys (fresh counters each
 *     round, outside the timed region) pushed into the WAN port's RX ring; what the worker sends
 *     out of the LAN port is counted;
 *   - encrypt: a round of LAN packets to an address in the peer's AllowedIPs; the sealed
 *     messages out of the WAN port are counted.
 * Costs are CPU time of the worker's thread (raw: of the thread on lcore 1 too) per packet, in TSC
 * cycles, from the push to the last packet out: on a shared machine what other processes take of
 * the core is not the worker's. Each measurement is the best of a few (raw slices, rounds);
 * the table shows the median over the repetitions, the ratio the median of the per-repetition
 * ratios. Every packet out is checked after its round: count, headers, order, content (decrypt)
 * or counters and a sample opened with the remote's keys (encrypt).
 *
 * The machine this runs on is shared and noisy: the absolute numbers are indicative, the ratio
 * pipeline/raw (per repetition, median) is the result.
 *
 *	bench_pipeline [--quick] [--json] [--reps N] [--packets N] [--size N] [--no-udp-csum]
 *		[--no-raw]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "bench_pipeline.h"
#include "gw.h"
#include "wr_crypto.h"
#include "wr_data.h"

static const unsigned int sizes[NSIZES] = { 64, 512, 1420 };
static const char *const dir_names[NDIRS] = { "decrypt", "encrypt" };

struct bench B;

static uint64_t
clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* TSC cycles in @p ns of CPU time: per-packet costs in the unit of the TSC */
static double
ns_to_cycles(uint64_t ns)
{
	return (double)ns * (double)B.hz / 1e9;
}

/* Raw batch AEAD on the worker's lcore: TSC cycles per packet into B.raw_result. */
static int
raw_main(void *arg)
{
	struct wr_aead_op ops[RAW_BURST];
	unsigned int size = B.raw_size, i, b = 0, n = 0;
	uint64_t w0 = 0, t0 = 0, w1, t1, min_ns = 5000000;

	(void)arg;
	for (;;) {
		for (i = 0; i < RAW_BURST; i++) {
			unsigned int k = (b * RAW_BURST + i) % RAW_BUFS;

			ops[i].key = B.raw_key;
			ops[i].counter = k;
			ops[i].src = B.raw_src + (size_t)k * 2048;
			/* open out of place, so that the ciphertext stays valid for the next pass
			 */
			ops[i].dst =
				B.raw_open ? B.raw_dst + (size_t)k * 2048 : (uint8_t *)ops[i].src;
			ops[i].tag = B.raw_tag + (size_t)k * 16;
			ops[i].len = size;
		}
		if (b == RAW_BUFS / RAW_BURST) { /* after one warm pass over the buffers */
			w0 = clock_ns(CLOCK_MONOTONIC);
			t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		}
		if (B.raw_open) {
			if (wr_aead_open_burst(B.aead, ops, RAW_BURST) != RAW_BURST)
				return -EBADMSG;
		} else {
			wr_aead_seal_burst(B.aead, ops, RAW_BURST);
		}
		b++;
		if (b > RAW_BUFS / RAW_BURST) {
			n += RAW_BURST;
			if (n % 256 == 0 && (w1 = clock_ns(CLOCK_MONOTONIC)) - w0 >= min_ns)
				break;
		}
	}
	/* the thread's own CPU time: what other processes took of the core does not count */
	t1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	B.raw_result = ns_to_cycles(t1 - t0) / n;
	return 0;
}

static double
raw_run(unsigned int size, bool open)
{
	struct wr_aead_op op;
	double best = 0;
	unsigned int k;

	B.raw_size = size;
	B.raw_open = open;
	if (open) {
		/* the ciphertexts and tags the open pass checks */
		for (k = 0; k < RAW_BUFS; k++) {
			op = (struct wr_aead_op){ .key = B.raw_key,
				.counter = k,
				.src = B.raw_src + (size_t)k * 2048,
				.dst = B.raw_src + (size_t)k * 2048,
				.tag = B.raw_tag + (size_t)k * 16,
				.len = size };
			wr_aead_seal_burst(B.aead, &op, 1);
		}
	}
	for (k = 0; k < B.best_of; k++) {
		rte_eal_remote_launch(raw_main, NULL, WORKER_LCORE);
		if (rte_eal_wait_lcore(WORKER_LCORE) != 0) {
			FAIL("raw open of %u bytes did not authenticate", size);
			return 0;
		}
		if (best == 0 || B.raw_result < best)
			best = B.raw_result;
	}
	return best;
}

static int
get_clock(void *arg)
{
	(void)arg;
	return pthread_getcpuclockid(pthread_self(), &B.worker_clock);
}

/* ---- rounds ---- */

static bool
check_decrypted(struct rte_mbuf *m, unsigned int size, uint32_t seq)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (rte_pktmbuf_pkt_len(m) != 14 + size ||
		!rte_is_same_ether_addr(&eh->dst_addr, &B.lan.smac) ||
		!rte_is_same_ether_addr(&eh->src_addr, &B.lan.mac) ||
		eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return false;
	/* forwarded: TTL one less, checksum updated */
	bp_make_inner(B.scratch, size, B.inner_remote, B.lan.saddr, seq, 63);
	return memcmp(eh + 1, B.scratch, size) == 0;
}

static bool
udp_ok(const struct rte_ipv4_hdr *ip, const struct rte_udp_hdr *uh)
{
	uint32_t sum =
		rte_raw_cksum(uh, rte_be_to_cpu_16(uh->dgram_len)) + rte_ipv4_phdr_cksum(ip, 0);

	if (uh->dgram_cksum == 0) /* none, as IPv4 allows */
		return true;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The sealed message @p m for inner packet @p seq; @p open: decrypt it and compare too. */
static bool
check_encrypted(struct rte_mbuf *m, unsigned int size, uint32_t seq, uint64_t *counter, bool open)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const void *)(eh + 1);
	const struct rte_udp_hdr *uh = (const void *)(ip + 1);
	const uint8_t *msg = (const uint8_t *)(uh + 1);
	size_t len = wr_data_sealed_len(size, MTU);
	uint8_t plain[2048];
	uint64_t c;
	ssize_t n;

	if (rte_pktmbuf_pkt_len(m) != HDRS + len ||
		!rte_is_same_ether_addr(&eh->dst_addr, &B.wan.smac) ||
		eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->dst_addr != B.wan.saddr ||
		ip->src_addr != B.wan.addr || uh->dst_port != RTE_BE16(WG_PORT) ||
		uh->src_port != RTE_BE16(WG_PORT) || rte_raw_cksum(ip, 20) != 0xffff ||
		!udp_ok(ip, uh) || msg[0] != WR_MSG_DATA ||
		wr_data_receiver(msg) != B.rem.local_index)
		return false;
	c = wr_data_counter(msg);
	if (*counter != UINT64_MAX && c != *counter + 1)
		return false;
	*counter = c;
	if (!open)
		return true;
	n = wr_data_open(plain, B.rem.recv_key, msg, len);
	bp_make_inner(B.scratch, size, B.lan.saddr, B.inner_remote, seq, 63);
	return n >= (ssize_t)size && memcmp(plain, B.scratch, size) == 0;
}

/*
 * One round of @p n packets of @p size bytes in direction @p d through the running worker.
 * Returns the worker thread's CPU time per packet (TSC cycles) from the push to the last packet
 * out, or 0 on failure. CPU time, not wall time: the time others take of the core is not the
 * worker's, and a worker between rounds naps.
 */
static double
round_run(enum dir d, unsigned int size, unsigned int n, bool check_all)
{
	struct rte_mbuf *in[MAX_PACKETS];
	struct wire *from = d == DECRYPT ? &B.wan : &B.lan;
	struct rte_ring *out = d == DECRYPT ? B.lan.tx[0] : B.wan.tx[0];
	uint32_t seq0 = B.seq;
	uint64_t wk0, wk1, deadline, counter = UINT64_MAX;
	unsigned int got = 0, i, bad = 0;

	for (i = 0; i < n; i++) {
		in[i] = d == DECRYPT ? bp_data_frame(size, B.seq++) : bp_lan_frame(size, B.seq++);
		if (in[i] == NULL) {
			FAIL("out of generator mbufs");
			rte_pktmbuf_free_bulk(in, i);
			return 0;
		}
	}
	wk0 = clock_ns(B.worker_clock);
	bp_push(from, in, n);
	deadline = rte_rdtsc() + B.hz * 2;
	while (got < n && rte_rdtsc() < deadline)
		got += rte_ring_dequeue_burst(out, (void **)B.out + got, n - got, NULL);
	wk1 = clock_ns(B.worker_clock);
	/* outside the timed region: every packet out is the expected one */
	for (i = 0; i < got; i++) {
		bool ok = d == DECRYPT ? check_decrypted(B.out[i], size, seq0 + i)
				       : check_encrypted(B.out[i], size, seq0 + i, &counter,
						 check_all || i % 61 == 0 || i + 1 == got);

		bad += !ok;
	}
	rte_pktmbuf_free_bulk(B.out, got);
	if (got != n || bad != 0) {
		FAIL("%s %u bytes: %u of %u packets out, %u not as expected", dir_names[d], size,
			got, n, bad);
		return 0;
	}
	return ns_to_cycles(wk1 - wk0) / n;
}

/* The cheapest of B.best_of rounds: other processes on this machine only ever add time. */
static double
round_measure(enum dir d, unsigned int size, bool check_all)
{
	double best = 0, cyc;
	unsigned int t;

	for (t = 0; t < B.best_of; t++) {
		cyc = round_run(d, size, B.packets, check_all && t == 0);
		bp_settle(2);
		if (cyc == 0)
			return 0;
		if (best == 0 || cyc < best)
			best = cyc;
	}
	return best;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t
drops_total(void)
{
	uint64_t sum = 0;
	unsigned int l, d;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		for (d = 0; d < WR_DP_DROP__COUNT; d++)
			sum += B.dp->lcores[l].drops[d];
		for (d = 0; d < WR_DP_PROTO_ROWS * WR_DROP_COUNT; d++)
			sum += B.dp->lcores[l].proto_drops[d / WR_DROP_COUNT][d % WR_DROP_COUNT];
	}
	return sum;
}

static void
report(void)
{
	unsigned int si, d, r, printed = 0;
	double mhz = (double)B.hz / 1e6;
	const char *backend = wr_aead_backend_name(wr_aead_ctx_backend(B.aead));

	if (B.json) {
		printf("{\"bench\": \"pipeline\", \"backend\": \"%s\", \"tsc_mhz\": %.0f, "
		       "\"reps\": %u, \"packets\": %u, \"indicative\": true, \"failures\": %u, "
		       "\"drops\": %" PRIu64 ", \"best_of\": %u, \"results\": [",
			backend, mhz, B.reps, B.packets, B.failures, drops_total() - B.drops0,
			B.best_of);
	} else {
		printf("bench_pipeline: 1 worker (lcore %u) fed by a generator (lcore %u) over "
		       "net_ring ports; AEAD backend %s; TSC %.0f MHz; median of %u repetitions of "
		       "the best of %u rounds of %u packets; cycles: CPU time of the worker's "
		       "thread\n",
			WORKER_LCORE, GEN_LCORE, backend, mhz, B.reps, B.best_of, B.packets);
		printf("bench_pipeline: numbers from a 2-core shared VM are indicative: compare "
		       "the "
		       "ratios (pipeline / raw batch AEAD on the same core, same run)\n\n");
		printf("%-8s %5s | %9s %8s %8s | %9s %8s %8s | %6s\n", "dir", "bytes", "pipe Mpps",
			"Gbit/s", "cyc/pkt", "raw Mpps", "Gbit/s", "cyc/pkt", "ratio");
	}
	for (si = 0; si < NSIZES; si++) {
		for (d = 0; d < NDIRS; d++) {
			double pipe[MAX_REPS], raw[MAX_REPS], ratio[MAX_REPS], pc, rc, rt;
			unsigned int n = 0;

			for (r = 0; r < B.reps; r++) {
				const struct sample *s = &B.s[si][d][r];

				if (s->pipe_cyc <= 0 || (s->raw_cyc <= 0 && !B.no_raw))
					continue;
				pipe[n] = s->pipe_cyc;
				raw[n] = B.no_raw ? 1e300 : s->raw_cyc;
				ratio[n++] = B.no_raw ? 0 : s->raw_cyc / s->pipe_cyc;
			}
			if (n == 0)
				continue;
			pc = median(pipe, n);
			rc = median(raw, n);
			rt = median(ratio, n);
			if (B.json) {
				printf("%s{\"direction\": \"%s\", \"size\": %u, \"pipeline\": "
				       "{\"mpps\": %.4f, \"gbps\": %.3f, \"cycles_per_packet\": "
				       "%.0f}",
					printed++ == 0 ? "" : ", ", dir_names[d], sizes[si],
					mhz / pc, mhz / pc * sizes[si] * 8 / 1000, pc);
				if (B.no_raw)
					printf(", \"raw\": null, \"ratio\": null}");
				else
					printf(", \"raw\": {\"mpps\": %.4f, \"gbps\": %.3f, "
					       "\"cycles_per_packet\": %.0f}, \"ratio\": %.3f}",
						mhz / rc, mhz / rc * sizes[si] * 8 / 1000, rc, rt);
				continue;
			}
			printf("%-8s %5u | %9.3f %8.2f %8.0f | ", dir_names[d], sizes[si], mhz / pc,
				mhz / pc * sizes[si] * 8 / 1000, pc);
			if (B.no_raw)
				printf("%9s %8s %8s | %6s\n", "-", "-", "-", "-");
			else
				printf("%9.3f %8.2f %8.0f | %6.3f\n", mhz / rc,
					mhz / rc * sizes[si] * 8 / 1000, rc, rt);
		}
	}
	if (B.json) {
		printf("]}\n");
	} else {
		printf("\nbench_pipeline: target at 1420 bytes: ratio >= 0.85; every packet out "
		       "checked: %s; drops %" PRIu64 "\n",
			B.failures == 0 ? "ok" : "FAILURES", drops_total() - B.drops0);
	}
	fflush(stdout);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: bench_pipeline [--quick] [--json] [--reps N] [--packets N] [--size N]\n"
		"                      [--no-udp-csum] [--no-raw]\n"
		"\n"
		"The gateway's worker loop on lcore 1, fed over net_ring ports by a generator on\n"
		"lcore 0 (EAL: -l 0-1 --no-huge --no-shconf), after an in-process handshake\n"
		"with a second engine; decrypt and encrypt at %u, %u and %u inner bytes, beside\n"
		"the raw batch AEAD rate of the same size on lcore 1 in the same run. Costs are\n"
		"the CPU time of lcore 1's thread per packet, in TSC cycles.\n"
		"\n"
		"  --quick       3 repetitions of the best of 2 rounds of 2048 packets\n"
		"                (default: 7 of the best of 3 rounds of 8192)\n"
		"  --reps N      repetitions (odd is best: the median is reported)\n"
		"  --packets N   packets per round (at most %u)\n"
		"  --size N      only this size\n"
		"  --no-udp-csum the remote's data messages carry UDP checksum 0 (as a NIC's\n"
		"                RX checksum offload would spare the worker verifying it)\n"
		"  --no-raw      pipeline rounds only, for profiling the worker:\n"
		"                perf record -g -C 1 -- bench_pipeline --no-raw --size 1420\n"
		"  --json        one JSON object instead of the table\n"
		"  -h, --help    this help\n"
		"\n"
		"Exit status 1 when a packet out was not the expected one. Set WR_AEAD_BACKEND\n"
		"to force a backend (both sides use it).\n",
		sizes[0], sizes[1], sizes[2], MAX_PACKETS);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "reps", required_argument, NULL, 'r' },
		{ "packets", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "no-udp-csum", no_argument, NULL, 'u' },
		{ "no-raw", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char mem[32];
	char *eal[] = { argv[0], "-l", "0-1", "--main-lcore", "0", "--no-huge", "--no-shconf", "-m",
		mem, "--no-pci", "--no-telemetry", "--log-level=warning", NULL };
	unsigned int si, r;
	size_t mem_mb;
	int opt, ret, status = EXIT_FAILURE;
	long v;

	B.reps = 0;
	B.packets = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			B.quick = true;
			break;
		case 'j':
			B.json = true;
			break;
		case 'r':
			v = strtol(optarg, NULL, 10);
			if (v < 1 || v > MAX_REPS) {
				fprintf(stderr, "bench_pipeline: --reps: 1 to %u\n", MAX_REPS);
				return 2;
			}
			B.reps = (unsigned int)v;
			break;
		case 'n':
			v = strtol(optarg, NULL, 10);
			if (v < 64 || v > MAX_PACKETS) {
				fprintf(stderr, "bench_pipeline: --packets: 64 to %u\n",
					MAX_PACKETS);
				return 2;
			}
			B.packets = (unsigned int)v;
			break;
		case 's':
			B.only_size = (unsigned int)strtoul(optarg, NULL, 10);
			for (si = 0; si < NSIZES && sizes[si] != B.only_size; si++)
				;
			if (si == NSIZES) {
				fprintf(stderr, "bench_pipeline: --size: %u, %u or %u\n", sizes[0],
					sizes[1], sizes[2]);
				return 2;
			}
			break;
		case 'R':
			B.no_raw = true;
			break;
		case 'u':
			B.no_udp_csum = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (B.reps == 0)
		B.reps = B.quick ? 3 : 7;
	if (B.packets == 0)
		B.packets = B.quick ? 2048 : 8192;
	B.best_of = B.quick ? 2 : 3;

	if (bp_memory_mb(GEN_MBUFS, &mem_mb) < 0)
		return EXIT_FAILURE;
	snprintf(mem, sizeof(mem), "%zu", mem_mb);
	ret = rte_eal_init((int)RTE_DIM(eal) - 1, eal);
	if (ret < 0) {
		fprintf(stderr, "bench_pipeline: cannot start EAL: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	if (rte_lcore_count() != 2 || rte_lcore_id() != GEN_LCORE) {
		fprintf(stderr, "bench_pipeline: needs lcores 0 and 1\n");
		goto out_eal;
	}
	B.hz = rte_get_tsc_hz();
	B.aead = wr_aead_ctx_create(WR_AEAD_AUTO);
	B.raw_src = rte_malloc(NULL, (size_t)RAW_BUFS * 2048, 64);
	B.raw_dst = rte_malloc(NULL, (size_t)RAW_BUFS * 2048, 64);
	B.raw_tag = rte_malloc(NULL, (size_t)RAW_BUFS * 16, 64);
	if (B.aead == NULL || B.raw_src == NULL || B.raw_dst == NULL || B.raw_tag == NULL) {
		fprintf(stderr, "bench_pipeline: out of memory\n");
		goto out_eal;
	}
	wr_random(B.raw_key, sizeof(B.raw_key));
	wr_random(B.raw_src, (size_t)RAW_BUFS * 2048);
	rte_eal_remote_launch(get_clock, NULL, WORKER_LCORE);
	if (rte_eal_wait_lcore(WORKER_LCORE) != 0) {
		fprintf(stderr, "bench_pipeline: no CPU clock for the worker's thread\n");
		goto out_eal;
	}
	if (bp_setup() < 0)
		goto out_gw;
	B.drops0 = drops_total();

	for (r = 0; r < B.reps; r++) {
		for (si = 0; si < NSIZES; si++) {
			struct sample *sd = &B.s[si][DECRYPT][r], *se = &B.s[si][ENCRYPT][r];

			if (B.only_size != 0 && sizes[si] != B.only_size)
				continue;

			/* raw AEAD on the worker's core, right before the pipeline's rounds */
			if (!B.no_raw) {
				bp_worker_stop();
				sd->raw_cyc = raw_run(sizes[si], true);
				se->raw_cyc = raw_run(sizes[si], false);
				bp_worker_start();
			}
			sd->pipe_cyc = round_measure(DECRYPT, sizes[si], r == 0);
			se->pipe_cyc = round_measure(ENCRYPT, sizes[si], r == 0);
		}
	}
	report();
	if (drops_total() != B.drops0)
		wr_dp_stats_print(B.dp, stderr);
	status = B.failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
out_gw:
	bp_teardown();
out_eal:
	wr_aead_ctx_free(B.aead);
	rte_free(B.raw_src);
	rte_free(B.raw_dst);
	rte_free(B.raw_tag);
	rte_eal_cleanup();
	return status;
}
