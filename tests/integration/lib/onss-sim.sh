# onss-sim.sh - sourced by the Dimona REST tests: start `gateway sim onss`
# in DIR on a free port (fast processing) and write DIR/gw.conf pointing the
# gateway at it with short retries. Sourcing it pins the clock of the
# script, the gateway and the simulator alike to 2026-03-01 10:00 Brussels,
# the moment the Dimona fixtures' deadlines are written against.
#
#   sim_workdir NAME              a fresh $work ($TMPDIR/gw-NAME-XXXXXX), the test PKI, and a
#                                 trap that stops the simulator and removes $work at exit
#                                 (scripts with more to stop keep a trap of their own)
#   start_sim DIR [SIM-ARGS...]   sets simpid and port; the caller's trap kills simpid
#
# Needs TOP and GATEWAY.
. "$TOP/tests/lib/clock.sh"
pin_clock 2026-03-01T10:00:00+01:00
sim_workdir() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/gw-$1-XXXXXX")
	simpid=""
	trap sim_cleanup EXIT INT TERM
	[ -f "$TOP/certs/out/tls/ca.crt.pem" ] || sh "$TOP/certs/gen-test-pki.sh" >/dev/null
}
sim_cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
	rm -rf "$work"
}
start_sim() {
	d=$1; shift
	"$GATEWAY" sim onss --ledger "$d/ledger.jsonl" --port-file "$d/port" \
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
# A send that got no answer may still land for this long (the simulator's
# slowest answer is --slow-ms, 1500 in the fault tests).
settle_ms = 3000
[dimona]
base_url = https://localhost:$port/REST/dimona/v2
token_url = https://localhost:$port/REST/oauth/v5/token
ca_file = $TOP/certs/out/tls/ca.crt.pem
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
timeout_ms = 5000
CONF
}
