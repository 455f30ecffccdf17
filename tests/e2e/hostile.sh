#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end checks of what the gateway does with packets it must not trust, in the reference
# topology of topo.sh (LAN host -- wirerate -- branch office running wireguard-go). Crafted
# packets come from tests/e2e/wr_craft.py (scapy), sent from the branch's namespace; tcpdump
# captures on the links show what the gateway sent, or let through:
#
#   unauthenticated  garbage UDP to the listen port, every message type truncated and grown,
#                    unknown types, data for unknown receiver indexes, an oversized message in
#                    IP fragments, initiations with a bad mac1 and with a good mac1 but garbage
#                    inside, an initiation from a wireguard-go whose key the gateway does not
#                    know; outer IPv4 and IPv6. A capture on the WAN link shows the gateway
#                    answered none of it (no UDP, no ICMP), the drop counters name the reasons,
#                    and the real peer still gets through afterwards.
#   replay           the branch's initiation and data messages captured on the WAN link and sent
#                    again: no data reaches the LAN host twice, the gateway counts them as REPLAY,
#                    sends no handshake response to the old initiation, and the tunnel still works
#   spoof            the branch sends through its session from inner sources outside its
#                    AllowedIPs at the gateway (IPv4 and IPv6): nothing reaches the LAN host,
#                    the gateway counts SPOOFED_SOURCE, and allowed sources still pass
#
# Usage: hostile.sh WIRERATE SCENARIO
set -uo pipefail

WIRERATE=$1
SCENARIO=$2
WRE_NAME="e2e-hostile-$SCENARIO"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/wre.sh
. "$here/wre.sh"
# shellcheck source=tests/e2e/topo.sh
. "$here/topo.sh"

craft()
{
	local role=$1

	shift
	wre_nsx "$role" /usr/bin/python3 "$here/wr_craft.py" "$@"
}

start()
{
	wri_need_cmd tcpdump
	/usr/bin/python3 -c 'import scapy' 2>/dev/null || {
		wre_log "skipped: /usr/bin/python3 has no scapy (python3-scapy)"
		exit 77
	}
	topo_build ""
	topo_gateway_conf "$WRE_TMP/gw.conf" "$@"
	topo_branch_up "$@"
	topo_gateway_up "$WRE_TMP/gw.conf"
}

# sent_by PCAP ADDR: IP packets from ADDR in PCAP, neighbour discovery aside
sent_by()
{
	/usr/bin/python3 "$here/wr_craft.py" sent-by -v "$1" "$2" 2>>"$WRE_TMP/sent-by.log"
}

scenario_unauthenticated()
{
	local gwpub x n dropped sent dst

	# nobody knows an endpoint: neither side starts a handshake on its own
	start endpoint=no
	gwpub=$(cat "$WRE_TMP/gw.pub")
	# an impostor: a wireguard-go with a key the gateway does not know, in the same namespace
	x=$(wre_if x)
	wri_wg_genkey x
	wri_wg_start br "$x"
	wre_nsx br wg set "$x" private-key "$WRE_TMP/x.key" listen-port 51822 peer "$gwpub" \
		allowed-ips 192.0.2.99/32 endpoint "$TOPO_GWWAN4:$TOPO_PORT" || wre_fail "wg set $x"
	wre_nsx br ip link set "$x" up
	wre_nsx br ip route add 192.0.2.99/32 dev "$x"
	# the branch resolves the gateway's addresses now, so that the capture holds no ARP/ND
	# exchange the crafted packets would otherwise start
	topo_ping br "$TOPO_GWWAN4" -W 10
	topo_ping br -6 "$TOPO_GWWAN6" -W 10

	wre_capture_start br "$TOPO_BR_IF" wan "udp or icmp or icmp6"
	sent=0
	for dst in "$TOPO_GWWAN4" "$TOPO_GWWAN6"; do
		n=$(craft br garbage "$dst" "$TOPO_PORT" | awk '{ print $2 }')
		sent=$((sent + n))
		craft br initiation "$dst" "$TOPO_PORT" --pub "$gwpub" --mac1 bad --count 3 >/dev/null ||
			wre_fail "wr_craft.py initiation"
		craft br initiation "$dst" "$TOPO_PORT" --pub "$gwpub" --mac1 good --count 3 >/dev/null ||
			wre_fail "wr_craft.py initiation"
		sent=$((sent + 6))
	done
	# the impostor's initiations (wireguard-go retries every 5 s; one is enough)
	wre_nsx br ping -n -c 2 -W 1 192.0.2.99 >/dev/null 2>&1
	wre_wait 5 grep -q "Sending handshake initiation" "$WRI_TMP/$x.log" ||
		wre_fail "the impostor sent no initiation"
	sleep 1
	wre_capture_stop
	# compared as strings: an empty answer (wr_craft.py failed) is no pass
	[ "$(sent_by "$WRE_TMP/wan.pcap" "$TOPO_GWWAN4")" = 0 ] &&
		[ "$(sent_by "$WRE_TMP/wan.pcap" "$TOPO_GWWAN6")" = 0 ] ||
		wre_fail "the gateway answered unauthenticated packets: $(cat "$WRE_TMP/sent-by.log")"
	[ -z "$(wri_wg_handshake_age br "$x" "$gwpub")" ] ||
		wre_fail "the impostor completed a handshake"

	# nothing authenticated: no handshake, no endpoint learnt
	[ "$(topo_gw_dump_field 3)" = "(none)" ] ||
		wre_fail "the gateway learnt an endpoint from crafted packets: $(topo_gw_dump_field 3)"
	[ "$(topo_gw_dump_field 5)" = 0 ] || wre_fail "the gateway reports a handshake"

	# the control lcore has seen the last of them once the impostor's initiation is counted
	wre_counter_reaches UNKNOWN_PEER 1 || true
	# what the workers refuse: per family, 3 data messages shorter than header and tag, 7
	# messages of unknown types or with nonzero reserved bytes, 4 data messages for unknown
	# receiver indexes
	[ "$(wre_counter BAD_LENGTH)" -ge 6 ] ||
		wre_fail "BAD_LENGTH is $(wre_counter BAD_LENGTH), 6 data messages were too short"
	[ "$(wre_counter BAD_TYPE)" -ge 14 ] ||
		wre_fail "BAD_TYPE is $(wre_counter BAD_TYPE), 14 messages had a bad type or reserved bytes"
	[ "$(wre_counter UNKNOWN_INDEX)" -ge 8 ] ||
		wre_fail "UNKNOWN_INDEX is $(wre_counter UNKNOWN_INDEX), 8 data messages had unknown indexes"
	# what the control lcore's engine refuses (SIGUSR1 prints it per interface)
	[ "$(wre_counter BAD_MAC1)" -ge 6 ] ||
		wre_fail "BAD_MAC1 is $(wre_counter BAD_MAC1), 6 initiations had a bad mac1"
	[ "$(wre_counter HANDSHAKE_DECRYPT)" -ge 6 ] ||
		wre_fail "HANDSHAKE_DECRYPT is $(wre_counter HANDSHAKE_DECRYPT), 6 were garbage"
	[ "$(wre_counter UNKNOWN_PEER)" -ge 1 ] ||
		wre_fail "UNKNOWN_PEER is $(wre_counter UNKNOWN_PEER) after the impostor's initiation"
	# every crafted packet is counted somewhere: every "NAME N" after a "drops:"
	dropped=$(awk '{
		for (i = 1; i < NF; i++)
			if ($i ~ /drops:$/)
				for (j = i + 1; j < NF; j += 2)
					n += $(j + 1)
	} END { print n + 0 }' <<<"$WRE_COUNTERS")
	[ "$dropped" -ge "$sent" ] || wre_fail "$sent crafted packets sent, $dropped drops counted"
	wre_log "$sent crafted packets; $(grep 'drops:' <<<"$WRE_COUNTERS" | tr '\n' ' ')"

	# and the real branch still gets through
	wre_nsx br wg set "$TOPO_BR_WG" peer "$gwpub" endpoint "$TOPO_GWWAN4:$TOPO_PORT"
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	topo_ping lan "$TOPO_BR4" -W 10
	wre_gateway_stop
}

scenario_replay()
{
	local n i before replayed lan_cap counted

	start endpoint=yes
	# the branch's handshake initiation (its ping starts the handshake) and its data messages
	# to the gateway: six echo requests
	wre_capture_start br "$TOPO_BR_IF" data \
		"udp and dst host $TOPO_GWWAN4 and dst port $TOPO_PORT and (udp[8] = 1 or udp[8] = 4)"
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	wre_capture_stop
	n=$(/usr/bin/python3 "$here/wr_craft.py" count "$WRE_TMP/data.pcap" --type 4)
	i=$(/usr/bin/python3 "$here/wr_craft.py" count "$WRE_TMP/data.pcap" --type 1)
	[ "$n" -ge 6 ] || wre_fail "captured $n data messages of six echo requests"
	[ "$i" -ge 1 ] || wre_fail "captured no handshake initiation from the branch"

	wre_gateway_counters
	before=$(wre_counter REPLAY)
	wre_capture_start lan "$TOPO_LAN_IF" lan "icmp and src host $TOPO_BR4"
	lan_cap=$WRE_CAPTURE_PID
	# a handshake response from the gateway would mean it took the old initiation as new
	wre_capture_start br "$TOPO_BR_IF" wan "udp and src host $TOPO_GWWAN4 and udp[8] = 2"
	replayed=$(craft br replay "$WRE_TMP/data.pcap" "$TOPO_BR_IF" --types 1,4 |
		awk '{ print $2 }')
	[ "$replayed" = $((n + i)) ] || wre_fail "replayed $replayed of $((n + i)) messages"
	# once all of them are counted the gateway is done with them, whatever it did
	wre_counter_reaches REPLAY $((before + n)) && counted=1 || counted=
	sleep 1
	wre_capture_stop
	wre_capture_stop "$lan_cap"
	[ "$(wre_pcap_count "$WRE_TMP/lan.pcap")" = 0 ] ||
		wre_fail "replayed packets reached the LAN host: $(tcpdump -r "$WRE_TMP/lan.pcap" -n)"
	[ "$(wre_pcap_count "$WRE_TMP/wan.pcap")" = 0 ] ||
		wre_fail "the gateway answered a replayed initiation: $(tcpdump -r "$WRE_TMP/wan.pcap" -n)"
	[ -n "$counted" ] || wre_fail "REPLAY went from $before to $(wre_counter REPLAY), $n replayed"
	wre_log "$n data messages and $i initiation(s) replayed, REPLAY $before -> $(wre_counter REPLAY)"
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	topo_ping lan "$TOPO_BR4" -W 10
	wre_gateway_stop
}

scenario_spoof()
{
	local before

	start endpoint=yes
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	# addresses of the branch's that the gateway does not allow it (AllowedIPs 198.51.100.0/24,
	# 2001:db8:3::/64); wireguard-go sends whatever its routes give it
	wre_nsx br ip addr add 203.0.113.200/32 dev "$TOPO_BR_WG"
	wre_nsx br ip -6 addr add 2001:db8:4::1/128 dev "$TOPO_BR_WG" nodad
	wre_gateway_counters
	before=$(wre_counter SPOOFED_SOURCE)
	wre_capture_start lan "$TOPO_LAN_IF" lan "src host 203.0.113.200 or src host 2001:db8:4::1"
	! wre_nsx br ping -n -c 3 -i 0.2 -W 1 -I 203.0.113.200 "$TOPO_LAN4" >/dev/null 2>&1 ||
		wre_fail "an echo from 203.0.113.200 was answered through the tunnel"
	! wre_nsx br ping -6 -n -c 3 -i 0.2 -W 1 -I 2001:db8:4::1 "$TOPO_LAN6" >/dev/null 2>&1 ||
		wre_fail "an echo from 2001:db8:4::1 was answered through the tunnel"
	wre_capture_stop
	[ "$(wre_pcap_count "$WRE_TMP/lan.pcap")" = 0 ] ||
		wre_fail "spoofed packets reached the LAN host: $(tcpdump -r "$WRE_TMP/lan.pcap" -n)"
	wre_counter_reaches SPOOFED_SOURCE $((before + 6)) ||
		wre_fail "SPOOFED_SOURCE went from $before to $(wre_counter SPOOFED_SOURCE), 6 sent"
	# the session itself is fine
	topo_ping br -I "$TOPO_BR4" "$TOPO_LAN4" -W 10
	topo_ping br -6 -I "$TOPO_BR6" "$TOPO_LAN6" -W 10
	wre_gateway_stop
}

wre_init
case "$SCENARIO" in
unauthenticated | replay | spoof) "scenario_$SCENARIO" ;;
*) wre_fail "unknown scenario $SCENARIO" ;;
esac
wre_log "ok"
