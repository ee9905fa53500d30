#!/bin/sh
# 94-smp-dns-down.sh - issue 18's "DNS failure" fault case, through the
# service: with discovery on and the DNS server not answering, an invoice
# is not failed: its attempt is a temporary failure (the message waits,
# ready or sent with its outcome unknown, for the channel to try again
# after the back-off), with the reason in its history. Once the
# DNS server is back, the next attempt gets through to the SMP (here a 404:
# then final), which shows the first failure was retried, not dropped.
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
"$BUILD/bench/gen_invoices" 20 14 | grep -v '"buyer": {[^}]*"peppol_id": ""' | grep '"type": "invoice"' |
	head -n 1 > "$tmp/in.jsonl"
b1=$(sed -n '1s/.*"buyer": {[^}]*"peppol_id": "\([^"]*\)".*/\1/p' "$tmp/in.jsonl")
id=inv:$(sed -n '1s/.*"invoice_id": "\([^"]*\)".*/\1/p' "$tmp/in.jsonl")
[ -n "$b1" ] || fail "no buyer"
dp=$(free_port)
snd() { "$GATEWAY" --set "queue.dsn=$tmp/q.db" --set peppol_as4.discovery=on \
	--set "smp.resolver=127.0.0.1:$dp" --set smp.dns_timeout_ms=300 --set "smp.tls_ca=$P/tls/ca.crt.pem" \
	--set "peppol_as4.cert=$P/g3/sender.crt.pem" --set "peppol_as4.key=$P/g3/sender.key.pem" \
	--set "peppol_as4.outbox=$tmp/outbox" --set queue.retry_base_ms=200 --set queue.retry_cap_ms=1000 "$@"; }
snd intake --invoices "$tmp/in.jsonl" > "$tmp/intake" 2>&1 || fail "intake: $(cat "$tmp/intake")"
# No DNS server on that port: a few seconds of attempts, each a temporary failure.
snd run --until-idle --channel peppol-as4 --max-time 3s > "$tmp/run1" 2>&1
st=$(sqlite3 "$tmp/q.db" "SELECT state FROM msgs WHERE record_id='$id'")
case $st in ready|sent) ;; *) fail "after the DNS failure: '$st', want ready or sent (to be tried again)" ;; esac
snd show "$id" > "$tmp/show1" 2>&1
grep -q 'DNS look-up of .* failed: .*(retried later)' "$tmp/show1" || fail "reason: $(cat "$tmp/show1")"
grep -q 'not deliverable' "$tmp/show1" && fail "a DNS failure was taken as final"
# The DNS server comes back (the participant's SMP does not know it).
"$GATEWAY" --set http.listen=127.0.0.1 --set "http.cert=$P/tls/server.crt.pem" \
	--set "http.key=$P/tls/server.key.pem" --set smp.participants=0208:0739484052 \
	--set "smp.endpoint_url=https://localhost:9/as4" --set "smp.endpoint_cert=$P/g3/receiver.crt.pem" \
	smp serve --port 0 --port-file "$tmp/smp.port" > "$tmp/smp.out" 2>&1 &
smppid=$!
i=0; while [ ! -s "$tmp/smp.port" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/smp.port" ] || fail "smp serve: $(cat "$tmp/smp.out")"
dns_start "$tmp" "$dp" "$b1=https://localhost:$(cat "$tmp/smp.port")" || fail "dnsmasq"
rc=0; snd run --until-idle --channel peppol-as4 --max-time 60s > "$tmp/run2" 2>&1 || rc=$?
st=$(sqlite3 "$tmp/q.db" "SELECT state FROM msgs WHERE record_id='$id'")
[ "$st" = failed ] || fail "after the DNS came back: '$st', want failed: $(tail -5 "$tmp/run2")"
snd show "$id" > "$tmp/show2" 2>&1
grep -q 'not deliverable over Peppol: the SMP of .*(HTTP 404' "$tmp/show2" || fail "second reason: $(cat "$tmp/show2")"
echo "DNS down: a temporary failure (not failed, tried again after the back-off); with the DNS back the retry reached the SMP (404: then final)"
