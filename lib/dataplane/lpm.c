/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building the rte_lpm/rte_lpm6 tables: size them from the prefixes (rules, and the tbl8 groups
 * the longer prefixes need), then add every prefix.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "lpm.h"

/* Spare tbl8 groups on top of the count, for the groups the libraries take beyond it. */
#define LPM_TBL8_SPARE 16

static int
cmp_prefix(const void *a, const void *b)
{
	const struct wr_lpm_prefix *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, 16);

	return c != 0 ? c : (int)x->cidr - (int)y->cidr;
}

static void
mask(struct wr_lpm_prefix *p)
{
	unsigned int bytes = p->cidr / 8, bits = p->cidr % 8;

	if (bits != 0)
		p->addr[bytes++] &= (uint8_t)(0xff << (8 - bits));
	memset(p->addr + bytes, 0, 16 - bytes);
}

/* Distinct prefixes of a sorted, masked set of @p n. */
static size_t
count_distinct(const struct wr_lpm_prefix *p, size_t n)
{
	size_t i, d = 0;

	for (i = 0; i < n; i++)
		if (i == 0 || cmp_prefix(&p[i - 1], &p[i]) != 0)
			d++;
	return d;
}

/*
 * The tbl8 groups a set of prefixes of one family needs: after the first 3 bytes (tbl24), a
 * prefix of depth d needs one group per byte level L with 8L < d, shared by every prefix with
 * the same first L bytes. @p p is sorted by address, so those prefixes are adjacent.
 */
static uint32_t
count_tbl8(const struct wr_lpm_prefix *p, size_t n, unsigned int levels)
{
	uint32_t groups = 0;
	unsigned int l;

	for (l = 3; l < levels; l++) {
		const struct wr_lpm_prefix *last = NULL;
		size_t i;

		for (i = 0; i < n; i++) {
			if (p[i].cidr <= 8 * l)
				continue;
			if (last == NULL || memcmp(last->addr, p[i].addr, l) != 0)
				groups++;
			last = &p[i];
		}
	}
	return groups;
}

static unsigned int
next_id(void)
{
	static unsigned int id;

	return __atomic_fetch_add(&id, 1, __ATOMIC_RELAXED);
}

int
wr_lpm_build(const struct wr_lpm_prefix *p, size_t n, int socket, struct wr_lpm **out)
{
	struct wr_lpm_prefix *v4 = NULL, *v6 = NULL;
	size_t n4 = 0, n6 = 0, deep4 = 0, deep6 = 0, i;
	struct wr_lpm *lpm;
	char name[RTE_LPM_NAMESIZE];
	unsigned int id;
	int ret = -ENOMEM;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (p[i].family == AF_INET && p[i].cidr <= 32)
			n4++;
		else if (p[i].family == AF_INET6 && p[i].cidr <= 128)
			n6++;
		else
			return -EINVAL;
		if (p[i].value > WR_LPM_VALUE_MAX)
			return -ERANGE;
	}
	lpm = calloc(1, sizeof(*lpm));
	v4 = calloc(n4 + 1, sizeof(*v4));
	v6 = calloc(n6 + 1, sizeof(*v6));
	if (lpm == NULL || v4 == NULL || v6 == NULL)
		goto err_free;
	/* sorted, masked copies size the tables; the prefixes are added from p, in input order,
	 * so that a duplicate's last value wins */
	n4 = n6 = 0;
	for (i = 0; i < n; i++) {
		struct wr_lpm_prefix *x = p[i].family == AF_INET ? &v4[n4++] : &v6[n6++];

		*x = p[i];
		if (x->family == AF_INET)
			memset(x->addr + 4, 0, 12);
		mask(x);
		if (x->cidr > 0)
			*(x->family == AF_INET ? &deep4 : &deep6) += 1;
	}
	qsort(v4, n4, sizeof(*v4), cmp_prefix);
	qsort(v6, n6, sizeof(*v6), cmp_prefix);
	lpm->count4 = count_distinct(v4, n4);
	lpm->count6 = count_distinct(v6, n6);
	id = next_id();
	/* rte_lpm/rte_lpm6 take depths 1..32/128: a /0 is the family's default beside them */
	if (deep4 > 0) {
		struct rte_lpm_config c = {
			.max_rules = deep4,
			.number_tbl8s = count_tbl8(v4, n4, 4) + LPM_TBL8_SPARE,
		};

		snprintf(name, sizeof(name), "wr_lpm4_%u", id);
		lpm->v4 = rte_lpm_create(name, socket, &c);
		if (lpm->v4 == NULL)
			goto err_rte;
	}
	if (deep6 > 0) {
		struct rte_lpm6_config c = {
			.max_rules = deep6,
			.number_tbl8s = count_tbl8(v6, n6, 16) + LPM_TBL8_SPARE,
		};

		snprintf(name, sizeof(name), "wr_lpm6_%u", id);
		lpm->v6 = rte_lpm6_create(name, socket, &c);
		if (lpm->v6 == NULL)
			goto err_rte;
	}
	for (i = 0; i < n; i++) {
		uint32_t a;

		ret = 0;
		if (p[i].family == AF_INET && p[i].cidr == 0) {
			lpm->has_default4 = true;
			lpm->default4 = p[i].value;
		} else if (p[i].family == AF_INET6 && p[i].cidr == 0) {
			lpm->has_default6 = true;
			lpm->default6 = p[i].value;
		} else if (p[i].family == AF_INET) {
			memcpy(&a, p[i].addr, 4);
			ret = rte_lpm_add(lpm->v4, rte_be_to_cpu_32(a), p[i].cidr, p[i].value);
		} else {
			ret = rte_lpm6_add(lpm->v6, p[i].addr, p[i].cidr, p[i].value);
		}
		if (ret < 0)
			goto err_add;
	}
	free(v4);
	free(v6);
	*out = lpm;
	return 0;

err_rte:
	ret = rte_errno > 0 ? -rte_errno : -ENOMEM;
err_add:
	wr_lpm_free(lpm);
	lpm = NULL;
err_free:
	free(lpm);
	free(v4);
	free(v6);
	return ret;
}

void
wr_lpm_free(struct wr_lpm *lpm)
{
	if (lpm == NULL)
		return;
	rte_lpm_free(lpm->v4);
	rte_lpm6_free(lpm->v6);
	free(lpm);
}

struct collect {
	struct wr_lpm_prefix *p;
	size_t n;
	size_t cap;
	uint32_t (*value_of)(void *ctx, void *peer);
	void *ctx;
};

static int
collect_one(void *ctx, int family, const uint8_t *addr, uint8_t cidr, void *peer)
{
	struct collect *c = ctx;
	struct wr_lpm_prefix *x;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;

		x = realloc(c->p, cap * sizeof(*x));
		if (x == NULL)
			return -ENOMEM;
		c->p = x;
		c->cap = cap;
	}
	x = &c->p[c->n++];
	memset(x, 0, sizeof(*x));
	x->family = family;
	x->cidr = cidr;
	memcpy(x->addr, addr, family == AF_INET ? 4 : 16);
	x->value = c->value_of(c->ctx, peer);
	return 0;
}

int
wr_lpm_build_from_allowedips(const struct wr_allowedips *t,
	uint32_t (*value_of)(void *ctx, void *peer), void *ctx, int socket, struct wr_lpm **out)
{
	struct collect c = { .value_of = value_of, .ctx = ctx };
	int ret;

	*out = NULL;
	ret = wr_allowedips_walk(t, collect_one, &c);
	if (ret == 0)
		ret = wr_lpm_build(c.p, c.n, socket, out);
	free(c.p);
	return ret;
}
