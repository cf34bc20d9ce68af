#!/usr/bin/env bash
# scripts/fuzz.sh -- build the libFuzzer harnesses of tests/fuzz/ with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer in build-fuzz/, and run
# each for SECONDS (default 60) from its seed corpus (tests/fuzz/corpus/).
# New inputs go to build-fuzz/corpus/, so the checked-in seeds stay small;
# a crash, leak or timeout is kept in tests/fuzz/crashes/ and makes the
# status non-zero.  Replay one with: build-fuzz/fuzz_NAME FILE.
#
#   scripts/fuzz.sh [SECONDS] [HARNESS...]
#
#   HARNESS   fuzz_query fuzz_log fuzz_zone fuzz_rule fuzz_caa fuzz_reply
#             fuzz_unbound fuzz_json fuzz_tlsalpn fuzz_gate fuzz_trace fuzz_perspective
#             (default: all)
#   FUZZ_JOBS harnesses run at once (default: the CPU count)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-60}
shift || true
case $seconds in
'' | *[!0-9]*)
	echo "fuzz.sh: SECONDS must be a number (got '$seconds')" >&2
	exit 2
	;;
esac
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
	harnesses=(fuzz_query fuzz_log fuzz_zone fuzz_rule fuzz_caa fuzz_reply fuzz_unbound fuzz_json
		fuzz_tlsalpn fuzz_gate fuzz_trace fuzz_perspective)
fi

build=$root/build-fuzz
crashes=$root/tests/fuzz/crashes
mkdir -p "$crashes" "$build"

echo "== build-fuzz: configure and build (clang, libFuzzer, ASan + UBSan)"
CC=${FUZZ_CC:-clang} cmake -S "$root" -B "$build" -DCAA_FUZZ=ON -DBUILD_TESTING=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" 2>&1 || {
	cat "$build/configure.log" >&2
	echo "fuzz.sh: configure failed (is clang with libclang-rt installed?)" >&2
	exit 1
}
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target "${harnesses[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# run_one HARNESS: fuzz it; its status goes to $build/HARNESS.rc.
run_one() {
	local h=$1 work=$build/corpus/$1 log=$build/$1.log rc=0
	mkdir -p "$work"
	# The outer timeout only guards against a hang of libFuzzer itself.
	timeout --kill-after=10 $((seconds + 120)) "$build/$h" \
		-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$crashes/$h-" \
		"$work" "$root/tests/fuzz/corpus/$h" </dev/null >"$log" 2>&1 || rc=$?
	echo "$rc" >"$build/$h.rc"
}

jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
running=()
for h in "${harnesses[@]}"; do
	rm -f "$build/$h.rc"
	echo "== $h: $seconds s"
	run_one "$h" &
	running+=($!)
	if [ ${#running[@]} -ge "$jobs" ]; then
		wait "${running[0]}" || true
		running=("${running[@]:1}")
	fi
done
for p in "${running[@]}"; do
	wait "$p" || true
done

status=0
results=()
for h in "${harnesses[@]}"; do
	log=$build/$h.log
	rc=$(cat "$build/$h.rc" 2>/dev/null || echo 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	if [ "$rc" -eq 0 ]; then
		results+=("$h: ok, ${execs:-?} runs")
	else
		status=1
		results+=("$h: FAILED (status $rc), see $log and $crashes/")
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)|Test unit written' "$log" | head -n 20 >&2 || true
	fi
done

echo
echo "== fuzz summary"
for r in "${results[@]}"; do
	echo "$r"
done
exit "$status"
