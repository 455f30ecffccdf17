#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end checks of the wirerate gateway's first layer: usage, configuration errors, ARP/ND
# and ICMP echo on its ports, signals. The gateway runs in its own namespace on net_af_packet
# ports over veths; two hosts sit in their own namespaces on the other ends:
#
#   wre-h0 (192.0.2.2, 2001:db8:1::2) -- port lan (192.0.2.1, 2001:db8:1::1) [wirerate]
#   wre-h1 (203.0.113.2, 2001:db8:2::2) -- port wan (203.0.113.1, 2001:db8:2::1)
#
# Usage: gateway.sh WIRERATE SCENARIO   (help, bad_config, ping4, ping6, signals, workers)
set -uo pipefail

WIRERATE=$1
SCENARIO=$2
WRE_NAME="e2e-$SCENARIO"
# shellcheck source=tests/e2e/wre.sh
. "$(dirname "$0")/wre.sh"

# topology [DEVARGS]: the namespaces, the veths and $CONF; DEVARGS is added to both Devices
topology()
{
	local extra=${1:-}

	wre_need_root
	if [ "$(nproc)" -lt 2 ]; then
		wre_log "skipped: needs 2 cores (control lcore 0, worker lcore 1)"
		exit 77
	fi
	GW0=$(wre_if g0) GW1=$(wre_if g1) H0=$(wre_if h0) H1=$(wre_if h1)
	wre_ns_add gw
	wre_ns_add h0
	wre_ns_add h1
	wre_link "$GW0" h0 "$H0" 192.0.2.2/24 2001:db8:1::2/64
	wre_link "$GW1" h1 "$H1" 203.0.113.2/24 2001:db8:2::2/64
	CONF=$WRE_TMP/gw.conf
	cat >"$CONF" <<-CONF
	[Gateway]
	Control = 0
	Workers = 1
	ControlSocket = $WRE_TMP/ctrl.sock

	[Port lan]
	Device = net_af_packet0,iface=$GW0$extra
	Address = 192.0.2.1/24
	Address = 2001:db8:1::1/64

	[Port wan]
	Device = net_af_packet1,iface=$GW1$extra
	Address = 203.0.113.1/24
	Address = 2001:db8:2::1/64
	CONF
}

# ping ROLE [-6] ADDR: three echo requests, every one answered
ping_all()
{
	local role=$1 out

	shift
	out=$(wre_nsx "$role" ping -n -c 3 -i 0.2 -W 2 "$@" 2>&1)
	grep -q ' 3 received' <<<"$out" || wre_fail "ping $* from $role: $out"
}

# neigh_is ROLE ADDR MAC: the host resolved ADDR to MAC (the gateway answered ARP/ND)
neigh_is()
{
	local got

	got=$(wre_nsx "$1" ip neigh show "$2" | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p')
	[ "$got" = "$3" ] || wre_fail "$1 resolved $2 to '$got', the gateway's port is $3"
}

# counter PORT NAME: the latest value of NAME in the gateway's counters of PORT
counter()
{
	sed -n "s/^port $1: .* $2 \([0-9]*\) .*/\1/p" "$WRE_TMP/gw.log" | tail -n 1
}

request_counters()
{
	local before

	before=$(grep -c '^drops:' "$WRE_TMP/gw.log")
	kill -USR1 "$WRE_GW_PID"
	wre_wait 10 eval '[ "$(grep -c "^drops:" "$WRE_TMP/gw.log")" -gt "$before" ]' ||
		wre_fail "no counters printed on SIGUSR1"
}

scenario_help()
{
	local out rc

	out=$("$WIRERATE" --help) || wre_fail "--help exited with $?"
	grep -q '^usage: wirerate \[EAL options\] -- -c FILE' <<<"$out" ||
		wre_fail "--help printed: $out"
	out=$("$WIRERATE" -l 0 -- --help) || wre_fail "-- --help exited with $?"
	grep -q '^usage: wirerate' <<<"$out" || wre_fail "-- --help printed: $out"
	out=$("$WIRERATE" 2>&1)
	rc=$?
	[ "$rc" -eq 2 ] || wre_fail "no arguments: exit status $rc, expected 2"
	grep -q 'no configuration' <<<"$out" || wre_fail "no arguments printed: $out"
	out=$("$WIRERATE" -- --bogus 2>&1)
	rc=$?
	[ "$rc" -eq 2 ] || wre_fail "--bogus: exit status $rc, expected 2"
}

scenario_bad_config()
{
	local conf=$WRE_TMP/bad.conf out rc i

	cat >"$conf" <<-CONF
	[Port lan]
	Address = 192.0.2.1/24
	CONF
	out=$("$WIRERATE" -- -c "$conf" 2>&1)
	rc=$?
	[ "$rc" -ne 0 ] || wre_fail "a [Port] without Device was accepted"
	grep -q "^wirerate: $conf:.*Device" <<<"$out" ||
		wre_fail "no clear message for the missing Device: $out"
	! grep -q '^EAL:' <<<"$out" || wre_fail "EAL started before the configuration was valid"

	printf '[Port lan]\nDevice = net_ring0\nAddress = 192.0.2.300/24\n' >"$conf"
	out=$("$WIRERATE" -- -c "$conf" 2>&1)
	rc=$?
	[ "$rc" -ne 0 ] || wre_fail "address 192.0.2.300 was accepted"
	grep -q "^wirerate: $conf:3: " <<<"$out" || wre_fail "no message for line 3: $out"

	out=$("$WIRERATE" -- -c "$WRE_TMP/missing.conf" 2>&1)
	rc=$?
	[ "$rc" -ne 0 ] || wre_fail "a missing file was accepted"
	grep -q "missing.conf" <<<"$out" || wre_fail "no message for a missing file: $out"

	# valid syntax, but more addresses on a port than the data plane holds: refused, said so
	{
		printf '[Port lan]\nDevice = net_null0\nAddress = 192.0.2.1/24'
		for i in $(seq 2 17); do printf ', 192.0.2.%s/24' "$i"; done
		printf '\n'
	} >"$conf"
	out=$("$WIRERATE" -- -c "$conf" 2>&1)
	rc=$?
	[ "$rc" -ne 0 ] || wre_fail "17 addresses on a port were accepted"
	grep -q "^wirerate: port lan: 17 addresses, at most 16 supported" <<<"$out" ||
		wre_fail "no message for 17 addresses on a port: $out"

	# valid syntax, but the device cannot come up: refused after EAL, with the port's name
	if [ "$(id -u)" -eq 0 ]; then
		printf '[Port lan]\nDevice = net_af_packet0,iface=wrenone%s\n' "$WRE_ID" >"$conf"
		out=$("$WIRERATE" -- -c "$conf" 2>&1)
		rc=$?
		[ "$rc" -ne 0 ] || wre_fail "a port on a missing interface was accepted"
		grep -q "^wirerate: port lan: " <<<"$out" ||
			wre_fail "no message naming the port: $out"
	fi

	# the REST TCP listener cannot be had (its port taken, on the loopback of a namespace of
	# this test's own): refused, naming the TCP listener, though the unix socket was fine
	if [ "$(id -u)" -eq 0 ]; then
		wre_ns_add gw
		wri_bg gw "$WRE_TMP/taken.log" /usr/bin/python3 -c 'import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 18081))
s.listen()
print("listening", flush=True)
time.sleep(120)'
		wre_wait 10 grep -q listening "$WRE_TMP/taken.log" ||
			wre_fail "nothing took 127.0.0.1:18081: $(cat "$WRE_TMP/taken.log")"
		(umask 077 && echo token >"$WRE_TMP/token")
		cat >"$conf" <<-CONF
		[Gateway]
		ControlSocket = $WRE_TMP/ctrl.sock
		ControlAddress = 127.0.0.1:18081
		ControlTokenFile = token
		[Port lan]
		Device = net_null0
		Address = 192.0.2.1/24
		CONF
		out=$(wre_nsx gw "$WIRERATE" -- -c "$conf" 2>&1)
		rc=$?
		[ "$rc" -ne 0 ] || wre_fail "a TCP listener on a port in use was accepted"
		grep -q "^wirerate: control API: TCP listener 127.0.0.1:18081: Address already" \
			<<<"$out" || wre_fail "no message naming the TCP listener: $out"
		[ ! -e "$WRE_TMP/ctrl.sock" ] || wre_fail "the control socket is left behind"
		wri_kill "$WRI_LAST_PID"
	fi
}

scenario_ping4()
{
	local mac0 mac1

	topology
	wre_gateway_start "$CONF"
	mac0=$(wre_gateway_mac lan)
	mac1=$(wre_gateway_mac wan)
	[ -n "$mac0" ] && [ -n "$mac1" ] || wre_fail "wirerate did not report its ports' MACs"
	ping_all h0 192.0.2.1
	neigh_is h0 192.0.2.1 "$mac0"
	ping_all h1 203.0.113.1
	neigh_is h1 203.0.113.1 "$mac1"
	# an address of the subnet that is not the gateway's gets no ARP answer
	! wre_nsx h0 ping -n -c 1 -W 1 192.0.2.77 >/dev/null 2>&1 ||
		wre_fail "192.0.2.77 answered, but the gateway does not own it"
	# nor does the gateway answer for the other port's address on this link
	wre_nsx h0 ip route add 203.0.113.1/32 dev "$H0"
	! wre_nsx h0 ping -n -c 1 -W 1 203.0.113.1 >/dev/null 2>&1 ||
		wre_fail "port lan answered ARP for port wan's address"
	request_counters
	[ "$(counter lan echo_replies)" -ge 3 ] || wre_fail "port lan counted no echo replies"
	[ "$(counter lan arp_replies)" -ge 1 ] || wre_fail "port lan counted no ARP replies"
	wre_gateway_stop
}

scenario_ping6()
{
	local mac0 mac1

	topology
	wre_gateway_start "$CONF"
	mac0=$(wre_gateway_mac lan)
	mac1=$(wre_gateway_mac wan)
	ping_all h0 -6 2001:db8:1::1
	neigh_is h0 2001:db8:1::1 "$mac0"
	ping_all h1 -6 2001:db8:2::1
	neigh_is h1 2001:db8:2::1 "$mac1"
	! wre_nsx h0 ping -n -6 -c 1 -W 1 2001:db8:1::77 >/dev/null 2>&1 ||
		wre_fail "2001:db8:1::77 answered, but the gateway does not own it"
	request_counters
	[ "$(counter lan nd_adverts)" -ge 1 ] || wre_fail "port lan counted no advertisements"
	[ "$(counter wan echo_replies)" -ge 3 ] || wre_fail "port wan counted no echo replies"
	wre_gateway_stop
}

scenario_signals()
{
	topology
	wre_gateway_start "$CONF"
	ping_all h0 192.0.2.1
	request_counters
	grep -q '^port lan: rx [1-9]' "$WRE_TMP/gw.log" || wre_fail "SIGUSR1 printed no port counters"
	wre_gateway_stop
	grep -q '^wirerate: stopping on signal 15' "$WRE_TMP/gw.log" ||
		wre_fail "no clean stop on SIGTERM"
	# the ports were released: a second gateway takes the same interfaces and answers
	wre_gateway_start "$CONF"
	ping_all h1 -6 2001:db8:2::1
	kill -INT "$WRE_GW_PID"
	wre_wait 15 eval '! kill -0 "$WRE_GW_PID" 2>/dev/null' || wre_fail "wirerate ignored SIGINT"
	wait "$WRE_GW_PID" || wre_fail "wirerate exited with status $? after SIGINT"
	WRE_GW_PID=
}

# Two queue pairs per port: a TX queue for the worker and one for control, so the worker
# (lcore 1) polls every RX queue and hands the frames to the control lcore (0) over the ring.
scenario_workers()
{
	topology ,qpairs=2
	wre_gateway_start "$CONF"
	grep -q '^wirerate: lcore 1: worker txq 0 rx lan/0 lan/1 wan/0 wan/1$' "$WRE_TMP/gw.log" ||
		wre_fail "the worker does not poll every RX queue"
	grep -q '^wirerate: lcore 0: control txq 1 rx$' "$WRE_TMP/gw.log" ||
		wre_fail "the control lcore does not send on its own queue"
	ping_all h0 192.0.2.1
	ping_all h0 -6 2001:db8:1::1
	ping_all h1 203.0.113.1
	ping_all h1 -6 2001:db8:2::1
	neigh_is h1 203.0.113.1 "$(wre_gateway_mac wan)"
	request_counters
	[ "$(counter wan echo_replies)" -ge 6 ] || wre_fail "port wan counted too few echo replies"
	! grep -q '^drops:.*control_ring_full' "$WRE_TMP/gw.log" || wre_fail "handover refused"
	wre_gateway_stop
}

wre_init
case "$SCENARIO" in
help | bad_config | ping4 | ping6 | signals | workers) "scenario_$SCENARIO" ;;
*) wre_fail "unknown scenario $SCENARIO" ;;
esac
wre_log "ok"
