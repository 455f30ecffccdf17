#!/usr/bin/env bash
# Runs every wirerate test: the unit, interop and e2e suites in an ASan+UBSan build, and the
# libFuzzer harnesses (short runs) in a clang build. Installs what is missing and builds first.
# The last line is the plain summary "N passed, N failed"; the exit status is non-zero on any
# failure. Options: --suite NAME (repeatable) to run only some suites.
set -uo pipefail
cd "$(dirname "$0")/.."

suites=()
while [ $# -gt 0 ]; do
	case "$1" in
	--suite) suites+=("$2"); shift 2 ;;
	-h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "test.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[ ${#suites[@]} -gt 0 ] || suites=(unit interop e2e fuzz)

want() { local s; for s in "${suites[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

passed=0 failed=0 skipped=0
summary() {
	echo
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ]
	exit $?
}

# Adds the results of one meson test log to the counters.
count() {
	local log=$1/meson-logs/testlog.json
	[ -f "$log" ] || return 0
	local line
	line=$(/usr/bin/python3 - "$log" <<'PY'
import json, sys
p = f = s = 0
for raw in open(sys.argv[1]):
    r = json.loads(raw).get("result", "")
    if r in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r == "SKIP":
        s += 1
    else:
        f += 1
print(p, f, s)
PY
)
	read -r p f s <<<"$line"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

if ! bash scripts/install-deps.sh; then
	echo "test.sh: installing dependencies failed" >&2
	failed=$((failed + 1))
	summary
fi

# Undefined behaviour fails a test instead of only printing.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# Tests create network namespaces and DPDK ports; DPDK runs --in-memory and falls back to
# --no-huge, so no hugepages are required.
main_build=build-test
fuzz_build=build-fuzz

run_suites() {
	local dir=$1; shift
	local args=()
	local s rc f0=$failed
	for s in "$@"; do args+=(--suite "$s"); done
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --no-rebuild --print-errorlogs "${args[@]}"
	rc=$?
	count "$dir"
	# meson failed, yet its log counted no failure (no log, or one it could not finish): a
	# failure all the same, not a silent pass
	if [ "$rc" -ne 0 ] && [ "$failed" -eq "$f0" ]; then
		echo "test.sh: meson test in $dir failed (exit $rc) with no failed test in its log" >&2
		failed=$((failed + 1))
	fi
}

# What a test killed by its timeout could not clean up: its network namespaces (and the veths
# and processes in them) and the hugepages the dumpcap test reserves. Namespaces that were not
# there before the suites and are still there after are removed, and said.
ns_before=$(ip netns list 2>/dev/null | awk '{ print $1 }' | sort)
huge_before=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
sweep() {
	local ns pid
	for ns in $(comm -13 <(echo "$ns_before") \
		<(ip netns list 2>/dev/null | awk '{ print $1 }' | sort)); do
		case "$ns" in
		wr?-*) ;;
		*) continue ;;
		esac
		echo "test.sh: removing namespace $ns, left by a test" >&2
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns delete "$ns" 2>/dev/null
	done
	if [ "$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)" != "$huge_before" ]; then
		echo "test.sh: restoring nr_hugepages to $huge_before" >&2
		echo "$huge_before" >/proc/sys/vm/nr_hugepages 2>/dev/null
	fi
}

main_suites=()
for s in unit interop e2e; do want "$s" && main_suites+=("$s"); done
if [ ${#main_suites[@]} -gt 0 ]; then
	# DPDK is installed above: without it the gateway and its tests would silently vanish
	if bash scripts/build.sh "$main_build" -Ddpdk=enabled -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debugoptimized; then
		run_suites "$main_build" "${main_suites[@]}"
		sweep
	else
		echo "test.sh: build of $main_build failed" >&2
		failed=$((failed + 1))
	fi
fi

if want fuzz; then
	# with DPDK (install-deps.sh installs it): fuzz_dataplane drives the gateway
	if CC=clang bash scripts/build.sh "$fuzz_build" -Dfuzzing=true -Ddpdk=enabled \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized; then
		run_suites "$fuzz_build" fuzz
	else
		echo "test.sh: build of $fuzz_build (clang, libFuzzer) failed" >&2
		failed=$((failed + 1))
	fi
fi

summary
