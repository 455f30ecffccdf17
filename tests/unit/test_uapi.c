/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * UAPI (wg's xplatform protocol): get serialization, set semantics (replace_peers, remove,
 * update_only, replace_allowed_ips, own key, key twin, change notifications), a table of invalid
 * lines each of which must fail the whole set and leave the device exactly as it was, randomly
 * damaged requests, and "allowed_ip=-PREFIX". The peer limit, the requests of `wg setconf` and
 * `wg syncconf`, fwmark, what the operator is told and the server's bounds: test_uapi_limits.c.
 * The socket server is tested in test_uapi_server.c, with `wg` in test_uapi_wg.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_uapi.h"
#include "uapi_test.h"

/* ---- get ---- */

static void
test_get(void)
{
	struct host h;
	char *r = NULL, *want;

	printf("uapi: get\n");
	host_init(&h);
	CHECK(call(&h, "get=1\n\n", &r) == 0, "get failed");
	CHECK(r && strcmp(r, "listen_port=51820\nerrno=0\n\n") == 0, "empty get: %s", r);
	CHECK(r && !strstr(r, "private_key"), "private key returned");
	free(r);

	want = fmt("set=1\npublic_key=%s\npreshared_key=%s\nendpoint=192.0.2.1:51820\n"
		   "persistent_keepalive_interval=25\nallowed_ip=10.1.0.0/16\n"
		   "allowed_ip=2001:db8::/32\nallowed_ip=10.0.0.1/32\n"
		   "public_key=%s\nendpoint=[2001:db8::1]:4500\n\n",
		khex(1, false), khex(9, true), khex(2, false));
	CHECK(call(&h, want, NULL) == 0, "set failed");
	free(want);
	CHECK(call(&h, "get=1\n\n", &r) == 0, "get failed");
	want = fmt("listen_port=51820\n"
		   "public_key=%s\nprotocol_version=1\nendpoint=192.0.2.1:51820\n"
		   "last_handshake_time_sec=0\nlast_handshake_time_nsec=0\ntx_bytes=0\nrx_bytes=0\n"
		   "persistent_keepalive_interval=25\nallowed_ip=10.0.0.1/32\n"
		   "allowed_ip=10.1.0.0/16\nallowed_ip=2001:db8::/32\n"
		   "public_key=%s\nprotocol_version=1\nendpoint=[2001:db8::1]:4500\n"
		   "last_handshake_time_sec=0\nlast_handshake_time_nsec=0\ntx_bytes=0\nrx_bytes=0\n"
		   "persistent_keepalive_interval=0\nerrno=0\n\n",
		khex(1, false), khex(2, false));
	CHECK(r && strcmp(r, want) == 0, "get:\n%s\nwant:\n%s", r, want);
	CHECK(r && !strstr(r, "preshared_key") && !strstr(r, khex(9, true)), "psk returned");
	free(r);
	free(want);

	/* a get with anything after its first line is refused, not answered with state */
	CHECK(call(&h, "get=1\nlisten_port=1\n\n", &r) == 22, "get with junk");
	free(r);
	CHECK(call(&h, "get=2\n\n", NULL) == INT32_MIN, "get=2 answered");
	CHECK(call(&h, "hello\n\n", NULL) == INT32_MIN, "unknown op answered");
	host_fini(&h);
}

/* ---- set semantics ---- */
static bool
added_has(struct host *h, unsigned n)
{
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];

	key_pair(n, priv, pub);
	for (size_t i = 0; i < h->last.n_added && i < 64; i++)
		if (memcmp(h->added[i], pub, WR_KEY_LEN) == 0)
			return true;
	return false;
}

static bool
updated_has(struct host *h, unsigned n)
{
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];

	key_pair(n, priv, pub);
	for (size_t i = 0; i < h->last.n_updated && i < 64; i++)
		if (memcmp(h->updated[i], pub, WR_KEY_LEN) == 0)
			return true;
	return false;
}

static bool
removed_has(struct host *h, unsigned n)
{
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];

	key_pair(n, priv, pub);
	for (size_t i = 0; i < h->last.n_removed && i < 64; i++)
		if (memcmp(h->removed[i], pub, WR_KEY_LEN) == 0)
			return true;
	return false;
}

static void
test_set(void)
{
	struct host h;
	struct wr_endpoint ep;
	uint8_t pub[WR_KEY_LEN], priv[WR_KEY_LEN], own[WR_KEY_LEN];
	struct wr_uapi_stats st;

	printf("uapi: set semantics\n");
	host_init(&h);

	/* add three peers */
	CHECK(setf(&h,
		      "set=1\nlisten_port=51821\npublic_key=%s\nallowed_ip=10.0.1.0/24\n"
		      "endpoint=198.51.100.1:1000\npublic_key=%s\nallowed_ip=10.0.2.0/24\n"
		      "public_key=%s\nallowed_ip=10.0.3.0/24\nallowed_ip=10.0.4.5/24\n\n",
		      khex(1, false), khex(2, false), khex(3, false)) == 0,
		"add");
	CHECK(h.port == 51821, "listen port %u", h.port);
	CHECK(wr_device_peer_count(h.dev) == 3, "peers %zu", wr_device_peer_count(h.dev));
	CHECK(strcmp(aips(peer_n(&h, 3)), "10.0.3.0/24 10.0.4.0/24") == 0, "masked: %s",
		aips(peer_n(&h, 3)));
	CHECK(h.changed_calls == 1 &&
			h.last.what ==
				(WR_UAPI_CHANGED_LISTEN_PORT | WR_UAPI_CHANGED_PEERS |
					WR_UAPI_CHANGED_ALLOWEDIPS | WR_UAPI_CHANGED_PEER_CONFIG) &&
			h.last.n_added == 3 && h.last.n_removed == 0 && added_has(&h, 2),
		"change notification %u what %#x", h.changed_calls, h.last.what);
	wr_peer_get_endpoint(peer_n(&h, 1), &ep);
	CHECK(ep.sa.sa_family == AF_INET && ntohs(ep.in4.sin_port) == 1000 &&
			ep.in4.sin_addr.s_addr == htonl(0xc6336401),
		"endpoint");

	/* same listen port: the host is not asked again, nothing reported */
	h.changed_calls = 0;
	CHECK(setf(&h, "set=1\nlisten_port=51821\n\n") == 0, "same port");
	CHECK(h.changed_calls == 0, "no-op set notified");

	/* refused listen port fails the whole set first */
	CHECK(setf(&h, "set=1\nlisten_port=1\npublic_key=%s\n\n", khex(4, false)) == -EADDRINUSE,
		"refused port");
	CHECK(peer_n(&h, 4) == NULL && h.changed_calls == 0, "refused port applied something");

	/* update_only: never creates, updates an existing peer */
	CHECK(setf(&h,
		      "set=1\npublic_key=%s\nupdate_only=true\nallowed_ip=10.9.0.0/16\n"
		      "public_key=%s\nupdate_only=true\npersistent_keepalive_interval=7\n\n",
		      khex(5, false), khex(2, false)) == 0,
		"update_only");
	CHECK(peer_n(&h, 5) == NULL, "update_only created a peer");
	CHECK(wr_peer_get_keepalive(peer_n(&h, 2)) == 7, "update_only did not update");
	CHECK(h.last.n_added == 0 && h.last.n_updated == 1 && updated_has(&h, 2) &&
			h.last.what == WR_UAPI_CHANGED_PEER_CONFIG,
		"update_only notify: added %zu updated %zu what %#x", h.last.n_added,
		h.last.n_updated, h.last.what);

	/* replace_allowed_ips: drops old prefixes and those listed before it in the block */
	CHECK(setf(&h,
		      "set=1\npublic_key=%s\nallowed_ip=10.7.0.0/16\nreplace_allowed_ips=true\n"
		      "allowed_ip=10.8.0.0/16\nallowed_ip=2001:db8:8::/48\n\n",
		      khex(3, false)) == 0,
		"replace_allowed_ips");
	CHECK(strcmp(aips(peer_n(&h, 3)), "10.8.0.0/16 2001:db8:8::/48") == 0, "aips %s",
		aips(peer_n(&h, 3)));

	/* an identical prefix moves from one peer to another */
	CHECK(setf(&h, "set=1\npublic_key=%s\nallowed_ip=10.8.0.0/16\n\n", khex(1, false)) == 0,
		"move");
	CHECK(strcmp(aips(peer_n(&h, 3)), "2001:db8:8::/48") == 0 &&
			strcmp(aips(peer_n(&h, 1)), "10.0.1.0/24 10.8.0.0/16") == 0,
		"move: %s", aips(peer_n(&h, 1)));
	CHECK(h.last.what == WR_UAPI_CHANGED_ALLOWEDIPS && h.last.n_updated == 1 &&
			updated_has(&h, 1),
		"move notify");

	/* added, then removed by a later block of the same request: reported removed only */
	h.removing_calls = 0;
	CHECK(setf(&h,
		      "set=1\npublic_key=%s\nallowed_ip=10.66.0.0/16\npublic_key=%s\n"
		      "remove=true\n\n",
		      khex(8, false), khex(8, false)) == 0,
		"add and remove");
	CHECK(!peer_n(&h, 8) && h.last.n_added == 0 && h.last.n_removed == 1 &&
			removed_has(&h, 8) && h.removing_calls == 1,
		"add and remove notify");

	/* remove: an existing peer goes, an unknown one is no error; lines after remove ignored */
	h.removing_calls = 0;
	CHECK(setf(&h,
		      "set=1\npublic_key=%s\nremove=true\nallowed_ip=10.5.0.0/16\n"
		      "public_key=%s\nremove=true\n\n",
		      khex(2, false), khex(6, false)) == 0,
		"remove");
	CHECK(peer_n(&h, 2) == NULL && peer_n(&h, 6) == NULL && wr_device_peer_count(h.dev) == 2,
		"remove result");
	CHECK(h.removing_calls == 1 && h.last.n_removed == 1 && removed_has(&h, 2),
		"remove notify");

	/* a peer with our own public key is ignored */
	CHECK(setf(&h, "set=1\npublic_key=%s\nallowed_ip=10.6.0.0/16\n\n", khex(0, false)) == 0,
		"own key");
	CHECK(peer_n(&h, 0) == NULL && wr_device_peer_count(h.dev) == 2, "own key added");

	/* replace_peers, then re-adding one of the old peers in the same request */
	h.removing_calls = 0;
	CHECK(setf(&h,
		      "set=1\nreplace_peers=true\npublic_key=%s\nallowed_ip=10.0.9.0/24\n"
		      "public_key=%s\n\n",
		      khex(7, false), khex(1, false)) == 0,
		"replace_peers");
	CHECK(wr_device_peer_count(h.dev) == 2 && peer_n(&h, 7) && peer_n(&h, 1) && !peer_n(&h, 3),
		"replace_peers result");
	CHECK(strcmp(aips(peer_n(&h, 1)), "") == 0, "re-added peer kept old prefixes");
	CHECK(h.removing_calls == 2 && h.last.n_removed == 2 && removed_has(&h, 1) &&
			removed_has(&h, 3) && h.last.n_added == 2 && added_has(&h, 1) &&
			added_has(&h, 7) && h.last.n_updated == 0,
		"replace_peers notify: removing %u removed %zu added %zu", h.removing_calls,
		h.last.n_removed, h.last.n_added);

	/* a new private key whose public key is a peer's: that peer goes (kernel semantics) */
	h.removing_calls = 0;
	CHECK(setf(&h, "set=1\nprivate_key=%s\n\n", khex(7, true)) == 0, "twin key");
	key_pair(7, priv, pub);
	CHECK(wr_device_get_public_key(h.dev, own) && memcmp(own, pub, WR_KEY_LEN) == 0, "new key");
	CHECK(peer_n(&h, 7) == NULL && h.removing_calls == 1 && removed_has(&h, 7) &&
			(h.last.what & WR_UAPI_CHANGED_PRIVATE_KEY),
		"twin not removed");

	/* preshared key: set and cleared with zeros; neither ever shows in get */
	CHECK(setf(&h, "set=1\npublic_key=%s\npreshared_key=%s\n\n", khex(1, false),
		      khex(3, true)) == 0,
		"psk");
	CHECK(setf(&h, "set=1\npublic_key=%s\npreshared_key=%064d\n\n", khex(1, false), 0) == 0,
		"psk zero");

	/* IPv6 endpoint with a numeric scope, uppercase hex key accepted */
	{
		char up[2 * WR_KEY_LEN + 1], *r = NULL;

		strcpy(up, khex(1, false));
		for (char *c = up; *c; c++)
			if (*c >= 'a' && *c <= 'f')
				*c = (char)(*c - 32);
		CHECK(setf(&h, "set=1\npublic_key=%s\nendpoint=[fe80::1%%1]:51820\n\n", up) == 0,
			"scoped endpoint");
		wr_peer_get_endpoint(peer_n(&h, 1), &ep);
		CHECK(ep.sa.sa_family == AF_INET6 && ep.in6.sin6_scope_id == 1 &&
				ntohs(ep.in6.sin6_port) == 51820,
			"scoped endpoint value");
		CHECK(call(&h, "get=1\n\n", &r) == 0 && strstr(r, "endpoint=[fe80::1%1]:51820\n"),
			"scoped endpoint get: %s", r);
		free(r);
	}

	/* zero private key clears ours */
	CHECK(setf(&h, "set=1\nprivate_key=%064d\n\n", 0) == 0, "clear key");
	CHECK(!wr_device_get_public_key(h.dev, own), "key not cleared");

	/* fwmark=0 is fine */
	CHECK(setf(&h, "set=1\nfwmark=0\n\n") == 0, "fwmark 0");

	wr_uapi_get_stats(h.u, &st);
	CHECK(st.malformed == 0 && st.sets_failed == 1, "stats malformed %llu failed %llu",
		(unsigned long long)st.malformed, (unsigned long long)st.sets_failed);
	host_fini(&h);
}

/* ---- invalid input changes nothing ---- */

struct bad_case {
	const char *where; /* "dev": a device line; "peer": inside a peer block; "raw": whole */
	const char *line;
	int want; /* errno value in the reply */
};

static const struct bad_case bad_cases[] = {
	{ "dev", "bogus", -EPROTO },
	{ "dev", "private_key=zz", -EINVAL },
	{ "dev",
		"private_key=0101010101010101010101010101010101010101010101010101010101010101"
		"01",
		-EINVAL },
	{ "dev", "private_key=010101010101010101010101010101010101010101010101010101010101010",
		-EINVAL },
	{ "dev", "private_key=g101010101010101010101010101010101010101010101010101010101010101",
		-EINVAL },
	{ "dev", "listen_port=65536", -EINVAL },
	{ "dev", "listen_port=-1", -EINVAL },
	{ "dev", "listen_port=", -EINVAL },
	{ "dev", "listen_port= 1", -EINVAL },
	{ "dev", "listen_port=0x10", -EINVAL },
	{ "dev", "listen_port=99999999999999999999999", -EINVAL },
	{ "dev", "fwmark=4294967296", -EINVAL },
	{ "dev", "replace_peers=false", -EINVAL },
	{ "dev", "foo=bar", -EINVAL },
	{ "dev", "=", -EINVAL },
	{ "dev", "endpoint=192.0.2.1:1", -EINVAL },
	{ "dev", "protocol_version=1", -EINVAL },
	{ "dev", "public_key=abcd", -EINVAL },
	{ "peer", "listen_port=1", -EINVAL },
	{ "peer", "private_key=0101010101010101010101010101010101010101010101010101010101010101",
		-EINVAL },
	{ "peer", "endpoint=192.0.2.1", -EINVAL },
	{ "peer", "endpoint=192.0.2.1:0", -EINVAL },
	{ "peer", "endpoint=192.0.2.1:65536", -EINVAL },
	{ "peer", "endpoint=192.0.2.1:", -EINVAL },
	{ "peer", "endpoint=192.0.2.256:1", -EINVAL },
	{ "peer", "endpoint=[2001:db8::1]", -EINVAL },
	{ "peer", "endpoint=[2001:db8::1]:", -EINVAL },
	{ "peer", "endpoint=[2001:db8::1:1", -EINVAL },
	{ "peer", "endpoint=2001:db8::1:51820", -EINVAL },
	{ "peer", "endpoint=[192.0.2.1]:1", -EINVAL },
	{ "peer", "endpoint=vpn.example.com:51820", -EINVAL },
	{ "peer", "endpoint=[fe80::1%nosuchif0]:1", -EINVAL },
	{ "peer", "endpoint=[fe80::1%]:1", -EINVAL },
	{ "peer", "endpoint=", -EINVAL },
	{ "peer", "persistent_keepalive_interval=65536", -EINVAL },
	{ "peer", "persistent_keepalive_interval=x", -EINVAL },
	{ "peer", "allowed_ip=10.0.0.0", -EINVAL },
	{ "peer", "allowed_ip=10.0.0.0/33", -EINVAL },
	{ "peer", "allowed_ip=10.0.0.0/", -EINVAL },
	{ "peer", "allowed_ip=10.0.0.0/-1", -EINVAL },
	{ "peer", "allowed_ip=10.0.0.0/8/8", -EINVAL },
	{ "peer", "allowed_ip=10.0.0.256/8", -EINVAL },
	{ "peer", "allowed_ip=2001:db8::/129", -EINVAL },
	{ "peer", "allowed_ip=2001:db8:::/64", -EINVAL },
	{ "peer", "allowed_ip=/8", -EINVAL },
	{ "peer", "allowed_ip=10.0.0.0/8\r", -EINVAL },
	{ "peer", "protocol_version=2", -EINVAL },
	{ "peer", "remove=1", -EINVAL },
	{ "peer", "update_only=false", -EINVAL },
	{ "peer", "replace_allowed_ips=yes", -EINVAL },
	{ "peer", "preshared_key=00", -EINVAL },
	{ "peer", "public_key=", -EINVAL },
	{ "peer", "fwmark=0", -EINVAL },
	{ "peer", "nokey", -EPROTO },
	{ "peer", "allowed_ip=10.0.0.0/8\x01", -EINVAL },
	{ "peer", "allowed_ip=-", -EINVAL },
	{ "peer", "allowed_ip=--10.0.0.0/8", -EINVAL },
	{ "peer", "allowed_ip=- 10.0.0.0/8", -EINVAL },
	{ "peer", "allowed_ip=-10.0.0.0", -EINVAL },
	{ "peer", "allowed_ip=-10.0.0.0/33", -EINVAL },
	{ "peer", "allowed_ip=10.0.0.0/8-", -EINVAL },
	{ "raw", "set=1\nlisten_port=51999\n", -EINVAL },                    /* no blank line */
	{ "raw", "set=1\nlisten_port=51999\n\nlisten_port=5\n\n", -EINVAL }, /* blank inside */
	{ "raw", "set=1\n\n\n", -EINVAL },
	{ "raw", "set=1\nlisten_port=51999", -EINVAL }, /* no newline at all */
	{ "raw", "set=1\nlisten_port=51999\n\n\n", -EINVAL },
};

static void
test_invalid(void)
{
	struct host h;
	char *before, *after, *req;
	struct wr_uapi_stats st;
	unsigned n = 0;

	printf("uapi: %zu invalid lines, each leaves the device unchanged\n",
		sizeof(bad_cases) / sizeof(bad_cases[0]));
	host_init(&h);
	CHECK(setf(&h,
		      "set=1\npublic_key=%s\nallowed_ip=10.0.1.0/24\nendpoint=192.0.2.9:9\n"
		      "persistent_keepalive_interval=5\npublic_key=%s\nallowed_ip=10.0.2.0/24\n\n",
		      khex(1, false), khex(2, false)) == 0,
		"setup");
	before = state(&h);
	h.changed_calls = h.removing_calls = 0;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		int got;

		/* everything before the bad line would change the device if applied */
		if (strcmp(c->where, "dev") == 0)
			req = fmt(
				"set=1\nprivate_key=%s\nlisten_port=4242\nreplace_peers=true\n%s\n"
				"public_key=%s\nallowed_ip=10.0.3.0/24\n\n",
				khex(5, true), c->line, khex(3, false));
		else if (strcmp(c->where, "peer") == 0)
			req = fmt("set=1\nprivate_key=%s\nlisten_port=4242\nreplace_peers=true\n"
				  "public_key=%s\nremove=true\npublic_key=%s\nallowed_ip=10.0.3.0/"
				  "24\n"
				  "endpoint=[2001:db8::3]:3\npersistent_keepalive_interval=9\n"
				  "replace_allowed_ips=true\n%s\n\n",
				khex(5, true), khex(2, false), khex(1, false), c->line);
		else
			req = strdup(c->line);
		got = call(&h, req, NULL);
		CHECK(got == c->want, "case %zu \"%s\": errno %d, want %d", i, c->line, got,
			c->want);
		after = state(&h);
		CHECK(strcmp(before, after) == 0, "case %zu \"%s\" changed the device:\n%s", i,
			c->line, after);
		free(after);
		free(req);
		n++;
	}
	CHECK(h.changed_calls == 0 && h.removing_calls == 0 && h.port == 51820,
		"failed sets notified the host");
	wr_uapi_get_stats(h.u, &st);
	CHECK(st.malformed == n && st.sets_failed == n, "malformed %llu of %u",
		(unsigned long long)st.malformed, n);

	/* the same requests without the bad line do apply (the table tests what it claims) */
	req = fmt("set=1\nprivate_key=%s\nlisten_port=4242\nreplace_peers=true\npublic_key=%s\n"
		  "allowed_ip=10.0.3.0/24\n\n",
		khex(5, true), khex(3, false));
	CHECK(call(&h, req, NULL) == 0, "control request");
	free(req);
	after = state(&h);
	CHECK(strcmp(before, after) != 0 && h.port == 4242 && wr_device_peer_count(h.dev) == 1,
		"control request changed nothing");
	free(after);
	free(before);
	host_fini(&h);
}

/*
 * Random damage to a valid request (bytes flipped, inserted, deleted, the end cut): the reply is
 * always well formed, and a set that fails leaves the device exactly as it was.
 */
static void
test_mutations(void)
{
	struct host h;
	char *base, *before, *after, *req;
	unsigned long long seed = 0x9e3779b97f4a7c15ULL;
	unsigned ok = 0, failed = 0, closed = 0;
	size_t blen;

	printf("uapi: 5000 damaged requests\n");
	host_init(&h);
	CHECK(setf(&h, "set=1\npublic_key=%s\nallowed_ip=10.0.1.0/24\n\n", khex(1, false)) == 0,
		"setup");
	base = fmt("set=1\nprivate_key=%s\nlisten_port=4242\nreplace_peers=true\n"
		   "public_key=%s\nendpoint=[2001:db8::3]:3\npersistent_keepalive_interval=9\n"
		   "replace_allowed_ips=true\nallowed_ip=10.0.3.0/24\nallowed_ip=2001:db8::/64\n"
		   "public_key=%s\nremove=true\n\n",
		khex(5, true), khex(3, false), khex(1, false));
	blen = strlen(base);
	req = malloc(blen + 64);
	for (unsigned it = 0; it < 5000; it++) {
		size_t len = blen;
		unsigned edits = 1 + it % 3;
		char *resp = NULL, *exact;
		size_t rlen = 0;
		int ret;

		memcpy(req, base, blen);
		for (unsigned e = 0; e < edits; e++) {
			size_t at;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			at = (size_t)(seed >> 33) % len;
			switch ((seed >> 20) % 4) {
			case 0: /* flip to a byte the grammar cares about, or any byte */
				req[at] = "=\n:/[]%0fx\0 \xff"[(seed >> 8) % 14];
				break;
			case 1: /* delete */
				memmove(req + at, req + at + 1, len - at - 1);
				len--;
				break;
			case 2: /* insert */
				if (len < blen + 60) {
					memmove(req + at + 1, req + at, len - at);
					req[at] = (char)(seed >> 12);
					len++;
				}
				break;
			default: /* cut */
				len = at + 1;
				break;
			}
		}
		before = state(&h);
		/* an exact-size copy, so that ASan sees any read past the request */
		exact = malloc(len);
		memcpy(exact, req, len);
		ret = wr_uapi_handle(h.u, exact, len, &resp, &rlen, 1000);
		free(exact);
		if (ret == 0) {
			const char *e = rlen >= 2 ? strstr(resp, "errno=") : NULL;
			long v = e ? strtol(e + 6, NULL, 10) : -1;

			CHECK(e && resp[rlen - 1] == '\n' && resp[rlen - 2] == '\n',
				"iteration %u: bad reply", it);
			if (v != 0) {
				after = state(&h);
				CHECK(strcmp(before, after) == 0,
					"iteration %u: failed set changed state", it);
				free(after);
				failed++;
			} else {
				ok++;
				/* back to the starting point for the next damaged request */
				free(before);
				host_fini(&h);
				host_init(&h);
				setf(&h, "set=1\npublic_key=%s\nallowed_ip=10.0.1.0/24\n\n",
					khex(1, false));
				before = NULL;
			}
		} else {
			CHECK(ret == -EPROTO, "iteration %u: handler returned %d", it, ret);
			closed++;
		}
		free(before);
		free(resp);
	}
	printf("uapi: damaged requests: %u applied, %u refused, %u not get/set\n", ok, failed,
		closed);
	CHECK(failed > 1000, "too few refusals (%u): the mutations do not test much", failed);
	free(req);
	free(base);
	host_fini(&h);
}

/* "allowed_ip=-PREFIX" removes that prefix from the block's peer, in its place, atomically */
static void
test_remove_allowed_ip(void)
{
	struct host h;
	char *before, *after;

	printf("uapi: allowed_ip=-PREFIX\n");
	host_init(&h);
	CHECK(setf(&h,
		      "set=1\npublic_key=%s\nallowed_ip=10.1.0.0/24\nallowed_ip=10.2.0.0/24\n"
		      "allowed_ip=2001:db8:1::/48\npublic_key=%s\nallowed_ip=10.3.0.0/24\n\n",
		      khex(1, false), khex(2, false)) == 0,
		"setup");

	CHECK(setf(&h, "set=1\npublic_key=%s\nallowed_ip=-10.1.0.0/24\n\n", khex(1, false)) == 0,
		"remove one");
	CHECK(strcmp(aips(peer_n(&h, 1)), "10.2.0.0/24 2001:db8:1::/48") == 0, "left: %s",
		aips(peer_n(&h, 1)));
	CHECK(h.last.what == WR_UAPI_CHANGED_ALLOWEDIPS && h.last.n_updated == 1 &&
			updated_has(&h, 1),
		"notified what %#x updated %zu", h.last.what, h.last.n_updated);

	/* another peer's prefix stays with it; an absent one is no error; host bits masked */
	CHECK(setf(&h,
		      "set=1\npublic_key=%s\nallowed_ip=-10.3.0.0/24\nallowed_ip=-10.9.0.0/24\n"
		      "allowed_ip=-10.2.0.77/24\nallowed_ip=-2001:db8:1::/48\n\n",
		      khex(1, false)) == 0,
		"remove several");
	CHECK(strcmp(aips(peer_n(&h, 1)), "") == 0 &&
			strcmp(aips(peer_n(&h, 2)), "10.3.0.0/24") == 0,
		"peer 1: '%s', peer 2: '%s'", aips(peer_n(&h, 1)), aips(peer_n(&h, 2)));

	/* in order with the additions of its block */
	CHECK(setf(&h,
		      "set=1\npublic_key=%s\nallowed_ip=10.5.0.0/24\nallowed_ip=-10.5.0.0/24\n"
		      "allowed_ip=-10.6.0.0/24\nallowed_ip=10.6.0.0/24\n\n",
		      khex(1, false)) == 0 &&
			strcmp(aips(peer_n(&h, 1)), "10.6.0.0/24") == 0,
		"in order: %s", aips(peer_n(&h, 1)));
	/* a peer created by its block; one after replace_allowed_ips */
	CHECK(setf(&h,
		      "set=1\npublic_key=%s\nallowed_ip=-10.7.0.0/24\nallowed_ip=10.8.0.0/24\n"
		      "public_key=%s\nreplace_allowed_ips=true\nallowed_ip=10.3.1.0/24\n"
		      "allowed_ip=-10.3.1.0/24\n\n",
		      khex(3, false), khex(2, false)) == 0,
		"new peer, replace");
	CHECK(strcmp(aips(peer_n(&h, 3)), "10.8.0.0/24") == 0 &&
			strcmp(aips(peer_n(&h, 2)), "") == 0,
		"peer 3: '%s', peer 2: '%s'", aips(peer_n(&h, 3)), aips(peer_n(&h, 2)));

	/* atomic: a bad line after a removal removes nothing */
	before = state(&h);
	CHECK(setf(&h, "set=1\npublic_key=%s\nallowed_ip=-10.6.0.0/24\nallowed_ip=10.0.0.0/33\n\n",
		      khex(1, false)) == -EINVAL,
		"bad line accepted");
	after = state(&h);
	CHECK(strcmp(before, after) == 0, "a refused removal applied:\n%s", after);
	free(before);
	free(after);
	host_fini(&h);
}

int
main(void)
{
	test_get();
	test_set();
	test_invalid();
	test_mutations();
	test_remove_allowed_ip();
	printf("uapi: %u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
