/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wirerate's DPDK telemetry commands (dpdk-telemetry.py, or any client of the
 * dpdk_telemetry.v2 socket in EAL's runtime directory):
 *
 *   /wirerate/status      version, uptime, interfaces, peers, worker lcores, EAL file prefix,
 *                         the page size of /wirerate/peers
 *   /wirerate/interfaces  per interface: listen port, port, peers
 *   /wirerate/peers       [,IFNAME][,OFFSET] by public key in hex (base64 is no valid telemetry
 *                         name): interface, public key (base64), endpoint, rx/tx bytes and
 *                         packets, latest handshake (Unix seconds, 0: never). A reply holds at
 *                         most TEL_PEERS_PAGE peers (what telemetry's reply size takes): the
 *                         peers from the OFFSET-th on (0 when absent), in peer-id order; the
 *                         next page is at OFFSET plus the number returned, and an empty reply
 *                         is the end; an unknown IFNAME or a bad OFFSET is an error (null)
 *   /wirerate/drops       [,IFNAME] every drop reason with its count: without IFNAME the
 *                         protocol's (engines and data plane, every interface and the gateway's
 *                         own, summed) and the data plane's L2/L3 ones; with it, that
 *                         interface's protocol drops (an unknown IFNAME: an error, null)
 *
 * The callbacks run in DPDK's telemetry thread, which must not read what the control lcore
 * mutates (the engines, the peer table). They answer from a snapshot that the control lcore
 * refreshes every WR_CTRL_API_SNAPSHOT_MS; the control lcore only try-locks it, so a slow
 * telemetry client delays a refresh, never the control loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_telemetry.h>

#include "control_internal.h"
#include "ctrl_api_internal.h"
#include "worker.h"
#include "wr_base64.h"

#define TEL_EP_LEN (INET6_ADDRSTRLEN + 8)
/*
 * Peers in one reply of /wirerate/peers. Telemetry (22.11) answers at most 16 KiB of JSON and
 * silently leaves out the entries past it (far fewer than its RTE_TEL_MAX_DICT_ENTRIES dict
 * entries): a peer takes at most about 400 bytes (hex key, IPv6 endpoint, 20-digit counters).
 */
#define TEL_PEERS_PAGE 32

struct tel_peer {
	uint8_t iface;
	char key[WR_BASE64_KEY_LEN + 1];
	char id[2 * WR_KEY_LEN + 1]; /* the key in hex: telemetry names take [A-Za-z0-9_/] */
	char endpoint[TEL_EP_LEN];
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets, latest_handshake;
};

struct tel_iface {
	char name[WR_CONFIG_NAME_MAX + 1];
	char port[WR_PORT_NAME_MAX];
	uint16_t listen_port;
	uint32_t n_peers;
	uint64_t drops[WR_DROP_COUNT]; /* the protocol's: its engine's and the lcores' */
};

static struct {
	pthread_mutex_t lock;
	bool registered;
	bool live; /* a gateway runs and the snapshot is its */
	uint64_t start_mono_ns;
	unsigned int n_workers;
	unsigned int n_ifaces;
	struct tel_iface ifs[WR_GW_MAX_IFACES];
	struct tel_peer *peers; /* cap entries */
	uint32_t n_peers, cap;
	char file_prefix[64];
	uint64_t proto_drops[WR_DROP_COUNT]; /* every interface's and the gateway's own */
	uint64_t dp_drops[WR_DP_DROP__COUNT];
} tel = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
hex(char *out, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- the control lcore's side ---- */

void
wr_ctrl_tel_snapshot(struct wr_control *ctl)
{
	struct wr_dp_crypto_lcore *lcs[RTE_MAX_LCORE];
	struct wr_dataplane *dp = ctl->dp;
	unsigned int n_lcs = 0, l, i, d;
	uint32_t id;

	if (pthread_mutex_trylock(&tel.lock) != 0)
		return; /* a client is reading: next time */
	tel.n_workers = 0;
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		struct wr_dp_lcore *lc = &dp->lcores[l];

		if (lc->worker != NULL)
			lcs[n_lcs++] = &lc->worker->crypto;
		if (lc->dp != NULL && !lc->control && lc->n_rxq > 0)
			tel.n_workers++;
	}
	tel.n_ifaces = ctl->n_ifaces;
	for (i = 0; i < ctl->n_ifaces; i++) {
		struct tel_iface *ti = &tel.ifs[i];
		uint16_t port = ctl->gw.iface[i].port;

		snprintf(ti->name, sizeof(ti->name), "%s", ctl->ifs[i].name);
		snprintf(ti->port, sizeof(ti->port), "%s",
			port < dp->nb_ports ? dp->ports[port].name : "");
		ti->listen_port = __atomic_load_n(&ctl->gw.iface[i].listen_port, __ATOMIC_RELAXED);
		ti->n_peers = (uint32_t)wr_device_peer_count(ctl->ifs[i].dev);
		for (d = 0; d < WR_DROP_COUNT; d++)
			ti->drops[d] = wr_device_drop_count(ctl->ifs[i].dev, d);
		wr_dp_proto_drops_add(dp, i, ti->drops);
	}
	tel.n_peers = 0;
	for (id = 0; id < ctl->capacity && tel.n_peers < tel.cap; id++) {
		struct ctl_peer *cp = &ctl->peers[id];
		struct tel_peer *tp = &tel.peers[tel.n_peers];
		struct wr_dp_peer_counters c;
		struct wr_peer_stats st;
		struct wr_endpoint ep;

		if (cp->peer == NULL)
			continue;
		tel.n_peers++;
		/* bytes and handshakes as the engine heard of them (what `wg show` says), packets
		 * as the lcores counted them */
		wr_dp_peer_counters_sum(lcs, n_lcs, id, &c);
		wr_peer_get_stats(cp->peer, &st);
		wr_peer_get_endpoint(cp->peer, &ep);
		tp->iface = (uint8_t)cp->iface;
		wr_base64_key_encode(tp->key, wr_peer_public_key(cp->peer));
		hex(tp->id, wr_peer_public_key(cp->peer), WR_KEY_LEN);
		if (!wr_endpoint_format(tp->endpoint, sizeof(tp->endpoint), &ep))
			snprintf(tp->endpoint, sizeof(tp->endpoint), "(none)");
		tp->rx_bytes = st.rx_bytes;
		tp->tx_bytes = st.tx_bytes;
		tp->rx_packets = c.rx_packets;
		tp->tx_packets = c.tx_packets;
		tp->latest_handshake = st.last_handshake_wall_ns / WR_NSEC_PER_SEC;
	}
	memset(tel.proto_drops, 0, sizeof(tel.proto_drops));
	for (i = 0; i < ctl->n_ifaces; i++)
		for (d = 0; d < WR_DROP_COUNT; d++)
			tel.proto_drops[d] += tel.ifs[i].drops[d];
	wr_dp_proto_drops_add(dp, WR_DP_PROTO_GATEWAY, tel.proto_drops);
	for (d = 0; d < WR_DP_DROP__COUNT; d++)
		tel.dp_drops[d] = wr_dp_drops_total(dp, d);
	tel.live = true;
	pthread_mutex_unlock(&tel.lock);
}

/* ---- the telemetry thread's side (tel.lock held by the caller) ---- */

static int
not_running(struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state", "stopped");
	return 0;
}

static int
cmd_status(struct rte_tel_data *d)
{
	uint64_t peers = 0;
	unsigned int i;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state", "running");
	rte_tel_data_add_dict_string(d, "version", WR_VERSION);
	rte_tel_data_add_dict_u64(d, "uptime_s", (mono_ns() - tel.start_mono_ns) / 1000000000ull);
	rte_tel_data_add_dict_u64(d, "interfaces", tel.n_ifaces);
	for (i = 0; i < tel.n_ifaces; i++)
		peers += tel.ifs[i].n_peers;
	rte_tel_data_add_dict_u64(d, "peers", peers);
	rte_tel_data_add_dict_u64(d, "workers", tel.n_workers);
	rte_tel_data_add_dict_string(d, "file_prefix", tel.file_prefix);
	rte_tel_data_add_dict_u64(d, "peers_page", TEL_PEERS_PAGE);
	return 0;
}

static int
cmd_interfaces(struct rte_tel_data *d)
{
	unsigned int i;

	rte_tel_data_start_dict(d);
	for (i = 0; i < tel.n_ifaces; i++) {
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "port", tel.ifs[i].port);
		rte_tel_data_add_dict_u64(c, "listen_port", tel.ifs[i].listen_port);
		rte_tel_data_add_dict_u64(c, "peers", tel.ifs[i].n_peers);
		if (rte_tel_data_add_dict_container(d, tel.ifs[i].name, c, 0) != 0) {
			rte_tel_data_free(c);
			return -ENOSPC;
		}
	}
	return 0;
}

/* The interface named @p name, or -1 */
static int
iface_named(const char *name)
{
	unsigned int i;

	for (i = 0; i < tel.n_ifaces; i++)
		if (!strcmp(name, tel.ifs[i].name))
			return (int)i;
	return -1;
}

/*
 * The parameters of /wirerate/peers: "IFNAME", "IFNAME,OFFSET", "OFFSET" (digits only, when no
 * interface has that name) or none. False when malformed; *iface is -2 for an unknown name.
 */
static bool
peers_params(const char *params, int *iface, uint32_t *offset)
{
	char buf[WR_CONFIG_NAME_MAX + 16];
	const char *off = NULL;
	char *comma, *end;
	unsigned long v;

	*iface = -1;
	*offset = 0;
	if (params == NULL || params[0] == '\0')
		return true;
	if (strlen(params) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", params);
	comma = strchr(buf, ',');
	if (comma != NULL) {
		*comma = '\0';
		off = comma + 1;
	}
	*iface = iface_named(buf);
	if (*iface < 0) {
		if (comma == NULL && buf[strspn(buf, "0123456789")] == '\0')
			off = buf;
		else
			*iface = -2;
	}
	if (off == NULL)
		return true;
	if (off[0] == '\0' || off[strspn(off, "0123456789")] != '\0')
		return false;
	errno = 0;
	v = strtoul(off, &end, 10);
	if (errno != 0 || v > UINT32_MAX)
		return false;
	*offset = (uint32_t)v;
	return true;
}

static int
cmd_peers(struct rte_tel_data *d, const char *params)
{
	unsigned int n = 0;
	uint32_t i, skip;
	int iface;

	/* an unknown interface is an error (null), not an empty page that reads as "no peers" */
	if (!peers_params(params, &iface, &skip) || iface == -2)
		return -EINVAL;
	/* a dict by id: telemetry (22.11) takes no dict inside an array */
	rte_tel_data_start_dict(d);
	for (i = 0; i < tel.n_peers && n < TEL_PEERS_PAGE; i++) {
		const struct tel_peer *tp = &tel.peers[i];
		struct rte_tel_data *c;

		if (iface >= 0 && tp->iface != iface)
			continue;
		if (skip > 0) {
			skip--;
			continue;
		}
		c = rte_tel_data_alloc();
		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "interface", tel.ifs[tp->iface].name);
		rte_tel_data_add_dict_string(c, "public_key", tp->key);
		rte_tel_data_add_dict_string(c, "endpoint", tp->endpoint);
		rte_tel_data_add_dict_u64(c, "rx_bytes", tp->rx_bytes);
		rte_tel_data_add_dict_u64(c, "tx_bytes", tp->tx_bytes);
		rte_tel_data_add_dict_u64(c, "rx_packets", tp->rx_packets);
		rte_tel_data_add_dict_u64(c, "tx_packets", tp->tx_packets);
		rte_tel_data_add_dict_u64(c, "latest_handshake", tp->latest_handshake);
		if (rte_tel_data_add_dict_container(d, tp->id, c, 0) != 0) {
			rte_tel_data_free(c);
			return -ENOSPC;
		}
		n++;
	}
	return 0;
}

static int
cmd_drops(struct rte_tel_data *d, const char *params)
{
	const uint64_t *proto = tel.proto_drops;
	bool one = params != NULL && params[0] != '\0';
	char name[64];
	unsigned int r;

	if (one) {
		int i = iface_named(params);

		if (i < 0)
			return -EINVAL;
		proto = tel.ifs[i].drops;
	}
	rte_tel_data_start_dict(d);
	for (r = WR_DROP_NONE + 1; r < WR_DROP_COUNT; r++)
		rte_tel_data_add_dict_u64(
			d, wr_drop_reason_label(name, sizeof(name), r), proto[r]);
	for (r = 0; !one && r < WR_DP_DROP__COUNT; r++)
		rte_tel_data_add_dict_u64(d, wr_dp_drop_name(r), tel.dp_drops[r]);
	return 0;
}

static int
tel_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int ret;

	pthread_mutex_lock(&tel.lock);
	if (!tel.live)
		ret = not_running(d);
	else if (!strcmp(cmd, "/wirerate/status"))
		ret = cmd_status(d);
	else if (!strcmp(cmd, "/wirerate/interfaces"))
		ret = cmd_interfaces(d);
	else if (!strcmp(cmd, "/wirerate/peers"))
		ret = cmd_peers(d, params);
	else if (!strcmp(cmd, "/wirerate/drops"))
		ret = cmd_drops(d, params);
	else
		ret = -EINVAL;
	pthread_mutex_unlock(&tel.lock);
	return ret;
}

int
wr_ctrl_tel_start(struct wr_control *ctl)
{
	static const struct {
		const char *cmd, *help;
	} cmds[] = {
		{ "/wirerate/status", "wirerate: version, uptime, interfaces, peers, workers, EAL "
				      "file prefix, peers per /wirerate/peers page" },
		{ "/wirerate/interfaces", "wirerate: each interface's listen port, port, peers" },
		{ "/wirerate/peers",
			"wirerate: peers' keys, endpoints, counters, latest "
			"handshakes, a page at a time. Parameters: [IFNAME][,OFFSET]" },
		{ "/wirerate/drops", "wirerate: packets dropped, by reason. Parameters: string "
				     "(optional): interface name" },
	};
	struct tel_peer *peers = calloc(ctl->capacity, sizeof(*peers));
	unsigned int i;

	if (peers == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&tel.lock);
	free(tel.peers);
	tel.peers = peers;
	tel.cap = ctl->capacity;
	tel.n_peers = 0;
	tel.live = false;
	tel.start_mono_ns = mono_ns();
	if (wr_ctrl_api_file_prefix(tel.file_prefix, sizeof(tel.file_prefix)) == NULL)
		tel.file_prefix[0] = '\0';
	/* telemetry has no way to unregister: the commands stay, answering "stopped" */
	if (!tel.registered)
		for (i = 0; i < RTE_DIM(cmds); i++)
			/* telemetry refuses a help text of RTE_TEL_MAX_STRING_LEN or more */
			if (rte_telemetry_register_cmd(cmds[i].cmd, tel_cb, cmds[i].help) != 0)
				fprintf(stderr,
					"wirerate: warning: telemetry command %s: not registered\n",
					cmds[i].cmd);
	tel.registered = true;
	pthread_mutex_unlock(&tel.lock);
	return 0;
}

void
wr_ctrl_tel_stop(void)
{
	pthread_mutex_lock(&tel.lock);
	tel.live = false;
	free(tel.peers);
	tel.peers = NULL;
	tel.cap = tel.n_peers = 0;
	pthread_mutex_unlock(&tel.lock);
}
