#!/bin/sh
# records.sh - intake throughput of `gateway records validate`: parsing and
# every field check, CSV and JSON Lines, on one core. Prints records/s.
#
# Environment: BUILD (build dir), RECORDS_N (default 1000000), SEED (1).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
n=${RECORDS_N:-1000000}
seed=${SEED:-1}
gen="$top/$BUILD/bench/gen_contracts"
gw="$top/$BUILD/gateway"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$gen" "$n" "$seed" >"$tmp/c.csv"
"$gen" "$n" "$seed" --jsonl >"$tmp/c.jsonl"

# Wall time in milliseconds of one validation run (best of three).
run() {
	best=""
	for _ in 1 2 3; do
		s=$(date +%s%N)
		"$gw" records validate "$1" >"$tmp/out" 2>"$tmp/err" || {
			echo "records: validation of $1 failed:"; head -n 5 "$tmp/err"; exit 1; }
		e=$(date +%s%N)
		ms=$(( (e - s) / 1000000 ))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	grep -q " $n valid, 0 rejected" "$tmp/out" || { echo "records: $(cat "$tmp/out")"; exit 1; }
	echo "$best"
}
for fmt in csv jsonl; do
	ms=$(run "$tmp/c.$fmt")
	[ "$ms" -gt 0 ] || ms=1
	mb=$(( $(wc -c <"$tmp/c.$fmt") / 1048576 ))
	echo "records $fmt: $n records ($mb MiB) in ${ms} ms = $(( n * 1000 / ms )) records/s"
done
