/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wr_udp_peer: the protocol engine (wr_device.h) over one plain UDP socket, for interop tests
 * against wireguard-go. There is no TUN device: inner packets the engine delivers are inspected
 * here; ICMP and ICMPv6 echo requests to our tunnel addresses are answered by building the reply
 * in this program, and it can send echo requests of its own (--ping). Everything that happens is
 * printed on stdout, one "event key=value..." line each, for the test scripts to check.
 *
 * --time-scale N runs the engine's monotonic clock N times faster than real time, so that the
 * protocol's own constants (REKEY_AFTER_TIME etc.) elapse in seconds; the wall clock handed to
 * the engine for TAI64N timestamps stays the real one, as the peer checks those against its own.
 *
 * This file: the socket, the loop around it, and main(); udp_peer.h lists the other parts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wr_base64.h"
#include "wr_crypto.h"

#include "udp_peer.h"

static const char *const drop_names[WR_DROP_COUNT] = { "NONE",
#define DROP_NAME_(name, text) #name,
	WR_DROP_REASONS(DROP_NAME_)
#undef DROP_NAME_
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = sig;
}

static void
print_key(const char *what, const uint8_t key[WR_KEY_LEN])
{
	char b64[WR_BASE64_KEY_LEN + 1];

	wr_base64_key_encode(b64, key);
	printf("%s %s\n", what, b64);
}

static int
open_socket(struct udp_peer *up, const char *listen_arg)
{
	struct wr_endpoint ep;
	struct sockaddr_storage ss;
	socklen_t sl;
	int port, off = 0;

	port = up_parse_endpoint(listen_arg, &ep, true);
	if (port < 0) {
		fprintf(stderr, "bad --listen %s\n", listen_arg);
		return -1;
	}
	if (!ep.sa.sa_family) {
		/* all addresses: one IPv6 socket taking IPv4 as mapped addresses */
		ep.in6.sin6_family = AF_INET6;
		ep.in6.sin6_port = htons((uint16_t)port);
		ep.in6.sin6_addr = in6addr_any;
	}
	up->sock_family = ep.sa.sa_family;
	up->fd = socket(up->sock_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (up->fd < 0) {
		perror("socket");
		return -1;
	}
	if (up->sock_family == AF_INET6)
		setsockopt(up->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	memset(&ss, 0, sizeof(ss));
	if (up->sock_family == AF_INET) {
		memcpy(&ss, &ep.in4, sizeof(ep.in4));
		sl = sizeof(ep.in4);
	} else {
		memcpy(&ss, &ep.in6, sizeof(ep.in6));
		sl = sizeof(ep.in6);
	}
	if (bind(up->fd, (struct sockaddr *)&ss, sl)) {
		perror("bind");
		return -1;
	}
	sl = sizeof(ss);
	getsockname(up->fd, (struct sockaddr *)&ss, &sl);
	printf("listening port=%u\n", ntohs(((struct sockaddr_in *)&ss)->sin_port));
	return 0;
}

/* ---- main loop ---- */

static void
flush_pending(struct udp_peer *up, uint64_t now)
{
	enum wr_drop_reason r;
	unsigned int i;

	for (i = 0; i < up->n_pending; i++) {
		r = wr_device_send(up->dev, up->pending[i].buf, up->pending[i].len, now);
		if (r == WR_DROP_NONE) {
			up->echoes_answered++;
			printf("echo-reply-sent len=%zu answered=%u\n", up->pending[i].len,
				up->echoes_answered);
		} else {
			printf("drop reason=%s where=echo-reply\n", drop_names[r]);
		}
	}
	up->n_pending = 0;
}

static void
receive_one(struct udp_peer *up)
{
	uint8_t buf[PKT_MAX + 64];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct wr_endpoint from;
	enum wr_drop_reason r;
	ssize_t n;
	uint64_t now;

	n = recvfrom(up->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
	if (n < 0)
		return;
	up_from_sockaddr(&ss, &from);
	now = up_engine_now(up);
	/* a full handshake queue, as a busy gateway would report it: handshakes need a cookie */
	if (up->under_load)
		wr_device_set_load(up->dev, 1, 1, now);
	if (n >= 4 && buf[0] != WR_MSG_DATA)
		printf("rx-message type=%u len=%zd\n", buf[0], n);
	else if (n == WR_MSG_DATA_MIN_LEN)
		printf("rx-keepalive\n");
	r = wr_device_receive(up->dev, &from, buf, (size_t)n, now);
	if (r != WR_DROP_NONE)
		printf("drop reason=%s where=receive type=%u len=%zd\n", drop_names[r],
			n ? buf[0] : 0, n);
	flush_pending(up, now);
}

static void
maybe_ping(struct udp_peer *up)
{
	uint8_t buf[PKT_MAX];
	enum wr_drop_reason r;
	uint64_t real = up_clock_ns(CLOCK_MONOTONIC);
	size_t len;

	if (!up->pinging || real < up->next_ping)
		return;
	if (up->ping_count && up->ping_sent >= up->ping_count) {
		up->pinging = false;
		return;
	}
	up->next_ping = real + up->ping_interval_ns;
	len = up_build_ping(up, buf, (uint16_t)++up->ping_sent);
	r = wr_device_send(up->dev, buf, len, up_engine_now(up));
	if (r == WR_DROP_NONE)
		printf("ping-sent seq=%u\n", up->ping_sent);
	else
		printf("drop reason=%s where=ping seq=%u\n", drop_names[r], up->ping_sent);
}

static bool
exit_condition_met(const struct udp_peer *up)
{
	if (up->exit_handshakes && up->handshakes >= up->exit_handshakes)
		return true;
	if (up->exit_replies && up->ping_replies >= up->exit_replies)
		return true;
	if (up->exit_echoes && up->echoes_answered >= up->exit_echoes)
		return true;
	return false;
}

static int
run(struct udp_peer *up, double duration_s)
{
	uint64_t real0 = up_clock_ns(CLOCK_MONOTONIC), deadline, now, real, wait_ns;
	bool has_exit = up->exit_handshakes || up->exit_replies || up->exit_echoes;
	struct pollfd pfd = { .fd = up->fd, .events = POLLIN };
	int timeout_ms;

	while (!stop) {
		if (exit_condition_met(up))
			return 0;
		real = up_clock_ns(CLOCK_MONOTONIC);
		if (duration_s > 0 && real - real0 >= (uint64_t)(duration_s * 1e9))
			return has_exit ? 3 : 0;
		now = up_engine_now(up);
		if (wr_device_next_deadline(up->dev) <= now)
			wr_device_tick(up->dev, now);
		maybe_ping(up);
		deadline = wr_device_next_deadline(up->dev);
		if (deadline < now)
			deadline = now;
		/* sleep until the engine's next deadline (in real time), the next ping, or at
		 * most 100 ms so that --duration and the exit conditions are seen */
		wait_ns = 100 * 1000 * 1000;
		if (deadline != UINT64_MAX &&
			(double)(deadline - now) / up->time_scale < (double)wait_ns)
			wait_ns = (uint64_t)((double)(deadline - now) / up->time_scale);
		if (up->pinging && up->next_ping > real && up->next_ping - real < wait_ns)
			wait_ns = up->next_ping - real;
		timeout_ms = (int)((wait_ns + 999999) / 1000000);
		fflush(stdout);
		if (poll(&pfd, 1, timeout_ms) > 0 && (pfd.revents & POLLIN))
			receive_one(up);
	}
	return 0;
}

static void
print_stats(struct udp_peer *up)
{
	struct wr_peer_stats st;
	unsigned int r;

	wr_peer_get_stats(up->peer, &st);
	printf("stats rx-bytes=%" PRIu64 " tx-bytes=%" PRIu64 " rx-packets=%" PRIu64
	       " tx-packets=%" PRIu64 " handshakes=%" PRIu64 " handshake-attempts=%" PRIu64
	       " ping-sent=%u ping-replies=%u echoes-answered=%u\n",
		st.rx_bytes, st.tx_bytes, st.rx_packets, st.tx_packets, st.handshakes,
		st.handshake_attempts, up->ping_sent, up->ping_replies, up->echoes_answered);
	for (r = 1; r < WR_DROP_COUNT; r++) {
		uint64_t n = wr_device_drop_count(up->dev, r);

		if (n)
			printf("stats drop reason=%s count=%" PRIu64 "\n", drop_names[r], n);
	}
}

int
main(int argc, char **argv)
{
	static struct udp_peer up_storage;
	struct udp_peer *up = &up_storage;
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN], psk[WR_KEY_LEN];
	struct udp_peer_args args;
	bool have_psk = false;
	struct wr_endpoint ep;
	struct sigaction sa;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	up->fd = -1;
	up->time_scale = 1.0;
	ret = up_parse_args(argc, argv, up, &args);
	if (ret >= 0)
		return ret;
	ret = 1;
	if (up_read_key(args.priv, priv, "--private-key") ||
		up_read_key(args.pub, pub, "--peer-public-key"))
		goto out_wipe;
	if (args.psk) {
		if (up_read_key(args.psk, psk, "--preshared-key"))
			goto out_wipe;
		have_psk = true;
	}

	up->dev = wr_device_create(&up_ops, up);
	if (!up->dev) {
		perror("wr_device_create");
		goto out_wipe;
	}
	if (wr_device_set_private_key(up->dev, priv)) {
		fprintf(stderr, "the peer's public key is our own\n");
		goto out_dev;
	}
	if (args.mtu)
		wr_device_set_mtu(up->dev, (uint32_t)args.mtu);
	up->peer = wr_device_add_peer(up->dev, pub, have_psk ? psk : NULL);
	if (!up->peer) {
		perror("wr_device_add_peer");
		goto out_dev;
	}
	if (args.endpoint) {
		if (up_parse_endpoint(args.endpoint, &ep, false) < 0) {
			fprintf(stderr, "bad --endpoint %s\n", args.endpoint);
			goto out_dev;
		}
		wr_peer_set_endpoint(up->peer, &ep);
	}
	if (args.allowed && up_add_allowed_ips(up->peer, args.allowed))
		goto out_dev;
	if (open_socket(up, args.listen))
		goto out_dev;
	if (wr_device_get_public_key(up->dev, pub))
		print_key("public-key", pub);
	if (up->time_scale != 1.0)
		printf("time-scale %g\n", up->time_scale);

	sa = (struct sigaction){ .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	up->mono0 = up_clock_ns(CLOCK_MONOTONIC);
	up->ping_id = (uint16_t)getpid();
	up->ping_interval_ns = args.ping_interval_ms * 1000000ULL;
	up->next_ping = up->mono0;
	if (args.keepalive)
		wr_peer_set_keepalive(up->peer, (uint16_t)args.keepalive, up_engine_now(up));
	if (args.initiate) {
		int r = wr_peer_initiate(up->peer, up_engine_now(up));

		if (r)
			printf("initiate-error %s\n", strerror(-r));
	}
	ret = run(up, args.duration);
	print_stats(up);
	printf("exit code=%d%s\n", ret, stop ? " signal" : "");
out_dev:
	if (up->fd >= 0)
		close(up->fd);
	wr_device_destroy(up->dev);
out_wipe:
	wr_wipe(priv, sizeof(priv));
	wr_wipe(psk, sizeof(psk));
	return ret;
}
