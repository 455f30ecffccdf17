/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control lcore's glue around the protocol engines: the engines' callbacks (sending their
 * messages, keypair hooks), peer ids, the cryptokey routing tables and their RCU publication,
 * the UAPI's callbacks, the source check of decap.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "control_internal.h"
#include "decap.h"
#include "encap.h"
#include "forward.h"
#include "gw.h"
#include "keytable.h"
#include "worker.h"
#include "wr_base64.h"
#include "wr_config.h"
#include "wr_device.h"
#include "wr_uapi.h"

uint64_t
wr_ctl_now(const struct wr_control *ctl)
{
	return wr_gw_tsc_to_ns(rte_rdtsc(), ctl->dp->clock_hz);
}

static uint32_t
peer_id_of(const struct wr_peer *peer)
{
	uintptr_t u = (uintptr_t)wr_peer_userdata(peer);

	return u == 0 ? WR_DP_PEER_NONE : (uint32_t)(u - 1);
}

struct ctl_peer *
wr_ctl_peer_of(struct wr_control *ctl, uint32_t id)
{
	if (id >= ctl->capacity || ctl->peers[id].peer == NULL)
		return NULL;
	return &ctl->peers[id];
}

/* Roaming: the data plane sends where the engine last saw the peer. */
void
wr_ctl_sync_endpoint(struct wr_control *ctl, uint32_t id)
{
	struct ctl_peer *cp = wr_ctl_peer_of(ctl, id);
	struct wr_dp_peer *dpp = wr_dp_peer_get(ctl->gw.peers, id);
	struct wr_endpoint ep, cur;

	if (cp == NULL || dpp == NULL)
		return;
	wr_peer_get_endpoint(cp->peer, &ep);
	if (!wr_dp_peer_get_endpoint(dpp, &cur))
		memset(&cur, 0, sizeof(cur));
	if (!wr_endpoint_equal(&ep, &cur))
		wr_dp_peer_set_endpoint(ctl->gw.peers, id, &ep);
}

void
wr_ctl_sync_all_endpoints(struct wr_control *ctl)
{
	uint32_t id;

	for (id = 0; id < ctl->capacity; id++)
		if (ctl->peers[id].peer != NULL)
			wr_ctl_sync_endpoint(ctl, id);
	ctl->sync_endpoints = false;
	ctl->n_sync_ids = 0;
}

void
wr_ctl_want_sync(struct wr_control *ctl, uint32_t id)
{
	if (id == WR_DP_PEER_NONE)
		return;
	if (ctl->n_sync_ids < CTL_SYNC_IDS)
		ctl->sync_ids[ctl->n_sync_ids++] = id;
	else
		ctl->sync_endpoints = true; /* a walk over every id, once */
}

void
wr_ctl_sync_wanted(struct wr_control *ctl)
{
	unsigned int i;

	if (ctl->sync_endpoints) {
		wr_ctl_sync_all_endpoints(ctl);
		return;
	}
	for (i = 0; i < ctl->n_sync_ids; i++)
		wr_ctl_sync_endpoint(ctl, ctl->sync_ids[i]);
	ctl->n_sync_ids = 0;
}

/* ---- sending the engine's messages ---- */

/*
 * The UDP checksum of the engine's message @p data of @p len bytes leaving by @p out: its data
 * messages are keepalives, which follow the interface's UDPChecksum as the workers' data
 * messages do (a checksum where the port offloads one, computed here; none over IPv4
 * otherwise, unless UDPChecksum = on); handshake and cookie messages always carry one.
 */
static enum wr_udp_csum
keepalive_csum(const struct wr_gw_iface *gi, const struct wr_port *out, const uint8_t *data,
	size_t len)
{
	if (len < 1 || data[0] != WR_MSG_DATA || gi->udp_checksum || out->tx_udp_cksum)
		return WR_UDP_CSUM_SW;
	return WR_UDP_CSUM_NONE;
}

static void
op_send(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
	struct ctl_iface *ifc = ctx;
	struct wr_control *ctl = ifc->ctl;
	struct wr_gw_iface *gi = &ctl->gw.iface[ifc->idx];
	struct wr_dp_lcore *lc = ctl->lc;
	bool v6 = to->sa.sa_family == AF_INET6;
	const void *dst = v6 ? (const void *)&to->in6.sin6_addr : &to->in4.sin_addr;
	uint16_t lport = rte_cpu_to_be_16(__atomic_load_n(&gi->listen_port, __ATOMIC_RELAXED));
	struct rte_ether_hdr *eh;
	struct wr_endpoint src;
	struct rte_mbuf *m;
	uint8_t *data, nh[16];
	uint16_t p;
	int ret;

	/* our address and listen port on the interface's port; one route lookup for all of it */
	if ((to->sa.sa_family != AF_INET && !v6) ||
		!wr_port_source_endpoint(&ctl->dp->ports[gi->port], to, lport, &src) ||
		!wr_fib_lookup(&ctl->gw.fib, to->sa.sa_family, dst, &p, nh) ||
		p >= ctl->dp->nb_ports) {
		wr_dp_count(&lc->drops[WR_DP_DROP_NO_ROUTE_OUT]);
		return;
	}
	m = rte_pktmbuf_alloc(ctl->dp->mp);
	if (m == NULL) {
		wr_dp_count(&lc->drops[WR_DP_DROP_NO_MBUF]);
		return;
	}
	data = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (len > UINT16_MAX || data == NULL) {
		wr_dp_drop(lc, WR_DP_DROP_NO_MBUF, m);
		return;
	}
	memcpy(data, buf, len);
	/* the engine's keepalives carry its own counter: the workers' counter replaces it */
	ret = wr_keytable_reseal(ifc->kt, data, len);
	if (ret != 0 && ret != -EPROTO) {
		wr_dp_count(&lc->proto_drops[ifc->idx][WR_DROP_KEY_EXPIRED]);
		rte_pktmbuf_free(m);
		return;
	}
	if (wr_encap_udp(m, &src, to, CTL_TTL,
		    keepalive_csum(gi, &ctl->dp->ports[p], data, len)) != 0 ||
		(eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh))) == NULL) {
		wr_dp_drop(lc, WR_DP_DROP_NO_MBUF, m);
		return;
	}
	eh->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	m->l2_len = sizeof(*eh);
	wr_fib_output_via(&ctl->gw.fib, lc, NULL, m, to->sa.sa_family, p, nh);
}

/* The engine never opens transport data here (the workers do): nothing to deliver. */
static void
op_deliver(void *ctx, struct wr_peer *peer, const void *ippkt, size_t len)
{
	(void)ctx;
	(void)peer;
	(void)ippkt;
	(void)len;
}

static uint64_t
op_wall_time(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * WR_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void
op_keypair_installed(void *ctx, struct wr_peer *peer, const struct wr_keypair_info *kp)
{
	struct ctl_iface *ifc = ctx;
	uint32_t id = peer_id_of(peer);

	if (id != WR_DP_PEER_NONE && wr_keytable_install(ifc->kt, id, kp) < 0) {
		/*
		 * The engine has a session the workers cannot use (out of memory): counted, and a
		 * new handshake asked for, rather than traffic held until the next rekey
		 */
		wr_dp_count(&ifc->ctl->lc->proto_drops[ifc->idx][WR_DROP_NO_MEMORY]);
		wr_peer_initiate(peer, wr_ctl_now(ifc->ctl));
	}
	wr_ctl_want_sync(ifc->ctl, id);
}

static void
op_keypair_removed(void *ctx, struct wr_peer *peer, uint32_t local_index)
{
	struct ctl_iface *ifc = ctx;

	(void)peer;
	wr_keytable_remove(ifc->kt, local_index);
}

static void
op_handshake_completed(void *ctx, struct wr_peer *peer)
{
	struct ctl_iface *ifc = ctx;

	wr_ctl_want_sync(ifc->ctl, peer_id_of(peer));
}

const struct wr_device_ops wr_ctl_engine_ops = {
	.send = op_send,
	.deliver = op_deliver,
	.wall_time_ns = op_wall_time,
	.keypair_installed = op_keypair_installed,
	.keypair_removed = op_keypair_removed,
	.handshake_completed = op_handshake_completed,
};

/* ---- peer ids and the cryptokey routing tables ---- */

static bool
id_free(struct wr_control *ctl, uint32_t id)
{
	return ctl->peers[id].peer == NULL && !ctl->peers[id].quarantined &&
	       wr_dp_peer_get(ctl->gw.peers, id) == NULL;
}

/* A free id, searched from where the last one was found: adding n peers costs O(n), not O(n^2) */
static uint32_t
free_id(struct wr_control *ctl)
{
	uint32_t i, id;

	for (i = 0; i < ctl->capacity; i++) {
		id = (ctl->id_cursor + i) % ctl->capacity;
		if (id_free(ctl, id)) {
			ctl->id_cursor = (id + 1) % ctl->capacity;
			return id;
		}
	}
	return WR_DP_PEER_NONE;
}

/*
 * An id used before carries its last peer's packet counters in every lcore's row: a new peer
 * starts from zero. No lcore writes the row now (the id left quarantine only once no worker could
 * see it, and none will until the table naming it is published, which orders these stores first).
 */
static void
zero_counters(struct wr_control *ctl, uint32_t id)
{
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		struct wr_worker *w = ctl->dp->lcores[l].worker;

		if (w != NULL && id < w->crypto.n_peers)
			memset(&w->crypto.peer[id], 0, sizeof(w->crypto.peer[id]));
	}
}

/* Give @p peer of interface @p ifc a data-plane id. Returns 0 or -ENOSPC. */
int
wr_ctl_attach_peer(struct wr_control *ctl, struct ctl_iface *ifc, struct wr_peer *peer)
{
	uint32_t id = free_id(ctl);
	struct ctl_peer *cp;

	if (id == WR_DP_PEER_NONE || wr_dp_peer_add(ctl->gw.peers, id) != 0)
		return -ENOSPC;
	cp = &ctl->peers[id];
	memset(cp, 0, sizeof(*cp));
	cp->peer = peer;
	cp->iface = (uint16_t)ifc->idx;
	wr_peer_set_userdata(peer, (void *)(uintptr_t)(id + 1));
	zero_counters(ctl, id);
	wr_ctl_sync_endpoint(ctl, id);
	return 0;
}

void
wr_ctl_held_forget(struct wr_control *ctl, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < ctl->n_held_peers; i++) {
		if (ctl->held_ids[i] == id) {
			ctl->held_ids[i] = ctl->held_ids[--ctl->n_held_peers];
			return;
		}
	}
}

void
wr_ctl_held_drop_all(struct wr_control *ctl, struct ctl_peer *cp, enum wr_drop_reason r)
{
	ctl->held_total -= cp->n;
	while (cp->n > 0) {
		wr_dp_count(&ctl->lc->proto_drops[cp->iface][r]);
		rte_pktmbuf_free(cp->q[cp->head]);
		cp->head = (uint16_t)((cp->head + 1) % CTL_HELD_MAX);
		cp->n--;
	}
	cp->head = 0;
}

static void
detach_peer(struct wr_control *ctl, struct ctl_iface *ifc, struct wr_peer *peer)
{
	uint32_t id = peer_id_of(peer);
	struct ctl_peer *cp = wr_ctl_peer_of(ctl, id);

	if (cp == NULL)
		return;
	if (cp->n > 0) {
		wr_ctl_held_drop_all(ctl, cp, WR_DROP_PEER_REMOVED);
		wr_ctl_held_forget(ctl, id);
	}
	wr_keytable_remove_peer(ifc->kt, id);
	wr_dp_peer_remove(ctl->gw.peers, id);
	wr_peer_set_userdata(peer, NULL);
	cp->peer = NULL;
	/* the published table may still name the id: reuse it only after the next table's grace */
	cp->quarantined = true;
	cp->token_set = false;
	cp->draining = false;
	ctl->n_quarantined++;
}

struct collect {
	struct wr_lpm_prefix *p;
	size_t n, cap;
	uint32_t id;
	int err;
};

static int
collect_prefix(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct collect *c = ctx;
	struct wr_lpm_prefix *x;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct wr_lpm_prefix *p = realloc(c->p, cap * sizeof(*p));

		if (p == NULL) {
			c->err = -ENOMEM;
			return 1;
		}
		c->p = p;
		c->cap = cap;
	}
	x = &c->p[c->n++];
	memset(x, 0, sizeof(*x));
	x->family = (uint8_t)family;
	x->cidr = cidr;
	memcpy(x->addr, addr, family == AF_INET ? 4 : 16);
	x->value = c->id;
	return 0;
}

static int
collect_peer(void *ctx, struct wr_peer *peer)
{
	struct collect *c = ctx;

	c->id = peer_id_of(peer);
	if (c->id == WR_DP_PEER_NONE)
		return 0; /* no id (table full): unreachable, as it cannot be sent to */
	wr_peer_foreach_allowedip(peer, collect_prefix, c);
	return c->err;
}

/* Ids removed before @p ifc's table just published: free once the workers left the old one. */
static void
quarantine_start(struct wr_control *ctl, const struct ctl_iface *ifc)
{
	uint64_t token;
	uint32_t id;

	if (ctl->n_quarantined == 0)
		return;
	/* one grace period for all of them: any token taken after the publication will do */
	token = rte_rcu_qsbr_start(ctl->gw.rcu);
	for (id = 0; id < ctl->capacity; id++) {
		struct ctl_peer *cp = &ctl->peers[id];

		if (cp->quarantined && !cp->token_set && cp->iface == ifc->idx) {
			cp->token = token;
			cp->token_set = true;
		}
	}
}

/*
 * Hand interface @p ifc's prefixes from its engine to its table pair: published now when the
 * standby is free, else at most one grace period later (wr_ctl_poll_tables()).
 */
int
wr_ctl_publish_table(struct wr_control *ctl, struct ctl_iface *ifc)
{
	struct collect c = { 0 };
	int ret;

	ret = wr_device_foreach_peer(ifc->dev, collect_peer, &c);
	if (ret == 0)
		ret = wr_lpm_pub_set(&ifc->lpm, c.p, c.n);
	free(c.p);
	/*
	 * On failure an older set may still wait for the standby: it could map prefixes to peers
	 * removed since, whose ids would then be freed and reused under it. Forget it, keep the
	 * active table (and the removed ids quarantined), and try again from housekeeping.
	 */
	ifc->table_dirty = ret < 0;
	if (ret < 0)
		wr_lpm_pub_cancel(&ifc->lpm);
	if (ret == 1)
		quarantine_start(ctl, ifc);
	return ret > 0 ? 0 : ret;
}

unsigned int
wr_ctl_poll_tables(struct wr_control *ctl)
{
	unsigned int i, work = 0;

	for (i = 0; i < ctl->n_ifaces; i++) {
		struct ctl_iface *ifc = &ctl->ifs[i];
		int ret = wr_lpm_pub_poll(&ifc->lpm);

		if (ret == 1) {
			quarantine_start(ctl, ifc);
			work++;
		} else if (ret < 0) {
			fprintf(stderr,
				"wirerate: %s: cannot update the routing table (%s): the old one "
				"stays, trying again\n",
				ifc->name, strerror(-ret));
			ifc->table_dirty = true;
		}
	}
	return work;
}

/*
 * Free the quarantined ids that no worker can see any more and that nothing in the rings names.
 * The ids past their grace period with ring items still to take raise *@p events and *@p held
 * (may be NULL) to the counts the control lcore must have taken for them.
 */
static void
quarantine_reclaim(struct wr_control *ctl, uint64_t *events, uint64_t *held)
{
	uint32_t id;

	for (id = 0; id < ctl->capacity && ctl->n_quarantined > 0; id++) {
		struct ctl_peer *cp = &ctl->peers[id];

		if (!cp->quarantined || !cp->token_set)
			continue;
		/*
		 * Past the grace period no worker hands out the id any more, but what one handed
		 * out before (a data event, a packet to hold) may still wait in a ring: the id is
		 * free once those are taken, or a new peer given it would get them.
		 */
		if (!cp->draining && rte_rcu_qsbr_check(ctl->gw.rcu, cp->token, false) == 1) {
			cp->draining = true;
			cp->drain_events = ctl->events_taken + rte_ring_count(ctl->gw.event_ring);
			cp->drain_held = ctl->held_taken + rte_ring_count(ctl->gw.held_ring);
		}
		if (cp->draining && ctl->events_taken >= cp->drain_events &&
			ctl->held_taken >= cp->drain_held) {
			cp->quarantined = false;
			cp->draining = false;
			ctl->n_quarantined--;
		} else if (cp->draining) {
			if (events != NULL && *events < cp->drain_events)
				*events = cp->drain_events;
			if (held != NULL && *held < cp->drain_held)
				*held = cp->drain_held;
		}
	}
}

void
wr_ctl_housekeeping_rcu(struct wr_control *ctl)
{
	unsigned int i;

	/* a publication that failed (memory) is tried again with the engine's set of now */
	for (i = 0; i < ctl->n_ifaces; i++)
		if (ctl->ifs[i].table_dirty)
			(void)wr_ctl_publish_table(ctl, &ctl->ifs[i]);
	quarantine_reclaim(ctl, NULL, NULL);
	for (i = 0; i < ctl->n_ifaces; i++)
		wr_keytable_reclaim(ctl->ifs[i].kt);
}

/* Wait until every worker has passed a quiescent state, or @p deadline (TSC) passed. */
static bool
grace_wait(struct wr_control *ctl, uint64_t deadline)
{
	uint64_t token = rte_rcu_qsbr_start(ctl->gw.rcu);

	/*
	 * Not rte_rcu_qsbr_synchronize(): it has no bound. The control lcore is no reader
	 * (setup_lcores() registers the workers only), so this never waits for itself.
	 */
	while (rte_rcu_qsbr_check(ctl->gw.rcu, token, false) != 1) {
		if (rte_rdtsc() > deadline)
			return false;
		rte_pause();
	}
	return true;
}

/*
 * Free quarantined ids now rather than at the next housekeeping pass, for a set that needs
 * them: wait out the grace periods that the tables waiting for one and the removed ids need,
 * take what the rings hold under those ids, free them. At most CTL_RECLAIM_MS.
 */
static void
reclaim_now(struct wr_control *ctl)
{
	uint64_t deadline = rte_rdtsc() + ctl->dp->hz * CTL_RECLAIM_MS / 1000;
	uint64_t events = 0, held = 0;
	unsigned int i, pass, passes = 1;

	/*
	 * A table that waits for its standby (or to be built again) is published after a first
	 * grace period, and only that publication starts the grace period of the ids it no longer
	 * names (quarantine_start()): a second one for them.
	 */
	for (i = 0; i < ctl->n_ifaces; i++)
		if (wr_lpm_pub_pending(&ctl->ifs[i].lpm) || ctl->ifs[i].table_dirty)
			passes = 2;
	for (pass = 0; pass < passes; pass++) {
		for (i = 0; i < ctl->n_ifaces; i++)
			if (ctl->ifs[i].table_dirty)
				(void)wr_ctl_publish_table(ctl, &ctl->ifs[i]);
		if (!grace_wait(ctl, deadline))
			break;
		wr_ctl_poll_tables(ctl);
	}
	quarantine_reclaim(ctl, &events, &held);
	if (events > ctl->events_taken || held > ctl->held_taken) {
		wr_ctl_take_rings(ctl, events, held);
		quarantine_reclaim(ctl, NULL, NULL);
	}
}

/* ---- the UAPI's callbacks ---- */

static uint16_t
uapi_get_listen_port(void *ctx)
{
	struct ctl_iface *ifc = ctx;

	return __atomic_load_n(&ifc->ctl->gw.iface[ifc->idx].listen_port, __ATOMIC_RELAXED);
}

static int
uapi_set_listen_port(void *ctx, uint16_t port)
{
	struct ctl_iface *ifc = ctx;
	struct wr_gw *gw = &ifc->ctl->gw;
	unsigned int i;

	if (port == 0)
		return -EINVAL; /* no random ports: the other end needs to know it */
	for (i = 0; i < gw->n_ifaces; i++)
		if (i != ifc->idx && gw->iface[i].port == gw->iface[ifc->idx].port &&
			gw->iface[i].listen_port == port)
			return -EADDRINUSE;
	__atomic_store_n(&gw->iface[ifc->idx].listen_port, port, __ATOMIC_RELAXED);
	return 0;
}

static void
uapi_peer_removing(void *ctx, struct wr_peer *peer)
{
	struct ctl_iface *ifc = ctx;

	detach_peer(ifc->ctl, ifc, peer);
}

static int
attach_new(void *ctx, struct wr_peer *peer)
{
	struct ctl_iface *ifc = ctx;

	if (wr_peer_userdata(peer) == NULL && wr_ctl_attach_peer(ifc->ctl, ifc, peer) < 0)
		fprintf(stderr, "wirerate: %s: no peer id left: a peer cannot be reached\n",
			ifc->name);
	return 0;
}

static void
uapi_changed(void *ctx, const struct wr_uapi_changes *c)
{
	struct ctl_iface *ifc = ctx;
	struct wr_control *ctl = ifc->ctl;

	wr_device_foreach_peer(ifc->dev, attach_new, ifc);
	if (c->what & WR_UAPI_CHANGED_PRIVATE_KEY)
		wr_keytable_expire_sending(ifc->kt);
	wr_ctl_sync_all_endpoints(ctl);
	if (wr_ctl_publish_table(ctl, ifc) < 0)
		fprintf(stderr,
			"wirerate: %s: cannot update the routing table: the old one stays\n",
			ifc->name);
}

/* Whether @p n ids are free now */
static bool
ids_free(struct wr_control *ctl, size_t n)
{
	size_t free = 0;
	uint32_t id;

	for (id = 0; id < ctl->capacity && free < n; id++)
		free += id_free(ctl, id);
	return free >= n;
}

/*
 * Room for a set (UAPI or REST) that adds @p n_new peers and removes @p n_gone: the peers of all
 * interfaces stay within MaxPeers, and each new peer finds a free id now (the removed ones' ids
 * are quarantined for a grace period first).
 */
static int
uapi_reserve_peers(void *ctx, size_t n_new, size_t n_gone)
{
	struct ctl_iface *ifc = ctx;
	struct wr_control *ctl = ifc->ctl;
	size_t total = 0;
	unsigned int i;

	for (i = 0; i < ctl->n_ifaces; i++)
		total += wr_device_peer_count(ctl->ifs[i].dev);
	total -= RTE_MIN(total, n_gone);
	if (total + n_new > ctl->max_peers)
		return -ENOSPC;
	if (ids_free(ctl, n_new))
		return 0;
	if (ctl->n_quarantined > 0) {
		/*
		 * Within MaxPeers there are ids enough (twice as many): those missing are the last
		 * replace's, waiting out a grace period that back-to-back `wg setconf`s or bulk
		 * replaces come within
		 */
		reclaim_now(ctl);
	}
	return ids_free(ctl, n_new) ? 0 : -ENOSPC;
}

static void
uapi_notice(void *ctx, const char *msg)
{
	struct ctl_iface *ifc = ctx;

	fprintf(stderr, "wirerate: %s: %s\n", ifc->name, msg);
}

const struct wr_uapi_ops wr_ctl_uapi_ops = {
	.get_listen_port = uapi_get_listen_port,
	.set_listen_port = uapi_set_listen_port,
	.peer_removing = uapi_peer_removing,
	.changed = uapi_changed,
	.reserve_peers = uapi_reserve_peers,
	.notice = uapi_notice,
};

/* ---- the source check of decap ---- */

void
wr_ctl_src_lookup(void *ctx, const uint8_t *const *hdrs, unsigned int n, uint32_t *peer_ids)
{
	const struct wr_gw_iface *gi = ctx;
	const struct wr_lpm *lpm = __atomic_load_n(&gi->lpm, __ATOMIC_ACQUIRE);
	/* a flow's packets come in runs: an IPv4 source like the one before has its peer */
	uint32_t last4 = 0, last4_id = WR_DP_PEER_NONE;
	bool have4 = false;
	unsigned int i;

	for (i = 0; i < n; i++) {
		bool v4 = (hdrs[i][0] >> 4) == 4, hit;
		uint32_t src4;

		if (v4) {
			memcpy(&src4, hdrs[i] + 12, 4);
			if (have4 && src4 == last4) {
				peer_ids[i] = last4_id;
				continue;
			}
		}
		/* a martian source is no peer's, whatever its AllowedIPs (0/0 holds them all) */
		if (v4)
			hit = lpm != NULL && !wr_gw_martian_source4(gi->gw, src4) &&
			      wr_lpm_lookup4(lpm, hdrs[i] + 12, &peer_ids[i]);
		else
			hit = lpm != NULL && !wr_gw_martian_source6(gi->gw, hdrs[i] + 8) &&
			      wr_lpm_lookup6(lpm, hdrs[i] + 8, &peer_ids[i]);
		if (!hit)
			peer_ids[i] = WR_DP_PEER_NONE;
		if (v4) {
			last4 = src4;
			last4_id = peer_ids[i];
			have4 = true;
		}
	}
}
