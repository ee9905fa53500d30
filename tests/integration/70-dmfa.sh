#!/bin/sh
# 70-dmfa.sh - gateway dmfa export/update end to end on a hand-computed
# quarter (fixtures/dmfa, fixed parameter table): FI/FS/GO written, FI valid
# against the official XSD, FS a CMS signature that verifies, amounts as
# computed by hand, the worker without INSS held until IDFLUX brings a BIS
# number, no original re-sent, and a DmfAUpdate with the right actions.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}" "${REF:?}"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
F=$TOP/fixtures/dmfa
X=$REF/onss/xsd
PKI=$TOP/certs/out/onss
[ -f "$PKI/org.key.pem" ] || sh "$TOP/certs/gen-test-pki.sh" >/dev/null 2>&1 || fail "test PKI"
S="--sign-cert $PKI/org.crt.pem --sign-key $PKI/org.key.pem --params $F/params-test.txt"
# The employers' default establishment units (DmfA LocalUnitID, zone 00042).
G="--set dmfa.local_units=123456749=2000000042,150000120=3000000063,162518843=2123456791,175702307=4000000084"
xp() { xmllint --xpath "string($2)" "$1" 2>/dev/null; }
eq() { got=$(xp "$1" "$2"); [ "$got" = "$3" ] || fail "$2: got '$got', want '$3'"; }

# 1. Original: the foreign worker without INSS is held back (exit 1).
mkdir "$W/out"
"$GATEWAY" $G dmfa export --contracts "$F/quarter-2026q2.csv" --quarter 20262 --out "$W/out" --env T $S \
	>"$W/stdout" 2>"$W/stderr"
rc=$?
[ $rc -eq 1 ] || { cat "$W/stderr"; fail "export exit $rc, want 1"; }
grep -q 'record FW-1: field worker_inss' "$W/stderr" || fail "FW-1 not named in the rejection"
FI=$(ls "$W/out"/FI.DMFA.* 2>/dev/null)
[ -n "$FI" ] && [ "$(cat "$W/stdout")" = "$(basename "$FI")" ] || fail "FI name not printed"
N=$(basename "$FI" | sed 's/^FI\.//')
[ -f "$W/out/FS.$N" ] || fail "no FS"
[ -f "$W/out/GO.$(echo "$N" | sed 's/\.1$//')" ] || fail "no GO"
xmllint --noout --schema "$X/DmfAOriginal_20231.xsd" "$FI" 2>"$W/xsd" || { cat "$W/xsd"; fail "FI not valid"; }
base64 -d "$W/out/FS.$N" >"$W/fs.der" || fail "FS not base64"
openssl cms -verify -inform DER -in "$W/fs.der" -content "$FI" -binary -CAfile "$PKI/ca.crt.pem" \
	-purpose any -out /dev/null 2>"$W/cms" || { cat "$W/cms"; fail "FS does not verify"; }

eq "$FI" "count(//Form)" 1
eq "$FI" "//NOSSRegistrationNbr" 123456749
eq "$FI" "count(//NaturalPerson)" 5
A="//NaturalPerson[INSS='80010100107']"
eq "$FI" "$A//WorkerCode" 046
eq "$FI" "count($A//Occupation)" 1
eq "$FI" "$A//ServiceNbrDays" 1200
eq "$FI" "$A//ServiceNbrHours" 9600
eq "$FI" "$A//RemunAmount" 180000
eq "$FI" "$A//WorkerContribution[1]/ContributionCalculationBasis" 194400
eq "$FI" "$A//WorkerContribution[1]/ContributionAmount" 74008
ST="//NaturalPerson[INSS='02020200322']"
eq "$FI" "$ST/WorkerRecord[2]/WorkerCode" 841
eq "$FI" "$ST//StudentHoursNbr" 20
eq "$FI" "$ST//StudentContributionAmount" 1626
eq "$FI" "$ST/WorkerRecord[1]//ServiceNbrHours" 1200
J="//NaturalPerson[INSS='70070700543']"
eq "$FI" "count($J//Occupation)" 2
eq "$FI" "$J//Occupation[2]/JointCommissionNbr" 329.02
eq "$FI" "//NetOwedAmount" 137204
eq "$FI" "sum(//ContributionAmount) + sum(//StudentContributionAmount)" 137204

# Every occupation and student line names its unit (00042).
eq "$FI" "count(//Occupation[not(LocalUnitID)]) + count(//StudentContribution[not(LocalUnitID)])" 0
eq "$FI" "$A//LocalUnitID" 2000000042
# Without a unit in the record or a default for the employer: every
# contract is refused before sending, named, with the ONSS anomaly.
mkdir "$W/nounit"
"$GATEWAY" dmfa export --contracts "$F/quarter-2026q2.csv" --quarter 20262 --out "$W/nounit" --env T $S \
	>/dev/null 2>"$W/stderr-nounit"
[ $? -ne 0 ] || fail "export without units succeeded"
grep -q 'record ART-01: field employer_unit_id: anomaly 00042-001' "$W/stderr-nounit" ||
	{ cat "$W/stderr-nounit"; fail "missing unit not refused by name"; }
[ -z "$(ls "$W/nounit")" ] || fail "a DmfA without LocalUnitID was written"

# 1b. The same contracts as JSON Lines give the same declaration.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; next }
	{ printf "{"; n = 0
	  for (i = 1; i <= NF; i++) if ($i != "") { printf "%s\"%s\": \"%s\"", (n++ ? ", " : ""), h[i], $i }
	  print "}" }' "$F/quarter-2026q2.csv" >"$W/quarter.jsonl"
mkdir "$W/jsonl"
"$GATEWAY" $G dmfa export --contracts "$W/quarter.jsonl" --quarter 20262 --out "$W/jsonl" --env S $S \
	>/dev/null 2>"$W/stderrj"
[ $? -eq 1 ] || { cat "$W/stderrj"; fail "JSONL export"; }
FIJ=$(ls "$W/jsonl"/FI.DMFA.*)
eq "$FIJ" "//NetOwedAmount" 137204
eq "$FIJ" "count(//WorkerRecord)" 7

# 2. The same quarter again: refused, nothing new written.
"$GATEWAY" $G dmfa export --contracts "$F/quarter-2026q2.csv" --quarter 20262 --out "$W/out" --env T $S \
	>/dev/null 2>"$W/stderr2"
rc=$?
[ $rc -eq 1 ] || fail "re-export exit $rc, want 1"
grep -q "already filed" "$W/stderr2" || fail "re-export not refused as already filed"
[ "$(ls "$W/out"/FI.DMFA.* | wc -l)" -eq 1 ] || fail "an original was re-sent"

# 3. IDFLUX brings the BIS number: the worker is declared, second employer.
mkdir "$W/bis"
"$GATEWAY" $G dmfa export --contracts "$F/quarter-2026q2.csv" --quarter 20262 --out "$W/bis" --env T $S \
	--idflux "$F/idflux-bis.xml" >/dev/null 2>"$W/stderr3" || { cat "$W/stderr3"; fail "export with IDFLUX"; }
FI2=$(ls "$W/bis"/FI.DMFA.*)
# The default log names the IDFLUX change without the person: no INSS, name
# or birth date ([log] personal_data = shown brings them back).
grep -q "IDFLUX .*idflux-bis.xml: worker without INSS" "$W/stderr3" || fail "IDFLUX change not logged"
! grep -E -e '(^|[^0-9])[0-9]{11}([^0-9]|$)' -e 'KOWALSKA|ANNA|1990-03-03|19900303' "$W/stderr3" ||
	fail "personal data in the default log: $(cat "$W/stderr3")"
mkdir "$W/bis-shown"
"$GATEWAY" $G --set log.personal_data=shown dmfa export --contracts "$F/quarter-2026q2.csv" --quarter 20262 \
	--out "$W/bis-shown" --env T $S --idflux "$F/idflux-bis.xml" >/dev/null 2>"$W/stderr3s" || fail "export, shown"
grep -q "KOWALSKA, born 1990-03-03) -> 90430300658" "$W/stderr3s" || fail "personal_data=shown: $(cat "$W/stderr3s")"
xmllint --noout --schema "$X/DmfAOriginal_20231.xsd" "$FI2" 2>/dev/null || fail "FI with BIS not valid"
eq "$FI2" "count(//Form)" 2
eq "$FI2" "//Form[2]//NOSSRegistrationNbr" 150000120
eq "$FI2" "//NaturalPerson[INSS='90430300658']//RemunAmount" 30000
eq "$FI2" "//Form[2]//NetOwedAmount" 11451   # 300.00 x 38.07 % + 0.10 %

# 3b. The official IDFLUX samples: an outdated INSS replaced (sample 1); a
# corrected birth date (sample 2) leaves a contract with its INSS alone.
mkdir "$W/idf"
{ head -1 "$F/quarter-2026q2.csv"
  grep '^BC-1,' "$F/quarter-2026q2.csv" | sed 's/^BC-1,1,active,123456749,0456789034,80010100206,/ID-1,1,active,162518843,0456789034,29311104266,/'
  grep '^BC-2,' "$F/quarter-2026q2.csv" | sed 's/^BC-2,1,active,123456749,0456789034,80010100206,/ID-2,1,active,175702307,0456789034,78070739119,/'
} >"$W/idf/c.csv"
"$GATEWAY" $G dmfa export --contracts "$W/idf/c.csv" --quarter 20262 --out "$W/idf" --env S $S \
	--idflux "$REF/onss/samples/IDFLUX_20231_1.xml" --idflux "$REF/onss/samples/IDFLUX_20231_2.xml" \
	>/dev/null 2>"$W/stderr3b" || { cat "$W/stderr3b"; fail "export with the official IDFLUX samples"; }
FI3=$(ls "$W/idf"/FI.DMFA.*)
grep -q "IDFLUX .*IDFLUX_20231_1.xml: INSS " "$W/stderr3b" || fail "INSS change not logged"
! grep -E '(^|[^0-9])[0-9]{11}([^0-9]|$)' "$W/stderr3b" || fail "an INSS in the default log: $(cat "$W/stderr3b")"
eq "$FI3" "//Form[EmployerDeclaration/NOSSRegistrationNbr='162518843']//INSS" 29111114418
eq "$FI3" "count(//INSS[.='29311104266'])" 0
eq "$FI3" "//Form[EmployerDeclaration/NOSSRegistrationNbr='175702307']//INSS" 78070739119

# 4. Correction: ART-03 revised (modify), JC-* cancelled (delete, justified), NEW-1 (create).
"$GATEWAY" $G dmfa update --filed "$F/quarter-2026q2.csv" --contracts "$F/quarter-2026q2-rev2.csv" \
	--quarter 20262 --dmpi "$F/dmpi-2026q2.xml" --idflux "$F/idflux-bis.xml" --out "$W/out" --env T $S \
	>/dev/null 2>"$W/stderr4" || { cat "$W/stderr4"; fail "update"; }
UP=$(ls "$W/out"/FI.DMWA.*)
[ "$(ls "$W/out"/FI.DMFA.* | wc -l)" -eq 1 ] || fail "the correction re-sent an original"
xmllint --noout --schema "$X/DmfAUpdate_20231.xsd" "$UP" 2>"$W/xsd" || { cat "$W/xsd"; fail "DMWA not valid"; }
eq "$UP" "//EmployerDeclarationPID" 6000000001
eq "$UP" "count(//NaturalPersonUpdate)" 3
eq "$UP" "//NaturalPersonUpdate[INSS='80010100107']//UpdateAction" 1
eq "$UP" "//NaturalPersonUpdate[INSS='80010100107']//WorkerRecordVersionNbr" 7000000003
eq "$UP" "//NaturalPersonUpdate[INSS='80010100107']//OccupationVersionNbr" 7000000004
eq "$UP" "//NaturalPersonUpdate[INSS='80010100107']//RemunAmount" 183000
eq "$UP" "//NaturalPersonUpdate[INSS='70070700543']//UpdateAction" 0
eq "$UP" "count(//NaturalPersonUpdate[INSS='70070700543']/Justification)" 1
eq "$UP" "//NaturalPersonUpdate[INSS='91010100738']//UpdateAction" 3
eq "$UP" "count(//NaturalPersonUpdate[INSS='91010100738']/NaturalPersonPID)" 0

# 5. Nothing changed: nothing written. Bad usage: exit 2.
"$GATEWAY" $G dmfa update --filed "$F/quarter-2026q2.csv" --contracts "$F/quarter-2026q2.csv" \
	--quarter 20262 --dmpi "$F/dmpi-2026q2.xml" --out "$W/out" --env T $S >/dev/null 2>"$W/stderr5"
[ "$(ls "$W/out"/FI.DMWA.* | wc -l)" -eq 1 ] || fail "an empty correction was written"
grep -q "nothing changed" "$W/stderr5" || fail "no 'nothing changed' message"
"$GATEWAY" $G dmfa export --contracts "$F/quarter-2026q2.csv" --quarter 20265 --out "$W/out" >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad quarter not a usage error"
"$GATEWAY" $G dmfa export --help | grep -q 'dmfa export' || fail "--help"
# 6. A generated file that fails its schema is never placed: with a schema
# that accepts nothing of it, the export fails (exit 2) and leaves no FI/GO.
mkdir "$W/schema" "$W/strict"
cat >"$W/schema/DmfAOriginal_20231.xsd" <<'XSD'
<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="Nothing"/></xs:schema>
XSD
"$GATEWAY" $G --set "onss.xsd_dir=$W/schema" dmfa export --contracts "$F/quarter-2026q2.csv" --quarter 20262 \
	--out "$W/strict" --env T $S >/dev/null 2>"$W/stderr6"
rc=$?
[ $rc -eq 2 ] || fail "invalid output: exit $rc, want 2"
grep -q "fails .*Nothing\\|fails .*DmfAOriginal" "$W/stderr6" || { cat "$W/stderr6"; fail "invalid output not explained"; }
[ -z "$(ls "$W/strict" | grep -E '^(FI|FS|GO)\.')" ] || fail "an invalid submission was placed"
echo "ok: DmfA export (XSD-valid, signed, hand-computed amounts), IDFLUX BIS, no re-send, DmfAUpdate actions"
