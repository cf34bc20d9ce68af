#!/usr/bin/env bash
# tests/e2e/zones.sh -- the bundled zones are ordinary master files: each
# says what it is for on its first line, has one SOA, and loads in a second
# implementation (ldns-read-zone, with $INCLUDE expanded by hand since it
# does not follow it), so they can be served by NSD or Knot too.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

for f in "$ZONES_DIR"/*.zone "$ZONES_DIR"/*.inc; do
	name=zones/$(basename "$f")
	check_match "$name: the first line says what it is" "^; $name -- .+" "$(head -n1 "$f")"
done

declare -A records=([test.zone]=14 [caa.test.zone]=33 [alias.test.zone]=21 [big.test.zone]=1029)
for f in "$ZONES_DIR"/*.zone; do
	base=$(basename "$f")
	# Expand "$INCLUDE FILE" (relative to zones/) in place.
	awk -v dir="$ZONES_DIR" '
		toupper($1) == "$INCLUDE" {
			path = ($2 ~ /^\//) ? $2 : dir "/" $2
			while ((getline line < path) > 0) print line
			close(path)
			next
		}
		{ print }' "$f" >"$tmp/$base"
	LAST_CMD="ldns-read-zone $tmp/$base"
	OUT=$(ldns-read-zone "$tmp/$base" 2>&1)
	check "$base: ldns-read-zone reads it" 0 "$?"
	check "$base: one SOA" 1 "$(awk '$4 == "SOA"' <<<"$OUT" | wc -l | tr -d ' ')"
	# (ldns prints a comment for RDATA it cannot show: still a record.)
	check "$base: records" "${records[$base]:-?}" "$(grep -c . <<<"$OUT")"
done
LAST_CMD=""

# Everything the responder loads from them: one zone per file, all at once.
start_responder "${ZONE_FILES[@]}" || finish
for origin in test caa.test alias.test big.test; do
	ask dig "$origin" SOA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 1
done

finish
