# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# wre.sh: the e2e tests' helpers for a wirerate gateway in a network namespace. The generic parts
# (namespaces, veths, wireguard-go, background processes, waiting, cleanup) are
# scripts/lib/netns.sh's, sourced here with the prefix "wre" ($WRE_PREFIX when set before
# sourcing: the benchmark uses "wrb"): every namespace and interface is named "wre..." plus a
# per-run id, and removed on exit. Every wri_* function of netns.sh is available after sourcing
# this file; the wre_* names below are what the gateway adds.
#
#   wre_init              WRE_ID, WRE_TMP (wri_init's WRI_ID, WRI_TMP), cleanup trap
#   wre_need_root         exit 77 (skipped) unless root
#   wre_ns_add ROLE       namespace wre-ROLE-ID with lo up; for ROLE gw, IPv6 off in the kernel
#                         (the gateway's kernel side of its veths stays silent)
#   wre_link GWIF HROLE HIF ADDR...
#                         veth GWIF (in the gateway's namespace, no address) <->
#                         HIF in HROLE's namespace with ADDRs, tx checksum offload off
#   wre_gateway_start CONF
#                         run wirerate ($WIRERATE) in the gateway's namespace, log in
#                         $WRE_TMP/gw.log, wait until it is up; WRE_GW_PID is its pid
#   wre_gateway_mac PORT  the MAC wirerate reports for its port PORT
#   wre_gateway_stop      SIGTERM, wait, check exit status 0
#   wre_gateway_counters  SIGUSR1, wait for the counters, keep them in WRE_COUNTERS
#   wre_counter NAME      the value of NAME (a drop reason, ...) in those counters, 0 if absent
#   wre_counter_reaches NAME MIN [SECS]
#                         ask again until NAME is at least MIN (false after SECS, default 10)
#   wre_capture_start ROLE DEV NAME [FILTER...]
#                         tcpdump on DEV in ROLE into $WRE_TMP/NAME.pcap, running when it returns
#   wre_capture_stop [PID]
#                         stop it (or the capture whose WRE_CAPTURE_PID was PID); the file is
#                         complete
#   wre_log, wre_fail, wre_ns, wre_if, wre_nsx, wre_wait
#                         netns.sh's wri_log, wri_fail, wri_ns, wri_if, wri_nsx, wri_wait
#
# WRE_KEEP=1 keeps the temporary directory (configuration, wirerate's log) for a look afterwards;
# after a failure the tail of every log in it (gw.log included) is printed.

WRI_PREFIX=${WRE_PREFIX:-wre}
WRI_NAME=${WRE_NAME:-${WRI_NAME:-$(basename "$0")}}
WRI_LOG_LINES=${WRI_LOG_LINES:-60}
# shellcheck source=scripts/lib/netns.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../scripts/lib/netns.sh"

WRE_GW_PID=
WRE_CAPTURE_PID=
WRE_COUNTERS=
WRE_ID=${WRE_ID:-}
WRE_TMP=

wre_log() { wri_log "$@"; }
wre_fail() { wri_fail "$@"; }
wre_need_root() { wri_need_root; }
wre_ns() { wri_ns "$@"; }
wre_if() { wri_if "$@"; }
wre_nsx() { wri_nsx "$@"; }
wre_wait() { wri_wait "$@"; }

# Runs first in wri_cleanup: the gateway goes before its namespace and its log.
wre_cleanup_gateway()
{
	if [ -n "$WRE_GW_PID" ] && kill -0 "$WRE_GW_PID" 2>/dev/null; then
		kill -TERM "$WRE_GW_PID" 2>/dev/null
		for _ in $(seq 30); do
			wri_alive "$WRE_GW_PID" || break
			sleep 0.1
		done
		kill -KILL "$WRE_GW_PID" 2>/dev/null
		wait "$WRE_GW_PID" 2>/dev/null
		# a gateway killed here cannot remove the EAL directory of its own prefix
		# (wirerate-PID when "wirerate" was taken); ip netns exec kept the PID
		rm -rf "/var/run/dpdk/wirerate-$WRE_GW_PID"
	fi
	WRE_GW_PID=
}

wre_init()
{
	WRI_ID=$WRE_ID
	WRI_KEEP=${WRE_KEEP:-${WRI_KEEP:-}}
	WRI_CLEANUP_FIRST=wre_cleanup_gateway
	wri_init
	WRE_ID=$WRI_ID
	WRE_TMP=$WRI_TMP
}

wre_ns_add()
{
	wri_ns_add "$1"
	if [ "$1" = gw ]; then
		# the gateway's kernel side of its veths stays silent: no IPv6 link-local, no DAD
		wri_nsx gw sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		wri_nsx gw sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	fi
}

wre_link()
{
	local gwif=$1 hrole=$2 hif=$3 a

	shift 3
	wri_veth gw "$gwif" - "$hrole" "$hif" "${1:--}"
	[ $# -eq 0 ] || shift
	for a in "$@"; do
		wri_addr "$hrole" "$hif" "$a"
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
	# not wri_bg: the tests wait for the gateway themselves and check its exit status. The log
	# is emptied here, not by the background redirection, which may come after the first look
	# at it: a restarted gateway's old lines must not pass for the new one's
	: >"$WRE_TMP/gw.log"
	ip netns exec "$(wre_ns gw)" "$WIRERATE" -- -c "$1" >"$WRE_TMP/gw.log" 2>&1 </dev/null &
	WRE_GW_PID=$!
	# 60 s: on a loaded 2-core machine the ASan build's EAL start took over 30 s
	wre_wait 60 wre_gateway_up || wre_fail "wirerate did not come up"
}

wre_gateway_mac()
{
	sed -n "s/^wirerate: port $1: .* mac \([0-9A-Fa-f:]*\) .*/\1/p" "$WRE_TMP/gw.log" |
		tr 'A-F' 'a-f'
}

wre_gateway_stop()
{
	local rc

	kill -TERM "$WRE_GW_PID" || wre_fail "wirerate is not running"
	# 60 s: on a loaded 2-core machine the ASan build took over 15 s to exit after it had
	# printed "stopping on signal 15"
	# shellcheck disable=SC2016 # expanded by eval, at each try
	wre_wait 60 eval '! wri_alive "$WRE_GW_PID"' || wre_fail "wirerate ignored SIGTERM"
	wait "$WRE_GW_PID"
	rc=$?
	WRE_GW_PID=
	[ "$rc" -eq 0 ] || wre_fail "wirerate exited with status $rc after SIGTERM"
}

# wre_gateway_counters: ask the gateway for its counters (SIGUSR1) and wait for them; they are
# then in $WRE_COUNTERS (the lines it printed), read by wre_counter
wre_gateway_counters()
{
	local before

	before=$(wc -l <"$WRE_TMP/gw.log")
	kill -USR1 "$WRE_GW_PID" || wre_fail "wirerate is not running"
	# shellcheck disable=SC2016 # expanded by eval, at each try
	wre_wait 10 eval 'grep -q "^drops:" <<<"$(tail -n "+$((before + 1))" "$WRE_TMP/gw.log")"' ||
		wre_fail "no counters printed on SIGUSR1"
	WRE_COUNTERS=$(tail -n "+$((before + 1))" "$WRE_TMP/gw.log")
}

# wre_counter NAME: the sum of every "NAME N" in the counters of the latest
# wre_gateway_counters (a drop reason such as REPLAY or not_our_mac, a port's rx, ...); 0 if none
wre_counter()
{
	awk -v k="$1" '{
		for (i = 1; i < NF; i++)
			if ($i == k && $(i + 1) ~ /^[0-9]+$/)
				n += $(i + 1)
	} END { print n + 0 }' <<<"$WRE_COUNTERS"
}

# wre_counter_reaches NAME MIN [SECS]: ask for the counters until NAME is at least MIN (the
# control lcore may still be working through a burst); false after SECS (default 10) seconds
wre_counter_reaches()
{
	local end=$((SECONDS + ${3:-10}))

	while :; do
		wre_gateway_counters
		[ "$(wre_counter "$1")" -lt "$2" ] || return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.5
	done
}

# wre_capture_start ROLE DEV NAME [FILTER...]: tcpdump on DEV in ROLE's namespace, writing
# $WRE_TMP/NAME.pcap; returns once it listens; WRE_CAPTURE_PID is its pid
wre_capture_start()
{
	local role=$1 dev=$2 name=$3

	shift 3
	wri_bg "$role" "$WRE_TMP/$name-tcpdump.log" tcpdump -i "$dev" -n -U --immediate-mode -Z root \
		-w "$WRE_TMP/$name.pcap" "$@"
	WRE_CAPTURE_PID=$WRI_LAST_PID
	wre_wait 10 grep -qs 'listening on' "$WRE_TMP/$name-tcpdump.log" ||
		wre_fail "tcpdump did not start on $dev"
}

# wre_pcap_count FILE [FILTER...]: how many packets the capture FILE holds (that FILTER takes);
# prints nothing when tcpdump cannot read it, so that a comparison with 0 fails rather than
# passes on a capture that is missing or broken
wre_pcap_count()
{
	local file=$1 out

	shift
	out=$(tcpdump -r "$file" -n "$@" 2>/dev/null) || {
		echo "wre_pcap_count: cannot read $file" >&2
		return 1
	}
	if [ -z "$out" ]; then
		echo 0
	else
		wc -l <<<"$out"
	fi
}

# wre_capture_stop [PID]: stop the capture of the latest wre_capture_start (or the one whose
# WRE_CAPTURE_PID was PID); its file is complete
wre_capture_stop()
{
	wri_kill "${1:-$WRE_CAPTURE_PID}"
}
