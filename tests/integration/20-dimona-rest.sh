#!/bin/sh
# 20-dimona-rest.sh - the 533-record Dimona fixture through the real path:
# `gateway intake` into a fresh queue, `gateway run --until-idle` against
# `gateway sim onss` over HTTPS, once cleanly and once with faults. Each
# message's final state must match fixtures/dimona/expected-500.tsv, and
# the simulator's ledger must hold every accepted period exactly once (no
# loss, no duplicate, no two live periods of a worker overlapping).
# Outside oracles on what the gateway sent (the simulator captures every
# POST body): each OAuth client assertion verified by `openssl dgst
# -verify` with the organisation's public key (tests/oracles/check_jwt.sh),
# and every body, assertion claims included, checked against the
# description written from the published Dimona REST API
# (tests/oracles/dimona-rest-v2.json, check_rest_bodies.py).
#
# Env: TOP, GATEWAY, BUILD (set by tests/run-all.sh).
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
GATEWAY=${GATEWAY:-$TOP/build/gateway}
cd "$TOP"
. "$TOP/tests/integration/lib/onss-sim.sh"
sim_workdir dimona-rest

fixture=fixtures/dimona/contracts-500.csv
expected=fixtures/dimona/expected-500.tsv

stop_sim() {
	kill "$simpid"; wait "$simpid" 2>/dev/null || true; simpid=""
}

check_run() { # dir label faults(0|1)
	"$GATEWAY" sim onss --dump-ledger "$1/ledger.jsonl" >"$1/ledger.json"
	python3 tests/integration/dimona_check.py "$1/ledger.json" "$1/queue.db" "$2" "$3" "$expected" || return 1
	# Each check's status is its own, not a pipeline's: output to a file first.
	sh tests/oracles/check_jwt.sh "$1/bodies" certs/out/onss/org.crt.pem >"$1/jwt.out" 2>&1
	jrc=$?
	python3 tests/oracles/check_rest_bodies.py tests/oracles/dimona-rest-v2.json "$1/bodies" >"$1/bodies.out" 2>&1
	brc=$?
	sed "s/^/$2: /" "$1/jwt.out"; sed "s/^/$2: /" "$1/bodies.out" | tail -n 20
	[ $jrc -eq 0 ] && [ $brc -eq 0 ]
}

run_once() { # label faulty(0|1) extra-sim-args...
	label=$1; faulty=$2; shift 2
	d="$work/$label"; mkdir -p "$d/bodies"
	start_sim "$d" --employer 175110801 --employer 123456749 --capture "$d/bodies" "$@"
	"$GATEWAY" --config "$d/gw.conf" --log-level error intake --contracts "$fixture" >"$d/intake.out"
	grep -q "533 taken in" "$d/intake.out" || { cat "$d/intake.out"; exit 1; }
	timeout 900 "$GATEWAY" --config "$d/gw.conf" --log-level error run --until-idle >"$d/run.out" 2>"$d/run.err" ||
		[ $? -eq 1 ] || { echo "$label: gateway run failed"; tail -5 "$d/run.err"; exit 1; }
	tail -n 1 "$d/run.out" "$d/run.err" 2>/dev/null | grep -v '^$' | grep -v '==>' | tail -n 1
	stop_sim
	check_run "$d" "$label" "$faulty"
}

status=0
run_once clean 0 || status=1
run_once faults 1 --fault 503:0.08 --fault 429:0.05 --fault 500:0.03 --fault drop:0.05 \
	--fault trunc:0.04 --fault malformed:0.03 --fault slow:0.01 --slow-ms 200 \
	--fault tokendown:0.2 --token-ttl 35 --seed 11 || status=1
[ $status -eq 0 ] && echo "dimona rest: 533 records, clean and with faults, outcomes and ledger as expected"
exit $status
