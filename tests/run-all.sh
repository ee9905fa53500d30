#!/bin/sh
# Runs every test: cmocka unit binaries, then the integration and
# conformance scripts, then the fuzzers' regression pass, then the unit and
# integration tests again with the system clock shifted (timeshift). Each unit test
# case counts once; each script counts once (its own output says more).
# Last line: "N passed, N failed". Exit 1 when anything failed.
#
# Environment: BUILD (build dir), REF (../shared/reference), ONLY
# (unit|integration|conformance|fuzz|timeshift to run one group), TESTS (a
# shell pattern: only the unit binaries and scripts whose name matches, e.g.
# TESTS='64-*'), GW_SCRIPT_LIMIT and GW_FUZZ_LIMIT (seconds before a test
# counts as a hang, 600 and 1200).
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

# The tests run python3 hundreds of times (checks, oracles). Where python3
# is a version manager's shim (pyenv's is a shell script that looks up the
# version on every call), each call cost 0.3-0.4 s before the interpreter
# started: the interpreter the shim picks now, found once, is put first on
# PATH for the whole run. The same interpreter runs; only the look-up goes.
pyreal=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || pyreal=""
if [ -n "$pyreal" ] && [ -x "$pyreal" ] && [ "$(command -v python3)" != "$pyreal" ]; then
	mkdir -p "$logdir/bin"
	ln -sf "$pyreal" "$logdir/bin/python3"
	PATH="$logdir/bin:$PATH"
	export PATH
fi

# A test that hangs fails by name instead of holding CI to its deadline.
# The limits are several times the slowest test's time on a quiet machine
# (80 s), so a loaded machine does not stop a test that is merely slow; the
# fuzzers' pass runs 13 targets in one script.
script_limit=${GW_SCRIPT_LIMIT:-600}

want() { [ -z "${ONLY:-}" ] || [ "$ONLY" = "$1" ]; }
picked() { case "$1" in ${TESTS:-*}) return 0 ;; esac; return 1; }

# Sanitizer reports (make SAN=1): every process a test starts writes its
# ASan, LeakSanitizer or UBSan report into that test's own folder, the
# simulators, servers and stand-ins it runs in the background included,
# whose exit status a script does not read (it stops them with kill). A test
# whose processes left a report fails, its log ending with the reports'
# first lines. The options are read only by a sanitizer build.
san_asan=${ASAN_OPTIONS:-}
san_ubsan=${UBSAN_OPTIONS:-}
san_lsan=${LSAN_OPTIONS:-}
san_begin() { # label
	sandir="$logdir/sanitizer/$1"
	rm -rf "$sandir"; mkdir -p "$sandir"
	ASAN_OPTIONS="${san_asan:+$san_asan:}log_path=$sandir/report"
	# A script's own suppressions (a library's leak it provokes) say nothing
	# unless a report is left.
	LSAN_OPTIONS="print_suppressions=0${san_lsan:+:$san_lsan}"
	UBSAN_OPTIONS="print_stacktrace=1${san_ubsan:+:$san_ubsan}:log_path=$sandir/report"
	export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
}
# The caller's options back, for the fuzzers: their runner reads their
# reports on stderr (tests/fuzz/run.sh).
san_end() {
	sandir=""
	if [ -n "$san_asan" ]; then ASAN_OPTIONS=$san_asan; else unset ASAN_OPTIONS; fi
	if [ -n "$san_ubsan" ]; then UBSAN_OPTIONS=$san_ubsan; else unset UBSAN_OPTIONS; fi
	if [ -n "$san_lsan" ]; then LSAN_OPTIONS=$san_lsan; else unset LSAN_OPTIONS; fi
}
# Prints the start of each report the test's processes left; true if any.
san_found() {
	[ -n "$sandir" ] || return 1
	set -- "$sandir"/report.*
	[ -e "$1" ] || return 1
	for r in "$@"; do
		echo "sanitizer report $r:"; sed -n '1,16p' "$r"
	done
	return 0
}

# Run one test (CMD...) into OUT under the time limit. timeout(1) leads a
# process group of its own, so whatever the test started and left running
# is still in that group when it ends: such a process fails the test, is
# named in its log and killed. A server left behind once kept faketime's
# wrapper (which waits for every process of its run) from ever returning.
limited() { # out cmd...
	lo=$1; shift
	timeout -k 10 "$script_limit" "$@" >"$lo" 2>&1 </dev/null &
	tp=$!
	wait "$tp"; lrc=$?
	[ "$lrc" -eq 124 ] && echo "(stopped after ${script_limit}s: a hang)" >>"$lo"
	i=0
	while left=$(pgrep -g "$tp") && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	if [ -n "$left" ]; then
		{ echo "FAIL: still running after the test ended (now killed):"; pgrep -a -g "$tp" | cut -c1-240; } >>"$lo"
		pkill -KILL -g "$tp"
		[ "$lrc" -ne 0 ] || lrc=1
	fi
	return "$lrc"
}

# One cmocka binary: its passes and failures counted, its log kept.
run_unit() { # binary label
	out="$logdir/$2.log"
	san_begin "$2"
	if limited "$out" "$1"; then rc=0; else rc=$?; fi
	if san_found >>"$out" && [ "$rc" -eq 0 ]; then rc=1; fi
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed, aborted, or a sanitizer report
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		failures="$failures unit:$2"
		echo "FAIL unit $2 ($p passed, $f failed); log:"; sed 's/^/    /' "$out" | tail -n 40
	else
		echo "ok   unit $2 ($p)"
	fi
}

# The suites that run on both queue backends (tests/unit/test_backend.h):
# once on SQLite, once on a throwaway PostgreSQL cluster (tests/lib/pg.sh)
# when Debian's postgresql is installed (it is in CI: .ci/deps.sh).
PG_SUITES="test_queue_sqlite test_store test_queue_lease test_queue_postgres"

if want unit; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] && picked "$(basename "$t")" || continue
		run_unit "$t" "$(basename "$t")"
	done
	. "$top/tests/lib/pg.sh"
	if [ -z "${GW_TEST_DSN:-}" ] && pg_available; then
		if pg_start; then
			export GW_TEST_DSN="$PG_DSN"
			for s in $PG_SUITES; do
				[ -x "$BUILD/tests/$s" ] && picked "$s" || continue
				run_unit "$BUILD/tests/$s" "$s@postgresql"
			done
			unset GW_TEST_DSN
			pg_stop
		else
			failed=$((failed + 1)); failures="$failures unit:postgresql-cluster"
			echo "FAIL unit: the throwaway PostgreSQL cluster did not start (tests/lib/pg.sh)"
		fi
	elif [ -z "${GW_TEST_DSN:-}" ]; then
		echo "skip unit suites on postgresql: $PG_WHY"
	fi
fi

run_scripts() { # group dir
	for s in "$2"/*.sh; do
		[ -f "$s" ] || continue
		name=$(basename "$s" .sh)
		picked "$name" || continue
		out="$logdir/$1-$name.log"
		start=$(date +%s)
		if [ "$1" = fuzz ]; then san_end; else san_begin "$1-$name"; fi
		if limited "$out" sh "$s"; then rc=0; else rc=$?; fi
		if san_found >>"$out" && [ "$rc" -eq 0 ]; then rc=1; fi
		if [ "$rc" -eq 0 ]; then
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
want fuzz && script_limit=${GW_FUZZ_LIMIT:-1200} run_scripts fuzz tests/fuzz/check

# The time-bomb catcher: unit and integration tests once more with the
# system clock a year and a month ahead (libfaketime). Every test pins the
# gateway's clock, so nothing may change; a test that reads the real date
# somewhere (a script's date(1), a simulator) fails here before the day it
# would have failed in CI. The pin is made anew inside the shifted run. The
# libFuzzer binaries hang under libfaketime's preload and read no dates.
if want timeshift && [ -z "${GW_TIMESHIFTED:-}" ]; then
	if ! command -v faketime >/dev/null 2>&1; then
		failed=$((failed + 1)); failures="$failures timeshift:faketime-missing"
		echo "FAIL timeshift: faketime is not installed (make deps)"
	fi
	for g in unit integration; do
		command -v faketime >/dev/null 2>&1 || break
		out="$logdir/timeshift-$g.log"
		start=$(date +%s)
		# libfaketime is preloaded before ASan's runtime, which a sanitizer
		# build refuses at start unless told not to check the order (faketime
		# only replaces the clock functions; every check stays on).
		if env -u GATEWAY_NOW -u GATEWAY_NOW_FROM GW_TIMESHIFTED=1 ONLY=$g BUILD="$BUILD" REF="$REF" \
			ASAN_OPTIONS="${san_asan:+$san_asan:}verify_asan_link_order=0" UBSAN_OPTIONS="$san_ubsan" \
			LSAN_OPTIONS="$san_lsan" \
			timeout -k 10 "${GW_TIMESHIFT_LIMIT:-3000}" faketime -f '+400d' sh "$top/tests/run-all.sh" \
			>"$out" 2>&1 </dev/null; then
			passed=$((passed + 1))
			echo "ok   timeshift $g +400 days ($(( $(date +%s) - start ))s): $(tail -n 1 "$out")"
		else
			failed=$((failed + 1))
			failures="$failures timeshift:$g"
			echo "FAIL timeshift $g +400 days; log:"; grep -v '^ok ' "$out" | sed 's/^/    /' | tail -n 60
		fi
	done
fi

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
