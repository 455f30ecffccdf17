/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The receiver index table of the data plane: local index -> keypair, as the engine's hooks
 * describe them (wr_device.h: keypair_installed, keypair_removed).
 *
 * Writers and readers:
 *   - only the control lcore installs, confirms and removes, from within the engine's hooks;
 *   - workers look keypairs up lock-free (an RCU hash chain) while they are online in the
 *     rte_rcu_qsbr variable given at creation, and use the pointer until their next quiescent
 *     state report: a removed keypair is unlinked at once, but its memory (and its keys, wiped
 *     then) is freed only after every worker went through a quiescent state. Nothing here ever
 *     waits for the workers: freeing is polled (wr_keytable_reclaim()).
 *
 * Removing a peer's keypairs walks that peer's own list, not the table.
 *
 * The keytable also keeps each peer's sending keypair (struct wr_dp_peer.current) in step with
 * the engine: the latest confirmed keypair of a peer is the one to send with, as the engine's
 * "current" keypair; a responder's keypair becomes it when the engine confirms it.
 *
 * The send counter and the replay window of a keypair live here, shared by every worker: the
 * counter is reserved with one atomic fetch-add per burst and keypair, the window is updated
 * under a per-keypair spinlock taken once per burst and keypair (two workers may receive for
 * one keypair while a peer roams between RSS queues).
 */
#ifndef WR_DP_KEYTABLE_H
#define WR_DP_KEYTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "dp_peer.h"
#include "wr_device.h"
#include "wr_replay.h"
#include "wr_timers.h"

/** One session's keys and state, shared by every worker. */
struct wr_dp_keypair {
	/* read-only after install, but for the chain pointer and confirmed (control lcore) */
	struct wr_dp_keypair *next; /* hash chain, RCU */
	uint32_t local_index;       /* host order; le32 on the wire */
	uint32_t remote_index;
	uint32_t peer_id;
	bool initiator;
	bool confirmed; /* may be used for sending */
	uint64_t birth; /* engine clock (ns) when the handshake completed */
	uint8_t send_key[WR_AEAD_KEY_SIZE];
	uint8_t receive_key[WR_AEAD_KEY_SIZE];

	/* the next sending counter, reserved by senders with an atomic fetch-add */
	uint64_t send_counter __rte_cache_aligned;

	/* receivers: replay window, updated under the lock, checked without it */
	rte_spinlock_t replay_lock __rte_cache_aligned;
	struct wr_replay replay;

	/* control lcore only: chain by remote index (wr_keytable_reseal()), and the list of
	 * keypairs waiting for their grace period */
	struct wr_dp_keypair *rnext __rte_cache_aligned;
	struct wr_dp_keypair *pnext; /* the peer's other keypairs */
	struct wr_dp_keypair *free_next;
	uint64_t free_token;
};

struct wr_keytable;

/**
 * Create a keytable sized for about @p capacity live keypairs (a peer has up to three), whose
 * removed keypairs are freed once every reader registered in @p rcu went through a quiescent
 * state. @p rcu may be NULL when no other thread reads the table (keypairs are then freed at
 * once). @p peers is where the sending keypairs are published; it must outlive the keytable.
 * Returns NULL with errno EINVAL or ENOMEM. Free with wr_keytable_destroy().
 */
struct wr_keytable *
wr_keytable_create(
	uint32_t capacity, struct wr_dp_peers *peers, struct rte_rcu_qsbr *rcu, int socket);

/** Wipe and free every keypair, then the table. No worker may be reading it. NULL: no-op. */
void
wr_keytable_destroy(struct wr_keytable *kt);

/**
 * The keypair_installed hook (control lcore): install the keys of @p kp for peer @p peer_id
 * (which must be in use in the peer table), or, when a keypair with that local index exists and
 * @p kp->confirmed, confirm it. A confirmed keypair becomes the peer's sending keypair.
 * Returns 0, -EEXIST (the index is live and this is no confirmation), -ENOENT (no such peer)
 * or -ENOMEM.
 */
int
wr_keytable_install(struct wr_keytable *kt, uint32_t peer_id, const struct wr_keypair_info *kp);

/**
 * Confirm the keypair @p local_index (control lcore): it becomes its peer's sending keypair.
 * Returns 0 or -ENOENT.
 */
int
wr_keytable_confirm(struct wr_keytable *kt, uint32_t local_index);

/**
 * The keypair_removed hook (control lcore): unlink keypair @p local_index so that no lookup finds
 * it any more, stop sending with it, and free it (keys wiped) after a grace period.
 * Returns 0 or -ENOENT.
 */
int
wr_keytable_remove(struct wr_keytable *kt, uint32_t local_index);

/**
 * Stop sending with every keypair (control lcore), as the engine does when the private key
 * changes (current sessions may still receive; the next handshake installs a sending keypair).
 */
void
wr_keytable_expire_sending(struct wr_keytable *kt);

/** Remove every keypair of peer @p peer_id (control lcore). Returns how many were removed. */
unsigned int
wr_keytable_remove_peer(struct wr_keytable *kt, uint32_t peer_id);

/**
 * Free the removed keypairs whose grace period is over (control lcore; never blocks). Returns
 * how many were freed. The control lcore calls it now and then; remove calls it too.
 */
unsigned int
wr_keytable_reclaim(struct wr_keytable *kt);

/** Removed keypairs still waiting for their grace period. */
unsigned int
wr_keytable_pending(const struct wr_keytable *kt);

/** Live (installed, not removed) keypairs. */
unsigned int
wr_keytable_count(const struct wr_keytable *kt);

/**
 * For the host's ops->send on the control lcore: the engine seals some data messages itself
 * (keepalives, the packets it queued during a handshake) with its own counter, which the workers
 * do not follow, so the same nonce could go out twice. Re-seal such a message @p msg of @p len
 * bytes in place with a counter reserved like the workers' (one fetch-add), after checking that
 * it authenticates under the keypair its receiver index names (indices chosen by different peers
 * may collide: the tag tells them apart). Other messages are left alone.
 * Returns 0 (re-sealed), -EPROTO (not a data message: send it as is), -ENOENT (no keypair of
 * ours sealed it: drop it, sending it could repeat a nonce) or -ENOMEM.
 */
int
wr_keytable_reseal(struct wr_keytable *kt, uint8_t *msg, size_t len);

/**
 * Whether keypair @p kp may no longer send at engine time @p now (REJECT_AFTER_TIME since the
 * handshake, or REJECT_AFTER_MESSAGES sent): packets for its peer are then held and a new
 * handshake started.
 */
static inline bool
wr_dp_keypair_expired(const struct wr_dp_keypair *kp, uint64_t now)
{
	return wr_timers_keypair_expired(
		kp->birth, __atomic_load_n(&kp->send_counter, __ATOMIC_RELAXED), now);
}

/**
 * The keypair peer @p p may send with at engine time @p now, or NULL when it has none or its
 * current one expired (wr_dp_keypair_expired()). Any lcore, lock-free; the result is valid
 * until the caller's next quiescent state report.
 */
static inline struct wr_dp_keypair *
wr_dp_peer_sending_keypair(const struct wr_dp_peer *p, uint64_t now)
{
	struct wr_dp_keypair *kp = __atomic_load_n(&p->current, __ATOMIC_ACQUIRE);

	return kp == NULL || wr_dp_keypair_expired(kp, now) ? NULL : kp;
}

/**
 * The keypair with local index @p local_index (host order), or NULL (any lcore, lock-free).
 * A worker may use the result until it next reports a quiescent state.
 */
struct wr_dp_keypair *
wr_keytable_lookup(const struct wr_keytable *kt, uint32_t local_index);

#endif /* WR_DP_KEYTABLE_H */
