#!/bin/sh
# 71-dmfa-roundtrip.sh - the DmfA correction round trip through the batch
# simulator: original (DMFA) -> ACRF + NOTIFICATION + DMPI -> DmfAUpdate
# (DMWA) built from that DMPI -> ACRF accepted + NOTIFICATION. The files are
# placed in the simulator's INTEST folder the way the SFTP transport does
# (FI, FS, then GO); the transport itself is tested with sshd elsewhere.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}" "${REF:?}"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
F=$TOP/fixtures/dmfa
PKI=$TOP/certs/out/onss
[ -f "$PKI/org.key.pem" ] || sh "$TOP/certs/gen-test-pki.sh" >/dev/null 2>&1 || fail "test PKI"
pin_clock 2026-07-20T10:00:00+02:00   # Q2 2026 is over, its DmfA due
S="--sign-cert $PKI/org.crt.pem --sign-key $PKI/org.key.pem --params $F/params-test.txt"
R=$W/sftp
mkdir -p "$R" "$W/local"
# The builder cannot pass the simulator's DmfA checks yet (no LocalUnitID):
sim() { "$GATEWAY" sim batch --root "$R" --state "$W/simstate" --once --ca "$PKI/ca.crt.pem" \
	>>"$W/sim.log" 2>&1 || { cat "$W/sim.log"; fail "simulator"; }; }
deposit() {   # FI and FS first, GO last, as the transport does
	for k in FI FS GO; do cp "$W/local/$k.$1".* "$R/INTEST/" || fail "deposit $k.$1"; done
}
answer() { ls "$R/OUTTEST/FO.$1.999999."*".$2.T" 2>/dev/null | head -1; }
sim   # creates the folders

# 1. The original.
"$GATEWAY" --set dmfa.local_units=123456749=2000000042,150000120=3000000063,162518843=2123456791,175702307=4000000084 dmfa export --contracts "$F/quarter-2026q2.csv" --quarter 20262 --out "$W/local" --env T \
	$S --idflux "$F/idflux-bis.xml" >"$W/fi1" 2>"$W/err1" || { cat "$W/err1"; fail "export"; }
SEQ1=$(sed 's/^FI\.DMFA\.999999\.[0-9]*\.\([0-9]*\)\..*/\1/' "$W/fi1")
deposit DMFA
sim
A1=$(answer ACRF "$SEQ1"); D1=$(answer DMPI "$SEQ1"); N1=$(answer NOTI "$SEQ1")
[ -n "$A1" ] && [ -n "$D1" ] && [ -n "$N1" ] || { ls "$R/OUTTEST"; cat "$W/sim.log"; fail "no ACRF/DMPI/NOTI for the original"; }
"$GATEWAY" onss show-answer "$A1" | grep -q '"result_code": 1' || fail "original not received (ACRF)"
# The simulator recomputes every contribution line from its own rates
# (schemas/dmfa/sim-rates.txt). This test's parameter table is the flat
# one (38.07 % on every ordinary line, fixtures/dmfa/params-test.txt), so
# the manual worker's line is reported (class P: accepted with it):
# basis 108.00 EUR x 38.07 % = 41.12 EUR declared, x 43.64 % (13.07 + 25.00
# + 5.57 holiday) = 47.13 EUR computed.
grep -q "each line's amount recomputed" "$W/sim.log" || fail "the simulator did not recompute the lines"
"$GATEWAY" onss show-answer "$N1" >"$W/noti1.json" || fail "NOTI unreadable"
grep -A4 '"id": "00085-044"' "$W/noti1.json" | grep -q '"value": "4112 (computed 4713)"' ||
	{ cat "$W/noti1.json"; fail "the flat 38.07 % on a manual worker line was not caught (00085-044)"; }
"$GATEWAY" onss show-answer "$D1" >"$W/dmpi.json" || fail "DMPI unreadable"
grep -q '"employer_declaration_pid"' "$W/dmpi.json" || fail "DMPI without permanent ids"

# 2. The correction, with the permanent ids the simulator assigned.
"$GATEWAY" --set dmfa.local_units=123456749=2000000042,150000120=3000000063,162518843=2123456791,175702307=4000000084 dmfa update --filed "$F/quarter-2026q2.csv" --contracts "$F/quarter-2026q2-rev2.csv" \
	--quarter 20262 --dmpi "$D1" --idflux "$F/idflux-bis.xml" --out "$W/local" --env T $S \
	>"$W/fi2" 2>"$W/err2" || { cat "$W/err2"; fail "update"; }
UP=$W/local/$(cat "$W/fi2")
EPID=$(sed -n 's/.*"employer_declaration_pid": \([0-9]*\).*/\1/p' "$W/dmpi.json" | head -1)
grep -q "<EmployerDeclarationPID>$EPID</EmployerDeclarationPID>" "$UP" || fail "update does not carry the DMPI employer PID $EPID"
for inss in 80010100107 70070700543; do
	pid=$(grep -A3 "\"inss\": \"$inss\"" "$W/dmpi.json" | sed -n 's/.*"natural_person_pid": \([0-9]*\).*/\1/p')
	[ -n "$pid" ] && grep -q "<NaturalPersonPID>$pid</NaturalPersonPID>" "$UP" || fail "person $inss: PID $pid not used"
done
[ "$(ls "$W/local"/FI.DMFA.* | wc -l)" -eq 1 ] || fail "an original was re-sent"
SEQ2=$(sed 's/^FI\.DMWA\.999999\.[0-9]*\.\([0-9]*\)\..*/\1/' "$W/fi2")
[ "$SEQ2" != "$SEQ1" ] || fail "the correction reused the original's sequence number"
deposit DMWA
sim
A2=$(answer ACRF "$SEQ2"); N2=$(answer NOTI "$SEQ2")
[ -n "$A2" ] && [ -n "$N2" ] || { ls "$R/OUTTEST"; cat "$W/sim.log"; fail "no ACRF/NOTI for the correction"; }
"$GATEWAY" onss show-answer "$A2" | grep -q '"result_code": 1' || { "$GATEWAY" onss show-answer "$A2"; fail "correction refused (ACRF)"; }
"$GATEWAY" onss show-answer "$N2" >"$W/noti2.json" || fail "NOTI unreadable"
grep -q '"result_code": 1' "$W/noti2.json" || fail "correction not accepted (NOTIFICATION)"
grep -q '"class": "B"' "$W/noti2.json" && fail "correction has blocking anomalies"
echo "ok: DmfA round trip through the simulator: original, DMPI, update with its ids, accepted"
