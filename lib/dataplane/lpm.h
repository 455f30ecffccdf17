/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cryptokey routing tables for the workers: longest-prefix match of an inner IPv4/IPv6 address
 * to a small integer (a peer id), over DPDK's rte_lpm and rte_lpm6.
 *
 * A table is built whole from a set of prefixes (or from the control plane's AllowedIPs trie).
 * Readers never see a table change: a table is changed only while no reader can reach it. A
 * struct wr_lpm_pub keeps two long-lived tables for that (active and standby): a reconfiguration
 * brings the standby to the wanted set by the difference alone (rte_lpm_add/delete), publishes
 * it (RCU), and once the old active's grace period is over brings that one up to date the same
 * way, as the next standby. Lookups on a published table are safe from any lcore.
 *
 * Addresses are raw bytes in network order, 4 for AF_INET and 16 for AF_INET6 (as in
 * wr_allowedips.h). Host bits beyond a prefix's cidr are ignored.
 */
#ifndef WR_DP_LPM_H
#define WR_DP_LPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_rcu_qsbr.h>

#include "wr_allowedips.h"

/** Largest value a prefix can map to: rte_lpm6 keeps 21 bits of next hop. */
#define WR_LPM_VALUE_MAX ((1u << 21) - 1)

/** One prefix of a table being built. */
struct wr_lpm_prefix {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t cidr;
	uint8_t addr[16]; /* network order, 4 bytes used for AF_INET */
	uint32_t value;   /* 0..WR_LPM_VALUE_MAX */
};

/**
 * A built table. The first fields are for the inline lookups. rte_lpm and rte_lpm6 refuse depth
 * 0, so a /0 is kept beside them as the family's default; a table is NULL when its family has no
 * longer prefix (yet: wr_lpm_pub creates it when one comes).
 */
struct wr_lpm {
	struct rte_lpm *v4;
	struct rte_lpm6 *v6;
	size_t count4; /* distinct prefixes, /0 included */
	size_t count6;
	bool has_default4;
	bool has_default6;
	uint32_t default4;
	uint32_t default6;
	/* the writer's: what the table holds, sorted by (family, address, cidr), host bits clear */
	struct wr_lpm_prefix *set;
	size_t n_set;
	int socket;
	bool roomy; /* sized with room to grow (wr_lpm_pub's tables) */
};

/**
 * Build a table from the @p n prefixes at @p p, in memory of NUMA @p socket. A prefix given
 * twice maps to the value of its last occurrence.
 * Returns 0 and a table in *@p out (free it with wr_lpm_free()), -EINVAL (bad family or cidr),
 * -ERANGE (a value above WR_LPM_VALUE_MAX) or -ENOMEM.
 */
int
wr_lpm_build(const struct wr_lpm_prefix *p, size_t n, int socket, struct wr_lpm **out);

/**
 * Build a table holding every prefix of the AllowedIPs trie @p t, each mapped to
 * @p value_of(@p ctx, peer) of its peer. The caller keeps @p t still while this runs.
 * Returns as wr_lpm_build().
 */
int
wr_lpm_build_from_allowedips(const struct wr_allowedips *t,
	uint32_t (*value_of)(void *ctx, void *peer), void *ctx, int socket, struct wr_lpm **out);

/** Free a table. No reader may still use it (publish the new one and wait first). */
void
wr_lpm_free(struct wr_lpm *lpm);

/**
 * Bring the table @p lpm, which no reader may be using, to hold exactly the @p n prefixes at
 * @p p (as wr_lpm_build() would build them) by adding, changing and deleting only what differs.
 * Returns 0; -EINVAL, -ERANGE as wr_lpm_build() (the table unchanged); -ENOMEM; or -ENOSPC when
 * the table has no room left (rules, tbl8 groups). After a failure other than -EINVAL and
 * -ERANGE the table's contents are undefined: free it (or update it again successfully).
 */
int
wr_lpm_update(struct wr_lpm *lpm, const struct wr_lpm_prefix *p, size_t n);

/**
 * The two long-lived tables of one published slot (an interface's cryptokey routing table).
 * The control lcore owns it; readers only load *slot (acquire) between quiescent states of
 * @c rcu. A change is applied to the standby table (the one no reader can reach any more),
 * published, and the old active becomes the standby once its grace period is over; the changes
 * made meanwhile are coalesced into the last one. Nothing here waits for readers: the grace
 * period is polled (wr_lpm_pub_poll()). At most two tables exist at once.
 */
struct wr_lpm_pub {
	struct wr_lpm **slot; /* what readers load */
	struct rte_rcu_qsbr *rcu;
	int socket;
	struct wr_lpm *standby;       /* the previous active table, or NULL */
	uint64_t token;               /* RCU token taken when the standby was unpublished */
	bool standby_busy;            /* readers may still be in the standby */
	bool standby_stale;           /* the standby is behind the active table */
	bool standby_failed;          /* catching up failed (memory): wait for the next change */
	struct wr_lpm_prefix *wanted; /* sorted, masked, distinct; non-NULL: waits for the standby */
	size_t n_wanted;
	/* what happened, for tests and benchmarks */
	uint64_t n_builds;    /* tables built whole (the first, and after -ENOSPC) */
	uint64_t n_updates;   /* standbys brought to a new set and published */
	uint64_t n_catchups;  /* standbys brought up to the active table after their grace */
	uint64_t n_unchanged; /* sets equal to the active table's (nothing published) */
};

/**
 * Start publishing tables into *@p slot (NULL: none yet), readers synchronised by @p rcu, the
 * tables in memory of NUMA @p socket.
 */
void
wr_lpm_pub_init(struct wr_lpm_pub *pub, struct wr_lpm **slot, struct rte_rcu_qsbr *rcu, int socket);

/**
 * Publish the @p n prefixes at @p p (copied; as wr_lpm_build() takes them) in place of the active
 * table: now when the standby is free, else when wr_lpm_pub_poll() finds it free (a set given
 * while another waits replaces it); a set the active table holds already publishes nothing.
 * Returns 1 (published, or nothing to publish), 0 (waits for a grace period),
 * -EINVAL or -ERANGE (bad prefixes: nothing changes) or -ENOMEM/-ENOSPC (the set is dropped, the
 * active table stays).
 */
int
wr_lpm_pub_set(struct wr_lpm_pub *pub, const struct wr_lpm_prefix *p, size_t n);

/**
 * The writer's poll: publish a waiting set once the standby's grace period is over, and bring a
 * free standby up to the active table. Never waits. Returns 1 when a waiting set was published,
 * 0 when there was nothing to publish yet, or -errno when a waiting set could not be published
 * (it is dropped; the active table stays).
 */
int
wr_lpm_pub_poll(struct wr_lpm_pub *pub);

/** Whether a set waits to be published. */
static inline bool
wr_lpm_pub_pending(const struct wr_lpm_pub *pub)
{
	return pub->wanted != NULL;
}

/** Free both tables and set *slot to NULL. No reader may still use them. */
void
wr_lpm_pub_fini(struct wr_lpm_pub *pub);

/**
 * Forget the set waiting for the standby, if any (the caller could not compute the next one:
 * publishing an older wish would be wrong). The active table stays.
 */
void
wr_lpm_pub_cancel(struct wr_lpm_pub *pub);

/** Longest-prefix match of the IPv4 address @p addr; true and *@p value on a hit. */
static inline bool
wr_lpm_lookup4(const struct wr_lpm *lpm, const void *addr, uint32_t *value)
{
	uint32_t a;

	memcpy(&a, addr, 4);
	if (lpm->v4 != NULL && rte_lpm_lookup(lpm->v4, rte_be_to_cpu_32(a), value) == 0)
		return true;
	*value = lpm->default4;
	return lpm->has_default4;
}

/** Longest-prefix match of the IPv6 address @p addr; true and *@p value on a hit. */
static inline bool
wr_lpm_lookup6(const struct wr_lpm *lpm, const void *addr, uint32_t *value)
{
	if (lpm->v6 != NULL && rte_lpm6_lookup(lpm->v6, (const uint8_t *)addr, value) == 0)
		return true;
	*value = lpm->default6;
	return lpm->has_default6;
}

/**
 * Longest-prefix match of the @p family address @p addr among the table's prefixes longer than
 * /0: true and *@p value on a hit. A /0 (a peer's 0.0.0.0/0 or ::/0) does not count.
 */
static inline bool
wr_lpm_lookup_specific(const struct wr_lpm *lpm, int family, const void *addr, uint32_t *value)
{
	uint32_t a;

	if (family == AF_INET6)
		return lpm->v6 != NULL && rte_lpm6_lookup(lpm->v6, (const uint8_t *)addr, value) == 0;
	memcpy(&a, addr, 4);
	return lpm->v4 != NULL && rte_lpm_lookup(lpm->v4, rte_be_to_cpu_32(a), value) == 0;
}

/** Most addresses one bulk lookup takes (a worker's burst). */
#define WR_LPM_BULK_MAX 64

/**
 * Look up the @p n (at most WR_LPM_BULK_MAX) IPv4 addresses at @p addrs (network order, as in the
 * packets): @p values[i] is the value of addrs[i]'s longest match, or -1 when none.
 */
static inline void
wr_lpm_lookup4_bulk(
	const struct wr_lpm *lpm, const rte_be32_t *addrs, int32_t *values, unsigned int n)
{
	uint32_t ips[WR_LPM_BULK_MAX], hops[WR_LPM_BULK_MAX];
	int32_t miss = lpm->has_default4 ? (int32_t)lpm->default4 : -1;
	unsigned int i;

	if (lpm->v4 == NULL) {
		for (i = 0; i < n; i++)
			values[i] = miss;
		return;
	}
	for (i = 0; i < n; i++)
		ips[i] = rte_be_to_cpu_32(addrs[i]);
	rte_lpm_lookup_bulk(lpm->v4, ips, hops, n);
	for (i = 0; i < n; i++)
		values[i] =
			(hops[i] & RTE_LPM_LOOKUP_SUCCESS) ? (int32_t)(hops[i] & 0x00ffffff) : miss;
}

/**
 * Look up the @p n (at most WR_LPM_BULK_MAX) IPv6 addresses at @p addrs: @p values[i] is the
 * value of addrs[i]'s longest match, or -1 when none.
 */
static inline void
wr_lpm_lookup6_bulk(const struct wr_lpm *lpm, uint8_t (*addrs)[16], int32_t *values, unsigned int n)
{
	int32_t miss = lpm->has_default6 ? (int32_t)lpm->default6 : -1;
	unsigned int i;

	if (lpm->v6 == NULL) {
		for (i = 0; i < n; i++)
			values[i] = miss;
		return;
	}
	rte_lpm6_lookup_bulk_func(lpm->v6, addrs, values, n);
	for (i = 0; i < n; i++)
		if (values[i] < 0)
			values[i] = miss;
}

#endif /* WR_DP_LPM_H */
