#!/bin/sh
# 75-dmfa-contrib.sh - the contribution engine end to end through
# `gateway dmfa export`: a table with two employers (category, size, closure
# fund) and the reduction formulas (test values, the same as
# tests/unit/test_dmfa_contrib.c, where every amount is computed by hand),
# each employer's EmployerClass and NetOwedAmount, flexi pay under code 22,
# the FI valid against the official XSD; a FLX contract under an ordinary
# code refused naming 90015-485, a DWD contract left out of the DmfA.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}" "${REF:?}"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
X=$REF/onss/xsd
PKI=$TOP/certs/out/onss
[ -f "$PKI/org.key.pem" ] || sh "$TOP/certs/gen-test-pki.sh" >/dev/null 2>&1 || fail "test PKI"
xp() { xmllint --xpath "string($2)" "$1" 2>/dev/null; }
eq() { got=$(xp "$1" "$2"); [ "$got" = "$3" ] || fail "$2: got '$got', want '$3'"; }

cat >"$W/params.txt" <<'T'
20231 rate.student 8.13 | test
20231 student.hours_quota 600 | test
20231 part.personal.any 13.07 | test
20231 part.employer.000 25.00 | test
20231 part.employer.010 32.40 | test
20231 part.holiday.any 5.57 | test
20241 part.flexi.any 28.00 | test
20231 code.046 ordinary 108 1 personal,employer,holiday | test
20231 code.495 ordinary 100 0 personal,employer | test
20231 code.050 flexi 0 flexi | test
20231 supp.855.ten 0 1.69 min=10 | test
20231 supp.810.small 0 0.12 max=20 fso=810 | test
20231 supp.810.large 0 0.17 min=20 fso=810 | test
20231 supp.811.all 0 0.02 fso=811 | test
20231 supp.859.all 0 0.09 | test
20231 employer.051234526 000 25 810 | test
20231 employer.123456749 010 5 811 | test
20241 reduce.3000.any 0.00 0.1400 9035.00 | test
20241 reduce.4300 1000.00 517.00 5418.48 046 | test
T
cat >"$W/q.csv" <<'C'
contract_id,revision,status,employer_noss,employer_kbo,worker_inss,worker_type,joint_committee,worker_code,start_date,start_time,end_date,end_time,planned_hours,days_worked,hours_worked,gross_wage_cents
A-1,1,active,051234526,0456789034,85073003328,OTH,304,046,2026-11-05,,2026-11-05,,,1,8,10000
F-1,1,active,051234526,0456789034,88092303720,FLX,302,050,2026-11-06,18:00,2026-11-06,23:00,,1,6,9000
W-1,1,active,123456749,0477472701,91041218437,OTH,200,495,2026-11-02,,2026-11-27,,,20,152,300000
D-1,1,active,051234526,0456789034,95062909604,DWD,304,046,2026-11-07,,2026-11-07,,,1,8,5000
X-1,1,active,051234526,0456789034,02051432243,FLX,302,015,2026-11-08,18:00,2026-11-08,23:00,,1,5,7000
C
mkdir "$W/out"
"$GATEWAY" --set dmfa.employer_class=999 --set dmfa.local_units=051234526=5000000008,123456749=2000000042 dmfa export --contracts "$W/q.csv" --quarter 20264 --out "$W/out" \
	--env T --sign-cert "$PKI/org.crt.pem" --sign-key "$PKI/org.key.pem" --params "$W/params.txt" \
	>"$W/stdout" 2>"$W/stderr"
rc=$?
[ $rc -eq 1 ] || { cat "$W/stderr"; fail "export exit $rc, want 1 (X-1 rejected)"; }
grep -q 'record X-1: field worker_code: .*90015-485' "$W/stderr" || fail "X-1 not refused with 90015-485: $(cat "$W/stderr")"
[ "$(grep -c 'record ' "$W/stderr")" -eq 1 ] || fail "more than X-1 rejected: $(cat "$W/stderr")"
FI=$(ls "$W/out"/FI.DMFA.* 2>/dev/null)
[ -n "$FI" ] || fail "no FI"
xmllint --noout --schema "$X/DmfAOriginal_20231.xsd" "$FI" 2>"$W/xsd" || { cat "$W/xsd"; fail "FI not valid"; }

E1="//Form[.//NOSSRegistrationNbr='051234526']"
E2="//Form[.//NOSSRegistrationNbr='123456749']"
# The DWD contract owes nothing and is not declared.
eq "$FI" "count(//NaturalPerson[INSS='95062909604'])" 0
eq "$FI" "count($E1//NaturalPerson)" 2
# Each employer's class from its table line, not [dmfa] employer_class (999).
eq "$FI" "$E1//WorkerRecord[1]/EmployerClass" 000
eq "$FI" "$E2//WorkerRecord[1]/EmployerClass" 010
# Artist A-1 (see test_artist_reductions): 046 line 4713, 855 183, 810 18,
# 859 10, structural reduction 546, artists' reduction 1538: 2840.
A="$E1//WorkerRecord[WorkerCode='046']"
eq "$FI" "$A/WorkerContribution[ContributionWorkerCode='046']/ContributionAmount" 4713
eq "$FI" "$A/WorkerContribution[ContributionWorkerCode='855']/ContributionAmount" 183
eq "$FI" "$A//OccupationDeduction[DeductionCode='3000']/DeductionAmount" 546
eq "$FI" "$A//OccupationDeduction[DeductionCode='4300']/DeductionAmount" 1538
# Flexi F-1: 90.00 EUR x 28 % = 2520, pay under remuneration code 22.
F="$E1//WorkerRecord[WorkerCode='050']"
eq "$FI" "$F//RemunCode" 022
eq "$FI" "count($F/WorkerContribution)" 1
eq "$FI" "$F/WorkerContribution/ContributionAmount" 2520
eq "$FI" "$E1//NetOwedAmount" 5360
# White-collar W-1 at the category-010 employer of 5 workers, FSO 811 (see
# test_small_nonprofit_employer): 136410 + 811 60 + 859 270 = 136740; no 855.
eq "$FI" "count($E2//WorkerContribution[ContributionWorkerCode='855'])" 0
eq "$FI" "$E2//WorkerContribution[ContributionWorkerCode='811']/ContributionAmount" 60
eq "$FI" "$E2//NetOwedAmount" 136740
echo "ok 75-dmfa-contrib"
