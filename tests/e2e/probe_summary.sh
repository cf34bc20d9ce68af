#!/usr/bin/env bash
# tests/e2e/probe_summary.sh -- what caa-probe says of a batch besides the
# reports: the summary on stderr after a batch (text, or one JSON line
# with -o json/jsonl; stdout as without it), -q/--quiet, the progress line
# on a terminal only (more than one name, at most about 5 a second, erased
# at the end), and -o brief (one line a name, in input order).
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

# slow.deny.test is answered 1500 ms late: a batch that lasts a while.
serve -f "servfail fail.example.test CAA" -f "servfail *.sf.example.test CAA" \
	-f "delay slow.deny.test CAA ms=1500" || finish

batch=$tmp/batch
printf '%s\n' host1.example.test host1.deny.test host2.example.test \
	fail.example.test 'bad..name' host2.deny.test host3.example.test >"$batch"

# Text: the report on stdout as ever, the summary on stderr.
probe -f "$batch"
check "summary: exit status" 2 "$PRC"
check "summary: text" "caa-probe: 7 names: 3 allowed, 2 denied, 1 lookup-failed, 1 invalid
  3  CAA record for example.test permits issuance by letsencrypt.org
  2  CAA record for deny.test prevents issuance
  1  DNS problem: SERVFAIL looking up CAA for fail.example.test - the domain's nameservers may be malfunctioning
  1  Domain name can not have two dots in a row" "$PERR"
check "summary: not on stdout" 0 "$(printf '%s\n' "$POUT" | grep -c 'names:')"

# JSON: stdout is the same array; stderr one JSON object on one line.
probe -f "$batch" -o json
check "summary json: stdout an array of 7" 7 "$(jget '*.name' | wc -l)"
check "summary json: one line on stderr" 1 "$(printf '%s\n' "$PERR" | wc -l)"
POUT=$PERR
check "summary json: counts" "7 3 2 1 1" \
	"$(jget summary.names) $(jget summary.allowed) $(jget summary.denied) $(jget summary.lookup-failed) $(jget summary.invalid)"
check "summary json: the reasons, most first" \
	'[{"reason":"CAA record for example.test permits issuance by letsencrypt.org","count":3},{"reason":"CAA record for deny.test prevents issuance","count":2},{"reason":"DNS problem: SERVFAIL looking up CAA for fail.example.test - the domain'"'"'s nameservers may be malfunctioning","count":1},{"reason":"Domain name can not have two dots in a row","count":1}]' \
	"$(jget summary.reasons)"
check_match "summary json: the keys in order" \
	'^\{"summary":\{"names":7,"allowed":3,"denied":2,"lookup-failed":1,"invalid":1,"reasons":\[' "$PERR"
probe -f "$batch" -o jsonl
check "summary jsonl: one object a line on stdout" 7 "$(printf '%s\n' "$POUT" | grep -c '^{"name":')"
check_match "summary jsonl: the JSON summary on stderr" '^\{"summary":\{"names":7,' "$PERR"

# At most five reasons, however many there are.
printf '%s\n' host.deny.test x..a x..b 'x y' x_y.test '*.*.a.test' 192.0.2.1 -a.test \
	"$(printf 'a%.0s' $(seq 1 64)).test" >"$tmp/six"
probe -f "$tmp/six"
check "summary: five reasons at most" 6 "$(printf '%s\n' "$PERR" | wc -l)"
check "summary: the commonest first" "  3  Domain name contains an invalid character" \
	"$(printf '%s\n' "$PERR" | sed -n 2p)"

# A batch is more than one name, or -f: one name alone has no summary.
probe host1.example.test
check "one name: stderr empty" "" "$PERR"
probe host1.example.test host1.deny.test
check_match "two names: a summary" '^caa-probe: 2 names: 1 allowed, 1 denied, 0 lookup-failed, 0 invalid$' "$PERR"
printf 'host1.deny.test\n' >"$tmp/one"
probe -f "$tmp/one"
check_match "-f of one name: a summary" '^caa-probe: 1 names: 0 allowed, 1 denied' "$PERR"

# -q, --quiet: no summary.
probe -q -f "$batch"
check "-q: stderr empty" "2 " "$PRC $PERR"
probe --quiet -f "$batch" -o json
check "--quiet: stderr empty, stdout the array" "7 " "$(jget '*.name' | wc -l) $PERR"

# 12000 names, 2000 of them with a reason of their own (a lookup error
# that names them): the table of reasons is bounded (1024), the reasons
# past it counted together.
seq 1 10000 | sed 's/^/x/; s/$/..test/' >"$tmp/many"
seq 1 2000 | sed 's/^/n/; s/$/.sf.example.test/' >>"$tmp/many"
probe -f "$tmp/many" -j 500 -o jsonl
check "12000 names: the reports" 12000 "$(printf '%s\n' "$POUT" | grep -c '^{"name":')"
POUT=$PERR
check "12000 names: counts" "12000 0 0 2000 10000" \
	"$(jget summary.names) $(jget summary.allowed) $(jget summary.denied) $(jget summary.lookup-failed) $(jget summary.invalid)"
check "12000 names: the commonest reasons, the rest together" "10000 Domain name can not have two dots in a row
977 (other reasons)" \
	"$(jget 'summary.reasons.*.count' | paste -d' ' - <(jget 'summary.reasons.*.reason') | head -n 2)"
check "12000 names: five reasons" 5 "$(jget 'summary.reasons.*.count' | wc -l)"

# -o brief: NAME VERDICT REASON, one line a name, in input order; a name
# as given that holds a space or a control character is escaped.
printf '%s\n' slow.deny.test host1.example.test 'a b.test' fail.example.test >"$tmp/brief"
probe -q -f "$tmp/brief" -o brief
check "brief: lines" "slow.deny.test denied CAA record for deny.test prevents issuance
host1.example.test allowed CAA record for example.test permits issuance by letsencrypt.org
a\\032b.test invalid Domain name contains an invalid character
fail.example.test lookup-failed DNS problem: SERVFAIL looking up CAA for fail.example.test - the domain's nameservers may be malfunctioning" "$POUT"
check "brief: exit status" 2 "$PRC"
probe -o brief host1.deny.test
check "brief: one name" "1 host1.deny.test denied CAA record for deny.test prevents issuance" "$PRC $POUT"

# Progress: on a terminal only (script(1) gives a pty; the reports go to
# /dev/null), one line rewritten in place, at most about 5 a second,
# erased before the summary.
if command -v script >/dev/null 2>&1; then
	printf '%s\n' slow.deny.test host1.example.test host2.example.test >"$tmp/slow"
	LAST_CMD="script caa-probe -f slow >/dev/null"
	OUT=$(timeout 60 script -qec "'$PROBE' -s $HOST4 -p $PORT4 -f '$tmp/slow' >/dev/null" /dev/null 2>&1)
	check_match "progress: done/total, rate, time left" $'\rcaa-probe: 2/3 names, [0-9]+/s, [0-9]+ s left\033\\[K' "$OUT"
	n=$(printf '%s' "$OUT" | grep -o 'names, [0-9]*/s' | wc -l)
	if [ "$n" -ge 3 ] && [ "$n" -le 10 ]; then
		pass
	else
		fail "progress: about 5 lines a second over 1.5 s" "3-10" "$n"
	fi
	check_match "progress: erased, then the summary" \
		$'\r\033\\[Kcaa-probe: 3 names: 2 allowed, 1 denied' "$OUT"
	# Reports to the same terminal: the progress line is erased before
	# a report is written, never left in front of it.
	LAST_CMD="script caa-probe -f slow (stdout and stderr the terminal)"
	OUT=$(timeout 60 script -qec "'$PROBE' -s $HOST4 -p $PORT4 -f '$tmp/slow'" /dev/null 2>&1)
	check_match "progress beside reports: shown" $'\rcaa-probe: [0-9]+/3 names' "$OUT"
	if grep -Eq $'/s(, [0-9]+ s left)?\033\\[K[^\r]' <<<"$OUT"; then
		fail "progress beside reports: erased before a report" "\\r after the line" "$OUT"
	else
		pass
	fi
	check_match "progress beside reports: the reports" '^slow\.deny\.test: .*denied' "$(printf '%s' "$OUT" | tr -d '\r' | sed 's/.*\x1b\[K//')"
	# The total is unknown while the input is still being read.
	LAST_CMD="script: (names; sleep) | caa-probe -f - >/dev/null"
	OUT=$(timeout 60 script -qec "(printf 'host1.example.test\\nhost2.example.test\\n'; sleep 1; echo host3.example.test) | '$PROBE' -s $HOST4 -p $PORT4 -f - >/dev/null" /dev/null 2>&1)
	check_match "progress: the total unknown yet" $'\rcaa-probe: 2 names, [0-9]+/s\033\\[K' "$OUT"
	check_match "progress: then the summary" 'caa-probe: 3 names: 3 allowed' "$OUT"
	# One name: no progress, no summary.
	LAST_CMD="script caa-probe slow.deny.test >/dev/null"
	OUT=$(timeout 60 script -qec "'$PROBE' -s $HOST4 -p $PORT4 slow.deny.test >/dev/null" /dev/null 2>&1)
	check "one name on a terminal: nothing on stderr" "" "$OUT"
	# -f of one name: a summary, no progress.
	printf 'slow.deny.test\n' >"$tmp/slow1"
	OUT=$(timeout 60 script -qec "'$PROBE' -s $HOST4 -p $PORT4 -f '$tmp/slow1' >/dev/null" /dev/null 2>&1)
	check "-f of one name on a terminal: the summary only" \
		"caa-probe: 1 names: 0 allowed, 1 denied, 0 lookup-failed, 0 invalid
  1  CAA record for deny.test prevents issuance" "$(printf '%s' "$OUT" | tr -d '\r')"
	# -q: nothing at all on stderr.
	LAST_CMD="script caa-probe -q -f slow >/dev/null"
	OUT=$(timeout 60 script -qec "'$PROBE' -q -s $HOST4 -p $PORT4 -f '$tmp/slow' >/dev/null" /dev/null 2>&1)
	check "-q on a terminal: nothing on stderr" "" "$OUT"
fi
# Off a terminal: no progress line, whatever the batch.
probe -f "$tmp/slow"
if grep -q $'\r\|names, ' <<<"$PERR"; then
	fail "no progress off a terminal" "no progress line" "$PERR"
else
	pass
fi

probe --help
check_match "--help: -q" '-q, --quiet' "$POUT"
check_match "--help: brief" 'jsonl[|]brief' "$POUT"

finish
