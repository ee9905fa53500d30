#!/bin/sh
# Cost of moving queue messages in bulk (queue move_many: one transaction
# for many moves) where the gateway used one durable commit per message:
#  1. intake of N (default 5000) pay-only revisions: each is kept as a held
#     contract-kept message and settled held -> cancelled after the batch
#     commit; first revisions of the same contracts are timed for scale;
#  2. (BIG=1 and an sshd, via tests/integration/61-batch-queue.sh) the
#     big-batch step: send + apply of QN (default 10000) Dimona messages.
# Figures only; nothing is asserted. Env: BUILD, GATEWAY (default
# $BUILD/gateway: point it at an older build to compare), N, BIG, QN.
#
# Measured while writing it (2 shared CPUs, virtio disk; work dir on the
# build's file system), before -> after move_many:
#   5,000 pay-only revisions       1.5-12.4 s -> 0.31-0.45 s (first revisions 0.15-0.30 s)
#   61 big batch, 10,000 messages  see the commit message of bench/queue_bulk.sh
set -eu
top=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
G=${GATEWAY:-$top/$BUILD/gateway}
GEN="$top/$BUILD/bench/gen_contracts"
N=${N:-5000}
[ -x "$G" ] && [ -x "$GEN" ] || { echo "queue_bulk: $G or $GEN not built (make bench-bins)"; exit 1; }
w=$(mktemp -d "$top/$BUILD/bench-qbulk.XXXXXX")
trap 'rm -rf "$w"' EXIT INT TERM
printf '[queue]\ndsn = %s/q.db\n' "$w" > "$w/g.conf"
"$GEN" "$N" 11 > "$w/c1.csv"
# The same contracts, next revision, only the gross wage changed.
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "gross_wage_cents") g = i; print; next }
	{ $2 = $2 + 1; $g = $g + 100; print }' "$w/c1.csv" > "$w/c2.csv"
sync
t() { # label file
	t0=$(date +%s.%N)
	"$G" --config "$w/g.conf" intake --contracts "$2" > "$w/out" 2>"$w/err" || [ $? -eq 1 ]
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk -v l="$1" -v n="$N" '{ d = $2 - $1; printf "%-32s %s records in %.3f s: %.0f records/s\n", l, n, d, n / d }'
}
t "intake, first revisions" "$w/c1.csv"
t "intake, pay-only revisions" "$w/c2.csv"
echo "kept and settled: $(sqlite3 "$w/q.db" "select count(*) from msgs where kind='contract-kept' and state='cancelled'" 2>/dev/null || echo '?')"
if [ "${BIG:-0}" = 1 ]; then
	t0=$(date +%s.%N)
	TOP=$top GATEWAY=$G BUILD=$BUILD REF=${REF:-/work/shared/reference} QN=${QN:-10000} \
	    sh "$top/tests/integration/61-batch-queue.sh" | tail -n 1
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "61-batch-queue with the big batch: %.1f s\n", $2 - $1 }'
fi
