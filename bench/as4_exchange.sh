#!/bin/sh
# Peppol AS4 end to end: messages per second from `gateway run` (sender,
# peppol-as4 channel) to `gateway serve` (receiver, POST /as4) over HTTPS on
# loopback, both with their durable stores (fsync). Wall time of the run
# from ready to accepted, on AS4_N generated records (default 1,000 for the
# ten-minute make bench; the issue's size is 10,000), beside
# the floor: RSA-2048 private-key operations per second (`openssl speed`,
# one core), since each message costs the sender a signature and the
# receiver a key unwrap and a receipt signature. The
# test hook and the hostile messages are tests/peppol-exchange.sh's, not
# here. Env: BUILD, REF. Figures only.
set -u
top=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
G=$top/$BUILD/gateway
N=${AS4_N:-1000}
. "$top/bench/lib.sh"
[ -x "$top/$BUILD/bench/gen_invoices" ] || { echo "as4_exchange: make bench-bins"; exit 1; }
sh "$top/certs/gen-test-pki.sh"
. "$top/tests/lib/clock.sh"
export GW_REFERENCE_DIR="${REF:-$top/../shared/reference}"
P=$top/certs/out
w=$(mktemp -d "${TMPDIR:-/tmp}/gwb.XXXXXX")
rpid=
trap '[ -n "$rpid" ] && kill "$rpid" 2>/dev/null; rm -rf "$w"' EXIT INT TERM
"$G" --set "queue.dsn=$w/r.db" --set peppol_as4.receive=on --set "peppol_as4.inbox=$w/inbox" \
	--set "peppol_as4.cert=$P/g3/receiver.crt.pem" --set "peppol_as4.key=$P/g3/receiver.key.pem" \
	--set "http.cert=$P/tls/server.crt.pem" --set "http.key=$P/tls/server.key.pem" --set log.level=warn \
	serve --port 0 --port-file "$w/port" > "$w/r.out" 2> "$w/r.err" &
rpid=$!
i=0; while [ ! -s "$w/port" ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
snd() { "$G" --set "queue.dsn=$w/s.db" --set log.level=warn \
	--set "peppol_as4.endpoint_url=https://localhost:$(cat "$w/port")/as4" \
	--set "peppol_as4.endpoint_cert=$P/g3/receiver.crt.pem" --set "peppol_as4.tls_ca=$P/tls/ca.crt.pem" \
	--set "peppol_as4.outbox=$w/outbox" "$@"; }
"$top/$BUILD/bench/gen_invoices" $((N * 2 + 20)) 14 | grep -v '"buyer": {[^}]*"peppol_id": ""' |
	head -n "$N" > "$w/in.jsonl"
snd intake --invoices "$w/in.jsonl" > /dev/null 2>&1
t0=$(date +%s%N)
snd run --until-idle --channel peppol-as4 > "$w/run" 2> "$w/run.err"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
cat "$w/run"
ours=$(( N * 1000 / (ms > 0 ? ms : 1) ))
floor=$(openssl speed -seconds 2 rsa2048 2>/dev/null | awk '$1 == "rsa" && $2 == "2048" { printf "%.0f", $6 }')
echo "openssl speed rsa2048: ${floor:-?} private-key operations/s (one core)"
row "Peppol AS4 loopback (sign, encrypt, send, receive, verify, receipt)" "$N invoices" "$ours" "messages/s" "-" \
	"openssl speed rsa2048 (sign/s)" "${floor:--}" "aim 500/s; each message takes 3 private-key operations across both sides"
echo "as4 end to end: $N messages in $ms ms wall: $ours messages/s" \
	"(one sender runner, [run] send_batch POSTs in flight; receiver with group-committed store" \
	"and fsync'd inbox)"
