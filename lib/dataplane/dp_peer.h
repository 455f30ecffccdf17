/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data plane's view of WireGuard peers, and the per-lcore state of the transport-data path.
 *
 * A peer here is an id (the one the cryptokey LPM tables answer with), the keypair to send with
 * and the endpoint to send to. The protocol engine (lib/ctrl, control lcore) owns the real peer;
 * the control lcore mirrors what workers need into a struct wr_dp_peer:
 *   - the current sending keypair is set and cleared by the keytable (keytable.h), following the
 *     engine's keypair_installed / keypair_removed hooks;
 *   - the endpoint is set by the control lcore after the engine roamed (wr_peer_get_endpoint()).
 *
 * Concurrency: one writer (the control lcore), lock-free readers (workers). The current keypair
 * is an RCU-protected pointer; the endpoint is guarded by a sequence count, so a reader never
 * sees half of an old and half of a new address. Peer ids are reused only after an RCU grace
 * period, once no LPM entry maps to the id any more.
 *
 * Counters: every lcore counts bytes and packets per peer in its own struct wr_dp_crypto_lcore;
 * a total is the sum over lcores (wr_dp_peer_counters_sum()).
 */
#ifndef WR_DP_PEER_H
#define WR_DP_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#include "drops.h" /* wr_dp_counter_add() */
#include "wr_aead_batch.h"
#include "wr_device.h"
#include "wr_drops.h"

/** Peer id meaning "no peer" (what a source lookup answers for an address nobody owns). */
#define WR_DP_PEER_NONE UINT32_MAX

/** The longest burst the encap and decap functions take in one call. */
#define WR_DP_CRYPTO_BURST WR_AEAD_BURST_MAX

struct wr_dp_keypair;
struct wr_keytable;

/** One peer as the workers see it. Written by the control lcore only. */
struct wr_dp_peer {
	/* the keypair to seal with (confirmed), or NULL; RCU-protected */
	struct wr_dp_keypair *current;
	/* odd while the control lcore rewrites the endpoint */
	uint32_t ep_seq;
	bool in_use;
	/* struct wr_endpoint as words, so that readers copy it with atomic loads */
	uint64_t ep_words[(sizeof(struct wr_endpoint) + 7) / 8];
} __rte_cache_aligned;

/** The peers, indexed by id. */
struct wr_dp_peers {
	uint32_t capacity;
	struct wr_dp_peer *peer; /* capacity entries */
};

/** Per-lcore, per-peer counters (wire bytes are UDP payload bytes, as the engine counts). */
struct wr_dp_peer_counters {
	uint64_t rx_packets; /* authenticated data messages, keepalives included */
	uint64_t rx_bytes;
	uint64_t tx_packets; /* data messages sealed, keepalives included */
	uint64_t tx_bytes;
	uint64_t rx_spoofed; /* authenticated, but inner source not in the peer's AllowedIPs */
};

/**
 * Everything one lcore of the transport-data path writes: its AEAD context, its counters and the
 * scratch space of a burst. One per lcore, never shared; totals are read through
 * wr_dp_peer_counters_sum() and wr_dp_crypto_drops_sum().
 */
struct wr_dp_crypto_lcore {
	struct wr_aead_ctx *aead;
	uint32_t n_peers;
	struct wr_dp_peer_counters *peer; /* n_peers entries, by peer id */
	uint64_t *drops;                  /* WR_DROP_COUNT counters: own_drops or the caller's */
	uint64_t own_drops[WR_DROP_COUNT];
	/* scratch of one burst, here rather than on the stack of the burst functions */
	struct wr_aead_op ops[WR_DP_CRYPTO_BURST];
	struct wr_dp_keypair *kp[WR_DP_CRYPTO_BURST];
	uint16_t op_pkt[WR_DP_CRYPTO_BURST];
	uint16_t pkt_op[WR_DP_CRYPTO_BURST];
	uint16_t pkt_group[WR_DP_CRYPTO_BURST];
	const uint8_t *inner[WR_DP_CRYPTO_BURST];
	uint32_t src_peer[WR_DP_CRYPTO_BURST];
} __rte_cache_aligned;

/**
 * What the encap and decap bursts read (shared by every worker; the tables are RCU-protected).
 */
struct wr_dp_crypto_tables {
	struct wr_keytable *keys;
	struct wr_dp_peers *peers;
	uint32_t mtu; /* inner MTU: encap pads within it and refuses larger packets (TOO_BIG) */
	/*
	 * Cryptokey routing of inner sources (required by decap): set @p peer_ids[i] to the peer
	 * whose AllowedIPs hold the source address of the inner IP packet whose header starts at
	 * @p hdrs[i] (version 4 or 6, checked; the whole header is there), or WR_DP_PEER_NONE.
	 * The LPM tables answer it in bulk.
	 */
	void (*src_lookup)(
		void *ctx, const uint8_t *const *hdrs, unsigned int n, uint32_t *peer_ids);
	void *src_ctx;
};

/**
 * Create a table of @p capacity peers (ids 0 .. capacity - 1), all unused, in rte_malloc memory
 * on @p socket (SOCKET_ID_ANY: any). Returns NULL with errno EINVAL or ENOMEM.
 */
struct wr_dp_peers *
wr_dp_peers_create(uint32_t capacity, int socket);

/** Free @p t. No worker may be reading it. NULL is a no-op. */
void
wr_dp_peers_destroy(struct wr_dp_peers *t);

/**
 * Start using id @p id for a peer (control lcore): no keypair, no endpoint yet.
 * Returns 0, -ERANGE (id >= capacity) or -EEXIST.
 */
int
wr_dp_peer_add(struct wr_dp_peers *t, uint32_t id);

/**
 * Stop using id @p id (control lcore). Its keypairs must have been removed from the keytable
 * first (wr_keytable_remove_peer()); the id may be reused after an RCU grace period.
 * Returns 0 or -ENOENT.
 */
int
wr_dp_peer_remove(struct wr_dp_peers *t, uint32_t id);

/** The first unused id, or WR_DP_PEER_NONE when the table is full. */
uint32_t
wr_dp_peer_free_id(const struct wr_dp_peers *t);

/** Peer @p id if it is in use, else NULL (any lcore). */
static inline struct wr_dp_peer *
wr_dp_peer_get(struct wr_dp_peers *t, uint32_t id)
{
	struct wr_dp_peer *p;

	if (id >= t->capacity)
		return NULL;
	p = &t->peer[id];
	return __atomic_load_n(&p->in_use, __ATOMIC_ACQUIRE) ? p : NULL;
}

/** Set the endpoint of @p id (control lcore; family 0 clears it). Returns 0 or -ENOENT. */
int
wr_dp_peer_set_endpoint(struct wr_dp_peers *t, uint32_t id, const struct wr_endpoint *ep);

/** Copy the endpoint of @p p into @p ep (any lcore, lock-free). False when it has none. */
bool
wr_dp_peer_get_endpoint(const struct wr_dp_peer *p, struct wr_endpoint *ep);

/**
 * Prepare @p lc for a worker of a table of @p n_peers peers: an AEAD context of backend @p b
 * (WR_AEAD_AUTO: the default, WR_AEAD_BACKEND honoured), zeroed counters, on @p socket. Drops are
 * counted in @p drops (WR_DROP_COUNT entries, e.g. the lcore's proto_drops) or, when NULL, in
 * lc->own_drops. Returns 0, -ENOTSUP (backend) or -ENOMEM; undo with wr_dp_crypto_lcore_fini().
 */
int
wr_dp_crypto_lcore_init(struct wr_dp_crypto_lcore *lc, uint32_t n_peers, enum wr_aead_backend b,
	int socket, uint64_t *drops);

/** Free what wr_dp_crypto_lcore_init() took. Safe on a zeroed or finished @p lc. */
void
wr_dp_crypto_lcore_fini(struct wr_dp_crypto_lcore *lc);

/**
 * Sum the counters of peer @p id over the @p n lcores @p lcs into @p out (readable while the
 * lcores run: each counter is read atomically, the set is not a snapshot).
 */
void
wr_dp_peer_counters_sum(struct wr_dp_crypto_lcore *const *lcs, unsigned int n, uint32_t id,
	struct wr_dp_peer_counters *out);

/** Drops for @p reason summed over the @p n lcores @p lcs. */
uint64_t
wr_dp_crypto_drops_sum(
	struct wr_dp_crypto_lcore *const *lcs, unsigned int n, enum wr_drop_reason reason);

/** Count one drop for @p reason on @p lc (the caller frees the packet). */
static inline void
wr_dp_crypto_count_drop(struct wr_dp_crypto_lcore *lc, enum wr_drop_reason reason)
{
	/* one writer per lcore: a relaxed load and store keep readers of the totals race-free */
	wr_dp_count(&lc->drops[reason]);
}


/** Bytes of each packet asked for ahead of a batch AEAD (wr_dp_prefetch_payload()). */
#define WR_DP_PAYLOAD_PREFETCH 256

/**
 * Ask for the first WR_DP_PAYLOAD_PREFETCH bytes of the @p len at @p p before a batch AEAD
 * seals or opens them: packets arrive cold (another core or the NIC wrote them), and the AEAD of
 * one packet would otherwise wait on each line in turn. The hardware prefetcher follows a longer
 * packet on its own.
 */
static inline void
wr_dp_prefetch_payload(const void *p, uint32_t len)
{
	const uint8_t *l = RTE_PTR_ALIGN_FLOOR((const uint8_t *)p, RTE_CACHE_LINE_SIZE);
	const uint8_t *end = (const uint8_t *)p + RTE_MIN(len, (uint32_t)WR_DP_PAYLOAD_PREFETCH);

	for (; l < end; l += RTE_CACHE_LINE_SIZE)
		rte_prefetch0(l);
}

#endif /* WR_DP_PEER_H */
