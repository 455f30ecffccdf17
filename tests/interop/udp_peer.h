/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parts of wr_udp_peer (wr_udp_peer.c says what it is): its state, the inner packets it
 * answers and sends (udp_peer_inner.c), the engine's callbacks (udp_peer_engine.c) and the command
 * line (udp_peer_args.c); the socket loop and main() are in wr_udp_peer.c.
 */
#ifndef UDP_PEER_H
#define UDP_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "wr_device.h"

#define MAX_ADDRS 8
#define MAX_PENDING 64
#define PKT_MAX 2048
#define PING_PAYLOAD 56

struct tun_addr {
	int family;
	uint8_t addr[16];
};

struct pending {
	size_t len;
	uint8_t buf[PKT_MAX];
};

struct udp_peer {
	struct wr_device *dev;
	struct wr_peer *peer;
	int fd;
	int sock_family;
	double time_scale;
	uint64_t mono0;

	struct tun_addr addrs[MAX_ADDRS];
	unsigned int n_addrs;

	struct tun_addr ping_dst;
	bool pinging;
	unsigned int ping_count; /* 0: until the end */
	unsigned int ping_sent;
	unsigned int ping_replies;
	uint64_t ping_interval_ns; /* real time */
	uint64_t next_ping;        /* real monotonic ns */
	uint16_t ping_id;

	bool under_load;

	unsigned int exit_handshakes;
	unsigned int exit_replies;
	unsigned int exit_echoes;
	unsigned int echoes_answered;
	uint64_t handshakes;

	/* replies built inside ops->deliver, sent once wr_device_receive() returned: a callback
	 * must not call back into the device */
	struct pending pending[MAX_PENDING];
	unsigned int n_pending;
};

/* What the command line asks for beyond struct udp_peer's fields (the keys as given). */
struct udp_peer_args {
	const char *priv, *pub, *psk, *listen, *endpoint, *allowed;
	bool initiate;
	unsigned long keepalive, mtu, ping_interval_ms;
	double duration;
};

/* ---- udp_peer_inner.c ---- */

/** Our first tunnel address of @p family (--address), or NULL. */
const struct tun_addr *
up_our_addr(const struct udp_peer *up, int family);

/**
 * Inspect an IPv4 (or, up_handle_inner6(), IPv6) packet the engine delivered: print it, answer an
 * echo request to one of our addresses (the reply waits in up->pending), count a ping reply.
 */
void
up_handle_inner4(struct udp_peer *up, const uint8_t *pkt, size_t len);
void
up_handle_inner6(struct udp_peer *up, const uint8_t *pkt, size_t len);

/** Our echo request number @p seq to --ping's address into @p buf; returns its length. */
size_t
up_build_ping(const struct udp_peer *up, uint8_t *buf, uint16_t seq);

/* ---- udp_peer_engine.c ---- */

/** The engine's callbacks; their context is the struct udp_peer. */
extern const struct wr_device_ops up_ops;

/** Clock @p id in nanoseconds. */
uint64_t
up_clock_ns(clockid_t id);

/** The engine's clock: real monotonic time since start, stretched by --time-scale. */
uint64_t
up_engine_now(const struct udp_peer *up);

/** The endpoint a datagram came from (an IPv4-mapped IPv6 address becomes IPv4). */
void
up_from_sockaddr(const struct sockaddr_storage *ss, struct wr_endpoint *ep);

/* ---- udp_peer_args.c ---- */

/**
 * Parse the command line into @p up (addresses, ping, time scale, exit conditions) and @p args.
 * Returns -1 when the program goes on, else the status to exit with: 0 after --help, 2 after a
 * usage error (already reported).
 */
int
up_parse_args(int argc, char **argv, struct udp_peer *up, struct udp_peer_args *args);

/** @p arg: a key given inline (44 characters of base64) or as a file holding one. 0 or -1. */
int
up_read_key(const char *arg, uint8_t key[WR_KEY_LEN], const char *what);

/**
 * "ADDR:PORT", "[V6]:PORT", or (when @p allow_bare_port) "PORT" into @p ep (family 0 for a bare
 * port). Returns the port, or -1.
 */
int
up_parse_endpoint(const char *s, struct wr_endpoint *ep, bool allow_bare_port);

/** Add the comma-separated CIDRs of @p list to @p peer's AllowedIPs. 0 or a negative errno. */
int
up_add_allowed_ips(struct wr_peer *peer, const char *list);

#endif /* UDP_PEER_H */
