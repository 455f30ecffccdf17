/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST API's JSON: error bodies, strict parsing of request members (type, range, unknown
 * names; each error names its field), and the JSON of peers. See docs/rest-api.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest_internal.h"
#include "wr_base64.h"
#include "wr_crypto.h"

int
rest_error(struct rest_resp *out, unsigned int status, const char *code, const char *field,
	const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(out->body);
	out->body = NULL;
	out->len = 0;
	j = json_pack("{s:{s:s,s:s,s:s?}}", "error", "code", code, "message", msg, "field", field);
	rest_json(out, status, j);
	return -1;
}

int
rest_json(struct rest_resp *out, unsigned int status, json_t *j)
{
	free(out->body);
	out->body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	out->ctype = NULL;
	if (!out->body) {
		/* nothing left to build an error body with: a bare 500 */
		out->status = 500;
		out->len = 0;
		return -1;
	}
	out->status = status;
	out->len = strlen(out->body);
	return 0;
}

json_t *
rest_parse_object(const char *body, size_t len, struct rest_resp *out)
{
	json_error_t err;
	json_t *j;

	if (len == 0) {
		rest_error(out, 400, REST_E_JSON, NULL, "a JSON object body is required");
		return NULL;
	}
	/* any value: a scalar is JSON of the wrong type, answered as such below */
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!j) {
		/* the position only: jansson's text may quote the input, which may hold a key */
		rest_error(out, 400, REST_E_JSON, NULL, "invalid JSON at line %d, column %d",
			err.line, err.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		rest_error(out, 400, REST_E_TYPE, NULL, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

static void
field_name(char *buf, size_t size, const char *path, const char *name)
{
	if (path && path[0])
		snprintf(buf, size, "%s.%s", path, name);
	else
		snprintf(buf, size, "%s", name);
}

/* Could @p s be a member name someone meant: 1 to 32 of [a-z_], as every name of the API is? */
static bool
plausible_member(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz_");

	return n > 0 && n <= 32 && s[n] == '\0';
}

int
rest_check_fields(
	const json_t *obj, const char *const *allowed, const char *path, struct rest_resp *out)
{
	const char *name;
	json_t *v;

	json_object_foreach ((json_t *)obj, name, v) {
		size_t i;
		char f[128];

		for (i = 0; allowed[i]; i++)
			if (strcmp(name, allowed[i]) == 0)
				break;
		if (allowed[i])
			continue;
		/* what cannot be a member name someone meant (a pasted key, say) is not echoed */
		if (!plausible_member(name))
			return rest_error(out, 400, REST_E_UNKNOWN, NULL, "%s%snot a valid member name",
				path && path[0] ? path : "", path && path[0] ? ": " : "");
		field_name(f, sizeof(f), path, name);
		return rest_error(out, 400, REST_E_UNKNOWN, f, "unknown field");
	}
	return 0;
}

int
rest_get_key(
	json_t *v, bool secret, uint8_t key[WR_KEY_LEN], const char *field, struct rest_resp *out)
{
	int ret;

	if (!json_is_string(v))
		return rest_error(out, 400, REST_E_TYPE, field, "must be a base64 key string");
	ret = wr_base64_key_decode(key, json_string_value(v), json_string_length(v));
	if (secret)
		wr_wipe((char *)json_string_value(v), json_string_length(v));
	if (ret < 0)
		return rest_error(out, 400, REST_E_VALUE, field,
			"must be 32 bytes in standard base64 (44 characters)");
	return 0;
}

static int
parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Numeric only: the control loop never waits on DNS. */
int
rest_parse_endpoint(struct wr_endpoint *ep, const char *s)
{
	char host[INET6_ADDRSTRLEN];
	const char *colon;
	uint16_t port;
	size_t n;

	memset(ep, 0, sizeof(*ep));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		n = (size_t)(rb - s - 1);
		if (n >= sizeof(host) || parse_port(rb + 2, &port) < 0)
			return -EINVAL;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (inet_pton(AF_INET6, host, &ep->in6.sin6_addr) != 1)
			return -EINVAL;
		ep->in6.sin6_family = AF_INET6;
		ep->in6.sin6_port = htons(port);
		return 0;
	}
	colon = strchr(s, ':');
	if (!colon || strchr(colon + 1, ':'))
		return -EINVAL;
	n = (size_t)(colon - s);
	if (n >= sizeof(host) || parse_port(colon + 1, &port) < 0)
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, &ep->in4.sin_addr) != 1)
		return -EINVAL;
	ep->in4.sin_family = AF_INET;
	ep->in4.sin_port = htons(port);
	return 0;
}

int
rest_parse_prefix(struct wr_peer_update_aip *a, const char *s)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/'), *c;
	unsigned int cidr = 0;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (!slash || !slash[1] || strlen(slash + 1) > 3)
		return -EINVAL;
	for (c = slash + 1; *c; c++) {
		if (*c < '0' || *c > '9')
			return -EINVAL;
		cidr = cidr * 10 + (unsigned int)(*c - '0');
	}
	n = (size_t)(slash - s);
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, a->addr) == 1) {
		a->family = AF_INET;
		if (cidr > 32)
			return -EINVAL;
	} else if (inet_pton(AF_INET6, host, a->addr) == 1) {
		a->family = AF_INET6;
		if (cidr > 128)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	a->cidr = (uint8_t)cidr;
	return 0;
}

static const char *const peer_fields[] = { "public_key", "preshared_key", "endpoint", "allowed_ips",
	"persistent_keepalive", NULL };

static int
parse_allowed_ips(json_t *v, const char *f, struct wr_peer_update *up,
	struct wr_peer_update_peer *p, size_t *aip_cap, struct rest_resp *out)
{
	size_t i, n;
	json_t *e;

	if (!json_is_array(v))
		return rest_error(out, 400, REST_E_TYPE, f, "must be an array of prefixes");
	n = json_array_size(v);
	if (up->naips + n > *aip_cap) {
		size_t cap = *aip_cap ? *aip_cap : 64;
		struct wr_peer_update_aip *a;

		while (cap < up->naips + n)
			cap *= 2;
		a = realloc(up->aips, cap * sizeof(*a));
		if (!a)
			return rest_error(out, 500, REST_E_INTERNAL, NULL, "out of memory");
		up->aips = a;
		*aip_cap = cap;
	}
	p->aip_first = up->naips;
	json_array_foreach (v, i, e) {
		char fe[160];

		snprintf(fe, sizeof(fe), "%s[%zu]", f, i);
		if (!json_is_string(e))
			return rest_error(out, 400, REST_E_TYPE, fe, "must be a string");
		if (rest_parse_prefix(&up->aips[up->naips], json_string_value(e)) < 0)
			return rest_error(out, 400, REST_E_VALUE, fe,
				"must be an address/prefix-length (192.0.2.0/24, 2001:db8::/32)");
		up->naips++;
	}
	p->aip_count = n;
	p->replace_aips = true;
	return 0;
}

int
rest_parse_peer(json_t *obj, const char *path, enum rest_peer_mode mode, const uint8_t *path_key,
	struct wr_peer_update *up, struct wr_peer_update_peer *p, size_t *aip_cap,
	struct rest_resp *out)
{
	bool patch = mode == REST_PEER_PATCH;
	char f[128];
	json_t *v;

	memset(p, 0, sizeof(*p));
	if (!json_is_object(obj))
		return rest_error(
			out, 400, REST_E_TYPE, path[0] ? path : NULL, "a peer must be an object");
	if (rest_check_fields(obj, peer_fields, path, out))
		return -1;

	field_name(f, sizeof(f), path, "public_key");
	v = json_object_get(obj, "public_key");
	if (v) {
		if (rest_get_key(v, false, p->pub, f, out))
			return -1;
		if (path_key && memcmp(p->pub, path_key, WR_KEY_LEN) != 0)
			return rest_error(
				out, 400, REST_E_VALUE, f, "differs from the key in the path");
	} else if (path_key) {
		memcpy(p->pub, path_key, WR_KEY_LEN);
	} else {
		return rest_error(out, 400, REST_E_MISSING, f, "is required");
	}

	/* write-only: a null or absent key (absent only outside PATCH) means none */
	field_name(f, sizeof(f), path, "preshared_key");
	v = json_object_get(obj, "preshared_key");
	if (v && !json_is_null(v) && rest_get_key(v, true, p->psk, f, out))
		return -1;
	p->has_psk = v || !patch;

	/* absent keeps the endpoint even on replace: it may have roamed */
	field_name(f, sizeof(f), path, "endpoint");
	v = json_object_get(obj, "endpoint");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v))
			return rest_error(out, 400, REST_E_TYPE, f, "must be a string or null");
		if (rest_parse_endpoint(&p->ep, json_string_value(v)) < 0)
			return rest_error(out, 400, REST_E_VALUE, f,
				"must be a.b.c.d:port or [v6]:port, port 1-65535");
	}
	p->has_ep = v != NULL;

	field_name(f, sizeof(f), path, "persistent_keepalive");
	v = json_object_get(obj, "persistent_keepalive");
	if (v) {
		if (!json_is_integer(v))
			return rest_error(out, 400, REST_E_TYPE, f, "must be an integer");
		if (json_integer_value(v) < 0 || json_integer_value(v) > 65535)
			return rest_error(out, 400, REST_E_VALUE, f, "must be 0-65535 seconds");
		p->keepalive = (uint16_t)json_integer_value(v);
	}
	p->has_keepalive = v || !patch;

	field_name(f, sizeof(f), path, "allowed_ips");
	v = json_object_get(obj, "allowed_ips");
	if (v) {
		if (parse_allowed_ips(v, f, up, p, aip_cap, out))
			return -1;
	} else if (!patch) {
		p->aip_first = up->naips;
		p->replace_aips = true;
	}
	p->update_only = patch;
	return 0;
}

static int
put_prefix(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	char a[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN + 5];

	if (!inet_ntop(family, addr, a, sizeof(a)))
		return 0;
	snprintf(s, sizeof(s), "%s/%u", a, cidr);
	return json_array_append_new(ctx, json_string(s));
}

json_t *
rest_peer_stats_json(struct wr_peer *peer)
{
	struct wr_peer_stats st;

	wr_peer_get_stats(peer, &st);
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "rx_bytes", (json_int_t)st.rx_bytes,
		"tx_bytes", (json_int_t)st.tx_bytes, "rx_packets", (json_int_t)st.rx_packets,
		"tx_packets", (json_int_t)st.tx_packets, "last_handshake_ns",
		(json_int_t)st.last_handshake_wall_ns, "handshakes", (json_int_t)st.handshakes,
		"handshake_attempts", (json_int_t)st.handshake_attempts, "dropped_spoofed",
		(json_int_t)st.dropped_spoofed);
}

json_t *
rest_peer_json(struct wr_peer *peer)
{
	char std[WR_BASE64_KEY_LEN + 1], url[WR_BASE64URL_KEY_LEN + 1], ep[64];
	struct wr_endpoint e;
	json_t *aips = json_array();

	if (!aips || wr_peer_foreach_allowedip(peer, put_prefix, aips) != 0) {
		json_decref(aips);
		return NULL;
	}
	wr_base64_key_encode(std, wr_peer_public_key(peer));
	wr_base64url_key_encode(url, wr_peer_public_key(peer));
	wr_peer_get_endpoint(peer, &e);
	/* no preshared_key member: secrets are never returned */
	return json_pack("{s:s,s:s,s:s?,s:o,s:i,s:o}", "public_key", std, "id", url, "endpoint",
		wr_endpoint_format(ep, sizeof(ep), &e) ? ep : NULL, "allowed_ips", aips,
		"persistent_keepalive", (int)wr_peer_get_keepalive(peer), "stats",
		rest_peer_stats_json(peer));
}
