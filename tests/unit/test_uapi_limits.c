/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * UAPI (wg's xplatform protocol), its limits and what it tells: the host's peer limit counted
 * as a set is applied; the requests of `wg setconf` and `wg syncconf` (the key the gateway never
 * shows is kept, fwmark and listen_port=0 change nothing); what the operator is told (never a
 * key) on those and on refusals; and the server's bounds for a peer limit. Get, set semantics
 * and invalid input: test_uapi.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_uapi.h"
#include "uapi_test.h"

/* The host's peer limit: what a set creates and removes is counted as it is applied */
static void
test_limit(void)
{
	struct host h;
	unsigned calls;

	printf("uapi: peer limit\n");
	host_init(&h);
	h.limit = 3;
	CHECK(setf(&h, "set=1\npublic_key=%s\npublic_key=%s\n\n", khex(1, false), khex(2, false)) ==
				0 &&
			h.last_new == 2 && h.last_gone == 0,
		"two new: %zu new %zu gone", h.last_new, h.last_gone);
	/* removed and listed again: a new peer (a new id for the host) and a gone one */
	CHECK(setf(&h,
		      "set=1\npublic_key=%s\nremove=true\npublic_key=%s\nallowed_ip=10.1.0.0/"
		      "16\n\n",
		      khex(1, false), khex(1, false)) == 0 &&
			h.last_new == 1 && h.last_gone == 1,
		"re-created: %zu new %zu gone", h.last_new, h.last_gone);
	/* past the limit: refused whole */
	calls = h.changed_calls;
	CHECK(setf(&h, "set=1\npublic_key=%s\npublic_key=%s\n\n", khex(3, false), khex(4, false)) ==
			-ENOSPC,
		"over the limit not refused");
	CHECK(wr_device_peer_count(h.dev) == 2 && h.changed_calls == calls,
		"a refused set changed something: %zu peers", wr_device_peer_count(h.dev));
	/* updates of existing peers and update_only of missing ones create nothing: no call */
	calls = h.reserve_calls;
	CHECK(setf(&h,
		      "set=1\npublic_key=%s\nallowed_ip=10.2.0.0/16\npublic_key=%s\n"
		      "update_only=true\n\n",
		      khex(2, false), khex(5, false)) == 0 &&
			h.reserve_calls == calls,
		"updates counted as new: %zu", h.last_new);
	/* a zero private key: a peer with the old own key is a peer like any other */
	CHECK(setf(&h, "set=1\nprivate_key=%064d\npublic_key=%s\n\n", 0, khex(0, false)) == 0 &&
			h.last_new == 1 && wr_device_peer_count(h.dev) == 3,
		"own key after a zero private key: %zu new", h.last_new);
	/* replace_peers: every peer goes, every listed one is new */
	CHECK(setf(&h, "set=1\nreplace_peers=true\npublic_key=%s\npublic_key=%s\npublic_key=%s\n\n",
		      khex(1, false), khex(6, false), khex(7, false)) == 0 &&
			h.last_new == 3 && h.last_gone == 3,
		"replace: %zu new %zu gone", h.last_new, h.last_gone);
	host_fini(&h);
}

/* ---- what the operator is told (ops->notice) ---- */

static char notices[8][256];
static unsigned n_notices;

static void
h_notice(void *ctx, const char *msg)
{
	(void)ctx;
	snprintf(notices[n_notices % 8], sizeof(notices[0]), "%s", msg);
	n_notices++;
}

/* host_init() with a handler that also tells h_notice() */
static void
host_init_notice(struct host *h)
{
	struct wr_uapi_ops ops = uapi_ops;

	host_init(h);
	ops.notice = h_notice;
	wr_uapi_destroy(h->u);
	h->u = wr_uapi_create(h->dev, &ops, h);
	if (!h->u) {
		printf("wr_uapi_create failed\n");
		exit(1);
	}
	n_notices = 0;
}

static const char *
last_notice(void)
{
	return n_notices ? notices[(n_notices - 1) % 8] : "";
}

/* True when no notice so far holds any 16 hex digits of key @p n (public or private) */
static bool
notices_keyless(unsigned n)
{
	char pub[2 * WR_KEY_LEN + 1], priv[2 * WR_KEY_LEN + 1], part[17];

	snprintf(pub, sizeof(pub), "%s", khex(n, false));
	snprintf(priv, sizeof(priv), "%s", khex(n, true));
	for (unsigned i = 0; i < n_notices && i < 8; i++) {
		for (unsigned off = 0; off + 16 <= 2 * WR_KEY_LEN; off++) {
			snprintf(part, sizeof(part), "%.16s", pub + off);
			if (strstr(notices[i], part))
				return false;
			snprintf(part, sizeof(part), "%.16s", priv + off);
			if (strstr(notices[i], part))
				return false;
		}
	}
	return true;
}

static bool
own_is(struct host *h, unsigned n)
{
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN], own[WR_KEY_LEN];

	key_pair(n, priv, pub);
	return wr_device_get_public_key(h->dev, own) && memcmp(own, pub, WR_KEY_LEN) == 0;
}

/*
 * `wg showconf IF > f; wg setconf IF f` (and syncconf): get never returns the private key, so
 * the file has none and wg sends private_key of zeros with listen_port and fwmark; the device's
 * key stays, once said. `wg set IF private-key /dev/null` (private_key alone, or with
 * listen_port) still clears it. The request shapes are those wireguard-tools v1.0.20210914 sent
 * to a listener.
 */
static void
test_setconf_keeps_key(void)
{
	struct host h;
	uint8_t own[WR_KEY_LEN];
	char zero[2 * WR_KEY_LEN + 1];
	unsigned calls;

	printf("uapi: setconf and syncconf without a private key keep the device's\n");
	memset(zero, '0', 2 * WR_KEY_LEN);
	zero[2 * WR_KEY_LEN] = '\0';
	host_init_notice(&h);

	/* wg setconf of what wg showconf wrote */
	CHECK(setf(&h,
		      "set=1\nprivate_key=%s\nlisten_port=51820\nfwmark=0\nreplace_peers=true\n"
		      "public_key=%s\nreplace_allowed_ips=true\nallowed_ip=10.0.1.0/24\n\n",
		      zero, khex(1, false)) == 0,
		"setconf");
	CHECK(own_is(&h, 0), "setconf cleared the private key");
	CHECK(peer_n(&h, 1) && strcmp(aips(peer_n(&h, 1)), "10.0.1.0/24") == 0,
		"the rest of setconf applied");
	CHECK(n_notices == 1 && strstr(last_notice(), "keeps the interface's private key"),
		"said: %u '%s'", n_notices, last_notice());

	/* wg syncconf: the same without replace_peers; said once only */
	calls = h.changed_calls;
	CHECK(setf(&h,
		      "set=1\nprivate_key=%s\nlisten_port=51820\nfwmark=0\npublic_key=%s\n"
		      "replace_allowed_ips=true\nallowed_ip=10.0.2.0/24\n\n",
		      zero, khex(1, false)) == 0,
		"syncconf");
	CHECK(own_is(&h, 0) && strcmp(aips(peer_n(&h, 1)), "10.0.2.0/24") == 0,
		"syncconf cleared the key or did not apply");
	CHECK(h.changed_calls == calls + 1 && !(h.last.what & WR_UAPI_CHANGED_PRIVATE_KEY),
		"a kept key reported changed: %#x", h.last.what);
	CHECK(n_notices == 1, "said again: %u", n_notices);

	/* a file without ListenPort from a wg-quick host: listen_port=0 and its FwMark */
	CHECK(setf(&h, "set=1\nprivate_key=%s\nlisten_port=0\nfwmark=51820\nreplace_peers=true\n\n",
		      zero) == 0,
		"setconf without ListenPort, with FwMark");
	CHECK(own_is(&h, 0) && h.port == 51820 && wr_device_peer_count(h.dev) == 0,
		"key %d port %u peers %zu", own_is(&h, 0), h.port, wr_device_peer_count(h.dev));
	CHECK(n_notices == 2 && strstr(last_notice(), "fwmark ignored"), "fwmark said: '%s'",
		last_notice());

	/* a file with a PrivateKey sets it */
	CHECK(setf(&h, "set=1\nprivate_key=%s\nlisten_port=51820\nfwmark=0\n\n", khex(3, true)) ==
				0 &&
			own_is(&h, 3),
		"setconf with a key");

	/* wg set IF private-key /dev/null listen-port 51821: cleared, port set */
	CHECK(setf(&h, "set=1\nprivate_key=%s\nlisten_port=51821\n\n", zero) == 0 &&
			!wr_device_get_public_key(h.dev, own) && h.port == 51821,
		"wg set private-key /dev/null listen-port");
	/* wg set IF private-key /dev/null on a device with a key again: cleared */
	CHECK(setf(&h, "set=1\nprivate_key=%s\n\n", khex(3, true)) == 0 && own_is(&h, 3), "re-key");
	CHECK(setf(&h, "set=1\nprivate_key=%s\n\n", zero) == 0 &&
			!wr_device_get_public_key(h.dev, own),
		"wg set private-key /dev/null");
	/* without a key the setconf shape changes nothing either */
	CHECK(setf(&h, "set=1\nprivate_key=%s\nlisten_port=51821\nfwmark=0\n\n", zero) == 0 &&
			!wr_device_get_public_key(h.dev, own),
		"setconf shape, no key");
	CHECK(n_notices == 2 && notices_keyless(0) && notices_keyless(3), "notices: %u", n_notices);
	host_fini(&h);
}

/* fwmark is ignored whatever its value; listen_port=0 keeps the port (no random ports) */
static void
test_fwmark_port_zero(void)
{
	struct host h;
	unsigned calls;

	printf("uapi: fwmark ignored, listen_port=0 keeps the port\n");
	host_init_notice(&h);
	calls = h.changed_calls;
	CHECK(setf(&h, "set=1\nfwmark=0\n\n") == 0 && h.changed_calls == calls && n_notices == 0,
		"fwmark 0");
	CHECK(setf(&h, "set=1\nfwmark=4294967295\npublic_key=%s\n\n", khex(1, false)) == 0 &&
			peer_n(&h, 1),
		"fwmark 2^32-1 refused the set");
	CHECK(n_notices == 1 && strstr(last_notice(), "fwmark ignored"), "said: '%s'",
		last_notice());
	CHECK(setf(&h, "set=1\nfwmark=7\n\n") == 0 && n_notices == 1, "said twice");
	calls = h.changed_calls;
	CHECK(setf(&h, "set=1\nlisten_port=0\n\n") == 0 && h.port == 51820 &&
			h.changed_calls == calls,
		"listen_port=0: port %u, changes %u", h.port, h.changed_calls - calls);
	host_fini(&h);
}

/* Refusals are told with the line and the key name, never a value; so is E2BIG */
static void
test_refusal_notices(void)
{
	struct host h;
	char *resp = NULL;
	size_t len = 0;
	struct wr_uapi_stats st;

	printf("uapi: refusals are told, without values\n");
	host_init_notice(&h);
	CHECK(setf(&h, "set=1\npublic_key=%s\nallowed_ip=10.0.0.0/33\n\n", khex(1, false)) ==
			-EINVAL,
		"bad prefix");
	CHECK(strcmp(last_notice(), "wg set refused: line 3 (allowed_ip): Invalid argument") == 0,
		"'%s'", last_notice());
	/* a pasted key as a line, as a key name, as a bad value: none repeated */
	CHECK(setf(&h, "set=1\n%s\n\n", khex(5, true)) == -EPROTO &&
			strstr(last_notice(), "line 2 (not a known key)"),
		"'%s'", last_notice());
	CHECK(setf(&h, "set=1\n%s=1\n\n", khex(5, true)) == -EINVAL &&
			strstr(last_notice(), "line 2 (not a known key): Invalid argument"),
		"'%s'", last_notice());
	CHECK(setf(&h, "set=1\nlisten_port=1\nprivate_key=%.63s\n\n", khex(5, true)) == -EINVAL &&
			strstr(last_notice(), "line 3 (private_key)"),
		"'%s'", last_notice());
	CHECK(setf(&h, "set=1\npublic_key=%s\npreshared_key=%sff\n\n", khex(1, false),
		      khex(6, true)) == -EINVAL &&
			strstr(last_notice(), "line 3 (preshared_key)"),
		"'%s'", last_notice());
	CHECK(notices_keyless(5) && notices_keyless(6) && notices_keyless(1), "a key was told");
	/* the host's refusals */
	CHECK(setf(&h, "set=1\nlisten_port=1\n\n") == -EADDRINUSE &&
			strcmp(last_notice(),
				"wg set refused: listen_port: Address already in use") == 0,
		"'%s'", last_notice());
	h.limit = 1;
	CHECK(setf(&h, "set=1\npublic_key=%s\npublic_key=%s\n\n", khex(1, false), khex(2, false)) ==
				-ENOSPC &&
			strstr(last_notice(), "No space left on device"),
		"'%s'", last_notice());
	h.limit = 0;

	/* the server's bounds: a set's errno negative, a get's positive */
	n_notices = 0;
	CHECK(wr_uapi_refuse_oversized(h.u, true, 4096, 20, &resp, &len) == 0 && resp &&
			len == strlen("errno=-7\n\n") && strcmp(resp, "errno=-7\n\n") == 0,
		"set E2BIG: %s", resp);
	free(resp);
	CHECK(n_notices == 1 && strstr(last_notice(), "wg set refused") &&
			strstr(last_notice(), "4096 bytes or 20 lines: Argument list too long"),
		"'%s'", last_notice());
	CHECK(wr_uapi_refuse_oversized(h.u, false, 4096, 20, &resp, &len) == 0 &&
			strcmp(resp, "errno=7\n\n") == 0,
		"get E2BIG: %s", resp);
	free(resp);
	wr_uapi_get_stats(h.u, &st);
	CHECK(st.sets_failed == 8, "sets failed %llu", (unsigned long long)st.sets_failed);
	host_fini(&h);
}

/* The server's bounds follow the peer limit: a setconf of that many peers fits */
static void
test_server_bounds(void)
{
	struct wr_uapi_server_config c = { 0 };

	printf("uapi: server bounds for a peer limit\n");
	wr_uapi_server_config_for_peers(&c, 0);
	CHECK(c.max_request == WR_UAPI_MAX_REQUEST && c.max_lines == WR_UAPI_MAX_LINES,
		"no peers: %zu %zu", c.max_request, c.max_lines);
	wr_uapi_server_config_for_peers(&c, 16384);
	CHECK(c.max_request == WR_UAPI_MAX_REQUEST && c.max_lines == WR_UAPI_MAX_LINES,
		"the default MaxPeers: %zu %zu", c.max_request, c.max_lines);
	wr_uapi_server_config_for_peers(&c, 100000);
	CHECK(c.max_request == 100000 * (size_t)WR_UAPI_PEER_BYTES &&
			c.max_lines == 100000 * (size_t)WR_UAPI_PEER_LINES,
		"100000 peers: %zu %zu", c.max_request, c.max_lines);
	wr_uapi_server_config_for_peers(&c, 1000000);
	CHECK(c.max_request == WR_UAPI_MAX_REQUEST_CAP && c.max_lines == WR_UAPI_MAX_LINES_CAP,
		"MaxPeers' limit: %zu %zu", c.max_request, c.max_lines);
	wr_uapi_server_config_for_peers(&c, (size_t)-1);
	CHECK(c.max_request == WR_UAPI_MAX_REQUEST_CAP && c.max_lines == WR_UAPI_MAX_LINES_CAP,
		"capped: %zu %zu", c.max_request, c.max_lines);
}

int
main(void)
{
	test_limit();
	test_setconf_keeps_key();
	test_fwmark_port_zero();
	test_refusal_notices();
	test_server_bounds();
	printf("uapi: %u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
