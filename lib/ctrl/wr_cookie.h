/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mac1, mac2 and cookie replies (whitepaper section 5.4.4 and 5.4.7, the kernel's cookie.c).
 *
 * The checker is the device's (responder) side: it validates mac1 against our public key and,
 * under load, mac2 against the cookie it would give the source; it creates cookie replies from a
 * secret rotated every COOKIE_SECRET_MAX_AGE. The maker is per peer (initiator) side: it adds
 * mac1 for the peer's public key and mac2 when it holds a fresh cookie, and consumes the peer's
 * cookie replies.
 *
 * Times are the engine's monotonic u64 ns.
 */
#ifndef WR_COOKIE_H
#define WR_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wr_crypto.h"
#include "wr_messages.h"

/*
 * mac1's key lasts as long as the public key it comes from, so its keyed hash is kept with the
 * key block compressed: one compression less per mac1. A block is compressed only once input
 * follows it, so each kept state has also absorbed the message's first byte, its type: one
 * state per handshake message type (initiation, response); others hash from the key.
 */
#define WR_COOKIE_MAC1_TYPES 2

struct wr_cookie_checker {
	uint8_t secret[WR_KEY_LEN];
	uint64_t secret_birthdate;
	bool secret_valid;
	uint8_t message_mac1_key[WR_KEY_LEN];      /* HASH(LABEL_MAC1 || our public key) */
	uint8_t cookie_encryption_key[WR_KEY_LEN]; /* HASH(LABEL_COOKIE || our public key) */
	struct wr_blake2s_state mac1_state[WR_COOKIE_MAC1_TYPES]; /* set with the keys */
	bool has_keys;
};

struct wr_cookie_maker {
	uint8_t message_mac1_key[WR_KEY_LEN];      /* HASH(LABEL_MAC1 || peer public key) */
	uint8_t cookie_encryption_key[WR_KEY_LEN]; /* HASH(LABEL_COOKIE || peer public key) */
	struct wr_blake2s_state mac1_state[WR_COOKIE_MAC1_TYPES]; /* set with the keys */
	uint8_t cookie[WR_COOKIE_LEN];
	uint64_t cookie_birthdate;
	bool have_cookie;
	uint8_t last_mac1_sent[WR_MAC_LEN];
	bool have_sent_mac1;
};

enum wr_cookie_mac_state {
	WR_COOKIE_MAC_INVALID = 0,
	WR_COOKIE_MAC_VALID_MAC1,      /* mac1 good, mac2 absent or bad (or not checked) */
	WR_COOKIE_MAC_VALID_MAC1_MAC2, /* both good */
};

/** Derive the checker's keys from our public key (NULL: no key, every mac1 is invalid). */
void
wr_cookie_checker_set_key(struct wr_cookie_checker *c, const uint8_t pub[WR_KEY_LEN]);

/** Wipe the checker (secret and keys). */
void
wr_cookie_checker_wipe(struct wr_cookie_checker *c);

/** Derive the maker's keys from the peer's public key; forgets any cookie. */
void
wr_cookie_maker_init(struct wr_cookie_maker *m, const uint8_t peer_pub[WR_KEY_LEN]);

/**
 * Validate the macs of handshake message @p msg (@p len bytes, macs at its end) from @p src.
 * mac2 is checked only when @p check_mac2. Constant-time compares.
 */
enum wr_cookie_mac_state
wr_cookie_validate(struct wr_cookie_checker *c, const void *msg, size_t len,
	const struct sockaddr *src, bool check_mac2, uint64_t now);

/**
 * Fill the macs at the end of handshake message @p msg (@p len bytes): mac1 always, mac2 from a
 * cookie received less than COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY ago, else zeros.
 * Remembers mac1 for authenticating the cookie reply.
 */
void
wr_cookie_add_macs(struct wr_cookie_maker *m, void *msg, size_t len, uint64_t now);

/**
 * Build in @p reply the cookie reply to handshake message @p msg (@p len bytes, whose mac1 was
 * valid) from @p src, addressed to @p index (the message's sender index, host order).
 */
void
wr_cookie_create_reply(struct wr_cookie_checker *c, struct wr_message_handshake_cookie *reply,
	const void *msg, size_t len, uint32_t index, const struct sockaddr *src, uint64_t now);

/**
 * Consume a cookie reply for this maker: it must authenticate against the last mac1 we sent.
 * Returns 0, -EPROTO (no mac1 sent, or one reply was already taken for it) or -EBADMSG.
 */
int
wr_cookie_consume_reply(
	struct wr_cookie_maker *m, const struct wr_message_handshake_cookie *reply, uint64_t now);

#endif /* WR_COOKIE_H */
