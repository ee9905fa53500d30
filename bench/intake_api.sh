#!/bin/sh
# intake_api.sh - one acknowledgement per record over the intake API: a
# real `gateway serve` (SQLite queue, WAL, synchronous=FULL) and `curl
# --parallel` as 32 clients, each POSTing one record per request on its
# keep-alive connection and waiting for the answer before the next. Wall
# time from the first request to the last answer; the server's group
# commits from its own count at stop. Figures only; nothing is asserted.
#   AN (default 20000) records from bench/gen_contracts, CLIENTS (32).
# Env: TOP, BUILD, GATEWAY.
set -eu
: "${TOP:?}" "${BUILD:?}" "${GATEWAY:?}"
AN=${AN:-20000}
CLIENTS=${CLIENTS:-32}
GEN=$TOP/$BUILD/bench/gen_contracts
[ -x "$GEN" ] || { echo "intake_api: $GEN missing (make bench builds it)"; exit 1; }
. "$TOP/bench/lib.sh"
. "$TOP/tests/lib/clock.sh"
w=$(mktemp -d "$TOP/$BUILD/bench-intake-api.XXXXXX")
srvpid=""
cleanup() {
	[ -n "$srvpid" ] && kill "$srvpid" 2>/dev/null && wait "$srvpid" 2>/dev/null
	rm -rf "$w"
}
trap cleanup EXIT INT TERM
head -c 48 /dev/urandom | base64 | tr -d '/+=\n' > "$w/token"
chmod 600 "$w/token"
printf '[queue]\ndsn = %s/q.db\n[http]\ntoken_file = %s/token\n' "$w" "$w" > "$w/gw.conf"
"$GEN" "$AN" 19 --jsonl > "$w/recs.jsonl"
"$GATEWAY" --config "$w/gw.conf" --log-level error serve --port 0 --port-file "$w/port" \
	> "$w/serve.out" 2> "$w/serve.err" &
srvpid=$!
i=0
while [ ! -s "$w/port" ]; do i=$((i + 1)); [ "$i" -lt 100 ] || { echo "intake_api: serve did not start"; exit 1; }; sleep 0.1; done
# One curl transfer per record: the body inline in curl's config (quotes
# and backslashes escaped), one URL each.
u="http://127.0.0.1:$(cat "$w/port")/api/v1/contracts"
# curl's "next" keeps each body and header to its own transfer.
awk -v u="$u" -v t="$(cat "$w/token")" '{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\"");
	printf "%surl = \"%s\"\ndata-binary = \"%s\"\noutput = \"/dev/null\"\n", (NR > 1 ? "next\n" : ""), u, $0
	printf "header = \"Authorization: Bearer %s\"\nwrite-out = \"%%{http_code}\\n\"\n", t }' \
	"$w/recs.jsonl" > "$w/curl.cfg"
t0=$(date +%s.%N)
curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max "$CLIENTS" \
	--config "$w/curl.cfg" > "$w/codes"
t1=$(date +%s.%N)
# The server's CPU (user + system, clock ticks) for the whole run.
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$srvpid/stat" 2>/dev/null || echo "?")
kill "$srvpid"; wait "$srvpid" 2>/dev/null || true; srvpid=""
ok=$(grep -c '^200$' "$w/codes" || true)
groups=$(sed -n 's/^intake API: \([0-9]*\) groups.*/\1/p' "$w/serve.out")
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
r=$(rate "$ok" "$secs")
echo "intake API      $ok of $AN requests answered 200 in $secs s: $r records/s, $CLIENTS clients," \
	"${groups:-?} group commits ($(awk -v n="$ok" -v g="${groups:-0}" 'BEGIN { printf "%.1f", (g > 0 ? n / g : 0) }') records per commit), server CPU $cpu s"
row "Intake API, one acknowledgement per record" "$AN records, $CLIENTS clients" "$r" "records/s" "-" \
	"-" "-" "aim 10,000/s; curl --parallel as the clients; group commit"
