#!/usr/bin/env bash
# Installs everything wirerate needs to build, test and benchmark, from Debian 12's packages.
# Idempotent: packages already present are skipped. --no-install-recommends keeps the dpdk
# package from pulling a kernel image.
set -euo pipefail

PKGS=(
	# build
	build-essential pkg-config meson ninja-build
	libdpdk-dev dpdk
	# dpdk-telemetry.py and dpdk-dumpcap (the e2e tests skip their checks without them)
	dpdk-dev
	libipsec-mb-dev libsodium-dev libjansson-dev libmicrohttpd-dev
	# fuzzers and sanitizers
	clang llvm libclang-rt-14-dev
	# test peers and clients
	wireguard-go wireguard-tools iproute2 iputils-ping iperf3 ethtool
	python3 python3-scapy tcpdump curl jq
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present"
	exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
