#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end checks of the gateway as a router between the LAN and the tunnel, in topo.sh's
# topology (a LAN host behind port lan, the branch's wireguard-go behind port wan), against what
# Linux with a WireGuard interface does:
#
#   ttl           `ping -t 1` from the LAN host towards the branch gets "time to live exceeded"
#                 from the gateway's LAN address (IPv4, and "hop limit" for IPv6); from the branch
#                 towards the LAN host, through the tunnel, from the gateway's tunnel address
#   fragment      1500 bytes of IPv4 without DF from the LAN host over the 1420-byte tunnel are
#                 fragmented by the gateway and answered; with DF they get "fragmentation
#                 needed"; IPv6 gets "packet too big"
#   tunnel_addr   the LAN host pings the gateway's own tunnel addresses ([Interface] Address):
#                 the gateway answers, the branch receives nothing
#   outer_frag    fragmented UDP to the gateway's listen port is dropped and counted as
#                 ip6_fragment (outer fragments are not reassembled); IPv6 only, see there
#   checksum      an echo request with a bad IPv4 header checksum from the LAN host is dropped
#                 and counted as ip4_checksum, nothing reaches the branch; one with IP options
#                 (ping -R, a 60-byte header) and good checksums goes through and is answered
#
# Usage: forward.sh WIRERATE SCENARIO
set -uo pipefail

WIRERATE=$1
SCENARIO=$2
WRE_NAME="e2e-forward-$SCENARIO"
# shellcheck source=tests/e2e/wre.sh
. "$(dirname "$0")/wre.sh"
# shellcheck source=tests/e2e/topo.sh
. "$(dirname "$0")/topo.sh"

# the gateway's own addresses inside the tunnel, in the scenarios that give it some
TUN4=198.51.100.254
TUN6=2001:db8:3::fe

# start "GATEWAY OPTIONS" "BRANCH OPTIONS": topo.sh's options, space-separated
start()
{
	local gw br

	read -ra gw <<<"$1"
	read -ra br <<<"$2"
	topo_build
	topo_gateway_conf "$WRE_TMP/gw.conf" "${gw[@]}"
	topo_branch_up "${br[@]}"
	topo_gateway_up "$WRE_TMP/gw.conf"
}

# the branch lets the gateway's tunnel addresses through (its AllowedIPs for the gateway)
branch_allows_tunnel_addrs()
{
	wre_nsx br wg set "$TOPO_BR_WG" peer "$(cat "$WRE_TMP/gw.pub")" allowed-ips \
		"192.0.2.0/24,2001:db8:1::/64,$TUN4/32,$TUN6/128"
}

# bytes the branch received through the tunnel from the gateway
# The bytes the branch's wireguard-go received; false when wg show says nothing, so that the
# callers fail rather than take the difference of two empty answers for 0
branch_rx()
{
	local n

	n=$(wre_nsx br wg show "$TOPO_BR_WG" transfer | awk '{ print $2 }')
	[ -n "$n" ] && echo "$n"
}

scenario_ttl()
{
	local out

	start "endpoint=yes address=$TUN4/24,$TUN6/64" "endpoint=no"
	branch_allows_tunnel_addrs
	topo_ping lan "$TOPO_BR4" -W 10
	topo_ping lan -6 "$TOPO_BR6"
	# LAN -> tunnel: the gateway is the first hop, and says so from its LAN address
	out=$(wre_nsx lan ping -n -c 1 -W 5 -t 1 "$TOPO_BR4" 2>&1)
	grep -q "^From $TOPO_GWLAN4 .*Time to live exceeded" <<<"$out" ||
		wre_fail "ping -t 1 from the LAN: no time exceeded from $TOPO_GWLAN4: $out"
	out=$(wre_nsx lan ping -6 -n -c 1 -W 5 -t 1 "$TOPO_BR6" 2>&1)
	grep -q "^From $TOPO_GWLAN6 .*Time exceeded: Hop limit" <<<"$out" ||
		wre_fail "ping -6 -t 1 from the LAN: no hop limit exceeded from $TOPO_GWLAN6: $out"
	# TTL 2 passes the gateway (and dies nowhere: the LAN host's peer is the branch itself)
	topo_ping lan -t 2 "$TOPO_BR4"
	# tunnel -> LAN: back through the tunnel, from the gateway's tunnel address
	out=$(wre_nsx br ping -n -c 1 -W 5 -t 1 -I "$TOPO_BR4" "$TOPO_LAN4" 2>&1)
	grep -q "^From $TUN4 .*Time to live exceeded" <<<"$out" ||
		wre_fail "ping -t 1 from the branch: no time exceeded from $TUN4: $out"
	out=$(wre_nsx br ping -6 -n -c 1 -W 5 -t 1 -I "$TOPO_BR6" "$TOPO_LAN6" 2>&1)
	grep -q "^From $TUN6 .*Time exceeded: Hop limit" <<<"$out" ||
		wre_fail "ping -6 -t 1 from the branch: no hop limit exceeded from $TUN6: $out"
	topo_ping br -t 2 -I "$TOPO_BR4" "$TOPO_LAN4"
	wre_counter_reaches ttl_exceeded 4 || wre_fail "ttl_exceeded: $(wre_counter ttl_exceeded)"
	[ "$(wre_counter icmp_ratelimited)" = 0 ] || wre_fail "errors were rate limited"
	wre_gateway_stop
}

scenario_fragment()
{
	local out

	start "endpoint=yes" "endpoint=no"
	topo_ping lan "$TOPO_BR4" -W 10
	# 1500 bytes of IPv4, DF clear, over the 1420-byte tunnel: two fragments each way
	topo_ping lan -M dont -s 1472 "$TOPO_BR4"
	# an odd size (fragments of 1400 and 21 bytes of data). Not fragments from the LAN host:
	# net_af_packet's fanout asks the kernel to reassemble IPv4 (PACKET_FANOUT_FLAG_DEFRAG),
	# so a DPDK port on a veth never sees them
	topo_ping lan -M dont -s 1393 "$TOPO_BR4"
	wre_gateway_counters
	[ "$(wre_counter TOO_BIG)" = 0 ] || wre_fail "TOO_BIG drops: $WRE_COUNTERS"
	# DF set: fragmentation needed, as before
	out=$(wre_nsx lan ping -n -c 1 -W 5 -M "do" -s 1472 "$TOPO_BR4" 2>&1)
	grep -q "mtu = 1420\|mtu=1420\|Frag needed" <<<"$out" ||
		wre_fail "no fragmentation needed for 1500 bytes with DF: $out"
	# IPv6 is never fragmented on the way
	out=$(wre_nsx lan ping -6 -n -c 1 -W 5 -s 1452 "$TOPO_BR6" 2>&1)
	grep -q "mtu = 1420\|mtu=1420\|Packet too big" <<<"$out" ||
		wre_fail "no packet too big for 1500 bytes of IPv6: $out"
	topo_ping lan "$TOPO_BR4"
	wre_gateway_stop
}

scenario_tunnel_addr()
{
	local before after

	start "endpoint=yes address=$TUN4/24,$TUN6/64" "endpoint=no"
	topo_ping lan "$TOPO_BR4" -W 10
	topo_ping lan -6 "$TOPO_BR6"
	before=$(branch_rx) || wre_fail "wg show on the branch: no transfer counters"
	topo_ping lan "$TUN4"
	topo_ping lan -6 "$TUN6"
	after=$(branch_rx) || wre_fail "wg show on the branch: no transfer counters"
	# six echo requests through the tunnel would be 6 * (84 + 32) bytes and more: only a
	# keepalive (32 bytes) may have gone meanwhile
	[ "$((after - before))" -le 64 ] ||
		wre_fail "the branch received $((after - before)) bytes while the gateway was pinged"
	wre_counter_reaches echo_replies 6 || wre_fail "echo_replies: $(wre_counter echo_replies)"
	wre_gateway_stop
}

# one UDP datagram of SIZE bytes from ROLE to ADDR:PORT (the sender's kernel fragments it)
send_udp()
{
	local role=$1 family=$2 addr=$3 port=$4 size=$5

	wre_nsx "$role" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(int(sys.argv[1]), socket.SOCK_DGRAM)
s.sendto(b"\x04" + bytes(int(sys.argv[4]) - 1), (sys.argv[2], int(sys.argv[3])))
' "$family" "$addr" "$port" "$size" || wre_fail "could not send UDP from $role"
}

scenario_outer_frag()
{
	start "endpoint=yes" "endpoint=no"
	topo_ping lan "$TOPO_BR4" -W 10
	# 3000 bytes of UDP to the listen port: three IPv6 fragments on a 1500-byte link. (IPv4
	# fragments cannot be shown to the gateway here: the kernel reassembles them for
	# net_af_packet's fanout, PACKET_FANOUT_FLAG_DEFRAG, before the port sees them.)
	send_udp br 10 "$TOPO_GWWAN6" "$TOPO_PORT" 3000
	wre_counter_reaches ip6_fragment 3 ||
		wre_fail "IPv6 fragments to the listen port: $(grep '^drops:' "$WRE_TMP/gw.log" | tail -n 1)"
	[ "$(wre_counter l4_unhandled)" = 0 ] || wre_fail "a fragment counted as l4_unhandled"
	[ "$(wre_counter BAD_LENGTH)" = 0 ] || wre_fail "a fragment counted as BAD_LENGTH"
	# the tunnel is not disturbed
	topo_ping lan "$TOPO_BR4"
	wre_gateway_stop
}

scenario_checksum()
{
	local mac before after

	start "endpoint=yes" "endpoint=no"
	topo_ping lan "$TOPO_BR4" -W 10
	mac=$(wre_nsx lan ip neigh show "$TOPO_GWLAN4" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") { print $(i + 1); exit } }')
	[ -n "$mac" ] || wre_fail "no neighbour entry for the gateway on the LAN host"
	before=$(branch_rx) || wre_fail "wg show on the branch: no transfer counters"
	wre_nsx lan /usr/bin/python3 -c '
import sys, logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import Ether, IP, ICMP, sendp
ip = IP(src=sys.argv[3], dst=sys.argv[4], ttl=64) / ICMP(id=7, seq=1) / (b"x" * 56)
bad = IP(bytes(ip))
bad.chksum ^= 0x0101
sendp(Ether(dst=sys.argv[2]) / bad, iface=sys.argv[1], count=3, verbose=False)
' "$TOPO_LAN_IF" "$mac" "$TOPO_LAN4" "$TOPO_BR4" || wre_fail "could not send from the LAN host"
	wre_counter_reaches ip4_checksum 3 || wre_fail "ip4_checksum: $(wre_counter ip4_checksum)"
	after=$(branch_rx) || wre_fail "wg show on the branch: no transfer counters"
	# three echo requests through the tunnel would be 3 * (84 + 32) bytes: a keepalive at most
	[ "$((after - before))" -le 32 ] ||
		wre_fail "the branch received $((after - before)) bytes of bad-checksum packets"
	# IP options (record route: a 60-byte header) are checked word by word, and pass
	topo_ping lan -R "$TOPO_BR4"
	wre_gateway_counters
	[ "$(wre_counter ip4_checksum)" = 3 ] || wre_fail "ip4_checksum: $(wre_counter ip4_checksum)"
	wre_gateway_stop
}

wre_init
case "$SCENARIO" in
ttl | fragment | tunnel_addr | outer_frag | checksum)
	"scenario_$SCENARIO"
	;;
*) wre_fail "unknown scenario $SCENARIO" ;;
esac
wre_log "ok"
