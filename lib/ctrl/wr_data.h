/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transport data messages, one packet at a time (whitepaper section 5.4.6): the reference the
 * batched data plane is tested against. No state: keys, counters and replay windows belong to
 * the caller.
 *
 *	msg = type 4 (le32) || receiver index (le32) || counter (le64)
 *	      || ChaCha20-Poly1305(key, nonce = counter, inner packet zero-padded to 16 within the
 *MTU)
 */
#ifndef WR_DATA_H
#define WR_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wr_messages.h"

/** Bytes a sealed message of an inner packet of @p len bytes takes with MTU @p mtu. */
static inline size_t
wr_data_sealed_len(size_t len, uint32_t mtu)
{
	return WR_MSG_DATA_HEADER_LEN + wr_padded_len((uint32_t)len, mtu) + WR_AUTHTAG_LEN;
}

/**
 * Seal inner packet @p pkt (@p len bytes, 0 for a keepalive) into @p out, which must hold
 * wr_data_sealed_len(len, mtu) bytes (@p out and @p pkt must not overlap).
 * Returns the message length.
 */
size_t
wr_data_seal(uint8_t *out, const uint8_t key[WR_KEY_LEN], uint32_t receiver_index, uint64_t counter,
	const void *pkt, size_t len, uint32_t mtu);

/**
 * Authenticate and decrypt data message @p msg (@p len bytes, at least WR_MSG_DATA_MIN_LEN) into
 * @p out (len - 32 bytes). Returns the decrypted (still padded) length, or -EBADMSG. The replay
 * window is the caller's: check the counter (wr_data_counter()) before, record it after.
 */
ssize_t
wr_data_open(uint8_t *out, const uint8_t key[WR_KEY_LEN], const void *msg, size_t len);

/** The receiver index (host order) of data message @p msg. */
uint32_t
wr_data_receiver(const void *msg);

/** The counter of data message @p msg. */
uint64_t
wr_data_counter(const void *msg);

/**
 * Parse the decrypted inner packet @p pkt of @p padded bytes: an IPv4 or IPv6 header whose length
 * fits. Sets @p family (AF_INET/AF_INET6), @p src and @p dst (pointers into @p pkt) and returns
 * the real length without padding; -EINVAL when malformed.
 */
ssize_t
wr_data_inner(
	const uint8_t *pkt, size_t padded, int *family, const uint8_t **src, const uint8_t **dst);

#endif /* WR_DATA_H */
