/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Neighbour table: next hop -> MAC, with a bounded queue per unresolved next hop.
 * The state machine is RFC 4861's, reduced: INCOMPLETE (soliciting) and REACHABLE; a reachable
 * entry past WR_NEIGH_REACHABLE_MS is solicited again on use but stays usable meanwhile.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dataplane.h"
#include "gw.h"
#include "host.h"
#include "icmp.h"
#include "neigh.h"

enum neigh_state {
	NEIGH_FREE = 0,
	NEIGH_INCOMPLETE,
	NEIGH_REACHABLE,
};

struct neigh_entry {
	uint8_t state;
	uint8_t family;
	uint8_t probes;  /* solicitations sent while INCOMPLETE, or unanswered while refreshing */
	uint8_t nq;      /* packets in q */
	uint8_t passive; /* learnt from a packet to us, never a next hop of ours (yet) */
	uint8_t ip[16];
	struct rte_ether_addr mac;
	uint64_t confirmed; /* TSC when last learnt (REACHABLE) or created (INCOMPLETE); compared as
			     * ages, lc->now - confirmed */
	uint64_t probe_at;  /* TSC when the next solicitation is due */
	struct rte_mbuf *q[WR_NEIGH_QUEUE_LEN];
};

struct wr_neigh_table {
	unsigned int queued; /* packets in every entry's q, at most WR_NEIGH_TABLE_QUEUED */
	struct wr_icmp_bucket solicit_bucket; /* solicit()'s rate */
	struct neigh_entry set[WR_NEIGH_SETS][WR_NEIGH_WAYS];
};

static inline size_t
addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static inline uint64_t
ms_to_tsc(const struct wr_dp_lcore *lc, uint64_t ms)
{
	return lc->dp->hz * ms / 1000;
}

static struct neigh_entry *
set_of(struct wr_neigh_table *t, int family, const void *ip)
{
	uint64_t key[2] = { 0, 0 };
	uint32_t h;

	/* an aligned copy: addresses inside packets are not, and the CRC reads 8 bytes at a time */
	memcpy(key, ip, addr_len(family));
	h = rte_hash_crc(key, sizeof(key), (uint32_t)family);

	return t->set[h % WR_NEIGH_SETS];
}

static struct neigh_entry *
find(struct wr_neigh_table *t, int family, const void *ip)
{
	struct neigh_entry *set = set_of(t, family, ip);
	unsigned int w;

	for (w = 0; w < WR_NEIGH_WAYS; w++)
		if (set[w].state != NEIGH_FREE && set[w].family == family &&
			memcmp(set[w].ip, ip, addr_len(family)) == 0)
			return &set[w];
	return NULL;
}

static void
drop_queue(struct wr_dp_lcore *lc, struct wr_neigh_table *t, struct neigh_entry *e,
	enum wr_dp_drop why)
{
	unsigned int i;

	for (i = 0; i < e->nq; i++)
		wr_dp_drop(lc, why, e->q[i]);
	t->queued -= e->nq;
	e->nq = 0;
}

/*
 * How readily an entry gives way to a new one, lowest first: one learnt from a packet to us and
 * never used as a next hop (RFC 4861 7.2.3 makes those STALE; it holds no packet and is learnt
 * again from the next one); one being resolved; one not confirmed for WR_NEIGH_REACHABLE_MS and
 * the probes after it; a fresh next hop. Within a rank, the one confirmed longest ago. A next hop
 * in use is solicited again when its reachable time is over (keep_fresh()) and stays fresh while it
 * answers, so that a stream of new neighbours (a scan of a connected subnet, ARP or solicitations
 * from many senders) evicts each other before it evicts the next hops that traffic uses.
 */
enum { RANK_PASSIVE, RANK_INCOMPLETE, RANK_STALE, RANK_FRESH };

static unsigned int
rank(const struct wr_dp_lcore *lc, const struct neigh_entry *e)
{
	if (e->passive)
		return RANK_PASSIVE;
	if (e->state == NEIGH_INCOMPLETE)
		return RANK_INCOMPLETE;
	if (lc->now - e->confirmed >=
		ms_to_tsc(lc, WR_NEIGH_REACHABLE_MS + WR_NEIGH_MAX_PROBES * WR_NEIGH_RETRANS_MS))
		return RANK_STALE;
	return RANK_FRESH;
}

/*
 * A free way of the set, else the entry that gives way first (its queue is dropped). For a next
 * hop of ours (@p learnt false) any entry gives way, so that a new next hop always gets one. For
 * an entry learnt from a packet to us (@p learnt) only one learnt the same way or a stale one
 * does, never one being resolved or a fresh next hop: unauthenticated ARP or solicitations from
 * spoofed senders cannot push out the next hops that traffic uses. NULL: none gives way.
 */
static struct neigh_entry *
alloc(struct wr_dp_lcore *lc, struct wr_neigh_table *t, int family, const void *ip, bool learnt)
{
	struct neigh_entry *set = set_of(t, family, ip), *victim = NULL;
	unsigned int w, r, victim_rank = 0;

	for (w = 0; w < WR_NEIGH_WAYS; w++) {
		if (set[w].state == NEIGH_FREE) {
			victim = &set[w];
			break;
		}
		r = rank(lc, &set[w]);
		if (learnt && r != RANK_PASSIVE && r != RANK_STALE)
			continue;
		if (victim == NULL || r < victim_rank ||
			(r == victim_rank &&
				lc->now - set[w].confirmed > lc->now - victim->confirmed)) {
			victim = &set[w];
			victim_rank = r;
		}
	}
	if (victim == NULL)
		return NULL;
	drop_queue(lc, t, victim, WR_DP_DROP_NEIGH_TABLE_FULL);
	memset(victim, 0, sizeof(*victim));
	victim->family = family;
	memcpy(victim->ip, ip, addr_len(family));
	victim->confirmed = lc->now;
	return victim;
}

/*
 * Solicit @p e's next hop (a probe counted), within the port's rate: every solicitation goes to
 * the whole link (ARP broadcast, NS to a group), so that new next hops by the packet, however
 * they come (a peer sending to every address of a connected subnet through the tunnel), cannot
 * turn into a broadcast per packet. Over the rate, nothing is sent and counted, and the probe is
 * due again a tenth of the retransmit time later.
 */
static void
solicit(struct wr_dp_lcore *lc, struct wr_port *port, struct neigh_entry *e)
{
	int ret;

	if (!wr_icmp_bucket_take(
		    &port->neigh->solicit_bucket, wr_gw_tsc_to_ns(lc->now, lc->dp->hz))) {
		wr_dp_count(&lc->drops[WR_DP_DROP_SOLICIT_RATELIMITED]);
		e->probe_at = lc->now + ms_to_tsc(lc, WR_NEIGH_RETRANS_MS / 10);
		return;
	}
	if (e->family == AF_INET)
		ret = wr_arp_solicit(lc, port, e->ip);
	else
		ret = wr_nd_solicit(lc, port, e->ip);
	if (ret == 0)
		lc->port[port->index].solicits++;
	e->probes++;
	e->probe_at = lc->now + ms_to_tsc(lc, WR_NEIGH_RETRANS_MS);
}

/*
 * A reachable entry in use: solicited again once WR_NEIGH_REACHABLE_MS have passed since it was
 * confirmed, every WR_NEIGH_RETRANS_MS until the answer; it stays usable meanwhile. After
 * WR_NEIGH_MAX_PROBES unanswered ones it is given up (freed): the next packet resolves afresh,
 * and the workers' cache forgets it at its next refresh.
 */
static void
keep_fresh(struct wr_dp_lcore *lc, struct wr_port *port, struct neigh_entry *e)
{
	e->passive = 0;
	if (lc->now - e->confirmed <= ms_to_tsc(lc, WR_NEIGH_REACHABLE_MS) || lc->now < e->probe_at)
		return;
	if (e->probes >= WR_NEIGH_MAX_PROBES) {
		e->state = NEIGH_FREE;
		return;
	}
	solicit(lc, port, e);
}

static void
send_to(struct wr_dp_lcore *lc, struct wr_port *port, const struct neigh_entry *e,
	struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&e->mac, &eh->dst_addr);
	wr_dp_tx(lc, port, m);
}

struct wr_neigh_table *
wr_neigh_create(int socket)
{
	struct wr_neigh_table *t = rte_zmalloc_socket(
		"wr_neigh", sizeof(struct wr_neigh_table), RTE_CACHE_LINE_SIZE, socket);

	if (t != NULL)
		wr_icmp_bucket_init(
			&t->solicit_bucket, WR_NEIGH_SOLICIT_RATE, WR_NEIGH_SOLICIT_BURST);
	return t;
}

void
wr_neigh_free(struct wr_neigh_table *t)
{
	unsigned int s, w, i;

	if (t == NULL)
		return;
	for (s = 0; s < WR_NEIGH_SETS; s++)
		for (w = 0; w < WR_NEIGH_WAYS; w++)
			for (i = 0; i < t->set[s][w].nq; i++)
				rte_pktmbuf_free(t->set[s][w].q[i]);
	rte_free(t);
}

int
wr_neigh_output(struct wr_dp_lcore *lc, struct wr_port *port, int family, const void *nh,
	struct rte_mbuf *m)
{
	struct neigh_entry *e = find(port->neigh, family, nh);
	int ret;

	if (e != NULL && e->state == NEIGH_REACHABLE) {
		send_to(lc, port, e, m);
		keep_fresh(lc, port, e);
		return 0;
	}
	if (e == NULL) {
		e = alloc(lc, port->neigh, family, nh, false);
		e->state = NEIGH_INCOMPLETE;
	}
	if (e->nq == WR_NEIGH_QUEUE_LEN || port->neigh->queued >= WR_NEIGH_TABLE_QUEUED) {
		wr_dp_drop(lc, WR_DP_DROP_NEIGH_QUEUE_FULL, m);
		ret = -ENOBUFS;
	} else {
		e->q[e->nq++] = m;
		port->neigh->queued++;
		ret = -EAGAIN;
	}
	/* resolved all the same: the packets after it will find the next hop */
	if (lc->now >= e->probe_at)
		solicit(lc, port, e);
	return ret;
}

/* Entry @p e is at @p mac, confirmed now: its queued packets go */
static void
reachable_at(struct wr_dp_lcore *lc, struct wr_port *port, struct neigh_entry *e,
	const struct rte_ether_addr *mac)
{
	unsigned int i;

	rte_ether_addr_copy(mac, &e->mac);
	e->state = NEIGH_REACHABLE;
	e->confirmed = lc->now;
	e->probes = 0;
	e->probe_at = 0;
	for (i = 0; i < e->nq; i++)
		send_to(lc, port, e, e->q[i]);
	port->neigh->queued -= e->nq;
	e->nq = 0;
}

void
wr_neigh_learn(struct wr_dp_lcore *lc, struct wr_port *port, int family, const void *ip,
	const struct rte_ether_addr *mac, bool create)
{
	struct neigh_entry *e = find(port->neigh, family, ip);

	if (!rte_is_valid_assigned_ether_addr(mac))
		return; /* a group or zero address is no station's (the callers drop such frames) */
	if (e == NULL) {
		if (!create || (e = alloc(lc, port->neigh, family, ip, true)) == NULL)
			return;
		e->passive = 1;
	}
	reachable_at(lc, port, e, mac);
}

/* RFC 4861's STALE, in this table's terms: still usable, solicited again on its next use */
static void
make_stale(struct wr_dp_lcore *lc, struct neigh_entry *e)
{
	/* ages are differences modulo 2^64: this holds even this close to the TSC's start */
	e->confirmed = lc->now - ms_to_tsc(lc, WR_NEIGH_REACHABLE_MS) - 1;
	e->probe_at = 0;
}

void
wr_neigh_advert(struct wr_dp_lcore *lc, struct wr_port *port, const void *ip,
	const struct rte_ether_addr *mac, bool solicited, bool override)
{
	struct neigh_entry *e = find(port->neigh, AF_INET6, ip);
	bool changed;

	/* unsolicited adverts create nothing; a group or zero address is no station's */
	if (e == NULL || !rte_is_valid_assigned_ether_addr(mac))
		return;
	changed = e->state != NEIGH_REACHABLE || !rte_is_same_ether_addr(mac, &e->mac);
	if (e->state == NEIGH_REACHABLE && changed && !override) {
		/* RFC 4861 7.2.5: the cached address stays, but is to be verified */
		make_stale(lc, e);
		return;
	}
	if (!solicited && !changed)
		return; /* nothing new, and no proof that our packets reach it */
	reachable_at(lc, port, e, mac);
	/* an address announced, not an answer of ours: usable, but not confirmed reachable */
	if (!solicited)
		make_stale(lc, e);
}

void
wr_neigh_tick(struct wr_dp_lcore *lc, struct wr_port *port)
{
	struct wr_neigh_table *t = port->neigh;
	unsigned int s, w;

	for (s = 0; s < WR_NEIGH_SETS; s++) {
		for (w = 0; w < WR_NEIGH_WAYS; w++) {
			struct neigh_entry *e = &t->set[s][w];

			if (e->state != NEIGH_INCOMPLETE || lc->now < e->probe_at)
				continue;
			if (e->probes >= WR_NEIGH_MAX_PROBES) {
				drop_queue(lc, t, e, WR_DP_DROP_NEIGH_FAILED);
				e->state = NEIGH_FREE;
				continue;
			}
			solicit(lc, port, e);
		}
	}
}

bool
wr_neigh_use(struct wr_dp_lcore *lc, struct wr_port *port, int family, const void *ip,
	struct rte_ether_addr *mac)
{
	struct neigh_entry *e = find(port->neigh, family, ip);

	if (e == NULL || e->state != NEIGH_REACHABLE)
		return false;
	keep_fresh(lc, port, e);
	if (e->state != NEIGH_REACHABLE)
		return false; /* given up just now */
	rte_ether_addr_copy(&e->mac, mac);
	return true;
}

bool
wr_neigh_lookup(
	const struct wr_neigh_table *t, int family, const void *ip, struct rte_ether_addr *mac)
{
	const struct neigh_entry *e = find((struct wr_neigh_table *)t, family, ip);

	if (e == NULL || e->state != NEIGH_REACHABLE)
		return false;
	rte_ether_addr_copy(&e->mac, mac);
	return true;
}
