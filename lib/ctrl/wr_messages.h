/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * WireGuard's wire format and every protocol constant, in one place (as the kernel's messages.h).
 * Multi-byte integers on the wire are little-endian. See ../shared/PROTOCOL.md and the whitepaper.
 */
#ifndef WR_MESSAGES_H
#define WR_MESSAGES_H

#include <stdint.h>

#include "wr_crypto.h"

#define WR_KEY_LEN 32
#define WR_COOKIE_LEN 16
#define WR_TIMESTAMP_LEN 12
#define WR_MAC_LEN 16
#define WR_AUTHTAG_LEN 16

#define WR_CONSTRUCTION "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
#define WR_IDENTIFIER "WireGuard v1 zx2c4 Jason@zx2c4.com"
#define WR_LABEL_MAC1 "mac1----"
#define WR_LABEL_COOKIE "cookie--"

/* Times in nanoseconds: the engine's clock is a u64 of nanoseconds. */
#define WR_NSEC_PER_SEC 1000000000ULL
#define WR_REKEY_AFTER_MESSAGES (1ULL << 60)
#define WR_REJECT_AFTER_MESSAGES (UINT64_MAX - (1ULL << 13))
#define WR_REKEY_TIMEOUT (5ULL * WR_NSEC_PER_SEC)
#define WR_REKEY_TIMEOUT_JITTER_MAX (WR_NSEC_PER_SEC / 3)
#define WR_KEEPALIVE_TIMEOUT (10ULL * WR_NSEC_PER_SEC)
#define WR_REKEY_AFTER_TIME (120ULL * WR_NSEC_PER_SEC)
#define WR_REJECT_AFTER_TIME (180ULL * WR_NSEC_PER_SEC)
#define WR_REKEY_ATTEMPT_TIME (90ULL * WR_NSEC_PER_SEC)
#define WR_MAX_TIMER_HANDSHAKES (WR_REKEY_ATTEMPT_TIME / WR_REKEY_TIMEOUT)
/* A receiver that initiated rekeys when its key is older than this. */
#define WR_REKEY_AFTER_TIME_RECV (WR_REJECT_AFTER_TIME - WR_KEEPALIVE_TIMEOUT - WR_REKEY_TIMEOUT)
#define WR_COOKIE_SECRET_MAX_AGE (120ULL * WR_NSEC_PER_SEC)
#define WR_COOKIE_SECRET_LATENCY (5ULL * WR_NSEC_PER_SEC)
#define WR_INITIATIONS_PER_SECOND 50
#define WR_MAX_QUEUED_PACKETS 1024

#define WR_REPLAY_WINDOW_BITS 8192
#define WR_REPLAY_WINDOW_USABLE (WR_REPLAY_WINDOW_BITS - 64)

#define WR_RATELIMIT_PER_SECOND 20
#define WR_RATELIMIT_BURST 5

enum wr_message_type {
	WR_MSG_INVALID = 0,
	WR_MSG_HANDSHAKE_INITIATION = 1,
	WR_MSG_HANDSHAKE_RESPONSE = 2,
	WR_MSG_HANDSHAKE_COOKIE = 3,
	WR_MSG_DATA = 4,
};

struct wr_message_header {
	/* type is a u8 followed by three zero bytes; read as a le32 it equals the type */
	uint32_t type;
} __attribute__((packed));

struct wr_message_macs {
	uint8_t mac1[WR_MAC_LEN];
	uint8_t mac2[WR_MAC_LEN];
} __attribute__((packed));

struct wr_message_handshake_initiation {
	struct wr_message_header header;
	uint32_t sender_index;
	uint8_t unencrypted_ephemeral[WR_KEY_LEN];
	uint8_t encrypted_static[WR_KEY_LEN + WR_AUTHTAG_LEN];
	uint8_t encrypted_timestamp[WR_TIMESTAMP_LEN + WR_AUTHTAG_LEN];
	struct wr_message_macs macs;
} __attribute__((packed));

struct wr_message_handshake_response {
	struct wr_message_header header;
	uint32_t sender_index;
	uint32_t receiver_index;
	uint8_t unencrypted_ephemeral[WR_KEY_LEN];
	uint8_t encrypted_nothing[WR_AUTHTAG_LEN];
	struct wr_message_macs macs;
} __attribute__((packed));

struct wr_message_handshake_cookie {
	struct wr_message_header header;
	uint32_t receiver_index;
	uint8_t nonce[WR_XAEAD_NONCE_SIZE];
	uint8_t encrypted_cookie[WR_COOKIE_LEN + WR_AUTHTAG_LEN];
} __attribute__((packed));

struct wr_message_data {
	struct wr_message_header header;
	uint32_t key_idx;
	uint64_t counter;
	uint8_t encrypted_data[];
} __attribute__((packed));

#define WR_MSG_INITIATION_LEN 148
#define WR_MSG_RESPONSE_LEN 92
#define WR_MSG_COOKIE_LEN 64
#define WR_MSG_DATA_HEADER_LEN 16
#define WR_MSG_DATA_MIN_LEN (WR_MSG_DATA_HEADER_LEN + WR_AUTHTAG_LEN)
#define WR_MSG_PADDING 16

_Static_assert(sizeof(struct wr_message_handshake_initiation) == WR_MSG_INITIATION_LEN, "init");
_Static_assert(sizeof(struct wr_message_handshake_response) == WR_MSG_RESPONSE_LEN, "resp");
_Static_assert(sizeof(struct wr_message_handshake_cookie) == WR_MSG_COOKIE_LEN, "cookie");
_Static_assert(sizeof(struct wr_message_data) == WR_MSG_DATA_HEADER_LEN, "data");

/** Inner packet length after WireGuard's padding to a multiple of 16, capped at @p mtu. */
static inline uint32_t
wr_padded_len(uint32_t len, uint32_t mtu)
{
	uint32_t padded = (len + WR_MSG_PADDING - 1) & ~(uint32_t)(WR_MSG_PADDING - 1);

	if (mtu && len <= mtu && padded > mtu)
		padded = mtu;
	return padded;
}

#endif /* WR_MESSAGES_H */
