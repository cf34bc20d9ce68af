#!/bin/sh
# tests/acme/dns01-hook.sh -- the DNS-01 hook of scripts/acme-e2e.sh for
# lego, certbot and uacme: puts the TXT record into caa-responder (and
# takes it out) through its pebble-challtestsrv-compatible management API.
#
#   lego (exec provider):  EXEC_PATH=dns01-hook.sh lego --dns exec ...
#       runs  dns01-hook.sh present|cleanup FQDN VALUE
#   certbot (manual):      --manual-auth-hook 'dns01-hook.sh certbot-auth'
#                          --manual-cleanup-hook 'dns01-hook.sh certbot-cleanup'
#       with CERTBOT_DOMAIN and CERTBOT_VALIDATION in the environment
#   uacme:                 uacme -h dns01-hook.sh ...
#       runs  dns01-hook.sh begin|done|failed TYPE IDENT TOKEN AUTH
#       and takes only the challenge type CAALAB_UACME_TYPE (default
#       dns-01).  With http-01 it serves nothing: only for names whose CAA
#       stops the order before the CA fetches the token.
#
# CAALAB_API is the API's base URL (default http://127.0.0.1:14458);
# CAALAB_API_TOKEN, if set, is sent as a bearer token (--control-token).
# CAALAB_CLEANUP_RR, if set, is a record (zone-file form, owner absolute)
# that the cleanup adds with POST /records: the clients clean up after the
# validation and before they finalize, so it changes CAA in between.  Any
# challtestsrv-compatible server works the same: the paths and bodies are
# pebble-challtestsrv's /set-txt and /clear-txt.
set -eu

api=${CAALAB_API:-http://127.0.0.1:14458}

# call PATH BODY: POST BODY (JSON) to the API.
call() {
	set -- "$1" "$2" -sS --fail --max-time 10 -H 'Content-Type: application/json'
	if [ -n "${CAALAB_API_TOKEN:-}" ]; then
		set -- "$@" -H "Authorization: Bearer $CAALAB_API_TOKEN"
	fi
	path=$1 body=$2
	shift 2
	curl "$@" --data-binary "$body" "$api$path" >/dev/null
}

action=${1:-}
case $action in
present | cleanup)
	fqdn=${2:-}
	value=${3:-}
	;;
certbot-auth | certbot-cleanup)
	# certbot gives the name without the "*." of a wildcard.
	fqdn=_acme-challenge.${CERTBOT_DOMAIN:-}.
	value=${CERTBOT_VALIDATION:-}
	[ -n "${CERTBOT_DOMAIN:-}" ] || fqdn=""
	action=${action#certbot-}
	[ "$action" = auth ] && action=present
	;;
begin | done | failed)
	if [ "${2:-}" != "${CAALAB_UACME_TYPE:-dns-01}" ]; then
		exit 1 # uacme tries the next challenge type
	fi
	[ "$action" = begin ] && action=present || action=cleanup
	if [ "$2" = http-01 ]; then
		echo "dns01-hook: $action http-01 for ${3:-} (nothing served)"
		[ "$action" = cleanup ] || exit 0
		fqdn=""
	else
		fqdn=_acme-challenge.${3#\*.}.
		value=${5:-}
		[ -n "${3:-}" ] || fqdn=""
	fi
	;;
*)
	echo "usage: $0 present|cleanup FQDN VALUE (lego), certbot-auth|certbot-cleanup" \
		"(certbot), begin|done|failed TYPE IDENT TOKEN AUTH (uacme)" >&2
	exit 64
	;;
esac

# The FQDN and the value are base64url and DNS names: nothing to escape.
if [ "$action" = present ]; then
	if [ -z "$fqdn" ]; then
		echo "$0: no name to set a TXT record for" >&2
		exit 64
	fi
	call /set-txt "$(printf '{"host":"%s","value":"%s"}' "$fqdn" "$value")"
	echo "dns01-hook: present $fqdn (/set-txt)"
	exit 0
fi
if [ -n "$fqdn" ]; then
	call /clear-txt "$(printf '{"host":"%s"}' "$fqdn")"
	echo "dns01-hook: cleanup $fqdn (/clear-txt)"
fi
if [ -n "${CAALAB_CLEANUP_RR:-}" ]; then
	call /records "$(printf '{"rr":"%s"}' "$(printf '%s' "$CAALAB_CLEANUP_RR" | sed 's/["\\]/\\&/g')")"
	echo "dns01-hook: cleanup added $CAALAB_CLEANUP_RR (/records)"
fi
