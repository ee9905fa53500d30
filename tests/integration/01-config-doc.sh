#!/bin/sh
# The reference configuration is current with its fragments, and the
# gateway reads it as it is (every key at its documented default).
set -u
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
cd "$TOP" || exit 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp -r docs "$tmp/docs"
sh "$tmp/docs/gen-gateway-conf.sh"
cmp -s "$tmp/docs/gateway.conf" docs/gateway.conf ||
	{ echo "docs/gateway.conf is stale: run sh docs/gen-gateway-conf.sh"; exit 1; }
"$GATEWAY" --config docs/gateway.conf records validate fixtures/contracts/sample.csv >/dev/null ||
	{ echo "the gateway does not accept docs/gateway.conf"; exit 1; }
echo "docs/gateway.conf: current, $(grep -c '^#* *[a-z_]* = ' docs/gateway.conf) keys documented, accepted by the gateway"
