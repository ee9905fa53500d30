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
# The two servers share their options (cmd/port_args.c): a bad --port and a
# port file that cannot be written are each exit 2, said under the command.
P=${TOP:-.}/certs/out
for c in serve "smp serve"; do
	# shellcheck disable=SC2086
	"$GATEWAY" $c --port 65536 > /dev/null 2> "${TMPDIR:-/tmp}/gw03.$$"; rc=$?
	[ "$rc" -eq 2 ] && grep -q "^gateway $c: --port takes 0 to 65535" "${TMPDIR:-/tmp}/gw03.$$" ||
		{ echo "FAIL: gateway $c --port 65536: exit $rc, $(cat "${TMPDIR:-/tmp}/gw03.$$")"; bad=1; }
	[ -f "$P/tls/server.crt.pem" ] || continue
	# shellcheck disable=SC2086
	timeout 30 "$GATEWAY" --set http.listen=127.0.0.1 --set "http.cert=$P/tls/server.crt.pem" \
		--set "http.key=$P/tls/server.key.pem" --set smp.participants=0208:0739484052 \
		--set smp.endpoint_url=https://localhost:9/as4 --set "smp.endpoint_cert=$P/g3/receiver.crt.pem" \
		$c --port 0 --port-file /nonexistent/gw03/port > /dev/null 2> "${TMPDIR:-/tmp}/gw03.$$"; rc=$?
	[ "$rc" -eq 2 ] && grep -q "^gateway $c: cannot write /nonexistent/gw03/port: " "${TMPDIR:-/tmp}/gw03.$$" ||
		{ echo "FAIL: gateway $c --port-file in a missing folder: exit $rc, $(cat "${TMPDIR:-/tmp}/gw03.$$")"; bad=1; }
done
rm -f "${TMPDIR:-/tmp}/gw03.$$"
[ "$bad" -eq 0 ] && echo "help: $n commands, each with usage and examples"
exit "$bad"
