#!/bin/sh
# Includes point down the layers (../shared/DESIGN.md, "A sensible layout"):
#
#   core <- crypto, records <- queue <- store <- onss, peppol <- service <- web, sim, cmd <- main.c
#
# A file under gateway/F/ may include headers of its own folder F and of
# folders of a strictly lower layer; a header of a higher layer, or of
# another folder of the same layer (sim -> cmd, onss -> peppol), is refused,
# because what a lower part needs from a higher one is passed in (a table
# of functions, a callback), never included. A folder missing from the
# table below is refused too, so that a new folder is placed on purpose.
# The protocols (onss, peppol) are "protocol only: build, parse, sign,
# talk": though above the outbox and the record store, they include
# neither; the service hands them what they need.
set -eu
cd "$(dirname "$0")/.."

# Folder and layer, lowest first. main.c is above everything. The store
# stands on the outbox (DESIGN.md puts them side by side): it commits its
# rows in the outbox's transaction, on the outbox's connection
# (queue/sqlite_db.h), so it may include the queue and never the reverse.
LAYERS='core 0
crypto 1
records 1
queue 2
store 3
onss 4
peppol 4
service 5
web 6
sim 6
cmd 6'

# Pairs refused though they point down: "from to".
PROTOCOL_ONLY='onss queue
onss store
peppol queue
peppol store'

# Upward includes tolerated for now, "file header", one per line. Each must
# name why and who removes it; an entry that no longer occurs is refused
# too, so that the list only ever shrinks. Empty: onss/batch became
# protocol only (its queue moves went to service/batch_apply.c and
# service/batch_send.c).
ALLOW=''

find gateway -name '*.[ch]' | sort | xargs grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' |
awk -v layers="$LAYERS" -v allow="$ALLOW" -v protocol="$PROTOCOL_ONLY" '
BEGIN {
	n = split(layers, l, "\n")
	for (i = 1; i <= n; i++) { split(l[i], f, " "); rank[f[1]] = f[2] }
	rank["main.c"] = 99
	n = split(protocol, l, "\n")
	for (i = 1; i <= n; i++) refused[l[i]] = 1
	n = split(allow, a, "\n")
	for (i = 1; i <= n; i++) if (a[i] != "") { allowed[a[i]] = 1; used[a[i]] = 0 }
	bad = 0
}
{
	# gateway/F/...:LINE:#include "G/..."
	split($0, p, ":")
	file = p[1]; line = p[2]
	match($0, /"[^"]*"/); inc = substr($0, RSTART + 1, RLENGTH - 2)
	split(file, fp, "/"); from = fp[2]
	if (index(inc, "/") == 0) {
		printf "%s:%s: include \"%s\" names no folder (write \"%s/%s\")\n", file, line, inc, from, inc
		bad = 1; next
	}
	split(inc, ip, "/"); to = ip[1]
	if (!(from in rank)) {
		printf "%s: folder gateway/%s has no layer: add it to .ci/layers.sh (and DESIGN.md)\n", file, from
		bad = 1; next
	}
	if (!(to in rank)) {
		printf "%s:%s: \"%s\": folder gateway/%s has no layer\n", file, line, inc, to
		bad = 1; next
	}
	if (to == from || (rank[to] < rank[from] && !((from " " to) in refused)))
		next
	key = file " " inc
	if (key in allowed) { used[key] = 1; next }
	how = (rank[to] > rank[from]) ? "points up" : (rank[to] == rank[from]) ? "points sideways" : \
	    "a protocol includes the outbox or the store (protocol only)"
	printf "%s:%s: %s (layer %d) includes \"%s\" (%s, layer %d): %s\n", file, line, from, rank[from], \
	    inc, to, rank[to], how
	bad = 1
}
END {
	for (k in used) if (!used[k]) {
		printf "layers: allow-list entry \"%s\" no longer occurs: remove it from .ci/layers.sh\n", k
		bad = 1
	}
	exit bad
}' || { echo "layers: the includes above break the layering (see .ci/layers.sh)" >&2; exit 1; }
echo "layers: every include points down"

# Calls point down too: nothing in the library may call a function that
# main.c defines (the library is linked without main.c into every test).
# Needs the objects: BUILD names the build folder (make check sets it).
main_o=${BUILD:-build}/obj/gateway/main.o
lib=${BUILD:-build}/libgateway.a
if [ -f "$main_o" ] && [ -f "$lib" ]; then
	undef=$(mktemp)
	trap 'rm -f "$undef"' EXIT
	nm -u "$lib" | awk 'NF { print $NF }' | sort -u > "$undef"
	up=$(nm -g --defined-only "$main_o" | awk '$3 != "main" { print $3 }' | sort -u | comm -12 - "$undef")
	if [ -n "$up" ]; then
		echo "layers: the library calls functions of main.c (move them down, e.g. to core/): $up" >&2
		exit 1
	fi
	echo "layers: the library calls nothing of main.c"
else
	echo "layers: $main_o or $lib not built: the call check is skipped"
fi
