#!/bin/sh
# 26-run-storage-faults.sh - the queue's own storage failing DURING a
# `gateway run` against the REST simulator (issue 18's fault matrix; the
# unit and intake tests cover the same faults outside a run):
#
#   locked    another process holds the database's write lock (BEGIN
#             IMMEDIATE, through Python's sqlite3) for five seconds once
#             the run has sent, with a short [queue] busy_timeout_ms so
#             that the run meets it;
#   diskfull  the queue's folder is a 2 MB tmpfs that a filler file fills
#             once the run has sent, freed five seconds later (mounting
#             needs root; without it the case is reported as not run).
#
# For each, with the twelve plain contracts of lib/dimona-twelve.sh:
#   - the run neither crashes nor stops on the fault (exit 0 or 1), and its
#     log names the cause ("database is locked" / "disk full");
#   - right after the fault (the run stopped by SIGTERM): twelve messages,
#     each final or waiting (pending, ready, sent) with a next attempt;
#   - then `run --until-idle` ends every message as expected, each period
#     in the simulator's ledger once, twelve declarations: nothing lost,
#     nothing duplicated.
#
# Env: TOP, GATEWAY (set by tests/run-all.sh); CASES (optional: "locked").
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
GATEWAY=${GATEWAY:-$TOP/build/gateway}
cd "$TOP" || exit 2
work=$(mktemp -d /tmp/gw-run-storage-XXXXXX)
simpid=""
gwpid=""
holdpid=""
mnt=""
cleanup() {
	[ -n "$holdpid" ] && kill "$holdpid" 2>/dev/null && wait "$holdpid" 2>/dev/null
	[ -n "$gwpid" ] && kill "$gwpid" 2>/dev/null && wait "$gwpid" 2>/dev/null
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
	[ -n "$mnt" ] && umount "$mnt" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT INT TERM
[ -f certs/out/tls/ca.crt.pem ] || sh certs/gen-test-pki.sh >/dev/null
. "$TOP/tests/integration/lib/onss-sim.sh"
. "$TOP/tests/integration/lib/dimona-twelve.sh"
dimona_twelve "$work" || exit 1

pass=0
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# check_waiting DB LABEL: twelve messages, each final or waiting with a
# next attempt (nothing stuck in building or sending after a clean stop).
check_waiting() {
	python3 - "$1" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
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
        errs.append("%s: %s without a next attempt (last error %r)" % (rec, state, why))
for e in errs:
    print("%s: %s" % (sys.argv[2], e))
print("%s: after the fault: %d final, %d waiting with a next attempt"
      % (sys.argv[2], sum(1 for r in rows if r[1] in final), sum(1 for r in rows if r[1] not in final)))
sys.exit(1 if errs else 0)
PY
}

# finish D LABEL DB: the fault gone, the same queue ends as expected;
# twelve declarations in the ledger.
finish() {
	d=$1 label=$2 db=$3
	if timeout 300 "$GATEWAY" --config "$d/gw.conf" --log-level error run --until-idle \
		>"$d/run2.out" 2>"$d/run2.err" || [ $? -eq 1 ]
	then :; else bad "$label: run --until-idle: $(tail -3 "$d/run2.err")"; fi
	kill "$simpid"; wait "$simpid" 2>/dev/null || true; simpid=""
	"$GATEWAY" sim onss --dump-ledger "$d/ledger.jsonl" >"$d/ledger.json"
	if python3 tests/integration/dimona_check.py "$d/ledger.json" "$db" "$label" 0 \
		"$work/expected.tsv" >"$d/check2.out" &&
	   [ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["declarations"]))' \
		"$d/ledger.json")" -eq 12 ]
	then pass=$((pass + 1)); echo "$label: after the fault: every message as expected, 12 declarations"
	else bad "$label after the fault: $(cat "$d/check2.out"); declarations: $(grep -c . "$d/ledger.jsonl")"; fi
}

# run_through D LABEL CAUSE FAULT-START FAULT-END DB: intake, then a run in
# the background with the fault started and ended by the given commands,
# the run stopped (SIGTERM) two seconds after the fault ends; the checks.
run_through() {
	d=$1 label=$2 cause=$3 start=$4 end=$5 db=$6
	"$GATEWAY" --config "$d/gw.conf" --log-level error intake --contracts "$work/contracts.csv" \
		>"$d/intake.out" 2>"$d/intake.err"
	grep -q "12 taken in" "$d/intake.out" || { bad "$label: intake: $(cat "$d/intake.out" "$d/intake.err")"; return 1; }
	"$GATEWAY" --config "$d/gw.conf" --log-level warn run >"$d/run1.out" 2>"$d/run1.err" &
	gwpid=$!
	# The fault starts once the simulator has received a declaration (the
	# run then has answers to poll and store), and lasts five seconds.
	i=0
	until [ -s "$d/ledger.jsonl" ]; do
		i=$((i + 1)); [ $i -lt 400 ] || { bad "$label: nothing was sent"; break; }
		sleep 0.025
	done
	$start
	sleep 5
	$end
	sleep 2
	kill -0 "$gwpid" 2>/dev/null || bad "$label: gateway run ended during the fault: $(tail -3 "$d/run1.err")"
	kill -TERM "$gwpid" 2>/dev/null
	wait "$gwpid"
	rc=$?
	gwpid=""
	[ "$rc" -le 1 ] || bad "$label: gateway run exit $rc: $(tail -3 "$d/run1.err")"
	grep -qi "$cause" "$d/run1.err" && pass=$((pass + 1)) ||
		bad "$label: the run's log does not name the cause ($cause): $(tail -5 "$d/run1.err")"
	if check_waiting "$db" "$label" >"$d/check1.out"; then pass=$((pass + 1)); else bad "$(cat "$d/check1.out")"; fi
	tail -n 1 "$d/check1.out"
	finish "$d" "$label" "$db"
}

# ---- locked: another process holds the write lock mid-run
lock_start() {
	python3 - "$work/locked/queue.db" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[1] + ".held", "w").close()
time.sleep(5)
db.execute("COMMIT")
PY
	holdpid=$!
}
lock_end() { wait "$holdpid"; holdpid=""; }
case_locked() {
	d="$work/locked"
	mkdir -p "$d"
	start_sim "$d" --employer 175110801 --employer 123456749 --process-ms 400
	sed -i 's/^\[queue\]$/[queue]\nbusy_timeout_ms = 100/' "$d/gw.conf"
	run_through "$d" locked "database is locked" lock_start lock_end "$d/queue.db"
	[ -f "$d/queue.db.held" ] || bad "locked: the lock was never taken"
}

# ---- diskfull: the queue's folder fills up mid-run
fill_start() {
	dd if=/dev/zero of="$mnt/filler" bs=64k >/dev/null 2>&1
	df -k "$mnt" | awk 'NR == 2 { print "diskfull: filled, " $4 " kB left" }'
}
fill_end() { rm -f "$mnt/filler"; }
case_diskfull() {
	d="$work/diskfull"
	mkdir -p "$d" "$work/dfq"
	if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=2m tmpfs "$work/dfq" 2>"$work/mount.err"; then
		echo "diskfull: not run: no 2 MB tmpfs can be mounted here ($(cat "$work/mount.err" 2>/dev/null))"
		return 0
	fi
	mnt=$work/dfq
	# Only the queue is on the small filesystem; the simulator's ledger is not.
	start_sim "$d" --employer 175110801 --employer 123456749 --process-ms 400
	# The gateway refuses new work below min_free_mb; 0 here, so that the
	# disk fills in the middle of the run and not at intake.
	sed -i "s#^dsn = .*#dsn = $mnt/queue.db\nmin_free_mb = 0#" "$d/gw.conf"
	run_through "$d" diskfull "disk full" fill_start fill_end "$mnt/queue.db"
	umount "$mnt"; mnt=""
}

for c in ${CASES:-locked diskfull}; do
	"case_$c"
done
echo "run storage faults: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
