#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end checks of the gateway's control-plane APIs with real clients, in the reference
# topology of topo.sh (a LAN host behind port lan, a branch office's wireguard-go behind port
# wan):
#
#   rest       curl --unix-socket on every resource: status, interfaces, an interface, its stats,
#              peers created, read, changed, replaced, deleted, a bulk replace, /metrics; the
#              tunnel keeps working through it; `wg show` sees what REST wrote and REST what
#              `wg set` wrote
#   bad        malformed JSON, wrong types, unknown fields, a huge body (413), an unknown
#              interface, and a write the engine refuses leave the peer set unchanged; a slow
#              client holding a half-sent request does not block another; concurrent clients
#              are all answered
#   tcp        the TCP listener ([Gateway] ControlAddress): 401 without or with a wrong bearer
#              token, answers with it; the token is nowhere in the gateway's output; a relative
#              ControlTokenFile is found next to the configuration; a preshared key cleared
#              over REST is nowhere in the gateway's memory (nor is the configuration's copy);
#              a ControlSocket that cannot be opened is a warning, and TCP is served; a token
#              too long, or a FIFO for a token file, stops the start with the file's line
#   live       live reconfiguration: with an iperf3 UDP stream running to peer A, peer B is
#              added over REST (its traffic starts), its AllowedIPs changed twenty times over
#              (traffic follows), bulk-replaced, and removed (its traffic stops); the gateway
#              sends A every datagram of the stream and drops nothing but B's unrouted echo
#              requests; A keeps its session
#   telemetry  dpdk-telemetry.py, connected to a gateway started with the default EAL options
#              (telemetry on, --file-prefix wirerate, or wirerate-PID when taken: the log and
#              GET /v1/status say which), lists the /wirerate/ commands, and they answer:
#              status, interfaces, peers, drops; a second gateway started beside it gets a
#              prefix of its own and answers there, and removes its runtime directory on exit;
#              with wirerate's --no-telemetry the default EAL options have no telemetry
#   ifdrops    a gateway with two [Interface]s on port wan (listen ports 51820 and 51821):
#              garbage, data messages for unknown indexes and initiations with a bad mac1 sent
#              to the second's port are counted as the second interface's drops, in its REST
#              stats, in /metrics and in /wirerate/drops,IF; the first's stay as they were;
#              a packet to forward that no peer's AllowedIPs hold is the gateway's own drop
#              (GET /v1/status, wirerate_gateway_drops_total), neither interface's
#   peers_page 300 peers (a REST bulk replace): /wirerate/peers answers them a page at a time
#              (/wirerate/peers,OFFSET and /wirerate/peers,IF,OFFSET), every peer exactly once
#   limit      [Gateway] MaxPeers = 3 with the branch configured: a bulk replace, a POST and a
#              `wg set` that would pass three peers are refused whole (409 naming "peers",
#              ENOSPC) and change nothing, the tunnel still works; up to the limit they pass; a
#              disjoint set of three replaces the old three
#   dumpcap    dpdk-dumpcap (a secondary process) captures the tunnel's packets on port wan of a
#              gateway on hugepages with a shared configuration (256 hugepages reserved for
#              the test and given back; skipped when they cannot be)
#
# Usage: api.sh WIRERATE SCENARIO
set -uo pipefail

WIRERATE=$1
SCENARIO=$2
WRE_NAME="e2e-api-$SCENARIO"
# shellcheck source=tests/e2e/wre.sh
. "$(dirname "$0")/wre.sh"
# shellcheck source=tests/e2e/topo.sh
. "$(dirname "$0")/topo.sh"

API_SOCK=
API_IF=
API_PREFIX=
API_HUGE_WAS=
API_IF2=
API_GW2_PID=
here=$(cd "$(dirname "$0")" && pwd)
# a syntactically valid public key nobody holds
KEY_C=

# api METHOD PATH [BODY]: the answer's body on stdout, its status code in $WRE_TMP/code
api()
{
	local method=$1 path=$2 args=()

	[ $# -lt 3 ] || args=(-H 'Content-Type: application/json' --data-binary "$3")
	curl -sS --max-time 10 --unix-socket "$API_SOCK" -X "$method" -o "$WRE_TMP/body" \
		-w '%{http_code}' "${args[@]}" "http://localhost$path" >"$WRE_TMP/code" ||
		wre_fail "curl $method $path failed"
	cat "$WRE_TMP/body"
}

api_code() { cat "$WRE_TMP/code"; }

# expect CODE METHOD PATH [BODY]: the request is answered CODE; the body on stdout
expect()
{
	local want=$1 body

	shift
	body=$(api "$@")
	[ "$(api_code)" = "$want" ] || wre_fail "$1 $2: status $(api_code), not $want: $body"
	printf '%s' "$body"
}

# mem_holds PID BASE64: the bytes BASE64 encodes are somewhere in the writable memory of process
# PID (heap, stacks, DPDK's memory; not the sanitizer's shadow, terabytes never written)
mem_holds()
{
	/usr/bin/python3 - "$1" "$2" <<-'PY'
	import base64, sys
	needle = base64.b64decode(sys.argv[2])
	chunk, tail = 64 << 20, len(needle) - 1
	with open("/proc/%s/maps" % sys.argv[1]) as maps, \
	     open("/proc/%s/mem" % sys.argv[1], "rb", 0) as mem:
	    for line in maps:
	        span, perms = line.split()[:2]
	        lo, hi = (int(x, 16) for x in span.split("-"))
	        if not perms.startswith("rw") or hi - lo > 1 << 32:
	            continue
	        for off in range(lo, hi, chunk):
	            try:
	                mem.seek(off)
	                data = mem.read(min(chunk + tail, hi - off))
	            except OSError:
	                break
	            if needle in data:
	                sys.exit(0)
	sys.exit(1)
	PY
}

# url-safe base64 of a standard one, as the paths take it
urlkey() { printf '%s' "$1" | tr '+/' '-_' | tr -d '='; }

# peers_state: every peer with its endpoint and AllowedIPs, sorted (for before/after)
peers_state()
{
	expect 200 GET "/v1/interfaces/$API_IF/peers" |
		jq -S -c '[.peers[] | {public_key, endpoint, allowed_ips, persistent_keepalive}] |
			sort_by(.public_key)'
}

# wg_allowed KEY: the AllowedIPs `wg show dump` lists for KEY on the gateway
wg_allowed()
{
	topo_gw_wg show "$API_IF" dump | awk -v k="$1" '$1 == k { print $4 }'
}

start()
{
	topo_build ,qpairs=2
	API_SOCK=$WRE_TMP/ctrl.sock
	API_IF=$TOPO_GW_WG
	wri_wg_genkey c
	KEY_C=$(cat "$WRE_TMP/c.pub")
	topo_gateway_conf "$WRE_TMP/gw.conf" "$@"
	sed -i "s|^ControlSocket = .*|ControlSocket = $API_SOCK${API_GATEWAY_EXTRA:-}|" "$WRE_TMP/gw.conf"
	topo_branch_up endpoint=no
}

scenario_rest()
{
	local br out c_url

	start endpoint=yes
	topo_gateway_up "$WRE_TMP/gw.conf"
	[ "$(stat -c %a "$API_SOCK")" = 600 ] || wre_fail "control socket mode $(stat -c %a "$API_SOCK")"
	br=$(cat "$WRE_TMP/br.pub")
	c_url=/v1/interfaces/$API_IF/peers/$(urlkey "$KEY_C")
	topo_ping lan "$TOPO_BR4" -W 10

	out=$(expect 200 GET /v1/status)
	echo "$out" | jq -e '.version != null and .uptime_seconds >= 0' >/dev/null ||
		wre_fail "status: $out"
	echo "$out" | jq -e --arg lan "$TOPO_GWLAN4/24" '[.ports[] | select(.name == "lan")][0] |
		(.addresses | index($lan)) != null and (.mac | test("^[0-9a-f:]{17}$")) and
		.rx_packets > 0' >/dev/null || wre_fail "status: the lan port: $out"
	echo "$out" | jq -e '[.lcores[].role] | index("control") != null and
		index("worker") != null' >/dev/null || wre_fail "status: lcores: $out"
	out=$(expect 200 GET /v1/interfaces)
	echo "$out" | jq -e --arg i "$API_IF" '[.interfaces[].name] == [$i]' >/dev/null ||
		wre_fail "interfaces: $out"
	out=$(expect 200 GET "/v1/interfaces/$API_IF")
	echo "$out" | jq -e --arg k "$(cat "$WRE_TMP/gw.pub")" '.public_key == $k and
		.listen_port == 51820 and .port == "wan" and .peer_count == 1' >/dev/null ||
		wre_fail "interface: $out"
	# the interface's public key is REST's to tell: `wg` derives it from the private key,
	# which the gateway never hands out (docs/configuration.md)
	[ "$(topo_gw_wg show "$API_IF" public-key)" = "(none)" ] ||
		wre_fail "wg show public-key: $(topo_gw_wg show "$API_IF" public-key)"
	out=$(expect 200 GET "/v1/interfaces/$API_IF/stats")
	echo "$out" | jq -e '.rx_bytes > 0 and .tx_bytes > 0 and (.drops | type) == "object"' \
		>/dev/null || wre_fail "stats: $out"
	out=$(expect 200 GET "/v1/interfaces/$API_IF/peers/$(urlkey "$br")")
	echo "$out" | jq -e --arg ep "$TOPO_BRWAN4:$TOPO_PORT" '.endpoint == $ep and
		.allowed_ips == ["198.51.100.0/24", "2001:db8:3::/64"] and
		.stats.last_handshake_ns > 0' >/dev/null || wre_fail "the branch peer: $out"
	out=$(expect 200 GET "/v1/interfaces/$API_IF/peers/$(urlkey "$br")/stats")
	echo "$out" | jq -e '.rx_bytes > 0 and .tx_bytes > 0' >/dev/null ||
		wre_fail "peer stats: $out"

	# create, read, change, replace, delete: and `wg show` agrees at each step
	expect 201 POST "/v1/interfaces/$API_IF/peers" "{\"public_key\": \"$KEY_C\",
		\"endpoint\": \"203.0.113.9:51820\", \"allowed_ips\": [\"198.51.100.200/32\"]}" \
		>/dev/null
	[ "$(wg_allowed "$KEY_C")" = 198.51.100.200/32 ] || wre_fail "wg show: $(wg_allowed "$KEY_C")"
	expect 409 POST "/v1/interfaces/$API_IF/peers" "{\"public_key\": \"$KEY_C\"}" >/dev/null
	expect 200 PATCH "$c_url" '{"allowed_ips": ["198.51.100.200/32", "2001:db8:9::/64"],
		"persistent_keepalive": 25}' >/dev/null
	[ "$(wg_allowed "$KEY_C")" = 198.51.100.200/32,2001:db8:9::/64 ] ||
		wre_fail "wg show after PATCH: $(wg_allowed "$KEY_C")"
	topo_gw_wg show "$API_IF" dump | awk -v k="$KEY_C" '$1 == k { print $8 }' | grep -qx 25 ||
		wre_fail "wg show: keepalive not 25"
	expect 200 PUT "$c_url" '{"allowed_ips": ["198.51.100.201/32"]}' >/dev/null
	[ "$(wg_allowed "$KEY_C")" = 198.51.100.201/32 ] || wre_fail "wg show after PUT"
	# the other way: what `wg set` writes, REST reads
	topo_gw_wg set "$API_IF" peer "$KEY_C" allowed-ips 198.51.100.202/32 || wre_fail "wg set"
	out=$(expect 200 GET "$c_url")
	echo "$out" | jq -e '.allowed_ips == ["198.51.100.202/32"] and
		.endpoint == "203.0.113.9:51820"' >/dev/null || wre_fail "REST after wg set: $out"
	expect 204 DELETE "$c_url" >/dev/null
	expect 404 GET "$c_url" >/dev/null
	[ -z "$(wg_allowed "$KEY_C")" ] || wre_fail "wg show still lists the deleted peer"

	# bulk replace: the branch stays (in place: its session lives on), C comes, then goes
	out=$(expect 200 PUT "/v1/interfaces/$API_IF/peers" "{\"peers\": [
		{\"public_key\": \"$br\", \"allowed_ips\": [\"198.51.100.0/24\", \"2001:db8:3::/64\"]},
		{\"public_key\": \"$KEY_C\", \"allowed_ips\": [\"198.51.100.250/32\"]}]}")
	echo "$out" | jq -e '.peer_count == 2 and .added == 1 and .updated == 1 and
		.removed == 0' >/dev/null || wre_fail "bulk replace: $out"
	[ "$(topo_gw_wg show "$API_IF" peers | wc -l)" -eq 2 ] || wre_fail "wg show: not 2 peers"
	topo_ping lan "$TOPO_BR4"
	out=$(expect 200 PUT "/v1/interfaces/$API_IF/peers" "{\"peers\": [
		{\"public_key\": \"$br\", \"allowed_ips\": [\"198.51.100.0/24\", \"2001:db8:3::/64\"]}]}")
	echo "$out" | jq -e '.peer_count == 1 and .removed == 1' >/dev/null ||
		wre_fail "bulk replace back: $out"
	topo_ping lan "$TOPO_BR4"
	topo_ping lan -6 "$TOPO_BR6"

	out=$(expect 200 GET /metrics)
	grep -q '^wirerate_up 1$' <<<"$out" || wre_fail "metrics: no wirerate_up 1"
	grep -q "^wirerate_peers{interface=\"$API_IF\"} 1$" <<<"$out" ||
		wre_fail "metrics: peers: $(echo "$out" | grep '^wirerate_peers')"
	grep -q '^wirerate_port_receive_packets_total{port="wan"} [1-9]' <<<"$out" ||
		wre_fail "metrics: no packets on wan"
	grep -qF "wirerate_peer_receive_bytes_total{interface=\"$API_IF\",public_key=\"$br\"} " \
		<<<"$out" || wre_fail "metrics: no bytes for the branch"
	grep "^wirerate_peer_receive_bytes_total{interface=\"$API_IF\"" <<<"$out" |
		grep -q ' [1-9][0-9]*$' || wre_fail "metrics: the branch's bytes are 0"
	wre_gateway_stop
	[ ! -e "$API_SOCK" ] || wre_fail "the control socket is left behind"
}

# a slow client: connects, sends half a request and waits
slow_client()
{
	/usr/bin/python3 - "$API_SOCK" "$1" <<-'PY'
	import socket, sys, time
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.connect(sys.argv[1])
	s.sendall(b"POST /v1/interfaces/x/peers HTTP/1.1\r\nHost: l\r\n"
		  b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"pub")
	time.sleep(float(sys.argv[2]))
	s.close()
	PY
}

scenario_bad()
{
	local before body path code i pids=() big

	start endpoint=yes
	topo_gateway_up "$WRE_TMP/gw.conf"
	path=/v1/interfaces/$API_IF/peers
	before=$(peers_state)
	for body in '{"public_key": ' '{"public_key": "abc"' 'nul' '' \
		'{"public_key": "'"$KEY_C"'", "public_key": "'"$KEY_C"'"}'; do
		expect 400 POST "$path" "$body" | jq -e '.error.code == "invalid_json"' >/dev/null ||
			wre_fail "malformed '$body': $(cat "$WRE_TMP/body")"
	done
	for body in '[]' "{\"public_key\": 5}" \
		"{\"public_key\": \"$KEY_C\", \"allowed_ips\": \"198.51.100.7/32\"}" \
		"{\"public_key\": \"$KEY_C\", \"persistent_keepalive\": \"25\"}" \
		"{\"public_key\": \"$KEY_C\", \"endpoint\": 51820}"; do
		expect 400 POST "$path" "$body" | jq -e '.error.code == "wrong_type"' >/dev/null ||
			wre_fail "wrong type '$body': $(cat "$WRE_TMP/body")"
	done
	for body in "{\"public_key\": \"$KEY_C\", \"allowedips\": []}" \
		"{\"public_key\": \"$KEY_C\", \"allowed_ips\": [], \"x\": 1}"; do
		expect 400 POST "$path" "$body" | jq -e '.error.code == "unknown_field"' >/dev/null ||
			wre_fail "unknown field '$body': $(cat "$WRE_TMP/body")"
	done
	for body in "{\"public_key\": \"$KEY_C\", \"allowed_ips\": [\"198.51.100.7/33\"]}" \
		"{\"public_key\": \"$KEY_C\", \"persistent_keepalive\": 65536}" \
		"{\"public_key\": \"$KEY_C\", \"endpoint\": \"gateway.example:51820\"}" \
		'{"public_key": "not a key"}'; do
		expect 400 POST "$path" "$body" | jq -e '.error.code == "invalid_value"' >/dev/null ||
			wre_fail "invalid value '$body': $(cat "$WRE_TMP/body")"
	done
	# a bulk replace with one bad peer changes nothing at all
	expect 400 PUT "$path" "{\"peers\": [{\"public_key\": \"$KEY_C\"},
		{\"public_key\": \"$KEY_C\"}]}" >/dev/null
	expect 400 PUT "$path" '{"peers": []' >/dev/null
	expect 404 POST "/v1/interfaces/nosuchif/peers" "{\"public_key\": \"$KEY_C\"}" >/dev/null
	# the gateway refuses a random listen port (its peers need to know it)
	expect 400 PATCH "/v1/interfaces/$API_IF" '{"listen_port": 0}' |
		jq -e '.error.field == "listen_port"' >/dev/null || wre_fail "listen port 0 accepted"
	expect 405 DELETE "/v1/interfaces/$API_IF/peers" >/dev/null
	# a body over the limit (16 MiB), refused by its Content-Length before it is read
	big=$WRE_TMP/big.json
	head -c $((17 << 20)) /dev/zero | tr '\0' ' ' >"$big"
	code=$(curl -sS --max-time 30 --unix-socket "$API_SOCK" -X PUT -o /dev/null \
		-w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$big" \
		"http://localhost$path")
	[ "$code" = 413 ] || wre_fail "a 17 MiB body: status $code, not 413"
	# the same without a Content-Length: refused while it streams in
	code=$(curl -sS --max-time 30 --unix-socket "$API_SOCK" -X PUT -o /dev/null \
		-w '%{http_code}' -H 'Content-Type: application/json' \
		-H 'Transfer-Encoding: chunked' --data-binary "@$big" "http://localhost$path")
	[ "$code" = 413 ] || wre_fail "a 17 MiB chunked body: status $code, not 413"
	rm -f "$big"
	[ "$(peers_state)" = "$before" ] || wre_fail "a refused request changed the peers:
before: $before
after:  $(peers_state)"
	[ "$(expect 200 GET "/v1/interfaces/$API_IF" | jq .listen_port)" = 51820 ] ||
		wre_fail "the listen port changed"

	# a slow client holding a half-sent request does not keep others waiting
	slow_client 8 &
	pids+=($!)
	sleep 1
	# well before the slow client gives up (8 s): a server blocked by it would not answer
	code=$(curl -sS --max-time 3 --unix-socket "$API_SOCK" -o /dev/null -w '%{http_code}' \
		http://localhost/v1/status)
	[ "$code" = 200 ] || wre_fail "a request beside a slow client: status $code"
	# concurrent clients: every one answered
	for i in $(seq 16); do
		curl -sS --max-time 10 --unix-socket "$API_SOCK" -o /dev/null -w '%{http_code}\n' \
			"http://localhost/v1/interfaces/$API_IF/peers" >"$WRE_TMP/conc.$i" &
		pids+=($!)
	done
	wait "${pids[@]:1}"
	for i in $(seq 16); do
		[ "$(cat "$WRE_TMP/conc.$i")" = 200 ] ||
			wre_fail "concurrent client $i: $(cat "$WRE_TMP/conc.$i")"
	done
	kill "${pids[0]}" 2>/dev/null
	wait "${pids[0]}" 2>/dev/null
	topo_ping lan "$TOPO_BR4" -W 10
	wre_gateway_stop
}

scenario_tcp()
{
	local token url code out rc at

	# the longest token the gateway takes: 511 characters, then the line's end (CRLF)
	token=$(head -c 1024 /dev/urandom | base64 -w0 | tr -d '/+=' | head -c 511)
	[ "${#token}" -eq 511 ] || wre_fail "a 511-character token: ${#token}"
	printf '%s\r\n' "$token" >"$WRE_TMP/token"
	chmod 600 "$WRE_TMP/token"
	# a relative token file is the configuration's neighbour, wherever the gateway runs from
	WIRERATE=$(readlink -f "$WIRERATE")
	cd / || wre_fail "cd /"
	API_GATEWAY_EXTRA="\nControlAddress = 127.0.0.1:18080\nControlTokenFile = token"
	# peer D never handshakes: its preshared key is only where the configuration put it
	wri_wg_genkey d
	wri_wg_genpsk d
	TOPO_EXTRA_PEERS="[Peer]
PublicKey = $(cat "$WRE_TMP/d.pub")
PresharedKey = $(cat "$WRE_TMP/d.psk")
AllowedIPs = 2001:db8:99::/64"
	start endpoint=yes
	topo_gateway_up "$WRE_TMP/gw.conf"
	url=http://127.0.0.1:18080/v1/status
	code=$(wre_nsx gw curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$url")
	[ "$code" = 401 ] || wre_fail "no token: status $code"
	code=$(wre_nsx gw curl -sS --max-time 5 -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer x$token" "$url")
	[ "$code" = 401 ] || wre_fail "a wrong token: status $code"
	code=$(wre_nsx gw curl -sS --max-time 5 -o "$WRE_TMP/body" -w '%{http_code}' \
		-H "Authorization: Bearer $token" "$url")
	[ "$code" = 200 ] || wre_fail "the token: status $code"
	code=$(wre_nsx gw curl -sS --max-time 5 -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer $token" -X DELETE \
		"http://127.0.0.1:18080/v1/interfaces/$TOPO_GW_WG/peers/$(urlkey "$(cat "$WRE_TMP/br.pub")")")
	[ "$code" = 204 ] || wre_fail "DELETE with the token: status $code"
	! topo_gw_wg show "$TOPO_GW_WG" peers | grep -qxF "$(cat "$WRE_TMP/br.pub")" ||
		wre_fail "the peer is still there"
	# the unix socket needs no token
	expect 200 GET /v1/status >/dev/null

	# secrets go with what holds them: D's preshared key, cleared over REST, is nowhere in the
	# gateway's memory, nor in the configuration it started from (freed once set up); D's
	# public key stays, and is found (the scan sees the engine's memory)
	mem_holds "$WRE_GW_PID" "$(cat "$WRE_TMP/d.pub")" ||
		wre_fail "the memory scan does not find D's public key"
	mem_holds "$WRE_GW_PID" "$(cat "$WRE_TMP/d.psk")" ||
		wre_fail "the memory scan does not find D's preshared key before it is cleared"
	expect 200 PATCH "/v1/interfaces/$TOPO_GW_WG/peers/$(urlkey "$(cat "$WRE_TMP/d.pub")")" \
		'{"preshared_key": null}' >/dev/null
	! mem_holds "$WRE_GW_PID" "$(cat "$WRE_TMP/d.psk")" ||
		wre_fail "a preshared key cleared over REST is still in the gateway's memory"
	wre_gateway_stop
	! grep -qF "$token" "$WRE_TMP/gw.log" || wre_fail "the token is in the gateway's output"

	# a ControlSocket that cannot be opened (a regular file where it would be) is a warning
	# beside a TCP listener too: the gateway starts, serves TCP, leaves the file alone
	: >"$WRE_TMP/not-a-socket"
	sed "s|^ControlSocket = .*|ControlSocket = $WRE_TMP/not-a-socket|" "$WRE_TMP/gw.conf" \
		>"$WRE_TMP/gw-nosock.conf"
	topo_gateway_up "$WRE_TMP/gw-nosock.conf"
	grep -q "^wirerate: warning: no control socket $WRE_TMP/not-a-socket: File exists" \
		"$WRE_TMP/gw.log" || wre_fail "no warning for the socket: $(cat "$WRE_TMP/gw.log")"
	code=$(wre_nsx gw curl -sS --max-time 5 -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer $token" "$url")
	[ "$code" = 200 ] || wre_fail "TCP without the control socket: status $code"
	[ -f "$WRE_TMP/not-a-socket" ] || wre_fail "the file where the socket would go is gone"
	wre_gateway_stop

	# a first line longer than the gateway reads is refused, not cut short (a token cut short
	# would only ever get 401), with the line of ControlTokenFile, before EAL starts
	at="^wirerate: $WRE_TMP/gw.conf:[0-9]*: ControlTokenFile: '$WRE_TMP/token'"
	head -c 512 /dev/zero | tr '\0' 'k' >"$WRE_TMP/token"
	echo >>"$WRE_TMP/token"
	out=$(ip netns exec "$(wre_ns gw)" timeout 90 "$WIRERATE" -- -c "$WRE_TMP/gw.conf" 2>&1 </dev/null)
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || wre_fail "a 512-character token: exit status $rc"
	grep -q "$at: its first line is longer than 511 characters" <<<"$out" ||
		wre_fail "no message for a token too long: $out"
	! grep -q 'kkkkkkkk' <<<"$out" || wre_fail "the token is in the gateway's output"
	! grep -q '^EAL:' <<<"$out" || wre_fail "EAL started before the token was read"
	# a FIFO (no writer) for the token file: refused at once, not waited on
	rm -f "$WRE_TMP/token"
	mkfifo "$WRE_TMP/token"
	out=$(wre_nsx gw timeout 30 "$WIRERATE" -- -c "$WRE_TMP/gw.conf" 2>&1 </dev/null)
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || wre_fail "a FIFO for the token: exit status $rc"
	grep -q "$at: not a regular file" <<<"$out" ||
		wre_fail "no message for a FIFO token file: $out"
}

# b_reaches ADDR: one echo request from the LAN host to ADDR (behind peer B) is answered
b_reaches()
{
	wre_nsx lan ping -n -c 1 -W 1 "$1" >/dev/null 2>&1
}

# br_rcvbuf_errors: UDP datagrams the branch's kernel dropped for a full socket buffer (RcvbufErrors
# of its namespace, both families)
br_rcvbuf_errors()
{
	# shellcheck disable=SC2016 # awk's own $fields
	wre_nsx br awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { n += $6 }
		$1 == "Udp6RcvbufErrors" { n += $2 } END { print n + 0 }' /proc/net/snmp /proc/net/snmp6
}

scenario_live()
{
	local a b b2 b_url hs_before hs_after lost sent client a_tx out b_log b_inits br_full

	wri_need_cmd iperf3
	start endpoint=yes
	a=$(cat "$WRE_TMP/br.pub")
	# A holds 198.51.100.0/25 (the branch), B (a second wireguard-go in the branch, port 51821,
	# addresses .129 and .130) is not configured at the gateway yet
	sed -i 's|^AllowedIPs = 198.51.100.0/24, |AllowedIPs = 198.51.100.0/25, |' "$WRE_TMP/gw.conf"
	grep -q '^AllowedIPs = 198.51.100.0/25, ' "$WRE_TMP/gw.conf" ||
		wre_fail "cannot narrow peer A's AllowedIPs in the configuration"
	b2=$(wre_if b2)
	wri_wg_genkey b2
	b=$(cat "$WRE_TMP/b2.pub")
	b_url=/v1/interfaces/$API_IF/peers/$(urlkey "$b")
	wri_wg_start br "$b2"
	wre_nsx br wg set "$b2" private-key "$WRE_TMP/b2.key" listen-port 51821 \
		peer "$(cat "$WRE_TMP/gw.pub")" allowed-ips 192.0.2.0/24 || wre_fail "wg set $b2"
	wre_nsx br ip addr add 198.51.100.129/32 dev "$b2"
	wre_nsx br ip addr add 198.51.100.130/32 dev "$b2"
	wre_nsx br ip link set "$b2" up
	wre_nsx br ip rule add from 198.51.100.128/25 table 100
	wre_nsx br ip route add 192.0.2.0/24 dev "$b2" table 100
	topo_gateway_up "$WRE_TMP/gw.conf"
	topo_ping lan "$TOPO_BR4" -W 10
	hs_before=$(expect 200 GET "/v1/interfaces/$API_IF/peers/$(urlkey "$a")/stats" |
		jq .last_handshake_ns)
	! b_reaches 198.51.100.129 || wre_fail "B is reached before it is configured"

	wre_gateway_counters
	a_tx=$(wre_counter tx_packets)
	br_full=$(br_rcvbuf_errors)
	# A's stream: UDP at a modest rate, datagrams under the tunnel MTU
	wri_bg br "$WRE_TMP/iperf-s.log" iperf3 -s -B "$TOPO_BR4" -1
	wre_wait 10 eval "wri_nsx br ss -Hltn | grep -q ':5201 '" || wre_fail "no iperf3 server"
	wri_bg lan "$WRE_TMP/iperf.json" iperf3 -c "$TOPO_BR4" -u -b 4M -l 1000 -t 12 --json
	client=$WRI_LAST_PID
	sleep 1

	# B comes over REST: its traffic starts
	expect 201 POST "/v1/interfaces/$API_IF/peers" "{\"public_key\": \"$b\",
		\"endpoint\": \"$TOPO_BRWAN4:51821\", \"allowed_ips\": [\"198.51.100.129/32\"]}" \
		>/dev/null
	wre_wait 10 b_reaches 198.51.100.129 || wre_fail "B is not reached once added"
	topo_ping lan 198.51.100.129
	! b_reaches 198.51.100.130 || wre_fail "B is reached at an address it was not given"
	# its AllowedIPs change: the traffic follows
	expect 200 PATCH "$b_url" '{"allowed_ips": ["198.51.100.130/32"]}' >/dev/null
	topo_ping lan 198.51.100.130
	! b_reaches 198.51.100.129 || wre_fail "B is still reached at the address it lost"
	# many publications in a row, each a new table for the workers while A's stream runs
	for _ in $(seq 10); do
		expect 200 PATCH "$b_url" '{"allowed_ips": ["198.51.100.129/32"]}' >/dev/null
		expect 200 PATCH "$b_url" '{"allowed_ips": ["198.51.100.130/32"]}' >/dev/null
	done
	topo_ping lan 198.51.100.130
	# a bulk replace that keeps A as it is and B with both addresses
	expect 200 PUT "/v1/interfaces/$API_IF/peers" "{\"peers\": [
		{\"public_key\": \"$a\", \"allowed_ips\": [\"198.51.100.0/25\", \"2001:db8:3::/64\"]},
		{\"public_key\": \"$b\", \"allowed_ips\": [\"198.51.100.129/32\",
			\"198.51.100.130/32\"]}]}" >/dev/null
	topo_ping lan 198.51.100.129
	topo_ping lan 198.51.100.130
	# B goes: its traffic stops
	b_log=$(wc -l <"$WRE_TMP/$b2.log")
	expect 204 DELETE "$b_url" >/dev/null
	! b_reaches 198.51.100.130 || wre_fail "B is reached once removed"
	! b_reaches 198.51.100.129 || wre_fail "B is reached once removed"
	# B's wireguard-go still has the gateway as its peer: 15 s after data it sent went
	# unanswered (on a loaded machine the changes above may take that long) it initiates again,
	# and the gateway, which no longer knows B, counts UNKNOWN_PEER: stop it, count its tries
	wri_wg_stop "$b2"
	b_inits=$(tail -n "+$((b_log + 1))" "$WRE_TMP/$b2.log" |
		grep -c 'Sending handshake initiation')

	# A lost nothing at the gateway: every datagram iperf3 sent was sealed and sent to A, and
	# the only drops are B's 5 echo requests above while no peer held their address (NO_ROUTE)
	wre_wait 30 eval "! wri_alive $client" || wre_fail "iperf3 did not finish"
	lost=$(jq '.end.sum.lost_packets' "$WRE_TMP/iperf.json")
	sent=$(jq '.end.sum.packets' "$WRE_TMP/iperf.json")
	wre_gateway_counters
	a_tx=$(($(wre_counter tx_packets) - a_tx))
	wre_log "A's stream: $sent datagrams, $a_tx packets sent to A, $lost lost past the gateway"
	[ "${sent:-0}" -gt 1000 ] || wre_fail "iperf3 sent $sent datagrams: $(cat "$WRE_TMP/iperf.json")"
	[ "$a_tx" -ge "$sent" ] || wre_fail "the gateway sent $a_tx packets to A, iperf3 $sent"
	[ "$(wre_counter NO_ROUTE)" -eq 5 ] || wre_fail "NO_ROUTE $(wre_counter NO_ROUTE), not 5"
	[ "$(wre_counter UNKNOWN_PEER)" -le "$b_inits" ] ||
		wre_fail "UNKNOWN_PEER $(wre_counter UNKNOWN_PEER), B tried $b_inits handshakes since"
	out=$(grep -E '^(interface .* drops:|drops:)' <<<"$WRE_COUNTERS" | sed 's/^interface .* drops://;
		s/^drops://; s/ \(not_for_us\|NO_ROUTE\|UNKNOWN_PEER\) [0-9]*//g' | tr -d ' \n')
	[ -z "$out" ] || wre_fail "drops beside NO_ROUTE: $(grep drops: <<<"$WRE_COUNTERS")"
	# past the gateway, on a loaded machine, the branch's sockets (wireguard-go's, iperf3's) may
	# overflow while their reader waits for a CPU: a loss over 2% fails unless the branch's kernel
	# counted at least as many datagrams it had no room for (the gateway's own count above is
	# the exact check)
	br_full=$(($(br_rcvbuf_errors) - br_full))
	[ "$((lost * 50))" -le "$sent" ] || [ "$lost" -le "$br_full" ] ||
		wre_fail "A's stream: $lost of $sent datagrams lost, $br_full socket buffer overflows in \
the branch: $(jq -c .end.sum "$WRE_TMP/iperf.json")"
	hs_after=$(expect 200 GET "/v1/interfaces/$API_IF/peers/$(urlkey "$a")/stats" |
		jq .last_handshake_ns)
	[ "$hs_after" = "$hs_before" ] || wre_fail "A handshaked again during the changes"
	topo_ping lan "$TOPO_BR4"
	wre_gateway_stop
}

# api_gateway_start CONF EAL-OPTION...: as wre_gateway_start, with EAL options of our own
api_gateway_start()
{
	local conf=$1

	shift
	ip netns exec "$(wre_ns gw)" "$WIRERATE" "$@" -- -c "$conf" >"$WRE_TMP/gw.log" 2>&1 \
		</dev/null &
	WRE_GW_PID=$!
	wre_wait 30 wre_gateway_up || wre_fail "wirerate did not come up"
}

# telemetry COMMAND...: dpdk-telemetry.py's answers (one JSON line each) to the gateway
telemetry()
{
	printf '%s\n' "$@" | dpdk-telemetry.py -f "$API_PREFIX" 2>&1
}

# eal_prefix LOG: the EAL file prefix a gateway started with default EAL options logged
eal_prefix()
{
	sed -n 's/^wirerate: EAL file prefix \([^ ]*\) (dpdk-telemetry.py .*/\1/p' "$1"
}

# api_default_up: the gateway of gw.conf with the default EAL options; API_PREFIX its prefix
api_default_up()
{
	topo_gateway_up "$WRE_TMP/gw.conf"
	API_PREFIX=$(eal_prefix "$WRE_TMP/gw.log")
	[ -n "$API_PREFIX" ] || wre_fail "no EAL file prefix logged: $(head -n 5 "$WRE_TMP/gw.log")"
	wre_wait 10 test -S "/var/run/dpdk/$API_PREFIX/dpdk_telemetry.v2" ||
		wre_fail "no telemetry socket in /var/run/dpdk/$API_PREFIX"
}

# api_second_gateway: a second gateway, on a veth of its own, with the default EAL options
# beside the first; API_GW2_PID, its log gw2.log
api_second_gateway()
{
	local a b

	a=$(wre_if s) b=$(wre_if t)
	wre_link "$a" lan "$b"
	wri_wg_genkey gw2
	API_IF2=$(wre_if h)
	WRI_WG_IFS+=("$API_IF2")
	cat >"$WRE_TMP/gw2.conf" <<-CONF
	[Gateway]
	Control = 0
	Workers = 1
	ControlSocket = $WRE_TMP/ctrl2.sock

	[Port x]
	Device = net_af_packet0,iface=$a
	Address = 192.0.2.201/24

	[Interface $API_IF2]
	PrivateKey = $(cat "$WRE_TMP/gw2.key")
	ListenPort = 51830
	Port = x
	CONF
	wri_bg gw "$WRE_TMP/gw2.log" "$WIRERATE" -- -c "$WRE_TMP/gw2.conf"
	API_GW2_PID=$WRI_LAST_PID
	wre_wait 60 grep -q '^wirerate: running' "$WRE_TMP/gw2.log" ||
		wre_fail "the second gateway did not come up: $(tail -n 5 "$WRE_TMP/gw2.log")"
}

scenario_telemetry()
{
	local out br prefix2 i

	wri_need_cmd dpdk-telemetry.py
	start endpoint=yes
	br=$(cat "$WRE_TMP/br.pub")
	# the default EAL options: telemetry on, in /var/run/dpdk/wirerate, or wirerate-PID when
	# another gateway on this machine has that
	api_default_up
	case "$API_PREFIX" in
	wirerate | "wirerate-$WRE_GW_PID") ;;
	*) wre_fail "EAL file prefix $API_PREFIX: neither wirerate nor wirerate-$WRE_GW_PID" ;;
	esac
	expect 200 GET /v1/status | jq -e --arg p "$API_PREFIX" '.eal_file_prefix == $p' \
		>/dev/null || wre_fail "status: the EAL file prefix: $(cat "$WRE_TMP/body")"
	topo_ping lan "$TOPO_BR4" -W 10
	sleep 1 # the snapshot is refreshed every 500 ms
	out=$(telemetry /)
	for c in status interfaces peers drops; do
		grep -q "\"/wirerate/$c\"" <<<"$out" || wre_fail "no /wirerate/$c in: $out"
	done
	out=$(telemetry /wirerate/status)
	echo "$out" | jq -e --arg p "$API_PREFIX" '."/wirerate/status" | .state == "running" and
		.peers == 1 and .workers == 1 and .file_prefix == $p and .peers_page > 0' \
		>/dev/null || wre_fail "/wirerate/status: $out"
	out=$(telemetry /wirerate/interfaces)
	echo "$out" | jq -e --arg i "$TOPO_GW_WG" '."/wirerate/interfaces"[$i] |
		.listen_port == 51820 and .port == "wan" and .peers == 1' >/dev/null ||
		wre_fail "/wirerate/interfaces: $out"
	out=$(telemetry "/wirerate/peers,$TOPO_GW_WG")
	echo "$out" | jq -e --arg k "$br" --arg ep "$TOPO_BRWAN4:$TOPO_PORT" \
		'."/wirerate/peers" | length == 1 and (.[] | .public_key == $k and
		.endpoint == $ep and .rx_bytes > 0 and .latest_handshake > 0)' \
		>/dev/null || wre_fail "/wirerate/peers: $out"
	# an unknown interface is an error (null), not an empty page that would read "no peers"
	out=$(telemetry /wirerate/peers,nosuchif)
	echo "$out" | jq -e 'has("/wirerate/peers") and ."/wirerate/peers" == null' >/dev/null ||
		wre_fail "/wirerate/peers of no interface: $out"
	out=$(telemetry /wirerate/peers,nosuchif,0)
	echo "$out" | jq -e 'has("/wirerate/peers") and ."/wirerate/peers" == null' >/dev/null ||
		wre_fail "/wirerate/peers of no interface, from 0: $out"
	out=$(telemetry /wirerate/drops,nosuchif)
	echo "$out" | jq -e 'has("/wirerate/drops") and ."/wirerate/drops" == null' >/dev/null ||
		wre_fail "/wirerate/drops of no interface: $out"
	out=$(telemetry /wirerate/drops)
	echo "$out" | jq -e '."/wirerate/drops" | has("replay") and has("not_for_us")' \
		>/dev/null || wre_fail "/wirerate/drops: $out"
	out=$(telemetry "/wirerate/drops,$TOPO_GW_WG")
	echo "$out" | jq -e '."/wirerate/drops" | has("replay") and (has("not_for_us") | not)' \
		>/dev/null || wre_fail "/wirerate/drops,$TOPO_GW_WG: $out"

	# a second gateway at the same time: it starts, on a prefix of its own, and answers there
	api_second_gateway
	prefix2=$(eal_prefix "$WRE_TMP/gw2.log")
	[ "$prefix2" = "wirerate-$API_GW2_PID" ] ||
		wre_fail "the second gateway's EAL file prefix is '$prefix2', not wirerate-$API_GW2_PID"
	grep -q "^wirerate: EAL file prefix wirerate is taken" "$WRE_TMP/gw2.log" ||
		wre_fail "the second gateway does not say why: $(head -n 5 "$WRE_TMP/gw2.log")"
	for i in $(seq 20); do
		out=$(printf '/wirerate/interfaces\n' | dpdk-telemetry.py -f "$prefix2" 2>&1)
		jq -e --arg i "$API_IF2" '."/wirerate/interfaces"[$i].listen_port == 51830' \
			<<<"$out" >/dev/null 2>&1 && break
		sleep 0.5
	done
	jq -e --arg i "$API_IF2" '."/wirerate/interfaces"[$i].listen_port == 51830' \
		<<<"$out" >/dev/null 2>&1 || wre_fail "the second gateway's telemetry: $out"
	# and the first still answers on its own
	out=$(telemetry /wirerate/interfaces)
	echo "$out" | jq -e --arg i "$TOPO_GW_WG" --arg j "$API_IF2" \
		'."/wirerate/interfaces" | has($i) and (has($j) | not)' >/dev/null ||
		wre_fail "the first gateway's telemetry: $out"
	kill -TERM "$API_GW2_PID"
	# shellcheck disable=SC2016 # expanded by eval, at each try
	wre_wait 60 eval '! wri_alive "$API_GW2_PID"' || wre_fail "the second gateway did not stop"
	[ ! -e "/var/run/dpdk/$prefix2" ] || wre_fail "/var/run/dpdk/$prefix2 is left behind"
	topo_ping lan "$TOPO_BR4"
	wre_gateway_stop

	# the opt-out: the default EAL options without telemetry (wirerate's --no-telemetry); the
	# old log emptied first, or its "running" line could pass for the new gateway's
	: >"$WRE_TMP/gw.log"
	ip netns exec "$(wre_ns gw)" "$WIRERATE" -- -c "$WRE_TMP/gw.conf" --no-telemetry \
		>"$WRE_TMP/gw.log" 2>&1 </dev/null &
	WRE_GW_PID=$!
	wre_wait 60 wre_gateway_up || wre_fail "wirerate --no-telemetry did not come up"
	! grep -q 'EAL file prefix' "$WRE_TMP/gw.log" ||
		wre_fail "--no-telemetry: $(grep 'EAL file prefix' "$WRE_TMP/gw.log")"
	expect 200 GET /v1/status | jq -e --arg p "$API_PREFIX" '.eal_file_prefix != $p' \
		>/dev/null || wre_fail "--no-telemetry: status: $(cat "$WRE_TMP/body")"
	topo_ping lan "$TOPO_GWLAN4" -W 10
	wre_gateway_stop
}

# if_drops IF REASON: REASON's count in interface IF's REST stats
if_drops()
{
	expect 200 GET "/v1/interfaces/$1/stats" | jq -r --arg r "$2" '.drops[$r]'
}

# metric_drops IF REASON: wirerate_drops_total of IF and REASON in /metrics
metric_drops()
{
	expect 200 GET /metrics |
		sed -n "s/^wirerate_drops_total{interface=\"$1\",reason=\"$2\"} \\([0-9]*\\)$/\\1/p"
}

scenario_ifdrops()
{
	local if2 pub2 r before2 out n

	wri_need_cmd dpdk-telemetry.py
	if2=$(wre_if i)
	WRI_WG_IFS+=("$if2")
	wri_wg_genkey gw2
	pub2=$(cat "$WRE_TMP/gw2.pub")
	# a second interface on port wan, listening on 51821, with no peer
	TOPO_EXTRA_PEERS="[Interface $if2]
PrivateKey = $(cat "$WRE_TMP/gw2.key")
ListenPort = 51821
Port = wan"
	start endpoint=yes
	api_default_up
	topo_ping lan "$TOPO_BR4" -W 10
	# what the workers count (bad length, bad type, unknown receiver index) and what the
	# second interface's engine counts (bad mac1)
	declare -A before1
	for r in bad_length bad_type unknown_index bad_mac1; do
		before1[$r]=$(if_drops "$API_IF" "$r")
		before2=$(if_drops "$if2" "$r")
		[ "$before2" = 0 ] || wre_fail "$if2 counted $r $before2 before anything was sent"
	done
	n=$(wre_nsx br /usr/bin/python3 "$here/wr_craft.py" garbage "$TOPO_GWWAN4" 51821 |
		awk '{ print $2 }')
	[ "${n:-0}" -gt 0 ] || wre_fail "wr_craft.py garbage sent nothing"
	wre_nsx br /usr/bin/python3 "$here/wr_craft.py" initiation "$TOPO_GWWAN4" 51821 \
		--pub "$pub2" --mac1 bad --count 3 >/dev/null || wre_fail "wr_craft.py initiation"
	# garbage: data messages shorter than header and tag (3), unknown types (3), well-formed
	# data messages for unknown receiver indexes (4)
	# shellcheck disable=SC2016 # expanded by eval, at each try
	wre_wait 20 eval '[ "$(if_drops "$if2" unknown_index)" -ge 4 ] &&
		[ "$(if_drops "$if2" bad_mac1)" -ge 3 ]' ||
		wre_fail "$if2's drops: $(expect 200 GET "/v1/interfaces/$if2/stats")"
	out=$(expect 200 GET "/v1/interfaces/$if2/stats")
	jq -e '.drops.bad_length >= 3 and .drops.bad_type >= 3' <<<"$out" >/dev/null ||
		wre_fail "$if2's drops: $out"
	for r in bad_length bad_type unknown_index bad_mac1; do
		[ "$(if_drops "$API_IF" "$r")" = "${before1[$r]}" ] ||
			wre_fail "$API_IF counted $if2's $r: $(cat "$WRE_TMP/body")"
		[ "$(metric_drops "$API_IF" "$r")" = "${before1[$r]}" ] ||
			wre_fail "/metrics: $API_IF counted $if2's $r"
		[ "$(metric_drops "$if2" "$r")" = "$(if_drops "$if2" "$r")" ] ||
			wre_fail "/metrics and REST disagree on $if2's $r"
	done
	[ "$(metric_drops "$if2" unknown_index)" -ge 4 ] || wre_fail "/metrics: $if2's unknown_index"
	# telemetry: the snapshot is refreshed every 500 ms
	sleep 1
	out=$(telemetry "/wirerate/drops,$if2" "/wirerate/drops,$API_IF")
	jq -s -e '.[0]."/wirerate/drops" | .unknown_index >= 4 and .bad_mac1 >= 3' <<<"$out" \
		>/dev/null || wre_fail "/wirerate/drops,$if2: $out"
	jq -s -e --argjson u "${before1[unknown_index]}" \
		'.[1]."/wirerate/drops".unknown_index == $u' <<<"$out" >/dev/null ||
		wre_fail "/wirerate/drops,$API_IF: $out"
	# a packet to forward that no peer's AllowedIPs hold, on either interface, is the
	# gateway's own drop: in the status and /metrics, in neither interface's stats
	before2=$(expect 200 GET /v1/status | jq '.drops.no_route')
	wre_nsx lan ping -n -c 3 -i 0.2 -W 1 -6 2001:db8:9::1 >/dev/null 2>&1
	# shellcheck disable=SC2016 # expanded by eval, at each try
	wre_wait 20 eval '[ "$(expect 200 GET /v1/status | jq .drops.no_route)" -ge \
		$((before2 + 3)) ]' || wre_fail "status: drops: $(cat "$WRE_TMP/body")"
	expect 200 GET /metrics | grep -q '^wirerate_gateway_drops_total{reason="no_route"} [1-9]' ||
		wre_fail "/metrics: no wirerate_gateway_drops_total of no_route"
	for r in "$API_IF" "$if2"; do
		[ "$(if_drops "$r" no_route)" = 0 ] || wre_fail "$r counted the gateway's no_route"
	done
	topo_ping lan "$TOPO_BR4"
	wre_gateway_stop
}

# made_up_peers N: a bulk-replace body of N peers with made-up keys, one /128 each in
# 2001:db8:77::/64
made_up_peers()
{
	/usr/bin/python3 -c '
import base64, json, os, sys
print(json.dumps({"peers": [{"public_key": base64.b64encode(os.urandom(32)).decode(),
	"allowed_ips": ["2001:db8:77::%x/128" % (i + 1)]} for i in range(int(sys.argv[1]))]}))' "$1"
}

scenario_limit()
{
	local before body out br k1 k2 k3

	API_GATEWAY_EXTRA='\nMaxPeers = 3' start endpoint=yes
	topo_gateway_up "$WRE_TMP/gw.conf"
	topo_ping lan "$TOPO_BR4" -W 10
	br=$(cat "$WRE_TMP/br.pub")
	before=$(peers_state)
	# the branch and three more: four
	body=$(jq -c --arg br "$br" '.peers += [{public_key: $br, allowed_ips: ["'"$TOPO_BR4"'/32"]}]' \
		<<<"$(made_up_peers 3)")
	expect 409 PUT "/v1/interfaces/$API_IF/peers" "$body" | jq -e '.error.field == "peers"' \
		>/dev/null || wre_fail "over the limit: $(cat "$WRE_TMP/body")"
	[ "$(peers_state)" = "$before" ] || wre_fail "a refused bulk replace changed the peers"
	wri_wg_genkey k1
	wri_wg_genkey k2
	wri_wg_genkey k3
	k1=$(cat "$WRE_TMP/k1.pub") k2=$(cat "$WRE_TMP/k2.pub") k3=$(cat "$WRE_TMP/k3.pub")
	if out=$(topo_gw_wg set "$API_IF" peer "$k1" peer "$k2" peer "$k3" 2>&1); then
		wre_fail "wg set of three more peers passed the limit"
	fi
	grep -qi 'no space left' <<<"$out" || wre_fail "wg set over the limit: $out"
	[ "$(peers_state)" = "$before" ] || wre_fail "a refused wg set changed the peers"
	topo_ping lan "$TOPO_BR4"
	# up to the limit: two more by wg, then one more is refused either way
	topo_gw_wg set "$API_IF" peer "$k1" peer "$k2" || wre_fail "wg set up to the limit refused"
	[ "$(topo_gw_wg show "$API_IF" peers | wc -l)" = 3 ] || wre_fail "not three peers"
	expect 409 POST "/v1/interfaces/$API_IF/peers" "{\"public_key\": \"$k3\"}" >/dev/null
	! topo_gw_wg set "$API_IF" peer "$k3" 2>/dev/null || wre_fail "a fourth peer by wg set"
	# changing the peers there are is no new peer
	topo_gw_wg set "$API_IF" peer "$k1" allowed-ips 2001:db8:77:1::1/128 ||
		wre_fail "wg set of an existing peer refused at the limit"
	topo_ping lan "$TOPO_BR4"
	# a disjoint set of three replaces the three (their ids wait out a grace period)
	expect 200 PUT "/v1/interfaces/$API_IF/peers" "$(made_up_peers 3)" |
		jq -e '.added == 3 and .removed == 3' >/dev/null ||
		wre_fail "a disjoint replace at the limit: $(cat "$WRE_TMP/body")"
	grep -q 'no peer id left' "$WRE_TMP/gw.log" && wre_fail "a peer got no data-plane id"
	wre_gateway_stop
}

scenario_peers_page()
{
	local body out page n total=0 offset=0

	wri_need_cmd dpdk-telemetry.py
	start endpoint=yes
	api_default_up
	# 300 peers of made-up keys (no handshake will ever need them)
	body=$(/usr/bin/python3 -c '
import base64, json, os
print(json.dumps({"peers": [{"public_key": base64.b64encode(os.urandom(32)).decode()}
	for _ in range(300)]}))')
	expect 200 PUT "/v1/interfaces/$API_IF/peers" "$body" | jq -e '.peer_count == 300' \
		>/dev/null || wre_fail "bulk replace: $(cat "$WRE_TMP/body")"
	jq -r '.peers[].public_key' <<<"$body" | sort >"$WRE_TMP/rest.keys"
	wre_wait 10 eval 'telemetry /wirerate/status | jq -e ".\"/wirerate/status\".peers == 300" \
		>/dev/null' || wre_fail "/wirerate/status: $(telemetry /wirerate/status)"
	page=$(telemetry /wirerate/status | jq '."/wirerate/status".peers_page')
	((page > 0 && page < 300)) || wre_fail "peers_page $page"
	: >"$WRE_TMP/tel.keys"
	while :; do
		if [ $((offset / page % 2)) = 0 ]; then
			out=$(telemetry "/wirerate/peers,$offset")
		else
			out=$(telemetry "/wirerate/peers,$API_IF,$offset")
		fi
		n=$(jq '."/wirerate/peers" | length' <<<"$out") || wre_fail "/wirerate/peers: $out"
		[ "$n" -le "$page" ] || wre_fail "a page of $n peers, more than $page"
		[ "$n" -gt 0 ] || break
		jq -r '."/wirerate/peers"[].public_key' <<<"$out" >>"$WRE_TMP/tel.keys"
		offset=$((offset + n))
		total=$((total + 1))
		[ "$total" -le 300 ] || wre_fail "the pages do not end"
	done
	[ "$offset" = 300 ] || wre_fail "the pages held $offset peers, not 300"
	sort "$WRE_TMP/tel.keys" | diff -q - "$WRE_TMP/rest.keys" >/dev/null ||
		wre_fail "the pages' peers are not the 300 of the bulk replace (or some twice)"
	# the first page is the page at offset 0; past the end and a bad offset
	[ "$(telemetry /wirerate/peers | jq '."/wirerate/peers" | length')" = "$page" ] ||
		wre_fail "/wirerate/peers: not a full first page"
	out=$(telemetry /wirerate/peers,300)
	jq -e '."/wirerate/peers" == {}' <<<"$out" >/dev/null || wre_fail "past the end: $out"
	out=$(telemetry "/wirerate/peers,$API_IF,x1")
	jq -e '."/wirerate/peers" == null' <<<"$out" >/dev/null || wre_fail "a bad offset: $out"
	wre_gateway_stop
}

# dumpcap: dpdk-dumpcap is a DPDK secondary process: it maps the gateway's hugepage memory
# through the shared configuration in the runtime directory. So the gateway runs on hugepages
# (reserved here, given back at the end) from a hugetlbfs mounted in a mount namespace of this
# test's own (nobody else sees it), with a shared configuration (no --in-memory, --no-shconf).
scenario_dumpcap()
{
	local out n

	wri_need_cmd dpdk-dumpcap tcpdump stdbuf
	start endpoint=yes
	API_HUGE_WAS=$(cat /proc/sys/vm/nr_hugepages)
	echo $((API_HUGE_WAS + 256)) >/proc/sys/vm/nr_hugepages
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge $((API_HUGE_WAS + 256)) ] ||
		{ wre_log "cannot reserve 256 hugepages: skipped"; exit 77; }
	mkdir -p "$WRE_TMP/huge"
	mount -t hugetlbfs -o pagesize=2M nodev "$WRE_TMP/huge" || wre_fail "mount hugetlbfs"
	API_PREFIX=wre-api-$WRE_ID
	# the secondary maps the gateway's memory at the gateway's addresses: reserved where neither
	# process's randomized mmap area is (it was at 0x7f..., where dpdk-dumpcap's own mappings
	# sometimes were: "Cannot get a virtual area at requested address"), and above ASan's shadow
	api_gateway_start "$WRE_TMP/gw.conf" -l 0,1 --main-lcore 0 --huge-dir "$WRE_TMP/huge" \
		-m 256 --no-pci --no-telemetry --file-prefix "$API_PREFIX" \
		--base-virtaddr 0x200000000000
	grep -q 'packet capture (dpdk-dumpcap) available' "$WRE_TMP/gw.log" ||
		wre_fail "the gateway says capture is unavailable"
	topo_ping lan "$TOPO_BR4" -W 10
	wri_bg gw "$WRE_TMP/dumpcap.log" stdbuf -oL -eL dpdk-dumpcap --file-prefix="$API_PREFIX" -i 1 \
		-w "$WRE_TMP/wan.pcapng" -P -a duration:20
	out=$WRI_LAST_PID
	wre_wait 20 grep -q 'Capturing on' "$WRE_TMP/dumpcap.log" ||
		wre_fail "dpdk-dumpcap did not start"
	wre_nsx lan ping -n -c 5 -i 0.2 -W 2 "$TOPO_BR4" >/dev/null
	sleep 1
	wri_kill "$out"
	n=$(tcpdump -n -r "$WRE_TMP/wan.pcapng" "udp port $TOPO_PORT" 2>/dev/null | wc -l)
	[ "$n" -ge 10 ] || wre_fail "dpdk-dumpcap captured $n WireGuard packets on wan, not 10"
	topo_ping lan "$TOPO_BR4"
	wre_gateway_stop
}

# the gateway first (wre.sh's), then the EAL runtime directories of our own prefixes, if any
# (not the default options' "wirerate": another gateway may use it; wirerate-PID are ours)
api_cleanup()
{
	local p

	wre_cleanup_gateway "$@"
	if [ -n "$API_GW2_PID" ] && wri_alive "$API_GW2_PID"; then
		kill -TERM "$API_GW2_PID" 2>/dev/null
		# shellcheck disable=SC2016 # expanded by eval, at each try
		wre_wait 30 eval '! wri_alive "$API_GW2_PID"' || kill -KILL "$API_GW2_PID" 2>/dev/null
	fi
	for p in "$API_PREFIX" "${API_GW2_PID:+wirerate-$API_GW2_PID}"; do
		[ -z "$p" ] || [ "$p" = wirerate ] || rm -rf "/var/run/dpdk/$p"
	done
	[ ! -d "$WRE_TMP/huge" ] || umount "$WRE_TMP/huge" 2>/dev/null
	[ -z "$API_HUGE_WAS" ] || echo "$API_HUGE_WAS" >/proc/sys/vm/nr_hugepages
}

# dumpcap's hugetlbfs is mounted in a mount namespace of its own: run it there from the start
if [ "$SCENARIO" = dumpcap ] && [ -z "${API_IN_MNTNS:-}" ]; then
	wre_need_root
	wri_need_cmd unshare
	API_IN_MNTNS=1 exec unshare -m --propagation private "$0" "$WIRERATE" "$SCENARIO"
fi
wre_init
WRI_CLEANUP_FIRST=api_cleanup
case "$SCENARIO" in
rest | bad | tcp | telemetry | ifdrops | peers_page | limit | live | dumpcap)
	wre_need_root
	wri_need_cmd curl jq
	"scenario_$SCENARIO"
	;;
*) wre_fail "unknown scenario $SCENARIO" ;;
esac
wre_log "ok"
