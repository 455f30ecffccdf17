/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AllowedIPs as a plain binary trie, one level per address bit (most significant first).
 * Deliberately uncompressed: the control plane changes it rarely and the data plane matches
 * through rte_lpm, so obviousness wins over memory. A node carries a peer when a prefix ends
 * there; nodes with neither peer nor children are freed at once, so the trie stays minimal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wr_allowedips.h"

#define MAX_BITS 128

struct wr_allowedips_node {
	struct wr_allowedips_node *child[2];
	void *peer;
};

struct walk {
	int family;
	unsigned int bits;
	void *only_peer; /* NULL: every prefix */
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer);
	void *ctx;
	uint8_t addr[16];
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
	return !n->peer && !n->child[0] && !n->child[1];
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
	free(n);
}

void
wr_allowedips_free(struct wr_allowedips *t)
{
	free_subtree(t->root4);
	free_subtree(t->root6);
	wr_allowedips_init(t);
}

int
wr_allowedips_insert(
	struct wr_allowedips *t, int family, const void *addr, uint8_t cidr, void *peer)
{
	struct wr_allowedips_node **path[MAX_BITS + 1];
	struct wr_allowedips_node **slot;
	const uint8_t *a = addr;
	unsigned int bits = family_bits(family), i;

	if (!bits || cidr > bits || !peer || !addr)
		return -EINVAL;

	/* bits beyond cidr are never read, which is the masking */
	slot = root_of(t, family);
	for (i = 0;; i++) {
		path[i] = slot;
		if (!*slot) {
			*slot = calloc(1, sizeof(**slot));
			if (!*slot)
				goto err_nomem;
		}
		if (i == cidr)
			break;
		slot = &(*slot)->child[bit_at(a, i)];
	}
	if (!(*slot)->peer)
		t->count++;
	(*slot)->peer = peer;
	return 0;

err_nomem:
	/* undo the nodes created on this path; the slot that failed is NULL already */
	if (i > 0)
		prune(path, i - 1);
	return -ENOMEM;
}

int
wr_allowedips_remove(
	struct wr_allowedips *t, int family, const void *addr, uint8_t cidr, void *peer)
{
	struct wr_allowedips_node **path[MAX_BITS + 1];
	struct wr_allowedips_node *n;
	unsigned int bits = family_bits(family);

	if (!bits || cidr > bits || !addr)
		return -EINVAL;
	n = find_exact(root_of(t, family), addr, cidr, path);
	if (!n || !n->peer || (peer && n->peer != peer))
		return -ENOENT;
	n->peer = NULL;
	t->count--;
	prune(path, cidr);
	return 0;
}

/* Post-order, so that a node emptied by its children's removal is freed too. */
static size_t
remove_peer_subtree(struct wr_allowedips_node **slot, void *peer)
{
	struct wr_allowedips_node *n = *slot;
	size_t removed = 0;

	if (!n)
		return 0;
	removed += remove_peer_subtree(&n->child[0], peer);
	removed += remove_peer_subtree(&n->child[1], peer);
	if (n->peer == peer) {
		n->peer = NULL;
		removed++;
	}
	if (node_empty(n)) {
		free(n);
		*slot = NULL;
	}
	return removed;
}

size_t
wr_allowedips_remove_by_peer(struct wr_allowedips *t, void *peer)
{
	size_t removed;

	if (!peer)
		return 0;
	removed = remove_peer_subtree(&t->root4, peer) + remove_peer_subtree(&t->root6, peer);
	t->count -= removed;
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
	/* the deepest node with a peer on the address's path is the longest match */
	for (i = 0; n; i++) {
		if (n->peer)
			best = n->peer;
		if (i == bits)
			break;
		n = n->child[bit_at(a, i)];
	}
	return best;
}

/* Pre-order, child 0 before child 1: address order, shorter prefixes first. */
static int
walk_subtree(const struct wr_allowedips_node *n, unsigned int depth, struct walk *w)
{
	unsigned int b;
	int ret;

	if (!n)
		return 0;
	if (n->peer && (!w->only_peer || n->peer == w->only_peer)) {
		ret = w->fn(w->ctx, w->family, w->addr, (uint8_t)depth, n->peer);
		if (ret)
			return ret;
	}
	if (depth == w->bits)
		return 0;
	for (b = 0; b < 2; b++) {
		if (b)
			w->addr[depth >> 3] |= (uint8_t)(0x80 >> (depth & 7));
		ret = walk_subtree(n->child[b], depth + 1, w);
		/* leave the bits below this depth zero for the siblings */
		w->addr[depth >> 3] &= (uint8_t) ~(0x80 >> (depth & 7));
		if (ret)
			return ret;
	}
	return 0;
}

static int
walk_all(const struct wr_allowedips *t, void *only_peer,
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer), void *ctx)
{
	struct walk w = { .only_peer = only_peer, .fn = fn, .ctx = ctx };
	int ret;

	w.family = AF_INET;
	w.bits = 32;
	ret = walk_subtree(t->root4, 0, &w);
	if (ret)
		return ret;
	memset(w.addr, 0, sizeof(w.addr));
	w.family = AF_INET6;
	w.bits = 128;
	return walk_subtree(t->root6, 0, &w);
}

int
wr_allowedips_walk(const struct wr_allowedips *t,
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer), void *ctx)
{
	return walk_all(t, NULL, fn, ctx);
}

int
wr_allowedips_walk_peer(const struct wr_allowedips *t, void *peer,
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer), void *ctx)
{
	if (!peer)
		return 0;
	return walk_all(t, peer, fn, ctx);
}

size_t
wr_allowedips_count(const struct wr_allowedips *t)
{
	return t->count;
}

static int
count_one(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer)
{
	(void)family;
	(void)addr;
	(void)cidr;
	(void)peer;
	++*(size_t *)ctx;
	return 0;
}

size_t
wr_allowedips_count_peer(const struct wr_allowedips *t, void *peer)
{
	size_t n = 0;

	wr_allowedips_walk_peer(t, peer, count_one, &n);
	return n;
}
