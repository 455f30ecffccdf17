/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GET /metrics: the Prometheus text exposition format (version 0.0.4), every family with its
 * HELP and TYPE lines: the gateway (up, uptime, build), its ports, per interface its peers'
 * counters and the drop counters by reason (engine and data plane merged), and the drops no
 * interface can be charged with.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rest_internal.h"
#include "wr_base64.h"

#ifndef WR_VERSION
#define WR_VERSION "unknown"
#endif

struct mbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void
mb_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		size_t cap =
			b->cap * 2 > b->len + (size_t)n + 1 ? b->cap * 2 : b->len + (size_t)n + 1;
		char *p = realloc(b->p, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

static void
family(struct mbuf *b, const char *name, const char *type, const char *help)
{
	mb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newline escaped, as the format requires. */
static void
label_value(char *dst, size_t size, const char *s)
{
	size_t o = 0;

	for (; s && *s && o + 3 < size; s++) {
		if (*s == '\\' || *s == '"') {
			dst[o++] = '\\';
			dst[o++] = *s;
		} else if (*s == '\n') {
			dst[o++] = '\\';
			dst[o++] = 'n';
		} else {
			dst[o++] = *s;
		}
	}
	dst[o] = '\0';
}

int
rest_status(struct wr_rest *r, struct wr_rest_status *st)
{
	struct timespec ts;

	memset(st, 0, sizeof(*st));
	if (r->ops.get_status) {
		int ret = r->ops.get_status(r->ctx, st);

		if (ret < 0)
			return ret;
	} else {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		st->uptime_ns =
			(uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec - r->created_ns;
	}
	if (!st->version)
		st->version = WR_VERSION;
	return 0;
}

struct peer_metric {
	struct mbuf *b;
	const char *ifname;
	int which;
};

static int
peer_line(void *ctx, struct wr_peer *peer)
{
	struct peer_metric *m = ctx;
	char key[WR_BASE64_KEY_LEN + 1];
	struct wr_peer_stats st;
	unsigned long long v;

	wr_peer_get_stats(peer, &st);
	wr_base64_key_encode(key, wr_peer_public_key(peer));
	switch (m->which) {
	case 0:
		v = st.rx_bytes;
		break;
	case 1:
		v = st.tx_bytes;
		break;
	case 2:
		v = st.rx_packets;
		break;
	case 3:
		v = st.tx_packets;
		break;
	case 4:
		v = st.handshakes;
		break;
	default:
		/* seconds with the fraction; 0 when never */
		mb_printf(m->b,
			"wirerate_peer_last_handshake_seconds{interface=\"%s\","
			"public_key=\"%s\"} %llu.%09llu\n",
			m->ifname, key,
			(unsigned long long)(st.last_handshake_wall_ns / 1000000000ULL),
			(unsigned long long)(st.last_handshake_wall_ns % 1000000000ULL));
		return m->b->oom;
	}
	static const char *const names[] = { "wirerate_peer_receive_bytes_total",
		"wirerate_peer_transmit_bytes_total", "wirerate_peer_receive_packets_total",
		"wirerate_peer_transmit_packets_total", "wirerate_peer_handshakes_total" };
	mb_printf(m->b, "%s{interface=\"%s\",public_key=\"%s\"} %llu\n", names[m->which], m->ifname,
		key, v);
	return m->b->oom;
}

static const struct {
	const char *name, *type, *help;
} peer_families[] = {
	{ "wirerate_peer_receive_bytes_total", "counter",
		"UDP payload bytes received from a peer" },
	{ "wirerate_peer_transmit_bytes_total", "counter", "UDP payload bytes sent to a peer" },
	{ "wirerate_peer_receive_packets_total", "counter", "Data messages received from a peer" },
	{ "wirerate_peer_transmit_packets_total", "counter", "Data messages sent to a peer" },
	{ "wirerate_peer_handshakes_total", "counter", "Completed handshakes with a peer" },
	{ "wirerate_peer_last_handshake_seconds", "gauge",
		"Unix time of the last completed handshake (0: never)" },
};

static void
port_family(struct mbuf *b, const struct wr_rest_status *st, const char *name, const char *help,
	size_t off)
{
	char l[128];

	family(b, name, "counter", help);
	for (size_t i = 0; i < st->n_ports; i++) {
		const struct wr_rest_port *p = &st->ports[i];

		label_value(l, sizeof(l), p->name);
		mb_printf(b, "%s{port=\"%s\"} %llu\n", name, l,
			(unsigned long long)*(const uint64_t *)((const char *)p + off));
	}
}

int
rest_metrics(struct wr_rest *r, struct rest_resp *out)
{
	struct mbuf b = { .cap = 4096 };
	struct wr_rest_status st;
	char l[128];
	int ret;

	ret = rest_status(r, &st);
	if (ret < 0)
		return rest_error(out, 500, REST_E_INTERNAL, NULL, "status: %s", strerror(-ret));
	b.p = malloc(b.cap);
	if (!b.p)
		return rest_error(out, 500, REST_E_INTERNAL, NULL, "out of memory");

	family(&b, "wirerate_up", "gauge", "1 when the gateway answers");
	mb_printf(&b, "wirerate_up 1\n");
	family(&b, "wirerate_uptime_seconds", "gauge", "Seconds since the gateway started");
	mb_printf(&b, "wirerate_uptime_seconds %llu.%03llu\n",
		(unsigned long long)(st.uptime_ns / 1000000000ULL),
		(unsigned long long)(st.uptime_ns % 1000000000ULL / 1000000ULL));
	family(&b, "wirerate_build_info", "gauge", "The gateway's version, as a label");
	label_value(l, sizeof(l), st.version);
	mb_printf(&b, "wirerate_build_info{version=\"%s\"} 1\n", l);

	family(&b, "wirerate_port_up", "gauge", "1 when a port's link is up");
	for (size_t i = 0; i < st.n_ports; i++) {
		label_value(l, sizeof(l), st.ports[i].name);
		mb_printf(&b, "wirerate_port_up{port=\"%s\"} %d\n", l, st.ports[i].link_up ? 1 : 0);
	}
#define PORT(field, name, help)                                                                    \
	port_family(&b, &st, name, help, offsetof(struct wr_rest_port, field))
	PORT(rx_packets, "wirerate_port_receive_packets_total", "Packets received on a port");
	PORT(tx_packets, "wirerate_port_transmit_packets_total", "Packets sent on a port");
	PORT(rx_bytes, "wirerate_port_receive_bytes_total", "Bytes received on a port");
	PORT(tx_bytes, "wirerate_port_transmit_bytes_total", "Bytes sent on a port");
	PORT(rx_dropped, "wirerate_port_receive_dropped_total",
		"Packets a port dropped on receive");
	PORT(tx_dropped, "wirerate_port_transmit_dropped_total", "Packets a port failed to send");
#undef PORT

	family(&b, "wirerate_peers", "gauge", "Peers configured on an interface");
	for (size_t i = 0; i < r->nifs; i++)
		mb_printf(&b, "wirerate_peers{interface=\"%s\"} %zu\n", r->ifs[i].name,
			wr_device_peer_count(r->ifs[i].dev));
	for (int f = 0; f < (int)(sizeof(peer_families) / sizeof(peer_families[0])); f++) {
		family(&b, peer_families[f].name, peer_families[f].type, peer_families[f].help);
		for (size_t i = 0; i < r->nifs; i++) {
			struct peer_metric m = { &b, r->ifs[i].name, f };

			wr_device_foreach_peer(r->ifs[i].dev, peer_line, &m);
		}
	}

	family(&b, "wirerate_drops_total", "counter",
		"Packets dropped, by interface and reason (engine and data plane)");
	for (size_t i = 0; i < r->nifs; i++) {
		uint64_t drops[WR_DROP_COUNT];

		rest_if_drops(&r->ifs[i], drops);
		for (int d = 1; d < WR_DROP_COUNT; d++)
			mb_printf(&b, "wirerate_drops_total{interface=\"%s\",reason=\"%s\"} %llu\n",
				r->ifs[i].name, wr_drop_reason_label(l, sizeof(l), d),
				(unsigned long long)drops[d]);
	}
	family(&b, "wirerate_gateway_drops_total", "counter",
		"Packets dropped that no interface can be charged with, by reason");
	for (int d = 1; d < WR_DROP_COUNT; d++)
		mb_printf(&b, "wirerate_gateway_drops_total{reason=\"%s\"} %llu\n",
			wr_drop_reason_label(l, sizeof(l), d),
			(unsigned long long)(st.drops ? st.drops[d] : 0));
	if (b.oom) {
		free(b.p);
		return rest_error(out, 500, REST_E_INTERNAL, NULL, "out of memory");
	}
	free(out->body);
	out->body = b.p;
	out->len = b.len;
	out->status = 200;
	out->ctype = "text/plain; version=0.0.4; charset=utf-8";
	return 0;
}
