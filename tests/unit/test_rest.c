/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST API with real clients: the server runs in this process on a temporary unix socket
 * (and a loopback TCP port with a token), polled from the main loop while curl (forked) sends
 * requests. Every answer is checked against docs/openapi.json, and every documented operation
 * must have been exercised. Covers every resource and method, every error class, unknown fields,
 * wrong types, huge bodies, atomic bulk replace, write-only secrets and the Prometheus text.
 * Slow and concurrent clients, the TCP token and the unix socket: test_rest_clients.c. Skips
 * (77) without curl.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "rest_harness.h"
#include "rest_host.h"
#include "wr_base64.h"
#include "wr_crypto.h"

/* ---- tests ---- */

static void
test_status(void)
{
	struct res r;

	request(&r, "GET", "/v1/status", NULL);
	CHECK(r.status == 200, "status: %d", r.status);
	CHECK(jstr(r.json, "version") && !strcmp(jstr(r.json, "version"), "9.9-test"), "version");
	CHECK(json_integer_value(json_object_get(r.json, "uptime_seconds")) == 42, "uptime");
	CHECK(json_array_size(json_object_get(r.json, "ports")) == 2, "ports");
	CHECK(json_array_size(json_object_get(r.json, "lcores")) == 2, "lcores");
	CHECK(json_array_size(json_object_get(r.json, "interfaces")) == 2, "interfaces");
	CHECK(jstr(r.json, "eal_file_prefix") &&
			!strcmp(jstr(r.json, "eal_file_prefix"), "wirerate-7"),
		"EAL file prefix");
	CHECK(json_integer_value(json_object_get(json_object_get(r.json, "drops"), "no_route")) ==
				3 &&
			json_object_size(json_object_get(r.json, "drops")) == WR_DROP_COUNT - 1,
		"the gateway's own drops");
	res_free(&r);
	request(&r, "POST", "/v1/status", "{}");
	CHECK(is_error(&r, 405, "method_not_allowed", NULL) && !strcmp(r.allow, "GET"), "405");
	res_free(&r);
}

static void
test_interfaces(const struct key *own)
{
	struct res r;
	unsigned changed = wg1.changed;

	request(&r, "GET", "/v1/interfaces", NULL);
	CHECK(r.status == 200 && json_array_size(json_object_get(r.json, "interfaces")) == 2,
		"list: %d", r.status);
	res_free(&r);
	request(&r, "GET", "/v1/interfaces/wg0", NULL);
	CHECK(r.status == 200 && !strcmp(jstr(r.json, "public_key"), own->std), "wg0's key");
	CHECK(!strcmp(jstr(r.json, "port"), "wan0") &&
			json_integer_value(json_object_get(r.json, "listen_port")) == 51820,
		"wg0's port");
	res_free(&r);
	request(&r, "GET", "/v1/interfaces/nope", NULL);
	CHECK(is_error(&r, 404, "not_found", "interface"), "unknown interface");
	res_free(&r);

	request(&r, "PATCH", "/v1/interfaces/wg1", "{\"listen_port\": 51821}");
	CHECK(r.status == 200 && wg1.port == 51821, "listen port: %d", r.status);
	res_free(&r);
	request(&r, "PATCH", "/v1/interfaces/wg1", "{\"listen_port\": 7777}");
	CHECK(is_error(&r, 409, "conflict", "listen_port") && wg1.port == 51821, "port in use");
	res_free(&r);
	request(&r, "PATCH", "/v1/interfaces/wg1", "{\"listen_port\": \"1\"}");
	CHECK(is_error(&r, 400, "wrong_type", "listen_port"), "port type");
	res_free(&r);
	request(&r, "PATCH", "/v1/interfaces/wg1", "{\"listen_port\": 70000}");
	CHECK(is_error(&r, 400, "invalid_value", "listen_port"), "port range");
	res_free(&r);
	/* no port at random: the peers must know it */
	request(&r, "PATCH", "/v1/interfaces/wg1", "{\"listen_port\": 0}");
	CHECK(is_error(&r, 400, "invalid_value", "listen_port") && strstr(r.body, "1..65535") &&
			wg1.port == 51821,
		"listen port 0: %s", r.body);
	res_free(&r);
	request(&r, "PATCH", "/v1/interfaces/wg1", "{\"mtu\": 1400}");
	CHECK(is_error(&r, 400, "unknown_field", "mtu"), "unknown field");
	res_free(&r);
	CHECK(wg1.changed == changed + 1, "refused requests changed nothing");

	/* the private key is write-only */
	char body[128];
	struct key k;

	make_key(&k, 900);
	snprintf(body, sizeof(body), "{\"private_key\": \"%s\"}", k.priv_std);
	request(&r, "PATCH", "/v1/interfaces/wg1", body);
	CHECK(r.status == 200 && !strcmp(jstr(r.json, "public_key"), k.std), "set key");
	CHECK(!strstr(r.body, k.priv_std) && !strstr(r.body, "private"), "key not returned");
	res_free(&r);
	request(&r, "PATCH", "/v1/interfaces/wg1", "{\"private_key\": null}");
	CHECK(r.status == 200 && json_is_null(json_object_get(r.json, "public_key")), "clear key");
	res_free(&r);
	request(&r, "PATCH", "/v1/interfaces/wg1", "{\"private_key\": \"AAAA\"}");
	CHECK(is_error(&r, 400, "invalid_value", "private_key"), "bad key");
	res_free(&r);
}

static void
test_peer_crud(const struct key *own)
{
	struct key a, b;
	char body[512];
	struct res r;
	struct wr_peer *peer;
	struct wr_endpoint ep;

	make_key(&a, 1);
	make_key(&b, 2);
	/* PUT creates */
	snprintf(body, sizeof(body),
		"{\"allowed_ips\": [\"10.0.0.1/32\", \"2001:db8:1::/48\"], \"endpoint\": "
		"\"192.0.2.7:51820\", \"persistent_keepalive\": 25, \"preshared_key\": \"%s\"}",
		b.priv_std);
	request(&r, "PUT", ppath("wg0", &a, NULL), body);
	CHECK(r.status == 201, "create: %d %s", r.status, r.body);
	CHECK(!strcmp(jstr(r.json, "public_key"), a.std) && !strcmp(jstr(r.json, "id"), a.url),
		"keys");
	CHECK(!strcmp(jstr(r.json, "endpoint"), "192.0.2.7:51820"), "endpoint");
	CHECK(json_array_size(json_object_get(r.json, "allowed_ips")) == 2, "allowed ips");
	CHECK(!strstr(r.body, b.priv_std) && !strstr(r.body, "preshared"), "psk not returned");
	CHECK(wg0.added == 1, "host told: added %zu", wg0.added);
	res_free(&r);
	peer = wr_device_lookup_peer(wg0.dev, a.pub);
	CHECK(peer && wr_peer_get_keepalive(peer) == 25, "in the device");

	/* PUT replaces; an absent endpoint is kept (it may have roamed) */
	request(&r, "PUT", ppath("wg0", &a, NULL), "{\"allowed_ips\": [\"10.0.0.2/32\"]}");
	CHECK(r.status == 200, "replace: %d", r.status);
	CHECK(!strcmp(jstr(r.json, "endpoint"), "192.0.2.7:51820"), "endpoint kept");
	CHECK(json_integer_value(json_object_get(r.json, "persistent_keepalive")) == 0, "ka off");
	CHECK(json_array_size(json_object_get(r.json, "allowed_ips")) == 1 &&
			!strcmp(json_string_value(
					json_array_get(json_object_get(r.json, "allowed_ips"), 0)),
				"10.0.0.2/32"),
		"allowed ips replaced");
	CHECK(wg0.updated == 1 && wr_device_lookup_peer(wg0.dev, a.pub) == peer,
		"updated in place");
	res_free(&r);

	/* PATCH changes what is given */
	request(&r, "PATCH", ppath("wg0", &a, NULL), "{\"persistent_keepalive\": 10}");
	CHECK(r.status == 200 && wr_peer_get_keepalive(peer) == 10, "patch: %d", r.status);
	CHECK(json_array_size(json_object_get(r.json, "allowed_ips")) == 1, "aips untouched");
	res_free(&r);
	request(&r, "PATCH", ppath("wg0", &a, NULL), "{\"endpoint\": null}");
	wr_peer_get_endpoint(peer, &ep);
	CHECK(r.status == 200 && ep.sa.sa_family == 0 &&
			json_is_null(json_object_get(r.json, "endpoint")),
		"endpoint cleared");
	res_free(&r);
	request(&r, "PATCH", ppath("wg0", &a, NULL), "{\"endpoint\": \"[2001:db8::9]:443\"}");
	CHECK(r.status == 200 && !strcmp(jstr(r.json, "endpoint"), "[2001:db8::9]:443"), "v6 ep");
	res_free(&r);
	request(&r, "GET", ppath("wg0", &a, NULL), NULL);
	CHECK(r.status == 200 && !strcmp(jstr(r.json, "public_key"), a.std), "get");
	res_free(&r);
	request(&r, "GET", ppath("wg0", &a, "/stats"), NULL);
	CHECK(r.status == 200 && json_object_get(r.json, "rx_bytes"), "stats");
	res_free(&r);
	request(&r, "DELETE", ppath("wg0", &a, "/stats"), NULL);
	CHECK(is_error(&r, 405, "method_not_allowed", NULL), "stats is read-only");
	res_free(&r);

	/* POST creates, and only creates */
	snprintf(body, sizeof(body), "{\"public_key\": \"%s\", \"allowed_ips\": [\"10.0.1.0/24\"]}",
		b.std);
	request(&r, "POST", "/v1/interfaces/wg0/peers", body);
	CHECK(r.status == 201 && strstr(r.location, b.url), "post: %d %s", r.status, r.location);
	res_free(&r);
	request(&r, "POST", "/v1/interfaces/wg0/peers", body);
	CHECK(is_error(&r, 409, "conflict", "public_key"), "post twice");
	res_free(&r);
	request(&r, "GET", "/v1/interfaces/wg0/peers", NULL);
	CHECK(r.status == 200 && json_array_size(json_object_get(r.json, "peers")) == 2, "list");
	res_free(&r);

	/* the interface itself is not a peer */
	request(&r, "PUT", ppath("wg0", own, NULL), "{}");
	CHECK(is_error(&r, 409, "conflict", "public_key"), "own key");
	res_free(&r);
	snprintf(body, sizeof(body), "{\"public_key\": \"%s\"}", b.std);
	request(&r, "PUT", ppath("wg0", &a, NULL), body);
	CHECK(is_error(&r, 400, "invalid_value", "public_key"), "key differs from the path");
	res_free(&r);
	request(&r, "GET", "/v1/interfaces/wg0/peers/not-a-key", NULL);
	CHECK(is_error(&r, 400, "invalid_value", "public_key"), "bad path key");
	res_free(&r);

	/* DELETE */
	request(&r, "DELETE", ppath("wg0", &b, NULL), NULL);
	CHECK(r.status == 204 && !wr_device_lookup_peer(wg0.dev, b.pub), "delete: %d", r.status);
	res_free(&r);
	request(&r, "DELETE", ppath("wg0", &b, NULL), NULL);
	CHECK(is_error(&r, 404, "not_found", "public_key"), "delete twice");
	res_free(&r);
	request(&r, "GET", ppath("wg0", &b, NULL), NULL);
	CHECK(is_error(&r, 404, "not_found", "public_key"), "get deleted");
	res_free(&r);
	request(&r, "GET", ppath("wg0", &b, "/stats"), NULL);
	CHECK(is_error(&r, 404, "not_found", "public_key"), "stats of deleted");
	res_free(&r);
	request(&r, "PATCH", ppath("wg0", &b, NULL), "{}");
	CHECK(is_error(&r, 404, "not_found", "public_key"), "patch missing");
	res_free(&r);
}

static void
bad(const char *method, const char *path, const char *body, int status, const char *code,
	const char *field)
{
	struct res r;
	unsigned changed = wg0.changed;
	size_t peers = wr_device_peer_count(wg0.dev);

	request(&r, method, path, body);
	CHECK(is_error(&r, status, code, field), "%s %s %s", method, path, body ? body : "");
	CHECK(wg0.changed == changed && wr_device_peer_count(wg0.dev) == peers,
		"a refused request changed something: %s", body ? body : "");
	res_free(&r);
}

static void
test_errors(void)
{
	struct key k, k2;
	char p[256], body[256];
	struct res r;

	make_key(&k, 3);
	snprintf(p, sizeof(p), "/v1/interfaces/wg0/peers/%s", k.url);
	bad("PUT", p, "{\"allowed_ips\": [", 400, "invalid_json", NULL);
	bad("PUT", p, "", 400, "invalid_json", NULL);
	bad("PUT", p, "[1]", 400, "wrong_type", NULL);
	/* JSON, but no object: the wrong type, as documented, not invalid JSON */
	bad("PUT", p, "5", 400, "wrong_type", NULL);
	bad("PUT", p, "\"x\"", 400, "wrong_type", NULL);
	bad("PUT", p, "null", 400, "wrong_type", NULL);
	bad("PUT", p, " true ", 400, "wrong_type", NULL);
	bad("PUT", p, "5 6", 400, "invalid_json", NULL);
	bad("PUT", p, "{\"a\": 1, \"a\": 2}", 400, "invalid_json", NULL);
	bad("PUT", p, "{\"bogus\": 1}", 400, "unknown_field", "bogus");
	bad("PUT", p, "{\"allowed_ips\": \"10.0.0.1/32\"}", 400, "wrong_type", "allowed_ips");
	bad("PUT", p, "{\"allowed_ips\": [1]}", 400, "wrong_type", "allowed_ips[0]");
	bad("PUT", p, "{\"allowed_ips\": [\"10.0.0.0/8\", \"10.0.0.1/33\"]}", 400, "invalid_value",
		"allowed_ips[1]");
	bad("PUT", p, "{\"allowed_ips\": [\"10.0.0.0\"]}", 400, "invalid_value", "allowed_ips[0]");
	bad("PUT", p, "{\"endpoint\": 5}", 400, "wrong_type", "endpoint");
	bad("PUT", p, "{\"endpoint\": \"example.com:1\"}", 400, "invalid_value", "endpoint");
	bad("PUT", p, "{\"endpoint\": \"192.0.2.1:0\"}", 400, "invalid_value", "endpoint");
	bad("PUT", p, "{\"persistent_keepalive\": -1}", 400, "invalid_value",
		"persistent_keepalive");
	bad("PUT", p, "{\"persistent_keepalive\": 1.5}", 400, "wrong_type", "persistent_keepalive");
	bad("PUT", p, "{\"persistent_keepalive\": true}", 400, "wrong_type",
		"persistent_keepalive");
	bad("PUT", p, "{\"preshared_key\": \"short\"}", 400, "invalid_value", "preshared_key");
	bad("PUT", p, "{\"preshared_key\": 1}", 400, "wrong_type", "preshared_key");
	bad("POST", "/v1/interfaces/wg0/peers", "{}", 400, "missing_field", "public_key");
	bad("DELETE", "/v1/interfaces", NULL, 405, "method_not_allowed", NULL);
	bad("PATCH", "/v1/interfaces/wg0/peers", "{}", 405, "method_not_allowed", NULL);
	bad("PUT", "/metrics", "{}", 405, "method_not_allowed", NULL);
	bad("GET", "/v1/nothing", NULL, 404, "not_found", NULL);
	bad("GET", "/v2/status", NULL, 404, "not_found", NULL);
	bad("GET", "/v1/interfaces/wg0/peers/", NULL, 404, "not_found", NULL);
	bad("GET", "/v1/interfaces/wg0/bogus", NULL, 404, "not_found", NULL);

	request(&r, "DELETE", "/v1/interfaces", NULL);
	CHECK(!strcmp(r.allow, "GET"), "Allow: %s", r.allow);
	res_free(&r);
	/*
	 * The media type is application/json, not a longer one that begins so; with parameters, in
	 * any case, it is taken (and the body then refused for what it is)
	 */
	{
		static const struct {
			const char *ctype;
			int status;
			const char *code;
		} types[] = {
			{ "text/plain", 415, "unsupported_media_type" },
			{ "application/jsonfoo", 415, "unsupported_media_type" },
			{ "application/json-patch+json", 415, "unsupported_media_type" },
			{ "application/json; charset=utf-8", 400, "wrong_type" },
			{ "Application/JSON;charset=utf-8", 400, "wrong_type" },
			{ "application/json", 400, "wrong_type" },
		};

		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			request_ex(&r, "PUT", p, "[1]", types[t].ctype, NULL);
			CHECK(is_error(&r, types[t].status, types[t].code, NULL), "%s: %d",
				types[t].ctype, types[t].status);
			res_free(&r);
		}
	}
	CHECK(!wr_device_lookup_peer(wg0.dev, k.pub), "no peer from bad requests");

	/*
	 * An unknown member is named in the error when it looks like a member name; anything else
	 * (a key pasted in the wrong place, say) is never echoed
	 */
	make_key(&k2, 4);
	snprintf(body, sizeof(body), "{\"%s\": 1}", k2.std);
	request(&r, "PUT", p, body);
	CHECK(is_error(&r, 400, "unknown_field", NULL) && !strstr(r.body, k2.std) &&
			strstr(r.body, "not a valid member name"),
		"a key as a member name is not echoed: %s", r.body);
	res_free(&r);
	snprintf(body, sizeof(body), "{\"peers\": [{\"public_key\": \"%s\", \"%s\": 1}]}", k2.std,
		k2.priv_std);
	request(&r, "PUT", "/v1/interfaces/wg0/peers", body);
	CHECK(is_error(&r, 400, "unknown_field", NULL) && !strstr(r.body, k2.priv_std) &&
			strstr(r.body, "peers[0]: not a valid member name"),
		"nor in a bulk replace: %s", r.body);
	res_free(&r);
	bad("PUT", p, "{\"Allowed_IPs\": []}", 400, "unknown_field", NULL);
	bad("PUT", p, "{\"a_name_of_thirty_three_letters_xy\": []}", 400, "unknown_field", NULL);
	bad("PUT", p, "{\"a_name_of_thirty_two_letters_xyz\": []}", 400, "unknown_field",
		"a_name_of_thirty_two_letters_xyz");
	bad("PUT", p, "{\"\": []}", 400, "unknown_field", NULL);
}

static void
test_huge_body(void)
{
	static const char *const chunked[] = { "-H", "Transfer-Encoding: chunked", NULL };
	size_t n = MAX_BODY + 4096;
	char *big = malloc(n + 1);
	struct res r;

	/* a valid JSON prefix, then spaces: only the size is wrong */
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	request(&r, "PUT", "/v1/interfaces/wg0/peers", big);
	CHECK(is_error(&r, 413, "payload_too_large", NULL), "413 by Content-Length");
	res_free(&r);
	request_ex(&r, "PUT", "/v1/interfaces/wg0/peers", big, NULL, chunked);
	CHECK(is_error(&r, 413, "payload_too_large", NULL), "413 while streaming");
	res_free(&r);
	free(big);
	request(&r, "GET", "/v1/status", NULL);
	CHECK(r.status == 200, "still serving");
	res_free(&r);
}

/* A peer set of @p n peers numbered from @p first as JSON; bad_at: the peer to spoil, or -1. */
static char *
peer_set(unsigned first, unsigned n, int bad_at)
{
	size_t cap = 64 + (size_t)n * 256, len = 0;
	char *s = malloc(cap);

	len += (size_t)snprintf(s + len, cap - len, "{\"peers\": [");
	for (unsigned i = 0; i < n; i++) {
		char v6[64];
		struct key k;
		unsigned id = first + i;

		make_key(&k, id);
		if ((int)i == bad_at)
			snprintf(v6, sizeof(v6), "10.0.0.0/99");
		else
			snprintf(v6, sizeof(v6), "2001:db8:%x::/48", id);
		len += (size_t)snprintf(s + len, cap - len,
			"%s{\"public_key\": \"%s\", \"endpoint\": \"198.51.100.%u:%u\", "
			"\"allowed_ips\": [\"10.%u.%u.0/24\", \"%s\"]}",
			i ? ", " : "", k.std, id % 250 + 1, 1000 + id, id >> 8 & 0xff, id & 0xff,
			v6);
	}
	snprintf(s + len, cap - len, "]}");
	return s;
}

static void
test_bulk(const struct key *own)
{
	char *set, body[512], field[64];
	struct wr_peer *kept;
	struct key k10, k60;
	struct res r;

	set = peer_set(100, 50, -1);
	request(&r, "PUT", "/v1/interfaces/wg0/peers", set);
	CHECK(r.status == 200 && json_integer_value(json_object_get(r.json, "peer_count")) == 50,
		"bulk: %d %s", r.status, r.body);
	CHECK(wr_device_peer_count(wg0.dev) == 50, "50 peers");
	res_free(&r);
	free(set);

	make_key(&k60, 160);
	/* 125..174: 25 stay (in place), 25 go, 25 come */
	set = peer_set(125, 50, -1);
	make_key(&k10, 130);
	kept = wr_device_lookup_peer(wg0.dev, k10.pub);
	request(&r, "PUT", "/v1/interfaces/wg0/peers", set);
	CHECK(r.status == 200 && json_integer_value(json_object_get(r.json, "added")) == 25 &&
			json_integer_value(json_object_get(r.json, "removed")) == 25 &&
			json_integer_value(json_object_get(r.json, "updated")) == 25,
		"bulk delta: %s", r.body);
	CHECK(kept && wr_device_lookup_peer(wg0.dev, k10.pub) == kept, "kept peers stay in place");
	CHECK(wr_device_lookup_peer(wg0.dev, k60.pub), "new peer");
	CHECK(wg0.added == 25 && wg0.removed == 25, "host told");
	res_free(&r);
	free(set);

	/* all or nothing: a bad prefix in the 31st peer changes nothing */
	set = peer_set(300, 50, 30);
	bad("PUT", "/v1/interfaces/wg0/peers", set, 400, "invalid_value",
		"peers[30].allowed_ips[1]");
	free(set);
	CHECK(wr_device_lookup_peer(wg0.dev, k10.pub) == kept &&
			wr_device_peer_count(wg0.dev) == 50,
		"unchanged");

	make_key(&k10, 500);
	snprintf(body, sizeof(body),
		"{\"peers\": [{\"public_key\": \"%s\"}, {\"public_key\": \"%s\"}]}", k10.std,
		k10.std);
	bad("PUT", "/v1/interfaces/wg0/peers", body, 400, "invalid_value", "peers[1].public_key");
	snprintf(body, sizeof(body),
		"{\"peers\": [{\"public_key\": \"%s\", \"allowed_ips\": [\"10.9.0.0/16\"]}, "
		"{\"public_key\": \"%s\", \"allowed_ips\": [\"10.9.1.1/16\"]}]}",
		k10.std, k60.std);
	bad("PUT", "/v1/interfaces/wg0/peers", body, 400, "invalid_value",
		"peers[1].allowed_ips[0]");
	snprintf(body, sizeof(body), "{\"peers\": [{\"public_key\": \"%s\"}]}", own->std);
	bad("PUT", "/v1/interfaces/wg0/peers", body, 409, "conflict", "peers[0].public_key");
	snprintf(body, sizeof(body), "{\"peers\": [{\"public_key\": \"%s\"}, {\"pubkey\": 1}]}",
		k10.std);
	snprintf(field, sizeof(field), "peers[1].pubkey");
	bad("PUT", "/v1/interfaces/wg0/peers", body, 400, "unknown_field", field);
	bad("PUT", "/v1/interfaces/wg0/peers", "{\"peers\": [{}]}", 400, "missing_field",
		"peers[0].public_key");
	bad("PUT", "/v1/interfaces/wg0/peers", "{\"peers\": [7]}", 400, "wrong_type", "peers[0]");
	bad("PUT", "/v1/interfaces/wg0/peers", "{\"peers\": {}}", 400, "wrong_type", "peers");
	bad("PUT", "/v1/interfaces/wg0/peers", "{}", 400, "missing_field", "peers");
	bad("PUT", "/v1/interfaces/wg0/peers", "{\"peers\": [], \"x\": 1}", 400, "unknown_field",
		"x");

	/* an empty set removes everyone */
	request(&r, "PUT", "/v1/interfaces/wg1/peers", "{\"peers\": []}");
	CHECK(r.status == 200 && wr_device_peer_count(wg1.dev) == 0, "empty set");
	res_free(&r);
}

static void
test_stats_metrics(void)
{
	static const uint8_t junk[3] = { 9, 9, 9 };
	struct wr_endpoint from = { .in4 = { .sin_family = AF_INET } };
	uint64_t engine;
	struct res r;
	char line[256];

	wr_device_receive(wg0.dev, &from, junk, sizeof(junk), now_ns());
	engine = wr_device_drop_count(wg0.dev, WR_DROP_BAD_LENGTH) +
		 wr_device_drop_count(wg0.dev, WR_DROP_BAD_TYPE);
	wg0.dp_no_route = 5;
	request(&r, "GET", "/v1/interfaces/wg0/stats", NULL);
	CHECK(r.status == 200, "stats: %d", r.status);
	json_t *d = json_object_get(r.json, "drops");
	CHECK(engine >= 1 &&
			(uint64_t)(json_integer_value(json_object_get(d, "bad_length")) +
				   json_integer_value(json_object_get(d, "bad_type"))) == engine,
		"engine drops");
	CHECK(json_integer_value(json_object_get(d, "no_route")) ==
			5 + (json_int_t)wr_device_drop_count(wg0.dev, WR_DROP_NO_ROUTE),
		"data plane drops merged");
	CHECK(json_object_size(d) == WR_DROP_COUNT - 1, "every reason");
	res_free(&r);

	request(&r, "GET", "/metrics", NULL);
	CHECK(r.status == 200 && !strncmp(r.ctype, "text/plain", 10), "metrics: %d", r.status);
	CHECK(strstr(r.body, "\nwirerate_up 1\n"), "up");
	CHECK(strstr(r.body, "wirerate_uptime_seconds 42.000\n"), "uptime");
	CHECK(strstr(r.body, "wirerate_port_receive_packets_total{port=\"wan0\"} 11\n"), "port");
	CHECK(strstr(r.body, "wirerate_drops_total{interface=\"wg0\",reason=\"no_route\"} 5\n"),
		"drops by reason");
	CHECK(strstr(r.body, "wirerate_gateway_drops_total{reason=\"no_route\"} 3\n") &&
			strstr(r.body, "wirerate_gateway_drops_total{reason=\"replay\"} 0\n"),
		"the gateway's own drops");
	CHECK(strstr(r.body, "wirerate_peers{interface=\"wg0\"} 50\n"), "peer count");
	struct key k;

	make_key(&k, 130);
	snprintf(line, sizeof(line),
		"wirerate_peer_receive_bytes_total{interface=\"wg0\",public_key=\"%s\"} 0\n",
		k.std);
	CHECK(strstr(r.body, line), "peer rx bytes");
	snprintf(line, sizeof(line),
		"wirerate_peer_last_handshake_seconds{interface=\"wg0\",public_key=\"%s\"} 0.0",
		k.std);
	CHECK(strstr(r.body, line), "peer last handshake");
	/* every sample belongs to a family announced with HELP and TYPE before it */
	char *save = NULL, *copy = strdup(r.body), *l, types[8192] = "|", help[8192] = "|";

	for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (sscanf(l, "# TYPE %127s", name) == 1) {
			strncat(types, name, sizeof(types) - strlen(types) - 2);
			strcat(types, "|");
		} else if (sscanf(l, "# HELP %127s", name) == 1) {
			strncat(help, name, sizeof(help) - strlen(help) - 2);
			strcat(help, "|");
		} else {
			char pat[140];

			sscanf(l, "%127[a-zA-Z0-9_:]", name);
			snprintf(pat, sizeof(pat), "|%s|", name);
			CHECK(strstr(types, pat) && strstr(help, pat), "no HELP/TYPE for %s", name);
		}
	}
	free(copy);
	res_free(&r);
}

int
main(int argc, char **argv)
{
	struct key own;
	int rc;

	setvbuf(stdout, NULL, _IONBF, 0);
	rc = host_start(argv[0], &own);
	if (rc >= 0)
		return rc;

	test_status();
	test_interfaces(&own);
	test_peer_crud(&own);
	test_errors();
	test_huge_body();
	test_bulk(&own);
	test_stats_metrics();
	doc_coverage();

	host_stop();
	printf("%u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
