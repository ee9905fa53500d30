# onss-sim.sh - sourced by tests that run `gateway run` against the ONSS REST
# simulator: start it with a durable ledger, write the [dimona] section a
# gateway needs to reach it, and read from its ledger who was declared how
# many times.
#
#   onss_sim_start DIR [ARGS...]   starts `gateway sim onss` (ledger DIR/ledger.jsonl,
#                                  extra ARGS such as --fault drop:0.01 --seed 1);
#                                  sets SIM_PID, SIM_PORT. Needs G (the gateway) and TOP.
#   onss_sim_conf                  prints the [dimona] section for it
#   onss_sim_stop                  stops it (call from the caller's trap too)
#   onss_sim_verdict DIR WORKERS   prints "once missing duplicates unknown": of the
#                                  INSS numbers in the file WORKERS (one a line), how
#                                  many have exactly one period and one declaration in
#                                  the ledger, none, more; and INSS numbers the ledger
#                                  has that WORKERS does not

onss_sim_start() {
	d=$1; shift
	"$G" sim onss --ledger "$d/ledger.jsonl" --port-file "$d/port" --process-ms 50 "$@" \
		>"$d/sim.out" 2>"$d/sim.err" &
	SIM_PID=$!
	i=0
	while [ ! -s "$d/port" ]; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { echo "onss-sim: the simulator did not start"; cat "$d/sim.err"; return 1; }
		sleep 0.1
	done
	SIM_PORT=$(cat "$d/port")
}

onss_sim_conf() {
	cat <<EOF
[dimona]
base_url = https://localhost:$SIM_PORT/REST/dimona/v2
token_url = https://localhost:$SIM_PORT/REST/oauth/v5/token
ca_file = $TOP/certs/out/tls/ca.crt.pem
cert = $TOP/certs/out/onss/org.crt.pem
key = $TOP/certs/out/onss/org.key.pem
timeout_ms = 5000
EOF
}

onss_sim_stop() {
	[ -n "${SIM_PID:-}" ] || return 0
	kill "$SIM_PID" 2>/dev/null || true
	wait "$SIM_PID" 2>/dev/null || true
	SIM_PID=""
}

onss_sim_verdict() {
	"$G" sim onss --dump-ledger "$1/ledger.jsonl" > "$1/ledger.json" || return 1
	awk -v workers="$2" '
		BEGIN { while ((getline x < workers) > 0) want[x] = 1 }
		/"periods": \[/ { sec = "p" }
		/"declarations": \[/ { sec = "d" }
		/"worker": "/ {
			v = $0; sub(/.*"worker": "/, "", v); sub(/".*/, "", v)
			if (sec == "p") pc[v]++; else if (sec == "d") dc[v]++
		}
		END {
			once = missing = dup = extra = 0
			for (x in want) {
				if (pc[x] == 1 && dc[x] == 1) once++
				else if (pc[x] == 0) missing++
				else dup++
			}
			for (x in pc) if (!(x in want)) extra++
			printf "%d %d %d %d\n", once, missing, dup, extra
		}' "$1/ledger.json"
}
