#!/bin/sh
# Native EN 16931 rule sets: time per invoice on the official 9 KB
# base example (median of 7 runs), parsed tree and parse included.
# Env: BUILD, REF. Figures only.
set -u
top=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
bin="$top/$BUILD/bench/rules_bench"
[ -x "$bin" ] || { echo "rules: $bin not built (make bench)"; exit 1; }
REF="${REF:-$top/../shared/reference}" "$bin" "${REF:-$top/../shared/reference}/peppol/examples/peppol/base-example.xml" 2000
