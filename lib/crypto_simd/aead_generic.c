/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic batch backend: libsodium's detached ChaCha20-Poly1305, one packet at a time. Runs on
 * every CPU, and is the reference the other backends are tested against.
 */
#include <errno.h>

#include <sodium.h>

#include "aead_backend.h"

void
wr_aead_generic_seal_one(struct wr_aead_op *op)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	wr_aead_nonce(nonce, op->counter);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(
		op->dst, op->tag, NULL, op->src, op->len, NULL, 0, NULL, nonce, op->key);
	op->status = 0;
}

bool
wr_aead_generic_open_one(struct wr_aead_op *op)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	wr_aead_nonce(nonce, op->counter);
	/*
	 * libsodium checks the tag before it decrypts, so a forgery is never decrypted; on failure
	 * it zeroes dst (1.0.18 does), which in place wipes the ciphertext too. The wipe here makes
	 * "no plaintext after a failed open" ours, whatever the library's version does.
	 */
	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
		    op->dst, NULL, op->src, op->len, op->tag, NULL, 0, nonce, op->key) != 0) {
		wr_wipe(op->dst, op->len);
		op->status = -EBADMSG;
		return false;
	}
	op->status = 0;
	return true;
}

static bool
generic_probe(void)
{
	return true;
}

static int
generic_init(struct wr_aead_ctx *ctx)
{
	ctx->priv = NULL;
	return 0;
}

static void
generic_fini(struct wr_aead_ctx *ctx)
{
}

static unsigned int
generic_seal(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		wr_aead_generic_seal_one(&ops[i]);
	return n;
}

static unsigned int
generic_open(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n)
{
	unsigned int i, ok = 0;

	for (i = 0; i < n; i++)
		ok += wr_aead_generic_open_one(&ops[i]);
	return ok;
}

const struct wr_aead_backend_ops wr_aead_backend_generic = {
	.name = "generic",
	.probe = generic_probe,
	.init = generic_init,
	.fini = generic_fini,
	.seal = generic_seal,
	.open = generic_open,
};
