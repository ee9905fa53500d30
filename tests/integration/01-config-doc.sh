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
# Each section once: a reader looks for a key under its section, and a
# second [dimona] further down hides the first.
dup=$(grep '^\[' docs/gateway.conf | sort | uniq -d)
[ -z "$dup" ] || { echo "docs/gateway.conf repeats sections: $dup"; exit 1; }
"$GATEWAY" --config docs/gateway.conf records validate fixtures/contracts/sample.csv >/dev/null ||
	{ echo "the gateway does not accept docs/gateway.conf"; exit 1; }
# The documentation and the table of core/params.c (`gateway config`) name
# the same keys, with the same defaults where the documentation shows one
# (not "(required)", "<reference_dir>/...", or a key derived from another).
"$GATEWAY" config > "$tmp/table" || { echo "gateway config failed"; exit 1; }
awk '
/^\[[a-z0-9_]+\]$/ || /^# \[[a-z0-9_]+\]$/ { s = $0; sub(/^(# )?\[/, "", s); sub(/\]$/, "", s); sec = s; next }
/^#? ?[a-z0-9_]+ = / || /^#? ?[a-z0-9_]+ =$/ {
	line = $0; sub(/^# ?/, "", line)
	k = line; sub(/ =.*/, "", k)
	v = substr(line, index(line, "=") + 1); sub(/^ +/, "", v); sub(/ +\(.*$/, "", v); sub(/ +$/, "", v)
	print (sec != "" ? sec "." : "") k "\t" v
}' docs/gateway.conf > "$tmp/doc"
awk -F '\t' '
NR == FNR { dflt[$1] = $3; next }
{
	documented[$1] = 1
	if (!($1 in dflt)) { print "docs/gateway.conf documents " $1 ", which core/params.c does not know"; bad = 1; next }
	if (dflt[$1] != "-" && $2 !~ /^[(<]/ && $2 != dflt[$1]) {
		print $1 ": docs/gateway.conf shows \"" $2 "\", core/params.c defaults to \"" dflt[$1] "\""; bad = 1
	}
}
END {
	for (k in dflt) if (!(k in documented)) { print k ": in core/params.c, not documented in docs/config/"; bad = 1 }
	exit bad
}' "$tmp/table" "$tmp/doc" || exit 1
# A key the table does not know, and a value out of its range, are refused by name.
"$GATEWAY" --set queue.dns=x status > /dev/null 2> "$tmp/err" && { echo "a misspelt key was accepted"; exit 1; }
grep -q "queue.dns: unknown configuration key" "$tmp/err" || { echo "the misspelt key is not named: $(cat "$tmp/err")"; exit 1; }
"$GATEWAY" --set run.batch=0 status > /dev/null 2> "$tmp/err" && { echo "run.batch=0 was accepted"; exit 1; }
grep -q "run.batch: 0 is outside 1..100000" "$tmp/err" || { echo "the bad value is not named: $(cat "$tmp/err")"; exit 1; }
# One sender number: [onss] sender. The old [onss_batch] sender is still read
# for it, with a deprecation warning; both set to different numbers is refused.
"$GATEWAY" --set onss_batch.sender=012996 config > "$tmp/old" 2> "$tmp/err" ||
	{ echo "the deprecated onss_batch.sender was refused: $(cat "$tmp/err")"; exit 1; }
grep -q "^onss.sender	.*	012996\$" "$tmp/old" ||
	{ echo "onss_batch.sender is not used as onss.sender: $(grep sender "$tmp/old")"; exit 1; }
grep -q "onss_batch.sender is deprecated: write it as onss.sender" "$tmp/err" ||
	{ echo "no deprecation warning for onss_batch.sender: $(cat "$tmp/err")"; exit 1; }
"$GATEWAY" --set onss_batch.sender=012996 --set onss.sender=012997 status > /dev/null 2> "$tmp/err" &&
	{ echo "two different sender numbers were accepted"; exit 1; }
grep -q "onss_batch.sender = 012996 and onss.sender = 012997 differ" "$tmp/err" ||
	{ echo "the two sender numbers are not named: $(cat "$tmp/err")"; exit 1; }
echo "docs/gateway.conf: current, $(grep -c '^#* *[a-z_]* = ' docs/gateway.conf) keys documented, accepted by the gateway, the same keys and defaults as core/params.c; bad keys refused"
