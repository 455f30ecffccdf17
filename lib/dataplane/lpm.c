/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building the rte_lpm/rte_lpm6 tables: size them from the prefixes (rules, and the tbl8 groups
 * the longer prefixes need), then add every prefix. Keeping them up to date: the difference
 * between two sorted sets, applied with rte_lpm_add/rte_lpm_delete to a table no reader sees,
 * and the two tables of a wr_lpm_pub taking turns.
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
/* Room a long-lived table gets beyond what its first set needs (rules are cheap, tbl8 groups
 * 1 KiB each); running out of it costs one whole build, sized from the set then. */
#define LPM_ROOM_MIN 64
/* Tables smaller than this are updated one prefix at a time whatever the change */
#define LPM_CLEAR_MIN 4096

static int
cmp_prefix(const void *a, const void *b)
{
	const struct wr_lpm_prefix *x = a, *y = b;
	int c = (int)x->family - (int)y->family;

	if (c == 0)
		c = memcmp(x->addr, y->addr, 16);
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

struct seq_prefix {
	struct wr_lpm_prefix p;
	size_t seq;
};

static int
cmp_seq(const void *a, const void *b)
{
	const struct seq_prefix *x = a, *y = b;
	int c = cmp_prefix(&x->p, &y->p);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The @p n prefixes at @p p as a table holds them: checked, host bits cleared, sorted, each
 * prefix once with the value of its last occurrence. Returns 0 and the set in *@p out (free()),
 * its size in *@p n_out, or -EINVAL, -ERANGE, -ENOMEM.
 */
static int
normalise(const struct wr_lpm_prefix *p, size_t n, struct wr_lpm_prefix **out, size_t *n_out)
{
	struct seq_prefix *s;
	struct wr_lpm_prefix *set;
	size_t i, k = 0;

	*out = NULL;
	*n_out = 0;
	for (i = 0; i < n; i++) {
		if (!(p[i].family == AF_INET && p[i].cidr <= 32) &&
			!(p[i].family == AF_INET6 && p[i].cidr <= 128))
			return -EINVAL;
		if (p[i].value > WR_LPM_VALUE_MAX)
			return -ERANGE;
	}
	s = calloc(n + 1, sizeof(*s));
	set = calloc(n + 1, sizeof(*set));
	if (s == NULL || set == NULL) {
		free(s);
		free(set);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		s[i].p = p[i];
		s[i].seq = i;
		if (p[i].family == AF_INET)
			memset(s[i].p.addr + 4, 0, 12);
		mask(&s[i].p);
	}
	qsort(s, n, sizeof(*s), cmp_seq);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && cmp_prefix(&s[i].p, &s[i + 1].p) == 0)
			continue; /* a later occurrence follows: it wins */
		set[k++] = s[i].p;
	}
	free(s);
	*out = set;
	*n_out = k;
	return 0;
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

/* The slice of the sorted @p set of @p family, at *@p first, its length returned. */
static size_t
family_slice(const struct wr_lpm_prefix *set, size_t n, int family, size_t *first)
{
	size_t i = 0, k;

	while (i < n && set[i].family != family)
		i++;
	for (k = i; k < n && set[k].family == family;)
		k++;
	*first = i;
	return k - i;
}

static uint32_t
room(uint64_t need, bool roomy, uint32_t max)
{
	if (roomy)
		need += need / 4 + LPM_ROOM_MIN;
	return need > max ? max : (uint32_t)need;
}

/* Create @p lpm's rte table of @p family, sized for the prefixes of the sorted @p set. */
static int
create_family(struct wr_lpm *lpm, int family, const struct wr_lpm_prefix *set, size_t n)
{
	char name[RTE_LPM_NAMESIZE];
	size_t first, nf = family_slice(set, n, family, &first), deep = 0, i;
	uint32_t tbl8;

	for (i = first; i < first + nf; i++)
		deep += set[i].cidr > 0;
	if (deep == 0)
		deep = 1;
	if (family == AF_INET) {
		struct rte_lpm_config c = {
			.max_rules = room(deep, lpm->roomy, UINT32_MAX / 2),
		};

		tbl8 = count_tbl8(set + first, nf, 4) + LPM_TBL8_SPARE;
		c.number_tbl8s = room(tbl8, lpm->roomy, RTE_LPM_MAX_TBL8_NUM_GROUPS);
		snprintf(name, sizeof(name), "wr_lpm4_%u", next_id());
		lpm->v4 = rte_lpm_create(name, lpm->socket, &c);
		if (lpm->v4 == NULL)
			return rte_errno > 0 ? -rte_errno : -ENOMEM;
	} else {
		struct rte_lpm6_config c = {
			.max_rules = room(deep, lpm->roomy, UINT32_MAX / 2),
		};

		tbl8 = count_tbl8(set + first, nf, 16) + LPM_TBL8_SPARE;
		c.number_tbl8s = room(tbl8, lpm->roomy, 1u << 21);
		snprintf(name, sizeof(name), "wr_lpm6_%u", next_id());
		lpm->v6 = rte_lpm6_create(name, lpm->socket, &c);
		if (lpm->v6 == NULL)
			return rte_errno > 0 ? -rte_errno : -ENOMEM;
	}
	return 0;
}

/* Add or change one prefix of @p lpm, @p set (of @p n) the table's new contents. */
/* rte_lpm/rte_lpm6 take depths 1..32/128: a /0 is the family's default beside them */
static int
add_one(struct wr_lpm *lpm, const struct wr_lpm_prefix *p, const struct wr_lpm_prefix *set,
	size_t n)
{
	uint32_t a;
	int ret;

	if (p->cidr == 0) {
		*(p->family == AF_INET ? &lpm->has_default4 : &lpm->has_default6) = true;
		*(p->family == AF_INET ? &lpm->default4 : &lpm->default6) = p->value;
		return 0;
	}
	if (p->family == AF_INET) {
		if (lpm->v4 == NULL && (ret = create_family(lpm, AF_INET, set, n)) < 0)
			return ret;
		memcpy(&a, p->addr, 4);
		return rte_lpm_add(lpm->v4, rte_be_to_cpu_32(a), p->cidr, p->value);
	}
	if (lpm->v6 == NULL && (ret = create_family(lpm, AF_INET6, set, n)) < 0)
		return ret;
	return rte_lpm6_add(lpm->v6, p->addr, p->cidr, p->value);
}

static int
delete_one(struct wr_lpm *lpm, const struct wr_lpm_prefix *p)
{
	uint32_t a;

	if (p->cidr == 0) {
		*(p->family == AF_INET ? &lpm->has_default4 : &lpm->has_default6) = false;
		*(p->family == AF_INET ? &lpm->default4 : &lpm->default6) = 0;
		return 0;
	}
	if (p->family == AF_INET) {
		if (lpm->v4 == NULL)
			return -ENOENT;
		memcpy(&a, p->addr, 4);
		return rte_lpm_delete(lpm->v4, rte_be_to_cpu_32(a), p->cidr);
	}
	return lpm->v6 == NULL ? -ENOENT : rte_lpm6_delete(lpm->v6, p->addr, p->cidr);
}

static void
set_contents(struct wr_lpm *lpm, struct wr_lpm_prefix *set, size_t n)
{
	size_t first;

	free(lpm->set);
	lpm->set = set;
	lpm->n_set = n;
	lpm->count4 = family_slice(set, n, AF_INET, &first);
	lpm->count6 = family_slice(set, n, AF_INET6, &first);
}

/* The prefixes of the sorted @p old (of @p n_old) that the sorted @p set does not hold. */
static size_t
count_gone(const struct wr_lpm_prefix *old, size_t n_old, const struct wr_lpm_prefix *set, size_t n)
{
	size_t i = 0, j = 0, gone = 0;

	while (i < n_old) {
		int c = j < n ? cmp_prefix(&old[i], &set[j]) : -1;

		gone += c < 0;
		i += c <= 0;
		j += c >= 0;
	}
	return gone;
}

/*
 * Bring @p lpm from its contents to the sorted, distinct @p set: deletions first (they free the
 * rules and tbl8 groups the additions may need), then additions and changed values (rte_lpm_add
 * of a present prefix replaces its value). When most of the table goes, emptying it (a memset
 * of the tbl24s) costs less than deleting one by one: rte_lpm finds a rule by a linear search
 * among those of its depth. Takes @p set on success.
 */
static int
apply(struct wr_lpm *lpm, struct wr_lpm_prefix *set, size_t n)
{
	const struct wr_lpm_prefix *old = lpm->set;
	size_t i = 0, j = 0, n_old = lpm->n_set;
	int ret;

	if (n_old > LPM_CLEAR_MIN && count_gone(old, n_old, set, n) > n_old / 2) {
		if (lpm->v4 != NULL)
			rte_lpm_delete_all(lpm->v4);
		if (lpm->v6 != NULL)
			rte_lpm6_delete_all(lpm->v6);
		lpm->has_default4 = lpm->has_default6 = false;
		lpm->default4 = lpm->default6 = 0;
		n_old = 0;
	}
	while (i < n_old) {
		int c = j < n ? cmp_prefix(&old[i], &set[j]) : -1;

		if (c < 0 && (ret = delete_one(lpm, &old[i])) < 0)
			return ret;
		i += c <= 0;
		j += c >= 0;
	}
	for (i = 0, j = 0; j < n;) {
		int c = i < n_old ? cmp_prefix(&old[i], &set[j]) : 1;

		if (c > 0 || (c == 0 && old[i].value != set[j].value)) {
			ret = add_one(lpm, &set[j], set, n);
			if (ret < 0)
				return ret;
		}
		i += c <= 0;
		j += c >= 0;
	}
	set_contents(lpm, set, n);
	return 0;
}

/* A table holding the sorted, distinct @p set (taken on success). */
static int
build_set(struct wr_lpm_prefix *set, size_t n, int socket, bool roomy, struct wr_lpm **out)
{
	struct wr_lpm *lpm = calloc(1, sizeof(*lpm));
	size_t i;
	int ret = 0;

	*out = NULL;
	if (lpm == NULL)
		return -ENOMEM;
	lpm->socket = socket;
	lpm->roomy = roomy;
	/* the rte tables come with their family's first prefix longer than /0 (add_one()) */
	for (i = 0; i < n && ret == 0; i++)
		ret = add_one(lpm, &set[i], set, n);
	if (ret < 0) {
		wr_lpm_free(lpm);
		return ret;
	}
	set_contents(lpm, set, n);
	*out = lpm;
	return 0;
}

int
wr_lpm_build(const struct wr_lpm_prefix *p, size_t n, int socket, struct wr_lpm **out)
{
	struct wr_lpm_prefix *set;
	size_t k;
	int ret;

	*out = NULL;
	ret = normalise(p, n, &set, &k);
	if (ret == 0) {
		ret = build_set(set, k, socket, false, out);
		if (ret < 0)
			free(set);
	}
	return ret;
}

int
wr_lpm_update(struct wr_lpm *lpm, const struct wr_lpm_prefix *p, size_t n)
{
	struct wr_lpm_prefix *set;
	size_t k;
	int ret;

	ret = normalise(p, n, &set, &k);
	if (ret == 0) {
		ret = apply(lpm, set, k);
		if (ret < 0)
			free(set);
	}
	return ret;
}

void
wr_lpm_free(struct wr_lpm *lpm)
{
	if (lpm == NULL)
		return;
	rte_lpm_free(lpm->v4);
	rte_lpm6_free(lpm->v6);
	free(lpm->set);
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

/* ---- two tables taking turns ---- */

void
wr_lpm_pub_init(struct wr_lpm_pub *pub, struct wr_lpm **slot, struct rte_rcu_qsbr *rcu, int socket)
{
	memset(pub, 0, sizeof(*pub));
	pub->slot = slot;
	pub->rcu = rcu;
	pub->socket = socket;
}

static struct wr_lpm_prefix *
copy_set(const struct wr_lpm_prefix *set, size_t n)
{
	struct wr_lpm_prefix *c = malloc((n + 1) * sizeof(*c));

	if (c != NULL && n > 0)
		memcpy(c, set, n * sizeof(*c));
	return c;
}

/*
 * Bring the free standby to @p set (taken on success): by the difference, or, when it has no
 * room (or none exists), by building a new one sized from the set. The standby is NULL after a
 * failure.
 */
static int
standby_to(struct wr_lpm_pub *pub, struct wr_lpm_prefix *set, size_t n)
{
	int ret;

	if (pub->standby != NULL) {
		ret = apply(pub->standby, set, n);
		if (ret == 0)
			return 0;
		/* -ENOSPC, or a library refusal: its contents are undefined now, and no reader
		 * sees it: start over */
		wr_lpm_free(pub->standby);
		pub->standby = NULL;
	}
	ret = build_set(set, n, pub->socket, true, &pub->standby);
	if (ret == 0)
		pub->n_builds++;
	return ret;
}

/* Whether the sorted, distinct @p set of @p n is what @p lpm holds. */
static bool
holds(const struct wr_lpm *lpm, const struct wr_lpm_prefix *set, size_t n)
{
	size_t i;

	if (lpm->n_set != n)
		return false;
	for (i = 0; i < n; i++)
		if (cmp_prefix(&lpm->set[i], &set[i]) != 0 || lpm->set[i].value != set[i].value)
			return false;
	return true;
}

static int
publish_wanted(struct wr_lpm_pub *pub)
{
	struct wr_lpm *active = *pub->slot;
	int ret;

	/* a write that left the prefixes alone (an endpoint, a keepalive): nothing to publish */
	if (active != NULL && holds(active, pub->wanted, pub->n_wanted)) {
		pub->n_unchanged++;
		wr_lpm_pub_cancel(pub);
		return 1;
	}
	ret = standby_to(pub, pub->wanted, pub->n_wanted);
	if (ret < 0) {
		wr_lpm_pub_cancel(pub);
		return ret;
	}
	/* the standby took the set */
	pub->wanted = NULL;
	pub->n_wanted = 0;
	if (active != NULL)
		pub->n_updates++;
	__atomic_store_n(pub->slot, pub->standby, __ATOMIC_RELEASE);
	pub->standby = active;
	pub->standby_stale = true;
	if (active != NULL) {
		pub->token = rte_rcu_qsbr_start(pub->rcu);
		pub->standby_busy = true;
	}
	return 1;
}

/* Bring the free standby up to the active table, so that the next change is only its own. */
static void
catch_up(struct wr_lpm_pub *pub)
{
	const struct wr_lpm *active = *pub->slot;
	struct wr_lpm_prefix *set = copy_set(active->set, active->n_set);

	if (set == NULL || standby_to(pub, set, active->n_set) < 0) {
		free(set);
		pub->standby_failed = true;
		return;
	}
	pub->standby_stale = false;
	pub->n_catchups++;
}

int
wr_lpm_pub_poll(struct wr_lpm_pub *pub)
{
	int ret = 0;

	if (pub->standby_busy) {
		if (rte_rcu_qsbr_check(pub->rcu, pub->token, false) != 1)
			return 0;
		pub->standby_busy = false;
	}
	if (pub->wanted != NULL)
		ret = publish_wanted(pub);
	if (!pub->standby_busy && pub->standby_stale && !pub->standby_failed && *pub->slot != NULL)
		catch_up(pub);
	return ret;
}

int
wr_lpm_pub_set(struct wr_lpm_pub *pub, const struct wr_lpm_prefix *p, size_t n)
{
	struct wr_lpm_prefix *set;
	size_t k;
	int ret;

	ret = normalise(p, n, &set, &k);
	if (ret < 0)
		return ret;
	free(pub->wanted);
	pub->wanted = set;
	pub->n_wanted = k;
	pub->standby_failed = false;
	return wr_lpm_pub_poll(pub);
}

void
wr_lpm_pub_cancel(struct wr_lpm_pub *pub)
{
	free(pub->wanted);
	pub->wanted = NULL;
	pub->n_wanted = 0;
}

void
wr_lpm_pub_fini(struct wr_lpm_pub *pub)
{
	if (pub->slot != NULL) {
		wr_lpm_free(*pub->slot);
		*pub->slot = NULL;
	}
	wr_lpm_free(pub->standby);
	free(pub->wanted);
	memset(pub, 0, sizeof(*pub));
}
