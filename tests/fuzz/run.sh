#!/bin/sh
# Runs every fuzzer in build-fuzz/fuzz/ for FUZZ_SECONDS (or FUZZ_RUNS
# inputs, which makes a run repeatable) with the random seed FUZZ_SEED
# (default 1), each run starting from the committed corpus
# (tests/fuzz/corpus/<name>/) copied afresh into a scratch folder, where new
# finds go; FUZZ_KEEP=1 keeps the scratch corpus of earlier runs instead.
# FUZZ_JOBS=n runs n fuzzers at a time (the long runs of `make fuzz`).
# FUZZ_ONLY="a b" runs only those targets. Each target prints one line:
# seconds, executions, coverage, and the corpus size it ended with.
# A crash leaves its reproducer in build-fuzz/crashes/ and fails.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

# run_one NAME: one fuzzer, its summary line on stdout; non-zero on a find.
run_one() {
	name=$1
	f=build-fuzz/fuzz/fuzz_$name
	seeds="tests/fuzz/corpus/$name"
	work="build-fuzz/corpus/$name"
	[ "${FUZZ_KEEP:-0}" = 1 ] || rm -rf "$work"
	mkdir -p "$work"
	[ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null || true
	# Seeds read from the reference at run time (never committed: its files
	# are not ours to copy), one path under $REF per line.
	if [ -f "tests/fuzz/$name.refseeds" ] && [ -n "${REF:-}" ]; then
		while read -r rs; do
			[ -f "$REF/$rs" ] && cp "$REF/$rs" "$work/ref-$(basename "$rs")"
		done < "tests/fuzz/$name.refseeds"
	fi
	if [ -n "${FUZZ_RUNS:-}" ]; then length="-runs=$FUZZ_RUNS"; else length="-max_total_time=${FUZZ_SECONDS:-5}"; fi
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	log="build-fuzz/$name.log"
	# One input running 10 s is a hang in a smoke run; in the long runs on a
	# loaded machine a process can wait that long for a CPU (seen: two
	# "timeouts" whose inputs then ran in 1 s), so they allow a minute.
	limit=10
	[ "${FUZZ_SECONDS:-5}" -ge 300 ] && [ -z "${FUZZ_RUNS:-}" ] && limit=60
	if "$f" "$length" -seed="${FUZZ_SEED:-1}" -max_len=65536 -rss_limit_mb=2048 -timeout=$limit \
		-print_final_stats=1 -artifact_prefix="build-fuzz/crashes/$name-" $dict "$work" \
		>"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		secs=$(sed -n 's/^stat::.*_time: *//p;s/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
		cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*ft: \([0-9]*\).*/cov=\1 ft=\2/p')
		echo "fuzz $name: seconds=${secs:-?} execs=${execs:-?} $cov corpus=$(ls "$work" | wc -l)"
	else
		echo "fuzz $name: FAILED (see $log)"; tail -n 30 "$log"
		return 1
	fi
}

if [ "${1:-}" = --one ]; then
	run_one "$2"
	exit $?
fi

mkdir -p build-fuzz/crashes build-fuzz/corpus
names=""
for f in build-fuzz/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	n=$(basename "$f" | sed 's/^fuzz_//')
	if [ -n "${FUZZ_ONLY:-}" ]; then
		case " $FUZZ_ONLY " in *" $n "*) ;; *) continue ;; esac
	fi
	names="$names $n"
done
# shellcheck disable=SC2086
printf '%s\n' $names | xargs -P "${FUZZ_JOBS:-1}" -I{} sh "$0" --one {}
