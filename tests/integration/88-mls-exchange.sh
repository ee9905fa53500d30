#!/bin/sh
# 88-mls-exchange.sh - Message Level Status between two real instances on
# loopback HTTPS. A (certificate PBE000101) sends two invoices to B
# (PBE000102) asking for an MLS with ALWAYS_SEND; one of them is made
# invalid in A's queue after intake (a sender whose checks are weaker
# than the receiver's). B answers the valid one with a receipt and queues
# an AP MLS, refuses the invalid one (EBMS:0004) and queues an RE MLS with
# the rules it breaks; B's runner sends both MLS to A's endpoint. A must
# record them: the AP on the accepted invoice's history, the RE on the
# refused one with its reasons (`gateway show`, `gateway list --state
# refused`). Each MLS B sent passes the MLS rules (A stored them).
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
. "$(dirname "$0")/../lib/procs.sh"
: "${TOP:?}" "${GATEWAY:?}" "${BUILD:?}" "${REF:?}"
cd "$TOP" || exit 2
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
export GW_REFERENCE_DIR="$REF"
w=$(mktemp -d "${TMPDIR:-/tmp}/gwmls.XXXXXX")
apid= bpid=
cleanup() {
	[ -n "$apid" ] && kill "$apid" 2>/dev/null
	[ -n "$bpid" ] && kill "$bpid" 2>/dev/null
	wait 2>/dev/null
	left=0; no_leftovers "$w" || left=1
	[ -n "${KEEP:-}" ] && echo "kept $w" || rm -rf "$w"
	[ "$left" -eq 0 ] || exit 1
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
P=$TOP/certs/out
[ -f "$P/g3/receiver.crt.pem" ] || sh certs/gen-test-pki.sh >/dev/null 2>&1 || fail "test PKI"
[ -x "$BUILD/bench/gen_invoices" ] || fail "$BUILD/bench/gen_invoices missing (make bench-bins)"
mkdir -p "$w/a" "$w/b"

# gw SIDE ARGS: one instance; A is g3/sender and sends to B, B the reverse.
# GW_EXEC=exec (in a subshell started with &): the gateway replaces the
# subshell, so $! is its pid and cleanup's kill reaches it (tests/lib/procs.sh).
gw() {
	side=$1; shift
	if [ "$side" = a ]; then me=sender; peer=receiver; pport=$(cat "$w/b/port" 2>/dev/null)
	else me=receiver; peer=sender; pport=$(cat "$w/a/port" 2>/dev/null); fi
	${GW_EXEC-} "$GATEWAY" --set "queue.dsn=$w/$side/q.db" --set peppol_as4.receive=on \
		--set "peppol_as4.cert=$P/g3/$me.crt.pem" --set "peppol_as4.key=$P/g3/$me.key.pem" \
		--set "peppol_as4.ca=$P/g3/chain.pem" --set "peppol_as4.crl=$P/g3/apca.crl.pem" \
		--set "peppol_as4.inbox=$w/$side/inbox" --set "peppol_as4.outbox=$w/$side/outbox" \
		--set "peppol_as4.endpoint_url=https://localhost:${pport:-1}/as4" \
		--set "peppol_as4.endpoint_cert=$P/g3/$peer.crt.pem" --set "peppol_as4.tls_ca=$P/tls/ca.crt.pem" \
		--set peppol_as4.mls_type=ALWAYS_SEND --set queue.retry_base_ms=200 --set queue.retry_cap_ms=1000 \
		--set "http.cert=$P/tls/server.crt.pem" --set "http.key=$P/tls/server.key.pem" "$@"
}
serve() { # SIDE: start its endpoint, wait for its port
	(GW_EXEC=exec; gw "$1" serve --port 0 --port-file "$w/$1/port") > "$w/$1/serve.out" \
		2> "$w/$1/serve.err" &
	eval "${1}pid=\$!"
	i=0
	while [ ! -s "$w/$1/port" ]; do
		i=$((i + 1)); [ $i -lt 300 ] || fail "$1 did not start: $(tail -3 "$w/$1/serve.err")"
		sleep 0.1
	done
}
serve a
serve b

"$BUILD/bench/gen_invoices" 60 14 | grep -v '"buyer": {[^}]*"peppol_id": ""' | grep '"type": "invoice"' |
	head -n 2 > "$w/in.jsonl"
[ "$(wc -l < "$w/in.jsonl")" -eq 2 ] || fail "could not generate 2 invoices"
# Intake's record ids are inv:<invoice id>.
good=inv:$(sed -n 1p "$w/in.jsonl" | sed 's/.*"invoice_id": "\([^"]*\)".*/\1/')
bad=inv:$(sed -n 2p "$w/in.jsonl" | sed 's/.*"invoice_id": "\([^"]*\)".*/\1/')
gw a intake --invoices "$w/in.jsonl" > "$w/a/intake" 2>&1 || fail "intake: $(cat "$w/a/intake")"
# The second one breaks BR-CL-04 (currency code) once taken in.
sqlite3 "$w/a/q.db" "UPDATE msgs SET body = CAST(replace(CAST(body AS TEXT),
	'<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>',
	'<cbc:DocumentCurrencyCode>XEU</cbc:DocumentCurrencyCode>') AS BLOB) WHERE record_id = '$bad'" ||
	fail "cannot alter the queued document"
# ... and its checksum with it, or A would quarantine it (style rule 3).
sqlite3 "$w/a/q.db" "SELECT writefile('$w/bad.xml', body) FROM msgs WHERE record_id = '$bad'" >/dev/null
sum=$(sha256sum "$w/bad.xml" | cut -d' ' -f1)
sqlite3 "$w/a/q.db" "UPDATE msgs SET content_hash = '$sum' WHERE record_id = '$bad'"
sqlite3 "$w/a/q.db" "SELECT count(*) FROM msgs WHERE record_id = '$bad' AND CAST(body AS TEXT) LIKE '%>XEU<%'" |
	grep -qx 1 || fail "the queued document of $bad was not altered"

# Exit 1: one refusal in the run, as intended.
rc=0; gw a run --until-idle --channel peppol-as4 > "$w/a/run" 2>&1 || rc=$?
[ "$rc" -le 1 ] || fail "A run: exit $rc: $(tail -5 "$w/a/run")"
gw a show "$good" > "$w/a/good" 2>&1
gw a show "$bad" > "$w/a/bad" 2>&1
grep -q "accepted" "$w/a/good" || fail "$good not accepted: $(cat "$w/a/good")"
grep -q "refused" "$w/a/bad" || fail "$bad not refused: $(cat "$w/a/bad")"
# B queued one MLS per document and sends them to A.
n=$(sqlite3 "$w/b/q.db" "SELECT count(*) FROM msgs WHERE kind = 'mls'")
[ "$n" -eq 2 ] || fail "B queued $n MLS, want 2: $(tail -5 "$w/b/serve.err")"
gw b run --until-idle --channel peppol-as4 > "$w/b/run" 2>&1 || fail "B run: $(tail -5 "$w/b/run")"
n=$(sqlite3 "$w/b/q.db" "SELECT count(*) FROM msgs WHERE kind = 'mls' AND state = 'accepted'")
[ "$n" -eq 2 ] || fail "A accepted $n of B's 2 MLS: $(tail -5 "$w/b/run"; tail -5 "$w/a/serve.err")"

gw a show "$good" > "$w/a/good" 2>&1
gw a show "$bad" > "$w/a/bad" 2>&1
grep -q "MLS AP from AP 000102" "$w/a/good" || fail "no MLS AP on $good: $(cat "$w/a/good")"
grep -q "MLS RE from AP 000102" "$w/a/bad" || fail "no MLS RE on $bad: $(cat "$w/a/bad")"
grep -q "BR-CL-04" "$w/a/bad" || fail "the RE does not name BR-CL-04: $(cat "$w/a/bad")"
gw a list --state refused > "$w/a/refused" 2>&1
grep -q "$bad" "$w/a/refused" || fail "list --state refused lacks $bad: $(cat "$w/a/refused")"
grep -q "$good" "$w/a/refused" && fail "list --state refused shows $good"
# A received only MLS: nothing for the accounting system's inbox.
n=$(ls "$w/a/inbox" 2>/dev/null | wc -l)
[ "$n" -eq 0 ] || fail "A's inbox holds $n files; an MLS is not for the accounting system"
echo "mls exchange: AP recorded on $good, RE (BR-CL-04) recorded on refused $bad"
