/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Peers: the table keyed by public key, per-peer configuration (preshared key, endpoint,
 * AllowedIPs, persistent keepalive), counters, and the bounded queue of packets waiting for a
 * session.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_device_impl.h"

static struct wr_peer **
peer_bucket(const struct wr_device *dev, const uint8_t pub[WR_KEY_LEN])
{
	uint64_t k, salt;

	/*
	 * Public keys are uniformly random and only configured peers sit in the table, so a
	 * salted multiplicative hash of 8 bytes spreads them; the salt keeps bucket choices
	 * private.
	 */
	_Static_assert(WR_PEER_BUCKETS == 1u << 10, "the hash keeps 10 bits");
	memcpy(&k, pub, sizeof(k));
	memcpy(&salt, dev->peer_hash_key, sizeof(salt));
	return (struct wr_peer **)&dev->peer_buckets[((k ^ salt) * 0x9e3779b97f4a7c15ULL) >> 54];
}

struct wr_peer *
wr_device_lookup_peer(const struct wr_device *dev, const uint8_t pub[WR_KEY_LEN])
{
	struct wr_peer *p;

	for (p = *peer_bucket(dev, pub); p; p = p->hash_next)
		if (memcmp(p->public_key, pub, WR_KEY_LEN) == 0)
			return p;
	return NULL;
}

struct wr_peer *
wr_device_add_peer(
	struct wr_device *dev, const uint8_t pub[WR_KEY_LEN], const uint8_t psk[WR_KEY_LEN])
{
	struct wr_peer **b, *peer;
	uint64_t seed;

	if (!dev || !pub) {
		errno = EINVAL;
		return NULL;
	}
	if (wr_device_lookup_peer(dev, pub) ||
		(dev->id.has_identity && memcmp(pub, dev->id.static_public, WR_KEY_LEN) == 0)) {
		errno = EEXIST;
		return NULL;
	}
	peer = calloc(1, sizeof(*peer));
	if (!peer) {
		errno = ENOMEM;
		return NULL;
	}
	peer->dev = dev;
	memcpy(peer->public_key, pub, WR_KEY_LEN);
	wr_noise_handshake_init(&peer->hs, &dev->id, pub, psk);
	peer->hs_entry.kind = WR_INDEX_HANDSHAKE;
	peer->hs_entry.peer = peer;
	wr_cookie_maker_init(&peer->cookie, pub);
	wr_random(&seed, sizeof(seed));
	wr_timers_init(&peer->timers, 0, seed);
	peer->timers.earliest = &dev->next_deadline;

	b = peer_bucket(dev, pub);
	peer->hash_next = *b;
	*b = peer;
	peer->list_prev = dev->last;
	if (dev->last)
		dev->last->list_next = peer;
	else
		dev->first = peer;
	dev->last = peer;
	dev->npeers++;
	return peer;
}

void
wr_peer_zero_keys(struct wr_peer *peer)
{
	wr_keypairs_clear(&peer->keypairs, wr_device_release_keypair, peer);
	wr_index_remove(peer->dev->index, &peer->hs_entry);
	wr_noise_handshake_clear(&peer->hs);
}

void
wr_device_remove_peer(struct wr_device *dev, struct wr_peer *peer)
{
	struct wr_peer **p;

	if (!dev || !peer)
		return;
	wr_timers_stop(&peer->timers);
	wr_peer_zero_keys(peer);
	wr_allowedips_remove_by_peer(&dev->aips, peer);
	wr_peer_purge_queue(peer, WR_DROP_PEER_REMOVED);

	for (p = peer_bucket(dev, peer->public_key); *p; p = &(*p)->hash_next) {
		if (*p == peer) {
			*p = peer->hash_next;
			break;
		}
	}
	if (peer->list_prev)
		peer->list_prev->list_next = peer->list_next;
	else
		dev->first = peer->list_next;
	if (peer->list_next)
		peer->list_next->list_prev = peer->list_prev;
	else
		dev->last = peer->list_prev;
	dev->npeers--;

	/* preshared key, static-static, timestamps: nothing of it may outlive the peer */
	wr_wipe(peer, sizeof(*peer));
	free(peer);
}

size_t
wr_device_peer_count(const struct wr_device *dev)
{
	return dev->npeers;
}

int
wr_device_foreach_peer(struct wr_device *dev, int (*fn)(void *ctx, struct wr_peer *peer), void *ctx)
{
	struct wr_peer *p;
	int ret;

	for (p = dev->first; p; p = p->list_next) {
		ret = fn(ctx, p);
		if (ret)
			return ret;
	}
	return 0;
}

const uint8_t *
wr_peer_public_key(const struct wr_peer *peer)
{
	return peer->public_key;
}

void
wr_peer_set_preshared_key(struct wr_peer *peer, const uint8_t psk[WR_KEY_LEN])
{
	if (psk)
		memcpy(peer->hs.preshared_key, psk, WR_KEY_LEN);
	else
		wr_wipe(peer->hs.preshared_key, WR_KEY_LEN);
}

bool
wr_endpoint_format(char *buf, size_t size, const struct wr_endpoint *ep)
{
	char a[INET6_ADDRSTRLEN];

	if (ep->sa.sa_family == AF_INET && inet_ntop(AF_INET, &ep->in4.sin_addr, a, sizeof(a))) {
		snprintf(buf, size, "%s:%u", a, ntohs(ep->in4.sin_port));
		return true;
	}
	if (ep->sa.sa_family == AF_INET6 && inet_ntop(AF_INET6, &ep->in6.sin6_addr, a, sizeof(a))) {
		snprintf(buf, size, "[%s]:%u", a, ntohs(ep->in6.sin6_port));
		return true;
	}
	return false;
}

void
wr_peer_set_endpoint(struct wr_peer *peer, const struct wr_endpoint *ep)
{
	if (!ep || (ep->sa.sa_family != AF_INET && ep->sa.sa_family != AF_INET6))
		memset(&peer->endpoint, 0, sizeof(peer->endpoint));
	else
		peer->endpoint = *ep;
}

void
wr_peer_get_endpoint(const struct wr_peer *peer, struct wr_endpoint *ep)
{
	*ep = peer->endpoint;
}

int
wr_peer_add_allowedip(struct wr_peer *peer, int family, const void *addr, uint8_t cidr)
{
	return wr_allowedips_insert(&peer->dev->aips, family, addr, cidr, peer);
}

int
wr_peer_remove_allowedip(struct wr_peer *peer, int family, const void *addr, uint8_t cidr)
{
	return wr_allowedips_remove(&peer->dev->aips, family, addr, cidr, peer);
}

void
wr_peer_clear_allowedips(struct wr_peer *peer)
{
	wr_allowedips_remove_by_peer(&peer->dev->aips, peer);
}

struct walk_ctx {
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr);
	void *ctx;
};

static int
walk_adapter(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer)
{
	struct walk_ctx *w = ctx;

	(void)peer;
	return w->fn(w->ctx, family, addr, cidr);
}

int
wr_peer_foreach_allowedip(struct wr_peer *peer,
	int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr), void *ctx)
{
	struct walk_ctx w = { .fn = fn, .ctx = ctx };

	return wr_allowedips_walk_peer(&peer->dev->aips, peer, walk_adapter, &w);
}

void
wr_peer_set_keepalive(struct wr_peer *peer, uint16_t seconds, uint64_t now)
{
	wr_timers_set_persistent_keepalive(&peer->timers, now, seconds);
}

uint16_t
wr_peer_get_keepalive(const struct wr_peer *peer)
{
	return peer->timers.persistent_keepalive_s;
}

void
wr_peer_get_stats(const struct wr_peer *peer, struct wr_peer_stats *st)
{
	*st = peer->stats;
}

void
wr_peer_set_userdata(struct wr_peer *peer, void *userdata)
{
	peer->userdata = userdata;
}

void *
wr_peer_userdata(const struct wr_peer *peer)
{
	return peer->userdata;
}

bool
wr_peer_has_session(const struct wr_peer *peer, uint64_t now)
{
	return wr_data_send_keypair((struct wr_peer *)peer, now) != NULL;
}

/* ---- the queue of packets waiting for a handshake ---- */

enum wr_drop_reason
wr_peer_queue(struct wr_peer *peer, const void *pkt, size_t len)
{
	struct wr_queued_pkt *q, *old;

	q = malloc(sizeof(*q) + len);
	if (!q)
		return wr_device_drop(peer->dev, WR_DROP_NO_MEMORY);
	q->next = NULL;
	q->len = len;
	if (len)
		memcpy(q->data, pkt, len);
	if (peer->q_tail)
		peer->q_tail->next = q;
	else
		peer->q_head = q;
	peer->q_tail = q;
	peer->q_len++;

	/* bounded: the oldest goes first, as the kernel's staged queue */
	if (peer->q_len > WR_MAX_QUEUED_PACKETS) {
		old = peer->q_head;
		peer->q_head = old->next;
		peer->q_len--;
		wr_wipe(old->data, old->len);
		free(old);
		wr_device_drop(peer->dev, WR_DROP_QUEUE_FULL);
	}
	return WR_DROP_NONE;
}

struct wr_queued_pkt *
wr_peer_take_queue(struct wr_peer *peer)
{
	struct wr_queued_pkt *q = peer->q_head;

	peer->q_head = peer->q_tail = NULL;
	peer->q_len = 0;
	return q;
}

void
wr_peer_purge_queue(struct wr_peer *peer, enum wr_drop_reason why)
{
	struct wr_queued_pkt *q = wr_peer_take_queue(peer), *next;

	for (; q; q = next) {
		next = q->next;
		wr_device_drop(peer->dev, why);
		wr_wipe(q->data, q->len);
		free(q);
	}
}
