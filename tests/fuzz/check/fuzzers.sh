#!/bin/sh
# make check: build the libFuzzer targets with clang + ASan/UBSan (in
# build-fuzz/, never the caller's build dir) and run each briefly over its
# committed seed corpus, so that a parser regression is caught here. A fixed
# random seed and a fixed number of inputs: the same inputs every run.
set -eu
cd "$TOP"
unset MAKEFLAGS MAKELEVEL MFLAGS
if ! make -s -j2 FUZZ=1 fuzz-bins >build-fuzz.log 2>&1; then
	tail -n 30 build-fuzz.log
	echo "fuzz build failed"
	exit 1
fi
rm -f build-fuzz.log
FUZZ_SEED=${FUZZ_SEED:-1} FUZZ_RUNS=${FUZZ_RUNS:-10000} FUZZ_KEEP=0 sh tests/fuzz/run.sh
want=$(ls tests/fuzz/fuzz_*.c | wc -l)
n=$(ls build-fuzz/fuzz/ 2>/dev/null | grep -c '^fuzz_' || true)
[ "$n" -eq "$want" ] || { echo "only $n of $want fuzzers were built"; exit 1; }
echo "$n fuzzers ran clean"
