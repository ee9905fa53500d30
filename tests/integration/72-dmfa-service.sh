#!/bin/sh
# 72-dmfa-service.sh - the DmfA inside the service: contracts of 2026Q4 taken
# in (gateway intake, Dimona on the onss-batch channel), `gateway dmfa queue`
# files one original per employer as its own submission, `gateway run`
# (Dimona REST and onss-batch in one daemon) sends everything to the
# simulated ONSS behind a real sshd and applies ACRF/NOTI/DMPI: accepted,
# the permanent ids kept in the record store. A revision changing one worker's pay
# (and end date) then gives a DmfAUpdate built from the filed set and the
# kept DMPI, sent and accepted, and cancelling an employer's only contract
# gives the correction that deletes its record; re-running `dmfa queue` with nothing new
# queues nothing; originals are never re-sent; each FI validates against the
# official XSD. Last, a pay-only revision (no Dimona message: intake keeps
# it in the record store, not as a message, so no status count moves) gives
# a correction carrying the new pay, sent and accepted.
#
# Env: TOP, GATEWAY, REF, BUILD (from tests/run-all.sh).
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
GATEWAY=${GATEWAY:-$TOP/$BUILD/gateway}
REF=${REF:-$TOP/../shared/reference}
export GW_REFERENCE_DIR="$REF"
cd "$TOP" || exit 2
sh certs/gen-test-pki.sh >/dev/null 2>&1 || { echo "FAIL: test PKI"; exit 1; }
. "$TOP/tests/sftp/sshd.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/gw-dmfa-svc.XXXXXX")
sim_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	sftp_stop
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; [ -f "$work/sim.log" ] && tail -n 15 "$work/sim.log"; exit 1; }

sftp_start || fail "sshd did not start"
mkdir -p "$work/answers"   # the outbox is made by dmfa queue itself (issue 17)
cat > "$work/gateway.conf" <<EOF
reference_dir = $REF
[queue]
dsn = $work/queue.db
[dimona]
channel = onss-batch
[signing]
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
[onss]
sender = 012996
[onss_batch]
env = T
outbox = $work/outbox
answers = $work/answers
poll_interval_ms = 100
sftp_url = $SFTP_URL
sftp_user = $SFTP_USER
sftp_key = $SFTP_KEY
sftp_host_sha256 = $SFTP_HOST_SHA256
sim_ca = $TOP/certs/out/onss/ca.crt.pem
[dmfa]
local_units = 051234526=5000000008 123456749=2000000042
EOF
gw() { "$GATEWAY" --config "$work/gateway.conf" "$@"; }
# The builder cannot pass the simulator's DmfA checks yet (no LocalUnitID):
"$GATEWAY" --config "$work/gateway.conf" sim batch --root "$SFTP_ROOT" --state "$work/sim-state" \
	--interval-ms 50 >"$work/sim.log" 2>&1 &
sim_pid=$!

E1=DMFA:20264:051234526
E2=DMFA:20264:123456749
state_of() { # record [kind] -> state of its newest message of that kind (default dmfa)
	gw show "$1" | awk -v k="${2:-dmfa}" '/^kind:/{m=($2==k)} m&&/^state:/{print $2; exit}'
}
dmfa_queue() { # -> stdout in $work/q.out; exit code in $qrc
	gw dmfa queue --quarter 20264 >"$work/q.out" 2>"$work/q.err"
	qrc=$?
	[ $qrc -le 1 ] || fail "dmfa queue: $(cat "$work/q.err")"
}
run_idle() {
	timeout 180 "$GATEWAY" --config "$work/gateway.conf" run --until-idle >"$work/run.out" 2>"$work/run.err" ||
		[ $? -eq 1 ] || fail "gateway run: $(tail -n 5 "$work/run.err")"
	kill -0 "$sim_pid" 2>/dev/null || fail "the batch simulator died"
}
xsd_check() { # FI xsd
	xmllint --noout --schema "$REF/onss/xsd/$2" "$work/outbox/$1" 2>"$work/xsd.err" ||
		fail "$1 does not validate against $2: $(tail -n 3 "$work/xsd.err")"
}
fi_of() { gw show "$1" | sed -n 's/^batch file: *//p' | grep '^FI\.DMFA' | head -n 1; }

# ---- 1. the quarter's contracts; C-2026-120501's pay-only revision 2 comes last
grep -v '^C-2026-120501,2,' fixtures/contracts/sample.csv >"$work/q4.csv"
gw intake --contracts "$work/q4.csv" >"$work/intake.out" 2>"$work/intake.err"
[ $? -le 1 ] || fail "intake: $(cat "$work/intake.err")"

# Before any Dimona is accepted every occupation lacks its Dimona period:
# `dmfa check` lists them, `dmfa queue` holds both employers (nothing queued).
gw dmfa check --quarter 20264 >"$work/check.out" 2>"$work/check.err"
[ $? -eq 1 ] || fail "dmfa check before the Dimona answers: exit 1 expected: $(cat "$work/check.out")"
grep -q "^051234526 [0-9]\{11\} C-2026-120601: DmfA occupation .* has no accepted Dimona period (blocking)\$" \
	"$work/check.out" || fail "dmfa check: $(cat "$work/check.out")"
dmfa_queue
grep -q "^$E1: held: " "$work/q.out" && grep -q "^$E2: held: " "$work/q.out" ||
	fail "dmfa queue before the Dimona answers: $(cat "$work/q.out")"
gw show $E1 >/dev/null 2>&1 && fail "$E1 was queued while its Dimona was not accepted"
# The Dimona declarations first (the DmfA follows the accepted periods).
run_idle
# (exit 1 stays: the worker without INSS is still rejected; nothing blocks)
gw dmfa check --quarter 20264 >"$work/check.out" 2>"$work/check.err"
grep -q "; 0 blocking, 0 accepted by the operator\$" "$work/check.out" ||
	fail "dmfa check after the Dimona answers: $(cat "$work/check.out" "$work/check.err")"

# ---- 2. the originals: one submission per employer, queued, not yet sent
dmfa_queue
grep -q "^$E1: queued dmfa " "$work/q.out" || fail "no original for 051234526: $(cat "$work/q.out")"
grep -q "^$E2: queued dmfa " "$work/q.out" || fail "no original for 123456749: $(cat "$work/q.out")"
grep -q "C-2026-123001.*worker_inss" "$work/q.err" || fail "the worker without INSS was not reported"
[ "$(state_of $E1)" = pending ] || fail "$E1 is $(state_of $E1) before any run"
FI1=$(fi_of $E1); FI2=$(fi_of $E2)
case "$FI1" in FI.DMFA.012996.*.T.1.1) ;; *) fail "original named $FI1" ;; esac
[ "$FI1" != "$FI2" ] || fail "both employers in one submission name"
xsd_check "$FI1" DmfAOriginal_20231.xsd
xsd_check "$FI2" DmfAOriginal_20231.xsd
# Without an SFTP server configured, run cannot send them: it says so (never a
# silent skip), and so do status and summary, instead of "due now" for ever.
grep -v '^sftp_url' "$work/gateway.conf" >"$work/nosftp.conf"
timeout 60 "$GATEWAY" --config "$work/nosftp.conf" run --once >"$work/nosftp.out" 2>"$work/nosftp.err"
grep -q "^DmfA waiting: no \[onss_batch\] sftp configured: [1-9][0-9]* onss-batch messages" "$work/nosftp.out" ||
	fail "run without sftp_url did not say the DmfA waits: $(cat "$work/nosftp.out" "$work/nosftp.err")"
"$GATEWAY" --config "$work/nosftp.conf" status >"$work/nosftp.status" 2>&1
grep -q "^DmfA waiting: no \[onss_batch\] sftp configured" "$work/nosftp.status" ||
	fail "status without sftp_url does not say the DmfA waits: $(cat "$work/nosftp.status")"
grep -q "not sent: DmfA waiting: no \[onss_batch\] sftp configured" "$work/nosftp.status" ||
	fail "status lists the DmfA as due without saying it is not sent"
"$GATEWAY" --config "$work/nosftp.conf" summary >"$work/nosftp.summary" 2>&1 &&
	fail "summary exits 0 while the DmfA cannot be sent"
grep -q "^DmfA waiting: no \[onss_batch\] sftp configured" "$work/nosftp.summary" ||
	fail "summary without sftp_url does not say the DmfA waits"
"$GATEWAY" --config "$work/nosftp.conf" status --json | grep -q '"batch_without_sftp":[1-9]' ||
	fail "status --json does not count the batch messages without sftp"
"$GATEWAY" --config "$work/gateway.conf" status | grep -q "sftp configured" &&
	fail "status says sftp is missing while it is configured"
[ "$(state_of $E1)" = pending ] || fail "$E1 is $(state_of $E1) after a run without sftp"
# What each employer owes is said, and is the file's NetOwedAmount.
for e in $E1 $E2; do
	f=$(fi_of $e)
	cents=$(sed -n 's#.*<NetOwedAmount>\([0-9-]*\)</NetOwedAmount>.*#\1#p' "$work/outbox/$f" | head -n 1)
	said=$(sed -n "s#^$e: queued dmfa .*, net owed \(-\{0,1\}[0-9]*\)\.\([0-9][0-9]\) EUR\$#\1\2#p" "$work/q.out")
	[ -n "$cents" ] && [ -n "$said" ] && [ "$(expr "$said" + 0)" = "$(expr "$cents" + 0)" ] || fail "$e: net owed said $said, file $cents"
done
# The stored bytes are the file's bytes.
h=$(sha256sum "$work/outbox/$FI1" | cut -d' ' -f1)
gw show $E1 | grep -q "content hash: *sha256:$h" || fail "stored FI bytes differ from $FI1"
# A second run before any answer: waits, queues nothing.
dmfa_queue
grep -q "^$E1: waits" "$work/q.out" || fail "second queue before the answer: $(cat "$work/q.out")"

# ---- 3. one daemon sends Dimona and DmfA, applies the answers
run_idle
grep -q "^onss-batch: .* [1-9][0-9]* DmfA submissions" "$work/run.out" || fail "run: $(cat "$work/run.out")"
for e in $E1 $E2; do
	st=$(state_of $e)
	[ "$st" = accepted ] || [ "$st" = accepted-with-warnings ] || { gw show $e; fail "$e is $st"; }
	gw show $e | grep -q "^permanent ids: *FO.DMPI" || { gw show $e; fail "$e: the DMPI was not kept"; }
	gw show $e | grep -q "content hash: *sha256:[0-9a-f]* ([1-9][0-9]* bytes)" ||
		fail "$e: the FI bytes were not kept after the answers"
done
gw show $E1 | grep -q "FO.NOTI" || fail "$E1: no NOTIFICATION in its history"
# The shipped parameter table and the simulator's own rates agree on every
# contribution line (00085-044 would be in a NOTIFICATION).
# (the simulator logs each anomaly it answers)
grep -q "each line's amount recomputed" "$work/sim.log" || fail "the simulator did not recompute the lines"
grep "00085-044" "$work/sim.log" && fail "a contribution line differs from the simulator's rate"
# The gateway claims the structural reduction (3000) in 2026/4; the
# simulator recomputes each occupation's from its own formula (sim-rates.txt)
# and would answer 00089-044 for a claim above it.
grep -q "each structural reduction recomputed" "$work/sim.log" || fail "the simulator did not recompute the reductions"
cat "$work/outbox/$FI1" "$work/outbox/$FI2" | grep -q "<DeductionCode>3000</DeductionCode>" ||
	fail "no structural reduction claimed in 2026/4: the 00089-044 check below would prove nothing"
grep "00089-044" "$work/sim.log" && fail "a structural reduction exceeds the simulator's"
[ "$(state_of C-2026-120601 dimona-in)" = accepted ] || fail "the Dimona IN of C-2026-120601 was not accepted"

# ---- 4. nothing new: nothing queued
dmfa_queue
grep -q "^$E1: unchanged" "$work/q.out" && grep -q "^$E2: unchanged" "$work/q.out" ||
	fail "re-run without change: $(cat "$work/q.out")"
grep -q ": queued" "$work/q.out" && fail "re-run without change queued something"

# ---- 5. a revision changing one worker's pay (and end date), and the
# cancellation of the only contract of 123456749: a correction for each
sed -n '1p' fixtures/contracts/sample.csv >"$work/rev.csv"
grep '^C-2026-120601,1,' fixtures/contracts/sample.csv |
	sed 's/^C-2026-120601,1,/C-2026-120601,2,/; s/,2026-12-31,/,2026-12-30,/; s/,164000,/,171500,/' >>"$work/rev.csv"
grep '^C-2026-123101,1,' fixtures/contracts/sample.csv |
	sed 's/^C-2026-123101,1,active,/C-2026-123101,2,cancelled,/' >>"$work/rev.csv"
gw intake --contracts "$work/rev.csv" >"$work/intake2.out" 2>"$work/intake2.err" ||
	fail "intake of the revision: $(cat "$work/intake2.err")"
# The cancelled contract's Dimona period stays until its CANCEL is
# accepted: until then the check finds a period without its occupation.
gw dmfa check --quarter 20264 >"$work/check.out" 2>"$work/check.err"
[ $? -eq 1 ] && grep -q "^123456749 [0-9]\{11\} C-2026-123101: accepted Dimona period .* has no DmfA occupation (blocking)\$" \
	"$work/check.out" || fail "dmfa check before the CANCEL is accepted: $(cat "$work/check.out")"
run_idle
dmfa_queue
grep -q "^$E1: queued dmfa-update " "$work/q.out" || fail "no correction: $(cat "$work/q.out")"
grep -q "^$E2: queued dmfa-update " "$work/q.out" || fail "no correction for the cancelled contract: $(cat "$work/q.out")"
FIV=$(gw show $E2 | sed -n 's/^batch file: *//p' | grep '^FI.DMWA' | head -n 1)
xsd_check "$FIV" DmfAUpdate_20231.xsd
grep -q "<UpdateAction>0</UpdateAction>" "$work/outbox/$FIV" || fail "the cancelled contract's record is not deleted"
FIU=$(gw show $E1 | sed -n 's/^batch file: *//p' | grep '^FI.DMWA' | head -n 1)
[ -n "$FIU" ] || fail "the correction has no DMWA submission"
xsd_check "$FIU" DmfAUpdate_20231.xsd
grep -q "<RemunAmount>171500</RemunAmount>" "$work/outbox/$FIU" || fail "the correction does not carry the new pay"
grep -q "<EmployerDeclarationPID>" "$work/outbox/$FIU" || fail "the correction has no permanent ids"
[ "$(ls "$work/outbox" | grep -c '^FI\.DMFA\.')" -eq 2 ] || fail "an original was written again"
run_idle
for e in $E1 $E2; do
	st=$(state_of $e dmfa-update)
	[ "$st" = accepted ] || [ "$st" = accepted-with-warnings ] || { gw show $e; fail "$e: the correction is $st"; }
done

# ---- 5b. a second change of the same worker: a second correction, from the
# filing as corrected (not from the original), with the same permanent ids
sed -n '1p' fixtures/contracts/sample.csv >"$work/rev3.csv"
grep '^C-2026-120601,1,' fixtures/contracts/sample.csv |
	sed 's/^C-2026-120601,1,/C-2026-120601,3,/; s/,2026-12-31,/,2026-12-29,/; s/,164000,/,175000,/' >>"$work/rev3.csv"
gw intake --contracts "$work/rev3.csv" >/dev/null 2>"$work/intake4.err" || fail "intake: $(cat "$work/intake4.err")"
dmfa_queue
grep -q "^$E1: queued dmfa-update " "$work/q.out" || fail "no second correction: $(cat "$work/q.out")"
FIW=$(gw show $E1 | sed -n 's/^batch file: *//p' | grep '^FI.DMWA' | head -n 1)
[ "$FIW" != "$FIU" ] || fail "the second correction reused the first one's name"
xsd_check "$FIW" DmfAUpdate_20231.xsd
grep -q "<RemunAmount>175000</RemunAmount>" "$work/outbox/$FIW" || fail "the second correction lacks the new pay"
grep -q "<RemunAmount>171500</RemunAmount>" "$work/outbox/$FIW" && fail "the second correction repeats the first one's pay"
run_idle
st=$(state_of $E1 dmfa-update)
[ "$st" = accepted ] || [ "$st" = accepted-with-warnings ] || { gw show $E1; fail "the second correction is $st"; }

# ---- 6. again nothing new: nothing queued, no original re-sent
dmfa_queue
grep -q "^$E1: unchanged" "$work/q.out" && grep -q "^$E2: unchanged" "$work/q.out" ||
	fail "after the corrections: $(cat "$work/q.out")"
grep -q ": queued" "$work/q.out" && fail "a re-run after the correction queued something"
[ "$(ls "$work/outbox" | grep -c '^FI\.DMFA\.')" -eq 2 ] || fail "an original was written again"
[ "$(ls "$work/outbox" | grep -c '^FI\.DMWA\.')" -eq 3 ] || fail "not three corrections in all"
# The simulator judged each correction against its DB DmfA (the two
# originals it accepted, with the ids of its DMPI) and by the checks of an
# original (sim/dmfa_check_update.c): three corrections, none refused, no
# line differing from its rates, no reduction above the simulator's (the
# 00085-044 and 00089-044 checks above cover them: the log holds every answer).
[ "$(grep -c '^E	' "$work/sim-state/dmfa-db")" -eq 2 ] || fail "the simulator's DB DmfA does not hold the two originals"
[ "$(grep 'record=GO\.DMWA\.' "$work/sim.log" | grep -c '1 employer declarations, 1 accepted, 0 refused')" -eq 3 ] ||
	fail "not every correction judged and accepted by the simulator"
grep 'record=GO\.DMWA\.' "$work/sim.log" | grep -q ' B ' && fail "a blocking finding on a correction"

# ---- 7. a pay-only revision (Dimona carries no pay): intake queues no
# message at all but keeps the revision in the record store; the DmfA
# corrects the pay from it
sed -n '1p' fixtures/contracts/sample.csv >"$work/rev2.csv"
grep '^C-2026-120501,2,' fixtures/contracts/sample.csv >>"$work/rev2.csv"
grep -q ',27000,' "$work/rev2.csv" || fail "the fixture's pay-only revision changed"
gw status --json >"$work/status1.json" || fail "status"
gw intake --contracts "$work/rev2.csv" >"$work/intake3.out" 2>"$work/intake3.err" ||
	fail "intake: $(cat "$work/intake3.err")"
grep -q " 0 taken in (0 messages), .* 1 without anything to declare" "$work/intake3.out" ||
	fail "pay-only intake summary: $(cat "$work/intake3.out")"
[ "$(gw show C-2026-120501 | grep -c '^record: .* revision 2$')" -eq 0 ] ||
	{ gw show C-2026-120501; fail "revision 2 gave a message"; }
gw show C-2026-120501 | grep -qx 'stored revision: 2 (kept in the record store, no message)' ||
	{ gw show C-2026-120501; fail "revision 2 is not kept in the record store"; }
# Status: the kept revision is no message: no count moves.
gw status --json >"$work/status2.json" || fail "status"
ch1=$(sed 's/.*"onss-batch":{\([^}]*\)}.*/\1/' "$work/status1.json")
ch2=$(sed 's/.*"onss-batch":{\([^}]*\)}.*/\1/' "$work/status2.json")
[ "$ch1" = "$ch2" ] || fail "a pay-only revision changed the onss-batch counts: $ch1 -> $ch2"
c1=$(sed 's/.*"total":{[^}]*"cancelled":\([0-9]*\)}.*/\1/' "$work/status1.json")
c2=$(sed 's/.*"total":{[^}]*"cancelled":\([0-9]*\)}.*/\1/' "$work/status2.json")
[ "$c2" -eq "$c1" ] || fail "total cancelled $c1 -> $c2 (a kept revision is no message)"
# A replay of the revision adds nothing.
gw intake --contracts "$work/rev2.csv" >"$work/intake5.out" 2>&1 || fail "replay: $(cat "$work/intake5.out")"
grep -q " 1 unchanged, 0 without" "$work/intake5.out" || fail "replay: $(cat "$work/intake5.out")"
gw status --json >"$work/status3.json" || fail "status"
cmp -s "$work/status2.json" "$work/status3.json" || fail "a replay changed the queue counts"

dmfa_queue
# (exit 1 stays: the worker without INSS of step 2 is still reported)
grep -q "C-2026-120501" "$work/q.out" "$work/q.err" && fail "the pay-only contract was reported: $(cat "$work/q.out" "$work/q.err")"
grep -q "^$E1: queued dmfa-update " "$work/q.out" || fail "the pay-only revision was not corrected: $(cat "$work/q.out")"
grep -q "^$E2: unchanged" "$work/q.out" || fail "the other employer: $(cat "$work/q.out")"
FIK=$(gw show $E1 | sed -n 's/^batch file: *//p' | grep '^FI.DMWA' | head -n 1)
[ -n "$FIK" ] && [ "$FIK" != "$FIW" ] || fail "the pay-only correction has no submission of its own ($FIK)"
xsd_check "$FIK" DmfAUpdate_20231.xsd
grep -q "<RemunAmount>27000</RemunAmount>" "$work/outbox/$FIK" || fail "the correction does not carry the new pay 27000"
grep -q "<RemunAmount>22500</RemunAmount>" "$work/outbox/$FIK" && fail "the correction still carries the old pay 22500"
grep -q "<EmployerDeclarationPID>" "$work/outbox/$FIK" || fail "the correction has no permanent ids"
run_idle
st=$(state_of $E1 dmfa-update)
[ "$st" = accepted ] || [ "$st" = accepted-with-warnings ] || { gw show $E1; fail "the pay-only correction is $st"; }
gw show $E1 | grep -q "$FIK" || fail "the accepted correction is not $FIK"
[ "$(gw show C-2026-120501 | grep -c '^record: .* revision 2$')" -eq 0 ] ||
	fail "the kept revision became a message after the run"
dmfa_queue
grep -q "^$E1: unchanged" "$work/q.out" || fail "after the pay-only correction: $(cat "$work/q.out")"
[ "$(ls "$work/outbox" | grep -c '^FI\.DMWA\.')" -eq 4 ] || fail "not four corrections in all"
[ "$(ls "$work/outbox" | grep -c '^FI\.DMFA\.')" -eq 2 ] || fail "an original was written again"
echo "ok: DmfA in the service: originals per employer, accepted with DMPI kept, corrections (new pay, cancelled contract, pay-only revision kept by intake) accepted, idle re-runs queue nothing"
