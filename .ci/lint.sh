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
