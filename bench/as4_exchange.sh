#!/bin/sh
# Peppol AS4 end to end: messages per second from `gateway run` (sender,
# peppol-as4 channel) to `gateway serve` (receiver, POST /as4) over HTTPS on
# loopback, both with their durable stores (fsync). Wall time of the run
# from ready to accepted, on AS4_N generated records (default 500). The
# test hook and the hostile messages are tests/peppol-exchange.sh's, not
# here. Env: BUILD, REF. Figures only.
set -u
top=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
G=$top/$BUILD/gateway
N=${AS4_N:-500}
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
echo "as4 end to end: $N messages in $ms ms wall: $(( N * 1000 / (ms > 0 ? ms : 1) )) messages/s" \
	"(one sender runner, POSTs one at a time; receiver with fsync'd store + inbox)"
