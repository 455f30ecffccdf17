/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cross-platform WireGuard userspace API (https://www.wireguard.com/xplatform/), so that the
 * stock `wg` tool configures wirerate: `wg show`, `wg set`, `wg setconf`, `wg syncconf`,
 * `wg showconf` talk to /var/run/wireguard/<ifname>.sock with "get=1" and "set=1" requests of
 * key=value lines ended by a blank line; the reply ends with "errno=N" and a blank line.
 *
 * Two layers:
 *   - struct wr_uapi: a pure request handler on a struct wr_device (no sockets, no threads);
 *   - struct wr_uapi_server: the unix socket, non-blocking, serviced from the control loop with
 *     wr_uapi_server_poll() (wr_uapi_server_fd() becomes readable when there is work).
 *
 * Semantics follow wireguard-go and the kernel, with these deliberate differences:
 *   - A set is atomic with respect to its input: every line is parsed and checked before
 *     anything changes, so a request with any bad line changes nothing. (wireguard-go applies a
 *     request line by line and stops at the first bad one.) Only a failure to allocate memory in
 *     the middle of applying (errno ENOMEM) can leave part of a valid request applied; the
 *     change notification then still describes what was applied.
 *   - Secrets are never returned: a get reply carries no private_key and no preshared_key. `wg`
 *     then shows no interface keys ("(none)" in `wg show dump`, no "public key" line in
 *     `wg show`), `wg showconf` has no PrivateKey or PresharedKey, and `wg syncconf` cannot see
 *     (so does not clear) a preshared key that the new file drops. Both are accepted on set.
 *   - So an all-zero private_key (what wg sends for a file without PrivateKey, as
 *     `wg showconf` writes them) keeps the device's key when the request also has a
 *     listen_port and a fwmark line: `wg setconf` and `wg syncconf` always send all three, and
 *     `wg set` sends fwmark only when asked to. `wg set IF private-key /dev/null`, alone or with
 *     listen-port, still clears the key. Said once per handler through ops->notice.
 *   - fwmark: there are no socket marks in a DPDK data plane. Any value is accepted and
 *     ignored, as the configuration file ignores FwMark (a non-zero one is said once through
 *     ops->notice); get never reports one.
 *   - listen_port=0 keeps the current port (wireguard-go would pick one at random, which the
 *     peers of a gateway could not know); `wg setconf` sends it for a file without ListenPort.
 *   - Error numbers on the wire: a failed set answers "errno=-N" (N from errno.h), as
 *     wireguard-go does and as wg(8) expects (it takes errno = -value, so that `wg set` prints
 *     "Invalid argument"); a failed get answers "errno=N" (wg parses a get's errno unsigned).
 *     Set errors: EINVAL for any bad line or value, EPROTO for a line without '=', whatever
 *     ops->set_listen_port returns, ENOSPC (ops->reserve_peers), ENOMEM, and E2BIG from the
 *     server for a request over its bounds. Each refusal is told through ops->notice: the
 *     reason, the line number and the key name of the offending line, never its value.
 *
 * A set applies, in this order: listen_port (the host may refuse it; then nothing else
 * changes), private_key (a peer whose public key is the new public key is removed, as the kernel
 * does; all zeros clears the key, but see above), replace_peers, then each peer block in order.
 * In a block: remove=true removes the peer (nothing else in the block applies); update_only=true
 * skips a peer that does not exist yet; replace_allowed_ips=true drops the peer's prefixes and
 * those listed before it in the block; "allowed_ip=-PREFIX" (newer wireguard-tools send it for
 * `wg set IF peer P allowed-ips -PREFIX`) removes that prefix from the peer if it has it, in its
 * place among the block's allowed_ip lines; a block for our own public key is ignored; a
 * preshared key of all zeros clears it. In a peer block "protocol_version=1" is accepted and
 * changes nothing.
 *
 * Keys are 64 hex characters (either case on input, lowercase on output). Endpoints are
 * "a.b.c.d:port" or "[v6]:port" (an optional "%scope" after the v6 address, numeric or an
 * interface name); port 0 is refused. allowed_ip is "addr/cidr" (bits beyond cidr are masked).
 *
 * Concurrency: none. Every call must come from the thread that owns the device (the control
 * lcore); the handler calls into the device and the callbacks synchronously.
 */
#ifndef WR_UAPI_H
#define WR_UAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wr_device.h"

struct wr_uapi;
struct wr_uapi_server;

/** Bits of struct wr_uapi_changes.what. */
#define WR_UAPI_CHANGED_PRIVATE_KEY 0x01u /**< the device's key changed or was cleared */
#define WR_UAPI_CHANGED_LISTEN_PORT 0x02u /**< ops->set_listen_port accepted a new port */
#define WR_UAPI_CHANGED_PEERS 0x04u       /**< peers were added or removed (see the lists) */
#define WR_UAPI_CHANGED_ALLOWEDIPS 0x08u  /**< the cryptokey routing table changed */
#define WR_UAPI_CHANGED_PEER_CONFIG 0x10u /**< an endpoint, keepalive or preshared key was set */

/**
 * What one set request changed, for a host that republishes tables (the DPDK gateway's workers
 * read RCU-published copies). Keys are peers' public keys; the arrays are valid during the
 * callback only. Apply removals first: a peer removed and added again in one request
 * (replace_peers, then the same peer) is in both lists, and is a new struct wr_peer.
 *   - removed: every peer removed (ops->peer_removing was called for each, in this order);
 *   - added: peers created by this request that still exist (one named in several blocks,
 *     removed and created again, may repeat);
 *   - updated: peers that existed before their block and still exist, whose endpoint,
 *     keepalive, preshared key or AllowedIPs the request set (a peer named in several blocks
 *     may repeat). A prefix that moved away from another peer leaves that peer out of the lists:
 *     WR_UAPI_CHANGED_ALLOWEDIPS says to republish the whole routing table.
 */
struct wr_uapi_changes {
	unsigned int what; /* WR_UAPI_CHANGED_* */
	const uint8_t (*removed)[WR_KEY_LEN];
	size_t n_removed;
	const uint8_t (*added)[WR_KEY_LEN];
	size_t n_added;
	const uint8_t (*updated)[WR_KEY_LEN];
	size_t n_updated;
};

/** Host callbacks: what the engine does not own. Every member may be NULL. */
struct wr_uapi_ops {
	/** The UDP listen port to report on get (0: not reported, as when unbound). */
	uint16_t (*get_listen_port)(void *ctx);

	/**
	 * Use listen port @p port (a set asked for a port different from get_listen_port(); never
	 * 0, which keeps the port). Returns 0 or -errno (e.g. -EADDRINUSE); a refusal fails the
	 * whole set before anything else changes. NULL: changes are refused with -EOPNOTSUPP.
	 */
	int (*set_listen_port)(void *ctx, uint16_t port);

	/**
	 * @p peer is about to be removed by a set (remove=true, replace_peers, or a new private key
	 * equal to its public key): drop every reference to it now; it is freed right after.
	 */
	void (*peer_removing)(void *ctx, struct wr_peer *peer);

	/** A set changed something: called once per set, after applying it. */
	void (*changed)(void *ctx, const struct wr_uapi_changes *c);

	/**
	 * A set is about to create up to @p n_new peers and remove @p n_gone: return 0 if the
	 * host has room for the result, or -ENOSPC, which fails the whole set before anything
	 * changes. Called before anything else. NULL: no limit.
	 */
	int (*reserve_peers)(void *ctx, size_t n_new, size_t n_gone);

	/**
	 * One line for the operator, without its end (the host prefixes the interface's name):
	 * why a set was refused, or what a set did that the client did not ask for (a kept key,
	 * an ignored fwmark). It never holds a key or any other value of the request. NULL: none.
	 */
	void (*notice)(void *ctx, const char *msg);
};

/** Counters of one handler (requests from every connection). */
struct wr_uapi_stats {
	uint64_t gets;        /* get requests answered */
	uint64_t sets;        /* set requests answered errno=0 */
	uint64_t sets_failed; /* set requests answered with an error */
	uint64_t malformed;   /* requests refused for their content (bad line, key, value, op) */
};

/**
 * A handler for @p dev (not owned: it must outlive the handler). @p ops is copied (NULL: no
 * callbacks); @p ctx is passed to every callback. Returns NULL with errno ENOMEM or EINVAL.
 */
struct wr_uapi *
wr_uapi_create(struct wr_device *dev, const struct wr_uapi_ops *ops, void *ctx);

/** Free the handler (NULL is allowed). The device is untouched. */
void
wr_uapi_destroy(struct wr_uapi *u);

/**
 * Handle one complete request of @p len bytes at @p req: "get=1\n\n", or "set=1\n", lines, and
 * the blank line ("\n\n" ends it; nothing may follow). @p now is the engine's clock (used when a
 * persistent keepalive is turned on). On return 0, *@p resp is a malloc'd reply of *@p resp_len
 * bytes (not NUL-terminated for the protocol, though a NUL follows) that the caller frees; the
 * reply's errno line tells the client how it went. Returns -EPROTO, with no reply, when the
 * request is neither a get nor a set (the connection should be closed, as wireguard-go does), or
 * -ENOMEM when no reply could be built. The request may hold secrets: the caller wipes it.
 */
int
wr_uapi_handle(struct wr_uapi *u, const char *req, size_t len, char **resp, size_t *resp_len,
	uint64_t now);

/** Copy the handler's counters into @p st. */
void
wr_uapi_get_stats(const struct wr_uapi *u, struct wr_uapi_stats *st);

/**
 * The reply to a request over the server's bounds (@p max_bytes bytes, @p max_lines lines), a
 * set (@p set) or a get: E2BIG as that request's kind reports errors, counted and told through
 * ops->notice as a refusal. *@p resp: malloc'd as by wr_uapi_handle(). Returns 0 or -ENOMEM.
 */
int
wr_uapi_refuse_oversized(struct wr_uapi *u, bool set, size_t max_bytes, size_t max_lines,
	char **resp, size_t *resp_len);

/* ---- the unix socket server ---- */

/** Where wg(8) looks for sockets. */
#define WR_UAPI_SOCKET_DIR "/var/run/wireguard"
/** Default bound on one request (a 10,000-peer setconf is about 2 MiB). */
#define WR_UAPI_MAX_REQUEST (8u << 20)
/** Default bound on the lines of one request. */
#define WR_UAPI_MAX_LINES (256u * 1024)
/**
 * What one peer may take in a set, for bounds that follow a peer limit
 * (wr_uapi_server_config_for_peers()), as `wg setconf` sends it: public_key, preshared_key, an
 * IPv6 endpoint with a scope, persistent_keepalive_interval, replace_allowed_ips and four
 * allowed_ip lines of either family come to at most 509 bytes and 9 lines.
 */
#define WR_UAPI_PEER_BYTES 512u
#define WR_UAPI_PEER_LINES 10u
/** The most those bounds grow to: 1,000,000 such peers (the configuration's MaxPeers limit). */
#define WR_UAPI_MAX_REQUEST_CAP ((size_t)WR_UAPI_PEER_BYTES * 1000000u)
#define WR_UAPI_MAX_LINES_CAP ((size_t)WR_UAPI_PEER_LINES * 1000000u)
/** Default bound on simultaneous connections; more are accepted and closed at once. */
#define WR_UAPI_MAX_CLIENTS 16
/** Default idle limit: a connection that makes no progress for this long is closed. */
#define WR_UAPI_IDLE_TIMEOUT (30ULL * WR_NSEC_PER_SEC)

/** Server options; a zero member takes its default. */
struct wr_uapi_server_config {
	const char *dir;       /* socket directory (WR_UAPI_SOCKET_DIR), created 0755 if missing */
	size_t max_request;    /* bytes (WR_UAPI_MAX_REQUEST) */
	size_t max_lines;      /* lines (WR_UAPI_MAX_LINES) */
	unsigned max_clients;  /* connections (WR_UAPI_MAX_CLIENTS) */
	uint64_t idle_timeout; /* ns (WR_UAPI_IDLE_TIMEOUT) */
};

/**
 * Set @p cfg's max_request and max_lines for a gateway of up to @p max_peers peers: room for a
 * `wg setconf` of that many (WR_UAPI_PEER_BYTES and WR_UAPI_PEER_LINES each), never less than
 * the defaults, at most WR_UAPI_MAX_REQUEST_CAP and WR_UAPI_MAX_LINES_CAP. The buffer of a
 * connection grows with what it is sent: a bound is not memory taken.
 */
void
wr_uapi_server_config_for_peers(struct wr_uapi_server_config *cfg, size_t max_peers);

/** Counters of one server. */
struct wr_uapi_server_stats {
	uint64_t accepted;  /* connections accepted and served */
	uint64_t refused;   /* connections closed at once: too many clients */
	uint64_t oversized; /* requests over max_request or max_lines: answered E2BIG */
	uint64_t timeouts;  /* connections closed: idle too long */
	uint64_t protocol;  /* connections closed: not a get or set, or EOF inside a request */
};

/**
 * Create <dir>/<@p ifname>.sock (mode 0600; the directory 0755 if missing) serving @p u, with
 * non-blocking sockets only. @p ifname: 1 to 15 characters, no '/', not "." or "..". A socket
 * file left by a dead process is replaced; one that a live server still answers is not
 * (-EADDRINUSE), nor a file that is not a socket (-EEXIST). @p cfg may be NULL (defaults).
 * Returns 0 and *@p out, or -errno.
 */
int
wr_uapi_server_open(struct wr_uapi_server **out, const char *ifname, struct wr_uapi *u,
	const struct wr_uapi_server_config *cfg);

/**
 * A file descriptor (an epoll set of the listening socket and the connections) that is readable
 * when wr_uapi_server_poll() has work; for a loop that sleeps in poll/epoll. Owned by the server.
 */
int
wr_uapi_server_fd(const struct wr_uapi_server *s);

/**
 * Do the work that is ready now without blocking: accept, read what is available, answer
 * complete requests, write what the sockets take, close finished and idle connections.
 * A request over max_request or max_lines is answered E2BIG (wr_uapi_refuse_oversized()) as
 * soon as that is known; the connection then serves nothing more, and what the client still
 * sends is read and dropped until it closes (wg writes its whole request before it reads the
 * reply: closing under it would kill it with SIGPIPE, telling nothing). Such a connection gives
 * its slot to a new client when all are taken. @p now: the engine's monotonic clock in ns (idle
 * timeouts and the handler). Returns the number of requests answered, or -errno on a failure
 * of the server itself.
 */
int
wr_uapi_server_poll(struct wr_uapi_server *s, uint64_t now);

/** Copy the server's counters into @p st. */
void
wr_uapi_server_get_stats(const struct wr_uapi_server *s, struct wr_uapi_server_stats *st);

/**
 * Close every connection (pending input is wiped), close the socket and remove its file if it is
 * still ours, free the server (NULL is allowed).
 */
void
wr_uapi_server_close(struct wr_uapi_server *s);

#endif /* WR_UAPI_H */
