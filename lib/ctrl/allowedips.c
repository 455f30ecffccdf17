/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AllowedIPs as a plain binary trie, one level per address bit (most significant first).
 * Deliberately uncompressed: the control plane changes it rarely and the data plane matches
 * through rte_lpm, so obviousness wins over memory. A node carries a prefix when one ends there;
 * nodes with neither prefix nor children are freed at once, so the trie stays minimal.
 *
 * Each prefix is also on its peer's list (as the kernel's peer_list), so that listing or
 * removing one peer's prefixes never walks the whole trie. The lists hang off a small chained
 * hash table keyed by the peer pointer, since the peers are opaque to us. A prefix keeps its own
 * masked address: a peer's walk reads it from there, and removing it descends from the root
 * again (at most 128 steps) rather than paying a parent pointer in every interior node.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wr_allowedips.h"

#define MAX_BITS 128
#define MIN_BUCKETS 16 /* a power of two, at least 2 (bucket_of() shifts by 64 - log2) */

struct prefix {
	struct prefix *prev, *next; /* on owner's list */
	struct wr_allowedips_peer *owner;
	void *peer;       /* owner->peer, one load closer for lookup */
	uint8_t addr[16]; /* masked; 4 bytes used for AF_INET */
	sa_family_t family;
	uint8_t cidr;
};

struct wr_allowedips_node {
	struct wr_allowedips_node *child[2];
	struct prefix *prefix; /* NULL: no prefix ends here */
};

struct wr_allowedips_peer {
	void *peer;
	struct wr_allowedips_peer *hash_next;
	struct prefix *first, *last;
	size_t n;
	/*
	 * first..last is in walk order. Inserting in order keeps it so (a configuration usually
	 * lists a peer's prefixes sorted); anything else appends and leaves the sorting to the next
	 * walk, so that building a peer with many prefixes stays linear.
	 */
	bool sorted;
};

struct walk {
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer);
	void *ctx;
};

static unsigned int
family_bits(int family)
{
	if (family == AF_INET)
		return 32;
	if (family == AF_INET6)
		return 128;
	return 0;
}

static struct wr_allowedips_node **
root_of(struct wr_allowedips *t, int family)
{
	return family == AF_INET ? &t->root4 : &t->root6;
}

static unsigned int
bit_at(const uint8_t *addr, unsigned int i)
{
	return (addr[i >> 3] >> (7 - (i & 7))) & 1;
}

static bool
node_empty(const struct wr_allowedips_node *n)
{
	return !n->prefix && !n->child[0] && !n->child[1];
}

/* Free the empty nodes at the end of a root-to-node path; path[0] is the root's slot. */
static void
prune(struct wr_allowedips_node **path[], unsigned int depth)
{
	unsigned int i = depth + 1;

	while (i-- > 0) {
		struct wr_allowedips_node *n = *path[i];

		if (!n || !node_empty(n))
			break;
		free(n);
		*path[i] = NULL;
	}
}

/* Follow @addr for @cidr bits; fills path[0..cidr] with the slots walked through. */
static struct wr_allowedips_node *
find_exact(struct wr_allowedips_node **root, const uint8_t *addr, uint8_t cidr,
	struct wr_allowedips_node **path[])
{
	struct wr_allowedips_node **slot = root;
	unsigned int i;

	path[0] = slot;
	for (i = 0; i < cidr && *slot; i++) {
		slot = &(*slot)->child[bit_at(addr, i)];
		path[i + 1] = slot;
	}
	return i == cidr ? *slot : NULL;
}

/* ---- peers: the hash table and their lists ---- */

static size_t
bucket_of(const struct wr_allowedips *t, const void *peer)
{
	/* Fibonacci hashing: the high bits of the product mix every bit of the pointer */
	uint64_t h = (uint64_t)(uintptr_t)peer * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> (64 - __builtin_ctzll(t->nbuckets)));
}

static struct wr_allowedips_peer *
peer_find(const struct wr_allowedips *t, const void *peer)
{
	struct wr_allowedips_peer *pl;

	if (!t->nbuckets)
		return NULL;
	for (pl = t->buckets[bucket_of(t, peer)]; pl; pl = pl->hash_next)
		if (pl->peer == peer)
			return pl;
	return NULL;
}

/* Double the buckets. Failing is harmless once there are some: the chains just get longer. */
static int
grow(struct wr_allowedips *t)
{
	size_t old_n = t->nbuckets, i;
	struct wr_allowedips_peer **old = t->buckets, *pl, *next;
	size_t n = old_n ? old_n * 2 : MIN_BUCKETS;
	struct wr_allowedips_peer **b = calloc(n, sizeof(*b));

	if (!b)
		return old_n ? 0 : -ENOMEM;
	t->buckets = b;
	t->nbuckets = n;
	for (i = 0; i < old_n; i++) {
		for (pl = old[i]; pl; pl = next) {
			size_t at = bucket_of(t, pl->peer);

			next = pl->hash_next;
			pl->hash_next = b[at];
			b[at] = pl;
		}
	}
	free(old);
	return 0;
}

/* The list of @peer, created empty if it has none. NULL: out of memory. */
static struct wr_allowedips_peer *
peer_get(struct wr_allowedips *t, void *peer)
{
	struct wr_allowedips_peer *pl = peer_find(t, peer);
	size_t at;

	if (pl)
		return pl;
	if (t->npeers >= t->nbuckets && grow(t))
		return NULL;
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return NULL;
	pl->peer = peer;
	pl->sorted = true;
	at = bucket_of(t, peer);
	pl->hash_next = t->buckets[at];
	t->buckets[at] = pl;
	t->npeers++;
	return pl;
}

/* A peer's list lives only as long as it holds a prefix, so that a freed peer leaves nothing. */
static void
peer_put(struct wr_allowedips *t, struct wr_allowedips_peer *pl)
{
	struct wr_allowedips_peer **p;

	if (pl->n)
		return;
	for (p = &t->buckets[bucket_of(t, pl->peer)]; *p; p = &(*p)->hash_next) {
		if (*p == pl) {
			*p = pl->hash_next;
			break;
		}
	}
	t->npeers--;
	free(pl);
}

/* Walk order: IPv4 first, then by masked address, then shorter first (the trie's pre-order). */
static int
prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	return (int)a->cidr - (int)b->cidr;
}

static void
list_append(struct wr_allowedips_peer *pl, struct prefix *p)
{
	if (!pl->last)
		pl->sorted = true;
	else if (pl->sorted && prefix_cmp(pl->last, p) > 0)
		pl->sorted = false;
	p->owner = pl;
	p->peer = pl->peer;
	p->next = NULL;
	p->prev = pl->last;
	if (pl->last)
		pl->last->next = p;
	else
		pl->first = p;
	pl->last = p;
	pl->n++;
}

static void
list_unlink(struct wr_allowedips_peer *pl, struct prefix *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		pl->first = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		pl->last = p->prev;
	pl->n--;
}

/* Merge two sorted lists linked by next only. */
static struct prefix *
merge(struct prefix *a, struct prefix *b)
{
	struct prefix *head = NULL, **tail = &head;

	while (a && b) {
		struct prefix **less = prefix_cmp(a, b) <= 0 ? &a : &b;

		*tail = *less;
		tail = &(*less)->next;
		*less = (*less)->next;
	}
	*tail = a ? a : b;
	return head;
}

/*
 * Bottom-up merge sort, in place: bin[i] holds a sorted run of 2^i prefixes, merged upwards as
 * prefixes arrive like a binary counter. O(n log n), no allocation, so a walk cannot fail.
 */
static void
list_sort(struct wr_allowedips_peer *pl)
{
	struct prefix *bin[64] = { NULL }, *run, *p, *next, *prev = NULL;
	unsigned int i;

	for (p = pl->first; p; p = next) {
		next = p->next;
		p->next = NULL;
		run = p;
		for (i = 0; bin[i]; i++) {
			run = merge(bin[i], run);
			bin[i] = NULL;
		}
		bin[i] = run;
	}
	run = NULL;
	for (i = 0; i < 64; i++)
		if (bin[i])
			run = run ? merge(bin[i], run) : bin[i];
	pl->first = run;
	for (p = run; p; p = p->next) {
		p->prev = prev;
		prev = p;
	}
	pl->last = prev;
	pl->sorted = true;
}

/* ---- the table ---- */

void
wr_allowedips_init(struct wr_allowedips *t)
{
	memset(t, 0, sizeof(*t));
}

static void
free_subtree(struct wr_allowedips_node *n)
{
	if (!n)
		return;
	free_subtree(n->child[0]);
	free_subtree(n->child[1]);
	free(n->prefix);
	free(n);
}

void
wr_allowedips_free(struct wr_allowedips *t)
{
	struct wr_allowedips_peer *pl, *next;
	size_t i;

	free_subtree(t->root4);
	free_subtree(t->root6);
	for (i = 0; i < t->nbuckets; i++) {
		for (pl = t->buckets[i]; pl; pl = next) {
			next = pl->hash_next;
			free(pl);
		}
	}
	free(t->buckets);
	wr_allowedips_init(t);
}

int
wr_allowedips_insert(
	struct wr_allowedips *t, int family, const void *addr, uint8_t cidr, void *peer)
{
	struct wr_allowedips_node **path[MAX_BITS + 1];
	struct wr_allowedips_node **slot;
	struct wr_allowedips_peer *pl, *old;
	const uint8_t *a = addr;
	unsigned int bits = family_bits(family), i;
	struct prefix *p;

	if (!bits || cidr > bits || !peer || !addr)
		return -EINVAL;
	pl = peer_get(t, peer);
	if (!pl)
		return -ENOMEM;

	/* bits beyond cidr are never read, which is the masking */
	slot = root_of(t, family);
	for (i = 0;; i++) {
		path[i] = slot;
		if (!*slot) {
			*slot = calloc(1, sizeof(**slot));
			if (!*slot)
				goto err_nomem_node;
		}
		if (i == cidr)
			break;
		slot = &(*slot)->child[bit_at(a, i)];
	}

	p = (*slot)->prefix;
	if (p) {
		old = p->owner;
		if (old != pl) {
			list_unlink(old, p);
			peer_put(t, old);
			list_append(pl, p);
		}
		return 0;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto err_nomem_prefix;
	memcpy(p->addr, a, bits / 8);
	for (i = cidr; i < bits; i++)
		p->addr[i >> 3] &= (uint8_t) ~(0x80 >> (i & 7));
	p->family = (sa_family_t)family;
	p->cidr = cidr;
	list_append(pl, p);
	(*slot)->prefix = p;
	t->count++;
	return 0;

err_nomem_prefix:
	prune(path, cidr);
	goto err_nomem;
err_nomem_node:
	/* undo the nodes created on this path; the slot that failed is NULL already */
	if (i > 0)
		prune(path, i - 1);
err_nomem:
	peer_put(t, pl);
	return -ENOMEM;
}

/* Take @p out of the trie, freeing the nodes left empty; its list is the caller's business. */
static void
unhook(struct wr_allowedips *t, struct prefix *p)
{
	struct wr_allowedips_node **path[MAX_BITS + 1];
	struct wr_allowedips_node *n;

	n = find_exact(root_of(t, p->family), p->addr, p->cidr, path);
	n->prefix = NULL;
	prune(path, p->cidr);
	t->count--;
}

int
wr_allowedips_remove(
	struct wr_allowedips *t, int family, const void *addr, uint8_t cidr, void *peer)
{
	struct wr_allowedips_node **path[MAX_BITS + 1];
	struct wr_allowedips_node *n;
	struct wr_allowedips_peer *pl;
	unsigned int bits = family_bits(family);
	struct prefix *p;

	if (!bits || cidr > bits || !addr)
		return -EINVAL;
	n = find_exact(root_of(t, family), addr, cidr, path);
	if (!n || !n->prefix || (peer && n->prefix->peer != peer))
		return -ENOENT;
	p = n->prefix;
	pl = p->owner;
	n->prefix = NULL;
	t->count--;
	prune(path, cidr);
	list_unlink(pl, p);
	free(p);
	peer_put(t, pl);
	return 0;
}

size_t
wr_allowedips_remove_by_peer(struct wr_allowedips *t, void *peer)
{
	struct wr_allowedips_peer *pl = peer ? peer_find(t, peer) : NULL;
	struct prefix *p, *next;
	size_t removed;

	if (!pl)
		return 0;
	removed = pl->n;
	for (p = pl->first; p; p = next) {
		next = p->next;
		unhook(t, p);
		free(p);
	}
	pl->first = pl->last = NULL;
	pl->n = 0;
	peer_put(t, pl);
	return removed;
}

void *
wr_allowedips_lookup(const struct wr_allowedips *t, int family, const void *addr)
{
	const struct wr_allowedips_node *n;
	const uint8_t *a = addr;
	unsigned int bits = family_bits(family), i;
	void *best = NULL;

	if (!bits || !addr)
		return NULL;
	n = family == AF_INET ? t->root4 : t->root6;
	/* the deepest node with a prefix on the address's path is the longest match */
	for (i = 0; n; i++) {
		if (n->prefix)
			best = n->prefix->peer;
		if (i == bits)
			break;
		n = n->child[bit_at(a, i)];
	}
	return best;
}

/* Pre-order, child 0 before child 1: address order, shorter prefixes first. */
static int
walk_subtree(const struct wr_allowedips_node *n, const struct walk *w)
{
	const struct prefix *p;
	int ret;

	if (!n)
		return 0;
	p = n->prefix;
	if (p) {
		ret = w->fn(w->ctx, p->family, p->addr, p->cidr, p->peer);
		if (ret)
			return ret;
	}
	ret = walk_subtree(n->child[0], w);
	if (ret)
		return ret;
	return walk_subtree(n->child[1], w);
}

int
wr_allowedips_walk(const struct wr_allowedips *t,
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer), void *ctx)
{
	struct walk w = { .fn = fn, .ctx = ctx };
	int ret;

	ret = walk_subtree(t->root4, &w);
	if (ret)
		return ret;
	return walk_subtree(t->root6, &w);
}

int
wr_allowedips_walk_peer(struct wr_allowedips *t, void *peer,
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer), void *ctx)
{
	struct wr_allowedips_peer *pl = peer ? peer_find(t, peer) : NULL;
	const struct prefix *p;
	int ret;

	if (!pl)
		return 0;
	if (!pl->sorted)
		list_sort(pl);
	for (p = pl->first; p; p = p->next) {
		ret = fn(ctx, p->family, p->addr, p->cidr, p->peer);
		if (ret)
			return ret;
	}
	return 0;
}

size_t
wr_allowedips_count(const struct wr_allowedips *t)
{
	return t->count;
}

size_t
wr_allowedips_count_peer(const struct wr_allowedips *t, void *peer)
{
	const struct wr_allowedips_peer *pl = peer ? peer_find(t, peer) : NULL;

	return pl ? pl->n : 0;
}
