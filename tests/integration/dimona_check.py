#!/usr/bin/env python3
"""dimona_check.py LEDGER.json QUEUE.db LABEL FAULTS(0|1) EXPECTED.tsv

Compares the queue's final states, and the anomaly code each message
carries (the expected code column; "-" means none), with the expected
Dimona outcomes, and checks the simulator's ledger for loss and duplicates. Used by
20-dimona-rest.sh. Exit 1 with one line per mismatch.
"""
import json
import re
import sqlite3
import sys

led = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
label, faults = sys.argv[3], sys.argv[4] == "1"
errs = []
want_of = {"A": "accepted", "S": "accepted", "W": "accepted-with-warnings", "B": "refused"}
state = {(r, v, k): (s, p) for r, v, k, s, p in
         db.execute("select record_id, revision, kind, state, remote_ref2 from msgs")}
# The anomaly codes a message was answered with: the runner keeps them in
# last_error as "90373-460 (StartingDate)"; retries and faults leave other
# words there, never a code of this form.
ANOMALY = re.compile(r"\b[0-9]{5}-[0-9]{3}\b")
codes_of = {(r, v, k): "+".join(sorted(set(ANOMALY.findall(e)))) or "-" for r, v, k, e in
            db.execute("select record_id, revision, kind, last_error from msgs")}
exps = [l.rstrip("\n").split("\t") for l in open(sys.argv[5], encoding="utf-8") if not l.startswith("#")]

# Designed duplicates and overlaps, with their original.
pairs = {}
for cid, rev, action, status, code, note in exps:
    if code in ("90373-333", "90373-334"):
        pairs[cid] = note.split()[-1]
originals = set(pairs.values())

for cid, rev, action, status, code, note in exps:
    rev = int(rev)
    if action == "merged":
        got = state.get((cid, rev, "dimona-in"))
        if got and got[0] != "cancelled":
            errs.append("%s: expected merged (%s), got its own dimona-in (%s)" % (cid, note, got[0]))
        continue
    kind = "dimona-" + action.lower()
    got = state.get((cid, rev, kind), ("none", ""))[0]
    got_code = codes_of.get((cid, rev, kind), "-")
    if got == want_of[status] and got_code == code:
        continue
    if faults and (cid in pairs or cid in originals):
        continue  # order depends on retries: checked pairwise below
    errs.append("%s rev %d %s: expected %s with code %s (%s: %s), got %s with code %s"
                % (cid, rev, kind, want_of[status], code, status, note, got, got_code))

# Under faults, retries reorder sends: of a designed pair exactly one is
# accepted (no code) and the other refused with the duplicate's expected
# code, or (same content) the lookup found the original and both name the
# same period.
if faults:
    dup_code = {cid: code for cid, rev, action, status, code, note in exps if cid in pairs}
    for dup, orig in pairs.items():
        a = state.get((dup, 1, "dimona-in"), ("none", ""))
        b = state.get((orig, 1, "dimona-in"), ("none", ""))
        ca = codes_of.get((dup, 1, "dimona-in"), "-")
        cb = codes_of.get((orig, 1, "dimona-in"), "-")
        ok = ((a[0], ca, b[0], cb) in (("accepted", "-", "refused", dup_code[dup]),
                                       ("refused", dup_code[dup], "accepted", "-"))
              or (a[0] == b[0] == "accepted" and a[1] == b[1] and ca == cb == "-"))
        if not ok:
            errs.append("pair %s/%s: %s %s / %s %s (want one accepted, the other refused with %s)"
                        % (dup, orig, a, ca, b, cb, dup_code[dup]))

# The ledger: no two live periods of a worker overlap; every accepted IN has
# its period, once; cancels are there; no live period nobody accounts for.
live = [p for p in led["periods"] if not p["cancelled"]]
by = {}
for p in live:
    by.setdefault((p["noss"], p["worker"]), []).append(p)
for ps in by.values():
    for i, a in enumerate(ps):
        for b in ps[i + 1:]:
            if a["start"] <= (b["end"] or 99991231) and b["start"] <= (a["end"] or 99991231):
                errs.append("overlapping live periods %s %s" % (a["id"], b["id"]))
ids = {p["id"]: p for p in led["periods"]}
cancelled = {r for (r,) in db.execute(
    "select record_id from msgs where kind='dimona-cancel' and state='accepted'")}
claimed = {}
for rec, period in db.execute("select record_id, remote_ref2 from msgs where kind='dimona-in' and "
                              "state in ('accepted','accepted-with-warnings')"):
    if period not in ids:
        errs.append("%s accepted with period %r that the ONSS ledger lacks" % (rec, period))
        continue
    other = claimed.get(period)
    if other is not None and not (pairs.get(rec) == other or pairs.get(other) == rec):
        errs.append("period %s claimed by %s and %s" % (period, rec, other))
    claimed[period] = rec
    if bool(ids[period]["cancelled"]) != (rec in cancelled):
        errs.append("%s: period %s cancelled=%s in the ledger" % (rec, period, ids[period]["cancelled"]))
unclaimed = [p["id"] for p in live if p["id"] not in claimed]
if unclaimed:
    errs.append("%d live periods no accepted message accounts for: %s" % (len(unclaimed), unclaimed[:5]))

for e in errs:
    print("%s: %s" % (label, e))
merge = [e for e in errs if "merged" in e or "EXT-R" in e]
if merge:
    print("%s: %d of these are Horeca EXT runs of three days not merged into one OTH period before "
          "sending (00910-459); gateway intake must apply dimona_merge_ext_series() or its follow-up "
          "equivalent" % (label, len(merge)))
print("%s: %d expectations, ledger %d periods (%d live), %d declarations received, %d mismatches"
      % (label, len(exps), len(led["periods"]), len(live), len(led["declarations"]), len(errs)))
sys.exit(1 if errs else 0)
