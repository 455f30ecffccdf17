/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_pipeline's parts (bench_pipeline.c says what it measures):
 *   - bench_pipeline_wire.c: the gateway assembled on net_ring ports, the remote peer's engine,
 *     the wire between them (ARP, UDP), the generator's frames, the handshake;
 *   - bench_pipeline.c: the raw AEAD slices, the timed rounds and their checks, the report.
 * One lcore (the EAL main lcore: control and generator) runs everything here but raw_main() and
 * the worker loop; struct bench is that lcore's.
 */
#ifndef BENCH_PIPELINE_H
#define BENCH_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "control.h"
#include "dataplane.h"
#include "wr_aead_batch.h"
#include "wr_device.h"

#define MTU 1420
#define WG_PORT 51820
#define WORKER_LCORE 1
#define GEN_LCORE 0
#define MAX_PACKETS 16384
/* the generator's mbufs: a round in flight, its outputs held for checking, and spares */
#define GEN_MBUFS (2 * MAX_PACKETS + 4096)
#define RING_SIZE 32768
#define RAW_BUFS 256
#define RAW_BURST 32 /* the worker's: WR_DP_BURST packets per RX burst, one AEAD batch each */
/* packets through the worker, untimed, before a pipeline slice's (as a raw slice's warm pass) */
#define WARM_PACKETS 256
#define MAX_ROUNDS 201
#define HDRS                                                                                       \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))
/* the remote's data counters start far from the engine's own (its keepalives) */
#define REMOTE_COUNTER0 (1ull << 32)
#define INNER_PROTO 253 /* RFC 3692 experimentation */

#define NSIZES 3 /* 64, 512 and 1420 bytes */

enum dir { DECRYPT, ENCRYPT, NDIRS };

/* One gateway port as the wire sees it: its rings, and the station on the other side. */
struct wire {
	const char *name;
	struct rte_ring *rx;    /* generator -> gateway: the port's RX queue 0 */
	struct rte_ring *tx[2]; /* gateway -> generator: TX queue 0 (worker), 1 (control) */
	uint16_t port_id;
	struct rte_ether_addr mac;  /* the gateway port's */
	struct rte_ether_addr smac; /* the station's */
	uint32_t addr, saddr;       /* the gateway's and the station's, network order */
};

/* The remote peer: a second engine, and the keys it learnt, to seal and open on its behalf. */
struct remote {
	struct wr_device *dev;
	struct wr_peer *peer;
	bool have_keys;
	bool ticking; /* its timers run during bring-up only: its own keepalives would be replays */
	uint32_t local_index, remote_index;
	uint8_t send_key[WR_AEAD_KEY_SIZE], recv_key[WR_AEAD_KEY_SIZE];
	uint64_t counter;
	unsigned int delivered;
	uint8_t last[2048];
	size_t last_len;
};

/* One round: a raw AEAD slice and a pipeline slice of the same packets, back to back. */
struct sample {
	double pipe_cyc, raw_cyc;               /* TSC cycles of the thread's CPU time per packet */
	unsigned int pipe_preempt, raw_preempt; /* involuntary context switches meanwhile */
};

/* What the worker's thread does and has done, as this lcore and the thread itself see it. */
struct worker_meter {
	clockid_t clock;   /* its CPU time, readable from any thread */
	int status_fd;     /* /proc/self/task/TID/status: its context switches */
	uint64_t start_ns; /* its CPU time when it entered the worker loop (it writes this) */
	long start_nivcsw; /* its involuntary context switches then */
};

struct bench {
	struct wr_dataplane *dp;
	struct wr_control *ctl;
	struct rte_mempool *mp; /* the generator's frames */
	struct wire wan, lan;
	struct remote rem;
	uint32_t inner_remote; /* an address in the peer's AllowedIPs */
	uint64_t hz;
	unsigned int packets, rounds, only_size;
	int only_dir; /* -1: both */
	bool json, quick, verbose;
	bool live;   /* the worker runs while the generator pushes (default: pre-filled ring) */
	bool no_raw; /* pipeline rounds only: for profiling the worker (perf record -C 1) */
	bool raw_cold; /* raw slices over buffers the generator has just written, once each */
	bool no_udp_csum; /* the remote sends UDP checksum 0 (IPv4 allows it): nothing to verify */
	bool udp_csum;    /* the gateway's UDPChecksum = on: it sums every message it sends */
	bool huge;        /* EAL on hugepages (--in-memory) instead of --no-huge */
	char lcores[48];  /* EAL --lcores: the generator's and the worker's CPUs */
	unsigned int failures;
	uint64_t checked[NDIRS]; /* packets out checked: compared (decrypt), opened too (encrypt) */
	uint32_t seq;
	unsigned int seen[2][2]; /* frames service() took, per wire (WAN, LAN) and TX queue */
	struct rte_mbuf *in[MAX_PACKETS];
	struct rte_mbuf *out[MAX_PACKETS];
	uint8_t scratch[2048];
	struct sample s[NSIZES][NDIRS][MAX_ROUNDS];
	/* raw AEAD, run on the worker's lcore while the worker loop is stopped */
	struct wr_aead_ctx *aead;
	uint8_t *raw_src, *raw_dst, *raw_tag;
	uint8_t *raw_cold_buf; /* --raw-cold: B.packets buffers of 2 KiB */
	uint8_t raw_key[WR_AEAD_KEY_SIZE];
	unsigned int raw_size, raw_n;
	bool raw_open;
	double raw_result;
	unsigned int raw_preempt;
	struct worker_meter wm;
	bool worker_running;
	uint64_t drops0; /* drops counted during bring-up (neighbour queues while resolving) */
};

extern struct bench B;

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "bench_pipeline: FAIL: " __VA_ARGS__);                             \
		fprintf(stderr, "\n");                                                             \
		B.failures++;                                                                      \
	} while (0)

/** The engine's clock now (the gateway's too). */
uint64_t
bp_now_ns(void);

/** An inner IPv4 packet of @p len bytes whose payload starts with @p seq, then a pattern. */
void
bp_make_inner(uint8_t *p, unsigned int len, uint32_t src, uint32_t dst, uint32_t seq, uint8_t ttl);

/** Data message @p seq of @p size inner bytes, sealed with the remote's keys and next counter. */
struct rte_mbuf *
bp_data_frame(unsigned int size, uint32_t seq);

/** LAN packet @p seq of @p size bytes from the LAN station to the remote's inner network. */
struct rte_mbuf *
bp_lan_frame(unsigned int size, uint32_t seq);

/** Hand @p n frames to the gateway's port @p w (its RX ring). */
void
bp_push(struct wire *w, struct rte_mbuf **pkts, unsigned int n);

/** Serve the control lcore and the wire until nothing happened for @p quiet_ms. */
void
bp_settle(unsigned int quiet_ms);

/**
 * Make the rings, the ports, the gateway (as app/main.c does), the remote's engine; then run the
 * handshake and warm the next hops. Returns 0 or -errno (said on stderr); bp_teardown() undoes
 * what was done either way.
 */
int
bp_setup(void);

/** EAL's memory (MiB) for the gateway of bp_setup() and the generator's @p n_mbufs mbufs. */
int
bp_memory_mb(unsigned int n_mbufs, size_t *mb);

/** The calling thread's involuntary context switches so far. */
long
bp_nivcsw_self(void);

/** Start the worker loop on WORKER_LCORE (again); it notes B.wm's start_ns and start_nivcsw. */
void
bp_worker_start(void);

/** Stop the worker loop and wait for it. */
void
bp_worker_stop(void);

/** Undo bp_setup() (the worker stopped). */
void
bp_teardown(void);

#endif /* BENCH_PIPELINE_H */
