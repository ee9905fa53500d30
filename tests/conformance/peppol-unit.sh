#!/bin/sh
# Official CEN EN 16931 and OpenPeppol unit test sets against the native
# rule engine (build/conformance/peppol_unit). Prints one line per failing
# test and, last, "N passed, N failed"; exits non-zero when any failed.
# Environment: TOP (work tree), BUILD (build dir), REF (reference dir).
set -u
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
REF=${REF:-$(cd "$top/../shared/reference" 2>/dev/null && pwd)}
bin="$top/$BUILD/conformance/peppol_unit"
if [ ! -x "$bin" ]; then
	echo "peppol-unit: $bin not built (make unit-bins)"
	echo "0 passed, 1 failed"
	exit 1
fi
if [ ! -d "$REF/peppol/tests" ]; then
	echo "peppol-unit: no reference tests under $REF/peppol/tests"
	echo "0 passed, 1 failed"
	exit 1
fi
REF="$REF" exec "$bin" --suite all
