#!/usr/bin/env bash
# scripts/test.sh -- set up and run every test: install what is missing
# (scripts/bootstrap.sh), build in build/ with warnings as errors and run
# ctest, then the same in build-asan/ under AddressSanitizer and
# UndefinedBehaviorSanitizer.  After the first pass, the package: build/'s
# binaries packed with cpack -G DEB, installed with apt-get (as root), the
# installation smoke-tested (scripts/demo.sh --installed, man pages, bash
# completions) and the package removed again, even on failure.  Then real
# ACME clients against the responder (scripts/acme-e2e.sh --quick) when
# their packages can be installed.  Then the libFuzzer harnesses, 60 s
# each, two at a time (scripts/fuzz.sh), and a 60 s soak of build/'s
# responder (scripts/soak.sh).  Prints ctest's summary of each pass; the
# status is non-zero if a build or a test failed.
#
#   scripts/test.sh [--no-asan] [--no-package] [--no-acme] [--no-fuzz]
#                   [--no-soak] [--no-bootstrap] [-j N] [-R REGEX]
#
#   --no-asan        only the first pass (build/)
#   --no-package     not the package (also left out with -R); without root
#                    or dpkg it is skipped.  A caalab package installed
#                    before is removed first
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
package=true
acme=true
fuzz=true
soak=true
bootstrap=true
jobs=$(nproc 2>/dev/null || echo 2)
filter=()
while [ $# -gt 0 ]; do
	case $1 in
	--no-asan) asan=false ;;
	--no-package) package=false ;;
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
		sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'
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

run_pass build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAA_WERROR=ON -DCAA_SANITIZE=OFF \
	-DBUILD_TESTING=ON

# ---- The package: cpack -G DEB in build/ (RelWithDebInfo, stripped by
# cpack), installed with apt-get (which pulls its Depends), then
# scripts/demo.sh --installed against /usr/bin, the man pages, the
# completions and the zones where they belong, and dpkg -r.  An EXIT trap
# removes the package whatever happens in between; a caalab installed
# before is removed first, so the test sees only its own files.  Each
# check is a row in the totals.
pkg_installed=false
pkg_remove() {
	if $pkg_installed; then
		dpkg -r caalab >/dev/null 2>&1 || true
		pkg_installed=false
	fi
}
trap pkg_remove EXIT
trap 'exit 130' INT TERM
pkg_ok=0
pkg_bad=0
# pkg_row WHAT STATUS: one row of the package pass.
pkg_row() {
	if [ "$2" -eq 0 ]; then
		echo "ok: package: $1"
		pkg_ok=$((pkg_ok + 1))
	else
		echo "FAIL: package: $1"
		pkg_bad=$((pkg_bad + 1))
	fi
}
package_pass() {
	local deb depends rc f
	echo "== package: cpack -G DEB in build/, install, smoke test, remove"
	rc=0
	rm -f "$root"/build/caalab_*.deb
	(cd "$root/build" && cpack -G DEB) || rc=1
	deb=$(find "$root/build" -maxdepth 1 -name 'caalab_*_amd64.deb' | head -n1)
	[ -n "$deb" ] || rc=1
	pkg_row "cpack made ${deb##*/}" "$rc"
	[ -n "$deb" ] || return
	depends=$(dpkg-deb -f "$deb" Depends || true)
	echo "Depends: $depends"
	rc=0
	grep -Eq 'libldns' <<<"$depends" || rc=1
	grep -Eq 'libunbound' <<<"$depends" || rc=1
	grep -Eq 'dns-root-data' <<<"$depends" || rc=1
	if grep -Eq -- '-dev\b|criterion' <<<"$depends"; then rc=1; fi
	pkg_row "Depends names the runtime libraries only" "$rc"

	if [ "$(dpkg-query -W -f='${Status}' caalab 2>/dev/null)" = "install ok installed" ]; then
		echo "package: caalab $(dpkg-query -W -f='${Version}' caalab) was installed: removing it first"
		dpkg -r caalab || {
			pkg_row "remove the caalab installed before" 1
			return
		}
	fi
	pkg_installed=true
	rc=0
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"$deb" </dev/null || rc=1
	pkg_row "apt-get install ${deb##*/}" "$rc"
	if [ "$rc" -ne 0 ]; then
		pkg_remove
		return
	fi

	rc=0
	PATH=/usr/bin:$PATH "$root/scripts/demo.sh" --installed </dev/null || rc=1
	pkg_row "scripts/demo.sh --installed (/usr/bin, /usr/share/caalab/zones)" "$rc"
	# The man pages the tree has (man/ may not exist yet).
	for f in "$root"/man/*.1; do
		[ -e "$f" ] || continue
		rc=0
		man -w "$(basename "$f" .1)" >/dev/null 2>&1 ||
			[ -e "/usr/share/man/man1/${f##*/}" ] ||
			[ -e "/usr/share/man/man1/${f##*/}.gz" ] || rc=1
		if [ "$rc" -ne 0 ]; then
			echo "package: ${f##*/} not in /usr/share/man/man1 (a path-exclude in /etc/dpkg/dpkg.cfg.d?)"
		fi
		pkg_row "man page ${f##*/} installed" "$rc"
	done
	for f in caa-responder caa-probe caa-gate; do
		rc=0
		[ -f "/usr/share/bash-completion/completions/$f" ] || rc=1
		pkg_row "completion /usr/share/bash-completion/completions/$f" "$rc"
	done
	rc=0
	for f in README.md LICENSE zones/caa.test.zone; do
		[ -f "/usr/share/caalab/$f" ] || rc=1
	done
	pkg_row "/usr/share/caalab: README.md, LICENSE, zones/" "$rc"

	rc=0
	dpkg -r caalab || rc=1
	[ ! -e /usr/bin/caa-responder ] || rc=1
	pkg_installed=false
	pkg_row "dpkg -r caalab" "$rc"
}
if $package && [ ${#filter[@]} -eq 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		summaries+=("package: skipped, it installs a .deb and needs root")
	elif ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 ||
		! command -v cpack >/dev/null 2>&1; then
		summaries+=("package: skipped, dpkg, apt-get or cpack is missing")
	elif [ ! -x "$root/build/responder/caa-responder" ] || [ ! -x "$root/build/probe/caa-probe" ]; then
		summaries+=("package: not run, build/ has no binaries")
		total_failed=$((total_failed + 1))
		status=1
	else
		# Not in a pipeline: the EXIT trap must see pkg_installed.
		package_pass > >(tee "$root/build/package.log") 2>&1
		wait $! || true
		if [ "$pkg_ok" -eq 0 ] && [ "$pkg_bad" -eq 0 ]; then
			pkg_bad=1
		fi
		summaries+=("package: $pkg_ok passed, $pkg_bad failed")
		total_passed=$((total_passed + pkg_ok))
		total_failed=$((total_failed + pkg_bad))
		if [ "$pkg_bad" -ne 0 ]; then
			status=1
		fi
	fi
fi

# ---- ACME clients (scripts/acme-e2e.sh --quick): Pebble, lego, unbound,
# caa-probe and caa-gate against build/'s responder on loopback, scenarios
# 1, 2, 7, 8, 9, 10 and 11.
# Status 77: the tools could not be installed, so it is skipped; any other
# failure fails this run.  Its rows count in the totals.
if $acme && [ ${#filter[@]} -eq 0 ]; then
	echo "== acme: scripts/acme-e2e.sh --quick"
	acme_log=$root/build/acme-e2e.log
	acme_rc=0
	if [ ! -x "$root/build/responder/caa-responder" ] || [ ! -x "$root/build/probe/caa-probe" ] ||
		[ ! -x "$root/build/gate/caa-gate" ]; then
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
