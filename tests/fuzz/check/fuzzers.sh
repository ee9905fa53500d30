#!/bin/sh
# make check: build the libFuzzer targets with clang + ASan/UBSan and run
# each briefly over its seed corpus, so a parser regression is caught here.
set -eu
cd "$TOP"
make -s FUZZ=1 fuzz-bins >/dev/null
FUZZ_SECONDS=${FUZZ_SECONDS:-5} sh tests/fuzz/run.sh
n=$(ls build-fuzz/fuzz/ 2>/dev/null | grep -c '^fuzz_' || true)
echo "$n fuzzers ran clean"
