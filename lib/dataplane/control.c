/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control lcore's WireGuard side: setup from the configuration, the poll loop over the
 * workers' rings, the engines' timers and the UAPI sockets, teardown, counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_udp.h>

#include "control_internal.h"
#include "ctrl_api.h"
#include "worker.h"
#include "wr_base64.h"

static struct rte_ring *
ring(const char *name, unsigned int size, int socket, unsigned int esize)
{
	if (esize != 0)
		return rte_ring_create_elem(name, esize, size, socket, RING_F_SC_DEQ);
	return rte_ring_create(name, size, socket, RING_F_SC_DEQ);
}

static void
ring_free_mbufs(struct rte_ring *r)
{
	void *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

/* One of the gateway's addresses (@p family), for wr_gw_martian_source4() and ...6() */
static void
own_add(struct wr_gw *gw, int family, const uint8_t *addr)
{
	uint32_t a;

	if (family == AF_INET) {
		memcpy(&a, addr, 4);
		wr_addr4_set_add(&gw->own4, a);
	} else {
		memcpy(gw->own6[gw->n_own6++], addr, 16);
		memcpy(&a, addr + 12, 4);
		gw->own6_bits |= 1ull << wr_addr4_bit(a);
	}
}

/*
 * For wr_gw_bcast4(): the broadcast address of every on-link IPv4 prefix of /30 or shorter (a
 * port's connected subnet, a Route without a gateway), the prefixes wr_fib_forbidden() knows.
 * At most WR_FIB_MAX_ROUTES of them: the set holds more.
 */
static void
bcast_add_routes(struct wr_gw *gw)
{
	unsigned int i;

	RTE_BUILD_BUG_ON(WR_FIB_MAX_ROUTES > WR_GW_OWN_ADDRS);
	for (i = 0; i < gw->fib.n_routes; i++) {
		const struct wr_fib_route *r = &gw->fib.routes[i];
		uint32_t b;

		if (r->family != AF_INET || r->has_gw || r->cidr > 30)
			continue;
		memcpy(&b, r->addr, 4);
		b |= rte_cpu_to_be_32(UINT32_MAX >> r->cidr);
		if (!wr_addr4_set_has(&gw->bcast4, b))
			wr_addr4_set_add(&gw->bcast4, b);
	}
}

static int
setup_iface(struct wr_control *ctl, const struct wr_config *cfg, size_t i, char *err, size_t errlen)
{
	const struct wr_config_interface *ci = &cfg->interfaces[i];
	struct wr_uapi_server_config ucfg = { 0 };
	struct ctl_iface *ifc = &ctl->ifs[i];
	struct wr_gw_iface *gi = &ctl->gw.iface[i];
	uint64_t now = wr_ctl_now(ctl);
	size_t p, a;
	int ret;

	ifc->ctl = ctl;
	ifc->idx = (unsigned int)i;
	snprintf(ifc->name, sizeof(ifc->name), "%s", ci->name);
	gi->port = (uint16_t)ci->port;
	gi->listen_port = ci->listen_port;
	gi->mtu = ci->mtu;
	gi->udp_checksum = ci->udp_checksum;
	ifc->kt = wr_keytable_create(ctl->capacity * 3, ctl->gw.peers, ctl->gw.rcu, ctl->socket);
	ifc->dev = wr_device_create(&wr_ctl_engine_ops, ifc);
	if (ifc->kt == NULL || ifc->dev == NULL) {
		snprintf(err, errlen, "interface %s: out of memory", ci->name);
		return -ENOMEM;
	}
	wr_lpm_pub_init(&ifc->lpm, &gi->lpm, ctl->gw.rcu, ctl->socket);
	gi->tables.keys = ifc->kt;
	gi->tables.peers = ctl->gw.peers;
	gi->tables.mtu = ci->mtu;
	gi->tables.src_lookup = wr_ctl_src_lookup;
	gi->tables.src_ctx = gi;
	gi->gw = &ctl->gw;
	for (a = 0; a < ci->n_addrs && a < WR_GW_IFACE_ADDRS; a++) {
		gi->addrs[a].family = ci->addrs[a].family;
		memcpy(gi->addrs[a].addr, ci->addrs[a].addr, 16);
		gi->n_addrs = (unsigned int)a + 1;
		if (ci->addrs[a].family == AF_INET)
			memcpy(&ctl->gw.tunnel4[ctl->gw.n_tunnel4++], ci->addrs[a].addr, 4);
		own_add(&ctl->gw, ci->addrs[a].family, ci->addrs[a].addr);
	}
	wr_device_set_private_key(ifc->dev, ci->private_key);
	wr_device_set_mtu(ifc->dev, ci->mtu);
	for (p = 0; p < ci->n_peers; p++) {
		const struct wr_config_peer *cp = &ci->peers[p];
		struct wr_peer *peer = wr_device_add_peer(
			ifc->dev, cp->public_key, cp->has_preshared_key ? cp->preshared_key : NULL);

		if (peer == NULL) {
			snprintf(err, errlen, "interface %s: peer on line %u: %s", ci->name,
				cp->line, strerror(errno));
			return -errno;
		}
		if (cp->endpoint.family != 0) {
			struct wr_endpoint ep;

			memset(&ep, 0, sizeof(ep));
			ep.sa.sa_family = cp->endpoint.family;
			if (cp->endpoint.family == AF_INET) {
				memcpy(&ep.in4.sin_addr, cp->endpoint.addr, 4);
				ep.in4.sin_port = htons(cp->endpoint.port);
			} else {
				memcpy(&ep.in6.sin6_addr, cp->endpoint.addr, 16);
				ep.in6.sin6_port = htons(cp->endpoint.port);
			}
			wr_peer_set_endpoint(peer, &ep);
		}
		for (a = 0; a < cp->n_allowed_ips; a++) {
			ret = wr_peer_add_allowedip(peer, cp->allowed_ips[a].family,
				cp->allowed_ips[a].addr, cp->allowed_ips[a].cidr);
			if (ret < 0) {
				snprintf(err, errlen,
					"interface %s: peer on line %u: AllowedIPs: %s", ci->name,
					cp->line, strerror(-ret));
				return ret;
			}
		}
		wr_peer_set_keepalive(peer, cp->persistent_keepalive, now);
		ret = wr_ctl_attach_peer(ctl, ifc, peer);
		if (ret < 0) {
			snprintf(err, errlen, "interface %s: too many peers", ci->name);
			return ret;
		}
	}
	ret = wr_ctl_publish_table(ctl, ifc);
	if (ret < 0) {
		snprintf(err, errlen, "interface %s: cannot build its routing table: %s", ci->name,
			strerror(-ret));
		return ret;
	}
	ifc->uapi = wr_uapi_create(ifc->dev, &wr_ctl_uapi_ops, ifc);
	if (ifc->uapi == NULL) {
		snprintf(err, errlen, "interface %s: out of memory", ci->name);
		return -ENOMEM;
	}
	/* room for a `wg setconf` of every peer the gateway may have (wr_uapi.h says how big) */
	wr_uapi_server_config_for_peers(&ucfg, ctl->max_peers);
	/* `wg` is a convenience: a gateway without its socket still forwards */
	ret = wr_uapi_server_open(&ifc->srv, ci->name, ifc->uapi, &ucfg);
	if (ret < 0)
		fprintf(stderr, "wirerate: warning: interface %s: no UAPI socket in %s: %s\n",
			ci->name, WR_UAPI_SOCKET_DIR, strerror(-ret));
	return 0;
}

/* Per-lcore burst state for every lcore that polls, and the workers' RCU registration. */
static int
setup_lcores(struct wr_control *ctl)
{
	struct wr_dataplane *dp = ctl->dp;
	unsigned int l;
	int ret;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		struct wr_dp_lcore *lc = &dp->lcores[l];
		struct wr_worker *w;

		if (lc->dp == NULL || (!lc->control && lc->n_rxq == 0))
			continue;
		w = rte_zmalloc_socket("wr_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, ctl->socket);
		if (w == NULL)
			return -ENOMEM;
		ret = wr_worker_init(w, &ctl->gw, lc, ctl->socket);
		if (ret < 0) {
			rte_free(w);
			return ret;
		}
		lc->worker = w;
		if (!lc->control) {
			rte_rcu_qsbr_thread_register(ctl->gw.rcu, l);
			rte_rcu_qsbr_thread_online(ctl->gw.rcu, l);
		}
	}
	return 0;
}

int
wr_control_create(struct wr_dataplane *dp, const struct wr_config *cfg, struct wr_control **out,
	char *err, size_t errlen)
{
	struct wr_control *ctl;
	size_t i, rcu_size;
	int ret = -ENOMEM;

	*out = NULL;
	if (cfg->n_interfaces > WR_GW_MAX_IFACES) {
		snprintf(err, errlen, "%zu interfaces configured, at most %u supported",
			cfg->n_interfaces, WR_GW_MAX_IFACES);
		return -E2BIG;
	}
	for (i = 0; i < cfg->n_interfaces; i++) {
		/* each is the gateway's own (echo, martian sources): none may be left out */
		if (cfg->interfaces[i].n_addrs > WR_GW_IFACE_ADDRS) {
			snprintf(err, errlen, "interface %s: %zu addresses, at most %u supported",
				cfg->interfaces[i].name, cfg->interfaces[i].n_addrs,
				WR_GW_IFACE_ADDRS);
			return -E2BIG;
		}
	}
	ctl = rte_zmalloc("wr_control", sizeof(*ctl), RTE_CACHE_LINE_SIZE);
	if (ctl == NULL)
		goto err_nomem;
	ctl->dp = dp;
	ctl->gw.dp = dp;
	ctl->lc = &dp->lcores[dp->control_lcore];
	ctl->socket = (int)rte_socket_id();
	ret = wr_fib_init(&ctl->gw.fib, cfg);
	if (ret < 0) {
		snprintf(err, errlen, "more than %u addresses and routes", WR_FIB_MAX_ROUTES);
		goto err_destroy;
	}
	ret = -ENOMEM;
	/* the configuration's own peers are within it (wr_config_load_*()) */
	ctl->max_peers = (uint32_t)cfg->max_peers;
	ctl->capacity = (uint32_t)RTE_MAX((size_t)CTL_MIN_PEERS, 2 * (size_t)ctl->max_peers);
	ctl->peers = calloc(ctl->capacity, sizeof(*ctl->peers));
	ctl->held_ids = calloc(ctl->capacity, sizeof(*ctl->held_ids));
	ctl->gw.peers = wr_dp_peers_create(ctl->capacity, ctl->socket);
	rcu_size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	ctl->gw.rcu = rte_zmalloc("wr_rcu", rcu_size, RTE_CACHE_LINE_SIZE);
	if (ctl->peers == NULL || ctl->held_ids == NULL || ctl->gw.peers == NULL ||
		ctl->gw.rcu == NULL || rte_rcu_qsbr_init(ctl->gw.rcu, RTE_MAX_LCORE) != 0)
		goto err_nomem;
	ctl->gw.hs_ring = ring("wr_gw_hs", WR_GW_HS_RING, ctl->socket, 0);
	ctl->gw.held_ring = ring("wr_gw_held", WR_GW_HELD_RING, ctl->socket, 0);
	ctl->gw.route_ring = ring("wr_gw_route", WR_GW_ROUTE_RING, ctl->socket, 0);
	ctl->gw.event_ring =
		ring("wr_gw_event", WR_GW_EVENT_RING, ctl->socket, sizeof(struct wr_gw_event));
	if (ctl->gw.hs_ring == NULL || ctl->gw.held_ring == NULL || ctl->gw.route_ring == NULL ||
		ctl->gw.event_ring == NULL)
		goto err_nomem;
	/* the control lcore hands frames to its own host stack when it polls the ports itself */
	if (dp->to_control == NULL) {
		dp->to_control = rte_ring_create(
			"wr_to_control", WR_DP_CONTROL_RING, ctl->socket, RING_F_SC_DEQ);
		if (dp->to_control == NULL)
			goto err_nomem;
	}
	for (i = 0; i < dp->nb_ports; i++) {
		size_t a;

		for (a = 0; a < dp->ports[i].n_addrs; a++) {
			const struct wr_port_addr *pa = &dp->ports[i].addrs[a];

			own_add(&ctl->gw, pa->family, pa->addr);
		}
	}
	bcast_add_routes(&ctl->gw);
	for (i = 0; i < cfg->n_interfaces; i++) {
		ctl->n_ifaces = (unsigned int)i + 1;
		ctl->gw.n_ifaces = (unsigned int)i + 1;
		ret = setup_iface(ctl, cfg, i, err, errlen);
		if (ret < 0)
			goto err_destroy;
	}
	ret = setup_lcores(ctl);
	if (ret < 0) {
		snprintf(err, errlen, "cannot set up the lcores' crypto state: %s", strerror(-ret));
		goto err_destroy;
	}
	ret = wr_ctrl_api_create(ctl, cfg, &ctl->api, err, errlen);
	if (ret < 0)
		goto err_destroy;
	dp->gw = &ctl->gw;
	*out = ctl;
	return 0;

err_nomem:
	snprintf(err, errlen, "out of memory");
	ret = -ENOMEM;
err_destroy:
	wr_control_destroy(ctl);
	return ret;
}

void
wr_control_destroy(struct wr_control *ctl)
{
	struct wr_dataplane *dp;
	unsigned int i, l;

	if (ctl == NULL)
		return;
	dp = ctl->dp;
	dp->gw = NULL;
	wr_ctrl_api_destroy(ctl->api);
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		struct wr_dp_lcore *lc = &dp->lcores[l];

		if (lc->worker == NULL)
			continue;
		wr_worker_fini(lc->worker);
		rte_free(lc->worker);
		lc->worker = NULL;
	}
	if (ctl->peers != NULL)
		for (i = 0; i < ctl->capacity; i++)
			wr_ctl_held_drop_all(ctl, &ctl->peers[i], WR_DROP_PEER_REMOVED);
	for (i = 0; i < ctl->n_ifaces; i++) {
		struct ctl_iface *ifc = &ctl->ifs[i];

		wr_uapi_server_close(ifc->srv);
		wr_uapi_destroy(ifc->uapi);
		/* the engine calls keypair_removed for live keypairs: the keytable goes after it */
		if (ifc->dev != NULL)
			wr_device_destroy(ifc->dev);
		wr_keytable_destroy(ifc->kt);
		wr_lpm_pub_fini(&ifc->lpm);
	}
	ring_free_mbufs(ctl->gw.hs_ring);
	ring_free_mbufs(ctl->gw.held_ring);
	ring_free_mbufs(ctl->gw.route_ring);
	rte_ring_free(ctl->gw.event_ring);
	wr_dp_peers_destroy(ctl->gw.peers);
	rte_free(ctl->gw.rcu);
	free(ctl->held_ids);
	free(ctl->peers);
	rte_free(ctl);
}

/* ---- the poll loop ---- */

static unsigned int
poll_handshakes(struct wr_control *ctl)
{
	struct rte_mbuf *pkts[CTL_BUDGET];
	unsigned int n, i, left;

	n = rte_ring_dequeue_burst(ctl->gw.hs_ring, (void **)pkts, CTL_BUDGET, &left);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t iface = m->hash.usr;
		uint32_t off = (uint32_t)m->l2_len + m->l3_len + m->l4_len;
		uint64_t now = wr_ctl_now(ctl);
		struct wr_endpoint from;

		if (iface < ctl->n_ifaces) {
			struct wr_device *dev = ctl->ifs[iface].dev;

			wr_device_set_load(
				dev, left + (n - i), rte_ring_get_capacity(ctl->gw.hs_ring), now);
			wr_decap_outer_source(m, &from);
			wr_device_receive(dev, &from, rte_pktmbuf_mtod_offset(m, void *, off),
				rte_pktmbuf_pkt_len(m) - off, now);
		}
		rte_pktmbuf_free(m);
	}
	if (ctl->n_sync_ids > 0 || ctl->sync_endpoints)
		wr_ctl_sync_wanted(ctl);
	return n;
}

static unsigned int
poll_events(struct wr_control *ctl, uint64_t now)
{
	struct wr_gw_event ev[CTL_BUDGET];
	unsigned int n, i;

	n = rte_ring_dequeue_burst_elem(ctl->gw.event_ring, ev, sizeof(ev[0]), CTL_BUDGET, NULL);
	ctl->events_taken += n;
	for (i = 0; i < n; i++) {
		struct ctl_peer *cp = wr_ctl_peer_of(ctl, ev[i].peer_id);
		struct wr_device *dev;

		if (cp == NULL)
			continue;
		dev = ctl->ifs[cp->iface].dev;
		if (ev[i].kind == WR_GW_EVENT_RX) {
			wr_device_data_received(dev, cp->peer, ev[i].local_index, &ev[i].ep,
				ev[i].inner_bytes, ev[i].wire_bytes, now);
			wr_ctl_sync_endpoint(ctl, ev[i].peer_id);
		} else {
			wr_device_data_sent(dev, cp->peer, ev[i].inner_bytes, ev[i].wire_bytes,
				ev[i].counter, now);
		}
	}
	return n;
}

/* Packets the encap path handed back: no session yet. Hold them and start a handshake. */
static unsigned int
poll_held(struct wr_control *ctl, uint64_t now)
{
	struct rte_mbuf *pkts[CTL_BUDGET];
	unsigned int n, i;

	n = rte_ring_dequeue_burst(ctl->gw.held_ring, (void **)pkts, CTL_BUDGET, NULL);
	ctl->held_taken += n;
	for (i = 0; i < n; i++) {
		struct ctl_peer *cp = wr_ctl_peer_of(ctl, pkts[i]->hash.usr);
		struct wr_dp_peer *dpp = wr_dp_peer_get(ctl->gw.peers, pkts[i]->hash.usr);

		if (cp == NULL || dpp == NULL) {
			wr_dp_count(&ctl->lc->proto_drops[WR_DP_PROTO_GATEWAY][WR_DROP_NO_ROUTE]);
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		if (cp->n == CTL_HELD_MAX) {
			wr_dp_count(&ctl->lc->proto_drops[cp->iface][WR_DROP_QUEUE_FULL]);
			rte_pktmbuf_free(cp->q[cp->head]);
			cp->head = (uint16_t)((cp->head + 1) % CTL_HELD_MAX);
			cp->n--;
			ctl->held_total--;
		} else if (ctl->held_total >= WR_DP_HELD_MBUFS) {
			/* every peer's queues together are full: this one waits for none */
			wr_dp_count(&ctl->lc->proto_drops[cp->iface][WR_DROP_QUEUE_FULL]);
			rte_pktmbuf_free(pkts[i]);
			if (wr_dp_peer_sending_keypair(dpp, now) == NULL)
				wr_peer_initiate(cp->peer, now);
			continue;
		} else if (cp->n == 0) {
			ctl->held_ids[ctl->n_held_peers++] = pkts[i]->hash.usr;
			cp->held_since = now;
		}
		cp->q[(cp->head + cp->n) % CTL_HELD_MAX] = pkts[i];
		cp->n++;
		ctl->held_total++;
		/* no keypair, or an expired one: the engine only rekeys on its own traffic */
		if (wr_dp_peer_sending_keypair(dpp, now) == NULL)
			wr_peer_initiate(cp->peer, now); /* rate limited by the engine */
	}
	return n;
}

unsigned int
wr_ctl_take_rings(struct wr_control *ctl, uint64_t events, uint64_t held)
{
	uint64_t now = wr_ctl_now(ctl);
	unsigned int n, work = 0;

	/* what the workers add meanwhile is taken too, a burst at a time: the loop's own work */
	while (ctl->events_taken < events && (n = poll_events(ctl, now)) > 0)
		work += n;
	while (ctl->held_taken < held && (n = poll_held(ctl, now)) > 0)
		work += n;
	return work;
}

/* Send what waits for peers that have a sending keypair now. */
static unsigned int
flush_held(struct wr_control *ctl, uint64_t now)
{
	struct rte_mbuf *pkts[WR_DP_CRYPTO_BURST];
	uint32_t ids[WR_DP_CRYPTO_BURST];
	unsigned int total = 0, i = 0;

	while (i < ctl->n_held_peers) {
		uint32_t id = ctl->held_ids[i];
		struct ctl_peer *cp = &ctl->peers[id];
		struct wr_dp_peer *dpp = wr_dp_peer_get(ctl->gw.peers, id);

		/* an expired keypair would only hand the packets back: wait for the new one */
		if (dpp == NULL || wr_dp_peer_sending_keypair(dpp, now) == NULL) {
			i++;
			continue;
		}
		while (cp->n > 0) {
			unsigned int k = 0;

			while (cp->n > 0 && k < WR_DP_CRYPTO_BURST) {
				ids[k] = id;
				pkts[k++] = cp->q[cp->head];
				cp->head = (uint16_t)((cp->head + 1) % CTL_HELD_MAX);
				cp->n--;
				ctl->held_total--;
			}
			ctl->lc->now_ns = now;
			wr_worker_encap(ctl->lc, cp->iface, pkts, ids, k);
			total += k;
		}
		cp->head = 0;
		ctl->held_ids[i] = ctl->held_ids[--ctl->n_held_peers];
	}
	return total;
}

/* Packets held longer than the engine keeps trying are dropped, as the engine does its own. */
static void
expire_held(struct wr_control *ctl, uint64_t now)
{
	unsigned int i = 0;

	while (i < ctl->n_held_peers) {
		struct ctl_peer *cp = &ctl->peers[ctl->held_ids[i]];

		if (now - cp->held_since > WR_REKEY_ATTEMPT_TIME) {
			wr_ctl_held_drop_all(ctl, cp, WR_DROP_GAVE_UP);
			ctl->held_ids[i] = ctl->held_ids[--ctl->n_held_peers];
		} else {
			i++;
		}
	}
}

static unsigned int
poll_routes(struct wr_control *ctl)
{
	struct rte_mbuf *pkts[CTL_BUDGET];
	unsigned int n, i;

	n = rte_ring_dequeue_burst(ctl->gw.route_ring, (void **)pkts, CTL_BUDGET, NULL);
	for (i = 0; i < n; i++)
		wr_fib_output_frame(&ctl->gw.fib, ctl->lc, pkts[i]);
	return n;
}

unsigned int
wr_control_poll(struct wr_control *ctl)
{
	struct wr_dataplane *dp = ctl->dp;
	uint64_t tsc = rte_rdtsc(), now = wr_gw_tsc_to_ns(tsc, dp->clock_hz);
	unsigned int work = 0, i;

	work += poll_events(ctl, now);
	work += poll_handshakes(ctl);
	now = wr_ctl_now(ctl); /* handshakes take their time */
	work += poll_held(ctl, now);
	work += poll_routes(ctl);
	if (ctl->n_held_peers > 0)
		work += flush_held(ctl, now);
	/*
	 * The next deadline is kept by each engine; a tick walks all of its peers. With many
	 * peers some deadline is nearly always due, so ticks come at most once a millisecond and
	 * take at most a tenth of this lcore: at a hundred thousand peers a walk takes some
	 * milliseconds, and the timers (counted in seconds, with a third of a second of jitter)
	 * fire up to ten times that late.
	 */
	if (tsc >= ctl->next_timers) {
		uint64_t t0 = rte_rdtsc(), spent;

		for (i = 0; i < ctl->n_ifaces; i++) {
			if (now >= wr_device_next_deadline(ctl->ifs[i].dev)) {
				wr_device_tick(ctl->ifs[i].dev, now);
				work++;
			}
		}
		spent = rte_rdtsc() - t0;
		ctl->next_timers = t0 + RTE_MAX(dp->hz * CTL_TIMERS_MS / 1000, 10 * spent);
	}
	if (tsc >= ctl->next_uapi) {
		ctl->next_uapi = tsc + dp->hz * CTL_UAPI_MS / 1000;
		for (i = 0; i < ctl->n_ifaces; i++)
			if (ctl->ifs[i].srv != NULL &&
				wr_uapi_server_poll(ctl->ifs[i].srv, now) > 0)
				work++;
	}
	work += wr_ctrl_api_poll(ctl->api, tsc, now);
	work += wr_ctl_poll_tables(ctl);
	if (tsc >= ctl->next_housekeeping) {
		ctl->next_housekeeping = tsc + dp->hz * CTL_HOUSEKEEPING_MS / 1000;
		wr_ctl_housekeeping_rcu(ctl);
		wr_fib_nh_refresh(&ctl->gw.fib, ctl->lc);
		if (ctl->n_held_peers > 0)
			expire_held(ctl, now);
		if (ctl->n_sync_ids > 0 || ctl->sync_endpoints)
			wr_ctl_sync_wanted(ctl);
	}
	wr_dp_flush(ctl->lc);
	return work;
}

static unsigned int
listen_port_of(const struct wr_control *ctl, unsigned int i)
{
	return __atomic_load_n(&ctl->gw.iface[i].listen_port, __ATOMIC_RELAXED);
}

static void
endpoint_print(FILE *f, const struct wr_endpoint *ep)
{
	char buf[INET6_ADDRSTRLEN + 8];

	fputs(wr_endpoint_format(buf, sizeof(buf), ep) ? buf : "(none)", f);
}

void
wr_control_stats_print(struct wr_control *ctl, FILE *f)
{
	struct wr_dp_crypto_lcore *lcs[RTE_MAX_LCORE];
	unsigned int n = 0, l;
	uint32_t id;

	for (l = 0; l < RTE_MAX_LCORE; l++)
		if (ctl->dp->lcores[l].worker != NULL)
			lcs[n++] = &ctl->dp->lcores[l].worker->crypto;
	/* what the engines refused: handshakes, cookies, rate limits */
	for (l = 0; l < ctl->n_ifaces; l++) {
		unsigned int d;

		fprintf(f, "interface %s: port %u peers %zu drops:", ctl->ifs[l].name,
			listen_port_of(ctl, l), wr_device_peer_count(ctl->ifs[l].dev));
		for (d = WR_DROP_NONE + 1; d < WR_DROP_COUNT; d++) {
			uint64_t c = wr_device_drop_count(ctl->ifs[l].dev, d);

			if (c != 0)
				fprintf(f, " %s %" PRIu64, wr_drop_reason_name(d), c);
		}
		fprintf(f, "\n");
	}

	for (id = 0; id < ctl->capacity; id++) {
		struct ctl_peer *cp = &ctl->peers[id];
		char key[WR_BASE64_KEY_LEN + 1];
		struct wr_dp_peer_counters c;
		struct wr_peer_stats st;
		struct wr_endpoint ep;

		if (cp->peer == NULL)
			continue;
		/* bytes and handshakes as the engine heard of them (what `wg show` says), packets
		 * as the lcores counted them (the engine hears of a burst at a time) */
		wr_dp_peer_counters_sum(lcs, n, id, &c);
		wr_base64_key_encode(key, wr_peer_public_key(cp->peer));
		wr_peer_get_stats(cp->peer, &st);
		wr_peer_get_endpoint(cp->peer, &ep);
		fprintf(f, "peer %s %s: endpoint ", ctl->ifs[cp->iface].name, key);
		endpoint_print(f, &ep);
		fprintf(f,
			" rx_bytes %" PRIu64 " tx_bytes %" PRIu64 " rx_packets %" PRIu64
			" tx_packets %" PRIu64 " spoofed %" PRIu64 " handshakes %" PRIu64
			" latest_handshake %" PRIu64 " held %u\n",
			st.rx_bytes, st.tx_bytes, c.rx_packets, c.tx_packets, c.rx_spoofed,
			st.handshakes, (uint64_t)(st.last_handshake_wall_ns / WR_NSEC_PER_SEC),
			cp->n);
	}
	fflush(f);
}
