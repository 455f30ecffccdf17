/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the wg userspace API: any bytes as a request to a device that already
 * has a private key and two peers. A request must be answered or refused, never crash, leak or
 * read out of bounds; a refused set must leave the device as it was (checked through a get
 * before and after); what the operator is told (ops->notice) never holds a key, nor any run of
 * 16 hex digits that could be part of one. Inputs worth starting from: "set=1\n", "public_key=",
 * "allowed_ip=-", "private_key=", "listen_port=0", "fwmark=" and a blank line.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_device.h"
#include "wr_uapi.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
get(struct wr_uapi *u, size_t *len)
{
	static const char req[] = "get=1\n\n";
	char *resp = NULL;

	if (wr_uapi_handle(u, req, sizeof(req) - 1, &resp, len, 0) != 0)
		abort();
	return resp;
}

static bool
set_refused(const char *resp, size_t len)
{
	static const char ok[] = "errno=0\n\n";

	return len < sizeof(ok) - 1 || memcmp(resp + len - (sizeof(ok) - 1), ok, sizeof(ok) - 1);
}

/* A notice repeats no value: no run of 16 hex digits (a key has 64) */
static void
check_notice(void *ctx, const char *msg)
{
	size_t run = 0;

	(void)ctx;
	for (; *msg; msg++) {
		run = isxdigit((unsigned char)*msg) ? run + 1 : 0;
		if (run >= 16)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct wr_uapi_ops ops = { .notice = check_notice };
	struct wr_device *dev;
	struct wr_uapi *u;
	char *before, *after, *resp = NULL;
	size_t blen, alen, rlen = 0;

	dev = fuzz_device_create();
	u = wr_uapi_create(dev, &ops, NULL);
	if (!u)
		abort();

	before = get(u, &blen);
	if (wr_uapi_handle(u, (const char *)data, size, &resp, &rlen, 0) == 0) {
		bool is_set = size >= 6 && memcmp(data, "set=1\n", 6) == 0;

		after = get(u, &alen);
		/* bad input loses no state: a refused set changes nothing */
		if (is_set && set_refused(resp, rlen) &&
			(alen != blen || memcmp(before, after, blen) != 0))
			abort();
		free(after);
		free(resp);
	}
	free(before);
	wr_uapi_destroy(u);
	wr_device_destroy(dev);
	return 0;
}
