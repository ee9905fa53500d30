#!/bin/sh
# 21-dimona-ext-run.sh - the Horeca occasional-worker rule across intakes,
# against `gateway sim onss` (which runs the ONSS rules with its ledger:
# 00910-459 on a third EXT day, overlap, cancelled periods).
#
# Days 1 and 2 of an EXT worker are taken in and declared (accepted as two
# EXT periods); day 3 arrives in a later file. Expected: both EXT periods
# cancelled, one live OTH period over days 1-3, no refusal. Then day 4
# arrives: the OTH period is updated to days 1-4. A second worker has a
# three-day run in one file plus a revision of its day 2 that changes
# nothing Dimona carries: one OTH period, nothing else. The runs are rows of
# the record store (run_members), never messages.
#
# Env: TOP, GATEWAY (set by tests/run-all.sh).
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
GATEWAY=${GATEWAY:-$TOP/build/gateway}
cd "$TOP"
. "$TOP/tests/integration/lib/onss-sim.sh"
sim_workdir ext-run

start_sim "$work" --employer 123456749

hdr="contract_id,revision,status,employer_noss,employer_kbo,worker_inss,worker_type,joint_committee,worker_code,start_date,start_time,end_date,end_time,days_worked,hours_worked,gross_wage_cents"
day() { # id rev status inss date from
	echo "$1,$2,$3,123456749,0477472701,$4,EXT,302,015,$5,$6,$5,16:00,1,6,8000"
}
gw() { "$GATEWAY" --config "$work/gw.conf" --log-level error "$@"; }
run() { timeout 600 "$GATEWAY" --config "$work/gw.conf" --log-level error run --until-idle \
	>>"$work/run.out" 2>>"$work/run.err" || [ $? -eq 1 ] || { echo "gateway run failed"; tail -5 "$work/run.err"; exit 1; }; }

{ echo "$hdr"; day X-1 1 active 76071072340 2026-05-10 10:00; day X-2 1 active 76071072340 2026-05-11 10:00
  day W-1 1 active 95101972591 2026-04-01 10:00; day W-2 1 active 95101972591 2026-04-02 10:00
  day W-3 1 active 95101972591 2026-04-03 10:00; } >"$work/a.csv"
{ echo "$hdr"; day X-3 1 active 76071072340 2026-05-12 10:00
  day W-2 2 active 95101972591 2026-04-02 11:00; } >"$work/b.csv"
{ echo "$hdr"; day X-4 1 active 76071072340 2026-05-13 10:00; } >"$work/c.csv"

gw intake --contracts "$work/a.csv" >"$work/intake.out"
run
gw intake --contracts "$work/b.csv" >>"$work/intake.out"
run
gw intake --contracts "$work/c.csv" >>"$work/intake.out"
run
kill "$simpid"; wait "$simpid" 2>/dev/null || true; simpid=""
"$GATEWAY" sim onss --dump-ledger "$work/ledger.jsonl" >"$work/ledger.json"

python3 - "$work/ledger.json" "$work/queue.db" <<'EOF'
import json, sqlite3, sys
led = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
errs = []
st = {(r, v, k): s for r, v, k, s in db.execute("select record_id, revision, kind, state from msgs")}
def want(key, state):
    if st.get(key) != state:
        errs.append("%s: %s, expected %s" % (key, st.get(key), state))
for k in [("X-1", 1, "dimona-in"), ("X-2", 1, "dimona-in"), ("X-1", 1, "dimona-cancel"),
          ("X-2", 1, "dimona-cancel"), ("X-3", 1, "dimona-in"), ("X-4", 1, "dimona-update"),
          ("W-1", 1, "dimona-in")]:
    want(k, "accepted")
# The runs live in the record store: one row per day (and per later
# revision of a day) naming the run's IN; no marker message, nothing held.
ids = {(r, v, k): i for i, r, v, k in db.execute("select id, record_id, revision, kind from msgs")}
mem = {(r, v): (m, h) for r, v, m, h in
       db.execute("select record_id, revision, msg_id, head from run_members")}
xin, win = ids.get(("X-3", 1, "dimona-in")), ids.get(("W-1", 1, "dimona-in"))
for r, v, run_in, head in [("X-1", 1, xin, 0), ("X-2", 1, xin, 0), ("X-3", 1, xin, 1),
                           ("X-4", 1, xin, 0), ("W-1", 1, win, 1), ("W-2", 1, win, 0),
                           ("W-2", 2, win, 0), ("W-3", 1, win, 0)]:
    if run_in is None or mem.get((r, v)) != (run_in, head):
        errs.append("run row of %s rev %d: %s, expected %s" % (r, v, mem.get((r, v)), (run_in, head)))
if len(mem) != 8:
    errs.append("run rows %s, expected 8" % sorted(mem))
odd = [k for k, s in st.items() if k[2] not in ("dimona-in", "dimona-cancel", "dimona-update")
       or s in ("held", "cancelled")]
if odd:
    errs.append("messages that are not declarations, or held/cancelled: %s" % odd)
# The merged days' own records are kept in the store (the DmfA reads them).
kept = {r: json.loads(p) for r, p in db.execute("select record_id, payload from records where payload is not null")}
for r in ("X-3", "X-4", "W-1", "W-2", "W-3"):
    if kept.get(r, {}).get("worker_type") != "EXT":
        errs.append("%s: its own EXT record is not kept in the store (%s)" % (r, kept.get(r)))
for k in [("W-2", 1, "dimona-in"), ("W-3", 1, "dimona-in"), ("W-2", 2, "dimona-in"),
          ("W-2", 2, "dimona-update"), ("X-4", 1, "dimona-in")]:
    if k in st:
        errs.append("%s: should not exist (%s)" % (k, st[k]))
refused = [k for k, s in st.items() if s in ("refused", "failed")]
if refused:
    errs.append("refused or failed: %s" % refused)
def live(worker):
    return sorted((p["worker_type"], p["start"], p["end"]) for p in led["periods"]
                  if p["worker"] == worker and not p["cancelled"])
if live("76071072340") != [("OTH", 20260510, 20260513)]:
    errs.append("X live periods %s, expected one OTH 2026-05-10..13" % live("76071072340"))
dead = [p for p in led["periods"] if p["worker"] == "76071072340" and p["cancelled"]]
if len(dead) != 2 or any(p["worker_type"] != "EXT" for p in dead):
    errs.append("X cancelled periods %s, expected the two EXT days" % dead)
if live("95101972591") != [("OTH", 20260401, 20260403)]:
    errs.append("W live periods %s, expected one OTH 2026-04-01..03" % live("95101972591"))
for e in errs:
    print(e)
sys.exit(1 if errs else 0)
EOF
# An operator sees a merged day's run in `gateway show`, from the store.
gw show W-2 | grep -q '^horeca run: revision 2: revision 2 stays in the Horeca EXT run of W-1' ||
	{ gw show W-2; echo "gateway show W-2 does not name its run"; exit 1; }
echo "dimona ext runs: day 3 after two declared EXT days cancels them into one OTH period, day 4 updates it, in-file run and amendment as expected"
