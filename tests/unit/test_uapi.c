/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * UAPI (wg's xplatform protocol): get serialization, set semantics (replace_peers, remove,
 * update_only, replace_allowed_ips, own key, key twin), a table of invalid lines each of which
 * must fail the whole set and leave the device exactly as it was, and the unix socket server
 * (partial and pipelined requests, several clients, a client that never reads, bounds, idle
 * timeout, stale and live socket files, mode, removal on close) in a temporary directory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "wr_crypto.h"
#include "wr_uapi.h"

static unsigned int failures, checks;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			printf("FAIL %s:%d: ", __func__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

/* ---- a device and a host ---- */

struct host {
	struct wr_device *dev;
	struct wr_uapi *u;
	uint16_t port;
	int refuse_port; /* set_listen_port() refuses this port with -EADDRINUSE */
	unsigned changed_calls, removing_calls;
	struct wr_uapi_changes last;
	uint8_t removed[64][WR_KEY_LEN], added[64][WR_KEY_LEN], updated[64][WR_KEY_LEN];
};

static void
dev_send(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
}

static void
dev_deliver(void *ctx, struct wr_peer *peer, const void *ippkt, size_t len)
{
}

static uint64_t
dev_wall(void *ctx)
{
	return 1700000000ULL * WR_NSEC_PER_SEC;
}

static uint16_t
h_get_port(void *ctx)
{
	return ((struct host *)ctx)->port;
}

static int
h_set_port(void *ctx, uint16_t port)
{
	struct host *h = ctx;

	if (port == h->refuse_port)
		return -EADDRINUSE;
	h->port = port;
	return 0;
}

static void
h_removing(void *ctx, struct wr_peer *peer)
{
	((struct host *)ctx)->removing_calls++;
}

static void
h_changed(void *ctx, const struct wr_uapi_changes *c)
{
	struct host *h = ctx;

	h->changed_calls++;
	h->last = *c;
	if (c->n_removed <= 64)
		memcpy(h->removed, c->removed, c->n_removed * WR_KEY_LEN);
	if (c->n_added <= 64)
		memcpy(h->added, c->added, c->n_added * WR_KEY_LEN);
	if (c->n_updated <= 64)
		memcpy(h->updated, c->updated, c->n_updated * WR_KEY_LEN);
}

static const struct wr_device_ops dev_ops = {
	.send = dev_send,
	.deliver = dev_deliver,
	.wall_time_ns = dev_wall,
};

static const struct wr_uapi_ops uapi_ops = {
	.get_listen_port = h_get_port,
	.set_listen_port = h_set_port,
	.peer_removing = h_removing,
	.changed = h_changed,
};

/* Private key number @p n (deterministic) and its public key. */
static void
key_pair(unsigned n, uint8_t priv[WR_KEY_LEN], uint8_t pub[WR_KEY_LEN])
{
	for (unsigned i = 0; i < WR_KEY_LEN; i++)
		priv[i] = (uint8_t)(n * 37 + i * 11 + 1);
	wr_x25519_public(pub, priv);
}

static void
hex(char out[2 * WR_KEY_LEN + 1], const uint8_t key[WR_KEY_LEN])
{
	for (unsigned i = 0; i < WR_KEY_LEN; i++)
		sprintf(out + 2 * i, "%02x", key[i]);
}

/* hex of public (or with @p private_key, private) key number n, in static storage */
static const char *
khex(unsigned n, bool private_key)
{
	static char bufs[8][2 * WR_KEY_LEN + 1];
	static unsigned next;
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];
	char *b = bufs[next++ % 8];

	key_pair(n, priv, pub);
	hex(b, private_key ? priv : pub);
	return b;
}

static void
host_init(struct host *h)
{
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];

	memset(h, 0, sizeof(*h));
	h->port = 51820;
	h->refuse_port = 1;
	h->dev = wr_device_create(&dev_ops, h);
	if (!h->dev) {
		printf("wr_device_create failed\n");
		exit(1);
	}
	key_pair(0, priv, pub);
	wr_device_set_private_key(h->dev, priv);
	h->u = wr_uapi_create(h->dev, &uapi_ops, h);
	if (!h->u) {
		printf("wr_uapi_create failed\n");
		exit(1);
	}
}

static void
host_fini(struct host *h)
{
	wr_uapi_destroy(h->u);
	wr_device_destroy(h->dev);
}

/* Send a request; returns the reply's errno value (INT32_MIN when no reply or malformed). */
static int
call(struct host *h, const char *req, char **reply)
{
	char *resp = NULL, *e;
	size_t len = 0;
	int ret = wr_uapi_handle(h->u, req, strlen(req), &resp, &len, 1000);
	long v;

	if (reply)
		*reply = NULL;
	if (ret < 0)
		return INT32_MIN;
	if (len < 2 || resp[len - 1] != '\n' || resp[len - 2] != '\n' || strlen(resp) != len) {
		free(resp);
		return INT32_MIN;
	}
	e = strstr(resp, "errno=");
	if (!e || (e != resp && e[-1] != '\n')) {
		free(resp);
		return INT32_MIN;
	}
	v = strtol(e + 6, NULL, 10);
	if (reply)
		*reply = resp;
	else
		free(resp);
	return (int)v;
}

/* printf into a malloc'd string */
static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* The device's observable state: the get reply and the public key. */
static char *
state(struct host *h)
{
	uint8_t pub[WR_KEY_LEN];
	char k[2 * WR_KEY_LEN + 1] = "none", *r = NULL, *s;

	if (wr_device_get_public_key(h->dev, pub))
		hex(k, pub);
	if (call(h, "get=1\n\n", &r) != 0)
		return strdup("get failed");
	s = fmt("own=%s\n%s", k, r);
	free(r);
	return s;
}

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

static struct wr_peer *
peer_n(struct host *h, unsigned n)
{
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];

	key_pair(n, priv, pub);
	return wr_device_lookup_peer(h->dev, pub);
}

struct aip_list {
	char s[512];
};

static int
aip_cat(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct aip_list *l = ctx;
	char a[64];

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(l->s + strlen(l->s), sizeof(l->s) - strlen(l->s), "%s%s/%u", l->s[0] ? " " : "", a,
		cidr);
	return 0;
}

static const char *
aips(struct wr_peer *p)
{
	static struct aip_list l;

	l.s[0] = '\0';
	if (p)
		wr_peer_foreach_allowedip(p, aip_cat, &l);
	return l.s;
}

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

static int
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
	{ "dev", "fwmark=1", -EOPNOTSUPP },
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
	{ "raw", "set=1\nlisten_port=51999\n", -EINVAL },                    /* no blank line */
	{ "raw", "set=1\nlisten_port=51999\n\nlisten_port=5\n\n", -EINVAL }, /* blank inside */
	{ "raw", "set=1\n\n\n", -EINVAL },
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

/* ---- the server ---- */

static char tmpdir[64];

static int
connect_to(const char *ifname)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", tmpdir, ifname);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("connect %s: %s\n", sa.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void
send_str(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);

		if (n < 0) {
			if (errno == EAGAIN)
				continue;
			return;
		}
		off += (size_t)n;
	}
}

/*
 * Poll the server and read @p fd until @p nreplies replies ("...errno=N\n\n") arrived, or EOF.
 * Returns the malloc'd text; *@p eof tells whether the server closed the connection.
 */
static char *
read_replies(struct wr_uapi_server *s, int fd, unsigned nreplies, uint64_t now, bool *eof)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);

	*eof = false;
	buf[0] = '\0';
	for (unsigned iter = 0; iter < 200000; iter++) {
		unsigned got = 0;
		ssize_t n;

		wr_uapi_server_poll(s, now);
		for (;;) {
			if (len + 4096 + 1 > cap)
				buf = realloc(buf, cap *= 2);
			n = read(fd, buf + len, cap - len - 1);
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		buf[len] = '\0';
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			*eof = true;
			return buf;
		}
		for (char *p = buf; (p = strstr(p, "errno=")); p++) {
			char *e = strstr(p, "\n\n");

			if (e)
				got++;
		}
		if (got >= nreplies)
			return buf;
	}
	return buf;
}

/* True when the server closed @p fd's connection (after polling it a few times). */
static bool
closed_by_server(struct wr_uapi_server *s, int fd, uint64_t now)
{
	bool eof;
	char *r = read_replies(s, fd, 1000, now, &eof);

	free(r);
	return eof;
}

static void
test_server(void)
{
	struct wr_uapi_server_config cfg = { .dir = tmpdir,
		.max_request = 4096,
		.max_lines = 20,
		.max_clients = 3,
		.idle_timeout = 10 * WR_NSEC_PER_SEC };
	struct wr_uapi_server *s = NULL, *s2 = NULL;
	struct wr_uapi_server_stats st;
	struct host h;
	char path[128], *r, *want;
	struct stat sb;
	bool eof;
	int a, b, c, d, ret;

	printf("uapi: server\n");
	host_init(&h);
	snprintf(path, sizeof(path), "%s/wrt0.sock", tmpdir);

	CHECK(wr_uapi_server_open(&s, "a/b", h.u, &cfg) == -EINVAL, "slash name");
	CHECK(wr_uapi_server_open(&s, "", h.u, &cfg) == -EINVAL, "empty name");
	CHECK(wr_uapi_server_open(&s, "0123456789abcdef", h.u, &cfg) == -EINVAL, "long name");
	CHECK(wr_uapi_server_open(&s, "..", h.u, &cfg) == -EINVAL, "dot-dot name");

	ret = wr_uapi_server_open(&s, "wrt0", h.u, &cfg);
	CHECK(ret == 0 && s, "open: %d", ret);
	if (!s)
		goto out;
	CHECK(lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode) && (sb.st_mode & 07777) == 0600,
		"socket mode %o", sb.st_mode);
	CHECK(wr_uapi_server_open(&s2, "wrt0", h.u, &cfg) == -EADDRINUSE, "live socket replaced");

	/* a request in three pieces, polled in between */
	a = connect_to("wrt0");
	send_str(a, "ge");
	wr_uapi_server_poll(s, 0);
	send_str(a, "t=1\n");
	wr_uapi_server_poll(s, 0);
	send_str(a, "\n");
	r = read_replies(s, a, 1, 0, &eof);
	CHECK(strcmp(r, "listen_port=51820\nerrno=0\n\n") == 0, "split get: %s", r);
	free(r);

	/* pipelined: a set and a get in one write, answered in order on one connection */
	want = fmt("set=1\npublic_key=%s\nallowed_ip=10.0.0.0/8\n\nget=1\n\n", khex(1, false));
	send_str(a, want);
	free(want);
	r = read_replies(s, a, 2, 0, &eof);
	CHECK(strncmp(r, "errno=0\n\nlisten_port=51820\npublic_key=", 38) == 0 &&
			strstr(r, "allowed_ip=10.0.0.0/8\nerrno=0\n\n"),
		"pipelined: %s", r);
	free(r);

	/* an invalid set over the socket: negative errno, nothing applied */
	send_str(a, "set=1\npublic_key=00\n\n");
	r = read_replies(s, a, 1, 0, &eof);
	CHECK(strcmp(r, "errno=-22\n\n") == 0 && wr_device_peer_count(h.dev) == 1, "bad set: %s",
		r);
	free(r);

	/* two clients: one half-way through a set, the other served meanwhile */
	b = connect_to("wrt0");
	want = fmt("set=1\npublic_key=%s\n", khex(2, false));
	send_str(b, want);
	free(want);
	wr_uapi_server_poll(s, 0);
	send_str(a, "get=1\n\n");
	r = read_replies(s, a, 1, 0, &eof);
	CHECK(strstr(r, "errno=0\n\n") && !strstr(r, khex(2, false)), "interleaved get: %s", r);
	free(r);
	send_str(b, "allowed_ip=10.2.0.0/16\n\n");
	r = read_replies(s, b, 1, 0, &eof);
	CHECK(strcmp(r, "errno=0\n\n") == 0 && peer_n(&h, 2), "interleaved set: %s", r);
	free(r);

	/* max_clients = 3: a fourth connection is closed at once */
	c = connect_to("wrt0");
	d = connect_to("wrt0");
	CHECK(closed_by_server(s, d, 0), "fourth client kept");
	close(d);

	/* a request over max_request, or with too many lines, closes the connection */
	{
		char big[5000];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		memcpy(big, "set=1\nfoo=", 10);
		send_str(c, big);
		CHECK(closed_by_server(s, c, 0), "oversized request kept");
		close(c);
		c = connect_to("wrt0");
		send_str(c, "set=1\n");
		for (int i = 0; i < 25; i++)
			send_str(c, "fwmark=0\n");
		CHECK(closed_by_server(s, c, 0), "too many lines kept");
		close(c);
	}

	/* not a get or set: closed without a reply */
	c = connect_to("wrt0");
	send_str(c, "hello=1\n");
	CHECK(closed_by_server(s, c, 0), "unknown op kept");
	close(c);

	/* EOF inside a request: closed, nothing applied */
	c = connect_to("wrt0");
	want = fmt("set=1\npublic_key=%s\n", khex(3, false));
	send_str(c, want);
	free(want);
	shutdown(c, SHUT_WR);
	CHECK(closed_by_server(s, c, 0) && !peer_n(&h, 3), "EOF inside a request");
	close(c);

	/* idle connections are closed once the clock passes the limit */
	c = connect_to("wrt0");
	wr_uapi_server_poll(s, 1 * WR_NSEC_PER_SEC);
	send_str(c, "get");
	wr_uapi_server_poll(s, 5 * WR_NSEC_PER_SEC);
	CHECK(!closed_by_server(s, c, 12 * WR_NSEC_PER_SEC), "closed while making progress");
	CHECK(closed_by_server(s, c, 30 * WR_NSEC_PER_SEC), "idle client kept");
	close(c);
	close(b);
	close(a);

	wr_uapi_server_get_stats(s, &st);
	CHECK(st.refused == 1 && st.oversized == 2 && st.protocol == 2 && st.timeouts >= 1,
		"stats refused %llu oversized %llu protocol %llu timeouts %llu",
		(unsigned long long)st.refused, (unsigned long long)st.oversized,
		(unsigned long long)st.protocol, (unsigned long long)st.timeouts);

	wr_uapi_server_close(s);
	s = NULL;
	CHECK(lstat(path, &sb) < 0 && errno == ENOENT, "socket file left behind");

	/* a stale socket file (nobody listening) is replaced */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		strcpy(sa.sun_path, path);
		CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "bind stale");
		close(fd);
		CHECK(wr_uapi_server_open(&s, "wrt0", h.u, &cfg) == 0, "stale socket not replaced");
		wr_uapi_server_close(s);
		s = NULL;
	}
	/* a regular file is not ours to remove */
	{
		int fd = open(path, O_CREAT | O_WRONLY, 0600);

		close(fd);
		CHECK(wr_uapi_server_open(&s, "wrt0", h.u, &cfg) == -EEXIST,
			"regular file replaced");
		CHECK(lstat(path, &sb) == 0 && S_ISREG(sb.st_mode), "regular file removed");
		unlink(path);
	}
out:
	wr_uapi_server_close(s);
	host_fini(&h);
}

/* A client that never reads a large reply stalls only itself. */
static void
test_server_slow_client(void)
{
	struct wr_uapi_server_config cfg = { .dir = tmpdir };
	struct wr_uapi_server *s = NULL;
	struct host h;
	char *full, *r;
	bool eof;
	int slow, fast;

	printf("uapi: server: a client that does not read\n");
	host_init(&h);
	for (unsigned i = 0; i < 3000; i++) {
		uint8_t pub[WR_KEY_LEN] = { 0 };
		struct wr_peer *p;
		uint8_t a4[4] = { 10, (uint8_t)(i >> 8), (uint8_t)i, 0 };

		memcpy(pub, &i, sizeof(i));
		pub[31] = 0x42;
		p = wr_device_add_peer(h.dev, pub, NULL);
		if (p)
			wr_peer_add_allowedip(p, AF_INET, a4, 24);
	}
	if (wr_uapi_server_open(&s, "wrt1", h.u, &cfg) != 0) {
		CHECK(false, "open");
		host_fini(&h);
		return;
	}
	CHECK(call(&h, "get=1\n\n", &full) == 0 && strlen(full) > 600000, "big get %zu",
		full ? strlen(full) : 0);

	slow = connect_to("wrt1");
	send_str(slow, "get=1\n\n");
	for (int i = 0; i < 50; i++)
		wr_uapi_server_poll(s, 0);
	fast = connect_to("wrt1");
	send_str(fast, "get=1\n\n");
	r = read_replies(s, fast, 1, 0, &eof);
	CHECK(full && strcmp(r, full) == 0, "fast client reply (%zu bytes)", strlen(r));
	free(r);
	r = read_replies(s, slow, 1, 0, &eof);
	CHECK(full && strcmp(r, full) == 0, "slow client reply (%zu bytes)", strlen(r));
	free(r);
	free(full);
	close(slow);
	close(fast);
	wr_uapi_server_close(s);
	host_fini(&h);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/wr_uapi_test.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_get();
	test_set();
	test_invalid();
	test_server();
	test_server_slow_client();
	rmdir(tmpdir);
	printf("uapi: %u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
