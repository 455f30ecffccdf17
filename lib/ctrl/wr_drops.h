/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Why a packet was dropped: one X-macro list generates the enum and the names, so the control
 * engine, the data plane and the UAPI/REST counters always agree.
 *
 * A received message that is malformed or unauthenticated is dropped with no reply and counted
 * under exactly one reason. WR_DROP_NONE (0) means "not dropped"; it is never counted.
 * Add new reasons at the end so that existing numbers stay stable.
 */
#ifndef WR_DROPS_H
#define WR_DROPS_H

#include <stddef.h>

/* X(NAME, "human readable reason") */
#define WR_DROP_REASONS(X)                                                                         \
	X(BAD_LENGTH, "bad length")                                                                \
	X(BAD_TYPE, "unknown message type or nonzero reserved bytes")                              \
	X(NO_PRIVATE_KEY, "device has no private key")                                             \
	X(BAD_MAC1, "bad mac1")                                                                    \
	X(COOKIE_SENT, "under load without valid mac2: answered with a cookie reply")              \
	X(RATELIMITED, "under load: source over its handshake rate")                               \
	X(HANDSHAKE_DECRYPT, "handshake authentication failed")                                    \
	X(UNKNOWN_PEER, "initiation from an unknown static key")                                   \
	X(LOW_ORDER_POINT, "low-order public key")                                                 \
	X(STALE_TIMESTAMP, "initiation timestamp not newer than the last one")                     \
	X(INITIATION_FLOOD, "initiations more frequent than 50 per second")                        \
	X(UNKNOWN_INDEX, "unknown receiver index")                                                 \
	X(BAD_STATE, "message does not match the handshake state")                                 \
	X(COOKIE_DECRYPT, "cookie reply authentication failed")                                    \
	X(DATA_DECRYPT, "data authentication failed")                                              \
	X(REPLAY, "replayed or too old data counter")                                              \
	X(KEY_EXPIRED, "keypair expired or exhausted")                                             \
	X(BAD_INNER, "malformed inner IP packet")                                                  \
	X(SPOOFED_SOURCE, "inner source not in the peer's allowed IPs")                            \
	X(NO_ROUTE, "no peer for the inner destination")                                           \
	X(NO_ENDPOINT, "peer has no endpoint")                                                     \
	X(QUEUE_FULL, "packet queue for the handshake full")                                       \
	X(TOO_BIG, "inner packet larger than the MTU")                                             \
	X(NO_MEMORY, "out of memory")                                                              \
	X(PEER_REMOVED, "peer removed with packets queued")                                        \
	X(GAVE_UP, "queued packet dropped: no handshake within REKEY_ATTEMPT_TIME")           \
	X(BAD_CHECKSUM, "bad UDP checksum")                                                        \
	X(SEAL_FAILED, "encryption failed in the crypto library")

enum wr_drop_reason {
	WR_DROP_NONE = 0,
#define WR_DROP_ENUM_(name, text) WR_DROP_##name,
	WR_DROP_REASONS(WR_DROP_ENUM_)
#undef WR_DROP_ENUM_
		WR_DROP_COUNT, /* number of values, WR_DROP_NONE included */
};

/** The human readable text of @p r ("none" for WR_DROP_NONE, "?" when out of range). */
static inline const char *
wr_drop_reason_text(enum wr_drop_reason r)
{
	static const char *const text[WR_DROP_COUNT] = { "none",
#define WR_DROP_TEXT_(name, t) t,
		WR_DROP_REASONS(WR_DROP_TEXT_)
#undef WR_DROP_TEXT_
	};

	return (unsigned int)r < WR_DROP_COUNT ? text[r] : "?";
}

/** The identifier of @p r ("BAD_LENGTH"); "NONE" for WR_DROP_NONE, "?" when out of range. */
static inline const char *
wr_drop_reason_name(enum wr_drop_reason r)
{
	static const char *const name[WR_DROP_COUNT] = { "NONE",
#define WR_DROP_NAME_(n, t) #n,
		WR_DROP_REASONS(WR_DROP_NAME_)
#undef WR_DROP_NAME_
	};

	return (unsigned int)r < WR_DROP_COUNT ? name[r] : "?";
}

/**
 * The lower-case name of @p r ("bad_length": the label of /metrics, REST and telemetry) in
 * @p buf of @p len bytes; returns buf.
 */
static inline const char *
wr_drop_reason_label(char *buf, size_t len, enum wr_drop_reason r)
{
	const char *name = wr_drop_reason_name(r);
	size_t k;

	for (k = 0; k + 1 < len && name[k] != '\0'; k++)
		buf[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] - 'A' + 'a' : name[k]);
	if (len > 0)
		buf[k] = '\0';
	return buf;
}

#endif /* WR_DROPS_H */
