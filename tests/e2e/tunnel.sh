#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end checks of the gateway's tunnel against wireguard-go, in the reference topology of
# topo.sh (a LAN host behind the gateway's port lan, a branch office running wireguard-go behind
# its port wan):
#
#   initiator_gateway  the gateway knows the branch's endpoint; the LAN host's traffic makes it
#                      handshake (held packets go out once it completes); ping both ways, IPv4
#   initiator_branch   remote access: the gateway does not know the endpoint; the branch
#                      handshakes and the gateway learns where it is; ping both ways, IPv4
#   ping6              IPv6 inside the tunnel, both ways
#   wg_show            `wg show` against the gateway's UAPI socket: peer, endpoint, latest
#                      handshake and transfer counters while it runs; `wg set` adds AllowedIPs
#   tunnel_address     the gateway's own addresses inside the tunnel ([Interface] Address)
#                      answer echo requests from the branch, IPv4 and IPv6
#   uapi_peers         `wg set` removes the peer (traffic stops) and adds it back (a new session),
#                      and replaces its AllowedIPs again and again, over a worker lcore
#   held               packets for a peer without a session wait at the gateway (64 at most, the
#                      rest counted) and go out once the handshake completes
#   two_workers        two worker lcores sharing the RX queues (three queue pairs per port)
#   expired            the protocol clock runs 20 times faster (WIRERATE_TIME_SCALE): after an
#                      idle REJECT_AFTER_TIME the gateway's session is dead; the next packet waits
#                      for a new handshake, which the gateway starts, and then goes through
#   workers            initiator_gateway's pings, IPv4 and IPv6, forwarded by a worker lcore
#   too_big            an inner packet over the tunnel MTU gets "fragmentation needed" /
#                      "packet too big" back, and a smaller one passes
#
# Usage: tunnel.sh WIRERATE SCENARIO
set -uo pipefail

WIRERATE=$1
SCENARIO=$2
WRE_NAME="e2e-tunnel-$SCENARIO"
# shellcheck source=tests/e2e/wre.sh
. "$(dirname "$0")/wre.sh"
# shellcheck source=tests/e2e/topo.sh
. "$(dirname "$0")/topo.sh"

br_handshaken()
{
	[ -n "$(wri_wg_handshake_age br "$TOPO_BR_WG" "$(cat "$WRE_TMP/gw.pub")")" ]
}

# start "GATEWAY OPTIONS" "BRANCH OPTIONS" [DEVARGS]: topo.sh's options, space-separated
start()
{
	local gw br

	read -ra gw <<<"$1"
	read -ra br <<<"$2"
	topo_build "${3:-}"
	topo_gateway_conf "$WRE_TMP/gw.conf" "${gw[@]}"
	topo_branch_up "${br[@]}"
	topo_gateway_up "$WRE_TMP/gw.conf"
}

scenario_initiator_gateway()
{
	start "endpoint=yes" "endpoint=no"
	# the branch has not sent anything: the gateway's handshake is the first
	! br_handshaken || wre_fail "a handshake happened before any traffic"
	# the first echo requests wait at the gateway while it handshakes
	wre_nsx lan ping -n -c 1 -W 10 "$TOPO_BR4" >/dev/null 2>&1 ||
		wre_fail "the first ping through a fresh tunnel got no answer"
	topo_gw_handshaken || wre_fail "wg show reports no handshake on the gateway"
	grep -q "Sending handshake initiation" "$WRI_TMP/$TOPO_BR_WG.log" &&
		wre_fail "the branch initiated: the gateway was to"
	grep -q "Received handshake initiation" "$WRI_TMP/$TOPO_BR_WG.log" ||
		wre_fail "wireguard-go saw no initiation from the gateway"
	topo_ping lan "$TOPO_BR4"
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4"
	wre_gateway_stop
}

scenario_initiator_branch()
{
	start "endpoint=no" "endpoint=yes"
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4"
	grep -q "Received handshake response" "$WRI_TMP/$TOPO_BR_WG.log" ||
		wre_fail "wireguard-go got no handshake response from the gateway"
	[ "$(topo_gw_dump_field 3)" = "$TOPO_BRWAN4:$TOPO_PORT" ] ||
		wre_fail "the gateway did not learn the branch's endpoint: $(topo_gw_dump_field 3)"
	topo_ping lan "$TOPO_BR4"
	wre_gateway_stop
}

scenario_ping6()
{
	start "endpoint=yes" "endpoint=no"
	topo_ping lan -6 "$TOPO_BR6"
	topo_ping br -6 -I "$TOPO_BR6" "$TOPO_LAN6"
	# and IPv4 on the same session
	topo_ping lan "$TOPO_BR4"
	wre_gateway_stop
}

scenario_wg_show()
{
	local out rx tx

	start "endpoint=yes keepalive=25" "endpoint=no"
	topo_ping lan "$TOPO_BR4"
	out=$(topo_gw_wg show "$TOPO_GW_WG") || wre_fail "wg show $TOPO_GW_WG failed"
	grep -q "peer: $(cat "$WRE_TMP/br.pub")" <<<"$out" || wre_fail "wg show: no peer: $out"
	grep -q "endpoint: $TOPO_BRWAN4:$TOPO_PORT" <<<"$out" ||
		wre_fail "wg show: no endpoint: $out"
	grep -q "allowed ips: 198.51.100.0/24, 2001:db8:3::/64" <<<"$out" ||
		wre_fail "wg show: allowed ips: $out"
	grep -q "latest handshake: " <<<"$out" || wre_fail "wg show: no handshake: $out"
	grep -q "listening port: $TOPO_PORT" <<<"$out" || wre_fail "wg show: no port: $out"
	grep -q "persistent keepalive: every 25 seconds" <<<"$out" ||
		wre_fail "wg show: no keepalive: $out"
	rx=$(topo_gw_dump_field 6)
	tx=$(topo_gw_dump_field 7)
	# three echo requests and replies of 84 bytes: at least 3 * (84 + 32) each way
	if [ "${rx:-0}" -lt 348 ] || [ "${tx:-0}" -lt 348 ]; then
		wre_fail "wg show: transfer rx $rx tx $tx after three pings"
	fi
	# the counters move while it runs
	topo_ping lan "$TOPO_BR4"
	[ "$(topo_gw_dump_field 6)" -gt "$rx" ] || wre_fail "wg show: rx bytes did not grow"
	# a prefix added through the UAPI is routed (the table is republished)
	topo_gw_wg set "$TOPO_GW_WG" peer "$(cat "$WRE_TMP/br.pub")" allowed-ips \
		198.51.100.0/24,2001:db8:3::/64,203.0.113.128/25 || wre_fail "wg set on the gateway"
	out=$(topo_gw_wg show "$TOPO_GW_WG" allowed-ips)
	grep -q '203.0.113.128/25' <<<"$out" || wre_fail "wg set: the prefix is not listed: $out"
	wre_nsx br ip addr add 203.0.113.129/32 dev "$TOPO_BR_WG"
	wre_nsx br wg set "$TOPO_BR_WG" peer "$(cat "$WRE_TMP/gw.pub")" allowed-ips \
		192.0.2.0/24,2001:db8:1::/64
	topo_ping lan 203.0.113.129
	# and removed again: no longer routed
	topo_gw_wg set "$TOPO_GW_WG" peer "$(cat "$WRE_TMP/br.pub")" allowed-ips \
		198.51.100.0/24,2001:db8:3::/64 || wre_fail "wg set on the gateway"
	! wre_nsx lan ping -n -c 1 -W 1 203.0.113.129 >/dev/null 2>&1 ||
		wre_fail "a removed prefix is still routed"
	request_stats
	grep -q "^peer $TOPO_GW_WG $(cat "$WRE_TMP/br.pub"): endpoint $TOPO_BRWAN4:$TOPO_PORT rx_bytes [1-9]" \
		"$WRE_TMP/gw.log" || wre_fail "SIGUSR1 printed no peer counters"
	grep -q "^interface $TOPO_GW_WG: port $TOPO_PORT peers 1 drops:" "$WRE_TMP/gw.log" ||
		wre_fail "SIGUSR1 printed no interface line"
	wre_gateway_stop
}

scenario_too_big()
{
	local out

	start "endpoint=yes mtu=1280" "endpoint=no"
	topo_ping lan "$TOPO_BR4"
	# 1300 bytes of IPv4 with DF set: over the tunnel MTU
	out=$(wre_nsx lan ping -n -c 1 -W 2 -M "do" -s 1272 "$TOPO_BR4" 2>&1)
	grep -q "mtu = 1280\|mtu=1280\|Frag needed" <<<"$out" ||
		wre_fail "no fragmentation needed for 1300 bytes: $out"
	wre_nsx lan ping -n -c 1 -W 2 -M "do" -s 1200 "$TOPO_BR4" >/dev/null ||
		wre_fail "1228 bytes did not pass"
	out=$(wre_nsx lan ping -6 -n -c 1 -W 2 -M "do" -s 1400 "$TOPO_BR6" 2>&1)
	grep -q "mtu = 1280\|mtu=1280\|Packet too big" <<<"$out" ||
		wre_fail "no packet too big for 1448 bytes of IPv6: $out"
	wre_gateway_stop
}

scenario_tunnel_address()
{
	start "endpoint=yes address=198.51.100.254/24,2001:db8:3::fe/64" "endpoint=no"
	wre_nsx br wg set "$TOPO_BR_WG" peer "$(cat "$WRE_TMP/gw.pub")" allowed-ips \
		192.0.2.0/24,2001:db8:1::/64,198.51.100.252/30,2001:db8:3::fe/128
	topo_ping lan "$TOPO_BR4" -W 10
	topo_ping br 198.51.100.254
	topo_ping br -6 2001:db8:3::fe
	# one to an address of the tunnel the gateway does not have reaches it, unanswered
	! wre_nsx br ping -n -c 1 -W 1 198.51.100.253 >/dev/null 2>&1 ||
		wre_fail "198.51.100.253 answered"
	wre_gateway_stop
}

# Peers removed and added through the UAPI while traffic flows: the tables follow
scenario_uapi_peers()
{
	local br

	start "endpoint=yes" "endpoint=no" ,qpairs=2
	br=$(cat "$WRE_TMP/br.pub")
	topo_ping lan "$TOPO_BR4" -W 10
	topo_gw_wg set "$TOPO_GW_WG" peer "$br" remove || wre_fail "wg set remove"
	[ -z "$(topo_gw_wg show "$TOPO_GW_WG" peers)" ] || wre_fail "the removed peer is listed"
	! wre_nsx lan ping -n -c 1 -W 1 "$TOPO_BR4" >/dev/null 2>&1 ||
		wre_fail "a removed peer is still reached"
	# back, with a new session (the old keys went with the peer)
	topo_gw_wg set "$TOPO_GW_WG" peer "$br" endpoint "$TOPO_BRWAN4:$TOPO_PORT" \
		allowed-ips 198.51.100.0/24,2001:db8:3::/64 || wre_fail "wg set add"
	topo_ping lan "$TOPO_BR4" -W 10
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4"
	topo_gw_handshaken || wre_fail "no handshake with the peer added back"
	# several rounds of replacing the whole configuration: the old tables go after their grace
	for _ in 1 2 3 4 5; do
		topo_gw_wg set "$TOPO_GW_WG" peer "$br" allowed-ips 198.51.100.0/25 ||
			wre_fail "wg set"
		topo_gw_wg set "$TOPO_GW_WG" peer "$br" allowed-ips \
			198.51.100.0/24,2001:db8:3::/64 || wre_fail "wg set"
	done
	topo_ping lan -6 "$TOPO_BR6"
	wre_gateway_stop
}

# Packets for a peer without a session wait at the gateway, at most 64 (the oldest dropped and
# counted), while it keeps trying to handshake; they go out once the peer answers
scenario_held()
{
	local line

	topo_build ,qpairs=2
	topo_gateway_conf "$WRE_TMP/gw.conf" endpoint=yes
	topo_gateway_up "$WRE_TMP/gw.conf"
	# the branch is not up yet: 100 echo requests wait for a session that does not come
	wre_nsx lan ping -n -q -c 100 -i 0.005 -W 1 "$TOPO_BR4" >/dev/null 2>&1
	request_stats
	line=$(grep "^peer $TOPO_GW_WG " "$WRE_TMP/gw.log" | tail -n 1)
	grep -q ' held 64$' <<<"$line" || wre_fail "not 64 packets held: $line"
	grep '^drops:' "$WRE_TMP/gw.log" | tail -n 1 | grep -q ' QUEUE_FULL 36\b' ||
		wre_fail "36 drops for a full queue expected: $(grep '^drops:' "$WRE_TMP/gw.log")"
	# the branch comes up: the gateway's next try finds it, and the held packets go out
	topo_branch_up endpoint=no
	wre_wait 15 topo_gw_handshaken || wre_fail "no handshake once the branch is up"
	# shellcheck disable=SC2016 # expanded by eval, at each try
	wre_wait 5 eval '[ "$(wri_nsx br wg show "$TOPO_BR_WG" transfer | awk "{ print \$2 }")" -ge \
		$((64 * 116)) ]' || wre_fail "the branch did not receive the held packets: $(
		wre_nsx br wg show "$TOPO_BR_WG" transfer)"
	request_stats
	grep "^peer $TOPO_GW_WG " "$WRE_TMP/gw.log" | tail -n 1 | grep -q ' held 0$' ||
		wre_fail "packets still held after the handshake"
	topo_ping lan "$TOPO_BR4"
	wre_gateway_stop
}

# The same over a worker lcore: two queue pairs per port, so lcore 1 polls and forwards and the
# control lcore (0) only handshakes and answers ARP/ND
scenario_workers()
{
	start "endpoint=yes" "endpoint=no" ,qpairs=2
	grep -q '^wirerate: lcore 1: worker txq 0 rx lan/0 lan/1 wan/0 wan/1$' "$WRE_TMP/gw.log" ||
		wre_fail "the worker does not poll every RX queue"
	topo_ping lan "$TOPO_BR4" -W 10
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4"
	topo_ping lan -6 "$TOPO_BR6"
	topo_ping br -6 -I "$TOPO_BR6" "$TOPO_LAN6"
	topo_gw_handshaken || wre_fail "wg show reports no handshake on the gateway"
	wre_gateway_stop
	! grep -q '^drops:.*ring_full' "$WRE_TMP/gw.log" || wre_fail "a handover was refused"
}

# Two workers (lcores 1 and 2; lcore 2 shares a CPU with the control lcore, so this runs on two
# CPUs) with three queue pairs per port: each worker polls its share, one keypair is used by both
scenario_two_workers()
{
	local wrap=$WRE_TMP/wirerate-lcores out

	printf '#!/bin/sh\nexec "%s" --lcores 0@0,1@1,2@0 --main-lcore 0 --no-huge --no-shconf -m 1500 --no-pci --no-telemetry "$@"\n' \
		"$WIRERATE" >"$wrap"
	chmod +x "$wrap"
	WIRERATE=$wrap
	start "endpoint=yes workers=1-2" "endpoint=no" ,qpairs=3
	if ! grep -q '^wirerate: lcore 1: worker txq 0 rx lan/0 lan/2 wan/0 wan/2$' "$WRE_TMP/gw.log" ||
		! grep -q '^wirerate: lcore 2: worker txq 1 rx lan/1 wan/1$' "$WRE_TMP/gw.log"; then
		wre_fail "the RX queues are not shared by two workers"
	fi
	topo_ping lan "$TOPO_BR4" -W 10
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4"
	topo_ping lan -6 "$TOPO_BR6"
	# quick series both ways: no loss, no replay or authentication drop between the workers
	out=$(wre_nsx lan ping -n -q -c 200 -i 0.002 -W 2 "$TOPO_BR4" 2>&1)
	grep -q ' 0% packet loss' <<<"$out" || wre_fail "a quick ping series lost packets: $out"
	out=$(wre_nsx br ping -n -q -c 200 -i 0.002 -W 2 -6 -I "$TOPO_BR6" "$TOPO_LAN6" 2>&1)
	grep -q ' 0% packet loss' <<<"$out" || wre_fail "a quick IPv6 ping series lost packets: $out"
	wre_gateway_counters
	for k in REPLAY DATA_DECRYPT control_ring_full handshake_ring_full route_ring_full \
		held_ring_full event_ring_full; do
		[ "$(wre_counter "$k")" = 0 ] || wre_fail "drops: $k $(wre_counter "$k")"
	done
	wre_gateway_stop
}

scenario_expired()
{
	local first

	# REJECT_AFTER_TIME (180 s) is 9 s of real time; wireguard-go's clock is not scaled, so
	# only the gateway may notice that the session is too old
	export WIRERATE_TIME_SCALE=20
	start "endpoint=yes" "endpoint=no"
	grep -q 'protocol clock runs 20 times faster' "$WRE_TMP/gw.log" ||
		wre_fail "WIRERATE_TIME_SCALE was not taken: $(head -n 20 "$WRE_TMP/gw.log")"
	topo_ping lan "$TOPO_BR4" -W 10
	first=$(topo_gw_dump_field 5)
	[ -n "$first" ] && [ "$first" != 0 ] || wre_fail "no first handshake"
	# idle for more than REJECT_AFTER_TIME of protocol time (the time passing is the point)
	sleep 11
	wre_nsx lan ping -n -c 1 -W 15 "$TOPO_BR4" >/dev/null 2>&1 ||
		wre_fail "no answer once the session had expired: $(grep -c 'Received handshake initiation' \
			"$WRI_TMP/$TOPO_BR_WG.log") initiations seen by the branch"
	[ "$(topo_gw_dump_field 5)" != "$first" ] ||
		wre_fail "the answer came without a new handshake"
	[ "$(grep -c 'Received handshake initiation' "$WRI_TMP/$TOPO_BR_WG.log")" -ge 2 ] ||
		wre_fail "the branch saw no second initiation from the gateway"
	topo_ping lan "$TOPO_BR4"
	request_stats
	grep "^peer $TOPO_GW_WG " "$WRE_TMP/gw.log" | tail -n 1 | grep -q ' held 0$' ||
		wre_fail "packets still held: $(grep "^peer $TOPO_GW_WG " "$WRE_TMP/gw.log" | tail -n 1)"
	wre_gateway_stop
}

request_stats()
{
	local before

	before=$(grep -c '^drops:' "$WRE_TMP/gw.log")
	kill -USR1 "$WRE_GW_PID"
	# shellcheck disable=SC2016 # expanded by eval, at each try
	wre_wait 10 eval '[ "$(grep -c "^drops:" "$WRE_TMP/gw.log")" -gt "$before" ]' ||
		wre_fail "no counters printed on SIGUSR1"
}

wre_init
case "$SCENARIO" in
initiator_gateway | initiator_branch | ping6 | wg_show | too_big | workers | tunnel_address | \
	uapi_peers | two_workers | held | expired)
	"scenario_$SCENARIO"
	;;
*) wre_fail "unknown scenario $SCENARIO" ;;
esac
wre_log "ok"
