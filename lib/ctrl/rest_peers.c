/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST resources under /v1/interfaces: interfaces, their statistics, and peers (list, get,
 * create, create-or-replace, patch, delete, and the atomic bulk replace of a whole peer set).
 * Every write is parsed and checked into a struct wr_peer_update first, then applied by
 * wr_peer_update_apply(), the same code the wg UAPI uses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest_internal.h"
#include "wr_base64.h"
#include "wr_crypto.h"

/* Forwards the host's callbacks and remembers what one apply changed. */
struct wrap {
	struct rest_if *ifc;
	size_t added, removed, updated;
	bool changed;
};

static uint16_t
w_get_port(void *ctx)
{
	struct rest_if *ifc = ((struct wrap *)ctx)->ifc;

	return ifc->ops.cfg.get_listen_port ? ifc->ops.cfg.get_listen_port(ifc->ctx) : 0;
}

static int
w_set_port(void *ctx, uint16_t port)
{
	struct rest_if *ifc = ((struct wrap *)ctx)->ifc;

	return ifc->ops.cfg.set_listen_port ? ifc->ops.cfg.set_listen_port(ifc->ctx, port)
					    : -EOPNOTSUPP;
}

static int
w_reserve(void *ctx, size_t n_new, size_t n_gone)
{
	struct rest_if *ifc = ((struct wrap *)ctx)->ifc;

	return ifc->ops.cfg.reserve_peers ? ifc->ops.cfg.reserve_peers(ifc->ctx, n_new, n_gone) : 0;
}

static void
w_removing(void *ctx, struct wr_peer *peer)
{
	struct rest_if *ifc = ((struct wrap *)ctx)->ifc;

	if (ifc->ops.cfg.peer_removing)
		ifc->ops.cfg.peer_removing(ifc->ctx, peer);
}

static void
w_changed(void *ctx, const struct wr_uapi_changes *c)
{
	struct wrap *w = ctx;

	w->changed = true;
	w->added = c->n_added;
	w->removed = c->n_removed;
	w->updated = c->n_updated;
	if (w->ifc->ops.cfg.changed)
		w->ifc->ops.cfg.changed(w->ifc->ctx, c);
}

static const struct wr_uapi_ops wrap_ops = {
	.get_listen_port = w_get_port,
	.set_listen_port = w_set_port,
	.peer_removing = w_removing,
	.changed = w_changed,
	.reserve_peers = w_reserve,
};

static int
apply(struct wr_rest *r, struct rest_if *ifc, struct wr_peer_update *up, struct wrap *w,
	struct rest_resp *out)
{
	int ret;

	w->ifc = ifc;
	ret = wr_peer_update_apply(ifc->dev, &wrap_ops, w, up, r->now);
	out->wrote = w->changed;
	if (ret == -ENOMEM)
		return rest_error(
			out, 500, REST_E_INTERNAL, NULL, "out of memory (partly applied)");
	if (ret == -EADDRINUSE)
		return rest_error(out, 409, REST_E_CONFLICT, "listen_port", "port in use");
	if (ret == -ENOSPC)
		return rest_error(out, 409, REST_E_CONFLICT, "peers",
			"the gateway's peer limit (MaxPeers) leaves no room for them");
	if (ret < 0)
		return rest_error(out, 400, REST_E_VALUE, up->has_port ? "listen_port" : NULL,
			"refused: %s", strerror(-ret));
	return 0;
}

static int
method_not_allowed(struct rest_resp *out, const char *allow)
{
	rest_error(out, 405, REST_E_METHOD, NULL, "allowed: %s", allow);
	out->allow = allow;
	return -1;
}

/* A peer must not be the interface itself: the engine would ignore it silently. */
static int
check_not_own(struct rest_if *ifc, const uint8_t pub[WR_KEY_LEN], const char *field,
	struct rest_resp *out)
{
	uint8_t own[WR_KEY_LEN];

	if (wr_device_get_public_key(ifc->dev, own) && memcmp(own, pub, WR_KEY_LEN) == 0)
		return rest_error(
			out, 409, REST_E_CONFLICT, field, "is the interface's own public key");
	return 0;
}

/* ---- interfaces ---- */

static json_t *
interface_json(struct rest_if *ifc)
{
	char pub[WR_BASE64_KEY_LEN + 1];
	uint8_t key[WR_KEY_LEN];
	bool has_key = wr_device_get_public_key(ifc->dev, key);
	const char *port = ifc->ops.port_name ? ifc->ops.port_name(ifc->ctx) : NULL;
	uint16_t lport = ifc->ops.cfg.get_listen_port ? ifc->ops.cfg.get_listen_port(ifc->ctx) : 0;

	if (has_key)
		wr_base64_key_encode(pub, key);
	/* no private_key member: secrets are never returned */
	return json_pack("{s:s,s:s?,s:i,s:s?,s:I}", "name", ifc->name, "public_key",
		has_key ? pub : NULL, "listen_port", (int)lport, "port", port, "peer_count",
		(json_int_t)wr_device_peer_count(ifc->dev));
}

int
rest_interfaces(struct wr_rest *r, const char *method, struct rest_resp *out)
{
	json_t *arr;

	if (strcmp(method, "GET") != 0)
		return method_not_allowed(out, "GET");
	arr = json_array();
	for (size_t i = 0; arr && i < r->nifs; i++)
		if (json_array_append_new(arr, interface_json(&r->ifs[i])) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	return rest_json(out, 200, arr ? json_pack("{s:o}", "interfaces", arr) : NULL);
}

static const char *const interface_fields[] = { "private_key", "listen_port", NULL };

int
rest_interface(struct wr_rest *r, struct rest_if *ifc, const char *method, const char *body,
	size_t len, struct rest_resp *out)
{
	struct wr_peer_update up = { 0 };
	struct wrap w = { 0 };
	json_t *j, *v;
	int ret = -1;

	if (strcmp(method, "GET") == 0)
		return rest_json(out, 200, interface_json(ifc));
	if (strcmp(method, "PATCH") != 0)
		return method_not_allowed(out, "GET, PATCH");
	j = rest_parse_object(body, len, out);
	if (!j)
		return -1;
	if (rest_check_fields(j, interface_fields, "", out))
		goto out;
	v = json_object_get(j, "private_key");
	if (v && !json_is_null(v) && rest_get_key(v, true, up.priv, "private_key", out))
		goto out;
	up.has_priv = v != NULL; /* null: all zeros, which clears the key */
	v = json_object_get(j, "listen_port");
	if (v) {
		if (!json_is_integer(v)) {
			rest_error(out, 400, REST_E_TYPE, "listen_port", "must be an integer");
			goto out;
		}
		/* 0 would be a port at random, which the peers could not be told */
		if (json_integer_value(v) < 1 || json_integer_value(v) > 65535) {
			rest_error(out, 400, REST_E_VALUE, "listen_port",
				"must be a port of 1..65535 (no random port: peers must know it)");
			goto out;
		}
		up.port = (uint16_t)json_integer_value(v);
		up.has_port = true;
	}
	if (apply(r, ifc, &up, &w, out) == 0)
		ret = rest_json(out, 200, interface_json(ifc));
out:
	wr_peer_update_free(&up);
	json_decref(j);
	return ret;
}

void
rest_if_drops(struct rest_if *ifc, uint64_t drops[WR_DROP_COUNT])
{
	for (int d = 0; d < WR_DROP_COUNT; d++)
		drops[d] = d == WR_DROP_NONE ? 0 : wr_device_drop_count(ifc->dev, d);
	if (ifc->ops.add_drops)
		ifc->ops.add_drops(ifc->ctx, drops);
}

json_t *
rest_drops_json(const uint64_t *drops)
{
	json_t *d = json_object();

	for (int i = WR_DROP_NONE + 1; d && i < WR_DROP_COUNT; i++) {
		char name[64];

		json_object_set_new(d, wr_drop_reason_label(name, sizeof(name), i),
			json_integer(drops ? (json_int_t)drops[i] : 0));
	}
	return d;
}

struct sums {
	uint64_t rx, tx;
};

static int
sum_peer(void *ctx, struct wr_peer *peer)
{
	struct sums *s = ctx;
	struct wr_peer_stats st;

	wr_peer_get_stats(peer, &st);
	s->rx += st.rx_bytes;
	s->tx += st.tx_bytes;
	return 0;
}

int
rest_interface_stats(struct wr_rest *r, struct rest_if *ifc, struct rest_resp *out)
{
	uint64_t drops[WR_DROP_COUNT];
	struct sums s = { 0 };
	json_t *d;

	rest_if_drops(ifc, drops);
	d = rest_drops_json(drops); /* lower case, as the metrics' reason label */
	wr_device_foreach_peer(ifc->dev, sum_peer, &s);
	return rest_json(out, 200,
		d ? json_pack("{s:s,s:I,s:I,s:I,s:o}", "interface", ifc->name, "peer_count",
			    (json_int_t)wr_device_peer_count(ifc->dev), "rx_bytes",
			    (json_int_t)s.rx, "tx_bytes", (json_int_t)s.tx, "drops", d)
		  : NULL);
}

/* ---- peers ---- */

static int
list_peer(void *ctx, struct wr_peer *peer)
{
	return json_array_append_new(ctx, rest_peer_json(peer)) < 0;
}

static int
peer_answer(struct rest_resp *out, unsigned int status, struct rest_if *ifc,
	const uint8_t pub[WR_KEY_LEN])
{
	struct wr_peer *peer = wr_device_lookup_peer(ifc->dev, pub);

	if (!peer) /* only when the engine refused it (EINVAL: a low-order key) */
		return rest_error(out, 500, REST_E_INTERNAL, NULL, "the peer was not kept");
	return rest_json(out, status, rest_peer_json(peer));
}

/* Sort order of keys, for duplicate detection and membership (not secret: public keys). */
static int
cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, WR_KEY_LEN);
}

struct key_at {
	uint8_t key[WR_KEY_LEN];
	size_t idx;
};

struct prefix_at {
	uint8_t addr[16];
	int family;
	uint8_t cidr;
	size_t peer, idx;
};

static int
cmp_prefix(const void *a, const void *b)
{
	const struct prefix_at *x = a, *y = b;
	int c = x->family - y->family;

	if (!c)
		c = (int)x->cidr - (int)y->cidr;
	if (!c)
		c = memcmp(x->addr, y->addr, 16);
	if (!c)
		c = x->peer < y->peer ? -1 : x->peer > y->peer;
	return c;
}

/* A prefix (once its host bits are masked) may belong to one peer of a peer set only. */
static int
check_prefixes(const struct wr_peer_update *up, struct rest_resp *out)
{
	struct prefix_at *pa = calloc(up->naips + 1, sizeof(*pa));
	size_t n = 0;
	int ret = 0;

	if (!pa)
		return rest_error(out, 500, REST_E_INTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < up->npeers; i++)
		for (size_t k = 0; k < up->peers[i].aip_count; k++) {
			const struct wr_peer_update_aip *a = &up->aips[up->peers[i].aip_first + k];
			struct prefix_at *p = &pa[n++];

			p->family = a->family;
			p->cidr = a->cidr;
			for (unsigned int b = 0; b < a->cidr; b += 8)
				p->addr[b / 8] =
					a->addr[b / 8] &
					(uint8_t)(a->cidr - b >= 8 ? 0xff
								   : 0xff << (8 - (a->cidr - b)));
			p->peer = i;
			p->idx = k;
		}
	qsort(pa, n, sizeof(*pa), cmp_prefix);
	for (size_t i = 1; i < n; i++) {
		const struct prefix_at *x = &pa[i - 1], *y = &pa[i];

		if (x->family == y->family && x->cidr == y->cidr && !memcmp(x->addr, y->addr, 16) &&
			x->peer != y->peer) {
			char f[96];

			snprintf(f, sizeof(f), "peers[%zu].allowed_ips[%zu]", y->peer, y->idx);
			ret = rest_error(
				out, 400, REST_E_VALUE, f, "also listed for peers[%zu]", x->peer);
			break;
		}
	}
	free(pa);
	return ret;
}

struct absent {
	const struct key_at *keys;
	size_t n;
	struct wr_peer_update *up;
};

static int
mark_absent(void *ctx, struct wr_peer *peer)
{
	struct absent *a = ctx;
	struct wr_peer_update_peer *p;

	if (bsearch(wr_peer_public_key(peer), a->keys, a->n, sizeof(*a->keys), cmp_key))
		return 0;
	p = &a->up->peers[a->up->npeers++];
	memcpy(p->pub, wr_peer_public_key(peer), WR_KEY_LEN);
	p->remove = true;
	return 0;
}

/*
 * PUT /v1/interfaces/{if}/peers: the peer set becomes exactly the body's. Peers that stay are
 * updated in place (their sessions live on); the others are removed first. All or nothing.
 */
static int
bulk_replace(struct wr_rest *r, struct rest_if *ifc, json_t *j, struct rest_resp *out)
{
	static const char *const fields[] = { "peers", NULL };
	struct wr_peer_update up = { 0 };
	struct wr_peer_update_peer *parsed = NULL;
	struct key_at *keys = NULL;
	json_t *arr = json_object_get(j, "peers"), *e;
	size_t n, i, aip_cap = 0, existing = wr_device_peer_count(ifc->dev);
	struct wrap w = { 0 };
	int ret = -1;

	if (rest_check_fields(j, fields, "", out))
		return -1;
	if (!arr)
		return rest_error(out, 400, REST_E_MISSING, "peers", "is required");
	if (!json_is_array(arr))
		return rest_error(out, 400, REST_E_TYPE, "peers", "must be an array");
	n = json_array_size(arr);
	parsed = calloc(n + 1, sizeof(*parsed));
	keys = calloc(n + 1, sizeof(*keys));
	up.peers = calloc(n + existing + 1, sizeof(*up.peers));
	if (!parsed || !keys || !up.peers) {
		rest_error(out, 500, REST_E_INTERNAL, NULL, "out of memory");
		goto out;
	}
	json_array_foreach(arr, i, e)
	{
		char path[48];

		snprintf(path, sizeof(path), "peers[%zu]", i);
		if (rest_parse_peer(
			    e, path, REST_PEER_CREATE, NULL, &up, &parsed[i], &aip_cap, out))
			goto out;
		snprintf(path, sizeof(path), "peers[%zu].public_key", i);
		if (check_not_own(ifc, parsed[i].pub, path, out))
			goto out;
		memcpy(keys[i].key, parsed[i].pub, WR_KEY_LEN);
		keys[i].idx = i;
	}
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (i = 1; i < n; i++)
		if (!memcmp(keys[i - 1].key, keys[i].key, WR_KEY_LEN)) {
			char f[48];
			size_t a = keys[i - 1].idx, b = keys[i].idx;

			snprintf(f, sizeof(f), "peers[%zu].public_key", a > b ? a : b);
			rest_error(out, 400, REST_E_VALUE, f, "duplicate of peers[%zu]",
				a < b ? a : b);
			goto out;
		}
	/* removals first (peers array), then the set itself, in the body's order */
	struct absent ab = { .keys = keys, .n = n, .up = &up };

	wr_device_foreach_peer(ifc->dev, mark_absent, &ab);
	memcpy(&up.peers[up.npeers], parsed, n * sizeof(*parsed));
	{
		struct wr_peer_update check = up;

		check.peers = &up.peers[up.npeers];
		check.npeers = n;
		up.npeers += n;
		if (check_prefixes(&check, out))
			goto out;
	}
	if (apply(r, ifc, &up, &w, out) == 0)
		ret = rest_json(out, 200,
			json_pack("{s:I,s:I,s:I,s:I}", "peer_count",
				(json_int_t)wr_device_peer_count(ifc->dev), "added",
				(json_int_t)w.added, "removed", (json_int_t)w.removed, "updated",
				(json_int_t)w.updated));
out:
	if (parsed) {
		wr_wipe(parsed, (n + 1) * sizeof(*parsed));
		free(parsed);
	}
	free(keys);
	wr_peer_update_free(&up);
	return ret;
}

/* POST: create one peer; 409 when it exists. */
static int
create_peer(struct wr_rest *r, struct rest_if *ifc, json_t *j, struct rest_resp *out)
{
	struct wr_peer_update up = { 0 };
	struct wr_peer_update_peer p;
	char url[WR_BASE64URL_KEY_LEN + 1];
	struct wrap w = { 0 };
	size_t aip_cap = 0;
	int ret = -1;

	if (rest_parse_peer(j, "", REST_PEER_CREATE, NULL, &up, &p, &aip_cap, out) ||
		check_not_own(ifc, p.pub, "public_key", out))
		goto out;
	if (wr_device_lookup_peer(ifc->dev, p.pub)) {
		rest_error(out, 409, REST_E_CONFLICT, "public_key", "a peer with this key exists");
		goto out;
	}
	up.peers = &p;
	up.npeers = 1;
	if (apply(r, ifc, &up, &w, out) == 0) {
		ret = peer_answer(out, 201, ifc, p.pub);
		wr_base64url_key_encode(url, p.pub);
		snprintf(out->location, sizeof(out->location), "/v1/interfaces/%s/peers/%s",
			ifc->name, url);
	}
out:
	wr_wipe(&p, sizeof(p));
	up.peers = NULL;
	wr_peer_update_free(&up);
	return ret;
}

int
rest_peers(struct wr_rest *r, struct rest_if *ifc, const char *method, const char *body, size_t len,
	struct rest_resp *out)
{
	json_t *j, *arr;
	int ret;

	if (strcmp(method, "GET") == 0) {
		arr = json_array();
		if (arr && wr_device_foreach_peer(ifc->dev, list_peer, arr) != 0) {
			json_decref(arr);
			arr = NULL;
		}
		return rest_json(out, 200, arr ? json_pack("{s:o}", "peers", arr) : NULL);
	}
	if (strcmp(method, "POST") != 0 && strcmp(method, "PUT") != 0)
		return method_not_allowed(out, "GET, POST, PUT");
	j = rest_parse_object(body, len, out);
	if (!j)
		return -1;
	ret = method[1] == 'O' ? create_peer(r, ifc, j, out) : bulk_replace(r, ifc, j, out);
	json_decref(j);
	return ret;
}

/* PUT (create or replace), PATCH (change what is given) or DELETE one peer. */
static int
write_peer(struct wr_rest *r, struct rest_if *ifc, const uint8_t pub[WR_KEY_LEN],
	const char *method, const char *body, size_t len, struct rest_resp *out)
{
	bool patch = method[1] == 'A', del = method[0] == 'D';
	bool existed = wr_device_lookup_peer(ifc->dev, pub) != NULL;
	struct wr_peer_update up = { 0 };
	struct wr_peer_update_peer p;
	struct wrap w = { 0 };
	size_t aip_cap = 0;
	json_t *j = NULL;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	if ((patch || del) && !existed)
		return rest_error(out, 404, REST_E_NOT_FOUND, "public_key", "no such peer");
	if (del) {
		memcpy(p.pub, pub, WR_KEY_LEN);
		p.remove = true;
	} else {
		j = rest_parse_object(body, len, out);
		if (!j)
			return -1;
		if (rest_parse_peer(j, "", patch ? REST_PEER_PATCH : REST_PEER_REPLACE, pub, &up,
			    &p, &aip_cap, out) ||
			check_not_own(ifc, pub, "public_key", out))
			goto out;
	}
	up.peers = &p;
	up.npeers = 1;
	if (apply(r, ifc, &up, &w, out) < 0)
		goto out;
	if (del) {
		out->status = 204;
		ret = 0;
	} else {
		ret = peer_answer(out, existed ? 200 : 201, ifc, pub);
	}
out:
	json_decref(j);
	wr_wipe(&p, sizeof(p));
	up.peers = NULL;
	wr_peer_update_free(&up);
	return ret;
}

int
rest_peer(struct wr_rest *r, struct rest_if *ifc, const char *key, const char *method,
	const char *body, size_t len, bool stats, struct rest_resp *out)
{
	uint8_t pub[WR_KEY_LEN];
	struct wr_peer *peer;

	if (stats && strcmp(method, "GET") != 0)
		return method_not_allowed(out, "GET");
	if (!stats && strcmp(method, "GET") != 0 && strcmp(method, "PUT") != 0 &&
		strcmp(method, "PATCH") != 0 && strcmp(method, "DELETE") != 0)
		return method_not_allowed(out, "GET, PUT, PATCH, DELETE");
	if (wr_base64url_key_decode(pub, key, strlen(key)) < 0)
		return rest_error(out, 400, REST_E_VALUE, "public_key",
			"the path's key must be 32 bytes in URL-safe base64 (43 characters)");
	if (strcmp(method, "GET") != 0)
		return write_peer(r, ifc, pub, method, body, len, out);
	peer = wr_device_lookup_peer(ifc->dev, pub);
	if (!peer)
		return rest_error(out, 404, REST_E_NOT_FOUND, "public_key", "no such peer");
	return rest_json(out, 200, stats ? rest_peer_stats_json(peer) : rest_peer_json(peer));
}
