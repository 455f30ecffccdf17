# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# wre.sh: the e2e tests' small helpers for a wirerate gateway in a network namespace.
# Every namespace and interface is named "wre..." plus a per-run id, and removed on exit.
#
#   wre_init              WRE_ID, WRE_TMP, cleanup trap
#   wre_need_root         exit 77 (skipped) unless root
#   wre_ns_add ROLE       namespace wre-ROLE-ID with lo up
#   wre_link GWIF HROLE HIF ADDR...
#                         veth GWIF (in the gateway's namespace, no address, IPv6 off) <->
#                         HIF in HROLE's namespace with ADDRs, tx checksum offload off
#   wre_gateway_start CONF
#                         run wirerate in the gateway's namespace, wait until it is up
#   wre_gateway_stop      SIGTERM, wait, check exit status 0
#   wre_fail MSG          print and exit 1
#
# WRE_KEEP=1 keeps the temporary directory (configuration, wirerate's log) for a look afterwards.

WRE_NAMESPACES=()
WRE_GW_PID=
WRE_NAME=${WRE_NAME:-$(basename "$0")}

wre_log()
{
	printf '[%s] %s\n' "$WRE_NAME" "$*"
}

wre_fail()
{
	printf '[%s] FAIL: %s\n' "$WRE_NAME" "$*" >&2
	exit 1
}

wre_need_root()
{
	if [ "$(id -u)" -ne 0 ]; then
		wre_log "skipped: needs root (network namespaces)"
		exit 77
	fi
}

wre_cleanup()
{
	local rc=$? ns i

	trap - EXIT
	if [ -n "$WRE_GW_PID" ] && kill -0 "$WRE_GW_PID" 2>/dev/null; then
		kill -TERM "$WRE_GW_PID" 2>/dev/null
		for i in $(seq 30); do
			kill -0 "$WRE_GW_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$WRE_GW_PID" 2>/dev/null
	fi
	for ns in "${WRE_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -f "$WRE_TMP/gw.log" ]; then
		echo "==== wirerate log" >&2
		tail -n 60 "$WRE_TMP/gw.log" >&2
	fi
	if [ -n "${WRE_KEEP:-}" ]; then
		wre_log "kept $WRE_TMP"
	elif [ -n "$WRE_TMP" ]; then
		rm -rf "$WRE_TMP"
	fi
	exit "$rc"
}

wre_init()
{
	WRE_ID=${WRE_ID:-$(printf '%03x%02x' $(($$ & 0xfff)) $((RANDOM & 0xff)))}
	WRE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/wre.XXXXXX")
	trap wre_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

wre_ns()
{
	printf 'wre-%s-%s' "$1" "$WRE_ID"
}

wre_if()
{
	printf 'wre%s%s' "$1" "$WRE_ID"
}

wre_ns_add()
{
	local ns

	ns=$(wre_ns "$1")
	ip netns add "$ns" || wre_fail "cannot create namespace $ns"
	WRE_NAMESPACES+=("$ns")
	ip -n "$ns" link set lo up
	if [ "$1" = gw ]; then
		# the gateway's kernel side of its veths stays silent: no IPv6 link-local, no DAD
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	fi
}

wre_link()
{
	local gwif=$1 hrole=$2 hif=$3 gwns hns a

	shift 3
	gwns=$(wre_ns gw)
	hns=$(wre_ns "$hrole")
	ip link add "$gwif" netns "$gwns" type veth peer name "$hif" netns "$hns" ||
		wre_fail "cannot create veth $gwif <-> $hif"
	for a in "$@"; do
		case "$a" in
		*:*) ip -n "$hns" -6 addr add "$a" dev "$hif" nodad ;;
		*) ip -n "$hns" addr add "$a" dev "$hif" ;;
		esac
	done
	ip -n "$gwns" link set "$gwif" up
	ip -n "$hns" link set "$hif" up
	# a veth sends partial checksums that the af_packet port would see as broken
	ip netns exec "$hns" ethtool -K "$hif" tx off >/dev/null 2>&1 ||
		wre_log "warning: ethtool -K $hif tx off failed"
}

wre_nsx()
{
	local ns

	ns=$(wre_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

wre_wait()
{
	local secs=$1 end

	shift
	end=$((SECONDS + secs))
	while ! "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

wre_gateway_up()
{
	grep -q '^wirerate: running' "$WRE_TMP/gw.log" 2>/dev/null && return 0
	kill -0 "$WRE_GW_PID" 2>/dev/null || wre_fail "wirerate exited before coming up"
	return 1
}

wre_gateway_start()
{
	ip netns exec "$(wre_ns gw)" "$WIRERATE" -- -c "$1" >"$WRE_TMP/gw.log" 2>&1 </dev/null &
	WRE_GW_PID=$!
	wre_wait 30 wre_gateway_up || wre_fail "wirerate did not come up"
}

# The MAC wirerate reports for port NAME
wre_gateway_mac()
{
	sed -n "s/^wirerate: port $1: .* mac \([0-9A-Fa-f:]*\) .*/\1/p" "$WRE_TMP/gw.log" |
		tr 'A-F' 'a-f'
}

wre_gateway_stop()
{
	local rc

	kill -TERM "$WRE_GW_PID" || wre_fail "wirerate is not running"
	wre_wait 15 eval '! kill -0 "$WRE_GW_PID" 2>/dev/null' || wre_fail "wirerate ignored SIGTERM"
	wait "$WRE_GW_PID"
	rc=$?
	WRE_GW_PID=
	[ "$rc" -eq 0 ] || wre_fail "wirerate exited with status $rc after SIGTERM"
}
