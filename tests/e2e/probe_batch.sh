#!/usr/bin/env bash
# tests/e2e/probe_batch.sh -- many names: -f FILE and stdin (comments and
# blank lines skipped), -j, reports in input order for text and json while
# slow names are still in flight, jsonl as completed, stdin read as lines
# come (never holding up lookups), names a CA refuses and over-long lines
# as "invalid" reports, the exit status of a batch (3 for invalid), a
# Unicode name, thousands of names on one loop.
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

# slow.deny.test is answered 400 ms late: later names finish first.
serve -f "delay slow.deny.test CAA ms=400" || finish

# A file of 2000 names: allowed, denied, wildcards, with comments.
names=$tmp/names.txt
{
	echo "# a batch of names"
	echo ""
	echo "slow.deny.test"
	for i in $(seq 1 1000); do
		echo "  host$i.example.test"
		echo "host$i.deny.test   # denied"
		if [ $((i % 250)) -eq 0 ]; then
			printf '\t\n#host%d.example.test\n' "$i"
		fi
	done
	echo "*.c41.cases.test"
} >"$names"
grep -v '^[[:space:]]*#' "$names" | sed 's/#.*//; s/^[[:space:]]*//; s/[[:space:]]*$//' |
	grep -v '^$' >"$tmp/expected"
count=$(wc -l <"$tmp/expected")
check "the fixture" 2002 "$count"

probe -f "$names" -j 50 -o json
check "batch json: exit status (denied, none failed)" 1 "$PRC"
check "batch json: one report per name" "$count" "$(jget '*.name' | wc -l)"
check "batch json: input order" "$(cat "$tmp/expected")" "$(jget '*.name')"
check "batch json: the slow name first" denied "$(jget 0.verdict)"
check "batch json: an allowed one" allowed "$(jget 1.verdict)"
check "batch json: a denied one" denied "$(jget 2.verdict)"
check "batch json: the wildcard" "true denied" "$(jget 2001.wildcard) $(jget 2001.verdict)"
check_match "batch json: off a terminal only the summary on stderr" \
	'^\{"summary":\{"names":2002,"allowed":1000,"denied":1002,[^'$'\r'']*\}\}$' "$PERR"

# On a terminal, stderr carries a progress line (script(1) gives a pty;
# the report itself goes to /dev/null), and it is erased at the end.
if command -v script >/dev/null 2>&1; then
	LAST_CMD="script caa-probe -f names >/dev/null"
	OUT=$(timeout 60 script -qec "'$PROBE' -s $HOST4 -p $PORT4 -f '$names' -j 50 -o json >/dev/null" /dev/null 2>&1)
	check_match "progress line on a terminal" 'caa-probe: [0-9]+(/[0-9]+)? names, [0-9]+/s' "$OUT"
	check_match "progress line erased, then the summary" $'\r\033\\[K\\{"summary":' "$OUT"
fi

# stdin, jsonl: one object a line, as completed.
LAST_CMD="caa-probe -f - -j 64 -o jsonl < names"
"$PROBE" -s "$HOST4" -p "$PORT4" -f - -j 64 -o jsonl <"$names" >"$tmp/jsonl" 2>"$tmp/err"
PRC=$?
check "jsonl: exit status" 1 "$PRC"
check "jsonl: lines" "$count" "$(wc -l <"$tmp/jsonl")"
check "jsonl: every line an object" "$count" \
	"$("$PY" -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if isinstance(json.loads(l), dict)))' "$tmp/jsonl")"
check "jsonl: the same names" "$(sort "$tmp/expected")" \
	"$("$PY" -c 'import json,sys; [print(json.loads(l)["name"]) for l in open(sys.argv[1])]' "$tmp/jsonl" | sort)"
check "jsonl: as completed (the slow name is not first)" 1 \
	"$(tail -n +2 "$tmp/jsonl" | grep -c '"name":"slow.deny.test"')"

# stdin is read as lines come, off the event loop's back: with 3 s
# between two lines the first name is reported before the second line is
# written, and its lookups take what the network took (a 100 ms timeout
# is not hit by an answer that came in a millisecond).
LAST_CMD="(echo host.deny.test; sleep 3; echo host1.example.test) | caa-probe -f - --timeout 100 -o jsonl"
{
	echo host.deny.test
	sleep 3
	wc -l <"$tmp/gap.out" | tr -d ' ' >"$tmp/gap.before"
	echo host1.example.test
} | timeout 60 "$PROBE" -s "$HOST4" -p "$PORT4" -f - --timeout 100 -o jsonl \
	>"$tmp/gap.out" 2>"$tmp/gap.err"
PRC=$?
POUT="[$(paste -sd, "$tmp/gap.out")]"
check "stdin gap: exit status" 1 "$PRC"
check "stdin gap: verdicts" "host.deny.test denied host1.example.test allowed" \
	"$(jget 0.name) $(jget 0.verdict) $(jget 1.name) $(jget 1.verdict)"
check "stdin gap: the first report before the second line" 1 "$(cat "$tmp/gap.before")"
# (the gap would show as 3000 ms; a loaded machine may retry a try)
check "stdin gap: every lookup well under the gap" "" \
	"$(jget '*.lookups.*.ms' | awk '$1 >= 1000')"
check "stdin gap: stderr, one line" 1 "$(wc -l <"$tmp/gap.err")"
check_match "stdin gap: stderr, the summary only" '^\{"summary":\{"names":2,.*\}\}$' "$(cat "$tmp/gap.err")"

# Stopped by SIGINT or SIGTERM while it reads a terminal, the probe gives
# the terminal back blocking, as it found it (one left non-blocking breaks
# the shell that reads it next), and dies of the signal.  script(1) gives
# a pty; the probe waits on it for a line, and is stopped once it has made
# it non-blocking (O_NONBLOCK, 04000 in /proc/PID/fdinfo/0).
if command -v script >/dev/null 2>&1; then
	cat >"$tmp/tty.sh" <<EOF
#!/bin/sh
nonblocking() {
	f=\$(awk '/^flags:/ { print \$2 }' "\$1" 2>/dev/null)
	echo \$((0\${f:-0} & 04000))
}
(
	for i in \$(seq 1 100); do
		[ "\$(nonblocking "/proc/\$(cat "$tmp/tty.pid")/fdinfo/0")" -ne 0 ] && break
		sleep 0.1
	done 2>/dev/null
	kill -\$1 "\$(cat "$tmp/tty.pid")"
) &
sh -c 'echo \$\$ >"$tmp/tty.pid"; exec "$PROBE" -s $HOST4 -p $PORT4 -f -'
echo "status \$?"
echo "nonblocking \$(nonblocking /proc/self/fdinfo/0)"
EOF
	chmod +x "$tmp/tty.sh"
	# script(1) ends the pty's input when its own ends: keep it open.
	exec 3< <(exec sleep 120)
	hold=$!
	for sig in INT TERM; do
		LAST_CMD="script: caa-probe -f - (a terminal), then kill -$sig"
		rm -f "$tmp/tty.pid"
		OUT=$(timeout 60 script -qec "'$tmp/tty.sh' $sig" /dev/null <&3 2>&1 | tr -d '\r')
		check "a terminal, SIG$sig: the probe dies of it" \
			"status $((128 + $(kill -l "$sig")))" "$(printf '%s\n' "$OUT" | grep -o 'status [0-9]*')"
		check "a terminal, SIG$sig: left blocking" "nonblocking 0" \
			"$(printf '%s\n' "$OUT" | grep -o 'nonblocking [0-9]*')"
	done
	exec 3<&-
	kill "$hold" 2>/dev/null
fi

# text: blocks in input order, one blank line apart.
probe -f "$names" -j 20
check "text: exit status" 1 "$PRC"
check "text: verdict lines in order" "$(cat "$tmp/expected")" \
	"$(printf '%s\n' "$POUT" | grep -E '^[^ ].*: (allowed|denied|lookup-failed)$' | sed 's/: [a-z-]*$//')"
check "text: blocks" "$((count - 1))" "$(printf '%s\n' "$POUT" | grep -c '^$')"

# -j 1: one name at a time, same answers.
probe -f "$names" -j 1 -o json
check "-j 1: input order" "$(cat "$tmp/expected")" "$(jget '*.name')"

# Names on the command line come first, then the file.
printf 'host1.deny.test\n' >"$tmp/one"
probe -o json -f "$tmp/one" host1.example.test
check "arguments then file" "host1.example.test host1.deny.test" "$(jget '*.name' | paste -sd' ' -)"

# Exit status of a batch: 0 all allowed, 1 a denial, 2 a failure.
serve -f "servfail fail.example.test CAA" || finish
probe host1.example.test www.example.test
check "all allowed" 0 "$PRC"
probe host1.example.test host.deny.test
check "one denied" 1 "$PRC"
probe host1.example.test fail.example.test
check "one failed" 2 "$PRC"
probe host.deny.test fail.example.test host1.example.test
check "denied and failed" 2 "$PRC"

# A line a CA would refuse does not stop the batch: an "invalid" report
# (no lookup; the reason in Let's Encrypt's words), exit 3 when nothing
# failed, never counted as allowed.
long=$(printf 'x%.0s' $(seq 1 70)).test
printf '%s\n' host1.example.test bad..name "$long" host.deny.test \
	https://deny.caa.test/ 'www.example.test,ok' 192.0.2.1 '*.*.example.test' \
	'Münich.example.test' >"$tmp/bad"
probe -o json -f "$tmp/bad"
check "invalid lines: exit status" 3 "$PRC"
check "invalid lines: verdicts" \
	"allowed invalid invalid denied invalid invalid invalid invalid allowed" \
	"$(jget '*.verdict' | paste -sd' ' -)"
check "invalid lines: reasons" "Domain name can not have two dots in a row
Domain has a label (component between dots) longer than 63 bytes
Domain name contains an invalid character
Domain name contains an invalid character
Identifier type is DNS but value is an IP address
Domain name has more than one wildcard" \
	"$(jget '*.reason' | grep -v '^CAA record\|^no CAA')"
check "invalid lines: the name as given" "bad..name https://deny.caa.test/" \
	"$(jget 1.name) $(jget 4.name)"
check "invalid lines: error" \
	'{"name":"https://deny.caa.test/","rcode":null,"detail":"Domain name contains an invalid character"}' \
	"$(jget 4.error)"
check "invalid lines: no lookups" "[] []" "$(jget 1.lookups) $(jget 4.lookups)"
check "invalid lines: nothing relevant" "null" "$(jget 4.relevant)"
check "a Unicode name: both forms" "xn--mnich-kva.example.test münich.example.test" \
	"$(jget 8.name) $(jget 8.unicode)"
check "a Unicode name: looked up as A-labels" "xn--mnich-kva.example.test" "$(jget 8.lookups.0.name)"
probe -f "$tmp/bad" -o jsonl
check "invalid lines, jsonl: exit status" 3 "$PRC"
check "invalid lines, jsonl: reports" 9 "$(printf '%s\n' "$POUT" | wc -l)"
probe -f "$tmp/bad"
check "invalid lines, text" "https://deny.caa.test/: invalid
  reason:   Domain name contains an invalid character" \
	"$(printf '%s\n' "$POUT" | grep -A1 '^https://deny.caa.test/: invalid$')"
# Exit status: a lookup failure wins over an invalid name; an invalid
# name over a denial; all invalid is not allowed.
printf 'fail.example.test\nbad..name\n' >"$tmp/bad2"
serve -f "servfail fail.example.test CAA" || finish
probe -f "$tmp/bad2"
check "invalid and failed" 2 "$PRC"
printf 'host.deny.test\nbad..name\n' >"$tmp/bad3"
probe -f "$tmp/bad3"
check "invalid and denied" 3 "$PRC"
printf 'bad..name\n' >"$tmp/bad4"
probe -f "$tmp/bad4"
check "only invalid" 3 "$PRC"

# A line over 4096 bytes is an invalid input, not a crash or a buffer
# that grows: reported (shortened), its rest skipped, the batch goes on;
# a long comment is skipped, and a name before a long comment is judged.
{
	echo host1.example.test
	printf 'x%.0s' $(seq 1 5000)
	echo
	printf '# %s\n' "$(printf 'c%.0s' $(seq 1 5000))"
	printf 'host.deny.test # %s\n' "$(printf 'c%.0s' $(seq 1 5000))"
	printf 'www.example.test'
} >"$tmp/long"
probe -o json -f "$tmp/long"
check "long line: exit status" 3 "$PRC"
check "long line: verdicts" "allowed invalid denied allowed" "$(jget '*.verdict' | paste -sd' ' -)"
check "long line: reason" "input line longer than 4096 bytes" "$(jget 1.reason)"
check "long line: shown shortened" "$(printf 'x%.0s' $(seq 1 64))..." "$(jget 1.name)"
LAST_CMD="caa-probe -f - -o json < long"
"$PROBE" -s "$HOST4" -p "$PORT4" -f - -o json <"$tmp/long" >"$tmp/long.out" 2>"$tmp/long.err"
PRC=$?
POUT=$(cat "$tmp/long.out")
check "long line, stdin: exit status" 3 "$PRC"
check "long line, stdin: verdicts" "allowed invalid denied allowed" "$(jget '*.verdict' | paste -sd' ' -)"
cat "$tmp/long" | "$PROBE" -s "$HOST4" -p "$PORT4" -f - -o json >"$tmp/long.out" 2>"$tmp/long.err"
PRC=$?
POUT=$(cat "$tmp/long.out")
check "long line, pipe: verdicts" "3 allowed invalid denied allowed" "$PRC $(jget '*.verdict' | paste -sd' ' -)"
# A device that cannot be polled reads as an empty input.
probe -o json -f /dev/null
check "/dev/null" "0 []" "$PRC $(printf '%s' "$POUT" | tr -d '\n ')"

# An empty input: an empty array, exit 0.
: >"$tmp/empty"
probe -o json -f "$tmp/empty"
check "empty input" "0 []" "$PRC $(printf '%s' "$POUT" | tr -d '\n ')"

# Thousands of names at once on one loop: 10000 names, 3 lookups each.
# What is checked is that none is lost, not how fast: a generous timeout
# keeps a sanitizer build on a loaded machine from failing lookups.
seq 1 10000 | sed 's/^/n/; s/$/.example.test/' >"$tmp/many"
probe -f "$tmp/many" -j 500 -o jsonl --timeout 5000 --tries 4
check "10000 names: exit status" 0 "$PRC"
check "10000 names: reports" 10000 "$(printf '%s\n' "$POUT" | grep -c '"verdict":"allowed"')"

finish
