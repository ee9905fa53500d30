#!/bin/sh
# 73-dmfa-sim-refuses.sh - the simulated ONSS catches what the ONSS would
# block (issue 13): the contracts of 2026Q4 taken in, their Dimona sent on
# the batch channel, `gateway dmfa queue` files the DmfA the builder writes
# today (no LocalUnitID, zone 00042) and `gateway run` sends it through a
# real sshd to the batch simulator with its DmfA checks on (the default).
# Each employer declaration comes back refused (NOTIFICATION ResultCode 0)
# with anomaly 00042-001, class B, and the glossary's label; no permanent
# ids are given for a refused declaration; the gateway records the refusal
# with the anomaly on the DmfA message, and the Dimona are still accepted.
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

E1=DMFA:20264:051234526
E2=DMFA:20264:123456749
state_of() { # record [kind] -> state of its newest message of that kind (default dmfa)
	gw show "$1" | awk -v k="${2:-dmfa}" '/^kind:/{m=($2==k)} m&&/^state:/{print $2; exit}'
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# ---- 1. the quarter's contracts and their Dimona
grep -v '^C-2026-120501,2,' fixtures/contracts/sample.csv >"$work/q4.csv"
gw intake --contracts "$work/q4.csv" >"$work/intake.out" 2>"$work/intake.err"
[ $? -le 1 ] || fail "intake: $(cat "$work/intake.err")"

# ---- 2. the DmfA as the builder writes it today: no LocalUnitID
gw dmfa queue --quarter 20264 >"$work/q.out" 2>"$work/q.err"
[ $? -le 1 ] || fail "dmfa queue: $(cat "$work/q.err")"
grep -q "^$E1: queued dmfa " "$work/q.out" || fail "no original for 051234526: $(cat "$work/q.out")"
for fi in $(ls "$work/outbox" | grep '^FI\.DMFA\.'); do
	grep -q '<LocalUnitID>' "$work/outbox/$fi" &&
		fail "$fi has a LocalUnitID: this test needs a DmfA without one (see its header)"
done

# ---- 3. sent through sshd, answered by the simulator, applied
rc=0
timeout 180 "$GATEWAY" --config "$work/gateway.conf" run --until-idle >"$work/run.out" 2>"$work/run.err" || rc=$?
[ "$rc" -eq 1 ] || fail "gateway run exit $rc, want 1 (the DmfA is refused): $(tail -n 5 "$work/run.err")"
kill -0 "$sim_pid" 2>/dev/null || fail "the batch simulator died"

# The gateway records the refusal, with the anomaly, on each DmfA message.
for e in $E1 $E2; do
	st=$(state_of $e)
	[ "$st" = refused ] || { gw show $e; fail "$e is $st, not refused"; }
	gw show $e | grep -q "00042-001 B LocalUnitID" || { gw show $e; fail "$e: 00042-001 not recorded"; }
done
[ "$(state_of C-2026-120601 dimona-in)" = accepted ] || fail "the Dimona IN of C-2026-120601 was not accepted"

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
fi1=$(ls "$work/outbox" | grep '^FI\.DMFA\.' | head -n 1)
want=0
for fi in $(ls "$work/outbox" | grep '^FI\.DMFA\.'); do
	n=$(( $(grep -o '<Occupation>' "$work/outbox/$fi" | wc -l) + $(grep -o '<StudentContribution>' "$work/outbox/$fi" | wc -l) ))
	want=$((want + n))
done
got=$(find "$work/answers" -name 'FO.NOTI.012996.*' -exec grep -o '<ErrorID>00042-001</ErrorID>' {} + | wc -l)
[ "$got" -eq "$want" ] || fail "$got anomalies 00042-001 for $want occupations and student lines"

# A refused declaration has no permanent ids.
find "$work/answers" "$SFTP_ROOT/OUTTEST" -name 'FO.DMPI.*' | grep -q . && fail "a DMPI for a refused DmfA"
grep -q "0 accepted, 1 refused" "$work/sim.log" || fail "the simulator did not log the refusal"
echo "ok: DmfA without LocalUnitID refused by the simulator through sshd: $got x 00042-001 (B, Niet aanwezig) over $want lines of $fi1 and its sibling, recorded as refused"
