#!/bin/sh
# 25-rest-faults.sh - the fault matrix of the Dimona REST channel, one
# fault at a time (20-dimona-rest.sh mixes them all in one run).
#
# For each fault of `gateway sim onss --fault` (HTTP 429, 500, 503, a
# timeout, a connection dropped after the POST was stored, a reset in the
# middle of an answer's body, a truncated answer, a malformed answer, the
# token service down): twelve plain contracts are
# taken in and `gateway run` works against a simulator that injects that
# fault every time (trunc: 70%, so that a token gets through), until
# stopped by SIGTERM. Then, reading the queue and the simulator's ledger:
#   - nothing lost: twelve messages, each final or waiting (pending, ready,
#     sent) with a next attempt time and the fault in its last error;
#   - nothing duplicated: no declaration received twice by the ONSS.
# The fault is then cleared and `gateway run --until-idle` must end every
# message as fixtures/dimona/expected-500.tsv says, each period in the
# ledger once (tests/integration/dimona_check.py), twelve declarations.
#
# Env: TOP, GATEWAY (set by tests/run-all.sh); FAULTS (optional, see the end).
set -eu
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
GATEWAY=${GATEWAY:-$TOP/build/gateway}
cd "$TOP"
work=$(mktemp -d /tmp/gw-rest-faults-XXXXXX)
simpid=""
gwpid=""
lanepids=""
cleanup() {
	for p in $lanepids; do kill "$p" 2>/dev/null || :; done   # (set -e: a lane already gone)
	for p in $lanepids; do wait "$p" 2>/dev/null || :; done
	[ -n "$gwpid" ] && kill "$gwpid" 2>/dev/null && wait "$gwpid" 2>/dev/null
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
[ -f certs/out/tls/ca.crt.pem ] || sh certs/gen-test-pki.sh >/dev/null
. "$TOP/tests/integration/lib/onss-sim.sh"

. "$TOP/tests/integration/lib/dimona-twelve.sh"
dimona_twelve "$work" || exit 1

pass=0
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# check_waiting DIR FAULT: the invariants while the fault holds.
check_waiting() {
	python3 - "$1/queue.db" "$1/ledger.json" "$2" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
led = json.load(open(sys.argv[2]))
fault = sys.argv[3]
final = {"accepted", "accepted-with-warnings", "refused", "failed", "cancelled"}
waiting = {"pending", "ready", "sent"}
errs = []
rows = db.execute("select record_id, state, attempts, next_attempt_ms, last_error from msgs").fetchall()
if len(rows) != 12:
    errs.append("%d messages, expected 12" % len(rows))
for rec, state, attempts, nxt, why in rows:
    if state in final:
        continue
    if state not in waiting:
        errs.append("%s: state %s after a clean stop" % (rec, state))
    elif nxt <= 0:
        errs.append("%s: %s without a next attempt (attempts %d, last error %r)"
                    % (rec, state, attempts, why))
waited = sum(1 for r in rows if r[1] not in final)
# The fault was met (with p = 1 nothing can end before it is cleared).
if led["stats"]["faults_injected"] == 0:
    errs.append("no fault injected")
if fault != "trunc" and waited == 0:
    errs.append("every message final although the fault never stops")
# One message is one declaration: more than twelve received means one was
# sent again although the ONSS had it (a lookup missed or skipped).
if len(led["declarations"]) > 12:
    errs.append("%d declarations received for 12 messages" % len(led["declarations"]))
for e in errs:
    print("%s: %s" % (fault, e))
print("%s: while failing (%d faults injected): %d waiting with a next attempt, %d final, "
      "%d declarations received" % (fault, led["stats"]["faults_injected"], waited,
                                    len(rows) - waited, len(led["declarations"])))
sys.exit(1 if errs else 0)
PY
}

# met_fault DB N: waits (polling every 0.1 s, up to 60 s) until each of the
# twelve messages is final or has been tried N times and holds the error it met.
met_fault() {
	python3 - "$1" "$2" <<'PY'
import sqlite3, sys, time
final = ("accepted", "accepted-with-warnings", "refused", "failed", "cancelled")
for _ in range(600):
    try:
        db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=1)
        n = db.execute("select count(*) from msgs where state in (%s) or (attempts >= ? and last_error != '')"
                       % ",".join("?" * len(final)), final + (int(sys.argv[2]),)).fetchone()[0]
        db.close()
        if n == 12:
            sys.exit(0)
    except sqlite3.Error:
        pass  # not created yet, or busy: look again
    time.sleep(0.1)
sys.exit(1)
PY
}

# one FAULT PROB [SIM-ARGS...]
one() {
	fault=$1 prob=$2
	shift 2
	d="$work/$fault"
	mkdir -p "$d"
	start_sim "$d" --employer 175110801 --employer 123456749 --fault "$fault:$prob" "$@"
	echo "timeout_ms = 800" >>"$d/gw.conf"
	# A slow simulator holds each of its 8 threads for --slow-ms, so a POST
	# the gateway gave up on can land seconds later, behind the others: the
	# runner must give it that long before it trusts a lookup that finds
	# nothing ([queue] settle_ms; 3 s for the other faults, lib/onss-sim.sh).
	# The twelve POSTs, each sent once before the run is stopped, have all
	# landed 2 x 1.5 s after the last one; 8 s leaves a loaded machine room.
	# Too short a settle re-sends one the ONSS has: a 13th declaration, which
	# the check after clearing refuses.
	settle=""
	[ "$fault" != slow ] || settle="--set queue.settle_ms=8000"
	"$GATEWAY" --config "$d/gw.conf" --log-level error intake --contracts "$work/contracts.csv" >"$d/intake.out"
	grep -q "12 taken in" "$d/intake.out" || { bad "$fault: intake: $(cat "$d/intake.out")"; return; }
	"$GATEWAY" --config "$d/gw.conf" $settle --log-level warn run >"$d/run1.out" 2>"$d/run1.err" &
	gwpid=$!
	# Until every message has met the fault (a fixed 4 s sleep did that
	# before, in 36 s of the matrix, and less surely on a loaded machine):
	# twice where a retry follows the back-off (200 ms), once where the next
	# attempt is a lookup held back by settle_ms; the run is stopped, not timed.
	tries=1
	case $fault in 429 | 500 | 503 | tokendown) tries=2 ;; esac
	met_fault "$d/queue.db" "$tries" || bad "$fault: not every message met the fault $tries time(s) within 60 s"
	kill -TERM "$gwpid"
	wait "$gwpid" || bad "$fault: gateway run exit $? on SIGTERM: $(tail -3 "$d/run1.err")"
	gwpid=""
	curl -s --cacert certs/out/tls/ca.crt.pem "https://localhost:$port/sim/ledger" >"$d/ledger.json"
	if check_waiting "$d" "$fault" >"$d/check1.out"; then pass=$((pass + 1)); else bad "$(cat "$d/check1.out")"; fi
	tail -n 1 "$d/check1.out"
	# Clear the fault; the same queue must now end as expected.
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert certs/out/tls/ca.crt.pem \
		-X POST --data-binary '' "https://localhost:$port/sim/faults")
	[ "$code" = 204 ] || bad "$fault: clearing the faults: HTTP $code"
	if timeout 300 "$GATEWAY" --config "$d/gw.conf" $settle --log-level error run --until-idle >"$d/run2.out" 2>"$d/run2.err" ||
		[ $? -eq 1 ]   # exit 1: something was refused or failed
	then :; else bad "$fault: run --until-idle: $(tail -3 "$d/run2.err")"; fi
	kill "$simpid"; wait "$simpid" 2>/dev/null || true; simpid=""
	"$GATEWAY" sim onss --dump-ledger "$d/ledger.jsonl" >"$d/ledger.json"
	if python3 tests/integration/dimona_check.py "$d/ledger.json" "$d/queue.db" "$fault" 1 \
		"$work/expected.tsv" >"$d/check2.out" &&
	   [ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["declarations"]))' \
		"$d/ledger.json")" -eq 12 ]
	then pass=$((pass + 1))
	else bad "$fault after clearing: $(cat "$d/check2.out"); declarations: $(grep -c . "$d/ledger.jsonl")"; fi
}

# one_case FAULT: its case, its output in $work/FAULT.log and its
# figures ("passed failed") in $work/FAULT.score.
one_case() {
	pass=0 fail=0
	case $1 in
	slow) one slow 1 --slow-ms 1500 ;;
	trunc) one trunc 0.7 ;;
	*) one "$1" 1 ;;
	esac >"$work/$1.log" 2>&1
	stop_case
	echo "$pass $fail" >"$work/$1.score"
}
# The servers a case left running when it stopped half way.
stop_case() {
	[ -n "$gwpid" ] && kill "$gwpid" 2>/dev/null && wait "$gwpid" 2>/dev/null
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
	gwpid="" simpid=""
}

# The cases are independent (each its own simulator, queue and port) and
# mostly wait (poll delays, back-offs, settle_ms): they run in LANES (3)
# subshells at once, each taking every third case in turn, and are reported
# in the matrix's order. One after the other they took 42 s.
# FAULTS (env) narrows the matrix to some faults, e.g. FAULTS="drop reset".
matrix=${FAULTS:-429 500 503 slow drop reset trunc malformed tokendown}
lanes=${LANES:-3}
lanepids=""
l=0
while [ "$l" -lt "$lanes" ]; do
	(
		# A lane's own servers, stopped however it ends.
		trap stop_case EXIT
		trap 'exit 1' INT TERM
		# (its own counter: start_sim's loop uses i)
		nth=0
		for f in $matrix; do
			[ $((nth % lanes)) -eq "$l" ] && one_case "$f"
			nth=$((nth + 1))
		done
	) &
	lanepids="$lanepids $!"
	l=$((l + 1))
done
for p in $lanepids; do wait "$p" || :; done   # a lane that stopped early: its cases have no score
lanepids=""
pass=0 fail=0
for f in $matrix; do
	cat "$work/$f.log" 2>/dev/null
	if [ -f "$work/$f.score" ] && read -r p1 f1 <"$work/$f.score"; then
		pass=$((pass + p1)); fail=$((fail + f1))
	else
		bad "$f: the case did not finish (its simulator did not start?)"
	fi
done

echo "REST fault matrix: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
