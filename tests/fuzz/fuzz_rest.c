/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the REST API's request handling (no HTTP: wr_rest_handle()). The input
 * is a method selector byte, a path up to the first newline, and a JSON body. Every request must
 * be answered, never crash, leak or read out of bounds, and a refused request (4xx) must change
 * nothing: the interface's peer list is compared before and after.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_device.h"
#include "wr_rest.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
peers(struct wr_rest *r, size_t *len)
{
	unsigned int status = 0;
	char *resp = NULL;

	if (wr_rest_handle(r, "GET", "/v1/interfaces/wg0/peers", NULL, 0, &status, &resp, len, 0) ||
		status != 200)
		abort();
	return resp;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "PUT", "POST", "PATCH", "DELETE", "HEAD" };
	struct wr_rest_config cfg = { 0 };
	char sock[64], path[256];
	struct wr_device *dev;
	struct wr_rest *r;
	const uint8_t *nl;
	char *before, *after, *resp = NULL;
	size_t blen, alen, rlen = 0, plen;
	unsigned int status = 0;
	const char *method;

	if (size < 1)
		return 0;
	method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	data++, size--;
	nl = memchr(data, '\n', size);
	plen = nl ? (size_t)(nl - data) : size;
	if (plen >= sizeof(path))
		return 0;
	memcpy(path, data, plen);
	path[plen] = '\0';
	if (strlen(path) != plen)
		return 0; /* an HTTP path never holds a NUL */
	data += nl ? plen + 1 : plen;
	size -= nl ? plen + 1 : plen;

	dev = fuzz_device_create();
	snprintf(sock, sizeof(sock), "/tmp/wr-fuzz-rest-%d.sock", (int)getpid());
	cfg.unix_path = sock;
	if (wr_rest_create(&r, &cfg, NULL, NULL) || wr_rest_add_interface(r, "wg0", dev, NULL, NULL))
		abort();

	before = peers(r, &blen);
	if (wr_rest_handle(r, method, path, (const char *)data, size, &status, &resp, &rlen, 0))
		abort();
	after = peers(r, &alen);
	/* bad input loses no state */
	if (status >= 400 && status < 500 && (alen != blen || memcmp(before, after, blen) != 0))
		abort();
	free(resp);
	free(before);
	free(after);
	wr_rest_destroy(r);
	wr_device_destroy(dev);
	return 0;
}
