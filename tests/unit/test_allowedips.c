/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AllowedIPs: table-driven cases in the manner of the kernel's allowedips selftest (overlapping
 * prefixes, /0, /32, /128, masking, moving a prefix between peers, removal, listing a peer). The
 * randomized comparison against a naive reference is in test_allowedips_random.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "allowedips_test.h"

/* "addr" or "addr/cidr" in either family; returns the family or 0 */
static int
parse(const char *s, uint8_t addr[16], uint8_t *cidr)
{
	char buf[64];
	char *slash;
	int family;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	memset(addr, 0, 16);
	if (inet_pton(family, buf, addr) != 1)
		return 0;
	if (cidr)
		*cidr = slash ? (uint8_t)atoi(slash + 1) : (family == AF_INET ? 32 : 128);
	return family;
}

enum op_kind {
	INS,     /* insert prefix for peer; want = return code */
	LOOK,    /* lookup address; peer = expected owner ('-' none) */
	DEL,     /* remove prefix (peer '-' = any owner); want = return code */
	DELPEER, /* remove every prefix of peer; want = how many */
	COUNT,   /* want = total prefixes */
	CNTPEER, /* want = prefixes of peer */
	FREE,    /* free and re-init the table */
};

struct op {
	enum op_kind kind;
	const char *what;
	char peer;
	long want;
};

static const struct op table[] = {
	/* the kernel selftest's base table */
	{ INS, "192.168.4.0/24", 'a', 0 },
	{ INS, "192.168.4.4/32", 'b', 0 },
	{ INS, "192.168.0.0/16", 'c', 0 },
	{ INS, "192.95.5.64/27", 'd', 0 },
	{ INS, "192.95.5.65/27", 'c', 0 }, /* same prefix once masked: moves to c */
	{ INS, "2607:5300:6000:6b00::c05f:543/128", 'd', 0 },
	{ INS, "2607:5300:6000:6b00::/64", 'c', 0 },
	{ INS, "0.0.0.0/0", 'e', 0 },
	{ INS, "::/0", 'e', 0 },
	{ INS, "::/0", 'f', 0 }, /* moves to f */
	{ INS, "2404:6800::/32", 'g', 0 },
	{ INS, "2404:6800:4004:800:dead:beef:dead:beef/64", 'h', 0 }, /* needs masking */
	{ INS, "2404:6800:4004:800:dead:beef:dead:beef/128", 'a', 0 },
	{ INS, "2444:6800:40e4:800:deae:beef:def:beef/128", 'c', 0 },
	{ INS, "2444:6800:f0e4:800:eeae:beef::/98", 'b', 0 },
	{ INS, "64.15.112.0/20", 'g', 0 },
	{ INS, "64.15.123.211/25", 'h', 0 }, /* needs masking */
	{ INS, "10.0.0.0/25", 'a', 0 },
	{ INS, "10.0.0.128/25", 'b', 0 },
	{ INS, "10.1.0.0/30", 'a', 0 },
	{ INS, "10.1.0.4/30", 'b', 0 },
	{ INS, "10.1.0.8/29", 'c', 0 },
	{ INS, "10.1.0.16/29", 'd', 0 },
	{ COUNT, NULL, 0, 21 }, /* 23 inserts, two of them moves */
	{ LOOK, "192.168.4.20", 'a', 0 },
	{ LOOK, "192.168.4.0", 'a', 0 },
	{ LOOK, "192.168.4.4", 'b', 0 },
	{ LOOK, "192.168.200.182", 'c', 0 },
	{ LOOK, "192.95.5.68", 'c', 0 },
	{ LOOK, "192.95.5.96", 'e', 0 },
	{ LOOK, "2607:5300:6000:6b00::c05f:543", 'd', 0 },
	{ LOOK, "2607:5300:6000:6b00::c02e:1ee", 'c', 0 },
	{ LOOK, "2607:5300:6000:6b01::", 'f', 0 },
	{ LOOK, "2404:6800:4004:806::1006", 'g', 0 },
	{ LOOK, "2404:6800:4004:806:0:1234:0:5678", 'g', 0 },
	{ LOOK, "2404:67ff:4004:806:0:1234:0:5678", 'f', 0 },
	{ LOOK, "2404:6801:4004:806:0:1234:0:5678", 'f', 0 },
	{ LOOK, "2404:6800:4004:800:0:1234:0:5678", 'h', 0 },
	{ LOOK, "2404:6800:4004:800::", 'h', 0 },
	{ LOOK, "2404:6800:4004:800:1010:1010:1010:1010", 'h', 0 },
	{ LOOK, "2404:6800:4004:800:dead:beef:dead:beef", 'a', 0 },
	{ LOOK, "64.15.116.26", 'g', 0 },
	{ LOOK, "64.15.127.3", 'g', 0 },
	{ LOOK, "64.15.123.1", 'g', 0 },
	{ LOOK, "64.15.123.128", 'h', 0 },
	{ LOOK, "64.15.123.129", 'h', 0 },
	{ LOOK, "10.0.0.52", 'a', 0 },
	{ LOOK, "10.0.0.220", 'b', 0 },
	{ LOOK, "10.1.0.2", 'a', 0 },
	{ LOOK, "10.1.0.6", 'b', 0 },
	{ LOOK, "10.1.0.10", 'c', 0 },
	{ LOOK, "10.1.0.20", 'd', 0 },
	{ LOOK, "10.1.0.24", 'e', 0 }, /* just past 10.1.0.16/29: only /0 */
	{ LOOK, "2444:6800:f0e4:800:eeae:beef:0:1", 'b', 0 },
	{ LOOK, "2444:6800:f0e4:800:eeae:beef:4000:0", 'f', 0 }, /* bit 97 set: outside /98 */
	{ CNTPEER, NULL, 'c', 5 },
	{ CNTPEER, NULL, 'd', 2 }, /* its /27 moved to c */
	{ CNTPEER, NULL, 'e', 1 }, /* its ::/0 moved to f */
	{ CNTPEER, NULL, 'f', 1 },

	/* removal of one prefix: the longer one goes, the shorter one shows through */
	{ DEL, "192.168.4.4/32", 'a', -ENOENT }, /* owned by b, not a */
	{ DEL, "192.168.4.4/31", '-', -ENOENT }, /* no such prefix */
	{ DEL, "192.168.4.4/32", 'b', 0 },
	{ LOOK, "192.168.4.4", 'a', 0 },
	{ DEL, "192.168.4.4/32", '-', -ENOENT },
	{ DEL, "192.168.4.77/24", '-', 0 }, /* masked like insert; any owner */
	{ LOOK, "192.168.4.4", 'c', 0 },
	{ DEL, "192.168.0.0/16", 'c', 0 },
	{ LOOK, "192.168.4.4", 'e', 0 },
	{ DEL, "0.0.0.0/0", 'e', 0 },
	{ LOOK, "192.168.4.4", '-', 0 },
	{ LOOK, "10.1.0.24", '-', 0 },
	{ LOOK, "10.1.0.20", 'd', 0 }, /* siblings untouched */
	{ DEL, "2404:6800::/32", 'g', 0 },
	{ LOOK, "2404:6800:4004:806::1006", 'f', 0 },
	{ LOOK, "2404:6800:4004:800::", 'h', 0 }, /* longer prefix below survives */
	{ COUNT, NULL, 0, 16 },

	/* the kernel's remove_by_peer cases: /32s spread over the space, then nested */
	{ INS, "1.0.0.0/32", 'a', 0 },
	{ INS, "64.0.0.0/32", 'a', 0 },
	{ INS, "128.0.0.0/32", 'a', 0 },
	{ INS, "192.0.0.0/32", 'a', 0 },
	{ INS, "255.0.0.0/32", 'a', 0 },
	{ CNTPEER, NULL, 'a', 8 },
	{ DELPEER, NULL, 'a', 8 },
	{ LOOK, "1.0.0.0", '-', 0 },
	{ LOOK, "64.0.0.0", '-', 0 },
	{ LOOK, "128.0.0.0", '-', 0 },
	{ LOOK, "192.0.0.0", '-', 0 },
	{ LOOK, "255.0.0.0", '-', 0 },
	{ LOOK, "10.0.0.52", '-', 0 },
	{ LOOK, "2404:6800:4004:800:dead:beef:dead:beef", 'h', 0 },
	{ LOOK, "10.0.0.220", 'b', 0 }, /* other peers untouched */
	{ DELPEER, NULL, 'a', 0 },
	{ COUNT, NULL, 0, 13 },
	{ FREE, NULL, 0, 0 },
	{ COUNT, NULL, 0, 0 },
	{ INS, "192.168.0.0/16", 'a', 0 },
	{ INS, "192.168.0.0/24", 'a', 0 },
	{ DELPEER, NULL, 'a', 2 },
	{ LOOK, "192.168.0.1", '-', 0 },
	{ COUNT, NULL, 0, 0 },

	/* edges: /32 and /128 host routes next to /0, all-ones addresses, bad arguments */
	{ INS, "255.255.255.255/32", 'a', 0 },
	{ INS, "0.0.0.0/32", 'b', 0 },
	{ INS, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 'c', 0 },
	{ INS, "::/128", 'd', 0 },
	{ LOOK, "255.255.255.255", 'a', 0 },
	{ LOOK, "255.255.255.254", '-', 0 },
	{ LOOK, "0.0.0.0", 'b', 0 },
	{ LOOK, "0.0.0.1", '-', 0 },
	{ LOOK, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'c', 0 },
	{ LOOK, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", '-', 0 },
	{ LOOK, "::", 'd', 0 },
	{ LOOK, "::1", '-', 0 },
	{ LOOK, "::ffff:255.255.255.255", '-', 0 }, /* families never mix */
	{ INS, "10.0.0.0/33", 'a', -EINVAL },
	{ INS, "::/129", 'a', -EINVAL },
	{ DEL, "10.0.0.0/33", '-', -EINVAL },
	{ INS, "::/0", 'e', 0 },
	{ INS, "0.0.0.0/0", 'f', 0 },
	{ LOOK, "::1", 'e', 0 },
	{ LOOK, "0.0.0.1", 'f', 0 },
	{ LOOK, "::", 'd', 0 },
	{ COUNT, NULL, 0, 6 },
	{ DELPEER, NULL, 'e', 1 },
	{ LOOK, "::1", '-', 0 },
	{ LOOK, "0.0.0.1", 'f', 0 },
	{ FREE, NULL, 0, 0 },
};

static void
check(bool ok, const char *fmt_what, const char *what, unsigned int idx)
{
	checks++;
	if (!ok) {
		printf("FAIL table[%u] %s %s\n", idx, fmt_what, what ? what : "");
		failures++;
	}
}

static void
test_table(void)
{
	struct wr_allowedips t;
	unsigned int i;

	printf("allowedips: %zu table-driven operations (kernel selftest cases and more)\n",
		sizeof(table) / sizeof(table[0]));
	wr_allowedips_init(&t);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct op *o = &table[i];
		void *peer = o->peer && o->peer != '-' ? P(o->peer) : NULL;
		uint8_t addr[16], cidr = 0;
		int family = o->what ? parse(o->what, addr, &cidr) : 0;
		long got;
		void *p;

		if (o->what && !family) {
			printf("FAIL table[%u]: cannot parse %s\n", i, o->what);
			failures++;
			continue;
		}
		switch (o->kind) {
		case INS:
			got = wr_allowedips_insert(&t, family, addr, cidr, peer);
			check(got == o->want, "insert", o->what, i);
			break;
		case DEL:
			got = wr_allowedips_remove(&t, family, addr, cidr, peer);
			check(got == o->want, "remove", o->what, i);
			break;
		case LOOK:
			p = wr_allowedips_lookup(&t, family, addr);
			if (p != peer)
				printf("table[%u] lookup %s: got %c want %c\n", i, o->what,
					peer_name(p), o->peer);
			check(p == peer, "lookup", o->what, i);
			break;
		case DELPEER:
			got = (long)wr_allowedips_remove_by_peer(&t, peer);
			check(got == o->want, "remove_by_peer", NULL, i);
			break;
		case COUNT:
			got = (long)wr_allowedips_count(&t);
			if (got != o->want)
				printf("table[%u] count %ld want %ld\n", i, got, o->want);
			check(got == o->want, "count", NULL, i);
			break;
		case CNTPEER:
			got = (long)wr_allowedips_count_peer(&t, peer);
			if (got != o->want)
				printf("table[%u] count_peer %c %ld want %ld\n", i, o->peer, got,
					o->want);
			check(got == o->want, "count_peer", NULL, i);
			break;
		case FREE:
			wr_allowedips_free(&t);
			check(!t.root4 && !t.root6 && t.count == 0 && !t.npeers && !t.buckets,
				"free", NULL, i);
			break;
		}
	}

	printf("allowedips: bad family, NULL peer\n");
	{
		uint8_t z[16] = { 0 };

		check(wr_allowedips_insert(&t, AF_UNIX, z, 0, P('a')) == -EINVAL, "AF_UNIX", 0, 0);
		check(wr_allowedips_insert(&t, AF_INET, z, 0, NULL) == -EINVAL, "NULL peer", 0, 0);
		check(wr_allowedips_lookup(&t, AF_UNIX, z) == NULL, "lookup AF_UNIX", 0, 0);
		check(wr_allowedips_remove_by_peer(&t, NULL) == 0, "remove_by_peer NULL", 0, 0);
	}

	printf("allowedips: 128 host routes one bit apart, then free\n");
	for (i = 0; i < 128; i++) {
		uint8_t ip[16];

		memset(ip, 0xff, 16);
		ip[i >> 3] &= (uint8_t) ~(0x80 >> (i & 7));
		check(wr_allowedips_insert(&t, AF_INET6, ip, 128, P('a')) == 0, "insert", 0, i);
	}
	for (i = 0; i < 128; i++) {
		uint8_t ip[16];

		memset(ip, 0xff, 16);
		ip[i >> 3] &= (uint8_t) ~(0x80 >> (i & 7));
		check(wr_allowedips_lookup(&t, AF_INET6, ip) == P('a'), "lookup", 0, i);
	}
	{
		uint8_t ones[16];

		memset(ones, 0xff, 16);
		check(wr_allowedips_lookup(&t, AF_INET6, ones) == NULL, "all ones", 0, 0);
	}
	check(wr_allowedips_count(&t) == 128, "count 128", 0, 0);
	wr_allowedips_free(&t);
}

/* Listing a peer: the kernel's read-back case, with masking visible in the output. */
static void
test_walk_peer(void)
{
	static const char *const ins[] = { "192.95.5.93/27", "2607:5300:6000:6b00::c05f:543/128",
		"10.1.0.20/29", "2607:5300:6d8a:6bf8:dab1:f1df:c05f:1523/83",
		"2607:5300:6d8a:6bf8:dab1:f1df:c05f:1523/21" };
	/* in walk order: IPv4 first, address order, shorter first; bits past cidr zero */
	static const char *const want[] = { "10.1.0.16/29", "192.95.5.64/27", "2607:5000::/21",
		"2607:5300:6000:6b00::c05f:543/128", "2607:5300:6d8a:6bf8:dab1:e000::/83" };
	struct seen_list l = { 0 };
	struct wr_allowedips t;
	unsigned int i;

	printf("allowedips: walk_peer lists a peer's masked prefixes in order\n");
	wr_allowedips_init(&t);
	for (i = 0; i < 5; i++) {
		uint8_t a[16], c;
		int f = parse(ins[i], a, &c);

		check(wr_allowedips_insert(&t, f, a, c, P('a')) == 0, "insert", ins[i], i);
	}
	{
		uint8_t a[16], c;
		int f = parse("10.1.0.20/30", a, &c);

		check(wr_allowedips_insert(&t, f, a, c, P('b')) == 0, "insert b", NULL, 0);
	}
	check(wr_allowedips_walk_peer(&t, P('a'), collect, &l) == 0, "walk_peer rc", NULL, 0);
	check(l.n == 5, "walk_peer count", NULL, 0);
	for (i = 0; i < 5 && i < l.n; i++) {
		uint8_t a[16], c;
		int f = parse(want[i], a, &c);

		check(l.v[i].family == f && l.v[i].cidr == c && !memcmp(l.v[i].addr, a, 16) &&
				l.v[i].peer == P('a'),
			"walk_peer item", want[i], i);
	}
	l.n = 0;
	check(wr_allowedips_walk(&t, collect, &l) == 0 && l.n == 6, "walk all", NULL, 0);
	check(l.n == 6 && l.v[1].peer == P('b') && l.v[1].cidr == 30, "walk all order", NULL, 0);
	l.n = 0;
	l.stop_after = 2;
	check(wr_allowedips_walk(&t, collect, &l) == 7 && l.n == 2, "walk stops", NULL, 0);

	/* b's only prefix moves to a: b keeps nothing, not even an empty list */
	{
		uint8_t a[16], c;
		int f = parse("10.1.0.20/30", a, &c);

		check(wr_allowedips_insert(&t, f, a, c, P('a')) == 0, "move", NULL, 0);
	}
	check(t.npeers == 1 && wr_allowedips_count_peer(&t, P('b')) == 0 &&
			wr_allowedips_count_peer(&t, P('a')) == 6,
		"moved away", NULL, 0);
	l.n = 0;
	l.stop_after = 0;
	check(wr_allowedips_walk_peer(&t, P('b'), collect, &l) == 0 && l.n == 0, "walk b", NULL, 0);
	check(wr_allowedips_walk_peer(&t, P('a'), collect, &l) == 0 && l.n == 6 &&
			l.v[1].cidr == 30 && l.v[2].cidr == 27,
		"walk a after the move", NULL, 0);
	check(wr_allowedips_remove_by_peer(&t, P('a')) == 6 && !t.npeers && !t.root4 && !t.root6 &&
			!wr_allowedips_count(&t),
		"remove a", NULL, 0);
	free(l.v);
	wr_allowedips_free(&t);
}

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	test_table();
	test_walk_peer();
	if (failures) {
		printf("allowedips: %u FAILURES\n", failures);
		return 1;
	}
	printf("allowedips: all %u checks passed\n", checks);
	return 0;
}
