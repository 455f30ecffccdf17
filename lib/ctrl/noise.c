/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, the steps and WireGuard's two handshake messages
 * (whitepaper section 5.4.2 and 5.4.3, the kernel's noise.c).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_noise.h"

void
wr_noise_mix_hash(uint8_t h[WR_KEY_LEN], const void *in, size_t len)
{
	struct wr_blake2s_state s;

	wr_blake2s_init(&s, WR_BLAKE2S_HASH_SIZE);
	wr_blake2s_update(&s, h, WR_KEY_LEN);
	wr_blake2s_update(&s, in, len);
	wr_blake2s_final(&s, h);
}

void
wr_noise_init(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], const void *prologue,
	size_t prologue_len, const uint8_t rs[WR_KEY_LEN])
{
	/* the name is longer than HASHLEN, so it is hashed */
	wr_blake2s(ck, WR_KEY_LEN, WR_CONSTRUCTION, sizeof(WR_CONSTRUCTION) - 1, NULL, 0);
	memcpy(h, ck, WR_KEY_LEN);
	wr_noise_mix_hash(h, prologue, prologue_len);
	/* pre-message: <- s */
	wr_noise_mix_hash(h, rs, WR_KEY_LEN);
}

void
wr_noise_mix_ephemeral(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], const uint8_t e[WR_KEY_LEN])
{
	wr_noise_mix_hash(h, e, WR_KEY_LEN);
	/* psk handshakes also mix e into the key (Noise section 9.2) */
	wr_kdf(ck, NULL, NULL, ck, e, WR_KEY_LEN);
}

int
wr_noise_mix_precomputed(
	uint8_t ck[WR_KEY_LEN], uint8_t key[WR_KEY_LEN], const uint8_t dh[WR_KEY_LEN])
{
	if (wr_ct_is_zero(dh, WR_KEY_LEN))
		return -EINVAL;
	wr_kdf(ck, key, NULL, ck, dh, WR_KEY_LEN);
	return 0;
}

int
wr_noise_mix_dh(uint8_t ck[WR_KEY_LEN], uint8_t key[WR_KEY_LEN], const uint8_t priv[WR_KEY_LEN],
	const uint8_t pub[WR_KEY_LEN])
{
	uint8_t dh[WR_KEY_LEN];
	int ret;

	ret = wr_x25519(dh, priv, pub);
	if (ret == 0)
		wr_kdf(ck, key, NULL, ck, dh, WR_KEY_LEN);
	wr_wipe(dh, sizeof(dh));
	return ret;
}

void
wr_noise_mix_psk(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], uint8_t key[WR_KEY_LEN],
	const uint8_t psk[WR_KEY_LEN])
{
	uint8_t t[WR_KEY_LEN];

	wr_kdf(ck, t, key, ck, psk, WR_KEY_LEN);
	wr_noise_mix_hash(h, t, WR_KEY_LEN);
	wr_wipe(t, sizeof(t));
}

void
wr_noise_encrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t len,
	const uint8_t key[WR_KEY_LEN], uint8_t h[WR_KEY_LEN])
{
	wr_aead_seal(dst, src, len, h, WR_KEY_LEN, 0, key);
	wr_noise_mix_hash(h, dst, len + WR_AUTHTAG_LEN);
}

bool
wr_noise_decrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t srclen,
	const uint8_t key[WR_KEY_LEN], uint8_t h[WR_KEY_LEN])
{
	if (!wr_aead_open(dst, src, srclen, h, WR_KEY_LEN, 0, key))
		return false;
	wr_noise_mix_hash(h, src, srclen);
	return true;
}

void
wr_noise_split(uint8_t first[WR_KEY_LEN], uint8_t second[WR_KEY_LEN], const uint8_t ck[WR_KEY_LEN])
{
	wr_kdf(first, second, NULL, ck, NULL, 0);
}

int
wr_noise_ik_write1(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], const uint8_t e_priv[WR_KEY_LEN],
	const uint8_t s_pub[WR_KEY_LEN], const uint8_t rs[WR_KEY_LEN], const uint8_t ss[WR_KEY_LEN],
	const void *payload, size_t plen, uint8_t *out)
{
	uint8_t key[WR_KEY_LEN];
	int ret;

	/* e */
	wr_x25519_public(out, e_priv);
	wr_noise_mix_ephemeral(ck, h, out);
	/* es */
	ret = wr_noise_mix_dh(ck, key, e_priv, rs);
	if (ret)
		goto out;
	/* s */
	wr_noise_encrypt_and_hash(out + WR_KEY_LEN, s_pub, WR_KEY_LEN, key, h);
	/* ss */
	ret = wr_noise_mix_precomputed(ck, key, ss);
	if (ret)
		goto out;
	/* payload */
	wr_noise_encrypt_and_hash(out + 2 * WR_KEY_LEN + WR_AUTHTAG_LEN, payload, plen, key, h);
out:
	wr_wipe(key, sizeof(key));
	return ret;
}

int
wr_noise_ik_read1_static(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN],
	const uint8_t s_priv[WR_KEY_LEN], const uint8_t *in, uint8_t rs_out[WR_KEY_LEN])
{
	uint8_t key[WR_KEY_LEN];
	int ret;

	/* e */
	wr_noise_mix_ephemeral(ck, h, in);
	/* es */
	ret = wr_noise_mix_dh(ck, key, s_priv, in);
	if (ret)
		goto out;
	/* s */
	if (!wr_noise_decrypt_and_hash(
		    rs_out, in + WR_KEY_LEN, WR_KEY_LEN + WR_AUTHTAG_LEN, key, h))
		ret = -EBADMSG;
out:
	wr_wipe(key, sizeof(key));
	return ret;
}

int
wr_noise_ik_read1_payload(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN],
	const uint8_t ss[WR_KEY_LEN], const uint8_t *in, size_t plen, uint8_t *payload_out)
{
	uint8_t key[WR_KEY_LEN];
	int ret;

	/* ss */
	ret = wr_noise_mix_precomputed(ck, key, ss);
	if (ret)
		goto out;
	/* payload */
	if (!wr_noise_decrypt_and_hash(payload_out, in + 2 * WR_KEY_LEN + WR_AUTHTAG_LEN,
		    plen + WR_AUTHTAG_LEN, key, h))
		ret = -EBADMSG;
out:
	wr_wipe(key, sizeof(key));
	return ret;
}

int
wr_noise_ik_write2(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], const uint8_t e_priv[WR_KEY_LEN],
	const uint8_t re[WR_KEY_LEN], const uint8_t rs[WR_KEY_LEN], const uint8_t psk[WR_KEY_LEN],
	const void *payload, size_t plen, uint8_t *out)
{
	uint8_t key[WR_KEY_LEN];
	int ret;

	/* e */
	wr_x25519_public(out, e_priv);
	wr_noise_mix_ephemeral(ck, h, out);
	/* ee */
	ret = wr_noise_mix_dh(ck, NULL, e_priv, re);
	if (ret)
		goto out;
	/* se */
	ret = wr_noise_mix_dh(ck, NULL, e_priv, rs);
	if (ret)
		goto out;
	/* psk */
	wr_noise_mix_psk(ck, h, key, psk);
	/* payload */
	wr_noise_encrypt_and_hash(out + WR_KEY_LEN, payload, plen, key, h);
out:
	wr_wipe(key, sizeof(key));
	return ret;
}

int
wr_noise_ik_read2(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], const uint8_t e_priv[WR_KEY_LEN],
	const uint8_t s_priv[WR_KEY_LEN], const uint8_t psk[WR_KEY_LEN], const uint8_t *in,
	size_t plen, uint8_t *payload_out)
{
	uint8_t key[WR_KEY_LEN];
	int ret;

	/* e */
	wr_noise_mix_ephemeral(ck, h, in);
	/* ee */
	ret = wr_noise_mix_dh(ck, NULL, e_priv, in);
	if (ret)
		goto out;
	/* se */
	ret = wr_noise_mix_dh(ck, NULL, s_priv, in);
	if (ret)
		goto out;
	/* psk */
	wr_noise_mix_psk(ck, h, key, psk);
	/* payload */
	if (!wr_noise_decrypt_and_hash(payload_out, in + WR_KEY_LEN, plen + WR_AUTHTAG_LEN, key, h))
		ret = -EBADMSG;
out:
	wr_wipe(key, sizeof(key));
	return ret;
}

/* ---- WireGuard ---- */

void
wr_noise_tai64n(uint8_t out[WR_TIMESTAMP_LEN], uint64_t wall_ns)
{
	uint64_t sec = htobe64(WR_TAI64_LABEL + wall_ns / WR_NSEC_PER_SEC);
	/* 2^24 ns is the largest power of two under 1/50 s, the initiation rate limit */
	uint32_t nsec = htobe32((uint32_t)(wall_ns % WR_NSEC_PER_SEC) & ~((1u << 24) - 1));

	memcpy(out, &sec, sizeof(sec));
	memcpy(out + sizeof(sec), &nsec, sizeof(nsec));
}

void
wr_noise_precompute_static_static(struct wr_noise_handshake *hs, const struct wr_noise_identity *id)
{
	if (!id->has_identity ||
		wr_x25519(hs->precomputed_static_static, id->static_private, hs->remote_static))
		wr_wipe(hs->precomputed_static_static, WR_KEY_LEN);
}

void
wr_noise_identity_set(struct wr_noise_identity *id, const uint8_t priv[WR_KEY_LEN])
{
	if (!priv) {
		wr_wipe(id, sizeof(*id));
		return;
	}
	memcpy(id->static_private, priv, WR_KEY_LEN);
	wr_x25519_public(id->static_public, priv);
	wr_noise_init(id->initial_chaining_key, id->initial_hash, WR_IDENTIFIER,
		sizeof(WR_IDENTIFIER) - 1, id->static_public);
	id->has_identity = true;
}

void
wr_noise_handshake_init(struct wr_noise_handshake *hs, const struct wr_noise_identity *id,
	const uint8_t remote_static[WR_KEY_LEN], const uint8_t psk[WR_KEY_LEN])
{
	memset(hs, 0, sizeof(*hs));
	memcpy(hs->remote_static, remote_static, WR_KEY_LEN);
	wr_noise_init(hs->initial_chaining_key, hs->initial_hash, WR_IDENTIFIER,
		sizeof(WR_IDENTIFIER) - 1, remote_static);
	if (psk)
		memcpy(hs->preshared_key, psk, WR_KEY_LEN);
	wr_noise_precompute_static_static(hs, id);
}

void
wr_noise_handshake_clear(struct wr_noise_handshake *hs)
{
	wr_wipe(hs->ephemeral_private, WR_KEY_LEN);
	wr_wipe(hs->remote_ephemeral, WR_KEY_LEN);
	wr_wipe(hs->hash, WR_KEY_LEN);
	wr_wipe(hs->chaining_key, WR_KEY_LEN);
	hs->remote_index = 0;
	hs->state = WR_NOISE_ZEROED;
}

int
wr_noise_create_initiation(struct wr_message_handshake_initiation *msg,
	struct wr_noise_handshake *hs, const struct wr_noise_identity *id,
	const uint8_t timestamp[WR_TIMESTAMP_LEN])
{
	int ret;

	if (!id->has_identity)
		return -ENOKEY;
	memset(msg, 0, sizeof(*msg));
	msg->header.type = htole32(WR_MSG_HANDSHAKE_INITIATION);
	msg->sender_index = htole32(hs->local_index);

	memcpy(hs->chaining_key, hs->initial_chaining_key, WR_KEY_LEN);
	memcpy(hs->hash, hs->initial_hash, WR_KEY_LEN);
	wr_x25519_generate(hs->ephemeral_private);
	ret = wr_noise_ik_write1(hs->chaining_key, hs->hash, hs->ephemeral_private,
		id->static_public, hs->remote_static, hs->precomputed_static_static, timestamp,
		WR_TIMESTAMP_LEN, msg->unencrypted_ephemeral);
	if (ret) {
		wr_noise_handshake_clear(hs);
		return ret;
	}
	hs->state = WR_NOISE_CREATED_INITIATION;
	return 0;
}

int
wr_noise_consume_initiation_static(const struct wr_message_handshake_initiation *msg,
	const struct wr_noise_identity *id, uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN],
	uint8_t rs_out[WR_KEY_LEN])
{
	int ret;

	if (!id->has_identity)
		return -ENOKEY;
	memcpy(ck, id->initial_chaining_key, WR_KEY_LEN);
	memcpy(h, id->initial_hash, WR_KEY_LEN);
	ret = wr_noise_ik_read1_static(
		ck, h, id->static_private, msg->unencrypted_ephemeral, rs_out);
	if (ret) {
		wr_wipe(ck, WR_KEY_LEN);
		wr_wipe(h, WR_KEY_LEN);
	}
	return ret;
}

int
wr_noise_consume_initiation_finish(const struct wr_message_handshake_initiation *msg,
	struct wr_noise_handshake *hs, uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], uint64_t now)
{
	uint8_t t[WR_TIMESTAMP_LEN];
	bool replay, flood;
	int ret;

	ret = wr_noise_ik_read1_payload(
		ck, h, hs->precomputed_static_static, msg->unencrypted_ephemeral, sizeof(t), t);
	if (ret)
		goto out;

	/* big-endian, so bytewise order is time order */
	replay = hs->consumed_any_initiation &&
		 memcmp(t, hs->latest_timestamp, WR_TIMESTAMP_LEN) <= 0;
	flood = hs->consumed_any_initiation &&
		now - hs->last_initiation_consumption < WR_NSEC_PER_SEC / WR_INITIATIONS_PER_SECOND;
	if (replay) {
		ret = -ESTALE;
		goto out;
	}
	if (flood) {
		ret = -EAGAIN;
		goto out;
	}

	/* success: this initiation replaces whatever exchange was in progress */
	memcpy(hs->latest_timestamp, t, WR_TIMESTAMP_LEN);
	hs->last_initiation_consumption = now;
	hs->consumed_any_initiation = true;
	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, WR_KEY_LEN);
	memcpy(hs->chaining_key, ck, WR_KEY_LEN);
	memcpy(hs->hash, h, WR_KEY_LEN);
	hs->remote_index = le32toh(msg->sender_index);
	hs->state = WR_NOISE_CONSUMED_INITIATION;
out:
	wr_wipe(ck, WR_KEY_LEN);
	wr_wipe(h, WR_KEY_LEN);
	return ret;
}

int
wr_noise_create_response(struct wr_message_handshake_response *msg, struct wr_noise_handshake *hs)
{
	int ret;

	if (hs->state != WR_NOISE_CONSUMED_INITIATION)
		return -EPROTO;
	memset(msg, 0, sizeof(*msg));
	msg->header.type = htole32(WR_MSG_HANDSHAKE_RESPONSE);
	msg->sender_index = htole32(hs->local_index);
	msg->receiver_index = htole32(hs->remote_index);

	wr_x25519_generate(hs->ephemeral_private);
	ret = wr_noise_ik_write2(hs->chaining_key, hs->hash, hs->ephemeral_private,
		hs->remote_ephemeral, hs->remote_static, hs->preshared_key, NULL, 0,
		msg->unencrypted_ephemeral);
	if (ret) {
		wr_noise_handshake_clear(hs);
		return ret;
	}
	hs->state = WR_NOISE_CREATED_RESPONSE;
	return 0;
}

int
wr_noise_consume_response(const struct wr_message_handshake_response *msg,
	struct wr_noise_handshake *hs, const struct wr_noise_identity *id)
{
	uint8_t ck[WR_KEY_LEN], h[WR_KEY_LEN];
	int ret;

	if (hs->state != WR_NOISE_CREATED_INITIATION || !id->has_identity)
		return -EPROTO;
	/* work on copies: a forged response must not disturb the genuine one still to come */
	memcpy(ck, hs->chaining_key, WR_KEY_LEN);
	memcpy(h, hs->hash, WR_KEY_LEN);
	ret = wr_noise_ik_read2(ck, h, hs->ephemeral_private, id->static_private, hs->preshared_key,
		msg->unencrypted_ephemeral, 0, NULL);
	if (ret)
		goto out;

	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, WR_KEY_LEN);
	memcpy(hs->chaining_key, ck, WR_KEY_LEN);
	memcpy(hs->hash, h, WR_KEY_LEN);
	hs->remote_index = le32toh(msg->sender_index);
	hs->state = WR_NOISE_CONSUMED_RESPONSE;
out:
	wr_wipe(ck, sizeof(ck));
	wr_wipe(h, sizeof(h));
	return ret;
}

int
wr_noise_derive_session(struct wr_noise_session *out, struct wr_noise_handshake *hs)
{
	if (hs->state == WR_NOISE_CONSUMED_RESPONSE) {
		wr_noise_split(out->send_key, out->receive_key, hs->chaining_key);
		out->initiator = true;
	} else if (hs->state == WR_NOISE_CREATED_RESPONSE) {
		wr_noise_split(out->receive_key, out->send_key, hs->chaining_key);
		out->initiator = false;
	} else {
		return -EPROTO;
	}
	out->local_index = hs->local_index;
	out->remote_index = hs->remote_index;
	wr_noise_handshake_clear(hs);
	return 0;
}
