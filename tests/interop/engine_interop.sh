#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# usage: engine_interop.sh WR_UDP_PEER SCENARIO
#
# The wirerate protocol engine (wr_udp_peer, over a plain UDP socket) in namespace "e" against
# wireguard-go with `wg` in namespace "g":
#
#   e: wr_udp_peer  192.0.2.1:51820 ---- veth ---- 192.0.2.2:51820  wireguard-go  :g
#      tunnel 198.51.100.2, 2001:db8:1::2            tunnel 198.51.100.1/24, 2001:db8:1::1/64
#      (answered by wr_udp_peer itself)              (a TUN device)
#
# Scenarios (one meson test each):
#   engine-init        the engine initiates; ping over IPv4 from g's TUN to the engine
#   wggo-init          wireguard-go initiates (its ping does); the engine has no endpoint and
#                      learns it from the initiation
#   engine-init-psk    as engine-init, with a preshared key
#   wggo-init-psk      as wggo-init, with a preshared key
#   ping6              IPv6 inside the tunnel: ping -6 from g to the engine
#   engine-ping        the engine sends echo requests (v4 and v6) that g's kernel answers
#   rekey              time scale 20: the engine's REKEY_AFTER_TIME passes while it sends
#                      data; a second handshake completes, `wg show` sees a newer handshake,
#                      and pings keep being answered after it
#   psk-mismatch       only one side has a preshared key: no handshake may complete, no echo
#                      reaches the engine (a test that the others can fail)
#   roam               wireguard-go moves to another address and port mid-session; the engine's
#                      replies must follow it
#   underlay6          the underlay is IPv6 (2001:db8:ff::/64), IPv4 and IPv6 inside
#   sizes              echo requests of many sizes up to the tunnel MTU (padding)
#   wggo-restart       wireguard-go restarts with the same key; the engine accepts its new
#                      handshake (second one, engine as responder)
#   cookie             the engine under load answers wireguard-go's initiation with a cookie
#                      reply; wireguard-go's retry carries mac2 and completes the handshake
#   keepalive          persistent keepalives, the engine's (time scale 20), then wireguard-go's
# Every scenario ends by checking `wg show IF dump` on g (latest handshake and transfer;
# psk-mismatch: that there was no handshake) and that wr_udp_peer exits cleanly on SIGTERM with
# no sanitizer report. Needs root; skips (77) without it or without wireguard-go.
# By hand: tests/interop/engine_interop.sh build-interop/tests/interop/wr_udp_peer rekey
# (WRI_SHOW_LOGS=1 prints the engine's and wireguard-go's logs even on success).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../scripts/lib/netns.sh
. "$here/../../scripts/lib/netns.sh"

[ $# -eq 2 ] || { echo "usage: $0 WR_UDP_PEER SCENARIO" >&2; exit 2; }
peer_bin=$1
scenario=$2
# shellcheck disable=SC2034 # read by netns.sh
WRI_NAME="interop:$scenario"

wri_need_root
wri_need_cmd wireguard-go wg ip ethtool ping
[ -x "$peer_bin" ] || wri_fail "$peer_bin is not an executable"
wri_init

E_UNDER=192.0.2.1
G_UNDER=192.0.2.2
E_TUN4=198.51.100.2
G_TUN4=198.51.100.1
E_TUN6=2001:db8:1::2
G_TUN6=2001:db8:1::1
PORT=51820
E_EP_FOR_G=$E_UNDER:$PORT
ELOG=$WRI_TMP/engine.log

wri_ns_add e
wri_ns_add g
wri_veth e "$(wri_if ve)" "$E_UNDER/24" g "$(wri_if vg)" "$G_UNDER/24"
wri_wg_genkey e
wri_wg_genkey g
pub_e=$(cat "$WRI_TMP/e.pub")
pub_g=$(cat "$WRI_TMP/g.pub")
wg_g=$(wri_if gg)

# setup_wggo [PSKFILE]: wireguard-go in g with the engine as its peer at its endpoint
# ($E_EP_FOR_G: the IPv4 underlay unless a scenario changes it).
setup_wggo()
{
	local psk_args=()

	[ -z "${1:-}" ] || psk_args=(preshared-key "$1")
	wri_wg_start g "$wg_g"
	wri_nsx g wg set "$wg_g" private-key "$WRI_TMP/g.key" listen-port "$PORT" \
		peer "$pub_e" "${psk_args[@]}" endpoint "$E_EP_FOR_G" \
		allowed-ips "$E_TUN4/32,$E_TUN6/128" || wri_fail "wg set $wg_g"
	wri_addr g "$wg_g" "$G_TUN4/24"
	wri_addr g "$wg_g" "$G_TUN6/64"
	wri_nsx g ip link set "$wg_g" up || wri_fail "ip link set $wg_g up"
}

# start_engine ARGS...: wr_udp_peer in e (private key from a file, the peer's public key
# inline: both forms are exercised), waits until it listens.
start_engine()
{
	wri_bg e "$ELOG" "$peer_bin" --private-key "$WRI_TMP/e.key" --peer-public-key "$pub_g" \
		--listen "$PORT" --allowed-ips "$G_TUN4/32,$G_TUN6/128" \
		--address "$E_TUN4" --address "$E_TUN6" "$@"
	ENGINE_PID=$WRI_LAST_PID
	wri_wait 10 grep -q '^listening ' "$ELOG" || wri_fail "wr_udp_peer did not start"
	grep -q "^public-key $pub_e\$" "$ELOG" || wri_fail "wr_udp_peer derived another public key"
}

# stop_engine: SIGTERM; it must exit 0 with its stats printed and no sanitizer report (the test
# build uses ASan/UBSan; UBSan only reports, LeakSanitizer reports at exit).
stop_engine()
{
	local rc

	kill -TERM "$ENGINE_PID" 2>/dev/null
	wait "$ENGINE_PID"
	rc=$?
	[ "$rc" -eq 0 ] || wri_fail "wr_udp_peer exited with status $rc"
	engine_has '^exit code=0 signal' || wri_fail "wr_udp_peer did not exit cleanly"
	if grep -q -E 'Sanitizer|runtime error:' "$ELOG"; then
		wri_fail "sanitizer report in wr_udp_peer's log"
	fi
}

engine_has()
{
	grep -q -- "$1" "$ELOG"
}

engine_count()
{
	grep -c -- "$1" "$ELOG"
}

# engine_count_ge PATTERN N: at least N lines of the engine's log match PATTERN.
engine_count_ge()
{
	[ "$(engine_count "$1")" -ge "$2" ]
}

# wait_engine SECS PATTERN WHAT: the engine's log gets a line matching PATTERN.
wait_engine()
{
	wri_wait "$1" engine_has "$2" || wri_fail "engine: no $3 within $1 s"
}

# A raw-socket ping counts a reply with a bad ICMP checksum as received (the kernel only counts
# it): the checksums the engine's side computes are checked here.
check_g_icmp_csum()
{
	local v4 v6

	# shellcheck disable=SC2016 # awk's own $fields
	v4=$(wri_nsx g awk '$1 == "Icmp:" && $2 ~ /^[0-9]+$/ { print $4 }' /proc/net/snmp)
	# shellcheck disable=SC2016
	v6=$(wri_nsx g awk '$1 == "Icmp6InCsumErrors" { print $2 }' /proc/net/snmp6)
	[ "${v4:-0}" -eq 0 ] || wri_fail "wireguard-go's side got $v4 ICMP packets with bad checksums"
	[ "${v6:-0}" -eq 0 ] || wri_fail "wireguard-go's side got $v6 ICMPv6 packets with bad checksums"
}

# ping_from_g FAMILY DST COUNT [PING ARGS]: COUNT echo replies must come back (deadline 20 s:
# the first packet may wait for a handshake).
ping_from_g()
{
	local fam=$1 dst=$2 count=$3 log

	shift 3
	log=$WRI_TMP/ping-g-$fam-$RANDOM.txt
	if ! wri_nsx g ping "-$fam" -c "$count" -i 0.2 -w 20 "$@" "$dst" >"$log" 2>&1; then
		cat "$log" >&2
		wri_fail "ping -$fam $dst from wireguard-go's namespace"
	fi
	wri_log "ping -$fam ${*:+$* }$dst: $(grep -E 'packets transmitted' "$log")"
	check_g_icmp_csum
}

# wg_dump_peer: "handshake rx tx" of the engine as wireguard-go's `wg show dump` reports it.
wg_dump_peer()
{
	wri_nsx g wg show "$wg_g" dump | awk -v k="$pub_e" '$1 == k { print $5, $6, $7 }'
}

check_wg_dump()
{
	local hs rx tx

	read -r hs rx tx <<<"$(wg_dump_peer)"
	[ -n "${hs:-}" ] || wri_fail "wg show dump: the engine is not a peer"
	[ "$hs" -gt 0 ] || wri_fail "wg show dump: no latest handshake with the engine"
	[ "$rx" -gt 0 ] || wri_fail "wg show dump: received nothing from the engine"
	[ "$tx" -gt 0 ] || wri_fail "wg show dump: sent nothing to the engine"
	wri_log "wg show dump: latest handshake $hs, rx $rx, tx $tx"
}

check_engine_clean()
{
	if engine_has '^drop reason=\(DATA_DECRYPT\|HANDSHAKE_DECRYPT\|BAD_MAC1\|REPLAY\)'; then
		grep '^drop ' "$ELOG" >&2
		wri_fail "engine dropped authentic-looking traffic"
	fi
}

scenario_basic()
{
	local who=$1 psk=$2 pskfile=

	if [ "$psk" = psk ]; then
		wri_wg_genpsk eg
		pskfile=$WRI_TMP/eg.psk
	fi
	setup_wggo "$pskfile"
	if [ "$who" = engine ]; then
		start_engine --endpoint "$G_UNDER:$PORT" --initiate ${pskfile:+--preshared-key "$pskfile"}
		wait_engine 10 '^handshake-complete n=1' "handshake"
		# the engine was the initiator: it sent the initiation and got a response
		engine_has '^tx-message type=1 ' || wri_fail "engine sent no initiation"
		engine_has '^rx-message type=2 ' || wri_fail "engine got no response"
	else
		# no --endpoint: the engine learns it from wireguard-go's initiation
		start_engine ${pskfile:+--preshared-key "$pskfile"}
	fi
	ping_from_g 4 "$E_TUN4" 3
	[ "$(engine_count "^echo-request family=4 src=$G_TUN4 dst=$E_TUN4 ")" -ge 3 ] ||
		wri_fail "engine saw fewer than 3 echo requests"
	[ "$(engine_count '^echo-reply-sent ')" -ge 3 ] || wri_fail "engine sent fewer than 3 replies"
	engine_has '^handshake-complete n=1' || wri_fail "engine reports no handshake"
	if [ "$who" = wggo ]; then
		engine_has '^rx-message type=1 ' || wri_fail "engine got no initiation"
		engine_has '^tx-message type=2 ' || wri_fail "engine sent no response"
	fi
	check_engine_clean
	check_wg_dump
	stop_engine
}

scenario_ping6()
{
	setup_wggo
	start_engine --endpoint "$G_UNDER:$PORT"
	ping_from_g 6 "$E_TUN6" 3
	[ "$(engine_count "^echo-request family=6 src=$G_TUN6 dst=$E_TUN6 ")" -ge 3 ] ||
		wri_fail "engine saw fewer than 3 ICMPv6 echo requests"
	check_engine_clean
	check_wg_dump
	stop_engine
}

scenario_engine_ping()
{
	setup_wggo
	start_engine --endpoint "$G_UNDER:$PORT" --ping "$G_TUN4" --ping-count 3 --ping-interval 200
	wri_wait 20 engine_count_ge '^ping-reply family=4 ' 3 ||
		wri_fail "engine: fewer than 3 IPv4 echo replies from wireguard-go's side"
	stop_engine
	: >"$ELOG"
	start_engine --endpoint "$G_UNDER:$PORT" --ping "$G_TUN6" --ping-count 3 --ping-interval 200
	wri_wait 20 engine_count_ge "^ping-reply family=6 src=$G_TUN6 " 3 ||
		wri_fail "engine: fewer than 3 IPv6 echo replies from wireguard-go's side"
	check_engine_clean
	check_wg_dump
	stop_engine
}

scenario_rekey()
{
	local hs1 hs2 replies

	setup_wggo
	# REKEY_AFTER_TIME (120 s) is 6 s of real time at scale 20; the engine keeps sending data
	# (pings), so it must initiate a new handshake on its own
	start_engine --endpoint "$G_UNDER:$PORT" --initiate --time-scale 20 \
		--ping "$G_TUN4" --ping-interval 250
	wait_engine 10 '^handshake-complete n=1' "first handshake"
	wri_wait 10 engine_count_ge '^ping-reply ' 2 || wri_fail "no ping replies"
	read -r hs1 _ <<<"$(wg_dump_peer)"
	wait_engine 30 '^rekey n=1' "rekey"
	[ "$(engine_count '^tx-message type=1 ')" -ge 2 ] ||
		wri_fail "the engine did not initiate the rekey"
	replies=$(engine_count '^ping-reply ')
	# data must keep flowing on the new session
	wri_wait 10 engine_count_ge '^ping-reply ' $((replies + 3)) ||
		wri_fail "no ping replies after the rekey"
	# `wg show` has second resolution and the rekey came >= 5 s after the first handshake
	read -r hs2 _ <<<"$(wg_dump_peer)"
	[ "$hs2" -gt "$hs1" ] || wri_fail "wg show: latest handshake $hs2 not newer than $hs1"
	wri_log "wg show: handshake $hs1 then $hs2"
	check_engine_clean
	check_wg_dump
	stop_engine
}

scenario_psk_mismatch()
{
	local hs

	wri_wg_genpsk eg
	setup_wggo
	start_engine --endpoint "$G_UNDER:$PORT" --initiate --preshared-key "$WRI_TMP/eg.psk"
	# wireguard-go tries too (its ping); nobody may complete a handshake
	wri_nsx g ping -c 3 -i 0.5 -W 1 "$E_TUN4" >/dev/null 2>&1 &&
		wri_fail "ping succeeded with mismatched preshared keys"
	sleep 1
	engine_has '^handshake-complete' && wri_fail "engine completed a handshake"
	engine_has '^echo-request' && wri_fail "an echo request reached the engine"
	engine_has '^tx-message type=1 ' || wri_fail "engine sent no initiation"
	read -r hs _ <<<"$(wg_dump_peer)"
	[ "${hs:-0}" -eq 0 ] || wri_fail "wireguard-go reports a handshake"
	stop_engine
	wri_log "no handshake, as expected"
}

# wireguard-go roams: it moves to another underlay address and port; the engine must follow
# (its endpoint becomes the source of the latest authenticated packet) or the replies are lost.
scenario_roam()
{
	setup_wggo
	start_engine --endpoint "$G_UNDER:$PORT"
	ping_from_g 4 "$E_TUN4" 3
	# DESIGN.md: this wireguard-go keeps sending from a deleted address until it is rebound.
	# Delete first: deleting a primary address takes its secondaries along.
	wri_nsx g ip addr del "$G_UNDER/24" dev "$(wri_if vg)" || wri_fail "ip addr del"
	wri_addr g "$(wri_if vg)" 192.0.2.3/24
	wri_nsx g wg set "$wg_g" listen-port $((PORT + 1)) || wri_fail "wg set listen-port"
	ping_from_g 4 "$E_TUN4" 3
	ping_from_g 6 "$E_TUN6" 2
	[ "$(engine_count '^echo-reply-sent ')" -ge 8 ] || wri_fail "engine sent fewer than 8 replies"
	# the old address is gone, so the replies that came back went to the new endpoint
	check_engine_clean
	check_wg_dump
	stop_engine
}

# An IPv6 underlay: the engine's dual-stack socket and IPv6 endpoints; both inner families.
scenario_underlay6()
{
	local e6=2001:db8:ff::1 g6=2001:db8:ff::2 dumpep

	wri_addr e "$(wri_if ve)" "$e6/64"
	wri_addr g "$(wri_if vg)" "$g6/64"
	E_EP_FOR_G="[$e6]:$PORT"
	setup_wggo
	start_engine --endpoint "[$g6]:$PORT" --initiate
	wait_engine 10 '^handshake-complete n=1' "handshake"
	ping_from_g 4 "$E_TUN4" 3
	ping_from_g 6 "$E_TUN6" 3
	dumpep=$(wri_nsx g wg show "$wg_g" dump | awk -v k="$pub_e" '$1 == k { print $3 }')
	[ "$dumpep" = "[$e6]:$PORT" ] || wri_fail "wireguard-go sees the engine at $dumpep"
	check_engine_clean
	check_wg_dump
	stop_engine
}

# Inner packets of many sizes, up to the tunnel MTU (1420): WireGuard's padding to 16 bytes
# must be undone by the inner IP length on both sides.
scenario_sizes()
{
	local size

	setup_wggo
	start_engine --endpoint "$G_UNDER:$PORT"
	for size in 0 1 15 16 17 100 1000 1392; do
		ping_from_g 4 "$E_TUN4" 2 -s "$size"
	done
	for size in 0 17 1372; do
		ping_from_g 6 "$E_TUN6" 2 -s "$size"
	done
	engine_has '^rx-packet family=4 .* len=1420$' || wri_fail "no 1420-byte IPv4 packet"
	engine_has '^rx-packet family=6 .* len=1420$' || wri_fail "no 1420-byte IPv6 packet"
	check_engine_clean
	check_wg_dump
	stop_engine
}

# wireguard-go restarts with the same key (and a fresh session): its new initiation carries a
# newer timestamp, the engine must answer it as a second handshake and traffic goes on.
scenario_wggo_restart()
{
	setup_wggo
	start_engine --endpoint "$G_UNDER:$PORT"
	ping_from_g 4 "$E_TUN4" 2
	wri_wg_stop "$wg_g"
	setup_wggo
	ping_from_g 4 "$E_TUN4" 2
	ping_from_g 6 "$E_TUN6" 2
	engine_has '^handshake-complete n=2' || wri_fail "engine: no second handshake"
	[ "$(engine_count '^tx-message type=2 ')" -ge 2 ] || wri_fail "engine sent < 2 responses"
	check_engine_clean
	check_wg_dump
	stop_engine
}

# The engine under load: wireguard-go's first initiation (no mac2) gets a cookie reply and no
# response; its retry (REKEY_TIMEOUT later) carries mac2 from that cookie and is answered.
scenario_cookie()
{
	setup_wggo
	start_engine --under-load
	ping_from_g 4 "$E_TUN4" 2
	engine_has '^tx-message type=3 ' || wri_fail "engine sent no cookie reply"
	engine_has '^drop reason=COOKIE_SENT ' || wri_fail "engine did not count COOKIE_SENT"
	[ "$(engine_count '^rx-message type=1 ')" -ge 2 ] ||
		wri_fail "wireguard-go did not retry its initiation"
	engine_has '^handshake-complete n=1' || wri_fail "engine: no handshake"
	check_engine_clean
	check_wg_dump
	stop_engine
}

# Persistent keepalives, one side at a time (a received packet also postpones a side's own
# persistent keepalive, so both at once would hide the slower one). Each phase stays well within
# REJECT_AFTER_TIME of engine time (9 s real at scale 20): wireguard-go's clock is not scaled and
# would keep using a key that the engine has expired.
scenario_keepalive()
{
	local before after

	setup_wggo
	# the engine's: every 25 s of engine time, 1.25 s of real time
	start_engine --endpoint "$G_UNDER:$PORT" --initiate --time-scale 20 --keepalive 25
	wait_engine 10 '^handshake-complete n=1' "handshake"
	read -r _ before _ <<<"$(wg_dump_peer)"
	wri_wait 8 engine_count_ge '^tx-keepalive' 4 || wri_fail "engine sent < 4 keepalives"
	read -r _ after _ <<<"$(wg_dump_peer)"
	# the first keepalive may have arrived before $before was read
	[ "$after" -ge $((before + 2 * 32)) ] ||
		wri_fail "wireguard-go received too little: $before then $after bytes"
	if engine_has '^drop ' || engine_has '^echo-request'; then
		wri_fail "unexpected drops or data in the engine's log"
	fi
	stop_engine

	# wireguard-go's: every second, to a fresh engine without keepalives of its own
	: >"$ELOG"
	start_engine --endpoint "$G_UNDER:$PORT" --initiate --time-scale 20
	wait_engine 10 '^handshake-complete n=1' "handshake"
	wri_nsx g wg set "$wg_g" peer "$pub_e" persistent-keepalive 1 || wri_fail "wg set keepalive"
	wri_wait 8 engine_count_ge '^rx-keepalive' 3 || wri_fail "engine got < 3 keepalives"
	if engine_has '^drop ' || engine_has '^echo-request'; then
		grep '^drop ' "$ELOG" >&2
		wri_fail "unexpected drops or data in the engine's log"
	fi
	check_wg_dump
	stop_engine
}

case "$scenario" in
engine-init) scenario_basic engine nopsk ;;
wggo-init) scenario_basic wggo nopsk ;;
engine-init-psk) scenario_basic engine psk ;;
wggo-init-psk) scenario_basic wggo psk ;;
ping6) scenario_ping6 ;;
engine-ping) scenario_engine_ping ;;
rekey) scenario_rekey ;;
psk-mismatch) scenario_psk_mismatch ;;
roam) scenario_roam ;;
underlay6) scenario_underlay6 ;;
sizes) scenario_sizes ;;
keepalive) scenario_keepalive ;;
wggo-restart) scenario_wggo_restart ;;
cookie) scenario_cookie ;;
*) wri_fail "unknown scenario $scenario" ;;
esac
wri_log "PASS"
