#!/bin/sh
# 74-dmfa-check.sh - the quarter's reconciliation through the real path:
# contracts of 2026Q1 taken in, their Dimona declared to `gateway sim onss`
# over HTTPS and accepted, one invoice taken in; then `gateway dmfa check`
# finds one crafted mismatch of each kind (fixtures/dmfa/check-q1*.csv):
#   K-4, taken in after the run: a DmfA occupation without an accepted
#        Dimona period (blocking);
#   K-3, at an employer with no establishment unit: its accepted Dimona
#        period has no DmfA occupation (the DmfA refuses the contract with
#        00042-001; blocking);
#   K-2, a 3in1 contract whose invoice F-K2 was never taken in (reported,
#        not blocking); K-1's invoice F-K1 was taken in: no line;
#   K-5, a DWD worker (Dimona without DmfA): its accepted period is not
#        compared, and `dmfa queue` says it left the contract out.
# `dmfa queue` holds the employer of K-4 and files it once the operator
# accepts that worker with --accept-mismatch.
#
# Env: TOP, GATEWAY, BUILD (set by tests/run-all.sh).
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
GATEWAY=${GATEWAY:-$TOP/build/gateway}
cd "$TOP" || exit 2
. "$TOP/tests/integration/lib/onss-sim.sh"    # pins the clock to 2026-03-01 10:00
sim_workdir dmfa-check
fail() { echo "FAIL: $*"; exit 1; }

start_sim "$work" --employer 175110801 --employer 123456749
cat >>"$work/gw.conf" <<EOF
[signing]
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
[onss_batch]
sender = 012996
env = T
outbox = $work/outbox
[dmfa]
local_units = 175110801=5000000008
EOF
gw() { "$GATEWAY" --config "$work/gw.conf" --log-level error "$@"; }

# ---- the contracts, their Dimona accepted; F-K1 taken in as an invoice
head -n 1 fixtures/invoices/sample.jsonl | sed 's/"invoice_id": "SMP-0001"/"invoice_id": "F-K1"/' >"$work/inv.jsonl"
grep -q '"F-K1"' "$work/inv.jsonl" || fail "the invoice fixture changed"
gw intake --contracts fixtures/dmfa/check-q1.csv --invoices "$work/inv.jsonl" >"$work/intake.out" 2>&1 ||
	fail "intake: $(cat "$work/intake.out")"
timeout 300 "$GATEWAY" --config "$work/gw.conf" --log-level error run --until-idle --channel dimona-rest \
	>"$work/run.out" 2>"$work/run.err" || [ $? -eq 1 ] || fail "run: $(tail -n 5 "$work/run.err")"
for k in K-1 K-2 K-3 K-5; do
	gw show $k | grep -q "^state: *accepted" || { gw show $k; fail "the Dimona of $k was not accepted"; }
done
# K-4 after the run: its Dimona is not answered yet.
gw intake --contracts fixtures/dmfa/check-q1-late.csv >"$work/intake2.out" 2>&1 ||
	fail "intake: $(cat "$work/intake2.out")"

# ---- the check: one line per mismatch, the summary, exit 1
gw dmfa check --quarter 20261 >"$work/check.out" 2>"$work/check.err"
rc=$?
[ $rc -eq 1 ] || fail "dmfa check exit $rc: $(cat "$work/check.out" "$work/check.err")"
expect() { grep -qx "$1" "$work/check.out" || fail "dmfa check lacks: $1
got: $(cat "$work/check.out")"; }
expect "175110801 72080960316 K-4: DmfA occupation 2026-03-10..2026-03-10 has no accepted Dimona period (blocking)"
expect "175110801 84051827118 K-2: 3in1 contract's invoice F-K2 is not taken in (not blocking)"
id3=$(gw show K-3 | awk '/^id:/{print $2; exit}')
expect "123456749 81102922396 K-3: accepted Dimona period 2026-03-04..2026-03-04 ($id3) has no DmfA occupation (blocking)"
grep -q "K-1\|K-5" "$work/check.out" && fail "K-1 or K-5 was reported: $(cat "$work/check.out")"
# Occupations K-1 K-2 K-4; accepted periods K-1 K-2 K-3; 3in1 K-1 K-2.
expect "quarter 20261: 3 occupation(s), 3 accepted Dimona period(s), 2 3in1 contract(s): 1 occupation(s) without Dimona, 1 Dimona period(s) without DmfA, 1 invoice(s) missing; 2 blocking, 0 accepted by the operator"
grep -q "record K-3: field employer_unit_id: .*00042-001" "$work/check.err" || fail "K-3's refusal: $(cat "$work/check.err")"

# ---- dmfa queue holds the employer of K-4 ...
gw dmfa queue --quarter 20261 >"$work/q.out" 2>"$work/q.err"
[ $? -eq 1 ] || fail "dmfa queue while K-4 mismatches: $(cat "$work/q.out" "$work/q.err")"
grep -q "^DMFA:20261:175110801: held: 1 blocking mismatch" "$work/q.out" || fail "not held: $(cat "$work/q.out")"
grep -q "queued dmfa" "$work/q.out" && fail "queued although a mismatch blocks: $(cat "$work/q.out")"
grep -qx "quarter 20261: not in the DmfA (worker type without DmfA): 1 contract (DWD 1)" "$work/q.out" ||
	fail "the DWD contract left out silently: $(cat "$work/q.out")"
ls "$work/outbox" 2>/dev/null | grep -q '^FI\.DMFA' && fail "an FI was written for a held employer"
# ... a wrong INSS is refused by name ...
gw dmfa queue --quarter 20261 --accept-mismatch 72080960317 >"$work/q.out" 2>"$work/q.err"
[ $? -eq 2 ] && grep -q "accept-mismatch 72080960317" "$work/q.err" || fail "a bad INSS was accepted: $(cat "$work/q.err")"
# ... and files it once the operator accepts K-4's worker.
gw dmfa check --quarter 20261 --accept-mismatch 72080960316 --accept-mismatch 81102922396 >"$work/check2.out" 2>/dev/null
grep -q "; 0 blocking, 2 accepted by the operator\$" "$work/check2.out" || fail "override in check: $(cat "$work/check2.out")"
grep -q "K-4: .*(blocking; accepted by the operator)\$" "$work/check2.out" || fail "override line: $(cat "$work/check2.out")"
gw dmfa queue --quarter 20261 --accept-mismatch 72080960316 >"$work/q.out" 2>"$work/q.err"
grep -q "^DMFA:20261:175110801: queued dmfa " "$work/q.out" || fail "not filed with the override: $(cat "$work/q.out" "$work/q.err")"
echo "ok: dmfa check: occupation without Dimona, Dimona without DmfA, 3in1 without invoice found; queue held, then filed with --accept-mismatch"
