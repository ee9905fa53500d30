#!/bin/sh
# queue_pg.sh - the outbox on PostgreSQL beside SQLite, in the same run:
# intake (records per second, `gateway intake`) and declarations (messages
# brought to a final state per second by WORKERS runner processes, `gateway
# run --until-idle` each with its own [queue] worker name, against `gateway
# sim onss`). QPG_CONTRACTS (default 300: six runs against the simulator in make bench) records from bench/gen_contracts;
# WORKERS (default "1 2 4"). PostgreSQL is a throwaway cluster
# (tests/lib/pg.sh, fsync on) on the same disk. Where the time goes: the
# server's committed transactions per declaration (pg_stat_database), and
# intake against run time. Figures only; nothing is asserted.
set -u
: "${TOP:?}" "${BUILD:?}" "${GATEWAY:?}"
N=${QPG_CONTRACTS:-300}
WORKERS=${WORKERS:-"1 2 4"}
GEN=$TOP/$BUILD/bench/gen_contracts
[ -x "$GEN" ] || { echo "queue_pg: $GEN missing (make bench builds it)"; exit 1; }
. "$TOP/tests/lib/pg.sh"
pg_available || { echo "queue_pg: no PostgreSQL (make deps); skipped"; exit 0; }
D=$(mktemp -d /tmp/gw-bench-qpg-XXXXXX)
simpid=""
cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
	pg_stop
	rm -rf "$D"
}
trap cleanup EXIT INT TERM
cd "$TOP"
[ -f certs/out/tls/ca.crt.pem ] || sh certs/gen-test-pki.sh >/dev/null 2>&1
. "$TOP/tests/integration/lib/onss-sim.sh"
"$GEN" "$N" 7 >"$D/contracts.csv" || exit 1
pg_start || exit 1
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", (b > a ? n / (b - a) : 0) }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
commits() { pg_sql "SELECT xact_commit FROM pg_stat_database WHERE datname='gateway'"; }
finals() { # backend dir
	q="SELECT count(*) FROM msgs WHERE state IN ('accepted','accepted-with-warnings','refused','failed','cancelled')"
	if [ "$1" = postgresql ]; then pg_sql "$q"; else sqlite3 "$2/queue.db" "$q"; fi
}
copy_tables="msgs events records"
copied=""
echo "records: $N contracts (bench/gen_contracts seed 7); $(nproc) CPU(s); PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }')"
for backend in sqlite postgresql; do
	for w in $WORKERS; do
		d="$D/$backend-$w"; mkdir -p "$d"
		start_sim "$d" --employer 175110801 --employer 123456749 --process-ms 5
		if [ "$backend" = postgresql ]; then
			pg_sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null 2>&1
			sed -i "s|^dsn = .*|dsn = $PG_DSN|" "$d/gw.conf"
		fi
		c0=$( [ "$backend" = postgresql ] && commits || echo 0)
		t0=$(now)
		"$GATEWAY" --config "$d/gw.conf" --log-level error intake --contracts "$d/../contracts.csv" \
			>"$d/intake.out" 2>&1
		t1=$(now)
		taken=$(sed -n 's/.* \([0-9][0-9]*\) taken in.*/\1/p' "$d/intake.out" | tail -n 1)
		if [ "$backend" = postgresql ] && [ -z "${copied:-}" ]; then
			# The rows this intake wrote, for psql \copy beside it (after the run).
			for t in $copy_tables; do
				pg_sql "\\copy $t TO '$D/$t.csv' CSV" || exit 1
			done
		fi
		tr=$(now)   # the run's start (after the copy-out, if any)
		i=1
		pids=""
		while [ $i -le "$w" ]; do
			"$GATEWAY" --config "$d/gw.conf" --log-level error --set queue.worker="w$i" \
				--set run.lock_file="$d/run.$i.lock" run --until-idle >"$d/run.$i.out" 2>&1 &
			pids="$pids $!"
			i=$((i + 1))
		done
		for p in $pids; do wait "$p" || true; done
		t2=$(now)
		kill "$simpid"; wait "$simpid" 2>/dev/null; simpid=""
		f=$(finals "$backend" "$d")
		extra=""
		if [ "$backend" = postgresql ]; then
			c1=$(commits)
			extra=", $(awk -v c="$((c1 - c0))" -v f="$f" 'BEGIN { printf "%.1f", (f > 0 ? c / f : 0) }') server commits per final message"
		fi
		if [ "$backend" = postgresql ] && [ -z "${copied:-}" ]; then
			# psql \copy of the same rows into empty tables of the same shape
			# (indexes and keys included), one transaction, psql's start counted
			# as the gateway's is.
			for t in $copy_tables; do
				pg_sql "CREATE TABLE copy_$t (LIKE $t INCLUDING ALL)" >/dev/null || exit 1
			done
			{ echo "BEGIN;"; for t in $copy_tables; do echo "\\copy copy_$t FROM '$D/$t.csv' CSV"; done
			  echo "COMMIT;"; } > "$D/copy.sql"
			t3=$(now)
			"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U gateway -d gateway \
				-f "$D/copy.sql" || exit 1
			t4=$(now)
			copied=$(rate "${taken:-0}" "$t3" "$t4")
			printf 'psql \\copy  the same %s records (%s) in %s s: %s records/s\n' "${taken:-?}" \
				"$(echo $copy_tables | tr ' ' ,)" "$(secs "$t3" "$t4")" "$copied"
		fi
		echo "$backend $w $(rate "${taken:-0}" "$t0" "$t1") $(rate "$f" "$tr" "$t2")" >>"$D/res"
		printf '%-10s workers=%s intake %s records in %s s: %s records/s; run %s final in %s s: %s declarations/s%s\n' \
			"$backend" "$w" "${taken:-?}" "$(secs "$t0" "$t1")" "$(rate "${taken:-0}" "$t0" "$t1")" \
			"$f" "$(secs "$tr" "$t2")" "$(rate "$f" "$tr" "$t2")" "$extra"
	done
done

# The table's rows (bench/run.sh): PostgreSQL beside SQLite, same run, same records.
. "$TOP/bench/lib.sh"
pick() { awk -v b="$1" -v w="$2" -v k="$3" '$1 == b && $2 == w { print $k }' "$D/res"; }
first=$(echo $WORKERS | cut -d' ' -f1)
row "Intake on PostgreSQL" "$N records" "$(pick postgresql "$first" 3)" "records/s" "-" \
	"the same intake on SQLite" "$(pick sqlite "$first" 3)" "one intake process"
row "Intake on PostgreSQL beside psql \\copy" "$N records" "$(pick postgresql "$first" 3)" "records/s" "-" \
	"psql \\copy, same rows, one txn" "${copied:--}" "msgs, events, records; the gateway also parses, checks and decides"
for w in $WORKERS; do
	row "Declarations on PostgreSQL, $w worker(s)" "$N records" "$(pick postgresql "$w" 4)" "declarations/s" "-" \
		"SQLite, $w worker(s)" "$(pick sqlite "$w" 4)" "against the REST simulator"
done
