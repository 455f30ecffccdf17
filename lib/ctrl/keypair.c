/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Receiver index table and keypair rotation (the kernel's peerlookup.c and noise.c).
 */
#include <stdlib.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_keypair.h"

static struct wr_index_entry **
bucket(struct wr_index_table *t, uint32_t index)
{
	/* indices are uniformly random, so their low bits spread well */
	return &t->buckets[index & (WR_INDEX_BUCKETS - 1)];
}

struct wr_index_entry *
wr_index_lookup(const struct wr_index_table *t, uint32_t index, unsigned kinds)
{
	const struct wr_index_entry *e;

	for (e = t->buckets[index & (WR_INDEX_BUCKETS - 1)]; e; e = e->next)
		if (e->index == index)
			return (e->kind & kinds) ? (struct wr_index_entry *)e : NULL;
	return NULL;
}

void
wr_index_table_init(struct wr_index_table *t)
{
	memset(t, 0, sizeof(*t));
	wr_random(t->key, sizeof(t->key));
}

/*
 * A keyed BLAKE2s costs two compressions (the key block, then the counter) whatever its output
 * length, so one 32-byte output is cut into eight indices.
 */
static uint32_t
next_index(struct wr_index_table *t)
{
	uint32_t v;

	if (t->pool_left == 0) {
		wr_blake2s((uint8_t *)t->pool, sizeof(t->pool), &t->counter, sizeof(t->counter),
			t->key, sizeof(t->key));
		t->counter++;
		t->pool_left = sizeof(t->pool) / sizeof(t->pool[0]);
	}
	v = t->pool[--t->pool_left];
	/* handed out is public; what is left to hand out stays as secret as the key */
	t->pool[t->pool_left] = 0;
	return v;
}

void
wr_index_insert(struct wr_index_table *t, struct wr_index_entry *e)
{
	struct wr_index_entry **b;
	uint32_t index;

	/* draw until unused: with at most a few thousand live indices this ends at once */
	do
		index = next_index(t);
	while (wr_index_lookup(t, index, WR_INDEX_HANDSHAKE | WR_INDEX_KEYPAIR));
	e->index = index;
	b = bucket(t, index);
	e->next = *b;
	*b = e;
	e->hashed = true;
	t->count++;
}

void
wr_index_remove(struct wr_index_table *t, struct wr_index_entry *e)
{
	struct wr_index_entry **p;

	if (!e->hashed)
		return;
	for (p = bucket(t, e->index); *p; p = &(*p)->next) {
		if (*p == e) {
			*p = e->next;
			break;
		}
	}
	e->next = NULL;
	e->hashed = false;
	t->count--;
}

void
wr_index_replace(struct wr_index_table *t, struct wr_index_entry *old, struct wr_index_entry *new)
{
	struct wr_index_entry **p;

	new->index = old->index;
	for (p = bucket(t, old->index); *p; p = &(*p)->next) {
		if (*p == old) {
			new->next = old->next;
			*p = new;
			new->hashed = true;
			break;
		}
	}
	old->next = NULL;
	old->hashed = false;
}

struct wr_keypair *
wr_keypair_create(const struct wr_noise_session *s, uint64_t now)
{
	struct wr_keypair *kp = calloc(1, sizeof(*kp));

	if (!kp)
		return NULL;
	kp->entry.kind = WR_INDEX_KEYPAIR;
	kp->remote_index = s->remote_index;
	memcpy(kp->send_key, s->send_key, WR_KEY_LEN);
	memcpy(kp->receive_key, s->receive_key, WR_KEY_LEN);
	wr_replay_init(&kp->replay);
	kp->birth = now;
	kp->initiator = s->initiator;
	kp->send_valid = true;
	kp->receive_valid = true;
	return kp;
}

void
wr_keypair_destroy(struct wr_keypair *kp)
{
	if (!kp)
		return;
	wr_wipe(kp, sizeof(*kp));
	free(kp);
}

static void
release(struct wr_keypair *kp, wr_keypair_release_fn rel, void *ctx)
{
	if (kp)
		rel(ctx, kp);
}

void
wr_keypairs_add(
	struct wr_keypairs *kps, struct wr_keypair *kp, wr_keypair_release_fn rel, void *ctx)
{
	struct wr_keypair *prev = kps->previous, *cur = kps->current, *next = kps->next;

	if (kp->initiator) {
		/*
		 * A pending next was never confirmed by data but is newer than current: keep it as
		 * previous (the peer may already send with it) and drop current.
		 */
		if (next) {
			kps->next = NULL;
			kps->previous = next;
			release(cur, rel, ctx);
		} else {
			kps->previous = cur;
		}
		release(prev, rel, ctx);
		kps->current = kp;
	} else {
		kps->next = kp;
		release(next, rel, ctx);
		kps->previous = NULL;
		release(prev, rel, ctx);
	}
}

bool
wr_keypairs_received_with(
	struct wr_keypairs *kps, struct wr_keypair *kp, wr_keypair_release_fn rel, void *ctx)
{
	struct wr_keypair *old_prev;

	if (!kp || kp != kps->next)
		return false;
	old_prev = kps->previous;
	kps->previous = kps->current;
	kps->current = kp;
	kps->next = NULL;
	release(old_prev, rel, ctx);
	return true;
}

void
wr_keypairs_clear(struct wr_keypairs *kps, wr_keypair_release_fn rel, void *ctx)
{
	struct wr_keypair *prev = kps->previous, *cur = kps->current, *next = kps->next;

	kps->previous = kps->current = kps->next = NULL;
	release(prev, rel, ctx);
	release(cur, rel, ctx);
	release(next, rel, ctx);
}

void
wr_keypairs_expire_sending(struct wr_keypairs *kps)
{
	if (kps->current)
		kps->current->send_valid = false;
	if (kps->next)
		kps->next->send_valid = false;
}
