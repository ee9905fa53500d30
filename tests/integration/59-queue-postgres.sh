#!/bin/sh
# 59-queue-postgres.sh - the main flow on PostgreSQL ([queue] dsn =
# postgresql://..., a throwaway cluster from tests/lib/pg.sh): the
# 533-record Dimona fixture through `gateway intake` and `gateway run
# --until-idle` against `gateway sim onss`. Then the same again while the
# database server restarts twice in the middle of the run (pg_ctl restart
# cuts every connection): the runner reconnects by itself, nothing is lost
# and nothing declared twice. Each time, every message's final state must
# match fixtures/dimona/expected-500.tsv and the simulator's ledger must
# hold every accepted period exactly once (dimona_check.py, on the outbox
# rows copied out of the server). First, the dsn's password is never shown
# by status or config (issue 16).
#
# Env: TOP, GATEWAY, BUILD (set by tests/run-all.sh).
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
GATEWAY=${GATEWAY:-$TOP/build/gateway}
cd "$TOP"
. "$TOP/tests/lib/pg.sh"
if ! pg_available; then
	echo "queue on postgresql: SKIPPED, $PG_WHY"
	exit 0
fi
work=$(mktemp -d /tmp/gw-queue-pg-XXXXXX)
simpid=""
runpid=""
cleanup() {
	[ -n "$runpid" ] && kill "$runpid" 2>/dev/null && wait "$runpid" 2>/dev/null
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
	pg_stop
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

[ -f certs/out/tls/ca.crt.pem ] || sh certs/gen-test-pki.sh >/dev/null
fixture=fixtures/dimona/contracts-500.csv
expected=fixtures/dimona/expected-500.tsv
. "$TOP/tests/integration/lib/onss-sim.sh"
pg_start

# The dsn's password is never shown (issue 16): with one in the dsn (trust
# authentication: the server ignores it), `gateway status` (table and
# --json) and `gateway config` show it as ***; so does status against a
# server it cannot reach (its error names the dsn).
secret=S3cret-57-pw
pwdsn=$(printf '%s' "$PG_DSN" | sed "s|://gateway@|://gateway:$secret@|")
for args in status "status --json" config; do
	"$GATEWAY" --set "queue.dsn=$pwdsn" $args > "$work/shown" 2>&1 ||
		{ echo "FAIL: gateway $args with a password in the dsn: $(cat "$work/shown")"; exit 1; }
	if grep -q "$secret" "$work/shown" || ! grep -q 'gateway:\*\*\*@127.0.0.1' "$work/shown"; then
		echo "FAIL: gateway $args shows the dsn's password, or not the dsn: $(grep -i 'queue' "$work/shown")"
		exit 1
	fi
done
if "$GATEWAY" --set "queue.dsn=postgresql://gateway:$secret@127.0.0.1:1/gateway" status \
	> "$work/shown" 2>&1 || grep -q "$secret" "$work/shown"; then
	echo "FAIL: status against an unreachable server: $(cat "$work/shown")"
	exit 1
fi

# The outbox rows dimona_check.py reads, copied from the server into a
# SQLite file of the same shape.
export_msgs() { # dir
	pg_sql "\\copy (SELECT record_id, revision, kind, state, remote_ref2, last_error FROM msgs) TO '$1/msgs.csv' CSV"
	python3 - "$1/msgs.csv" "$1/queue.db" <<'PY'
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[2])
db.execute("create table msgs(record_id, revision integer, kind, state, remote_ref2, last_error)")
db.executemany("insert into msgs values(?,?,?,?,?,?)", csv.reader(open(sys.argv[1], newline="")))
db.commit()
PY
}

done_count() {
	pg_sql "SELECT count(*) FROM msgs WHERE state IN ('accepted','accepted-with-warnings','refused','failed','cancelled')"
}

run_pg() { # label restarts(0|1)
	label=$1; restarts=$2
	d="$work/$label"; mkdir -p "$d"
	pg_sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" 2>/dev/null
	start_sim "$d" --employer 175110801 --employer 123456749
	# The queue on the server; the run lock beside the test (a server has
	# no file beside it); short leases so that a send cut by the restart is
	# taken over (and looked up) within the test.
	sed "s|^dsn = .*|dsn = $PG_DSN|" "$d/gw.conf" >"$d/gw.conf.new" && mv "$d/gw.conf.new" "$d/gw.conf"
	sed -i 's/^\[queue\]$/[queue]\nlease_ms = 3000/' "$d/gw.conf"
	printf '[run]\nlock_file = %s/run.lock\n' "$d" >>"$d/gw.conf"
	"$GATEWAY" --config "$d/gw.conf" --log-level error intake --contracts "$fixture" >"$d/intake.out" 2>&1 ||
		{ echo "$label: intake failed"; cat "$d/intake.out"; exit 1; }
	grep -q "533 taken in" "$d/intake.out" || { cat "$d/intake.out"; exit 1; }
	timeout 900 "$GATEWAY" --config "$d/gw.conf" --log-level warn run --until-idle >"$d/run.out" 2>"$d/run.err" &
	runpid=$!
	if [ "$restarts" -eq 1 ]; then
		for at in 60 250; do
			i=0
			while [ "$(done_count 2>/dev/null || echo 0)" -lt $at ]; do
				i=$((i + 1)); [ $i -lt 3000 ] || { echo "$label: no progress to $at"; exit 1; }
				kill -0 "$runpid" 2>/dev/null || break
				sleep 0.1
			done
			kill -0 "$runpid" 2>/dev/null || { echo "$label: the run ended before the restart at $at:"; tail -n 5 "$d/run.err"; exit 1; }
			pg_restart
			echo "$label: database restarted with $(done_count) messages final"
		done
	fi
	rc=0; wait "$runpid" || rc=$?
	runpid=""
	[ $rc -eq 0 ] || [ $rc -eq 1 ] || { echo "$label: gateway run failed ($rc)"; tail -5 "$d/run.err"; exit 1; }
	kill "$simpid"; wait "$simpid" 2>/dev/null || true; simpid=""
	"$GATEWAY" sim onss --dump-ledger "$d/ledger.jsonl" >"$d/ledger.json"
	export_msgs "$d"
	python3 tests/integration/dimona_check.py "$d/ledger.json" "$d/queue.db" "$label" 0 "$expected"
}

status=0
[ -n "${PG_ONLY_RESTART:-}" ] || run_pg clean 0 || status=1   # PG_ONLY_RESTART=1: the restart case alone
run_pg restart 1 || status=1
[ $status -eq 0 ] && echo "queue on postgresql: 533 records, once cleanly and once across two database restarts, outcomes and ledger as expected"
exit $status
