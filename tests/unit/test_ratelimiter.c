/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Handshake rate limiter, with a fake clock: burst then steady rate, independent sources, the
 * IPv6 /64 grouping, a randomized comparison with a naive per-source token bucket, and a flood
 * from 1,000,000 spoofed sources that must neither grow the table nor lock out active or (after
 * the flood's entries expire) new legitimate sources.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "wr_ratelimiter.h"

#define SEC WR_NSEC_PER_SEC
#define MS (SEC / 1000)
#define COST (SEC / WR_RATELIMIT_PER_SECOND)
/* an arbitrary epoch, so that nothing depends on the clock starting at 0 */
#define T0 (1000 * SEC + 123)

#include "wr_test.h"
#include "wr_test_rng.h"

struct src {
	struct sockaddr_storage ss;
};

static const struct sockaddr *
sa(const char *addr, uint16_t port, struct src *s)
{
	memset(s, 0, sizeof(*s));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&s->ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			abort();
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&s->ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			abort();
	}
	return (const struct sockaddr *)&s->ss;
}

static bool
allow(struct wr_ratelimiter *rl, const char *addr, uint64_t now)
{
	struct src s;

	return wr_ratelimiter_allow(rl, sa(addr, 51820, &s), now);
}

/* how many of @n packets sent at @now are let through */
static unsigned int
burst(struct wr_ratelimiter *rl, const char *addr, uint64_t now, unsigned int n)
{
	unsigned int i, ok = 0;

	for (i = 0; i < n; i++)
		ok += allow(rl, addr, now);
	return ok;
}

static void
test_init(void)
{
	struct wr_ratelimiter rl;

	printf("ratelimiter: init capacities\n");
	CHECK(wr_ratelimiter_init(&rl, 0) == 0 && wr_ratelimiter_capacity(&rl) == 8192,
		"default capacity");
	wr_ratelimiter_uninit(&rl);
	CHECK(rl.entries == NULL && rl.key[0] == 0 && rl.key[1] == 0, "uninit clears the key");
	wr_ratelimiter_uninit(&rl); /* twice is harmless */
	CHECK(wr_ratelimiter_init(&rl, 1000) == 0 && wr_ratelimiter_capacity(&rl) == 1024,
		"1000 rounds up to 1024");
	wr_ratelimiter_uninit(&rl);
	CHECK(wr_ratelimiter_init(&rl, 1) == 0 && wr_ratelimiter_capacity(&rl) >= 1, "tiny");
	wr_ratelimiter_uninit(&rl);
	CHECK(wr_ratelimiter_init(&rl, (size_t)1 << 25) == -EINVAL, "too large refused");
}

static void
test_burst_and_rate(void)
{
	struct wr_ratelimiter_stats st;
	struct wr_ratelimiter rl;
	unsigned int ok, i;
	uint64_t t;

	printf("ratelimiter: burst of %u, then %u/s\n", WR_RATELIMIT_BURST,
		WR_RATELIMIT_PER_SECOND);
	if (wr_ratelimiter_init(&rl, 64))
		abort();
	ok = burst(&rl, "192.0.2.1", T0, 10);
	CHECK(ok == WR_RATELIMIT_BURST, "burst at one instant: %u allowed", ok);
	CHECK(!allow(&rl, "192.0.2.1", T0 + COST - 1), "one ns short of a token");
	CHECK(allow(&rl, "192.0.2.1", T0 + COST), "a token after 1/20 s");
	CHECK(!allow(&rl, "192.0.2.1", T0 + COST), "and only one");
	ok = burst(&rl, "192.0.2.1", T0 + 3 * COST, 10);
	CHECK(ok == 2, "two tokens after two more intervals: %u", ok);
	/* the bucket never holds more than the burst, however long the source was quiet */
	ok = burst(&rl, "192.0.2.1", T0 + 10 * SEC, 10);
	CHECK(ok == WR_RATELIMIT_BURST, "after 10 s idle: %u", ok);
	ok = burst(&rl, "192.0.2.1", T0 + 10 * SEC + 400 * MS, 10);
	CHECK(ok == WR_RATELIMIT_BURST, "400 ms refill is capped at the burst: %u", ok);

	/* a clock that steps back gives no credit */
	CHECK(!allow(&rl, "192.0.2.1", T0 + 5 * SEC), "time going backwards gives nothing");
	CHECK(!allow(&rl, "192.0.2.1", T0 + 10 * SEC + 400 * MS + COST - 1),
		"and does not move the bucket's clock back");
	CHECK(allow(&rl, "192.0.2.1", T0 + 10 * SEC + 400 * MS + COST), "next token on time");
	wr_ratelimiter_uninit(&rl);

	/* steady: one packet per ms for 10 s lets 5 + (10 s - 1 ms) / 50 ms = 204 through */
	if (wr_ratelimiter_init(&rl, 64))
		abort();
	for (ok = 0, i = 0, t = T0; i < 10000; i++, t += MS)
		ok += allow(&rl, "198.51.100.7", t);
	CHECK(ok == (WR_RATELIMIT_BURST * COST + 9999 * MS) / COST, "1 kHz for 10 s: %u allowed",
		ok);
	wr_ratelimiter_get_stats(&rl, &st);
	CHECK(st.allowed == ok && st.limited == 10000 - ok && st.table_full == 0,
		"stats %" PRIu64 "/%" PRIu64 "/%" PRIu64, st.allowed, st.limited, st.table_full);
	/* and a source that keeps exactly to the rate is never limited */
	for (ok = 0, i = 0, t += SEC; i < 1000; i++, t += COST)
		ok += allow(&rl, "198.51.100.8", t);
	CHECK(ok == 1000, "exactly 20/s: %u of 1000", ok);
	wr_ratelimiter_uninit(&rl);
}

static void
test_sources(void)
{
	struct wr_ratelimiter_stats st;
	struct wr_ratelimiter rl;
	struct src s;
	unsigned int ok;

	printf("ratelimiter: sources are independent; port ignored; IPv6 grouped by /64\n");
	if (wr_ratelimiter_init(&rl, 64))
		abort();
	CHECK(burst(&rl, "203.0.113.1", T0, 10) == 5, "A");
	CHECK(burst(&rl, "203.0.113.2", T0, 10) == 5, "B unaffected by A");
	CHECK(!wr_ratelimiter_allow(&rl, sa("203.0.113.1", 9999, &s), T0), "A, other port");
	CHECK(burst(&rl, "2001:db8:1:2::1", T0, 3) == 3, "v6 /64 first host");
	ok = burst(&rl, "2001:db8:1:2:ffff:eeee:dddd:cccc", T0, 10);
	CHECK(ok == 2, "same /64, other host shares the bucket: %u", ok);
	CHECK(burst(&rl, "2001:db8:1:3::1", T0, 10) == 5, "next /64 is independent");
	CHECK(burst(&rl, "2001:db8:1:2::1", T0 + COST, 10) == 1, "shared bucket refills once");
	/* v4-mapped from a dual-stack socket: the IPv4 address, not ::ffff:0:0/64 for all */
	CHECK(burst(&rl, "::ffff:203.0.113.1", T0, 10) == 0, "mapped A is A");
	CHECK(burst(&rl, "::ffff:203.0.113.9", T0, 10) == 5, "mapped C is its own");
	CHECK(burst(&rl, "203.0.113.9", T0, 10) == 0, "and C over IPv4 is the same");
	CHECK(burst(&rl, "::ffff:203.0.113.10", T0, 10) == 5, "mapped D is its own too");
	/* the raw-address entry point agrees with the sockaddr one */
	{
		uint8_t a4[4] = { 203, 0, 113, 2 }, a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3 };

		CHECK(!wr_ratelimiter_allow_addr(&rl, AF_INET, a4, T0), "raw v4 is B");
		CHECK(!wr_ratelimiter_allow_addr(&rl, AF_INET6, a6, T0),
			"raw v6 is 2001:db8:1:3::");
		CHECK(!wr_ratelimiter_allow_addr(&rl, AF_UNIX, a4, T0), "unknown family refused");
	}
	memset(&s, 0, sizeof(s));
	s.ss.ss_family = AF_UNIX;
	CHECK(!wr_ratelimiter_allow(&rl, (struct sockaddr *)&s.ss, T0), "AF_UNIX refused");
	CHECK(!wr_ratelimiter_allow(&rl, NULL, T0), "NULL refused");
	wr_ratelimiter_get_stats(&rl, &st);
	CHECK(st.allowed == 5 + 5 + 3 + 2 + 5 + 1 + 5 + 5, "allowed %" PRIu64, st.allowed);
	CHECK(st.table_full == 0, "table_full %" PRIu64, st.table_full);
	CHECK(wr_ratelimiter_count(&rl, T0) == 6, "six live entries: %zu",
		wr_ratelimiter_count(&rl, T0));
	CHECK(wr_ratelimiter_count(&rl, T0 + COST + SEC) == 1, "one live 1 s later: %zu",
		wr_ratelimiter_count(&rl, T0 + COST + SEC));
	CHECK(wr_ratelimiter_count(&rl, T0 + COST + SEC + 1) == 0, "none after");
	wr_ratelimiter_uninit(&rl);
}

/* ---- randomized comparison with a naive token bucket per source ---- */

struct ref_src {
	int family; /* of the bucket: a v4-mapped address is AF_INET */
	uint8_t key[8];
	bool present;
	uint64_t tokens, last;
};

static bool
ref_allow(struct ref_src *r, size_t n, int family, const uint8_t *key, uint64_t now)
{
	size_t i;
	struct ref_src *s = NULL;

	for (i = 0; i < n && r[i].present; i++)
		if (r[i].family == family && !memcmp(r[i].key, key, 8))
			s = &r[i];
	if (!s) {
		if (i == n)
			abort();
		s = &r[i];
		s->present = true;
		s->family = family;
		memcpy(s->key, key, 8);
		s->last = now;
		s->tokens = WR_RATELIMIT_BURST * COST;
	} else if (now > s->last) {
		s->tokens += now - s->last;
		if (s->tokens > WR_RATELIMIT_BURST * COST)
			s->tokens = WR_RATELIMIT_BURST * COST;
		s->last = now;
	}
	if (s->tokens < COST)
		return false;
	s->tokens -= COST;
	return true;
}

static void
test_random(uint64_t seed)
{
	enum { NSRC = 96, STEPS = 200000 };
	static struct ref_src ref[NSRC];
	uint8_t addr[NSRC][16];
	int fam[NSRC];
	struct wr_ratelimiter rl;
	unsigned int i, mism = 0, allowed = 0;
	uint64_t now = T0;

	rng_state = seed ? seed : 1;
	memset(ref, 0, sizeof(ref));
	for (i = 0; i < NSRC; i++) {
		memset(addr[i], 0, 16);
		switch (i % 4) {
		case 0: /* IPv4 */
			fam[i] = AF_INET;
			addr[i][0] = 192;
			addr[i][1] = 0;
			addr[i][2] = 2;
			addr[i][3] = (uint8_t)(i / 4 % 8); /* a few repeat */
			break;
		case 1: /* the same IPv4 addresses, v4-mapped */
			fam[i] = AF_INET6;
			addr[i][10] = addr[i][11] = 0xff;
			addr[i][12] = 192;
			addr[i][14] = 2;
			addr[i][15] = (uint8_t)(i / 4 % 8);
			break;
		default: /* IPv6, hosts in a handful of /64s */
			fam[i] = AF_INET6;
			addr[i][0] = 0x20;
			addr[i][1] = 0x01;
			addr[i][2] = 0x0d;
			addr[i][3] = 0xb8;
			addr[i][7] = (uint8_t)(rnd() % 6);
			addr[i][8] = (uint8_t)rnd();
			addr[i][15] = (uint8_t)i;
			break;
		}
	}
	if (wr_ratelimiter_init(&rl, 8192))
		abort();
	for (i = 0; i < STEPS; i++) {
		unsigned int k = (unsigned int)(rnd() % NSRC);
		uint8_t key[8] = { 0 };
		int rf = fam[k];
		uint64_t r = rnd() % 1000;
		bool got, want;

		/* mostly small steps, some idle gaps beyond the 1 s expiry, a few steps back */
		if (r < 900)
			now += rnd() % (2 * MS);
		else if (r < 990)
			now += rnd() % (60 * MS);
		else if (r < 997)
			now += SEC + rnd() % SEC;
		else
			now -= rnd() % (20 * MS);

		if (fam[k] == AF_INET) {
			memcpy(key, addr[k], 4);
		} else if (addr[k][10] == 0xff && addr[k][11] == 0xff && addr[k][0] == 0) {
			rf = AF_INET;
			memcpy(key, addr[k] + 12, 4);
		} else {
			memcpy(key, addr[k], 8);
		}
		got = wr_ratelimiter_allow_addr(&rl, fam[k], addr[k], now);
		want = ref_allow(ref, NSRC, rf, key, now);
		allowed += want;
		if (got != want && mism++ < 10)
			printf("FAIL random step %u source %u: got %d want %d\n", i, k, got, want);
	}
	checks++;
	failures += mism;
	printf("ratelimiter: randomized vs naive token buckets: %u packets, %u allowed, %u "
	       "mismatches\n",
		STEPS, allowed, mism);
	wr_ratelimiter_uninit(&rl);
}

/* ---- a flood of spoofed sources ---- */

static void
test_flood(int family)
{
	enum { FLOOD = 1000000 };
	const uint64_t spacing = 1000; /* 1 us apart: the flood lasts 1 s of fake time */
	struct wr_ratelimiter_stats st;
	struct wr_ratelimiter rl;
	struct wr_ratelimiter_entry *table;
	const char *legit = family == AF_INET ? "198.51.100.1" : "2001:db8:aaaa:1::1";
	const char *late = family == AF_INET ? "198.51.100.2" : "2001:db8:aaaa:2::1";
	unsigned int i, legit_ok = 0, legit_tries = 0;
	size_t cap;
	uint64_t now = T0, end;

	printf("ratelimiter: flood of %u distinct %s sources against 8192 entries\n", FLOOD,
		family == AF_INET ? "IPv4" : "IPv6 /64");
	if (wr_ratelimiter_init(&rl, 8192))
		abort();
	table = rl.entries;
	cap = wr_ratelimiter_capacity(&rl);
	CHECK(allow(&rl, legit, now), "legitimate source before the flood");

	for (i = 0; i < FLOOD; i++, now += spacing) {
		uint8_t a[16] = { 0 };

		if (family == AF_INET) {
			a[0] = 10;
			a[1] = (uint8_t)(i >> 16);
			a[2] = (uint8_t)(i >> 8);
			a[3] = (uint8_t)i;
		} else {
			a[0] = 0x20;
			a[1] = 0x01;
			a[2] = 0x0d;
			a[3] = 0xb8;
			a[4] = (uint8_t)(i >> 16);
			a[5] = (uint8_t)(i >> 8);
			a[6] = (uint8_t)i;
			a[15] = 1;
		}
		wr_ratelimiter_allow_addr(&rl, family, a, now);
		/* an established source that keeps talking keeps its entry */
		if (i % 100000 == 99999) {
			legit_tries++;
			legit_ok += allow(&rl, legit, now);
		}
		if (i % 65536 == 0)
			CHECK(wr_ratelimiter_count(&rl, now) <= cap,
				"live entries within capacity");
	}
	end = now;
	wr_ratelimiter_get_stats(&rl, &st);
	CHECK(rl.entries == table && wr_ratelimiter_capacity(&rl) == cap,
		"the table never grew or moved");
	CHECK(wr_ratelimiter_count(&rl, end) <= cap, "live entries %zu <= %zu",
		wr_ratelimiter_count(&rl, end), cap);
	CHECK(st.table_full > FLOOD / 2, "most of the flood refused for a full table: %" PRIu64,
		st.table_full);
	CHECK(st.allowed + st.limited + st.table_full == FLOOD + 1 + legit_tries,
		"every packet counted once");
	CHECK(legit_ok == legit_tries, "active legitimate source kept working: %u of %u", legit_ok,
		legit_tries);
	/* fail closed: a new source while the table is full of fresh entries is refused */
	CHECK(!allow(&rl, late, end), "new source refused while the table is full");
	wr_ratelimiter_get_stats(&rl, &st);
	/* once the flood's entries are idle for over 1 s, new sources get in again */
	CHECK(burst(&rl, late, end + SEC + spacing, 10) == WR_RATELIMIT_BURST,
		"new legitimate source after the flood expired");
	CHECK(burst(&rl, legit, end + SEC + spacing, 10) == WR_RATELIMIT_BURST,
		"old legitimate source after the flood");
	CHECK(wr_ratelimiter_count(&rl, end + SEC + spacing) == 2, "only they are live: %zu",
		wr_ratelimiter_count(&rl, end + SEC + spacing));
	wr_ratelimiter_uninit(&rl);
}

/* a flood from one /64 with random host parts is one source */
static void
test_flood_one_prefix(void)
{
	struct wr_ratelimiter_stats st;
	struct wr_ratelimiter rl;
	unsigned int i, ok = 0;

	printf("ratelimiter: 100000 hosts of one /64 are a single bucket\n");
	if (wr_ratelimiter_init(&rl, 8192))
		abort();
	rng_state = 42;
	for (i = 0; i < 100000; i++) {
		uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 9, 0, 9 };
		uint64_t r = rnd();

		memcpy(a + 8, &r, 8);
		ok += wr_ratelimiter_allow_addr(&rl, AF_INET6, a, T0 + i * 1000ULL);
	}
	wr_ratelimiter_get_stats(&rl, &st);
	/* 0.1 s of fake time: the burst and one refill (the last packet is 1 us short of two) */
	CHECK(ok == WR_RATELIMIT_BURST + 1, "allowed %u", ok);
	CHECK(wr_ratelimiter_count(&rl, T0 + 100000 * 1000ULL) == 1, "one entry");
	CHECK(st.table_full == 0, "no table pressure");
	wr_ratelimiter_uninit(&rl);
}

int
main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL);

	test_init();
	test_burst_and_rate();
	test_sources();
	printf("ratelimiter: random seed %" PRIu64 " (pass it as argv[1] to reproduce)\n", seed);
	test_random(seed);
	test_flood(AF_INET);
	test_flood(AF_INET6);
	test_flood_one_prefix();
	if (failures) {
		printf("ratelimiter: %u FAILURES\n", failures);
		return 1;
	}
	printf("ratelimiter: all %u checks passed\n", checks);
	return 0;
}
