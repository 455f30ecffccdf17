/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as WireGuard uses it (whitepaper section 5.4).
 *
 * Two layers:
 *   - the Noise steps (MixHash, MixKey, DH, psk, EncryptAndHash, Split) and the two IK messages
 *     with an arbitrary prologue and payload: exposed so that tests can run the public cacophony
 *     vector through the very code WireGuard messages use;
 *   - the WireGuard messages: identifier as prologue, a TAI64N timestamp as the initiation's
 *     payload, an empty response payload, sender/receiver indices. mac1/mac2 are added on top by
 *     cookie.c, and the engine (device.c) owns the index table and the peers.
 *
 * Nothing here allocates or keeps global state. Secrets are wiped on every exit path.
 */
#ifndef WR_NOISE_H
#define WR_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wr_messages.h"

/* ---- Noise steps ---- */

/** ck = HASH(construction), h = HASH(ck || prologue), then h = HASH(h || rs) (IK pre-message). */
void
wr_noise_init(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], const void *prologue,
	size_t prologue_len, const uint8_t rs[WR_KEY_LEN]);

/** MixHash: h = HASH(h || in). */
void
wr_noise_mix_hash(uint8_t h[WR_KEY_LEN], const void *in, size_t len);

/** The "e" token with a psk: MixHash(e) and ck = KDF1(ck, e). */
void
wr_noise_mix_ephemeral(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], const uint8_t e[WR_KEY_LEN]);

/** MixKey(DH(priv, pub)): ck, key = KDF2(ck, dh). Returns -EINVAL for a low-order result. */
int
wr_noise_mix_dh(uint8_t ck[WR_KEY_LEN], uint8_t key[WR_KEY_LEN], const uint8_t priv[WR_KEY_LEN],
	const uint8_t pub[WR_KEY_LEN]);

/** MixKey of a precomputed DH result (the static-static one). Returns -EINVAL if all zero. */
int
wr_noise_mix_precomputed(
	uint8_t ck[WR_KEY_LEN], uint8_t key[WR_KEY_LEN], const uint8_t dh[WR_KEY_LEN]);

/** MixKeyAndHash(psk): ck, t, key = KDF3(ck, psk); MixHash(t). */
void
wr_noise_mix_psk(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], uint8_t key[WR_KEY_LEN],
	const uint8_t psk[WR_KEY_LEN]);

/** EncryptAndHash with nonce 0: dst = AEAD(key, 0, src, h) (len + 16 bytes); MixHash(dst). */
void
wr_noise_encrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t len,
	const uint8_t key[WR_KEY_LEN], uint8_t h[WR_KEY_LEN]);

/** DecryptAndHash with nonce 0 (@p srclen includes the tag). False when it fails to verify. */
bool
wr_noise_decrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t srclen,
	const uint8_t key[WR_KEY_LEN], uint8_t h[WR_KEY_LEN]);

/** Split: first, second = KDF2(ck, empty): the initiator's sending key is @p first. */
void
wr_noise_split(uint8_t first[WR_KEY_LEN], uint8_t second[WR_KEY_LEN], const uint8_t ck[WR_KEY_LEN]);

/* ---- the two IK messages, any prologue and payload ---- */

/** Byte length of IK message 1 (e, es, s, ss + payload) and message 2 (e, ee, se, psk + payload).
 */
#define WR_NOISE_MSG1_LEN(plen) (WR_KEY_LEN + WR_KEY_LEN + WR_AUTHTAG_LEN + (plen) + WR_AUTHTAG_LEN)
#define WR_NOISE_MSG2_LEN(plen) (WR_KEY_LEN + (plen) + WR_AUTHTAG_LEN)

/**
 * Initiator, message 1 (-> e, es, s, ss): from @p ck/@p h after wr_noise_init() with the
 * responder's static key @p rs, write e_pub || enc(s_pub) || enc(payload) to @p out.
 * @p ss is the precomputed DH(s_priv, rs). Returns 0 or -EINVAL (low-order point).
 */
int
wr_noise_ik_write1(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], const uint8_t e_priv[WR_KEY_LEN],
	const uint8_t s_pub[WR_KEY_LEN], const uint8_t rs[WR_KEY_LEN], const uint8_t ss[WR_KEY_LEN],
	const void *payload, size_t plen, uint8_t *out);

/**
 * Responder, first half of message 1: mix e from @p in, es = DH(s_priv, e), decrypt the
 * initiator's static key into @p rs_out. The caller then finds the peer and its precomputed
 * static-static before wr_noise_ik_read1_payload(). Returns 0, -EINVAL (low-order) or -EBADMSG.
 */
int
wr_noise_ik_read1_static(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN],
	const uint8_t s_priv[WR_KEY_LEN], const uint8_t *in, uint8_t rs_out[WR_KEY_LEN]);

/** Responder, second half: ss from @p ss, decrypt @p plen bytes of payload. -EINVAL/-EBADMSG. */
int
wr_noise_ik_read1_payload(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN],
	const uint8_t ss[WR_KEY_LEN], const uint8_t *in, size_t plen, uint8_t *payload_out);

/**
 * Responder, message 2 (<- e, ee, se, psk): write e_pub || enc(payload) to @p out; @p re and
 * @p rs are the initiator's ephemeral and static keys. Returns 0 or -EINVAL.
 */
int
wr_noise_ik_write2(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], const uint8_t e_priv[WR_KEY_LEN],
	const uint8_t re[WR_KEY_LEN], const uint8_t rs[WR_KEY_LEN], const uint8_t psk[WR_KEY_LEN],
	const void *payload, size_t plen, uint8_t *out);

/** Initiator, message 2: the inverse of wr_noise_ik_write2(). Returns 0, -EINVAL or -EBADMSG. */
int
wr_noise_ik_read2(uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], const uint8_t e_priv[WR_KEY_LEN],
	const uint8_t s_priv[WR_KEY_LEN], const uint8_t psk[WR_KEY_LEN], const uint8_t *in,
	size_t plen, uint8_t *payload_out);

/* ---- WireGuard handshakes ---- */

/** TAI64N label of the kernel and wireguard-go: 2^62 + 10 (the TAI-UTC offset of 1972). */
#define WR_TAI64_LABEL 0x400000000000000aULL

/**
 * The TAI64N timestamp of wall time @p wall_ns (ns since the Unix epoch): be64 seconds + label,
 * be32 nanoseconds rounded down to 2^24 ns (under 1/50 s) so that it leaks no fine timing.
 */
void
wr_noise_tai64n(uint8_t out[WR_TIMESTAMP_LEN], uint64_t wall_ns);

enum wr_noise_state {
	WR_NOISE_ZEROED = 0,
	WR_NOISE_CREATED_INITIATION,
	WR_NOISE_CONSUMED_INITIATION,
	WR_NOISE_CREATED_RESPONSE,
	WR_NOISE_CONSUMED_RESPONSE,
};

/** Our static identity. */
struct wr_noise_identity {
	uint8_t static_private[WR_KEY_LEN];
	uint8_t static_public[WR_KEY_LEN];
	/* ck and h after the prologue and our public key: where every initiation to us starts */
	uint8_t initial_chaining_key[WR_KEY_LEN];
	uint8_t initial_hash[WR_KEY_LEN];
	bool has_identity;
};

/** Set (or with NULL wipe) @p id from a private key; derives the public key and initial state. */
void
wr_noise_identity_set(struct wr_noise_identity *id, const uint8_t priv[WR_KEY_LEN]);

/** A peer's handshake state; owned by the peer, mutated only by the control thread. */
struct wr_noise_handshake {
	enum wr_noise_state state;
	uint32_t local_index;  /* host order; registered in the device's index table */
	uint32_t remote_index; /* host order */
	uint8_t remote_static[WR_KEY_LEN];
	/* ck and h after the prologue and remote_static: where our initiations start */
	uint8_t initial_chaining_key[WR_KEY_LEN];
	uint8_t initial_hash[WR_KEY_LEN];
	uint8_t preshared_key[WR_KEY_LEN];
	/* DH(our static, remote static), computed when either key changes; zero when low order */
	uint8_t precomputed_static_static[WR_KEY_LEN];
	uint8_t ephemeral_private[WR_KEY_LEN];
	uint8_t remote_ephemeral[WR_KEY_LEN];
	uint8_t hash[WR_KEY_LEN];
	uint8_t chaining_key[WR_KEY_LEN];
	/* replay protection of initiations: the greatest timestamp seen, and when */
	uint8_t latest_timestamp[WR_TIMESTAMP_LEN];
	uint64_t last_initiation_consumption;
	bool consumed_any_initiation;
};

/** Session keys derived by a completed handshake. */
struct wr_noise_session {
	uint8_t send_key[WR_KEY_LEN];
	uint8_t receive_key[WR_KEY_LEN];
	uint32_t local_index;
	uint32_t remote_index;
	bool initiator;
};

/** Set the remote static and psk of @p hs (psk NULL: zeros) and precompute static-static. */
void
wr_noise_handshake_init(struct wr_noise_handshake *hs, const struct wr_noise_identity *id,
	const uint8_t remote_static[WR_KEY_LEN], const uint8_t psk[WR_KEY_LEN]);

/** Recompute the static-static DH after our private key changed (zeros when unusable). */
void
wr_noise_precompute_static_static(
	struct wr_noise_handshake *hs, const struct wr_noise_identity *id);

/** Forget an exchange in progress (keys, hash, ephemeral), keep the static configuration. */
void
wr_noise_handshake_clear(struct wr_noise_handshake *hs);

/**
 * Fill the noise part of an initiation (everything but the macs) as @p hs->local_index, using
 * @p timestamp. Returns 0, -ENOKEY (no identity) or -EINVAL (low-order static-static).
 */
int
wr_noise_create_initiation(struct wr_message_handshake_initiation *msg,
	struct wr_noise_handshake *hs, const struct wr_noise_identity *id,
	const uint8_t timestamp[WR_TIMESTAMP_LEN]);

/**
 * Responder, first step: decrypt the initiator's static key from @p msg into @p rs_out, leaving
 * the partial state in @p ck/@p h. Returns 0, -EINVAL (low order) or -EBADMSG.
 */
int
wr_noise_consume_initiation_static(const struct wr_message_handshake_initiation *msg,
	const struct wr_noise_identity *id, uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN],
	uint8_t rs_out[WR_KEY_LEN]);

/**
 * Responder, second step with the peer found: decrypt and check the timestamp (greater than the
 * last one) and the flood guard (one per 1/50 s at @p now), then move @p hs to
 * CONSUMED_INITIATION. Returns 0, -EINVAL (low order), -EBADMSG (authentication), -ESTALE (old
 * timestamp) or -EAGAIN (too soon after the previous one). @p ck/@p h are wiped.
 */
int
wr_noise_consume_initiation_finish(const struct wr_message_handshake_initiation *msg,
	struct wr_noise_handshake *hs, uint8_t ck[WR_KEY_LEN], uint8_t h[WR_KEY_LEN], uint64_t now);

/**
 * Responder: from CONSUMED_INITIATION, fill the noise part of a response as
 * @p hs->local_index (already assigned by the caller). Returns 0, -EINVAL or -EPROTO (state).
 */
int
wr_noise_create_response(struct wr_message_handshake_response *msg, struct wr_noise_handshake *hs);

/**
 * Initiator: consume a response addressed to @p hs (state CREATED_INITIATION). On success the
 * state is CONSUMED_RESPONSE. Returns 0, -EPROTO (state), -EINVAL or -EBADMSG; on failure
 * @p hs is left unchanged so that a forged response cannot disturb the real one.
 */
int
wr_noise_consume_response(const struct wr_message_handshake_response *msg,
	struct wr_noise_handshake *hs, const struct wr_noise_identity *id);

/**
 * Derive the session from a handshake in CREATED_RESPONSE (responder) or CONSUMED_RESPONSE
 * (initiator) into @p out and clear the handshake. Returns 0 or -EPROTO.
 */
int
wr_noise_derive_session(struct wr_noise_session *out, struct wr_noise_handshake *hs);

#endif /* WR_NOISE_H */
