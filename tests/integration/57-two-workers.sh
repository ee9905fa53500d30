#!/bin/sh
# 57-two-workers.sh - two `gateway run` processes on one SQLite queue
# against the REST simulator. Worker A is SIGKILLed while it has sends in
# flight (the simulator answers slowly, so they stay in flight); worker B,
# running beside it, leaves A's live leases alone and takes them over once
# they have expired: every record is declared exactly once (the simulator's
# ledger), every message accepted, and no takeover happened before the
# lease it ended had expired (read from the queue's history, not from a
# stopwatch). `gateway status` shows A's leases after the kill.
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}"
cd "$TOP"
G=$GATEWAY
. tests/lib/onss-sim.sh
N=40
w=$(mktemp -d "${TMPDIR:-/tmp}/gw57.XXXXXX")
apid="" bpid=""
cleanup() {
	[ -n "$apid" ] && kill -9 "$apid" 2>/dev/null || true
	[ -n "$bpid" ] && kill -9 "$bpid" 2>/dev/null || true
	onss_sim_stop
	rm -rf "$w"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; [ -f "$w/b.err" ] && tail -5 "$w/b.err"; exit 1; }
# until_true TRIES COMMAND...: poll every 0.1 s (the bound is a failure
# guard, not a timing assertion).
until_true() {
	t=$1; shift
	while ! "$@"; do
		t=$((t - 1)); [ "$t" -gt 0 ] || return 1
		sleep 0.1
	done
}
faults() { # KIND:P,... or "" to clear
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert certs/out/tls/ca.crt.pem \
		-X POST --data-binary "$1" "https://localhost:$SIM_PORT/sim/faults")
	[ "$code" = 204 ] || fail "simulator faults '$1': HTTP $code"
}
[ -f certs/out/tls/ca.crt.pem ] || sh certs/gen-test-pki.sh >/dev/null

sh tests/crash/gen-contracts.sh "$N" 57 "$w/contracts.jsonl"
sed -n 's/.*"worker_inss":"\([0-9]*\)".*/\1/p' "$w/contracts.jsonl" | sort > "$w/workers"
# A sends its batch ([run] send_batch) at once: the batch is in flight for
# one slow answer, the window in which A is killed; the lease outlasts it,
# so that B takes nothing over while A is alive; it also outlasts the
# longest step, a send and its time-out (timeout_ms 5 s, tests/lib/onss-sim.sh).
# A POST of A's lands when the simulator answers it, 3 s after it left: B's
# look-up waits settle_ms (7 s here, the default's minute is for real
# networks) before it sends a message again that the look-up did not find.
# (6 s of slowness, a 10 s lease and 12 s of settling made the same case
# wait twice as long.)
onss_sim_start "$w" --slow-ms 3000 || fail "simulator"
{ printf '[queue]\ndsn = %s/q.db\nlease_ms = 6000\nsettle_ms = 7000\n' "$w"; onss_sim_conf; } > "$w/gw.conf"
gw() { "$G" --config "$w/gw.conf" "$@"; }
gw intake --contracts "$w/contracts.jsonl" > /dev/null || fail "intake"

# Every answer slow: what A sends stays in flight long enough to kill it there.
faults "slow:1"
"$G" --config "$w/gw.conf" run --worker A > "$w/a.out" 2> "$w/a.err" &
apid=$!
a_sending() {
	gw status --json | python3 -c 'import json,sys
l = [x for x in json.load(sys.stdin)["leases"] if x["owner"] == "A" and x["sending"] > 0]
sys.exit(0 if l else 1)'
}
until_true 300 a_sending || fail "worker A never had a send in flight: $(tail -3 "$w/a.err")"
"$G" --config "$w/gw.conf" run --until-idle --worker B > "$w/b.out" 2> "$w/b.err" &
bpid=$!
until_true 100 test -s "$w/b.err" || fail "worker B did not start"
kill -9 "$apid"; wait "$apid" 2>/dev/null || true; apid=""
faults ""
# A's leases as they were left: nobody renews them now.
gw status > "$w/status"
grep -q "^  worker A  .* sending" "$w/status" || fail "status shows no lease of A: $(cat "$w/status")"
a_until=$(gw status --json | python3 -c 'import json,sys
l = [x["earliest_expiry_ms"] for x in json.load(sys.stdin)["leases"] if x["owner"] == "A"]
print(min(l) if l else 0)')
[ "$a_until" -gt 0 ] || fail "A's leases were gone right after the kill (taken over while alive?)"

rc=0
wait "$bpid" || rc=$?
bpid=""
[ "$rc" -eq 0 ] || fail "worker B: exit $rc"
onss_sim_stop

# The ledger: each record declared once.
read -r once missing dup extra <<EOF
$(onss_sim_verdict "$w" "$w/workers")
EOF
[ "$once" -eq "$N" ] && [ "$missing" -eq 0 ] && [ "$dup" -eq 0 ] && [ "$extra" -eq 0 ] ||
	fail "ledger: once=$once missing=$missing duplicates=$dup unknown=$extra of $N"
acc=$(gw status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["accepted"])')
[ "$acc" -eq "$N" ] || fail "$acc of $N accepted"
# The takeover: B took A's work, and never before A's lease had expired.
python3 - "$w/q.db" "$a_until" <<'PY' || fail "takeover history"
import sqlite3, sys
db, a_until = sqlite3.connect(sys.argv[1]), int(sys.argv[2])
rows = db.execute("select msg_id, at_ms, why from events where actor = 'recovery'"
                  " and why like '%lease of A%'").fetchall()
if not rows:
    sys.exit("no takeover of A's leases in the history")
early = [r for r in rows if r[1] < a_until]
if early:
    sys.exit("taken over before A's lease expired: %r" % (early[:3],))
if not all("expired" in r[2] for r in rows):
    sys.exit("a takeover of A not for an expired lease: %r" % (rows[:3],))
PY
gw status | grep -q "^leases: 0 worker(s)" || fail "leases left: $(gw status)"
echo "two workers: A killed with sends in flight, B took them over after the lease: $N declared once, $acc accepted: ok"
