/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One change set to a device's configuration (private key, listen port, peers), checked in full
 * by its producer and then applied here in one go, with the host told what changed. Shared by
 * the wg UAPI (wr_uapi.h: text protocol) and the REST API (wr_rest.h: JSON), so that both apply
 * configuration the same way: validated first, atomic with respect to their input.
 *
 * The order and semantics of an apply are those of a UAPI set (see wr_uapi.h): listen_port
 * (the host may refuse it; then nothing else changes), private_key (a peer whose public key is
 * the new public key is removed; all zeros clears the key), replace_peers, then each peer in
 * order. For a peer: remove removes it (nothing else applies); update_only skips a peer that does
 * not exist yet; replace_aips drops its prefixes before its listed ones are added (or removed,
 * those marked remove, in their order: a prefix the peer does not have is no error); a peer with
 * our own public key is ignored; a preshared key of all zeros clears it; an endpoint of family 0
 * clears it.
 *
 * Concurrency: none; call from the thread that owns the device.
 */
#ifndef WR_PEER_UPDATE_H
#define WR_PEER_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wr_device.h"
#include "wr_uapi.h"

/** One AllowedIPs prefix (address in network order, bits beyond @c cidr may be set). */
struct wr_peer_update_aip {
	uint8_t addr[16];
	int family; /* AF_INET or AF_INET6 */
	uint8_t cidr;
	bool remove; /* take the prefix from this peer if it has it (UAPI "allowed_ip=-P") */
};

/** The change to one peer. Holds a secret (psk). */
struct wr_peer_update_peer {
	uint8_t pub[WR_KEY_LEN];
	uint8_t psk[WR_KEY_LEN];
	struct wr_endpoint ep;
	size_t aip_first, aip_count; /* its prefixes: aips[aip_first .. aip_first + aip_count) */
	uint16_t keepalive;
	bool remove, update_only, has_psk, has_ep, has_keepalive, replace_aips;
};

/**
 * A whole change set. @c peers and @c aips are malloc'd by the producer and freed (wiped) by
 * wr_peer_update_free(). Holds secrets (priv, the peers' psk).
 */
struct wr_peer_update {
	uint8_t priv[WR_KEY_LEN];
	bool has_priv, has_port, replace_peers;
	uint16_t port;
	struct wr_peer_update_peer *peers;
	size_t npeers;
	struct wr_peer_update_aip *aips;
	size_t naips;
};

/** Wipe every secret of @p up, free its arrays and zero it (a zeroed struct is allowed). */
void
wr_peer_update_free(struct wr_peer_update *up);

/**
 * Apply the checked change set @p up to @p dev at @p now (the engine's clock, for keepalives).
 * @p ops (may be NULL) and @p ctx are the host's: its listen port, peer_removing before each
 * removal, and one call of changed() after applying, when anything changed (also after a failure
 * in the middle, describing what was applied). Returns 0, the host's refusal of the listen port
 * (-errno; nothing changed then), -ENOSPC (the host's reserve_peers() had no room for the new
 * peers; nothing changed), or -ENOMEM (possibly part applied). @p up is not freed.
 */
int
wr_peer_update_apply(struct wr_device *dev, const struct wr_uapi_ops *ops, void *ctx,
	const struct wr_peer_update *up, uint64_t now);

#endif /* WR_PEER_UPDATE_H */
