/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Receiver index -> keypair: a fixed array of hash chains, one writer, lock-free readers (the
 * kernel's index_hashtable with hlist_rcu, over rte_rcu_qsbr).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_malloc.h>

#include "keytable.h"
#include "wr_crypto.h"
#include "wr_messages.h"

struct wr_keytable {
	struct wr_dp_peers *peers;
	struct rte_rcu_qsbr *rcu;
	uint32_t mask;
	uint32_t seed;
	unsigned int live;
	unsigned int pending;
	/* removed keypairs in removal order, so tokens only grow from head to tail */
	struct wr_dp_keypair *pending_head;
	struct wr_dp_keypair *pending_tail;
	struct wr_dp_keypair **bucket;  /* mask + 1 chain heads, RCU */
	struct wr_dp_keypair **rbucket; /* by remote index, control lcore only */
	struct wr_dp_keypair *
		*by_peer; /* each peer's live keypairs (peers->capacity heads),
			   * control lcore only: removing a peer costs O(its keypairs) */
};

static inline uint32_t
bucket_of(const struct wr_keytable *kt, uint32_t index)
{
	/* the engine draws indices at random, but a seeded mix keeps a peer from choosing chains */
	uint32_t h = (index ^ kt->seed) * 0x9e3779b1u;

	return (h ^ (h >> 16)) & kt->mask;
}

struct wr_keytable *
wr_keytable_create(
	uint32_t capacity, struct wr_dp_peers *peers, struct rte_rcu_qsbr *rcu, int socket)
{
	struct wr_keytable *kt;
	uint32_t n;

	if (peers == NULL || capacity == 0 || capacity > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	n = rte_align32pow2(capacity);
	kt = rte_zmalloc_socket("wr_keytable", sizeof(*kt), 0, socket);
	if (kt == NULL)
		goto err_table;
	kt->bucket = rte_zmalloc_socket("wr_keytable_buckets", (size_t)n * sizeof(*kt->bucket),
		RTE_CACHE_LINE_SIZE, socket);
	if (kt->bucket == NULL)
		goto err_buckets;
	kt->rbucket = rte_zmalloc_socket("wr_keytable_rbuckets", (size_t)n * sizeof(*kt->rbucket),
		RTE_CACHE_LINE_SIZE, socket);
	if (kt->rbucket == NULL)
		goto err_rbuckets;
	kt->by_peer = calloc(peers->capacity, sizeof(*kt->by_peer));
	if (kt->by_peer == NULL)
		goto err_by_peer;
	kt->mask = n - 1;
	kt->seed = wr_random_u32();
	kt->peers = peers;
	kt->rcu = rcu;
	return kt;

err_by_peer:
	rte_free(kt->rbucket);
err_rbuckets:
	rte_free(kt->bucket);
err_buckets:
	rte_free(kt);
err_table:
	errno = ENOMEM;
	return NULL;
}

static void
keypair_free(struct wr_dp_keypair *kp)
{
	wr_wipe(kp->send_key, sizeof(kp->send_key));
	wr_wipe(kp->receive_key, sizeof(kp->receive_key));
	free(kp);
}

void
wr_keytable_destroy(struct wr_keytable *kt)
{
	struct wr_dp_keypair *kp, *next;
	uint32_t b;

	if (kt == NULL)
		return;
	for (b = 0; b <= kt->mask; b++) {
		for (kp = kt->bucket[b]; kp != NULL; kp = next) {
			next = kp->next;
			keypair_free(kp);
		}
	}
	for (kp = kt->pending_head; kp != NULL; kp = next) {
		next = kp->free_next;
		keypair_free(kp);
	}
	free(kt->by_peer);
	rte_free(kt->rbucket);
	rte_free(kt->bucket);
	rte_free(kt);
}

/* The control lcore is the only writer: plain reads of the chains are fine here. */
static struct wr_dp_keypair *
find(const struct wr_keytable *kt, uint32_t index, struct wr_dp_keypair ***link)
{
	struct wr_dp_keypair **l = &kt->bucket[bucket_of(kt, index)];

	for (; *l != NULL; l = &(*l)->next) {
		if ((*l)->local_index == index) {
			if (link != NULL)
				*link = l;
			return *l;
		}
	}
	return NULL;
}

static void
make_current(struct wr_keytable *kt, struct wr_dp_keypair *kp)
{
	struct wr_dp_peer *p = wr_dp_peer_get(kt->peers, kp->peer_id);

	__atomic_store_n(&kp->confirmed, true, __ATOMIC_RELEASE);
	if (p != NULL)
		__atomic_store_n(&p->current, kp, __ATOMIC_RELEASE);
}

int
wr_keytable_confirm(struct wr_keytable *kt, uint32_t local_index)
{
	struct wr_dp_keypair *kp = find(kt, local_index, NULL);

	if (kp == NULL)
		return -ENOENT;
	make_current(kt, kp);
	return 0;
}

int
wr_keytable_install(struct wr_keytable *kt, uint32_t peer_id, const struct wr_keypair_info *info)
{
	struct wr_dp_keypair *kp, **head;

	kp = find(kt, info->local_index, NULL);
	if (kp != NULL) {
		/* the engine calls the hook again when it confirms a responder's keypair */
		if (!info->confirmed || kp->peer_id != peer_id)
			return -EEXIST;
		make_current(kt, kp);
		return 0;
	}
	if (wr_dp_peer_get(kt->peers, peer_id) == NULL)
		return -ENOENT;
	/*
	 * From the C heap rather than rte_malloc: keypairs come and go with handshakes on the
	 * control lcore only, and a sanitizer then sees a worker that outlives the grace period.
	 */
	if (posix_memalign((void **)&kp, RTE_CACHE_LINE_SIZE, sizeof(*kp)) != 0)
		return -ENOMEM;
	memset(kp, 0, sizeof(*kp));
	kp->local_index = info->local_index;
	kp->remote_index = info->remote_index;
	kp->peer_id = peer_id;
	kp->initiator = info->initiator;
	kp->birth = info->birth;
	memcpy(kp->send_key, info->send_key, sizeof(kp->send_key));
	memcpy(kp->receive_key, info->receive_key, sizeof(kp->receive_key));
	rte_spinlock_init(&kp->replay_lock);
	wr_replay_init(&kp->replay);

	head = &kt->bucket[bucket_of(kt, kp->local_index)];
	kp->next = *head;
	/* publish: a reader that sees kp sees it initialised */
	__atomic_store_n(head, kp, __ATOMIC_RELEASE);
	head = &kt->rbucket[bucket_of(kt, kp->remote_index)];
	kp->rnext = *head;
	*head = kp;
	kp->pnext = kt->by_peer[peer_id];
	kt->by_peer[peer_id] = kp;
	kt->live++;
	if (info->confirmed)
		make_current(kt, kp);
	return 0;
}

void
wr_keytable_expire_sending(struct wr_keytable *kt)
{
	struct wr_dp_keypair *kp;
	uint32_t b;

	/* only this table's peers: the peer table is shared by every interface */
	for (b = 0; b <= kt->mask; b++) {
		for (kp = kt->bucket[b]; kp != NULL; kp = kp->next) {
			struct wr_dp_peer *p = wr_dp_peer_get(kt->peers, kp->peer_id);

			__atomic_store_n(&kp->confirmed, false, __ATOMIC_RELEASE);
			if (p != NULL && __atomic_load_n(&p->current, __ATOMIC_RELAXED) == kp)
				__atomic_store_n(&p->current, NULL, __ATOMIC_RELEASE);
		}
	}
}

static void
retire(struct wr_keytable *kt, struct wr_dp_keypair **link, struct wr_dp_keypair *kp)
{
	struct wr_dp_peer *p = wr_dp_peer_get(kt->peers, kp->peer_id);
	struct wr_dp_keypair **rlink;

	/* unlink; a reader standing on kp still follows kp->next, which stays valid */
	__atomic_store_n(link, kp->next, __ATOMIC_RELEASE);
	if (p != NULL && __atomic_load_n(&p->current, __ATOMIC_RELAXED) == kp)
		__atomic_store_n(&p->current, NULL, __ATOMIC_RELEASE);
	for (rlink = &kt->rbucket[bucket_of(kt, kp->remote_index)]; *rlink != kp;
		rlink = &(*rlink)->rnext)
		;
	*rlink = kp->rnext;
	for (rlink = &kt->by_peer[kp->peer_id]; *rlink != kp; rlink = &(*rlink)->pnext)
		;
	*rlink = kp->pnext;
	kt->live--;

	if (kt->rcu == NULL) {
		keypair_free(kp);
		return;
	}
	kp->free_token = rte_rcu_qsbr_start(kt->rcu);
	kp->free_next = NULL;
	if (kt->pending_tail != NULL)
		kt->pending_tail->free_next = kp;
	else
		kt->pending_head = kp;
	kt->pending_tail = kp;
	kt->pending++;
}

int
wr_keytable_remove(struct wr_keytable *kt, uint32_t local_index)
{
	struct wr_dp_keypair *kp, **link;

	kp = find(kt, local_index, &link);
	if (kp == NULL)
		return -ENOENT;
	retire(kt, link, kp);
	wr_keytable_reclaim(kt);
	return 0;
}

unsigned int
wr_keytable_remove_peer(struct wr_keytable *kt, uint32_t peer_id)
{
	struct wr_dp_keypair **link, *kp;
	unsigned int n = 0;

	if (peer_id >= kt->peers->capacity)
		return 0;
	while ((kp = kt->by_peer[peer_id]) != NULL) {
		if (find(kt, kp->local_index, &link) != kp)
			break; /* cannot happen: every listed keypair is in its chain */
		retire(kt, link, kp);
		n++;
	}
	wr_keytable_reclaim(kt);
	return n;
}

unsigned int
wr_keytable_reclaim(struct wr_keytable *kt)
{
	struct wr_dp_keypair *kp;
	unsigned int n = 0;

	while ((kp = kt->pending_head) != NULL) {
		/* tokens grow along the list: the first one still in its grace period ends the walk
		 */
		if (rte_rcu_qsbr_check(kt->rcu, kp->free_token, false) != 1)
			break;
		kt->pending_head = kp->free_next;
		if (kt->pending_head == NULL)
			kt->pending_tail = NULL;
		kt->pending--;
		keypair_free(kp);
		n++;
	}
	return n;
}

unsigned int
wr_keytable_pending(const struct wr_keytable *kt)
{
	return kt->pending;
}

unsigned int
wr_keytable_count(const struct wr_keytable *kt)
{
	return kt->live;
}

struct wr_dp_keypair *
wr_keytable_lookup(const struct wr_keytable *kt, uint32_t local_index)
{
	struct wr_dp_keypair *kp;

	kp = __atomic_load_n(&kt->bucket[bucket_of(kt, local_index)], __ATOMIC_ACQUIRE);
	while (kp != NULL && kp->local_index != local_index)
		kp = __atomic_load_n(&kp->next, __ATOMIC_ACQUIRE);
	return kp;
}

int
wr_keytable_reseal(struct wr_keytable *kt, uint8_t *msg, size_t len)
{
	struct wr_message_data *hdr = (struct wr_message_data *)msg;
	uint8_t *data = msg + WR_MSG_DATA_HEADER_LEN, *plain;
	size_t plen = len - WR_MSG_DATA_MIN_LEN;
	struct wr_dp_keypair *kp;
	uint32_t remote;
	uint64_t old;
	int ret = -ENOENT;

	if (len < WR_MSG_DATA_MIN_LEN || rte_le_to_cpu_32(hdr->header.type) != WR_MSG_DATA)
		return -EPROTO;
	remote = rte_le_to_cpu_32(hdr->key_idx);
	old = rte_le_to_cpu_64(hdr->counter);
	/* not in place: a failed try must leave the message intact for the next candidate */
	plain = malloc(plen ? plen : 1);
	if (plain == NULL)
		return -ENOMEM;
	for (kp = kt->rbucket[bucket_of(kt, remote)]; kp != NULL; kp = kp->rnext) {
		uint64_t counter;

		if (kp->remote_index != remote || !wr_aead_open(plain, data, plen + WR_AUTHTAG_LEN,
							  NULL, 0, old, kp->send_key))
			continue;
		counter = __atomic_fetch_add(&kp->send_counter, 1, __ATOMIC_RELAXED);
		hdr->counter = rte_cpu_to_le_64(counter);
		wr_aead_seal(data, plain, plen, NULL, 0, counter, kp->send_key);
		ret = 0;
		break;
	}
	wr_wipe(plain, plen);
	free(plain);
	return ret;
}
