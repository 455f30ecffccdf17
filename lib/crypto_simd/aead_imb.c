/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The intel-ipsec-mb batch backends (AVX2 and AVX-512 code paths of the same job manager): a burst
 * of ops becomes one burst of IMB_CIPHER_CHACHA20_POLY1305 jobs, submitted without the library's
 * per-job argument checks (the job fields we set are valid by construction; the op's buffers are
 * the caller's contract, as for every backend), then flushed, so every op is done when the call
 * returns. The library computes the tag on open; we compare it in constant time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>

#include "aead_backend.h"

#define IMB_IV_SIZE 12

_Static_assert(WR_AEAD_BURST_MAX <= IMB_MAX_BURST_SIZE, "a chunk must fit one library burst");

struct imb_state {
	IMB_MGR *mgr;
	IMB_JOB *jobs[WR_AEAD_BURST_MAX];
	/* Per op of the current chunk: the nonce, and the tag computed on open. */
	uint8_t iv[WR_AEAD_BURST_MAX][16] __attribute__((aligned(16)));
	uint8_t tag[WR_AEAD_BURST_MAX][WR_AEAD_TAG_SIZE] __attribute__((aligned(16)));
};

/* CHACHA20_POLY1305 jobs always read an AAD pointer; WireGuard's transport has no AAD. */
static const uint8_t no_aad[16];

static bool
cpu_has(uint64_t imb_flags)
{
	return (imb_get_feature_flags() & imb_flags) == imb_flags;
}

static bool
imb_avx2_probe(void)
{
	/* The library checks CPUID; GCC's builtin also checks that the OS saves the YMM state. */
	return cpu_has(IMB_CPUFLAGS_AVX2) && __builtin_cpu_supports("avx2");
}

static bool
imb_avx512_probe(void)
{
	return cpu_has(IMB_CPUFLAGS_AVX512) && __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
}

static int
imb_init(struct wr_aead_ctx *ctx, void (*init_arch)(IMB_MGR *))
{
	struct imb_state *st;

	st = aligned_alloc(64, (sizeof(*st) + 63) & ~(size_t)63);
	if (st == NULL)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	st->mgr = alloc_mb_mgr(0);
	if (st->mgr == NULL)
		goto err_mgr;
	init_arch(st->mgr);
	if (imb_get_errno(st->mgr) != 0)
		goto err_arch;
	ctx->priv = st;
	return 0;

err_arch:
	free_mb_mgr(st->mgr);
	free(st);
	return -ENOTSUP;
err_mgr:
	free(st);
	return -ENOMEM;
}

static int
imb_avx2_init(struct wr_aead_ctx *ctx)
{
	return imb_init(ctx, init_mb_mgr_avx2);
}

static int
imb_avx512_init(struct wr_aead_ctx *ctx)
{
	return imb_init(ctx, init_mb_mgr_avx512);
}

static void
imb_fini(struct wr_aead_ctx *ctx)
{
	struct imb_state *st = ctx->priv;

	/* The manager's lanes held key pointers and keystream-derived state. */
	wr_wipe(st->mgr, imb_get_mb_mgr_size());
	free_mb_mgr(st->mgr);
	wr_wipe(st, sizeof(*st));
	free(st);
}

static inline void
fill_job(IMB_JOB *job, struct wr_aead_op *op, const uint8_t *iv, uint8_t *tag, bool seal)
{
	job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
	job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
	if (seal) {
		job->cipher_direction = IMB_DIR_ENCRYPT;
		job->chain_order = IMB_ORDER_CIPHER_HASH;
	} else {
		job->cipher_direction = IMB_DIR_DECRYPT;
		job->chain_order = IMB_ORDER_HASH_CIPHER;
	}
	job->enc_keys = op->key;
	job->dec_keys = op->key;
	job->key_len_in_bytes = IMB_KEY_256_BYTES;
	job->src = op->src;
	job->dst = op->dst;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = op->len;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = op->len;
	job->iv = iv;
	job->iv_len_in_bytes = IMB_IV_SIZE;
	job->auth_tag_output = tag;
	job->auth_tag_output_len_in_bytes = WR_AEAD_TAG_SIZE;
	job->u.CHACHA20_POLY1305.aad = no_aad;
	job->u.CHACHA20_POLY1305.aad_len_in_bytes = 0;
	job->user_data = op;
}

/*
 * Runs n (<= WR_AEAD_BURST_MAX) filled jobs to completion. Returns the number of jobs in
 * st->jobs[], which then lists the completed jobs (in submission order).
 */
static unsigned int
run_jobs(struct imb_state *st, unsigned int n)
{
	unsigned int done, f;

	done = IMB_SUBMIT_BURST_NOCHECK(st->mgr, n, st->jobs);
	/* Multi-buffer lanes hold jobs back until they fill; nothing may outlive this call. */
	while (done < n) {
		f = IMB_FLUSH_BURST(st->mgr, n - done, st->jobs + done);
		if (f == 0)
			break;
		done += f;
	}
	return done;
}

static inline bool
tag_equal(const uint8_t a[WR_AEAD_TAG_SIZE], const uint8_t b[WR_AEAD_TAG_SIZE])
{
	uint64_t a0, a1, b0, b1;

	/* Constant time: one fold of both halves, no early exit. */
	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

static void
imb_seal(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n)
{
	struct imb_state *st = ctx->priv;
	unsigned int i, queued, done;

	/* The queue is empty between calls (we flush), so the whole chunk fits. */
	queued = IMB_GET_NEXT_BURST(st->mgr, n, st->jobs);
	for (i = 0; i < queued; i++) {
		wr_aead_nonce(st->iv[i], ops[i].counter);
		fill_job(st->jobs[i], &ops[i], st->iv[i], ops[i].tag, true);
		ops[i].status = 0;
	}
	done = run_jobs(st, queued);
	for (i = 0; i < done; i++)
		if (st->jobs[i]->status != IMB_STATUS_COMPLETED)
			wr_aead_generic_seal_one(st->jobs[i]->user_data);
	/* Never expected: whatever the manager could not take, libsodium does. */
	for (i = queued; i < n; i++)
		wr_aead_generic_seal_one(&ops[i]);
}

static unsigned int
imb_open(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n)
{
	struct imb_state *st = ctx->priv;
	unsigned int i, queued, done, ok = 0;

	queued = IMB_GET_NEXT_BURST(st->mgr, n, st->jobs);
	for (i = 0; i < queued; i++) {
		wr_aead_nonce(st->iv[i], ops[i].counter);
		fill_job(st->jobs[i], &ops[i], st->iv[i], st->tag[i], false);
	}
	done = run_jobs(st, queued);
	for (i = 0; i < done; i++) {
		IMB_JOB *job = st->jobs[i];
		struct wr_aead_op *op = job->user_data;

		/* auth_tag_output is the tag the library computed, in st->tag[]. */
		if (job->status == IMB_STATUS_COMPLETED &&
			tag_equal(job->auth_tag_output, op->tag)) {
			op->status = 0;
			ok++;
		} else {
			/* Never hand out plaintext that did not authenticate. */
			wr_wipe(op->dst, op->len);
			op->status = -EBADMSG;
		}
	}
	for (i = queued; i < n; i++)
		ok += wr_aead_generic_open_one(&ops[i]);
	return ok;
}

const struct wr_aead_backend_ops wr_aead_backend_imb_avx2 = {
	.name = "imb-avx2",
	.probe = imb_avx2_probe,
	.init = imb_avx2_init,
	.fini = imb_fini,
	.seal = imb_seal,
	.open = imb_open,
};

const struct wr_aead_backend_ops wr_aead_backend_imb_avx512 = {
	.name = "imb-avx512",
	.probe = imb_avx512_probe,
	.init = imb_avx512_init,
	.fini = imb_fini,
	.seal = imb_seal,
	.open = imb_open,
};
