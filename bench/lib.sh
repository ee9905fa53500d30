# bench/lib.sh - what every benchmark of the table shares (sourced).
# measure FILE CMD...: runs CMD under GNU time, keeps its wall seconds and
#   peak resident memory in FILE ("SECONDS KB"), returns CMD's status.
# wall_of FILE / peak_mb_of FILE: read them back.
# rate N SECONDS: N / SECONDS, rounded.
# row PIPELINE SIZE RATE UNIT PEAK_MB PEER PEER_RATE [NOTE]: one line of the
#   table `make bench` prints at the end ($BENCH_ROWS, tab-separated);
#   PEER_RATE "-" when there is no peer or it could not run.
# Figures only: nothing here asserts a time.

measure() {
	_m_out=$1
	shift
	/usr/bin/time -f '%e %M' -o "$_m_out" "$@"
}
wall_of() { tail -n 1 "$1" | cut -d' ' -f1; }
peak_mb_of() { tail -n 1 "$1" | awk '{ printf "%.0f", $2 / 1024 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
row() {
	[ -n "${BENCH_ROWS:-}" ] || return 0
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:-}" >>"$BENCH_ROWS"
}
