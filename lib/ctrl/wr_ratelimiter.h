/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-source rate limiter for handshake messages under load (as the kernel's ratelimiter.c):
 * a token bucket per source of WR_RATELIMIT_PER_SECOND packets/s with a burst of
 * WR_RATELIMIT_BURST, keyed by the IPv4 address or the IPv6 /64.
 *
 * Memory is fixed at init: a set-associative hash table of @p capacity entries, indexed by
 * SipHash-1-3 under a random key (so sources cannot be chosen to collide). An entry idle for more
 * than WR_RATELIMIT_IDLE_NS is free for reuse. When every slot a new source may use holds a fresh
 * entry, the source is refused (fail closed) and counted in table_full.
 *
 * Times are u64 nanoseconds supplied by the caller; nothing here reads a clock.
 * Concurrency: none; one limiter per handshake thread, or the caller serialises.
 */
#ifndef WR_RATELIMITER_H
#define WR_RATELIMITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wr_messages.h"

/* An entry not seen for longer than this is reclaimed. */
#define WR_RATELIMIT_IDLE_NS WR_NSEC_PER_SEC
#define WR_RATELIMIT_DEFAULT_CAPACITY 8192
/* Slots per hash bucket; a source may live in either of two buckets chosen by its hash. */
#define WR_RATELIMIT_WAYS 8

struct wr_ratelimiter_entry;

struct wr_ratelimiter_stats {
	uint64_t allowed;    /* packets let through */
	uint64_t limited;    /* packets refused: bucket empty (or unknown address family) */
	uint64_t table_full; /* packets refused: a new source found no free slot */
};

struct wr_ratelimiter {
	struct wr_ratelimiter_entry *entries; /* nbuckets * WR_RATELIMIT_WAYS, never reallocated */
	uint32_t nbuckets;                    /* a power of two */
	uint64_t key[2];                      /* SipHash key, random */
	struct wr_ratelimiter_stats stats;
};

/**
 * Allocate a table of at least @p capacity entries (0 means WR_RATELIMIT_DEFAULT_CAPACITY;
 * rounded up to a power of two) and draw a random hash key.
 * Returns 0, -EINVAL (capacity above 2^24) or -ENOMEM. Undo with wr_ratelimiter_uninit().
 */
int
wr_ratelimiter_init(struct wr_ratelimiter *rl, size_t capacity);

/** Free the table. Safe on a zeroed or already uninitialised limiter. */
void
wr_ratelimiter_uninit(struct wr_ratelimiter *rl);

/**
 * Charge one packet from @p src (AF_INET or AF_INET6; the port is ignored) at time @p now.
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d, from a dual-stack socket) counts as the IPv4
 * address, not as the one /64 all of IPv4 would share. Returns true when allowed. @p now must not
 * go backwards for a limiter (smaller values are treated as no time passed).
 */
bool
wr_ratelimiter_allow(struct wr_ratelimiter *rl, const struct sockaddr *src, uint64_t now);

/**
 * As wr_ratelimiter_allow(), for a raw address in network order: 4 bytes for AF_INET, 16 for
 * AF_INET6 (only the first 8, the /64, matter). Used by the data plane, which has no sockaddr.
 */
bool
wr_ratelimiter_allow_addr(struct wr_ratelimiter *rl, int family, const void *addr, uint64_t now);

/** The table's fixed capacity in entries. */
size_t
wr_ratelimiter_capacity(const struct wr_ratelimiter *rl);

/** Entries in use at time @p now (seen within WR_RATELIMIT_IDLE_NS). O(capacity). */
size_t
wr_ratelimiter_count(const struct wr_ratelimiter *rl, uint64_t now);

/** Copy out the counters. */
void
wr_ratelimiter_get_stats(const struct wr_ratelimiter *rl, struct wr_ratelimiter_stats *out);

#endif /* WR_RATELIMITER_H */
