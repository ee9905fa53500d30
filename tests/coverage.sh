#!/bin/sh
# Prints the line and branch coverage of the named sources from the .gcda counters of a
# gcc --coverage build (make COV=1), one line per file, and keeps the annotated copies
# (lines never run are marked #####) in BUILD/coverage/ for reading what is left.
#
# Usage: sh tests/coverage.sh BUILD FILE.c...
set -eu
build=$1; shift
top=$(pwd)
out="$top/$build/coverage"
rm -rf "$out"; mkdir -p "$out"
printf '%-30s %22s %24s\n' file lines branches
for src in "$@"; do
	obj="$top/$build/obj/$(dirname "$src")"
	base=$(basename "$src" .c)
	if [ ! -f "$obj/$base.gcda" ]; then
		echo "$src: no counters in $obj (nothing ran it?)"; continue
	fi
	# -n: the summary only; -t: the annotated copy on stdout (no stray .gcov files).
	sum=$(gcov -n -b -o "$obj" "$src" 2>/dev/null |
		awk -v f="'$src'" '
			/^File / { mine = (index($0, f) > 0) }
			mine && /^Lines executed/ { l = $0 }
			mine && /^Taken at least once/ { t = $0 }
			END { print l "|" t }')
	gcov -t -b -o "$obj" "$src" 2>/dev/null > "$out/$(echo "$src" | tr / _).gcov" || true
	lines=$(echo "$sum" | sed -n 's/^Lines executed:\([0-9.]*%\) of \([0-9]*\)|.*/\1 of \2/p')
	taken=$(echo "$sum" | sed -n 's/.*|Taken at least once:\([0-9.]*%\) of \([0-9]*\)$/\1 of \2/p')
	printf '%-30s %22s %24s\n' "$src" "${lines:-?}" "${taken:-?} taken"
done
echo "annotated sources (##### = never run): $out"
