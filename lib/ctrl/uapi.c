/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xplatform UAPI request handler: parse a whole get or set request, check every line, then
 * apply a set to the device; serialize the device for get. See wr_uapi.h for the semantics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_peer_update.h"
#include "wr_uapi.h"

struct wr_uapi {
	struct wr_device *dev;
	struct wr_uapi_ops ops;
	void *ctx;
	struct wr_uapi_stats stats;
	/* said once: a periodic `wg syncconf` would otherwise say it every time */
	bool told_key_kept, told_fwmark;
};

/* A set request as parsed, with what the change set does not hold. */
struct set_req {
	struct wr_peer_update r;
	bool has_fwmark; /* a fwmark line, whatever its value */
	bool fwmark_set; /* a non-zero one (ignored) */
	bool port_zero;  /* listen_port=0 (keeps the port) */
	unsigned line;   /* of a refused request: the offending line (1 is "set=1") */
	const char *key; /* and its key (in the request: kl bytes), or NULL */
	size_t kl;
};

/* A growing reply buffer; after a failed allocation it only remembers that it failed. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static bool
sb_reserve(struct sbuf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

__attribute__((format(printf, 2, 3))) static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sb_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void
sb_key(struct sbuf *b, const char *name, const uint8_t key[WR_KEY_LEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t nl = strlen(name);
	char *o;

	if (!sb_reserve(b, nl + 2 + 2 * WR_KEY_LEN))
		return;
	o = b->p + b->len;
	memcpy(o, name, nl);
	o += nl;
	*o++ = '=';
	for (size_t i = 0; i < WR_KEY_LEN; i++) {
		*o++ = hex[key[i] >> 4];
		*o++ = hex[key[i] & 0xf];
	}
	*o++ = '\n';
	*o = '\0';
	b->len += nl + 2 + 2 * WR_KEY_LEN;
}

/* ---- parsing of values ---- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
parse_key(uint8_t key[WR_KEY_LEN], const char *s, size_t n)
{
	if (n != 2 * WR_KEY_LEN)
		return false;
	for (size_t i = 0; i < WR_KEY_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			wr_wipe(key, WR_KEY_LEN);
			return false;
		}
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* Decimal digits only (no sign, no spaces), at most @p max. */
static bool
parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static bool
is_true(const char *s, size_t n)
{
	return n == 4 && memcmp(s, "true", 4) == 0;
}

/* Copy @p n bytes to a NUL-terminated buffer of @p cap bytes (false when it does not fit). */
static bool
cstr(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* "a.b.c.d:port" or "[v6]:port", "[v6%scope]:port"; numeric only: the control loop never waits
 * on DNS. */
static bool
parse_endpoint(struct wr_endpoint *ep, const char *s, size_t n)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	const char *port;
	size_t hostlen, portlen;
	uint64_t p;

	memset(ep, 0, sizeof(*ep));
	if (n > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', n);

		if (!rb || rb + 1 >= s + n || rb[1] != ':')
			return false;
		hostlen = (size_t)(rb - s - 1);
		port = rb + 2;
		if (!cstr(host, sizeof(host), s + 1, hostlen))
			return false;
	} else {
		const char *colon = NULL;

		for (size_t i = 0; i < n; i++)
			if (s[i] == ':')
				colon = s + i;
		if (!colon)
			return false;
		hostlen = (size_t)(colon - s);
		port = colon + 1;
		if (!cstr(host, sizeof(host), s, hostlen))
			return false;
	}
	portlen = (size_t)(s + n - port);
	if (!parse_uint(port, portlen, 65535, &p) || p == 0)
		return false;

	if (s[0] == '[') {
		char *pct = strchr(host, '%');
		uint64_t scope = 0;

		if (pct) {
			*pct++ = '\0';
			if (*pct >= '0' && *pct <= '9') {
				if (!parse_uint(pct, strlen(pct), UINT32_MAX, &scope) || scope == 0)
					return false;
			} else {
				scope = *pct ? if_nametoindex(pct) : 0;
				if (scope == 0)
					return false;
			}
		}
		if (inet_pton(AF_INET6, host, &ep->in6.sin6_addr) != 1)
			return false;
		ep->in6.sin6_family = AF_INET6;
		ep->in6.sin6_port = htons((uint16_t)p);
		ep->in6.sin6_scope_id = (uint32_t)scope;
		return true;
	}
	if (inet_pton(AF_INET, host, &ep->in4.sin_addr) != 1)
		return false;
	ep->in4.sin_family = AF_INET;
	ep->in4.sin_port = htons((uint16_t)p);
	return true;
}

/* "addr/cidr" with a mandatory cidr; "-addr/cidr" removes it. */
static bool
parse_aip(struct wr_peer_update_aip *a, const char *s, size_t n)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash;
	uint64_t cidr;
	bool remove = n > 0 && s[0] == '-';

	memset(a, 0, sizeof(*a));
	if (remove) {
		s++;
		n--;
	}
	a->remove = remove;
	slash = memchr(s, '/', n);
	if (!slash || !cstr(host, sizeof(host), s, (size_t)(slash - s)))
		return false;
	if (!parse_uint(slash + 1, (size_t)(s + n - slash - 1), 128, &cidr))
		return false;
	if (strchr(host, ':')) {
		if (inet_pton(AF_INET6, host, a->addr) != 1)
			return false;
		a->family = AF_INET6;
	} else {
		if (cidr > 32 || inet_pton(AF_INET, host, a->addr) != 1)
			return false;
		a->family = AF_INET;
	}
	a->cidr = (uint8_t)cidr;
	return true;
}

/* ---- set: parse and check every line ---- */

static int
device_line(struct set_req *q, const char *k, size_t kl, const char *v, size_t vl)
{
	struct wr_peer_update *r = &q->r;
	uint64_t x;

#define KEY_IS(lit) (kl == sizeof(lit) - 1 && memcmp(k, lit, kl) == 0)
	if (KEY_IS("private_key")) {
		if (!parse_key(r->priv, v, vl))
			return -EINVAL;
		r->has_priv = true;
	} else if (KEY_IS("listen_port")) {
		if (!parse_uint(v, vl, 65535, &x))
			return -EINVAL;
		/* 0 asks for a random port: the peers of a gateway could not know it (wr_uapi.h) */
		r->port = (uint16_t)x;
		r->has_port = x != 0;
		q->port_zero = x == 0;
	} else if (KEY_IS("fwmark")) {
		if (!parse_uint(v, vl, UINT32_MAX, &x))
			return -EINVAL;
		q->has_fwmark = true;
		q->fwmark_set = x != 0;
	} else if (KEY_IS("replace_peers")) {
		if (!is_true(v, vl))
			return -EINVAL;
		r->replace_peers = true;
	} else {
		return -EINVAL;
	}
	return 0;
}

static int
peer_line(struct wr_peer_update *r, struct wr_peer_update_peer *p, const char *k, size_t kl,
	const char *v, size_t vl)
{
	uint64_t x;

	if (KEY_IS("update_only")) {
		if (!is_true(v, vl))
			return -EINVAL;
		p->update_only = true;
	} else if (KEY_IS("remove")) {
		if (!is_true(v, vl))
			return -EINVAL;
		p->remove = true;
	} else if (KEY_IS("preshared_key")) {
		if (!parse_key(p->psk, v, vl))
			return -EINVAL;
		p->has_psk = true;
	} else if (KEY_IS("endpoint")) {
		if (!parse_endpoint(&p->ep, v, vl))
			return -EINVAL;
		p->has_ep = true;
	} else if (KEY_IS("persistent_keepalive_interval")) {
		if (!parse_uint(v, vl, 65535, &x))
			return -EINVAL;
		p->keepalive = (uint16_t)x;
		p->has_keepalive = true;
	} else if (KEY_IS("replace_allowed_ips")) {
		if (!is_true(v, vl))
			return -EINVAL;
		/* prefixes listed before it would be wiped by it, as in wireguard-go */
		r->naips = p->aip_first;
		p->replace_aips = true;
	} else if (KEY_IS("allowed_ip")) {
		if (!parse_aip(&r->aips[r->naips], v, vl))
			return -EINVAL;
		r->naips++;
	} else if (KEY_IS("protocol_version")) {
		if (vl != 1 || v[0] != '1')
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	return 0;
#undef KEY_IS
}

/* The set keys, the only key names a refusal repeats: anything else could be a pasted key. */
static const char *const set_keys[] = { "private_key", "listen_port", "fwmark", "replace_peers",
	"public_key", "update_only", "remove", "preshared_key", "endpoint",
	"persistent_keepalive_interval", "replace_allowed_ips", "allowed_ip", "protocol_version" };

/* The set key @p k of @p kl bytes names, or NULL: asked only of a refused line */
static const char *
known_key(const char *k, size_t kl)
{
	for (size_t i = 0; k != NULL && i < sizeof(set_keys) / sizeof(set_keys[0]); i++)
		if (strlen(set_keys[i]) == kl && memcmp(set_keys[i], k, kl) == 0)
			return set_keys[i];
	return NULL;
}

/* Lines of @p req[0, @p len) that start with @p lit. */
static size_t
count_lines(const char *req, size_t len, const char *lit)
{
	size_t n = 0, ll = strlen(lit);

	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(req + pos, '\n', len - pos);

		n += len - pos >= ll && memcmp(req + pos, lit, ll) == 0;
		if (!nl)
			break;
		pos = (size_t)(nl - req) + 1;
	}
	return n;
}

/*
 * Parse "set=1\n" ... "\n\n" (the first line already checked) into @p q. Returns 0, -EINVAL,
 * -EPROTO (a line without '=') or -ENOMEM; on -EINVAL and -EPROTO, q->line and q->key say where
 * (q->key points into @p req).
 */
static int
parse_set(struct set_req *q, const char *req, size_t len)
{
	struct wr_peer_update *r = &q->r;
	struct wr_peer_update_peer *cur = NULL;
	size_t pos;
	int ret;

	memset(q, 0, sizeof(*q));
	/* the arrays are as long as their lines: a request of many short lines costs no more */
	r->peers = calloc(count_lines(req, len, "public_key=") + 1, sizeof(*r->peers));
	r->aips = calloc(count_lines(req, len, "allowed_ip=") + 1, sizeof(*r->aips));
	if (!r->peers || !r->aips)
		return -ENOMEM;

	q->line = 1;
	pos = sizeof("set=1\n") - 1;
	while (pos < len) {
		const char *line = req + pos, *nl = memchr(line, '\n', len - pos), *eq;
		size_t ll;

		q->line++;
		q->key = NULL;
		if (!nl)
			return -EINVAL; /* a last line without its newline */
		ll = (size_t)(nl - line);
		pos += ll + 1;
		if (ll == 0) {
			/* the blank line must end the request */
			if (cur)
				cur->aip_count = r->naips - cur->aip_first;
			return pos == len ? 0 : -EINVAL;
		}
		eq = memchr(line, '=', ll);
		if (eq) {
			q->key = line;
			q->kl = (size_t)(eq - line);
		}
		for (size_t i = 0; i < ll; i++)
			if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] >= 0x7f)
				return -EINVAL;
		if (!eq)
			return -EPROTO;
		const char *k = line, *v = eq + 1;
		size_t kl = (size_t)(eq - line), vl = ll - kl - 1;

		if (kl == sizeof("public_key") - 1 && memcmp(k, "public_key", kl) == 0) {
			if (cur)
				cur->aip_count = r->naips - cur->aip_first;
			cur = &r->peers[r->npeers++];
			if (!parse_key(cur->pub, v, vl))
				return -EINVAL;
			cur->aip_first = r->naips;
			continue;
		}
		ret = cur ? peer_line(r, cur, k, kl, v, vl) : device_line(q, k, kl, v, vl);
		if (ret < 0)
			return ret;
	}
	return -EINVAL; /* no blank line */
}

/* ---- get ---- */

static int
put_aip(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct sbuf *b = ctx;
	char s[INET6_ADDRSTRLEN];

	if (inet_ntop(family, addr, s, sizeof(s)))
		sb_printf(b, "allowed_ip=%s/%u\n", s, cidr);
	return b->oom;
}

static void
put_endpoint(struct sbuf *b, const struct wr_endpoint *ep)
{
	char s[INET6_ADDRSTRLEN];

	if (ep->sa.sa_family == AF_INET) {
		if (inet_ntop(AF_INET, &ep->in4.sin_addr, s, sizeof(s)))
			sb_printf(b, "endpoint=%s:%u\n", s, ntohs(ep->in4.sin_port));
	} else if (ep->sa.sa_family == AF_INET6) {
		if (!inet_ntop(AF_INET6, &ep->in6.sin6_addr, s, sizeof(s)))
			return;
		if (ep->in6.sin6_scope_id)
			sb_printf(b, "endpoint=[%s%%%u]:%u\n", s, ep->in6.sin6_scope_id,
				ntohs(ep->in6.sin6_port));
		else
			sb_printf(b, "endpoint=[%s]:%u\n", s, ntohs(ep->in6.sin6_port));
	}
}

static int
put_peer(void *ctx, struct wr_peer *peer)
{
	struct sbuf *b = ctx;
	struct wr_peer_stats st;
	struct wr_endpoint ep;

	/* no preshared_key line: secrets are never returned (wr_uapi.h) */
	sb_key(b, "public_key", wr_peer_public_key(peer));
	sb_printf(b, "protocol_version=1\n");
	wr_peer_get_endpoint(peer, &ep);
	put_endpoint(b, &ep);
	wr_peer_get_stats(peer, &st);
	sb_printf(b, "last_handshake_time_sec=%llu\nlast_handshake_time_nsec=%llu\n",
		(unsigned long long)(st.last_handshake_wall_ns / WR_NSEC_PER_SEC),
		(unsigned long long)(st.last_handshake_wall_ns % WR_NSEC_PER_SEC));
	sb_printf(b, "tx_bytes=%llu\nrx_bytes=%llu\n", (unsigned long long)st.tx_bytes,
		(unsigned long long)st.rx_bytes);
	sb_printf(b, "persistent_keepalive_interval=%u\n", wr_peer_get_keepalive(peer));
	/* O(this peer's prefixes) (wr_allowedips_walk_peer()), so a whole get is linear */
	wr_peer_foreach_allowedip(peer, put_aip, b);
	return b->oom;
}

static void
do_get(struct wr_uapi *u, struct sbuf *b)
{
	uint16_t port = u->ops.get_listen_port ? u->ops.get_listen_port(u->ctx) : 0;

	/* no private_key line: secrets are never returned (wr_uapi.h); no fwmark: always 0 */
	if (port)
		sb_printf(b, "listen_port=%u\n", port);
	wr_device_foreach_peer(u->dev, put_peer, b);
	sb_printf(b, "errno=0\n\n");
}

/* ---- entry points ---- */

struct wr_uapi *
wr_uapi_create(struct wr_device *dev, const struct wr_uapi_ops *ops, void *ctx)
{
	struct wr_uapi *u;

	if (!dev) {
		errno = EINVAL;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u) {
		errno = ENOMEM;
		return NULL;
	}
	u->dev = dev;
	if (ops)
		u->ops = *ops;
	u->ctx = ctx;
	return u;
}

void
wr_uapi_destroy(struct wr_uapi *u)
{
	free(u);
}

void
wr_uapi_get_stats(const struct wr_uapi *u, struct wr_uapi_stats *st)
{
	*st = u->stats;
}

static bool
has_prefix(const char *req, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(req, lit, n) == 0;
}

__attribute__((format(printf, 2, 3))) static void
notice(struct wr_uapi *u, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!u->ops.notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	u->ops.notice(u->ctx, msg);
}

/*
 * What a checked set does that its client did not ask for, and says so: an all-zero private key
 * from `wg setconf` or `wg syncconf` keeps the device's (wr_uapi.h), a fwmark is ignored.
 */
static void
adjust_set(struct wr_uapi *u, struct set_req *q)
{
	struct wr_peer_update *r = &q->r;
	uint8_t cur[WR_KEY_LEN];

	if (r->has_priv && q->has_fwmark && (r->has_port || q->port_zero) &&
		wr_ct_is_zero(r->priv, WR_KEY_LEN) && wr_device_get_public_key(u->dev, cur)) {
		r->has_priv = false;
		if (!u->told_key_kept)
			notice(u,
				"a wg setconf or syncconf without PrivateKey (as wg showconf "
				"writes it: the key is never shown) keeps the interface's private "
				"key; `wg set IF private-key /dev/null` clears it (said once)");
		u->told_key_kept = true;
	}
	if (q->fwmark_set && !u->told_fwmark) {
		notice(u, "fwmark ignored: a DPDK data plane has no socket marks (said once)");
		u->told_fwmark = true;
	}
}

static void
refused(struct wr_uapi *u, const struct set_req *q, int err)
{
	const char *key = known_key(q->key, q->kl);

	if (err == -ENOMEM)
		notice(u, "wg set refused: %s", strerror(-err));
	else if (q->line == 0) /* applying: the host refused (wr_peer_update_apply()) */
		notice(u, "wg set refused: %s: %s",
			err == -ENOSPC ? "more peers than the gateway has room for" : "listen_port",
			strerror(-err));
	else if (key != NULL)
		notice(u, "wg set refused: line %u (%s): %s", q->line, key, strerror(-err));
	else
		notice(u, "wg set refused: line %u (not a known key): %s", q->line, strerror(-err));
}

int
wr_uapi_refuse_oversized(struct wr_uapi *u, bool set, size_t max_bytes, size_t max_lines,
	char **resp, size_t *resp_len)
{
	struct sbuf b = { 0 };

	*resp = NULL;
	*resp_len = 0;
	if (set)
		u->stats.sets_failed++;
	u->stats.malformed++;
	notice(u, "wg %s refused: the request is over %zu bytes or %zu lines: %s",
		set ? "set" : "get", max_bytes, max_lines, strerror(E2BIG));
	/* a set's errno is negative, a get's positive (wr_uapi.h) */
	sb_printf(&b, "errno=%d\n\n", set ? -E2BIG : E2BIG);
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*resp = b.p;
	*resp_len = b.len;
	return 0;
}

int
wr_uapi_handle(
	struct wr_uapi *u, const char *req, size_t len, char **resp, size_t *resp_len, uint64_t now)
{
	struct sbuf b = { 0 };
	struct set_req q;
	int ret;

	*resp = NULL;
	*resp_len = 0;
	if (has_prefix(req, len, "get=1\n")) {
		if (len == 6 + 1 && req[6] == '\n') {
			do_get(u, &b);
			u->stats.gets++;
		} else {
			u->stats.malformed++;
			sb_printf(&b, "errno=%d\n\n", EINVAL);
		}
	} else if (has_prefix(req, len, "set=1\n")) {
		ret = parse_set(&q, req, len);
		if (ret == 0) {
			adjust_set(u, &q);
			q.line = 0;
			ret = wr_peer_update_apply(u->dev, &u->ops, u->ctx, &q.r, now);
		} else if (ret != -ENOMEM) {
			u->stats.malformed++;
		}
		wr_peer_update_free(&q.r);
		if (ret == 0) {
			u->stats.sets++;
		} else {
			u->stats.sets_failed++;
			refused(u, &q, ret);
		}
		sb_printf(&b, "errno=%d\n\n", ret);
	} else {
		u->stats.malformed++;
		return -EPROTO;
	}
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*resp = b.p;
	*resp_len = b.len;
	return 0;
}
