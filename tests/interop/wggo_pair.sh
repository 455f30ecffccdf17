#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The test bed's own check: wireguard-go in one namespace against wireguard-go in another (the
# reference topology, wri_topo_wggo_pair), ping across the tunnel over IPv4 and IPv6, then
# `wg show dump` on both sides must report a handshake and nonzero transfer. If this fails, the
# interop tests against the engine cannot be trusted either.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../scripts/lib/netns.sh
. "$here/../../scripts/lib/netns.sh"

wri_need_root
wri_need_cmd wireguard-go wg ip ethtool ping
wri_init
wri_topo_wggo_pair

wri_nsx a ping -c 3 -i 0.2 -w 20 198.51.100.2 >"$WRI_TMP/ping4.log" 2>&1 ||
	wri_fail "IPv4 ping a -> b through the tunnel"
wri_nsx b ping -6 -c 3 -i 0.2 -w 20 2001:db8:1::1 >"$WRI_TMP/ping6.log" 2>&1 ||
	wri_fail "IPv6 ping b -> a through the tunnel"

pub_a=$(cat "$WRI_TMP/a.pub")
pub_b=$(cat "$WRI_TMP/b.pub")
for side in a b; do
	if [ "$side" = a ]; then ifname=$WRI_WG_A peer=$pub_b; else ifname=$WRI_WG_B peer=$pub_a; fi
	# dump's peer lines: key psk endpoint allowed-ips latest-handshake rx tx keepalive
	line=$(wri_nsx "$side" wg show "$ifname" dump | awk -v k="$peer" '$1 == k')
	[ -n "$line" ] || wri_fail "$side: peer missing from wg show dump"
	read -r _ _ _ _ hs rx tx _ <<<"$line"
	[ "$hs" -gt 0 ] || wri_fail "$side: no latest handshake"
	if [ "$rx" -eq 0 ] || [ "$tx" -eq 0 ]; then
		wri_fail "$side: transfer rx=$rx tx=$tx"
	fi
	wri_log "$side: handshake at $hs, rx $rx, tx $tx"
done
wri_log "PASS"
