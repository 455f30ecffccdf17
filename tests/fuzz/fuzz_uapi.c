/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the wg userspace API: any bytes as a request to a device that already
 * has a private key and two peers. A request must be answered or refused, never crash, leak or
 * read out of bounds; a refused set must leave the device as it was (checked through a get
 * before and after).
 */
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wr_device *dev;
	struct wr_uapi *u;
	char *before, *after, *resp = NULL;
	size_t blen, alen, rlen = 0;

	dev = fuzz_device_create();
	u = wr_uapi_create(dev, NULL, NULL);
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
