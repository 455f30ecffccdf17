# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# topo.sh: the reference topology of the gateway's end-to-end tests: a LAN host behind the
# gateway's LAN port, a branch office running wireguard-go behind its WAN port. Source it after
# wre.sh (which sources scripts/lib/netns.sh: every wri_* helper is available) and after
# wre_init:
#
#   wre-lan (LAN host)            wre-gw (wirerate)                       wre-br (branch)
#   192.0.2.2/24        ------- port lan 192.0.2.1/24                     wireguard-go $TOPO_BR_WG:
#   2001:db8:1::2/64              2001:db8:1::1/64                          198.51.100.1/24
#   routes via the gateway        port wan 203.0.113.1/24     -------      2001:db8:3::1/64
#                                 2001:db8:2::1/64                       203.0.113.2/24
#                                 [Interface $TOPO_GW_WG] on wan,        2001:db8:2::2/64
#                                 ListenPort 51820, peer: the branch,
#                                 AllowedIPs 198.51.100.0/24, 2001:db8:3::/64
#
# The branch's wireguard-go listens on 51820 and routes 192.0.2.0/24 and 2001:db8:1::/64 into
# its tunnel, with the gateway as its peer (AllowedIPs those two prefixes).
#
#   topo_build [DEVARGS]   namespaces gw, lan, br; the veths; keys gw and br in $WRE_TMP
#                          (NAME.key, NAME.pub); DEVARGS (",qpairs=2") goes on both Devices
#   topo_gateway_conf FILE [OPTION=VALUE...]
#                          write the gateway's configuration; options:
#                            endpoint=yes|no      the gateway knows the branch's endpoint (yes:
#                                                 site-to-site; no: remote access, the branch
#                                                 must start the handshake)
#                            outer=4|6            the branch's endpoint family (default 4)
#                            keepalive=N          PersistentKeepalive of the branch peer
#                            psk=FILE             PresharedKey from FILE (both sides: give the
#                                                 same to topo_branch_up)
#                            workers=LIST         [Gateway] Workers (default 1)
#                            mtu=N                the interface's MTU
#                            address=LIST         the interface's Address (its own addresses
#                                                 inside the tunnel, e.g. 198.51.100.254/24)
#                            udpsum=auto|on       the interface's UDPChecksum (default: unset)
#                          and TOPO_EXTRA_PEERS, when set, is appended verbatim (more [Peer]s)
#   topo_branch_up [OPTION=VALUE...]
#                          start and configure the branch's wireguard-go; options:
#                            endpoint=yes|no      the branch knows the gateway's endpoint
#                            outer=4|6            which of the gateway's addresses it uses
#                            keepalive=N, psk=FILE
#   topo_gateway_up FILE   wre_gateway_start FILE (the UAPI socket is removed on exit)
#   topo_ping ROLE [-6] ADDR
#                          three echo requests, every one answered, or wre_fail
#   topo_gw_wg ARGS...     run `wg ARGS` against the gateway (wg show "$TOPO_GW_WG" ...)
#   topo_gw_dump_field FIELD [PUB]
#                          a field of a peer's line (default: the branch) in `wg show IF dump`
#                          on the gateway (3 endpoint, 4 allowed ips, 5 latest handshake, 6 rx
#                          bytes, 7 tx bytes)
#   topo_gw_handshaken     the gateway has a latest handshake with the branch
#
# Variables after topo_build: TOPO_GW_WG (the gateway's interface, its UAPI socket name),
# TOPO_BR_WG (the branch's wireguard-go interface), TOPO_GW_LAN/TOPO_GW_WAN (the gateway's
# veths), TOPO_LAN_IF, TOPO_BR_IF (the hosts' ends), and the addresses:
TOPO_LAN4=192.0.2.2
TOPO_LAN6=2001:db8:1::2
TOPO_GWLAN4=192.0.2.1
TOPO_GWLAN6=2001:db8:1::1
TOPO_GWWAN4=203.0.113.1
TOPO_GWWAN6=2001:db8:2::1
TOPO_BRWAN4=203.0.113.2
TOPO_BRWAN6=2001:db8:2::2
TOPO_BR4=198.51.100.1
TOPO_BR6=2001:db8:3::1
TOPO_PORT=51820

topo_build()
{
	local extra=${1:-}

	wre_need_root
	wri_need_cmd wireguard-go wg
	TOPO_GW_LAN=$(wre_if gl) TOPO_GW_WAN=$(wre_if gw)
	TOPO_LAN_IF=$(wre_if lan) TOPO_BR_IF=$(wre_if br)
	TOPO_GW_WG=$(wre_if g) TOPO_BR_WG=$(wre_if b)
	TOPO_DEVARGS=$extra
	wre_ns_add gw
	wre_ns_add lan
	wre_ns_add br
	wre_link "$TOPO_GW_LAN" lan "$TOPO_LAN_IF" "$TOPO_LAN4/24" "$TOPO_LAN6/64"
	wre_link "$TOPO_GW_WAN" br "$TOPO_BR_IF" "$TOPO_BRWAN4/24" "$TOPO_BRWAN6/64"
	wre_nsx lan ip route add default via "$TOPO_GWLAN4"
	wre_nsx lan ip -6 route add default via "$TOPO_GWLAN6"
	wri_wg_genkey gw
	wri_wg_genkey br
	# the gateway's UAPI socket is in /var/run/wireguard too: removed by the cleanup
	WRI_WG_IFS+=("$TOPO_GW_WG")
}

# topo_opt NAME DEFAULT OPTIONS...: the value of NAME=... among OPTIONS, else DEFAULT
topo_opt()
{
	local name=$1 value=$2 o

	shift 2
	for o in "$@"; do
		case "$o" in
		"$name"=*) value=${o#*=} ;;
		esac
	done
	printf '%s' "$value"
}

topo_gateway_conf()
{
	local file=$1 endpoint outer keepalive psk workers mtu ep address udpsum

	shift
	endpoint=$(topo_opt endpoint yes "$@")
	outer=$(topo_opt outer 4 "$@")
	keepalive=$(topo_opt keepalive 0 "$@")
	psk=$(topo_opt psk '' "$@")
	workers=$(topo_opt workers 1 "$@")
	mtu=$(topo_opt mtu 1420 "$@")
	address=$(topo_opt address '' "$@")
	udpsum=$(topo_opt udpsum '' "$@")
	if [ "$outer" = 6 ]; then
		ep="[$TOPO_BRWAN6]:$TOPO_PORT"
	else
		ep="$TOPO_BRWAN4:$TOPO_PORT"
	fi
	{
		cat <<-CONF
		[Gateway]
		Control = 0
		Workers = $workers
		ControlSocket = $WRE_TMP/ctrl.sock

		[Port lan]
		Device = net_af_packet0,iface=$TOPO_GW_LAN$TOPO_DEVARGS
		Address = $TOPO_GWLAN4/24, $TOPO_GWLAN6/64

		[Port wan]
		Device = net_af_packet1,iface=$TOPO_GW_WAN$TOPO_DEVARGS
		Address = $TOPO_GWWAN4/24, $TOPO_GWWAN6/64

		[Interface $TOPO_GW_WG]
		PrivateKey = $(cat "$WRE_TMP/gw.key")
		ListenPort = $TOPO_PORT
		Port = wan
		MTU = $mtu
		$([ -z "$address" ] || echo "Address = $address")
		$([ -z "$udpsum" ] || echo "UDPChecksum = $udpsum")

		[Peer]
		PublicKey = $(cat "$WRE_TMP/br.pub")
		AllowedIPs = 198.51.100.0/24, 2001:db8:3::/64
		PersistentKeepalive = $keepalive
		CONF
		[ "$endpoint" = no ] || echo "Endpoint = $ep"
		[ -z "$psk" ] || echo "PresharedKey = $(cat "$psk")"
		[ -z "${TOPO_EXTRA_PEERS:-}" ] || printf '\n%s\n' "$TOPO_EXTRA_PEERS"
	} >"$file"
}

topo_branch_up()
{
	local endpoint outer keepalive psk args

	endpoint=$(topo_opt endpoint yes "$@")
	outer=$(topo_opt outer 4 "$@")
	keepalive=$(topo_opt keepalive 0 "$@")
	psk=$(topo_opt psk '' "$@")
	wri_wg_start br "$TOPO_BR_WG"
	args=(peer "$(cat "$WRE_TMP/gw.pub")" allowed-ips "192.0.2.0/24,2001:db8:1::/64")
	if [ "$endpoint" != no ]; then
		if [ "$outer" = 6 ]; then
			args+=(endpoint "[$TOPO_GWWAN6]:$TOPO_PORT")
		else
			args+=(endpoint "$TOPO_GWWAN4:$TOPO_PORT")
		fi
	fi
	[ "$keepalive" = 0 ] || args+=(persistent-keepalive "$keepalive")
	[ -z "$psk" ] || args+=(preshared-key "$psk")
	wre_nsx br wg set "$TOPO_BR_WG" private-key "$WRE_TMP/br.key" listen-port "$TOPO_PORT" \
		"${args[@]}" || wre_fail "wg set $TOPO_BR_WG"
	wre_nsx br ip addr add "$TOPO_BR4/24" dev "$TOPO_BR_WG"
	wre_nsx br ip -6 addr add "$TOPO_BR6/64" dev "$TOPO_BR_WG" nodad
	wre_nsx br ip link set "$TOPO_BR_WG" up
	wre_nsx br ip route add 192.0.2.0/24 dev "$TOPO_BR_WG"
	wre_nsx br ip -6 route add 2001:db8:1::/64 dev "$TOPO_BR_WG"
}

topo_gateway_up()
{
	wre_gateway_start "$1"
	wre_wait 10 test -S "/var/run/wireguard/$TOPO_GW_WG.sock" ||
		wre_fail "the gateway's UAPI socket $TOPO_GW_WG.sock did not appear"
}

topo_ping()
{
	local role=$1 out

	shift
	out=$(wre_nsx "$role" ping -n -c 3 -i 0.2 -W 2 "$@" 2>&1)
	grep -q ' 3 received' <<<"$out" || wre_fail "ping $* from $role: $out"
}

# The gateway's UAPI socket is in the root's /var/run/wireguard: wg needs no namespace
topo_gw_wg()
{
	wg "$@"
}

topo_gw_dump_field()
{
	topo_gw_wg show "$TOPO_GW_WG" dump |
		awk -v k="${2:-$(cat "$WRE_TMP/br.pub")}" -v f="$1" '$1 == k { print $f }'
}

topo_gw_handshaken()
{
	local t

	t=$(topo_gw_dump_field 5)
	[ -n "$t" ] && [ "$t" != 0 ]
}
