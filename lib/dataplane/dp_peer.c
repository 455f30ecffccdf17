/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Peers as the workers see them, and the per-lcore state of the transport-data path.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_pause.h>

#include "dp_peer.h"

struct wr_dp_peers *
wr_dp_peers_create(uint32_t capacity, int socket)
{
	struct wr_dp_peers *t;

	if (capacity == 0 || capacity == WR_DP_PEER_NONE) {
		errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("wr_dp_peers", sizeof(*t), 0, socket);
	if (t == NULL)
		goto err_table;
	t->peer = rte_zmalloc_socket(
		"wr_dp_peer", (size_t)capacity * sizeof(*t->peer), RTE_CACHE_LINE_SIZE, socket);
	if (t->peer == NULL)
		goto err_peers;
	t->capacity = capacity;
	return t;

err_peers:
	rte_free(t);
err_table:
	errno = ENOMEM;
	return NULL;
}

void
wr_dp_peers_destroy(struct wr_dp_peers *t)
{
	if (t == NULL)
		return;
	rte_free(t->peer);
	rte_free(t);
}

int
wr_dp_peer_add(struct wr_dp_peers *t, uint32_t id)
{
	struct wr_dp_peer *p;

	if (id >= t->capacity)
		return -ERANGE;
	p = &t->peer[id];
	if (p->in_use)
		return -EEXIST;
	__atomic_store_n(&p->current, NULL, __ATOMIC_RELAXED);
	memset(p->ep_words, 0, sizeof(p->ep_words));
	__atomic_store_n(&p->in_use, true, __ATOMIC_RELEASE);
	return 0;
}

int
wr_dp_peer_remove(struct wr_dp_peers *t, uint32_t id)
{
	struct wr_dp_peer *p;

	if (id >= t->capacity || !t->peer[id].in_use)
		return -ENOENT;
	p = &t->peer[id];
	__atomic_store_n(&p->in_use, false, __ATOMIC_RELEASE);
	__atomic_store_n(&p->current, NULL, __ATOMIC_RELEASE);
	return 0;
}

uint32_t
wr_dp_peer_free_id(const struct wr_dp_peers *t)
{
	uint32_t id;

	for (id = 0; id < t->capacity; id++)
		if (!t->peer[id].in_use)
			return id;
	return WR_DP_PEER_NONE;
}

int
wr_dp_peer_set_endpoint(struct wr_dp_peers *t, uint32_t id, const struct wr_endpoint *ep)
{
	uint64_t words[RTE_DIM(t->peer[0].ep_words)] = { 0 };
	struct wr_dp_peer *p;
	uint32_t seq;
	unsigned int i;

	if (id >= t->capacity || !t->peer[id].in_use)
		return -ENOENT;
	p = &t->peer[id];
	if (ep != NULL && ep->sa.sa_family != 0)
		memcpy(words, ep, sizeof(*ep));
	/* seqcount write side: odd while writing, fences order the words inside the odd phase */
	seq = p->ep_seq;
	__atomic_store_n(&p->ep_seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 0; i < RTE_DIM(words); i++)
		__atomic_store_n(&p->ep_words[i], words[i], __ATOMIC_RELAXED);
	__atomic_store_n(&p->ep_seq, seq + 2, __ATOMIC_RELEASE);
	return 0;
}

bool
wr_dp_peer_get_endpoint(const struct wr_dp_peer *p, struct wr_endpoint *ep)
{
	uint64_t words[RTE_DIM(p->ep_words)];
	uint32_t begin, end;
	unsigned int i;

	do {
		begin = __atomic_load_n(&p->ep_seq, __ATOMIC_ACQUIRE);
		if (begin & 1) {
			rte_pause();
			continue;
		}
		for (i = 0; i < RTE_DIM(words); i++)
			words[i] = __atomic_load_n(&p->ep_words[i], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		end = __atomic_load_n(&p->ep_seq, __ATOMIC_RELAXED);
		if (begin == end)
			break;
	} while (1);
	memcpy(ep, words, sizeof(*ep));
	return ep->sa.sa_family == AF_INET || ep->sa.sa_family == AF_INET6;
}

int
wr_dp_crypto_lcore_init(struct wr_dp_crypto_lcore *lc, uint32_t n_peers, enum wr_aead_backend b,
	int socket, uint64_t *drops)
{
	memset(lc, 0, sizeof(*lc));
	lc->aead = wr_aead_ctx_create(b);
	if (lc->aead == NULL)
		return errno == ENOTSUP ? -ENOTSUP : -ENOMEM;
	lc->peer = rte_zmalloc_socket("wr_dp_peer_counters",
		(size_t)(n_peers ? n_peers : 1) * sizeof(*lc->peer), RTE_CACHE_LINE_SIZE, socket);
	if (lc->peer == NULL)
		goto err_counters;
	lc->n_peers = n_peers;
	lc->drops = drops != NULL ? drops : lc->own_drops;
	return 0;

err_counters:
	wr_aead_ctx_free(lc->aead);
	lc->aead = NULL;
	return -ENOMEM;
}

void
wr_dp_crypto_lcore_fini(struct wr_dp_crypto_lcore *lc)
{
	if (lc->aead != NULL)
		wr_aead_ctx_free(lc->aead);
	rte_free(lc->peer);
	lc->aead = NULL;
	lc->peer = NULL;
	lc->n_peers = 0;
}

void
wr_dp_peer_counters_sum(struct wr_dp_crypto_lcore *const *lcs, unsigned int n, uint32_t id,
	struct wr_dp_peer_counters *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		const struct wr_dp_peer_counters *c;

		if (lcs[i] == NULL || id >= lcs[i]->n_peers)
			continue;
		c = &lcs[i]->peer[id];
		out->rx_packets += __atomic_load_n(&c->rx_packets, __ATOMIC_RELAXED);
		out->rx_bytes += __atomic_load_n(&c->rx_bytes, __ATOMIC_RELAXED);
		out->tx_packets += __atomic_load_n(&c->tx_packets, __ATOMIC_RELAXED);
		out->tx_bytes += __atomic_load_n(&c->tx_bytes, __ATOMIC_RELAXED);
		out->rx_spoofed += __atomic_load_n(&c->rx_spoofed, __ATOMIC_RELAXED);
	}
}

uint64_t
wr_dp_crypto_drops_sum(
	struct wr_dp_crypto_lcore *const *lcs, unsigned int n, enum wr_drop_reason reason)
{
	uint64_t sum = 0;
	unsigned int i;

	if ((unsigned int)reason >= WR_DROP_COUNT)
		return 0;
	for (i = 0; i < n; i++)
		if (lcs[i] != NULL && lcs[i]->drops != NULL)
			sum += __atomic_load_n(&lcs[i]->drops[reason], __ATOMIC_RELAXED);
	return sum;
}
