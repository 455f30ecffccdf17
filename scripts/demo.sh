#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# wirerate's main job, shown end to end on this machine (as root): a branch office running
# wireguard-go and a LAN host, each in its own network namespace, the wirerate gateway between
# them on DPDK af_packet ports; traffic through the tunnel both ways, then the gateway's own view
# of it (`wg show` on its UAPI socket, its counters, its REST API). Everything it creates is
# removed when it ends, however it ends. Installs what is missing and builds (release) first;
# ends with a short crypto benchmark.
#
#   wre-lan-ID (LAN host)        wre-gw-ID (wirerate)                 wre-br-ID (branch office)
#   192.0.2.2 --------- port lan 192.0.2.1   port wan 203.0.113.1 --------- 203.0.113.2
#   2001:db8:1::2                2001:db8:1::1  2001:db8:2::1                wireguard-go:
#                                WireGuard interface on wan:51820            198.51.100.1
#                                                                            2001:db8:3::1
#
# usage: scripts/demo.sh [--no-build]   (--no-build: use build/ as it is)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)

build=1
case "${1:-}" in
--no-build) build= ;;
-h | --help) sed -n '/^# wirerate/,/^# usage/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
'') ;;
*) echo "demo.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

step()
{
	printf '\n== %s\n' "$*"
}

# on ROLE CMD...: print the command with the host it runs on, then run it there
on()
{
	local role=$1

	shift
	printf '[%s]$ %s\n' "$role" "$*"
	wri_nsx "$role" "$@"
}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run it as root (network namespaces, DPDK ports)" >&2
	exit 1
fi
if [ -n "$build" ]; then
	step "Installing what is missing, building a release build in build/"
	bash scripts/install-deps.sh || exit 1
	bash scripts/build.sh build -Dbuildtype=release >/dev/null || {
		echo "demo.sh: the build failed (bash scripts/build.sh build shows why)" >&2
		exit 1
	}
fi
WIRERATE=$root/build/app/wirerate
[ -x "$WIRERATE" ] || { echo "demo.sh: $WIRERATE is missing" >&2; exit 1; }

WRE_NAME=demo
WRI_WG_LOG_LEVEL=error
# shellcheck source=tests/e2e/wre.sh
. "$root/tests/e2e/wre.sh"
# shellcheck source=tests/e2e/topo.sh
. "$root/tests/e2e/topo.sh"
wre_init
# the cleanup (wri_cleanup) runs this first: the gateway stops, then namespaces, processes,
# sockets and files go
# shellcheck disable=SC2317 # called through WRI_CLEANUP_FIRST
demo_cleanup()
{
	wre_cleanup_gateway
	if [ "$1" -eq 0 ]; then
		step "Cleaning up: the gateway, wireguard-go, iperf3, the namespaces and their files"
	else
		echo "demo.sh: failed (status $1); the logs follow, then everything is removed" >&2
	fi
}
WRI_CLEANUP_FIRST=demo_cleanup

step "1. The network: three namespaces joined by veth pairs"
topo_build ""
echo "LAN host:       $(wre_ns lan)  $TOPO_LAN4, $TOPO_LAN6 (default routes via the gateway)"
echo "gateway:        $(wre_ns gw)   ports lan ($TOPO_GW_LAN) and wan ($TOPO_GW_WAN): DPDK af_packet"
echo "branch office:  $(wre_ns br)  $TOPO_BRWAN4 on the WAN; wireguard-go $TOPO_BR_WG"
echo "                                tunnel addresses $TOPO_BR4, $TOPO_BR6"

step "2. The gateway's configuration (wg-quick format, plus its ports)"
# its REST control socket in this run's directory ($WRE_TMP/ctrl.sock), removed with it
topo_gateway_conf "$WRE_TMP/gw.conf" endpoint=yes
sed 's/^\(PrivateKey = \).*/\1(the gateway'"'"'s private key)/' "$WRE_TMP/gw.conf"

step "3. Starting the branch's wireguard-go (peer: the gateway at $TOPO_GWWAN4:$TOPO_PORT)"
topo_branch_up endpoint=yes
on br wg show "$TOPO_BR_WG"

step "4. Starting wirerate in $(wre_ns gw)"
printf '[gw]$ wirerate -- -c gw.conf\n'
topo_gateway_up "$WRE_TMP/gw.conf"
grep '^wirerate:' "$WRE_TMP/gw.log"

step "5. ping from the LAN host to the branch office: the gateway handshakes first"
on lan ping -n -c 3 -i 0.3 -W 5 "$TOPO_BR4" || wre_fail "no answer through the tunnel"
step "   and back, from the branch office to the LAN host, over IPv6 inside the tunnel"
on br ping -n -6 -c 3 -i 0.3 -W 5 -I "$TOPO_BR6" "$TOPO_LAN6" ||
	wre_fail "no answer through the tunnel"

step "6. iperf3 TCP through the tunnel, 3 s each way (the LAN host serves)"
wri_bg lan "$WRE_TMP/iperf-s.log" iperf3 -s -B "$TOPO_LAN4"
wre_wait 10 eval "grep -q ':5201 ' <<<\"\$(wri_nsx lan ss -Hltn)\"" ||
	wre_fail "iperf3 -s did not start"
on br iperf3 -c "$TOPO_LAN4" -t 3 -f m | grep -E 'sender|receiver' ||
	wre_fail "iperf3 through the tunnel failed"
on br iperf3 -c "$TOPO_LAN4" -t 3 -f m -R | grep -E 'sender|receiver' ||
	wre_fail "iperf3 -R through the tunnel failed"

step "7. The gateway's view: wg show against its UAPI socket (/var/run/wireguard/$TOPO_GW_WG.sock)"
printf '$ wg show %s\n' "$TOPO_GW_WG"
wg show "$TOPO_GW_WG" || wre_fail "wg show against the gateway failed"

step "8. The gateway's counters (SIGUSR1)"
wre_gateway_counters
echo "$WRE_COUNTERS"

if [ -S "$WRE_TMP/ctrl.sock" ] && command -v curl >/dev/null; then
	step "   and its REST control API: GET /v1/interfaces/$TOPO_GW_WG/stats (nonzero drops)"
	curl -sS --max-time 5 --unix-socket "$WRE_TMP/ctrl.sock" \
		"http://localhost/v1/interfaces/$TOPO_GW_WG/stats" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
d["drops"] = {k: v for k, v in d.get("drops", {}).items() if v}  # the nonzero ones
print(json.dumps(d, indent=2))' ||
		echo "(no answer from the control API)"
fi

step "9. Stopping the gateway (SIGTERM)"
wre_gateway_stop
grep '^wirerate: stopping' "$WRE_TMP/gw.log"

step "10. Crypto: self-test and a short benchmark of the batched AEAD"
if [ -x build/tests/unit/test_crypto_vectors ]; then
	build/tests/unit/test_crypto_vectors | tail -n 1 || wre_fail "crypto self-test failed"
fi
build/bench/bench_crypto --quick || wre_fail "crypto benchmark failed"
exit 0
