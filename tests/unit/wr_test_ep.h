/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The unit tests' endpoints: a struct wr_endpoint from an address literal and a port.
 */
#ifndef WR_TEST_EP_H
#define WR_TEST_EP_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "wr_device.h"

/* @p ep: IPv4 @p ip (dotted quad) and @p port, the rest zero */
static inline void
ep4(struct wr_endpoint *ep, const char *ip, uint16_t port)
{
	memset(ep, 0, sizeof(*ep));
	ep->in4.sin_family = AF_INET;
	ep->in4.sin_port = htons(port);
	inet_pton(AF_INET, ip, &ep->in4.sin_addr);
}

/* @p ep: IPv6 @p ip and @p port, the rest zero */
static inline void
ep6(struct wr_endpoint *ep, const char *ip, uint16_t port)
{
	memset(ep, 0, sizeof(*ep));
	ep->in6.sin6_family = AF_INET6;
	ep->in6.sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &ep->in6.sin6_addr);
}

#endif /* WR_TEST_EP_H */
