/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Handshake rate limiter: a token bucket per source in a fixed, set-associative hash table.
 * Token arithmetic follows the kernel's ratelimiter.c: tokens are nanoseconds of credit, a
 * packet costs 1 s / WR_RATELIMIT_PER_SECOND, the bucket holds WR_RATELIMIT_BURST packets.
 *
 * A source hashes (SipHash-1-3, random key) to two buckets of WR_RATELIMIT_WAYS slots. Its entry
 * is looked for in both; a new source takes an empty or idle slot of either. Nothing is ever
 * allocated after init, and an entry is refreshed by every packet from its source, so a flood
 * of new sources can only take slots that legitimate, active sources are not holding.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "wr_ratelimiter.h"

#define PACKET_COST (WR_NSEC_PER_SEC / WR_RATELIMIT_PER_SECOND)
#define TOKEN_MAX (PACKET_COST * WR_RATELIMIT_BURST)
#define MAX_CAPACITY (1u << 24)

enum source_kind {
	SOURCE_NONE = 0, /* an empty slot */
	SOURCE_V4 = 4,
	SOURCE_V6 = 6, /* key is the /64 */
};

struct wr_ratelimiter_entry {
	uint64_t key;
	uint64_t last_ns;
	uint64_t tokens;
	uint32_t kind;
};

/* ---- SipHash-1-3 (Aumasson & Bernstein), for a 16-byte message ---- */

static uint64_t
rotl(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = rotl(v1, 13);                                                                 \
		v1 ^= v0;                                                                          \
		v0 = rotl(v0, 32);                                                                 \
		v2 += v3;                                                                          \
		v3 = rotl(v3, 16);                                                                 \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = rotl(v3, 21);                                                                 \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = rotl(v1, 17);                                                                 \
		v1 ^= v2;                                                                          \
		v2 = rotl(v2, 32);                                                                 \
	} while (0)

static uint64_t
siphash13_2u64(const uint64_t key[2], uint64_t m0, uint64_t m1)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ key[0];
	uint64_t v1 = 0x646f72616e646f6dULL ^ key[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ key[0];
	uint64_t v3 = 0x7465646279746573ULL ^ key[1];
	/* the final block of a 16-byte message: only the length in its top byte */
	uint64_t last = 16ULL << 56;

	v3 ^= m0;
	SIPROUND;
	v0 ^= m0;
	v3 ^= m1;
	SIPROUND;
	v0 ^= m1;
	v3 ^= last;
	SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

#undef SIPROUND

static uint64_t
load_be64(const uint8_t *p)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t
load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool
is_v4_mapped(const uint8_t *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

int
wr_ratelimiter_init(struct wr_ratelimiter *rl, size_t capacity)
{
	size_t slots = WR_RATELIMIT_WAYS * 2;
	int ret;

	memset(rl, 0, sizeof(*rl));
	if (!capacity)
		capacity = WR_RATELIMIT_DEFAULT_CAPACITY;
	if (capacity > MAX_CAPACITY)
		return -EINVAL;
	while (slots < capacity)
		slots <<= 1;

	wr_random(rl->key, sizeof(rl->key));
	rl->entries = calloc(slots, sizeof(*rl->entries));
	if (!rl->entries) {
		ret = -ENOMEM;
		goto err_alloc;
	}
	rl->nbuckets = (uint32_t)(slots / WR_RATELIMIT_WAYS);
	return 0;

err_alloc:
	wr_wipe(rl, sizeof(*rl));
	return ret;
}

void
wr_ratelimiter_uninit(struct wr_ratelimiter *rl)
{
	free(rl->entries);
	/* the hash key is what keeps collisions unaimable: do not leave it behind */
	wr_wipe(rl, sizeof(*rl));
}

static bool
idle(const struct wr_ratelimiter_entry *e, uint64_t now)
{
	return e->kind == SOURCE_NONE ||
	       (now > e->last_ns && now - e->last_ns > WR_RATELIMIT_IDLE_NS);
}

static bool
charge(struct wr_ratelimiter *rl, uint32_t kind, uint64_t key, uint64_t now)
{
	struct wr_ratelimiter_entry *bucket[2], *free_slot = NULL, *e;
	uint64_t h = siphash13_2u64(rl->key, key, kind);
	uint32_t mask = rl->nbuckets - 1;
	unsigned int b, i;

	if (!rl->entries) {
		rl->stats.limited++;
		return false;
	}
	bucket[0] = &rl->entries[(size_t)(h & mask) * WR_RATELIMIT_WAYS];
	bucket[1] = &rl->entries[(size_t)((h >> 32) & mask) * WR_RATELIMIT_WAYS];

	for (b = 0; b < 2; b++) {
		for (i = 0; i < WR_RATELIMIT_WAYS; i++) {
			e = &bucket[b][i];
			if (e->kind == kind && e->key == key)
				goto found;
			if (!free_slot && idle(e, now))
				free_slot = e;
		}
	}

	if (!free_slot) {
		/* fail closed: a spoofed flood may not evict sources that are still active */
		rl->stats.table_full++;
		return false;
	}
	free_slot->kind = kind;
	free_slot->key = key;
	free_slot->last_ns = now;
	/* a new source starts with a full bucket and this packet paid from it */
	free_slot->tokens = TOKEN_MAX - PACKET_COST;
	rl->stats.allowed++;
	return true;

found:
	if (now > e->last_ns) {
		uint64_t t = e->tokens + (now - e->last_ns);

		/* clamp first: now - last may be as large as a u64 allows */
		if (t > TOKEN_MAX || t < e->tokens)
			t = TOKEN_MAX;
		e->tokens = t;
		e->last_ns = now;
	}
	if (e->tokens >= PACKET_COST) {
		e->tokens -= PACKET_COST;
		rl->stats.allowed++;
		return true;
	}
	rl->stats.limited++;
	return false;
}

bool
wr_ratelimiter_allow_addr(struct wr_ratelimiter *rl, int family, const void *addr, uint64_t now)
{
	const uint8_t *a = addr;

	if (family == AF_INET)
		return charge(rl, SOURCE_V4, load_be32(a), now);
	if (family == AF_INET6) {
		if (is_v4_mapped(a))
			return charge(rl, SOURCE_V4, load_be32(a + 12), now);
		return charge(rl, SOURCE_V6, load_be64(a), now);
	}
	rl->stats.limited++;
	return false;
}

bool
wr_ratelimiter_allow(struct wr_ratelimiter *rl, const struct sockaddr *src, uint64_t now)
{
	if (src && src->sa_family == AF_INET)
		return wr_ratelimiter_allow_addr(rl, AF_INET,
			&((const struct sockaddr_in *)(const void *)src)->sin_addr, now);
	if (src && src->sa_family == AF_INET6)
		return wr_ratelimiter_allow_addr(rl, AF_INET6,
			&((const struct sockaddr_in6 *)(const void *)src)->sin6_addr, now);
	rl->stats.limited++;
	return false;
}

size_t
wr_ratelimiter_capacity(const struct wr_ratelimiter *rl)
{
	return (size_t)rl->nbuckets * WR_RATELIMIT_WAYS;
}

size_t
wr_ratelimiter_count(const struct wr_ratelimiter *rl, uint64_t now)
{
	size_t i, n = 0;

	for (i = 0; i < wr_ratelimiter_capacity(rl); i++)
		n += !idle(&rl->entries[i], now);
	return n;
}

void
wr_ratelimiter_get_stats(const struct wr_ratelimiter *rl, struct wr_ratelimiter_stats *out)
{
	*out = rl->stats;
}
