#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench_netns.sh: throughput through the network namespaces, in one run: iperf3 TCP over
# wireguard-go to wirerate, beside wireguard-go to wireguard-go (the reference).
#
#   reference: wrb-a (wireguard-go, iperf3 client) --veth-- wrb-b (wireguard-go, iperf3 server)
#   wirerate:  wrb-br (wireguard-go, iperf3 client) --veth-- wrb-gw (wirerate) --veth-- wrb-lan
#              (iperf3 server), the e2e suite's topology (tests/e2e/topo.sh)
#
# Both paths have wireguard-go at the peer's end; the other end is either wireguard-go or
# wirerate. Each direction is one iperf3 TCP run: "peer->site" is the peer's upload (the far end
# decrypts), "site->peer" is iperf3 -R (the far end encrypts). The table gives Gbit/s and the
# ratio wirerate/reference. It is a benchmark, not a test: it needs root, and on a small or
# shared machine the numbers are what that machine gives (the gateway busy-polls its lcores,
# which then compete with wireguard-go and iperf3 for the CPU).
#
# usage: bench/bench_netns.sh [--time N] [--wirerate PATH] [--reference-only]
#   --time N          seconds per iperf3 run (default 10)
#   --wirerate PATH   the gateway's binary (default build/app/wirerate: a release build, as
#                     `bash scripts/build.sh build -Dbuildtype=release` makes it)
#   --reference-only  wireguard-go to wireguard-go only
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
secs=10
WIRERATE=$root/build/app/wirerate
reference_only=

usage()
{
	sed -n '/^# usage:/,/^set /p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case "$1" in
	--time)
		if [ $# -lt 2 ] || ! [[ "$2" =~ ^[1-9][0-9]*$ ]]; then
			echo "bench_netns.sh: --time takes a whole number of seconds" >&2
			exit 2
		fi
		secs=$2
		shift 2
		;;
	--wirerate)
		[ $# -ge 2 ] || { echo "bench_netns.sh: --wirerate takes a path" >&2; exit 2; }
		WIRERATE=$2
		shift 2
		;;
	--reference-only) reference_only=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench_netns.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done

WRE_PREFIX=wrb
WRE_NAME=bench_netns
# wireguard-go logs nothing per packet at this level, as in production
WRI_WG_LOG_LEVEL=${WRI_WG_LOG_LEVEL:-error}
# shellcheck source=tests/e2e/wre.sh
. "$root/tests/e2e/wre.sh"
# shellcheck source=tests/e2e/topo.sh
. "$root/tests/e2e/topo.sh"

wri_need_root
wri_need_cmd wireguard-go wg iperf3 ip ethtool ping
wre_init

# gbits ROLE ADDR [-R]: one iperf3 TCP run from ROLE to the server at ADDR; prints Gbit/s
gbits()
{
	local role=$1 addr=$2 json

	shift 2
	json=$(wri_nsx "$role" iperf3 -c "$addr" -t "$secs" -J "$@" 2>&1) || {
		echo "iperf3 -c $addr $* from $role failed: $json" >&2
		echo n/a
		return 1
	}
	/usr/bin/python3 -c '
import json, sys
print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))
' <<<"$json"
}

# iperf_server ROLE ADDR: iperf3 -s in ROLE, listening once ADDR's port 5201 accepts
iperf_server()
{
	wri_bg "$1" "$WRE_TMP/iperf-$1.log" iperf3 -s -B "$2"
	wri_wait 10 eval "grep -q ':5201 ' <<<\"\$(wri_nsx $1 ss -Hltn)\"" ||
		wri_fail "iperf3 -s did not start in $1"
}

ratio()
{
	if [ "$1" = n/a ] || [ "$2" = n/a ]; then
		echo n/a
	else
		awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
	fi
}

wri_log "reference: wireguard-go to wireguard-go, iperf3 TCP ${secs} s each way"
wri_topo_wggo_pair
iperf_server b 198.51.100.2
wri_nsx a ping -n -c 1 -W 5 198.51.100.2 >/dev/null 2>&1 ||
	wri_fail "no ping through the wireguard-go pair"
ref_up=$(gbits a 198.51.100.2)
ref_down=$(gbits a 198.51.100.2 -R)
# the reference's processes stop before the gateway starts polling
for pid in "${WRI_PIDS[@]}"; do
	wri_kill "$pid"
done
WRI_PIDS=()

wr_up=n/a wr_down=n/a note=
if [ -n "$reference_only" ]; then
	note="wirerate: not run (--reference-only)"
elif [ ! -x "$WIRERATE" ]; then
	note="wirerate: $WIRERATE not found (bash scripts/build.sh build -Dbuildtype=release)"
else
	wri_log "wirerate: wireguard-go to wirerate ($WIRERATE), iperf3 TCP ${secs} s each way"
	topo_build ""
	topo_gateway_conf "$WRE_TMP/gw.conf"
	topo_branch_up endpoint=yes
	wre_gateway_start "$WRE_TMP/gw.conf"
	iperf_server lan "$TOPO_LAN4"
	if ! wri_wait 10 test -S "/var/run/wireguard/$TOPO_GW_WG.sock"; then
		note="wirerate: the gateway's interface did not come up (no UAPI socket)"
	elif wri_wait 10 wri_nsx br ping -n -c 1 -W 1 "$TOPO_LAN4" >/dev/null 2>&1; then
		wr_up=$(gbits br "$TOPO_LAN4")
		wr_down=$(gbits br "$TOPO_LAN4" -R)
	else
		note="wirerate: no ping from the branch to the LAN host through the gateway"
	fi
fi

echo
printf '%-34s %12s %12s\n' "iperf3 TCP, ${secs} s per run" "peer->site" "site->peer"
printf '%-34s %12s %12s\n' "wireguard-go <-> wireguard-go" "$ref_up" "$ref_down"
printf '%-34s %12s %12s\n' "wireguard-go <-> wirerate" "$wr_up" "$wr_down"
printf '%-34s %12s %12s\n' "ratio wirerate/reference" "$(ratio "$wr_up" "$ref_up")" \
	"$(ratio "$wr_down" "$ref_down")"
echo "(Gbit/s; $(nproc) CPUs, $(uname -r))"
[ -z "$note" ] || echo "$note"
exit 0
