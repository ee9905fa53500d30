#!/bin/sh
# 03-help.sh - every command the gateway lists answers --help on stdout with
# exit 0 and at least one example, and an unknown option with exit 2: a
# payroll team learns a command from its help, not from its source.
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${GATEWAY:?}"
bad=0 n=0
cmds=$("$GATEWAY" 2>&1 | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')
[ -n "$cmds" ] || { echo "FAIL: gateway lists no commands"; exit 1; }
for c in $cmds; do
	n=$((n + 1))
	out=$("$GATEWAY" "$c" --help 2>/dev/null); rc=$?
	[ "$rc" -eq 0 ] || { echo "FAIL: gateway $c --help exits $rc"; bad=1; continue; }
	echo "$out" | grep -q '^usage: gateway' || { echo "FAIL: gateway $c --help: no usage line"; bad=1; }
	echo "$out" | grep -q '^examples\?:' || { echo "FAIL: gateway $c --help: no example"; bad=1; }
done
for c in list status summary; do
	"$GATEWAY" "$c" --no-such-option > /dev/null 2>&1
	rc=$?
	[ "$rc" -eq 2 ] || { echo "FAIL: gateway $c --no-such-option exits $rc, want 2"; bad=1; }
done
[ "$bad" -eq 0 ] && echo "help: $n commands, each with usage and examples"
exit "$bad"
