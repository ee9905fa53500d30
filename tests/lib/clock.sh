# tests/lib/clock.sh - sourced by tests/run-all.sh and by every test script:
# pins the gateway's one clock (core/clock.h) so that no test depends on the
# day it runs. The gateway and every simulator a script starts inherit
# GATEWAY_NOW and GATEWAY_NOW_FROM and so read one and the same moment,
# running on at real speed from the pin.
#
#   pin_clock MOMENT    e.g. pin_clock 2026-03-01T10:00:00+01:00
#   clock_date [+N]     the pinned Brussels date (+N days), YYYY-MM-DD, for
#                       scripts that generate dated records
#
# Without a pin from the caller, the suite's moment is TEST_NOW below: a
# Wednesday in late November 2026, before the December fixtures start.

TEST_NOW=2026-11-25T10:00:00+01:00

pin_clock() {
	GATEWAY_NOW=$1
	GATEWAY_NOW_FROM=$(date +%s)
	export GATEWAY_NOW GATEWAY_NOW_FROM
}

# The Brussels date of the clock's reading now, plus N days (tzdata's rule,
# an oracle independent of the gateway's own).
clock_date() {
	TZ=Europe/Brussels date -d "$GATEWAY_NOW $(( $(date +%s) - GATEWAY_NOW_FROM )) seconds ${1:-+0} days" +%Y-%m-%d
}

# A caller's GATEWAY_NOW without GATEWAY_NOW_FROM (e.g. GATEWAY_NOW=... make
# demo) is pinned from now, so that every process reads the same moment and
# clock_date does not count from 1970.
if [ -z "${GATEWAY_NOW:-}" ]; then
	pin_clock "$TEST_NOW"
elif [ -z "${GATEWAY_NOW_FROM:-}" ]; then
	pin_clock "$GATEWAY_NOW"
fi
