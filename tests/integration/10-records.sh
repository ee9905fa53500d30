#!/bin/sh
# 10-records.sh - `gateway records validate` over every contract fixture.
#
# bad/NN-name.{csv,jsonl}: exit 1, stderr equal byte for byte to
# bad/NN-name.expected, and the file's valid record still counted valid.
# valid/*: exit 0, nothing on stderr, every record valid; the canonical
# JSON of valid/canonical.csv equals the hand-written expectation; the
# canonical JSON read back gives itself (CSV -> JSON -> JSON is stable).
# Also: exit 2 for a missing file and a bad option, a too-long record, and
# --kind invoice against the invoice fixtures.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}"
fx="$TOP/fixtures/contracts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
ok() { pass=$((pass + 1)); }

cd "$fx/bad" || exit 1
n=0
for exp in *.expected; do
	name=${exp%.expected}
	for f in "$name.csv" "$name.jsonl"; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		"$GATEWAY" records validate "$f" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ "$rc" -ne 1 ]; then bad "$f: exit $rc, expected 1"; continue; fi
		if ! cmp -s "$tmp/err" "$exp"; then
			bad "$f: stderr differs"; diff "$exp" "$tmp/err" | sed 's/^/    /'; continue
		fi
		want=$(wc -l <"$exp" | tr -d ' ')
		if ! grep -q "^$f: [0-9]* records, [1-9][0-9]* valid, $want rejected\$" "$tmp/out"; then
			bad "$f: summary: $(cat "$tmp/out")"; continue
		fi
		ok
	done
done
[ "$n" -ge 45 ] || bad "only $n bad fixtures"

cd "$fx/valid" || exit 1
for f in *.csv *.jsonl ../sample.csv ../sample.jsonl; do
	"$GATEWAY" records validate "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then bad "$f: exit $rc: $(cat "$tmp/err")"; continue; fi
	if ! grep -q "^$f: \([0-9]*\) records, \1 valid, 0 rejected\$" "$tmp/out"; then
		bad "$f: summary: $(cat "$tmp/out")"; continue
	fi
	# Round trip: the canonical JSON lines validate and reproduce themselves.
	"$GATEWAY" records validate --json "$f" >"$tmp/a.jsonl" 2>/dev/null || { bad "$f: --json"; continue; }
	"$GATEWAY" records validate --json "$tmp/a.jsonl" >"$tmp/b.jsonl" 2>/dev/null || { bad "$f: re-read"; continue; }
	cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" || { bad "$f: canonical JSON not stable"; continue; }
	ok
done
"$GATEWAY" records validate --json canonical.csv >"$tmp/c.jsonl" 2>/dev/null
if cmp -s "$tmp/c.jsonl" canonical.expected.jsonl; then ok; else bad "canonical.csv JSON"; diff canonical.expected.jsonl "$tmp/c.jsonl"; fi
rows=$(grep -c . "$fx/sample.csv")
[ "$rows" -ge 21 ] && ok || bad "sample.csv has $((rows - 1)) records"

# All bad files in one run: exit 1, the rejections in order, nothing lost.
cd "$fx/bad" || exit 1
"$GATEWAY" records validate ./*.csv ./*.jsonl >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "all bad files: exit not 1"
total=$(awk '{s += $2} END {print s}' "$tmp/out")
valid=$(awk '{s += $4} END {print s}' "$tmp/out")
[ "$valid" -eq "$n" ] && [ "$total" -eq $((2 * n)) ] && ok || bad "all bad files: $valid valid of $total"

# --kind invoice hands the file to the invoice reader, same output contract.
if [ -f "$TOP/fixtures/invoices/bad/bad.expected" ]; then
	cd "$TOP/fixtures/invoices/bad" || exit 1
	# The invoice checks are the invoice reader's (tested with its fixtures);
	# here: the exit code, one rejection line per rejected record, format.
	"$GATEWAY" records validate --kind invoice bad.jsonl >"$tmp/out" 2>"$tmp/err"
	rc=$?
	nrej=$(sed -n 's/^bad.jsonl: [0-9]* records, [0-9]* valid, \([0-9]*\) rejected$/\1/p' "$tmp/out")
	nlines=$(wc -l <"$tmp/err" | tr -d ' ')
	if [ "$rc" -eq 1 ] && [ -n "$nrej" ] && [ "$nrej" -gt 0 ] && [ "$nrej" -eq "$nlines" ] &&
		! grep -qv '^bad.jsonl:[0-9]*: ' "$tmp/err"; then ok; else bad "invoice bad.jsonl"; fi
	"$GATEWAY" records validate --kind invoice ../sample.jsonl >"$tmp/out" 2>"$tmp/err"
	if [ $? -eq 0 ] && grep -q "0 rejected" "$tmp/out"; then ok; else bad "invoice sample"; fi
	"$GATEWAY" records validate --kind invoice --json ../sample.jsonl >/dev/null 2>&1
	[ $? -eq 2 ] && ok || bad "--kind invoice --json: exit not 2"
fi

# "-" reads standard input, the format told by the first byte.
"$GATEWAY" records validate - <"$fx/sample.jsonl" >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -q "^-: 20 records, 20 valid, 0 rejected" "$tmp/out" && ok || bad "stdin: $(cat "$tmp/out")"

# Usage and I/O errors are exit 2; help is exit 0.
"$GATEWAY" records validate "$tmp/does-not-exist.csv" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "missing file: exit not 2"
"$GATEWAY" records validate --frobnicate "$fx/sample.csv" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "unknown option: exit not 2"
"$GATEWAY" records validate >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "no file: exit not 2"
"$GATEWAY" records validate --kind payslip "$fx/sample.csv" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "unknown kind: exit not 2"
"$GATEWAY" records --help >/dev/null 2>&1
[ $? -eq 0 ] && ok || bad "--help: exit not 0"

# A record longer than the limit is refused and the next one still read.
{
	head -n 1 "$fx/valid/canonical.csv"
	printf '046,X-1,'; head -c 70000 /dev/zero | tr '\0' x; echo
	sed -n 2p "$fx/valid/canonical.csv"
} >"$tmp/long.csv"
"$GATEWAY" records validate "$tmp/long.csv" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 1 ] && grep -q "long.csv:2: record longer than 65536 bytes" "$tmp/err" &&
	grep -q "2 records, 1 valid, 1 rejected" "$tmp/out"; then ok; else bad "long record: $(cat "$tmp/err" "$tmp/out")"; fi

echo "records: $pass passed, $fail failed ($n bad fixtures)"
[ "$fail" -eq 0 ]
