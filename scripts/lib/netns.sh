# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# netns.sh: building blocks for test topologies in network namespaces. Source it from bash:
#
#	. "$(dirname "$0")/../../scripts/lib/netns.sh"
#	wri_need_root; wri_need_cmd wireguard-go wg
#	wri_init                     # unique id, temp dir, cleanup trap on EXIT/INT/TERM
#	wri_ns_add a; wri_ns_add b   # namespaces "$(wri_ns a)", "$(wri_ns b)"
#	wri_veth a "$(wri_if a)" 192.0.2.1/24 b "$(wri_if b)" 192.0.2.2/24
#	wri_wg_start a "$(wri_if ga)"
#
# Every name carries the prefix $WRI_PREFIX ("wri" unless set before sourcing; another suite
# sets its own 3-letter prefix, e.g. "wre") and a per-run id (WRI_ID), so concurrent runs and
# other suites never collide; everything created is recorded and removed by
# wri_cleanup, which wri_init installs as an EXIT trap, so a failing test still cleans up.
# Addresses: use only the documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
# and 2001:db8::/32, and only inside namespaces. Nothing here touches the root namespace except
# creating a veth pair, whose ends are moved into their namespaces in the same command.
#
# Functions (ROLE is a short word, at most 4 characters: names stay under IFNAMSIZ):
#   wri_need_root              exit 77 (meson's "skipped") unless running as root
#   wri_need_cmd CMD...        exit 77 unless every CMD is on PATH
#   wri_init                   set WRI_ID (unless given), WRI_TMP (temp dir), install the trap
#   wri_ns ROLE                print the namespace name for ROLE: wri-ROLE-ID
#   wri_if ROLE                print a unique interface name for ROLE: wriROLEID (<= 15 chars;
#                              wireguard-go's too, as its UAPI socket is named after it)
#   wri_ns_add ROLE            create namespace for ROLE, bring its lo up, record it
#   wri_nsx ROLE CMD...        run CMD inside ROLE's namespace
#   wri_veth ROLE_A DEV_A ADDR_A ROLE_B DEV_B ADDR_B
#                              veth pair DEV_A (in A) <-> DEV_B (in B), addresses (CIDR; "-"
#                              for none), both up, tx checksum offload off on both ends (a veth
#                              otherwise sends partial checksums that af_packet/DPDK and raw
#                              sockets see as broken)
#   wri_addr ROLE DEV ADDR     add one more address (v4 or v6 CIDR) to DEV; IPv6 without DAD
#   wri_bg ROLE LOG CMD...     start CMD in ROLE's namespace in the background, stdout+stderr to
#                              LOG; record its pid for cleanup; sets WRI_LAST_PID
#   wri_kill PID               stop one recorded process (TERM, then KILL after 2 s)
#   wri_alive PID              true while PID runs (a zombie does not count)
#   wri_wg_genkey NAME         write $WRI_TMP/NAME.key (0600) and NAME.pub; prints nothing
#   wri_wg_genpsk NAME         write $WRI_TMP/NAME.psk (0600)
#   wri_wg_start ROLE IF       run wireguard-go in the foreground (logs in $WRI_TMP/IF.log) in
#                              ROLE's namespace, wait for its UAPI socket; configure it with
#                              `wri_nsx ROLE wg set IF ...` and `ip addr/link` afterwards
#   wri_wg_stop IF             stop that wireguard-go and remove its UAPI socket
#   wri_wait SECS CMD...       retry CMD every 0.1 s until it succeeds or SECS pass (returns 1)
#   wri_wg_handshake_age ROLE IF PUBKEY
#                              print seconds since the latest handshake with PUBKEY (as `wg show
#                              IF dump` says), or nothing when there was none
#   wri_wg_peer ROLE IF KEYNAME PEERPUB ENDPOINT ALLOWEDIPS [PSKFILE]
#                              configure wireguard-go IF in ROLE: private key
#                              $WRI_TMP/KEYNAME.key, listen port 51820, one peer (ENDPOINT "-" for
#                              none, PSKFILE a file); wg set may be called again to add peers
#   wri_topo_wggo_pair         the reference topology: namespaces a and b, veth 192.0.2.1/24 (a)
#                              <-> 192.0.2.2/24 (b), wireguard-go $WRI_WG_A in a (198.51.100.1/24,
#                              2001:db8:1::1/64) and $WRI_WG_B in b (198.51.100.2/24,
#                              2001:db8:1::2/64), peers of each other with a preshared key, up.
#                              E.g. for iperf3: wri_bg b "$WRI_TMP/iperf.log" iperf3 -s, then
#                              wri_nsx a iperf3 -c 198.51.100.2
#   wri_cleanup                kill recorded processes, delete namespaces, sockets, temp dir;
#                              after a failure (or with WRI_SHOW_LOGS=1) it prints the tail of
#                              every $WRI_TMP/*.log
#                              (WRI_KEEP_LOGS=1 keeps the directory after a failure, WRI_KEEP=1
#                              always); a suite that sources this file may set WRI_CLEANUP_FIRST
#                              to the name of a function that runs before anything is removed
#                              (e.g. to stop its own processes), with the exit status as $1
#   wri_fail MSG               print MSG to stderr and exit 1 (cleanup runs through the trap)
#   wri_log MSG                print MSG with the test's name
#
# wireguard-go's UAPI sockets live in /var/run/wireguard/, shared by every namespace, which is
# why wireguard-go interfaces need unique names (wri_if) even though they sit in separate
# namespaces.

WRI_PREFIX=${WRI_PREFIX:-wri}
WRI_NAMESPACES=()
WRI_PIDS=()
WRI_WG_IFS=()
WRI_TMP=
WRI_LAST_PID=
WRI_NAME=${WRI_NAME:-$(basename "${0:-netns}")}

wri_log()
{
	printf '[%s] %s\n' "$WRI_NAME" "$*"
}

wri_fail()
{
	printf '[%s] FAIL: %s\n' "$WRI_NAME" "$*" >&2
	exit 1
}

wri_need_root()
{
	if [ "$(id -u)" -ne 0 ]; then
		wri_log "skipped: needs root (network namespaces)"
		exit 77
	fi
}

wri_need_cmd()
{
	local c

	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			wri_log "skipped: $c not found"
			exit 77
		fi
	done
}

wri_init()
{
	# Five hex digits of the pid and of $RANDOM: unique among concurrent runs, short enough that
	# "wri" + a 4-character role + the id fits in an interface name (15 characters).
	if [ -z "${WRI_ID:-}" ]; then
		WRI_ID=$(printf '%03x%02x' $(($$ & 0xfff)) $((RANDOM & 0xff)))
	fi
	WRI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$WRI_PREFIX.XXXXXX")
	trap wri_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

wri_ns()
{
	printf '%s-%s-%s' "$WRI_PREFIX" "$1" "$WRI_ID"
}

wri_if()
{
	printf '%s%s%s' "$WRI_PREFIX" "$1" "$WRI_ID"
}

wri_ns_add()
{
	local ns

	ns=$(wri_ns "$1")
	ip netns add "$ns" || wri_fail "cannot create namespace $ns"
	WRI_NAMESPACES+=("$ns")
	ip -n "$ns" link set lo up
}

wri_nsx()
{
	local ns

	ns=$(wri_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

wri_addr()
{
	local ns

	ns=$(wri_ns "$1")
	case "$3" in
	*:*) ip -n "$ns" -6 addr add "$3" dev "$2" nodad ;;
	*) ip -n "$ns" addr add "$3" dev "$2" ;;
	esac
}

wri_veth()
{
	local ns_a ns_b

	ns_a=$(wri_ns "$1")
	ns_b=$(wri_ns "$4")
	ip link add "$2" netns "$ns_a" type veth peer name "$5" netns "$ns_b" ||
		wri_fail "cannot create veth $2 <-> $5"
	[ "$3" = - ] || wri_addr "$1" "$2" "$3"
	[ "$6" = - ] || wri_addr "$4" "$5" "$6"
	ip -n "$ns_a" link set "$2" up
	ip -n "$ns_b" link set "$5" up
	ip netns exec "$ns_a" ethtool -K "$2" tx off >/dev/null 2>&1 ||
		wri_log "warning: ethtool -K $2 tx off failed"
	ip netns exec "$ns_b" ethtool -K "$5" tx off >/dev/null 2>&1 ||
		wri_log "warning: ethtool -K $5 tx off failed"
}

wri_bg()
{
	local ns log

	ns=$(wri_ns "$1")
	log=$2
	shift 2
	# ip netns exec execs the command, so $! is the command's own pid.
	ip netns exec "$ns" "$@" >"$log" 2>&1 </dev/null &
	WRI_LAST_PID=$!
	WRI_PIDS+=("$WRI_LAST_PID")
}

# Alive and not a zombie: our own children stay zombies (and kill -0 succeeds on them) until
# waited for.
wri_alive()
{
	local stat

	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

wri_kill()
{
	local pid=$1

	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 20); do
		wri_alive "$pid" || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

wri_wait()
{
	local secs=$1 end

	shift
	end=$((SECONDS + secs))
	while ! "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

wri_wg_genkey()
{
	(umask 077 && wg genkey >"$WRI_TMP/$1.key")
	wg pubkey <"$WRI_TMP/$1.key" >"$WRI_TMP/$1.pub"
}

wri_wg_genpsk()
{
	(umask 077 && wg genpsk >"$WRI_TMP/$1.psk")
}

wri_wg_start()
{
	local role=$1 ifname=$2 sock=/var/run/wireguard/$2.sock

	[ ! -e "$sock" ] || wri_fail "UAPI socket $sock exists already: interface name not unique"
	WRI_WG_IFS+=("$ifname")
	# -f: stay in the foreground, so the pid we record is wireguard-go's own.
	LOG_LEVEL=${WRI_WG_LOG_LEVEL:-verbose} wri_bg "$role" "$WRI_TMP/$ifname.log" \
		wireguard-go -f "$ifname"
	eval "WRI_WG_PID_$ifname=$WRI_LAST_PID"
	wri_wait 10 test -S "$sock" || {
		cat "$WRI_TMP/$ifname.log" >&2
		wri_fail "wireguard-go $ifname did not come up"
	}
}

wri_wg_stop()
{
	local pid

	eval "pid=\${WRI_WG_PID_$1:-}"
	[ -z "$pid" ] || wri_kill "$pid"
	rm -f "/var/run/wireguard/$1.sock"
}

wri_wg_peer()
{
	local role=$1 ifname=$2 key=$3 peer=$4 ep=$5 allowed=$6 psk=${7:-}
	local args=(peer "$peer" allowed-ips "$allowed")

	[ "$ep" = - ] || args+=(endpoint "$ep")
	[ -z "$psk" ] || args+=(preshared-key "$psk")
	wri_nsx "$role" wg set "$ifname" private-key "$WRI_TMP/$key.key" listen-port 51820 \
		"${args[@]}" || wri_fail "wg set $ifname"
}

wri_topo_wggo_pair()
{
	WRI_WG_A=$(wri_if ga)
	WRI_WG_B=$(wri_if gb)
	wri_ns_add a
	wri_ns_add b
	wri_veth a "$(wri_if va)" 192.0.2.1/24 b "$(wri_if vb)" 192.0.2.2/24
	wri_wg_genkey a
	wri_wg_genkey b
	wri_wg_genpsk ab
	wri_wg_start a "$WRI_WG_A"
	wri_wg_start b "$WRI_WG_B"
	wri_wg_peer a "$WRI_WG_A" a "$(cat "$WRI_TMP/b.pub")" 192.0.2.2:51820 \
		198.51.100.2/32,2001:db8:1::2/128 "$WRI_TMP/ab.psk"
	wri_wg_peer b "$WRI_WG_B" b "$(cat "$WRI_TMP/a.pub")" 192.0.2.1:51820 \
		198.51.100.1/32,2001:db8:1::1/128 "$WRI_TMP/ab.psk"
	wri_addr a "$WRI_WG_A" 198.51.100.1/24
	wri_addr a "$WRI_WG_A" 2001:db8:1::1/64
	wri_addr b "$WRI_WG_B" 198.51.100.2/24
	wri_addr b "$WRI_WG_B" 2001:db8:1::2/64
	wri_nsx a ip link set "$WRI_WG_A" up
	wri_nsx b ip link set "$WRI_WG_B" up
}

wri_wg_handshake_age()
{
	local latest

	latest=$(wri_nsx "$1" wg show "$2" latest-handshakes | awk -v k="$3" '$1 == k { print $2 }')
	if [ -n "$latest" ] && [ "$latest" -ne 0 ]; then
		echo $(($(date +%s) - latest))
	fi
}

wri_cleanup()
{
	local rc=$? pid ns ifname f

	trap - EXIT
	[ -z "${WRI_CLEANUP_FIRST:-}" ] || "$WRI_CLEANUP_FIRST" "$rc"
	for pid in "${WRI_PIDS[@]}"; do
		wri_kill "$pid"
	done
	for ifname in "${WRI_WG_IFS[@]}"; do
		rm -f "/var/run/wireguard/$ifname.sock"
	done
	for ns in "${WRI_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "$WRI_TMP" ] && [ -d "$WRI_TMP" ]; then
		# A failed test shows its processes' logs: meson keeps a test's output in testlog.txt.
		if { [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; } || [ -n "${WRI_SHOW_LOGS:-}" ]; then
			for f in "$WRI_TMP"/*.log; do
				[ -f "$f" ] || continue
				printf '==== %s (last %s lines)\n' "$(basename "$f")" \
					"${WRI_LOG_LINES:-40}" >&2
				tail -n "${WRI_LOG_LINES:-40}" "$f" >&2
			done
		fi
		if [ -n "${WRI_KEEP:-}" ] ||
			{ [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "${WRI_KEEP_LOGS:-}" ]; }; then
			wri_log "logs kept in $WRI_TMP"
		else
			rm -rf "$WRI_TMP"
		fi
	fi
	exit "$rc"
}
