/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST server: listeners (a unix socket, an optional TCP address with a bearer token),
 * libmicrohttpd in external-poll epoll mode, request bodies, and routing to the resources
 * (rest_peers.c, metrics.c). See wr_rest.h and docs/rest-api.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "rest_internal.h"
#include "wr_crypto.h"

/* MHD's per-connection memory (headers and read buffer). */
#define REST_CONN_MEMORY (128u * 1024)

/* Per-connection state of one request: its body so far. */
struct conn {
	char *buf;
	size_t len, cap;
	size_t discarded; /* bytes of a body over the limit, read and dropped */
	bool answered, too_big;
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* jansson keeps copies of every string it parses, keys included: wipe them all on free. */
static void
wiping_free(void *p)
{
	if (p) {
		wr_wipe(p, malloc_usable_size(p));
		free(p);
	}
}

/* ---- routing ---- */

static struct rest_if *
find_if(struct wr_rest *r, const char *name)
{
	for (size_t i = 0; i < r->nifs; i++)
		if (strcmp(r->ifs[i].name, name) == 0)
			return &r->ifs[i];
	return NULL;
}

static int
get_status(struct wr_rest *r, const char *method, struct rest_resp *out)
{
	struct wr_rest_status st;
	json_t *ports, *lcores, *ifs;
	int ret;

	if (strcmp(method, "GET") != 0) {
		out->allow = "GET";
		return rest_error(out, 405, REST_E_METHOD, NULL, "allowed: GET");
	}
	ret = rest_status(r, &st);
	if (ret < 0)
		return rest_error(out, 500, REST_E_INTERNAL, NULL, "status: %s", strerror(-ret));
	ports = json_array();
	lcores = json_array();
	ifs = json_array();
	for (size_t i = 0; ports && i < st.n_ports; i++) {
		const struct wr_rest_port *p = &st.ports[i];
		json_t *addrs = json_array();

		for (size_t k = 0; addrs && k < p->n_addresses; k++)
			json_array_append_new(addrs, json_string(p->addresses[k]));
		json_array_append_new(ports,
			json_pack("{s:s,s:s?,s:o,s:b,s:I,s:I,s:I,s:I,s:I,s:I}", "name",
				p->name ? p->name : "", "mac", p->mac, "addresses", addrs,
				"link_up", p->link_up, "rx_packets", (json_int_t)p->rx_packets,
				"tx_packets", (json_int_t)p->tx_packets, "rx_bytes",
				(json_int_t)p->rx_bytes, "tx_bytes", (json_int_t)p->tx_bytes,
				"rx_dropped", (json_int_t)p->rx_dropped, "tx_dropped",
				(json_int_t)p->tx_dropped));
	}
	for (size_t i = 0; lcores && i < st.n_lcores; i++)
		json_array_append_new(
			lcores, json_pack("{s:i,s:s}", "id", (int)st.lcores[i].id, "role",
					st.lcores[i].role ? st.lcores[i].role : ""));
	for (size_t i = 0; ifs && i < r->nifs; i++)
		json_array_append_new(ifs, json_string(r->ifs[i].name));
	return rest_json(out, 200,
		json_pack("{s:s,s:I,s:o,s:o,s:o,s:o,s:s*}", "version", st.version, "uptime_seconds",
			(json_int_t)(st.uptime_ns / 1000000000ULL), "interfaces", ifs, "ports",
			ports, "lcores", lcores, "drops", rest_drops_json(st.drops),
			"eal_file_prefix", st.eal_file_prefix));
}

static int
not_found(struct rest_resp *out)
{
	return rest_error(out, 404, REST_E_NOT_FOUND, NULL, "no such resource");
}

/*
 * /metrics, /v1/status, /v1/interfaces[/{if}[/stats|/peers[/{key}[/stats]]]]. The path is
 * split in place in a copy; MHD has already percent-decoded it.
 */
static void
route(struct wr_rest *r, const char *method, const char *url, const char *body, size_t len,
	struct rest_resp *out)
{
	char copy[256], *seg[6], *save = NULL, *s;
	struct rest_if *ifc;
	size_t n = 0;

	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	if (strcmp(url, "/metrics") == 0) {
		if (strcmp(method, "GET") != 0) {
			out->allow = "GET";
			rest_error(out, 405, REST_E_METHOD, NULL, "allowed: GET");
			return;
		}
		rest_metrics(r, out);
		return;
	}
	if (strncmp(url, "/v1/", 4) != 0 || strlen(url) >= sizeof(copy) || strstr(url, "//") ||
		url[strlen(url) - 1] == '/') {
		not_found(out);
		return;
	}
	strcpy(copy, url + 4);
	for (s = strtok_r(copy, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (n == 6) {
			not_found(out);
			return;
		}
		seg[n++] = s;
	}
	if (n == 1 && strcmp(seg[0], "status") == 0) {
		get_status(r, method, out);
		return;
	}
	if (n == 0 || strcmp(seg[0], "interfaces") != 0) {
		not_found(out);
		return;
	}
	if (n == 1) {
		rest_interfaces(r, method, out);
		return;
	}
	ifc = find_if(r, seg[1]);
	if (!ifc) {
		rest_error(out, 404, REST_E_NOT_FOUND, "interface", "no such interface");
		return;
	}
	if (n == 2)
		rest_interface(r, ifc, method, body, len, out);
	else if (n == 3 && strcmp(seg[2], "stats") == 0 && strcmp(method, "GET") == 0)
		rest_interface_stats(r, ifc, out);
	else if (n == 3 && strcmp(seg[2], "stats") == 0) {
		out->allow = "GET";
		rest_error(out, 405, REST_E_METHOD, NULL, "allowed: GET");
	} else if (n == 3 && strcmp(seg[2], "peers") == 0)
		rest_peers(r, ifc, method, body, len, out);
	else if (n == 4 && strcmp(seg[2], "peers") == 0)
		rest_peer(r, ifc, seg[3], method, body, len, false, out);
	else if (n == 5 && strcmp(seg[2], "peers") == 0 && strcmp(seg[4], "stats") == 0)
		rest_peer(r, ifc, seg[3], method, body, len, true, out);
	else
		not_found(out);
}

static void
count(struct wr_rest *r, const struct rest_resp *out)
{
	r->stats.requests++;
	if (out->status >= 400 && out->status < 500)
		r->stats.client_errors++;
	if (out->status >= 500)
		r->stats.server_errors++;
	if (out->status == 401)
		r->stats.unauthorized++;
	if (out->wrote)
		r->stats.writes++;
}

int
wr_rest_handle(struct wr_rest *r, const char *method, const char *path, const char *body,
	size_t len, unsigned int *status, char **resp, size_t *resp_len, uint64_t now)
{
	struct rest_resp out = { 0 };

	r->now = now;
	route(r, method, path, body, len, &out);
	count(r, &out);
	*status = out.status;
	if (!out.body && !(out.body = strdup("")))
		return -ENOMEM;
	*resp = out.body;
	*resp_len = out.len;
	return 0;
}

/* ---- HTTP ---- */

static enum MHD_Result
answer(struct wr_rest *r, struct MHD_Connection *c, struct conn *cs, struct rest_resp *out)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	count(r, out);
	cs->answered = true;
	if (out->body)
		resp = MHD_create_response_from_buffer(out->len, out->body, MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(out->body);
		return MHD_NO;
	}
	if (out->body)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
			out->ctype ? out->ctype : "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (out->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, out->allow);
	if (out->location[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, out->location);
	if (out->status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	ret = MHD_queue_response(c, out->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * An Authorization header's value points into the connection's memory pool, where MHD parsed
 * the header in place (the read buffer, or a pool block for a folded header): writable memory
 * where the token would stay for as long as the request lasts (a large body may take long).
 * Nothing in MHD reads Authorization (we call none of its auth helpers), so the value is wiped
 * once it has been compared, a wrong one too: it may be a token of something else.
 * tests/unit/test_rest.c checks that no copy is left with the libmicrohttpd it is built with.
 */
static enum MHD_Result
wipe_authorization(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
	const char *value, size_t value_size)
{
	if (value && key_size == strlen(MHD_HTTP_HEADER_AUTHORIZATION) &&
		strcasecmp(key, MHD_HTTP_HEADER_AUTHORIZATION) == 0)
		wr_wipe((char *)value, value_size);
	return MHD_YES;
}

/* Compared as hashes, in constant time: neither the content nor the length leaks. */
static bool
authorized(struct wr_rest *r, struct MHD_Connection *c)
{
	const char *h =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	uint8_t a[32], b[32];
	bool ok;

	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		ok = false;
		goto out;
	}
	wr_blake2s(a, sizeof(a), h + 7, strlen(h + 7), NULL, 0);
	wr_blake2s(b, sizeof(b), r->token, strlen(r->token), NULL, 0);
	ok = wr_ct_equal(a, b, sizeof(a));
	wr_wipe(a, sizeof(a));
	wr_wipe(b, sizeof(b));
out:
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, wipe_authorization, NULL);
	return ok;
}

/*
 * application/json and nothing after it but parameters ("; charset=utf-8"): a prefix alone would
 * take application/jsonfoo. MHD has dropped the blanks around the value.
 */
static bool
is_json_type(const char *ct)
{
	static const char json[] = "application/json";

	return strncasecmp(ct, json, sizeof(json) - 1) == 0 &&
	       (ct[sizeof(json) - 1] == '\0' || strchr("; \t", ct[sizeof(json) - 1]));
}

static bool
has_body_method(const char *method)
{
	return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH");
}

/* Grow without realloc(): the old buffer holds secrets and is wiped before it is freed. */
static bool
body_reserve(struct conn *cs, size_t need)
{
	size_t cap = cs->cap ? cs->cap : 4096;
	char *p;

	if (need <= cs->cap)
		return true;
	while (cap < need)
		cap *= 2;
	p = malloc(cap);
	if (!p)
		return false;
	if (cs->buf) {
		memcpy(p, cs->buf, cs->len);
		wr_wipe(cs->buf, cs->cap);
		free(cs->buf);
	}
	cs->buf = p;
	cs->cap = cap;
	return true;
}

static void
body_wipe(struct conn *cs)
{
	if (cs->buf) {
		wr_wipe(cs->buf, cs->cap);
		free(cs->buf);
	}
	cs->buf = NULL;
	cs->len = cs->cap = 0;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct rest_listener *l = cls;
	struct wr_rest *r = l->rest;
	struct conn *cs = *con_cls;
	struct rest_resp out = { 0 };

	if (!cs) {
		const char *cl, *ct;

		cs = calloc(1, sizeof(*cs));
		if (!cs)
			return MHD_NO;
		*con_cls = cs;
		if (l->needs_token && !authorized(r, c)) {
			rest_error(
				&out, 401, REST_E_AUTH, NULL, "a valid bearer token is required");
			return answer(r, c, cs, &out);
		}
		cl = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > r->cfg.max_body) {
			rest_error(&out, 413, REST_E_TOO_LARGE, NULL, "the body is over %zu bytes",
				r->cfg.max_body);
			return answer(r, c, cs, &out);
		}
		ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
		if (has_body_method(method) && ct && !is_json_type(ct)) {
			rest_error(
				&out, 415, REST_E_MEDIA, NULL, "the body must be application/json");
			return answer(r, c, cs, &out);
		}
		if (cl && !body_reserve(cs, strtoull(cl, NULL, 10) + 1))
			return MHD_NO;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;

		if (!cs->answered && !cs->too_big && n > r->cfg.max_body - cs->len) {
			/*
			 * A chunked body that grew too large. MHD cannot answer in the middle of an
			 * upload, so the rest is read and dropped and 413 follows; a client that
			 * keeps sending for long is cut off.
			 */
			body_wipe(cs);
			cs->too_big = true;
		}
		if (cs->too_big) {
			cs->discarded += n;
			if (cs->discarded > 16 * r->cfg.max_body) {
				wr_wipe((void *)upload, n);
				return MHD_NO;
			}
		} else if (!cs->answered) {
			if (!body_reserve(cs, cs->len + n + 1))
				return MHD_NO;
			memcpy(cs->buf + cs->len, upload, n);
			cs->len += n;
		}
		/* MHD's read buffer is reused, not wiped: the body may hold keys */
		wr_wipe((void *)upload, n);
		*upload_size = 0;
		return MHD_YES;
	}
	if (cs->answered)
		return MHD_YES;
	if (cs->too_big) {
		rest_error(&out, 413, REST_E_TOO_LARGE, NULL, "the body is over %zu bytes",
			r->cfg.max_body);
		return answer(r, c, cs, &out);
	}
	r->now = r->now ? r->now : mono_ns();
	route(r, method, url, cs->buf ? cs->buf : "", cs->len, &out);
	body_wipe(cs);
	return answer(r, c, cs, &out);
}

static void
on_completed(
	void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn *cs = *con_cls;

	if (cs) {
		body_wipe(cs);
		free(cs);
		*con_cls = NULL;
	}
}

/* ---- listeners ---- */

static int
listen_unix(struct wr_rest *r, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)], *slash;
	struct stat st;
	mode_t old;
	int fd, ret;

	if (strlen(path) >= sizeof(sun.sun_path) || !path[0])
		return -EINVAL;
	strcpy(sun.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			ret = -EEXIST;
			goto fail;
		}
		/* a live server answers; a dead one's file refuses */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		ret = probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0;
		if (probe >= 0)
			close(probe);
		if (ret) {
			ret = -EADDRINUSE;
			goto fail;
		}
		unlink(path);
	}
	/* created 0600 from the start: no window in which anyone else may connect */
	old = umask(0177);
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (ret < 0) {
		ret = -errno;
		goto fail;
	}
	if (chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
		ret = -errno;
		unlink(path);
		goto fail;
	}
	if (stat(path, &st) == 0) {
		r->sock_dev = st.st_dev;
		r->sock_ino = st.st_ino;
	}
	r->unix_path = strdup(path);
	if (!r->unix_path) {
		unlink(path);
		ret = -ENOMEM;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

static int
listen_tcp(struct wr_rest *r, const char *addr)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	char host[64];
	const char *port;
	struct addrinfo *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = -1, one = 1, ret;

	if (addr[0] == '[') {
		const char *rb = strchr(addr, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - addr) >= sizeof(host))
			return -EINVAL;
		memcpy(host, addr + 1, (size_t)(rb - addr - 1));
		host[rb - addr - 1] = '\0';
		port = rb + 2;
	} else {
		const char *colon = strrchr(addr, ':');

		if (!colon || (size_t)(colon - addr) >= sizeof(host))
			return -EINVAL;
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = '\0';
		port = colon + 1;
	}
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
		return -EINVAL;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 64) < 0 ||
		getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		ret = -errno;
		close(fd);
		goto out;
	}
	r->tcp_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						     : ((struct sockaddr_in *)&ss)->sin_port);
	ret = fd;
out:
	freeaddrinfo(ai);
	return ret;
}

static int
start(struct wr_rest *r, struct rest_listener *l, int fd, bool needs_token)
{
	const union MHD_DaemonInfo *info;
	struct epoll_event ev = { .events = EPOLLIN };

	l->rest = r;
	l->needs_token = needs_token;
	l->d = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, l,
		MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
		/* a bigger read buffer: a 2 MiB peer set arrives in fewer, larger pieces */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REST_CONN_MEMORY,
		MHD_OPTION_CONNECTION_LIMIT, r->cfg.max_clients, MHD_OPTION_CONNECTION_TIMEOUT,
		r->cfg.timeout_s, MHD_OPTION_END);
	if (!l->d) {
		close(fd);
		return -EIO;
	}
	/* MHD owns the socket now and closes it on stop */
	l->fd = fd;
	info = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info)
		return -EIO;
	ev.data.ptr = l;
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, info->epoll_fd, &ev) < 0)
		return -errno;
	return 0;
}

/* Stop serving the unix socket and remove its file while it is still ours. */
static void
close_unix(struct wr_rest *r)
{
	struct stat st;

	if (r->lu.d)
		MHD_stop_daemon(r->lu.d);
	r->lu.d = NULL;
	/* remove the file only while it is ours: another server may have replaced it */
	if (r->unix_path && lstat(r->unix_path, &st) == 0 && st.st_dev == r->sock_dev &&
		st.st_ino == r->sock_ino)
		unlink(r->unix_path);
	free(r->unix_path);
	r->unix_path = NULL;
}

static int
open_unix(struct wr_rest *r)
{
	int fd = listen_unix(r, r->cfg.unix_path);

	return fd < 0 ? fd : start(r, &r->lu, fd, false);
}

int
wr_rest_create(struct wr_rest **out, const struct wr_rest_config *cfg,
	const struct wr_rest_ops *ops, void *ctx)
{
	struct wr_rest *r;
	int fd, ret;

	*out = NULL;
	if (cfg && cfg->tcp_address && (!cfg->token || !cfg->token[0]))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->epfd = -1;
	if (cfg)
		r->cfg = *cfg;
	if (!r->cfg.unix_path)
		r->cfg.unix_path = WR_REST_SOCKET_DEFAULT;
	if (!r->cfg.max_body)
		r->cfg.max_body = WR_REST_MAX_BODY;
	if (!r->cfg.max_clients)
		r->cfg.max_clients = WR_REST_MAX_CLIENTS;
	if (!r->cfg.timeout_s)
		r->cfg.timeout_s = WR_REST_TIMEOUT_S;
	if (ops)
		r->ops = *ops;
	r->ctx = ctx;
	r->created_ns = mono_ns();
	json_set_alloc_funcs(malloc, wiping_free);

	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = open_unix(r);
	if (ret < 0) {
		if (!r->cfg.unix_optional || !r->cfg.tcp_address)
			goto fail;
		/* the host asked for TCP and can do without the socket: it hears why */
		close_unix(r);
		r->unix_err = ret;
	}
	if (r->cfg.tcp_address) {
		r->token = strdup(r->cfg.token);
		if (!r->token) {
			ret = -ENOMEM;
			goto fail;
		}
		fd = listen_tcp(r, r->cfg.tcp_address);
		if (fd < 0) {
			ret = fd;
			goto fail;
		}
		ret = start(r, &r->lt, fd, true);
		if (ret < 0)
			goto fail;
	}
	/* the caller's strings need not outlive this call */
	r->cfg.unix_path = r->unix_path;
	r->cfg.tcp_address = NULL;
	r->cfg.token = NULL;
	*out = r;
	return 0;
fail:
	wr_rest_destroy(r);
	return ret;
}

static bool
valid_ifname(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > WR_REST_IFNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
			    (name[i] >= '0' && name[i] <= '9') || strchr("_.-", name[i])))
			return false;
	return true;
}

int
wr_rest_add_interface(struct wr_rest *r, const char *name, struct wr_device *dev,
	const struct wr_rest_if_ops *ops, void *ctx)
{
	struct rest_if *ifc;

	if (!name || !dev || !valid_ifname(name))
		return -EINVAL;
	if (find_if(r, name))
		return -EEXIST;
	if (r->nifs == r->cap_ifs) {
		size_t cap = r->cap_ifs ? 2 * r->cap_ifs : 4;
		struct rest_if *p = realloc(r->ifs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		r->ifs = p;
		r->cap_ifs = cap;
	}
	ifc = &r->ifs[r->nifs++];
	memset(ifc, 0, sizeof(*ifc));
	strcpy(ifc->name, name);
	ifc->dev = dev;
	if (ops)
		ifc->ops = *ops;
	ifc->ctx = ctx;
	return 0;
}

int
wr_rest_remove_interface(struct wr_rest *r, const char *name)
{
	struct rest_if *ifc = find_if(r, name);

	if (!ifc)
		return -ENOENT;
	memmove(ifc, ifc + 1, (size_t)(&r->ifs[r->nifs] - (ifc + 1)) * sizeof(*ifc));
	r->nifs--;
	return 0;
}

int
wr_rest_fd(const struct wr_rest *r)
{
	return r->epfd;
}

int
wr_rest_timeout_ms(const struct wr_rest *r)
{
	const struct rest_listener *ls[] = { &r->lu, &r->lt };
	long long best = -1;

	for (size_t i = 0; i < 2; i++) {
		MHD_UNSIGNED_LONG_LONG t;

		if (ls[i]->d && MHD_get_timeout(ls[i]->d, &t) == MHD_YES &&
			(best < 0 || (long long)t < best))
			best = (long long)t;
	}
	return best > 1000000 ? 1000000 : (int)best;
}

int
wr_rest_poll(struct wr_rest *r, uint64_t now)
{
	int ret = 0;

	r->now = now;
	if (r->lu.d && MHD_run(r->lu.d) != MHD_YES)
		ret = -EIO;
	if (r->lt.d && MHD_run(r->lt.d) != MHD_YES)
		ret = -EIO;
	return ret;
}

uint16_t
wr_rest_tcp_port(const struct wr_rest *r)
{
	return r->lt.d ? r->tcp_port : 0;
}

void
wr_rest_get_stats(const struct wr_rest *r, struct wr_rest_stats *st)
{
	*st = r->stats;
}

int
wr_rest_unix_error(const struct wr_rest *r)
{
	return r->unix_err;
}

void
wr_rest_destroy(struct wr_rest *r)
{
	if (!r)
		return;
	if (r->lt.d)
		MHD_stop_daemon(r->lt.d);
	close_unix(r);
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->token) {
		wr_wipe(r->token, strlen(r->token));
		free(r->token);
	}
	free(r->ifs);
	free(r);
}
