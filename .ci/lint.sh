#!/bin/sh
# Refuses unbounded or unchecked string functions in the gateway sources
# (STYLE.md 9): strcpy, strcat, sprintf, vsprintf, gets, atoi, atol, strtok.
set -eu
cd "$(dirname "$0")/.."
if grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok)[[:space:]]*\(' \
	gateway tests/unit bench --include='*.c' --include='*.h'; then
	echo "lint: banned functions above (use snprintf, strtol, bounded copies)" >&2
	exit 1
fi
echo "lint: no banned functions"
# One clock (core/clock.h): nothing else reads the date or the time, so a
# test can pin it and no code can drift from Brussels time.
if grep -rnE '\btime[[:space:]]*\([[:space:]]*(NULL|0)[[:space:]]*\)|\b(gettimeofday|clock_gettime|localtime(_r)?|gmtime(_r)?|ftime)[[:space:]]*\(|\bclock\(\)' \
	gateway tests/unit tests/fuzz tests/conformance --include='*.c' --include='*.h' |
	grep -v '^gateway/core/clock\.[ch]:'; then
	echo "lint: the clock is read above outside gateway/core/clock.c (use clock_now_ms, clock_brussels_now)" >&2
	exit 1
fi
echo "lint: the clock is read only in core/clock.c"
