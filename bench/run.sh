#!/bin/sh
# make bench: the pipelines of the benchmark table, each beside the tool a
# user would otherwise use on the same data in the same run, then the table.
# BENCH=all also runs the detail benchmarks (records, invoices, queue bulk,
# the SFTP batch round trip, the AS4 protocol alone, the rules alone).
# BENCH="dimona dmfa" runs only those. Figures, not tests: nothing here
# asserts a time. Env: BUILD, REF; each script's own size knobs.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
REF=${REF:-$(cd "$top/../shared/reference" 2>/dev/null && pwd)}
BENCH_ROWS=$(mktemp)
export BUILD REF TOP="$top" GATEWAY="$top/$BUILD/gateway" BENCH_ROWS
# The one clock, pinned: the generated contracts and invoices carry fixed
# dates, and a gateway that read the real day would refuse them one day.
. "$top/tests/lib/clock.sh"

table="dimona dimona_rest dmfa validate_cli as4_exchange intake intake_api queue_pg"
detail="records invoices queue_bulk batch as4 rules peppol_validate"
case "${BENCH:-}" in
'') list=$table ;;
all) list="$table $detail" ;;
*) list=$BENCH ;;
esac
status=0
t0=$(date +%s)
for b in $list; do
	[ -f "bench/$b.sh" ] || continue
	echo "== $b"
	sh "bench/$b.sh" || { echo "bench $b failed"; status=1; }
done
t1=$(date +%s)

echo
echo "== table ($(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)," \
	"load $(cut -d' ' -f1-3 /proc/loadavg), $((t1 - t0)) s for the whole run)"
awk -F'\t' 'BEGIN {
	printf "| %-38s | %-24s | %-20s | %7s | %-34s | %-14s | %-7s |\n", "pipeline", "size", "ours", "peak MB", "beside", "theirs", "ratio"
	printf "|%s|%s|%s|%s|%s|%s|%s|\n", "---", "---", "---", "---", "---", "---", "---" }
{
	r = ($7 != "-" && $7 > 0 && $3 != "-") ? $3 / $7 : -1
	ratio = r < 0 ? "-" : r < 0.1 ? sprintf("%.3fx", r) : sprintf("%.1fx", r)
	printf "| %-38s | %-24s | %-20s | %7s | %-34s | %-14s | %-7s |\n", $1, $2, $3 " " $4, $5, $6, ($7 == "-" ? "-" : $7 " " $4), ratio
	if ($8 != "") notes = notes "  " $1 ": " $8 "\n"
} END { if (notes != "") printf "%s", notes }' "$BENCH_ROWS"
rm -f "$BENCH_ROWS"
exit $status
