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
 * The measurement is built for a small shared machine, where other processes take the worker's
 * core at random and the core's speed drifts: per size and direction, many short rounds, each a
 * pipeline slice and a raw slice of the same number of packets on the same lcore, back to back,
 * in alternating order (raw first in even rounds, pipeline first in odd ones), so that both see
 * the same machine. A slice's cost is the CPU time of lcore 1's thread (CLOCK_THREAD_CPUTIME_ID:
 * time that other processes take of the core is not counted) per packet, in TSC cycles; the
 * thread's involuntary context switches during a slice are counted, and a round where either slice
 * had one is not "clean" (its caches were someone else's meanwhile). The result is the median of
 * the per-round ratios raw/pipeline, shown with their min and max, the median of the clean rounds
 * and the ratio of the best (cheapest) slices.
 *
 *   - pipeline, decrypt: data messages sealed with the remote's keys (fresh counters each round):
 *     256 go through the running worker loop untimed (its code and tables warm again after the
 *     raw slice, as the raw slice warms its buffers untimed); then the slice's packets are put
 *     into the WAN port's RX ring while the loop is stopped, and the loop is started and timed
 *     until the last packet is out of the LAN port (the worker runs alone: the generator only
 *     waits). --live pushes them while the loop runs instead, timed from the push.
 *   - pipeline, encrypt: LAN packets to an address in the peer's AllowedIPs, the same way; the
 *     sealed messages out of the WAN port are counted.
 *   - raw: wr_aead_open_burst() (decrypt) or wr_aead_seal_burst() (encrypt) of the same inner
 *     size, through the same wr_aead_ctx backend as the worker's (WR_AEAD_BACKEND applies to
 *     both), in bursts of 32 (the worker's RX burst, and so its AEAD batch), one key, over 256
 *     buffers 2 KiB apart that stay in the core's L2 cache, with the worker loop stopped.
 *
 * Every packet out is checked after its round, outside the timed region: count, headers, order
 * and content (decrypt), or counters, and every message opened with the remote's keys and its
 * content compared (encrypt). Absolute numbers from a shared machine are indicative; the ratio is
 * the result.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The worker thread's involuntary context switches so far, from any thread; -1 if unknown. */
static long
worker_nivcsw(void)
{
	static const char key[] = "nonvoluntary_ctxt_switches:";
	char buf[2048], *p;
	ssize_t n = pread(B.wm.status_fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, key);
	return p != NULL ? strtol(p + sizeof(key) - 1, NULL, 10) : -1;
}

/* ---- raw AEAD slices ---- */

/*
 * One raw burst's ops: packet k of a slice. Hot (default): buffer k % RAW_BUFS, opened out of
 * place so that its ciphertext stays valid for the next pass. Cold (--raw-cold): the k-th of the
 * buffers the generator has just written, each used once and in place, as the worker's are.
 */
static void
raw_ops(struct wr_aead_op *ops, unsigned int first, bool cold)
{
	unsigned int i;

	for (i = 0; i < RAW_BURST; i++) {
		unsigned int k = first + i, h = k % RAW_BUFS;

		ops[i].key = B.raw_key;
		ops[i].counter = h;
		ops[i].src = cold ? B.raw_cold_buf + (size_t)k * 2048 : B.raw_src + (size_t)h * 2048;
		ops[i].dst = cold ? (uint8_t *)ops[i].src
			: B.raw_open ? B.raw_dst + (size_t)h * 2048
				     : (uint8_t *)ops[i].src;
		ops[i].tag = B.raw_tag + (size_t)h * 16;
		ops[i].len = B.raw_size;
	}
}

/* Raw batch AEAD of B.raw_n packets on the worker's lcore: TSC cycles per packet into
 * B.raw_result, after one untimed pass over the hot buffers (one burst of them with --raw-cold,
 * to warm the code only). */
static int
raw_main(void *arg)
{
	struct wr_aead_op ops[RAW_BURST];
	unsigned int warm = B.raw_cold ? 1 : RAW_BUFS / RAW_BURST, b;
	uint64_t t0 = 0;
	long cs0 = 0;

	(void)arg;
	for (b = 0; b < warm + B.raw_n / RAW_BURST; b++) {
		if (b == warm) {
			cs0 = bp_nivcsw_self();
			t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		}
		if (b >= warm && B.raw_cold)
			raw_ops(ops, (b - warm) * RAW_BURST, true);
		else
			raw_ops(ops, b * RAW_BURST, false);
		if (B.raw_open) {
			if (wr_aead_open_burst(B.aead, ops, RAW_BURST) != RAW_BURST)
				return -EBADMSG;
		} else {
			wr_aead_seal_burst(B.aead, ops, RAW_BURST);
		}
	}
	B.raw_result = ns_to_cycles(clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0) /
		       (B.raw_n / RAW_BURST * RAW_BURST);
	B.raw_preempt = (unsigned int)(bp_nivcsw_self() - cs0);
	return 0;
}

/* The buffers of the raw slices of @p size bytes: ciphertexts and tags for @p open to check. */
static void
raw_prepare(unsigned int size, bool open)
{
	struct wr_aead_op op;
	unsigned int k;

	B.raw_size = size;
	B.raw_open = open;
	wr_random(B.raw_src, (size_t)RAW_BUFS * 2048);
	for (k = 0; open && k < RAW_BUFS; k++) {
		op = (struct wr_aead_op){ .key = B.raw_key,
			.counter = k,
			.src = B.raw_src + (size_t)k * 2048,
			.dst = B.raw_src + (size_t)k * 2048,
			.tag = B.raw_tag + (size_t)k * 16,
			.len = size };
		wr_aead_seal_burst(B.aead, &op, 1);
	}
}

/* One raw slice of @p n packets (the worker loop stopped): cycles per packet, 0 on failure. */
static double
raw_slice(unsigned int n, unsigned int *preempt)
{
	unsigned int k;

	B.raw_n = n;
	/* --raw-cold: the generator writes the slice's data, as it writes a pipeline slice's */
	for (k = 0; B.raw_cold && k < n; k++)
		memcpy(B.raw_cold_buf + (size_t)k * 2048, B.raw_src + (size_t)(k % RAW_BUFS) * 2048,
			B.raw_size);
	rte_eal_remote_launch(raw_main, NULL, WORKER_LCORE);
	if (rte_eal_wait_lcore(WORKER_LCORE) != 0) {
		FAIL("raw open of %u bytes did not authenticate", B.raw_size);
		return 0;
	}
	*preempt = B.raw_preempt;
	return B.raw_result;
}

/* ---- pipeline slices ---- */

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

/* The gateway's UDP checksum as it should send it: none by default (a ring port has no offload),
 * a right one with --udp-csum (UDPChecksum = on). */
static bool
udp_ok(const struct rte_ipv4_hdr *ip, const struct rte_udp_hdr *uh)
{
	uint32_t sum =
		rte_raw_cksum(uh, rte_be_to_cpu_16(uh->dgram_len)) + rte_ipv4_phdr_cksum(ip, 0);

	if (uh->dgram_cksum == 0) /* none, as IPv4 allows */
		return !B.udp_csum;
	if (!B.udp_csum)
		return false;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The sealed message @p m for inner packet @p seq: headers, counter, and opened, its content. */
static bool
check_encrypted(struct rte_mbuf *m, unsigned int size, uint32_t seq, uint64_t *counter)
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
	n = wr_data_open(plain, B.rem.recv_key, msg, len);
	bp_make_inner(B.scratch, size, B.lan.saddr, B.inner_remote, seq, 63);
	return n >= (ssize_t)size && memcmp(plain, B.scratch, size) == 0;
}

/* Spin until @p r holds @p n packets or @p deadline (TSC) passed; whether it does. */
static bool
wait_count(struct rte_ring *r, unsigned int n, uint64_t deadline)
{
	while (rte_ring_count(r) < n && rte_rdtsc() < deadline)
		rte_pause();
	return rte_ring_count(r) >= n;
}

/*
 * One pipeline slice of @p n packets of @p size bytes in direction @p d (the worker loop stopped
 * before and after), behind WARM_PACKETS untimed ones: the worker's code and tables are cold
 * after a raw slice, as the raw slice's buffers are after a pipeline slice (it warms them untimed
 * too). The warm packets go through the running worker; then the timed ones are put into the RX
 * ring with the worker stopped (--live: while it runs), and the worker's CPU time counts from the
 * start of its loop (--live: from the push) until the last packet is out. Returns it per packet
 * (TSC cycles), or 0 on failure; the worker's involuntary context switches in @p preempt.
 */
static double
pipe_slice(enum dir d, unsigned int size, unsigned int n, unsigned int *preempt)
{
	struct wire *from = d == DECRYPT ? &B.wan : &B.lan;
	struct rte_ring *out = d == DECRYPT ? B.lan.tx[0] : B.wan.tx[0];
	unsigned int total = WARM_PACKETS + n, got = 0, i, bad = 0;
	uint32_t seq0 = B.seq;
	uint64_t t0 = 0, t1 = 0, deadline, counter = UINT64_MAX;
	long cs0 = 0, cs1 = 0;
	bool ok;

	for (i = 0; i < total; i++) {
		B.in[i] = d == DECRYPT ? bp_data_frame(size, B.seq++) : bp_lan_frame(size, B.seq++);
		if (B.in[i] == NULL) {
			FAIL("out of generator mbufs");
			rte_pktmbuf_free_bulk(B.in, i);
			return 0;
		}
	}
	deadline = rte_rdtsc() + B.hz * 5;
	bp_worker_start();
	bp_push(from, B.in, WARM_PACKETS);
	ok = wait_count(out, WARM_PACKETS, deadline);
	if (ok && B.live) {
		t0 = clock_ns(B.wm.clock);
		cs0 = worker_nivcsw();
		bp_push(from, B.in + WARM_PACKETS, n);
	} else if (ok) {
		bp_worker_stop();
		bp_push(from, B.in + WARM_PACKETS, n);
		bp_worker_start();
	}
	/* the worker alone on its core; this lcore only watches the ring's count */
	if (ok)
		ok = wait_count(out, total, deadline);
	t1 = clock_ns(B.wm.clock);
	cs1 = worker_nivcsw();
	bp_worker_stop();
	if (!B.live) {
		t0 = __atomic_load_n(&B.wm.start_ns, __ATOMIC_ACQUIRE);
		cs0 = B.wm.start_nivcsw;
	}
	*preempt = cs1 > cs0 ? (unsigned int)(cs1 - cs0) : 0;
	got = rte_ring_dequeue_burst(out, (void **)B.out, total, NULL);
	/* outside the timed region: every packet out is the expected one, every message opened */
	for (i = 0; i < got; i++) {
		bool good = d == DECRYPT ? check_decrypted(B.out[i], size, seq0 + i)
					 : check_encrypted(B.out[i], size, seq0 + i, &counter);

		bad += !good;
	}
	B.checked[d] += got;
	rte_pktmbuf_free_bulk(B.out, got);
	bp_settle(1); /* the control lcore's turn, and whatever else reached the wire */
	if (!ok || got != total || bad != 0 || t0 == 0 || t1 <= t0) {
		FAIL("%s %u bytes: %u of %u packets out, %u not as expected", dir_names[d], size,
			got, total, bad);
		return 0;
	}
	return ns_to_cycles(t1 - t0) / n;
}

/* Rounds of size index @p si in direction @p d: raw and pipeline slices, alternating order. */
static void
measure(unsigned int si, enum dir d)
{
	unsigned int r;

	if (!B.no_raw)
		raw_prepare(sizes[si], d == DECRYPT);
	for (r = 0; r < B.rounds; r++) {
		struct sample *s = &B.s[si][d][r];
		bool raw_first = r % 2 == 0;

		if (!B.no_raw && raw_first)
			s->raw_cyc = raw_slice(B.packets, &s->raw_preempt);
		s->pipe_cyc = pipe_slice(d, sizes[si], B.packets, &s->pipe_preempt);
		if (!B.no_raw && !raw_first)
			s->raw_cyc = raw_slice(B.packets, &s->raw_preempt);
		if (B.verbose)
			fprintf(stderr,
				"bench_pipeline: %s %4u round %3u: raw %6.0f (%u) pipe %6.0f (%u) "
				"cycles/packet (preemptions); ratio %.3f\n",
				dir_names[d], sizes[si], r, s->raw_cyc, s->raw_preempt, s->pipe_cyc,
				s->pipe_preempt, s->pipe_cyc > 0 ? s->raw_cyc / s->pipe_cyc : 0);
		if (s->pipe_cyc == 0)
			break;
	}
}

/* ---- the report ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @p n values (sorted in place); 0 for none. */
static double
median(double *v, unsigned int n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t
drops_total(void)
{
	uint64_t sum = 0;
	unsigned int l, d;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		const struct wr_dp_lcore *lc = &B.dp->lcores[l];
		/* the protocol reasons, however many rows of them the lcore keeps */
		const uint64_t *proto = (const uint64_t *)lc->proto_drops;

		for (d = 0; d < WR_DP_DROP__COUNT; d++)
			sum += lc->drops[d];
		for (d = 0; d < sizeof(lc->proto_drops) / sizeof(uint64_t); d++)
			sum += proto[d];
	}
	return sum;
}

/* What the rounds of one size and direction come to. */
struct summary {
	unsigned int n, clean, preempted;
	double pipe, raw;               /* median cycles per packet */
	double ratio, rmin, rmax;       /* per-round raw/pipe: median, min, max */
	double ratio_clean, ratio_best; /* median of the clean rounds; best raw / best pipe */
};

static bool
summarize(unsigned int si, enum dir d, struct summary *u)
{
	double pipe[MAX_ROUNDS], raw[MAX_ROUNDS], ratio[MAX_ROUNDS], clean[MAX_ROUNDS];
	double best_pipe = 0, best_raw = 0;
	unsigned int r;

	memset(u, 0, sizeof(*u));
	for (r = 0; r < B.rounds; r++) {
		const struct sample *s = &B.s[si][d][r];

		if (s->pipe_cyc <= 0 || (s->raw_cyc <= 0 && !B.no_raw))
			continue;
		pipe[u->n] = s->pipe_cyc;
		raw[u->n] = s->raw_cyc;
		ratio[u->n] = B.no_raw ? 0 : s->raw_cyc / s->pipe_cyc;
		if (u->n == 0 || ratio[u->n] < u->rmin)
			u->rmin = ratio[u->n];
		if (ratio[u->n] > u->rmax)
			u->rmax = ratio[u->n];
		if (s->pipe_preempt == 0 && s->raw_preempt == 0)
			clean[u->clean++] = ratio[u->n];
		if (best_pipe == 0 || s->pipe_cyc < best_pipe)
			best_pipe = s->pipe_cyc;
		if (best_raw == 0 || s->raw_cyc < best_raw)
			best_raw = s->raw_cyc;
		u->preempted += s->pipe_preempt + s->raw_preempt;
		u->n++;
	}
	if (u->n == 0)
		return false;
	u->pipe = median(pipe, u->n);
	u->raw = median(raw, u->n);
	u->ratio = median(ratio, u->n);
	u->ratio_clean = median(clean, u->clean);
	u->ratio_best = best_pipe > 0 ? best_raw / best_pipe : 0;
	return true;
}

static const char reference_hot[] =
	"raw: the same AEAD backend's open (decrypt) or seal (encrypt) of the same size, bursts of "
	"32, one key, 256 buffers in L2, on lcore 1 with the worker stopped";
static const char reference_cold[] =
	"raw (--raw-cold): the same AEAD backend's open (decrypt) or seal (encrypt) of the same "
	"size, bursts of 32, one key, in place over as many buffers as packets, written by the "
	"generator (lcore 0) just before, as it writes a pipeline slice's, on lcore 1 with the "
	"worker stopped";

static void
report(void)
{
	unsigned int si, d, printed = 0;
	double mhz = (double)B.hz / 1e6;
	const char *backend = wr_aead_backend_name(wr_aead_ctx_backend(B.aead));
	const char *reference = B.raw_cold ? reference_cold : reference_hot;
	struct summary u;

	if (B.json) {
		printf("{\"bench\": \"pipeline\", \"backend\": \"%s\", \"tsc_mhz\": %.0f, "
		       "\"mode\": \"%s\", \"rounds\": %u, \"packets\": %u, \"reference\": \"%s\", "
		       "\"udp_checksum\": \"%s\", \"remote_udp_checksum\": %s, "
		       "\"indicative\": true, \"failures\": %u, \"checked\": {\"decrypt\": %" PRIu64
		       ", \"encrypt_opened\": %" PRIu64 "}, \"drops\": %" PRIu64 ", \"results\": [",
			backend, mhz, B.live ? "live" : "prefill", B.rounds, B.packets, reference,
			B.udp_csum ? "on" : "auto", B.no_udp_csum ? "false" : "true", B.failures,
			B.checked[DECRYPT], B.checked[ENCRYPT], drops_total() - B.drops0);
	} else {
		printf("bench_pipeline: 1 worker (lcore %u) fed by a generator (lcore %u) over "
		       "net_ring ports (lcore@CPU: %s), %s; AEAD backend %s; TSC %.0f MHz\n",
			WORKER_LCORE, GEN_LCORE, B.lcores,
			B.live ? "pushed while the worker runs"
			       : "the RX ring filled before the worker starts",
			backend, mhz);
		printf("bench_pipeline: %u rounds of %u packets per size and direction, each a "
		       "pipeline slice and a raw slice back to back on lcore 1; cycles: CPU time "
		       "of lcore 1's thread in TSC cycles per packet (medians)\n",
			B.rounds, B.packets);
		printf("bench_pipeline: %s\n", reference);
		printf("bench_pipeline: UDP checksums: the remote's %s (decrypt verifies them); the "
		       "gateway's UDPChecksum = %s (encrypt: %s)\n",
			B.no_udp_csum ? "zero" : "computed", B.udp_csum ? "on" : "auto",
			B.udp_csum ? "computed" : "zero over IPv4");
		printf("bench_pipeline: ratio = raw cycles / pipeline cycles per round: median "
		       "[min, max]; clean: rounds with no preemption of either slice; best: "
		       "cheapest raw / cheapest pipeline slice\n\n");
		printf("%-7s %5s | %9s %7s %7s | %8s %7s %7s | %6s %13s | %9s | %5s\n", "dir",
			"bytes", "pipe Mpps", "Gbit/s", "cyc/pkt", "raw Mpps", "Gbit/s", "cyc/pkt",
			"ratio", "[min, max]", "clean", "best");
	}
	for (si = 0; si < NSIZES; si++) {
		for (d = 0; d < NDIRS; d++) {
			if (!summarize(si, (enum dir)d, &u))
				continue;
			if (B.json) {
				printf("%s{\"direction\": \"%s\", \"size\": %u, \"rounds\": %u, "
				       "\"clean_rounds\": %u, \"preemptions\": %u, \"pipeline\": "
				       "{\"mpps\": %.4f, \"gbps\": %.3f, \"cycles_per_packet\": "
				       "%.0f}",
					printed++ == 0 ? "" : ", ", dir_names[d], sizes[si], u.n,
					u.clean, u.preempted, mhz / u.pipe,
					mhz / u.pipe * sizes[si] * 8 / 1000, u.pipe);
				if (B.no_raw)
					printf(", \"raw\": null, \"ratio\": null}");
				else
					printf(", \"raw\": {\"mpps\": %.4f, \"gbps\": %.3f, "
					       "\"cycles_per_packet\": %.0f}, \"ratio\": "
					       "{\"median\": "
					       "%.3f, \"min\": %.3f, \"max\": %.3f, "
					       "\"clean_median\": "
					       "%.3f, \"best\": %.3f}}",
						mhz / u.raw, mhz / u.raw * sizes[si] * 8 / 1000,
						u.raw, u.ratio, u.rmin, u.rmax, u.ratio_clean,
						u.ratio_best);
				continue;
			}
			printf("%-7s %5u | %9.3f %7.2f %7.0f | ", dir_names[d], sizes[si],
				mhz / u.pipe, mhz / u.pipe * sizes[si] * 8 / 1000, u.pipe);
			if (B.no_raw) {
				printf("%8s %7s %7s | %6s %13s | %9s | %5s\n", "-", "-", "-", "-",
					"", "-", "-");
				continue;
			}
			printf("%8.3f %7.2f %7.0f | %6.3f [%5.3f, %5.3f] | ", mhz / u.raw,
				mhz / u.raw * sizes[si] * 8 / 1000, u.raw, u.ratio, u.rmin, u.rmax);
			if (u.clean > 0)
				printf("%3u %5.3f", u.clean, u.ratio_clean);
			else
				printf("%3u %5s", 0u, "-");
			printf(" | %5.3f\n", u.ratio_best);
		}
	}
	if (B.json) {
		printf("]}\n");
	} else {
		printf("\nbench_pipeline: target at 1420 bytes: ratio >= 0.85; every packet out "
		       "checked (decrypt: %" PRIu64 " compared; encrypt: %" PRIu64
		       " opened with the remote's keys and compared): %s; drops %" PRIu64 "\n",
			B.checked[DECRYPT], B.checked[ENCRYPT], B.failures == 0 ? "ok" : "FAILURES",
			drops_total() - B.drops0);
	}
	fflush(stdout);
}

/* On the worker's lcore: its CPU clock and its scheduler counters, for the other lcore */
static int
get_meter(void *arg)
{
	char path[64];

	(void)arg;
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", rte_sys_gettid());
	B.wm.status_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (B.wm.status_fd < 0)
		return -errno;
	return pthread_getcpuclockid(pthread_self(), &B.wm.clock);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: bench_pipeline [--quick] [--rounds N] [--packets N] [--size N]\n"
		"                      [--dir decrypt|encrypt] [--live] [--no-udp-csum] "
		"[--udp-csum]\n"
		"                      [--no-raw] [--raw-cold] [--huge]\n"
		"                      [--cpus G,W] [--json] [--verbose]\n"
		"\n"
		"The gateway's worker loop on lcore 1, fed over net_ring ports by a generator on\n"
		"lcore 0 (EAL: -l 0-1 --no-huge --no-shconf), after an in-process handshake\n"
		"with a second engine; decrypt and encrypt at %u, %u and %u inner bytes. Per size\n"
		"and direction, rounds of a pipeline slice (256 packets through the worker loop\n"
		"untimed to warm it, then the RX ring filled and the loop run until the last\n"
		"packet is out) and a raw batch AEAD slice of as many packets of that size on\n"
		"lcore 1 (same backend, bursts of 32, buffers in L2, one untimed pass first),\n"
		"back to back in alternating order. Costs: CPU time of lcore 1's thread per\n"
		"packet, in TSC cycles. Result: the per-round ratio raw/pipeline, its median\n"
		"(also min, max, the median of the rounds with no preemption, and the ratio of\n"
		"the cheapest slices). The default run takes 15 to 30 s; keep a run under\n"
		"two minutes (the session's keys age).\n"
		"\n"
		"  --quick       15 rounds of 1024 packets (default: 101 rounds of 2048)\n"
		"  --rounds N    rounds per size and direction (1 to %u; odd is best)\n"
		"  --packets N   packets per slice: a multiple of %u (the raw slices run\n"
		"                whole bursts of it), 64 to %u\n"
		"  --size N      only this size\n"
		"  --dir D       only this direction\n"
		"  --live        push while the worker loop runs, timed from the push\n"
		"  --no-udp-csum the remote's data messages carry UDP checksum 0 (as a NIC's\n"
		"                RX checksum offload would spare the worker verifying it)\n"
		"  --udp-csum    the gateway's UDPChecksum = on: its data messages carry a\n"
		"                computed UDP checksum (default auto: none over IPv4 without\n"
		"                TX offload, which a ring port has not)\n"
		"  --raw-cold    raw slices in place over as many buffers as packets, which\n"
		"                the generator writes just before each (as it writes the\n"
		"                pipeline's frames), instead of 256 buffers in the worker's L2:\n"
		"                the AEAD with the cost of reading what another core wrote\n"
		"  --huge        EAL --in-memory on hugepages (reserve some first, as the gateway\n"
		"                uses them when it can), instead of --no-huge --no-shconf\n"
		"  --cpus G,W    run the generator (lcore 0) on CPU G and the worker (lcore 1)\n"
		"                on CPU W (EAL --lcores 0@G,1@W; default CPUs 0 and 1): pick\n"
		"                two physical cores, not hyperthreads of one, which would share\n"
		"                the caches that the generator fills\n"
		"  --no-raw      pipeline slices only, for profiling the worker:\n"
		"                perf record -g -C 1 -- bench_pipeline --no-raw --size 1420\n"
		"  --json        one JSON object instead of the table\n"
		"  --verbose     every round on stderr\n"
		"  -h, --help    this help\n"
		"\n"
		"Exit status 1 when a packet out was not the expected one. Set WR_AEAD_BACKEND\n"
		"to force a backend (the worker and the raw slices use it).\n",
		sizes[0], sizes[1], sizes[2], MAX_ROUNDS, RAW_BURST,
		(MAX_PACKETS - WARM_PACKETS) / RAW_BURST * RAW_BURST);
}

/* A whole decimal number in [@p min, @p max] from option @p name's @p arg into @p v, or false
 * after saying why: "100x" is not 100. */
static bool
parse_count(const char *name, const char *arg, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || *v < min || *v > max) {
		fprintf(stderr, "bench_pipeline: --%s '%s': a whole number from %ld to %ld\n", name,
			arg, min, max);
		return false;
	}
	return true;
}

/* Options into B; returns -1 to go on, or the exit status. */
static int
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "packets", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'd' },
		{ "live", no_argument, NULL, 'l' },
		{ "no-udp-csum", no_argument, NULL, 'u' },
		{ "udp-csum", no_argument, NULL, 'U' },
		{ "no-raw", no_argument, NULL, 'R' },
		{ "raw-cold", no_argument, NULL, 'C' },
		{ "huge", no_argument, NULL, 'H' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int si;
	int opt;
	long v;

	B.only_dir = -1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			B.quick = true;
			break;
		case 'j':
			B.json = true;
			break;
		case 'r':
			if (!parse_count("rounds", optarg, 1, MAX_ROUNDS, &v))
				return 2;
			B.rounds = (unsigned int)v;
			break;
		case 'n':
			if (!parse_count("packets", optarg, 64, MAX_PACKETS - WARM_PACKETS, &v))
				return 2;
			/* whole bursts: the raw slices run in bursts, the pipeline's as many */
			if (v % RAW_BURST != 0) {
				fprintf(stderr,
					"bench_pipeline: --packets %ld: not a multiple of %u\n", v,
					RAW_BURST);
				return 2;
			}
			B.packets = (unsigned int)v;
			break;
		case 's': {
			char *end;

			B.only_size = (unsigned int)strtoul(optarg, &end, 10);
			for (si = 0; si < NSIZES && sizes[si] != B.only_size; si++)
				;
			if (si == NSIZES || *end != '\0') {
				fprintf(stderr, "bench_pipeline: --size: %u, %u or %u\n", sizes[0],
					sizes[1], sizes[2]);
				return 2;
			}
			break;
		}
		case 'd':
			for (si = 0; si < NDIRS && strcmp(optarg, dir_names[si]) != 0; si++)
				;
			if (si == NDIRS) {
				fprintf(stderr, "bench_pipeline: --dir: decrypt or encrypt\n");
				return 2;
			}
			B.only_dir = (int)si;
			break;
		case 'l':
			B.live = true;
			break;
		case 'R':
			B.no_raw = true;
			break;
		case 'C':
			B.raw_cold = true;
			break;
		case 'H':
			B.huge = true;
			break;
		case 'c': {
			unsigned int g, wk;
			char tail;

			if (sscanf(optarg, "%u,%u%c", &g, &wk, &tail) != 2 || g == wk ||
				g >= RTE_MAX_LCORE || wk >= RTE_MAX_LCORE) {
				fprintf(stderr, "bench_pipeline: --cpus: two different CPU numbers "
						"below %u, such as 0,2\n", RTE_MAX_LCORE);
				return 2;
			}
			snprintf(B.lcores, sizeof(B.lcores), "%u@%u,%u@%u", GEN_LCORE, g,
				WORKER_LCORE, wk);
			break;
		}
		case 'u':
			B.no_udp_csum = true;
			break;
		case 'U':
			B.udp_csum = true;
			break;
		case 'v':
			B.verbose = true;
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
	if (B.rounds == 0)
		B.rounds = B.quick ? 15 : 101;
	if (B.packets == 0)
		B.packets = B.quick ? 1024 : 2048;
	return -1;
}

int
main(int argc, char **argv)
{
	char mem[32];
	char *eal[] = { argv[0], "--lcores", B.lcores, "--main-lcore", "0", "--no-huge",
		"--no-shconf", "-m", mem, "--no-pci", "--no-telemetry", "--log-level=warning", NULL };
	char *eal_huge[] = { argv[0], "--lcores", B.lcores, "--main-lcore", "0", "--in-memory", "-m",
		mem, "--no-pci", "--no-telemetry", "--log-level=warning", NULL };
	unsigned int si, d;
	size_t mem_mb;
	int ret, status = EXIT_FAILURE, stdout_fd = -1;

	B.wm.status_fd = -1;
	snprintf(B.lcores, sizeof(B.lcores), "%u@0,%u@1", GEN_LCORE, WORKER_LCORE);
	ret = parse_args(argc, argv);
	if (ret >= 0)
		return ret;
	if (bp_memory_mb(GEN_MBUFS, &mem_mb) < 0)
		return EXIT_FAILURE;
	snprintf(mem, sizeof(mem), "%zu", mem_mb);
	if (B.huge)
		ret = rte_eal_init((int)RTE_DIM(eal_huge) - 1, eal_huge);
	else
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
	B.raw_cold_buf = B.raw_cold ? rte_malloc(NULL, (size_t)B.packets * 2048, 64) : NULL;
	if (B.aead == NULL || B.raw_src == NULL || B.raw_dst == NULL || B.raw_tag == NULL ||
		(B.raw_cold && B.raw_cold_buf == NULL)) {
		fprintf(stderr, "bench_pipeline: out of memory\n");
		goto out_eal;
	}
	wr_random(B.raw_key, sizeof(B.raw_key));
	rte_eal_remote_launch(get_meter, NULL, WORKER_LCORE);
	if (rte_eal_wait_lcore(WORKER_LCORE) != 0) {
		fprintf(stderr, "bench_pipeline: no CPU clock for the worker's thread\n");
		goto out_eal;
	}
	/* --json: stdout carries the object only; the gateway's own lines go to stderr */
	if (B.json) {
		fflush(stdout);
		stdout_fd = dup(STDOUT_FILENO);
		if (stdout_fd >= 0)
			dup2(STDERR_FILENO, STDOUT_FILENO);
	}
	ret = bp_setup();
	if (stdout_fd >= 0) {
		fflush(stdout);
		dup2(stdout_fd, STDOUT_FILENO);
		close(stdout_fd);
	}
	if (ret < 0)
		goto out_gw;
	bp_worker_stop(); /* from now on it runs for the pipeline slices only */
	B.drops0 = drops_total();

	for (si = 0; si < NSIZES; si++) {
		if (B.only_size != 0 && sizes[si] != B.only_size)
			continue;
		for (d = 0; d < NDIRS; d++)
			if (B.only_dir < 0 || (unsigned int)B.only_dir == d)
				measure(si, (enum dir)d);
	}
	report();
	if (drops_total() != B.drops0)
		wr_dp_stats_print(B.dp, stderr);
	status = B.failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
out_gw:
	bp_teardown();
out_eal:
	if (B.wm.status_fd >= 0)
		close(B.wm.status_fd);
	wr_aead_ctx_free(B.aead);
	rte_free(B.raw_src);
	rte_free(B.raw_dst);
	rte_free(B.raw_tag);
	rte_free(B.raw_cold_buf);
	rte_eal_cleanup();
	return status;
}
