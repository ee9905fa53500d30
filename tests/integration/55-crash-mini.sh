#!/bin/sh
# 55-crash-mini.sh - the crash test in small for make check: 300 records,
# 8 SIGKILLs of `gateway run` (and one of intake) against the REST
# simulator, then exactly-once from the simulator's ledger and the queue's
# integrity check. `make crash-test` runs the full one (10,000, 50 kills).
# The queue's waits are short here: with the defaults (settle_ms 60 s,
# retry_base_ms 2 s) the final run sat a minute waiting to look up the sends
# a kill cut; the simulator answers in 50 ms, so 5 s of settling is still
# ample for a POST of a killed process to land before its lookup.
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${BUILD:?}"
cd "$TOP"
SETTLE_MS=5000 RETRY_BASE_MS=200 RETRY_CAP_MS=2000 \
	N=300 KILLS=8 MIN_INFLIGHT=4 DELAY_MIN=0.1 DELAY_MAX=0.4 SEED=${SEED:-7} exec sh tests/crash/crash-test.sh
