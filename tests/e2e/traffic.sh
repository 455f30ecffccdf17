#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end traffic through the gateway's tunnel against wireguard-go, in the reference
# topology of topo.sh (LAN host -- wirerate -- branch office running wireguard-go):
#
#   iperf         iperf3 TCP both ways (3 s each), inner IPv4 and inner IPv6, outer IPv4
#   outer6        the tunnel over IPv6 (the branch's endpoint is [2001:db8:2::2]:51820): ping
#                 IPv4 and IPv6 inside, both ways; iperf3 TCP both ways; the gateway's endpoint
#   psk           a preshared key on both sides: handshakes started by the gateway, then by the
#                 branch; ping both ways
#   psk_mismatch  a preshared key on the gateway only: no handshake completes, nothing passes
#   roam          the branch moves to another address and port while iperf3 runs through the
#                 tunnel: the stream goes on, the gateway follows (wg show endpoint, ping from
#                 the LAN host)
#   keepalive     PersistentKeepalive = 1 on the gateway: keepalives (32-byte data messages) on
#                 the wire while the tunnel is otherwise idle (tcpdump on the WAN link)
#   udp_checksum  the UDP checksums of the gateway's data messages on the WAN link (tcpdump,
#                 checked with scapy): none (zero) over IPv4 by default, and wireguard-go takes
#                 them (ping both ways); right ones, none zero, with UDPChecksum = on; right ones
#                 over IPv6 by default
#   two_peers     a second branch peer (a second wireguard-go): each peer is routed only its own
#                 AllowedIPs and may send only from them
#   hub           the gateway as the hub between two branches, with default routes on its WAN
#                 port: the first branch pings the second's addresses (IPv4 and IPv6) through
#                 the gateway, both ways sealed, and no plaintext packet of theirs is on the WAN
#                 link (before, the default route took them out of the WAN port unencrypted)
#   hub_ifaces    the same with the second branch on a second [Interface] of the gateway, MTU
#                 1280: a 1328-byte packet without DF is fragmented into its tunnel
#
# These check behaviour, not speed. Usage: traffic.sh WIRERATE SCENARIO
set -uo pipefail

WIRERATE=$1
SCENARIO=$2
WRE_NAME="e2e-traffic-$SCENARIO"
# shellcheck source=tests/e2e/wre.sh
. "$(dirname "$0")/wre.sh"
# shellcheck source=tests/e2e/topo.sh
. "$(dirname "$0")/topo.sh"

start()
{
	wri_need_cmd iperf3 tcpdump
	topo_build ""
	topo_gateway_conf "$WRE_TMP/gw.conf" "$@"
	topo_branch_up "$@"
	topo_gateway_up "$WRE_TMP/gw.conf"
}

# iperf_server ROLE ADDR: iperf3 -s on ADDR in ROLE, accepting once this returns
iperf_server()
{
	wri_bg "$1" "$WRE_TMP/iperf-s-$1.log" iperf3 -s -B "$2"
	wre_wait 10 eval "grep -q ':5201 ' <<<\"\$(wri_nsx $1 ss -Hltn)\"" ||
		wre_fail "iperf3 -s did not start in $1"
}

# iperf_check ROLE ADDR SECS [ARGS...]: an iperf3 TCP run from ROLE to ADDR that must finish
# with data moving to the end: at most one one-second interval without any (a loaded machine
# may stall a second), and not the last (behaviour: the stream flows, at any speed)
iperf_check()
{
	local role=$1 addr=$2 secs=$3 json

	shift 3
	json=$(wre_nsx "$role" iperf3 -c "$addr" -t "$secs" -J --connect-timeout 5000 "$@" 2>&1) ||
		wre_fail "iperf3 -c $addr $* from $role: $json"
	/usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
got = r["end"]["sum_received"]["bytes"]
idle = [i["sum"]["start"] for i in r["intervals"] if i["sum"]["bytes"] == 0]
last = r["intervals"][-1]["sum"]
if got == 0 or len(idle) > 1 or (last["bytes"] == 0 and last["seconds"] > 0.5):
    sys.exit("received %d bytes; intervals with nothing: %s" % (got, idle))
print("%.1f MB" % (got / 1e6))
' <<<"$json" >"$WRE_TMP/iperf.out" 2>&1 || wre_fail "iperf3 -c $addr $* from $role: $(cat "$WRE_TMP/iperf.out")"
	wre_log "iperf3 $role -> $addr $*: $(cat "$WRE_TMP/iperf.out")"
}

scenario_iperf()
{
	local server

	start endpoint=yes
	iperf_server lan "$TOPO_LAN4"
	server=$WRI_LAST_PID
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	iperf_check br "$TOPO_LAN4" 3
	iperf_check br "$TOPO_LAN4" 3 -R
	wri_kill "$server"
	iperf_server lan "$TOPO_LAN6"
	iperf_check br "$TOPO_LAN6" 3
	iperf_check br "$TOPO_LAN6" 3 -R
	# an empty field (wg show failed) is no pass
	[ "$(topo_gw_dump_field 6)" -gt 1000000 ] && [ "$(topo_gw_dump_field 7)" -gt 1000000 ] ||
		wre_fail "wg show on the gateway: rx $(topo_gw_dump_field 6) tx $(topo_gw_dump_field 7) bytes"
	wre_gateway_stop
}

scenario_outer6()
{
	local sums

	start endpoint=yes outer=6
	topo_ping lan "$TOPO_BR4" -W 10
	topo_ping lan -6 "$TOPO_BR6" -W 10
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	topo_ping br -6 -I "$TOPO_BR6" "$TOPO_LAN6" -W 10
	[ "$(topo_gw_dump_field 3)" = "[$TOPO_BRWAN6]:$TOPO_PORT" ] ||
		wre_fail "the gateway's endpoint for the branch: $(topo_gw_dump_field 3)"
	grep -qF "[$TOPO_GWWAN6]:$TOPO_PORT" <<<"$(wre_nsx br wg show "$TOPO_BR_WG" endpoints)" ||
		wre_fail "the branch's endpoint for the gateway is not IPv6"
	iperf_server lan "$TOPO_LAN4"
	iperf_check br "$TOPO_LAN4" 3
	iperf_check br "$TOPO_LAN4" 3 -R
	# IPv6 requires a UDP checksum: computed although UDPChecksum is auto
	sums=$(udp_sums_of_pings auto6 6)
	wre_log "UDPChecksum unset, outer IPv6: $sums"
	[[ "$sums" =~ ^zero\ 0\ good\ ([0-9]+)\ bad\ 0$ ]] && [ "${BASH_REMATCH[1]}" -ge 6 ] ||
		wre_fail "data messages over IPv6: $sums, not all right"
	wre_gateway_stop
}

scenario_psk()
{
	wri_wg_genpsk gb
	start endpoint=yes psk="$WRE_TMP/gb.psk"
	topo_ping lan "$TOPO_BR4" -W 10
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	# (the gateway's UAPI never returns secrets: `wg show` there lists no preshared key;
	# psk_mismatch shows that the key is used)
	topo_gw_handshaken || wre_fail "wg show reports no handshake on the gateway"
	grep -q "Received handshake initiation" "$WRI_TMP/$TOPO_BR_WG.log" ||
		wre_fail "the gateway did not initiate the first handshake"
	# and the other way round: the branch forgets its session and initiates with the key
	wre_nsx br wg set "$TOPO_BR_WG" peer "$(cat "$WRE_TMP/gw.pub")" remove
	wre_nsx br wg set "$TOPO_BR_WG" peer "$(cat "$WRE_TMP/gw.pub")" \
		allowed-ips 192.0.2.0/24,2001:db8:1::/64 endpoint "$TOPO_GWWAN4:$TOPO_PORT" \
		preshared-key "$WRE_TMP/gb.psk" || wre_fail "wg set on the branch"
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	grep -q "Received handshake response" "$WRI_TMP/$TOPO_BR_WG.log" ||
		wre_fail "the branch's handshake got no response from the gateway"
	topo_ping lan -6 "$TOPO_BR6" -W 10
	wre_gateway_stop
}

scenario_psk_mismatch()
{
	local hs

	wri_wg_genpsk gb
	topo_build ""
	topo_gateway_conf "$WRE_TMP/gw.conf" endpoint=yes psk="$WRE_TMP/gb.psk"
	topo_branch_up endpoint=yes
	topo_gateway_up "$WRE_TMP/gw.conf"
	! wre_nsx br ping -n -c 4 -i 0.5 -W 1 -I "$TOPO_BR4" "$TOPO_LAN4" >/dev/null 2>&1 ||
		wre_fail "an echo passed the tunnel with mismatched preshared keys"
	! wre_nsx lan ping -n -c 2 -i 0.5 -W 1 "$TOPO_BR4" >/dev/null 2>&1 ||
		wre_fail "an echo passed the tunnel with mismatched preshared keys"
	# the gateway took part (a gateway that dropped everything would pass the rest): it took
	# the branch's initiations, which the preshared key does not enter, and answered them;
	# the answers are what the branch cannot open
	[ "$(topo_gw_dump_field 6)" -gt 0 ] && [ "$(topo_gw_dump_field 7)" -gt 0 ] ||
		wre_fail "the gateway exchanged nothing with the branch: rx $(topo_gw_dump_field 6)" \
			"tx $(topo_gw_dump_field 7) bytes"
	hs=$(topo_gw_dump_field 5)
	[ "$hs" = 0 ] || wre_fail "the gateway reports a handshake at '$hs'"
	[ -z "$(wri_wg_handshake_age br "$TOPO_BR_WG" "$(cat "$WRE_TMP/gw.pub")")" ] ||
		wre_fail "wireguard-go reports a handshake"
	wre_gateway_stop
}

scenario_roam()
{
	local pid json

	start endpoint=yes
	iperf_server lan "$TOPO_LAN4"
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	wri_bg br "$WRE_TMP/iperf-roam.json" iperf3 -c "$TOPO_LAN4" -t 6 -J
	pid=$WRI_LAST_PID
	sleep 2
	# DESIGN.md: move the address, then rebind (wireguard-go keeps the deleted source otherwise)
	wre_nsx br ip addr del "$TOPO_BRWAN4/24" dev "$TOPO_BR_IF"
	wre_nsx br ip addr add 203.0.113.3/24 dev "$TOPO_BR_IF"
	wre_nsx br wg set "$TOPO_BR_WG" listen-port 51821 || wre_fail "wg set listen-port"
	wait "$pid" || wre_fail "iperf3 across the roam failed: $(cat "$WRE_TMP/iperf-roam.json")"
	/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
iv = [i["sum"]["bytes"] for i in r["intervals"]]
if len(iv) < 5 or sum(iv[-2:]) == 0:
    sys.exit("nothing received after the roam: %s" % iv)
' "$WRE_TMP/iperf-roam.json" || wre_fail "the stream stopped at the roam"
	[ "$(topo_gw_dump_field 3)" = "203.0.113.3:51821" ] ||
		wre_fail "the gateway's endpoint for the branch is $(topo_gw_dump_field 3)"
	topo_ping lan "$TOPO_BR4" -W 10
	wre_gateway_stop
}

scenario_keepalive()
{
	local n

	wri_need_cmd tcpdump
	topo_build ""
	# on the gateway only: with both sides keeping alive from the start, their first
	# initiations cross and each side waits for REKEY_TIMEOUT (5 s) before it tries again
	topo_gateway_conf "$WRE_TMP/gw.conf" endpoint=yes keepalive=1
	topo_branch_up endpoint=yes
	topo_gateway_up "$WRE_TMP/gw.conf"
	# the gateway's first keepalive makes it handshake
	wre_wait 10 topo_gw_handshaken || wre_fail "no handshake from the gateway's persistent keepalive"
	topo_ping lan "$TOPO_BR4" -W 10
	# keepalives: data messages of 32 bytes (header and tag, nothing inside) from the gateway
	wre_capture_start br "$TOPO_BR_IF" ka "udp and src host $TOPO_GWWAN4 and udp[4:2] = 40 and \
udp[8] = 4"
	# two or more, waited for (one a second is configured; a loaded machine may be late)
	# shellcheck disable=SC2016 # expanded by eval, at each try
	wre_wait 15 eval '[ "$(wre_pcap_count "$WRE_TMP/ka.pcap")" -ge 2 ]' || true
	wre_capture_stop "$WRE_CAPTURE_PID"
	n=$(/usr/bin/python3 "$(dirname "$0")/wr_craft.py" count "$WRE_TMP/ka.pcap" --type 4)
	[ "$n" -ge 2 ] || wre_fail "$n keepalives from the gateway in 15 s, PersistentKeepalive = 1"
	grep -q "Receiving keepalive packet" "$WRI_TMP/$TOPO_BR_WG.log" ||
		wre_fail "wireguard-go did not take the gateway's keepalives"
	wre_log "$n keepalives seen"
	wre_gateway_stop
}

# udp_sums_of_pings NAME OUTER: ping the branch from the LAN host and back over the outer
# family OUTER while the WAN link is captured; prints the gateway's data messages' checksums
# ("zero Z good G bad B", wr_craft.py udp-sums)
udp_sums_of_pings()
{
	local name=$1 outer=$2 src=$TOPO_GWWAN4

	[ "$outer" = 6 ] && src=$TOPO_GWWAN6
	wre_capture_start br "$TOPO_BR_IF" "$name" "udp and src host $src and udp src port $TOPO_PORT"
	topo_ping lan "$TOPO_BR4" -W 10
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	wre_capture_stop "$WRE_CAPTURE_PID"
	/usr/bin/python3 "$(dirname "$0")/wr_craft.py" udp-sums "$WRE_TMP/$name.pcap" --type 4
}

scenario_udp_checksum()
{
	local sums

	wri_need_cmd tcpdump
	start endpoint=yes
	sums=$(udp_sums_of_pings auto4 4)
	wre_log "UDPChecksum unset, outer IPv4: $sums"
	# six echo requests or replies at least (the pings passed: wireguard-go took them)
	[[ "$sums" =~ ^zero\ ([0-9]+)\ good\ 0\ bad\ 0$ ]] && [ "${BASH_REMATCH[1]}" -ge 6 ] ||
		wre_fail "data messages over IPv4 with UDPChecksum unset: $sums, not all zero"
	wre_gateway_stop

	topo_gateway_conf "$WRE_TMP/gw.conf" endpoint=yes udpsum=on
	topo_gateway_up "$WRE_TMP/gw.conf"
	sums=$(udp_sums_of_pings on4 4)
	wre_log "UDPChecksum = on, outer IPv4: $sums"
	[[ "$sums" =~ ^zero\ 0\ good\ ([0-9]+)\ bad\ 0$ ]] && [ "${BASH_REMATCH[1]}" -ge 6 ] ||
		wre_fail "data messages over IPv4 with UDPChecksum = on: $sums, not all right"
	wre_gateway_stop
}

# A second wireguard-go in the branch's namespace, on port 51821, is the gateway's second peer:
# tunnel address 198.51.100.129, AllowedIPs 198.51.100.128/25 and 2001:db8:4::/64 at the
# gateway (the first peer's /24 narrows to 198.51.100.0/25). The branch routes the LAN host's
# second address, 192.0.2.3, through the second peer.
scenario_two_peers()
{
	local b2 p2 rx1 rx2 n

	wri_need_cmd iperf3 tcpdump
	topo_build ""
	b2=$(wre_if b2)
	wri_wg_genkey b2
	p2=$(cat "$WRE_TMP/b2.pub")
	TOPO_EXTRA_PEERS="[Peer]
PublicKey = $p2
AllowedIPs = 198.51.100.128/25, 2001:db8:4::/64
Endpoint = $TOPO_BRWAN4:51821"
	topo_gateway_conf "$WRE_TMP/gw.conf" endpoint=yes
	sed -i 's|^AllowedIPs = 198.51.100.0/24, |AllowedIPs = 198.51.100.0/25, |' "$WRE_TMP/gw.conf"
	grep -q '^AllowedIPs = 198.51.100.0/25, ' "$WRE_TMP/gw.conf" ||
		wre_fail "cannot narrow the first peer's AllowedIPs in the configuration"
	topo_branch_up endpoint=yes
	wri_wg_start br "$b2"
	wre_nsx br wg set "$b2" private-key "$WRE_TMP/b2.key" listen-port 51821 \
		peer "$(cat "$WRE_TMP/gw.pub")" allowed-ips 192.0.2.0/24,2001:db8:1::/64 \
		endpoint "$TOPO_GWWAN4:$TOPO_PORT" || wre_fail "wg set $b2"
	wre_nsx br ip addr add 198.51.100.129/32 dev "$b2"
	wre_nsx br ip -6 addr add 2001:db8:4::1/64 dev "$b2" nodad
	wre_nsx br ip link set "$b2" up
	wre_nsx br ip route add 192.0.2.3/32 dev "$b2"
	# what the second peer's address sends goes through the second peer (another office)
	wre_nsx br ip rule add from 198.51.100.129 table 100
	wre_nsx br ip route add 192.0.2.0/24 dev "$b2" table 100
	wri_addr lan "$TOPO_LAN_IF" 192.0.2.3/24
	topo_gateway_up "$WRE_TMP/gw.conf"

	[ "$(topo_gw_wg show "$TOPO_GW_WG" peers | wc -l)" -eq 2 ] ||
		wre_fail "wg show on the gateway does not list two peers"
	[ "$(topo_gw_dump_field 4 "$p2")" = "198.51.100.128/25,2001:db8:4::/64" ] ||
		wre_fail "the second peer's allowed ips: $(topo_gw_dump_field 4 "$p2")"

	# each peer reaches the LAN from its own addresses
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	topo_ping br -I 198.51.100.129 192.0.2.3 -W 10
	# the gateway routes each peer's addresses to that peer only
	rx1=$(wre_nsx br wg show "$TOPO_BR_WG" transfer | awk '{ print $2 }')
	rx2=$(wre_nsx br wg show "$b2" transfer | awk '{ print $2 }')
	topo_ping lan 198.51.100.129 -W 10
	[ "$(wre_nsx br wg show "$TOPO_BR_WG" transfer | awk '{ print $2 }')" -eq "$rx1" ] ||
		wre_fail "the first peer received traffic for the second peer's address"
	[ "$(wre_nsx br wg show "$b2" transfer | awk '{ print $2 }')" -gt "$rx2" ] ||
		wre_fail "the second peer received nothing for its address"
	rx1=$(wre_nsx br wg show "$TOPO_BR_WG" transfer | awk '{ print $2 }')
	rx2=$(wre_nsx br wg show "$b2" transfer | awk '{ print $2 }')
	topo_ping lan "$TOPO_BR4" -W 10
	[ "$(wre_nsx br wg show "$b2" transfer | awk '{ print $2 }')" -eq "$rx2" ] ||
		wre_fail "the second peer received traffic for the first peer's address"
	[ "$(wre_nsx br wg show "$TOPO_BR_WG" transfer | awk '{ print $2 }')" -gt "$rx1" ] ||
		wre_fail "the first peer received nothing for its address"

	# the second peer may not send from the first peer's addresses
	wre_gateway_counters
	n=$(wre_counter SPOOFED_SOURCE)
	wre_capture_start lan "$TOPO_LAN_IF" spoof "icmp and src host $TOPO_BR4"
	! wre_nsx br ping -n -c 3 -i 0.2 -W 1 -I "$TOPO_BR4" 192.0.2.3 >/dev/null 2>&1 ||
		wre_fail "the second peer got an echo through with the first peer's source address"
	wre_capture_stop "$WRE_CAPTURE_PID"
	[ "$(wre_pcap_count "$WRE_TMP/spoof.pcap")" = 0 ] ||
		wre_fail "the LAN host received the second peer's packets from the first peer's source"
	wre_counter_reaches SPOOFED_SOURCE $((n + 3)) ||
		wre_fail "SPOOFED_SOURCE went from $n to $(wre_counter SPOOFED_SOURCE), 3 sent"
	wre_gateway_stop
}

# The second branch's wireguard-go runs in the branch's namespace (its UDP socket is there, on
# port 51821) but its interface moves to a namespace of its own, br2: the first branch's packets
# to the second's addresses then go through the gateway, not straight to a local address.
# With "ifaces", the second branch is the peer of a second [Interface] of the gateway (its own
# key, listen port 51822): the way back into a tunnel crosses interfaces.
scenario_hub()
{
	local mode=${1:-} b2 p2 n gwpub2 g2 gwport2=$TOPO_PORT

	wri_need_cmd tcpdump
	topo_build ""
	b2=$(wre_if b2)
	wri_wg_genkey b2
	p2=$(cat "$WRE_TMP/b2.pub")
	gwpub2=$(cat "$WRE_TMP/gw.pub")
	TOPO_EXTRA_PEERS="[Peer]
PublicKey = $p2
AllowedIPs = 198.51.100.128/25, 2001:db8:4::/64
Endpoint = $TOPO_BRWAN4:51821"
	if [ "$mode" = ifaces ]; then
		g2=$(wre_if g2)
		WRI_WG_IFS+=("$g2")
		wri_wg_genkey gw2
		gwpub2=$(cat "$WRE_TMP/gw2.pub")
		gwport2=51822
		TOPO_EXTRA_PEERS="[Interface $g2]
PrivateKey = $(cat "$WRE_TMP/gw2.key")
ListenPort = $gwport2
Port = wan
MTU = 1280

$TOPO_EXTRA_PEERS"
	fi
	topo_gateway_conf "$WRE_TMP/gw.conf" endpoint=yes
	sed -i -e 's|^AllowedIPs = 198.51.100.0/24, |AllowedIPs = 198.51.100.0/25, |' \
		-e "/^Address = $TOPO_GWWAN4\/24/a Route = 0.0.0.0/0 via $TOPO_BRWAN4\nRoute = ::/0 via $TOPO_BRWAN6" \
		"$WRE_TMP/gw.conf"
	grep -q '^AllowedIPs = 198.51.100.0/25, ' "$WRE_TMP/gw.conf" &&
		grep -q "^Route = ::/0 via $TOPO_BRWAN6" "$WRE_TMP/gw.conf" ||
		wre_fail "cannot edit the configuration: $(cat "$WRE_TMP/gw.conf")"
	topo_branch_up endpoint=yes
	# the first branch routes the second's networks to the gateway
	wre_nsx br wg set "$TOPO_BR_WG" peer "$(cat "$WRE_TMP/gw.pub")" \
		allowed-ips 192.0.2.0/24,2001:db8:1::/64,198.51.100.128/25,2001:db8:4::/64 ||
		wre_fail "wg set $TOPO_BR_WG"
	wre_nsx br ip route add 198.51.100.128/25 dev "$TOPO_BR_WG"
	wre_nsx br ip -6 route add 2001:db8:4::/64 dev "$TOPO_BR_WG"
	# the second branch, and its way back to the first through the gateway
	wri_wg_start br "$b2"
	wre_nsx br wg set "$b2" private-key "$WRE_TMP/b2.key" listen-port 51821 \
		peer "$gwpub2" allowed-ips 198.51.100.0/25,2001:db8:3::/64 \
		endpoint "$TOPO_GWWAN4:$gwport2" || wre_fail "wg set $b2"
	wre_ns_add br2
	wre_nsx br ip link set "$b2" netns "$(wre_ns br2)" || wre_fail "cannot move $b2 to br2"
	wre_nsx br2 ip addr add 198.51.100.129/32 dev "$b2"
	wre_nsx br2 ip -6 addr add 2001:db8:4::1/64 dev "$b2" nodad
	wre_nsx br2 ip link set "$b2" up
	wre_nsx br2 ip route add 198.51.100.0/25 dev "$b2"
	wre_nsx br2 ip -6 route add 2001:db8:3::/64 dev "$b2"
	topo_gateway_up "$WRE_TMP/gw.conf"

	wre_capture_start br "$TOPO_BR_IF" plain \
		"icmp or (icmp6 and (host 2001:db8:3::1 or host 2001:db8:4::1))"
	# the second branch's wireguard-go got its interface's packets before the move: it still
	# serves it from the other namespace (a ping the other way would fail, not pass, if not)
	topo_ping br -I "$TOPO_BR4" 198.51.100.129 -W 10
	topo_ping br -6 -I "$TOPO_BR6" 2001:db8:4::1 -W 10
	topo_ping br2 -I 198.51.100.129 "$TOPO_BR4" -W 10
	if [ "$mode" = ifaces ]; then
		# the second interface's MTU is 1280: a 1328-byte packet without DF from the first
		# branch is fragmented on its way back into a tunnel, and the second branch answers
		topo_ping br -I "$TOPO_BR4" -M dont -s 1300 198.51.100.129 -W 10
	fi
	wre_capture_stop "$WRE_CAPTURE_PID"
	n=$(wre_pcap_count "$WRE_TMP/plain.pcap")
	[ "$n" = 0 ] || {
		tcpdump -r "$WRE_TMP/plain.pcap" -n 2>/dev/null | head -5 >&2
		wre_fail "$n of the branches' packets on the WAN link in plaintext"
	}
	[ "$(wre_nsx br wg show "$b2" transfer | awk '{ print $2 }')" -gt 0 ] ||
		wre_fail "the second branch received nothing from the gateway"
	wre_gateway_stop
}

wre_init
case "$SCENARIO" in
iperf | outer6 | psk | psk_mismatch | roam | keepalive | udp_checksum | two_peers | hub)
	"scenario_$SCENARIO"
	;;
hub_ifaces) scenario_hub ifaces ;;
*) wre_fail "unknown scenario $SCENARIO" ;;
esac
wre_log "ok"
