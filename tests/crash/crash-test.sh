#!/bin/sh
# crash-test.sh - kill the gateway with SIGKILL at seeded random points while
# it declares N contracts to the ONSS REST simulator, restart it each time,
# then prove from the simulator's own ledger that every contract was
# declared exactly once, and that the queue file is intact: PRAGMA
# integrity_check (through `gateway status --check`, and sqlite3 when
# installed) after every kill, not only at the end, naming the kill that
# left it broken.
#
# Env: BUILD (build dir), SEED (1), N (10000 records), KILLS (50 kills of
# `gateway run`, plus one of `gateway intake`), DELAY_MIN/DELAY_MAX (seconds
# between a start and its kill: 0.15 / 1.5), FAULTS (simulator faults on top
# of the kills, default drop:0.01 503:0.01 429:0.01: a dropped connection after the
# simulator stored the POST is an unknown outcome too), TIMEOUT (600 s for
# the final run), MIN_INFLIGHT (KILLS). Repeatable: the same SEED gives the same records, the
# same kill delays and the same fault dice. Last line: the figures, key=value pairs
# (../shared/spec/cli.md: ... queue= workers= declared-once= missing= duplicates= ... integrity=).
#
# QUEUE=sqlite (default: a file in the work dir) or postgresql (a throwaway
# cluster from tests/lib/pg.sh: its PG_DSN becomes [queue] dsn).
# WORKERS=n (1): with more than one, n `gateway run --worker wI` processes
# serve the queue at once; each kill SIGKILLs one of them, chosen by the
# seed, and restarts it; the others take its work over when its lease
# ([queue] lease_ms = LEASE_MS, 2000) expires, or it does itself on its
# restart under the same name. The final run is all n with --until-idle.
# SETTLE_MS, RETRY_BASE_MS, RETRY_CAP_MS: [queue] settle_ms, retry_base_ms,
# retry_cap_ms when set (the gateway's defaults otherwise: 60 s, 2 s, 10 min).
# A send killed in flight is looked up only after settle_ms, so the final run
# waits that long; the small test in make check sets them short.
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
SEED=${SEED:-1}
N=${N:-10000}
KILLS=${KILLS:-50}
DELAY_MIN=${DELAY_MIN:-0.15}
DELAY_MAX=${DELAY_MAX:-1.5}
FAULTS=${FAULTS:-"drop:0.01 503:0.01 429:0.01"}
TIMEOUT=${TIMEOUT:-600}
MIN_INFLIGHT=${MIN_INFLIGHT:-$KILLS}   # kills that must find work still in flight
QUEUE=${QUEUE:-sqlite}
WORKERS=${WORKERS:-1}
LEASE_MS=${LEASE_MS:-2000}
case $QUEUE in sqlite | postgresql) ;; *) echo "crash-test: QUEUE is sqlite or postgresql, not $QUEUE"; exit 2 ;; esac
case $WORKERS in '' | *[!0-9]* | 0) echo "crash-test: WORKERS is a number of workers >= 1, not $WORKERS"; exit 2 ;; esac
G="$top/$BUILD/gateway"
[ -x "$G" ] || { echo "crash-test: $G is not built"; exit 2; }
[ -f certs/out/tls/ca.crt.pem ] || sh certs/gen-test-pki.sh >/dev/null
start=$(date +%s)

w=$(mktemp -d "$top/$BUILD/crash.XXXXXX")
simpid=""
runpid=""
pids=""       # WORKERS > 1: "pid pid ...", one per worker, in order
pg=""
cleanup() {
	[ -n "$runpid" ] && kill -9 "$runpid" 2>/dev/null || true
	for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null || true
	[ -n "$simpid" ] && wait "$simpid" 2>/dev/null || true
	[ -n "$pg" ] && pg_stop >/dev/null 2>&1 || true
	[ -n "${KEEP:-}" ] || rm -rf "$w"
}
trap cleanup EXIT INT TERM
dsn=$w/queue.db
if [ "$QUEUE" = postgresql ]; then
	[ -f tests/lib/pg.sh ] || { echo "crash-test: QUEUE=postgresql needs tests/lib/pg.sh (the PostgreSQL backend's test cluster)"; exit 2; }
	. tests/lib/pg.sh
	pg_available || { echo "crash-test: QUEUE=postgresql needs Debian's postgresql (initdb)"; exit 2; }
	pg_start || { echo "crash-test: the PostgreSQL test cluster did not start"; exit 2; }
	pg=1
	dsn=$PG_DSN
fi

# Records: one worker each, so "declared exactly once" can be read per
# worker from the simulator's ledger.
sh tests/crash/gen-contracts.sh "$N" "$SEED" "$w/contracts.jsonl"
sed -n 's/.*"worker_inss":"\([0-9]*\)".*/\1/p' "$w/contracts.jsonl" | sort > "$w/workers"
[ "$(sort -u "$w/workers" | wc -l)" -eq "$N" ] || { echo "crash-test: generator gave duplicate workers"; exit 2; }

# The simulator, with a durable ledger (fsynced JSON lines); never killed.
fault_args=""
for f in $FAULTS; do fault_args="$fault_args --fault $f"; done
# shellcheck disable=SC2086
"$G" sim onss --ledger "$w/ledger.jsonl" --port-file "$w/port" --process-ms 50 \
	--seed "$SEED" $fault_args >"$w/sim.out" 2>"$w/sim.err" &
simpid=$!
i=0
while [ ! -s "$w/port" ]; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "crash-test: simulator did not start"; cat "$w/sim.err"; exit 2; }
	sleep 0.1
done
port=$(cat "$w/port")
cat > "$w/gw.conf" <<EOF
[queue]
dsn = $dsn
lease_ms = $LEASE_MS
${SETTLE_MS:+settle_ms = $SETTLE_MS}
${RETRY_BASE_MS:+retry_base_ms = $RETRY_BASE_MS}
${RETRY_CAP_MS:+retry_cap_ms = $RETRY_CAP_MS}
[dimona]
base_url = https://localhost:$port/REST/dimona/v2
token_url = https://localhost:$port/REST/oauth/v5/token
ca_file = $top/certs/out/tls/ca.crt.pem
cert = $top/certs/out/onss/org.crt.pem
key = $top/certs/out/onss/org.key.pem
timeout_ms = 5000
EOF
gw() { "$G" --config "$w/gw.conf" "$@"; }

# The queue's integrity after a kill: the gateway's own check, then
# sqlite3's when installed. Prints "ok" or the start of what is wrong (no
# spaces, so that it fits the figures line).
checks=0
integrity_now() {
	r=$(gw status --json --check 2>/dev/null | sed -n 's/.*"integrity":"\([^"]*\)".*/\1/p' || true)
	[ -n "$r" ] || r="status-failed"
	if [ "$QUEUE" = sqlite ] && command -v sqlite3 >/dev/null 2>&1; then
		t=$(sqlite3 "$w/queue.db" "PRAGMA integrity_check" 2>&1 | head -n 1 || true)
		[ "$t" = "ok" ] || r="$r/sqlite3:$t"
	fi
	printf '%s' "$r" | tr -s ' \t\n' '___' | cut -c1-160
}
# Figures so far; filled in as the test goes.
once=- missing=- dup=- extra=- accepted=- recov_lines=- found=- integrity=- k=0 inflight=0
takeovers=-
figures() {
	echo "crash-test seed=$SEED records=$N queue=$QUEUE workers=$WORKERS kills=$((k + 1)) run-kills=$k" \
		"run-kills-in-flight=$inflight intake-kills=1 declared-once=$once missing=$missing" \
		"duplicates=$dup unknown=$extra accepted=$accepted unknown-outcomes-recovered=$recov_lines" \
		"found-by-lookup=$found takeovers=$takeovers elapsed=$(( $(date +%s) - start ))s" \
		"integrity-checks=$checks" \
		"integrity=$integrity"
}
# After a kill: the check, counted; a broken queue is said with the kill
# that left it, the work dir is kept, and the test stops there.
check_after() { # kill-label
	checks=$((checks + 1))
	r=$(integrity_now)
	[ "$r" = "ok" ] && return 0
	KEEP=1
	echo "crash-test: FAILED: integrity check after $1: $r; work dir kept: $w"
	integrity="$r@$1"
	figures
	exit 1
}
# Background processes are started directly (not through gw) so that $!
# is the gateway itself and SIGKILL reaches it.

# Seeded kill delays.
awk -v s="$SEED" -v k="$KILLS" -v lo="$DELAY_MIN" -v hi="$DELAY_MAX" \
	'BEGIN { srand(s); for (i = 0; i < k + 1; i++) printf "%.3f\n", lo + rand() * (hi - lo) }' \
	> "$w/delays"
# Seeded victims (WORKERS > 1): which worker each kill hits, 1..WORKERS.
awk -v s="$SEED" -v k="$KILLS" -v n="$WORKERS" \
	'BEGIN { srand(s + 7919); for (i = 0; i < k; i++) printf "%d\n", 1 + int(rand() * n) }' \
	> "$w/victims"

# Intake, killed once part-way, then again in full: a replay is a no-op.
"$G" --config "$w/gw.conf" intake --contracts "$w/contracts.jsonl" >>"$w/intake.out" \
	2>>"$w/intake.err" &
runpid=$!
sleep "$(sed -n 1p "$w/delays" | awk '{ printf "%.3f", $1 / 4 }')"
kill -9 "$runpid" 2>/dev/null || true
wait "$runpid" 2>/dev/null || true
runpid=""
check_after "the-intake-kill"
gw intake --contracts "$w/contracts.jsonl" >>"$w/intake.out" 2>>"$w/intake.err" || {
	echo "crash-test: intake failed"; cat "$w/intake.err"; exit 1; }
pending=$(gw status --json | sed 's/.*"total":{"pending":\([0-9]*\).*/\1/')
[ "$pending" -eq "$N" ] || { echo "crash-test: $pending pending after intake, want $N"; exit 1; }

# How many messages are still on their way (not final, not held).
active_now() {
	gw status --json | sed 's/.*"total":{"pending":\([0-9]*\),"building":\([0-9]*\),"ready":\([0-9]*\),"sending":\([0-9]*\),"sent":\([0-9]*\),.*/\1 \2 \3 \4 \5/' |
	    awk '{ print $1 + $2 + $3 + $4 + $5 }'
}
# A kill's bookkeeping: in flight or not, then the integrity check.
after_kill() {
	k=$((k + 1))
	active=$(active_now)
	[ "$active" -gt 0 ] && inflight=$((inflight + 1))
	echo "kill $k$1: $active message(s) still in flight" >> "$w/kills"
	check_after "kill-$k"
}

if [ "$WORKERS" -eq 1 ]; then
# The kill loop.
while [ "$k" -lt "$KILLS" ]; do
	"$G" --config "$w/gw.conf" run >>"$w/run.out" 2>>"$w/run.err" &
	runpid=$!
	sleep "$(sed -n "$((k + 2))p" "$w/delays")"
	if kill -9 "$runpid" 2>/dev/null; then
		wait "$runpid" 2>/dev/null || true
		after_kill ""
	else
		wait "$runpid" 2>/dev/null || true
		echo "crash-test: gateway run exited by itself"; tail -5 "$w/run.err"; exit 1
	fi
	runpid=""
done

# Let it finish.
timeout "$TIMEOUT" "$G" --config "$w/gw.conf" run --until-idle >>"$w/run.out" 2>>"$w/run.err" || [ $? -eq 1 ] || {
	echo "crash-test: final run failed or timed out"; tail -20 "$w/run.err"; exit 1; }
else
# Several workers at once, named w1..wN (a restart keeps its name and so
# takes over its previous life's leases at once).
start_worker() { # I
	"$G" --config "$w/gw.conf" run --worker "w$1" >>"$w/run.out" 2>>"$w/run.err" &
	eval "pid_$1=\$!"
}
all_pids() {
	pids=""
	i=1
	while [ "$i" -le "$WORKERS" ]; do eval "pids=\"\$pids \$pid_$i\""; i=$((i + 1)); done
}
i=1
while [ "$i" -le "$WORKERS" ]; do start_worker "$i"; i=$((i + 1)); done
all_pids
while [ "$k" -lt "$KILLS" ]; do
	sleep "$(sed -n "$((k + 2))p" "$w/delays")"
	v=$(sed -n "$((k + 1))p" "$w/victims")
	eval "vp=\$pid_$v"
	if kill -9 "$vp" 2>/dev/null; then
		wait "$vp" 2>/dev/null || true
		after_kill " (w$v)"
	else
		wait "$vp" 2>/dev/null || true
		echo "crash-test: gateway run --worker w$v exited by itself"; tail -5 "$w/run.err"; exit 1
	fi
	start_worker "$v"
	all_pids
done
# Stop them with one more SIGKILL each (a SIGTERM can be lost by a worker
# restarted a moment ago, before its handler is set), then all of them until
# idle: each takes its own name's work over at start.
for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
for p in $pids; do wait "$p" 2>/dev/null || true; done
pids=""
i=1
while [ "$i" -le "$WORKERS" ]; do
	timeout "$TIMEOUT" "$G" --config "$w/gw.conf" run --until-idle --worker "w$i" >>"$w/run.out" \
		2>>"$w/run.err" &
	eval "pid_$i=\$!"
	i=$((i + 1))
done
all_pids
fin=0
for p in $pids; do wait "$p" || [ $? -eq 1 ] || fin=1; done
pids=""
[ "$fin" -eq 0 ] || { echo "crash-test: a final run failed or timed out"; tail -20 "$w/run.err"; exit 1; }
fi
kill "$simpid"
wait "$simpid" 2>/dev/null || true
simpid=""

# Proof from the simulator's ledger: per worker, periods and declarations.
"$G" sim onss --dump-ledger "$w/ledger.jsonl" > "$w/ledger.json"
awk -v workers="$w/workers" '
	BEGIN { while ((getline x < workers) > 0) want[x] = 1 }
	/"periods": \[/ { sec = "p" }
	/"declarations": \[/ { sec = "d" }
	/"worker": "/ {
		v = $0; sub(/.*"worker": "/, "", v); sub(/".*/, "", v)
		if (sec == "p") pc[v]++; else if (sec == "d") dc[v]++
	}
	END {
		once = missing = dup = extra = 0
		for (x in want) {
			if (pc[x] == 1 && dc[x] == 1) once++
			else if (pc[x] == 0) missing++
			else dup++
		}
		for (x in pc) if (!(x in want)) extra++
		printf "%d %d %d %d\n", once, missing, dup, extra
	}' "$w/ledger.json" > "$w/verdict"
read -r once missing dup extra < "$w/verdict"

checks=$((checks + 1))
integrity=$(integrity_now)
accepted=$(gw status --json | sed 's/.*"total":{[^}]*"accepted":\([0-9]*\).*/\1/')
found=$(grep -c "not re-sent" "$w/run.err" || true)
recovered=$(grep -c "recovery: send outcome unknown" "$w/run.err" || true)
recov_lines=$(grep -o "[0-9]* with an unknown send outcome" "$w/run.err" | awk '{ s += $1 } END { print s + 0 }')
takeovers=$(grep -c "recovery (expired leases" "$w/run.err" || true)

status=0
if [ "$once" -ne "$N" ] || [ "$missing" -ne 0 ] || [ "$dup" -ne 0 ] || [ "$extra" -ne 0 ] ||
   [ "$integrity" != "ok" ] || [ "$accepted" -ne "$N" ] || [ "$inflight" -lt "$MIN_INFLIGHT" ]; then
	status=1
	KEEP=1
	echo "crash-test: FAILED; work dir kept: $w"
	tail -5 "$w/kills"
fi
: "$recovered"
figures
exit $status
