/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The WireGuard protocol engine: one device (our static key, a table of peers, the receiver
 * index table, cookie state, load detection) driven by bytes, a clock and callbacks.
 *
 * It knows nothing of sockets, DPDK or threads. The host:
 *   - hands it every UDP payload received on the listen port: wr_device_receive();
 *   - hands it inner IP packets to send: wr_device_send() (routed by AllowedIPs);
 *   - calls wr_device_tick() no later than wr_device_next_deadline();
 *   - tells it how loaded its handshake queue is: wr_device_set_load();
 *   - implements struct wr_device_ops: send a UDP payload to an endpoint, deliver a decrypted
 *     inner packet, read the wall clock (for TAI64N timestamps), and optionally learn about
 *     keypairs (so that a DPDK data plane can encrypt and decrypt on its own cores).
 *
 * Time: every call that can change state takes @p now, a monotonic clock in nanoseconds chosen by
 * the host (CLOCK_MONOTONIC, rte_get_timer_cycles() scaled, or a fake clock in tests). It must
 * never go backwards. The wall clock is only read through ops->wall_time_ns.
 *
 * Concurrency: none inside. Every function on a device and its peers must be called from one
 * thread at a time (the control lcore). Callbacks are called synchronously from within those
 * calls; they must not call back into the device, except that ops->deliver and the hooks may
 * read peer accessors (wr_peer_*_get, wr_peer_public_key, wr_peer_userdata).
 *
 * Secrets: private keys, preshared keys, handshake and session keys are never printed or logged,
 * and are wiped when replaced, expired, or on destroy.
 */
#ifndef WR_DEVICE_H
#define WR_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "wr_drops.h"
#include "wr_messages.h"

struct wr_device;
struct wr_peer;

/** A UDP endpoint: IPv4 or IPv6 address and port. sa.sa_family == 0 means "unknown". */
struct wr_endpoint {
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	};
};

/**
 * A session's key material, as handed to ops->keypair_installed so that another component (the
 * DPDK data plane) can seal and open transport data on its own. The pointer is valid only during
 * the callback: copy what you need.
 */
struct wr_keypair_info {
	uint32_t local_index;                  /* receiver index of incoming data for this key */
	uint32_t remote_index;                 /* receiver index to put in outgoing data */
	uint8_t send_key[WR_AEAD_KEY_SIZE];    /* our sending key */
	uint8_t receive_key[WR_AEAD_KEY_SIZE]; /* our receiving key */
	uint64_t birth;                        /* @p now when the handshake completed */
	bool initiator;                        /* we initiated the handshake that made it */
	/*
	 * false for a responder's fresh keypair: it may receive at once but must not be used for
	 * sending until confirmed (see wr_device_data_received()); true otherwise.
	 */
	bool confirmed;
};

/**
 * Format @p ep as "a.b.c.d:port" or "[v6]:port" into @p buf (@p size bytes, truncated to fit).
 * Returns false, leaving @p buf as it was, when the endpoint is unknown.
 */
bool
wr_endpoint_format(char *buf, size_t size, const struct wr_endpoint *ep);

/**
 * Set @p ep to the @p family (AF_INET or AF_INET6) address @p addr (4 or 16 bytes, network
 * order) and port @p port_be (network order), the rest zero.
 */
static inline void
wr_endpoint_set(struct wr_endpoint *ep, int family, const void *addr, uint16_t port_be)
{
	memset(ep, 0, sizeof(*ep));
	if (family == AF_INET6) {
		ep->in6.sin6_family = AF_INET6;
		ep->in6.sin6_port = port_be;
		memcpy(&ep->in6.sin6_addr, addr, 16);
	} else {
		ep->in4.sin_family = AF_INET;
		ep->in4.sin_port = port_be;
		memcpy(&ep->in4.sin_addr, addr, 4);
	}
}

/** True when @p a and @p b are the same endpoint (address and port); two unknown ones are equal. */
static inline bool
wr_endpoint_equal(const struct wr_endpoint *a, const struct wr_endpoint *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in4.sin_port == b->in4.sin_port &&
		       a->in4.sin_addr.s_addr == b->in4.sin_addr.s_addr;
	if (a->sa.sa_family == AF_INET6)
		return a->in6.sin6_port == b->in6.sin6_port &&
		       memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16) == 0;
	return true;
}

/** Callbacks from the engine to its host. @c send, @c deliver and @c wall_time_ns are required. */
struct wr_device_ops {
	/** Send the UDP payload @p buf of @p len bytes to @p to (from the listen port). */
	void (*send)(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len);

	/**
	 * A decrypted, authenticated inner IP packet from @p peer whose source address is in the
	 * peer's AllowedIPs. Keepalives are not delivered. @p ippkt is valid during the call only.
	 */
	void (*deliver)(void *ctx, struct wr_peer *peer, const void *ippkt, size_t len);

	/** Wall-clock time in ns since the Unix epoch (CLOCK_REALTIME), for TAI64N timestamps. */
	uint64_t (*wall_time_ns)(void *ctx);

	/* Optional hooks (may be NULL), for a data plane that does transport data itself. */

	/**
	 * A keypair was installed for @p peer (after a handshake completed, or when a responder's
	 * keypair got confirmed: then @p kp->confirmed is true and the indices are the same).
	 */
	void (*keypair_installed)(
		void *ctx, struct wr_peer *peer, const struct wr_keypair_info *kp);

	/** The keypair with receiver index @p local_index of @p peer is gone; forget its keys. */
	void (*keypair_removed)(void *ctx, struct wr_peer *peer, uint32_t local_index);

	/** A handshake with @p peer completed (either role). */
	void (*handshake_completed)(void *ctx, struct wr_peer *peer);
};

/** Per-peer counters. Times are 0 when the event never happened. */
struct wr_peer_stats {
	uint64_t rx_bytes;   /* UDP payload bytes received from the peer (authenticated) */
	uint64_t tx_bytes;   /* UDP payload bytes sent to the peer */
	uint64_t rx_packets; /* authenticated data messages, keepalives included */
	uint64_t tx_packets; /* data messages sent, keepalives included */
	uint64_t last_handshake_wall_ns; /* wall time of the last completed handshake */
	uint64_t handshakes;             /* completed handshakes, both roles */
	uint64_t handshake_attempts;     /* initiations sent */
	uint64_t dropped_spoofed;        /* inner source not in AllowedIPs */
};

#define WR_DEFAULT_MTU 1420

/* ---- device ---- */

/**
 * Create a device with no private key and no peers. @p ops is copied; @p ctx is passed to every
 * callback. Calls wr_crypto_init(). Returns NULL (errno set: EINVAL for missing required ops,
 * ENOMEM) on failure. Undo with wr_device_destroy().
 */
struct wr_device *
wr_device_create(const struct wr_device_ops *ops, void *ctx);

/** Remove every peer (calling ops->keypair_removed for live keypairs), wipe every key, free. */
void
wr_device_destroy(struct wr_device *dev);

/**
 * Set (or replace, or with NULL clear) the device's private key. Per-peer precomputed values are
 * recomputed, handshakes in progress are abandoned and current sessions stop sending (a new
 * handshake follows on the next packet). A peer whose public key equals the new public key is
 * removed, as the kernel does (it cannot handshake with itself), and this returns -EEXIST.
 * Setting the same key again changes nothing. Returns 0 or -EEXIST.
 */
int
wr_device_set_private_key(struct wr_device *dev, const uint8_t priv[WR_KEY_LEN]);

/** Copy the device's public key into @p pub. Returns false when no private key is set. */
bool
wr_device_get_public_key(const struct wr_device *dev, uint8_t pub[WR_KEY_LEN]);

/** Inner MTU used for padding (default WR_DEFAULT_MTU). Larger packets are refused (TOO_BIG). */
void
wr_device_set_mtu(struct wr_device *dev, uint32_t mtu);

/**
 * Handshake queue depth from the host: the device is "under load" while @p queued >=
 * max(@p capacity / 8, 1), and for one second after it last was (as the kernel does). Under load,
 * an initiation or response without a valid mac2 is answered with a cookie reply (if its mac1 is
 * valid) and dropped; one with a valid mac2 must still pass the per-source rate limiter.
 */
void
wr_device_set_load(struct wr_device *dev, size_t queued, size_t capacity, uint64_t now);

/** True when the device is under load at @p now (see wr_device_set_load()). */
bool
wr_device_under_load(const struct wr_device *dev, uint64_t now);

/**
 * Process one UDP payload @p buf of @p len bytes received from @p from at @p now: any message
 * type. May call ops->send (responses, cookie replies, keepalives, flushed queued packets),
 * ops->deliver and the hooks. Returns WR_DROP_NONE when the message was accepted, otherwise the
 * reason it was dropped (already counted; no reply was sent except a cookie reply under load).
 */
enum wr_drop_reason
wr_device_receive(struct wr_device *dev, const struct wr_endpoint *from, const void *buf,
	size_t len, uint64_t now);

/**
 * Send the inner IPv4/IPv6 packet @p ippkt: pick the peer whose AllowedIPs hold its destination,
 * encrypt it with the current keypair and call ops->send; without a usable session, queue it
 * (bounded to WR_MAX_QUEUED_PACKETS per peer, the oldest dropped first) and start a handshake.
 * Returns WR_DROP_NONE when sent or queued, otherwise the counted drop reason (NO_ROUTE,
 * BAD_INNER, TOO_BIG, NO_ENDPOINT, NO_MEMORY).
 */
enum wr_drop_reason
wr_device_send(struct wr_device *dev, const void *ippkt, size_t len, uint64_t now);

/** Run every timer action due at @p now: handshake retries, keepalives, rekeys, key zeroing. */
void
wr_device_tick(struct wr_device *dev, uint64_t now);

/**
 * The earliest time at which wr_device_tick() has something to do, or UINT64_MAX when nothing
 * is pending. Changes after every call that takes @p now.
 */
uint64_t
wr_device_next_deadline(const struct wr_device *dev);

/** Messages dropped for reason @p reason since creation (by this engine, not the data plane). */
uint64_t
wr_device_drop_count(const struct wr_device *dev, enum wr_drop_reason reason);

/** Number of peers. */
size_t
wr_device_peer_count(const struct wr_device *dev);

/**
 * Call @p fn for every peer, in insertion order, until it returns non-zero (which is returned).
 * @p fn must not add or remove peers.
 */
int
wr_device_foreach_peer(
	struct wr_device *dev, int (*fn)(void *ctx, struct wr_peer *peer), void *ctx);

/* ---- peers ---- */

/**
 * Add a peer with public key @p pub and optional preshared key @p psk (NULL: none, i.e. zeros).
 * Returns the peer, owned by the device (freed by wr_device_remove_peer() or destroy), or NULL
 * with errno EEXIST (a peer with that key exists, or it is our own public key), EINVAL or ENOMEM.
 */
struct wr_peer *
wr_device_add_peer(
	struct wr_device *dev, const uint8_t pub[WR_KEY_LEN], const uint8_t psk[WR_KEY_LEN]);

/** The peer with public key @p pub, or NULL. */
struct wr_peer *
wr_device_lookup_peer(const struct wr_device *dev, const uint8_t pub[WR_KEY_LEN]);

/**
 * Remove @p peer: its AllowedIPs, indices, queued packets (counted as PEER_REMOVED) and keys
 * (ops->keypair_removed is called for each live keypair) go with it. @p peer is freed.
 */
void
wr_device_remove_peer(struct wr_device *dev, struct wr_peer *peer);

/** The peer's public key (32 bytes, valid as long as the peer). */
const uint8_t *
wr_peer_public_key(const struct wr_peer *peer);

/** Replace (or with NULL clear) the peer's preshared key. */
void
wr_peer_set_preshared_key(struct wr_peer *peer, const uint8_t psk[WR_KEY_LEN]);

/** Set the peer's endpoint (family 0 clears it). Roaming replaces it later. */
void
wr_peer_set_endpoint(struct wr_peer *peer, const struct wr_endpoint *ep);

/** Copy the peer's current endpoint (family 0 when unknown). */
void
wr_peer_get_endpoint(const struct wr_peer *peer, struct wr_endpoint *ep);

/**
 * Route prefix @p addr/@p cidr (@p family AF_INET with 4 bytes or AF_INET6 with 16, network
 * order) to @p peer; an identical prefix of another peer moves to this one.
 * Returns 0, -EINVAL or -ENOMEM.
 */
int
wr_peer_add_allowedip(struct wr_peer *peer, int family, const void *addr, uint8_t cidr);

/** Remove one prefix of @p peer. Returns 0, -ENOENT or -EINVAL. */
int
wr_peer_remove_allowedip(struct wr_peer *peer, int family, const void *addr, uint8_t cidr);

/** Remove every prefix of @p peer. */
void
wr_peer_clear_allowedips(struct wr_peer *peer);

/**
 * Visit the peer's prefixes (see wr_allowedips_walk_peer()); @p fn returns non-zero to stop.
 */
int
wr_peer_foreach_allowedip(struct wr_peer *peer,
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr), void *ctx);

/**
 * Persistent keepalive interval in seconds (0 disables, at most 65535). When turned on with a
 * session up, a keepalive is sent at the next tick.
 */
void
wr_peer_set_keepalive(struct wr_peer *peer, uint16_t seconds, uint64_t now);

/** The persistent keepalive interval in seconds (0: off). */
uint16_t
wr_peer_get_keepalive(const struct wr_peer *peer);

/** Copy the peer's counters. */
void
wr_peer_get_stats(const struct wr_peer *peer, struct wr_peer_stats *st);

/** Attach a host pointer to the peer (the engine never dereferences it). */
void
wr_peer_set_userdata(struct wr_peer *peer, void *userdata);

/** The host pointer set with wr_peer_set_userdata() (NULL initially). */
void *
wr_peer_userdata(const struct wr_peer *peer);

/** True when the peer has a keypair usable for sending at @p now. */
bool
wr_peer_has_session(const struct wr_peer *peer, uint64_t now);

/**
 * Start a handshake with @p peer now (unless one was sent less than REKEY_TIMEOUT ago); retries
 * follow from wr_device_tick() until a response arrives or REKEY_ATTEMPT_TIME has passed.
 * Returns 0, -ENOKEY (no private key), -EDESTADDRREQ (no endpoint: retries are armed all the
 * same, as the kernel does), -EALREADY (rate limited) or -EINVAL (the peer's key gives a
 * low-order static-static DH: it can never handshake).
 */
int
wr_peer_initiate(struct wr_peer *peer, uint64_t now);

/**
 * Encrypt and send @p ippkt (may be 0 bytes: a keepalive) to @p peer, bypassing routing; queue it
 * and initiate when there is no usable session. Returns as wr_device_send().
 */
enum wr_drop_reason
wr_peer_send(struct wr_peer *peer, const void *ippkt, size_t len, uint64_t now);

/* ---- for a data plane that handles transport data itself ---- */

/**
 * The data plane authenticated a data message for the keypair with receiver index
 * @p local_index of @p peer, from @p from, carrying @p inner_len bytes of inner packet (0: a
 * keepalive), @p wire_len bytes of UDP payload. Drives timers, roaming, stats, and the responder's
 * confirmation of a "next" keypair (then ops->keypair_installed is called again with confirmed =
 * true). Returns false when no such keypair exists.
 */
bool
wr_device_data_received(struct wr_device *dev, struct wr_peer *peer, uint32_t local_index,
	const struct wr_endpoint *from, size_t inner_len, size_t wire_len, uint64_t now);

/**
 * The data plane sent a data message of @p wire_len bytes to @p peer (@p inner_len 0: a
 * keepalive) with counter @p counter of its current keypair. Drives timers and rekey-on-send.
 */
void
wr_device_data_sent(struct wr_device *dev, struct wr_peer *peer, size_t inner_len, size_t wire_len,
	uint64_t counter, uint64_t now);

#endif /* WR_DEVICE_H */
