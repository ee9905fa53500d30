#!/bin/sh
# dimona_rest.sh - Dimona over REST at scale: REST_N generated contracts
# (default 3,000 so that make bench stays under ten minutes at today's rate;
# the issue's size is 100,000; bench/gen_contracts) taken in, then `gateway run
# --until-idle` against `gateway sim onss` over HTTPS on loopback (token,
# POST, poll, result), with the simulator's processing delay at 0. Prints
# declarations per second from the first send to the last answer, the
# states the messages ended in and the simulator's ledger count, and the
# table row (no peer: the simulator is the other side). REST_SEND_BATCH
# (default 32) is [run] send_batch: the declarations in flight at once.
# Figures only.
set -u
: "${TOP:?}" "${BUILD:?}" "${GATEWAY:?}"
. "$TOP/bench/lib.sh"
. "$TOP/tests/lib/clock.sh"
N=${REST_N:-3000}
GEN=$TOP/$BUILD/bench/gen_contracts
[ -x "$GEN" ] || { echo "dimona_rest: $GEN missing (make bench builds it)"; exit 1; }
[ -f "$TOP/certs/out/tls/ca.crt.pem" ] || sh "$TOP/certs/gen-test-pki.sh" >/dev/null
d=$(mktemp -d "${TMPDIR:-/tmp}/gw-rest-bench.XXXXXX")
simpid=
trap '[ -n "$simpid" ] && kill "$simpid" 2>/dev/null; rm -rf "$d"' EXIT INT TERM
cd "$TOP"
"$GATEWAY" sim onss --ledger "$d/ledger.jsonl" --port-file "$d/port" --process-ms 0 --identify-ms 0 \
	--token-ttl 3600 >"$d/sim.out" 2>"$d/sim.err" &
simpid=$!
i=0
while [ ! -s "$d/port" ]; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "dimona_rest: the simulator did not start"; cat "$d/sim.err"; exit 1; }
	sleep 0.05
done
port=$(cat "$d/port")
cat >"$d/gw.conf" <<CONF
[run]
send_batch = ${REST_SEND_BATCH:-32}
[queue]
dsn = $d/queue.db
[dimona]
base_url = https://localhost:$port/REST/dimona/v2
token_url = https://localhost:$port/REST/oauth/v5/token
ca_file = $TOP/certs/out/tls/ca.crt.pem
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
CONF
"$GEN" "$N" 7 >"$d/contracts.csv" || exit 1
"$GATEWAY" --config "$d/gw.conf" --log-level error intake --contracts "$d/contracts.csv" >"$d/intake.out" 2>"$d/intake.err"
tail -n 1 "$d/intake.out"
measure "$d/t.run" "$GATEWAY" --config "$d/gw.conf" --log-level error run --until-idle --channel dimona-rest \
	>"$d/run.out" 2>"$d/run.err"
"$GATEWAY" --config "$d/gw.conf" status 2>/dev/null | sed -n '1,20p' >"$d/status"
done_n=$("$GATEWAY" --config "$d/gw.conf" list --state accepted --json 2>/dev/null | grep -c '"id"')
warn_n=$("$GATEWAY" --config "$d/gw.conf" list --state accepted-with-warnings --json 2>/dev/null | grep -c '"id"')
answered=$((done_n + warn_n))
secs=$(wall_of "$d/t.run")
ours=$(rate "$answered" "$secs")
echo "run: $answered declarations answered (accepted $done_n, with warnings $warn_n) in $secs s: $ours/s," \
	"peak RSS $(peak_mb_of "$d/t.run") MB"
row "Dimona REST v2 (token, POST, poll, result)" "$answered declarations" "$ours" "declarations/s" \
	"$(peak_mb_of "$d/t.run")" "-" "-" "aim 1,000/s against the simulator on the same machine"
