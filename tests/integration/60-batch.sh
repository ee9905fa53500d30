#!/bin/sh
# 60-batch.sh - the ONSS batch channel end to end through a real sshd:
# a Dimona batch made of BATCH_N generated contracts (default 12000: over
# 10,000 declarations) and a DmfA file
# are written as signed FI/FS/GO, uploaded over SFTP, processed by the
# simulated ONSS batch processor behind sshd, and every answer (ACRF, NOTI,
# IDFL, DMPI) is downloaded, schema-checked and read back; then each failure
# case (duplicate name, missing FS, bad signature, schema error, wrong
# environment folder) must come back as an ACRF refusal with its error id.
# Every FS is also checked by `openssl cms -verify` against the test CA.
#
# Env: TOP, GATEWAY, REF, BUILD (from tests/run-all.sh), BATCH_N.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
N=${BATCH_N:-12000}
BATCH_TAG=gw-batch-test
. "$(dirname "$0")/lib/batch-env.sh"

mkdir -p "$work/out" "$work/answers" "$work/bad"
echo "answer_ca = $TOP/certs/out/onss/ca.crt.pem" >> "$work/gateway.conf"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# ---- 1. a Dimona batch of N declarations -------------------------------
# N contracts from the project's generator (bench/gen_contracts), exported
# by `gateway dimona export` into FI/FS/GO. What the file must hold is
# counted here from the CSV, independently of the gateway: one form per
# active contract (highest revision), except those refused before sending,
# each named on stderr with its anomaly: joint committee 124 (construction
# cards, 00663-001) and a flexi job declared more than 31 days before its
# quarter starts (00910-008, by the pinned date); cancelled contracts are
# never declared. Exit 1 exactly when something was refused.
make -s BUILD="$BUILD" "$BUILD/bench/gen_contracts" >/dev/null 2>&1 || fail "bench/gen_contracts cannot be built"
"$TOP/$BUILD/bench/gen_contracts" "$N" 7 > "$work/contracts.csv" || fail "gen_contracts"
# One submission, whatever its size: this round trip is about a batch of more
# than 10,000 forms (the split at [onss_batch] max_forms is 22-dimona-export's).
gw --set onss_batch.max_forms=1000000 dimona export --contracts "$work/contracts.csv" --out "$work/out" --sender 012996 --env T \
	>"$work/export.out" 2>"$work/export.err"
export_rc=$?
fi_dimona=$(ls "$work/out" | grep '^FI\.DIMN\.' | head -n 1)
[ -n "$fi_dimona" ] || fail "dimona export wrote no FI: $(tail -n 3 "$work/export.err")"
cp "$work/out/$fi_dimona" "$work/dimona.xml"
how="gen_contracts $N + gateway dimona export"
python3 - "$work/contracts.csv" "$work/dimona.xml" "$work/export.err" "$export_rc" "$(clock_date)" <<'PY' || fail "the Dimona batch is not what the contracts call for"
import csv, re, sys
best = {}
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    c = r["contract_id"]
    if c not in best or int(r["revision"]) > int(best[c]["revision"]):
        best[c] = r
import datetime
today = datetime.date.fromisoformat(sys.argv[5])
def flexi_too_early(r):
    start = datetime.date.fromisoformat(r["start_date"])
    qstart = datetime.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    return r["worker_type"] == "FLX" and today < qstart - datetime.timedelta(days=31)
active = {c: r for c, r in best.items() if r["status"] == "active"}
cards = {c for c, r in active.items() if r["joint_committee"] == "124"}
early = {c for c, r in active.items() if c not in cards and flexi_too_early(r)}
refused = cards | early
declared = set(active) - refused
xml = open(sys.argv[2], encoding="utf-8").read()
forms = xml.count("<Form>")
refs = re.findall(r"<ReferenceNbr>([^<]*)</ReferenceNbr>", xml)
err = open(sys.argv[3], encoding="utf-8").read()
named_cards = set(re.findall(r"record ([^\s:]+): .*construction_cards_required 00663-001", err))
named_early = set(re.findall(r"record ([^\s:]+): .*flexi_not_too_early 00910-008", err))
errs = []
if forms != len(declared) or set(refs) != declared or len(refs) != forms:
    errs.append("%d forms (%d distinct references), want %d; missing %s, unexpected %s"
                % (forms, len(set(refs)), len(declared), sorted(declared - set(refs))[:5], sorted(set(refs) - declared)[:5]))
if named_cards != cards:
    errs.append("construction records named on stderr: %d, want %d (%s)" % (len(named_cards), len(cards), sorted(cards ^ named_cards)[:5]))
if named_early != early:
    errs.append("flexi jobs named too early on stderr: %d, want %d (%s)" % (len(named_early), len(early), sorted(early ^ named_early)[:5]))
want_rc = 1 if refused else 0
if int(sys.argv[4]) != want_rc:
    errs.append("export exit %s, want %d" % (sys.argv[4], want_rc))
for e in errs:
    print(e)
sys.exit(1 if errs else 0)
PY
forms=$(grep -o '<Form>' "$work/dimona.xml" | wc -l)
[ -n "${BATCH_N:-}" ] || [ "$forms" -ge 10000 ] || fail "fewer than 10,000 declarations ($forms) in the batch"

# The simulated ONSS, told that the first worker's INSS has changed (IDFLUX).
old_inss=$(grep -o '<INSS>[0-9]*</INSS>' "$work/dimona.xml" | head -n 1 | sed 's/<[^>]*>//g')
new_inss=90010199949
"$GATEWAY" --config "$work/gateway.conf" sim batch --root "$SFTP_ROOT" --state "$work/sim-state" \
	--interval-ms 50 --inss-change "$old_inss:$new_inss:DUPONT:JEAN:1990-01-01:1" --sign-answers \
	>"$work/sim.log" 2>&1 &
sim_pid=$!

case $fi_dimona in FI.DIMN.012996.*.00001.T.1.1) ;; *) fail "unexpected FI name $fi_dimona" ;; esac
base=${fi_dimona#FI.}
[ -f "$work/out/FS.$base" ] || fail "no FS"
[ -f "$work/out/GO.${base%.1}" ] && [ ! -s "$work/out/GO.${base%.1}" ] || fail "no empty GO"

# openssl cms -verify with the test CA accepts the FS (base64 -> DER first).
verify_fs() { # dir fi
	b=${2#FI.}
	openssl base64 -d -in "$1/FS.$b" -out "$work/fs.der" &&
	openssl cms -verify -binary -inform DER -in "$work/fs.der" -content "$1/$2" \
		-CAfile "$TOP/certs/out/onss/ca.crt.pem" -out /dev/null 2>"$work/cms.err"
}
verify_fs "$work/out" "$fi_dimona" || fail "openssl cms -verify refuses $fi_dimona: $(cat "$work/cms.err")"

names_ok "$work/out"
gw onss upload --dir "$work/out" "$fi_dimona" 2>"$work/upload.log" || fail "upload: $(cat "$work/upload.log")"
seq=${base#DIMN.012996.}; seq=${seq#*.}; seq=${seq%%.*}
wait_for OUTTEST "FO.NOTI.012996.*.$seq.T" 1
gw onss poll --env T --dir "$work/answers" >"$work/poll.out" 2>"$work/poll.log" || fail "poll: $(cat "$work/poll.log")"
[ -z "$(ls "$SFTP_ROOT/OUTTEST")" ] || fail "answers left on the server after the poll"
[ -z "$(ls "$SFTP_ROOT/INTEST")" ] || fail "the processor left files in INTEST"
names_ok "$work/answers"
# Every answer is signed here, and openssl (not the gateway) accepts each.
for f in "$work/answers"/FO.*; do
	cms_answer_ok "$f" || fail "openssl cms -verify refuses the signed answer $f: $(cat "$work/cms.err")"
done
acrf=$(ls "$work/answers" | grep "^FO.ACRF.012996.*.$seq.T$") || fail "no ACRF downloaded"
noti=$(ls "$work/answers" | grep "^FO.NOTI.012996.*.$seq.T$") || fail "no NOTI downloaded"
gw onss show-answer "$work/answers/$acrf" >"$work/acrf.json" || fail "ACRF unreadable"
[ "$(json "$work/acrf.json" 'd["result_code"]')" = 1 ] || fail "ACRF refused the Dimona batch"
ticket=$(json "$work/acrf.json" 'd["ticket"]')
# The simulated ONSS signs its answers here: each is verified before it is read.
[ "$(json "$work/acrf.json" 'd["signature"]["verified"]')" = True ] || fail "signed ACRF not verified"
head -c 2 "$work/answers/$acrf" | grep -q MI || fail "the ACRF was not signed"
cp "$work/answers/$acrf" "$work/tampered"
sed -i '5s/A/B/; 5s/a/b/' "$work/tampered"
gw onss show-answer "$work/tampered" >/dev/null 2>"$work/tampered.err" && fail "a tampered signed answer was read"
grep -q "signed answer refused" "$work/tampered.err" || fail "tampered answer: $(cat "$work/tampered.err")"
cms_answer_ok "$work/tampered" && fail "openssl cms -verify accepts the tampered answer"
[ "$(json "$work/acrf.json" 'd["file_name"]')" = "GO.${base%.1}" ] || fail "ACRF echoes another file"
gw onss show-answer "$work/answers/$noti" >"$work/noti.json" || fail "NOTI unreadable"
accepted=$(json "$work/noti.json" 'sum(1 for f in d["forms"] if f["result_code"] == 1 and f.get("dimona_impact"))')
[ "$accepted" = "$forms" ] || fail "$accepted of $forms declarations accepted with a period"
refs=$(json "$work/noti.json" 'len(set(r["number"] for f in d["forms"] for r in f.get("references", []) if r["origin"] == 1))')
[ "$refs" = "$forms" ] || fail "NOTI echoes $refs distinct references, want $forms"
[ "$(json "$work/noti.json" 'len(set(f["ticket"] for f in d["forms"]))')" = 1 ] || fail "NOTI tickets differ"
[ "$(json "$work/noti.json" 'd["ticket"]')" = "$ticket" ] || fail "NOTI ticket is not the ACRF ticket"
idfl=$(ls "$work/answers" | grep "^FO.IDFL.012996.*.$seq.T") || fail "no IDFLUX for the changed INSS"
gw onss show-answer "$work/answers/$idfl" >"$work/idfl.json" || fail "IDFLUX unreadable"
[ "$(json "$work/idfl.json" 'd["outdated"]["inss"]')" = "$old_inss" ] || fail "IDFLUX outdated INSS"
[ "$(json "$work/idfl.json" 'd["valid"]["inss"]')" = "$new_inss" ] || fail "IDFLUX valid INSS"
echo "dimona ($how): $forms declarations accepted, ticket $ticket, IDFLUX $old_inss -> $new_inss"

# The same batch again, to a restarted processor: its ledger is durable,
# so the rules still see the periods already declared.
kill "$sim_pid" && wait "$sim_pid" 2>/dev/null
# This processor also takes the DmfA of part 2. The builder cannot pass the simulator's DmfA checks yet (no LocalUnitID):
"$GATEWAY" --config "$work/gateway.conf" sim batch --root "$SFTP_ROOT" --state "$work/sim-state" \
	--interval-ms 50 --sign-answers >>"$work/sim.log" 2>&1 &
sim_pid=$!
fi_again=$(gw onss wrap --purpose DIMN --xml "$work/dimona.xml" --out "$work/out") || fail "wrap 2"
verify_fs "$work/out" "$fi_again" || fail "openssl cms -verify refuses $fi_again: $(cat "$work/cms.err")"
gw onss upload --dir "$work/out" "$fi_again" 2>>"$work/upload.log" || fail "upload 2"
seq2=${fi_again#FI.DIMN.012996.}; seq2=${seq2#*.}; seq2=${seq2%%.*}
wait_for OUTTEST "FO.NOTI.012996.*.$seq2.T" 1
gw onss poll --env T --dir "$work/answers" >/dev/null 2>>"$work/poll.log" || fail "poll 2"
gw onss show-answer "$work/answers/$(ls "$work/answers" | grep "^FO.NOTI.012996.*.$seq2.T$")" >"$work/noti2.json" || fail "NOTI 2"
dup=$(json "$work/noti2.json" 'sum(1 for f in d["forms"] if f["result_code"] == 0 and any(e["class"] == "B" for e in f["errors"]))')
[ "$dup" = "$forms" ] || fail "a repeated declaration was not refused with a blocking anomaly ($dup of $forms)"
code=$(json "$work/noti2.json" 'd["forms"][0]["errors"][0]["id"]')
label=$(json "$work/noti2.json" 'd["forms"][0]["errors"][0]["label_fr"]')
echo "dimona again: $forms refused, e.g. $code ($label)"

# ---- 2. a DmfA file ------------------------------------------------------
q=20264
# The generated contracts: a quarter of thousands of workers.
dmfa_in="$work/contracts.csv"
# Every employer of the generated contracts gets a default establishment
# unit (DmfA LocalUnitID, zone 00042); without one the DmfA refuses them.
units=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "employer_noss") c = i; next }
	{ print $c "=2000000042" }' "$dmfa_in" | sort -u | paste -sd, -)
gw --set "dmfa.local_units=$units" dmfa export --contracts "$dmfa_in" --quarter $q --out "$work/out" --sender 012996 --env T \
	>"$work/dmfa.out" 2>"$work/dmfa.err"
if [ $? -le 1 ] && ls "$work/out" | grep -q '^FI\.DMFA\.'; then
	fi_dmfa=$(ls "$work/out" | grep '^FI\.DMFA\.' | head -n 1)
	[ -n "$fi_dmfa" ] || fail "dmfa export wrote no FI"
	verify_fs "$work/out" "$fi_dmfa" || fail "openssl cms -verify refuses $fi_dmfa"
	gw onss upload --dir "$work/out" "$fi_dmfa" 2>>"$work/upload.log" || fail "upload dmfa"
	sq=$(echo "$fi_dmfa" | cut -d. -f5)
	wait_for OUTTEST "FO.ACRF.*.$sq.T" 1
	# Read the receipt where it lies: an accepted DmfA also gets NOTI and DMPI.
	gw onss show-answer "$SFTP_ROOT/OUTTEST/$(ls "$SFTP_ROOT/OUTTEST" | grep "^FO.ACRF.*.$sq.T$" | head -n 1)" >"$work/dacrf.json"
	[ "$(json "$work/dacrf.json" 'd["result_code"]')" = 1 ] || fail "DmfA refused: $(json "$work/dacrf.json" 'd["errors"]')"
	wait_for OUTTEST "FO.DMPI.*.$sq.T" 1
	gw onss poll --env T --dir "$work/answers" >/dev/null 2>>"$work/poll.log" || fail "poll dmfa"
	dmpi=$(ls "$work/answers" | grep "^FO.DMPI.*.$sq.T$") || fail "DMPI not downloaded"
	for f in "$work/answers"/FO.*.$sq.T; do
		cms_answer_ok "$f" || fail "openssl cms -verify refuses the signed answer $f: $(cat "$work/cms.err")"
	done
	names_ok "$work/answers"
	ls "$work/answers" | grep -q "^FO.NOTI.*.$sq.T$" || fail "DmfA NOTI not downloaded"
	gw onss show-answer "$work/answers/$dmpi" >"$work/dmpi.json" || fail "DMPI unreadable"
	persons=$(json "$work/dmpi.json" 'len(d["permanent_ids"]["natural_persons"])')
	[ "$persons" -ge 1 ] || fail "DMPI without natural persons"
	echo "dmfa: $fi_dmfa accepted, DMPI with $persons natural persons"
else
	fail "gateway dmfa export wrote no DmfA: $(head -c 300 "$work/dmfa.err")"
fi

# ---- 3. failure cases -----------------------------------------------------
# expect_refusal LABEL GO_NAME ERROR_ID FOLDER
expect_refusal() {
	s=$(echo "$2" | cut -d. -f5)
	wait_for "$4" "FO.ACRF.*.$s.T" 1
	f=$(ls "$SFTP_ROOT/$4" | grep "FO.ACRF.*.$s.T" | head -n 1)
	gw onss show-answer "$SFTP_ROOT/$4/$f" >"$work/r.json" || fail "$1: ACRF unreadable"
	rm -f "$SFTP_ROOT/$4/$f"
	[ "$(json "$work/r.json" 'd["result_code"]')" = 0 ] || fail "$1: not refused"
	[ "$(json "$work/r.json" 'd["file_name"]')" = "$2" ] || fail "$1: ACRF names $(json "$work/r.json" 'd["file_name"]')"
	got=$(json "$work/r.json" 'd["errors"][0]["id"]')
	[ "$got" = "$3" ] || fail "$1: got $got, want $3"
	echo "$1: $got $(json "$work/r.json" 'd["errors"][0]["label_fr"]')"
}
go_of() { b=${1#FI.}; echo "GO.${b%.1}"; }

# Duplicate file name: the first submission again, byte for byte.
gw onss upload --dir "$work/out" "$fi_dimona" 2>>"$work/upload.log" || fail "re-upload"
expect_refusal "duplicate name" "$(go_of "$fi_dimona")" ACRF-133 OUTTEST

# Missing FS.
head -n 3 "$work/dimona.xml" > "$work/small.xml"; echo "</Dimona>" >> "$work/small.xml"
fi_nofs=$(gw onss wrap --purpose DIMN --xml "$work/small.xml" --out "$work/out") || fail "wrap nofs"
rm -f "$work/out/FS.${fi_nofs#FI.}"
gw onss upload --dir "$work/out" "$fi_nofs" 2>>"$work/upload.log" || fail "upload nofs"
expect_refusal "missing FS" "$(go_of "$fi_nofs")" ACRF-122 OUTTEST

# Bad signature: FI changed after signing.
fi_bad=$(gw onss wrap --purpose DIMN --xml "$work/small.xml" --out "$work/out") || fail "wrap bad"
printf '<!-- changed after signing -->\n' >> "$work/out/$fi_bad"
verify_fs "$work/out" "$fi_bad" && fail "openssl accepts a changed FI"
gw onss upload --dir "$work/out" "$fi_bad" 2>>"$work/upload.log" || fail "upload bad"
expect_refusal "bad signature" "$(go_of "$fi_bad")" ACRF-125 OUTTEST

# Signed by a certificate of another CA.
fi_rogue=$(gw onss wrap --purpose DIMN --xml "$work/small.xml" --out "$work/out" \
	--sign-cert "$TOP/certs/out/bad/wrong-ca.crt.pem" --sign-key "$TOP/certs/out/bad/key.pem") || fail "wrap rogue"
gw onss upload --dir "$work/out" "$fi_rogue" 2>>"$work/upload.log" || fail "upload rogue"
expect_refusal "wrong CA" "$(go_of "$fi_rogue")" ACRF-125 OUTTEST
grep -q "code 1104" "$work/sim.log" || fail "the simulator did not name signature code 1104"

# Schema error: a Dimona without its mandatory StartingDate.
sed 's#<StartingDate>[^<]*</StartingDate>##' "$work/small.xml" > "$work/invalid.xml"
fi_xsd=$(gw onss wrap --purpose DIMN --xml "$work/invalid.xml" --out "$work/out") || fail "wrap xsd"
gw onss upload --dir "$work/out" "$fi_xsd" 2>>"$work/upload.log" || fail "upload xsd"
expect_refusal "schema error" "$(go_of "$fi_xsd")" ACRF-102 OUTTEST

# Wrong environment folder: a T submission put into IN (production).
fi_env=$(gw onss wrap --purpose DIMN --xml "$work/small.xml" --out "$work/out") || fail "wrap env"
b=${fi_env#FI.}
printf 'put %s/%s /IN/%s\nput %s/FS.%s /IN/FS.%s\nput %s/GO.%s /IN/GO.%s\n' \
	"$work/out" "$fi_env" "$fi_env" "$work/out" "$b" "$b" "$work/out" "${b%.1}" "${b%.1}" |
	sed "s#/IN/#${SFTP_URL#sftp://127.0.0.1:$SFTP_PORT}IN/#g" > "$work/sftp.batch"
sftp -q -b "$work/sftp.batch" -i "$SFTP_KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-P "$SFTP_PORT" "$SFTP_USER@127.0.0.1" >/dev/null 2>"$work/sftp.err" || fail "sftp put: $(cat "$work/sftp.err")"
expect_refusal "wrong folder" "GO.${b%.1}" ACRF-119 OUT

# A GO whose name breaks the rules (no sequence number, no environment).
: > "$work/GO.DIMN.012996.bad"
printf 'put %s %sINTEST/GO.DIMN.012996.bad\n' "$work/GO.DIMN.012996.bad" "${SFTP_URL#sftp://127.0.0.1:$SFTP_PORT}" > "$work/sftp.batch"
sftp -q -b "$work/sftp.batch" -i "$SFTP_KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-P "$SFTP_PORT" "$SFTP_USER@127.0.0.1" >/dev/null 2>"$work/sftp.err" || fail "sftp put: $(cat "$work/sftp.err")"
i=0
bad_acrf=""
while [ -z "$bad_acrf" ]; do
	for f in "$SFTP_ROOT"/OUTTEST/FO.ACRF.*; do
		[ -f "$f" ] && grep -q "GO.DIMN.012996.bad" "$f" 2>/dev/null && bad_acrf=$f
		[ -f "$f" ] && head -c 2 "$f" | grep -q MI && gw onss show-answer "$f" 2>/dev/null | grep -q "GO.DIMN.012996.bad" && bad_acrf=$f
	done
	i=$((i + 1)); [ $i -gt 300 ] && fail "no ACRF for a badly named GO"
	[ -z "$bad_acrf" ] && sleep 0.1
done
gw onss show-answer "$bad_acrf" >"$work/r.json" || fail "ACRF for the bad name unreadable"
[ "$(json "$work/r.json" 'd["errors"][0]["id"]')" = ACRF-107 ] || fail "bad GO name: $(json "$work/r.json" 'd["errors"]')"
echo "bad GO name: ACRF-107 $(json "$work/r.json" 'd["errors"][0]["label_fr"]')"

# An unpinned or wrongly pinned host is refused before anything is sent.
sed "s#^sftp_host_sha256 = .*#sftp_host_sha256 = AAAA$SFTP_HOST_SHA256#" "$work/gateway.conf" > "$work/badpin.conf"
if "$GATEWAY" --config "$work/badpin.conf" onss upload --dir "$work/out" "$fi_env" 2>"$work/pin.err"; then
	fail "upload to a host with another key succeeded"
fi
grep -qi "fingerprint\|verif" "$work/pin.err" || fail "pin refusal not explained: $(cat "$work/pin.err")"

echo "batch channel: $forms Dimona + DmfA through sshd, signed answers verified, 7 failure cases refused with their ACRF ids"
