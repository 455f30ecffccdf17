/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host that test_rest.c and test_rest_clients.c run the REST server in: two interfaces (wg0, wg1) with their
 * callbacks and counters, the gateway's status (ports, lcores, its own drops), and the server
 * started on them in a temporary directory, on a unix socket and a loopback TCP port with a
 * token. Header-only; it brings rest_harness.h.
 */
#ifndef REST_HOST_H
#define REST_HOST_H

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "rest_harness.h"
#include "null_host.h"

#define MAX_BODY (256u * 1024)
#define TOKEN "test-token-0123456789"

static char dir[64];

/* ---- the host: two interfaces and their callbacks ---- */

struct iface {
	struct wr_device *dev;
	uint16_t port;
	unsigned changed, removing;
	size_t added, removed, updated;
	uint64_t dp_no_route;
};

static struct iface wg0, wg1;

static uint64_t
d_wall(void *ctx)
{
	return 1700000000ULL * 1000000000ULL;
}

static uint16_t
h_get_port(void *ctx)
{
	return ((struct iface *)ctx)->port;
}

static int
h_set_port(void *ctx, uint16_t port)
{
	if (port == 7777)
		return -EADDRINUSE;
	((struct iface *)ctx)->port = port;
	return 0;
}

static void
h_removing(void *ctx, struct wr_peer *peer)
{
	((struct iface *)ctx)->removing++;
}

static void
h_changed(void *ctx, const struct wr_uapi_changes *c)
{
	struct iface *f = ctx;

	f->changed++;
	f->added = c->n_added;
	f->removed = c->n_removed;
	f->updated = c->n_updated;
}

static const char *
h_port_name(void *ctx)
{
	return "wan0";
}

static void
h_add_drops(void *ctx, uint64_t drops[WR_DROP_COUNT])
{
	drops[WR_DROP_NO_ROUTE] += ((struct iface *)ctx)->dp_no_route;
}

static const char *const addrs[] = { "192.0.2.1/24", "2001:db8::1/64" };
static const struct wr_rest_port ports[] = {
	{ .name = "wan0",
		.mac = "02:00:00:00:00:01",
		.addresses = addrs,
		.n_addresses = 2,
		.link_up = true,
		.rx_packets = 11,
		.tx_packets = 12,
		.rx_bytes = 1300 },
	{ .name = "lan0", .link_up = false },
};
static const struct wr_rest_lcore lcores[] = { { 0, "control" }, { 1, "worker" } };

static uint64_t gw_drops[WR_DROP_COUNT] = { [WR_DROP_NO_ROUTE] = 3 };

static int
h_status(void *ctx, struct wr_rest_status *st)
{
	st->eal_file_prefix = "wirerate-7";
	st->drops = gw_drops;
	st->version = "9.9-test";
	st->uptime_ns = 42ULL * 1000000000ULL;
	st->ports = ports;
	st->n_ports = 2;
	st->lcores = lcores;
	st->n_lcores = 2;
	return 0;
}

static bool
find_curl(void)
{
	const char *path = getenv("PATH");
	char buf[4096], *save = NULL, *d;

	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char p[4200];

		snprintf(p, sizeof(p), "%s/curl", d);
		if (access(p, X_OK) == 0)
			return true;
	}
	return false;
}

static struct wr_device *
make_dev(struct iface *f)
{
	static const struct wr_device_ops ops = {
		.send = null_send, .deliver = null_deliver, .wall_time_ns = d_wall
	};

	f->dev = wr_device_create(&ops, f);
	return f->dev;
}

/*
 * The server on wg0 (key @p own, listening port 51820) and wg1, with the checks of its set-up.
 * Returns -1 when the test goes on, else the status to exit with: 77 without curl, 1 without
 * docs/openapi.json or a temporary directory.
 */
static int
host_start(const char *argv0, struct key *own)
{
	static const struct wr_rest_if_ops ifops = {
		.cfg = { .get_listen_port = h_get_port,
			.set_listen_port = h_set_port,
			.peer_removing = h_removing,
			.changed = h_changed },
		.port_name = h_port_name,
		.add_drops = h_add_drops,
	};
	static const struct wr_rest_ops ops = { .get_status = h_status };
	static struct wr_rest_config cfg = {
		.max_body = MAX_BODY, .tcp_address = "127.0.0.1:0", .token = TOKEN
	};
	struct wr_rest *second;
	struct stat st;

	if (!find_curl()) {
		printf("SKIP: curl not found\n");
		return 77;
	}
	if (!load_doc(argv0)) {
		printf("FAIL: docs/openapi.json not found (set WR_OPENAPI)\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "/tmp/wr-rest-XXXXXX");
	if (!mkdtemp(dir) || chdir(dir) < 0)
		return 1;
	snprintf(sock, sizeof(sock), "%s/run/ctrl.sock", dir);
	snprintf(bodyfile, sizeof(bodyfile), "%s/body.json", dir);
	cfg.unix_path = sock;

	make_dev(&wg0);
	make_dev(&wg1);
	wg0.port = 51820;
	make_key(own, 999);
	wr_device_set_private_key(wg0.dev, own->priv);
	CHECK(wr_rest_create(&rest, &cfg, &ops, NULL) == 0, "create");
	CHECK(wr_rest_add_interface(rest, "wg0", wg0.dev, &ifops, &wg0) == 0, "add wg0");
	CHECK(wr_rest_add_interface(rest, "wg1", wg1.dev, &ifops, &wg1) == 0, "add wg1");
	CHECK(wr_rest_add_interface(rest, "wg1", wg1.dev, &ifops, &wg1) == -EEXIST, "twice");
	CHECK(wr_rest_add_interface(rest, "a/b", wg1.dev, &ifops, &wg1) == -EINVAL, "bad name");
	CHECK(stat(sock, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600,
		"socket mode 0600");
	cfg.tcp_address = NULL;
	CHECK(wr_rest_create(&second, &cfg, NULL, NULL) == -EADDRINUSE, "a live socket is kept");

	return -1;
}

/* Stops the server (its socket must go) and removes what host_start() made. */
static void
host_stop(void)
{
	struct stat st;

	wr_rest_destroy(rest);
	CHECK(stat(sock, &st) < 0, "socket removed");
	wr_device_destroy(wg0.dev);
	wr_device_destroy(wg1.dev);
	json_decref(doc);
	json_decref(covered);
	unlink(bodyfile);
	rmdir("run");
	chdir("/");
	rmdir(dir);
}

#endif /* REST_HOST_H */
