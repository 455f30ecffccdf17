/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control-plane APIs in the running gateway (ctrl_api.h): the REST server's host callbacks,
 * the telemetry snapshot, and packet capture's registration.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_pdump.h>

#include "control_internal.h"
#include "ctrl_api.h"
#include "ctrl_api_internal.h"
#include "worker.h"
#include "wr_rest.h"

#define ADDR_STR (INET6_ADDRSTRLEN + 4)

struct wr_ctrl_api {
	struct wr_control *ctl;
	struct wr_rest *rest; /* NULL: the unix socket could not be opened */
	bool pdump;           /* rte_pdump_init() succeeded */
	uint64_t start_tsc;
	uint64_t next_snapshot; /* TSC */
	uint64_t next_rest;     /* TSC */
	bool rest_busy;         /* the last poll did something: poll again now */
	/* what get_status() hands out: valid until its next call */
	struct wr_rest_port ports[WR_DP_MAX_PORTS];
	char macs[WR_DP_MAX_PORTS][RTE_ETHER_ADDR_FMT_SIZE];
	char addrs[WR_DP_MAX_PORTS][WR_PORT_MAX_ADDRS][ADDR_STR];
	const char *addr_ptrs[WR_DP_MAX_PORTS][WR_PORT_MAX_ADDRS];
	struct wr_rest_lcore lcores[RTE_MAX_LCORE];
	uint64_t gw_drops[WR_DROP_COUNT];
	char prefix[64];
	const char *eal_file_prefix; /* prefix, or NULL: EAL has no runtime directory */
};

/* ---- the REST server's host callbacks ---- */

const char *
wr_ctrl_api_file_prefix(char *buf, size_t len)
{
	const char *dir = rte_eal_get_runtime_dir();
	const char *slash = dir != NULL ? strrchr(dir, '/') : NULL;

	if (dir == NULL || dir[0] == '\0')
		return NULL;
	snprintf(buf, len, "%s", slash != NULL ? slash + 1 : dir);
	return buf;
}

static void
format_port_addr(char *buf, size_t len, const struct wr_port_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family, a->addr, s, sizeof(s)) == NULL)
		snprintf(s, sizeof(s), "?");
	snprintf(buf, len, "%s/%u", s, a->cidr);
}

static int
rest_get_status(void *ctx, struct wr_rest_status *st)
{
	struct wr_ctrl_api *api = ctx;
	struct wr_dataplane *dp = api->ctl->dp;
	unsigned int p, a, l, n = 0;

	for (p = 0; p < dp->nb_ports && p < WR_DP_MAX_PORTS; p++) {
		const struct wr_port *port = &dp->ports[p];
		struct wr_rest_port *rp = &api->ports[p];
		struct rte_eth_stats es;
		struct rte_eth_link link;

		memset(rp, 0, sizeof(*rp));
		rp->name = port->name;
		rte_ether_format_addr(api->macs[p], sizeof(api->macs[p]), &port->mac);
		for (a = 0; api->macs[p][a] != '\0'; a++)
			api->macs[p][a] = (char)tolower((unsigned char)api->macs[p][a]);
		rp->mac = api->macs[p];
		for (a = 0; a < port->n_addrs && a < WR_PORT_MAX_ADDRS; a++) {
			format_port_addr(api->addrs[p][a], ADDR_STR, &port->addrs[a]);
			api->addr_ptrs[p][a] = api->addrs[p][a];
		}
		rp->addresses = api->addr_ptrs[p];
		rp->n_addresses = a;
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port->port_id, &link) == 0)
			rp->link_up = link.link_status == RTE_ETH_LINK_UP;
		if (rte_eth_stats_get(port->port_id, &es) == 0) {
			rp->rx_packets = es.ipackets;
			rp->tx_packets = es.opackets;
			rp->rx_bytes = es.ibytes;
			rp->tx_bytes = es.obytes;
			rp->rx_dropped = es.imissed + es.ierrors + es.rx_nombuf;
			rp->tx_dropped = es.oerrors;
		}
	}
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		const struct wr_dp_lcore *lc = &dp->lcores[l];

		if (lc->dp == NULL || (!lc->control && lc->n_rxq == 0))
			continue;
		api->lcores[n].id = l;
		api->lcores[n++].role = lc->control ? "control" : "worker";
	}
	memset(api->gw_drops, 0, sizeof(api->gw_drops));
	wr_dp_proto_drops_add(dp, WR_DP_PROTO_GATEWAY, api->gw_drops);
	st->drops = api->gw_drops;
	st->eal_file_prefix = api->eal_file_prefix;
	st->version = NULL;
	st->uptime_ns = wr_gw_tsc_to_ns(rte_rdtsc() - api->start_tsc, dp->hz);
	st->ports = api->ports;
	st->n_ports = p;
	st->lcores = api->lcores;
	st->n_lcores = n;
	return 0;
}

static const char *
rest_port_name(void *ctx)
{
	struct ctl_iface *ifc = ctx;
	struct wr_dataplane *dp = ifc->ctl->dp;
	uint16_t port = ifc->ctl->gw.iface[ifc->idx].port;

	return port < dp->nb_ports ? dp->ports[port].name : NULL;
}

/* The protocol drops the lcores counted for this interface (the engine's are already in) */
static void
rest_add_drops(void *ctx, uint64_t drops[WR_DROP_COUNT])
{
	struct ctl_iface *ifc = ctx;

	wr_dp_proto_drops_add(ifc->ctl->dp, ifc->idx, drops);
}

static int
rest_start(struct wr_ctrl_api *api, const struct wr_config *cfg, char *err, size_t errlen)
{
	static const struct wr_rest_ops ops = { .get_status = rest_get_status };
	/*
	 * The unix socket is optional even beside a TCP listener: forwarding matters more than
	 * the API, as without `wg`. The TCP listener was asked for explicitly: it is not.
	 */
	struct wr_rest_config rc = { .unix_path = cfg->control_socket, .unix_optional = true };
	struct wr_control *ctl = api->ctl;
	unsigned int i;
	int ret, unix_err;

	if (cfg->control_address != NULL) {
		/* the configuration refuses ControlAddress without ControlTokenFile, and read it */
		rc.tcp_address = cfg->control_address;
		rc.token = cfg->control_token; /* copied by the server */
	}
	ret = wr_rest_create(&api->rest, &rc, &ops, api);
	if (ret < 0 && rc.tcp_address != NULL) {
		/* with unix_optional, the TCP listener's failure */
		api->rest = NULL;
		snprintf(err, errlen, "control API: TCP listener %s: %s", rc.tcp_address,
			strerror(-ret));
		return ret;
	}
	unix_err = ret < 0 ? ret : wr_rest_unix_error(api->rest);
	if (unix_err < 0)
		fprintf(stderr, "wirerate: warning: no control socket %s: %s\n", rc.unix_path,
			strerror(-unix_err));
	if (ret < 0) {
		api->rest = NULL;
		return 0;
	}
	for (i = 0; i < ctl->n_ifaces; i++) {
		struct wr_rest_if_ops iops = {
			.cfg = wr_ctl_uapi_ops, /* the UAPI's republish, exactly */
			.port_name = rest_port_name,
			.add_drops = rest_add_drops,
		};

		ret = wr_rest_add_interface(
			api->rest, ctl->ifs[i].name, ctl->ifs[i].dev, &iops, &ctl->ifs[i]);
		if (ret < 0) {
			snprintf(err, errlen, "control API: interface %s: %s", ctl->ifs[i].name,
				strerror(-ret));
			wr_rest_destroy(api->rest);
			api->rest = NULL;
			return ret;
		}
	}
	if (rc.tcp_address != NULL && unix_err < 0)
		printf("wirerate: control API on %s (TCP port %u) only\n", rc.tcp_address,
			wr_rest_tcp_port(api->rest));
	else if (rc.tcp_address != NULL)
		printf("wirerate: control API on %s and %s (TCP port %u)\n", rc.unix_path,
			rc.tcp_address, wr_rest_tcp_port(api->rest));
	else
		printf("wirerate: control API on %s\n", rc.unix_path);
	return 0;
}

/* ---- lifecycle ---- */

/*
 * dpdk-dumpcap is a secondary process: it maps the primary's hugepage memory through the shared
 * configuration in EAL's runtime directory, which a primary started with --no-huge, --no-shconf
 * or --in-memory does not have (rte_pdump_init() succeeds there all the same). EAL does not say
 * which options it runs with: its command line does.
 */
static bool
shared_config(void)
{
	char buf[4096];
	size_t n, off = 0;
	bool shared = rte_eal_has_hugepages() != 0;
	FILE *f = fopen("/proc/self/cmdline", "r");

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (off = 0; off < n && shared; off += strlen(buf + off) + 1) {
		if (!strcmp(buf + off, "--"))
			break; /* the application's own options */
		if (!strcmp(buf + off, "--no-shconf") || !strcmp(buf + off, "--in-memory"))
			shared = false;
	}
	return shared;
}

int
wr_ctrl_api_create(struct wr_control *ctl, const struct wr_config *cfg, struct wr_ctrl_api **out,
	char *err, size_t errlen)
{
	struct wr_ctrl_api *api;
	int ret;

	*out = NULL;
	api = calloc(1, sizeof(*api));
	if (api == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	api->ctl = ctl;
	api->start_tsc = rte_rdtsc();
	/* fixed once EAL runs */
	api->eal_file_prefix = wr_ctrl_api_file_prefix(api->prefix, sizeof(api->prefix));
	ret = rest_start(api, cfg, err, errlen);
	if (ret < 0)
		goto err_free;
	ret = wr_ctrl_tel_start(ctl);
	if (ret < 0) {
		snprintf(err, errlen, "telemetry: %s", strerror(-ret));
		goto err_rest;
	}
	api->pdump = rte_pdump_init() == 0;
	printf("wirerate: packet capture (dpdk-dumpcap) %s\n",
		api->pdump && shared_config()
			? "available"
			: "unavailable: EAL runs without a shared configuration");
	*out = api;
	return 0;

err_rest:
	wr_rest_destroy(api->rest);
err_free:
	free(api);
	return ret;
}

unsigned int
wr_ctrl_api_poll(struct wr_ctrl_api *api, uint64_t tsc, uint64_t now)
{
	uint64_t hz = api->ctl->dp->hz;
	unsigned int work = 0;

	/* a look every millisecond costs a syscall; right away again while requests flow */
	if (api->rest != NULL && (api->rest_busy || tsc >= api->next_rest)) {
		struct wr_rest_stats before, after;

		api->next_rest = tsc + hz * WR_CTRL_API_REST_US / 1000000;
		wr_rest_get_stats(api->rest, &before);
		wr_rest_poll(api->rest, now);
		wr_rest_get_stats(api->rest, &after);
		/* a timeout of 0: libmicrohttpd holds work that its fd does not show */
		api->rest_busy =
			after.requests != before.requests || wr_rest_timeout_ms(api->rest) == 0;
		work += api->rest_busy;
	}
	if (tsc >= api->next_snapshot) {
		api->next_snapshot = tsc + hz * WR_CTRL_API_SNAPSHOT_MS / 1000;
		wr_ctrl_tel_snapshot(api->ctl);
	}
	return work;
}

void
wr_ctrl_api_destroy(struct wr_ctrl_api *api)
{
	if (api == NULL)
		return;
	wr_ctrl_tel_stop();
	if (api->pdump)
		rte_pdump_uninit();
	wr_rest_destroy(api->rest);
	free(api);
}
