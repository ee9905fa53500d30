#!/bin/sh
# 89-mls-discovery.sh - issue 15's "done when": an invoice taken in for
# 0208:<KBO> is delivered to the second instance found through dnsmasq and
# `gateway smp serve`, and its MLS comes back the same way and is recorded.
# Two instances, A (AP PBE000101) and B (AP PBE000102), with [peppol_as4]
# discovery = on and NO endpoint configured on either side. Each publishes
# its own participants with its own `gateway smp serve`: B the buyers of
# the invoices (0208:<KBO>, invoice and credit note), A its SPIS id
# 0242:000101 (the MLS_TO its invoices ask the answer at, MLS document
# type). dnsmasq serves the U-NAPTR record of each (tests/lib/smp.sh).
# A sends two invoices with MLS_TYPE ALWAYS_SEND, one made invalid in A's
# queue after intake: B stores the valid one and queues an AP MLS, refuses
# the other (EBMS:0004) and queues an RE MLS; B's runner finds A's access
# point through discovery and sends both; A records the AP on the accepted
# invoice and the RE (BR-CL-04) on the refused one (`gateway show`,
# `gateway list --state refused`).
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
. "$(dirname "$0")/../lib/smp.sh"
. "$(dirname "$0")/../lib/procs.sh"
: "${TOP:?}" "${GATEWAY:?}" "${BUILD:?}" "${REF:?}"
cd "$TOP" || exit 2
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
export GW_REFERENCE_DIR="$REF"
command -v dnsmasq >/dev/null || { echo "FAIL: dnsmasq missing (make deps)"; exit 1; }
w=$(mktemp -d "${TMPDIR:-/tmp}/gwmlsd.XXXXXX")
apid= bpid= asmp= bsmp=
cleanup() {
	for p in $apid $bpid $asmp $bsmp; do kill "$p" 2>/dev/null; done
	dns_stop "$w"
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
dnsport=$(free_port)

# gw SIDE ARGS: one instance, A with g3/sender, B with g3/receiver; no
# endpoint_url nor endpoint_cert: every peer is found through discovery.
# GW_EXEC=exec (in a subshell started with &): the gateway replaces the
# subshell, so $! is its pid and cleanup's kill reaches it (tests/lib/procs.sh).
gw() {
	side=$1; shift
	if [ "$side" = a ]; then me=sender; else me=receiver; fi
	${GW_EXEC-} "$GATEWAY" --set "queue.dsn=$w/$side/q.db" --set peppol_as4.receive=on \
		--set "peppol_as4.cert=$P/g3/$me.crt.pem" --set "peppol_as4.key=$P/g3/$me.key.pem" \
		--set "peppol_as4.ca=$P/g3/chain.pem" --set "peppol_as4.crl=$P/g3/apca.crl.pem" \
		--set "peppol_as4.inbox=$w/$side/inbox" --set "peppol_as4.outbox=$w/$side/outbox" \
		--set peppol_as4.discovery=on --set "smp.resolver=127.0.0.1:$dnsport" \
		--set "smp.tls_ca=$P/tls/ca.crt.pem" --set "smp.ca=$P/g3/smp-chain.pem" \
		--set "peppol_as4.tls_ca=$P/tls/ca.crt.pem" \
		--set peppol_as4.mls_type=ALWAYS_SEND --set queue.retry_base_ms=200 --set queue.retry_cap_ms=1000 \
		--set "http.cert=$P/tls/server.crt.pem" --set "http.key=$P/tls/server.key.pem" "$@"
}
wait_port() { # FILE PID WHAT ERRFILE
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1)); [ $i -lt 300 ] || fail "$3 did not start: $(tail -3 "$4")"
		kill -0 "$2" 2>/dev/null || fail "$3 exited: $(tail -3 "$4")"
		sleep 0.1
	done
}
(GW_EXEC=exec; gw a serve --port 0 --port-file "$w/a/port") > "$w/a/serve.out" 2> "$w/a/serve.err" &
apid=$!
(GW_EXEC=exec; gw b serve --port 0 --port-file "$w/b/port") > "$w/b/serve.out" 2> "$w/b/serve.err" &
bpid=$!
wait_port "$w/a/port" "$apid" A "$w/a/serve.err"
wait_port "$w/b/port" "$bpid" B "$w/b/serve.err"

"$BUILD/bench/gen_invoices" 60 14 | grep -v '"buyer": {[^}]*"peppol_id": ""' | grep '"type": "invoice"' |
	head -n 2 > "$w/in.jsonl"
[ "$(wc -l < "$w/in.jsonl")" -eq 2 ] || fail "could not generate 2 invoices"
good=inv:$(sed -n 1p "$w/in.jsonl" | sed 's/.*"invoice_id": "\([^"]*\)".*/\1/')
bad=inv:$(sed -n 2p "$w/in.jsonl" | sed 's/.*"invoice_id": "\([^"]*\)".*/\1/')
buyers=$(sed 's/.*"buyer": {[^}]*"peppol_id": "\([^"]*\)".*/\1/' "$w/in.jsonl" | sort -u | paste -sd, -)
case $buyers in 0208:*) ;; *) fail "the buyers are not 0208:<KBO>: $buyers" ;; esac

# smpserve SIDE PARTICIPANTS: that instance's own SMP, pointing at its endpoint.
smpserve() {
	if [ "$1" = a ]; then me=sender; else me=receiver; fi
	"$GATEWAY" --set http.listen=127.0.0.1 --set "http.cert=$P/tls/server.crt.pem" \
		--set "http.key=$P/tls/server.key.pem" --set "smp.participants=$2" \
		--set "smp.endpoint_url=https://localhost:$(cat "$w/$1/port")/as4" \
		--set "smp.endpoint_cert=$P/g3/$me.crt.pem" \
		--set "smp.cert=$P/g3/smp.crt.pem" --set "smp.key=$P/g3/smp.key.pem" \
		smp serve --port 0 --port-file "$w/$1/smp.port" > "$w/$1/smp.out" 2> "$w/$1/smp.err" &
}
smpserve a 0242:000101
asmp=$!
smpserve b "$buyers"
bsmp=$!
wait_port "$w/a/smp.port" "$asmp" "A's smp serve" "$w/a/smp.err"
wait_port "$w/b/smp.port" "$bsmp" "B's smp serve" "$w/b/smp.err"
# shellcheck disable=SC2046
dns_start "$w" "$dnsport" "0242:000101=https://localhost:$(cat "$w/a/smp.port")" \
	$(echo "$buyers" | tr ',' '\n' | sed "s#\$#=https://localhost:$(cat "$w/b/smp.port")#") ||
	fail "dnsmasq did not start"

gw a intake --invoices "$w/in.jsonl" > "$w/a/intake" 2>&1 || fail "intake: $(cat "$w/a/intake")"
# The second one breaks BR-CL-04 (currency code) once taken in, its
# checksum updated with it (or A would quarantine it).
sqlite3 "$w/a/q.db" "UPDATE msgs SET body = CAST(replace(CAST(body AS TEXT),
	'<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>',
	'<cbc:DocumentCurrencyCode>XEU</cbc:DocumentCurrencyCode>') AS BLOB) WHERE record_id = '$bad'" ||
	fail "cannot alter the queued document"
sqlite3 "$w/a/q.db" "SELECT writefile('$w/bad.xml', body) FROM msgs WHERE record_id = '$bad'" >/dev/null
sqlite3 "$w/a/q.db" "UPDATE msgs SET content_hash = '$(sha256sum "$w/bad.xml" | cut -d' ' -f1)'
	WHERE record_id = '$bad'"
grep -q '>XEU<' "$w/bad.xml" || fail "the queued document of $bad was not altered"

# A delivers both to B, found through discovery (exit 1: the refusal).
rc=0; gw a run --until-idle --channel peppol-as4 > "$w/a/run" 2>&1 || rc=$?
[ "$rc" -le 1 ] || fail "A run: exit $rc: $(tail -5 "$w/a/run")"
gw a show "$good" > "$w/a/good" 2>&1
grep -q "accepted" "$w/a/good" || fail "$good not delivered: $(cat "$w/a/good")"
n=$(ls "$w/b/inbox" 2>/dev/null | grep -c '\.xml$')
[ "$n" -eq 1 ] || fail "B's inbox holds $n documents, want the valid one"
n=$(sqlite3 "$w/b/q.db" "SELECT count(*) FROM msgs WHERE kind = 'mls'")
[ "$n" -eq 2 ] || fail "B queued $n MLS, want 2: $(tail -5 "$w/b/serve.err")"
# B sends both MLS back to 0242:000101, found through discovery.
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
# Both ways went through the SML and the SMPs: dnsmasq saw the buyer's and
# A's SPIS id's NAPTR, each SMP served signed metadata.
grep -q "query\[NAPTR\] $(naptr_name 0242:000101)" "$w/dns.log" || fail "no NAPTR query for 0242:000101"
grep -q "query\[NAPTR\] $(naptr_name "${buyers%%,*}")" "$w/dns.log" || fail "no NAPTR query for ${buyers%%,*}"
# A's SMP publishes its SPIS id for the MLS only (it receives no invoice).
enc=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "iso6523-actorid-upis::0242:000101")
curl -sS --cacert "$P/tls/ca.crt.pem" "https://localhost:$(cat "$w/a/smp.port")/$enc" > "$w/a/group.xml" ||
	fail "GET A's service group"
[ "$(grep -o 'ServiceMetadataReference href=' "$w/a/group.xml" | wc -l)" -eq 1 ] &&
	grep -q 'ApplicationResponse' "$w/a/group.xml" || fail "A's service group: $(cat "$w/a/group.xml")"
kill "$asmp" "$bsmp"; wait "$asmp" "$bsmp" 2>/dev/null; asmp= bsmp=
for s in a b; do
	grep -q '^smp: [0-9]* service groups, [1-9][0-9]* signed metadata' "$w/$s/smp.out" ||
		fail "$s's SMP served no signed metadata: $(cat "$w/$s/smp.out")"
done
echo "mls discovery: $good delivered to B through discovery and its AP MLS recorded; RE (BR-CL-04) recorded on refused $bad; no endpoint configured on either side"
