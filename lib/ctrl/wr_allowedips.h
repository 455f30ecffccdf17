/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AllowedIPs: cryptokey routing table mapping IPv4/IPv6 prefixes to an opaque peer pointer
 * (whitepaper section 2). A reference binary trie, one per family, owned by the control plane;
 * the data plane builds its rte_lpm tables from wr_allowedips_walk().
 *
 * Addresses are raw bytes in network order: 4 bytes for AF_INET, 16 for AF_INET6.
 * A prefix is owned by at most one peer: inserting an existing prefix moves it to the new peer.
 * Bits of an address beyond cidr are masked off on insert/remove.
 *
 * Concurrency: none. The caller serialises every call on one table (the control core does).
 * The table never dereferences the peer pointers.
 *
 * Cost: besides the trie, the table keeps for each peer a list of its prefixes, found through a
 * hash table keyed by the peer pointer (the kernel embeds the list head in its peer; ours are
 * opaque). So walk_peer, count_peer and remove_by_peer cost O(that peer's prefixes), not a walk
 * of the whole table: listing or replacing every peer of a gateway stays linear.
 */
#ifndef WR_ALLOWEDIPS_H
#define WR_ALLOWEDIPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wr_allowedips_node;
struct wr_allowedips_peer;

struct wr_allowedips {
	struct wr_allowedips_node *root4;
	struct wr_allowedips_node *root6;
	size_t count; /* prefixes stored, both families */
	/* the peers that own a prefix, each with the list of its prefixes: chained hash table */
	struct wr_allowedips_peer **buckets;
	size_t nbuckets; /* 0 until the first insert, then a power of two */
	size_t npeers;
};

/** Initialise an empty table. */
void
wr_allowedips_init(struct wr_allowedips *t);

/** Remove every prefix and free all memory; @p t is empty (and reusable) afterwards. */
void
wr_allowedips_free(struct wr_allowedips *t);

/**
 * Map prefix @p addr/@p cidr of @p family (AF_INET or AF_INET6) to @p peer (non-NULL).
 * An existing identical prefix is moved to @p peer. O(cidr).
 * Returns 0, -EINVAL (bad family, cidr > 32/128, NULL peer) or -ENOMEM (table unchanged).
 */
int
wr_allowedips_insert(
	struct wr_allowedips *t, int family, const void *addr, uint8_t cidr, void *peer);

/**
 * Remove the exact prefix @p addr/@p cidr. When @p peer is not NULL the prefix is removed only if
 * it belongs to @p peer. Returns 0, -ENOENT (no such prefix for that peer) or -EINVAL.
 */
int
wr_allowedips_remove(
	struct wr_allowedips *t, int family, const void *addr, uint8_t cidr, void *peer);

/**
 * Remove every prefix of @p peer, both families; O(its prefixes x their cidr), whatever the size
 * of the table. Returns how many were removed.
 */
size_t
wr_allowedips_remove_by_peer(struct wr_allowedips *t, void *peer);

/**
 * Longest-prefix match of the full address @p addr (4 or 16 bytes per @p family).
 * Returns the owning peer, or NULL when no prefix covers it (or the family is unknown).
 */
void *
wr_allowedips_lookup(const struct wr_allowedips *t, int family, const void *addr);

/**
 * Visit every prefix: @p fn is called once per prefix with @p ctx, the family, the masked
 * address (4 or 16 bytes), its cidr and its peer; it returns 0 to continue, anything else stops
 * the walk and is returned. @p fn must not modify the table. Order: IPv4 first, then IPv6; within a
 * family in address order, a shorter prefix before the longer ones it contains. Returns 0 or the
 * first non-zero visitor result.
 */
int
wr_allowedips_walk(const struct wr_allowedips *t,
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer), void *ctx);

/**
 * As wr_allowedips_walk(), in the same order, only the prefixes owned by @p peer (for listing a
 * peer); O(its prefixes). @p t is not const: an insert out of order only appends to the peer's
 * list, and the next walk of that peer sorts it in place (O(k log k), once).
 */
int
wr_allowedips_walk_peer(struct wr_allowedips *t, void *peer,
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer), void *ctx);

/** Number of prefixes in the table (both families). */
size_t
wr_allowedips_count(const struct wr_allowedips *t);

/** Number of prefixes owned by @p peer; O(1). */
size_t
wr_allowedips_count_peer(const struct wr_allowedips *t, void *peer);

#endif /* WR_ALLOWEDIPS_H */
