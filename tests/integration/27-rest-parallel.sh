#!/bin/sh
# 27-rest-parallel.sh - several Dimona declarations in flight at once, and
# per-record order with them. The 533-record fixture through `gateway run
# --until-idle` with [run] send_batch = 4 against `gateway sim onss --hold
# 4`: each declaration POST waits (250 ms at most) until four are being served
# together, until four have been once, and the simulator counts the most it
# served at once (GET /sim/stats). Checks:
#   - four POSTs were in flight together (a runner that sends one at a time
#     never gets above one);
#   - every outcome as fixtures/dimona/expected-500.tsv says, the ledger
#     without loss or duplicate (dimona_check.py, as 20-dimona-rest.sh);
#   - order per record, from the queue's event log: no message that depends
#     on another went into sending before that one's answer was recorded;
#     and from the simulator's ledger: every UPDATE, OUT or CANCEL was
#     received after the IN that made its period.
#
# Env: TOP, GATEWAY, BUILD (set by tests/run-all.sh).
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
GATEWAY=${GATEWAY:-$TOP/build/gateway}
cd "$TOP"
. "$TOP/tests/integration/lib/onss-sim.sh"
sim_workdir rest-parallel

fixture=fixtures/dimona/contracts-500.csv
expected=fixtures/dimona/expected-500.tsv

d=$work/run
mkdir -p "$d"
start_sim "$d" --employer 175110801 --employer 123456749 --hold 4
cat >>"$d/gw.conf" <<CONF
[run]
send_batch = 4
CONF
"$GATEWAY" --config "$d/gw.conf" --log-level error intake --contracts "$fixture" >"$d/intake.out"
grep -q "533 taken in" "$d/intake.out" || { cat "$d/intake.out"; exit 1; }
timeout 900 "$GATEWAY" --config "$d/gw.conf" --log-level error run --until-idle >"$d/run.out" 2>"$d/run.err" ||
	[ $? -eq 1 ] || { echo "gateway run failed"; tail -5 "$d/run.err"; exit 1; }
tail -n 1 "$d/run.out"
curl -s --cacert certs/out/tls/ca.crt.pem "https://localhost:$port/sim/stats" >"$d/stats.json"
kill "$simpid"; wait "$simpid" 2>/dev/null || true; simpid=""
"$GATEWAY" sim onss --dump-ledger "$d/ledger.jsonl" >"$d/ledger.json"

fail=0
most=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["declarations_in_flight_max"])' "$d/stats.json")
if [ "$most" -ge 4 ]; then
	echo "parallel: $most declaration POSTs in flight at once"
else
	echo "FAIL parallel: at most $most declaration POST(s) in flight at once, 4 expected"
	fail=1
fi
python3 tests/integration/dimona_check.py "$d/ledger.json" "$d/queue.db" parallel 0 "$expected" || fail=1
python3 - "$d/queue.db" "$d/ledger.json" <<'PY' || fail=1
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
answers = ("accepted", "accepted-with-warnings", "refused", "failed", "cancelled")
pairs = bad = 0
for mid, dep in db.execute("select id, depends_on from msgs where depends_on != ''"):
    sent = db.execute("select min(seq) from events where msg_id = ? and to_state = 'sending'",
                      (mid,)).fetchone()[0]
    if sent is None:
        continue                     # never sent (its IN refused: cancelled or failed)
    pairs += 1
    ans = db.execute("select min(seq) from events where msg_id = ? and to_state in (%s)"
                     % ",".join("?" * len(answers)), (dep,) + answers).fetchone()[0]
    if ans is None or ans > sent:
        bad += 1
        print("FAIL order: %s went into sending (event %s) before %s was answered (%s)"
              % (mid, sent, dep, ans))
led = json.load(open(sys.argv[2]))
made = {}
follow = lbad = 0
for i, decl in enumerate(led["declarations"]):
    if decl["action"] == "IN" and decl.get("period"):
        made.setdefault(decl["period"], i)
    elif decl["action"] != "IN" and decl.get("target_period"):
        follow += 1
        if made.get(decl["target_period"], len(led["declarations"])) > i:
            lbad += 1
            print("FAIL order: ledger declaration %s (%s) received before the IN of period %s"
                  % (decl["id"], decl["action"], decl["target_period"]))
print("order: %d follow-up(s) sent after their dependency's answer, %d out of order;"
      " ledger: %d follow-up(s) after their IN, %d before" % (pairs - bad, bad, follow - lbad, lbad))
sys.exit(1 if bad or lbad or pairs == 0 or follow == 0 else 0)
PY
exit $fail
