/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The batched AEAD's front: backend selection (CPU features, API, WR_AEAD_BACKEND), contexts, and
 * chunking of bursts longer than WR_AEAD_BURST_MAX. The work itself is in the backends.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aead_backend.h"

/* Indexed by enum wr_aead_backend; a new backend is one more line here. */
static const struct wr_aead_backend_ops *const backends[WR_AEAD_BACKEND_COUNT] = {
	[WR_AEAD_GENERIC] = &wr_aead_backend_generic,
	[WR_AEAD_IMB_AVX2] = &wr_aead_backend_imb_avx2,
	[WR_AEAD_IMB_AVX512] = &wr_aead_backend_imb_avx512,
};

/* What WR_AEAD_AUTO picks, best first. */
static const enum wr_aead_backend preference[] = {
	WR_AEAD_IMB_AVX512,
	WR_AEAD_IMB_AVX2,
	WR_AEAD_GENERIC,
};

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static bool supported[WR_AEAD_BACKEND_COUNT];

static void
probe_all(void)
{
	unsigned int b;

	for (b = 0; b < WR_AEAD_BACKEND_COUNT; b++)
		supported[b] = backends[b] != NULL && backends[b]->probe();
}

const char *
wr_aead_backend_name(enum wr_aead_backend b)
{
	if (b == WR_AEAD_AUTO)
		return "auto";
	if ((unsigned int)b >= WR_AEAD_BACKEND_COUNT || backends[b] == NULL)
		return "unknown";
	return backends[b]->name;
}

int
wr_aead_backend_parse(const char *name)
{
	unsigned int b;

	if (name == NULL)
		return -EINVAL;
	if (strcmp(name, "auto") == 0)
		return WR_AEAD_AUTO;
	for (b = 0; b < WR_AEAD_BACKEND_COUNT; b++)
		if (backends[b] != NULL && strcmp(name, backends[b]->name) == 0)
			return (int)b;
	return -EINVAL;
}

bool
wr_aead_backend_supported(enum wr_aead_backend b)
{
	if ((unsigned int)b >= WR_AEAD_BACKEND_COUNT || b == WR_AEAD_AUTO)
		return false;
	pthread_once(&probe_once, probe_all);
	return supported[b];
}

enum wr_aead_backend
wr_aead_backend_default(void)
{
	const char *env = getenv("WR_AEAD_BACKEND");
	unsigned int i;
	int b;

	if (env != NULL && *env != '\0') {
		b = wr_aead_backend_parse(env);
		if (b > WR_AEAD_AUTO && wr_aead_backend_supported((enum wr_aead_backend)b))
			return (enum wr_aead_backend)b;
		/* A typo must not silently cost the speed the operator asked for. */
		if (b != WR_AEAD_AUTO)
			fprintf(stderr, "wirerate: WR_AEAD_BACKEND=%s is %s here, using the best\n",
				env, b < 0 ? "unknown" : "not supported");
	}
	for (i = 0; i < sizeof(preference) / sizeof(preference[0]); i++)
		if (wr_aead_backend_supported(preference[i]))
			return preference[i];
	return WR_AEAD_GENERIC;
}

struct wr_aead_ctx *
wr_aead_ctx_create(enum wr_aead_backend b)
{
	struct wr_aead_ctx *ctx;
	int ret;

	if (b == WR_AEAD_AUTO)
		b = wr_aead_backend_default();
	if (!wr_aead_backend_supported(b)) {
		errno = ENOTSUP;
		return NULL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	ctx->ops = backends[b];
	ctx->backend = b;
	ret = ctx->ops->init(ctx);
	if (ret < 0)
		goto err_init;
	return ctx;

err_init:
	free(ctx);
	errno = -ret;
	return NULL;
}

void
wr_aead_ctx_free(struct wr_aead_ctx *ctx)
{
	if (ctx == NULL)
		return;
	ctx->ops->fini(ctx);
	free(ctx);
}

enum wr_aead_backend
wr_aead_ctx_backend(const struct wr_aead_ctx *ctx)
{
	return ctx->backend;
}

unsigned int
wr_aead_seal_burst(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n)
{
	unsigned int done, chunk, sealed = 0;

	for (done = 0; done < n; done += chunk) {
		chunk = n - done < WR_AEAD_BURST_MAX ? n - done : WR_AEAD_BURST_MAX;
		sealed += ctx->ops->seal(ctx, ops + done, chunk);
	}
	return sealed;
}

unsigned int
wr_aead_open_burst(struct wr_aead_ctx *ctx, struct wr_aead_op *ops, unsigned int n)
{
	unsigned int done, chunk, ok = 0;

	for (done = 0; done < n; done += chunk) {
		chunk = n - done < WR_AEAD_BURST_MAX ? n - done : WR_AEAD_BURST_MAX;
		ok += ctx->ops->open(ctx, ops + done, chunk);
	}
	return ok;
}
