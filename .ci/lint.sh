#!/bin/sh
# Refuses unbounded or unchecked string functions in the gateway sources
# (STYLE.md 9): strcpy, strcat, sprintf, vsprintf, gets, atoi, atol, strtok.
# Also: the one clock (core/clock.h), and one integration script per number.
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
# One script per test number: the number is how a failure is named and
# looked up (logs, reports), and two scripts on one number were confused.
dup=$(ls tests/integration/*.sh | sed 's#.*/##' | sed -n 's/^\([0-9][0-9]*\)-.*/\1/p' | sort | uniq -d)
if [ -n "$dup" ]; then
	for n in $dup; do ls tests/integration/"$n"-*.sh; done
	echo "lint: integration test numbers used more than once above: $(echo $dup)" >&2
	exit 1
fi
echo "lint: every integration test number is used once"
