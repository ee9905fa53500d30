#!/bin/sh
# 55-crash-mini.sh - the crash test in small for make check: 300 records,
# 8 SIGKILLs of `gateway run` (and one of intake) against the REST
# simulator, then exactly-once from the simulator's ledger and the queue's
# integrity check. `make crash-test` runs the full one (10,000, 50 kills).
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${BUILD:?}"
cd "$TOP"
N=300 KILLS=8 MIN_INFLIGHT=4 DELAY_MIN=0.1 DELAY_MAX=0.4 SEED=${SEED:-7} exec sh tests/crash/crash-test.sh
