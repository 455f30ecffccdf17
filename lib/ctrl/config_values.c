/* SPDX-License-Identifier: GPL-2.0-only */
/* The syntax of single configuration values; see config_internal.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config_internal.h"

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

char *
wr_config_trim(char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

char *
wr_config_next_item(char **cursor)
{
	char *item = *cursor;
	char *comma;

	if (!item)
		return NULL;
	comma = strchr(item, ',');
	if (comma) {
		*comma = '\0';
		*cursor = comma + 1;
	} else {
		*cursor = NULL;
	}
	return wr_config_trim(item);
}

const char *
wr_config_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return "expected a number";
	for (; *s; s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (*s < '0' || *s > '9')
			return "expected a number";
		/* Once past max it stays past: stop there rather than overflow. */
		if (v > max)
			continue;
		v = v * 10 + d;
	}
	if (v > max)
		return "out of range";
	*out = v;
	return NULL;
}

const char *
wr_config_parse_addr(const char *s, uint8_t *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	/* inet_pton's AF_INET takes only the four-part dotted decimal form, as we want. */
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return NULL;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return NULL;
	}
	memset(addr, 0, 16);
	return "invalid IP address";
}

const char *
wr_config_parse_prefix(char *s, struct wr_config_prefix *pfx)
{
	char *slash = strchr(s, '/');
	unsigned long cidr;
	unsigned int max;
	const char *why;

	memset(pfx, 0, sizeof(*pfx));
	if (slash)
		*slash = '\0';
	why = wr_config_parse_addr(s, &pfx->family, pfx->addr);
	if (slash)
		*slash = '/';
	if (why)
		return why;
	max = pfx->family == AF_INET ? 32 : 128;
	if (!slash) {
		pfx->cidr = (uint8_t)max;
		return NULL;
	}
	why = wr_config_parse_uint(slash + 1, 255, &cidr);
	if (why && !strcmp(why, "expected a number"))
		return "invalid prefix length";
	if (why || cidr > max)
		return "prefix length out of range";
	pfx->cidr = (uint8_t)cidr;
	return NULL;
}

bool
wr_config_prefix_mask(struct wr_config_prefix *pfx)
{
	unsigned int len = pfx->family == AF_INET ? 4 : 16;
	bool changed = false;
	unsigned int i;

	for (i = 0; i < len; i++) {
		unsigned int keep = pfx->cidr >= 8 * (i + 1) ? 8
				    : pfx->cidr > 8 * i      ? pfx->cidr - 8 * i
							     : 0;
		uint8_t mask = (uint8_t)(0xff00u >> keep);

		if (pfx->addr[i] & ~mask)
			changed = true;
		pfx->addr[i] &= mask;
	}
	return changed;
}

const char *
wr_config_parse_endpoint(const char *s, struct wr_config_endpoint *ep)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port_s, *hs, *why;
	unsigned long port;
	size_t hlen;

	memset(ep, 0, sizeof(*ep));
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return "expected [IPv6]:port";
		hs = s + 1;
		hlen = (size_t)(close - hs);
		port_s = close + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return "expected address:port";
		hs = s;
		hlen = (size_t)(colon - s);
		port_s = colon + 1;
		/* More than one ':' is an IPv6 address that needs its brackets. */
		if (memchr(s, ':', hlen))
			return "an IPv6 endpoint is written [address]:port";
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return "invalid IP address (host names are not supported)";
	memcpy(host, hs, hlen);
	host[hlen] = '\0';
	if (inet_pton(*s == '[' ? AF_INET6 : AF_INET, host, ep->addr) != 1) {
		memset(ep->addr, 0, sizeof(ep->addr));
		return "invalid IP address (host names are not supported)";
	}
	why = wr_config_parse_uint(port_s, 65535, &port);
	if (why && !strcmp(why, "expected a number"))
		return "expected a port number (1..65535)";
	if (why || port == 0)
		return "port out of range (1..65535)";
	ep->family = *s == '[' ? AF_INET6 : AF_INET;
	ep->port = (uint16_t)port;
	return NULL;
}

const char *
wr_config_parse_lcores(char *s, uint64_t mask[WR_CONFIG_LCORE_MAX / 64])
{
	char *cursor = s;
	char *item;
	bool any = false;

	memset(mask, 0, WR_CONFIG_LCORE_MAX / 8);
	while ((item = wr_config_next_item(&cursor))) {
		unsigned long lo, hi, i;
		char *dash = strchr(item, '-');
		const char *why;

		if (dash) {
			*dash = '\0';
			why = wr_config_parse_uint(
				wr_config_trim(item), WR_CONFIG_LCORE_MAX - 1, &lo);
			if (!why)
				why = wr_config_parse_uint(
					wr_config_trim(dash + 1), WR_CONFIG_LCORE_MAX - 1, &hi);
			if (!why && lo > hi)
				why = "range runs backwards";
		} else {
			why = wr_config_parse_uint(item, WR_CONFIG_LCORE_MAX - 1, &lo);
			hi = lo;
		}
		if (why && !strcmp(why, "out of range"))
			return "lcore id out of range (0..1023)";
		if (why && !strcmp(why, "expected a number"))
			return "expected an lcore list such as 1-3,5";
		if (why)
			return why;
		for (i = lo; i <= hi; i++) {
			if (mask[i / 64] & (1ull << (i % 64)))
				return "an lcore is listed twice";
			mask[i / 64] |= 1ull << (i % 64);
		}
		any = true;
	}
	if (!any)
		return "expected an lcore list such as 1-3,5";
	return NULL;
}

void
wr_config_format_prefix(char *buf, size_t len, const struct wr_config_prefix *pfx)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(pfx->family, pfx->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, pfx->cidr);
}

bool
wr_config_valid_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '_' || c == '-' || c == '.'))
			return false;
	}
	return n > 0 && n <= WR_CONFIG_NAME_MAX;
}
