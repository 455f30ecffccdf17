/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The intel-ipsec-mb batch backends (AVX2 and AVX-512 code paths of the same job manager): a burst
 * of ops becomes one burst of IMB_CIPHER_CHACHA20_POLY1305 jobs, submitted without the library's
 * per-job argument checks (the job fields we set are valid by construction; the op's buffers are
 * the caller's contract, as for every backend), then flushed, so every op is done when the call
 * returns. The library computes the tag on open; we compare it in constant time.
 *
 * Fail closed: an op's status says success only for a job the manager handed back completed (on
 * open, with a matching tag). An op the manager did not hand back completed goes to libsodium
 * (which checks the tag itself on open) where its input is intact, and otherwise fails; and the
 * manager never keeps a job past the call (it is reset if it would), as its jobs point at the
 * caller's buffers.
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
	/* resets the manager, should it keep jobs it did not hand back */
	void (*init_arch)(IMB_MGR *);
	IMB_JOB *jobs[WR_AEAD_BURST_MAX];
	/* Per op of the current chunk: the nonce, and the tag computed on open. */
	uint8_t iv[WR_AEAD_BURST_MAX][16] __attribute__((aligned(16)));
	uint8_t tag[WR_AEAD_BURST_MAX][WR_AEAD_TAG_SIZE] __attribute__((aligned(16)));
};

/* CHACHA20_POLY1305 jobs always read an AAD pointer; WireGuard's transport has no AAD. */
static const uint8_t no_aad[16];

/*
 * wr_aead_imb_test_fault()'s: the jobs per burst the manager does not hand back, and whether it
 * ran them (else it never started them).
 */
static unsigned int fault_lost;
static bool fault_ran;

void
wr_aead_imb_test_fault(unsigned int lost, bool ran)
{
	__atomic_store_n(&fault_ran, ran, __ATOMIC_RELAXED);
	__atomic_store_n(&fault_lost, lost, __ATOMIC_RELAXED);
}

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
	st->init_arch = init_arch;
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
 * st->jobs[], which then lists the jobs the manager handed back (in submission order; each job's
 * own status says whether it completed). The manager holds no job afterwards.
 */
static unsigned int
run_jobs(struct imb_state *st, unsigned int n)
{
	unsigned int lost = __atomic_load_n(&fault_lost, __ATOMIC_RELAXED), take = n, done, f;
	bool ran = false;
	IMB_JOB *job;

	if (__builtin_expect(lost != 0, 0)) {
		lost = lost < n ? lost : n;
		ran = __atomic_load_n(&fault_ran, __ATOMIC_RELAXED);
		take = ran ? n : n - lost;
	}
	done = take > 0 ? IMB_SUBMIT_BURST_NOCHECK(st->mgr, take, st->jobs) : 0;
	/* Multi-buffer lanes hold jobs back until they fill; nothing may outlive this call. */
	while (done < take) {
		f = IMB_FLUSH_BURST(st->mgr, take - done, st->jobs + done);
		if (f == 0)
			break;
		done += f;
	}
	/* Never expected: the burst flush gave up early; the job flush may still get them out. */
	while (done < take && (job = IMB_FLUSH_JOB(st->mgr)) != NULL)
		st->jobs[done++] = job;
	if (__builtin_expect(ran, 0))
		done -= lost < done ? lost : done;
	/*
	 * A job still in the manager would write to the caller's buffers at some later call, long
	 * after its op was handed back: forget it. Resetting keeps the manager's memory. With all
	 * n handed back it holds none: it was empty before (this reset sees to that).
	 */
	if (__builtin_expect(done < n, 0))
		st->init_arch(st->mgr);
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

/*
 * A seal the manager did not complete. Its input is intact if the manager never had it, or if it
 * wrote elsewhere: libsodium seals it. In place, the manager may have encrypted part of it, and
 * sealing that again would send garbage as a good message, or the manager did nothing and it is
 * still plaintext: neither may leave, so the op fails with its output and tag zeroed.
 */
static unsigned int
seal_fallback(struct wr_aead_op *op, bool submitted)
{
	if (!submitted || op->src != op->dst) {
		wr_aead_generic_seal_one(op);
		return 1;
	}
	wr_wipe(op->dst, op->len);
	wr_wipe(op->tag, WR_AEAD_TAG_SIZE);
	op->status = -EIO;
	return 0;
}

static unsigned int
imb_seal(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n)
{
	struct imb_state *st = ctx->priv;
	unsigned int i, queued, done, sealed = 0;

	/* The queue is empty between calls (we flush), so the whole chunk fits. */
	queued = IMB_GET_NEXT_BURST(st->mgr, n, st->jobs);
	for (i = 0; i < queued; i++) {
		wr_aead_nonce(st->iv[i], ops[i].counter);
		fill_job(st->jobs[i], &ops[i], st->iv[i], ops[i].tag, true);
		/* Fail closed: only a completed job says 0. */
		ops[i].status = -EIO;
	}
	done = run_jobs(st, queued);
	for (i = 0; i < done; i++) {
		IMB_JOB *job = st->jobs[i];
		struct wr_aead_op *op = job->user_data;

		if (job->status == IMB_STATUS_COMPLETED) {
			op->status = 0;
			sealed++;
		}
	}
	if (__builtin_expect(sealed == n, 1))
		return n;
	/* Never expected: what the manager did not complete (still -EIO), or could not take. */
	for (i = 0; i < n; i++)
		if (i >= queued || ops[i].status != 0)
			sealed += seal_fallback(&ops[i], i < queued);
	return sealed;
}

static unsigned int
imb_open(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n)
{
	struct imb_state *st = ctx->priv;
	unsigned int i, queued, done, ok = 0, nanswered = 0;

	queued = IMB_GET_NEXT_BURST(st->mgr, n, st->jobs);
	for (i = 0; i < queued; i++) {
		wr_aead_nonce(st->iv[i], ops[i].counter);
		fill_job(st->jobs[i], &ops[i], st->iv[i], st->tag[i], false);
		/*
		 * Fail closed: only a completed job with a matching tag says 0; -EIO until the
		 * manager hands the job back, -EBADMSG when its tag does not match.
		 */
		ops[i].status = -EIO;
	}
	done = run_jobs(st, queued);
	for (i = 0; i < done; i++) {
		IMB_JOB *job = st->jobs[i];
		struct wr_aead_op *op = job->user_data;

		if (job->status != IMB_STATUS_COMPLETED)
			continue;
		nanswered++;
		/* auth_tag_output is the tag the library computed, in st->tag[]. */
		if (tag_equal(job->auth_tag_output, op->tag)) {
			op->status = 0;
			ok++;
		} else {
			/* Never hand out plaintext that did not authenticate. */
			op->status = -EBADMSG;
			wr_wipe(op->dst, op->len);
		}
	}
	if (__builtin_expect(nanswered == n, 1))
		return ok;
	/*
	 * Never expected: what the manager did not complete, or could not take, libsodium opens.
	 * It checks the tag over the input as it is now, so an input the manager changed in place
	 * fails (and is wiped), and it never hands out plaintext that did not authenticate.
	 */
	for (i = 0; i < n; i++)
		if (i >= queued || ops[i].status == -EIO)
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
