/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transport data, one packet at a time (whitepaper section 5.4.6, the kernel's send.c and
 * receive.c): the pure seal/open reference, and the engine's send and receive paths with the
 * replay window, the AllowedIPs source filter, rekeying and roaming.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_data.h"
#include "wr_device_impl.h"

size_t
wr_data_seal(uint8_t *out, const uint8_t key[WR_KEY_LEN], uint32_t receiver_index, uint64_t counter,
	const void *pkt, size_t len, uint32_t mtu)
{
	struct wr_message_data *m = (struct wr_message_data *)out;
	size_t padded = wr_padded_len((uint32_t)len, mtu);

	m->header.type = htole32(WR_MSG_DATA);
	m->key_idx = htole32(receiver_index);
	m->counter = htole64(counter);
	if (len)
		memcpy(m->encrypted_data, pkt, len);
	memset(m->encrypted_data + len, 0, padded - len);
	wr_aead_seal(m->encrypted_data, m->encrypted_data, padded, NULL, 0, counter, key);
	return WR_MSG_DATA_HEADER_LEN + padded + WR_AUTHTAG_LEN;
}

uint32_t
wr_data_receiver(const void *msg)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)msg + 4, sizeof(v));
	return le32toh(v);
}

uint64_t
wr_data_counter(const void *msg)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)msg + 8, sizeof(v));
	return le64toh(v);
}

ssize_t
wr_data_open(uint8_t *out, const uint8_t key[WR_KEY_LEN], const void *msg, size_t len)
{
	if (len < WR_MSG_DATA_MIN_LEN)
		return -EBADMSG;
	if (!wr_aead_open(out, (const uint8_t *)msg + WR_MSG_DATA_HEADER_LEN,
		    len - WR_MSG_DATA_HEADER_LEN, NULL, 0, wr_data_counter(msg), key))
		return -EBADMSG;
	return (ssize_t)(len - WR_MSG_DATA_MIN_LEN);
}

ssize_t
wr_data_inner(
	const uint8_t *pkt, size_t padded, int *family, const uint8_t **src, const uint8_t **dst)
{
	size_t total;

	if (padded < 1)
		return -EINVAL;
	switch (pkt[0] >> 4) {
	case 4:
		if (padded < 20)
			return -EINVAL;
		total = (size_t)pkt[2] << 8 | pkt[3];
		if (total < (size_t)(pkt[0] & 0x0f) * 4 || (pkt[0] & 0x0f) < 5 || total > padded)
			return -EINVAL;
		*family = AF_INET;
		*src = pkt + 12;
		*dst = pkt + 16;
		return (ssize_t)total;
	case 6:
		if (padded < 40)
			return -EINVAL;
		total = 40 + ((size_t)pkt[4] << 8 | pkt[5]);
		if (total > padded)
			return -EINVAL;
		*family = AF_INET6;
		*src = pkt + 8;
		*dst = pkt + 24;
		return (ssize_t)total;
	default:
		return -EINVAL;
	}
}

/* ---- the engine's paths ---- */

struct wr_keypair *
wr_data_send_keypair(struct wr_peer *peer, uint64_t now)
{
	struct wr_keypair *kp = peer->keypairs.current;

	if (!kp || !kp->send_valid || wr_timers_keypair_expired(kp->birth, kp->send_counter, now))
		return NULL;
	return kp;
}

void
wr_peer_update_endpoint(struct wr_peer *peer, const struct wr_endpoint *from)
{
	if (!from || (from->sa.sa_family != AF_INET && from->sa.sa_family != AF_INET6))
		return;
	peer->endpoint = *from;
}

enum wr_drop_reason
wr_data_send(struct wr_peer *peer, struct wr_keypair *kp, const void *pkt, size_t len, uint64_t now)
{
	struct wr_device *dev = peer->dev;
	uint64_t counter;
	size_t n;

	if (!peer->endpoint.sa.sa_family)
		return wr_device_drop(dev, WR_DROP_NO_ENDPOINT);
	/* a nonce is never used twice: the last ones of a key are refused, not wrapped */
	if (kp->send_counter >= WR_REJECT_AFTER_MESSAGES)
		return wr_device_drop(dev, WR_DROP_KEY_EXPIRED);
	counter = kp->send_counter++;
	n = wr_data_seal(dev->txbuf, kp->send_key, kp->remote_index, counter, pkt, len, dev->mtu);
	wr_device_send_to_peer(peer, dev->txbuf, n);
	peer->stats.tx_packets++;

	wr_timers_any_authenticated_packet_sent(&peer->timers, now);
	if (len)
		wr_timers_data_sent(&peer->timers, now);

	/* keep_key_fresh() of send.c: old enough, or too many messages */
	if (wr_timers_should_rekey_on_send(kp->birth, kp->initiator, kp->send_counter, now)) {
		wr_timers_handshake_wanted(&peer->timers);
		wr_device_send_initiation(peer, now);
	}
	return WR_DROP_NONE;
}

/* keep_key_fresh() of receive.c: an initiator whose key nears REJECT_AFTER_TIME rekeys once */
static void
keep_key_fresh_on_receive(struct wr_peer *peer, uint64_t now)
{
	struct wr_keypair *cur = peer->keypairs.current;

	if (!cur || !cur->send_valid)
		return;
	if (wr_timers_take_lastminute_rekey(&peer->timers, cur->birth, cur->initiator, now)) {
		wr_timers_handshake_wanted(&peer->timers);
		wr_device_send_initiation(peer, now);
	}
}

/*
 * Everything an authenticated data message implies, whoever decrypted it: the responder's
 * confirmation rule, the receive-side rekey, roaming, counters and timers.
 * Returns true when it confirmed a "next" keypair (the caller then flushes the queue).
 */
static bool
after_authenticated_receive(struct wr_peer *peer, struct wr_keypair *kp,
	const struct wr_endpoint *from, size_t wire_len, bool has_payload, uint64_t now)
{
	bool confirmed;

	confirmed = wr_keypairs_received_with(&peer->keypairs, kp, wr_device_release_keypair, peer);
	if (confirmed) {
		wr_device_announce_keypair(peer, kp);
		wr_device_handshake_complete(peer, now);
	}
	keep_key_fresh_on_receive(peer, now);
	wr_peer_update_endpoint(peer, from);
	peer->stats.rx_bytes += wire_len;
	peer->stats.rx_packets++;
	wr_timers_any_authenticated_packet_received(&peer->timers, now);
	if (has_payload)
		wr_timers_data_received(&peer->timers, now);
	return confirmed;
}

enum wr_drop_reason
wr_data_receive(struct wr_device *dev, const struct wr_endpoint *from, const uint8_t *buf,
	size_t len, uint64_t now)
{
	struct wr_index_entry *e;
	struct wr_keypair *kp;
	struct wr_peer *peer;
	const uint8_t *src, *dst;
	uint64_t counter;
	ssize_t n, inner;
	enum wr_drop_reason ret = WR_DROP_NONE;
	bool confirmed;
	int family;

	e = wr_index_lookup(dev->index, wr_data_receiver(buf), WR_INDEX_KEYPAIR);
	if (!e)
		return wr_device_drop(dev, WR_DROP_UNKNOWN_INDEX);
	kp = (struct wr_keypair *)e;
	peer = e->peer;
	counter = wr_data_counter(buf);

	if (!kp->receive_valid || wr_timers_keypair_expired(kp->birth, kp->replay.next, now))
		return wr_device_drop(dev, WR_DROP_KEY_EXPIRED);
	/* replay check before the (costly) decryption, update only once authenticated */
	if (!wr_replay_check(&kp->replay, counter))
		return wr_device_drop(dev, WR_DROP_REPLAY);
	n = wr_data_open(dev->rxbuf, kp->receive_key, buf, len);
	if (n < 0)
		return wr_device_drop(dev, WR_DROP_DATA_DECRYPT);
	if (!wr_replay_update(&kp->replay, counter))
		return wr_device_drop(dev, WR_DROP_REPLAY);

	/* authenticated from here on */
	confirmed = after_authenticated_receive(peer, kp, from, len, n > 0, now);
	if (n == 0)
		goto done; /* keepalive */

	inner = wr_data_inner(dev->rxbuf, (size_t)n, &family, &src, &dst);
	if (inner < 0) {
		ret = wr_device_drop(dev, WR_DROP_BAD_INNER);
		goto done;
	}
	if (wr_allowedips_lookup(&dev->aips, family, src) != peer) {
		peer->stats.dropped_spoofed++;
		ret = wr_device_drop(dev, WR_DROP_SPOOFED_SOURCE);
		goto done;
	}
	dev->ops.deliver(dev->ctx, peer, dev->rxbuf, (size_t)inner);
done:
	/* the now confirmed keypair carries what waited for it */
	if (confirmed)
		wr_device_session_ready(peer, now, false);
	return ret;
}

bool
wr_device_data_received(struct wr_device *dev, struct wr_peer *peer, uint32_t local_index,
	const struct wr_endpoint *from, size_t inner_len, size_t wire_len, uint64_t now)
{
	struct wr_index_entry *e = wr_index_lookup(dev->index, local_index, WR_INDEX_KEYPAIR);

	if (!e || e->peer != peer)
		return false;
	if (after_authenticated_receive(
		    peer, (struct wr_keypair *)e, from, wire_len, inner_len > 0, now))
		wr_device_session_ready(peer, now, false);
	return true;
}

void
wr_device_data_sent(struct wr_device *dev, struct wr_peer *peer, size_t inner_len, size_t wire_len,
	uint64_t counter, uint64_t now)
{
	struct wr_keypair *kp = peer->keypairs.current;

	(void)dev;
	peer->stats.tx_bytes += wire_len;
	peer->stats.tx_packets++;
	wr_timers_any_authenticated_packet_sent(&peer->timers, now);
	if (inner_len)
		wr_timers_data_sent(&peer->timers, now);
	if (!kp)
		return;
	/* the data plane owns the counter: mirror it so that expiry and rekeying see it */
	if (counter + 1 > kp->send_counter)
		kp->send_counter = counter + 1;
	if (wr_timers_should_rekey_on_send(kp->birth, kp->initiator, kp->send_counter, now)) {
		wr_timers_handshake_wanted(&peer->timers);
		wr_device_send_initiation(peer, now);
	}
}
