#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench_gw_bulk.sh: a whole interface's peer set replaced on a running gateway, end to end, as an
# operator sees it: the REST bulk replace (PUT /v1/interfaces/IF/peers, one request) beside the
# same peer set pushed with the stock `wg setconf` over the UAPI socket (the reference), in the
# same run, on the same gateway. Each answer comes after the engine applied the set and the
# control lcore published the interface's cryptokey routing table to the workers.
#
# The gateway runs on a net_null port (no traffic, no namespace); peers have random public keys
# and one IPv4 /32 and one IPv6 /128 each. Three steps per tool and round: into an empty
# interface, the same set again, a disjoint set; the interface is emptied between tools. The
# table gives the median wall-clock seconds per step and the ratio REST/UAPI (below 1: REST is
# faster). It is a benchmark, not a test: it needs root, and a loaded machine gives what it
# gives.
#
# usage: bench/bench_gw_bulk.sh [--peers N] [--rounds N] [--wirerate PATH]
#   --peers N         peers per set (default 10000)
#   --rounds N        rounds, each tool every step (default 3)
#   --wirerate PATH   the gateway's binary (default build/app/wirerate: a release build, as
#                     `bash scripts/build.sh build -Dbuildtype=release` makes it)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
peers=10000
rounds=3
WIRERATE=$root/build/app/wirerate

usage()
{
	sed -n '/^# usage:/,/^set /p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

number()
{
	if [ $# -lt 2 ] || ! [[ "$2" =~ ^[1-9][0-9]*$ ]]; then
		echo "bench_gw_bulk.sh: $1 takes a whole number" >&2
		exit 2
	fi
}

while [ $# -gt 0 ]; do
	case "$1" in
	--peers) number "$@"; peers=$2; shift 2 ;;
	--rounds) number "$@"; rounds=$2; shift 2 ;;
	--wirerate)
		[ $# -ge 2 ] || { echo "bench_gw_bulk.sh: --wirerate takes a path" >&2; exit 2; }
		WIRERATE=$2
		shift 2
		;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench_gw_bulk.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[ "$peers" -le 60000 ] || { echo "bench_gw_bulk.sh: at most 60000 peers" >&2; exit 2; }
if [ ! -x "$WIRERATE" ]; then
	echo "bench_gw_bulk.sh: no gateway binary $WIRERATE (--wirerate)" >&2
	exit 2
fi
for t in wg curl python3; do
	command -v "$t" >/dev/null || { echo "bench_gw_bulk.sh: $t is missing" >&2; exit 2; }
done

ifname=wrbulk$$
ifname=${ifname:0:15}
tmp=$(mktemp -d /tmp/bench_gw_bulk.XXXXXX)
sock=$tmp/ctrl.sock
gw_pid=
cleanup()
{
	if [ -n "$gw_pid" ]; then
		kill -TERM "$gw_pid" 2>/dev/null
		wait "$gw_pid" 2>/dev/null
	fi
	rm -rf "$tmp" "/var/run/wireguard/$ifname.sock"
}
trap cleanup EXIT

umask 077
wg genkey >"$tmp/gw.key"
cat >"$tmp/gw.conf" <<EOF
[Gateway]
Control = 0
Workers = 1
ControlSocket = $sock

[Port bench]
Device = net_null0
Address = 192.0.2.1/24

[Interface $ifname]
PrivateKeyFile = $tmp/gw.key
ListenPort = 51820
Port = bench
EOF

# Two disjoint peer sets (A, B), each as a REST body and as a `wg setconf` file.
/usr/bin/python3 - "$peers" "$tmp" <<'PY'
import base64, json, os, sys
n, d = int(sys.argv[1]), sys.argv[2]
for s, base in (("a", 0), ("b", n)):
    peers = []
    for i in range(base, base + n):
        key = base64.b64encode(os.urandom(32)).decode()
        v4 = "10.%d.%d.%d/32" % (i >> 16 & 255, i >> 8 & 255, i & 255)
        v6 = "2001:db8:b::%x:%x/128" % (i >> 16, i & 0xffff)
        peers.append((key, [v4, v6]))
    with open(os.path.join(d, s + ".json"), "w") as f:
        json.dump({"peers": [{"public_key": k, "allowed_ips": a} for k, a in peers]}, f)
    with open(os.path.join(d, s + ".wg"), "w") as f:
        f.write("[Interface]\nListenPort = 51820\n")
        for k, a in peers:
            f.write("\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\n" % (k, ", ".join(a)))
open(os.path.join(d, "empty.json"), "w").write('{"peers": []}')
open(os.path.join(d, "empty.wg"), "w").write("[Interface]\nListenPort = 51820\n")
PY

"$WIRERATE" -- -c "$tmp/gw.conf" >"$tmp/gw.log" 2>&1 </dev/null &
gw_pid=$!
for _ in $(seq 600); do
	grep -q '^wirerate: running' "$tmp/gw.log" && [ -S "/var/run/wireguard/$ifname.sock" ] && break
	kill -0 "$gw_pid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q '^wirerate: running' "$tmp/gw.log"; then
	echo "bench_gw_bulk.sh: the gateway did not start:" >&2
	cat "$tmp/gw.log" >&2
	exit 1
fi

now() { date +%s%N; }

# rest FILE: one bulk replace; prints the nanoseconds it took. Fails on anything but 200.
rest()
{
	local t0 t1 code

	t0=$(now)
	code=$(curl -s -o "$tmp/answer" -w '%{http_code}' --unix-socket "$sock" -X PUT \
		-H 'Content-Type: application/json' --data-binary "@$1" \
		"http://localhost/v1/interfaces/$ifname/peers")
	t1=$(now)
	if [ "$code" != 200 ]; then
		echo "bench_gw_bulk.sh: REST answered $code: $(head -c 300 "$tmp/answer")" >&2
		exit 1
	fi
	echo "$((t1 - t0))"
}

# uapi FILE: one `wg setconf`; prints the nanoseconds it took.
uapi()
{
	local t0 t1

	t0=$(now)
	if ! wg setconf "$ifname" "$1" 2>"$tmp/wg.err"; then
		echo "bench_gw_bulk.sh: wg setconf failed: $(cat "$tmp/wg.err")" >&2
		exit 1
	fi
	t1=$(now)
	echo "$((t1 - t0))"
}

# count: the interface's peers as `wg show` sees them
count() { wg show "$ifname" peers | wc -l; }

declare -A ns
# step TOOL NAME FILE PEERS: one replace, timed, and then the interface must hold PEERS peers
step()
{
	local v

	v=$("$1" "$3") || exit 1
	ns[$1,$2]+="$v "
	[ "$(count)" -eq "$4" ] || { echo "bench_gw_bulk.sh: $1 $2: not $4 peers" >&2; exit 1; }
}

for r in $(seq "$rounds"); do
	for tool in rest uapi; do
		ext=json
		[ "$tool" = uapi ] && ext=wg
		step "$tool" empty "$tmp/a.$ext" "$peers"
		step "$tool" same "$tmp/a.$ext" "$peers"
		step "$tool" disjoint "$tmp/b.$ext" "$peers"
		step "$tool" none "$tmp/empty.$ext" 0
	done
	echo "round $r/$rounds done" >&2
done

# median: of the whole numbers on stdin; for an even count, the mean of the middle two
median()
{
	tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 }
		END { printf "%.1f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "$peers peers, $rounds rounds, median wall-clock seconds per replace (gateway: $WIRERATE)"
printf '%-34s %12s %12s %12s\n' "" "empty -> A" "A -> A" "A -> B"
for tool in rest uapi; do
	label="REST bulk replace (1 request)"
	[ "$tool" = uapi ] && label="wg setconf (UAPI, reference)"
	printf '%-34s' "$label"
	for step in empty same disjoint; do
		m=$(median <<<"${ns[$tool,$step]}")
		printf ' %12s' "$(awk -v m="$m" 'BEGIN { printf "%.3f", m / 1e9 }')"
	done
	echo
done
printf '%-34s' "ratio REST/UAPI"
for step in empty same disjoint; do
	a=$(median <<<"${ns[rest,$step]}")
	b=$(median <<<"${ns[uapi,$step]}")
	# no ratio to a reference that took no measurable time
	printf ' %12s' "$(awk -v a="$a" -v b="$b" \
		'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }')"
done
echo
