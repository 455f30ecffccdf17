/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mac1/mac2 and cookie replies, as the whitepaper's section 5.4.4 and 5.4.7:
 *   mac1 = MAC(HASH(LABEL_MAC1 || S_pub_responder), msg[0:offset of mac1])
 *   mac2 = MAC(cookie, msg[0:offset of mac2])
 *   cookie = MAC(Rm, source address || source port), Rm rotated every 120 s
 *   reply = XAEAD(HASH(LABEL_COOKIE || S_pub_responder), random nonce, cookie, AD = mac1)
 */
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "wr_cookie.h"
#include "wr_crypto.h"

static void
derive_key(uint8_t key[WR_KEY_LEN], const char *label, const uint8_t pub[WR_KEY_LEN])
{
	struct wr_blake2s_state s;

	wr_blake2s_init(&s, WR_KEY_LEN);
	wr_blake2s_update(&s, label, 8);
	wr_blake2s_update(&s, pub, WR_KEY_LEN);
	wr_blake2s_final(&s, key);
}

/* the states that mac1_state's comment in wr_cookie.h describes */
static void
keep_mac1_states(struct wr_blake2s_state st[WR_COOKIE_MAC1_TYPES], const uint8_t key[WR_KEY_LEN])
{
	uint8_t type;
	unsigned i;

	for (i = 0; i < WR_COOKIE_MAC1_TYPES; i++) {
		type = (uint8_t)(WR_MSG_HANDSHAKE_INITIATION + i);
		wr_blake2s_init_key(&st[i], WR_MAC_LEN, key, WR_KEY_LEN);
		wr_blake2s_update(&st[i], &type, 1);
	}
}

void
wr_cookie_checker_set_key(struct wr_cookie_checker *c, const uint8_t pub[WR_KEY_LEN])
{
	if (!pub) {
		wr_cookie_checker_wipe(c);
		return;
	}
	derive_key(c->message_mac1_key, WR_LABEL_MAC1, pub);
	derive_key(c->cookie_encryption_key, WR_LABEL_COOKIE, pub);
	keep_mac1_states(c->mac1_state, c->message_mac1_key);
	c->has_keys = true;
}

void
wr_cookie_checker_wipe(struct wr_cookie_checker *c)
{
	wr_wipe(c, sizeof(*c));
}

void
wr_cookie_maker_init(struct wr_cookie_maker *m, const uint8_t peer_pub[WR_KEY_LEN])
{
	wr_wipe(m, sizeof(*m));
	derive_key(m->message_mac1_key, WR_LABEL_MAC1, peer_pub);
	derive_key(m->cookie_encryption_key, WR_LABEL_COOKIE, peer_pub);
	keep_mac1_states(m->mac1_state, m->message_mac1_key);
}

static bool
expired(uint64_t birth, uint64_t limit, uint64_t now)
{
	return now < birth || now - birth >= limit;
}

/* the macs are the last 32 bytes of a handshake message, which starts with its type */
static void
compute_mac1(uint8_t mac1[WR_MAC_LEN], const void *msg, size_t len, const uint8_t key[WR_KEY_LEN],
	const struct wr_blake2s_state kept[WR_COOKIE_MAC1_TYPES])
{
	const uint8_t *p = msg;
	unsigned k = (unsigned)p[0] - WR_MSG_HANDSHAKE_INITIATION;
	struct wr_blake2s_state s;

	if (k >= WR_COOKIE_MAC1_TYPES) {
		wr_blake2s(mac1, WR_MAC_LEN, msg, len - 2 * WR_MAC_LEN, key, WR_KEY_LEN);
		return;
	}
	s = kept[k];
	wr_blake2s_update(&s, p + 1, len - 2 * WR_MAC_LEN - 1);
	wr_blake2s_final(&s, mac1);
}

static void
compute_mac2(
	uint8_t mac2[WR_MAC_LEN], const void *msg, size_t len, const uint8_t cookie[WR_COOKIE_LEN])
{
	wr_blake2s(mac2, WR_MAC_LEN, msg, len - WR_MAC_LEN, cookie, WR_COOKIE_LEN);
}

/* cookie = MAC(Rm, address || port); Rm is drawn again once older than COOKIE_SECRET_MAX_AGE */
static void
make_cookie(struct wr_cookie_checker *c, uint8_t cookie[WR_COOKIE_LEN], const struct sockaddr *src,
	uint64_t now)
{
	struct wr_blake2s_state s;

	if (!c->secret_valid || expired(c->secret_birthdate, WR_COOKIE_SECRET_MAX_AGE, now)) {
		wr_random(c->secret, sizeof(c->secret));
		c->secret_birthdate = now;
		c->secret_valid = true;
	}
	wr_blake2s_init_key(&s, WR_COOKIE_LEN, c->secret, sizeof(c->secret));
	if (src->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)src;

		wr_blake2s_update(&s, &in->sin_addr, sizeof(in->sin_addr));
		wr_blake2s_update(&s, &in->sin_port, sizeof(in->sin_port));
	} else if (src->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)src;

		wr_blake2s_update(&s, &in6->sin6_addr, sizeof(in6->sin6_addr));
		wr_blake2s_update(&s, &in6->sin6_port, sizeof(in6->sin6_port));
	}
	wr_blake2s_final(&s, cookie);
}

enum wr_cookie_mac_state
wr_cookie_validate(struct wr_cookie_checker *c, const void *msg, size_t len,
	const struct sockaddr *src, bool check_mac2, uint64_t now)
{
	const struct wr_message_macs *macs;
	uint8_t mac[WR_MAC_LEN], cookie[WR_COOKIE_LEN];
	enum wr_cookie_mac_state ret = WR_COOKIE_MAC_INVALID;

	if (!c->has_keys || len < sizeof(*macs) + sizeof(struct wr_message_header))
		return WR_COOKIE_MAC_INVALID;
	macs = (const struct wr_message_macs *)((const uint8_t *)msg + len - sizeof(*macs));

	compute_mac1(mac, msg, len, c->message_mac1_key, c->mac1_state);
	if (!wr_ct_equal(mac, macs->mac1, WR_MAC_LEN))
		goto out;
	ret = WR_COOKIE_MAC_VALID_MAC1;
	if (!check_mac2)
		goto out;

	make_cookie(c, cookie, src, now);
	compute_mac2(mac, msg, len, cookie);
	if (wr_ct_equal(mac, macs->mac2, WR_MAC_LEN))
		ret = WR_COOKIE_MAC_VALID_MAC1_MAC2;
	wr_wipe(cookie, sizeof(cookie));
out:
	wr_wipe(mac, sizeof(mac));
	return ret;
}

void
wr_cookie_add_macs(struct wr_cookie_maker *m, void *msg, size_t len, uint64_t now)
{
	struct wr_message_macs *macs =
		(struct wr_message_macs *)((uint8_t *)msg + len - sizeof(*macs));

	compute_mac1(macs->mac1, msg, len, m->message_mac1_key, m->mac1_state);
	memcpy(m->last_mac1_sent, macs->mac1, WR_MAC_LEN);
	m->have_sent_mac1 = true;

	/* a cookie is good for as long as the responder keeps its secret, less the latency */
	if (m->have_cookie && !expired(m->cookie_birthdate,
				      WR_COOKIE_SECRET_MAX_AGE - WR_COOKIE_SECRET_LATENCY, now))
		compute_mac2(macs->mac2, msg, len, m->cookie);
	else
		memset(macs->mac2, 0, WR_MAC_LEN);
}

void
wr_cookie_create_reply(struct wr_cookie_checker *c, struct wr_message_handshake_cookie *reply,
	const void *msg, size_t len, uint32_t index, const struct sockaddr *src, uint64_t now)
{
	const struct wr_message_macs *macs =
		(const struct wr_message_macs *)((const uint8_t *)msg + len - sizeof(*macs));
	uint8_t cookie[WR_COOKIE_LEN];

	memset(reply, 0, sizeof(*reply));
	reply->header.type = htole32(WR_MSG_HANDSHAKE_COOKIE);
	reply->receiver_index = htole32(index);
	wr_random(reply->nonce, sizeof(reply->nonce));
	make_cookie(c, cookie, src, now);
	wr_xaead_seal(reply->encrypted_cookie, cookie, sizeof(cookie), macs->mac1, WR_MAC_LEN,
		reply->nonce, c->cookie_encryption_key);
	wr_wipe(cookie, sizeof(cookie));
}

int
wr_cookie_consume_reply(
	struct wr_cookie_maker *m, const struct wr_message_handshake_cookie *reply, uint64_t now)
{
	uint8_t cookie[WR_COOKIE_LEN];

	if (!m->have_sent_mac1)
		return -EPROTO;
	if (!wr_xaead_open(cookie, reply->encrypted_cookie, sizeof(reply->encrypted_cookie),
		    m->last_mac1_sent, WR_MAC_LEN, reply->nonce, m->cookie_encryption_key)) {
		wr_wipe(cookie, sizeof(cookie));
		return -EBADMSG;
	}
	memcpy(m->cookie, cookie, sizeof(cookie));
	m->cookie_birthdate = now;
	m->have_cookie = true;
	/* one reply per mac1: a replayed reply cannot refresh the cookie */
	m->have_sent_mac1 = false;
	wr_wipe(cookie, sizeof(cookie));
	return 0;
}
