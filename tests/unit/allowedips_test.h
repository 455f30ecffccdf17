/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the AllowedIPs tests share (test_allowedips.c: the table-driven cases;
 * test_allowedips_random.c: the comparison with a naive reference): peers named 'a'..'h', and a
 * walk visitor that collects what it is shown. Header-only; it brings wr_test.h's counters.
 */
#ifndef ALLOWEDIPS_TEST_H
#define ALLOWEDIPS_TEST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wr_allowedips.h"

#include "wr_test.h"

/* peers are the addresses of these bytes, named 'a'..'h' in the table */
static char peers[8];
#define P(ch) ((void *)&peers[(ch) - 'a'])

/* 'a'..'h' for one of the peers, '-' for none, '?' for another pointer. */
static inline char
peer_name(void *p)
{
	if (!p)
		return '-';
	if ((char *)p >= peers && (char *)p < peers + sizeof(peers))
		return (char)('a' + ((char *)p - peers));
	return '?';
}

/* A prefix as a walk shows it (bits past cidr zero), with its peer. */
struct seen {
	int family;
	uint8_t addr[16];
	uint8_t cidr;
	void *peer;
};

struct seen_list {
	struct seen *v;
	size_t n, cap;
	int stop_after; /* >0: return 7 after this many */
};

/* A walk visitor appending to the struct seen_list @p ctx. */
static inline int
collect(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer)
{
	struct seen_list *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n].family = family;
	memset(l->v[l->n].addr, 0, 16);
	memcpy(l->v[l->n].addr, addr, family == AF_INET ? 4 : 16);
	l->v[l->n].cidr = cidr;
	l->v[l->n].peer = peer;
	l->n++;
	if (l->stop_after && l->n == (size_t)l->stop_after)
		return 7;
	return 0;
}

#endif /* ALLOWEDIPS_TEST_H */
