# shellcheck shell=bash
# tests/e2e/stop_lib.sh -- how every test stops a server of caalab's own
# (caa-responder, caa-gate) and judges how it went: a signal, a bounded
# wait, then its exit status and its stderr.  Sourced by tests/e2e/lib.sh
# and tests/acme/lib.sh; it defines functions only.
#
# A server that leaks, or trips ASan or UBSan, says so only as it exits:
# LeakSanitizer runs at exit, and its report (like every sanitizer's) goes
# to the server's stderr with a non-zero status.  So a stop is judged on
# both: the status the test expects (0 after SIGTERM or SIGINT) and no
# sanitizer report in the file the server's stderr went to.
#
# The sanitizer options a test runs under are its caller's; only where
# the reports go is set here: to stderr, whatever log_path the caller
# gave, so that they land in the file the test reads.
for _v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	export "$_v=${!_v:+${!_v}:}log_path=stderr"
done
unset _v

# stop_pid PID [SIGNAL]: SIGNAL (default TERM), then KILL after 5 s, and
# wait for it: only that PID, a child of this shell.  Its exit status in
# STOPPED_RC ("" when PID is empty); STOPPED_KILLED=yes when it had to be
# killed, STOPPED_GONE=yes when it had exited before the signal.
stop_pid() {
	local _
	STOPPED_RC="" STOPPED_KILLED="" STOPPED_GONE=""
	[ -n "$1" ] || return 0
	if kill -0 "$1" 2>/dev/null && kill "-${2:-TERM}" "$1" 2>/dev/null; then
		for _ in $(seq 1 50); do
			kill -0 "$1" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$1" 2>/dev/null; then
			STOPPED_KILLED=yes
			kill -KILL "$1" 2>/dev/null
		fi
	else
		STOPPED_GONE=yes
	fi
	wait "$1" 2>/dev/null
	STOPPED_RC=$?
}

# sanitizer_report FILE: the sanitizer reports in FILE (AddressSanitizer,
# LeakSanitizer, UndefinedBehaviorSanitizer: from each report's first
# line on), at most 60 lines; nothing when there is none.
sanitizer_report() {
	[ -r "$1" ] || return 0
	awk '
		/^==[0-9]+==(ERROR|WARNING): [A-Za-z]+Sanitizer/ ||
		/: runtime error: / ||
		/^SUMMARY: [A-Za-z]+Sanitizer/ { on = 1 }
		on && n < 60 { print; n++ }' "$1"
}

# stop_judged PID ERRFILE [STATUS [SIGNAL]]: stop_pid PID SIGNAL, then
# STOP_PROBLEM is "" if it exited with STATUS (default 0) by itself and
# ERRFILE (its stderr) holds no sanitizer report, else what went wrong,
# the report included.  Nothing is judged for an empty PID.
stop_judged() {
	local want=${3:-0} report
	STOP_PROBLEM=""
	stop_pid "$1" "${4:-TERM}"
	[ -n "$1" ] || return 0
	if [ -n "$STOPPED_KILLED" ]; then
		STOP_PROBLEM="it did not exit within 5 s of SIG${4:-TERM} (killed)"
	elif [ "$STOPPED_RC" != "$want" ]; then
		STOP_PROBLEM="exit status $STOPPED_RC"
		[ -n "$STOPPED_GONE" ] && STOP_PROBLEM+=" (it had exited before SIG${4:-TERM})"
	fi
	report=$(sanitizer_report "$2")
	if [ -n "$report" ]; then
		STOP_PROBLEM="${STOP_PROBLEM:+$STOP_PROBLEM; }a sanitizer report in $2:
$report"
	fi
	[ -z "$STOP_PROBLEM" ]
}
