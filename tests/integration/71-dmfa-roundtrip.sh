#!/bin/sh
# 71-dmfa-roundtrip.sh - the DmfA correction round trip through the batch
# simulator: original (DMFA) -> ACRF + NOTIFICATION + DMPI -> DmfAUpdate
# (DMWA) built from that DMPI -> ACRF accepted + NOTIFICATION, judged by
# the simulator as a correction; then three broken copies of it, refused
# with the correction's own anomalies. The files are
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
# 3. Broken copies of the correction, deposited before it (the DB DmfA
# still holds the original as the DMPI gave it), each wrapped as a signed
# DMWA of its own: the simulator refuses each (ResultCode 0) with the
# anomaly of what only a correction has, and changes nothing in its DB.
broken() {   # $1 name, $2 sed expression, $3 anomaly expected
	sed "$2" "$UP" >"$W/$1.xml"
	cmp -s "$UP" "$W/$1.xml" && fail "$1: the sed expression changed nothing"
	"$GATEWAY" onss wrap --purpose DMWA --xml "$W/$1.xml" --out "$W/wrap" --env T \
		--sign-cert "$PKI/org.crt.pem" --sign-key "$PKI/org.key.pem" >"$W/$1.out" 2>&1 || { cat "$W/$1.out"; fail "$1: wrap"; }
	rm -f "$R/INTEST"/*
	fi=$(tail -n 1 "$W/$1.out")
	base=${fi#FI.}
	for k in FI FS GO; do cp "$W/wrap/$k.${base%.1}"* "$R/INTEST/" || fail "$1: deposit $k"; done
	# wrap numbers its files on its own, so the answer is found as the
	# NOTIFICATION this run adds, not by sequence number
	ls "$R/OUTTEST" >"$W/before"
	sim
	n=$(ls "$R/OUTTEST" | grep '^FO\.NOTI\.' | grep -vxF -f "$W/before" | head -n 1)
	[ -n "$n" ] && n=$R/OUTTEST/$n || { ls "$R/OUTTEST"; cat "$W/sim.log"; fail "$1: no NOTIFICATION"; }
	"$GATEWAY" onss show-answer "$n" >"$W/$1.json" || fail "$1: NOTI unreadable"
	grep -q '"result_code": 0' "$W/$1.json" || { cat "$W/$1.json"; fail "$1: the broken correction was accepted"; }
	grep -q "\"id\": \"$3\"" "$W/$1.json" || { cat "$W/$1.json"; fail "$1: no anomaly $3"; }
}
# The next day, in a folder of their own: file names never seen before.
pin_clock 2026-07-21T10:00:00+02:00
mkdir -p "$W/wrap"
# a declaration the ONSS never accepted: 00534-177 (annex 30: EmployerDeclarationPID
# - Discordantie met de DB DmfA)
broken unknown-decl "s#<EmployerDeclarationPID>$EPID<#<EmployerDeclarationPID>1$EPID<#" 00534-177
# the right declaration, another quarter: 00013-482
broken other-quarter "s#<Quarter>20262</Quarter>#<Quarter>20261</Quarter>#" 00013-482
# a worker record version the DMPI never gave: not the last situation, 00610-180
broken old-version "0,/<WorkerRecordVersionNbr>/s#<WorkerRecordVersionNbr>\([0-9]*\)<#<WorkerRecordVersionNbr>9\1<#" 00610-180
pin_clock 2026-07-20T10:00:00+02:00

# 4. The correction itself: accepted, and judged as one.
deposit DMWA
sim
A2=$(answer ACRF "$SEQ2"); N2=$(answer NOTI "$SEQ2")
[ -n "$A2" ] && [ -n "$N2" ] || { ls "$R/OUTTEST"; cat "$W/sim.log"; fail "no ACRF/NOTI for the correction"; }
"$GATEWAY" onss show-answer "$A2" | grep -q '"result_code": 1' || { "$GATEWAY" onss show-answer "$A2"; fail "correction refused (ACRF)"; }
"$GATEWAY" onss show-answer "$N2" >"$W/noti2.json" || fail "NOTI unreadable"
grep -q '"result_code": 1' "$W/noti2.json" || fail "correction not accepted (NOTIFICATION)"
grep -q '"class": "B"' "$W/noti2.json" && fail "correction has blocking anomalies"
# Its worker records were judged as an original's are: the flat test
# table's line of the manual worker (code 046) is caught here too,
# 00085-044 class P (reported, accepted).
grep -A4 '"id": "00085-044"' "$W/noti2.json" | grep -q '"class": "P"' ||
	{ cat "$W/noti2.json"; fail "the correction's lines were not recomputed"; }
echo "ok: DmfA round trip through the simulator: original, DMPI, update with its ids, accepted; broken corrections refused (00534-177, 00013-482, 00610-180)"
