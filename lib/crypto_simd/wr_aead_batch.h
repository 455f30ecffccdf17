/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Batched ChaCha20-Poly1305 for the data plane: one call seals or opens a burst of independent
 * packets, each with its own key and 64-bit counter (WireGuard's nonce: 4 zero bytes, then the
 * little-endian counter). No associated data: WireGuard's transport messages have none.
 *
 * Backends are chosen at run time from the CPU's features. The choice can be forced through
 * wr_aead_ctx_create() or the environment variable WR_AEAD_BACKEND (generic, imb-avx2,
 * imb-avx512, ...), so that tests can run every backend on the same vectors. A new backend (an own
 * 16-lane AVX-512 multi-buffer one, say) is one more entry in the backend table: callers only ever
 * see struct wr_aead_op and struct wr_aead_ctx.
 */
#ifndef WR_AEAD_BATCH_H
#define WR_AEAD_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "wr_crypto.h"

/** The longest burst a single call takes in one go; longer bursts are processed in chunks. */
#define WR_AEAD_BURST_MAX 64

enum wr_aead_backend {
	WR_AEAD_AUTO = 0,  /**< the best supported backend, or WR_AEAD_BACKEND's choice */
	WR_AEAD_GENERIC,   /**< libsodium, one packet at a time; runs everywhere */
	WR_AEAD_IMB_AVX2,  /**< intel-ipsec-mb, AVX2 code path */
	WR_AEAD_IMB_AVX512,/**< intel-ipsec-mb, AVX-512 code path */
	WR_AEAD_BACKEND_COUNT,
};

/** One packet of a burst. The caller owns every buffer. */
struct wr_aead_op {
	const uint8_t *key; /**< 32-byte key */
	uint64_t counter;   /**< nonce counter */
	const uint8_t *src; /**< input: plaintext to seal or ciphertext to open */
	uint8_t *dst;       /**< output, @p len bytes; may equal @p src (in place) */
	uint8_t *tag;       /**< 16 bytes: written by seal, checked by open */
	uint32_t len;       /**< payload bytes, tag excluded */
	int status;         /**< out: 0; -EBADMSG when open fails to authenticate; -EIO: see seal */
};

/** Per-lcore backend state. Not thread-safe: one per thread. */
struct wr_aead_ctx;

/** Human-readable name ("generic", "imb-avx2", "imb-avx512"). */
const char *
wr_aead_backend_name(enum wr_aead_backend b);

/** Parses a name as printed by wr_aead_backend_name() (or "auto"). Returns -EINVAL if unknown. */
int
wr_aead_backend_parse(const char *name);

/** Whether this CPU and build can run backend @p b. */
bool
wr_aead_backend_supported(enum wr_aead_backend b);

/** The backend WR_AEAD_AUTO resolves to: WR_AEAD_BACKEND if set and supported, else the best. */
enum wr_aead_backend
wr_aead_backend_default(void);

/**
 * Creates a context for backend @p b (WR_AEAD_AUTO for the default). Returns NULL with errno set
 * to ENOTSUP if the backend cannot run here, ENOMEM if out of memory. Free with
 * wr_aead_ctx_free().
 */
struct wr_aead_ctx *
wr_aead_ctx_create(enum wr_aead_backend b);

void
wr_aead_ctx_free(struct wr_aead_ctx *ctx);

enum wr_aead_backend
wr_aead_ctx_backend(const struct wr_aead_ctx *ctx);

/**
 * Seals @p n ops. Every op gets status 0, unless a backend's library failed it (never expected):
 * then -EIO, and its output and tag are zeroed, so that no plaintext leaves in their place.
 * Returns the number sealed (@p n but for such failures).
 */
unsigned int
wr_aead_seal_burst(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n);

/**
 * Opens @p n ops; each op's status says whether it authenticated (0 only then). The output of an
 * op that failed is zeroed, never plaintext (in place, the ciphertext is gone too); the caller
 * drops the packet. Returns the number that authenticated.
 */
unsigned int
wr_aead_open_burst(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n);

#endif /* WR_AEAD_BATCH_H */
