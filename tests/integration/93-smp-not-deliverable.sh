#!/bin/sh
# 93-smp-not-deliverable.sh - issue 18's "SMP 404" fault case, through the
# service: with discovery on, an invoice whose buyer is in the SML but not
# in its SMP (HTTP 404), and one whose buyer is not in the SML at all
# (NXDOMAIN), each end failed after one attempt, "not deliverable over
# Peppol" with the reason, not retried; nothing is POSTed anywhere. A third
# one, left in sending by a crash (its attempt counted), is looked up before
# any re-send: the look-up meets the same final answer and fails it at once
# with the reason, instead of taking it for "cannot tell" and retrying it
# until it expires.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
. "$(dirname "$0")/../lib/smp.sh"
. "$(dirname "$0")/../lib/procs.sh"
: "${TOP:?}" "${GATEWAY:?}" "${BUILD:?}"
cd "$TOP" || exit 1
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
tmp=$(mktemp -d)
smppid=
cleanup() {
	dns_stop "$tmp"; [ -n "$smppid" ] && kill "$smppid" 2>/dev/null; wait 2>/dev/null
	left=0; no_leftovers "$tmp" || left=1
	rm -rf "$tmp"
	[ "$left" -eq 0 ] || exit 1
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
P=$TOP/certs/out
export GW_REFERENCE_DIR="${REF:-/work/shared/reference}"
# Three invoices with a Peppol buyer (the generator's first ones).
"$BUILD/bench/gen_invoices" 20 14 | grep -v '"buyer": {[^}]*"peppol_id": ""' | grep '"type": "invoice"' |
	head -n 3 > "$tmp/in.jsonl"
[ "$(wc -l < "$tmp/in.jsonl")" -eq 3 ] || fail "no invoices generated"
b1=$(sed -n '1s/.*"buyer": {[^}]*"peppol_id": "\([^"]*\)".*/\1/p' "$tmp/in.jsonl")
b2=$(sed -n '2s/.*"buyer": {[^}]*"peppol_id": "\([^"]*\)".*/\1/p' "$tmp/in.jsonl")
[ -n "$b1" ] && [ -n "$b2" ] && [ "$b1" != "$b2" ] || fail "buyers: '$b1' '$b2'"
# Our SMP publishes someone else; b1 has a NAPTR record pointing at it, b2 none.
"$GATEWAY" --set http.listen=127.0.0.1 --set "http.cert=$P/tls/server.crt.pem" \
	--set "http.key=$P/tls/server.key.pem" --set smp.participants=0208:0739484052 \
	--set "smp.endpoint_url=https://localhost:9/as4" --set "smp.endpoint_cert=$P/g3/receiver.crt.pem" \
	smp serve --port 0 --port-file "$tmp/smp.port" > "$tmp/smp.out" 2>&1 &
smppid=$!
i=0; while [ ! -s "$tmp/smp.port" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/smp.port" ] || fail "smp serve: $(cat "$tmp/smp.out")"
dp=$(free_port)
dns_start "$tmp" "$dp" "$b1=https://localhost:$(cat "$tmp/smp.port")" || fail "dnsmasq"
snd() { "$GATEWAY" --set "queue.dsn=$tmp/q.db" --set peppol_as4.discovery=on \
	--set "smp.resolver=127.0.0.1:$dp" --set "smp.tls_ca=$P/tls/ca.crt.pem" \
	--set "peppol_as4.cert=$P/g3/sender.crt.pem" --set "peppol_as4.key=$P/g3/sender.key.pem" \
	--set "peppol_as4.outbox=$tmp/outbox" "$@"; }
snd intake --invoices "$tmp/in.jsonl" > "$tmp/intake" 2>&1 || fail "intake: $(cat "$tmp/intake")"
# The third as a crash in the middle of its send leaves it: in sending, its
# attempt counted, no live lease (the start-up recovery takes it back).
id3=inv:$(sed -n '3s/.*"invoice_id": "\([^"]*\)".*/\1/p' "$tmp/in.jsonl")
sqlite3 "$tmp/q.db" "UPDATE msgs SET state='sending', attempts=1, lease_owner=NULL, lease_until_ms=0
	WHERE record_id='$id3'" || fail "could not leave $id3 in sending"
rc=0; snd run --until-idle --channel peppol-as4 --max-time 60s > "$tmp/run" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "run: exit $rc, want 1 (something failed): $(cat "$tmp/run")"
snd list --state failed > "$tmp/failed" 2>&1
[ "$(grep -c 'not deliverable over Peppol' "$tmp/failed")" -eq 3 ] || fail "failed list: $(cat "$tmp/failed")"
for r in 1 2; do
	id=$(sed -n "${r}s/.*\"invoice_id\": \"\\([^\"]*\\)\".*/\\1/p" "$tmp/in.jsonl")
	snd show "inv:$id" > "$tmp/show$r" 2>&1 || true
	grep -q 'failed' "$tmp/show$r" || fail "$id: not failed: $(cat "$tmp/show$r")"
	[ "$(grep -c 'sending' "$tmp/show$r")" -le 2 ] || fail "$id: retried: $(cat "$tmp/show$r")"
done
grep -q "the SMP of $b1 does not know it .*HTTP 404" "$tmp/show1" || fail "404 reason: $(cat "$tmp/show1")"
grep -q "$b2 is not registered in the SML (.*NXDOMAIN)" "$tmp/show2" || fail "NXDOMAIN reason: $(cat "$tmp/show2")"
snd show "$id3" > "$tmp/show3" 2>&1 || true
grep -q 'refused on send (lookup after attempt 1): .*not deliverable over Peppol' "$tmp/show3" ||
	fail "$id3 after the crash: not failed by its look-up: $(cat "$tmp/show3")"
grep -q 'temporary failure' "$tmp/show3" && fail "$id3: the look-up's final answer was retried: $(cat "$tmp/show3")"
[ ! -d "$tmp/outbox" ] || [ -z "$(ls "$tmp/outbox")" ] || fail "a message was built for an undeliverable invoice"
echo "not deliverable: SMP 404 ($b1) and NXDOMAIN ($b2) each failed after one attempt, with the reason;" \
	"after a crash in sending, the look-up's final answer failed $id3 at once"
