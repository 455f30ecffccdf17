/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What test_uapi.c (get, set semantics, invalid and damaged input, allowed_ip=-PREFIX) and
 * test_uapi_limits.c (the peer limit, setconf/syncconf, fwmark, notices, server bounds) share
 * beyond uapi_harness.h: a set request from a format, and a peer's AllowedIPs as one string.
 */
#ifndef WR_UAPI_TEST_H
#define WR_UAPI_TEST_H

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi_harness.h"

struct aip_list {
	char s[512];
};

static inline int
aip_cat(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct aip_list *l = ctx;
	char a[64];

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(l->s + strlen(l->s), sizeof(l->s) - strlen(l->s), "%s%s/%u", l->s[0] ? " " : "", a,
		cidr);
	return 0;
}

static inline const char *
aips(struct wr_peer *p)
{
	static struct aip_list l;

	l.s[0] = '\0';
	if (p)
		wr_peer_foreach_allowedip(p, aip_cat, &l);
	return l.s;
}

static inline int
setf(struct host *h, const char *f, ...)
{
	va_list ap;
	char *s;
	int ret;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	ret = s ? call(h, s, NULL) : INT32_MIN;
	free(s);
	return ret;
}

#endif /* WR_UAPI_TEST_H */
