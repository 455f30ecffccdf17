#!/usr/bin/env bash
# wirerate's main job, shown end to end on this machine. Installs what is missing and builds
# first. Until the gateway's data plane is complete this runs the crypto self-test and the
# crypto benchmark (the batched AEAD against libsodium and intel-ipsec-mb used directly).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build -Dbuildtype=release >/dev/null
echo "== crypto self-test (RFC 8439, RFC 7748, BLAKE2s, XChaCha20-Poly1305, WireGuard constants)"
./build/tests/unit/test_crypto_vectors
echo
echo "== crypto benchmark (one core, quick run; ratios are what counts on a shared machine)"
./build/bench/bench_crypto --quick
