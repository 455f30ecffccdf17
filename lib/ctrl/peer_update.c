/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Applying a checked configuration change set to a device (see wr_peer_update.h): the one place
 * where the UAPI and REST handlers change peers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wr_crypto.h"
#include "wr_peer_update.h"

struct apply {
	struct wr_device *dev;
	const struct wr_uapi_ops *ops;
	void *ctx;
	uint8_t (*removed)[WR_KEY_LEN];
	uint8_t (*added)[WR_KEY_LEN];
	uint8_t (*updated)[WR_KEY_LEN];
	size_t n_removed, n_added, n_updated;
	unsigned int what;
};

void
wr_peer_update_free(struct wr_peer_update *up)
{
	if (up->peers) {
		wr_wipe(up->peers, up->npeers * sizeof(*up->peers));
		free(up->peers);
	}
	free(up->aips);
	wr_wipe(up, sizeof(*up));
}

static void
remove_peer(struct apply *a, struct wr_peer *peer)
{
	if (a->ops->peer_removing)
		a->ops->peer_removing(a->ctx, peer);
	memcpy(a->removed[a->n_removed++], wr_peer_public_key(peer), WR_KEY_LEN);
	wr_device_remove_peer(a->dev, peer);
	a->what |= WR_UAPI_CHANGED_PEERS | WR_UAPI_CHANGED_ALLOWEDIPS;
}

static int
first_peer(void *ctx, struct wr_peer *peer)
{
	*(struct wr_peer **)ctx = peer;
	return 1;
}

static int
apply_peer(struct apply *a, const struct wr_peer_update *r, const struct wr_peer_update_peer *p,
	uint64_t now)
{
	struct wr_peer *peer = wr_device_lookup_peer(a->dev, p->pub);
	bool psk_zero = wr_ct_is_zero(p->psk, WR_KEY_LEN);
	bool created = false;

	if (p->remove) {
		if (peer)
			remove_peer(a, peer);
		return 0;
	}
	if (!peer) {
		if (p->update_only)
			return 0;
		peer = wr_device_add_peer(a->dev, p->pub, p->has_psk && !psk_zero ? p->psk : NULL);
		if (!peer)
			return -errno;
		memcpy(a->added[a->n_added++], p->pub, WR_KEY_LEN);
		a->what |= WR_UAPI_CHANGED_PEERS;
		created = true;
	} else if (p->has_psk) {
		wr_peer_set_preshared_key(peer, psk_zero ? NULL : p->psk);
		a->what |= WR_UAPI_CHANGED_PEER_CONFIG;
	}
	if (p->has_ep) {
		wr_peer_set_endpoint(peer, &p->ep);
		a->what |= WR_UAPI_CHANGED_PEER_CONFIG;
	}
	if (p->has_keepalive) {
		wr_peer_set_keepalive(peer, p->keepalive, now);
		a->what |= WR_UAPI_CHANGED_PEER_CONFIG;
	}
	if (p->replace_aips) {
		/* a new peer has none: skip the walk (O(table) with some AllowedIPs tables) */
		if (!created)
			wr_peer_clear_allowedips(peer);
		a->what |= WR_UAPI_CHANGED_ALLOWEDIPS;
	}
	for (size_t i = 0; i < p->aip_count; i++) {
		const struct wr_peer_update_aip *ip = &r->aips[p->aip_first + i];
		int ret;

		if (ip->remove) {
			/* only this peer's: another peer's stays with it, as in wireguard-go */
			if (wr_peer_remove_allowedip(peer, ip->family, ip->addr, ip->cidr) == 0)
				a->what |= WR_UAPI_CHANGED_ALLOWEDIPS;
			continue;
		}
		ret = wr_peer_add_allowedip(peer, ip->family, ip->addr, ip->cidr);
		if (ret < 0)
			return ret;
		a->what |= WR_UAPI_CHANGED_ALLOWEDIPS;
	}
	if (!created && (p->has_psk || p->has_ep || p->has_keepalive || p->replace_aips ||
				p->aip_count > 0))
		memcpy(a->updated[a->n_updated++], p->pub, WR_KEY_LEN);
	return 0;
}

static size_t
keep_existing(struct wr_device *dev, uint8_t (*keys)[WR_KEY_LEN], size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; keys && i < n; i++)
		if (wr_device_lookup_peer(dev, keys[i]))
			memmove(keys[kept++], keys[i], WR_KEY_LEN);
	return kept;
}

/* Entries of a change set (pointers into its array), by key and then as listed */
static int
cmp_entry(const void *a, const void *b)
{
	const struct wr_peer_update_peer *x = *(const struct wr_peer_update_peer *const *)a;
	const struct wr_peer_update_peer *y = *(const struct wr_peer_update_peer *const *)b;
	int c = memcmp(x->pub, y->pub, WR_KEY_LEN);

	return c != 0 ? c : (x > y) - (x < y);
}

/*
 * How many peers applying @p r creates and how many it removes, for the host's limit, found
 * the way apply runs it: each key's entries in their order (a peer removed and listed again
 * later is removed and created anew, so it needs a new id), replace_peers removing every peer
 * first, and entries with the interface's own key (@p own, NULL: none) ignored.
 * Returns 0 or -ENOMEM.
 */
static int
count_peers(struct wr_device *dev, const struct wr_peer_update *r, const uint8_t *own,
	size_t *n_new, size_t *n_gone)
{
	const struct wr_peer_update_peer **order;
	size_t n = 0, i, j;

	*n_new = 0;
	*n_gone = r->replace_peers ? wr_device_peer_count(dev) : 0;
	order = malloc((r->npeers + 1) * sizeof(*order));
	if (order == NULL)
		return -ENOMEM;
	for (i = 0; i < r->npeers; i++)
		if (own == NULL || memcmp(r->peers[i].pub, own, WR_KEY_LEN) != 0)
			order[n++] = &r->peers[i];
	qsort(order, n, sizeof(*order), cmp_entry);
	for (i = 0; i < n; i = j) {
		const uint8_t *key = order[i]->pub;
		bool was = !r->replace_peers && wr_device_lookup_peer(dev, key) != NULL;
		bool is = was, created = false;

		for (j = i; j < n && memcmp(order[j]->pub, key, WR_KEY_LEN) == 0; j++) {
			const struct wr_peer_update_peer *p = order[j];

			if (p->remove) {
				is = false;
				created = false;
			} else if (!is && !p->update_only) {
				is = true;
				created = true;
			}
		}
		*n_new += is && created;
		*n_gone += was && (!is || created);
	}
	free(order);
	return 0;
}

/* Everything in @p r was checked; only the host's listen port and memory can fail now. */
int
wr_peer_update_apply(struct wr_device *dev, const struct wr_uapi_ops *ops, void *ctx,
	const struct wr_peer_update *r, uint64_t now)
{
	static const struct wr_uapi_ops no_ops;
	struct apply a = { .dev = dev, .ops = ops ? ops : &no_ops, .ctx = ctx };
	uint8_t own[WR_KEY_LEN], cur[WR_KEY_LEN];
	bool has_own, has_cur;
	int ret = 0;

	/* every peer may go (replace_peers, remove lines, the new key's twin): reserve room now */
	a.removed = calloc(wr_device_peer_count(dev) + r->npeers + 1, WR_KEY_LEN);
	a.added = calloc(r->npeers + 1, WR_KEY_LEN);
	a.updated = calloc(r->npeers + 1, WR_KEY_LEN);
	if (!a.removed || !a.added || !a.updated) {
		ret = -ENOMEM;
		goto out;
	}

	/* the own key as the set leaves it: a zero private key means none */
	has_cur = wr_device_get_public_key(dev, cur);
	has_own = has_cur;
	memcpy(own, cur, WR_KEY_LEN);
	if (r->has_priv) {
		has_own = !wr_ct_is_zero(r->priv, WR_KEY_LEN);
		if (has_own)
			wr_x25519_public(own, r->priv);
	}

	if (a.ops->reserve_peers) {
		size_t n_new, n_gone;

		ret = count_peers(dev, r, has_own ? own : NULL, &n_new, &n_gone);
		if (ret < 0)
			goto out;
		if (n_new > 0 && a.ops->reserve_peers(ctx, n_new, n_gone) < 0) {
			ret = -ENOSPC;
			goto out;
		}
	}

	if (r->has_port) {
		uint16_t port = a.ops->get_listen_port ? a.ops->get_listen_port(ctx) : 0;

		if (port != r->port) {
			ret = a.ops->set_listen_port ? a.ops->set_listen_port(ctx, r->port)
						     : -EOPNOTSUPP;
			if (ret > 0)
				ret = -ret;
			if (ret < 0)
				goto out;
			a.what |= WR_UAPI_CHANGED_LISTEN_PORT;
		}
	}

	if (r->has_priv) {
		if (has_own != has_cur || (has_own && memcmp(own, cur, WR_KEY_LEN) != 0)) {
			struct wr_peer *twin = has_own ? wr_device_lookup_peer(dev, own) : NULL;

			/* the engine would drop it silently: let the host hear about it first */
			if (twin)
				remove_peer(&a, twin);
			wr_device_set_private_key(dev, has_own ? r->priv : NULL);
			a.what |= WR_UAPI_CHANGED_PRIVATE_KEY;
		}
	}

	if (r->replace_peers) {
		struct wr_peer *peer;

		while (wr_device_peer_count(dev) > 0) {
			peer = NULL;
			wr_device_foreach_peer(dev, first_peer, &peer);
			if (!peer)
				break;
			remove_peer(&a, peer);
		}
	}

	for (size_t i = 0; i < r->npeers; i++) {
		/* a peer with our own public key is ignored, as the kernel and wireguard-go do */
		if (has_own && memcmp(r->peers[i].pub, own, WR_KEY_LEN) == 0)
			continue;
		ret = apply_peer(&a, r, &r->peers[i], now);
		if (ret < 0)
			break;
	}

out:
	/* a later block may have removed what an earlier one added or updated */
	a.n_added = keep_existing(dev, a.added, a.n_added);
	a.n_updated = keep_existing(dev, a.updated, a.n_updated);
	if (a.what && a.ops->changed) {
		struct wr_uapi_changes c = {
			.what = a.what,
			.removed = (const uint8_t(*)[WR_KEY_LEN])a.removed,
			.n_removed = a.n_removed,
			.added = (const uint8_t(*)[WR_KEY_LEN])a.added,
			.n_added = a.n_added,
			.updated = (const uint8_t(*)[WR_KEY_LEN])a.updated,
			.n_updated = a.n_updated,
		};

		a.ops->changed(ctx, &c);
	}
	free(a.removed);
	free(a.added);
	free(a.updated);
	return ret;
}
