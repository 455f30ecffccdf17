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

/* @p ep: @p ip (an IPv4 dotted quad, or IPv6: it has a ':') and @p port, the rest zero */
static inline void
ep_of(struct wr_endpoint *ep, const char *ip, uint16_t port)
{
	int family = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;
	uint8_t a[16] = { 0 };

	inet_pton(family, ip, a);
	wr_endpoint_set(ep, family, a, htons(port));
}

/* ep_of() for an IPv4 address */
static inline void
ep4(struct wr_endpoint *ep, const char *ip, uint16_t port)
{
	ep_of(ep, ip, port);
}

/* ep_of() for an IPv6 address */
static inline void
ep6(struct wr_endpoint *ep, const char *ip, uint16_t port)
{
	ep_of(ep, ip, port);
}

#endif /* WR_TEST_EP_H */
