#!/bin/sh
# demo.sh - the main job end to end on the sample records (make demo).
#
#   1. validate the sample contract and invoice records
#   2. declare the contracts over the Dimona REST v2 API to the ONSS simulator
#      (HTTPS, OAuth client assertion), then send their amendments (revision 2:
#      a cancellation, a shortened contract, new hours, a replay, a late one)
#   3. the same contracts as a signed Dimona batch (FI/FS/GO) through a real
#      sshd to the simulated batch processor, and its answers
#   4. the DmfA of 2026 Q4, checked against the official schema, signed
#   5. the Peppol BIS 3.0 invoices, checked by the native validator, then sent
#      over Peppol AS4 to a second gateway instance, which prints the receipts
#
# Everything runs on loopback; state lives in var/demo/ (recreated each run).
# Usage: sh tests/demo/demo.sh [path/to/gateway]
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 2
GATEWAY=${1:-$TOP/build/gateway}
case $GATEWAY in /*) ;; *) GATEWAY=$TOP/$GATEWAY ;; esac
REF=${REF:-$(cd "$TOP/../shared/reference" 2>/dev/null && pwd)}
export GW_REFERENCE_DIR="$REF"
demo=${GW_DEMO_DIR:-$TOP/var/demo}   # tests/integration/95-demo.sh runs it elsewhere
BUILD=${BUILD:-build}
export TOP BUILD

sim_pid="" batch_pid="" serve_pid="" as4_pid=""
cleanup() {
	[ -n "$as4_pid" ] && kill "$as4_pid" 2>/dev/null
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
	[ -n "$batch_pid" ] && kill "$batch_pid" 2>/dev/null
	command -v sftp_stop >/dev/null 2>&1 && sftp_stop
	wait 2>/dev/null
}
trap cleanup EXIT INT TERM
die() { echo "demo: $*" >&2; exit 1; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

[ -x "$GATEWAY" ] || die "no gateway binary at $GATEWAY (make)"
[ -d "$REF" ] || die "the official reference files are not at ../shared/reference (set REF)"
rm -rf "$demo"
mkdir -p "$demo/out" "$demo/batch" "$demo/answers" "$demo/invoices"

# The sample contracts are dated from today (Brussels; the pinned clock when
# GATEWAY_NOW is set), so the demo tells the same story on any day: the
# templates hold day offsets (fixtures/demo/*.csv.in, tests/demo/render-dates.py).
if [ -n "${GATEWAY_NOW:-}" ]; then
	. "$TOP/tests/lib/clock.sh"
	today=$(clock_date)
else
	today=$(TZ=Europe/Brussels date +%Y-%m-%d)
fi
contracts=$demo/contracts.csv
revisions=$demo/revisions.csv
python3 tests/demo/render-dates.py "$today" fixtures/demo/contracts.csv.in "$contracts" >/dev/null ||
	die "cannot date the sample contracts"
python3 tests/demo/render-dates.py "$today" fixtures/demo/revisions.csv.in "$revisions" >/dev/null ||
	die "cannot date the amendments"
echo "today is $today (Brussels); the sample contracts run from $(cut -d, -f22 "$contracts" | tail -n +2 | sort | head -n 1) to $(cut -d, -f24 "$contracts" | tail -n +2 | sort | tail -n 1)"

step "1. Records"
"$GATEWAY" records validate "$contracts" "$revisions"
"$GATEWAY" records validate --kind invoice fixtures/invoices/sample.jsonl

step "2. Dimona over REST v2 (ONSS simulator on https://localhost)"
"$GATEWAY" sim onss --ledger "$demo/onss-ledger.jsonl" --port-file "$demo/port" \
	>"$demo/sim-onss.out" 2>"$demo/sim-onss.log" &
sim_pid=$!
i=0
while [ ! -s "$demo/port" ]; do
	i=$((i + 1)); [ $i -gt 100 ] && die "the ONSS simulator did not start: $(tail -n 3 "$demo/sim-onss.log")"
	sleep 0.1
done
port=$(cat "$demo/port")
cat >"$demo/gateway.conf" <<EOF
reference_dir = $REF
[queue]
dsn = $demo/queue.db
[dimona]
base_url = https://localhost:$port/REST/dimona/v2
token_url = https://localhost:$port/REST/oauth/v5/token
ca_file = $TOP/certs/out/tls/ca.crt.pem
[signing]
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
[dmfa]
# Each employer's establishment unit (LocalUnitID, zone 00042), required
# on every occupation: the demo employers' units.
local_units = 051234526=5000000008,123456749=2000000042
EOF
gw() { "$GATEWAY" --config "$demo/gateway.conf" "$@"; }
echo "simulator listening on port $port; queue $demo/queue.db"

# One line per message of each record: kind, state, period id, anomalies.
results() {
	for rec in $(cut -d, -f1 "$1" | tail -n +2 | sort -u); do
		gw show "$rec" 2>/dev/null | awk -v rec="$rec" '
			/^id:/ { if (id != "") pr(); id=$2; kind=""; state=""; ref=""; why="" }
			/^record:/ { rev=$4 }
			/^kind:/ { kind=$2 }
			/^state:/ { state=$2 }
			/^period id:/ { ref=$3 }
			/^(last error|refused for|warnings):/ { sub(/^[a-z ]+: */, ""); why=$0 }
			/ -> (accepted|accepted-with-warnings|refused|failed)/ { line=$0; sub(/.*: /, "", line); why=line }
			function pr() { printf "  %-15s rev %-2s %-14s %-22s period %-13s %s\n", rec, rev, kind, state, (ref == "" ? "-" : ref), why }
			END { if (id != "") pr() }'
	done
}

echo "-- intake of the sample contracts ($contracts)"
gw intake --contracts "$contracts"
echo "-- gateway run --until-idle"
gw run --until-idle 2>"$demo/run1.log" || [ $? -eq 1 ] || die "run failed: $(tail -n 5 "$demo/run1.log")"
echo "-- what was declared and what the ONSS answered"
results "$contracts"

echo "-- intake of the amendments ($revisions)"
gw intake --contracts "$revisions"
gw run --until-idle 2>"$demo/run2.log" || [ $? -eq 1 ] || die "run failed: $(tail -n 5 "$demo/run2.log")"
results "$revisions"
echo "-- gateway status"
gw status
echo "-- what needs you (gateway list: refused, failed and held, each anomaly in words)"
gw list
echo "-- the simulator's ledger (the ONSS side of the truth)"
"$GATEWAY" sim onss --dump-ledger "$demo/onss-ledger.jsonl" | python3 -c '
import json, sys
d = json.load(sys.stdin)
periods = d.get("periods", [])
active = [p for p in periods if not p.get("cancelled")]
print("  %d periods recorded, %d active, %d cancelled" % (len(periods), len(active), len(periods) - len(active)))
' 2>/dev/null || echo "  (ledger dump in $demo/onss-ledger.jsonl)"

# Each answer in a folder: kind, file answered, result, ticket, anomalies.
show_answers() {
	for a in "$1"/FO.*; do
		[ -f "$a" ] || continue
		gw onss show-answer "$a" | python3 -c '
import json, sys
d = json.load(sys.stdin)
if d.get("permanent_ids"):
    print("  %-4s %-38s ticket %s: the permanent ids, kept for corrections:" % (d.get("kind"), d.get("name", "")[:38],
          d.get("ticket")))
    for f in d.get("forms") or [d]:
        ids = f.get("permanent_ids") or {}
        print("       employer %s: declaration PID %s, %d persons with their PIDs" % (ids.get("noss"),
              ids.get("employer_declaration_pid"), len(ids.get("natural_persons") or [])))
    sys.exit(0)
errs = d.get("errors") or d.get("anomalies") or []
print("  %-4s %-38s result %s, ticket %s, %d anomalies" % (d.get("kind"), d.get("file_name", "")[:38],
      d.get("result_code"), d.get("ticket"), len(errs)))
for e in errs:
    print("       %s %s: %s" % (e.get("id"), e.get("class", ""), (e.get("label_fr") or e.get("label_nl") or "")[:70]))
' 2>/dev/null || echo "  $(basename "$a")"
	done
}

step "3. Dimona batch: signed FI/FS/GO through sshd to the ONSS batch processor"
gw dimona export --contracts "$contracts" --out "$demo/batch" --sender 012996 --env T \
	>/dev/null 2>"$demo/export.err"
echo "  exit $? (1 = written, some records rejected before sending)"
# A warning is declared all the same; only a blocking finding keeps a record out.
grep -v '^[0-9-]*T[0-9:]* ' "$demo/export.err" | sed -e 's/^[^:]*: record \([^:]*\): field \([^:]*\): warning: [a-z_]* \([0-9-]*\)\(.*\)/  declared with warning \3: \1 (\2)\4/' \
	-e '/^  declared with warning/!s/^/  rejected: /'
ls "$demo/batch" | sed 's/^/  /'
fi=$(ls "$demo/batch" | grep '^FI\.DIMN\.' | head -n 1)
fs=$(echo "$fi" | sed 's/^FI/FS/')
base64 -d "$demo/batch/$fs" >"$demo/fs.der" 2>/dev/null
if openssl cms -verify -binary -inform DER -in "$demo/fs.der" -content "$demo/batch/$fi" \
	-CAfile certs/out/onss/ca.crt.pem -purpose any -out /dev/null 2>"$demo/cms.log"; then
	echo "  openssl cms -verify: the FS signature of $fi verifies against the test ONSS CA"
else
	echo "  openssl cms -verify FAILED: $(cat "$demo/cms.log")"
fi
if command -v /usr/sbin/sshd >/dev/null 2>&1; then
	. "$TOP/tests/sftp/sshd.sh"
	if sftp_start; then
		cat >>"$demo/gateway.conf" <<EOF
[onss]
sender = 012996
[onss_batch]
env = T
sftp_url = $SFTP_URL
sftp_user = $SFTP_USER
sftp_key = $SFTP_KEY
sftp_host_sha256 = $SFTP_HOST_SHA256
sim_ca = $TOP/certs/out/onss/ca.crt.pem
EOF
		# Not through gw(): a backgrounded function is a subshell, and killing
		# it would leave the simulator running.
		"$GATEWAY" --config "$demo/gateway.conf" sim batch --root "$SFTP_ROOT" --state "$demo/batch-sim" \
			>"$demo/sim-batch.log" 2>&1 &
		batch_pid=$!
		gw onss upload --dir "$demo/batch" "$fi" 2>"$demo/upload.log" &&
			echo "  uploaded over SFTP (sshd on port $SFTP_PORT, host key pinned): FI, FS, then GO"
		i=0
		while [ "$(ls "$SFTP_ROOT/OUTTEST" 2>/dev/null | grep -c '^FO\.NOTI')" -lt 1 ] && [ $i -lt 300 ]; do
			i=$((i + 1)); sleep 0.1
		done
		gw onss poll --env T --dir "$demo/answers" >/dev/null 2>"$demo/poll.log"
		show_answers "$demo/answers"
	else
		echo "  (sshd could not start here; the batch files above are what would be uploaded)"
	fi
fi

# The DmfA of this quarter for the same contracts, placed inside it (their
# offsets from the quarter's first day), so the workers and amounts are the
# same whatever day the demo runs.
python3 tests/demo/render-dates.py --quarter "$today" fixtures/demo/contracts.csv.in "$demo/quarter.csv" >/dev/null ||
	die "cannot date the DmfA contracts"
quarter=$(python3 -c 'import sys, datetime; d = datetime.date.fromisoformat(sys.argv[1]); print(d.year * 10 + (d.month - 1) // 3 + 1)' "$today")
step "4. DmfA $(echo "$quarter" | sed 's/\(....\)\(.\)/\1 Q\2/'): the sample contracts placed in this quarter (streamed, checked against the official XSD, signed)"
# Into the batch folder: one sequence number for the day's files there, as
# the ONSS's answers are named by sender, date and number only.
gw dmfa export --contracts "$demo/quarter.csv" --quarter "$quarter" --out "$demo/batch" \
	--sender 012996 --env T >/dev/null 2>"$demo/dmfa.err"
rc=$?
echo "  exit $rc ($([ $rc -eq 0 ] && echo "every contract declared" || echo "some contracts held back:"))"
grep -v '^[0-9-]*T[0-9:]* ' "$demo/dmfa.err" | sed 's/^/  held: /'
dfi=$(ls "$demo/batch" | grep '^FI\.DMFA\.' | head -n 1)
if [ -n "$dfi" ]; then
	echo "  $dfi"
	xmllint --noout --stream --schema "$REF/onss/xsd/DmfAOriginal_20231.xsd" "$demo/batch/$dfi" 2>&1 | sed 's/^/  xmllint: /'
	python3 - "$demo/batch/$dfi" <<'EOF'
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
def loc(e): return e.tag.split('}')[-1]
for emp in t.iter():
    if loc(emp) != 'EmployerDeclaration':
        continue
    noss = next((c.text for c in emp if loc(c) == 'NOSSRegistrationNbr'), '?')
    owed = next((c.text for c in emp if loc(c) == 'NetOwedAmount'), '?')
    persons = [p for p in emp if loc(p) == 'NaturalPerson']
    wr = sum(1 for p in persons for w in p if loc(w) == 'WorkerRecord')
    print("  employer %s: %d workers, %d worker records, net owed %s.%s EUR"
          % (noss, len(persons), wr, owed[:-2] or '0', owed[-2:]))
EOF
	# Sent like the Dimona batch above, when sshd runs here: the simulated
	# ONSS checks it against the glossary, recomputes every contribution
	# line and structural reduction, and answers ACRF, NOTIFICATION and
	# DMPI (the permanent ids a correction will need).
	if [ -n "$batch_pid" ]; then
		gw onss upload --dir "$demo/batch" "$dfi" 2>>"$demo/upload.log" &&
			echo "  uploaded over SFTP; the ONSS simulator's answers:"
		seq=$(echo "$dfi" | cut -d. -f5)
		i=0
		while ! ls "$SFTP_ROOT/OUTTEST" 2>/dev/null | grep -q "^FO\.DMPI\..*\.$seq\.T" && [ $i -lt 300 ]; do
			i=$((i + 1)); sleep 0.1
		done
		mkdir -p "$demo/answers-dmfa"
		gw onss poll --env T --dir "$demo/answers-dmfa" >/dev/null 2>>"$demo/poll.log"
		show_answers "$demo/answers-dmfa"
		echo "  (90015-456, if listed: the quarter's contracts are placed on other days than the"
		echo "   Dimona batch of step 3 declared, so the simulator finds no occasional-worker Dimona for them)"
	fi
fi

step "5. Peppol BIS Billing 3.0 invoices"
gw invoice export --invoices fixtures/invoices/sample.jsonl --out "$demo/invoices" 2>"$demo/invoices.err"
echo "  exit $?: $(ls "$demo/invoices" | wc -l) UBL documents in $demo/invoices"
sed 's/^/  note: /' "$demo/invoices.err"
gw invoice validate "$demo"/invoices/*.xml >"$demo/validate.out" 2>"$demo/validate.err"
rc=$?
echo "  gateway invoice validate: exit $rc, $(grep -c '^error' "$demo/validate.out") errors," \
	"$(grep -c '^warning' "$demo/validate.out") warnings (UBL 2.1 schema + EN 16931 + Peppol BIS 3.0)"

step "5b. Peppol AS4: the sample invoices to a second gateway instance (HTTPS on loopback)"
g3=$TOP/certs/out/g3 tls=$TOP/certs/out/tls
mkdir -p "$demo/as4-receiver"
"$GATEWAY" --set "queue.dsn=$demo/as4-receiver/queue.db" --set peppol_as4.receive=on \
	--set "peppol_as4.cert=$g3/receiver.crt.pem" --set "peppol_as4.key=$g3/receiver.key.pem" \
	--set "peppol_as4.inbox=$demo/as4-receiver/inbox" --set "http.cert=$tls/server.crt.pem" \
	--set "http.key=$tls/server.key.pem" serve --port 0 --port-file "$demo/as4.port" \
	>"$demo/as4-receiver.log" 2>&1 &
as4_pid=$!
i=0
while [ ! -s "$demo/as4.port" ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
as4() { gw --set "peppol_as4.endpoint_url=https://localhost:$(cat "$demo/as4.port")/as4" \
	--set "peppol_as4.endpoint_cert=$g3/receiver.crt.pem" --set "peppol_as4.tls_ca=$tls/ca.crt.pem" \
	--set "peppol_as4.outbox=$demo/as4-outbox" "$@"; }
as4 intake --invoices fixtures/invoices/sample.jsonl 2>"$demo/as4-intake.log" | sed 's/^/  /'
as4 run --until-idle --channel peppol-as4 2>"$demo/as4-run.log" | sed 's/^/  /'
kill "$as4_pid" 2>/dev/null; wait "$as4_pid" 2>/dev/null
as4_pid=""
echo "  receiver: $(ls "$demo/as4-receiver/inbox" | grep -c '\.json$') documents in" \
	"$demo/as4-receiver/inbox (UBL + JSON sidecar); the receipts it answered:"
mkdir -p "$demo/as4-receipts"
sqlite3 "$demo/as4-receiver/queue.db" "SELECT message_id, writefile('$demo/as4-receipts/' ||
	replace(message_id, '@', '_') || '.xml', receipt) FROM as4_inbound ORDER BY received_ms" |
while IFS='|' read -r mid _; do
	f=$demo/as4-receipts/$(echo "$mid" | tr '@' '_').xml
	echo "  receipt for $mid: $(grep -o '<ebbp:MessagePartNRInformation>' "$f" | wc -l)" \
		"parts acknowledged; gateway as4 verify: $("$GATEWAY" as4 verify "$f" 2>&1 | tail -n 1)"
done

step "6. The day's summary and the dashboard"
gw summary || true
head -c 48 /dev/urandom | base64 | tr -d '/+=\n' >"$demo/http.token"
chmod 600 "$demo/http.token"
printf '[http]\ntoken_file = %s\n' "$demo/http.token" >>"$demo/gateway.conf"
"$GATEWAY" --config "$demo/gateway.conf" serve --port 0 --port-file "$demo/http.port" >"$demo/serve.log" 2>&1 &
serve_pid=$!
i=0
while [ ! -s "$demo/http.port" ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
if [ -s "$demo/http.port" ]; then
	dash="http://127.0.0.1:$(cat "$demo/http.port")"
	echo "  dashboard: $dash/ (log in with the token in $demo/http.token)"
	if command -v chromium >/dev/null 2>&1 &&
		timeout 60 chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$demo/chrome" \
			--screenshot="$demo/dashboard.png" --window-size=1280,1800 \
			"$dash/login?token=$(cat "$demo/http.token")" >/dev/null 2>&1; then
		echo "  a screenshot of it: $demo/dashboard.png"
	fi
fi
kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null
serve_pid=""
echo "  to look at it again: $GATEWAY --config $demo/gateway.conf serve --port 8080"

step "Done"
echo "State, logs and files: $demo"
