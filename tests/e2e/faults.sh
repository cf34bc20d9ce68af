#!/usr/bin/env bash
# tests/e2e/faults.sh -- fault rules on the wire (docs/faults.md):
# every action as dig, kdig or a raw socket sees it, the options (count,
# after, every, p with --seed, transport, family, ms, ede, tcp=), the name
# selectors and types, first-added-wins, the query log of a faulted query,
# rule errors at start-up (-f, -F) and SIGHUP reloading a rules file.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

log=$tmp/query.log

# One responder for the actions and most options: each rule on a name (or
# type) of its own, so they do not meet.
RULES=(
	-f 'servfail host.caa.test CAA'
	-f 'refused flag0.caa.test CAA'
	-f 'notimp flag1.caa.test CAA'
	-f 'formerr flag128.caa.test CAA'
	-f 'nxdomain flag130.caa.test CAA'
	-f 'nodata flags.caa.test CAA'
	-f 'drop deny.caa.test CAA'
	-f 'delay otherca.caa.test CAA ms=400'
	-f 'servfail late.caa.test CAA ms=300'
	-f 'noaa issuewild.caa.test CAA'
	-f 'nosoa nothere.caa.test CAA'
	-f 'nosoa host.caa.test TXT'
	-f 'wrongid iodef.caa.test CAA'
	-f 'garble unknown.caa.test CAA'
	-f 'garble gone.caa.test CAA'
	-f 'servfail upper.caa.test CAA ede=6'
	-f 'servfail mixedcase.caa.test CAA count=2'
	-f 'servfail params.caa.test CAA after=1'
	-f 'servfail long.caa.test CAA every=2'
	-f 'servfail generic.caa.test CAA transport=tcp'
	-f 'refused example.test TXT family=6'
	-f 'truncate example.test A'
	-f 'truncate example.test AAAA tcp=drop'
	-f 'servfail *.alias.test CAA'
	-f 'nxdomain . MX'
	-f 'refused first.caa.test SRV'
	-f 'servfail first.caa.test SRV'
	-f 'servfail *.caa.test HINFO'
	-f 'refused exact.caa.test HINFO'
	-f 'refused fall.caa.test NAPTR count=1'
	-f 'servfail fall.caa.test NAPTR'
	-f 'refused t257.caa.test TYPE257'
	-f 'notimp ns1.test *'
)
start_responder -q "$log" "${RULES[@]}" "${ZONE_FILES[@]}" || finish

# ---------------------------------------------------------------- actions

# servfail: CAA fails, the other types of the same name are still fine.
for tool in dig kdig; do
	ask $tool host.caa.test CAA
	expect rcode SERVFAIL
	expect count ANSWER 0
	expect count AUTHORITY 0
done
ask dig host.caa.test A
expect rcode NOERROR
expect flag aa
expect rr ANSWER 'host.caa.test. IN A 192.0.2.1'
# Names compare case-insensitively; the question's case is kept.
ask dig HoSt.CaA.TeSt CAA
expect rcode SERVFAIL
expect question 'HoSt.CaA.TeSt. IN CAA'

# refused, notimp, formerr, nxdomain: that RCODE and no records.
for spec in flag0:REFUSED flag1:NOTIMP flag128:FORMERR flag130:NXDOMAIN; do
	ask dig "${spec%%:*}.caa.test" CAA
	expect rcode "${spec#*:}"
	expect count ANSWER 0
	expect count AUTHORITY 0
	raw ask "$HOST4" "$PORT4" "${spec%%:*}.caa.test" CAA
	expect kv rcode "${spec#*:}"
	expect kv ancount 0
	expect kv nscount 0
done

# nodata: NOERROR, no answer, the zone's SOA in authority (flags.caa.test
# has two CAA records honestly).
ask dig flags.caa.test CAA
expect rcode NOERROR
expect count ANSWER 0
expect nrecords AUTHORITY SOA 1
check_match "nodata: the SOA is caa.test.'s" '^caa\.test\. IN SOA ' "$(out_section AUTHORITY)"

# drop: no answer at all, the client times out; A at the name still answers.
ask dig deny.caa.test CAA +time=1
check "drop: dig reports no reply" "no header" \
	"$(grep -q -- '->>HEADER<<-' <<<"$OUT" && echo "a reply: $(out_rcode)" || echo "no header")"
check "drop: dig exits 9 (no reply)" 9 "$RC"
raw --timeout 1 ask "$HOST4" "$PORT4" deny.caa.test CAA
check "drop: no datagram within 1 s" noreply "$(printf '%s\n' "$OUT" | head -n1)"
raw --timeout 1 ask "$HOST4" "$TPORT4" deny.caa.test CAA --tcp
check "drop: nothing over TCP either within 1 s" noreply "$(printf '%s\n' "$OUT" | head -n1)"
ask dig deny.caa.test A
expect rcode NOERROR

# delay ms=400: the answer comes, late, and an undelayed query sent just
# after it is answered at once meanwhile; ms= on servfail: a late error.
raw --timeout 3 timed "$HOST4" "$PORT4" otherca.caa.test:CAA caa.test:CAA late.caa.test:CAA
expect kv 0.rcode NOERROR
expect kv 1.rcode NOERROR
expect kv 2.rcode SERVFAIL
d_ms=$(out_kv 0.ms)
u_ms=$(out_kv 1.ms)
l_ms=$(out_kv 2.ms)
check "delay ms=400: answered after >= 395 ms" yes \
	"$([ "$d_ms" != none ] && [ "$d_ms" -ge 395 ] && echo yes || echo "after $d_ms ms")"
check "delay ms=400: no later than 1.5 s" yes \
	"$([ "$d_ms" != none ] && [ "$d_ms" -le 1500 ] && echo yes || echo "after $d_ms ms")"
check "an undelayed query meanwhile: answered within 300 ms" yes \
	"$([ "$u_ms" != none ] && [ "$u_ms" -lt 300 ] && echo yes || echo "after $u_ms ms")"
check "the undelayed query is answered first" "1 2 0" "$(out_kv order)"
check "servfail ms=300: the SERVFAIL after >= 295 ms" yes \
	"$([ "$l_ms" != none ] && [ "$l_ms" -ge 295 ] && echo yes || echo "after $l_ms ms")"
# The same, timed by dig.
ask dig otherca.caa.test CAA
expect rcode NOERROR
expect rr ANSWER 'otherca.caa.test. IN CAA 0 issue "otherca.test"'
q_ms=$(sed -n 's/^;; Query time: \([0-9]*\) msec$/\1/p' <<<"$OUT")
check "delay ms=400: dig's query time >= 395 ms" yes \
	"$([ -n "$q_ms" ] && [ "$q_ms" -ge 395 ] && echo yes || echo "query time '$q_ms' ms")"

# noaa: the data, AA clear.
ask dig issuewild.caa.test CAA
expect rcode NOERROR
expect noflag aa
expect count ANSWER 2
expect rr ANSWER 'issuewild.caa.test. IN CAA 0 issuewild "letsencrypt.org"'

# nosoa: NXDOMAIN and NODATA without the SOA in authority.
ask dig nothere.caa.test CAA
expect rcode NXDOMAIN
expect count ANSWER 0
expect count AUTHORITY 0
ask dig nothere.caa.test A
expect rcode NXDOMAIN
expect nrecords AUTHORITY SOA 1
ask dig host.caa.test TXT
expect rcode NOERROR
expect count ANSWER 0
expect count AUTHORITY 0

# wrongid: the reply carries another message ID.
ask dig iodef.caa.test CAA +time=1
check_match "wrongid: dig reports an ID mismatch" 'ID mismatch' "$OUT"
ask kdig iodef.caa.test CAA +timeout=1
check_match "wrongid: kdig reports another reply ID" 'reply ID .* is different from query ID' "$OUT"
raw ask "$HOST4" "$PORT4" iodef.caa.test CAA --id 4660
check_match "wrongid: a raw query with ID 4660 gets another ID" '^(0|[1-9][0-9]*)$' "$(out_kv id)"
if [ "$(out_kv id)" = 4660 ]; then fail "wrongid: the reply's ID differs" "not 4660" 4660; else pass; fi
expect kv rcode NOERROR
expect kv ancount 1

# garble: an answer that does not parse, with data (cut RDATA) and without
# (NXDOMAIN honestly: a bad compression pointer).
for n in unknown gone; do
	ask dig $n.caa.test CAA +time=1
	check_match "garble $n: dig reports a malformed reply" \
		'malformed|bad compression pointer|Got bad packet|unexpected end of input|extra bytes' "$OUT"
	ask kdig $n.caa.test CAA +timeout=1
	check_match "garble $n: kdig reports a malformed reply" 'malformed' "$OUT"
	raw ask "$HOST4" "$PORT4" $n.caa.test CAA
	check_match "garble $n: dnsraw.py cannot parse it" '.' "$(out_kv malformed)"
done

# ede=6: an Extended DNS Error in the OPT record (only when the query had one).
ask kdig upper.caa.test CAA +edns
expect rcode SERVFAIL
check_match "ede=6: kdig shows EDE 6" 'EDE: 6( |$)' "$OUT"
ask dig upper.caa.test CAA
check_match "ede=6: dig shows EDE 6" 'EDE: 6( |$)' "$OUT"
raw ask "$HOST4" "$PORT4" upper.caa.test CAA --edns 0
expect kv rcode SERVFAIL
expect kv ede 6
expect kvhas edns_option '15 0006'
raw ask "$HOST4" "$PORT4" upper.caa.test CAA
expect kv rcode SERVFAIL
expect kv ede ''

# ---------------------------------------------------------------- counters

# count=2: two failures, then the honest answer again.
raw series "$HOST4" "$PORT4" mixedcase.caa.test CAA 4
expect kv rcodes 'SERVFAIL SERVFAIL NOERROR NOERROR'
# after=1: the first matching query is spared.
raw series "$HOST4" "$PORT4" params.caa.test CAA 3
expect kv rcodes 'NOERROR SERVFAIL SERVFAIL'
# every=2: one query in two, starting with the first.
raw series "$HOST4" "$PORT4" long.caa.test CAA 4
expect kv rcodes 'SERVFAIL NOERROR SERVFAIL NOERROR'

# ---------------------------------------------------------------- transport, family

# transport=tcp: UDP is untouched, TCP fails.
ask dig generic.caa.test CAA
expect rcode NOERROR
expect count ANSWER 1
QPORT=$TPORT4 ask dig generic.caa.test CAA +tcp
expect rcode SERVFAIL
raw ask "$HOST4" "$TPORT4" generic.caa.test CAA --tcp
expect kv rcode SERVFAIL

# family=6: only the [::1] listener fails.
QHOST=$HOST6 QPORT=$PORT6 ask dig example.test TXT
expect rcode REFUSED
QHOST=$HOST6 QPORT=$TPORT6 ask dig example.test TXT +tcp
expect rcode REFUSED
ask dig example.test TXT
expect rcode NOERROR
expect rr ANSWER 'example.test. IN TXT "an ordinary name in the test. zone"'

# truncate: TC=1 and no records over UDP; dig retries over TCP and gets the
# whole answer (the rule does not count or touch the TCP retry).
raw ask "$HOST4" "$PORT4" example.test A
expect kv rcode NOERROR
expect kv tc 1
expect kv ancount 0
if [ "$TPORT4" = "$PORT4" ]; then
	ask dig example.test A
	check_match "truncate: dig retries over TCP" 'Truncated, retrying in TCP mode' "$OUT"
	expect rcode NOERROR
	expect noflag tc
	expect rr ANSWER 'example.test. IN A 192.0.2.10'
	check_match "truncate: dig's answer came over TCP" '^;; SERVER: .*\(TCP\)' "$OUT"
else
	fail "UDP and TCP on one --listen address share the port" "$PORT4" "$TPORT4"
fi
QPORT=$TPORT4 ask kdig example.test A +tcp
expect rr ANSWER 'example.test. IN A 192.0.2.10'
raw ask "$HOST4" "$PORT4" example.test A --edns 0
expect kv tc 1

# truncate tcp=drop: TC over UDP, and nothing over TCP.
raw ask "$HOST4" "$PORT4" example.test AAAA
expect kv tc 1
expect kv ancount 0
raw --timeout 1 ask "$HOST4" "$TPORT4" example.test AAAA --tcp
check "truncate tcp=drop: no TCP reply within 1 s" noreply "$(printf '%s\n' "$OUT" | head -n1)"
if [ "$TPORT4" = "$PORT4" ]; then
	ask dig example.test AAAA +time=1
	check_match "truncate tcp=drop: dig retried over TCP" 'Truncated, retrying in TCP mode' "$OUT"
	check "truncate tcp=drop: dig ends without an answer" "" "$(out_section ANSWER)"
	check "truncate tcp=drop: dig exits 9 (no reply)" 9 "$RC"
fi

# ---------------------------------------------------------------- names and types

# *.X: strictly below X, not X itself.
ask dig alias.test CAA
expect rcode NOERROR
expect flag aa
ask dig target.alias.test CAA
expect rcode SERVFAIL
ask dig a.b.alias.test CAA
expect rcode SERVFAIL
ask dig target.alias.test A
expect rcode NOERROR
expect rr ANSWER 'target.alias.test. IN A 192.0.2.20'

# `.`: every name, in every zone, outside every zone, the root itself.
for n in . test caa.test flag0.caa.test a.deep.name.alias.test www.example.com; do
	ask dig "$n" MX
	check "'nxdomain . MX' for $n" NXDOMAIN "$(out_rcode)"
done
ask dig caa.test CAA
expect rcode NOERROR

# TYPE257 is CAA; `*` is every type.
ask dig t257.caa.test CAA
expect rcode REFUSED
for t in A AAAA TXT CAA; do
	ask dig ns1.test $t
	check "'notimp ns1.test *' for $t" NOTIMP "$(out_rcode)"
done

# First added wins: two rules on one name; a `*.X` rule added first beats
# an exact one added later; a rule whose counter does not fire passes the
# query on to the next.
ask dig first.caa.test SRV
expect rcode REFUSED
ask dig exact.caa.test HINFO
expect rcode SERVFAIL
raw series "$HOST4" "$PORT4" fall.caa.test NAPTR 3
expect kv rcodes 'REFUSED SERVFAIL SERVFAIL'

# ---------------------------------------------------------------- query log

# The rule's text, and what was sent: the RCODE, dropped, delay_ms.
before=$(grep -c '^{' "$log")
raw ask "$HOST4" "$PORT4" host.caa.test CAA --id 7001
raw --timeout 0.5 ask "$HOST4" "$PORT4" deny.caa.test CAA --id 7002
raw --timeout 2 ask "$HOST4" "$PORT4" otherca.caa.test CAA --id 7003
raw ask "$HOST4" "$PORT4" host.caa.test A --id 7004
raw ask "$HOST4" "$PORT4" example.test A --id 7005
raw ask "$HOST4" "$PORT4" iodef.caa.test CAA --id 7006
if wait_log_lines "$log" $((before + 6)); then pass; else
	fail "six more query-log lines within 5 s" $((before + 6)) "$(grep -c '^{' "$log")"
fi
log_entry "$log" 7001
expect kv fault '"servfail host.caa.test CAA"'
expect kv rcode '"SERVFAIL"'
expect kv answers 0
expect kv dropped false
expect kv delay_ms 0
log_entry "$log" 7002
expect kv fault '"drop deny.caa.test CAA"'
expect kv dropped true
expect kv rcode null
log_entry "$log" 7003
expect kv fault '"delay otherca.caa.test CAA ms=400"'
expect kv delay_ms 400
expect kv rcode '"NOERROR"'
expect kv answers 1
expect kv dropped false
log_entry "$log" 7004
expect kv fault null
expect kv rcode '"NOERROR"'
log_entry "$log" 7005
expect kv fault '"truncate example.test A"'
expect kv tc true
expect kv answers 0
log_entry "$log" 7006
expect kv fault '"wrongid iodef.caa.test CAA"'

# The order rules are added in at start-up: every -f (in the order given),
# then every -P, then every -F file, wherever they stand on the command line.
printf 'nxdomain flag0.caa.test CAA\nnxdomain flag1.caa.test CAA\nnxdomain example.test CAA\n' >"$tmp/order.txt"
start_responder -F "$tmp/order.txt" -P caa-servfail:caa.test -f 'refused flag0.caa.test CAA' "${ZONE_FILES[@]}" || finish
ask dig flag0.caa.test CAA
check "-f before -P and -F: flag0.caa.test CAA" REFUSED "$(out_rcode)"
ask dig flag1.caa.test CAA
check "-P before -F: flag1.caa.test CAA" SERVFAIL "$(out_rcode)"
ask dig example.test CAA
check "a -F rule no other rule takes: example.test CAA" NXDOMAIN "$(out_rcode)"

# ---------------------------------------------------------------- p= and --seed

# p=0.5 with --seed: the same sequence in two runs; another seed, another one.
# p_run SEED: SEQ is the RCODEs of 24 queries to a fresh responder.
p_run() {
	SEQ=""
	start_responder --seed "$1" -f 'servfail flag0.caa.test CAA p=0.5' "${ZONE_FILES[@]}" || return 1
	raw series "$HOST4" "$PORT4" flag0.caa.test CAA 24
	SEQ=$(out_kv rcodes)
}
p_run 42
seq1=$SEQ
p_run 42
seq2=$SEQ
p_run 43
seq3=$SEQ
check "p=0.5 --seed 42: the same sequence twice" "$seq1" "$seq2"
check_match "p=0.5: both outcomes in 24 queries" 'SERVFAIL.*NOERROR|NOERROR.*SERVFAIL' "$seq1"
if [ -n "$seq1" ] && [ "$seq1" != "$seq3" ]; then pass; else
	fail "p=0.5: --seed 43 gives another sequence than --seed 42" "not: $seq1" "$seq3"
fi

# ---------------------------------------------------------------- bad rules

# A bad -f: status 64 and the reason.
stop_responder
LAST_CMD="caa-responder -l 127.0.0.1:0 -f bogus zones/*.zone"
OUT=$(timeout 10 "$RESPONDER" -l 127.0.0.1:0 -f bogus "${ZONE_FILES[@]}" 2>&1 </dev/null)
RC=$?
check "-f 'bogus' exits with status 64" 64 "$RC"
check_match "-f 'bogus': the reason on stderr" "bad value 'bogus' for -f/--fault \\(unknown action 'bogus'\\)" "$OUT"
if grep -q '^ready ' <<<"$OUT"; then fail "-f 'bogus': it does not start" "no ready line" "a ready line"; else pass; fi
LAST_CMD="caa-responder -l 127.0.0.1:0 -f 'servfail x.test CAA count=x' zones/*.zone"
OUT=$(timeout 10 "$RESPONDER" -l 127.0.0.1:0 -f 'servfail x.test CAA count=x' "${ZONE_FILES[@]}" 2>&1 </dev/null)
RC=$?
check "-f with a bad option value exits with status 64" 64 "$RC"
check_match "a bad option value: the reason names it" "count=x" "$OUT"

# A rules file with an error at line 3: status 1 and file:line: reason.
printf '# rules\nservfail flag0.caa.test CAA\nservfial flag1.caa.test CAA\n' >"$tmp/rules.txt"
LAST_CMD="(cd \$tmp && caa-responder -l 127.0.0.1:0 -F rules.txt zones/*.zone)"
OUT=$(cd "$tmp" && timeout 10 "$RESPONDER" -l 127.0.0.1:0 -F rules.txt "${ZONE_FILES[@]}" 2>&1 </dev/null)
RC=$?
check "a broken rules file stops start-up with status 1" 1 "$RC"
check_match "the error names file, line and reason" "rules\\.txt:3: unknown action 'servfial'" "$OUT"

# ---------------------------------------------------------------- SIGHUP

# until_rcode TENTHS NAME TYPE RCODE: poll dig until RCODE comes.
until_rcode() {
	local _
	for _ in $(seq 1 "$1"); do
		ask dig "$2" "$3" +time=1
		[ "$(out_rcode)" = "$4" ] && return 0
		sleep 0.1
	done
	return 1
}

rules=$tmp/hup-rules.txt
printf '# one rule\nservfail flag0.caa.test CAA\n' >"$rules"
start_responder -F "$rules" "${ZONE_FILES[@]}" || finish
ask dig flag0.caa.test CAA
expect rcode SERVFAIL
ask dig flag1.caa.test CAA
expect rcode NOERROR

# A changed file: SIGHUP serves the new rules, the old ones are gone.
printf 'refused flag1.caa.test CAA   # changed\n' >"$rules"
kill -HUP "$RSP_PID"
if until_rcode 50 flag1.caa.test CAA REFUSED; then pass; else
	fail "SIGHUP loads the changed rules file within 5 s" REFUSED "$(out_rcode)"
fi
ask dig flag0.caa.test CAA
expect rcode NOERROR

# A broken file: the old rules keep serving, file:line: reason on stderr.
printf 'servfail flag0.caa.test CAA\nservfail flag1.caa.test CAA coun=2\n' >"$rules"
kill -HUP "$RSP_PID"
if until_stderr 50 "hup-rules\\.txt:2: "; then pass; else
	fail "SIGHUP with a broken rules file logs file:line" "hup-rules.txt:2: reason" "$(tail -n 3 "$tmp/err")"
fi
check "the responder still runs after a failed reload" yes "$(responder_alive && echo yes || echo no)"
ask dig flag1.caa.test CAA
expect rcode REFUSED
ask dig flag0.caa.test CAA
expect rcode NOERROR

# Repaired: the next SIGHUP serves it.
printf 'servfail flag0.caa.test CAA\nservfail flag1.caa.test CAA count=2\n' >"$rules"
kill -HUP "$RSP_PID"
if until_rcode 50 flag0.caa.test CAA SERVFAIL; then pass; else
	fail "SIGHUP after the repair serves the fixed file within 5 s" SERVFAIL "$(out_rcode)"
fi
raw series "$HOST4" "$PORT4" flag1.caa.test CAA 3
expect kv rcodes 'SERVFAIL SERVFAIL NOERROR'

finish
