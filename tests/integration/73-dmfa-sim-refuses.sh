#!/bin/sh
# 73-dmfa-sim-refuses.sh - the simulated ONSS catches what the ONSS would
# block (issue 13). The builder refuses a DmfA without LocalUnitID itself,
# naming the record (70-dmfa), so this test makes one the way a faulty
# builder would have: the quarter's DmfA exported with its units, the
# LocalUnitID elements (zone 00042) taken out, and the XML wrapped as a
# signed submission of its own (`gateway onss wrap`), uploaded through a
# real sshd to the batch simulator with its DmfA checks on (the default),
# and its answers polled. Each employer declaration comes back refused
# (NOTIFICATION ResultCode 0) with anomaly 00042-001, class B, the
# glossary's label and the Path of its line, once per occupation and
# student line; no permanent ids are given for a refused declaration, and
# `gateway onss show-answer` reads the refusal.
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

work=$(mktemp -d "${TMPDIR:-/tmp}/gw-dmfa-sim.XXXXXX")
sim_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	sftp_stop
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; [ -f "$work/sim.log" ] && tail -n 15 "$work/sim.log"; exit 1; }

sftp_start || fail "sshd did not start"
mkdir -p "$work/outbox" "$work/answers"
cat > "$work/gateway.conf" <<EOF
reference_dir = $REF
[queue]
dsn = $work/queue.db
[dimona]
channel = onss-batch
[signing]
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
[onss_batch]
sender = 012996
env = T
outbox = $work/outbox
answers = $work/answers
poll_interval_ms = 100
sftp_url = $SFTP_URL
sftp_user = $SFTP_USER
sftp_key = $SFTP_KEY
sftp_host_sha256 = $SFTP_HOST_SHA256
sim_ca = $TOP/certs/out/onss/ca.crt.pem
EOF
gw() { "$GATEWAY" --config "$work/gateway.conf" "$@"; }
# No --dmfa-checks: the checks are on by default.
"$GATEWAY" --config "$work/gateway.conf" sim batch --root "$SFTP_ROOT" --state "$work/sim-state" \
	--interval-ms 50 >"$work/sim.log" 2>&1 &
sim_pid=$!

json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# ---- 1. the quarter's DmfA with its units, then without them, wrapped
grep -v '^C-2026-120501,2,' fixtures/contracts/sample.csv >"$work/q4.csv"
gw --set dmfa.local_units=051234526=2000000042,123456749=3000000063 dmfa export --contracts "$work/q4.csv" \
	--quarter 20264 --out "$work/export" --sender 012996 --env T >"$work/x.out" 2>"$work/x.err"
[ $? -le 1 ] || fail "dmfa export: $(cat "$work/x.err")"
xfi=$(ls "$work/export" | grep '^FI\.DMFA\.' | head -n 1)
[ -n "$xfi" ] && grep -q '<LocalUnitID>' "$work/export/$xfi" || fail "the export has no LocalUnitID to take out"
sed 's#<LocalUnitID>[0-9]*</LocalUnitID>##g' "$work/export/$xfi" >"$work/nounit.xml"
grep -q '<LocalUnitID>' "$work/nounit.xml" && fail "a LocalUnitID is left"
gw onss wrap --purpose DMFA --xml "$work/nounit.xml" --out "$work/outbox" --sender 012996 --env T \
	>"$work/wrap.out" 2>"$work/wrap.err" || fail "onss wrap: $(cat "$work/wrap.err")"
fi1=$(ls "$work/outbox" | grep '^FI\.DMFA\.' | head -n 1)
[ -n "$fi1" ] || fail "no FI written by onss wrap: $(cat "$work/wrap.out")"

# ---- 2. uploaded through sshd, answered by the simulator, polled
gw onss upload --dir "$work/outbox" "$fi1" >"$work/up.out" 2>"$work/up.err" || fail "upload: $(cat "$work/up.err")"
i=0
while [ "$(ls "$SFTP_ROOT/OUTTEST" 2>/dev/null | grep -c '^FO\.NOTI')" -lt 1 ]; do
	i=$((i + 1)); [ "$i" -lt 600 ] || fail "no NOTIFICATION from the simulator"; sleep 0.1
done
gw onss poll --env T --dir "$work/answers" >"$work/poll.out" 2>"$work/poll.err" || fail "poll: $(cat "$work/poll.err")"
kill -0 "$sim_pid" 2>/dev/null || fail "the batch simulator died"

# The NOTIFICATION itself: ResultCode 0, every anomaly 00042-001 of class B
# with the glossary's label (read independently of the gateway's parser).
noti=$(find "$work/answers" -name 'FO.NOTI.012996.*' | while read -r f; do
	grep -q '<ErrorID>00042-001</ErrorID>' "$f" && echo "$f"; done | head -n 1)
[ -n "$noti" ] || fail "no NOTIFICATION with 00042-001 among the answers: $(find "$work/answers" -type f)"
xmllint --noout --schema "$REF/onss/xsd/NOTIFICATION_20223.xsd" "$noti" 2>"$work/xsd.err" ||
	fail "the NOTIFICATION does not validate: $(tail -n 3 "$work/xsd.err")"
grep -q '<ResultCode>1</ResultCode>' "$noti" && fail "a declaration without LocalUnitID was accepted"
grep -q '<AnomalyReport><ErrorID>00042-001</ErrorID><TagName>LocalUnitID</TagName><AnomalyClass>B</AnomalyClass><AnomalyLabel>Niet aanwezig</AnomalyLabel>' "$noti" ||
	fail "00042-001 without its class and label: $(grep -o '<AnomalyReport>.*' "$noti" | head -c 400)"
# Each names its worker line and occupation in Path.
grep -q '<AnomalyLabel>Niet aanwezig</AnomalyLabel><Path><INSS>[0-9]\{11\}</INSS><EmployerClass>[0-9]\{3\}</EmployerClass><WorkerCode>[0-9]\{3\}</WorkerCode><OccupationSequenceNbr>[0-9]*</OccupationSequenceNbr></Path>' "$noti" ||
	fail "00042-001 without the Path of its occupation"
gw onss show-answer "$noti" >"$work/noti.json" || fail "the gateway cannot read the NOTIFICATION"
[ "$(json "$work/noti.json" 'sum(1 for f in d["forms"] if f["result_code"] == 0)')" = \
  "$(json "$work/noti.json" 'len(d["forms"])')" ] || fail "not every declaration refused"
# The number of 00042-001 equals the occupations and student lines of the
# FI, counted from the file itself.
want=$(( $(grep -o '<Occupation>' "$work/nounit.xml" | wc -l) + $(grep -o '<StudentContribution>' "$work/nounit.xml" | wc -l) ))
got=$(find "$work/answers" -name 'FO.NOTI.012996.*' -exec grep -o '<ErrorID>00042-001</ErrorID>' {} + | wc -l)
[ "$got" -eq "$want" ] || fail "$got anomalies 00042-001 for $want occupations and student lines"

# A refused declaration has no permanent ids.
find "$work/answers" "$SFTP_ROOT/OUTTEST" -name 'FO.DMPI.*' | grep -q . && fail "a DMPI for a refused DmfA"
grep -q "0 accepted, 2 refused" "$work/sim.log" || fail "the simulator did not log the refusal"
echo "ok: DmfA without LocalUnitID refused by the simulator through sshd: $got x 00042-001 (B, Niet aanwezig) over $want lines of $fi1"
