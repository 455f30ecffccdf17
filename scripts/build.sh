#!/usr/bin/env bash
# Configures and builds wirerate. Usage: scripts/build.sh [BUILD_DIR] [extra meson options...]
# Reconfigures an existing build directory instead of failing.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
if [ -f "$dir/build.ninja" ]; then
	meson configure "$dir" "$@" >/dev/null
else
	meson setup "$dir" "$@"
fi
ninja -C "$dir" -j "$(nproc)"
