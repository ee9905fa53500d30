#!/bin/sh
# Runs every fuzzer in build-fuzz/fuzz/ for FUZZ_SECONDS (or FUZZ_RUNS
# inputs, which makes a run repeatable) with the random seed FUZZ_SEED
# (default 1), each run starting from the committed corpus
# (tests/fuzz/corpus/<name>/) copied afresh into a scratch folder, where new
# finds go; FUZZ_KEEP=1 keeps the scratch corpus of earlier runs instead.
# A crash leaves its reproducer in build-fuzz/crashes/ and fails.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
secs=${FUZZ_SECONDS:-5}
status=0
mkdir -p build-fuzz/crashes build-fuzz/corpus
for f in build-fuzz/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f" | sed 's/^fuzz_//')
	seeds="tests/fuzz/corpus/$name"
	work="build-fuzz/corpus/$name"
	[ "${FUZZ_KEEP:-0}" = 1 ] || rm -rf "$work"
	mkdir -p "$work"
	[ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null || true
	if [ -n "${FUZZ_RUNS:-}" ]; then length="-runs=$FUZZ_RUNS"; else length="-max_total_time=$secs"; fi
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	if "$f" "$length" -seed="${FUZZ_SEED:-1}" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="build-fuzz/crashes/$name-" $dict "$work" \
		>"build-fuzz/$name.log" 2>&1; then
		echo "fuzz $name: $(grep -E '^#[0-9]+.*(DONE|pulse)' "build-fuzz/$name.log" | tail -n 1)"
	else
		echo "fuzz $name: FAILED (see build-fuzz/$name.log)"; tail -n 30 "build-fuzz/$name.log"
		status=1
	fi
done
exit $status
