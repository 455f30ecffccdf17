/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device: message dispatch, the handshake paths of both roles (the kernel's receive.c and
 * send.c handshake halves), cookie replies under load, keypair installation, and the timer
 * actions.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_data.h"
#include "wr_device_impl.h"

struct wr_device *
wr_device_create(const struct wr_device_ops *ops, void *ctx)
{
	struct wr_device *dev;

	if (!ops || !ops->send || !ops->deliver || !ops->wall_time_ns) {
		errno = EINVAL;
		return NULL;
	}
	if (wr_crypto_init()) {
		errno = ENOSYS;
		return NULL;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		goto err_nomem;
	dev->ops = *ops;
	dev->ctx = ctx;
	dev->mtu = WR_DEFAULT_MTU;
	wr_random(dev->peer_hash_key, sizeof(dev->peer_hash_key));
	wr_allowedips_init(&dev->aips);
	dev->index = malloc(sizeof(*dev->index));
	if (!dev->index)
		goto err_index;
	wr_index_table_init(dev->index);
	dev->txbuf = malloc(WR_SCRATCH_LEN);
	if (!dev->txbuf)
		goto err_txbuf;
	dev->rxbuf = malloc(WR_SCRATCH_LEN);
	if (!dev->rxbuf)
		goto err_rxbuf;
	if (wr_ratelimiter_init(&dev->rl, WR_DEVICE_RATELIMIT_ENTRIES))
		goto err_ratelimiter;
	return dev;

err_ratelimiter:
	free(dev->rxbuf);
err_rxbuf:
	free(dev->txbuf);
err_txbuf:
	free(dev->index);
err_index:
	free(dev);
err_nomem:
	errno = ENOMEM;
	return NULL;
}

void
wr_device_destroy(struct wr_device *dev)
{
	if (!dev)
		return;
	while (dev->first)
		wr_device_remove_peer(dev, dev->first);
	wr_allowedips_free(&dev->aips);
	wr_ratelimiter_uninit(&dev->rl);
	wr_cookie_checker_wipe(&dev->checker);
	wr_wipe(dev->txbuf, WR_SCRATCH_LEN);
	wr_wipe(dev->rxbuf, WR_SCRATCH_LEN);
	free(dev->txbuf);
	free(dev->rxbuf);
	wr_wipe(dev->index, sizeof(*dev->index));
	free(dev->index);
	wr_wipe(dev, sizeof(*dev));
	free(dev);
}

int
wr_device_set_private_key(struct wr_device *dev, const uint8_t priv[WR_KEY_LEN])
{
	struct wr_peer *p, *next;
	int ret = 0;

	if (priv && dev->id.has_identity && wr_ct_equal(priv, dev->id.static_private, WR_KEY_LEN))
		return 0;
	wr_noise_identity_set(&dev->id, priv);
	wr_cookie_checker_set_key(&dev->checker, priv ? dev->id.static_public : NULL);
	for (p = dev->first; p; p = next) {
		next = p->list_next;
		if (priv && memcmp(p->public_key, dev->id.static_public, WR_KEY_LEN) == 0) {
			wr_device_remove_peer(dev, p);
			ret = -EEXIST;
			continue;
		}
		wr_noise_precompute_static_static(&p->hs, &dev->id);
		wr_index_remove(dev->index, &p->hs_entry);
		wr_noise_handshake_clear(&p->hs);
		wr_keypairs_expire_sending(&p->keypairs);
		/* as wg_noise_expire_current_peer_keypairs(): nothing sends until a handshake under
		 * the new key, so the next one must not wait out the previous one's rate limit */
		wr_timers_reset_handshake_rate_limit(&p->timers);
	}
	return ret;
}

bool
wr_device_get_public_key(const struct wr_device *dev, uint8_t pub[WR_KEY_LEN])
{
	if (!dev->id.has_identity)
		return false;
	memcpy(pub, dev->id.static_public, WR_KEY_LEN);
	return true;
}

void
wr_device_set_mtu(struct wr_device *dev, uint32_t mtu)
{
	dev->mtu = mtu > 65535 ? 65535 : mtu;
}

void
wr_device_set_load(struct wr_device *dev, size_t queued, size_t capacity, uint64_t now)
{
	size_t threshold = capacity / 8 ? capacity / 8 : 1;

	if (queued >= threshold) {
		dev->last_under_load = now;
		dev->load_seen = true;
	}
}

bool
wr_device_under_load(const struct wr_device *dev, uint64_t now)
{
	/* load lingers for a second after the queue drained, as the kernel's */
	return dev->load_seen && now >= dev->last_under_load &&
	       now - dev->last_under_load < WR_NSEC_PER_SEC;
}

uint64_t
wr_device_drop_count(const struct wr_device *dev, enum wr_drop_reason reason)
{
	return (unsigned int)reason < WR_DROP_COUNT ? dev->drops[reason] : 0;
}

/* ---- helpers shared with peer.c and data.c ---- */

bool
wr_device_send_to_peer(struct wr_peer *peer, const void *buf, size_t len)
{
	if (!peer->endpoint.sa.sa_family)
		return false;
	peer->dev->ops.send(peer->dev->ctx, &peer->endpoint, buf, len);
	peer->stats.tx_bytes += len;
	return true;
}

void
wr_device_release_keypair(void *ctx, struct wr_keypair *kp)
{
	struct wr_peer *peer = ctx;
	struct wr_device *dev = peer->dev;

	if (kp->entry.hashed) {
		wr_index_remove(dev->index, &kp->entry);
		if (dev->ops.keypair_removed)
			dev->ops.keypair_removed(dev->ctx, peer, kp->entry.index);
	}
	wr_keypair_destroy(kp);
}

void
wr_device_announce_keypair(struct wr_peer *peer, const struct wr_keypair *kp)
{
	struct wr_device *dev = peer->dev;
	struct wr_keypair_info info;

	if (!dev->ops.keypair_installed)
		return;
	info.local_index = kp->entry.index;
	info.remote_index = kp->remote_index;
	memcpy(info.send_key, kp->send_key, WR_KEY_LEN);
	memcpy(info.receive_key, kp->receive_key, WR_KEY_LEN);
	info.birth = kp->birth;
	info.initiator = kp->initiator;
	info.confirmed = kp->initiator || peer->keypairs.current == kp;
	dev->ops.keypair_installed(dev->ctx, peer, &info);
	wr_wipe(&info, sizeof(info));
}

void
wr_device_handshake_complete(struct wr_peer *peer, uint64_t now)
{
	struct wr_device *dev = peer->dev;

	wr_timers_handshake_complete(&peer->timers, now);
	peer->stats.handshakes++;
	peer->stats.last_handshake_wall_ns = dev->ops.wall_time_ns(dev->ctx);
	if (dev->ops.handshake_completed)
		dev->ops.handshake_completed(dev->ctx, peer);
}

void
wr_device_session_ready(struct wr_peer *peer, uint64_t now, bool keepalive_if_empty)
{
	struct wr_queued_pkt *q, *next;
	struct wr_keypair *kp = wr_data_send_keypair(peer, now);

	if (!kp)
		return;
	q = wr_peer_take_queue(peer);
	if (!q && keepalive_if_empty)
		wr_data_send(peer, kp, NULL, 0, now);
	for (; q; q = next) {
		next = q->next;
		wr_data_send(peer, kp, q->data, q->len, now);
		wr_wipe(q->data, q->len);
		free(q);
	}
}

int
wr_device_send_initiation(struct wr_peer *peer, uint64_t now)
{
	struct wr_device *dev = peer->dev;
	struct wr_message_handshake_initiation msg;
	uint8_t ts[WR_TIMESTAMP_LEN];
	int ret;

	if (!wr_timers_may_initiate(&peer->timers, now))
		return -EALREADY;
	if (!dev->id.has_identity)
		return -ENOKEY;
	if (!peer->endpoint.sa.sa_family) {
		/* as the kernel: the attempt counts and retries are armed, nothing can be sent */
		wr_timers_handshake_initiated(&peer->timers, now);
		return -EDESTADDRREQ;
	}

	wr_index_remove(dev->index, &peer->hs_entry);
	wr_index_insert(dev->index, &peer->hs_entry);
	peer->hs.local_index = peer->hs_entry.index;
	wr_noise_tai64n(ts, dev->ops.wall_time_ns(dev->ctx));
	ret = wr_noise_create_initiation(&msg, &peer->hs, &dev->id, ts);
	if (ret) {
		wr_index_remove(dev->index, &peer->hs_entry);
		return ret;
	}
	wr_cookie_add_macs(&peer->cookie, &msg, sizeof(msg), now);
	wr_device_send_to_peer(peer, &msg, sizeof(msg));
	peer->stats.handshake_attempts++;
	wr_timers_any_authenticated_packet_sent(&peer->timers, now);
	wr_timers_handshake_initiated(&peer->timers, now);
	return 0;
}

int
wr_peer_initiate(struct wr_peer *peer, uint64_t now)
{
	wr_timers_handshake_wanted(&peer->timers);
	return wr_device_send_initiation(peer, now);
}

/* ---- handshake receive paths ---- */

static enum wr_drop_reason
noise_error(int err)
{
	switch (err) {
	case -EINVAL:
		return WR_DROP_LOW_ORDER_POINT;
	case -ESTALE:
		return WR_DROP_STALE_TIMESTAMP;
	case -EAGAIN:
		return WR_DROP_INITIATION_FLOOD;
	case -EPROTO:
		return WR_DROP_BAD_STATE;
	case -ENOKEY:
		return WR_DROP_NO_PRIVATE_KEY;
	default:
		return WR_DROP_HANDSHAKE_DECRYPT;
	}
}

/*
 * mac1 always; under load mac2 too, answering a missing or stale one with a cookie reply, and
 * charging the source's rate limit when it is good.
 */
static enum wr_drop_reason
check_macs(struct wr_device *dev, const struct wr_endpoint *from, const void *buf, size_t len,
	uint32_t sender_index, uint64_t now)
{
	struct wr_message_handshake_cookie reply;
	enum wr_cookie_mac_state st;
	bool under_load;

	if (!dev->id.has_identity)
		return WR_DROP_NO_PRIVATE_KEY;
	under_load = wr_device_under_load(dev, now);
	st = wr_cookie_validate(&dev->checker, buf, len, &from->sa, under_load, now);
	if (st == WR_COOKIE_MAC_INVALID)
		return WR_DROP_BAD_MAC1;
	if (!under_load)
		return WR_DROP_NONE;
	if (st != WR_COOKIE_MAC_VALID_MAC1_MAC2) {
		if (from->sa.sa_family) {
			wr_cookie_create_reply(
				&dev->checker, &reply, buf, len, sender_index, &from->sa, now);
			dev->ops.send(dev->ctx, from, &reply, sizeof(reply));
		}
		return WR_DROP_COOKIE_SENT;
	}
	if (!wr_ratelimiter_allow(&dev->rl, &from->sa, now))
		return WR_DROP_RATELIMITED;
	return WR_DROP_NONE;
}

/* Install the session of a finished handshake; the keypair takes over the handshake's index. */
static enum wr_drop_reason
begin_session(struct wr_peer *peer, uint64_t now)
{
	struct wr_device *dev = peer->dev;
	struct wr_noise_session s;
	struct wr_keypair *kp;

	if (wr_noise_derive_session(&s, &peer->hs))
		return WR_DROP_BAD_STATE;
	kp = wr_keypair_create(&s, now);
	wr_wipe(&s, sizeof(s));
	if (!kp) {
		wr_index_remove(dev->index, &peer->hs_entry);
		return WR_DROP_NO_MEMORY;
	}
	kp->entry.peer = peer;
	wr_index_replace(dev->index, &peer->hs_entry, &kp->entry);
	wr_keypairs_add(&peer->keypairs, kp, wr_device_release_keypair, peer);
	wr_device_announce_keypair(peer, kp);
	wr_timers_session_derived(&peer->timers, now);
	return WR_DROP_NONE;
}

static enum wr_drop_reason
receive_initiation(struct wr_device *dev, const struct wr_endpoint *from, const void *buf,
	size_t len, uint64_t now)
{
	const struct wr_message_handshake_initiation *msg = buf;
	struct wr_message_handshake_response resp;
	uint8_t ck[WR_KEY_LEN], h[WR_KEY_LEN], rs[WR_KEY_LEN];
	enum wr_drop_reason r;
	struct wr_peer *peer;
	int ret;

	r = check_macs(dev, from, buf, len, le32toh(msg->sender_index), now);
	if (r)
		return r;
	ret = wr_noise_consume_initiation_static(msg, &dev->id, ck, h, rs);
	if (ret)
		return noise_error(ret);
	peer = wr_device_lookup_peer(dev, rs);
	if (!peer) {
		wr_wipe(ck, sizeof(ck));
		wr_wipe(h, sizeof(h));
		return WR_DROP_UNKNOWN_PEER;
	}
	ret = wr_noise_consume_initiation_finish(msg, &peer->hs, ck, h, now);
	if (ret)
		return noise_error(ret);

	/* authenticated */
	wr_peer_update_endpoint(peer, from);
	peer->stats.rx_bytes += len;
	wr_timers_any_authenticated_packet_received(&peer->timers, now);
	/*
	 * The initiator confirms our keypair within a round trip: an initiation of ours before
	 * then would only start a second handshake. Before building the response, as the kernel.
	 */
	wr_timers_handshake_responded(&peer->timers, now);

	/* a fresh index: a late response to an initiation of ours must not match this one */
	wr_index_remove(dev->index, &peer->hs_entry);
	wr_index_insert(dev->index, &peer->hs_entry);
	peer->hs.local_index = peer->hs_entry.index;
	ret = wr_noise_create_response(&resp, &peer->hs);
	if (ret) {
		wr_index_remove(dev->index, &peer->hs_entry);
		return noise_error(ret);
	}
	wr_cookie_add_macs(&peer->cookie, &resp, sizeof(resp), now);
	r = begin_session(peer, now);
	if (r)
		return r;
	wr_device_send_to_peer(peer, &resp, sizeof(resp));
	wr_timers_any_authenticated_packet_sent(&peer->timers, now);
	return WR_DROP_NONE;
}

static enum wr_drop_reason
receive_response(struct wr_device *dev, const struct wr_endpoint *from, const void *buf, size_t len,
	uint64_t now)
{
	const struct wr_message_handshake_response *msg = buf;
	struct wr_index_entry *e;
	enum wr_drop_reason r;
	struct wr_peer *peer;
	int ret;

	r = check_macs(dev, from, buf, len, le32toh(msg->sender_index), now);
	if (r)
		return r;
	e = wr_index_lookup(dev->index, le32toh(msg->receiver_index), WR_INDEX_HANDSHAKE);
	if (!e)
		return WR_DROP_UNKNOWN_INDEX;
	peer = e->peer;
	ret = wr_noise_consume_response(msg, &peer->hs, &dev->id);
	if (ret)
		return noise_error(ret);

	/* authenticated */
	wr_peer_update_endpoint(peer, from);
	peer->stats.rx_bytes += len;
	wr_timers_any_authenticated_packet_received(&peer->timers, now);
	r = begin_session(peer, now);
	if (r)
		return r;
	wr_device_handshake_complete(peer, now);
	/* send what waited; with nothing waiting, a keepalive confirms the session to the peer */
	wr_device_session_ready(peer, now, true);
	return WR_DROP_NONE;
}

static enum wr_drop_reason
receive_cookie(struct wr_device *dev, const void *buf, uint64_t now)
{
	const struct wr_message_handshake_cookie *msg = buf;
	struct wr_index_entry *e;
	int ret;

	e = wr_index_lookup(
		dev->index, le32toh(msg->receiver_index), WR_INDEX_HANDSHAKE | WR_INDEX_KEYPAIR);
	if (!e)
		return WR_DROP_UNKNOWN_INDEX;
	ret = wr_cookie_consume_reply(&e->peer->cookie, msg, now);
	if (ret == -EPROTO)
		return WR_DROP_BAD_STATE;
	if (ret)
		return WR_DROP_COOKIE_DECRYPT;
	return WR_DROP_NONE;
}

enum wr_drop_reason
wr_device_receive(struct wr_device *dev, const struct wr_endpoint *from, const void *buf,
	size_t len, uint64_t now)
{
	static const struct wr_endpoint unknown;
	enum wr_drop_reason r;
	uint32_t type;

	if (!from)
		from = &unknown;
	if (!buf || len < sizeof(type))
		return wr_device_drop(dev, WR_DROP_BAD_LENGTH);
	memcpy(&type, buf, sizeof(type));
	/* as a le32, any nonzero reserved byte makes an unknown type */
	switch (le32toh(type)) {
	case WR_MSG_HANDSHAKE_INITIATION:
		r = len == WR_MSG_INITIATION_LEN ? receive_initiation(dev, from, buf, len, now)
						 : WR_DROP_BAD_LENGTH;
		break;
	case WR_MSG_HANDSHAKE_RESPONSE:
		r = len == WR_MSG_RESPONSE_LEN ? receive_response(dev, from, buf, len, now)
					       : WR_DROP_BAD_LENGTH;
		break;
	case WR_MSG_HANDSHAKE_COOKIE:
		r = len == WR_MSG_COOKIE_LEN ? receive_cookie(dev, buf, now) : WR_DROP_BAD_LENGTH;
		break;
	case WR_MSG_DATA:
		/* data.c counts its own drops; nothing beyond a 64 KiB inner packet is opened */
		if (len < WR_MSG_DATA_MIN_LEN || len > WR_SCRATCH_LEN)
			return wr_device_drop(dev, WR_DROP_BAD_LENGTH);
		return wr_data_receive(dev, from, buf, len, now);
	default:
		r = WR_DROP_BAD_TYPE;
		break;
	}
	return wr_device_drop(dev, r);
}

/* ---- sending ---- */

enum wr_drop_reason
wr_peer_send(struct wr_peer *peer, const void *pkt, size_t len, uint64_t now)
{
	struct wr_device *dev = peer->dev;
	struct wr_keypair *kp;
	enum wr_drop_reason r;

	if (len > dev->mtu)
		return wr_device_drop(dev, WR_DROP_TOO_BIG);
	kp = wr_data_send_keypair(peer, now);
	if (kp) {
		/* in order: what waited goes first */
		if (peer->q_head)
			wr_device_session_ready(peer, now, false);
		return wr_data_send(peer, kp, pkt, len, now);
	}
	/* a keepalive needs no place in a queue that will send something anyway */
	if (len || !peer->q_head) {
		r = wr_peer_queue(peer, pkt, len);
		if (r)
			return r;
	}
	wr_timers_handshake_wanted(&peer->timers);
	wr_device_send_initiation(peer, now);
	return WR_DROP_NONE;
}

enum wr_drop_reason
wr_device_send(struct wr_device *dev, const void *ippkt, size_t len, uint64_t now)
{
	const uint8_t *p = ippkt;
	struct wr_peer *peer;

	if (!p || len < 1)
		return wr_device_drop(dev, WR_DROP_BAD_INNER);
	if ((p[0] >> 4) == 4 && len >= 20)
		peer = wr_allowedips_lookup(&dev->aips, AF_INET, p + 16);
	else if ((p[0] >> 4) == 6 && len >= 40)
		peer = wr_allowedips_lookup(&dev->aips, AF_INET6, p + 24);
	else
		return wr_device_drop(dev, WR_DROP_BAD_INNER);
	if (!peer)
		return wr_device_drop(dev, WR_DROP_NO_ROUTE);
	return wr_peer_send(peer, ippkt, len, now);
}

/* ---- timers ---- */

void
wr_device_tick(struct wr_device *dev, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	struct wr_peer *p;
	unsigned a;

	/*
	 * The walk finds the earliest deadline again, each peer's read after its actions (which
	 * arm only its own timers): exact, where what the actions armed and then disarmed would
	 * have left the kept one early.
	 */
	for (p = dev->first; p; p = p->list_next) {
		a = wr_timers_poll(&p->timers, now);
		if (a & WR_TIMERS_ZERO_KEYS)
			wr_peer_zero_keys(p);
		if (a & WR_TIMERS_GIVE_UP)
			wr_peer_purge_queue(p, WR_DROP_GAVE_UP);
		if (a & WR_TIMERS_SEND_INITIATION)
			wr_device_send_initiation(p, now);
		if (a & WR_TIMERS_SEND_KEEPALIVE)
			wr_peer_send(p, NULL, 0, now);
		if (wr_timers_next_deadline(&p->timers) < next)
			next = wr_timers_next_deadline(&p->timers);
	}
	dev->next_deadline = next;
}

uint64_t
wr_device_next_deadline(const struct wr_device *dev)
{
	/* kept, not found: a walk over every peer, each millisecond, was most of a control lcore
	 * at a hundred thousand peers */
	return dev->next_deadline;
}
