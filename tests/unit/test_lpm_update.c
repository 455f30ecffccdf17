/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The incremental cryptokey routing tables (lib/dataplane/lpm.c: wr_lpm_update, struct
 * wr_lpm_pub): randomized sequences of prefix sets (additions, changed values, removals,
 * duplicates, /0) published one after the other, the active table checked after every
 * publication, and the standby after it caught up, against a brute-force longest match over the
 * wanted set, on random addresses and on every prefix's first and last address and their
 * neighbours outside; sets that outgrow a table (-ENOSPC: a whole build, sized larger); changes
 * coalesced while a reader holds the grace period; and a reader thread looking up while the
 * writer republishes, which must only ever see an answer of a generation published during its
 * lookup. WR_TEST_SEED=N repeats a run.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "lpm_test.h"

#define CLUSTERS 8

struct set {
	struct wr_lpm_prefix *p;
	size_t n, cap;
};

static void
set_push(struct set *s, const struct wr_lpm_prefix *x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->p = realloc(s->p, s->cap * sizeof(*s->p));
		if (s->p == NULL)
			abort();
	}
	s->p[s->n++] = *x;
}

static bool
matches(const struct wr_lpm_prefix *p, int family, const uint8_t *addr)
{
	unsigned int bytes = p->cidr / 8, bits = p->cidr % 8;

	if (p->family != family || memcmp(p->addr, addr, bytes) != 0)
		return false;
	return bits == 0 || ((p->addr[bytes] ^ addr[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

/* The reference: the longest matching prefix, the last one given among equals; -1 for none. */
static long
ref_lookup(const struct set *s, int family, const uint8_t *addr)
{
	long best = -1;
	int cidr = -1;
	size_t i;

	for (i = 0; i < s->n; i++)
		if ((int)s->p[i].cidr >= cidr && matches(&s->p[i], family, addr)) {
			cidr = s->p[i].cidr;
			best = (long)s->p[i].value;
		}
	return best;
}

static long
lpm_lookup(const struct wr_lpm *lpm, int family, const uint8_t *addr)
{
	uint32_t v;

	if (family == AF_INET)
		return wr_lpm_lookup4(lpm, addr, &v) ? (long)v : -1;
	return wr_lpm_lookup6(lpm, addr, &v) ? (long)v : -1;
}

/* @p addr (of @p bytes) plus @p delta (+1 or -1), wrapping */
static void
addr_step(uint8_t *addr, unsigned int bytes, int delta)
{
	int i;

	for (i = (int)bytes - 1; i >= 0; i--) {
		addr[i] = (uint8_t)(addr[i] + delta);
		if ((delta > 0 && addr[i] != 0) || (delta < 0 && addr[i] != 0xff))
			return;
	}
}

/* Addresses to look up for @p s: each prefix's first and last address and their outer
 * neighbours, and random ones near the clusters and anywhere. */
static size_t
probes(const struct set *s, const uint8_t bases[CLUSTERS][16], uint8_t (*out)[17], size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < s->n && k + 4 <= max; i++) {
		const struct wr_lpm_prefix *p = &s->p[i];
		unsigned int bytes = p->family == AF_INET ? 4 : 16, b;
		uint8_t last[16];

		memcpy(last, p->addr, 16);
		for (b = p->cidr; b < 8 * bytes; b++)
			last[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		memcpy(out[k], p->addr, 16);
		out[k][16] = p->family;
		memcpy(out[k + 1], out[k], 17);
		addr_step(out[k + 1], bytes, -1);
		memcpy(out[k + 2], last, 16);
		out[k + 2][16] = p->family;
		memcpy(out[k + 3], out[k + 2], 17);
		addr_step(out[k + 3], bytes, 1);
		k += 4;
	}
	while (k < max) {
		int family = k % 2 ? AF_INET : AF_INET6;
		unsigned int bits = family == AF_INET ? 32 : 128, keep, b;

		memset(out[k], 0, 17);
		if (k % 3 == 0) {
			random_bytes(out[k], bits / 8);
		} else {
			keep = (unsigned int)(rnd() % (bits + 1));
			memcpy(out[k], bases[rnd() % CLUSTERS], bits / 8);
			for (b = keep; b < bits; b++)
				if (rnd() & 1)
					out[k][b / 8] ^= (uint8_t)(0x80 >> (b % 8));
		}
		out[k][16] = (uint8_t)family;
		k++;
	}
	return k;
}

#define PROBES 6000
static uint8_t probe_buf[PROBES][17];

/* @p lpm agrees with the reference over @p s; @p what names it in failures. */
static void
agree(const struct wr_lpm *lpm, const struct set *s, const uint8_t bases[CLUSTERS][16],
	const char *what, unsigned int step)
{
	size_t n = probes(s, bases, probe_buf, PROBES), i;
	unsigned int bad = 0;

	if (lpm == NULL) {
		CHECK(false, "step %u: %s: no table", step, what);
		return;
	}
	for (i = 0; i < n; i++) {
		int family = probe_buf[i][16];
		long want = ref_lookup(s, family, probe_buf[i]);
		long got = lpm_lookup(lpm, family, probe_buf[i]);

		if (want == got) {
			checks++;
		} else if (bad++ < 5) {
			char str[INET6_ADDRSTRLEN];

			inet_ntop(family, probe_buf[i], str, sizeof(str));
			CHECK(false, "step %u: %s: %s -> %ld, want %ld", step, what, str, got,
				want);
		}
	}
	if (bad > 5) {
		failures += bad - 5;
		printf("FAIL step %u: %s: %u mismatches in all\n", step, what, bad);
	}
}

static struct wr_lpm_prefix
random_prefix(const uint8_t bases4[CLUSTERS][16], const uint8_t bases6[CLUSTERS][16])
{
	struct wr_lpm_prefix p = { 0 };
	unsigned int bits, keep, b;

	p.family = rnd() % 2 ? AF_INET : AF_INET6;
	bits = p.family == AF_INET ? 32 : 128;
	switch (rnd() % 8) {
	case 0:
		p.cidr = (uint8_t)(rnd() % 4 == 0 ? 0 : rnd() % (bits + 1));
		break;
	case 1:
	case 2:
	case 3:
		p.cidr = (uint8_t)(bits - rnd() % 9); /* hosts and near */
		break;
	default:
		p.cidr = (uint8_t)(rnd() % (bits + 1));
	}
	keep = (unsigned int)(rnd() % (bits + 1));
	memcpy(p.addr, (p.family == AF_INET ? bases4 : bases6)[rnd() % CLUSTERS], 16);
	for (b = keep; b < bits; b++)
		if (rnd() & 1)
			p.addr[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
	if (p.family == AF_INET)
		memset(p.addr + 4, 0, 12);
	/* unmasked host bits on purpose: the tables ignore them, as the reference does */
	p.value = rnd() % 16 == 0 ? WR_LPM_VALUE_MAX : (uint32_t)(rnd() % 1000);
	return p;
}

/* The next wanted set: some removed, some values changed, some added, a duplicate or two. */
static void
mutate(struct set *s, const uint8_t bases4[CLUSTERS][16], const uint8_t bases6[CLUSTERS][16])
{
	size_t i = 0, add = (size_t)(rnd() % 200), mode = rnd() % 4;

	while (i < s->n) {
		uint64_t r = rnd() % 100;

		if ((mode == 0 && r < 50) || (mode != 0 && r < 5)) {
			s->p[i] = s->p[--s->n];
		} else {
			if (r < 10)
				s->p[i].value = (uint32_t)(rnd() % 1000);
			i++;
		}
	}
	if (mode == 1)
		s->n = 0; /* everything replaced */
	while (add-- > 0) {
		struct wr_lpm_prefix p = random_prefix(bases4, bases6);

		set_push(s, &p);
		if (rnd() % 50 == 0) {
			p.value =
				(uint32_t)(rnd() % 1000); /* the same prefix again: the last wins */
			set_push(s, &p);
		}
	}
}

static struct rte_rcu_qsbr *
rcu_new(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(2);
	struct rte_rcu_qsbr *rcu = rte_zmalloc("test_rcu", sz, RTE_CACHE_LINE_SIZE);

	if (rcu == NULL || rte_rcu_qsbr_init(rcu, 2) != 0)
		abort();
	return rcu;
}

static void
new_bases(uint8_t bases4[CLUSTERS][16], uint8_t bases6[CLUSTERS][16])
{
	unsigned int c;

	for (c = 0; c < CLUSTERS; c++) {
		memset(bases4[c], 0, 16);
		random_bytes(bases4[c], 4);
		random_bytes(bases6[c], 16);
	}
}

#define STEPS 30

static void
test_incremental(void)
{
	uint8_t bases4[CLUSTERS][16], bases6[CLUSTERS][16];
	struct rte_rcu_qsbr *rcu = rcu_new();
	struct wr_lpm *slot = NULL, *plain = NULL;
	struct wr_lpm_pub pub;
	struct set s = { 0 };
	unsigned int step;
	int ret;

	new_bases(bases4, bases6);
	wr_lpm_pub_init(&pub, &slot, rcu, SOCKET_ID_ANY);
	/* bad input changes nothing */
	{
		struct wr_lpm_prefix bad = pfx("192.0.2.0/24", 1);

		bad.cidr = 33;
		CHECK(wr_lpm_pub_set(&pub, &bad, 1) == -EINVAL && slot == NULL, "pub: cidr 33");
		bad.cidr = 24;
		bad.value = WR_LPM_VALUE_MAX + 1;
		CHECK(wr_lpm_pub_set(&pub, &bad, 1) == -ERANGE && slot == NULL, "pub: value");
	}
	ret = wr_lpm_build(NULL, 0, SOCKET_ID_ANY, &plain);
	CHECK(ret == 0, "empty build: %d", ret);
	for (step = 0; step < STEPS; step++) {
		uint64_t catchups = pub.n_catchups;

		mutate(&s, (const uint8_t(*)[16])bases4, (const uint8_t(*)[16])bases6);
		ret = wr_lpm_pub_set(&pub, s.p, s.n);
		/* no reader: the standby is always free */
		CHECK(ret == 1, "step %u: publish: %d", step, ret);
		agree(slot, &s, (const uint8_t(*)[16])bases6, "active", step);
		agree(slot, &s, (const uint8_t(*)[16])bases4, "active", step);
		CHECK(slot->count4 + slot->count6 == slot->n_set, "step %u: counts", step);
		/* every other step the standby catches up before the next change; else the next
		 * change brings it from two sets behind */
		if (step % 2 == 0) {
			CHECK(wr_lpm_pub_poll(&pub) == 0, "step %u: poll", step);
			CHECK(!pub.standby_stale && pub.standby != NULL &&
					pub.n_catchups > catchups,
				"step %u: standby did not catch up", step);
			if (pub.standby != NULL)
				agree(pub.standby, &s, (const uint8_t(*)[16])bases4, "standby",
					step);
		}
		/* the same sets applied to one plain table */
		if (plain != NULL) {
			ret = wr_lpm_update(plain, s.p, s.n);
			CHECK(ret == 0 || ret == -ENOSPC, "step %u: update: %d", step, ret);
			if (ret == 0) {
				agree(plain, &s, (const uint8_t(*)[16])bases4, "update", step);
			} else {
				wr_lpm_free(plain);
				ret = wr_lpm_build(s.p, s.n, SOCKET_ID_ANY, &plain);
				CHECK(ret == 0, "step %u: build: %d", step, ret);
			}
		}
	}
	CHECK(pub.n_updates + pub.n_unchanged == STEPS - 1, "%" PRIu64 " updates", pub.n_updates);
	/* the same set again publishes nothing */
	{
		struct wr_lpm *active = slot;

		CHECK(wr_lpm_pub_set(&pub, s.p, s.n) == 1 && slot == active,
			"an unchanged set swapped the tables");
	}
	/* an empty set: nothing matches, not even the /0s */
	s.n = 0;
	CHECK(wr_lpm_pub_set(&pub, NULL, 0) == 1, "publish empty");
	CHECK(slot != NULL && lpm_lookup(slot, AF_INET, (const uint8_t *)"\0\0\0\0") == -1 &&
			lpm_lookup(slot, AF_INET6, probe_buf[0]) == -1,
		"empty set matched");
	printf("incremental: %" PRIu64 " builds, %" PRIu64 " updates, %" PRIu64 " catch-ups\n",
		pub.n_builds, pub.n_updates, pub.n_catchups);
	wr_lpm_free(plain);
	wr_lpm_pub_fini(&pub);
	CHECK(slot == NULL, "fini leaves the slot set");
	free(s.p);
	rte_free(rcu);
}

/* /32s in @p n distinct /24s: a tbl8 group each */
static void
spread(struct set *s, size_t n, uint32_t value)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct wr_lpm_prefix p = { .family = AF_INET, .cidr = 32, .value = value };
		struct wr_lpm_prefix q = { .family = AF_INET6, .cidr = 128, .value = value };

		p.addr[0] = 10;
		p.addr[1] = (uint8_t)(i >> 8);
		p.addr[2] = (uint8_t)i;
		p.addr[3] = 7;
		set_push(s, &p);
		q.addr[0] = 0x20;
		q.addr[1] = 0x01;
		q.addr[2] = 0x0d;
		q.addr[3] = 0xb8;
		q.addr[4] = (uint8_t)(i >> 8);
		q.addr[5] = (uint8_t)i;
		q.addr[15] = 1;
		set_push(s, &q);
	}
}

static void
test_enospc(void)
{
	uint8_t bases4[CLUSTERS][16], bases6[CLUSTERS][16];
	struct rte_rcu_qsbr *rcu = rcu_new();
	struct wr_lpm *slot = NULL;
	struct wr_lpm_pub pub;
	struct set s = { 0 };
	uint64_t builds;
	int ret;

	new_bases(bases4, bases6);
	wr_lpm_pub_init(&pub, &slot, rcu, SOCKET_ID_ANY);
	spread(&s, 4, 1);
	CHECK(wr_lpm_pub_set(&pub, s.p, s.n) == 1, "small set");
	CHECK(wr_lpm_pub_poll(&pub) == 0 && pub.standby != NULL && !pub.standby_stale,
		"standby built");
	builds = pub.n_builds;
	CHECK(builds == 2, "%" PRIu64 " builds for the first set", builds);
	/* far more tbl8 groups and rules than either table has room for */
	s.n = 0;
	spread(&s, 3000, 2);
	ret = wr_lpm_pub_set(&pub, s.p, s.n);
	CHECK(ret == 1, "large set: %d", ret);
	CHECK(pub.n_builds == builds + 1, "no whole build after -ENOSPC (%" PRIu64 ")",
		pub.n_builds);
	agree(slot, &s, (const uint8_t(*)[16])bases4, "after -ENOSPC", 0);
	/* the old active is too small as well: it is rebuilt when it catches up */
	CHECK(wr_lpm_pub_poll(&pub) == 0 && pub.n_builds == builds + 2 && !pub.standby_stale,
		"standby rebuilt (%" PRIu64 " builds)", pub.n_builds);
	if (pub.standby != NULL)
		agree(pub.standby, &s, (const uint8_t(*)[16])bases4, "standby after -ENOSPC", 0);
	/* and the rebuilt ones have room: shrinking and growing a little is incremental */
	s.n = 2000;
	CHECK(wr_lpm_pub_set(&pub, s.p, s.n) == 1 && pub.n_builds == builds + 2,
		"shrink rebuilt the table");
	agree(slot, &s, (const uint8_t(*)[16])bases4, "shrunk", 1);
	wr_lpm_pub_fini(&pub);
	free(s.p);
	rte_free(rcu);
}

static void
test_coalesce(void)
{
	struct rte_rcu_qsbr *rcu = rcu_new();
	struct wr_lpm *slot = NULL;
	struct wr_lpm_pub pub;
	struct wr_lpm_prefix a = pfx("192.0.2.0/24", 1), b = pfx("192.0.2.0/24", 2);
	struct wr_lpm_prefix c = pfx("192.0.2.0/24", 3), d = pfx("2001:db8::/32", 4);
	uint64_t updates;

	wr_lpm_pub_init(&pub, &slot, rcu, SOCKET_ID_ANY);
	CHECK(wr_lpm_pub_set(&pub, &a, 1) == 1, "first set");
	/* a reader (this thread, id 1) inside the tables from now on */
	rte_rcu_qsbr_thread_register(rcu, 1);
	rte_rcu_qsbr_thread_online(rcu, 1);
	CHECK(wr_lpm_pub_set(&pub, &b, 1) == 1, "standby free: published at once");
	updates = pub.n_updates;
	CHECK(wr_lpm_pub_set(&pub, &c, 1) == 0 && wr_lpm_pub_pending(&pub), "set waits");
	CHECK(wr_lpm_pub_set(&pub, &d, 1) == 0, "second set waits");
	CHECK(wr_lpm_pub_poll(&pub) == 0 && look(slot, "192.0.2.1") == 2,
		"published within a grace period");
	rte_rcu_qsbr_quiescent(rcu, 1);
	CHECK(wr_lpm_pub_poll(&pub) == 1 && !wr_lpm_pub_pending(&pub), "not published after it");
	CHECK(pub.n_updates == updates + 1, "the waiting sets were not coalesced");
	CHECK(look(slot, "192.0.2.1") == -1 && look(slot, "2001:db8::1") == 4,
		"the last set is not the published one");
	/* a waiting set cancelled (its successor could not be computed) is never published */
	CHECK(wr_lpm_pub_set(&pub, &a, 1) == 0 && wr_lpm_pub_pending(&pub), "set waits again");
	wr_lpm_pub_cancel(&pub);
	CHECK(!wr_lpm_pub_pending(&pub), "cancelled set still pending");
	rte_rcu_qsbr_quiescent(rcu, 1);
	CHECK(wr_lpm_pub_poll(&pub) >= 0 && look(slot, "192.0.2.1") == -1 &&
			look(slot, "2001:db8::1") == 4,
		"a cancelled set was published");
	CHECK(wr_lpm_pub_set(&pub, &b, 1) == 1 && look(slot, "192.0.2.1") == 2,
		"the next set after a cancel");
	rte_rcu_qsbr_thread_offline(rcu, 1);
	rte_rcu_qsbr_thread_unregister(rcu, 1);
	wr_lpm_pub_fini(&pub);
	rte_free(rcu);
}

#define GENS 24
#define SAMPLES 1024

struct readers {
	struct rte_rcu_qsbr *rcu;
	struct wr_lpm *slot;
	uint8_t addr[SAMPLES][17];
	long want[GENS + 1][SAMPLES];
	unsigned int target, published; /* generations: being published, published */
	bool stop;
	unsigned long passes, bad;
};

static void *
reader(void *arg)
{
	struct readers *r = arg;
	unsigned int i;

	rte_rcu_qsbr_thread_register(r->rcu, 0);
	rte_rcu_qsbr_thread_online(r->rcu, 0);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		unsigned int a = __atomic_load_n(&r->published, __ATOMIC_ACQUIRE), b, g;
		const struct wr_lpm *lpm = __atomic_load_n(&r->slot, __ATOMIC_ACQUIRE);
		long got[SAMPLES];

		for (i = 0; i < SAMPLES; i++)
			got[i] = lpm_lookup(lpm, r->addr[i][16], r->addr[i]);
		b = __atomic_load_n(&r->target, __ATOMIC_ACQUIRE);
		for (i = 0; i < SAMPLES; i++) {
			for (g = a; g <= b && r->want[g][i] != got[i]; g++)
				;
			if (g > b)
				r->bad++;
		}
		__atomic_store_n(&r->passes, r->passes + 1, __ATOMIC_RELAXED);
		rte_rcu_qsbr_quiescent(r->rcu, 0);
	}
	rte_rcu_qsbr_thread_offline(r->rcu, 0);
	rte_rcu_qsbr_thread_unregister(r->rcu, 0);
	return NULL;
}

static void
test_readers(void)
{
	uint8_t bases4[CLUSTERS][16], bases6[CLUSTERS][16];
	struct readers *r = calloc(1, sizeof(*r));
	struct wr_lpm_pub pub;
	struct set s = { 0 }, all = { 0 };
	unsigned int g, i, waited = 0;
	pthread_t th;

	if (r == NULL)
		abort();
	new_bases(bases4, bases6);
	r->rcu = rcu_new();
	wr_lpm_pub_init(&pub, &r->slot, r->rcu, SOCKET_ID_ANY);
	/* the sample: boundaries of prefixes the generations will have, and random addresses */
	for (g = 0; g < 4; g++)
		mutate(&all, (const uint8_t(*)[16])bases4, (const uint8_t(*)[16])bases6);
	probes(&all, (const uint8_t(*)[16])bases4, r->addr, SAMPLES);
	mutate(&s, (const uint8_t(*)[16])bases4, (const uint8_t(*)[16])bases6);
	for (i = 0; i < SAMPLES; i++)
		r->want[0][i] = ref_lookup(&s, r->addr[i][16], r->addr[i]);
	CHECK(wr_lpm_pub_set(&pub, s.p, s.n) == 1, "readers: first set");
	if (pthread_create(&th, NULL, reader, r) != 0)
		abort();
	for (g = 1; g <= GENS; g++) {
		if (g % 8 == 0) {
			size_t keep = s.n;

			spread(&s, 600 * g, 5); /* outgrows the tables: a whole build */
			s.n = keep + 600 * g;
		} else if (g % 8 == 1) {
			s.n = 0;
		}
		mutate(&s, (const uint8_t(*)[16])bases4, (const uint8_t(*)[16])bases6);
		if (g % 4 == 2)
			s.n = s.n / 2;
		for (i = 0; i < SAMPLES; i++)
			r->want[g][i] = ref_lookup(&s, r->addr[i][16], r->addr[i]);
		__atomic_store_n(&r->target, g, __ATOMIC_RELEASE);
		CHECK(wr_lpm_pub_set(&pub, s.p, s.n) >= 0, "gen %u: set", g);
		/* the reader reports quiescent states: the set is published soon */
		while (wr_lpm_pub_pending(&pub)) {
			CHECK(wr_lpm_pub_poll(&pub) >= 0, "gen %u: poll", g);
			waited++;
			sched_yield(); /* the reader may share the core */
		}
		__atomic_store_n(&r->published, g, __ATOMIC_RELEASE);
		/* every other generation, let the reader go through the new table a few times and
		 * the standby catch up; else the next set comes while the reader holds the grace */
		for (i = __atomic_load_n(&r->passes, __ATOMIC_RELAXED) + 3;
			g % 2 == 0 && __atomic_load_n(&r->passes, __ATOMIC_RELAXED) < i;) {
			wr_lpm_pub_poll(&pub);
			sched_yield();
		}
	}
	__atomic_store_n(&r->stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	CHECK(r->bad == 0, "readers saw %lu answers of no generation in %lu passes", r->bad,
		r->passes);
	checks += (unsigned int)r->passes;
	printf("readers: %lu passes over %u generations, %" PRIu64 " builds, %u polls waiting\n",
		r->passes, GENS, pub.n_builds, waited);
	wr_lpm_pub_fini(&pub);
	rte_free(r->rcu);
	free(s.p);
	free(all.p);
	free(r);
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (lpm_test_init(argv[0], "1024") < 0)
		return 2;
	test_incremental();
	test_enospc();
	test_coalesce();
	test_readers();

	printf("%u checks, %u failures\n", checks, failures);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
