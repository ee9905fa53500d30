#!/bin/sh
# make bench: runs every bench/*.sh in name order. Benchmarks print figures;
# they are not tests and assert nothing about time. Env: BUILD, REF.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
REF=${REF:-$(cd "$top/../shared/reference" 2>/dev/null && pwd)}
export BUILD REF TOP="$top" GATEWAY="$top/$BUILD/gateway"
status=0
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	echo "== $(basename "$b" .sh)"
	sh "$b" || { echo "bench $(basename "$b") failed"; status=1; }
done
exit $status
