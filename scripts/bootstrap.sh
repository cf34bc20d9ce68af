#!/usr/bin/env bash
# scripts/bootstrap.sh -- install what caalab's build, demo and tests need,
# with apt-get, on Debian 12.  Installs only what is missing (apt-get update
# runs only then), so a second run does nothing.  Runs as root, or through
# sudo when there is one.
#
#   scripts/bootstrap.sh [--test]        what the build and every test need
#   scripts/bootstrap.sh --demo          only what scripts/demo.sh needs
#   scripts/bootstrap.sh [--demo] --check
#                                        only list what is missing (status 1 if any)
set -euo pipefail

# The demo (scripts/demo.sh): compiler, make, cmake, pkg-config and the
# libraries the two programs link (ldns for zone files and the probe's
# queries, libevent, jansson for the management API's JSON, libidn2 for
# the probe's Unicode names, libssl-dev for the TLS-ALPN-01 server and
# caa-gate's TLS, libunbound-dev for caa-probe's own recursive, validating
# resolver with dns-root-data for its default root hints and root key),
# and dig, which the demo asks with.
DEMO_PACKAGES=(
	build-essential cmake pkg-config
	libldns-dev libevent-dev libjansson-dev libidn2-dev libssl-dev
	libunbound-dev dns-root-data
	dnsutils
)
# The tests, beyond that: criterion for the unit tests; the DNS tools the
# end-to-end tests drive, curl for the management API, python3 for the raw
# packets (standard library only); knot and nsd, the reference servers of
# the differential test (tests/e2e/difftest.py), with python3-dnspython for
# it; clang with its runtime for the libFuzzer harnesses (scripts/fuzz.sh),
# dnsperf and valgrind for the soak run (scripts/soak.sh); mandoc to lint
# the man pages, bash-completion for the completions' test, dpkg-dev
# (dpkg-shlibdeps, for cpack's Depends) and file for the package pass of
# scripts/test.sh; openssl (s_client) and python3-cryptography to check the
# TLS-ALPN-01 certificates; pebble, lego and openssl for caa-gate's
# end-to-end test; certbot and uacme, the other ACME clients of
# scripts/acme-e2e.sh; unbound, the validating resolver caa-probe is
# compared with (tests/e2e/probe_dnssec.sh) and acme-e2e's resolver.
TEST_PACKAGES=(
	libcriterion-dev pebble lego certbot uacme
	knot-dnsutils ldnsutils curl python3
	knot nsd python3-dnspython
	clang libclang-rt-14-dev dnsperf valgrind
	mandoc bash-completion dpkg-dev file
	openssl python3-cryptography
	unbound
)

# knot, nsd and unbound are servers: their packages would start them as system
# services on port 53.  The tests start their own instances, so while they
# are installed a policy-rc.d (when there is none) forbids starting any
# service, and afterwards, where systemd runs, their units are disabled.
SERVICES=(knot nsd unbound)

check_only=false
set_name="test"
while [ $# -gt 0 ]; do
	case $1 in
	--check) check_only=true ;;
	--demo) set_name="demo" ;;
	--test) set_name="test" ;;
	-h | --help)
		sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "bootstrap.sh: unknown option $1 (try --help)" >&2
		exit 2
		;;
	esac
	shift
done
PACKAGES=("${DEMO_PACKAGES[@]}")
if [ "$set_name" = test ]; then
	PACKAGES+=("${TEST_PACKAGES[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "bootstrap: every package ($set_name) is installed"
	exit 0
fi
if $check_only; then
	echo "bootstrap: missing: ${missing[*]}"
	exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo=(sudo)
	else
		echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2
		exit 1
	fi
fi

new_services=()
for p in "${missing[@]}"; do
	for s in "${SERVICES[@]}"; do
		[ "$p" = "$s" ] && new_services+=("$s")
	done
done
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ${#new_services[@]} -gt 0 ] && [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# scripts/bootstrap.sh: no service starts while it installs\nexit 101\n' |
		"${sudo[@]}" tee "$policy" >/dev/null
	"${sudo[@]}" chmod 755 "$policy"
	own_policy=true
	trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "${missing[@]}" </dev/null
if [ ${#new_services[@]} -gt 0 ] && [ -d /run/systemd/system ]; then
	for s in "${new_services[@]}"; do
		"${sudo[@]}" systemctl disable --now "$s.service" >/dev/null 2>&1 || true
	done
fi
if $own_policy; then
	"${sudo[@]}" rm -f "$policy"
	trap - EXIT
fi
echo "bootstrap: done"
