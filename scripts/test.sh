#!/usr/bin/env bash
# scripts/test.sh -- set up and run every test: install what is missing
# (scripts/bootstrap.sh), build in build/ with warnings as errors and run
# ctest, then the same in build-asan/ under AddressSanitizer and
# UndefinedBehaviorSanitizer.  After the first pass, real ACME clients
# against the responder (scripts/acme-e2e.sh --quick) when their packages
# can be installed.  Then the libFuzzer harnesses, 60 s each, two at a time
# (scripts/fuzz.sh), and a 60 s soak of build/'s responder (scripts/soak.sh).
# Prints ctest's summary of each pass; the status is non-zero if a build or
# a test failed.
#
#   scripts/test.sh [--no-asan] [--no-acme] [--no-fuzz] [--no-soak]
#                   [--no-bootstrap] [-j N] [-R REGEX]
#
#   --no-asan        only the first pass (build/)
#   --no-acme        not the ACME clients (also left out with -R)
#   --no-fuzz        not the fuzzers (also left out with -R)
#   --no-soak        not the soak (also left out with -R)
#   --no-bootstrap   do not check the installed packages
#   -j N             parallel build and test jobs (default: the CPU count)
#   -R REGEX         only the tests whose names match (ctest -R)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD

asan=true
acme=true
fuzz=true
soak=true
bootstrap=true
jobs=$(nproc 2>/dev/null || echo 2)
filter=()
while [ $# -gt 0 ]; do
	case $1 in
	--no-asan) asan=false ;;
	--no-acme) acme=false ;;
	--no-fuzz) fuzz=false ;;
	--no-soak) soak=false ;;
	--no-bootstrap) bootstrap=false ;;
	-j)
		jobs=${2:?-j needs a number}
		shift
		;;
	-R)
		filter=(-R "${2:?-R needs a regular expression}")
		shift
		;;
	-h | --help)
		sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "test.sh: unknown option $1 (try --help)" >&2
		exit 2
		;;
	esac
	shift
done

if $bootstrap; then
	"$root/scripts/bootstrap.sh"
fi

summaries=()
total_passed=0
total_failed=0
status=0

# run_pass DIR CMAKE-OPTIONS...: configure, build and test in DIR.
run_pass() {
	local dir=$1 log summary failed total
	shift
	log=$root/$dir/ctest.log
	echo "== $dir: configure and build"
	if ! cmake -S "$root" -B "$root/$dir" "$@" ||
		! cmake --build "$root/$dir" -j "$jobs"; then
		summaries+=("$dir: the build failed")
		total_failed=$((total_failed + 1))
		status=1
		return
	fi
	echo "== $dir: ctest"
	if ctest --test-dir "$root/$dir" --output-on-failure -j "$jobs" \
		--timeout 600 "${filter[@]}" </dev/null 2>&1 | tee "$log"; then
		:
	else
		status=1
	fi
	summary=$(grep -E '^[0-9]+% tests passed' "$log" | tail -n1 || true)
	if [ -z "$summary" ]; then
		summaries+=("$dir: ctest printed no summary")
		total_failed=$((total_failed + 1))
		status=1
		return
	fi
	summaries+=("$dir: $summary")
	failed=$(printf '%s\n' "$summary" | sed -n 's/.* \([0-9][0-9]*\) tests\{0,1\} failed out of \([0-9][0-9]*\).*/\1/p')
	total=$(printf '%s\n' "$summary" | sed -n 's/.* failed out of \([0-9][0-9]*\).*/\1/p')
	total_failed=$((total_failed + ${failed:-1}))
	total_passed=$((total_passed + ${total:-0} - ${failed:-0}))
	if [ "${total:-0}" -eq 0 ]; then
		status=1
	fi
}

run_pass build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAA_WERROR=ON -DCAA_SANITIZE=OFF

# ---- ACME clients (scripts/acme-e2e.sh --quick): Pebble, lego, unbound and
# caa-probe against build/'s responder on loopback, scenarios 1, 2 and 7.
# Status 77: the tools could not be installed, so it is skipped; any other
# failure fails this run.  Its rows count in the totals.
if $acme && [ ${#filter[@]} -eq 0 ]; then
	echo "== acme: scripts/acme-e2e.sh --quick"
	acme_log=$root/build/acme-e2e.log
	acme_rc=0
	if [ ! -x "$root/build/responder/caa-responder" ] || [ ! -x "$root/build/probe/caa-probe" ]; then
		acme_rc=-1
	else
		"$root/scripts/acme-e2e.sh" --quick --build-dir "$root/build" </dev/null 2>&1 |
			tee "$acme_log" || acme_rc=${PIPESTATUS[0]}
	fi
	acme_counts=$(sed -n 's/^acme-e2e: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' \
		"$acme_log" 2>/dev/null | tail -n1)
	if [ "$acme_rc" -eq 77 ]; then
		summaries+=("acme (quick): skipped, the tools could not be installed")
	elif [ "$acme_rc" -eq -1 ]; then
		summaries+=("acme (quick): not run, build/ has no binaries")
		total_failed=$((total_failed + 1))
		status=1
	elif [ -n "$acme_counts" ]; then
		summaries+=("acme (quick): ${acme_counts% *} passed, ${acme_counts#* } failed")
		total_passed=$((total_passed + ${acme_counts% *}))
		total_failed=$((total_failed + ${acme_counts#* }))
		if [ "$acme_rc" -ne 0 ]; then
			status=1
		fi
	else
		summaries+=("acme (quick): failed before its scenarios (status $acme_rc)")
		total_failed=$((total_failed + 1))
		status=1
	fi
fi

if $asan; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	run_pass build-asan -DCMAKE_BUILD_TYPE=Debug -DCAA_WERROR=ON -DCAA_SANITIZE=ON
fi

# ---- Fuzzing (scripts/fuzz.sh 60): each libFuzzer harness of tests/fuzz/
# for 60 s in build-fuzz/ (clang, ASan + UBSan).  One row per harness in
# the totals; a crash fails this run and is kept in tests/fuzz/crashes/.
if $fuzz && [ ${#filter[@]} -eq 0 ]; then
	echo "== fuzz: scripts/fuzz.sh 60"
	fuzz_log=$root/build/fuzz.log
	fuzz_rc=0
	"$root/scripts/fuzz.sh" 60 </dev/null 2>&1 | tee "$fuzz_log" || fuzz_rc=${PIPESTATUS[0]}
	fuzz_ok=$(grep -cE '^fuzz_[a-z]+: ok' "$fuzz_log" || true)
	fuzz_bad=$(grep -cE '^fuzz_[a-z]+: FAILED' "$fuzz_log" || true)
	if [ "$fuzz_rc" -ne 0 ] && [ "$fuzz_bad" -eq 0 ]; then
		fuzz_bad=1 # it failed before running the harnesses
	fi
	summaries+=("fuzz (60 s each): $fuzz_ok passed, $fuzz_bad failed")
	total_passed=$((total_passed + fuzz_ok))
	total_failed=$((total_failed + fuzz_bad))
	if [ "$fuzz_rc" -ne 0 ]; then
		status=1
	fi
fi

# ---- Soak (scripts/soak.sh 60): build/'s responder under dnsperf with
# faults, reloads and API changes, then a short valgrind run.  Each "ok:"
# or "FAIL:" line is a row in the totals.
if $soak && [ ${#filter[@]} -eq 0 ]; then
	echo "== soak: scripts/soak.sh 60"
	soak_log=$root/build/soak.log
	soak_rc=0
	SOAK_BUILD=$root/build "$root/scripts/soak.sh" 60 </dev/null 2>&1 |
		tee "$soak_log" || soak_rc=${PIPESTATUS[0]}
	soak_ok=$(grep -c '^ok: ' "$soak_log" || true)
	soak_bad=$(grep -c '^FAIL: ' "$soak_log" || true)
	if [ "$soak_rc" -ne 0 ] && [ "$soak_bad" -eq 0 ]; then
		soak_bad=1
	fi
	summaries+=("soak (60 s): $soak_ok passed, $soak_bad failed")
	total_passed=$((total_passed + soak_ok))
	total_failed=$((total_failed + soak_bad))
	if [ "$soak_rc" -ne 0 ]; then
		status=1
	fi
fi

echo
echo "== summary"
for s in "${summaries[@]}"; do
	echo "$s"
done
echo "tests: $total_passed passed, $total_failed failed"
exit "$status"
