#!/bin/sh
# Runs every test: cmocka unit binaries, then the integration and
# conformance scripts, then the fuzzers' regression pass. Each unit test
# case counts once; each script counts once (its own output says more).
# Last line: "N passed, N failed". Exit 1 when anything failed.
#
# Environment: BUILD (build dir), REF (../shared/reference), ONLY
# (unit|integration|conformance|fuzz to run one group).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
REF=${REF:-$(cd "$top/../shared/reference" 2>/dev/null && pwd)}
GATEWAY="$top/$BUILD/gateway"
export BUILD REF GATEWAY TOP="$top"
# One pinned clock for the whole run (tests/lib/clock.sh); scripts that need
# another moment pin their own.
. "$top/tests/lib/clock.sh"
passed=0
failed=0
failures=""
logdir="$top/$BUILD/test-logs"
mkdir -p "$logdir"

want() { [ -z "${ONLY:-}" ] || [ "$ONLY" = "$1" ]; }

if want unit; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		out="$logdir/$name.log"
		if "$t" >"$out" 2>&1; then rc=0; else rc=$?; fi
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
		p=${p:-0}; f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or aborted
		passed=$((passed + p)); failed=$((failed + f))
		if [ "$f" -ne 0 ]; then
			failures="$failures unit:$name"
			echo "FAIL unit $name ($p passed, $f failed); log:"; sed 's/^/    /' "$out" | tail -n 40
		else
			echo "ok   unit $name ($p)"
		fi
	done
fi

run_scripts() { # group dir
	for s in "$2"/*.sh; do
		[ -f "$s" ] || continue
		name=$(basename "$s" .sh)
		out="$logdir/$1-$name.log"
		start=$(date +%s)
		if sh "$s" >"$out" 2>&1 </dev/null; then
			passed=$((passed + 1))
			echo "ok   $1 $name ($(( $(date +%s) - start ))s): $(tail -n 1 "$out")"
		else
			failed=$((failed + 1))
			failures="$failures $1:$name"
			echo "FAIL $1 $name; log:"; sed 's/^/    /' "$out" | tail -n 60
		fi
	done
}
want integration && run_scripts integration tests/integration
want conformance && run_scripts conformance tests/conformance
want fuzz && run_scripts fuzz tests/fuzz/check

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
