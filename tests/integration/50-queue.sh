#!/bin/sh
# 50-queue.sh - the queue from the command line: durable intake, replays,
# follow-ups per revision, operator commands refused or done by the state
# machine, disk-nearly-full refusal, and a run against the REST simulator
# that ends with answers, anomalies and a requeue of what failed.
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}"
cd "$TOP"
w=$(mktemp -d "${TMPDIR:-/tmp}/gw50.XXXXXX")
simpid=""
cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null || true
	[ -n "$simpid" ] && wait "$simpid" 2>/dev/null || true
	rm -rf "$w"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
gw() { "$GATEWAY" --set "queue.dsn=$w/q.db" "$@"; }
count() { # STATE: total count of that state
	gw status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"][sys.argv[1]])' "$1"
}
states_of() { # RECORD: "kind state" per message, one a line
	gw show "$1" | awk '/^kind:/ { k = $2 } /^state:/ { print k, $2 }'
}
# until_true TRIES COMMAND...: poll every 0.1 s until COMMAND succeeds (the
# bound is a failure guard, not a timing assertion).
until_true() {
	t=$1; shift
	while ! "$@"; do
		t=$((t - 1)); [ "$t" -gt 0 ] || return 1
		sleep 0.1
	done
}
expired() { # RECORD SINCE: its expiry has passed. SINCE is a real time taken
	# after the intake: whatever clock the queue stamps with runs at real
	# speed, so expiry minus creation, elapsed since SINCE, is enough.
	python3 - "$w/q.db" "$1" "$2" <<'PY'
import sqlite3, sys, time
(c, e) = sqlite3.connect(sys.argv[1]).execute(
    "select created_ms, expires_ms from msgs where record_id = ?", (sys.argv[2],)).fetchone()
sys.exit(0 if e > 0 and (time.time() - float(sys.argv[3])) * 1000 > e - c else 1)
PY
}
run_locked() { ! flock -n "$w/q.db.run.w1.lock" true; }
sample=fixtures/contracts/sample.jsonl
n=$(grep -c contract_id "$sample")

# Intake: everything taken in once but the construction worker
# J-2026-120901, whose IN the Dimona rules refuse (joint committee 124
# needs construction cards): rejected at intake, naming the record and the
# field (exit 1), never queued. The same file again changes nothing.
rc=0; gw intake --contracts "$sample" > "$w/i1" 2> "$w/rj1" || rc=$?
[ "$rc" -eq 1 ] || fail "intake exit $rc, want 1"
grep -q "$n read, 1 rejected" "$w/i1" || fail "first intake: $(cat "$w/i1")"
grep -q "record J-2026-120901: field ConstructionControlCards: .*construction_cards_required 00663-001" \
	"$w/rj1" || fail "J-2026-120901 not refused by the rules at intake: $(cat "$w/rj1")"
[ "$(grep -c . "$w/rj1")" -eq 1 ] || fail "other rejections: $(cat "$w/rj1")"
first=$(count pending)
[ "$first" -ge 1 ] || fail "nothing pending after intake"
rc=0; gw intake --contracts "$sample" > "$w/i2" 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "second intake exit $rc, want 1"
grep -q " 0 taken in (0 messages)" "$w/i2" || fail "replay queued something: $(cat "$w/i2")"
[ "$(count pending)" -eq "$first" ] || fail "replay changed the queue"
# The rejection is kept with the record, not only on stderr: show says why,
# list --state rejected lists it, its --json is the file to give back (file,
# line, field, reason), and the API's refusals would include it.
gw show J-2026-120901 > "$w/show0" 2>&1 || fail "show of the rejected record: $(cat "$w/show0")"
grep -q "^rejected at intake: $sample:[0-9]*: field ConstructionControlCards: .*00663-001" "$w/show0" ||
	fail "show does not say why J-2026-120901 was rejected: $(cat "$w/show0")"
gw list --state rejected > "$w/lr"
grep -q "^rejected  J-2026-120901  $sample:[0-9]*  field ConstructionControlCards" "$w/lr" ||
	fail "list --state rejected: $(cat "$w/lr")"
gw list --state rejected --json | python3 -c '
import json, sys
rows = json.load(sys.stdin)
ids = sorted({r["record"] for r in rows})
assert ids == ["J-2026-120901"], ids
assert all(r["field"] == "ConstructionControlCards" and "00663-001" in r["reason"] and r["file"] == sys.argv[1]
           for r in rows), rows
' "$sample" || fail "list --state rejected --json"

# A new revision cancels: a CANCEL waiting on the IN, never a second IN.
line=$(grep '"J-2026-120302"' "$sample" | head -n 1)
echo "$line" | sed 's/"revision": "1"/"revision": "2"/; s/"status": "active"/"status": "cancelled"/' > "$w/r2.jsonl"
gw intake --contracts "$w/r2.jsonl" > /dev/null || fail "revision 2 intake"
gw show J-2026-120302 > "$w/show"
grep -q "kind:          dimona-cancel" "$w/show" || fail "no cancel: $(cat "$w/show")"
[ "$(grep -c 'kind:          dimona-in' "$w/show")" -eq 1 ] || fail "a second IN was queued"
in_id=$(awk '/^id:/ { id = $2 } /kind: +dimona-in/ { print id }' "$w/show")
grep -q "depends on:    $in_id" "$w/show" || fail "cancel does not wait on the IN"
# The old revision replayed after the new one: nothing happens.
echo "$line" > "$w/r1.jsonl"
gw intake --contracts "$w/r1.jsonl" > "$w/i3" || fail "replay of revision 1"
grep -q "1 replayed" "$w/i3" || fail "old revision not recognised: $(cat "$w/i3")"
# Same revision, other content: rejected with record and field named.
sed 's/"gross_wage_cents": "[0-9]*"/"gross_wage_cents": "1"/' "$w/r2.jsonl" > "$w/r1b.jsonl"
if gw intake --contracts "$w/r1b.jsonl" > /dev/null 2> "$w/e1"; then fail "conflicting revision accepted"; fi
grep -q "J-2026-120302.*revision" "$w/e1" || fail "conflict not explained: $(cat "$w/e1")"

# Operator commands go through the state machine.
gw hold --reason "checking the worker" "$in_id" > /dev/null || fail "hold"
[ "$(count held)" -eq 1 ] || fail "not held"
if gw hold "$in_id" 2> "$w/e2"; then fail "hold of a held message accepted"; fi
grep -q "not allowed in state held" "$w/e2" || fail "refusal not explained: $(cat "$w/e2")"
gw release "$in_id" > /dev/null || fail "release"
gw show "$in_id" > "$w/s2"
grep -q "operator:.*pending -> held: hold by operator: checking the worker" "$w/s2" ||
	fail "hold not in history: $(cat "$w/s2")"
grep -q "held -> pending" "$w/s2" || fail "release not in history"
# A record id names its newest revision's message: here the CANCEL of
# revision 2, not the IN of revision 1.
cancel_id=$(awk '/^id:/ { id = $2 } /kind: +dimona-cancel/ { print id }' "$w/show")
gw hold J-2026-120302 > "$w/h3" || fail "hold by record id"
grep -q "^$cancel_id hold: pending -> held" "$w/h3" || fail "hold by record id took another message: $(cat "$w/h3")"
gw release J-2026-120302 > /dev/null || fail "release by record id"
if gw hold no-such-record 2> "$w/e5"; then fail "hold of an unknown record accepted"; fi
grep -q "no such message or record" "$w/e5" || fail "unknown record not explained: $(cat "$w/e5")"
if gw show no-such-id 2>/dev/null; then fail "show of a missing id succeeded"; fi
if gw requeue --state pending --since 1d 2>/dev/null; then fail "requeue of pending accepted"; fi
if gw requeue --state failed --since yesterday 2>/dev/null; then fail "bad --since accepted"; fi

# Disk nearly full: intake refused with a temporary error, nothing written.
before=$(count pending)
echo "$line" | sed 's/J-2026-120302/J-DISKFULL-1/' > "$w/d.jsonl"
if "$GATEWAY" --set "queue.dsn=$w/q.db" --set queue.min_free_mb=999999999999 \
	intake --contracts "$w/d.jsonl" > /dev/null 2> "$w/e3"; then fail "intake on a full disk"; fi
grep -q "disk nearly full" "$w/e3" || fail "full disk not explained: $(cat "$w/e3")"
[ "$(count pending)" -eq "$before" ] || fail "a refused intake wrote rows"

# A run against the simulator: answers with their anomalies; what expired
# is failed, then requeued by the operator. The pinned clock (tests/lib/
# clock.sh) is before every contract of the sample, so no answer depends on
# the day the test runs (no late-declaration warning).
[ -f certs/out/tls/ca.crt.pem ] || sh certs/gen-test-pki.sh > /dev/null
"$GATEWAY" sim onss --ledger "$w/ledger.jsonl" --port-file "$w/port" --process-ms 20 \
	> "$w/sim.out" 2> "$w/sim.err" &
simpid=$!
i=0
while [ ! -s "$w/port" ]; do
	i=$((i + 1)); [ "$i" -lt 100 ] || fail "simulator did not start"; sleep 0.1
done
port=$(cat "$w/port")
cat > "$w/gw.conf" <<EOF
[queue]
dsn = $w/q.db
[dimona]
base_url = https://localhost:$port/REST/dimona/v2
token_url = https://localhost:$port/REST/oauth/v5/token
ca_file = $TOP/certs/out/tls/ca.crt.pem
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
[run]
idle_horizon_ms = 5000
EOF
# One message that cannot be sent before it expires.
echo "$line" | sed 's/J-2026-120302/J-EXPIRED-1/' > "$w/x.jsonl"
"$GATEWAY" --config "$w/gw.conf" --set queue.expiry_s=1 intake --contracts "$w/x.jsonl" > /dev/null
since=$(python3 -c 'import time; print(time.time())')
until_true 100 expired J-EXPIRED-1 "$since" || fail "J-EXPIRED-1 never reached its expiry"
# Exit 1: one refusal and two failures are something for the operator.
rc=0
"$GATEWAY" --config "$w/gw.conf" run --until-idle > "$w/run.out" 2> "$w/run.err" || rc=$?
[ "$rc" -eq 1 ] || fail "run exit $rc, want 1 (refused and failed messages): $(tail -5 "$w/run.err")"
grep -q "^run: " "$w/run.out" || fail "no run summary"
# Exact outcome of the sample (fixtures/contracts/sample.jsonl, 20 records
# and the two cancels): 17 INs and 2 cancels accepted without warning, the
# overlapping J-2026-122701 refused (90373-334), J-EXPIRED-1 failed by
# expiry; the construction worker J-2026-120901 never reached the queue.
acc=$(count accepted)
got="$acc $(count accepted-with-warnings) $(count refused) $(count failed) $(count pending)"
[ "$got" = "19 0 1 1 0" ] ||
	fail "accepted, with warnings, refused, failed, pending: $got, want 19 0 1 1 0: $(cat "$w/run.out")"
[ "$(states_of J-2026-122701)" = "dimona-in refused" ] || fail "J-2026-122701: $(states_of J-2026-122701)"
gw show J-2026-122701 | grep -q "90373-334" || fail "J-2026-122701 refused for another reason"
[ -z "$(states_of J-2026-120901 2>/dev/null)" ] || fail "J-2026-120901 queued: $(states_of J-2026-120901)"
# The cancel followed its IN with the IN's period id.
gw show J-2026-120302 > "$w/s3"
[ "$(states_of J-2026-120302 | sort | tr '\n' ' ')" = "dimona-cancel accepted dimona-in accepted " ] ||
	fail "J-2026-120302: $(cat "$w/s3")"
awk '/kind: +dimona-cancel/ { c = 1 } c && /^period id:/ { print; exit }' "$w/s3" | grep -q "[0-9]" ||
	fail "cancel without the period id"
# Every queued record's reference is in the simulator's ledger.
"$GATEWAY" sim onss --dump-ledger "$w/ledger.jsonl" > "$w/ledger.json"
ref=$(awk '/kind: +dimona-in/ { i = 1 } i && /^declaration:/ { print $2; exit }' "$w/s3")
grep -q "\"id\": \"$ref\"" "$w/ledger.json" || fail "IN reference $ref not in the ledger"
gw show J-EXPIRED-1 | grep -q "state:         failed" || fail "expired message not failed"
gw show J-EXPIRED-1 | grep -q "expired" || fail "expiry not in history"
# (Records the Dimona rules refuse never reach the queue: intake rejects
# them.)
# What needs the operator: the refusal and the failure, each anomaly
# code in words from the official glossary (Dutch by default, French on
# request), and what to do next.
gw list > "$w/list" || fail "list exit $?"
grep -q "^refused .* record J-2026-122701 rev 1 .*90373-334" "$w/list" || fail "refusal not listed: $(cat "$w/list")"
grep -q "^ *90373-334: Overlappende Dimonaperiode (blokkerend; Dimona IN aangifte)" "$w/list" ||
	fail "refusal not in words: $(cat "$w/list")"
[ "$(grep -c '^failed ' "$w/list")" -eq 1 ] || fail "failure not listed: $(cat "$w/list")"
grep -q "^2 messages listed" "$w/list" || fail "list count: $(cat "$w/list")"
gw --set operator.language=fr list --state refused > "$w/list-fr" || fail "list fr"
grep -q "90373-334: En chevauchement - Overlappende Dimonaperiode (nl) (bloquant" "$w/list-fr" ||
	fail "no French words: $(cat "$w/list-fr")"
gw list --state refused --json | python3 -c '
import json, sys
l = json.load(sys.stdin)
assert [m["record"] for m in l] == ["J-2026-122701"], l
assert l[0]["anomalies"][0]["code"] == "90373-334", l
assert l[0]["anomalies"][0]["words"].startswith("Overlappende Dimonaperiode"), l' || fail "list --json"
[ "$(gw list --state accepted --employer 000000000 | tail -n 1)" = "0 messages listed" ] ||
	fail "--employer kept another employer's messages"
if gw list --state nonsense 2>/dev/null; then fail "a bad --state was accepted"; fi
gw show J-2026-122701 > "$w/show-r"
grep -q "^refused for: .*90373-334" "$w/show-r" || fail "show: no refusal line: $(cat "$w/show-r")"
grep -q "^next step: .*new revision" "$w/show-r" || fail "show: no next step: $(cat "$w/show-r")"
grep -q "^expires:" "$w/show-r" && fail "show: a final message with an expiry"
grep -q "^period id:" "$w/s3" || fail "show: the Dimona period id is not named: $(cat "$w/s3")"
# The status rows add up to the total, column by column.
gw status | awk '
/^(dimona-rest|onss-batch|peppol-as4|other) / { for (i = 2; i <= NF; i++) sum[i] += $i }
/^total / { for (i = 2; i <= NF; i++) if (sum[i] != $i) { print "column " i ": " sum[i] " != " $i; bad = 1 } }
END { exit bad }' || fail "status rows do not add up"
nf=$(count failed)
gw requeue --state failed --since 1h --dry-run > "$w/rq0" || fail "requeue --dry-run"
[ "$(count failed)" -eq "$nf" ] || fail "a dry run requeued"
gw requeue --state failed --since 1h > "$w/rq" || fail "requeue"
grep -q "^$nf requeued of $nf failed" "$w/rq" || fail "requeue: $(cat "$w/rq")"
[ "$(count failed)" -eq 0 ] || fail "failed left after requeue"
gw show J-EXPIRED-1 | grep -q "state:         pending" || fail "requeued message not pending"
# SIGTERM: the runner finishes its step and exits; a second runner under
# the same worker name is refused while the first holds it (its start-up
# recovery would take the first one's leases as its own previous life's);
# under another name it runs beside it (the leases keep them apart).
"$GATEWAY" --config "$w/gw.conf" run --worker w1 > "$w/run2.out" 2> "$w/run2.err" &
runpid=$!
until_true 100 run_locked || fail "the first runner never took the queue: $(cat "$w/run2.err")"
if "$GATEWAY" --config "$w/gw.conf" run --once --worker w1 2> "$w/e4"; then
	fail "a second runner started as w1"
fi
grep -q "another gateway run is serving this queue as worker w1" "$w/e4" ||
	fail "second runner not explained: $(cat "$w/e4")"
rc=0; "$GATEWAY" --config "$w/gw.conf" run --once --worker w2 > /dev/null 2> "$w/e5" || rc=$?
[ "$rc" -le 1 ] || fail "a second worker w2 was refused (exit $rc): $(cat "$w/e5")"
kill -TERM "$runpid"
# (exit 1, not 0: the requeued construction record fails its rules again.)
rc=0
wait "$runpid" || rc=$?
[ "$rc" -le 1 ] || fail "run exit $rc on SIGTERM: $(tail -3 "$w/run2.err")"
grep -q "stopped by signal" "$w/run2.out" || fail "no clean stop: $(cat "$w/run2.out")"
# The ONSS unreachable: --until-idle would wait out the back-off; --max-time
# ends it, at the end of a step, with exit 1 (work is left). The bound of
# timeout is a failure guard, not a timing assertion.
kill "$simpid"; wait "$simpid" 2>/dev/null || true; simpid=""
echo "$line" | sed 's/J-2026-120302/J-UNREACHABLE-1/' > "$w/u.jsonl"
gw intake --contracts "$w/u.jsonl" > /dev/null || fail "intake J-UNREACHABLE-1"
rc=0
timeout 120 "$GATEWAY" --config "$w/gw.conf" run --until-idle --max-time 3s > "$w/run3.out" 2> "$w/run3.err" || rc=$?
[ "$rc" -eq 1 ] || fail "run --max-time: exit $rc, want 1: $(tail -3 "$w/run3.err")"
grep -q "stopped: --max-time reached" "$w/run3.out" || fail "run --max-time: $(cat "$w/run3.out")"
case $(states_of J-UNREACHABLE-1) in   # built or not, waiting for its next attempt
"dimona-in pending" | "dimona-in ready") ;;
*) fail "J-UNREACHABLE-1: $(states_of J-UNREACHABLE-1)" ;;
esac
if gw run --max-time soon 2> "$w/e6"; then fail "a bad --max-time was accepted"; fi
grep -q "takes a duration" "$w/e6" || fail "bad --max-time not explained: $(cat "$w/e6")"
gw status --check > "$w/st" || fail "integrity: $(cat "$w/st")"
grep -q "integrity: ok" "$w/st" || fail "no integrity line"
# status --json is JSON whatever the dsn holds: a queue in a folder whose
# name has a quote and a backslash comes back as that very path.
odd="$w/a\"b\\c"
mkdir -p "$odd"
"$GATEWAY" --set "queue.dsn=$odd/q.db" intake --contracts "$w/r1.jsonl" > /dev/null ||
	fail "intake into $odd"
"$GATEWAY" --set "queue.dsn=$odd/q.db" status --json --check > "$w/odd.json" ||
	fail "status --json on $odd: $(cat "$w/odd.json")"
python3 - "$w/odd.json" "$odd/q.db" <<'PY' || fail "status --json with a quote and a backslash in the dsn: $(cat "$w/odd.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["queue"] == sys.argv[2], (j["queue"], sys.argv[2])
assert j["integrity"] == "ok" and j["total"]["pending"] == 1, j
PY
echo "queue: $n records, replay and old revision no-ops, cancel after IN, operator actions," \
	"full-disk refusal, $acc accepted through the simulator, expiry and requeue: ok"
