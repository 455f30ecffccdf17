/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control lcore's state, shared by control.c (setup, the poll loop over the rings, timers
 * and sockets) and control_engine.c (the engines' callbacks, peer ids, table publication). Not a
 * public header: the rest of the data plane uses control.h.
 */
#ifndef WR_DP_CONTROL_INTERNAL_H
#define WR_DP_CONTROL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "control.h"
#include "gw.h"
#include "keytable.h"
#include "wr_config.h"
#include "wr_device.h"
#include "wr_uapi.h"

/* Packets held per peer while it handshakes (the oldest is dropped when full) */
#define CTL_HELD_MAX 64
/* Peer ids at least, whatever the configuration: peers may be added through the UAPI */
#define CTL_MIN_PEERS 1024
/* How often the UAPI sockets are looked at, and the slow housekeeping runs */
#define CTL_UAPI_MS 10
#define CTL_TIMERS_MS 1
#define CTL_HOUSEKEEPING_MS 100
/*
 * The longest a set short of peer ids waits for the workers' grace periods (they report every
 * poll, so it takes microseconds; a stalled worker costs this, not a hung control lcore)
 */
#define CTL_RECLAIM_MS 20
/* Ring items served per pass, so that one ring cannot starve the others */
#define CTL_BUDGET 64
/* Peers whose endpoint is synced after a pass over the handshakes: two per message served */
#define CTL_SYNC_IDS (2 * CTL_BUDGET)
#define CTL_TTL 64

struct wr_control;

/* A peer id's control-side state. */
struct ctl_peer {
	struct wr_peer *peer; /* NULL: the id is free (or quarantined) */
	uint16_t iface;
	bool quarantined; /* removed: reusable once no worker can still see it */
	bool token_set;
	uint64_t token;
	/*
	 * Past the grace period (draining): the id is free once the control lcore has taken what
	 * the workers put into the event and held rings before, up to these counts.
	 */
	bool draining;
	uint64_t drain_events, drain_held;
	uint64_t held_since; /* engine clock when the queue last became non-empty */
	uint16_t head, n;
	struct rte_mbuf *q[CTL_HELD_MAX];
};

struct ctl_iface {
	struct wr_control *ctl;
	unsigned int idx;
	char name[WR_CONFIG_NAME_MAX + 1];
	struct wr_device *dev;
	struct wr_keytable *kt;
	struct wr_uapi *uapi;
	struct wr_uapi_server *srv;
	struct wr_lpm_pub lpm; /* publishes into the wr_gw_iface's lpm */
	bool table_dirty;      /* a publication failed: housekeeping tries again */
};

struct wr_control {
	struct wr_gw gw; /* what the workers read */
	struct wr_dataplane *dp;
	struct wr_dp_lcore *lc; /* the control lcore's */
	int socket;
	uint32_t capacity;  /* peer ids: twice max_peers, so that a whole set can be replaced while
			     * the old set's ids wait out their grace period */
	uint32_t max_peers; /* [Gateway] MaxPeers: peers of all interfaces together */
	uint32_t id_cursor; /* where the search for a free id starts */
	uint32_t n_quarantined; /* ids with ctl_peer.quarantined set: no scan for them when 0 */
	uint64_t events_taken, held_taken; /* taken from the event and held rings, ever */
	struct ctl_peer *peers; /* capacity entries, by peer id */
	uint32_t *held_ids;     /* the peers with packets held, in no order (capacity entries) */
	unsigned int held_total; /* packets held, every peer's: at most WR_DP_HELD_MBUFS */
	unsigned int n_held_peers;
	/* the peers whose endpoint a handshake may have moved, for the workers' copy; past
	 * CTL_SYNC_IDS of them, sync_endpoints: all of them */
	uint32_t sync_ids[CTL_SYNC_IDS];
	unsigned int n_sync_ids;
	bool sync_endpoints;
	unsigned int n_ifaces;
	struct ctl_iface ifs[WR_GW_MAX_IFACES];
	uint64_t next_uapi, next_housekeeping, next_timers; /* TSC */
	struct wr_ctrl_api *api; /* REST, telemetry, capture (ctrl_api.h) */
};

/** The engine's clock now (monotonic ns, the workers' clock too). */
uint64_t
wr_ctl_now(const struct wr_control *ctl);

/** The state of peer id @p id, or NULL when the id is not in use. */
struct ctl_peer *
wr_ctl_peer_of(struct wr_control *ctl, uint32_t id);

/** Copy the engine's endpoint of peer @p id into the data plane when it changed (roaming). */
void
wr_ctl_sync_endpoint(struct wr_control *ctl, uint32_t id);

/** wr_ctl_sync_endpoint() for every peer. */
void
wr_ctl_sync_all_endpoints(struct wr_control *ctl);

/** Peer @p id's endpoint is to be synced to the workers' copy (wr_ctl_sync_wanted()). */
void
wr_ctl_want_sync(struct wr_control *ctl, uint32_t id);

/** Sync the endpoints wanted since the last call: those peers', or every peer's on overflow. */
void
wr_ctl_sync_wanted(struct wr_control *ctl);

/** Give the engine's @p peer of @p ifc a data-plane id. Returns 0 or -ENOSPC (none left). */
int
wr_ctl_attach_peer(struct wr_control *ctl, struct ctl_iface *ifc, struct wr_peer *peer);

/**
 * Take from the event and held rings, as the poll loop does, until as many have been taken ever
 * as @p events and @p held say (or the rings are empty): what a quarantined id waits for
 * (struct ctl_peer.drain_events). Returns the number taken.
 */
unsigned int
wr_ctl_take_rings(struct wr_control *ctl, uint64_t events, uint64_t held);

/** Drop every packet held for @p cp, counted under @p r. */
void
wr_ctl_held_drop_all(struct wr_control *ctl, struct ctl_peer *cp, enum wr_drop_reason r);

/** Forget that peer @p id holds packets (its queue was emptied). */
void
wr_ctl_held_forget(struct wr_control *ctl, uint32_t id);

/**
 * Update @p ifc's cryptokey routing table to its engine's AllowedIPs and publish it (RCU): now,
 * or when the standby table's grace period is over (wr_ctl_poll_tables()). Returns 0 or -errno
 * (the published table stays).
 */
int
wr_ctl_publish_table(struct wr_control *ctl, struct ctl_iface *ifc);

/**
 * Publish the tables that waited for a grace period and bring the standbys up to date; never
 * waits for the workers. Returns the number of tables published.
 */
unsigned int
wr_ctl_poll_tables(struct wr_control *ctl);

/**
 * Free what the workers can no longer see: quarantined ids, keypairs (after
 * wr_ctl_poll_tables(), which wr_control_poll() runs first); retry a failed table publication.
 */
void
wr_ctl_housekeeping_rcu(struct wr_control *ctl);

/** The source check of decap (struct wr_dp_crypto_tables.src_lookup), ctx a wr_gw_iface. */
void
wr_ctl_src_lookup(void *ctx, const uint8_t *const *hdrs, unsigned int n, uint32_t *peer_ids);

/** The engines' callbacks (ctx: a struct ctl_iface). */
extern const struct wr_device_ops wr_ctl_engine_ops;

/** The UAPI's callbacks (ctx: a struct ctl_iface). */
extern const struct wr_uapi_ops wr_ctl_uapi_ops;

#endif /* WR_DP_CONTROL_INTERNAL_H */
