# onss-sim.sh - sourced by the Dimona REST tests: start `gateway sim onss`
# in DIR on a free port (simulated date 2026-03-01, fast processing) and
# write DIR/gw.conf pointing the gateway at it with short retries.
#
#   start_sim DIR [SIM-ARGS...]   sets simpid and port; the caller's trap kills simpid
#
# Needs TOP and GATEWAY.
start_sim() {
	d=$1; shift
	"$GATEWAY" sim onss --ledger "$d/ledger.jsonl" --port-file "$d/port" --today 2026-03-01 \
		--process-ms 50 --identify-ms 1500 "$@" >"$d/sim.out" 2>"$d/sim.err" &
	simpid=$!
	i=0
	while [ ! -s "$d/port" ]; do
		i=$((i + 1)); [ $i -lt 200 ] || { echo "simulator did not start"; cat "$d/sim.err"; exit 1; }
		sleep 0.05
	done
	port=$(cat "$d/port")
	cat >"$d/gw.conf" <<CONF
[queue]
dsn = $d/queue.db
retry_base_ms = 200
retry_cap_ms = 2000
[dimona]
base_url = https://localhost:$port/REST/dimona/v2
token_url = https://localhost:$port/REST/oauth/v5/token
ca_file = $TOP/certs/out/tls/ca.crt.pem
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
timeout_ms = 5000
CONF
}
