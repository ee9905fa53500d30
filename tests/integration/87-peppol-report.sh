#!/bin/sh
# 87-peppol-report.sh - `gateway peppol report` (spec/cli.md) on two real
# instances: the sender sends N invoices over AS4 to the receiver in the
# pinned month (November 2026); each side's TSR and EUSR for that month
# count them (sender: Outgoing=N to PBE000102; receiver: Incoming=N from
# PBE000101) and both are valid against the official XSDs (xmllint). A
# month without traffic still gets both, with zeros; a malformed month and
# a missing --out are exit 2, named.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
. "$(dirname "$0")/../lib/procs.sh"
: "${TOP:?}" "${GATEWAY:?}" "${BUILD:?}" "${REF:?}"
cd "$TOP" || exit 2
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
N=3
export GW_REFERENCE_DIR="$REF"
w=$(mktemp -d "${TMPDIR:-/tmp}/gwrep.XXXXXX")
rpid=
cleanup() {
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null
	wait 2>/dev/null
	left=0; no_leftovers "$w" || left=1
	rm -rf "$w"
	[ "$left" -eq 0 ] || exit 1
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
P=$TOP/certs/out
[ -f "$P/g3/receiver.crt.pem" ] || sh certs/gen-test-pki.sh >/dev/null 2>&1 || fail "test PKI"
[ -x "$BUILD/bench/gen_invoices" ] || fail "$BUILD/bench/gen_invoices missing (make bench-bins)"
TSR_XSD=$REF/peppol/reporting/tsr/peppol-transaction-statistics-reporting-1.0.1.xsd
EUSR_XSD=$REF/peppol/reporting/eusr/peppol-end-user-statistics-reporting-1.1.xsd

mkdir -p "$w/s" "$w/r"
# GW_EXEC=exec (in a subshell started with &): the gateway replaces the
# subshell, so $! is its pid and the kills reach it (tests/lib/procs.sh).
rcv() { ${GW_EXEC-} "$GATEWAY" --set "queue.dsn=$w/r/q.db" --set peppol_as4.receive=on \
	--set "peppol_as4.cert=$P/g3/receiver.crt.pem" --set "peppol_as4.key=$P/g3/receiver.key.pem" \
	--set "peppol_as4.ca=$P/g3/chain.pem" --set "peppol_as4.crl=$P/g3/apca.crl.pem" \
	--set "peppol_as4.inbox=$w/r/inbox" \
	--set "http.cert=$P/tls/server.crt.pem" --set "http.key=$P/tls/server.key.pem" "$@"; }
snd() { "$GATEWAY" --set "queue.dsn=$w/s/q.db" --set "peppol_as4.endpoint_url=https://localhost:${port:-0}/as4" \
	--set "peppol_as4.endpoint_cert=$P/g3/receiver.crt.pem" --set "peppol_as4.tls_ca=$P/tls/ca.crt.pem" \
	--set "peppol_as4.cert=$P/g3/sender.crt.pem" --set "peppol_as4.key=$P/g3/sender.key.pem" \
	--set "peppol_as4.outbox=$w/s/outbox" --set queue.retry_base_ms=200 --set queue.retry_cap_ms=2000 "$@"; }

# A month without traffic: both reports, zeros, valid.
snd peppol report --month 2026-10 --out "$w/s/rep-empty" > "$w/out" 2>&1 || fail "empty month: $(cat "$w/out")"
grep -q "sent=0 received=0" "$w/out" || fail "empty month: $(cat "$w/out")"
xmllint --noout --schema "$TSR_XSD" "$w/s/rep-empty/TSR-2026-10.xml" 2>/dev/null || fail "empty TSR invalid"
xmllint --noout --schema "$EUSR_XSD" "$w/s/rep-empty/EUSR-2026-10.xml" 2>/dev/null || fail "empty EUSR invalid"
grep -q "<Incoming>0</Incoming>" "$w/s/rep-empty/TSR-2026-10.xml" || fail "empty TSR: no zero total"

# Bad arguments: exit 2, named.
rc=0; snd peppol report --month 2026-13 --out "$w/x" > /dev/null 2> "$w/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q '"2026-13"' "$w/err" || fail "--month 2026-13: exit $rc, $(cat "$w/err")"
rc=0; snd peppol report --month 2026-11 > /dev/null 2> "$w/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--out" "$w/err" || fail "no --out: exit $rc, $(cat "$w/err")"

# Traffic: N invoices from the sender to the receiver.
"$BUILD/bench/gen_invoices" 60 14 | grep -v '"buyer": {[^}]*"peppol_id": ""' | grep '"type": "invoice"' |
	head -n "$N" > "$w/in.jsonl"
[ "$(wc -l < "$w/in.jsonl")" -eq "$N" ] || fail "could not generate $N records"
(GW_EXEC=exec; rcv serve --port 0 --port-file "$w/r/port") > "$w/r/out" 2> "$w/r/err" &
rpid=$!
i=0
while [ ! -s "$w/r/port" ]; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "receiver did not start: $(tail -3 "$w/r/err")"
	sleep 0.1
done
port=$(cat "$w/r/port")
snd intake --invoices "$w/in.jsonl" > "$w/s/intake" 2>&1 || fail "intake: $(cat "$w/s/intake")"
snd run --until-idle --channel peppol-as4 > "$w/s/run" 2>&1 || fail "sender run: $(tail -5 "$w/s/run")"
kill "$rpid"; wait "$rpid" 2>/dev/null; rpid=

snd peppol report --month 2026-11 --out "$w/s/rep" > "$w/out" 2>&1 || fail "sender report: $(cat "$w/out")"
grep -q "sent=$N received=0" "$w/out" || fail "sender report: $(cat "$w/out")"
rcv peppol report --month 2026-11 --out "$w/r/rep" > "$w/out" 2>&1 || fail "receiver report: $(cat "$w/out")"
grep -q "sent=0 received=$N" "$w/out" || fail "receiver report: $(cat "$w/out")"
for side in s r; do
	xmllint --noout --schema "$TSR_XSD" "$w/$side/rep/TSR-2026-11.xml" 2>"$w/err" || fail "$side TSR: $(cat "$w/err")"
	xmllint --noout --schema "$EUSR_XSD" "$w/$side/rep/EUSR-2026-11.xml" 2>"$w/err" || fail "$side EUSR: $(cat "$w/err")"
done
tr -d '\n ' < "$w/s/rep/TSR-2026-11.xml" > "$w/s.flat"
tr -d '\n ' < "$w/r/rep/TSR-2026-11.xml" > "$w/r.flat"
grep -q "<Total><Incoming>0</Incoming><Outgoing>$N</Outgoing></Total>" "$w/s.flat" || fail "sender TSR total"
grep -q 'schemeID="CertSubjectCN">PBE000102</Key>' "$w/s.flat" || fail "sender TSR: receiving AP not PBE000102"
grep -q "<Total><Incoming>$N</Incoming><Outgoing>0</Outgoing></Total>" "$w/r.flat" || fail "receiver TSR total"
grep -q 'schemeID="CertSubjectCN">PBE000101</Key>' "$w/r.flat" || fail "receiver TSR: sending AP not PBE000101"
grep -q 'type="PerSP-DT-PR-CC"' "$w/r.flat" || fail "receiver TSR: no country subtotal"
echo "peppol report: empty month valid; $N sent and $N received counted on each side, XSD-valid"
