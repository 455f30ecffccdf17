/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Session keypairs and the receiver index table (the kernel's noise.c keypair rotation and
 * peerlookup.c index hashtable).
 *
 * Every handshake in progress and every live keypair owns a random 32-bit receiver index, unique
 * in the device; incoming responses, cookie replies and data messages find their state through
 * it. A keypair inherits the index of the handshake that made it.
 *
 * A peer keeps three keypairs: previous (still accepted on receive while the peer switches over),
 * current (used to send) and next (a responder's fresh keypair, not used to send until the
 * initiator proves it has it by sending data with it: the confirmation rule).
 *
 * Single-threaded: owned by the control thread.
 */
#ifndef WR_KEYPAIR_H
#define WR_KEYPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wr_messages.h"
#include "wr_noise.h"
#include "wr_replay.h"

struct wr_peer;

enum wr_index_kind {
	WR_INDEX_HANDSHAKE = 1u << 0,
	WR_INDEX_KEYPAIR = 1u << 1,
};

struct wr_index_entry {
	struct wr_index_entry *next; /* bucket chain */
	struct wr_peer *peer;
	uint32_t index; /* host order */
	uint8_t kind;   /* enum wr_index_kind */
	bool hashed;
};

#define WR_INDEX_BUCKETS (1u << 13)

struct wr_index_table {
	struct wr_index_entry *buckets[WR_INDEX_BUCKETS];
	size_t count;
	/* indices are PRF(key, counter): unpredictable without a system call per handshake */
	uint8_t key[WR_KEY_LEN];
	uint64_t counter;
	/* one PRF output makes eight indices, handed out from the end */
	uint32_t pool[8];
	unsigned pool_left;
};

/** Initialise an empty table with a fresh random PRF key. */
void
wr_index_table_init(struct wr_index_table *t);

/** Give @p e a fresh random index, unique in @p t, and insert it. @p e must not be hashed. */
void
wr_index_insert(struct wr_index_table *t, struct wr_index_entry *e);

/** Put @p new in the place of @p old (which leaves the table), with the same index. */
void
wr_index_replace(struct wr_index_table *t, struct wr_index_entry *old, struct wr_index_entry *new);

/** Remove @p e if hashed. */
void
wr_index_remove(struct wr_index_table *t, struct wr_index_entry *e);

/** The entry with @p index whose kind is in @p kinds (a mask), or NULL. */
struct wr_index_entry *
wr_index_lookup(const struct wr_index_table *t, uint32_t index, unsigned kinds);

struct wr_keypair {
	struct wr_index_entry entry; /* entry.index: our receiver index for it */
	uint32_t remote_index;
	uint8_t send_key[WR_KEY_LEN];
	uint8_t receive_key[WR_KEY_LEN];
	uint64_t send_counter; /* next nonce to send */
	struct wr_replay replay;
	uint64_t birth; /* engine time of the handshake's completion */
	bool initiator;
	bool send_valid;
	bool receive_valid;
};

struct wr_keypairs {
	struct wr_keypair *previous, *current, *next;
};

/** Called for every keypair the rotation drops; it must unhash, wipe and free it. */
typedef void (*wr_keypair_release_fn)(void *ctx, struct wr_keypair *kp);

/**
 * Allocate a keypair from @p s (the session keys are copied; wipe @p s afterwards), born at
 * @p now, not hashed. NULL when out of memory.
 */
struct wr_keypair *
wr_keypair_create(const struct wr_noise_session *s, uint64_t now);

/** Wipe and free (not unhash) @p kp. NULL is fine. */
void
wr_keypair_destroy(struct wr_keypair *kp);

/**
 * Install @p kp: an initiator's becomes current at once (the old current moves to previous, or
 * a pending next does and the old current is dropped); a responder's goes to next (an older next
 * and the previous are dropped).
 */
void
wr_keypairs_add(
	struct wr_keypairs *kps, struct wr_keypair *kp, wr_keypair_release_fn rel, void *ctx);

/**
 * Data authenticated with @p kp was received. When @p kp is next, it becomes current (the old
 * current moves to previous, the old previous is dropped) and this returns true.
 */
bool
wr_keypairs_received_with(
	struct wr_keypairs *kps, struct wr_keypair *kp, wr_keypair_release_fn rel, void *ctx);

/** Drop all three. */
void
wr_keypairs_clear(struct wr_keypairs *kps, wr_keypair_release_fn rel, void *ctx);

/** Stop sending with current and next (they may still receive): forces a new handshake. */
void
wr_keypairs_expire_sending(struct wr_keypairs *kps);

#endif /* WR_KEYPAIR_H */
