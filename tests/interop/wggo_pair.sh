#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The test bed's own check: wireguard-go in one namespace against wireguard-go in another, ping
# across the tunnel over IPv4 and IPv6, then `wg show dump` on both sides must report a
# handshake and nonzero transfer. If this fails, the interop tests against the engine cannot be
# trusted either. Also the reference topology for the iperf3 benchmark (wireguard-go to
# wireguard-go).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../scripts/lib/netns.sh
. "$here/../../scripts/lib/netns.sh"

wri_need_root
wri_need_cmd wireguard-go wg ip ethtool ping
wri_init

wri_ns_add a
wri_ns_add b
wri_veth a "$(wri_if va)" 192.0.2.1/24 b "$(wri_if vb)" 192.0.2.2/24

wri_wg_genkey a
wri_wg_genkey b
wri_wg_genpsk ab
pub_a=$(cat "$WRI_TMP/a.pub")
pub_b=$(cat "$WRI_TMP/b.pub")
wg_a=$(wri_if ga)
wg_b=$(wri_if gb)

wri_wg_start a "$wg_a"
wri_wg_start b "$wg_b"
wri_nsx a wg set "$wg_a" private-key "$WRI_TMP/a.key" listen-port 51820 \
	peer "$pub_b" preshared-key "$WRI_TMP/ab.psk" endpoint 192.0.2.2:51820 \
	allowed-ips 198.51.100.2/32,2001:db8:1::2/128 || wri_fail "wg set a"
wri_nsx b wg set "$wg_b" private-key "$WRI_TMP/b.key" listen-port 51820 \
	peer "$pub_a" preshared-key "$WRI_TMP/ab.psk" endpoint 192.0.2.1:51820 \
	allowed-ips 198.51.100.1/32,2001:db8:1::1/128 || wri_fail "wg set b"
wri_addr a "$wg_a" 198.51.100.1/24
wri_addr a "$wg_a" 2001:db8:1::1/64
wri_addr b "$wg_b" 198.51.100.2/24
wri_addr b "$wg_b" 2001:db8:1::2/64
wri_nsx a ip link set "$wg_a" up
wri_nsx b ip link set "$wg_b" up

wri_nsx a ping -c 3 -i 0.2 -W 5 198.51.100.2 >"$WRI_TMP/ping4.log" 2>&1 ||
	wri_fail "IPv4 ping a -> b through the tunnel"
wri_nsx b ping -6 -c 3 -i 0.2 -W 5 2001:db8:1::1 >"$WRI_TMP/ping6.log" 2>&1 ||
	wri_fail "IPv6 ping b -> a through the tunnel"

for side in a b; do
	if [ "$side" = a ]; then ifname=$wg_a peer=$pub_b; else ifname=$wg_b peer=$pub_a; fi
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
