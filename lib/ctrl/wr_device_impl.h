/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the protocol engine shared by device.c (dispatch, handshakes, timers), peer.c
 * (peer table, configuration, packet queue) and data.c (transport data). Not a public header:
 * hosts use wr_device.h.
 */
#ifndef WR_DEVICE_IMPL_H
#define WR_DEVICE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wr_allowedips.h"
#include "wr_cookie.h"
#include "wr_device.h"
#include "wr_keypair.h"
#include "wr_noise.h"
#include "wr_ratelimiter.h"
#include "wr_timers.h"

#define WR_PEER_BUCKETS 1024 /* peer.c takes the top 10 bits of a 64-bit hash */
/* largest UDP payload we build: a data message with a 64 KiB inner packet */
#define WR_SCRATCH_LEN (WR_MSG_DATA_MIN_LEN + 65536)
/* the kernel's default for the handshake rate limiter's table */
#define WR_DEVICE_RATELIMIT_ENTRIES 4096

struct wr_queued_pkt {
	struct wr_queued_pkt *next;
	size_t len;
	uint8_t data[];
};

struct wr_peer {
	struct wr_device *dev;
	struct wr_peer *hash_next;
	struct wr_peer *list_prev, *list_next;
	uint8_t public_key[WR_KEY_LEN];
	struct wr_noise_handshake hs;
	struct wr_index_entry hs_entry; /* the handshake's receiver index, when hashed */
	struct wr_keypairs keypairs;
	struct wr_cookie_maker cookie;
	struct wr_timers timers;
	struct wr_endpoint endpoint;
	struct wr_peer_stats stats;
	struct wr_queued_pkt *q_head, *q_tail;
	size_t q_len;
	void *userdata;
};

struct wr_device {
	struct wr_device_ops ops;
	void *ctx;
	struct wr_noise_identity id;
	struct wr_cookie_checker checker;
	struct wr_ratelimiter rl;
	struct wr_allowedips aips;
	struct wr_index_table *index;
	struct wr_peer *peer_buckets[WR_PEER_BUCKETS];
	uint8_t peer_hash_key[16];
	struct wr_peer *first, *last;
	size_t npeers;
	/* no peer's timer is due before this (ns): set by wr_device_tick()'s walk, lowered by
	 * every timer armed since (struct wr_timers' earliest) */
	uint64_t next_deadline;
	uint32_t mtu;
	uint64_t drops[WR_DROP_COUNT];
	uint64_t last_under_load;
	bool load_seen;
	uint8_t *txbuf; /* WR_SCRATCH_LEN bytes: data messages being built */
	uint8_t *rxbuf; /* WR_SCRATCH_LEN bytes: data messages being opened */
};

/** Count a drop (WR_DROP_NONE is not counted) and return @p r. */
static inline enum wr_drop_reason
wr_device_drop(struct wr_device *dev, enum wr_drop_reason r)
{
	if (r != WR_DROP_NONE && r < WR_DROP_COUNT)
		dev->drops[r]++;
	return r;
}

/* ---- device.c ---- */

/** Send @p buf to the peer's endpoint, counting tx bytes; false when it has none. */
bool
wr_device_send_to_peer(struct wr_peer *peer, const void *buf, size_t len);

/** Start a handshake if the REKEY_TIMEOUT rate limit allows (timers decide retries). */
int
wr_device_send_initiation(struct wr_peer *peer, uint64_t now);

/** Release callback for keypair rotation: unhash, tell the hook, wipe, free. */
void
wr_device_release_keypair(void *peer, struct wr_keypair *kp);

/** Tell the keypair_installed hook about @p kp. */
void
wr_device_announce_keypair(struct wr_peer *peer, const struct wr_keypair *kp);

/** A handshake completed (either role): timers, stats, ops->handshake_completed. */
void
wr_device_handshake_complete(struct wr_peer *peer, uint64_t now);

/** A handshake completed and a keypair is usable for sending: flush the queue, or keepalive. */
void
wr_device_session_ready(struct wr_peer *peer, uint64_t now, bool keepalive_if_empty);

/* ---- peer.c ---- */

/** Append a copy of @p pkt to the peer's queue, dropping the oldest beyond the bound. */
enum wr_drop_reason
wr_peer_queue(struct wr_peer *peer, const void *pkt, size_t len);

/** Drop every queued packet, counting each under @p why. */
void
wr_peer_purge_queue(struct wr_peer *peer, enum wr_drop_reason why);

/** Detach the queue (the caller sends or frees the list). */
struct wr_queued_pkt *
wr_peer_take_queue(struct wr_peer *peer);

/** Wipe every keypair and the handshake of @p peer (ops->keypair_removed for each). */
void
wr_peer_zero_keys(struct wr_peer *peer);

/* ---- data.c ---- */

/** A usable sending keypair of @p peer at @p now, or NULL. */
struct wr_keypair *
wr_data_send_keypair(struct wr_peer *peer, uint64_t now);

/**
 * Seal @p pkt (@p len bytes, 0 for a keepalive) with @p kp and send it to the peer's endpoint;
 * drives timers and rekey-on-send. Returns WR_DROP_NONE or the (counted) reason.
 */
enum wr_drop_reason
wr_data_send(
	struct wr_peer *peer, struct wr_keypair *kp, const void *pkt, size_t len, uint64_t now);

/** Handle a received data message (type and length already checked). */
enum wr_drop_reason
wr_data_receive(struct wr_device *dev, const struct wr_endpoint *from, const uint8_t *buf,
	size_t len, uint64_t now);

/** Roaming: the endpoint follows the latest authenticated packet. */
void
wr_peer_update_endpoint(struct wr_peer *peer, const struct wr_endpoint *from);

#endif /* WR_DEVICE_IMPL_H */
