/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to lib/crypto_simd: the batched AEAD's backend table. A backend is one entry of
 * struct wr_aead_backend_ops; aead_batch.c picks it at context creation and calls it per chunk
 * of at most WR_AEAD_BURST_MAX ops. Callers of wr_aead_batch.h never see any of this.
 */
#ifndef WR_AEAD_BACKEND_H
#define WR_AEAD_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "wr_aead_batch.h"

struct wr_aead_backend_ops {
	const char *name;
	/** Whether this CPU and build can run the backend. Called once per process. */
	bool (*probe)(void);
	/** Sets up ctx->priv. Returns 0, or -errno. */
	int (*init)(struct wr_aead_ctx *ctx);
	/** Frees ctx->priv, wiping anything secret in it. */
	void (*fini)(struct wr_aead_ctx *ctx);
	/**
	 * Seals 1..WR_AEAD_BURST_MAX ops; sets every status: 0, or (never expected) -EIO with the
	 * op's output and tag zeroed. Returns how many were sealed.
	 */
	unsigned int (*seal)(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n);
	/**
	 * Opens 1..WR_AEAD_BURST_MAX ops; sets every status; returns how many authenticated. An op
	 * that did not authenticate has its output zeroed.
	 */
	unsigned int (*open)(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n);
};

struct wr_aead_ctx {
	const struct wr_aead_backend_ops *ops;
	void *priv; /**< backend state, owned by ops->init/fini */
	enum wr_aead_backend backend;
};

extern const struct wr_aead_backend_ops wr_aead_backend_generic;
extern const struct wr_aead_backend_ops wr_aead_backend_imb_avx2;
extern const struct wr_aead_backend_ops wr_aead_backend_imb_avx512;

/** Seals one op with libsodium: the generic backend's body, and a fallback for the others. */
void
wr_aead_generic_seal_one(struct wr_aead_op *op);

/**
 * Opens one op with libsodium; sets op->status and returns whether it authenticated. On failure
 * op->dst is zeroed.
 */
bool
wr_aead_generic_open_one(struct wr_aead_op *op);

/**
 * For tests only (tests/unit/test_aead_batch.c): from now on the intel-ipsec-mb manager hands back
 * @p lost fewer jobs per burst than it was given, the last ones, as a library fault would, so
 * that the fallback that fails closed runs. @p ran: it ran them (their outputs are written) but
 * does not say so; else it never started them. @p lost 0 (the default) turns it off.
 * Process-wide.
 */
void
wr_aead_imb_test_fault(unsigned int lost, bool ran);

/** WireGuard's 96-bit nonce: 32 zero bits, then the little-endian counter (all AEAD paths). */
static inline void
wr_aead_nonce(uint8_t nonce[12], uint64_t counter)
{
	unsigned int i;

	nonce[0] = nonce[1] = nonce[2] = nonce[3] = 0;
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

#endif /* WR_AEAD_BACKEND_H */
