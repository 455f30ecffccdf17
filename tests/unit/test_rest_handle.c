/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST handler without HTTP (wr_rest_handle()), randomized:
 *   - bulk replaces of random peer sets, compared after each with a naive model of what the
 *     interface must hold (keys, endpoints kept when absent, keepalives, prefixes), and peers
 *     that stay must be the same engine peers (updated in place);
 *   - thousands of damaged requests (bytes flipped, cut, members inserted): every refused one
 *     answers a JSON error and changes nothing, and the host hears of no change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "wr_base64.h"
#include "wr_crypto.h"
#include "wr_rest.h"
#include "wr_test.h"
#include "null_host.h"

#define POOL 40
#define ROUNDS 300
#define DAMAGED 3000

static struct wr_rest *rest;
static struct wr_device *dev;
static unsigned changed_calls;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static uint64_t
d_wall(void *ctx)
{
	return 1;
}

static void
h_changed(void *ctx, const struct wr_uapi_changes *c)
{
	changed_calls++;
}

/* What the model says peer i holds. */
struct mpeer {
	bool present;
	uint8_t pub[32];
	char std[WR_BASE64_KEY_LEN + 1];
	char endpoint[32]; /* "" when none */
	unsigned keepalive, naips;
	unsigned aip[3];
	struct wr_peer *engine;
};

static struct mpeer pool[POOL];

static char *
handle(const char *method, const char *path, const char *body, unsigned *status)
{
	char *resp = NULL;
	size_t len;

	CHECK(wr_rest_handle(rest, method, path, body, body ? strlen(body) : 0, status, &resp, &len,
		      1) == 0,
		"handle");
	return resp;
}

static void
check_model(void)
{
	unsigned status, seen = 0;
	char *resp = handle("GET", "/v1/interfaces/wg0/peers", NULL, &status);
	json_t *j = json_loads(resp, 0, NULL), *p;
	size_t i;

	CHECK(status == 200 && j, "list");
	json_array_foreach (json_object_get(j, "peers"), i, p) {
		const char *key = json_string_value(json_object_get(p, "public_key"));
		const char *ep = json_string_value(json_object_get(p, "endpoint"));
		json_t *aips = json_object_get(p, "allowed_ips");
		struct mpeer *m = NULL;

		for (int k = 0; k < POOL; k++)
			if (pool[k].present && !strcmp(pool[k].std, key))
				m = &pool[k];
		CHECK(m, "peer %s not in the model", key);
		if (!m)
			continue;
		seen++;
		CHECK(!strcmp(ep ? ep : "", m->endpoint), "endpoint %s, model %s", ep ? ep : "-",
			m->endpoint);
		CHECK(json_integer_value(json_object_get(p, "persistent_keepalive")) ==
				(json_int_t)m->keepalive,
			"keepalive");
		CHECK(json_array_size(aips) == m->naips, "prefix count");
		for (unsigned a = 0; a < m->naips && a < json_array_size(aips); a++) {
			char want[32];

			snprintf(want, sizeof(want), "10.%u.%u.0/24", (unsigned)(m - pool),
				m->aip[a]);
			CHECK(!strcmp(json_string_value(json_array_get(aips, a)), want),
				"prefix %s", want);
		}
		CHECK(wr_device_lookup_peer(dev, m->pub) == m->engine, "same engine peer");
	}
	for (int k = 0; k < POOL; k++)
		if (pool[k].present)
			seen--;
	CHECK(seen == 0, "peer count");
	json_decref(j);
	free(resp);
}

/* A random peer set as JSON, applied to a copy of the model in @p next. */
static char *
random_set(struct mpeer *next)
{
	size_t cap = 256 + POOL * 300, len = 0;
	char *s = malloc(cap);
	bool first = true;

	memcpy(next, pool, sizeof(pool));
	len += (size_t)snprintf(s, cap, "{\"peers\":[");
	for (int k = 0; k < POOL; k++) {
		struct mpeer *m = &next[k];
		bool keep_ep = m->present && rnd(3) == 0;

		if (rnd(2)) {
			m->present = false;
			m->engine = NULL;
			continue;
		}
		if (!m->present) {
			m->endpoint[0] = '\0';
			m->engine = NULL;
		}
		m->present = true;
		len += (size_t)snprintf(
			s + len, cap - len, "%s{\"public_key\":\"%s\"", first ? "" : ",", m->std);
		first = false;
		if (!keep_ep) {
			if (rnd(4) == 0) {
				m->endpoint[0] = '\0';
				len += (size_t)snprintf(s + len, cap - len, ",\"endpoint\":null");
			} else {
				snprintf(m->endpoint, sizeof(m->endpoint), "192.0.2.%u:%u",
					rnd(250) + 1, rnd(60000) + 1);
				len += (size_t)snprintf(
					s + len, cap - len, ",\"endpoint\":\"%s\"", m->endpoint);
			}
		}
		m->keepalive = rnd(2) ? rnd(100) : 0;
		if (m->keepalive || rnd(2))
			len += (size_t)snprintf(
				s + len, cap - len, ",\"persistent_keepalive\":%u", m->keepalive);
		m->naips = rnd(4);
		len += (size_t)snprintf(s + len, cap - len, ",\"allowed_ips\":[");
		for (unsigned a = 0, last = 0; a < m->naips; a++) {
			last += 1 + rnd(50);
			m->aip[a] = last;
			len += (size_t)snprintf(
				s + len, cap - len, "%s\"10.%d.%u.0/24\"", a ? "," : "", k, last);
		}
		len += (size_t)snprintf(s + len, cap - len, "]}");
	}
	snprintf(s + len, cap - len, "]}");
	return s;
}

static void
test_random_sets(void)
{
	static struct mpeer next[POOL];

	for (int r = 0; r < ROUNDS; r++) {
		char *body = random_set(next), *resp;
		unsigned status;

		resp = handle("PUT", "/v1/interfaces/wg0/peers", body, &status);
		CHECK(status == 200, "round %d: %u %s", r, status, resp);
		for (int k = 0; k < POOL; k++)
			if (next[k].present && !next[k].engine)
				next[k].engine = wr_device_lookup_peer(dev, next[k].pub);
		memcpy(pool, next, sizeof(pool));
		check_model();
		free(resp);
		free(body);
	}
}

static char *
snapshot(void)
{
	unsigned status;

	return handle("GET", "/v1/interfaces/wg0/peers", NULL, &status);
}

static void
test_damaged(void)
{
	static struct mpeer next[POOL];
	static const char *const inserts[] = { ",\"x\":1", "null", "[", "}", "\"", "1e999", "-1",
		"\"AAAA\"", ",", "{}", "\\u0000", "true" };
	char *base = random_set(next), *resp, *before, *after;
	unsigned status, refused = 0;

	resp = handle("PUT", "/v1/interfaces/wg0/peers", base, &status);
	free(resp);
	before = snapshot();
	for (int i = 0; i < DAMAGED; i++) {
		size_t n = strlen(base), at = rnd((unsigned)n);
		char *d = malloc(n + 32);
		unsigned calls = changed_calls;

		memcpy(d, base, n + 1);
		switch (rnd(4)) {
		case 0: /* flip a byte */
			d[at] = (char)(0x20 + rnd(95));
			break;
		case 1: /* cut */
			d[at] = '\0';
			break;
		case 2: { /* insert */
			const char *ins = inserts[rnd(sizeof(inserts) / sizeof(inserts[0]))];

			memmove(d + at + strlen(ins), d + at, n - at + 1);
			memcpy(d + at, ins, strlen(ins));
			break;
		}
		default: { /* drop a range */
			size_t k = rnd((unsigned)(n - at));

			memmove(d + at, d + at + k, 1 + strlen(d + at + k));
			break;
		}
		}
		resp = handle("PUT", "/v1/interfaces/wg0/peers", d, &status);
		if (status == 200) {
			/* the damage happened to be valid: back to the base */
			free(resp);
			resp = handle("PUT", "/v1/interfaces/wg0/peers", base, &status);
			free(before);
			before = snapshot();
		} else {
			json_t *j = json_loads(resp, 0, NULL);

			refused++;
			CHECK(status == 400 || status == 409, "status %u", status);
			CHECK(j && json_is_string(
					   json_object_get(json_object_get(j, "error"), "code")),
				"error body %s", resp);
			json_decref(j);
			after = snapshot();
			CHECK(!strcmp(before, after), "a refused request changed the peers: %s", d);
			CHECK(changed_calls == calls, "a refused request notified the host");
			free(after);
		}
		free(resp);
		free(d);
	}
	CHECK(refused > DAMAGED / 2, "most damage is refused (%u)", refused);
	free(before);
	free(base);
}

int
main(void)
{
	static const struct wr_device_ops ops = {
		.send = null_send, .deliver = null_deliver, .wall_time_ns = d_wall
	};
	struct wr_rest_if_ops ifops = { .cfg = { .changed = h_changed } };
	struct wr_rest_config cfg = { 0 };
	char path[64];
	uint8_t priv[32];

	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(path, sizeof(path), "/tmp/wr-rest-handle-%d.sock", (int)getpid());
	cfg.unix_path = path;
	dev = wr_device_create(&ops, NULL);
	memset(priv, 0x11, sizeof(priv));
	wr_device_set_private_key(dev, priv);
	for (int k = 0; k < POOL; k++) {
		uint8_t p[32];

		memset(p, 0, sizeof(p));
		p[1] = (uint8_t)k;
		p[2] = 0x77;
		wr_x25519_public(pool[k].pub, p);
		wr_base64_key_encode(pool[k].std, pool[k].pub);
	}
	CHECK(wr_rest_create(&rest, &cfg, NULL, NULL) == 0, "create");
	CHECK(wr_rest_add_interface(rest, "wg0", dev, &ifops, NULL) == 0, "add");
	test_random_sets();
	test_damaged();
	wr_rest_destroy(rest);
	wr_device_destroy(dev);
	printf("%u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
