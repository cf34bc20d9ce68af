#!/bin/sh
# tests/acme/dns01-hook.sh -- lego's exec DNS provider hook for
# scripts/acme-e2e.sh: puts the DNS-01 TXT record into caa-responder (and
# takes it out) through its pebble-challtestsrv-compatible management API.
#
#   EXEC_PATH=tests/acme/dns01-hook.sh lego --dns exec ...
#   lego runs it as:  dns01-hook.sh present|cleanup FQDN VALUE
#
# CAALAB_API is the API's base URL (default http://127.0.0.1:14458);
# CAALAB_API_TOKEN, if set, is sent as a bearer token (--control-token).  Any
# challtestsrv-compatible server works the same: the paths and bodies are
# pebble-challtestsrv's /set-txt and /clear-txt.
set -eu

api=${CAALAB_API:-http://127.0.0.1:14458}
action=${1:-}
fqdn=${2:-}
value=${3:-}
if [ -z "$fqdn" ]; then
	echo "usage: $0 present|cleanup FQDN VALUE" >&2
	exit 64
fi

case $action in
present)
	path=/set-txt
	body=$(printf '{"host":"%s","value":"%s"}' "$fqdn" "$value")
	;;
cleanup)
	path=/clear-txt
	body=$(printf '{"host":"%s"}' "$fqdn")
	;;
*)
	echo "$0: unknown action '$action' (present or cleanup)" >&2
	exit 64
	;;
esac

# The FQDN and the value are base64url and DNS names: nothing to escape.
set -- -sS --fail --max-time 10 -H 'Content-Type: application/json'
if [ -n "${CAALAB_API_TOKEN:-}" ]; then
	set -- "$@" -H "Authorization: Bearer $CAALAB_API_TOKEN"
fi
curl "$@" --data-binary "$body" "$api$path" >/dev/null
echo "dns01-hook: $action $fqdn ($path)"
