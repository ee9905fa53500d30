#!/bin/sh
# 58-progress.sh - the progress line of the long commands is drawn on a
# terminal and only there: `gateway intake` (records read) and `gateway
# dimona export` (declarations written, with a bar) run under `script`,
# which gives them a pseudo-terminal, show it redrawn in place (a carriage
# return, the label, the count) and erased; the same commands with stderr
# in a file write no such line.
#
# Env: TOP, GATEWAY (from tests/run-all.sh).
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
GATEWAY=${GATEWAY:-$TOP/build/gateway}
cd "$TOP" || exit 2
command -v script >/dev/null 2>&1 || { echo "FAIL: script (util-linux) is not installed"; exit 1; }
w=$(mktemp -d /tmp/gw-progress-XXXXXX)
trap 'rm -rf "$w"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
csv=fixtures/dimona/contracts-500.csv
cr=$(printf '\r')

# On a terminal: intake draws "FILE N n/s", redrawn with a carriage return.
TERM=xterm script -qec "$GATEWAY --set queue.dsn=$w/tty.db --log-level error intake --contracts $csv" \
	"$w/tty.typescript" >/dev/null 2>&1
grep -q "${cr}$csv [0-9][0-9]* [0-9.k]*/s" "$w/tty.typescript" ||
	fail "intake on a terminal drew no progress line: $(tr '\r' '\n' <"$w/tty.typescript" | head -5)"
grep -q "taken in" "$w/tty.typescript" || fail "intake on a terminal did not finish"
# Off a terminal: nothing of it in stderr.
"$GATEWAY" --set "queue.dsn=$w/file.db" --log-level error intake --contracts "$csv" >/dev/null 2>"$w/err"
grep -q "$cr" "$w/err" && fail "intake drew a progress line into a file"
# A dumb terminal gets none either.
TERM=dumb script -qec "$GATEWAY --set queue.dsn=$w/dumb.db --log-level error intake --contracts $csv" \
	"$w/dumb.typescript" >/dev/null 2>&1
grep -q "${cr}$csv [0-9]" "$w/dumb.typescript" && fail "intake drew a progress line on a dumb terminal"

# dimona export: a bar to the number of declarations.
TERM=xterm script -qec "$GATEWAY --log-level error dimona export --contracts $csv --out $w/export --env S" \
	"$w/export.typescript" >/dev/null 2>&1
grep -q "${cr}dimona export \[[# ]*\] *[0-9]*% [0-9]*/[0-9]*" "$w/export.typescript" ||
	fail "dimona export on a terminal drew no bar: $(tr '\r' '\n' <"$w/export.typescript" | head -5)"
"$GATEWAY" --log-level error dimona export --contracts "$csv" --out "$w/export2" --env S >/dev/null 2>"$w/err2"
grep -q "dimona export \[" "$w/err2" && fail "dimona export drew a bar into a file"
echo "progress: drawn on a terminal (intake, dimona export), never into a file or on a dumb terminal"
