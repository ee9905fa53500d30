#!/bin/sh
# Cost of moving queue messages in bulk (queue move_many: one transaction
# for many moves) where the gateway used one durable commit per message:
#  1. intake of N (default 5000) pay-only revisions: each is kept as a held
#     contract-kept message and settled held -> cancelled after the batch
#     commit; first revisions of the same contracts are timed for scale;
#  2. (BIG=1, needs the sshd of tests/integration/61-batch-queue.sh) its
#     big-batch step: intake, send, apply of QN (default 12000) contracts.
# Figures only; nothing is asserted. Env: BUILD, GATEWAY (default
# $BUILD/gateway: point it at an older build to compare), N, BIG, QN.
#
# Measured while writing it (2 shared CPUs, virtio disk; work dir on the
# build's file system), before -> after move_many:
#   5,000 pay-only revisions       6.1-6.5 s -> 0.33-0.38 s (first revisions 0.12-0.46 s)
#   61 big batch, 10,713 messages  send 6.73 s -> 1.21 s, apply 27.3 s -> 0.55 s
#     (apply also looked up the candidates of every NOTI form again: 10,713
#     scans + sorts of the channel; now once per FI and ticket)
# The issue measured 12.4 s (pay-only) and 35-110 s (big batch) on a
# slower disk; compare with GATEWAY=<older build>/gateway.
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
	# Every gateway command of the script timed by a wrapper (the simulator
	# is exec'd, so the script's kill still reaches it).
	cat > "$w/gw" <<EOS
#!/bin/sh
case " \$* " in *" sim "*) exec "$G" "\$@";; esac
t0=\$(date +%s.%N)
"$G" "\$@"
rc=\$?
echo "\$t0 \$(date +%s.%N) \$*" >> "$w/times"
exit \$rc
EOS
	chmod +x "$w/gw"
	TOP=$top GATEWAY="$w/gw" BUILD=$BUILD REF=${REF:-/work/shared/reference} \
	    BATCH_Q_N=${QN:-12000} sh "$top/tests/integration/61-batch-queue.sh" | tail -n 1 | cut -c1-100
	grep big.conf "$w/times" | awk '/ intake | onss send | onss apply / {
		c = $0; sub(/.*big.conf /, "", c); sub(/ --.*/, "", c); printf "big batch: %-14s %.2f s\n", c, $2 - $1 }'
fi
