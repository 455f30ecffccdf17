/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wr_udp_peer's glue to the protocol engine: its clocks, the socket addresses it sends to and
 * receives from, and the callbacks (wr_device_ops) that put the engine's messages on the socket
 * and report what it does.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "udp_peer.h"

uint64_t
up_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * WR_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t
up_engine_now(const struct udp_peer *up)
{
	uint64_t real = up_clock_ns(CLOCK_MONOTONIC) - up->mono0;

	return up->mono0 + (uint64_t)((double)real * up->time_scale);
}

/* The socket may be an IPv6 one taking IPv4 too: map IPv4 endpoints into it. */
static socklen_t
to_sockaddr(const struct udp_peer *up, const struct wr_endpoint *ep, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ep->sa.sa_family == AF_INET && up->sock_family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = ep->in4.sin_port;
		s6->sin6_addr.s6_addr[10] = 0xff;
		s6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&s6->sin6_addr.s6_addr[12], &ep->in4.sin_addr, 4);
		return sizeof(*s6);
	}
	if (ep->sa.sa_family == AF_INET) {
		memcpy(ss, &ep->in4, sizeof(ep->in4));
		return sizeof(ep->in4);
	}
	memcpy(ss, &ep->in6, sizeof(ep->in6));
	return sizeof(ep->in6);
}

void
up_from_sockaddr(const struct sockaddr_storage *ss, struct wr_endpoint *ep)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	memset(ep, 0, sizeof(*ep));
	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		ep->in4.sin_family = AF_INET;
		ep->in4.sin_port = s6->sin6_port;
		memcpy(&ep->in4.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
	} else if (ss->ss_family == AF_INET6) {
		ep->in6 = *s6;
	} else {
		ep->in4 = *(const struct sockaddr_in *)ss;
	}
}

static void
op_send(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
	struct udp_peer *up = ctx;
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(up, to, &ss);
	uint32_t type = len >= 4 ? ((const uint8_t *)buf)[0] : 0;

	if (sendto(up->fd, buf, len, 0, (struct sockaddr *)&ss, sl) < 0)
		printf("tx-error type=%u errno=%d %s\n", type, errno, strerror(errno));
	else if (type != WR_MSG_DATA)
		printf("tx-message type=%u len=%zu\n", type, len);
	else if (len == WR_MSG_DATA_MIN_LEN)
		printf("tx-keepalive\n");
}

static void
op_deliver(void *ctx, struct wr_peer *peer, const void *ippkt, size_t len)
{
	struct udp_peer *up = ctx;
	const uint8_t *pkt = ippkt;

	if (len >= 1 && pkt[0] >> 4 == 4)
		up_handle_inner4(up, pkt, len);
	else if (len >= 1 && pkt[0] >> 4 == 6)
		up_handle_inner6(up, pkt, len);
	else
		printf("rx-packet unknown-version len=%zu\n", len);
}

static uint64_t
op_wall_time_ns(void *ctx)
{
	return up_clock_ns(CLOCK_REALTIME);
}

static void
op_keypair_installed(void *ctx, struct wr_peer *peer, const struct wr_keypair_info *kp)
{
	/* indices and roles only: the keys stay secret */
	printf("keypair-installed local-index=%08x remote-index=%08x initiator=%d confirmed=%d\n",
		kp->local_index, kp->remote_index, kp->initiator, kp->confirmed);
}

static void
op_keypair_removed(void *ctx, struct wr_peer *peer, uint32_t local_index)
{
	printf("keypair-removed local-index=%08x\n", local_index);
}

static void
op_handshake_completed(void *ctx, struct wr_peer *peer)
{
	struct udp_peer *up = ctx;

	up->handshakes++;
	printf("handshake-complete n=%" PRIu64 "\n", up->handshakes);
	if (up->handshakes > 1)
		printf("rekey n=%" PRIu64 "\n", up->handshakes - 1);
}

const struct wr_device_ops up_ops = {
	.send = op_send,
	.deliver = op_deliver,
	.wall_time_ns = op_wall_time_ns,
	.keypair_installed = op_keypair_installed,
	.keypair_removed = op_keypair_removed,
	.handshake_completed = op_handshake_completed,
};
