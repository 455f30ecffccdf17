/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The JSON REST control API and the Prometheus metrics endpoint (docs/rest-api.md,
 * docs/openapi.json): HTTP/1.1 on a unix socket (mode 0600), and optionally on a TCP address
 * where every request needs "Authorization: Bearer <token>".
 *
 * No threads: libmicrohttpd runs in external-poll mode (epoll). The host sleeps on wr_rest_fd()
 * with the rest of its control loop, for at most wr_rest_timeout_ms(), and calls wr_rest_poll()
 * when it is readable or the timeout passed (or every iteration: it never blocks). The timeout
 * matters: libmicrohttpd may hold work that the fd does not show (data already read, more to
 * read on an edge-triggered socket) and says so with a timeout of 0. Requests are handled
 * synchronously inside wr_rest_poll(), on the caller's thread, which must be the thread that owns
 * the devices (the control lcore).
 *
 * The server manages a set of interfaces, each a protocol engine device that the host adds with
 * wr_rest_add_interface(). Configuration changes go through the same validated-first apply as
 * the wg UAPI (wr_peer_update.h): a request is parsed and checked in full before anything
 * changes, so a bad request gets a 4xx with a JSON error body and changes nothing; the host hears
 * of every change through its struct wr_uapi_ops (peer_removing, changed) to republish tables.
 *
 * Secrets: private and preshared keys are accepted on write and never returned; request bodies
 * are wiped once handled, and so is a request's Authorization header once checked (in
 * libmicrohttpd's connection memory); nothing here logs. To wipe jansson's internal copies too,
 * wr_rest_create() installs allocation functions in jansson that wipe on free (process-wide).
 */
#ifndef WR_REST_H
#define WR_REST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wr_device.h"
#include "wr_drops.h"
#include "wr_uapi.h"

struct wr_rest;

/** Default unix socket path ([Gateway] ControlSocket). */
#define WR_REST_SOCKET_DEFAULT "/run/wirerate/ctrl.sock"
/** Default bound on a request body (a 10,000-peer bulk replace is about 2 MiB). */
#define WR_REST_MAX_BODY (16u << 20)
/** Default bound on simultaneous connections per listener. */
#define WR_REST_MAX_CLIENTS 64
/** Default idle limit of a connection, in seconds. */
#define WR_REST_TIMEOUT_S 30
/** Longest interface name (as IFNAMSIZ - 1). */
#define WR_REST_IFNAME_MAX 15

/** One network port of the gateway, as the host reports it. */
struct wr_rest_port {
	const char *name;             /* e.g. "wan0" */
	const char *mac;              /* "aa:bb:cc:dd:ee:ff", or NULL */
	const char *const *addresses; /* "192.0.2.1/24", ...; n_addresses of them */
	size_t n_addresses;
	bool link_up;
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_dropped, tx_dropped;
};

/** One lcore and what it does ("control", "worker", ...). */
struct wr_rest_lcore {
	unsigned int id;
	const char *role;
};

/** Gateway facts for GET /v1/status and /metrics. */
struct wr_rest_status {
	const char *version; /* NULL: the build's version */
	uint64_t uptime_ns;  /* time since the gateway started */
	const struct wr_rest_port *ports;
	size_t n_ports;
	const struct wr_rest_lcore *lcores;
	size_t n_lcores;
	/* DPDK's runtime directory name (EAL --file-prefix; the telemetry socket's), or NULL */
	const char *eal_file_prefix;
	/*
	 * WR_DROP_COUNT counters by enum wr_drop_reason: the protocol drops no interface can be
	 * charged with (a packet to forward that no peer's AllowedIPs hold), or NULL: none
	 */
	const uint64_t *drops;
};

/** Gateway-wide host callbacks; every member may be NULL. */
struct wr_rest_ops {
	/**
	 * Fill @p st. Pointers in it must stay valid until the callback is called again or the
	 * server is destroyed. Returns 0 or -errno (answered 500). NULL: the build's version, the
	 * uptime since wr_rest_create(), no ports, no lcores.
	 */
	int (*get_status)(void *ctx, struct wr_rest_status *st);
};

/** Per-interface host callbacks. */
struct wr_rest_if_ops {
	/**
	 * Listen port, port changes, peer_removing and changed, exactly as for the UAPI (see
	 * struct wr_uapi_ops): one changed() call per successful (or partly applied) write.
	 */
	struct wr_uapi_ops cfg;

	/** Name of the network port the interface listens on ("wan0"), or NULL. May be NULL. */
	const char *(*port_name)(void *ctx);

	/**
	 * Add the data plane's drop counters to @p drops (indexed by enum wr_drop_reason); the
	 * engine's own (wr_device_drop_count()) are already in. May be NULL.
	 */
	void (*add_drops)(void *ctx, uint64_t drops[WR_DROP_COUNT]);
};

/** Server options; a zero member takes its default. */
struct wr_rest_config {
	/** Unix socket path (WR_REST_SOCKET_DEFAULT); its directory is created 0755 if missing. */
	const char *unix_path;
	/** Optional TCP listener, "192.0.2.1:8080" or "[2001:db8::1]:8080" (port 0: any). */
	const char *tcp_address;
	/** Bearer token the TCP listener requires (mandatory with tcp_address). */
	const char *token;
	/**
	 * With tcp_address: a unix socket that cannot be opened is no error, the server runs on
	 * TCP alone and wr_rest_unix_error() says why (for a host that was asked for the TCP
	 * listener and may do without the socket). Ignored without tcp_address.
	 */
	bool unix_optional;
	size_t max_body;          /* bytes (WR_REST_MAX_BODY) */
	unsigned int max_clients; /* per listener (WR_REST_MAX_CLIENTS) */
	unsigned int timeout_s;   /* idle connection limit (WR_REST_TIMEOUT_S) */
};

/** Counters of one server. */
struct wr_rest_stats {
	uint64_t requests;      /* requests answered */
	uint64_t client_errors; /* answered 4xx */
	uint64_t server_errors; /* answered 5xx */
	uint64_t unauthorized;  /* answered 401 */
	uint64_t writes;        /* requests that changed configuration */
};

/**
 * Open the listeners of @p cfg (NULL: defaults) and return the server in *@p out. @p ops may be
 * NULL and is copied; @p ctx is passed to its callbacks. A unix socket file left by a dead
 * process is replaced; one a live server answers is not (-EADDRINUSE), nor a file that is not a
 * socket (-EEXIST). Returns 0 or -errno (-EINVAL: bad address, or a TCP address without token);
 * with cfg->unix_optional and a TCP address, an error is never the unix socket's.
 */
int
wr_rest_create(struct wr_rest **out, const struct wr_rest_config *cfg,
	const struct wr_rest_ops *ops, void *ctx);

/**
 * Why the unix socket is not served (-errno, with wr_rest_config.unix_optional), or 0 when it
 * is.
 */
int
wr_rest_unix_error(const struct wr_rest *r);

/**
 * Serve @p dev as interface @p name (1 to WR_REST_IFNAME_MAX characters of [A-Za-z0-9_.-]).
 * @p dev is not owned and must outlive the server or be removed first. @p ops is copied (NULL:
 * no callbacks); @p ctx is passed to them. Returns 0, -EINVAL, -EEXIST (name taken) or -ENOMEM.
 */
int
wr_rest_add_interface(struct wr_rest *r, const char *name, struct wr_device *dev,
	const struct wr_rest_if_ops *ops, void *ctx);

/** Stop serving interface @p name. Returns 0 or -ENOENT. */
int
wr_rest_remove_interface(struct wr_rest *r, const char *name);

/** An epoll file descriptor, readable when wr_rest_poll() has work. Owned by the server. */
int
wr_rest_fd(const struct wr_rest *r);

/**
 * The longest the host may sleep on wr_rest_fd() before calling wr_rest_poll(), in
 * milliseconds (0: work is pending, call it now; also idle timeouts), or -1 for "until readable".
 */
int
wr_rest_timeout_ms(const struct wr_rest *r);

/**
 * Do the work that is ready now, without blocking: accept, read, answer complete requests, write,
 * close finished and idle connections. @p now is the engine's monotonic clock in ns (passed to
 * the engine, e.g. when a keepalive is turned on). Returns 0 or -EIO.
 */
int
wr_rest_poll(struct wr_rest *r, uint64_t now);

/** The TCP listener's bound port (useful with port 0), or 0 without a TCP listener. */
uint16_t
wr_rest_tcp_port(const struct wr_rest *r);

/** Copy the server's counters into @p st. */
void
wr_rest_get_stats(const struct wr_rest *r, struct wr_rest_stats *st);

/**
 * Handle one request without HTTP (for benchmarks, fuzzing, and hosts with their own transport):
 * @p method ("GET", ...), @p path ("/v1/..."), @p body of @p len bytes (may hold secrets: the
 * caller wipes it). No authentication is done. On return, *@p status is the HTTP status and
 * *@p resp a malloc'd NUL-terminated body of *@p resp_len bytes (possibly empty) that the caller
 * frees. Returns 0 or -ENOMEM.
 */
int
wr_rest_handle(struct wr_rest *r, const char *method, const char *path, const char *body,
	size_t len, unsigned int *status, char **resp, size_t *resp_len, uint64_t now);

/**
 * Close the listeners and every connection (pending bodies are wiped), remove the unix socket
 * file if it is still ours, free the server (NULL is allowed). Devices are untouched.
 */
void
wr_rest_destroy(struct wr_rest *r);

#endif /* WR_REST_H */
