#!/bin/sh
# gen-contracts.sh N SEED OUT - N valid one-day contract records (JSON Lines)
# for the crash test, each for a different worker (INSS with its check
# digits), starting 7 to 34 days after the pinned clock's date (the
# gateway's GATEWAY_NOW, tests/lib/clock.sh) so that every one is a
# declaration the simulator accepts. The same N, SEED and clock give the
# same file.
set -eu
. "$(dirname "$0")/../lib/clock.sh"
n=$1; seed=$2; out=$3
# Start dates: today + 7 .. today + 34 (date(1) does the calendar).
dates=""
i=7
while [ "$i" -le 34 ]; do
	dates="$dates $(clock_date "+$i")"
	i=$((i + 1))
done
awk -v n="$n" -v seed="$seed" -v dates="$dates" 'BEGIN {
	nd = split(dates, d, " ")
	srand(seed)
	off = int(rand() * 1000)
	for (i = 0; i < n; i++) {
		k = i + off * 15120
		yy = 50 + k % 45; mm = 1 + int(k / 45) % 12; dd = 1 + int(k / 540) % 28
		sq = int(k / 15120) % 997 + 1
		base = sprintf("%02d%02d%02d%03d", yy, mm, dd, sq)
		cc = 97 - (base + 0) % 97
		day = d[1 + i % nd]
		printf "{\"contract_id\":\"X%d-%06d\",\"revision\":\"1\",\"status\":\"active\",", seed, i
		printf "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\","
		printf "\"worker_inss\":\"%s%02d\",\"worker_type\":\"OTH\",\"joint_committee\":\"304\",", base, cc
		printf "\"worker_code\":\"046\",\"start_date\":\"%s\",\"end_date\":\"%s\",", day, day
		printf "\"days_worked\":\"1\",\"hours_worked\":\"7.6\",\"gross_wage_cents\":\"33000\"}\n"
	}
}' > "$out"
