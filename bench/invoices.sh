#!/bin/sh
# invoices.sh - `gateway invoice export` at scale: INVOICES_N generated
# invoice records (default 20000; the cooperative issues ~209,000 a year)
# parsed, validated, computed, written as UBL documents (one atomic file
# each: temp, fsync, rename, directory fsync). Prints documents/s, the bytes
# written, and how long xmllint takes to check a 1,000-document sample
# against the UBL 2.1 XSD. Figures only: nothing is asserted about time.
# Env: BUILD, REF, INVOICES_N, SEED (42).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
REF=${REF:-$(cd "$top/../shared/reference" 2>/dev/null && pwd)}
n=${INVOICES_N:-20000}
seed=${SEED:-42}
gen="$top/$BUILD/bench/gen_invoices"
gw="$top/$BUILD/gateway"
[ -x "$gen" ] || { echo "invoices: $gen missing (make bench builds it)"; exit 1; }
tmp=$(mktemp -d "$top/$BUILD/bench-invoices.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
"$gen" "$n" "$seed" >"$tmp/in.jsonl" || exit 1
echo "input: $n records, $(du -k "$tmp/in.jsonl" | cut -f1) KB JSON Lines"
ms() { date +%s%N | cut -c1-13; }
t0=$(ms)
"$gw" invoice export --invoices "$tmp/in.jsonl" --out "$tmp/out" >"$tmp/sum" 2>/dev/null
rc=$?
t1=$(ms)
el=$((t1 - t0))
[ "$el" -gt 0 ] || el=1
echo "export: exit $rc, $(cat "$tmp/sum")"
echo "export: $el ms, $((n * 1000 / el)) documents/s, $(du -sk "$tmp/out" | cut -f1) KB written"
grep -L '<CreditNote' "$tmp/out"/*.xml | head -n 1000 >"$tmp/sample"
t0=$(ms)
xargs xmllint --noout --schema "$REF/peppol/ubl-xsd/maindoc/UBL-Invoice-2.1.xsd" <"$tmp/sample" \
	>/dev/null 2>"$tmp/xsd.err"
t1=$(ms)
echo "xmllint XSD check of $(wc -l <"$tmp/sample") invoices: $((t1 - t0)) ms, $(grep -c 'fails to validate' "$tmp/xsd.err") invalid"
